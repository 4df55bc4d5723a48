// The alert releaser against a real redis-server, on the real clock:
// held alert sends reach the outbox no faster than each sender number's and
// each provider's rate (the gaps are measured on the outbox stream's entry
// ids, which are Redis's millisecond clock, with bounds that load cannot
// break: see ExpectPaced), numbers pace independently (round by round, on
// a clock the test sets), and each member is handed over once.

#include "daemon/alerts/alert_release.h"

#include <algorithm>
#include <map>

#include "daemon/curl_multi.h"
#include "daemon/outbox.h"
#include "daemon/sender_store.h"
#include "tests/daemon/alerts_redis_fixture.h"

namespace helpline::daemon::alerts {
namespace {

constexpr const char* kKey = "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::string kData = std::string(HELPLINE_SOURCE_DIR) + "/data/engine";

class AlertReleaseTest : public AlertsRedisTest {
 protected:
  AlertReleaseTest() {
    cipher_ = std::make_unique<NumberCipher>(*NumberCipher::Parse(kKey));
    subs_ = std::make_unique<SubscriberStore>(*redis_, *cipher_, SubscriberStoreOptions{});
    conv_ = std::make_unique<AlertConversation>(*AlertConversation::Load(kData + "/alerts.json"));
    OutboxOptions oo;
    oo.log = false;
    outbox_ = std::make_unique<daemon::Outbox>(*redis_, http_, daemon::Outbox::Adapters{{"twilio", &adapter_}}, oo);
    raw_.Run({"HSET", "hl:alert:send:p1", "state", "queued", "text:en", "Grey pills: fentanyl"});
  }
  ~AlertReleaseTest() override {
    outbox_.reset();
    http_.Stop();
  }

  // A confirmed twilio subscriber written to through `from`, held for alert p1 now.
  void Hold(const std::string& number, const std::string& from) {
    const std::string hash = SenderHash("s", number);
    Subscription s{"CA-BC", "en", "twilio", gateway::MessageChannel::kSms, from};
    ASSERT_TRUE(Wait<Status>([&](auto cb) { subs_->Request(hash, s, cb); }).ok());
    ASSERT_TRUE(Wait<Result<std::optional<Subscription>>>([&](auto cb) { subs_->Confirm(hash, number, cb); }).ok());
    raw_.Run({"ZADD", "hl:alert:due", "0", "p1:" + hash});
  }

  // The outbox entries' hand-over times (ms), by our number.
  std::map<std::string, std::vector<long long>> HandedOver() {
    std::map<std::string, std::vector<long long>> out;
    auto r = raw_.Run({"XRANGE", "hl:outbox", "-", "+"});
    for (size_t i = 0; r && i < r->elements; ++i) {
      const long long ms = std::stoll(r->element[i]->element[0]->str);
      const redisReply* f = r->element[i]->element[1];
      for (size_t j = 0; j + 1 < f->elements; j += 2) {
        if (std::string(f->element[j]->str) == "from") out[f->element[j + 1]->str].push_back(ms);
      }
    }
    return out;
  }

  std::size_t Count() {
    std::size_t n = 0;
    for (auto& [_, v] : HandedOver()) n += v.size();
    return n;
  }

  static long long MinGap(const std::vector<long long>& t) {
    long long gap = 1LL << 40;
    for (std::size_t i = 1; i < t.size(); ++i) gap = std::min(gap, t[i] - t[i - 1]);
    return gap;
  }

  // Hand-over times `t` (Redis's clock, the stream ids) of members paced by
  // one key at `interval_ms`. Rounds run one after another, and a round
  // reads its clock (c[k], the claim's "now", the system clock as Redis's
  // is) after the previous round's enqueues were answered; claims under one
  // key are at least the interval apart. So hand-over k lies between c[k]
  // and c[k+1], and for i < j: t[j] - t[i] >= c[j] - c[i+1] >=
  // interval * (j - i - 1), however late the rounds run (load only spreads
  // them out). Two hand-overs can be closer than the interval (the first
  // one's enqueue slow, the next one's fast), but no window of 5 intervals
  // holds more than 6, and n of them span at least n - 2 intervals.
  static void ExpectPaced(const std::vector<long long>& t, long long interval_ms, const std::string& what) {
    for (std::size_t i = 0; i < t.size(); ++i) {
      for (std::size_t j = i + 1; j < t.size(); ++j) {
        EXPECT_GE(t[j] - t[i], interval_ms * static_cast<long long>(j - i - 1))
            << what << ": hand-overs " << i << " and " << j << " too close";
      }
    }
  }

