#include "daemon/engine/understanding_cache.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/engine/message_engine.h"
#include "tests/engine/eval_messages.h"
#include "tests/engine/shipped_world.h"

namespace helpline::engine {
namespace {

const MessageEngine& Engine() { return *TheShippedWorld().engine; }

// Every field of an Understanding, as one string to compare.
std::string Describe(const Understanding& u) {
  std::ostringstream out;
  const auto hit = [&out](const KeywordHit& h) {
    out << IntentName(h.intent) << '/' << h.lang << '/' << h.first << '/' << h.count << '/' << h.fuzzy << ' ';
  };
  out << "carrier=";
  if (u.carrier) hit(*u.carrier);
  out << "hits=";
  for (const KeywordHit& h : u.hits) hit(h);
  out << "region=" << u.stated_region.value_or("-") << " stated_lang=" << u.stated_language
      << " country=" << u.sender_country << " intent=" << IntentName(u.intent) << " tokens=";
  for (const Token& t : u.tokens) out << t.text << '/' << t.upper << '/' << t.digits << ' ';
  out << "distress=" << u.distress << " suicide_too=" << u.suicide_too << " detected=" << u.detected_language
      << " changes=" << u.changes.language.value_or("-") << ',' << u.changes.region.value_or("-") << ','
      << (u.changes.opted_out ? (*u.changes.opted_out ? "yes" : "no") : "-");
  return out.str();
}

InboundMessage From(std::string_view from, std::string_view text) { return InboundMessage{.text = text, .from = from}; }

TEST(UnderstandingCache, ARepeatedTextFromTheSameCountryIsUnderstoodOnce) {
  UnderstandingCache cache;
  const auto first = Engine().Understand(From("+16045550123", "NALOXONE"), cache);
  const auto again = Engine().Understand(From("+16045559999", "NALOXONE"), cache);  // another BC number
  EXPECT_EQ(first, again);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(Describe(*first), Describe(Engine().Understand(From("+16045550123", "NALOXONE"))));
}

TEST(UnderstandingCache, TheSendersCountryIsPartOfTheKey) {
  UnderstandingCache cache;
  const auto canada = Engine().Understand(From("+16045550123", "help in BC"), cache);
  const auto us = Engine().Understand(From("+12125550123", "help in BC"), cache);
  EXPECT_NE(canada, us);
  EXPECT_EQ(canada->sender_country, "CA");
  EXPECT_EQ(us->sender_country, "US");
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.size(), 2u);
  // The provider's country hint decides the country as the number does.
  InboundMessage hinted = From("+12125550123", "help in BC");
  hinted.hints.from_country = "CA";
  EXPECT_EQ(Engine().Understand(hinted, cache), canada);
}

TEST(UnderstandingCache, TextsThatFoldAlikeAreKeptApart) {
  // The raw text is the key: upper-case tokens and the risk detector read it.
  UnderstandingCache cache;
  const auto upper = Engine().Understand(From("+12125550123", "HELP"), cache);
  const auto lower = Engine().Understand(From("+12125550123", "help"), cache);
  EXPECT_NE(upper, lower);
  EXPECT_TRUE(upper->tokens.at(0).upper);
  EXPECT_FALSE(lower->tokens.at(0).upper);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(UnderstandingCache, LongTextsAreUnderstoodEveryTimeAndNotKept) {
  UnderstandingCache cache;
  const std::string text(UnderstandingCache::kMaxTextBytes + 1, 'a');
  const auto first = Engine().Understand(From("+12125550123", text), cache);
  const auto again = Engine().Understand(From("+12125550123", text), cache);
  EXPECT_NE(first, again);
  EXPECT_EQ(Describe(*first), Describe(*again));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.hits(), 0u);
}

TEST(UnderstandingCache, IsBoundedAndEmptiesWhenFull) {
  UnderstandingCache cache(/*max_entries=*/2);
  (void)Engine().Understand(From("+12125550123", "HELP"), cache);
  (void)Engine().Understand(From("+12125550123", "NALOXONE"), cache);
  EXPECT_EQ(cache.size(), 2u);
  (void)Engine().Understand(From("+12125550123", "detox"), cache);  // full: emptied first
  EXPECT_EQ(cache.size(), 1u);
  (void)Engine().Understand(From("+12125550123", "HELP"), cache);  // forgotten: a miss
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(cache.misses(), 4u);
  (void)Engine().Understand(From("+12125550123", "detox"), cache);
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(UnderstandingCache, AnotherEngineStartsFromAnEmptyCache) {
  auto other = LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  UnderstandingCache cache;
  const auto mine = Engine().Understand(From("+12125550123", "HELP"), cache);
  cache.not_typos().Add("zzzzz");
  const auto theirs = other->Understand(From("+12125550123", "HELP"), cache);
  EXPECT_NE(mine, theirs);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.not_typos().Contains("zzzzz"));
}

TEST(UnderstandingCache, TheInsertOfAKnownKeyReplacesIt) {
  UnderstandingCache cache;
  const auto u = std::make_shared<const Understanding>(Engine().Understand(From("+12125550123", "HELP")));
  EXPECT_EQ(cache.Find(Engine(), "HELP", "US"), nullptr);
  cache.Insert("HELP", "US", u);
  cache.Insert("HELP", "US", u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Find(Engine(), "HELP", "US"), u);
  EXPECT_EQ(cache.Find(Engine(), "HELP", "CA"), nullptr);
  EXPECT_EQ(cache.Find(Engine(), "HELP", ""), nullptr);
}

TEST(UnderstandingCache, NeverChangesAnUnderstandingOrAReplyOnTheEvaluationSet) {
  const auto messages = EvalSendersAndTexts();
  ASSERT_GT(messages.size(), 1000u);
  const std::size_t sample = (messages.size() + kEvalStride - 1) / kEvalStride;  // every text but under ASan
  ASSERT_GT(sample, 600u);  // still many times the small cache's 97 entries
  // A small cache fills and empties many times; a large one keeps every
  // short text, so its second pass reads what the first kept (and the typo
  // memo is warm).
  const auto& index = *TheShippedWorld().index;
  for (const std::size_t bound : {std::size_t{97}, std::size_t{4096}}) {
    UnderstandingCache cache(bound);
    std::size_t compared = 0;
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < messages.size(); i += kEvalStride) {
        const auto& [from, text] = messages[i];
        const InboundMessage m = From(from, text);
        const Understanding plain = Engine().Understand(m);
        const auto cached = Engine().Understand(m, cache);
        ASSERT_EQ(Describe(*cached), Describe(plain)) << text;
        EXPECT_EQ(Engine().Answer(m, *cached, SenderState{}, index).text,
                  Engine().Answer(m, plain, SenderState{}, index).text)
            << text;
        ++compared;
      }
    }
    EXPECT_EQ(compared, 2 * sample);
    if (bound == 4096) EXPECT_GT(cache.hits(), 100u);
    EXPECT_GT(cache.not_typos().size(), 0u);
  }
}

}  // namespace
}  // namespace helpline::engine
