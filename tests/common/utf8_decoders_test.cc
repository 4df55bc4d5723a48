// The one UTF-8 decoder (common/utf8.h) against the four it replaced, kept
// here verbatim as references: common/utf8.cc's strict DecodeUtf8, the
// engine's strict GSM-7 decoder (daemon/engine/gsm7.cc), and the lenient
// walks of text folding (common/text_normalize.cc) and the language
// identifier (daemon/engine/language_id.cc). On valid UTF-8 all four and both
// modes agree; on any bytes, each mode does what its former users did.

#include "common/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace helpline {
namespace {

// ---- The former decoders (references) -------------------------------------

struct Ref {
  char32_t cp;
  std::size_t len;
  bool valid;
};

// common/utf8.cc before: 0 for invalid.
std::size_t OldCommonStrict(std::string_view s, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  std::size_t len;
  std::uint32_t min;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// daemon/engine/gsm7.cc before: {U+FFFD, 1, false} for invalid.
Ref OldGsm7Strict(std::string_view s, std::size_t i) {
  auto cont = [](unsigned char b) { return (b & 0xC0) == 0x80; };
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  const std::size_t left = s.size() - i;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (left >= 2 && cont(at(1))) return {char32_t((b0 & 0x1F) << 6 | (at(1) & 0x3F)), 2, true};
    return {0xFFFD, 1, false};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3) return {0xFFFD, 1, false};
    const unsigned char b1 = at(1);
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
    if (b1 < lo || b1 > hi || !cont(at(2))) return {0xFFFD, 1, false};
    return {char32_t((b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | (at(2) & 0x3F)), 3, true};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4) return {0xFFFD, 1, false};
    const unsigned char b1 = at(1);
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (b1 < lo || b1 > hi || !cont(at(2)) || !cont(at(3))) return {0xFFFD, 1, false};
    return {char32_t((b0 & 0x07) << 18 | (b1 & 0x3F) << 12 | (at(2) & 0x3F) << 6 | (at(3) & 0x3F)), 4, true};
  }
  return {0xFFFD, 1, false};
}

// common/text_normalize.cc's Next and daemon/engine/language_id.cc's
// NextChar before (the decoding only), which differed only in what they gave
// for an invalid byte: text folding U+FFFD, the language identifier code
// point 0. One byte for invalid.
char32_t OldLenientNext(std::string_view s, std::size_t& i, char32_t invalid) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + static_cast<std::size_t>(len) > s.size()) {
    ++i;
    return invalid;
  }
  char32_t cp = b0 & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return invalid;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<std::size_t>(len);
  return cp;
}

// ---- Checks ----------------------------------------------------------------

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += std::string{kDigits[c >> 4], kDigits[c & 15], ' '};
  return out;
}

