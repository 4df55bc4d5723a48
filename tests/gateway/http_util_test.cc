#include "gateway/http_util.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace helpline::gateway {
namespace {

TEST(HttpUtil, TrimOwsDropsSpacesAndTabsAtBothEnds) {
  EXPECT_EQ(TrimOws(" \t7 \t"), "7");
  EXPECT_EQ(TrimOws("a b"), "a b");
  EXPECT_EQ(TrimOws(" \t "), "");
  EXPECT_EQ(TrimOws(""), "");
  EXPECT_EQ(TrimOws("\r\n7\n"), "\r\n7\n");  // only OWS, not line breaks
}

TEST(HttpUtil, IsMediaTypeIgnoresParametersWhitespaceAndCase) {
  EXPECT_TRUE(IsMediaType("application/json", "application/json"));
  EXPECT_TRUE(IsMediaType("Application/JSON; charset=utf-8", "application/json"));
  EXPECT_TRUE(IsMediaType(" application/json ;charset=UTF-8", "application/json"));
  EXPECT_TRUE(IsMediaType("application/x-www-form-urlencoded;charset=utf-8", "application/x-www-form-urlencoded"));
  EXPECT_FALSE(IsMediaType("application/jsonx", "application/json"));
  EXPECT_FALSE(IsMediaType("text/json", "application/json"));
  EXPECT_FALSE(IsMediaType("", "application/json"));
  EXPECT_FALSE(IsMediaType("; application/json", "application/json"));
}

TEST(HttpUtil, ParseDecimalTakesOneToEighteenDigits) {
  EXPECT_EQ(ParseDecimal("0"), 0);
  EXPECT_EQ(ParseDecimal("1700000000"), 1700000000);
  EXPECT_EQ(ParseDecimal("007"), 7);
  EXPECT_EQ(ParseDecimal("999999999999999999"), 999999999999999999);
  EXPECT_EQ(ParseDecimal(std::string(19, '1')), std::nullopt);
  for (const char* text : {"", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x10"}) {
    EXPECT_EQ(ParseDecimal(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace helpline::gateway
