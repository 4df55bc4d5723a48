#include "daemon/engine/text_span.h"

#include <algorithm>

namespace helpline::engine {

std::vector<Span> NormalizeSpans(const std::vector<Span>& in, std::size_t size) {
  std::vector<Span> spans;
  spans.reserve(in.size());
  for (Span s : in) {
    s.end = std::min(s.end, size);
    if (s.begin < s.end) spans.push_back(s);
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::size_t out = 0;
  for (const Span& s : spans) {
    if (out > 0 && s.begin < spans[out - 1].end) {
      spans[out - 1].end = std::max(spans[out - 1].end, s.end);
    } else {
      spans[out++] = s;
    }
  }
  spans.resize(out);
  return spans;
}

}  // namespace helpline::engine
