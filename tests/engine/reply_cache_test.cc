#include "daemon/engine/reply_cache.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/engine/message_engine.h"
#include "tests/engine/eval_messages.h"
#include "tests/engine/shipped_world.h"

namespace helpline::engine {
namespace {

ComposedReply Reply(std::string text) {
  ComposedReply r;
  r.text = text;
  r.segments = {std::move(text)};
  return r;
}

ReplyKey HelpKey() { return ReplyKey("reply", Intent::kHelp, "en", "CA-BC", "CA", true); }

TEST(ReplyCache, AReplyIsFoundAgainUnderTheSameKeyAndSnapshot) {
  const auto index = directory::DirectoryIndex::Build({}, 7);
  ReplyCache cache;
  EXPECT_EQ(cache.Find(*index, HelpKey()), nullptr);
  cache.Insert(HelpKey(), Reply("Helpline: free, confidential help."));
  const ComposedReply* hit = cache.Find(*index, HelpKey());
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->text, "Helpline: free, confidential help.");
  EXPECT_EQ(hit->segments, std::vector<std::string>{"Helpline: free, confidential help."});
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ReplyCache, EveryPartOfTheKeyTellsRepliesApart) {
  auto with = [](auto change) {
    ReplyKey key = change();
    return key.str();
  };
  const std::vector<std::string> keys = {
      with([] { return HelpKey(); }),
      with([] { return ReplyKey("carrier", Intent::kHelp, "en", "CA-BC", "CA", true); }),
      with([] { return ReplyKey("reply", Intent::kNaloxone, "en", "CA-BC", "CA", true); }),
      with([] { return ReplyKey("reply", Intent::kHelp, "fr", "CA-BC", "CA", true); }),
      with([] { return ReplyKey("reply", Intent::kHelp, "en", "CA-ON", "CA", true); }),
      with([] { return ReplyKey("reply", Intent::kHelp, "en", "CA-BC", "US", true); }),
      with([] { return ReplyKey("reply", Intent::kHelp, "en", "CA-BC", "CA", false); }),
      with([] {
        ReplyKey k = HelpKey();
        k.AddHeadLine("OK, English");
        return k;
      }),
      with([] {
        ReplyKey k = HelpKey();
        k.AddNamedResource("ca-bc-811");
        return k;
      }),
      with([] {
        ReplyKey k = HelpKey();
        k.AddCandidateRegion("CA-NS");
        return k;
      }),
  };
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size());
  EXPECT_EQ(HelpKey().str(), HelpKey().str());
}

TEST(ReplyCache, AnotherSnapshotEmptiesTheCacheFirst) {
  const auto v1 = directory::DirectoryIndex::Build({}, 1);
  const auto v2 = directory::DirectoryIndex::Build({}, 2);
  ReplyCache cache;
  ASSERT_EQ(cache.Find(*v1, HelpKey()), nullptr);
  cache.Insert(HelpKey(), Reply("from version 1"));
  EXPECT_EQ(cache.Find(*v2, HelpKey()), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  cache.Insert(HelpKey(), Reply("from version 2"));
  ASSERT_NE(cache.Find(*v2, HelpKey()), nullptr);
  EXPECT_EQ(cache.Find(*v2, HelpKey())->text, "from version 2");
}

TEST(ReplyCache, AFullCacheIsEmptiedOnTheNextLookUp) {
  const auto index = directory::DirectoryIndex::Build({}, 1);
  ReplyCache cache(2);
  for (const char* region : {"CA-BC", "CA-ON"}) {
    const ReplyKey key("reply", Intent::kHelp, "en", region, "CA", true);
    ASSERT_EQ(cache.Find(*index, key), nullptr);
    cache.Insert(key, Reply(region));
  }
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Find(*index, HelpKey()), nullptr);  // was there, but the cache was full
  EXPECT_EQ(cache.size(), 0u);
}

const std::vector<std::string> kNoCandidates;

AnswerInputs BcInputs(std::string_view text) {
  return AnswerInputs(text, "CA", "en", "CA-BC", kNoCandidates, false, true);
}

