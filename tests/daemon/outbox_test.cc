// Outbox against a real redis-server and the in-process fake provider: one
// fresh server per test, the loop run with deadlines, Redis inspected with a
// plain blocking connection. Backoffs, polls and claim times are shortened so
// the whole file stays well under 30 s.

#include "daemon/outbox.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/curl_multi.h"
#include "daemon/metrics.h"
#include "redis/async_client.h"
#include "redis/url.h"
#include "tests/support/fake_provider.h"
#include "tests/support/process.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::daemon {
namespace {

using namespace std::chrono_literals;
using gateway::DeliveryDecision;
using gateway::DeliveryVerdict;
using gateway::HttpResult;
using gateway::OutboundMessage;
using gateway::OutboundRequest;
using helpline::testing::BackgroundProcess;
using helpline::testing::FakeProvider;
using helpline::testing::FakeProviderPolicy;
using helpline::testing::FakeRequest;
using helpline::testing::FakeResponse;
using helpline::testing::RawRedis;
using helpline::testing::RedisServer;
using helpline::testing::Reply;
using Clock = std::chrono::steady_clock;

constexpr char kNumber[] = "+16045550123";

// Sends to the fake provider with the message id as Idempotency-Key and
// classifies with the generic rule: 2xx sent; 429, 5xx, transport retry
// (Retry-After in seconds honoured); any other status fails.
class TestAdapter : public gateway::OutboundAdapter {
 public:
  explicit TestAdapter(std::string url) : url_(std::move(url)) {}
  std::string_view provider() const override { return "fake"; }

  Result<OutboundRequest> BuildSend(const OutboundMessage& m) const override {
    if (m.to.empty()) return InvalidArgument("empty recipient");
    OutboundRequest r;
    r.url = url_;
    r.headers = {{"Content-Type", "text/plain"}, {"Idempotency-Key", m.id}};
    r.body = m.to + "|" + m.from + "|" + m.text;
    return r;
  }

  DeliveryDecision ClassifySend(const HttpResult& r) const override {
    DeliveryDecision d;
    if (!r.transport_ok) {
      d.verdict = DeliveryVerdict::kRetry;
      d.reason = "fake transport error: " + r.error;
      return d;
    }
    d.reason = "fake " + std::to_string(r.status);
    if (r.status >= 200 && r.status <= 299) {
      d.verdict = DeliveryVerdict::kSent;
    } else if (r.status == 429 || r.status >= 500) {
      d.verdict = DeliveryVerdict::kRetry;
      for (const auto& [k, v] : r.headers) {
        if (k == "Retry-After" || k == "retry-after") d.retry_after = std::chrono::seconds(std::stoi(v));
      }
    } else {
      d.verdict = DeliveryVerdict::kFail;
    }
    return d;
  }

 private:
  std::string url_;
};

OutboundMessage Message(std::string id, std::string text = "Naloxone: call 1-800-555-0199") {
  return OutboundMessage{.id = std::move(id),
                         .provider = "fake",
                         .channel = gateway::MessageChannel::kSms,
                         .to = kNumber,
                         .from = "+15005550006",
                         .text = std::move(text)};
}

OutboxOptions FastOptions(std::string consumer) {
  return OutboxOptions{.consumer = std::move(consumer),
                       .poll_interval_ms = 10,
                       .send_timeout_ms = 2000,
                       .claim_idle_ms = 3000,
                       .claim_interval_ms = 100,
                       .backoff_base_ms = 20,
                       .backoff_cap_ms = 100,
                       .redis_backoff_min_ms = 20,
                       .redis_backoff_max_ms = 100,
                       .log = false};
}

class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest() : raw_(server_.socket_path()), adapter_(provider_.Url("/messages")) {
    auto url = redis::ParseUrl(server_.Url());
    EXPECT_TRUE(url.ok());
    redis_ = std::make_unique<redis::AsyncClient>(
        io_, *url, redis::AsyncClient::Options{.reconnect_min_ms = 20, .reconnect_max_ms = 100});
    redis_->Start();
    EXPECT_TRUE(RunUntil([&] { return redis_->connected(); })) << redis_->last_error();
    http_ = std::make_unique<CurlMulti>(io_);
  }

