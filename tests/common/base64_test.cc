#include "common/base64.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace helpline {
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

// The buffer form writes what Base64Encode returns, exactly
// Base64EncodedSize() characters, for every remainder of the length.
TEST(Base64, EncodeToWritesTheSameTextIntoTheCallersBuffer) {
  std::string bytes;
  for (std::size_t n = 0; n <= 70; ++n) {
    std::string out(Base64EncodedSize(n) + 1, '#');
    char* end = Base64EncodeTo(bytes, out.data());
    EXPECT_EQ(static_cast<std::size_t>(end - out.data()), Base64EncodedSize(n)) << n;
    EXPECT_EQ(out.back(), '#') << n;  // nothing written past the end
    out.pop_back();
    EXPECT_EQ(out, Base64Encode(bytes)) << n;
    bytes += static_cast<char>(n * 37 + 11);
  }
  EXPECT_EQ(Base64EncodedSize(20), 28u);  // an HMAC-SHA1, as X-Twilio-Signature carries it
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

TEST(Base64, DecodesTheRfc4648TestVectors) {
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("Zg=="), "f");
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_EQ(Base64Decode("Zm9v"), "foo");
  EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Base64Decode("Zm9vYmFy"), "foobar");
}

TEST(Base64, DecodesWhatItEncodesForEveryByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (std::size_t n = 0; n <= bytes.size(); n += 37) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes.substr(0, n))), bytes.substr(0, n)) << n;
  }
  EXPECT_EQ(Base64Decode("+/+/"), std::string("\xFB\xFF\xBF", 3));
  EXPECT_EQ(Base64Decode("AAAAAA=="), std::string("\0\0\0\0", 4));
}

TEST(Base64, RefusesMissingPaddingAndLengthsThatAreNotAMultipleOfFour) {
  for (const char* text : {"Zg", "Zg=", "Zm8", "Zm9vY", "Zm9vYg", "A"}) {
    EXPECT_EQ(Base64Decode(text), std::nullopt) << text;
  }
}

TEST(Base64, RefusesPaddingAnywhereButTheEnd) {
  for (const char* text : {"====", "A===", "AA=A", "=AAA", "Zg==Zg==", "Zm=v"}) {
    EXPECT_EQ(Base64Decode(text), std::nullopt) << text;
  }
}

TEST(Base64, RefusesWhitespaceAndTheUrlSafeAlphabet) {
  for (const char* text : {"Zm9v\n", "Zm 9", " Zm9vYmFy ", "Zm9vYmF\r", "-_-_", "Zm9v_A==", "Zm9v*A=="}) {
    EXPECT_EQ(Base64Decode(text), std::nullopt) << text;
  }
  EXPECT_EQ(Base64Decode(std::string("Zm\0v", 4)), std::nullopt);
}

TEST(Base64, IgnoresTheUnusedBitsBeforePadding) {
  // Documented leniency, shared with most decoders: "Zh==" is not canonical.
  EXPECT_EQ(Base64Decode("Zh=="), "f");
  EXPECT_EQ(Base64Decode("Zm9="), "fo");
}

}  // namespace
}  // namespace helpline
