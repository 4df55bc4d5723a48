#pragma once
// The evaluation files (tests/engine/eval/*.tsv: messages.tsv and the
// rounds), read one way for every test: ReadEvalFile gives a file's rows
// with their expectations, EvalSendersAndTexts the senders and texts of
// messages.tsv in its order (for tests that run every text through a cache
// and compare).
// Format: `#` comment lines anywhere; one header line
// `id from expected_intent expected_lang first_line note text`
// (tab-separated); then rows of 7 tab-separated columns, the text last.
// Thread-safety: reads the file on each call.

#include <cstddef>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace helpline::engine {

// Tests that run the whole set through the engine many times read every
// kEvalStride-th row under AddressSanitizer (scripts/test's build, where the
// ReplyCache and UnderstandingCache property tests took 72 s and 41 s), and
// the intent model's cross-validation every kEvalStride-th file (149 s);
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

struct EvalRow {
  int line = 0;  // 1-based, in its file
  std::string id, from, intent, lang, first_line, note, text;
};

struct EvalFile {
  std::vector<EvalRow> rows;
  std::vector<std::string> problems;  // "cannot open", "line N: ..."; empty when the file reads cleanly
  bool held_out = false;              // line 1-3 say HELD OUT (read only when asked to skip such files)
};

inline constexpr const char* kEvalHeader = "id\tfrom\texpected_intent\texpected_lang\tfirst_line\tnote\ttext";

// The rows of one evaluation file. With skip_held_out, a file whose first
// three lines say HELD OUT is read no further: held_out is set and rows stay
// empty (its texts are never to be seen by code that learns or chooses).
inline EvalFile ReadEvalFile(const std::string& path, bool skip_held_out = false) {
  EvalFile file;
  std::ifstream in(path);
  if (!in) {
    file.problems.push_back("cannot open " + path);
    return file;
  }
  bool header_seen = false;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (skip_held_out && n <= 3 && line.find("HELD OUT") != std::string::npos) {
      file.held_out = true;
      return file;
    }
    if (line.empty() || line[0] == '#') continue;
    if (!header_seen) {  // the column names
      header_seen = true;
      if (line.rfind(kEvalHeader, 0) != 0) file.problems.push_back("line " + std::to_string(n) + ": unexpected header");
      continue;
    }
    std::vector<std::string> f;
    std::size_t start = 0;
    while (f.size() < 6) {
      const std::size_t tab = line.find('\t', start);
      if (tab == std::string::npos) break;
      f.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    if (f.size() != 6) {
      file.problems.push_back("line " + std::to_string(n) + ": expected 7 tab-separated columns");
      continue;
    }
    file.rows.push_back({n, f[0], f[1], f[2], f[3], f[4], f[5], line.substr(start)});  // the text: the rest
  }
  return file;
}

// (from, text) of each row of messages.tsv; rows that do not read are skipped.
inline std::vector<std::pair<std::string, std::string>> EvalSendersAndTexts() {
  std::vector<std::pair<std::string, std::string>> out;
  for (EvalRow& r : ReadEvalFile(std::string(HELPLINE_SOURCE_DIR) + "/tests/engine/eval/messages.tsv").rows) {
    out.emplace_back(std::move(r.from), std::move(r.text));
  }
  return out;
}

}  // namespace helpline::engine
