// The alerting routes of the /v1 API (daemon/alerts/alert_api.h) against a
// real redis-server: POST /v1/alerts goes through the same send as
// `helpline alert send` (dry-run counts per language, 202 with counts, the
// same id again queues nothing), bad bodies get every reason at once,
// GET /v1/alerts/{id} reads what `alert status` prints, GET /v1/reports lists
// the anonymous reports newest first and bounded.

#include "daemon/alerts/alert_api.h"

#include <rapidjson/document.h>

#include <ctime>
#include <sstream>

#include "daemon/alerts/alert_cli.h"
#include "daemon/alerts/alert_release.h"
#include "daemon/alerts/report_store.h"
#include "daemon/alerts/subscriber_store.h"
#include "daemon/curl_multi.h"
#include "daemon/outbox.h"
#include "daemon/sender_store.h"
#include "tests/daemon/alerts_redis_fixture.h"

namespace helpline::daemon::alerts {
namespace {

// 2026-01-15 20:00 UTC: midday in every North American zone (no quiet hours).
constexpr std::int64_t kMidday = 1768507200;
// 2026-01-15 04:00 UTC: 23:00 in Toronto (quiet), 20:00 in Vancouver.
constexpr std::int64_t kTorontoNight = 1768449600;
const std::string kData = std::string(HELPLINE_SOURCE_DIR) + "/data/engine";

class AlertApiTest : public AlertsKeyedTest {
 protected:
  AlertApiTest() {
    auto zones = RegionTimeZones::Load(kData + "/alert_time_zones.json");
    EXPECT_TRUE(zones.ok()) << zones.status().message();
    zones_ = std::make_unique<RegionTimeZones>(std::move(*zones));
    api_ = MakeApi(cipher_.get());
  }

  std::unique_ptr<AlertApi> MakeApi(const NumberCipher* cipher) {
    return std::make_unique<AlertApi>(
        *redis_, cipher,
        AlertApiOptions{
            .prefix = "hl:", .quiet = *QuietHours::Parse("22:00-08:00"), .zones = zones_.get(), .now_s = [this] {
              return now_s_;
            }});
  }

  void Subscribe(const std::string& number, const std::string& region, const std::string& lang) {
    const std::string hash = SenderHash("s", number);
    Subscription s{region, lang, "twilio", gateway::MessageChannel::kSms, "+15005550006"};
    ASSERT_TRUE(Wait<Status>([&](auto cb) { subs_->Request(hash, s, cb); }).ok());
    auto c = Wait<Result<std::optional<Subscription>>>([&](auto cb) { subs_->Confirm(hash, number, cb); });
    ASSERT_TRUE(c.ok() && c->has_value());
  }

  ApiAnswer Call(const std::string& method, const std::string& target, const std::string& body = "",
                 const std::string& content_type = "application/json", AlertApi* api = nullptr) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    req.body = body;
    if (!content_type.empty()) req.headers.push_back({"content-type", content_type});
    const auto q = target.find('?');
    const std::string path = target.substr(0, q), query = q == std::string::npos ? "" : target.substr(q + 1);
    return Wait<ApiAnswer>([&](auto cb) { (api ? api : api_.get())->Handle(req, path, query, cb); });
  }

  static rapidjson::Document Parse(const ApiAnswer& a) {
    rapidjson::Document d;
    d.Parse(a.response.body.c_str());
    EXPECT_FALSE(d.HasParseError()) << a.response.body;
    return d;
  }

