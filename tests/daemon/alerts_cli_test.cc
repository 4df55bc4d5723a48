// `helpline alert send|status|cancel` and `helpline reports` against a real
// redis-server: subscribers in two regions, three providers and three
// languages; an alert reaches exactly the region's confirmed subscribers
// once, in their language, through their provider and our number; the same
// --id again queues nothing; LEAVE'd and pending people get nothing.

#include "daemon/alerts/alert_cli.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "daemon/alerts/alert_release.h"
#include "daemon/alerts/report_store.h"
#include "daemon/alerts/subscriber_store.h"
#include "daemon/curl_multi.h"
#include "daemon/outbox.h"
#include "daemon/sender_store.h"
#include "tests/daemon/alerts_redis_fixture.h"

namespace helpline::daemon::alerts {
namespace {

constexpr const char* kKey = kTestAlertsKey;
// 2026-01-15 20:00 UTC: midday in every North American zone (no quiet hours).
constexpr std::int64_t kMidday = 1768507200;
const std::string kData = std::string(HELPLINE_SOURCE_DIR) + "/data/engine";

struct Person {
  std::string number, region, lang, provider;
};

class AlertCliTest : public AlertsKeyedTest {
 protected:
  AlertCliTest() {
    dir_ = ::testing::TempDir();
    conv_ = std::make_unique<AlertConversation>(*AlertConversation::Load(kData + "/alerts.json"));
    for (const char* p : {"twilio", "vonage", "telnyx", "telegram"}) {
      adapters_.push_back(std::make_unique<QueueOnlyAdapter>(p));
      by_name_.emplace(p, adapters_.back().get());
    }
    OutboxOptions oo;
    oo.log = false;
    outbox_ = std::make_unique<daemon::Outbox>(*redis_, http_, by_name_, oo);
  }
  ~AlertCliTest() override {
    outbox_.reset();
    http_.Stop();
  }

  // What the daemon's releaser does at `now_s` (no rate caps): hands every
  // due member to the outbox. The number released.
  std::size_t Release(std::int64_t now_s) {
    AlertReleaseOptions o;
    o.rates.per_number.fallback = 0;
    o.now_ms = [now_s] { return now_s * 1000; };
    AlertReleaser rel(*redis_, *outbox_, *cipher_, *conv_, o);
    std::size_t released = 0;
    while (true) {
      auto r = Wait<Result<ReleaseRound>>([&](auto cb) { rel.Tick(cb); });
      EXPECT_TRUE(r.ok()) << r.status().message();
      if (!r.ok() || r->released + r->duplicates + r->dropped == 0) break;
      released += r->released;
    }
    return released;
  }

  void Subscribe(const Person& p, bool confirm = true) {
    const std::string hash = SenderHash("s", p.number);
    Subscription s{p.region, p.lang, p.provider,
                   p.provider == "telegram" ? gateway::MessageChannel::kChat : gateway::MessageChannel::kSms,
                   "+1500555000" + std::to_string(p.provider.size())};
    ASSERT_TRUE(Wait<Status>([&](auto cb) { subs_->Request(hash, s, cb); }).ok());
    if (confirm) {
      auto c = Wait<Result<std::optional<Subscription>>>([&](auto cb) { subs_->Confirm(hash, p.number, cb); });
      ASSERT_TRUE(c.ok() && c->has_value());
    }
  }

  std::string File(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Runs `helpline ARGS... --redis URL` as cli.cc would: args[0] is the
  // command; --dry-run, --urgent and --json are flags; other --options take a value.
  int Cli(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
    AlertsArgs parsed;
    parsed.options["--redis"] = server_.Url();
    parsed.options["--data"] = kData;
    parsed.now_s = now_s_;
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--dry-run" || args[i] == "--urgent" || args[i] == "--json") {
        parsed.flags.insert(args[i]);
      } else if (args[i].starts_with("--") && i + 1 < args.size()) {
        parsed.options[args[i]] = args[i + 1];
        ++i;
      } else {
        parsed.positional.push_back(args[i]);
      }
    }
    std::ostringstream o, e;
    const int code = RunAlertsCli(args[0], parsed, o, e, false);
    if (out) *out = o.str();
    if (err) *err = e.str();
    return code;
  }

  // The outbox entries: id -> fields.
  std::map<std::string, std::map<std::string, std::string>> Outbox() {
    std::map<std::string, std::map<std::string, std::string>> out;
    auto r = raw_.Run({"XRANGE", "hl:outbox", "-", "+"});
    for (size_t i = 0; r && i < r->elements; ++i) {
      const redisReply* fields = r->element[i]->element[1];
      std::map<std::string, std::string> f;
      for (size_t j = 0; j + 1 < fields->elements; j += 2) f[fields->element[j]->str] = fields->element[j + 1]->str;
      out[f["id"]] = f;
    }
    return out;
  }

