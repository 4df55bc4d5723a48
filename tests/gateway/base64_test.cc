#include "gateway/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace helpline::gateway {
namespace {

TEST(Base64, MatchesTheRfc4648TestVectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, UsesPlusAndSlashAndEncodesNulBytes) {
  EXPECT_EQ(Base64Encode(std::string("\xFB\xFF\xBF", 3)), "+/+/");
  EXPECT_EQ(Base64Encode(std::string("\0\0\0\0", 4)), "AAAAAA==");
}

TEST(Base64, NeverBreaksLongOutputIntoLines) {
  const std::string out = Base64Encode(std::string(300, 'x'));
  EXPECT_EQ(out.size(), 400u);
  EXPECT_EQ(out.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace helpline::gateway
