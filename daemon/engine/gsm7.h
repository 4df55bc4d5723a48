#pragma once
// The SMS alphabets: how long a text is, in which encoding it goes out, and
// how to spell it so that it stays in the cheaper one.
//
//   std::string body = ToGsmFriendly(reply);        // ’ “ ” – … -> ' " " - ...
//   SmsMeasure m = MeasureSms(body);                // m.encoding, m.segments
//   if (!IsGsm7(body)) { /* one character forces UCS-2: 70 a message, not 160 */ }
//
// Cutting a long text into its messages is sms_segments.h's job; it measures
// characters the way this file does (gsm7_chars.h).
//
// Encodings (3GPP TS 23.038, formerly GSM 03.38):
// - GSM-7: the 128-character default alphabet, one septet each, plus the
//   extension table (^ { } \ [ ~ ] | € and form feed), two septets each
//   (escape + character). One SMS holds 160 septets; a part of a concatenated
//   SMS holds 153 (the rest is the User Data Header).
// - UCS-2 (in practice UTF-16): used as soon as one character is outside
//   GSM-7. One SMS holds 70 UTF-16 code units, a part 67; a character outside
//   the BMP (most emoji) takes two.
//
// Decisions a reader may look for:
// - Ç/ç: the 3GPP table shows a capital C-cedilla at 0x09, and that is what
//   most GSM-7 tables in gateway code list; unicode.org's mapping says ç
//   because phones display a small one. So Ç is GSM-7 and ç counts as UCS-2,
//   the safe side: counting ç as GSM-7 when a gateway does not would more
//   than double the segments we planned.
// - The backtick ` is not in the GSM alphabet (0x60 is ¿): it forces UCS-2.
// - Segments are counted the way gateways pack them: a two-unit character
//   (an extension character, a surrogate pair) never straddles two parts, so
//   a long message can need one segment more than ceil(units / 153).
// - An empty text is one segment of zero units (GSM-7): sending it would
//   still cost one message.
// - Invalid UTF-8 never fails: each bad byte counts as U+FFFD (one UCS-2
//   unit), which forces UCS-2.
//
// Thread-safety: pure functions, no state.

#include <cstddef>
#include <string>
#include <string_view>

namespace helpline::engine {

enum class SmsEncoding { kGsm7, kUcs2 };

inline constexpr std::size_t kGsm7SingleSeptets = 160;
inline constexpr std::size_t kGsm7PartSeptets = 153;
inline constexpr std::size_t kUcs2SingleUnits = 70;
inline constexpr std::size_t kUcs2PartUnits = 67;

struct SmsMeasure {
  SmsEncoding encoding = SmsEncoding::kGsm7;
  // GSM-7 septets (extension characters count 2) or UTF-16 code units
  // (characters outside the BMP count 2).
  std::size_t units = 0;
  // Messages the text is billed as; at least 1 (an empty text is 1).
  std::size_t segments = 1;
  // 160 or 70 when the text fits one message, else 153 or 67.
  std::size_t chars_per_segment = kGsm7SingleSeptets;
};

// Encoding, length and segment count of `utf8` as a gateway would send it.
SmsMeasure MeasureSms(std::string_view utf8);

// True when every character of `utf8` is in the GSM-7 default alphabet or
// its extension table (the empty text is GSM-7). Invalid UTF-8 is not.
bool IsGsm7(std::string_view utf8);

struct GsmFriendlyOptions {
  // Also replace accented letters that GSM-7 lacks (á â ã ç ê ë í î ï ó ô õ
  // ú û ý ÿ œ, their capitals, À È Ì Ò Ù, and Latin Extended-A such as ł š ž)
  // by their base letters (œ -> oe). Off by default: a French or Spanish
  // reader would rather pay for UCS-2 than read a misspelt word, so the
  // engine turns it on per language. Letters GSM-7 has (é è à ù ì ò ñ ü ä ö
  // ...) are never touched.
  bool fold_accents = false;
};

// Replaces characters that would force UCS-2 by GSM-7 equivalents that keep
// the meaning: ‘ ’ ‚ ‛ ′ ` and ‹ › -> '; “ ” „ ‟ ″ « » -> "; the dashes and
// hyphens U+2010..U+2015 and minus U+2212 -> -; … -> ...; no-break, narrow
// and typographic spaces and tab -> space; bullets • ‣ ⁃ ◦ -> -; invisible
// characters (zero-width space, word joiner, BOM, soft hyphen) are removed; a
// letter followed by a combining accent is composed when the result is in
// GSM-7 (e + U+0301 -> é). Everything else, including invalid UTF-8 bytes and
// emoji, is copied unchanged, so the result may still need UCS-2.
// Byte offsets change: find spans (FindUnbreakableSpans) on the result, not
// on the input.
std::string ToGsmFriendly(std::string_view utf8, GsmFriendlyOptions options = {});

}  // namespace helpline::engine