std::string Encode(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// Every decoder at s[i], compared with what its mode promises; returns the
// number of mismatches (each reported once).
int CompareAt(std::string_view s, std::size_t i) {
  int bad = 0;
  const Utf8Char strict = DecodeUtf8At(s, i, Utf8Mode::kStrict);
  const Utf8Char lenient = DecodeUtf8At(s, i, Utf8Mode::kLenient);

  std::uint32_t old_cp = 0;
  const std::size_t old_len = OldCommonStrict(s.substr(i), old_cp);
  if ((old_len != 0) != strict.valid || (strict.valid && (old_len != strict.len || old_cp != strict.cp))) {
    ADD_FAILURE() << "strict vs common/utf8.cc at " << Hex(s.substr(i, 4));
    ++bad;
  }
  std::uint32_t api_cp = 0;
  if (DecodeUtf8(s.substr(i), api_cp) != (strict.valid ? strict.len : 0)) {
    ADD_FAILURE() << "DecodeUtf8 vs DecodeUtf8At at " << Hex(s.substr(i, 4));
    ++bad;
  }
  const Ref gsm = OldGsm7Strict(s, i);
  if (gsm.cp != strict.cp || gsm.len != strict.len || gsm.valid != strict.valid) {
    ADD_FAILURE() << "strict vs gsm7.cc at " << Hex(s.substr(i, 4));
    ++bad;
  }
  std::size_t fold_i = i;
  const char32_t fold_cp = OldLenientNext(s, fold_i, 0xFFFD);
  if (fold_cp != lenient.cp || fold_i - i != lenient.len) {
    ADD_FAILURE() << "lenient vs text_normalize.cc at " << Hex(s.substr(i, 4));
    ++bad;
  }
  std::size_t lang_i = i;
  const char32_t lang_cp = OldLenientNext(s, lang_i, 0);
  if (lang_cp != (lenient.valid ? lenient.cp : 0) || lang_i - i != lenient.len) {
    ADD_FAILURE() << "lenient vs language_id.cc at " << Hex(s.substr(i, 4));
    ++bad;
  }
  // What strict accepts, lenient reads the same.
  if (strict.valid && (!lenient.valid || lenient.cp != strict.cp || lenient.len != strict.len)) {
    ADD_FAILURE() << "strict and lenient disagree on valid input at " << Hex(s.substr(i, 4));
    ++bad;
  }
  if (!strict.valid && (strict.cp != 0xFFFD || strict.len != 1)) ++bad;
  if (!lenient.valid && (lenient.cp != 0xFFFD || lenient.len != 1)) ++bad;
  return bad;
}

TEST(Utf8Decoder, EveryScalarValueDecodesTheSameInEveryDecoderAndMode) {
  int bad = 0;
  for (char32_t cp = 0; cp <= 0x10FFFF && bad < 10; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::string s = Encode(cp);
    const Utf8Char c = DecodeUtf8At(s, 0, Utf8Mode::kStrict);
    if (!c.valid || c.cp != cp || c.len != s.size()) {
      ADD_FAILURE() << "U+" << std::hex << static_cast<std::uint32_t>(cp);
      ++bad;
    }
    bad += CompareAt(s, 0);
  }
  EXPECT_EQ(bad, 0);
}

TEST(Utf8Decoder, EveryOneAndTwoByteInputIsHandledAsBefore) {
  int bad = 0;
  for (int a = 0; a < 256 && bad < 10; ++a) {
    const std::string one(1, static_cast<char>(a));
    bad += CompareAt(one, 0);
    for (int b = 0; b < 256 && bad < 10; ++b)
      bad += CompareAt(std::string{static_cast<char>(a), static_cast<char>(b)}, 0);
  }
  EXPECT_EQ(bad, 0);
}

TEST(Utf8Decoder, EveryLeadAndSecondByteWithAnyTailIsHandledAsBefore) {
  // Every first two bytes, then the tails that matter: continuation bytes at
  // both ends of their range, ASCII, a lead byte, and truncation (n < 4).
  const char tails[] = {'\x80', '\xBF', 'a', '\xF0'};
  int bad = 0;
  for (int a = 0x80; a < 256 && bad < 10; ++a) {
    for (int b = 0; b < 256 && bad < 10; ++b) {
      for (char t1 : tails) {
        for (char t2 : tails) {
          const std::string s{static_cast<char>(a), static_cast<char>(b), t1, t2};
          for (std::size_t n = 1; n <= s.size(); ++n) bad += CompareAt(std::string_view(s).substr(0, n), 0);
        }
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(Utf8Decoder, RandomBytesAreWalkedAsBefore) {
  std::mt19937 rng(20261206);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> high(0x80, 0xFF);
  int bad = 0;
  for (int round = 0; round < 20000 && bad < 10; ++round) {
    std::string s(1 + round % 24, '\0');
    for (char& c : s) c = static_cast<char>(round % 2 ? high(rng) : byte(rng));
    for (std::size_t i = 0; i < s.size(); ++i) bad += CompareAt(s, i);
  }
  EXPECT_EQ(bad, 0);
}

TEST(Utf8Decoder, TheModesDifferOnlyWhereStrictRefuses) {
  // Overlong, surrogate and beyond U+10FFFF: lenient reads them, strict does not.
  struct Case {
    std::string_view bytes;
    char32_t lenient;
  } cases[] = {{"\xC0\xAF", 0x2F},
               {"\xE0\x80\xAF", 0x2F},
               {"\xED\xA0\x80", 0xD800},
               {"\xF4\x90\x80\x80", 0x110000},
               {"\xF7\xBF\xBF\xBF", 0x1FFFFF}};
  for (const Case& c : cases) {
    const Utf8Char strict = DecodeUtf8At(c.bytes, 0, Utf8Mode::kStrict);
    const Utf8Char lenient = DecodeUtf8At(c.bytes, 0, Utf8Mode::kLenient);
    EXPECT_FALSE(strict.valid) << Hex(c.bytes);
    EXPECT_EQ(strict.len, 1u);
    EXPECT_EQ(strict.cp, 0xFFFDu);
    EXPECT_TRUE(lenient.valid) << Hex(c.bytes);
    EXPECT_EQ(lenient.cp, c.lenient) << Hex(c.bytes);
    EXPECT_EQ(lenient.len, c.bytes.size());
  }
  // Both refuse a stray continuation byte, an F8 lead and a cut sequence.
  for (std::string_view bytes :
       {std::string_view("\x80"), std::string_view("\xF8\x88\x80\x80\x80"), std::string_view("\xE2\x82")}) {
    EXPECT_FALSE(DecodeUtf8At(bytes, 0, Utf8Mode::kStrict).valid) << Hex(bytes);
    EXPECT_FALSE(DecodeUtf8At(bytes, 0, Utf8Mode::kLenient).valid) << Hex(bytes);
  }
}

}  // namespace
}  // namespace helpline