  std::unique_ptr<RegionTimeZones> zones_;
  std::unique_ptr<AlertApi> api_;
  std::int64_t now_s_ = kMidday;
};

TEST_F(AlertApiTest, ADryRunCountsRecipientsPerLanguageAndWritesNothing) {
  Subscribe("+16045550101", "CA-BC", "en");
  Subscribe("+16045550102", "CA-BC", "fr");
  Subscribe("+16045550103", "CA-BC", "en");
  Subscribe("+14165550104", "CA-ON", "fr");
  Subscribe("+12065550105", "US-WA", "es");
  const auto keys_before = raw_.AllKeys();
  ApiAnswer a = Call("POST", "/v1/alerts", R"({"region":"CA","dry_run":true})");
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(a.outcome, "dry_run");
  auto d = Parse(a);
  EXPECT_TRUE(d["dry_run"].GetBool());
  EXPECT_EQ(d["recipients"].GetInt(), 4);
  EXPECT_EQ(d["languages"]["en"].GetInt(), 2);
  EXPECT_EQ(d["languages"]["fr"].GetInt(), 2);
  EXPECT_FALSE(d["languages"].HasMember("es")) << "US-WA is not in CA";
  EXPECT_EQ(d["counts"]["CA-ON"]["fr"].GetInt(), 1);
  EXPECT_EQ(raw_.AllKeys(), keys_before) << "a dry run writes nothing";
  EXPECT_EQ(a.response.body.find("604555"), std::string::npos);
}

TEST_F(AlertApiTest, ASendIsAcceptedWithCountsAndTheSameIdAgainQueuesNothing) {
  Subscribe("+16045550101", "CA-BC", "en");
  Subscribe("+16045550102", "CA-BC", "fr");
  const std::string body =
      R"({"region":"CA-BC","id":"bc-1","texts":{"en":"Grey pills: fentanyl.\n","fr":"Comprimés gris."}})";
  ApiAnswer a = Call("POST", "/v1/alerts", body, "application/json; charset=utf-8");
  ASSERT_EQ(a.response.status, 202) << a.response.body;
  EXPECT_EQ(a.outcome, "accepted");
  auto d = Parse(a);
  EXPECT_STREQ(d["id"].GetString(), "bc-1");
  EXPECT_FALSE(d["duplicate"].GetBool());
  EXPECT_EQ(d["queued"].GetInt(), 2);
  EXPECT_EQ(d["languages"]["fr"].GetInt(), 1);
  EXPECT_EQ(raw_.Int({"ZCARD", "hl:alert:due"}), 2);
  EXPECT_EQ(raw_.Str({"HGET", "hl:alert:send:bc-1", "text:en"}), "Grey pills: fentanyl.") << "trailing newline trimmed";

  // A retried POST (a lost answer): said so, nothing queued twice.
  a = Call("POST", "/v1/alerts", body);
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(a.outcome, "duplicate");
  d = Parse(a);
  EXPECT_TRUE(d["duplicate"].GetBool());
  EXPECT_EQ(d["queued"].GetInt(), 0);
  EXPECT_EQ(d["recipients"].GetInt(), 2);
  EXPECT_EQ(d["languages"]["en"].GetInt(), 1) << "the counts of the first send";
  EXPECT_EQ(raw_.Int({"ZCARD", "hl:alert:due"}), 2);
  // The same id for another region is a conflict; so is a cancelled alert.
  a = Call("POST", "/v1/alerts", R"({"region":"US-WA","id":"bc-1","texts":{"en":"x"}})");
  EXPECT_EQ(a.response.status, 409) << a.response.body;
  EXPECT_EQ(a.outcome, "conflict");
  raw_.Run({"HSET", "hl:alert:send:bc-1", "state", "cancelled"});
  EXPECT_EQ(Call("POST", "/v1/alerts", body).response.status, 409);
  // Without an id, each POST is a new alert with a fresh id.
  a = Call("POST", "/v1/alerts", R"({"region":"CA-BC","texts":{"en":"again"}})");
  ASSERT_EQ(a.response.status, 202) << a.response.body;
  EXPECT_NE(std::string(Parse(a)["id"].GetString()), "bc-1");
}

TEST_F(AlertApiTest, QuietHoursHoldNonUrgentAlertsAndUrgentOnesGoNow) {
  Subscribe("+14165550104", "CA-ON", "en");
  now_s_ = kTorontoNight;
  ApiAnswer a = Call("POST", "/v1/alerts", R"({"region":"CA-ON","id":"q1","texts":{"en":"x"}})");
  ASSERT_EQ(a.response.status, 202) << a.response.body;
  EXPECT_EQ(Parse(a)["held"].GetInt(), 1);
  a = Call("POST", "/v1/alerts", R"({"region":"CA-ON","id":"q2","urgent":true,"texts":{"en":"x"}})");
  ASSERT_EQ(a.response.status, 202) << a.response.body;
  EXPECT_EQ(Parse(a)["held"].GetInt(), 0);
}

TEST_F(AlertApiTest, BadRequestsGetEveryReasonWithoutEchoingValues) {
  ApiAnswer a = Call("POST", "/v1/alerts",
                     R"({"region":"XX-SECRET","texts":{"en":")" + std::string(700, 'a') +
                         R"(","de":"x"},"id":"bad id!","urgent":"yes","colour":1})");
  ASSERT_EQ(a.response.status, 400);
  EXPECT_EQ(a.outcome, "bad_request");
  const std::string& m = a.response.body;
  for (const char* reason :
       {"region must be a known state", "texts.en: longer than 640 bytes", "languages are en, fr and es",
        "id must be 1-64", "urgent must be true or false", "unknown field"}) {
    EXPECT_NE(m.find(reason), std::string::npos) << reason << " in " << m;
  }
  EXPECT_EQ(m.find("SECRET"), std::string::npos);
  EXPECT_EQ(m.find("colour"), std::string::npos);
  a = Call("POST", "/v1/alerts", R"({"region":"CA-BC","texts":{"de":"x","it":"y"},"a":1,"b":2})");
  EXPECT_EQ(a.response.body,
            "{\"error\":{\"code\":\"bad_request\",\"message\":\"texts: languages are en, fr and es; unknown field "
            "(fields: region, texts, id, dry_run, urgent)\"}}\n")
      << "each reason once";
  a = Call("POST", "/v1/alerts", R"({"region":"CA-BC"})");
  EXPECT_EQ(a.response.status, 400);
  EXPECT_NE(a.response.body.find("texts must give at least one of en, fr, es"), std::string::npos) << a.response.body;
  a = Call("POST", "/v1/alerts", R"({"texts":{"en":"x"}})");
  EXPECT_NE(a.response.body.find("region is missing"), std::string::npos) << a.response.body;
  a = Call("POST", "/v1/alerts", "{\"region\":\"CA-BC\",\"texts\":{\"en\":\"ok\xff\"}}");
  EXPECT_NE(a.response.body.find("texts.en: not UTF-8"), std::string::npos) << a.response.body;
  a = Call("POST", "/v1/alerts", R"({"region":"CA-BC","texts":{"fr":"ok\u0007"}})");
  EXPECT_NE(a.response.body.find("texts.fr: has control characters"), std::string::npos) << a.response.body;
  EXPECT_EQ(Call("POST", "/v1/alerts", "[1,2]").response.status, 400);
  EXPECT_EQ(Call("POST", "/v1/alerts", std::string(4000, '[') + std::string(4000, ']')).response.status, 400)
      << "deep nesting is refused, not recursed into";
  EXPECT_EQ(Call("POST", "/v1/alerts", "{\"region\":").response.status, 400);
  a = Call("POST", "/v1/alerts", R"({"region":"CA-BC","texts":{"en":"x"}})", "text/plain");
  EXPECT_EQ(a.response.status, 415);
  EXPECT_EQ(a.outcome, "unsupported_media_type");
  EXPECT_EQ(Call("POST", "/v1/alerts", R"({"region":"CA-BC","texts":{"en":"x"}})", "").response.status, 415);
  a = Call("POST", "/v1/alerts", "{\"region\":\"CA-BC\",\"texts\":{\"en\":\"" + std::string(9000, 'a') + "\"}}");
  EXPECT_EQ(a.response.status, 413);
  EXPECT_EQ(a.outcome, "too_large");
  a = Call("GET", "/v1/alerts");
  EXPECT_EQ(a.response.status, 405);
  ASSERT_EQ(a.response.headers.size(), 1u);
  EXPECT_EQ(a.response.headers[0].second, "POST");
  EXPECT_EQ(Call("DELETE", "/v1/alerts/x1").response.status, 405);
  EXPECT_EQ(Call("POST", "/v1/reports").response.status, 405);
  EXPECT_EQ(raw_.AllKeys().size(), 0u) << "nothing was written";
  // Subscriptions off (no HELPLINE_ALERTS_KEY): no sends, with a reason.
  auto off = MakeApi(nullptr);
  a = Call("POST", "/v1/alerts", R"({"region":"CA-BC","texts":{"en":"x"}})", "application/json", off.get());
  EXPECT_EQ(a.response.status, 503);
  EXPECT_NE(a.response.body.find("HELPLINE_ALERTS_KEY"), std::string::npos);
}