  ~OutboxTest() override {
    outboxes_.clear();
    http_.reset();
    redis_.reset();
    io_.restart();
    io_.poll();  // run what the teardown posted
  }

  Outbox& Make(OutboxOptions options) {
    outboxes_.push_back(
        std::make_unique<Outbox>(*redis_, *http_, Outbox::Adapters{{"fake", &adapter_}}, std::move(options)));
    return *outboxes_.back();
  }

  template <typename Pred>
  bool RunUntil(Pred pred, std::chrono::milliseconds timeout = 10000ms) {
    const auto until = Clock::now() + timeout;
    while (!pred()) {
      if (Clock::now() >= until) return false;
      io_.restart();
      io_.run_one_until(std::min(until, Clock::now() + 20ms));
    }
    return true;
  }

  void RunFor(std::chrono::milliseconds d) {
    const auto until = Clock::now() + d;
    RunUntil([&] { return Clock::now() >= until; }, d + 1000ms);
  }

  Status Enqueue(Outbox& outbox, const OutboundMessage& m) {
    std::optional<Status> out;
    outbox.Enqueue(m, [&](Status s) { out.emplace(std::move(s)); });
    EXPECT_FALSE(out.has_value()) << "the callback ran inside Enqueue()";
    EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
    return out.value_or(Internal("no answer"));
  }

  long long Pending() {
    Reply r = raw_.Run({"XPENDING", "hl:outbox", "senders"});
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return -1;  // no group yet
    return r->element[0]->integer;
  }

  // Field `name` of the newest dead letter, or "".
  std::string DeadField(const std::string& name) {
    Reply r = raw_.Run({"XREVRANGE", "hl:outbox:dead", "+", "-", "COUNT", "1"});
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements == 0) return "";
    const redisReply* fields = r->element[0]->element[1];
    for (std::size_t i = 0; i + 1 < fields->elements; i += 2) {
      if (std::string(fields->element[i]->str, fields->element[i]->len) == name) {
        return std::string(fields->element[i + 1]->str, fields->element[i + 1]->len);
      }
    }
    return "";
  }

  RedisServer server_;
  FakeProvider provider_;
  boost::asio::io_context io_;
  RawRedis raw_;
  TestAdapter adapter_;
  std::unique_ptr<redis::AsyncClient> redis_;
  std::unique_ptr<CurlMulti> http_;
  std::vector<std::unique_ptr<Outbox>> outboxes_;
};

// ---- Enqueue ---------------------------------------------------------------------

TEST_F(OutboxTest, EnqueueingTheSameIdTwiceAddsOneEntry) {
  Outbox& outbox = Make(FastOptions("a"));
  EXPECT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  EXPECT_EQ(Enqueue(outbox, Message("fake:SM1", "another text")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 1);
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM1"}), "q");
  EXPECT_GT(raw_.Ttl("hl:outbox:id:fake:SM1"), 86000);
  EXPECT_EQ(outbox.stats().queued, 1u);
  EXPECT_EQ(outbox.stats().duplicates, 1u);
}

TEST_F(OutboxTest, EnqueueRefusesBadIdsAndProvidersWithoutAnAdapter) {
  Outbox& outbox = Make(FastOptions("a"));
  EXPECT_EQ(Enqueue(outbox, Message("")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Enqueue(outbox, Message(std::string(257, 'x'))).code(), StatusCode::kInvalidArgument);
  OutboundMessage m = Message("other:1");
  m.provider = "other";
  EXPECT_EQ(Enqueue(outbox, m).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:outbox"}), 0);
}

// ---- sending ---------------------------------------------------------------------

TEST_F(OutboxTest, AQueuedMessageIsSentOnceThenAckedAndDeleted) {
  Metrics metrics;
  OutboxOptions options = FastOptions("a");
  options.metrics = &metrics;
  Outbox& outbox = Make(options);
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().sent == 1; }));

  std::vector<FakeRequest> seen = provider_.Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/messages");
  EXPECT_EQ(seen[0].Header("Idempotency-Key"), "fake:SM1");
  EXPECT_EQ(seen[0].body, std::string(kNumber) + "|+15005550006|Naloxone: call 1-800-555-0199");
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM1"}), "s");
  EXPECT_GT(raw_.Ttl("hl:outbox:id:fake:SM1"), 86000);
  EXPECT_EQ(outbox.in_flight(), 0);

  // Nothing in Redis holds the number once sent.
  for (const std::string& key : raw_.AllKeys()) {
    EXPECT_EQ(key.find("6045550123"), std::string::npos) << key;
    if (raw_.Str({"TYPE", key}) == "string") {
      EXPECT_EQ(raw_.Str({"GET", key}).find("6045550123"), std::string::npos);
    }
  }
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("helpline_outbox_events_total{event=\"queued\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("helpline_outbox_events_total{event=\"sent\"} 1"), std::string::npos) << text;
}

