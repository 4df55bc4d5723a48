// SenderStore against a real redis-server: one fresh server per test, driven
// through redis::AsyncClient on a loop run with deadlines, and inspected with a
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
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "redis/async_client.h"
#include "redis/url.h"
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
using Fields = std::map<std::string, std::string>;

constexpr std::string_view kSecret = "test-secret";
constexpr std::string_view kNumber = "+16045550123";

class SenderStoreTest : public ::testing::Test {
 protected:
  SenderStoreTest() : work_(boost::asio::make_work_guard(io_)), raw_(server_.socket_path()) {}

  void SetUp() override { Open(SenderStoreOptions{}); }

  void Open(SenderStoreOptions options) {
    store_.reset();
    redis_.reset();
    redis_ = Connect();
    ASSERT_NE(redis_, nullptr);
    store_ = std::make_unique<SenderStore>(*redis_, std::move(options));
  }

  // Another connection to the same server (another daemon, loop or connection).
  std::unique_ptr<redis::AsyncClient> Connect() {
    auto url = redis::ParseUrl(server_.Url());
    EXPECT_TRUE(url.ok());
    if (!url.ok()) return nullptr;
    auto redis = std::make_unique<redis::AsyncClient>(io_, *url, redis::AsyncClient::Options{});
    redis->Start();
    EXPECT_TRUE(RunUntil([&] { return redis->connected(); })) << redis->last_error();
    return redis;
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

  Result<AdmitResult> Admit(std::string_view id, std::string_view who, const engine::StateChanges& changes = {},
                            bool always_apply = false, std::string_view provider = "twilio") {
    std::optional<Result<AdmitResult>> out;
    store_->Admit(provider, id, who, changes, always_apply, [&](Result<AdmitResult> r) { out.emplace(std::move(r)); });
    EXPECT_FALSE(out.has_value()) << "the callback ran inside Admit()";
    EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
    return out.has_value() ? std::move(*out) : Result<AdmitResult>(Internal("no answer"));
  }

  Status StoreReply(std::string_view id, std::string_view reply, std::string_view provider = "twilio") {
    std::optional<Status> out;
    store_->StoreReply(provider, id, reply, [&](Status s) { out.emplace(std::move(s)); });
    EXPECT_FALSE(out.has_value()) << "the callback ran inside StoreReply()";
    EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
    return out.has_value() ? std::move(*out) : Internal("no answer");
  }

  // Polls until `key` is gone on Redis's own clock (expiry), with a deadline,
  // keeping the loop turning. (RunUntil would block in run_one_until, with
  // nothing to do, until its deadline.)
  bool WaitUntilGone(const std::string& key, std::chrono::milliseconds timeout) {
    const auto until = Clock::now() + timeout;
    while (raw_.Int({"EXISTS", key}) != 0) {
      if (Clock::now() >= until) return false;
      io_.run_for(10ms);
    }
    return true;
  }

  Admission AdmissionOf(std::string_view id, std::string_view who, const engine::StateChanges& changes = {},
                        bool always_apply = false) {
    Result<AdmitResult> r = Admit(id, who, changes, always_apply);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->admission : Admission::kDuplicate;
  }

  // HGETALL of the sender's hash, as a map.
  Fields SenderFields(const std::string& who) {
    Fields out;
    for (auto& [f, v] : raw_.Hash("hl:sender:" + who)) out.emplace(f, v);
    return out;
  }

  // The same, without last_seen and the rate window (clock readings and a count).
  Fields SenderFieldsWithoutLastSeen(const std::string& who) {
    Fields out = SenderFields(who);
    out.erase("last_seen");
    out.erase("rate_start");
    out.erase("rate_count");
    return out;
  }

  static void ExpectNearNow(const std::string& unix_seconds) {
    ASSERT_FALSE(unix_seconds.empty());
    EXPECT_NEAR(static_cast<double>(std::stoll(unix_seconds)), static_cast<double>(std::time(nullptr)), 5.0);
  }

  RedisServer server_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  RawRedis raw_;
  std::unique_ptr<redis::AsyncClient> redis_;
  std::unique_ptr<SenderStore> store_;
  const std::string who_ = SenderHash(kSecret, kNumber);
  const std::string sender_key_ = "hl:sender:" + who_;
  // Messages counted in the sender's open rate window.
  std::string RateCount() { return raw_.Field(sender_key_, "rate_count"); }

  // The sender's state in whichever layout the key holds ("hash" or
  // "string", in *layout), as the hash's fields: a string's empty values
  // are left out, as a hash leaves out the fields never set.
  Fields StoredState(const std::string& key, std::string* layout = nullptr) {
    const std::string type = raw_.Str({"TYPE", key});
    if (layout != nullptr) *layout = type;
    Fields out;
    if (type == "hash") {
      for (auto& [f, v] : raw_.Hash(key)) out.emplace(f, v);
    } else if (type == "string") {
      const std::string packed = raw_.Str({"GET", key});
      const char* names[] = {"language", "region", "opted_out", "rate_start", "rate_count", "last_seen"};
      std::size_t at = 0;
      for (std::size_t i = 0; i < 6; ++i) {
        const std::size_t end = std::min(packed.find('\x1f', at), packed.size());
        EXPECT_TRUE(i == 5 || end < packed.size()) << "a string of fewer than six values";
        if (end > at) out.emplace(names[i], packed.substr(at, end - at));
        at = end + 1;
      }
      EXPECT_GE(at, packed.size()) << "a string of more than six values";
    }
    return out;
  }

  // Opens a store writing `layout`, with a clock at `*now` and a limit.
  void OpenWriting(SenderStateLayout layout, std::int64_t* now, int limit = 10) {
    Open({.rate_limit_messages = limit, .state_layout = layout, .now_s = [now] { return *now; }});
  }
};

// ---- SenderHash ----------------------------------------------------------------

TEST(SenderHashTest, IsTheFirst32HexDigitsOfHmacSha256AndStable) {
  // printf '%s' '+16045550123' | openssl dgst -sha256 -hmac 'test-secret' | cut -c1-32
  EXPECT_EQ(SenderHash(kSecret, kNumber), "bda8b4cb406e7027eeddac0e9568d77c");
  EXPECT_EQ(SenderHash(kSecret, kNumber), SenderHash(std::string(kSecret), std::string(kNumber)));
}

// The key made ready once (what WebhookFlow keeps) gives the same hashes.
TEST(SenderHashTest, AKeyMadeReadyOnceGivesTheSameHashAsTheSecret) {
  const HmacKey key(Digest::kSha256, kSecret);
  EXPECT_EQ(SenderHash(key, kNumber), "bda8b4cb406e7027eeddac0e9568d77c");
  for (const std::string_view number : {"+16045550123", "+16045550124", "+447700900123", ""}) {
    EXPECT_EQ(SenderHash(key, number), SenderHash(kSecret, number)) << number;
  }
  EXPECT_NE(SenderHash(HmacKey(Digest::kSha256, "secret two"), kNumber), SenderHash(key, kNumber));
}

TEST(SenderHashTest, DiffersPerSecretAndPerNumber) {
  EXPECT_NE(SenderHash("secret one", kNumber), SenderHash("secret two", kNumber));
  EXPECT_NE(SenderHash(kSecret, "+16045550123"), SenderHash(kSecret, "+16045550124"));
  EXPECT_EQ(SenderHash("", "").size(), 32u);
}

// ---- Admit: verdict, state and changes -----------------------------------------

TEST_F(SenderStoreTest, AFirstMessageIsNewWithAnEmptyRecordAndAdmitAppliesItsChanges) {
  Result<AdmitResult> r = Admit("SM1", who_, {.language = "es", .region = "CA-BC", .opted_out = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->admission, Admission::kNew);
  EXPECT_EQ(r->first_admission, Admission::kNew);
  // The record as it was before this message: nothing known yet.
  EXPECT_EQ(r->sender.language, "");
  EXPECT_EQ(r->sender.region, "");
  EXPECT_FALSE(r->sender.opted_out);
  EXPECT_EQ(r->previous_reply, "");
  EXPECT_FALSE(r->previous_committed);

  // The changes are already in Redis: no second round trip.
  const Fields fields = SenderFields(who_);
  EXPECT_EQ(fields.size(), 6u);  // and last_seen, rate_start, rate_count
  EXPECT_EQ(fields.at("rate_count"), "1");
  EXPECT_EQ(SenderFieldsWithoutLastSeen(who_), (Fields{{"language", "es"}, {"region", "CA-BC"}, {"opted_out", "1"}}));
  ExpectNearNow(raw_.Field(sender_key_, "last_seen"));
  EXPECT_GT(raw_.Ttl(sender_key_), 31536000 - 100);

  // Marked in flight, with the dedupe TTL.
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:msg:twilio:SM1"}), 1);
  EXPECT_TRUE(raw_.Str({"GET", "hl:msg:twilio:SM1"}).starts_with("~"));
  EXPECT_GT(raw_.Ttl("hl:msg:twilio:SM1"), 86000);
}

TEST_F(SenderStoreTest, WithWaitReplicasAPromisedChangeNoReplicaHasIsUnavailableAndOtherMessagesDoNotWait) {
  // A lone server has no replica: WAIT 1 answers 0 after its timeout, so a
  // STOP (or a language change) cannot be confirmed, and the flow answers
  // 503 for the provider to deliver it again. Messages that promise nothing
  // are admitted without a WAIT.
  Open(SenderStoreOptions{.wait_replicas = 1, .wait_timeout_ms = 100});
  const auto started = Clock::now();
  Result<AdmitResult> stop = Admit("SM1", who_, {.opted_out = true}, /*always_apply=*/true);
  EXPECT_EQ(stop.status().code(), StatusCode::kUnavailable) << stop.status().ToString();
  EXPECT_GE(Clock::now() - started, 90ms) << "WAIT was not sent";
  Result<AdmitResult> language = Admit("SM2", who_, {.language = "es"});
  EXPECT_EQ(language.status().code(), StatusCode::kUnavailable) << language.status().ToString();
  // The redelivery of the STOP is not confirmed either while no replica has it.
  EXPECT_EQ(Admit("SM1", who_, {.opted_out = true}, true).status().code(), StatusCode::kUnavailable);

  Result<AdmitResult> help = Admit("SM3", who_, {.region = "CA-BC"});
  ASSERT_TRUE(help.ok()) << help.status().ToString();
  EXPECT_EQ(help->admission, Admission::kNew);
  // Without the setting a STOP is confirmed by the primary alone, as before.
  Open(SenderStoreOptions{});
  EXPECT_TRUE(Admit("SM4", who_, {.opted_out = true}, true).ok());
}

TEST_F(SenderStoreTest, AMessageWithoutChangesOnlyRecordsLastSeenAndTheRateWindow) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  const Fields fields = SenderFields(who_);
  ASSERT_EQ(fields.size(), 3u);
  ExpectNearNow(fields.at("last_seen"));
  EXPECT_EQ(fields.at("rate_start"), fields.at("last_seen"));
  EXPECT_EQ(fields.at("rate_count"), "1");
  EXPECT_GT(raw_.Ttl(sender_key_), 31536000 - 100);
}

TEST_F(SenderStoreTest, TheNextMessageSeesTheRememberedLanguageRegionAndOptOut) {
  ASSERT_EQ(AdmissionOf("SM1", who_, {.language = "fr", .region = "CA-QC", .opted_out = true}), Admission::kNew);
  Result<AdmitResult> next = Admit("SM2", who_, {.opted_out = false}, /*always_apply=*/true);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->admission, Admission::kNew);
  EXPECT_EQ(next->sender.language, "fr");
  EXPECT_EQ(next->sender.region, "CA-QC");
  EXPECT_TRUE(next->sender.opted_out);

