#include "daemon/engine/reply_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

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

}  // namespace
}  // namespace helpline::engine