TEST_F(OutboxTest, MessagesQueuedBeforeStartAreSentAfterIt) {
  Outbox& outbox = Make(FastOptions("a"));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Enqueue(outbox, Message("fake:" + std::to_string(i))).ok());
  outbox.Start();
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().sent == 20; }));
  EXPECT_EQ(provider_.request_count(), 20u);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
}

TEST_F(OutboxTest, A503IsRetriedWithBackoffUntilItSucceeds) {
  std::atomic<int> calls{0};
  provider_.SetHandler([&](const FakeRequest&) {
    return ++calls <= 2 ? FakeResponse{.status = 503, .headers = {}, .body = "{}"} : FakeResponse{};
  });
  Outbox& outbox = Make(FastOptions("a"));
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().sent == 1; }));
  EXPECT_EQ(provider_.request_count(), 3u);
  EXPECT_EQ(provider_.DeliveredCount("fake:SM1"), 1);
  const OutboxStats s = outbox.stats();
  EXPECT_EQ(s.retried, 2u);
  EXPECT_EQ(s.failed_5xx, 2u);
  EXPECT_EQ(s.dead, 0u);
  EXPECT_EQ(raw_.Int({"ZCARD", "hl:outbox:retry"}), 0);
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:outbox:retry:fake:SM1"}), 0);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
}

TEST_F(OutboxTest, ARetryWaitsInRedisWithItsAttemptCount) {
  provider_.SetPolicy({.status = 503});
  OutboxOptions options = FastOptions("a");
  options.backoff_base_ms = 60000;  // long enough to look at
  options.backoff_cap_ms = 60000;
  Outbox& outbox = Make(options);
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().retried == 1; }));
  EXPECT_EQ(raw_.Int({"ZCARD", "hl:outbox:retry"}), 1);
  EXPECT_EQ(raw_.Field("hl:outbox:retry:fake:SM1", "attempt"), "1");
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
  EXPECT_EQ(Pending(), 0);  // waiting retries are not pending: never reclaimed early
}

TEST_F(OutboxTest, ATransportFailureIsRetried) {
  provider_.SetHandler([&](const FakeRequest& r) {
    FakeResponse out;
    out.close_without_answer = r.n == 1;
    return out;
  });
  Outbox& outbox = Make(FastOptions("a"));
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().sent == 1; }));
  EXPECT_EQ(outbox.stats().failed_transport, 1u);
  EXPECT_EQ(outbox.stats().retried, 1u);
}

TEST_F(OutboxTest, A429RetryAfterIsHonouredOverAShorterBackoff) {
  std::mutex mu;
  std::vector<Clock::time_point> at;
  provider_.SetHandler([&](const FakeRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    at.push_back(Clock::now());
    if (r.n == 1) return FakeResponse{.status = 429, .headers = {{"Retry-After", "1"}}, .body = "{}"};
    return FakeResponse{};
  });
  Outbox& outbox = Make(FastOptions("a"));  // backoff at most 100 ms
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().sent == 1; }));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(at.size(), 2u);
  EXPECT_GE(at[1] - at[0], 950ms);
  EXPECT_LT(at[1] - at[0], 3000ms);
  EXPECT_EQ(outbox.stats().failed_429, 1u);
}