TEST(ReplyCache, ARememberedAnswerIsFoundAgainAndCountsAsAHit) {
  const auto index = directory::DirectoryIndex::Build({}, 1);
  ReplyCache cache;
  EXPECT_EQ(cache.FindAnswer(*index, BcInputs("NALOXONE")), std::nullopt);
  ASSERT_EQ(cache.Find(*index, HelpKey()), nullptr);
  const ComposedReply* kept = cache.Insert(HelpKey(), Reply("Naloxone (British Columbia):"));
  ASSERT_NE(kept, nullptr);
  cache.RememberAnswer(BcInputs("NALOXONE"), Intent::kNaloxone, kept);
  EXPECT_EQ(cache.hits(), 0u);
  EXPECT_EQ(cache.misses(), 1u);  // the Find(); FindAnswer() alone counts nothing

  const auto answered = cache.FindAnswer(*index, BcInputs("NALOXONE"));
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->intent, Intent::kNaloxone);
  EXPECT_EQ(answered->reply, kept);
  EXPECT_EQ(answered->reply->text, "Naloxone (British Columbia):");
  EXPECT_EQ(cache.hits(), 1u);  // as the Find() it saves would have counted
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.FindAnswer(*index, BcInputs("naloxone")), std::nullopt);  // the exact text
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(ReplyCache, EveryPartOfTheAnswerInputsTellsAnswersApart) {
  const std::vector<std::string> ns_pe = {"CA-NS", "CA-PE"};
  const std::vector<std::string> ns = {"CA-NS"};
  const std::vector<std::string> keys = {
      BcInputs("HELP").str(),
      BcInputs("HELP ").str(),
      AnswerInputs("HELP", "US", "en", "CA-BC", kNoCandidates, false, true).str(),
      AnswerInputs("HELP", "CA", "fr", "CA-BC", kNoCandidates, false, true).str(),
      AnswerInputs("HELP", "CA", "en", "CA-ON", kNoCandidates, false, true).str(),
      AnswerInputs("HELP", "CA", "en", "CA", ns_pe, false, true).str(),
      AnswerInputs("HELP", "CA", "en", "CA", ns, false, true).str(),
      AnswerInputs("HELP", "CA", "en", "CA-BC", kNoCandidates, true, true).str(),
      AnswerInputs("HELP", "CA", "en", "CA-BC", kNoCandidates, false, false).str(),
      // The text comes last, so what it holds cannot pass for another field.
      AnswerInputs("|CA|HELP", "", "en", "CA-BC", kNoCandidates, false, true).str(),
      AnswerInputs("HELP", "|CA", "en", "CA-BC", kNoCandidates, false, true).str(),
  };
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size());
}

TEST(ReplyCache, RememberedAnswersAreForgottenWithTheRepliesTheyPointTo) {
  const auto v1 = directory::DirectoryIndex::Build({}, 1);
  const auto v2 = directory::DirectoryIndex::Build({}, 2);
  ReplyCache cache(2);
  ASSERT_EQ(cache.Find(*v1, HelpKey()), nullptr);
  cache.RememberAnswer(BcInputs("HELP"), Intent::kHelp, cache.Insert(HelpKey(), Reply("v1")));
  EXPECT_EQ(cache.answers(), 1u);
  EXPECT_EQ(cache.FindAnswer(*v2, BcInputs("HELP")), std::nullopt);  // another snapshot
  EXPECT_EQ(cache.answers(), 0u);
  EXPECT_EQ(cache.size(), 0u);

  for (const char* region : {"CA-BC", "CA-ON"}) {
    const ReplyKey key("reply", Intent::kHelp, "en", region, "CA", true);
    ASSERT_EQ(cache.Find(*v2, key), nullptr);
    cache.RememberAnswer(BcInputs(region), Intent::kHelp, cache.Insert(key, Reply(region)));
  }
  EXPECT_EQ(cache.FindAnswer(*v2, BcInputs("CA-BC")), std::nullopt);  // full: emptied, answers too
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.answers(), 0u);
}

