#include "daemon/engine/sms_segments.h"

#include <algorithm>
#include <bit>
#include <cstdint>

#include "daemon/engine/gsm7.h"
#include "daemon/engine/gsm7_chars.h"

namespace helpline::engine {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

constexpr bool IsNewline(char c) { return c == '\n' || c == '\r'; }

// Whether byte `x` lies in one of the (normalized) spans.
bool ByteInSpan(const std::vector<Span>& spans, std::size_t x) {
  auto it = std::partition_point(spans.begin(), spans.end(), [x](const Span& s) { return s.end <= x; });
  return it != spans.end() && it->begin <= x;
}

}  // namespace

std::vector<std::string> SplitSegments(std::string_view utf8, const std::vector<Span>& keep_together) {
  const SmsMeasure whole = MeasureSms(utf8);
  if (whole.segments == 1) return {std::string(utf8)};

  const SmsEncoding encoding = whole.encoding;
  const std::size_t limit = PartLimit(encoding);
  const std::size_t n = utf8.size();
  const std::vector<Span> spans = NormalizeSpans(keep_together, n);
  const std::size_t span_count = spans.size();

  std::vector<std::string> parts;
  parts.reserve(whole.segments + 1);
  std::size_t start = 0;
  std::size_t first_span = 0;  // first span ending after `start`
  while (start < n) {
    while (first_span < span_count && spans[first_span].end <= start) ++first_span;

    // Walk forward as far as one part goes, remembering where it could end.
    std::size_t pos = start;
    std::size_t used = 0;
    std::size_t k = first_span;
    std::size_t newline = kNone;
    std::size_t newline_used = 0;
    std::size_t space = kNone;
    std::size_t hard = kNone;  // farthest character boundary outside spans
    while (pos < n) {
      while (k < span_count && spans[k].end <= pos) ++k;
      if constexpr (kSwar) {
        // Up to eight plain ASCII bytes (one unit each) at once, stopping at
        // the next span boundary: outside spans the last space among them is
        // a candidate cut and their end a possible hard cut; inside a span
        // neither is, except the span's end.
        if (pos + 8 <= n) {
          const bool inside = k < span_count && spans[k].begin <= pos;
          const std::size_t boundary = k == span_count ? n : inside ? spans[k].end : spans[k].begin;
          const std::size_t len = std::min({std::size_t{8}, boundary - pos, limit - used});
          if (len > 0) {
            const std::uint64_t keep = len == 8 ? ~0ull : (1ull << (8 * len)) - 1;
            const std::uint64_t w = Load8(utf8.data() + pos);
            if (PlainAscii8((w & keep) | (kOnes * 'a' & ~keep))) {
              if (!inside) {
                std::uint64_t sp = SpaceBytes(w) & keep;
                if (pos == start) sp &= ~0x80ull;  // a part never starts with its cut
                if (sp) space = pos + static_cast<std::size_t>(63 - std::countl_zero(sp)) / 8;
              }
              used += len;
              pos += len;
              if (!inside || pos == spans[k].end) hard = pos;
              continue;
            }
          }
        }
      }
      const SmsChar c = NextSmsChar(utf8, pos);
      const bool char_in_span = k < span_count && spans[k].begin < pos + c.len;
      if (pos > start && IsBreakSpace(utf8[pos]) && !char_in_span) {
        if (IsNewline(utf8[pos])) {
          newline = pos;
          newline_used = used;
        } else {
          space = pos;
        }
      }
      const unsigned u = UnitsIn(encoding, c);
      if (used + u > limit) break;
      used += u;
      pos += c.len;
      while (k < span_count && spans[k].end <= pos) ++k;
      if (!(k < span_count && spans[k].begin < pos)) hard = pos;
    }
    if (pos == n) {
      parts.emplace_back(utf8.substr(start));
      break;
    }

    std::size_t end = kNone;
    std::size_t next = kNone;
    std::size_t ws = kNone;
    // Phones reassemble concatenated parts, so filling parts beats ending
    // them at newlines: a newline wins only when the part is nearly full.
    if (newline != kNone && newline_used * 10 >= limit * 9) {
      ws = newline;
    } else if (space != kNone) {
      ws = space;
    } else {
      ws = newline;
    }
    if (ws != kNone) {
      // Drop the whole whitespace run around the cut.
      std::size_t gap_begin = ws;
      while (gap_begin > start + 1 && IsBreakSpace(utf8[gap_begin - 1]) && !ByteInSpan(spans, gap_begin - 1)) {
        --gap_begin;
      }
      std::size_t gap_end = ws + 1;
      while (gap_end < n && IsBreakSpace(utf8[gap_end]) && !ByteInSpan(spans, gap_end)) ++gap_end;
      end = gap_begin;
      next = gap_end;
      // If what follows the gap cannot fit a part on its own, it will be cut
      // anyway: fill this part instead of sending a short one.
      if (hard != kNone && hard > gap_end) {
        std::size_t units = 0;
        std::size_t q = gap_end;
        while (q < n && units <= limit) {
          if (IsBreakSpace(utf8[q]) && !ByteInSpan(spans, q)) break;
          const SmsChar c = NextSmsChar(utf8, q);
          units += UnitsIn(encoding, c);
          q += c.len;
        }
        if (units > limit) end = next = hard;
      }
    } else {
      end = next = hard != kNone ? hard : pos;
    }
    parts.emplace_back(utf8.substr(start, end - start));
    start = next;
  }
  return parts;
}

}  // namespace helpline::engine