TEST_F(OutboxTest, A400IsDeadLetteredAtOnce) {
  provider_.SetPolicy({.status = 400, .body = R"({"code":21211})"});
  Outbox& outbox = Make(FastOptions("a"));
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().dead == 1; }));
  EXPECT_EQ(provider_.request_count(), 1u);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox:dead"}), 1);
  EXPECT_EQ(DeadField("id"), "fake:SM1");
  EXPECT_EQ(DeadField("reason"), "fake 400");
  EXPECT_EQ(DeadField("attempts"), "1");
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM1"}), "d");
  EXPECT_EQ(outbox.stats().failed_4xx, 1u);
  // A provider retrying its webhook cannot queue it again.
  EXPECT_EQ(Enqueue(outbox, Message("fake:SM1")).code(), StatusCode::kAlreadyExists);
}

TEST_F(OutboxTest, AfterMaxAttemptsTheMessageIsDeadLettered) {
  provider_.SetPolicy({.status = 503});
  OutboxOptions options = FastOptions("a");
  options.max_attempts = 3;
  Outbox& outbox = Make(options);
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().dead == 1; }));
  EXPECT_EQ(provider_.request_count(), 3u);
  EXPECT_EQ(outbox.stats().retried, 2u);
  EXPECT_EQ(DeadField("attempts"), "3");
  EXPECT_EQ(DeadField("reason"), "max attempts; last: fake 503");
  EXPECT_EQ(raw_.Int({"ZCARD", "hl:outbox:retry"}), 0);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
}

TEST_F(OutboxTest, ALongRunOfFailuresWritesABoundedNumberOfLogLines) {
  // 503 then dead after 2 attempts: 40 messages make 40 retries and 40 dead
  // letters within a second; the log keeps 20 lines of each kind a minute.
  provider_.SetPolicy({.status = 503});
  OutboxOptions options = FastOptions("a");
  options.max_attempts = 2;
  options.log = true;
  Outbox& outbox = Make(options);
  outbox.Start();
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(Enqueue(outbox, Message("fake:SM" + std::to_string(i))).ok());
  const bool all_dead = RunUntil([&] { return outbox.stats().dead == 40; }, 20000ms);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(all_dead) << outbox.stats().dead;
  EXPECT_EQ(outbox.stats().retried, 40u);
  auto count = [&](std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("outbox event=retry "), 20u) << log;
  EXPECT_EQ(count("outbox event=dead "), 20u) << log;
  EXPECT_EQ(count("held_back=0\n"), 40u) << log;  // nothing held back before a line in the first window
  EXPECT_EQ(log.find(kNumber), std::string::npos) << "a phone number was logged";
}

TEST_F(OutboxTest, AMessageTheAdapterCannotBuildIsDeadLettered) {
  Outbox& outbox = Make(FastOptions("a"));
  outbox.Start();
  OutboundMessage m = Message("fake:SM1");
  m.to.clear();
  ASSERT_TRUE(Enqueue(outbox, m).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().dead == 1; }));
  EXPECT_EQ(provider_.request_count(), 0u);
  EXPECT_EQ(DeadField("reason"), "cannot build the request: empty recipient");
}

// ---- crashes, sharing, Redis trouble ----------------------------------------------

