// What happens to an alert after it is queued (issue 13), against a real
// redis-server: its status joins each send's delivery report
// (P outbox:report:alert:{id}:{hash}) to say held / queued / sent /
// delivered / undelivered / failed per recipient, also for 10,000 recipients
// (timed); POST /v1/alerts/{id}/cancel stops what is not sent yet (404
// unknown, 409 cancelled before or finished); each stored report is
// forwarded through the outbox to a loopback receiver, signed, retried while
// the receiver fails and dead-lettered when it refuses.

#include <chrono>
#include <cstdio>
#include <string>

#include "common/crypto.h"
#include "daemon/alerts/alert_api.h"
#include "daemon/alerts/alert_send.h"
#include "daemon/alerts/report_forward.h"
#include "daemon/curl_multi.h"
#include "daemon/outbox.h"
#include "tests/daemon/alerts_redis_fixture.h"
#include "tests/support/fake_provider.h"

namespace helpline::daemon::alerts {
namespace {

using helpline::testing::FakeProvider;
using helpline::testing::FakeRequest;
using helpline::testing::FakeResponse;

class AlertDeliveryTest : public AlertsRedisTest {
 protected:
  ~AlertDeliveryTest() override {
    outbox_.reset();
    http_.Stop();
  }

  // An alert record `id` (state queued) with `n` recipients "h0".."h{n-1}".
  void Alert(const std::string& id, int n) {
    raw_.Run({"HSET", "hl:alert:send:" + id, "state", "queued", "region", "CA-BC", "created", "1", "text:en", "x"});
    raw_.Run({"EVAL", "for i = 0, tonumber(ARGV[1]) - 1 do redis.call('SADD', KEYS[1], 'h' .. i) end", "1",
              "hl:alert:send:" + id + ":to", std::to_string(n)});
  }
  std::string Marker(const std::string& id, const std::string& h) { return "hl:outbox:id:alert:" + id + ":" + h; }
  std::string Joined(const std::string& id, const std::string& h) { return "hl:outbox:report:alert:" + id + ":" + h; }

  AlertStatus StatusOf(const std::string& id) {
    auto s = Wait<Result<std::optional<AlertStatus>>>([&](auto cb) { ReadAlertStatus(*redis_, "hl:", id, cb); });
    EXPECT_TRUE(s.ok() && s->has_value()) << (s.ok() ? "none" : s.status().message());
    return s.ok() && s->has_value() ? **s : AlertStatus{};
  }

  ApiAnswer Call(const std::string& method, const std::string& path) {
    AlertApi api(*redis_, nullptr, AlertApiOptions{});
    HttpRequest req;
    req.method = method;
    req.target = path;
    return Wait<ApiAnswer>([&](auto cb) { api.Handle(req, path, "", cb); });
  }

  // An outbox on this loop whose only adapter forwards reports to `url`.
  void ForwardTo(const std::string& url, const std::string& secret) {
    forwarder_ = std::make_unique<ReportForwarder>(ReportForwardConfig{url, secret});
    OutboxOptions o;
    o.consumer = "test:1:0";
    o.log = false;
    o.poll_interval_ms = 20;
    o.backoff_base_ms = 50;
    o.backoff_cap_ms = 100;
    o.max_attempts = 5;
    outbox_ = std::make_unique<Outbox>(*redis_, http_,
                                       Outbox::Adapters{{std::string(kReportForwardProvider), forwarder_.get()}}, o);
    outbox_->Start();
  }

