#pragma once
// Where to cut a long reply into the SMS messages it is sent as, so that no
// phone number, URL or "text WORD to NUMBER" instruction is split across two
// of them. Measuring and encodings are gsm7.h's; what must stay whole is
// found by unbreakable_spans.h.
//
//   std::string body = ToGsmFriendly(reply);        // gsm7.h
//   std::vector<std::string> parts =
//       SplitSegments(body, FindUnbreakableSpans(body));
//
// Thread-safety: a pure function, no state.

#include <string>
#include <string_view>
#include <vector>

#include "daemon/engine/text_span.h"

namespace helpline::engine {

// Cuts `utf8` into the messages it should be sent as.
//
// If the whole text fits one SMS (160 septets or 70 units) it is the only
// part. Otherwise every part fits one part of a concatenated SMS (153 septets
// or 67 units) in the encoding of the whole text, and parts end, in order of
// preference, at a newline (if the part is then at least 90% full), at a
// space or tab, or, for a run of text without whitespace that cannot fit one
// part on its own, at a character boundary. A cut never falls inside a UTF-8
// sequence (so never between the two septets of an extension character or
// the two halves of a surrogate pair) nor strictly inside a `keep_together`
// span, unless that span alone exceeds a part (it is then cut at character
// boundaries where it must be).
//
// The whitespace run at a cut (spaces, tabs, CR, LF, outside spans) is
// dropped; nothing else is: `utf8` is exactly parts[0] + ws + parts[1] + ws
// ... + parts[n-1] (+ ws), each ws being whitespace only. Parts are non-empty
// except for the empty text, which gives one empty part.
//
// Spans are byte ranges of `utf8` (as FindUnbreakableSpans returns); they may
// be unsorted or overlap; out-of-range ends are clamped.
//
// A part of a UCS-2 text can be GSM-7 on its own (the emoji was in another
// part): it is still held to 67 units, so it fits whichever way it is sent.
// parts.size() can differ from MeasureSms(utf8).segments both ways: dropped
// whitespace can save a segment, cutting at words can cost one.
std::vector<std::string> SplitSegments(std::string_view utf8, const std::vector<Span>& keep_together = {});

}  // namespace helpline::engine