  // Only the fields given change; START turned the opt-out off.
  Result<AdmitResult> third = Admit("SM3", who_);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->sender.language, "fr");
  EXPECT_EQ(third->sender.region, "CA-QC");
  EXPECT_FALSE(third->sender.opted_out);
  EXPECT_EQ(SenderFieldsWithoutLastSeen(who_), (Fields{{"language", "fr"}, {"region", "CA-QC"}, {"opted_out", "0"}}));
}

TEST_F(SenderStoreTest, StopThenAnythingIsOptedOutWhicheverConnectionItArrivesOn) {
  std::unique_ptr<redis::AsyncClient> other_redis = Connect();
  ASSERT_NE(other_redis, nullptr);
  SenderStore other(*other_redis, SenderStoreOptions{});

  ASSERT_EQ(AdmissionOf("SM1", who_, {.opted_out = true}, /*always_apply=*/true), Admission::kNew);
  std::optional<Result<AdmitResult>> next;
  other.Admit("twilio", "SM2", who_, {}, false, [&](Result<AdmitResult> r) { next.emplace(std::move(r)); });
  ASSERT_TRUE(RunUntil([&] { return next.has_value(); }));
  ASSERT_TRUE(next->ok()) << next->status().ToString();
  EXPECT_EQ((*next)->admission, Admission::kNew);
  EXPECT_TRUE((*next)->sender.opted_out);
}

// ---- rate-limited messages and STOP/START ----------------------------------------

