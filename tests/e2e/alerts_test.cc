// Drug alerts end to end (issue 13): the real daemon and the real CLI on a
// real redis-server, Twilio webhooks in, the Twilio REST API faked on
// loopback. Subscribe (JOIN + region, YES) in two regions and languages, a
// pending request never confirmed, LEAVE and STOP; `helpline alert send`
// reaches exactly the confirmed subscribers of the region, once, in their
// language; the same --id again sends nothing more; no number in logs or in
// Redis values besides the sealed ones (the outbox stream empties once sent).

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "gateway/form_urlencoded.h"
#include "tests/e2e/daemon_fixture.h"
#include "tests/support/fake_provider.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::testing {
namespace {

using namespace std::chrono_literals;

const std::string kAlertsKey = "HELPLINE_ALERTS_KEY=k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// The To and Body of each request the fake Twilio API got.
std::multimap<std::string, std::string> Sent(const FakeProvider& fake) {
  std::multimap<std::string, std::string> out;
  for (const FakeRequest& r : fake.Requests()) {
    auto params = gateway::ParseFormUrlencoded(r.body);
    if (!params.ok()) continue;
    std::string to, body;
    for (const auto& [k, v] : *params) {
      if (k == "To") to = v;
      if (k == "Body") body = v;
    }
    out.emplace(to, body);
  }
  return out;
}

TEST(AlertsE2eTest, AnAlertReachesTheConfirmedSubscribersOfItsRegionOnceInTheirLanguage) {
  RedisServer redis;
  FakeProvider fake({.body = R"({"sid":"SM33333333333333333333333333333333","status":"queued"})"});
  Daemon d(redis, {.config = "twilio_api_base = " + fake.Url("") + "\n",
                   .env = {kAlertsKey, "HELPLINE_TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000"}});
  auto say = [&](const std::string& from, const std::string& text) {
    auto r = d.Text(from, text, NewSid());
    EXPECT_EQ(r.status, 200) << text << ": " << r.body;
    return r.body;
  };
  EXPECT_NE(say("+12065550101", "JOIN 98101").find("Drug alerts for Washington: reply YES"), std::string::npos);
  EXPECT_NE(say("+12065550101", "YES").find("You will get drug alerts for Washington"), std::string::npos);
  EXPECT_NE(say("+12065550102", "ALERTAS 98101").find("Alertas de drogas para Washington"), std::string::npos);
  EXPECT_NE(say("+12065550102", "SI").find("Recibiras alertas"), std::string::npos);
  say("+12065550103", "JOIN 98101");  // never confirmed
  say("+12065550104", "JOIN 98101");
  say("+12065550104", "YES");
  EXPECT_NE(say("+12065550104", "LEAVE").find("Drug alerts stopped"), std::string::npos);
  say("+12065550105", "JOIN 98101");
  say("+12065550105", "YES");
  say("+12065550105", "STOP");
  say("+16045550106", "ALERTS BC");  // another region
  say("+16045550106", "YES");
  // Safety first: an overdose in a report keeps the overdose reply.
  EXPECT_NE(say("+12065550107", "REPORT my friend took bad pills and is not breathing").find("OVERDOSE: call 911"),
            std::string::npos);

  const std::string text = ::testing::TempDir() + "/alert-en.txt";
  std::ofstream(text) << "Grey fentanyl pills in Seattle: test your drugs, do not use alone.";
  const std::string es = ::testing::TempDir() + "/alert-es.txt";
  std::ofstream(es) << "Pastillas grises de fentanilo en Seattle.";
  // Quiet hours off: the test must pass at any hour (they are tested with a
  // fixed clock in tests/daemon/alerts_cli_test.cc).
  std::vector<std::string> env = {"HELPLINE_REDIS_URL=" + redis.Url(), kAlertsKey, "HELPLINE_ALERTS_QUIET_HOURS=off"};
  auto send = RunProcess({kBin, "alert", "send", "--region", "US-WA", "--text-en", text, "--text-es", es, "--id", "wa1"},
                         env);
  ASSERT_EQ(send.exit_code, 0) << send.err;
  EXPECT_NE(send.out.find("2 recipients"), std::string::npos) << send.out;
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (Sent(fake).size() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
  auto again = RunProcess({kBin, "alert", "send", "--region", "US-WA", "--text-en", text, "--id", "wa1"}, env);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already queued"), std::string::npos) << again.out;
  std::this_thread::sleep_for(1500ms);  // anything wrongly queued would be sent by now

  const auto sent = Sent(fake);
  ASSERT_EQ(sent.size(), 2u);
  ASSERT_EQ(sent.count("+12065550101"), 1u);
  ASSERT_EQ(sent.count("+12065550102"), 1u);
  EXPECT_EQ(sent.find("+12065550101")->second.rfind("Grey fentanyl pills", 0), 0u);
  EXPECT_NE(sent.find("+12065550101")->second.find("Reply LEAVE"), std::string::npos);
  EXPECT_EQ(sent.find("+12065550102")->second.rfind("Pastillas grises", 0), 0u);

  auto status = RunProcess({kBin, "alert", "status", "wa1", "--json"}, env);
  EXPECT_NE(status.out.find("\"sent\":2"), std::string::npos) << status.out << status.err;

  // Nothing identifying in the logs, nor in Redis outside the sealed numbers.
  const std::string logs = d.AllStderr() + send.err + send.out;
  RawRedis raw(redis.socket_path());
  std::string values;
  for (const std::string& key : raw.AllKeys()) {
    values += key + "\n";
    const std::string type = raw.Str({"TYPE", key});
    Reply r = type == "hash"     ? raw.Run({"HGETALL", key})
              : type == "string" ? raw.Run({"GET", key})
              : type == "set"    ? raw.Run({"SMEMBERS", key})
              : type == "list"   ? raw.Run({"LRANGE", key, "0", "-1"})
              : type == "stream" ? raw.Run({"XRANGE", key, "-", "+"})
                                 : raw.Run({"ZRANGE", key, "0", "-1"});
    std::function<void(const redisReply*)> add = [&](const redisReply* x) {
      if (x->type == REDIS_REPLY_STRING) values.append(x->str, x->len).append("\n");
      for (size_t i = 0; x->type == REDIS_REPLY_ARRAY && i < x->elements; ++i) add(x->element[i]);
    };
    if (r) add(r.get());
  }
  for (std::string_view n : {"2065550101", "2065550102", "2065550103", "2065550104", "2065550105", "6045550106",
                             "2065550107"}) {
    EXPECT_EQ(logs.find(n), std::string::npos) << n << " in the logs";
    EXPECT_EQ(values.find(n), std::string::npos) << n << " in Redis";
  }
}

// The same through the /v1 API (daemon/alerts/alert_api.h): alerting keys
// only (a lookup key gets 403, and the other way round), a dry run's counts,
// a send that reaches the fake Twilio API once per subscriber, the same id
// again sends nothing, the status the CLI prints, the reports without a number.
TEST(AlertsE2eTest, TheAlertsApiSendsOnceWithAnAlertingKeyAndShowsStatusAndReports) {
  RedisServer redis;
  FakeProvider fake({.body = R"({"sid":"SM44444444444444444444444444444444","status":"queued"})"});
  const std::string alerts_key = "alerting-key-1";
  const std::string base = "twilio_api_base = " + fake.Url("") + "\n";
  // The alerting key in the file (the environment would override a reload).
  Daemon d(redis, {.config = base + "alerts_api_key_sha256 = " + Sha256Of(alerts_key) + "\n",
                   .env = {kAlertsKey, "HELPLINE_TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000",
                           // Quiet hours off: the test must pass at any hour.
                           "HELPLINE_ALERTS_QUIET_HOURS=off"}});
  auto say = [&](const std::string& from, const std::string& text) {
    auto r = d.Text(from, text, NewSid());
    EXPECT_EQ(r.status, 200) << text << ": " << r.body;
  };
  say("+12065550101", "JOIN 98101");
  say("+12065550101", "YES");
  say("+12065550102", "ALERTAS 98101");
  say("+12065550102", "SI");
  say("+16045550106", "ALERTS BC");
  say("+16045550106", "YES");
  say("+12065550109", "BAD BATCH grey pills in Seattle, text me at 206-555-0199");

  const std::vector<std::pair<std::string, std::string>> alerting = {{"Authorization", "Bearer " + alerts_key},
                                                                      {"Content-Type", "application/json"}};
  const std::vector<std::pair<std::string, std::string>> lookup = {{"Authorization", "Bearer " + kApiKey},
                                                                    {"Content-Type", "application/json"}};
  const std::string body =
      R"({"region":"US-WA","id":"wa-api","texts":{"en":"Grey fentanyl pills in Seattle.","es":"Pastillas grises."}})";
  // Scopes: no key 401, a lookup key 403 on alert routes, an alerting key 403 on lookups.
  EXPECT_EQ(HttpCall("POST", d.Url("/v1/alerts"), {{"Content-Type", "application/json"}}, body).status, 401);
  auto r = HttpCall("POST", d.Url("/v1/alerts"), lookup, body);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("\"code\":\"forbidden\""), std::string::npos) << r.body;
  EXPECT_EQ(HttpCall("GET", d.Url("/v1/reports"), lookup).status, 403);
  EXPECT_EQ(HttpCall("GET", d.Url("/v1/alerts/wa-api"), lookup).status, 403);
  EXPECT_EQ(HttpCall("GET", d.Url("/v1/regions"), alerting).status, 403);
  EXPECT_EQ(HttpCall("GET", d.Url("/v1/regions"), lookup).status, 200) << "lookups need no alerting key";
  EXPECT_TRUE(Sent(fake).empty()) << "refused requests send nothing";

  r = HttpCall("POST", d.Url("/v1/alerts"), alerting, R"({"region":"US-WA","dry_run":true})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"languages\":{\"en\":1,\"es\":1}"), std::string::npos) << r.body;
  r = HttpCall("POST", d.Url("/v1/alerts"), alerting, body);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_NE(r.body.find("\"recipients\":2,\"queued\":2"), std::string::npos) << r.body;
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (Sent(fake).size() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
  r = HttpCall("POST", d.Url("/v1/alerts"), alerting, body);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"duplicate\":true"), std::string::npos) << r.body;
  std::this_thread::sleep_for(1500ms);  // anything wrongly queued would be sent by now
  const auto sent = Sent(fake);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent.find("+12065550101")->second.rfind("Grey fentanyl pills", 0), 0u);
  EXPECT_EQ(sent.find("+12065550102")->second.rfind("Pastillas grises", 0), 0u);

  r = HttpCall("GET", d.Url("/v1/alerts/wa-api"), alerting);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"state\":\"queued\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"sent\":2,\"held\":0,\"failed\":0"), std::string::npos) << r.body;
  auto cli = RunProcess({kBin, "alert", "status", "wa-api", "--json"}, {"HELPLINE_REDIS_URL=" + redis.Url()});
  EXPECT_EQ(cli.out, r.body) << "the API shows what the CLI prints";
  EXPECT_EQ(HttpCall("GET", d.Url("/v1/alerts/nope"), alerting).status, 404);

  r = HttpCall("GET", d.Url("/v1/reports?since=1h&region=US&limit=10"), alerting);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("grey pills in Seattle"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("5550199"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("555-0199"), std::string::npos) << r.body;
  const std::string logs = d.AllStderr();
  for (std::string_view n : {"2065550101", "2065550102", "6045550106", "2065550109", "555-0199"}) {
    EXPECT_EQ(logs.find(n), std::string::npos) << n << " in the logs";
  }

  // SIGHUP rotates the alerting keys: the new one works at once, the old one is refused.
  const std::string rotated = "alerting-key-2";
  d.RewriteConfig(base + "alerts_api_key_sha256 = " + Sha256Of(rotated) + "\n");
  const std::size_t seen = d.process().Stderr().size();
  d.process().Signal(SIGHUP);
  const auto reloaded = std::chrono::steady_clock::now() + 10s;
  while (d.process().Stderr().find("alerts_api_key_sha256 (1 key(s))", seen) == std::string::npos &&
         std::chrono::steady_clock::now() < reloaded) {
    std::this_thread::sleep_for(20ms);
  }
  std::this_thread::sleep_for(100ms);  // the loops take the keys at their next turn
  EXPECT_EQ(HttpCall("GET", d.Url("/v1/alerts/wa-api"), {{"Authorization", "Bearer " + rotated}}).status, 200)
      << d.process().Stderr();
  EXPECT_EQ(HttpCall("GET", d.Url("/v1/alerts/wa-api"), alerting).status, 401);
}

}  // namespace
}  // namespace helpline::testing
