// SenderStore against a real redis-server: one fresh server per test, driven
// through AsyncRedis on a loop run with deadlines, and inspected with a
// second, plain blocking hiredis connection.

#include "daemon/sender_store.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/redis_async.h"
#include "directory/redis_url.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::daemon {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using helpline::testing::RawRedis;
using helpline::testing::RedisServer;
using helpline::testing::Reply;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kSecret = "test-secret";
constexpr std::string_view kNumber = "+16045550123";

class SenderStoreTest : public ::testing::Test {
 protected:
  SenderStoreTest() : work_(boost::asio::make_work_guard(io_)), raw_(server_.socket_path()) {}

  void SetUp() override { Open(SenderStoreOptions{}); }

  void Open(SenderStoreOptions options) {
    store_.reset();
    redis_.reset();
    auto url = directory::ParseRedisUrl(server_.Url());
    ASSERT_TRUE(url.ok());
    redis_ = std::make_unique<AsyncRedis>(io_, *url, AsyncRedis::Options{});
    redis_->Start();
    ASSERT_TRUE(RunUntil([&] { return redis_->connected(); })) << redis_->last_error();
    store_ = std::make_unique<SenderStore>(*redis_, std::move(options));
  }

  template <typename Pred>
  bool RunUntil(Pred pred, std::chrono::milliseconds timeout = 5000ms) {
    const auto until = Clock::now() + timeout;
    while (!pred()) {
      if (Clock::now() >= until) return false;
      io_.run_one_until(until);
    }
    return true;
  }

  Result<AdmitResult> Admit(std::string_view id, std::string_view who, std::string_view provider = "twilio") {
    std::optional<Result<AdmitResult>> out;
    store_->Admit(provider, id, who, [&](Result<AdmitResult> r) { out.emplace(std::move(r)); });
    EXPECT_FALSE(out.has_value()) << "the callback ran inside Admit()";
    EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
    return out.has_value() ? std::move(*out) : Result<AdmitResult>(Internal("no answer"));
  }

  Status Commit(std::string_view id, std::string_view who, const SenderChanges& changes, std::string_view reply) {
    std::optional<Status> out;
    store_->Commit("twilio", id, who, changes, reply, [&](Status s) { out.emplace(std::move(s)); });
    EXPECT_FALSE(out.has_value()) << "the callback ran inside Commit()";
    EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
    return out.has_value() ? std::move(*out) : Internal("no answer");
  }

  Admission AdmissionOf(std::string_view id, std::string_view who) {
    Result<AdmitResult> r = Admit(id, who);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->admission : Admission::kDuplicate;
  }

  RedisServer server_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  RawRedis raw_;
  std::unique_ptr<AsyncRedis> redis_;
  std::unique_ptr<SenderStore> store_;
  const std::string who_ = SenderHash(kSecret, kNumber);
};

// ---- SenderHash ----------------------------------------------------------------

TEST(SenderHashTest, IsTheFirst32HexDigitsOfHmacSha256AndStable) {
  // printf '%s' '+16045550123' | openssl dgst -sha256 -hmac 'test-secret' | cut -c1-32
  EXPECT_EQ(SenderHash(kSecret, kNumber), "bda8b4cb406e7027eeddac0e9568d77c");
  EXPECT_EQ(SenderHash(kSecret, kNumber), SenderHash(std::string(kSecret), std::string(kNumber)));
}

TEST(SenderHashTest, DiffersPerSecretAndPerNumber) {
  EXPECT_NE(SenderHash("secret one", kNumber), SenderHash("secret two", kNumber));
  EXPECT_NE(SenderHash(kSecret, "+16045550123"), SenderHash(kSecret, "+16045550124"));
  EXPECT_EQ(SenderHash("", "").size(), 32u);
}

// ---- Admit and Commit ----------------------------------------------------------

TEST_F(SenderStoreTest, AFirstMessageIsNewWithAnEmptySenderRecord) {
  Result<AdmitResult> r = Admit("SM1", who_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->admission, Admission::kNew);
  EXPECT_EQ(r->sender.language, "");
  EXPECT_EQ(r->sender.region, "");
  EXPECT_FALSE(r->sender.opted_out);
  EXPECT_EQ(r->previous_reply, "");
  // Marked in flight, with the dedupe TTL.
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:msg:twilio:SM1"}), 1);
  EXPECT_EQ(raw_.Str({"GET", "hl:msg:twilio:SM1"}), "");
  EXPECT_GT(raw_.Int({"TTL", "hl:msg:twilio:SM1"}), 86000);
}