  CurlMulti http_{io_};
  std::unique_ptr<ReportForwarder> forwarder_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(AlertDeliveryTest, EachRecipientIsCountedOnceWhereItIsWithItsDeliveryReportJoined) {
  Alert("a1", 10);
  raw_.Run({"ZADD", "hl:alert:due", "0", "a1:h0"});  // held
  raw_.Run({"SET", Marker("a1", "h1"), "q"});        // queued
  raw_.Run({"SET", Marker("a1", "h2"), "p"});        // being sent
  raw_.Run({"SET", Marker("a1", "h3"), "s"});        // sent, no report yet
  raw_.Run({"SET", Marker("a1", "h4"), "s"});        // sent, reported sent
  raw_.Run({"HSET", Joined("a1", "h4"), "state", "sent"});
  raw_.Run({"SET", Marker("a1", "h5"), "s"});  // delivered
  raw_.Run({"HSET", Joined("a1", "h5"), "state", "delivered"});
  raw_.Run({"SET", Marker("a1", "h6"), "s"});  // undelivered
  raw_.Run({"HSET", Joined("a1", "h6"), "state", "undelivered"});
  raw_.Run({"SET", Marker("a1", "h7"), "p"});  // a crash lost the outcome; reported delivered
  raw_.Run({"HSET", Joined("a1", "h7"), "state", "delivered"});
  raw_.Run({"SET", Marker("a1", "h8"), "d"});  // dead-lettered
  // h9: no marker (expired)
  const AlertStatus s = StatusOf("a1");
  EXPECT_EQ(s.held, 1);
  EXPECT_EQ(s.queued, 2);
  EXPECT_EQ(s.sent, 2);
  EXPECT_EQ(s.delivered, 2);
  EXPECT_EQ(s.undelivered, 1);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.expired, 1);
  const std::string json = AlertStatusJson(s);
  EXPECT_NE(json.find("\"delivered\":2,\"undelivered\":1"), std::string::npos) << json;
}

// The figure in docs/BENCHMARKS.md ("alert status"): 10,000 recipients,
// one script per page of 1000.
TEST_F(AlertDeliveryTest, TenThousandRecipientsAreCountedQuickly) {
  constexpr int kN = 10000;
  Alert("big", kN);
  // A quarter each: delivered, sent without a report, undelivered, queued.
  raw_.Run({"EVAL", R"lua(
for i = 0, tonumber(ARGV[1]) - 1 do
  local k = i % 4
  local m = 'hl:outbox:id:alert:big:h' .. i
  local r = 'hl:outbox:report:alert:big:h' .. i
  if k == 3 then redis.call('SET', m, 'q') else redis.call('SET', m, 's') end
  if k == 0 then redis.call('HSET', r, 'state', 'delivered', 'provider', 'telnyx') end
  if k == 2 then redis.call('HSET', r, 'state', 'failed', 'provider', 'telnyx') end
end)lua",
            "0", std::to_string(kN)});
  double best_ms = 1e9;
  AlertStatus s;
  for (int run = 0; run < 3; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    s = StatusOf("big");
    best_ms =
        std::min(best_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  EXPECT_EQ(s.delivered, kN / 4);
  EXPECT_EQ(s.sent, kN / 4);
  EXPECT_EQ(s.undelivered, kN / 4);
  EXPECT_EQ(s.queued, kN / 4);
  std::printf("[ status   ] %d recipients read in %.1f ms (best of 3)\n", kN, best_ms);
  EXPECT_LT(best_ms, 3000.0) << "one round trip per 1000 recipients";
}

TEST_F(AlertDeliveryTest, CancelThroughTheApiStopsWhatIsLeftAndRefusesTheFinishedAndUnknown) {
  Alert("c1", 3);
  raw_.Run({"ZADD", "hl:alert:due", "0", "c1:h0"});
  raw_.Run({"SET", Marker("c1", "h1"), "q"});
  raw_.Run({"SET", Marker("c1", "h2"), "s"});
  EXPECT_EQ(Call("GET", "/v1/alerts/c1/cancel").response.status, 405);
  EXPECT_EQ(Call("POST", "/v1/alerts/nope/cancel").response.status, 404);
  EXPECT_EQ(Call("POST", "/v1/alerts/bad!id/cancel").response.status, 404);
  ApiAnswer a = Call("POST", "/v1/alerts/c1/cancel");
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(a.response.body, "{\"id\":\"c1\",\"state\":\"cancelled\",\"stopped\":2}\n");
  EXPECT_EQ(raw_.Int({"ZCARD", "hl:alert:due"}), 0);
  EXPECT_EQ(raw_.Str({"GET", Marker("c1", "h1")}), "s") << "workers drop it";
  const AlertStatus s = StatusOf("c1");
  EXPECT_EQ(s.state, "cancelled");
  EXPECT_EQ(s.cancelled, 2);
  EXPECT_EQ(s.sent, 1);
  a = Call("POST", "/v1/alerts/c1/cancel");
  EXPECT_EQ(a.response.status, 409) << a.response.body;
  EXPECT_NE(a.response.body.find("cancelled before"), std::string::npos) << a.response.body;

  // Finished: everything handed over and sent; nothing to stop.
  Alert("c2", 2);
  raw_.Run({"SET", Marker("c2", "h0"), "s"});
  raw_.Run({"SET", Marker("c2", "h1"), "d"});
  a = Call("POST", "/v1/alerts/c2/cancel");
  EXPECT_EQ(a.response.status, 409) << a.response.body;
  EXPECT_NE(a.response.body.find("finished"), std::string::npos) << a.response.body;
  EXPECT_EQ(raw_.Str({"HGET", "hl:alert:send:c2", "state"}), "queued");
}

TEST(ReportForwardUrl, HttpsOrLoopbackHttpOnly) {
  EXPECT_TRUE(CheckReportForwardUrl("").ok());
  EXPECT_TRUE(CheckReportForwardUrl("https://health.example/bad-batch").ok());
  EXPECT_TRUE(CheckReportForwardUrl("http://127.0.0.1:8080/r").ok());
  EXPECT_TRUE(CheckReportForwardUrl("http://localhost/r").ok());
  EXPECT_TRUE(CheckReportForwardUrl("http://[::1]:9/r").ok());
  EXPECT_FALSE(CheckReportForwardUrl("http://health.example/r").ok());
  EXPECT_FALSE(CheckReportForwardUrl("http://127.0.0.1.evil.example/r").ok());
  EXPECT_FALSE(CheckReportForwardUrl("http://localhost.evil.example/r").ok());
  EXPECT_FALSE(CheckReportForwardUrl("https://user:pw@health.example/r").ok());
  EXPECT_FALSE(CheckReportForwardUrl("ftp://health.example/r").ok());
  EXPECT_FALSE(CheckReportForwardUrl("https:///r").ok());
}

// The receiver's side of X-Helpline-Signature: "t=T,v1=HEX" with HEX the
// HMAC-SHA256 of "T." + body, recomputed here from the documented rule.
bool Verifies(const FakeRequest& r, const std::string& secret) {
  const std::string sig = r.Header("X-Helpline-Signature");
  const std::size_t comma = sig.find(",v1=");
  if (!sig.starts_with("t=") || comma == std::string::npos) return false;
  const std::string t = sig.substr(2, comma - 2);
  return ConstantTimeEquals(HexLower(Hmac(Digest::kSha256, secret, t + "." + r.body)), sig.substr(comma + 4));
}

TEST_F(AlertDeliveryTest, AReportIsForwardedSignedThroughTheOutboxAndRetriedUntilTheReceiverRecovers) {
  FakeProvider receiver;
  int calls = 0;
  receiver.SetHandler([&calls](const FakeRequest&) {
    // Down twice (503, then 500), then up.
    ++calls;
    return calls <= 2 ? FakeResponse{.status = calls == 1 ? 503 : 500} : FakeResponse{.status = 204, .body = ""};
  });
  ForwardTo(receiver.Url("/bad-batch"), "forward-secret-1");
  const Report report{.id = 42, .at = 1768449600, .region = "CA-BC", .language = "en", .text = "grey pills downtown"};
  ASSERT_TRUE(Wait<Status>([&](auto cb) { outbox_->Enqueue(ReportForwardMessage(report), cb); }).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox_->stats().sent == 1; })) << "retried until the receiver took it";
  const auto seen = receiver.Requests();
  ASSERT_EQ(seen.size(), 3u);
  const FakeRequest& last = seen.back();
  EXPECT_EQ(last.target, "/bad-batch");
  EXPECT_EQ(last.body, R"({"id":42,"at":1768449600,"region":"CA-BC","language":"en","text":"grey pills downtown"})");
  EXPECT_EQ(last.Header("Content-Type"), "application/json");
  EXPECT_EQ(last.Header("Idempotency-Key"), "report:42");
  EXPECT_TRUE(Verifies(last, "forward-secret-1")) << last.Header("X-Helpline-Signature");
  EXPECT_FALSE(Verifies(last, "another-secret"));
  EXPECT_EQ(outbox_->stats().retried, 2u);
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:report:42"}), "s");
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 0) << "the entry is gone once sent";
}

TEST_F(AlertDeliveryTest, AReceiverThatRefusesAReportGetsItDeadLetteredUnsigned) {
  FakeProvider receiver({.status = 400, .body = "{}"});
  ForwardTo(receiver.Url("/r"), "");
  const Report report{.id = 7, .at = 1, .region = "US-WA", .language = "es", .text = "polvo azul"};
  ASSERT_TRUE(Wait<Status>([&](auto cb) { outbox_->Enqueue(ReportForwardMessage(report), cb); }).ok());
  ASSERT_TRUE(RunUntil([&] { return outbox_->stats().dead == 1; }));
  EXPECT_EQ(receiver.request_count(), 1u) << "a 4xx is not retried";
  EXPECT_EQ(receiver.Requests()[0].Header("X-Helpline-Signature"), "") << "no secret, no signature";
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox:dead"}), 1);
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:report:7"}), "d");
}

}  // namespace
}  // namespace helpline::daemon::alerts
