#pragma once
// UTF-8 decoding and checking: the one decoder of the code base. The provider
// adapters (TwiML escaping, Telegram's UTF-16 length limit, Telnyx's send
// body), the directory validator, JSON escaping, the risk detector and the
// engine's GSM-7 measuring decode strictly; the text folding that turns a
// message into words (common/text_normalize.h) and the language identifier's
// character walk decode leniently, so that a sender's odd encoder still reads
// as the letters it meant.
//
//   Strict (RFC 3629): overlong forms, surrogates (U+D800..U+DFFF), values
//   beyond U+10FFFF, truncated sequences and stray continuation bytes are
//   invalid.
//   Lenient: any lead byte 110xxxxx, 1110xxxx or 11110xxx followed by that
//   many continuation bytes is one character, overlong forms, surrogates and
//   values up to U+1FFFFF included; only a byte that cannot start a sequence,
//   a truncated sequence or a missing continuation byte is invalid.
// Either way an invalid sequence is one byte long, so a walk resynchronises
// on the next byte.
//
//   for (std::size_t i = 0; i < text.size();) {
//     const Utf8Char c = DecodeUtf8At(text, i, Utf8Mode::kStrict);
//     if (!c.valid) { /* c.cp is U+FFFD */ }
//     i += c.len;
//   }
//
//   if (InvalidUtf8Offset(name) != std::string_view::npos) { /* refuse it */ }
//
// Thread-safety: free functions without shared state.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace helpline {

// U+FFFD REPLACEMENT CHARACTER, UTF-8 encoded: what adapters put in place of
// an invalid byte.
inline constexpr std::string_view kUtf8ReplacementCharacter = "\xEF\xBF\xBD";

enum class Utf8Mode { kStrict, kLenient };  // see the header comment

// One decoded character: its code point and length in bytes (1 to 4), or,
// when invalid, U+FFFD and a length of 1.
struct Utf8Char {
  char32_t cp = 0xFFFD;
  std::size_t len = 1;
  bool valid = false;
};

namespace internal {
Utf8Char DecodeUtf8Strict(std::string_view s, std::size_t i);
Utf8Char DecodeUtf8Lenient(std::string_view s, std::size_t i);
}  // namespace internal

// Decodes the character at s[i] (i < s.size()). ASCII, most of any text,
// is decoded inline.
inline Utf8Char DecodeUtf8At(std::string_view s, std::size_t i, Utf8Mode mode) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  return mode == Utf8Mode::kStrict ? internal::DecodeUtf8Strict(s, i) : internal::DecodeUtf8Lenient(s, i);
}

// Decodes the one UTF-8 sequence at the start of `s`, strictly. Returns its
// length in bytes (1 to 4) and sets `cp` to its code point, or returns 0 for
// an invalid sequence (then `cp` is unspecified). `s` must not be empty.
std::size_t DecodeUtf8(std::string_view s, std::uint32_t& cp);

// The byte offset of the first invalid sequence in `s` (strict), or
// std::string_view::npos when all of `s` is valid UTF-8 (the empty string is).
std::size_t InvalidUtf8Offset(std::string_view s);

}  // namespace helpline