  std::string dir_;
  std::int64_t now_s_ = kMidday;
  std::unique_ptr<AlertConversation> conv_;
  CurlMulti http_{io_};
  std::vector<std::unique_ptr<QueueOnlyAdapter>> adapters_;
  daemon::Outbox::Adapters by_name_;
  std::unique_ptr<daemon::Outbox> outbox_;
};

TEST_F(AlertCliTest, AnAlertReachesExactlyTheRegionsSubscribersOnceInTheirLanguage) {
  const std::vector<Person> bc = {{"+16045550101", "CA-BC", "en", "twilio"},
                                  {"+16045550102", "CA-BC", "fr", "vonage"},
                                  {"+16045550103", "CA-BC", "es", "telnyx"},
                                  {"4242", "CA-BC", "en", "telegram"}};
  for (const Person& p : bc) Subscribe(p);
  Subscribe({"+12065550104", "US-WA", "en", "twilio"});
  Subscribe({"+16045550105", "CA-BC", "en", "twilio"}, /*confirm=*/false);  // never said YES
  const std::string en = File("en.txt", "Fentanyl in grey pills in Vancouver. Test your drugs.\n");
  const std::string fr = File("fr.txt", "Fentanyl dans des comprimés gris a Vancouver.");

  std::string out, err;
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA-BC", "--dry-run"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("4 recipients"), std::string::npos) << out;
  EXPECT_NE(out.find("CA-BC  en  2"), std::string::npos) << out;
  EXPECT_TRUE(Outbox().empty()) << "a dry run queues nothing";

  ASSERT_EQ(Cli({"alert", "send", "--region", "CA-BC", "--text-en", en, "--text-fr", fr, "--id", "bc1"}, &out, &err), 0)
      << err;
  EXPECT_NE(out.find("queued 4"), std::string::npos) << out;
  EXPECT_TRUE(Outbox().empty()) << "the command holds; the daemon's releaser hands over";
  ASSERT_EQ(Cli({"alert", "status", "bc1", "--json"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("\"held\":4"), std::string::npos) << out;
  EXPECT_EQ(Release(kMidday), 4u);
  EXPECT_EQ(Release(kMidday), 0u) << "released once";
  auto box = Outbox();
  ASSERT_EQ(box.size(), 4u);
  std::map<std::string, std::string> text_to, provider_to;
  for (auto& [id, f] : box) {
    EXPECT_TRUE(id.starts_with("alert:bc1:")) << id;
    text_to[f["to"]] = f["text"];
    provider_to[f["to"]] = f["provider"];
  }
  EXPECT_TRUE(text_to["+16045550101"].starts_with("Fentanyl in grey pills"));
  EXPECT_NE(text_to["+16045550101"].find("Reply LEAVE"), std::string::npos);
  EXPECT_TRUE(text_to["+16045550102"].starts_with("Fentanyl dans des comprimés"));
  EXPECT_NE(text_to["+16045550102"].find("QUITTER"), std::string::npos);
  // No Spanish text given: English, with the Spanish footer.
  EXPECT_TRUE(text_to["+16045550103"].starts_with("Fentanyl in grey pills"));
  EXPECT_NE(text_to["+16045550103"].find("SALIR"), std::string::npos);
  EXPECT_EQ(provider_to["+16045550102"], "vonage");
  EXPECT_EQ(provider_to["+16045550103"], "telnyx");
  EXPECT_EQ(provider_to["4242"], "telegram");
  EXPECT_EQ(text_to.count("+12065550104"), 0u) << "another region";
  EXPECT_EQ(text_to.count("+16045550105"), 0u) << "pending: no alert";

  // The same id again: nothing queued twice.
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA-BC", "--text-en", en, "--id", "bc1"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("already queued"), std::string::npos) << out;
  EXPECT_EQ(Outbox().size(), 4u);
  // Resuming a half-done send (state still "queuing") queues only what is missing.
  raw_.Run({"HSET", "hl:alert:send:bc1", "state", "queuing"});
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA-BC", "--text-en", en, "--id", "bc1"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("queued 0, already queued before 4"), std::string::npos) << out;
  EXPECT_EQ(Release(kMidday), 0u);
  EXPECT_EQ(Outbox().size(), 4u);

  ASSERT_EQ(Cli({"alert", "status", "bc1", "--json"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("\"queued\":4"), std::string::npos) << out;
  EXPECT_NE(out.find("\"state\":\"queued\""), std::string::npos) << out;

  ASSERT_EQ(Cli({"alert", "cancel", "bc1"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("4 messages not yet sent were stopped"), std::string::npos) << out;
  ASSERT_EQ(Cli({"alert", "status", "bc1", "--json"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("\"cancelled\":4"), std::string::npos) << out;
  EXPECT_NE(out.find("\"sent\":0"), std::string::npos) << out;
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:alert:bc1:" + SenderHash("s", "+16045550101")}), "s");
}

TEST_F(AlertCliTest, ACountryReachesEachOfItsRegionsAndNothingIdentifyingIsStoredBesidesSealedNumbers) {
  Subscribe({"+16045550101", "CA-BC", "en", "twilio"});
  Subscribe({"+14165550102", "CA-ON", "fr", "twilio"});
  Subscribe({"+12065550104", "US-WA", "es", "twilio"});
  const std::string en = File("en2.txt", "Alert text");
  std::string out, err;
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA", "--text-en", en, "--id", "ca1", "--json"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("\"recipients\":2"), std::string::npos) << out;
  EXPECT_NE(out.find("\"CA-BC\":{\"en\":1}"), std::string::npos) << out;
  EXPECT_NE(out.find("\"CA-ON\":{\"fr\":1}"), std::string::npos) << out;
  EXPECT_EQ(Release(kMidday), 2u);
  // Outside the outbox stream (which must hold the recipient to send), no plain number.
  raw_.Run({"DEL", "hl:outbox"});
  const std::string all = DumpAll();
  for (std::string_view n : {"6045550101", "4165550102", "2065550104"}) EXPECT_EQ(all.find(n), std::string::npos) << n;
}

TEST_F(AlertCliTest, QuietHoursHoldAnAlertUntilEachRegionsMorningUnlessUrgent) {
  Subscribe({"+16045550101", "CA-BC", "en", "twilio"});
  Subscribe({"+14165550102", "CA-ON", "en", "twilio"});
  // 2026-01-15 04:00 UTC: 20:00 in Vancouver, 23:00 in Toronto.
  const std::int64_t evening = 1768449600, toronto_8am = 1768482000;
  now_s_ = evening;
  const std::string en = File("q.txt", "Grey pills: fentanyl");
  std::string out, err;
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA", "--text-en", en, "--id", "q1", "--json"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("\"held\":1"), std::string::npos) << out;
  EXPECT_NE(err.find("CA-ON: quiet hours (22:00-08:00 local): held until 2026-01-15T13:00Z"), std::string::npos) << err;
  EXPECT_EQ(Release(evening), 1u);
  auto box = Outbox();
  ASSERT_EQ(box.size(), 1u);
  EXPECT_EQ(box.begin()->second["to"], "+16045550101") << "Vancouver's evening is not quiet";
  ASSERT_EQ(Cli({"alert", "status", "q1", "--json"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("\"queued\":1,\"sent\":0,\"held\":1"), std::string::npos) << out;
  EXPECT_EQ(Release(toronto_8am - 1), 0u) << "07:59 in Toronto";
  EXPECT_EQ(Release(toronto_8am), 1u);
  EXPECT_EQ(Outbox().size(), 2u);

  // Urgent: nobody waits. A narrower window from the command line.
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA", "--text-en", en, "--id", "q2", "--urgent"}, &out, &err), 0) << err;
  EXPECT_EQ(Release(evening), 2u);
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA", "--text-en", en, "--id", "q3", "--quiet-hours", "23:30-06:00"},
                &out, &err),
            0)
      << err;
  EXPECT_EQ(Release(evening), 2u) << "23:00 in Toronto is outside 23:30-06:00";
  EXPECT_EQ(
      Cli({"alert", "send", "--region", "CA", "--text-en", en, "--id", "q4", "--quiet-hours", "22-08"}, &out, &err), 2);

  // Cancelling takes held members out: nothing goes in the morning.
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA-ON", "--text-en", en, "--id", "q5"}, &out, &err), 0) << err;
  ASSERT_EQ(Cli({"alert", "cancel", "q5"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("1 messages not yet sent were stopped"), std::string::npos) << out;
  EXPECT_EQ(Release(toronto_8am), 0u);
  ASSERT_EQ(Cli({"alert", "status", "q5", "--json"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("\"sent\":0,\"held\":0,\"failed\":0,\"cancelled\":1"), std::string::npos) << out;
}

TEST_F(AlertCliTest, ResealPutsEveryNumberUnderTheCurrentKeyAfterARotation) {
  Subscribe({"+16045550101", "CA-BC", "en", "twilio"});
  Subscribe({"+16045550102", "CA-BC", "fr", "twilio"});
  const std::string h1 = SenderHash("s", "+16045550101");
  EXPECT_TRUE(raw_.Str({"HGET", "hl:alert:sub:" + h1, "num"}).starts_with("v1:k1:"));
  // Rotate: k2 current, k1 still accepted for reading.
  setenv("HELPLINE_ALERTS_KEY", "k2:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100", 1);
  setenv("HELPLINE_ALERTS_OLD_KEYS", kKey, 1);
  std::string out, err;
  ASSERT_EQ(Cli({"alert", "reseal"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("resealed 2 under key k2, 0 already under it"), std::string::npos) << out;
  EXPECT_TRUE(raw_.Str({"HGET", "hl:alert:sub:" + h1, "num"}).starts_with("v1:k2:"));
  ASSERT_EQ(Cli({"alert", "reseal"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("resealed 0 under key k2, 2 already under it"), std::string::npos) << out;
  // The old key can go: the numbers still open, and alerts still reach them.
  unsetenv("HELPLINE_ALERTS_OLD_KEYS");
  auto k2 = NumberCipher::FromEnvironment();
  ASSERT_TRUE(k2.ok());
  cipher_ = std::make_unique<NumberCipher>(*k2);
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA-BC", "--text-en", File("r.txt", "x"), "--id", "r1"}, &out, &err), 0)
      << err;
  EXPECT_NE(out.find("unreadable 0"), std::string::npos) << out;
  EXPECT_EQ(Release(kMidday), 2u);
  std::set<std::string> to;
  for (auto& [id, f] : Outbox()) to.insert(f["to"]);
  EXPECT_EQ(to, (std::set<std::string>{"+16045550101", "+16045550102"}));
  // A number sealed under a key nobody has any more is counted, not printed.
  raw_.Run({"HSET", "hl:alert:sub:" + h1, "num", "v1:k9:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
  EXPECT_EQ(Cli({"alert", "reseal"}, &out, &err), 1);
  EXPECT_NE(out.find("1 unreadable"), std::string::npos) << out;
  EXPECT_EQ((out + err).find("6045550101"), std::string::npos);
}

TEST_F(AlertCliTest, BadRequestsAreRefusedWithAReason) {
  std::string out, err;
  EXPECT_EQ(Cli({"alert", "send", "--region", "XX-YY", "--text-en", File("a.txt", "x")}, &out, &err), 2);
  EXPECT_EQ(Cli({"alert", "send", "--region", "CA-BC"}, &out, &err), 2) << "no text";
  EXPECT_EQ(
      Cli({"alert", "send", "--region", "CA-BC", "--text-en", File("big.txt", std::string(700, 'a'))}, &out, &err), 1);
  EXPECT_EQ(Cli({"alert", "send", "--region", "CA-BC", "--text-en", "/nonexistent"}, &out, &err), 1);
  EXPECT_EQ(Cli({"alert", "send", "--region", "CA-BC", "--text-en", File("b.txt", "x"), "--id", "bad id!"}, &out, &err),
            2);
  EXPECT_EQ(Cli({"alert", "status", "nope"}, &out, &err), 1);
  EXPECT_EQ(Cli({"alert", "frobnicate"}, &out, &err), 2);
  EXPECT_EQ(Cli({"reports", "--since", "yesterday-ish"}, &out, &err), 2);
  // The id of another region's alert is not reused.
  ASSERT_EQ(Cli({"alert", "send", "--region", "CA-BC", "--text-en", File("c.txt", "x"), "--id", "x1"}, &out, &err), 0)
      << err;
  EXPECT_EQ(Cli({"alert", "send", "--region", "US-WA", "--text-en", File("c.txt", "x"), "--id", "x1"}, &out, &err), 1);
}

TEST_F(AlertCliTest, ReportsAreListedNewestFirstAndFilteredByRegionAndTime) {
  AddThreeReports();
  std::string out, err;
  ASSERT_EQ(Cli({"reports"}, &out, &err), 0) << err;
  EXPECT_LT(out.find("green powder"), out.find("grey pills")) << out;
  ASSERT_EQ(Cli({"reports", "--region", "CA", "--json"}, &out, &err), 0) << err;
  EXPECT_EQ(out.find("blue pills"), std::string::npos) << out;
  EXPECT_NE(out.find("\"text\":\"grey pills\""), std::string::npos) << out;
  ASSERT_EQ(Cli({"reports", "--since", "1h"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("blue pills"), std::string::npos);
  ASSERT_EQ(Cli({"reports", "--since", "2099-01-01"}, &out, &err), 0) << err;
  EXPECT_EQ(out, "");
  // Time is kept to the 10 minutes, never to the second.
  ASSERT_EQ(Cli({"reports", "--json"}, &out, &err), 0) << err;
  const std::size_t at = out.find("\"at\":");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_EQ(std::stoll(out.substr(at + 5)) % 600, 0) << out;
}

}  // namespace
}  // namespace helpline::daemon::alerts
