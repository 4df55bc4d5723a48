#include "common/utf8.h"

namespace helpline::internal {
namespace {

bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

// The lead byte decides the length and the range the second byte may take:
// E0 and F0 exclude overlong forms, ED the surrogates, F4 what lies beyond
// U+10FFFF; C0, C1 and F5..FF never start a sequence.
Utf8Char DecodeUtf8Strict(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  const std::size_t left = s.size() - i;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (left >= 2 && IsContinuation(at(1))) return {char32_t((b0 & 0x1F) << 6 | (at(1) & 0x3F)), 2, true};
    return {};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3) return {};
    const unsigned char b1 = at(1);
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
    if (b1 < lo || b1 > hi || !IsContinuation(at(2))) return {};
    return {char32_t((b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | (at(2) & 0x3F)), 3, true};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4) return {};
    const unsigned char b1 = at(1);
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (b1 < lo || b1 > hi || !IsContinuation(at(2)) || !IsContinuation(at(3))) return {};
    return {char32_t((b0 & 0x07) << 18 | (b1 & 0x3F) << 12 | (at(2) & 0x3F) << 6 | (at(3) & 0x3F)), 4, true};
  }
  return {};
}

Utf8Char DecodeUtf8Lenient(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  const std::size_t len = (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return {};
  char32_t cp = b0 & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (!IsContinuation(b)) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, len, true};
}

}  // namespace helpline::internal

namespace helpline {

std::size_t DecodeUtf8(std::string_view s, std::uint32_t& cp) {
  const Utf8Char c = DecodeUtf8At(s, 0, Utf8Mode::kStrict);
  if (!c.valid) return 0;
  cp = c.cp;
  return c.len;
}

std::size_t InvalidUtf8Offset(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // ASCII, most of any text: no decoding
      ++i;
      continue;
    }
    const Utf8Char c = internal::DecodeUtf8Strict(s, i);
    if (!c.valid) return i;
    i += c.len;
  }
  return std::string_view::npos;
}

}  // namespace helpline
