#pragma once
// A byte range of a text, the currency between the scanner that finds what
// must never be cut (unbreakable_spans.h) and the splitter that cuts
// (sms_segments.h), and the normal form both work on.
//
//   std::vector<Span> spans = NormalizeSpans({{4, 9}, {0, 6}, {20, 99}}, 30);
//   // {{0, 9}, {20, 30}}: clamped to the text, sorted, overlaps merged
//
// Thread-safety: values and pure functions.

#include <cstddef>
#include <vector>

namespace helpline::engine {

// A byte range [begin, end) of a text.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// `in` with every end clamped to `size`, empty spans dropped, sorted by
// begin, and overlapping spans merged (touching ones are kept apart).
std::vector<Span> NormalizeSpans(const std::vector<Span>& in, std::size_t size);

// ASCII whitespace a cut may fall on and that ends a word: space, tab, CR, LF.
constexpr bool IsBreakSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace helpline::engine