TEST_F(SenderStoreTest, CommitStoresTheReplyAndAppliesTheChanges) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  ASSERT_TRUE(Commit("SM1", who_, {.language = "es", .region = "CA-BC", .opted_out = true}, "hola").ok());

  const std::string key = "hl:sender:" + who_;
  EXPECT_EQ(raw_.Field(key, "language"), "es");
  EXPECT_EQ(raw_.Field(key, "region"), "CA-BC");
  EXPECT_EQ(raw_.Field(key, "opted_out"), "1");
  const long long last_seen = std::stoll(raw_.Field(key, "last_seen"));
  EXPECT_NEAR(static_cast<double>(last_seen), static_cast<double>(std::time(nullptr)), 5.0);
  EXPECT_GT(raw_.Int({"TTL", key}), 31536000 - 100);
  // The reply is kept, the message id keeps its TTL.
  EXPECT_GT(raw_.Int({"TTL", "hl:msg:twilio:SM1"}), 86000);
}

TEST_F(SenderStoreTest, TheNextMessageSeesTheRememberedLanguageRegionAndOptOut) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  ASSERT_TRUE(Commit("SM1", who_, {.language = "fr", .region = "CA-QC", .opted_out = true}, "ok").ok());
  Result<AdmitResult> next = Admit("SM2", who_);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->admission, Admission::kNew);
  EXPECT_EQ(next->sender.language, "fr");
  EXPECT_EQ(next->sender.region, "CA-QC");
  EXPECT_TRUE(next->sender.opted_out);

  // Only the fields given change; START turns the opt-out off.
  ASSERT_TRUE(Commit("SM2", who_, {.opted_out = false}, "welcome back").ok());
  Result<AdmitResult> third = Admit("SM3", who_);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->sender.language, "fr");
  EXPECT_EQ(third->sender.region, "CA-QC");
  EXPECT_FALSE(third->sender.opted_out);
}

TEST_F(SenderStoreTest, ARedeliveredMessageIsADuplicateWithTheIdenticalStoredReply) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);

  // While the first is in flight: duplicate, nothing to resend yet.
  Result<AdmitResult> early = Admit("SM1", who_);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->admission, Admission::kDuplicate);
  EXPECT_EQ(early->previous_reply, "");
  EXPECT_FALSE(early->previous_committed);

  const std::string reply = "Naloxone: 1-800-555-0199 \xc3\xb1 <b>&amp;</b>\n=second line";
  ASSERT_TRUE(Commit("SM1", who_, {.language = "es"}, reply).ok());
  Result<AdmitResult> late = Admit("SM1", who_);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->admission, Admission::kDuplicate);
  EXPECT_EQ(late->previous_reply, reply);
  EXPECT_TRUE(late->previous_committed);
  EXPECT_EQ(late->sender.language, "es");

  // Same id from another provider is another message.
  EXPECT_EQ(Admit("SM1", who_, "telnyx")->admission, Admission::kNew);
}

TEST_F(SenderStoreTest, CommittingTheSameMessageTwiceChangesStateOnce) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  ASSERT_TRUE(Commit("SM1", who_, {.language = "es"}, "first").ok());
  const std::string last_seen = raw_.Field("hl:sender:" + who_, "last_seen");
  EXPECT_TRUE(Commit("SM1", who_, {.language = "fr", .opted_out = true}, "second").ok());

  Result<AdmitResult> dup = Admit("SM1", who_);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->previous_reply, "first");
  EXPECT_EQ(dup->sender.language, "es");
  EXPECT_FALSE(dup->sender.opted_out);
  EXPECT_EQ(raw_.Field("hl:sender:" + who_, "last_seen"), last_seen);
  EXPECT_EQ(raw_.Field("hl:sender:" + who_, "opted_out"), "");
}

TEST_F(SenderStoreTest, AnEmptyCommittedReplyIsToldApartFromOneInFlight) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  ASSERT_TRUE(Commit("SM1", who_, {}, "").ok());
  Result<AdmitResult> dup = Admit("SM1", who_);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->previous_reply, "");
  EXPECT_TRUE(dup->previous_committed);
  // And an empty reply still commits only once.
  EXPECT_TRUE(Commit("SM1", who_, {.language = "fr"}, "").ok());
  EXPECT_EQ(raw_.Field("hl:sender:" + who_, "language"), "");
}