TEST_F(OutboxTest, ADeadConsumersPendingEntriesAreReclaimedAndSent) {
  Outbox& producer = Make(FastOptions("producer"));
  ASSERT_TRUE(Enqueue(producer, Message("fake:SM1")).ok());
  // A consumer that reads and dies before acking.
  ASSERT_EQ(raw_.Str({"XGROUP", "CREATE", "hl:outbox", "senders", "0"}), "OK");
  Reply read = raw_.Run({"XREADGROUP", "GROUP", "senders", "ghost", "COUNT", "10", "STREAMS", "hl:outbox", ">"});
  ASSERT_EQ(read->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(Pending(), 1);

  OutboxOptions options = FastOptions("survivor");
  options.claim_idle_ms = 300;
  Outbox& survivor = Make(options);
  const auto start = Clock::now();
  survivor.Start();
  ASSERT_TRUE(RunUntil([&] { return survivor.stats().sent == 1; }));
  EXPECT_GE(Clock::now() - start, 250ms);  // not before claim_idle
  EXPECT_EQ(survivor.stats().reclaimed, 1u);
  EXPECT_EQ(provider_.request_count(), 1u);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
}

TEST_F(OutboxTest, AnIdAlreadyMarkedSentIsAckedWithoutSendingAgain) {
  Outbox& producer = Make(FastOptions("producer"));
  ASSERT_TRUE(Enqueue(producer, Message("fake:SM1")).ok());
  ASSERT_TRUE(Enqueue(producer, Message("fake:SM2")).ok());
  // A consumer took SM1, the provider accepted it, the sent marker landed,
  // then it died before acking (SM2 it never read).
  ASSERT_EQ(raw_.Str({"XGROUP", "CREATE", "hl:outbox", "senders", "0"}), "OK");
  raw_.Run({"XREADGROUP", "GROUP", "senders", "ghost", "COUNT", "1", "STREAMS", "hl:outbox", ">"});
  ASSERT_EQ(raw_.Str({"SET", "hl:outbox:id:fake:SM1", "s"}), "OK");
  ASSERT_EQ(raw_.Str({"SET", "hl:outbox:id:fake:SM2", "s"}), "OK");  // e.g. sent by an older copy

  OutboxOptions options = FastOptions("survivor");
  options.claim_idle_ms = 200;
  Outbox& survivor = Make(options);
  survivor.Start();
  ASSERT_TRUE(RunUntil([&] { return survivor.stats().skipped == 2; }));
  EXPECT_EQ(provider_.request_count(), 0u);
  EXPECT_EQ(survivor.stats().sent, 0u);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
}

TEST_F(OutboxTest, TwoOutboxesSharingTheStreamDeliverEachMessageOnce) {
  provider_.SetPolicy({.delay_ms = 2, .fail_every = 7, .honour_idempotency = false});
  OutboxOptions a = FastOptions("a");
  OutboxOptions b = FastOptions("b");
  a.batch = b.batch = 8;
  a.max_in_flight = b.max_in_flight = 16;
  Outbox& first = Make(a);
  Outbox& second = Make(b);
  first.Start();
  second.Start();
  constexpr int kMessages = 300;
  int answered = 0;
  for (int i = 0; i < kMessages; ++i) {
    (i % 2 == 0 ? first : second).Enqueue(Message("fake:" + std::to_string(i)), [&](Status s) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      ++answered;
    });
  }
  ASSERT_TRUE(RunUntil([&] { return first.stats().sent + second.stats().sent == kMessages; }, 20000ms))
      << first.stats().sent << " + " << second.stats().sent;
  EXPECT_EQ(answered, kMessages);
  const std::map<std::string, int> delivered = provider_.Delivered();
  EXPECT_EQ(delivered.size(), static_cast<std::size_t>(kMessages));
  for (const auto& [id, n] : delivered) EXPECT_EQ(n, 1) << id;
  EXPECT_GT(first.stats().sent, 0u);
  EXPECT_GT(second.stats().sent, 0u);
  EXPECT_GT(first.stats().retried + second.stats().retried, 0u);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
  EXPECT_EQ(Pending(), 0);
}

TEST_F(OutboxTest, StopLeavesTheEntryPendingAndAnotherWorkerFinishesIt) {
  provider_.SetPolicy({.delay_ms = 1500});
  Outbox& leaving = Make(FastOptions("leaving"));
  leaving.Start();
  ASSERT_TRUE(Enqueue(leaving, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return provider_.request_count() == 1; }));
  leaving.Stop();
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 1);

  provider_.SetPolicy({});
  OutboxOptions options = FastOptions("taking-over");
  options.claim_idle_ms = 300;
  Outbox& taking_over = Make(options);
  taking_over.Start();
  ASSERT_TRUE(RunUntil([&] { return taking_over.stats().sent == 1; }));
  EXPECT_EQ(leaving.stats().sent, 0u);  // its late answer is ignored
  // The provider saw the id twice but, by its idempotency key, delivered once.
  RunUntil([&] { return provider_.request_count() == 2; });
  EXPECT_EQ(provider_.DeliveredCount("fake:SM1"), 1);
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
}

