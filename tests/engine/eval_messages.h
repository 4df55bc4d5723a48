#pragma once
// The evaluation set's senders and texts (tests/engine/eval/messages.tsv),
// in its order, for tests that run every text through a cache and compare
// (eval_test.cc reads the whole set, expectations included).
// Thread-safety: reads the file on each call.

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace helpline::engine {

// Tests that run the whole set through the engine many times read every
// kEvalStride-th row under AddressSanitizer (scripts/test's build, where the
// ReplyCache and UnderstandingCache property tests took 72 s and 41 s);
// every other build reads all of it.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr std::size_t kEvalStride = 3;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr std::size_t kEvalStride = 3;
#else
inline constexpr std::size_t kEvalStride = 1;
#endif
#else
inline constexpr std::size_t kEvalStride = 1;
#endif

// (from, text) of each row; rows with fewer than 7 columns are skipped.
inline std::vector<std::pair<std::string, std::string>> EvalSendersAndTexts() {
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/tests/engine/eval/messages.tsv");
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  std::getline(in, line);  // header: id from expected_intent expected_lang first_line note text
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string col; std::getline(ss, col, '\t');) cols.push_back(col);
    if (cols.size() >= 7) out.emplace_back(cols[1], cols[6]);
  }
  return out;
}

}  // namespace helpline::engine
