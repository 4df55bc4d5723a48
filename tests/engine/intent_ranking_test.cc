// Which intent and language MessageEngine::UnderstandText settles on when a
// message names a relative and asks for something else, uses a word with two
// meanings, or says little more than a place (round 9: the kinds of misses
// blind batches kept showing). The cases are a table,
// tests/engine/intent_ranking_cases.txt; the golden corpus holds the same
// rules as whole replies; these tests check the Understanding itself.

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/engine/message_engine.h"
#include "tests/engine/shipped_world.h"

namespace helpline::engine {
namespace {

constexpr std::string_view kDc = "+12025550143";  // Washington DC

Understanding Read(std::string_view from, std::string_view text) {
  return TheShippedWorld().engine->Understand(InboundMessage{.text = text, .from = from});
}

// One line of intent_ranking_cases.txt.
struct Case {
  std::string intent;  // the intent the text must get
  bool is = true;      // false ("!intent"): any intent but this one
  std::string from;
  std::string text;
  std::size_t line = 0;
};

std::vector<Case> ReadCases() {
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/tests/engine/intent_ranking_cases.txt");
  std::vector<Case> cases;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line.front() == '#') continue;
    const std::size_t tab1 = line.find('\t');
    const std::size_t tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos) {
      ADD_FAILURE() << "intent_ranking_cases.txt:" << n << ": needs INTENT, sender and text separated by tabs";
      continue;
    }
    Case c{line.substr(0, tab1), true, line.substr(tab1 + 1, tab2 - tab1 - 1), line.substr(tab2 + 1), n};
    if (c.intent.starts_with('!')) {
      c.intent.erase(0, 1);
      c.is = false;
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

TEST(IntentRanking, EachMessageGetsTheIntentOfWhatItAsksFor) {
  const std::vector<Case> cases = ReadCases();
  ASSERT_GE(cases.size(), 40u) << "intent_ranking_cases.txt missing or cut short";
  for (const Case& c : cases) {
    const std::string got(IntentName(Read(c.from, c.text).intent));
    if (c.is) {
      EXPECT_EQ(got, c.intent) << "line " << c.line << ": " << c.text;
    } else {
      EXPECT_NE(got, c.intent) << "line " << c.line << ": " << c.text;
    }
  }
}

TEST(IntentRanking, APlaceAloneIsReadInTheLanguageOfItsRegionWhenNoWordSpeaks) {
  for (std::string_view place : {"Sept-Îles", "Chicoutimi?", "Rouyn-Noranda"}) {
    const Understanding u = Read(kDc, place);
    EXPECT_EQ(u.stated_region.value_or(""), "CA-QC") << place;
    EXPECT_EQ(u.detected_language, "fr") << place;
    EXPECT_EQ(u.stated_language, "") << place << ": detected, never remembered";
  }
  EXPECT_EQ(Read(kDc, "im in montreal").detected_language, "en") << "English words speak";
  EXPECT_EQ(Read(kDc, "in montreal").detected_language, "") << "an English word leans, too little to decide";
  EXPECT_EQ(Read(kDc, "Moncton").detected_language, "") << "New Brunswick has no region language";
  EXPECT_EQ(Read(kDc, "hay chat?").detected_language, "es");
  EXPECT_EQ(Read(kDc, "vivo en Pilsen").detected_language, "es");
}

}  // namespace
}  // namespace helpline::engine