TEST_F(OutboxTest, DrainFinishesTheSendsInFlightAndFetchesNothingNew) {
  provider_.SetPolicy({.delay_ms = 800});
  OutboxOptions options = FastOptions("draining");
  options.max_in_flight = 2;
  options.batch = 2;
  Outbox& outbox = Make(options);
  outbox.Start();
  for (const char* id : {"fake:SM1", "fake:SM2", "fake:SM3", "fake:SM4"})
    ASSERT_TRUE(Enqueue(outbox, Message(id)).ok());
  ASSERT_TRUE(RunUntil([&] { return provider_.request_count() == 2; }));
  bool drained = false;
  outbox.Drain([&] { drained = true; });
  EXPECT_FALSE(drained) << "done runs on the loop, never inside Drain()";
  ASSERT_TRUE(RunUntil([&] { return drained; }, 5000ms));
  EXPECT_EQ(outbox.stats().sent, 2u);
  EXPECT_EQ(outbox.in_flight(), 0);
  EXPECT_EQ(Pending(), 0) << "both outcomes recorded before done";
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 2) << "the two not fetched wait in the stream";
  RunFor(300ms);
  EXPECT_EQ(provider_.request_count(), 2u) << "nothing fetched after the drain";
  // A drain when nothing runs answers at once.
  bool again = false;
  outbox.Drain([&] { again = true; });
  EXPECT_TRUE(RunUntil([&] { return again; }, 1000ms));
}

TEST_F(OutboxTest, DeadLettersOlderThanTheirTtlAreDeleted) {
  provider_.SetPolicy({.status = 400});
  OutboxOptions options = FastOptions("a");
  options.dead_letter_ttl_s = 1;
  Outbox& outbox = Make(options);
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().dead == 1; }));
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox:dead"}), 1);
  // Gone about a second later (checked at each claim, every 100 ms here),
  // without any new dead letter to trigger it.
  const auto dead_at = Clock::now();
  ASSERT_TRUE(RunUntil([&] { return raw_.Int({"XLEN", "hl:outbox:dead"}) == 0; }, 5000ms));
  const auto kept_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - dead_at).count();
  EXPECT_GE(kept_ms, 800) << "kept for its TTL";
  EXPECT_LE(kept_ms, 1600) << "and not much longer";
}

TEST_F(OutboxTest, ADeliveryReportCarryingOurIdIsJoinedToIt) {
  Outbox& outbox = Make(FastOptions("a"));
  auto read = [&](const std::string& id) {
    std::optional<Result<OutboundReport>> out;
    outbox.ReadReport(id, [&](Result<OutboundReport> r) { out.emplace(std::move(r)); });
    EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
    return out.value_or(Internal("no answer"));
  };
  EXPECT_EQ(read("twilio:SM1").status().code(), StatusCode::kNotFound);
  int errors = 0;
  outbox.RecordDelivery({.provider = "twilio",
                         .provider_message_id = "SMabc",
                         .client_ref = "twilio:SM1",
                         .state = "sent",
                         .error_code = ""},
                        [&](Status) { ++errors; });
  outbox.RecordDelivery({.provider = "twilio",
                         .provider_message_id = "SMabc",
                         .client_ref = "twilio:SM1",
                         .state = "undelivered",
                         .error_code = "30003"},
                        [&](Status) { ++errors; });
  const Result<OutboundReport> r = read("twilio:SM1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->provider, "twilio");
  EXPECT_EQ(r->provider_message_id, "SMabc");
  EXPECT_EQ(r->state, "undelivered") << "the latest report wins";
  EXPECT_EQ(r->error_code, "30003");
  EXPECT_GT(r->at, 1700000000);
  EXPECT_EQ(errors, 0);
  EXPECT_GT(raw_.Int({"TTL", "hl:outbox:report:twilio:SM1"}), 0) << "it expires";
  // A report without our id is kept by the provider's id only.
  outbox.RecordDelivery(
      {.provider = "twilio", .provider_message_id = "SMdef", .client_ref = "", .state = "sent", .error_code = ""},
      [&](Status) { ++errors; });
  RunUntil([&] { return raw_.Int({"EXISTS", "hl:delivery:twilio:SMdef"}) == 1; });
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:delivery:twilio:SMdef"}), 1);
  Reply joined = raw_.Run({"KEYS", "hl:outbox:report:*"});
  ASSERT_NE(joined, nullptr);
  EXPECT_EQ(joined->elements, 1u);
}

TEST_F(OutboxTest, ASendStartedIsMarkedSendingBeforeItsRequestLeaves) {
  provider_.SetPolicy({.delay_ms = 1500});
  Outbox& outbox = Make(FastOptions("a"));
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM1"}), "q");
  ASSERT_TRUE(RunUntil([&] { return provider_.request_count() == 1; }));
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM1"}), "p");
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().sent == 1; }));
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM1"}), "s");
}

