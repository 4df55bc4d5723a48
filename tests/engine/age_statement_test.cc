#include "daemon/engine/age_statement.h"

#include <gtest/gtest.h>

#include <span>

namespace helpline::engine {
namespace {

struct Case {
  const char* text;
  int years;  // 0: no statement
  const char* lang;
};

// Each text states its sender's age, in the language given.
void ExpectAges(std::span<const Case> cases) {
  for (const Case& c : cases) {
    auto age = FindStatedAge(Tokenize(c.text));
    ASSERT_TRUE(age.has_value()) << c.text;
    EXPECT_EQ(age->years, c.years) << c.text;
    EXPECT_EQ(age->lang, c.lang) << c.text;
  }
}

TEST(AgeStatement, FirstPersonAgesAreFoundInThreeLanguages) {
  const Case cases[] = {
      {"im 15 and my mom drinks", 15, "en"},
      {"I'm 16", 16, "en"},
      {"i am 14 years old and i vape", 14, "en"},
      {"I am only 13", 13, "en"},
      {"15yo need help", 15, "en"},
      {"17 yo here", 17, "en"},
      {"me 16 y o", 16, "en"},
      {"tengo 15 años y fumo", 15, "es"},
      {"tengo 14", 14, "es"},
      {"j'ai 15 ans pis je bois", 15, "fr"},
      {"jai 16 ans", 16, "fr"},
      {"I'm 34 and relapsed", 34, "en"},
  };
  ExpectAges(cases);
}

TEST(AgeStatement, NumbersThatAreNotTheWritersAgeAreIgnored) {
  for (const char* text :
       {"my son is 15", "I took 15 pills", "im 15 minutes away", "im 100 percent done", "90210", "tengo 12 hijos",
        "tengo 15 dias sin usar", "j'ai 15 minutes", "call me at 15", "I'm 2", "im 20 miles out"}) {
    EXPECT_FALSE(FindStatedAge(Tokenize(text)).has_value()) << text;
  }
}

TEST(AgeStatement, AnAgeWithAPossessiveOrAPersonsNounIsSomeoneElses) {
  for (const char* text : {"my 19 yr old son is using meth", "her 15 years old brother drinks", "our 16yo is vaping",
                           "a 17 yo girl at my school sells pills", "the 14 y o kid next door"}) {
    EXPECT_FALSE(FindStatedAge(Tokenize(text)).has_value()) << text;
  }
  // Said alone, or with "I am", the same words are the sender's age.
  for (const char* text :
       {"19 yr old here and using meth", "16yo need help", "im 15 years old and my son... no, my brother"}) {
    EXPECT_TRUE(FindStatedAge(Tokenize(text)).has_value()) << text;
  }
}

TEST(AgeStatement, AnAgeSaidWithoutTheWordForYearsIsReadWhereAClauseEnds) {
  const Case spanish[] = {{"tngo 16", 16, "es"}, {"soy de 14", 14, "es"}, {"soy de 14 y fumo mota", 14, "es"}};
  ExpectAges(spanish);
  const Case quebec[] = {{"chu 16", 16, "fr"}, {"chu 16 pis jai besoin daide", 16, "fr"}};
  ExpectAges(quebec);
  const Case french[] = {{"j'ai 15", 15, "fr"}, {"jai 15 pis je bois", 15, "fr"}};
  ExpectAges(french);
  // The sender among several, and the years abbreviated.
  const Case english[] = {{"me n my gf are both 16", 16, "en"},
                          {"we are 15 and need help", 15, "en"},
                          {"im 15yo", 15, "en"},
                          {"15 y/o", 15, "en"},
                          {"15yrs", 15, "en"}};
  ExpectAges(english);
}

TEST(AgeStatement, ANumberThatCountsSomethingStaysANumber) {
  for (const char* text : {"i have 16 pills", "tengo 14 pastillas", "j'ai 15 piasses", "im 16 days clean",
                           "soy de 1990", "chu 16 sur la liste", "my kids are both 16", "jai 15 minutes de retard",
                           "soy de 14 calles de aqui", "tngo 15 dias limpio"}) {
    EXPECT_FALSE(FindStatedAge(Tokenize(text)).has_value()) << text;
  }
}

}  // namespace
}  // namespace helpline::engine
