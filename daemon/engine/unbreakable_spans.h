#pragma once
// What a cut must never split: the scanner that finds phone numbers, "text
// WORD to NUMBER" instructions and URLs in a reply, so that the splitter
// (sms_segments.h) keeps each one whole in one message.
//
//   std::vector<Span> keep = FindUnbreakableSpans("Or text CONNEX to 247247.");
//   // one span: "text CONNEX to 247247"
//   std::vector<std::string> parts = SplitSegments(reply, FindUnbreakableSpans(reply));
//
// One pass over the text with one table look-up per byte; only dots and the
// starts of words that may begin a number or an instruction are looked at
// further, so plain prose costs little.
//
// Thread-safety: a pure function, no state.

#include <string_view>
#include <vector>

#include "daemon/engine/text_span.h"

namespace helpline::engine {

// Byte ranges of `text` that a cut should not split, sorted, overlapping
// finds merged:
// - phone numbers: 988, 911, 247247, 1-800-662-4357, (604) 555-0123,
//   +1 604 555 0123, 1.800.662.4357, 1-800-662-HELP (4357); at most 15 digits;
// - instructions "text WORD to NUMBER", "texto WORD al NUMBER", "envíe WORD
//   al NUMBER" (envie, envía, envia), "textez WORD au NUMBER", the WORD
//   optional ("textez le 988"), case-insensitive, NUMBER a phone number as
//   above;
// - URLs: http(s)://..., www...., and bare domains with a path or not
//   (findtreatment.gov, 988lifeline.org/chat), surrounding punctuation left
//   out ("(see samhsa.gov)." -> samhsa.gov).
std::vector<Span> FindUnbreakableSpans(std::string_view text);

}  // namespace helpline::engine