TEST_F(OutboxTest, AnAbandonedSendWithAJoinedDeliveryReportIsMarkedSentNotSentAgain) {
  provider_.SetPolicy({.delay_ms = 1500});
  Outbox& leaving = Make(FastOptions("leaving"));
  leaving.Start();
  ASSERT_TRUE(Enqueue(leaving, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return provider_.request_count() == 1; }));
  leaving.Stop();  // as if it died: the provider has the message, nothing recorded
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM1"}), "p");
  // The provider's report, carrying our id, reaches another daemon.
  leaving.RecordDelivery(
      {.provider = "fake", .provider_message_id = "M1", .client_ref = "fake:SM1", .state = "sent", .error_code = ""},
      [](Status) {});
  ASSERT_TRUE(RunUntil([&] { return raw_.Int({"EXISTS", "hl:outbox:report:fake:SM1"}) == 1; }));

  provider_.SetPolicy({.honour_idempotency = false});
  OutboxOptions options = FastOptions("taking-over");
  options.claim_idle_ms = 300;
  Outbox& taking_over = Make(options);
  taking_over.Start();
  ASSERT_TRUE(RunUntil([&] { return taking_over.stats().confirmed == 1; }));
  RunFor(300ms);
  EXPECT_EQ(provider_.request_count(), 1u) << "not sent again";
  EXPECT_EQ(taking_over.stats().uncertain, 0u);
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM1"}), "s");
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0);
}

TEST_F(OutboxTest, AnAbandonedSendWithoutAReportIsSentAgainAndCountedUncertain) {
  provider_.SetPolicy({.delay_ms = 1500, .honour_idempotency = false});
  Outbox& leaving = Make(FastOptions("leaving"));
  leaving.Start();
  ASSERT_TRUE(Enqueue(leaving, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return provider_.request_count() == 1; }));
  leaving.Stop();

  provider_.SetPolicy({.honour_idempotency = false});
  OutboxOptions options = FastOptions("taking-over");
  options.claim_idle_ms = 300;
  Outbox& taking_over = Make(options);
  taking_over.Start();
  ASSERT_TRUE(RunUntil([&] { return taking_over.stats().sent == 1; }));
  EXPECT_EQ(taking_over.stats().uncertain, 1u);
  EXPECT_EQ(taking_over.stats().confirmed, 0u);
  EXPECT_EQ(provider_.DeliveredCount("fake:SM1"), 2) << "no idempotency, no report: the price of not losing it";
}

TEST_F(OutboxTest, ARefusedAttemptGoesBackToQueuedButATimedOutOneStaysSending) {
  provider_.SetPolicy({.status = 503});
  OutboxOptions options = FastOptions("a");
  options.backoff_base_ms = 5000;  // keep it waiting in the retry set
  options.backoff_cap_ms = 5000;
  Outbox& outbox = Make(options);
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM1")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().retried == 1; }));
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM1"}), "q") << "a 503 is an answer: not sent";
  provider_.SetPolicy({.close_every = 1});
  ASSERT_TRUE(Enqueue(outbox, Message("fake:SM2")).ok());
  ASSERT_TRUE(RunUntil([&] { return raw_.Str({"ZSCORE", "hl:outbox:retry", "fake:SM2"}) != ""; }));
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:fake:SM2"}), "p") << "no answer: it may have been taken";
}

