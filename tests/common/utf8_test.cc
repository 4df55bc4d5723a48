#include "common/utf8.h"
#include "common/json_escape.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace helpline::gateway {
namespace {

// The code point at the start of `s`, or -1 when invalid; `len` is set.
std::int64_t Decode(std::string_view s, std::size_t& len) {
  std::uint32_t cp = 0;
  len = DecodeUtf8(s, cp);
  return len == 0 ? -1 : static_cast<std::int64_t>(cp);
}

std::int64_t Decode(std::string_view s) {
  std::size_t len = 0;
  return Decode(s, len);
}

TEST(Utf8, DecodesOneToFourByteSequences) {
  std::size_t len = 0;
  EXPECT_EQ(Decode("A", len), 0x41);
  EXPECT_EQ(len, 1u);
  EXPECT_EQ(Decode(std::string_view("\0", 1), len), 0);
  EXPECT_EQ(len, 1u);
  EXPECT_EQ(Decode("\xC3\xA9!", len), 0xE9);  // é, then more text
  EXPECT_EQ(len, 2u);
  EXPECT_EQ(Decode("\xE2\x82\xAC", len), 0x20AC);  // €
  EXPECT_EQ(len, 3u);
  EXPECT_EQ(Decode("\xF0\x9F\x9A\x91", len), 0x1F691);  // 🚑
  EXPECT_EQ(len, 4u);
}

TEST(Utf8, AcceptsTheBoundariesOfEachLength) {
  EXPECT_EQ(Decode("\x7F"), 0x7F);
  EXPECT_EQ(Decode("\xC2\x80"), 0x80);
  EXPECT_EQ(Decode("\xDF\xBF"), 0x7FF);
  EXPECT_EQ(Decode("\xE0\xA0\x80"), 0x800);
  EXPECT_EQ(Decode("\xED\x9F\xBF"), 0xD7FF);
  EXPECT_EQ(Decode("\xEE\x80\x80"), 0xE000);
  EXPECT_EQ(Decode("\xEF\xBF\xBF"), 0xFFFF);
  EXPECT_EQ(Decode("\xF0\x90\x80\x80"), 0x10000);
  EXPECT_EQ(Decode("\xF4\x8F\xBF\xBF"), 0x10FFFF);
  EXPECT_EQ(Decode(kUtf8ReplacementCharacter), 0xFFFD);
}

TEST(Utf8, RefusesOverlongSurrogateAndOutOfRangeSequences) {
  EXPECT_EQ(Decode("\xC0\x80"), -1);              // overlong NUL
  EXPECT_EQ(Decode("\xC1\xBF"), -1);              // overlong 0x7F
  EXPECT_EQ(Decode("\xE0\x9F\xBF"), -1);          // overlong 0x7FF
  EXPECT_EQ(Decode("\xF0\x8F\xBF\xBF"), -1);      // overlong 0xFFFF
  EXPECT_EQ(Decode("\xED\xA0\x80"), -1);          // U+D800
  EXPECT_EQ(Decode("\xED\xBF\xBF"), -1);          // U+DFFF
  EXPECT_EQ(Decode("\xF4\x90\x80\x80"), -1);      // U+110000
  EXPECT_EQ(Decode("\xF8\x88\x80\x80\x80"), -1);  // a five-byte form
  EXPECT_EQ(Decode("\xFF"), -1);
}

TEST(Utf8, RefusesTruncatedSequencesAndStrayContinuationBytes) {
  EXPECT_EQ(Decode("\x80"), -1);
  EXPECT_EQ(Decode("\xBF"), -1);
  EXPECT_EQ(Decode("\xC3"), -1);
  EXPECT_EQ(Decode("\xE2\x82"), -1);
  EXPECT_EQ(Decode("\xF0\x9F\x9A"), -1);
  EXPECT_EQ(Decode("\xC3\x41"), -1);      // continuation replaced by ASCII
  EXPECT_EQ(Decode("\xE2\x82\xC3"), -1);  // by a lead byte
}

}  // namespace
}  // namespace helpline::gateway

// JsonQuote is how hand-built JSON answers carry text (the chat webhook's
// reply, the outreach API): whatever bytes it is given, it writes valid UTF-8
// (found by fuzz/chat_webhook_fuzz.cc).
TEST(JsonQuote, ReplacesEachInvalidByteAndKeepsValidUtf8) {
  EXPECT_EQ(helpline::JsonQuote("caf\xC3\xA9 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  EXPECT_EQ(helpline::JsonQuote("a\xFF\"b"), "\"a\xEF\xBF\xBD\\\"b\"");
  EXPECT_EQ(helpline::JsonQuote("\xC3"), "\"\xEF\xBF\xBD\"");  // cut sequence at the end
  EXPECT_EQ(helpline::JsonQuote("\xED\xA0\x80x"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx\"");  // a surrogate
}