TEST_F(AlertApiTest, TheStatusIsWhatTheCliPrintsAndAnUnknownIdIs404) {
  Subscribe("+16045550101", "CA-BC", "en");
  Subscribe("+16045550102", "CA-BC", "es");
  ASSERT_EQ(Call("POST", "/v1/alerts", R"({"region":"CA-BC","id":"s1","texts":{"en":"x"}})").response.status, 202);
  ApiAnswer a = Call("GET", "/v1/alerts/s1");
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  auto d = Parse(a);
  EXPECT_STREQ(d["state"].GetString(), "queued");
  EXPECT_STREQ(d["region"].GetString(), "CA-BC");
  EXPECT_EQ(d["created"].GetInt64(), kMidday);
  EXPECT_EQ(d["held"].GetInt(), 2);
  EXPECT_EQ(d["counts"]["CA-BC"]["es"].GetInt(), 1);

  // The CLI's `alert status --json` prints the same document.
  AlertsArgs args;
  args.options["--redis"] = server_.Url();
  args.positional = {"status", "s1"};
  args.flags.insert("--json");
  std::ostringstream out, err;
  ASSERT_EQ(RunAlertsCli("alert", args, out, err, false), 0) << err.str();
  EXPECT_EQ(out.str(), a.response.body);

  // Handed to the outbox by the releaser: queued there, no longer held.
  CurlMulti http(io_);
  QueueOnlyAdapter twilio("twilio");
  daemon::Outbox::Adapters adapters{{"twilio", &twilio}};
  OutboxOptions oo;
  oo.log = false;
  daemon::Outbox outbox(*redis_, http, adapters, oo);
  auto conv = AlertConversation::Load(kData + "/alerts.json");
  ASSERT_TRUE(conv.ok());
  AlertReleaseOptions ro;
  ro.rates.per_number.fallback = 0;
  ro.now_ms = [] { return kMidday * 1000; };
  AlertReleaser rel(*redis_, outbox, *cipher_, *conv, ro);
  auto round = Wait<Result<ReleaseRound>>([&](auto cb) { rel.Tick(cb); });
  ASSERT_TRUE(round.ok()) << round.status().message();
  EXPECT_EQ(round->released, 2u);
  d = Parse(Call("GET", "/v1/alerts/s1"));
  EXPECT_EQ(d["held"].GetInt(), 0);
  EXPECT_EQ(d["queued"].GetInt(), 2);
  http.Stop();

  a = Call("GET", "/v1/alerts/nope");
  EXPECT_EQ(a.response.status, 404);
  EXPECT_EQ(a.outcome, "not_found");
  EXPECT_EQ(Call("GET", "/v1/alerts/..%2F..").response.status, 404);
  EXPECT_EQ(Call("GET", "/v1/alerts/").response.status, 404);
}

