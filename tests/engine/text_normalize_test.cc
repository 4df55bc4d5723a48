#include "common/text_normalize.h"

#include <gtest/gtest.h>

namespace helpline::engine {
namespace {

std::vector<std::string> Texts(std::string_view s) {
  std::vector<std::string> out;
  for (const auto& t : Tokenize(s)) out.push_back(t.text);
  return out;
}

TEST(Tokenize, FoldsCaseAccentsPunctuationAndEmoji) {
  EXPECT_EQ(Texts("¡AYÚDAME!"), std::vector<std::string>{"ayudame"});
  EXPECT_EQ(Texts("need NARCAN 🙏 in BC, please!!"), (std::vector<std::string>{"need", "narcan", "in", "bc", "please"}));
  EXPECT_EQ(Texts("Colombie-Britannique"), (std::vector<std::string>{"colombie", "britannique"}));
  EXPECT_EQ(Texts("Québec ÇA Œuvre straße"), (std::vector<std::string>{"quebec", "ca", "oeuvre", "strasse"}));
  EXPECT_EQ(Texts("Łódź"), std::vector<std::string>{"lodz"});
}

TEST(Tokenize, ApostrophesJoinWords) {
  EXPECT_EQ(Texts("he won't wake up"), (std::vector<std::string>{"he", "wont", "wake", "up"}));
  EXPECT_EQ(Texts("he won’t wake up"), (std::vector<std::string>{"he", "wont", "wake", "up"}));
}

TEST(InsertSpacesInTokens, PutsASpaceAtEachCutAndKeepsEveryOtherByte) {
  EXPECT_EQ(InsertSpacesInTokens("¡Quieromorir!", {{0, 6}}), "¡Quiero morir!");
  EXPECT_EQ(InsertSpacesInTokens("ok MYFRIENDWONTWAKEUP 🙏", {{1, 2}, {1, 8}, {1, 12}, {1, 16}}),
            "ok MY FRIEND WONT WAKE UP 🙏");
  // Folded offsets: an accent is one letter, an apostrophe none.
  EXPECT_EQ(InsertSpacesInTokens("jénpeuxplus", {{0, 3}, {0, 7}}), "jén peux plus");
  EXPECT_EQ(InsertSpacesInTokens("i'mdone", {{0, 2}}), "i'm done");
  EXPECT_EQ(Texts(InsertSpacesInTokens("took2pills", {{0, 4}, {0, 5}})),
            (std::vector<std::string>{"took", "2", "pills"}));
  // A cut inside a ligature's two letters, or past its token, is dropped.
  EXPECT_EQ(InsertSpacesInTokens("cœur brisé", {{0, 2}}), "cœur brisé");
  EXPECT_EQ(InsertSpacesInTokens("abc def", {{0, 9}, {1, 1}}), "abc d ef");
  EXPECT_EQ(InsertSpacesInTokens("no cuts", {}), "no cuts");
}

TEST(Tokenize, RemembersCapitalsAndDigits) {
  auto t = Tokenize("help PA 90210 Mixed");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_FALSE(t[0].upper);
  EXPECT_TRUE(t[1].upper);
  EXPECT_TRUE(t[2].digits);
  EXPECT_FALSE(t[2].upper);
  EXPECT_FALSE(t[3].upper);
}

TEST(Tokenize, InvalidUtf8AndEmptyInputAreHarmless) {
  EXPECT_TRUE(Tokenize("").empty());
  EXPECT_TRUE(Tokenize("🙏🙏 !!! ...").empty());
  EXPECT_EQ(Texts("a\xff\xfe"
                  "b"),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Texts("\xe2\x82"), std::vector<std::string>{});
}

TEST(Tokenize, TokenCountIsBounded) {
  std::string long_text;
  for (int i = 0; i < 1000; ++i) long_text += "word ";
  EXPECT_EQ(Tokenize(long_text).size(), 64u);
}

TEST(BoundedEditDistance, CountsEditsAndTranspositionsAndStopsEarly) {
  EXPECT_EQ(BoundedEditDistance("naloxone", "naloxone", 2), 0);
  EXPECT_EQ(BoundedEditDistance("nalaxone", "naloxone", 2), 1);
  EXPECT_EQ(BoundedEditDistance("nalxoone", "naloxone", 2), 1);  // transposition
  EXPECT_EQ(BoundedEditDistance("tretment", "treatment", 2), 1);
  EXPECT_EQ(BoundedEditDistance("detox", "botox", 1), 2);  // gave up: > 1
  EXPECT_EQ(BoundedEditDistance("a", "abcdef", 2), 3);
}

}  // namespace
}  // namespace helpline::engine