TEST_F(SenderStoreTest, ARateLimitedMessagesChangesAreNotAppliedButLastSeenAndTtlAreRenewed) {
  Open({.rate_limit_messages = 1});
  ASSERT_EQ(AdmissionOf("m1", who_, {.language = "en"}), Admission::kNew);

  for (const auto& [id, expected] :
       {std::pair{"m2", Admission::kRateLimitedNotice}, std::pair{"m3", Admission::kRateLimitedSilent}}) {
    SCOPED_TRACE(id);
    // An old last_seen and a short TTL, to see both renewed.
    ASSERT_EQ(raw_.Int({"HSET", sender_key_, "last_seen", "1"}), 0);
    ASSERT_EQ(raw_.Int({"EXPIRE", sender_key_, "100"}), 1);
    Result<AdmitResult> r = Admit(id, who_, {.language = "fr", .region = "CA-QC", .opted_out = true});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->admission, expected);
    EXPECT_EQ(r->first_admission, expected);
    EXPECT_EQ(r->sender.language, "en");
    EXPECT_FALSE(r->sender.opted_out);
    EXPECT_EQ(SenderFieldsWithoutLastSeen(who_), (Fields{{"language", "en"}}));
    ExpectNearNow(raw_.Field(sender_key_, "last_seen"));
    EXPECT_GT(raw_.Ttl(sender_key_), 31536000 - 100);
  }
}

TEST_F(SenderStoreTest, StopAndStartAreAppliedEvenWhenTheSenderIsRateLimited) {
  Open({.rate_limit_messages = 1});
  ASSERT_EQ(AdmissionOf("m1", who_, {.language = "en"}), Admission::kNew);

  // STOP as the notice: applied; the verdict still carries the state before it.
  ASSERT_EQ(raw_.Int({"HSET", sender_key_, "last_seen", "1"}), 0);
  ASSERT_EQ(raw_.Int({"EXPIRE", sender_key_, "100"}), 1);
  Result<AdmitResult> stop = Admit("m2", who_, {.opted_out = true}, /*always_apply=*/true);
  ASSERT_TRUE(stop.ok()) << stop.status().ToString();
  EXPECT_EQ(stop->admission, Admission::kRateLimitedNotice);
  EXPECT_FALSE(stop->sender.opted_out);
  EXPECT_EQ(raw_.Field(sender_key_, "opted_out"), "1");
  ExpectNearNow(raw_.Field(sender_key_, "last_seen"));
  EXPECT_GT(raw_.Ttl(sender_key_), 31536000 - 100);

  // An ordinary message while silenced does not undo it.
  ASSERT_EQ(AdmissionOf("m3", who_, {.language = "fr", .opted_out = false}), Admission::kRateLimitedSilent);
  EXPECT_EQ(SenderFieldsWithoutLastSeen(who_), (Fields{{"language", "en"}, {"opted_out", "1"}}));

  // START while silenced: applied.
  Result<AdmitResult> start = Admit("m4", who_, {.opted_out = false}, /*always_apply=*/true);
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_EQ(start->admission, Admission::kRateLimitedSilent);
  EXPECT_TRUE(start->sender.opted_out);
  EXPECT_EQ(raw_.Field(sender_key_, "opted_out"), "0");

  // STOP while silenced: applied.
  ASSERT_EQ(AdmissionOf("m5", who_, {.opted_out = true}, /*always_apply=*/true), Admission::kRateLimitedSilent);
  EXPECT_EQ(SenderFieldsWithoutLastSeen(who_), (Fields{{"language", "en"}, {"opted_out", "1"}}));
}

// ---- redeliveries ------------------------------------------------------------------

TEST_F(SenderStoreTest, ARedeliveryInFlightGetsTheFirstVerdictAndPriorStateAndChangesNothing) {
  ASSERT_EQ(AdmissionOf("SM0", who_, {.language = "fr", .region = "CA-QC"}), Admission::kNew);
  Result<AdmitResult> first = Admit("SM1", who_, {.language = "es", .opted_out = true}, /*always_apply=*/true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->admission, Admission::kNew);

  // Sentinels, to see that the redelivery touches nothing.
  ASSERT_EQ(raw_.Int({"HSET", sender_key_, "last_seen", "1"}), 0);
  ASSERT_EQ(raw_.Int({"EXPIRE", sender_key_, "1000"}), 1);
  ASSERT_EQ(raw_.Int({"EXPIRE", "hl:msg:twilio:SM1", "500"}), 1);
  const Fields state = SenderFields(who_);
  const std::string marker = raw_.Str({"GET", "hl:msg:twilio:SM1"});
  const std::string count = RateCount();
  ASSERT_EQ(count, "2");

  Result<AdmitResult> again = Admit("SM1", who_, {.language = "de", .region = "DE-BE", .opted_out = false},
                                    /*always_apply=*/true);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->admission, Admission::kDuplicate);
  EXPECT_FALSE(again->previous_committed);
  EXPECT_EQ(again->previous_reply, "");
  EXPECT_EQ(again->first_admission, Admission::kNew);
  // The first delivery's prior state, not the state after its changes.
  EXPECT_EQ(again->sender.language, "fr");
  EXPECT_EQ(again->sender.region, "CA-QC");
  EXPECT_FALSE(again->sender.opted_out);

  EXPECT_EQ(SenderFields(who_), state);
  EXPECT_EQ(SenderFieldsWithoutLastSeen(who_), (Fields{{"language", "es"}, {"region", "CA-QC"}, {"opted_out", "1"}}));
  EXPECT_LE(raw_.Ttl(sender_key_), 1000);
  EXPECT_EQ(RateCount(), count);
  EXPECT_EQ(raw_.Str({"GET", "hl:msg:twilio:SM1"}), marker);
  EXPECT_LE(raw_.Ttl("hl:msg:twilio:SM1"), 500);
}

TEST_F(SenderStoreTest, ARedeliveryInFlightOfARateLimitedMessageGetsItsRateLimitedVerdict) {
  Open({.rate_limit_messages = 1});
  ASSERT_EQ(AdmissionOf("m1", who_, {.language = "en", .opted_out = true}), Admission::kNew);
  ASSERT_EQ(AdmissionOf("m2", who_), Admission::kRateLimitedNotice);
  ASSERT_EQ(AdmissionOf("m3", who_), Admission::kRateLimitedSilent);

  for (const auto& [id, expected] : {std::pair{"m1", Admission::kNew}, std::pair{"m2", Admission::kRateLimitedNotice},
                                     std::pair{"m3", Admission::kRateLimitedSilent}}) {
    SCOPED_TRACE(id);
    Result<AdmitResult> r = Admit(id, who_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->admission, Admission::kDuplicate);
    EXPECT_FALSE(r->previous_committed);
    EXPECT_EQ(r->first_admission, expected);
  }
  Result<AdmitResult> m2 = Admit("m2", who_);
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->sender.language, "en");
  EXPECT_TRUE(m2->sender.opted_out);
  // Redeliveries are not counted.
  EXPECT_EQ(RateCount(), "3");
}

