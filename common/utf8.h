#pragma once
// UTF-8 decoding and checking, shared by the provider adapters (TwiML
// escaping, Telegram's UTF-16 length limit) and the directory validator
// (directory text must be valid UTF-8 before it can be served). Strict
// RFC 3629: overlong forms, surrogates (U+D800..U+DFFF), values beyond
// U+10FFFF, truncated sequences and stray continuation bytes are all invalid.
//
//   std::uint32_t cp = 0;
//   while (!text.empty()) {
//     const std::size_t len = DecodeUtf8(text, cp);
//     if (len == 0) { /* invalid: substitute U+FFFD, skip one byte */ }
//     text.remove_prefix(len == 0 ? 1 : len);
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

// Decodes the one UTF-8 sequence at the start of `s`. Returns its length in
// bytes (1 to 4) and sets `cp` to its code point, or returns 0 for an invalid
// sequence (then `cp` is unspecified). `s` must not be empty.
std::size_t DecodeUtf8(std::string_view s, std::uint32_t& cp);

// The byte offset of the first invalid sequence in `s`, or
// std::string_view::npos when all of `s` is valid UTF-8 (the empty string is).
std::size_t InvalidUtf8Offset(std::string_view s);

}  // namespace helpline