TEST_F(AlertApiTest, ReportsAreListedNewestFirstFilteredAndBounded) {
  AddThreeReports();
  now_s_ = std::time(nullptr);
  ApiAnswer a = Call("GET", "/v1/reports");
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  auto d = Parse(a);
  ASSERT_EQ(d["reports"].Size(), 3u);
  EXPECT_STREQ(d["reports"][0]["text"].GetString(), "green powder") << "newest first";
  EXPECT_EQ(d["reports"][0]["at"].GetInt64() % 600, 0) << "time kept to the 10 minutes";
  d = Parse(Call("GET", "/v1/reports?region=CA&limit=1"));
  ASSERT_EQ(d["reports"].Size(), 1u);
  EXPECT_STREQ(d["reports"][0]["region"].GetString(), "CA-ON");
  d = Parse(Call("GET", "/v1/reports?since=24h&region=US-WA"));
  ASSERT_EQ(d["reports"].Size(), 1u);
  EXPECT_STREQ(d["reports"][0]["text"].GetString(), "blue pills");
  EXPECT_EQ(Parse(Call("GET", "/v1/reports?since=2099-01-01"))["reports"].Size(), 0u);
  a = Call("GET", "/v1/reports?limit=1001&since=soon&region=XX-SECRET");
  EXPECT_EQ(a.response.status, 400);
  for (const char* reason : {"limit takes 1 to 1000", "since takes unix seconds", "region must be"}) {
    EXPECT_NE(a.response.body.find(reason), std::string::npos) << reason << " in " << a.response.body;
  }
  EXPECT_EQ(a.response.body.find("SECRET"), std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/reports?limit=0").response.status, 400);
  EXPECT_EQ(Call("GET", "/v1/reports?region=%zz").response.status, 400);
}

}  // namespace
}  // namespace helpline::daemon::alerts
