#include "gateway/form_urlencoded.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace helpline::gateway {
namespace {

FormParams ParseOk(std::string_view input) {
  auto parsed = ParseFormUrlencoded(input);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? parsed.value() : FormParams{};
}

TEST(FormUrlencoded, EmptyInputIsNoParameters) {
  EXPECT_TRUE(ParseOk("").empty());
  EXPECT_TRUE(ParseOk("&").empty());
  EXPECT_TRUE(ParseOk("&&&").empty());
}

TEST(FormUrlencoded, PairsComeBackInTheirOrder) {
  EXPECT_EQ(ParseOk("To=%2B18005551212&From=%2B16045550123&Body=help"),
            (FormParams{{"To", "+18005551212"}, {"From", "+16045550123"}, {"Body", "help"}}));
}

TEST(FormUrlencoded, PlusIsASpaceAndEncodedPlusIsAPlus) {
  EXPECT_EQ(ParseOk("Body=need+help%20now%2B1"), (FormParams{{"Body", "need help now+1"}}));
  EXPECT_EQ(ParseOk("a+b=c"), (FormParams{{"a b", "c"}}));
}

TEST(FormUrlencoded, EscapesDecodeInEitherHexCase) {
  EXPECT_EQ(ParseOk("x=%2f%2F%c3%A9"), (FormParams{{"x", "//\xC3\xA9"}}));
}

TEST(FormUrlencoded, EscapedDelimitersStayInsideTheValue) {
  EXPECT_EQ(ParseOk("q=a%26b%3Dc"), (FormParams{{"q", "a&b=c"}}));
}

TEST(FormUrlencoded, DuplicateNamesAreKeptInOrder) {
  EXPECT_EQ(ParseOk("Digits=5678&Sid=CA1&Digits=1234"),
            (FormParams{{"Digits", "5678"}, {"Sid", "CA1"}, {"Digits", "1234"}}));
}

TEST(FormUrlencoded, EmptyPairsAreSkipped) { EXPECT_EQ(ParseOk("&a=1&&b=2&"), (FormParams{{"a", "1"}, {"b", "2"}})); }

TEST(FormUrlencoded, NamesWithoutValuesAndValuesWithoutNamesAreKept) {
  EXPECT_EQ(ParseOk("flag&Body=&=orphan"), (FormParams{{"flag", ""}, {"Body", ""}, {"", "orphan"}}));
}

TEST(FormUrlencoded, OnlyTheFirstEqualsSignSplitsAPair) { EXPECT_EQ(ParseOk("k=a=b=c"), (FormParams{{"k", "a=b=c"}})); }

TEST(FormUrlencoded, NulAndHighBytesDecodeAsBytes) {
  const auto p = ParseOk("k=%00%FF");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].second, std::string("\0\xFF", 2));
}

TEST(FormUrlencoded, BadPercentEscapesAreInvalidArgument) {
  for (const char* bad : {"%", "a=%", "a=%4", "a=%4G", "a=%GZ", "a=b%", "%zz=1", "ok=1&Body=%2"}) {
    auto parsed = ParseFormUrlencoded(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(FormUrlencoded, ErrorMessagesGiveTheOffsetButNotTheInput) {
  auto parsed = ParseFormUrlencoded("From=%2B16045550123&Body=secret%ZZ");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("byte 31"), std::string::npos) << parsed.status().message();
  EXPECT_EQ(parsed.status().message().find("secret"), std::string::npos);
  EXPECT_EQ(parsed.status().message().find("6045550123"), std::string::npos);
}

// The form as a byte-at-a-time decoder reads it (the parser copies runs
// without '+' or '%' whole), in one pass over the input: "name=value&" per
// non-empty pair, or the offset of the first bad escape.
std::string ReferenceParse(std::string_view input) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out, pair;
  bool in_value = false, pair_started = false;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == '&') {
      if (pair_started) out += pair + (in_value ? "&" : "=&");
      pair.clear();
      in_value = pair_started = false;
      continue;
    }
    pair_started = true;
    const char c = input[i];
    if (c == '=' && !in_value) {
      in_value = true;
      pair += '=';
    } else if (c == '+') {
      pair += ' ';
    } else if (c == '%') {
      // '&' and '=' are no hex digits, so an escape never runs across them.
      const int hi = i + 1 < input.size() ? hex(input[i + 1]) : -1;
      const int lo = i + 2 < input.size() ? hex(input[i + 2]) : -1;
      if (hi < 0 || lo < 0) return "error at byte " + std::to_string(i);
      pair += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      pair += c;
    }
  }
  return out;
}

std::string Flatten(std::string_view input) {
  auto parsed = ParseFormUrlencoded(input);
  if (!parsed.ok()) {
    const std::string& m = parsed.status().message();
    return "error at byte " + m.substr(m.rfind(' ') + 1);
  }
  std::string out;
  for (const auto& [name, value] : *parsed) out += name + "=" + value + "&";
  return out;
}

TEST(FormUrlencoded, RandomFormsDecodeAsByteAtATime) {
  const std::string alphabet = "ab+%%%&&==09AFafgZ\x80\xff ";
  std::mt19937 rng(20261206);
  for (int round = 0; round < 20000; ++round) {
    std::string input(rng() % 24, ' ');
    for (char& c : input) c = alphabet[rng() % alphabet.size()];
    ASSERT_EQ(Flatten(input), ReferenceParse(input)) << input;
  }
}

TEST(FormEncode, EncodesSpacesAsPlusAndReservedBytesAsUpperCaseHex) {
  EXPECT_EQ(FormEncode({{"Body", "a b+c&d=e%f/é"}, {"From", "+1"}}), "Body=a+b%2Bc%26d%3De%25f%2F%C3%A9&From=%2B1");
  EXPECT_EQ(FormEncode({{"safe", "AZaz09-._~"}}), "safe=AZaz09-._~");
  EXPECT_EQ(FormEncode({}), "");
  EXPECT_EQ(FormEncode({{"", ""}}), "=");
}

TEST(FormEncode, EveryByteRoundTripsThroughTheParser) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  const FormParams params{{all, all}, {"Body", ""}, {"Body", "🚑 naloxone?"}};
  EXPECT_EQ(ParseOk(FormEncode(params)), params);
}

TEST(FormParams, FindParamReturnsTheFirstValueOfAnExactName) {
  const FormParams params{{"Body", "first"}, {"body", "lower"}, {"Body", "second"}, {"Empty", ""}};
  ASSERT_NE(FindParam(params, "Body"), nullptr);
  EXPECT_EQ(*FindParam(params, "Body"), "first");
  EXPECT_EQ(FindParam(params, "Body"), &params[0].second);
  EXPECT_EQ(*FindParam(params, "body"), "lower");
  ASSERT_NE(FindParam(params, "Empty"), nullptr);
  EXPECT_EQ(*FindParam(params, "Empty"), "");
  EXPECT_EQ(FindParam(params, "BODY"), nullptr);
  EXPECT_EQ(FindParam({}, "Body"), nullptr);
}

TEST(FormParams, ParamValueReadsAnAbsentParameterAsEmpty) {
  const FormParams params{{"From", "+16045550123"}, {"Empty", ""}, {"From", "+1"}};
  EXPECT_EQ(ParamValue(params, "From"), "+16045550123");
  EXPECT_EQ(ParamValue(params, "Empty"), "");
  EXPECT_EQ(ParamValue(params, "To"), "");
}

}  // namespace
}  // namespace helpline::gateway