TEST_F(SenderStoreTest, ConcurrentDeliveriesOfOneMessageAdmitExactlyOne) {
  std::vector<Admission> seen;
  for (int i = 0; i < 5; ++i) {
    store_->Admit("twilio", "SMdup", who_, [&](Result<AdmitResult> r) {
      ASSERT_TRUE(r.ok());
      seen.push_back(r->admission);
    });
  }
  ASSERT_TRUE(RunUntil([&] { return seen.size() == 5; }));
  EXPECT_EQ(std::count(seen.begin(), seen.end(), Admission::kNew), 1);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), Admission::kDuplicate), 4);
}

TEST_F(SenderStoreTest, ACommitWithoutAnAdmitStillRecordsTheMessage) {
  ASSERT_TRUE(Commit("SMx", who_, {.region = "US-TX"}, "hi").ok());
  EXPECT_GT(raw_.Int({"TTL", "hl:msg:twilio:SMx"}), 86000);
  Result<AdmitResult> r = Admit("SMx", who_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->admission, Admission::kDuplicate);
  EXPECT_EQ(r->previous_reply, "hi");
  EXPECT_EQ(r->sender.region, "US-TX");
}

// ---- rate limit ------------------------------------------------------------------

TEST_F(SenderStoreTest, TheRateLimitAdmitsNThenOneNoticeThenSilenceUntilTheWindowEnds) {
  Open({.rate_limit_messages = 3, .rate_limit_window_s = 1});
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m2", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m3", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m4", who_), Admission::kRateLimitedNotice);
  EXPECT_EQ(AdmissionOf("m5", who_), Admission::kRateLimitedSilent);
  EXPECT_EQ(AdmissionOf("m6", who_), Admission::kRateLimitedSilent);
  // Duplicates are not counted (and say so even when limited).
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kDuplicate);
  // Another sender has its own budget.
  EXPECT_EQ(AdmissionOf("m7", SenderHash(kSecret, "+12125550100")), Admission::kNew);

  // After the 1 s window (waited for on Redis's own clock, with a deadline).
  Admission after = Admission::kRateLimitedSilent;
  int id = 100;
  ASSERT_TRUE(RunUntil(
      [&] {
        if (raw_.Int({"EXISTS", "hl:rate:" + who_}) != 0) {
          io_.run_for(20ms);
          return false;
        }
        after = AdmissionOf("m" + std::to_string(id++), who_);
        return true;
      },
      3000ms));
  EXPECT_EQ(after, Admission::kNew);
}

TEST_F(SenderStoreTest, ARateCounterWithoutATtlIsRepairedNotAForeverBlock) {
  Open({.rate_limit_messages = 1, .rate_limit_window_s = 1});
  ASSERT_EQ(raw_.Str({"SET", "hl:rate:" + who_, "50"}), "OK");  // no TTL, over the limit
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kRateLimitedSilent);
  EXPECT_GT(raw_.Int({"TTL", "hl:rate:" + who_}), 0);
}

TEST_F(SenderStoreTest, AZeroRateLimitAdmitsEverything) {
  Open({.rate_limit_messages = 0});
  for (int i = 0; i < 20; ++i) ASSERT_EQ(AdmissionOf("m" + std::to_string(i), who_), Admission::kNew);
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:rate:" + who_}), 0);
}

// ---- privacy, prefix, scripts, errors ----------------------------------------------