// Issue 15 observed a large send stalling after a restart with 503s
// injected: 1000 messages, every 3rd request refused, the first worker
// stopped halfway (its sends abandoned, as by a crash), a second one
// finishes them all. (It has not reproduced the stall: it passes at 1000
// and 2000 messages; the stall seen was with the alerts CLI and real
// daemons.)
TEST_F(OutboxTest, ALargeSendUnder503sFinishesAfterAWorkerIsReplacedMidway) {
  constexpr int kMessages = 1000;
  provider_.SetPolicy({.delay_ms = 20, .fail_every = 3, .fail_status = 503, .keep_requests = false});
  OutboxOptions first = FastOptions("first");
  first.max_attempts = 20;
  Outbox& a = Make(first);
  for (int i = 0; i < kMessages; ++i) {
    std::optional<Status> out;
    a.Enqueue(Message("fake:bulk" + std::to_string(i)), [&](Status st) { out.emplace(std::move(st)); });
    ASSERT_TRUE(RunUntil([&] { return out.has_value(); }));
  }
  a.Start();
  ASSERT_TRUE(RunUntil([&] { return provider_.delivered_total() >= kMessages / 2; }, 60000ms));
  a.Stop();
  OutboxOptions second = FastOptions("second");
  second.max_attempts = 20;
  second.claim_idle_ms = 500;
  Outbox& b = Make(second);
  b.Start();
  const bool all =
      RunUntil([&] { return provider_.Delivered().size() == static_cast<std::size_t>(kMessages); }, 60000ms);
  EXPECT_TRUE(all) << provider_.Delivered().size() << " of " << kMessages << " delivered; retry set "
                   << raw_.Int({"ZCARD", "hl:outbox:retry"}) << ", stream " << raw_.Int({"XLEN", "hl:outbox"})
                   << ", pending " << Pending() << ", dead " << raw_.Int({"XLEN", "hl:outbox:dead"});
  EXPECT_TRUE(RunUntil([&] { return raw_.Int({"XLEN", "hl:outbox"}) == 0 && Pending() == 0; }, 10000ms));
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox:dead"}), 0);
}

TEST_F(OutboxTest, WhenRedisIsDownEnqueueIsUnavailableAndWorkersResumeWhenItReturns) {
  Outbox& outbox = Make(FastOptions("a"));
  outbox.Start();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:before")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().sent == 1; }));

  const std::string socket = server_.socket_path();
  server_.Kill();
  RunUntil([&] { return !redis_->connected(); });
  EXPECT_EQ(Enqueue(outbox, Message("fake:during")).code(), StatusCode::kUnavailable);
  RunFor(200ms);
  EXPECT_GT(outbox.stats().redis_errors, 0u);

  // A new redis-server on the same socket (an empty one: no persistence in tests).
  std::filesystem::remove(socket);
  const std::string dir = std::filesystem::path(socket).parent_path();
  BackgroundProcess again({"/usr/bin/redis-server", "--port", "0", "--unixsocket", socket, "--unixsocketperm", "700",
                           "--save", "", "--appendonly", "no", "--dir", dir, "--logfile", dir + "/redis2.log"});
  ASSERT_TRUE(RunUntil([&] { return redis_->connected(); })) << redis_->last_error();
  ASSERT_TRUE(Enqueue(outbox, Message("fake:after")).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox.stats().sent == 2; }));
  EXPECT_EQ(provider_.DeliveredCount("fake:after"), 1);
  EXPECT_EQ(provider_.DeliveredCount("fake:during"), 0);
  outboxes_.clear();
  redis_->Stop();
}

}  // namespace
}  // namespace helpline::daemon
