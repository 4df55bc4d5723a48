#pragma once
// Shared by the fuzz harnesses (fuzz/*_fuzz.cc): cutting one input into the
// parts a harness needs, the invariant check that ends the run, and UTF-8
// and reason checks several harnesses make.
//
// Inputs are text-shaped on purpose, so seeds in fuzz/corpus/ can be read and
// written by hand: a harness usually takes header lines ("name: value") up to
// the first empty line, then the body.
//
//   FuzzInput in(data, size);
//   auto headers = in.HeaderLines();  // lower-cased names
//   std::string_view body = in.Rest();
//   FUZZ_CHECK(!reply.empty());       // prints the condition and aborts
//
// Thread-safety: plain values; harnesses are single-threaded.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/utf8.h"

namespace helpline::fuzz {

// An invariant every input must keep. Aborts (a finding for libFuzzer, a
// failed test for the replay driver) with the file and line.
#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  // The first byte (0 when empty), consumed.
  std::uint8_t Byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  // Up to the next '\n' (consumed, not returned); the rest when there is none.
  std::string_view Line() {
    const std::size_t nl = rest_.find('\n');
    std::string_view line = rest_.substr(0, nl);
    rest_.remove_prefix(nl == std::string_view::npos ? rest_.size() : nl + 1);
    return line;
  }

  // "name: value" lines up to the first empty line (consumed); names
  // lower-cased, values with the spaces after ':' removed. A line without ':'
  // is a name with an empty value.
  std::vector<std::pair<std::string, std::string>> HeaderLines() {
    std::vector<std::pair<std::string, std::string>> headers;
    while (!rest_.empty()) {
      std::string_view line = Line();
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) break;
      const std::size_t colon = line.find(':');
      std::string name(line.substr(0, colon));
      for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      headers.emplace_back(std::move(name), std::string(value));
    }
    return headers;
  }

  std::string_view Rest() const { return rest_; }

 private:
  std::string_view rest_;
};

inline bool IsUtf8(std::string_view s) { return InvalidUtf8Offset(s) == std::string_view::npos; }

// A reason that is safe to log and send back: short, printable ASCII.
inline bool IsSafeReason(std::string_view reason) {
  if (reason.empty() || reason.size() > 200) return false;
  for (char c : reason) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace helpline::fuzz