TEST_F(SenderStoreTest, TheNumberNeverAppearsInAnyRedisKeyOrValue) {
  Open({.rate_limit_messages = 2});
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  ASSERT_TRUE(
      Commit("SM1", who_, {.language = "en", .region = "CA-BC", .opted_out = false}, "Call 1-800-555-0199").ok());
  ASSERT_EQ(AdmissionOf("SM2", who_), Admission::kNew);
  ASSERT_EQ(AdmissionOf("SM3", who_), Admission::kRateLimitedNotice);
  ASSERT_TRUE(Commit("SM3", who_, {}, "Slow down").ok());
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kDuplicate);

  const std::string digits = std::string(kNumber.substr(2));  // "6045550123"
  std::vector<std::string> everything;
  std::string cursor = "0";
  do {
    Reply page = raw_.Run({"SCAN", cursor, "COUNT", "1000"});
    ASSERT_EQ(page->type, REDIS_REPLY_ARRAY);
    cursor = std::string(page->element[0]->str, page->element[0]->len);
    for (std::size_t i = 0; i < page->element[1]->elements; ++i) {
      const redisReply* k = page->element[1]->element[i];
      const std::string key(k->str, k->len);
      everything.push_back(key);
      const std::string type = raw_.Str({"TYPE", key});
      if (type == "string") {
        everything.push_back(raw_.Str({"GET", key}));
      } else if (type == "hash") {
        for (auto& [f, v] : raw_.Hash(key)) {
          everything.push_back(f);
          everything.push_back(v);
        }
      } else {
        ADD_FAILURE() << "unexpected key type " << type << " for " << key;
      }
    }
  } while (cursor != "0");
  EXPECT_GE(everything.size(), 4u);
  for (const std::string& s : everything) {
    EXPECT_EQ(s.find(digits), std::string::npos) << "found the number in: " << s;
  }
}

TEST_F(SenderStoreTest, EveryKeyLivesUnderTheConfiguredPrefixWithATtl) {
  Open({.prefix = "other:"});
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  ASSERT_TRUE(Commit("SM1", who_, {.language = "en"}, "hi").ok());
  Reply keys = raw_.Run({"KEYS", "*"});
  ASSERT_EQ(keys->elements, 3u);
  for (std::size_t i = 0; i < keys->elements; ++i) {
    const std::string key(keys->element[i]->str, keys->element[i]->len);
    EXPECT_TRUE(key.starts_with("other:")) << key;
    EXPECT_GT(raw_.Int({"TTL", key}), 0) << key;
  }
}

TEST_F(SenderStoreTest, ScriptsAreSentAgainAfterRedisForgetsThem) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  ASSERT_EQ(raw_.Str({"SCRIPT", "FLUSH"}), "OK");
  EXPECT_EQ(AdmissionOf("SM2", who_), Admission::kNew);
  ASSERT_EQ(raw_.Str({"SCRIPT", "FLUSH"}), "OK");
  EXPECT_TRUE(Commit("SM2", who_, {.language = "es"}, "x").ok());
  EXPECT_EQ(raw_.Field("hl:sender:" + who_, "language"), "es");
}

TEST_F(SenderStoreTest, AScriptErrorIsVisibleAsAnInternalError) {
  ASSERT_EQ(raw_.Str({"SET", "hl:sender:" + who_, "not a hash"}), "OK");
  Result<AdmitResult> r = Admit("SM1", who_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("WRONGTYPE"), std::string::npos) << r.status().message();
}

TEST_F(SenderStoreTest, AReadOnlyReplicaIsUnavailableNotABug) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);  // loads the script
  // A replica of nothing: reads work, writes get READONLY (as after a failover).
  ASSERT_EQ(raw_.Str({"REPLICAOF", "127.0.0.1", "9"}), "OK");
  Result<AdmitResult> r = Admit("SM2", who_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("READONLY"), std::string::npos) << r.status().message();
  ASSERT_EQ(raw_.Str({"REPLICAOF", "NO", "ONE"}), "OK");
}

TEST_F(SenderStoreTest, WhenRedisIsAwayAdmitAndCommitFailWithUnavailable) {
  redis_->Stop();
  Result<AdmitResult> r = Admit("SM1", who_);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Commit("SM1", who_, {}, "x").code(), StatusCode::kUnavailable);
}

TEST_F(SenderStoreTest, BadIdsAreInvalidArgumentsNeverCrashes) {
  EXPECT_EQ(Admit("", who_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Admit(std::string(257, 'x'), who_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Admit("SM1", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Admit("SM1", who_, "twi:lio").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Commit("", who_, {}, "x").code(), StatusCode::kInvalidArgument);
  // Ids with odd bytes are fine: keys are binary-safe.
  EXPECT_EQ(AdmissionOf("a\0b\r\n*"s, who_), Admission::kNew);
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:msg:twilio:" + "a\0b\r\n*"s}), 1);
}

}  // namespace
}  // namespace helpline::daemon
