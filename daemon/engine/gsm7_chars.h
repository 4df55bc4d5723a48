#pragma once
// One character of an SMS text measured both ways (GSM-7 septets and UTF-16
// units), and the eight-bytes-at-a-time fast path for plain ASCII. Shared by
// the two loops that walk a text character by character: measuring
// (gsm7.cc) and cutting (sms_segments.cc). Not an API for anyone else: use
// MeasureSms and IsGsm7 (gsm7.h).
//
//   for (std::size_t i = 0; i < s.size();) {
//     const SmsChar c = NextSmsChar(s, i);  // c.len bytes, c.septets (0: not GSM-7), c.utf16
//     i += c.len;
//   }
//
// Thread-safety: pure functions and constant tables.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "daemon/engine/gsm7.h"

namespace helpline::engine {

// Septets per ASCII byte: 1 basic table, 2 extension table, 0 not in GSM-7.
constexpr std::array<std::uint8_t, 128> MakeAsciiSeptets() {
  std::array<std::uint8_t, 128> t{};
  for (int c = 0x20; c < 0x7F; ++c) t[c] = 1;
  t['\n'] = 1;
  t['\r'] = 1;
  t['\f'] = 2;
  for (char c : {'^', '{', '}', '\\', '[', '~', ']', '|'}) t[static_cast<unsigned char>(c)] = 2;
  t['`'] = 0;  // 0x60 of the GSM table is ¿, there is no backtick
  return t;
}
inline constexpr std::array<std::uint8_t, 128> kAsciiSeptets = MakeAsciiSeptets();

// One character of a text, measured both ways.
struct SmsChar {
  std::size_t len = 1;   // bytes
  unsigned septets = 0;  // 0: not in GSM-7
  unsigned utf16 = 1;
};

// The character at s[i], s[i] >= 0x80 (i < s.size()). An invalid UTF-8
// sequence is one byte counted as U+FFFD. Out of line: the rare case.
SmsChar NextNonAsciiSmsChar(std::string_view s, std::size_t i);

// The character at s[i] (i < s.size()).
inline SmsChar NextSmsChar(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return {1, kAsciiSeptets[b], 1};
  return NextNonAsciiSmsChar(s, i);
}

inline unsigned UnitsIn(SmsEncoding encoding, const SmsChar& c) {
  return encoding == SmsEncoding::kGsm7 ? c.septets : c.utf16;
}

// Units a part of a concatenated SMS holds in `encoding`: 153 or 67.
inline std::size_t PartLimit(SmsEncoding encoding) {
  return encoding == SmsEncoding::kGsm7 ? kGsm7PartSeptets : kUcs2PartUnits;
}

// ---------------------------------------------------------------------------
// Eight bytes at a time (SWAR) for the common case, plain ASCII text.

inline constexpr bool kSwar = std::endian::native == std::endian::little;
inline constexpr std::uint64_t kOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

inline std::uint64_t Load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// High bit of each byte of `w` (all bytes < 0x80) that is >= c (c <= 0x80).
constexpr std::uint64_t BytesAtLeast(std::uint64_t w, unsigned c) { return (w + kOnes * (0x80 - c)) & kHighBits; }

// True when all eight bytes are one septet and one UTF-16 unit each and not
// line breaks: space to Z or a to z (the GSM basic table's ASCII core).
inline bool PlainAscii8(std::uint64_t w) {
  if (w & kHighBits) return false;
  const std::uint64_t upper_block = BytesAtLeast(w, 0x20) & ~BytesAtLeast(w, 0x5B);
  const std::uint64_t lower_block = BytesAtLeast(w, 0x61) & ~BytesAtLeast(w, 0x7B);
  return (upper_block | lower_block) == kHighBits;
}

// High bit of each byte of `w` (all bytes < 0x80) that is a space.
inline std::uint64_t SpaceBytes(std::uint64_t w) {
  const std::uint64_t t = w ^ (kOnes * 0x20);
  return ~(t + kOnes * 0x7F) & kHighBits;
}

}  // namespace helpline::engine
