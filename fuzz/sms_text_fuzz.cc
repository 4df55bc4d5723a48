// Fuzz target: the engine's SMS text work on any bytes: measuring
// (gsm7.h: GSM-7 septets or UTF-16 units, segments), GSM-friendly spelling,
// the unbreakable spans (numbers, "text X to Y", URLs) and the splitter
// (sms_segments.h).
//
// Input: one flags byte (bit 0: fold accents), then the text.
//
// Invariants: measuring never fails and counts at least one segment; the
// GSM-friendly text of valid UTF-8 is valid UTF-8, measures no more units,
// and is stable (applying it twice changes nothing more); spans lie inside
// the text; the parts are the text with only whitespace dropped between
// them, each within one part of the whole text's encoding (one SMS when
// the whole fits one); a span short enough for one part is never cut.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "daemon/engine/gsm7.h"
#include "daemon/engine/sms_segments.h"
#include "daemon/engine/unbreakable_spans.h"
#include "fuzz/fuzz_support.h"

namespace eng = helpline::engine;
using helpline::fuzz::FuzzInput;
using helpline::fuzz::IsUtf8;

namespace {

bool IsCutSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// UTF-16 code units of `s`; an invalid byte counts as U+FFFD (one unit).
std::size_t Utf16Units(std::string_view s) {
  std::size_t units = 0;
  while (!s.empty()) {
    std::uint32_t cp = 0;
    const std::size_t len = helpline::DecodeUtf8(s, cp);
    units += (len != 0 && cp > 0xFFFF) ? 2 : 1;
    s.remove_prefix(len == 0 ? 1 : len);
  }
  return units;
}

void CheckSplit(std::string_view text, const std::vector<eng::Span>& spans) {
  const eng::SmsMeasure whole = eng::MeasureSms(text);
  const std::vector<std::string> parts = eng::SplitSegments(text, spans);
  FUZZ_CHECK(!parts.empty());
  if (text.empty()) {
    FUZZ_CHECK(parts.size() == 1 && parts[0].empty());
    return;
  }
  // The parts are the text with whitespace runs dropped between them. A cut
  // forced inside a span keeps the span's whitespace, so a part may also
  // start with some of the run.
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::size_t pos = 0;
  for (const std::string& part : parts) {
    FUZZ_CHECK(!part.empty());
    std::size_t run_end = pos;
    while (run_end < text.size() && IsCutSpace(text[run_end])) ++run_end;
    std::size_t at = pos;
    while (at < run_end && text.substr(at, part.size()) != part) ++at;
    FUZZ_CHECK(text.substr(at, part.size()) == part);
    ranges.emplace_back(at, at + part.size());
    pos = at + part.size();
  }
  while (pos < text.size() && IsCutSpace(text[pos])) ++pos;
  FUZZ_CHECK(pos == text.size());
  if (whole.segments == 1) {
    FUZZ_CHECK(parts.size() == 1);
    return;
  }
  for (const std::string& part : parts) {
    const eng::SmsMeasure m = eng::MeasureSms(part);
    if (whole.encoding == eng::SmsEncoding::kGsm7) {
      FUZZ_CHECK(m.encoding == eng::SmsEncoding::kGsm7);
      FUZZ_CHECK(m.units <= eng::kGsm7PartSeptets);
    } else {
      FUZZ_CHECK(Utf16Units(part) <= eng::kUcs2PartUnits);
    }
  }
  // A span that fits one part in any encoding is in one part.
  for (const eng::Span& span : spans) {
    if (span.end - span.begin > eng::kUcs2PartUnits / 2) continue;
    bool inside = false;
    for (const auto& [begin, end] : ranges) inside = inside || (span.begin >= begin && span.end <= end);
    FUZZ_CHECK(inside);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::uint8_t flags = in.Byte();
  const std::string_view text = in.Rest();

  const eng::SmsMeasure m = eng::MeasureSms(text);
  FUZZ_CHECK(m.segments >= 1);
  if (eng::IsGsm7(text)) FUZZ_CHECK(m.encoding == eng::SmsEncoding::kGsm7);

  const std::string friendly = eng::ToGsmFriendly(text, eng::GsmFriendlyOptions{.fold_accents = (flags & 1) != 0});
  if (IsUtf8(text)) {
    FUZZ_CHECK(IsUtf8(friendly));
    FUZZ_CHECK(eng::MeasureSms(friendly).units <= m.units || m.encoding == eng::SmsEncoding::kUcs2);
    FUZZ_CHECK(eng::ToGsmFriendly(friendly, eng::GsmFriendlyOptions{.fold_accents = (flags & 1) != 0}) == friendly);
  }

  const std::vector<eng::Span> spans = eng::FindUnbreakableSpans(friendly);
  for (const eng::Span& s : spans) FUZZ_CHECK(s.begin < s.end && s.end <= friendly.size());
  CheckSplit(friendly, spans);
  CheckSplit(text, {});
  return 0;
}