TEST_F(SenderStoreTest, AfterStoreReplyARedeliveryGetsTheIdenticalReplyByteForByte) {
  ASSERT_EQ(AdmissionOf("SM1", who_, {.language = "es"}), Admission::kNew);
  ASSERT_EQ(raw_.Int({"EXPIRE", "hl:msg:twilio:SM1", "500"}), 1);

  const std::string reply =
      "Naloxone: 1-800-555-0199 \xc3\xb1 \xe2\x9c\x93 \xf0\x9f\x93\x9e <b>&amp;</b>\n=second line\x1f"
      "~new\x1f\x1f\x1f\0end"s;
  ASSERT_TRUE(StoreReply("SM1", reply).ok());
  // KEEPTTL: the marker's TTL is kept, not reset nor dropped.
  EXPECT_GT(raw_.Ttl("hl:msg:twilio:SM1"), 0);
  EXPECT_LE(raw_.Ttl("hl:msg:twilio:SM1"), 500);
  const Fields state = SenderFields(who_);

  Result<AdmitResult> late = Admit("SM1", who_, {.language = "fr"}, /*always_apply=*/true);
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(late->admission, Admission::kDuplicate);
  EXPECT_TRUE(late->previous_committed);
  EXPECT_EQ(late->previous_reply.size(), reply.size());
  EXPECT_EQ(late->previous_reply, reply);
  EXPECT_EQ(SenderFields(who_), state);

  // Same id from another provider is another message.
  Result<AdmitResult> other = Admit("SM1", who_, {}, false, "telnyx");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->admission, Admission::kNew);
}

TEST_F(SenderStoreTest, AnEmptyStoredReplyIsToldApartFromOneInFlight) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  Result<AdmitResult> early = Admit("SM1", who_);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->admission, Admission::kDuplicate);
  EXPECT_FALSE(early->previous_committed);

  ASSERT_TRUE(StoreReply("SM1", "").ok());
  Result<AdmitResult> late = Admit("SM1", who_);
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(late->admission, Admission::kDuplicate);
  EXPECT_EQ(late->previous_reply, "");
  EXPECT_TRUE(late->previous_committed);
}

TEST_F(SenderStoreTest, StoreReplyForAnUnknownOrExpiredIdStoresNothingAndIsOk) {
  // Never admitted.
  EXPECT_TRUE(StoreReply("SMnever", "hi").ok());
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:msg:twilio:SMnever"}), 0);

  // Admitted, then its marker expired.
  ASSERT_EQ(AdmissionOf("SMold", who_), Admission::kNew);
  ASSERT_EQ(raw_.Int({"PEXPIRE", "hl:msg:twilio:SMold", "1"}), 1);
  ASSERT_TRUE(WaitUntilGone("hl:msg:twilio:SMold", 2000ms));
  EXPECT_TRUE(StoreReply("SMold", "late").ok());
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:msg:twilio:SMold"}), 0);

  // No key without a TTL was created.
  for (const std::string& key : raw_.AllKeys()) EXPECT_GT(raw_.Ttl(key), 0) << key;
  // The id is forgotten: a delivery now is a new message.
  EXPECT_EQ(AdmissionOf("SMold", who_), Admission::kNew);
}

TEST_F(SenderStoreTest, ConcurrentDeliveriesOfOneMessageAdmitExactlyOne) {
  std::unique_ptr<redis::AsyncClient> other_redis = Connect();
  ASSERT_NE(other_redis, nullptr);
  SenderStore other(*other_redis, SenderStoreOptions{});

  // Six deliveries on two connections, interleaved, each with its own change.
  constexpr int kDeliveries = 6;
  std::vector<std::optional<Result<AdmitResult>>> seen(kDeliveries);
  for (int i = 0; i < kDeliveries; ++i) {
    SenderStore& store = i % 2 == 0 ? *store_ : other;
    store.Admit("twilio", "SMdup", who_, {.language = "l" + std::to_string(i)}, false,
                [&seen, i](Result<AdmitResult> r) { seen[i].emplace(std::move(r)); });
  }
  ASSERT_TRUE(RunUntil([&] { return std::all_of(seen.begin(), seen.end(), [](auto& s) { return s.has_value(); }); }));

  int winner = -1;
  int duplicates = 0;
  for (int i = 0; i < kDeliveries; ++i) {
    ASSERT_TRUE(seen[i]->ok()) << seen[i]->status().ToString();
    const AdmitResult& r = **seen[i];
    if (r.admission == Admission::kNew) {
      EXPECT_EQ(winner, -1) << "admitted twice";
      winner = i;
    } else {
      EXPECT_EQ(r.admission, Admission::kDuplicate);
      EXPECT_FALSE(r.previous_committed);
      EXPECT_EQ(r.first_admission, Admission::kNew);
      ++duplicates;
    }
  }
  ASSERT_NE(winner, -1);
  EXPECT_EQ(duplicates, kDeliveries - 1);
  // Only the admitted delivery's change was applied, and counted once.
  EXPECT_EQ(raw_.Field(sender_key_, "language"), "l" + std::to_string(winner));
  EXPECT_EQ(RateCount(), "1");
}

// ---- rate limit ------------------------------------------------------------------

