// common/ascii.h: locale-free ASCII classes and case mapping.

#include "common/ascii.h"

#include <gtest/gtest.h>

namespace helpline::ascii {
namespace {

TEST(Ascii, ClassesCoverExactlyTheirAsciiRangesAndNoHighByte) {
  int digits = 0, upper = 0, lower = 0, hex = 0;
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    digits += IsDigit(c);
    upper += IsUpper(c);
    lower += IsLower(c);
    hex += IsHexDigit(c);
    EXPECT_EQ(IsAlpha(c), IsUpper(c) || IsLower(c)) << i;
    EXPECT_EQ(IsAlnum(c), IsAlpha(c) || IsDigit(c)) << i;
    if (i >= 0x80) {
      EXPECT_FALSE(IsAlnum(c) || IsHexDigit(c)) << i;
    }
  }
  EXPECT_EQ(digits, 10);
  EXPECT_EQ(upper, 26);
  EXPECT_EQ(lower, 26);
  EXPECT_EQ(hex, 22);
}

TEST(Ascii, CaseMappingTouchesLettersOnly) {
  EXPECT_EQ(ToLower('Q'), 'q');
  EXPECT_EQ(ToUpper('q'), 'Q');
  for (char c : {'0', '@', '[', '`', '{', ' ', '\xC3', '\xE9'}) {
    EXPECT_EQ(ToLower(c), c);
    EXPECT_EQ(ToUpper(c), c);
  }
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abd"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "ab"));
  EXPECT_FALSE(EqualsIgnoreCase("\xC3\x89", "\xC3\xA9")) << "only ASCII folds";
  EXPECT_TRUE(StartsWithIgnoreCase("HTTPS://x", "https://"));
  EXPECT_FALSE(StartsWithIgnoreCase("http", "https"));
  static_assert(IsDigit('7') && ToLower('A') == 'a', "usable at compile time");
}

// From tests/gateway/http_util_test.cc, when these moved to common/ascii.h.
TEST(Ascii, ToLowerFoldsOnlyAsciiUpperCase) {
  EXPECT_EQ(ToLower('A'), 'a');
  EXPECT_EQ(ToLower('Z'), 'z');
  EXPECT_EQ(ToLower('a'), 'a');
  EXPECT_EQ(ToLower('@'), '@');
  EXPECT_EQ(ToLower('['), '[');
  EXPECT_EQ(ToLower('\xC3'), '\xC3');
}

TEST(Ascii, EqualsIgnoreCaseComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(EqualsIgnoreCase("Retry-After", "retry-after"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("Retry-After", "Retry-Afte"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
  // Non-ASCII bytes compare exactly: no locale, no Unicode folding.
  EXPECT_FALSE(EqualsIgnoreCase("\xC3\x89", "\xC3\xA9"));
  EXPECT_TRUE(EqualsIgnoreCase("\xC3\xA9", "\xC3\xA9"));
}

}  // namespace
}  // namespace helpline::ascii