  std::unique_ptr<NumberCipher> cipher_;
  std::unique_ptr<SubscriberStore> subs_;
  std::unique_ptr<AlertConversation> conv_;
  CurlMulti http_{io_};
  QueueOnlyAdapter adapter_{"twilio"};
  std::unique_ptr<daemon::Outbox> outbox_;
};

TEST(ReleaseRate, ADefaultThenProviderOverridesOrAReason) {
  auto r = ParseReleaseRate("1,telegram=30,telnyx=0.5");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->For("twilio"), 1);
  EXPECT_EQ(r->For("telegram"), 30);
  EXPECT_EQ(r->For("telnyx"), 0.5);
  for (const char* bad : {"", "twilio=1", "1,2", "-1", "1,=3", "fast", "1,telegram=20000"}) {
    EXPECT_FALSE(ParseReleaseRate(bad).ok()) << bad;
  }
}

TEST_F(AlertReleaseTest, EachSenderNumberIsPacedToItsRateAndNumbersPaceIndependently) {
  // The rate, on the real clock. Only bounds that load cannot break are
  // asserted: load delays rounds, which can only spread hand-overs out.
  for (int i = 0; i < 12; ++i) {
    Hold("+1604555" + std::to_string(1000 + i), "+15005550001");
    Hold("+1604555" + std::to_string(2000 + i), "+15005550002");
  }
  AlertReleaseOptions o;
  o.rates.per_number.fallback = 20;  // one every 50 ms
  AlertReleaser rel(*redis_, *outbox_, *cipher_, *conv_, o);
  const auto started = Clock::now();
  rel.Start();
  // A deadline, not a measurement (about 0.6 s unloaded).
  ASSERT_TRUE(RunUntil([&] { return Count() == 24 && rel.stats().released == 24; }, std::chrono::milliseconds(20000)))
      << Count();
  ASSERT_TRUE(RunUntil([&] {
    return raw_.Int({"ZCARD", "hl:alert:due"}) == 0;
  })) << "each member removed once handed over";
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  rel.Stop();
  auto by_number = HandedOver();
  ASSERT_EQ(by_number.size(), 2u);
  for (auto& [from, times] : by_number) {
    ASSERT_EQ(times.size(), 12u) << from;
    ExpectPaced(times, 50, from);
  }
  EXPECT_EQ(rel.stats().duplicates, 0u);
  std::printf(
      "[ measured ] 24 sends, 2 numbers at 20/s: %.3f s (one queue for both: >= 1.15 s); min gaps %lld and "
      "%lld ms\n",
      seconds, MinGap(by_number.begin()->second), MinGap(by_number.rbegin()->second));

  // Independence, round by round on a clock of our own (an hour ahead, past
  // the pace keys above): each round hands over one member of each number
  // and pushes the rest back by the interval; one queue for both numbers
  // would hand over one member a round. (This was a wall-clock bound on the
  // run above, < 1.1 s, which load can break.)
  for (int i = 0; i < 3; ++i) {
    Hold("+1604555" + std::to_string(3000 + i), "+15005550001");
    Hold("+1604555" + std::to_string(4000 + i), "+15005550002");
  }
  std::int64_t now = std::stoll(raw_.Run({"TIME"})->element[0]->str) * 1000 + 3600 * 1000;
  AlertReleaseOptions ticked = o;
  ticked.now_ms = [&now] { return now; };
  AlertReleaser ticker(*redis_, *outbox_, *cipher_, *conv_, ticked);
  for (int round = 0; round < 3; ++round) {
    auto r = Wait<Result<ReleaseRound>>([&](auto cb) { ticker.Tick(cb); });
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->released, 2u) << "round " << round << ": one member of each number";
    EXPECT_EQ(r->deferred, round == 0 ? 4u : 0u) << "round " << round;
    if (round < 2) {
      EXPECT_EQ(r->next_due_ms, now + 50) << "round " << round << ": the next members wait one interval";
    }
    now += 50;
  }
  by_number = HandedOver();
  for (auto& [from, times] : by_number) EXPECT_EQ(times.size(), 15u) << from;
  EXPECT_EQ(ticker.stats().duplicates, 0u);
}

TEST_F(AlertReleaseTest, AProvidersCapHoldsAcrossItsNumbers) {
  for (int i = 0; i < 8; ++i) {
    Hold("+1604555" + std::to_string(1000 + i), "+15005550001");
    Hold("+1604555" + std::to_string(2000 + i), "+15005550002");
  }
  AlertReleaseOptions o;
  o.rates.per_number.fallback = 0;                          // no cap per number
  o.rates.per_provider = *ParseReleaseRate("0,twilio=25");  // one every 40 ms for twilio
  AlertReleaser rel(*redis_, *outbox_, *cipher_, *conv_, o);
  rel.Start();
  ASSERT_TRUE(RunUntil([&] { return Count() == 16; }, std::chrono::milliseconds(20000))) << Count();
  rel.Stop();
  std::vector<long long> all;
  for (auto& [_, t] : HandedOver()) all.insert(all.end(), t.begin(), t.end());
  std::sort(all.begin(), all.end());
  ExpectPaced(all, 40, "twilio");
}

TEST_F(AlertReleaseTest, AMemberWhoseSubscriberLeftOrWhoseAlertWasCancelledIsDroppedUnsent) {
  Hold("+16045551000", "+15005550001");
  Hold("+16045551001", "+15005550001");
  ASSERT_TRUE(Wait<Result<bool>>([&](auto cb) { subs_->Remove(SenderHash("s", "+16045551001"), cb); }).ok());
  raw_.Run({"ZADD", "hl:alert:due", "0", "p2:" + SenderHash("s", "+16045551000")});
  raw_.Run({"HSET", "hl:alert:send:p2", "state", "cancelled", "text:en", "x"});
  AlertReleaseOptions o;
  o.rates.per_number.fallback = 0;
  AlertReleaser rel(*redis_, *outbox_, *cipher_, *conv_, o);
  auto r = Wait<Result<ReleaseRound>>([&](auto cb) { rel.Tick(cb); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->released, 1u);
  EXPECT_EQ(r->dropped, 2u);
  EXPECT_EQ(Count(), 1u);
  EXPECT_EQ(raw_.Int({"ZCARD", "hl:alert:due"}), 0);
}

}  // namespace
}  // namespace helpline::daemon::alerts