TEST_F(SenderStoreTest, TheRateLimitAdmitsNThenOneNoticeThenSilenceUntilTheWindowEnds) {
  std::int64_t now = 1'800'000'000;
  Open({.rate_limit_messages = 3, .rate_limit_window_s = 60, .now_s = [&now] { return now; }});
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m2", who_), Admission::kNew);
  now += 30;
  EXPECT_EQ(AdmissionOf("m3", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m4", who_), Admission::kRateLimitedNotice);
  EXPECT_EQ(AdmissionOf("m5", who_), Admission::kRateLimitedSilent);
  now += 29;  // the window's last second
  EXPECT_EQ(AdmissionOf("m6", who_), Admission::kRateLimitedSilent);
  // Duplicates are not counted (and say so even when limited).
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kDuplicate);
  EXPECT_EQ(RateCount(), "6");
  // Another sender has its own budget.
  EXPECT_EQ(AdmissionOf("m7", SenderHash(kSecret, "+12125550100")), Admission::kNew);

  // 60 s after the window's first message, a new window opens.
  now += 1;
  EXPECT_EQ(AdmissionOf("m100", who_), Admission::kNew);
  EXPECT_EQ(RateCount(), "1");
  EXPECT_EQ(raw_.Field(sender_key_, "rate_start"), std::to_string(now));
  EXPECT_EQ(raw_.Field(sender_key_, "last_seen"), std::to_string(now));
}

TEST_F(SenderStoreTest, SetRateLimitAppliesTheNewLimitAndWindowToTheNextMessages) {
  // The options are constants in the admit script's text: a new limit is a
  // new script, which the server does not know yet (NOSCRIPT, then EVAL).
  std::int64_t now = 1'800'000'000;
  Open({.rate_limit_messages = 2, .rate_limit_window_s = 60, .now_s = [&now] { return now; }});
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m2", who_), Admission::kNew);
  store_->SetRateLimit(4, 600);
  EXPECT_EQ(AdmissionOf("m3", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m4", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m5", who_), Admission::kRateLimitedNotice);
  EXPECT_EQ(RateCount(), "5");
  now += 60;  // the old window would have ended; the new one has not
  EXPECT_EQ(AdmissionOf("m6", who_), Admission::kRateLimitedSilent);
  store_->SetRateLimit(0, 600);  // no limit
  EXPECT_EQ(AdmissionOf("m7", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m6", who_), Admission::kDuplicate);
}

TEST_F(SenderStoreTest, TheWindowStartStaysAtItsFirstMessageWhileTheWindowIsOpen) {
  // The admit script writes rate_start only when a window (re)starts.
  std::int64_t now = 1'800'000'000;
  Open({.rate_limit_messages = 5, .rate_limit_window_s = 60, .now_s = [&now] { return now; }});
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kNew);
  now += 10;
  EXPECT_EQ(AdmissionOf("m2", who_), Admission::kNew);
  now += 10;
  EXPECT_EQ(AdmissionOf("m3", who_, {.language = "fr"}), Admission::kNew);
  EXPECT_EQ(raw_.Field(sender_key_, "rate_start"), "1800000000");
  EXPECT_EQ(raw_.Field(sender_key_, "last_seen"), "1800000020");
  EXPECT_EQ(RateCount(), "3");
  EXPECT_EQ(raw_.Field(sender_key_, "language"), "fr");
  now += 40;  // the window has ended: the next message opens one
  EXPECT_EQ(AdmissionOf("m4", who_), Admission::kNew);
  EXPECT_EQ(raw_.Field(sender_key_, "rate_start"), "1800000060");
  EXPECT_EQ(RateCount(), "1");
}

TEST_F(SenderStoreTest, TheRateLimitRunsOnTheSystemClockByDefault) {
  Open({.rate_limit_messages = 1, .rate_limit_window_s = 1});
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m2", who_), Admission::kRateLimitedNotice);
  ExpectNearNow(raw_.Field(sender_key_, "rate_start"));
  // The window opened in m1's second ends at most a second later.
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(AdmissionOf("m3", who_), Admission::kNew);
}

TEST_F(SenderStoreTest, TheStateTtlIsRenewedByTheFirstMessageOfEachDayNotByEveryMessage) {
  std::int64_t now = 1'800'000'000;
  Open({.now_s = [&now] { return now; }});
  ASSERT_EQ(AdmissionOf("m1", who_), Admission::kNew);
  EXPECT_GT(raw_.Ttl(sender_key_), 31536000 - 100);  // a new sender: set

  ASSERT_EQ(raw_.Int({"EXPIRE", sender_key_, "5000"}), 1);
  now += 86399;
  ASSERT_EQ(AdmissionOf("m2", who_), Admission::kNew);
  EXPECT_LE(raw_.Ttl(sender_key_), 5000);  // seen today: left as it is

  now += 86400;
  ASSERT_EQ(AdmissionOf("m3", who_), Admission::kNew);
  EXPECT_GT(raw_.Ttl(sender_key_), 31536000 - 100);  // a day since last seen: renewed

  ASSERT_EQ(raw_.Int({"EXPIRE", sender_key_, "5000"}), 1);
  now -= 3600;  // the clock went back: renew rather than trust it
  ASSERT_EQ(AdmissionOf("m4", who_), Admission::kNew);
  EXPECT_GT(raw_.Ttl(sender_key_), 31536000 - 100);
}

TEST_F(SenderStoreTest, AWindowStartingInTheFutureIsRestartedNotAForeverBlock) {
  Open({.rate_limit_messages = 1, .rate_limit_window_s = 60});
  // As if the clock had been set back a day while the sender was over the limit.
  const std::string tomorrow = std::to_string(std::time(nullptr) + 86400);
  ASSERT_EQ(raw_.Int({"HSET", sender_key_, "rate_start", tomorrow, "rate_count", "50"}), 2);
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kNew);
  EXPECT_EQ(RateCount(), "1");
  ExpectNearNow(raw_.Field(sender_key_, "rate_start"));
}

TEST_F(SenderStoreTest, AWindowOpenedByADaemonWhoseClockIsSecondsAheadIsKept) {
  std::int64_t now = 1'800'000'000;
  Open({.rate_limit_messages = 1, .rate_limit_window_s = 60, .now_s = [&now] { return now; }});
  // Another daemon, 30 s ahead, opened the window and counted one message.
  ASSERT_EQ(raw_.Int({"HSET", sender_key_, "rate_start", std::to_string(now + 30), "rate_count", "1"}), 2);
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kRateLimitedNotice);
  EXPECT_EQ(raw_.Field(sender_key_, "rate_start"), std::to_string(now + 30));
}

TEST_F(SenderStoreTest, AMalformedRateWindowIsRestarted) {
  Open({.rate_limit_messages = 1, .rate_limit_window_s = 60});
  ASSERT_EQ(raw_.Int({"HSET", sender_key_, "rate_start", "soon", "rate_count", "many"}), 2);
  EXPECT_EQ(AdmissionOf("m1", who_), Admission::kNew);
  EXPECT_EQ(AdmissionOf("m2", who_), Admission::kRateLimitedNotice);
}

TEST_F(SenderStoreTest, AZeroRateLimitAdmitsEverything) {
  Open({.rate_limit_messages = 0});
  for (int i = 0; i < 20; ++i) ASSERT_EQ(AdmissionOf("m" + std::to_string(i), who_), Admission::kNew);
  EXPECT_EQ(raw_.Int({"HEXISTS", sender_key_, "rate_count"}), 0);
}

// ---- privacy, prefix, scripts, errors ----------------------------------------------

TEST_F(SenderStoreTest, TheNumberNeverAppearsInAnyRedisKeyOrValue) {
  Open({.rate_limit_messages = 2});
  ASSERT_EQ(AdmissionOf("SM1", who_, {.language = "en", .region = "CA-BC", .opted_out = false}), Admission::kNew);
  ASSERT_TRUE(StoreReply("SM1", "Call 1-800-555-0199").ok());
  ASSERT_EQ(AdmissionOf("SM2", who_), Admission::kNew);  // left in flight
  ASSERT_EQ(AdmissionOf("SM3", who_, {.opted_out = true}, true), Admission::kRateLimitedNotice);
  ASSERT_TRUE(StoreReply("SM3", "Slow down").ok());
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kDuplicate);

  const std::string digits = std::string(kNumber.substr(2));  // "6045550123"
  std::vector<std::string> everything;
  std::string cursor = "0";
  do {
    Reply page = raw_.Run({"SCAN", cursor, "COUNT", "1000"});
    ASSERT_NE(page, nullptr);
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
  // 3 msg keys and values, the sender key and its 6 fields and values
  // (language, region, opted_out, last_seen, rate_start, rate_count).
  EXPECT_EQ(everything.size(), 6u + 13u);
  for (const std::string& s : everything) {
    EXPECT_EQ(s.find(digits), std::string::npos) << "found the number in: " << s;
  }
}