TEST(ReplyCache, WithoutRememberingAnswersFindAnswerNeverFinds) {
  const auto index = directory::DirectoryIndex::Build({}, 1);
  ReplyCache cache(4096, /*remember_answers=*/false);
  ASSERT_EQ(cache.Find(*index, HelpKey()), nullptr);
  cache.RememberAnswer(BcInputs("HELP"), Intent::kHelp, cache.Insert(HelpKey(), Reply("help")));
  EXPECT_EQ(cache.answers(), 0u);
  EXPECT_EQ(cache.FindAnswer(*index, BcInputs("HELP")), std::nullopt);
  EXPECT_EQ(cache.hits(), 0u);
}

// Every field of an EngineReply, as one string to compare.
std::string Describe(const EngineReply& r) {
  std::ostringstream out;
  out << IntentName(r.intent) << '|' << r.language << '|' << r.region.code << '|' << static_cast<int>(r.region.source)
      << '|';
  for (const std::string& c : r.region.candidates) out << c << ',';
  out << '|' << r.text << '|' << static_cast<int>(r.encoding) << '|';
  for (const std::string& s : r.segments) out << s << '#';
  out << '|';
  for (const directory::Resource* res : r.resources) out << res->id << ',';
  out << '|' << r.changes.language.value_or("-") << ',' << r.changes.region.value_or("-") << ','
      << (r.changes.opted_out ? (*r.changes.opted_out ? "yes" : "no") : "-");
  return out.str();
}

// The evaluation set (every kEvalStride-th text), twice, from senders in
// several states, by SMS and chat: remembered answers give every reply
// exactly as composing without a cache does, and the cache counts the same
// hits and misses, and holds the same replies, as one that builds every key
// (a small cache, emptied many times, and a large one; the two sizes are fed
// side by side, so each reply is composed without a cache once for both).
TEST(ReplyCache, RememberedAnswersChangeNoReplyAndNoCountOnTheEvaluationSet) {
  const auto& world = TheShippedWorld();
  const auto messages = EvalSendersAndTexts();
  ASSERT_GT(messages.size(), 1000u);
  ASSERT_GT(messages.size() / kEvalStride, 600u);  // still many times the small cache's 97 entries
  const std::vector<SenderState> states = {SenderState{}, SenderState{.language = "es", .region = "CA-QC"},
                                           SenderState{.language = "", .region = "US-TX", .opted_out = true}};
  ReplyCache small_remembering(97);
  ReplyCache small_building(97, /*remember_answers=*/false);
  ReplyCache large_remembering(4096);
  ReplyCache large_building(4096, /*remember_answers=*/false);
  struct Caches {
    ReplyCache& remembering;
    ReplyCache& building;
  };
  const Caches sizes[] = {{small_remembering, small_building}, {large_remembering, large_building}};
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < messages.size(); i += kEvalStride) {
      const auto& [from, text] = messages[i];
      for (const ChannelType channel : {ChannelType::kSms, ChannelType::kChat}) {
        const InboundMessage m{.text = text, .from = from, .channel = channel};
        const Understanding u = world.engine->Understand(m);
        for (const SenderState& state : states) {
          const std::string plain = Describe(world.engine->Answer(m, u, state, *world.index));
          for (const Caches& c : sizes) {
            ASSERT_EQ(Describe(world.engine->Answer(m, u, state, *world.index, &c.remembering)), plain) << text;
            ASSERT_EQ(Describe(world.engine->Answer(m, u, state, *world.index, &c.building)), plain) << text;
            ASSERT_EQ(c.remembering.hits(), c.building.hits()) << text;
            ASSERT_EQ(c.remembering.misses(), c.building.misses()) << text;
            ASSERT_EQ(c.remembering.size(), c.building.size()) << text;
          }
        }
      }
    }
  }
  for (const Caches& c : sizes) EXPECT_GT(c.remembering.answers(), 0u);
  EXPECT_GT(large_remembering.hits(), large_remembering.misses());
}

}  // namespace
}  // namespace helpline::engine