TEST_F(SenderStoreTest, EveryKeyLivesUnderTheConfiguredPrefixWithATtl) {
  Open({.prefix = "other:"});
  ASSERT_EQ(AdmissionOf("SM1", who_, {.language = "en"}), Admission::kNew);
  ASSERT_TRUE(StoreReply("SM1", "hi").ok());
  ASSERT_EQ(AdmissionOf("SM2", who_), Admission::kNew);  // left in flight
  ASSERT_TRUE(StoreReply("SMunknown", "hi").ok());
  Reply keys = raw_.Run({"KEYS", "*"});
  ASSERT_NE(keys, nullptr);
  ASSERT_EQ(keys->elements, 3u);  // two msg keys, the sender
  for (std::size_t i = 0; i < keys->elements; ++i) {
    const std::string key(keys->element[i]->str, keys->element[i]->len);
    EXPECT_TRUE(key.starts_with("other:")) << key;
    EXPECT_GT(raw_.Ttl(key), 0) << key;
  }
  EXPECT_EQ(raw_.Field("other:sender:" + who_, "language"), "en");
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:sender:" + who_}), 0);
}

TEST_F(SenderStoreTest, ScriptsAreSentAgainAfterRedisForgetsThem) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);
  ASSERT_EQ(raw_.Str({"SCRIPT", "FLUSH"}), "OK");
  EXPECT_EQ(AdmissionOf("SM2", who_, {.language = "es"}), Admission::kNew);
  EXPECT_EQ(raw_.Field(sender_key_, "language"), "es");
  ASSERT_EQ(raw_.Str({"SCRIPT", "FLUSH"}), "OK");
  EXPECT_EQ(AdmissionOf("SM2", who_), Admission::kDuplicate);
}

TEST_F(SenderStoreTest, AScriptErrorIsVisibleAsAnInternalError) {
  // Neither a hash nor a string (the two layouts): a list.
  ASSERT_EQ(raw_.Int({"RPUSH", sender_key_, "not a state"}), 1);
  Result<AdmitResult> r = Admit("SM1", who_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("WRONGTYPE"), std::string::npos) << r.status().message();
}

TEST_F(SenderStoreTest, AMalformedMessageMarkerIsAnInternalErrorNotACrash) {
  const std::string us = "\x1f";  // the marker's field separator
  const std::vector<std::string> bad = {
      "~bogus",
      "~",
      "~new",
      "~new" + us + "en" + us + "CA-BC",                        // three fields
      "~new" + us + "en" + us + "CA-BC" + us + "1" + us + "x",  // five fields
      "~dup" + us + us + us,                                    // not a verdict
      "~NEW" + us + us + us,
      "plain text",
      "",
      "\0=x"s,
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(i);
    const std::string id = "SMbad" + std::to_string(i);
    ASSERT_EQ(raw_.Str({"SET", "hl:msg:twilio:" + id, bad[i], "EX", "100"}), "OK");
    Result<AdmitResult> r = Admit(id, who_, {.language = "es"}, true);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInternal) << r.status().ToString();
  }
  // A marker of the wrong type, too.
  ASSERT_EQ(raw_.Int({"HSET", "hl:msg:twilio:SMhash", "a", "b"}), 1);
  Result<AdmitResult> r = Admit("SMhash", who_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal) << r.status().ToString();
  // None of them was counted or applied.
  EXPECT_EQ(raw_.Int({"EXISTS", sender_key_}), 0);
}

TEST_F(SenderStoreTest, AReadOnlyReplicaIsUnavailableNotABug) {
  ASSERT_EQ(AdmissionOf("SM1", who_), Admission::kNew);  // loads the script
  // A replica of nothing: reads work, writes get READONLY (as after a failover).
  ASSERT_EQ(raw_.Str({"REPLICAOF", "127.0.0.1", "9"}), "OK");
  Result<AdmitResult> r = Admit("SM2", who_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("READONLY"), std::string::npos) << r.status().message();
  Status s = StoreReply("SM1", "x");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("READONLY"), std::string::npos) << s.message();
  ASSERT_EQ(raw_.Str({"REPLICAOF", "NO", "ONE"}), "OK");
}

TEST_F(SenderStoreTest, WhenRedisIsAwayAdmitAndStoreReplyFailWithUnavailable) {
  redis_->Stop();
  Result<AdmitResult> r = Admit("SM1", who_);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(StoreReply("SM1", "x").code(), StatusCode::kUnavailable);
}

TEST_F(SenderStoreTest, BadIdsAreInvalidArgumentsNeverCrashes) {
  EXPECT_EQ(Admit("", who_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Admit(std::string(257, 'x'), who_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Admit("SM1", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Admit("SM1", std::string(129, 'a')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Admit("SM1", who_, {}, false, "twi:lio").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Admit("SM1", who_, {}, false, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Admit("SM1", who_, {}, false, std::string(65, 'p')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StoreReply("", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StoreReply(std::string(257, 'x'), "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StoreReply("SM1", "x", "twi:lio").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StoreReply("SM1", "x", "").code(), StatusCode::kInvalidArgument);
  // Nothing reached Redis.
  EXPECT_TRUE(raw_.AllKeys().empty());

  // Ids with odd bytes are fine: keys are binary-safe.
  const std::string odd = "a\0b\r\n*"s;
  EXPECT_EQ(AdmissionOf(odd, who_), Admission::kNew);
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:msg:twilio:" + odd}), 1);
  ASSERT_TRUE(StoreReply(odd, "odd").ok());
  Result<AdmitResult> dup = Admit(odd, who_);
  ASSERT_TRUE(dup.ok()) << dup.status().ToString();
  EXPECT_EQ(dup->admission, Admission::kDuplicate);
  EXPECT_EQ(dup->previous_reply, "odd");
  // The longest ids allowed are fine too.
  EXPECT_EQ(AdmissionOf(std::string(256, 'x'), std::string(128, 'a')), Admission::kNew);
}

// ---- the two layouts of the sender's state (hash, string) ------------------------

constexpr SenderStateLayout kLayouts[] = {SenderStateLayout::kHash, SenderStateLayout::kString};
const char* NameOf(SenderStateLayout layout) { return layout == SenderStateLayout::kHash ? "hash" : "string"; }

TEST_F(SenderStoreTest, TheStringLayoutKeepsTheWholeStateInOneStringWithItsTtlRenewedOnceADay) {
  std::int64_t now = 1'800'000'000;
  OpenWriting(SenderStateLayout::kString, &now);
  Result<AdmitResult> first = Admit("m1", who_, {.language = "es", .region = "CA-BC", .opted_out = true}, true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->admission, Admission::kNew);
  EXPECT_EQ(first->sender.language, "");
  EXPECT_FALSE(first->sender.opted_out);
  EXPECT_EQ(raw_.Str({"GET", sender_key_}),
            "es\x1f"
            "CA-BC\x1f"
            "1\x1f"
            "1800000000\x1f"
            "1\x1f"
            "1800000000");
  EXPECT_GT(raw_.Ttl(sender_key_), 31536000 - 100);

  now += 5;
  ASSERT_EQ(raw_.Int({"EXPIRE", sender_key_, "100"}), 1);
  Result<AdmitResult> next = Admit("m2", who_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->sender.language, "es");
  EXPECT_EQ(next->sender.region, "CA-BC");
  EXPECT_TRUE(next->sender.opted_out);
  EXPECT_EQ(StoredState(sender_key_), (Fields{{"language", "es"},
                                              {"region", "CA-BC"},
                                              {"opted_out", "1"},
                                              {"rate_start", "1800000000"},
                                              {"rate_count", "2"},
                                              {"last_seen", "1800000005"}}));
  // As the hash's, the TTL is renewed by the first message of each day only
  // (SET ... KEEPTTL otherwise).
  EXPECT_LE(raw_.Ttl(sender_key_), 100);
  EXPECT_GT(raw_.Ttl(sender_key_), 0);

  // A redelivery changes nothing; the rate limit counts as in the hash.
  EXPECT_EQ(AdmissionOf("m2", who_), Admission::kDuplicate);
  EXPECT_EQ(StoredState(sender_key_).at("rate_count"), "2");
  EXPECT_LE(raw_.Ttl(sender_key_), 100);
  now += 86400;  // a day after the last message
  EXPECT_EQ(AdmissionOf("m4", who_), Admission::kNew);
  EXPECT_GT(raw_.Ttl(sender_key_), 31536000 - 100);
  // A new sender with nothing to change: only the clock and the window.
  const std::string other = SenderHash(kSecret, "+12125550100");
  EXPECT_EQ(AdmissionOf("m3", other), Admission::kNew);
  EXPECT_EQ(raw_.Str({"GET", "hl:sender:" + other}),
            "\x1f\x1f\x1f"
            "1800086405\x1f"
            "1\x1f"
            "1800086405");
  EXPECT_GT(raw_.Ttl("hl:sender:" + other), 31536000 - 100);
}

TEST_F(SenderStoreTest, TheStringLayoutRateLimitsAndStillAppliesStopAndStart) {
  std::int64_t now = 1'800'000'000;
  OpenWriting(SenderStateLayout::kString, &now, /*limit=*/1);
  ASSERT_EQ(AdmissionOf("m1", who_, {.language = "en"}), Admission::kNew);
  // Limited: the changes of an ordinary message are not applied...
  ASSERT_EQ(AdmissionOf("m2", who_, {.language = "fr", .region = "CA-QC"}), Admission::kRateLimitedNotice);
  EXPECT_EQ(StoredState(sender_key_).count("region"), 0u);
  // ...STOP and START are.
  ASSERT_EQ(AdmissionOf("m3", who_, {.opted_out = true}, true), Admission::kRateLimitedSilent);
  EXPECT_EQ(StoredState(sender_key_).at("opted_out"), "1");
  ASSERT_EQ(AdmissionOf("m4", who_, {.language = "fr", .opted_out = false}), Admission::kRateLimitedSilent);
  EXPECT_EQ(StoredState(sender_key_).at("opted_out"), "1");
  EXPECT_EQ(StoredState(sender_key_).at("language"), "en");
  now += 60;  // a new window
  Result<AdmitResult> later = Admit("m5", who_);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->admission, Admission::kNew);
  EXPECT_TRUE(later->sender.opted_out);
  EXPECT_EQ(StoredState(sender_key_).at("rate_count"), "1");
  EXPECT_EQ(StoredState(sender_key_).at("rate_start"), "1800000060");
}

// A hash read by a string writer, and a string read by a hash writer: the
// whole state is read, kept and rewritten in the writer's layout, and the key
// keeps a TTL.
TEST_F(SenderStoreTest, AKeyOfEitherLayoutIsReadByAWriterOfTheOtherAndRewrittenInItsOwnWithItsTtl) {
  for (const SenderStateLayout from : kLayouts) {
    const SenderStateLayout to =
        from == SenderStateLayout::kHash ? SenderStateLayout::kString : SenderStateLayout::kHash;
    SCOPED_TRACE(std::string(NameOf(from)) + " read and rewritten by a " + NameOf(to) + " writer");
    const std::string who =
        SenderHash(kSecret, std::string("+1604555020") + (from == SenderStateLayout::kHash ? "1" : "2"));
    const std::string key = "hl:sender:" + who;
    const std::string id = NameOf(from);
    std::int64_t now = 1'800'000'000;
    OpenWriting(from, &now);
    ASSERT_EQ(AdmissionOf(id + "1", who, {.language = "fr", .region = "CA-QC", .opted_out = true}, true),
              Admission::kNew);
    now += 10;
    ASSERT_EQ(AdmissionOf(id + "2", who), Admission::kNew);
    ASSERT_EQ(raw_.Int({"EXPIRE", key, "100"}), 1);

    now += 10;
    OpenWriting(to, &now);
    Result<AdmitResult> r = Admit(id + "3", who, {.region = "CA-ON"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->admission, Admission::kNew);
    EXPECT_EQ(r->sender.language, "fr");
    EXPECT_EQ(r->sender.region, "CA-QC");
    EXPECT_TRUE(r->sender.opted_out);
    std::string layout;
    EXPECT_EQ(StoredState(key, &layout), (Fields{{"language", "fr"},
                                                 {"region", "CA-ON"},
                                                 {"opted_out", "1"},
                                                 {"rate_start", "1800000000"},
                                                 {"rate_count", "3"},
                                                 {"last_seen", "1800000020"}}));
    EXPECT_EQ(layout, NameOf(to));
    if (to == SenderStateLayout::kHash) {
      EXPECT_GT(raw_.Ttl(key), 31536000 - 100);  // set again (the string was deleted)
      // From then on the hash is written as always: the TTL once a day.
      ASSERT_EQ(raw_.Int({"EXPIRE", key, "100"}), 1);
      now += 10;
      ASSERT_EQ(AdmissionOf(id + "4", who), Admission::kNew);
      EXPECT_LE(raw_.Ttl(key), 100);
      EXPECT_EQ(raw_.Field(key, "rate_count"), "4");
    } else {
      // The hash's TTL kept (SET ... KEEPTTL: it was renewed today)...
      EXPECT_LE(raw_.Ttl(key), 100);
      EXPECT_GT(raw_.Ttl(key), 0);
      // ...and renewed by the first message of the next day, as the hash's.
      now += 86400;
      ASSERT_EQ(AdmissionOf(id + "4", who), Admission::kNew);
      EXPECT_GT(raw_.Ttl(key), 31536000 - 100);
    }
  }
}

// The script spells counts up to 99 itself (a Lua number would cost Redis a
// sprintf) and leaves larger ones to Redis: every count is written as its
// digits, across both boundaries, in either layout, and the verdicts follow.
TEST_F(SenderStoreTest, TheRateCountIsWrittenAsItsDigitsPastNineAndNinetyNineInEitherLayout) {
  for (const SenderStateLayout layout : kLayouts) {
    raw_.Int({"DEL", sender_key_});
    std::int64_t now = 1'800'000'000;
    OpenWriting(layout, &now, /*limit=*/101);
    const std::string tag = layout == SenderStateLayout::kHash ? "hash-" : "string-";
    for (int i = 1; i <= 104; ++i) {
      const Admission expected = i <= 101   ? Admission::kNew
                                 : i == 102 ? Admission::kRateLimitedNotice
                                            : Admission::kRateLimitedSilent;
      ASSERT_EQ(AdmissionOf(tag + std::to_string(i), who_), expected) << i;
      ASSERT_EQ(StoredState(sender_key_).at("rate_count"), std::to_string(i));
    }
  }
}

TEST_F(SenderStoreTest, AStopStoredInEitherLayoutIsHonouredByBoth) {
  std::int64_t now = 1'800'000'000;
  int n = 0;
  for (const SenderStateLayout writer : kLayouts) {
    for (const SenderStateLayout reader : kLayouts) {
      SCOPED_TRACE(std::string("STOP written as a ") + NameOf(writer) + ", read by a " + NameOf(reader) + " writer");
      const std::string who = SenderHash(kSecret, "+1604555010" + std::to_string(n));
      const std::string id = "c" + std::to_string(n++) + "-";
      OpenWriting(writer, &now, /*limit=*/2);
      ASSERT_EQ(AdmissionOf(id + "1", who, {.language = "es"}), Admission::kNew);
      ASSERT_EQ(AdmissionOf(id + "2", who, {.opted_out = true}, true), Admission::kNew);

      OpenWriting(reader, &now, /*limit=*/2);
      // Rate-limited messages that would undo it change nothing...
      for (const char* next : {"3", "4"}) {
        Result<AdmitResult> r = Admit(id + next, who, {.language = "fr", .opted_out = false});
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        EXPECT_NE(r->admission, Admission::kNew);
        EXPECT_TRUE(r->sender.opted_out);
        EXPECT_EQ(r->sender.language, "es");
      }
      EXPECT_EQ(StoredState("hl:sender:" + who).at("opted_out"), "1");
      // ...and the opt-out is still there for the next window.
      now += 60;
      Result<AdmitResult> later = Admit(id + "5", who);
      ASSERT_TRUE(later.ok()) << later.status().ToString();
      EXPECT_EQ(later->admission, Admission::kNew);
      EXPECT_TRUE(later->sender.opted_out);
      // Back with the first writer (a daemon not yet switched): still opted out.
      OpenWriting(writer, &now, /*limit=*/2);
      Result<AdmitResult> back = Admit(id + "6", who);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_TRUE(back->sender.opted_out);
      // START, written by the reader, is seen by the writer.
      OpenWriting(reader, &now, /*limit=*/2);
      ASSERT_EQ(AdmissionOf(id + "7", who, {.opted_out = false}, true), Admission::kRateLimitedNotice);
      OpenWriting(writer, &now, /*limit=*/2);
      Result<AdmitResult> started = Admit(id + "8", who);
      ASSERT_TRUE(started.ok()) << started.status().ToString();
      EXPECT_FALSE(started->sender.opted_out);
      EXPECT_EQ(started->sender.language, "es");
      EXPECT_GT(raw_.Ttl("hl:sender:" + who), 31536000 - 100);
      now += 60;
    }
  }
}

TEST_F(SenderStoreTest, SetStateLayoutSwitchesTheLayoutOfTheNextWrites) {
  ASSERT_EQ(AdmissionOf("m1", who_, {.language = "es", .opted_out = true}, true), Admission::kNew);
  EXPECT_EQ(raw_.Str({"TYPE", sender_key_}), "hash");
  store_->SetStateLayout(SenderStateLayout::kString);
  ASSERT_EQ(AdmissionOf("m2", who_), Admission::kNew);
  EXPECT_EQ(raw_.Str({"TYPE", sender_key_}), "string");
  store_->SetStateLayout(SenderStateLayout::kHash);  // flipping back (a rollback)
  Result<AdmitResult> r = Admit("m3", who_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->sender.opted_out);
  EXPECT_EQ(raw_.Str({"TYPE", sender_key_}), "hash");
  EXPECT_EQ(SenderFieldsWithoutLastSeen(who_), (Fields{{"language", "es"}, {"opted_out", "1"}}));
  EXPECT_EQ(RateCount(), "3");
}

TEST_F(SenderStoreTest, AnUnreadableStateStringIsAnInternalErrorAndIsLeftAsItIs) {
  // Never read as "nothing known" (an opt-out may be in it) nor overwritten.
  ASSERT_EQ(raw_.Str({"SET", sender_key_, "not a state"}), "OK");
  for (const SenderStateLayout layout : kLayouts) {
    SCOPED_TRACE(NameOf(layout));
    Open({.state_layout = layout});
    Result<AdmitResult> r = Admit("m1", who_, {.opted_out = false}, true);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInternal);
    EXPECT_NE(r.status().message().find("unreadable"), std::string::npos) << r.status().message();
    EXPECT_EQ(raw_.Str({"GET", sender_key_}), "not a state");
    EXPECT_EQ(raw_.Int({"EXISTS", "hl:msg:twilio:m1"}), 0);  // not claimed: a retry is admitted
  }
}

TEST_F(SenderStoreTest, AStringWithMoreValuesThanSixIsReadAndTheExtraValuesAreNotKept) {
  // A later build may add values after the sixth; this one reads the six.
  std::int64_t now = 1'800'000'000;
  ASSERT_EQ(raw_.Str({"SET", sender_key_,
                      "fr\x1f"
                      "CA-QC\x1f"
                      "1\x1f"
                      "1800000000\x1f"
                      "1\x1f"
                      "1800000000\x1f"
                      "new"}),
            "OK");
  OpenWriting(SenderStateLayout::kString, &now);
  Result<AdmitResult> r = Admit("m1", who_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->sender.opted_out);
  EXPECT_EQ(r->sender.region, "CA-QC");
  EXPECT_EQ(StoredState(sender_key_).at("rate_count"), "2");
}

}  // namespace
}  // namespace helpline::daemon
