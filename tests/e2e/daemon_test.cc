// End-to-end tests of `helpline serve`: a real redis-server, the real
// binary, real HTTP (libcurl), requests signed as Twilio signs them
// (the Daemon fixture: tests/e2e/daemon_fixture.h).

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "gateway/form_urlencoded.h"
#include "gateway/twilio/twilio_signature.h"
#include "tests/e2e/daemon_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::testing {
namespace {

namespace fs = std::filesystem;

TEST(Daemon, AnswersASignedTextWithTwimlFromTheDirectory) {
  RedisServer redis;
  Daemon d(redis);
  EXPECT_EQ(HttpCall("GET", d.Url("/healthz")).status, 200);
  auto ready = HttpCall("GET", d.Url("/readyz"));
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_NE(ready.body.find("\"directory_version\":1"), std::string::npos) << ready.body;

  auto r = d.Text("+16045550123", "need narcan in BC please", NewSid());
  ASSERT_EQ(r.status, 200) << r.body << d.process().Stderr();
  EXPECT_NE(r.content_type.find("text/xml"), std::string::npos);
  EXPECT_EQ(r.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("National Overdose Response Service (NORS): call 1-888-688-6677"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("Naloxone Finder"), std::string::npos) << "retired: " << r.body;

  auto od = d.Text("+12125550123", "my friend is not breathing", NewSid());
  EXPECT_NE(od.body.find("<Message>OVERDOSE: call 911 now."), std::string::npos) << od.body;
}

TEST(Daemon, RejectsForgedMalformedAndOversizedWebhooksWithAReason) {
  RedisServer redis;
  Daemon d(redis);
  const std::string url = d.Url("/webhooks/twilio");
  gateway::FormParams params = {{"MessageSid", NewSid()}, {"From", "+16045550123"}, {"Body", "HELP"}};
  const std::string body = gateway::FormEncode(params);
  auto forged = HttpCall("POST", url,
                         {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"X-Twilio-Signature", gateway::TwilioSignature("wrong-token", url, params)}},
                         body);
  EXPECT_EQ(forged.status, 403);
  EXPECT_NE(forged.body.find("X-Twilio-Signature"), std::string::npos) << forged.body;
  auto unsigned_request = HttpCall("POST", url, {{"Content-Type", "application/x-www-form-urlencoded"}}, body);
  EXPECT_EQ(unsigned_request.status, 403);
  auto wrong_type = HttpCall(
      "POST", url,
      {{"Content-Type", "application/json"}, {"X-Twilio-Signature", gateway::TwilioSignature(kToken, url, params)}},
      "{}");
  EXPECT_EQ(wrong_type.status, 415);
  gateway::FormParams no_from = {{"MessageSid", NewSid()}, {"Body", "HELP"}};
  auto malformed = HttpCall("POST", url,
                            {{"Content-Type", "application/x-www-form-urlencoded"},
                             {"X-Twilio-Signature", gateway::TwilioSignature(kToken, url, no_from)}},
                            gateway::FormEncode(no_from));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("From"), std::string::npos) << malformed.body;
  auto huge =
      HttpCall("POST", url, {{"Content-Type", "application/x-www-form-urlencoded"}}, "Body=" + std::string(70000, 'a'));
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(HttpCall("GET", url).status, 405);
  EXPECT_EQ(HttpCall("GET", d.Url("/nope")).status, 404);
  // The daemon is still fine.
  EXPECT_EQ(d.Text("+16045550123", "HELP", NewSid()).status, 200);
  // One structured line per request, the sender as a short keyed hash
  // (lines are written at the end of the loop's turn, just after the answer).
  const std::regex answered(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ req=[0-9a-f]+ method=POST route=webhook_twilio )"
                            R"(status=200 ms=\d+\.\d\d outcome=answered sender=[0-9a-f]{12}\n)");
  std::string log = d.process().Stderr();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!std::regex_search(log, answered) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = d.process().Stderr();
  }
  EXPECT_TRUE(std::regex_search(log, answered)) << log;
  EXPECT_NE(log.find(" method=POST route=webhook_twilio status=415 ms="), std::string::npos) << log;
  // Answered by the HTTP server itself, and still logged and counted.
  EXPECT_NE(log.find(" method=POST route=webhook_twilio status=413 ms=0.00 outcome=rejected_by_server"),
            std::string::npos)
      << log;
  EXPECT_NE(HttpCall("GET", d.Url("/metrics"))
                .body.find(R"(helpline_http_requests_total{route="webhook_twilio",status="413"} 1)"),
            std::string::npos);
  // Nothing in the logs carries the number or the message.
  EXPECT_EQ(log.find("6045550123"), std::string::npos);
  EXPECT_EQ(log.find("narcan"), std::string::npos);
}

TEST(Daemon, StopThenStartAndDuplicatesAndWhatsApp) {
  RedisServer redis;
  Daemon d(redis);
  auto stop = d.Text("+14165550123", "STOP", NewSid());
  EXPECT_NE(stop.body.find("unsubscribed"), std::string::npos) << stop.body;
  auto after = d.Text("+14165550123", "NALOXONE", NewSid());
  EXPECT_NE(after.body.find("you opted out"), std::string::npos) << after.body;
  auto help = d.Text("+14165550123", "HELP", NewSid());
  EXPECT_NE(help.body.find("Reply STOP to opt out"), std::string::npos) << "HELP always answers";
  auto start = d.Text("+14165550123", "START", NewSid());
  EXPECT_NE(start.body.find("subscribed again"), std::string::npos) << start.body;
  auto back = d.Text("+14165550123", "NALOXONE", NewSid());
  EXPECT_NE(back.body.find("National Overdose Response Service"), std::string::npos) << back.body;

  // A Twilio retry with the same MessageSid gets the identical reply and
  // changes state once: AYUDA then the retry, then HELP is still Spanish.
  const std::string sid = NewSid();
  auto first = d.Text("+12125550123", "AYUDA", sid);
  auto retry = d.Text("+12125550123", "AYUDA", sid);
  EXPECT_EQ(first.body, retry.body);
  EXPECT_NE(first.body.find("Responda STOP"), std::string::npos) << first.body;
  auto remembered = d.Text("+12125550123", "NALOXONE", NewSid());
  EXPECT_NE(remembered.body.find("Naloxona"), std::string::npos) << "the language is remembered: " << remembered.body;

  auto whatsapp = d.Text("whatsapp:+16045550123", "NALOXONE", NewSid());
  EXPECT_NE(whatsapp.body.find("pharmacies"), std::string::npos)
      << "chat replies carry descriptions: " << whatsapp.body;
}

// A language named as someone else's ("my dad only speaks spanish, ...
// where they speak spanish") is neither answered in nor remembered for the
// sender's next text; the sender's own ask ("can you text me in spanish")
// is both.
TEST(Daemon, ALanguageNamedAsSomeoneElsesIsNeitherAnsweredInNorRemembered) {
  RedisServer redis;
  Daemon d(redis);
  auto theirs =
      d.Text("+12125550123", "my dad only speaks spanish, is there a detox where they speak spanish", NewSid());
  ASSERT_EQ(theirs.status, 200) << theirs.body << d.process().Stderr();
  EXPECT_NE(theirs.body.find("SAMHSA National Helpline"), std::string::npos) << "answered in English: " << theirs.body;
  auto next = d.Text("+12125550123", "NALOXONE", NewSid());
  EXPECT_EQ(next.body.find("Naloxona"), std::string::npos) << "Spanish is not remembered: " << next.body;
  EXPECT_NE(next.body.find("over the counter"), std::string::npos) << "still English: " << next.body;

  auto own = d.Text("+12125550124", "can you text me in spanish", NewSid());
  ASSERT_EQ(own.status, 200) << own.body;
  auto remembered = d.Text("+12125550124", "NALOXONE", NewSid());
  EXPECT_NE(remembered.body.find("Naloxona"), std::string::npos)
      << "the sender's own is remembered: " << remembered.body;
}

TEST(Daemon, RateLimitGivesOneNoticeThenSilence) {
  RedisServer redis;
  Daemon d(redis, "rate_limit_messages = 3\nrate_limit_window_s = 60\n");
  for (int i = 0; i < 3; ++i)
    EXPECT_NE(d.Text("+13055550123", "HELP", NewSid()).body.find("<Message>"), std::string::npos);
  auto notice = d.Text("+13055550123", "HELP", NewSid());
  EXPECT_NE(notice.body.find("wait a minute"), std::string::npos) << notice.body;
  auto silent = d.Text("+13055550123", "HELP", NewSid());
  EXPECT_NE(silent.body.find("<Response/>"), std::string::npos) << silent.body;
  auto stop = d.Text("+13055550123", "STOP", NewSid());
  EXPECT_NE(stop.body.find("unsubscribed"), std::string::npos) << "STOP is honoured even when rate limited";
  // Another sender is not affected.
  EXPECT_NE(d.Text("+13055550199", "HELP", NewSid()).body.find("<Message>"), std::string::npos);
}

// Sends SIGHUP and waits (10 s at most) for `needle` in what the daemon
// writes to stderr from then on; then lets the loops take the new settings
// at their next turn.
void SighupAndWaitFor(Daemon& d, const std::string& needle) {
  const std::size_t seen = d.process().Stderr().size();
  d.process().Signal(SIGHUP);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (d.process().Stderr().find(needle, seen) == std::string::npos && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(d.process().Stderr().find(needle, seen), std::string::npos) << d.process().Stderr();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

TEST(Daemon, SighupAppliesANewRateLimitKeepsTheApiKeysAndRefusesABadFile) {
  RedisServer redis;
  Daemon d(redis, "rate_limit_messages = 100\n");
  const pid_t pid = d.process().pid();
  for (int i = 0; i < 2; ++i)
    EXPECT_NE(d.Text("+13055550111", "HELP", NewSid()).body.find("<Message>"), std::string::npos);

  d.RewriteConfig("rate_limit_messages = 1\n");
  SighupAndWaitFor(
      d,
      "SIGHUP: directory check requested; applied api_key_sha256 (1 key(s)), alerts_api_key_sha256 (0 key(s)), "
      "rate_limit_messages = 1");
  EXPECT_NE(d.Text("+13055550122", "HELP", NewSid()).body.find("<Message>"), std::string::npos);
  auto notice = d.Text("+13055550122", "HELP", NewSid());
  EXPECT_NE(notice.body.find("wait a minute"), std::string::npos) << notice.body;
  // The outreach API keys (from the environment here) are still accepted.
  EXPECT_EQ(HttpCall("GET", d.Url("/v1/regions"), {{"Authorization", "Bearer " + kApiKey}}).status, 200);

  // A broken file is refused whole; the running settings stay.
  d.RewriteConfig("rate_limit_messages = many\n");
  SighupAndWaitFor(d, "SIGHUP: configuration not reloaded");
  EXPECT_NE(d.Text("+13055550133", "HELP", NewSid()).body.find("<Message>"), std::string::npos);
  EXPECT_NE(d.Text("+13055550133", "HELP", NewSid()).body.find("wait a minute"), std::string::npos);
  EXPECT_EQ(d.process().pid(), pid);  // no restart
}

TEST(Daemon, HotReloadsANewDirectoryVersionWhileServing) {
  RedisServer redis;
  Daemon d(redis);
  EXPECT_NE(d.Text("+16045550123", "NALOXONE", NewSid()).body.find("National Overdose Response Service"),
            std::string::npos);
  char tmpl[] = "/tmp/hl-data-XXXXXX";
  fs::path copy = mkdtemp(tmpl);
  fs::copy(kData, copy, fs::copy_options::recursive);  // with sites/: without them a load removes over 20%
  {
    std::ifstream in(copy / "ca.json");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const std::string from = "\"name\": \"National Overdose Response Service (NORS)\"";
    text.replace(text.find(from), from.size(), "\"name\": \"Naloxone Locator\"");
    std::ofstream(copy / "ca.json") << text;
  }
  auto load = RunProcess({kBin, "load", copy.string(), "--quiet"}, {"HELPLINE_REDIS_URL=" + redis.Url()});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  fs::remove_all(copy);
  bool swapped = false;
  for (int i = 0; i < 100 && !swapped; ++i) {
    swapped = d.Text("+16045550123", "NALOXONE", NewSid()).body.find("Naloxone Locator") != std::string::npos;
    if (!swapped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(swapped) << d.process().Stderr();
  auto metrics = HttpCall("GET", d.Url("/metrics"));
  EXPECT_NE(metrics.body.find("helpline_directory_version 2"), std::string::npos) << metrics.body;
}

TEST(Daemon, KeepsAnsweringFromItsSnapshotWhenRedisDies) {
  RedisServer redis;
  Daemon d(redis);
  ASSERT_NE(d.Text("+16045550123", "HELP", NewSid()).body.find("<Message>"), std::string::npos);
  redis.Kill();
  auto r = d.Text("+16045550123", "NALOXONE", NewSid());
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("National Overdose Response Service"), std::string::npos) << r.body << d.process().Stderr();
  bool degraded = false;
  for (int i = 0; i < 100 && !degraded; ++i) {
    degraded = HttpCall("GET", d.Url("/readyz")).body.find("\"redis\":\"down\"") != std::string::npos;
    if (!degraded) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(degraded);
  auto metrics = HttpCall("GET", d.Url("/metrics"));
  EXPECT_NE(metrics.body.find("helpline_redis_up 0"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("outcome=\"redis_unavailable\""), std::string::npos) << metrics.body;
}

TEST(Daemon, OutreachApiNeedsAKeyAndAnswersJson) {
  RedisServer redis;
  Daemon d(redis);
  auto none = HttpCall("GET", d.Url("/v1/lookup?region=CA-BC&category=naloxone"));
  EXPECT_EQ(none.status, 401);
  auto wrong = HttpCall("GET", d.Url("/v1/lookup?region=CA-BC&category=naloxone"), {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
  const std::pair<std::string, std::string> auth = {"Authorization", "Bearer " + kApiKey};
  auto ok = HttpCall("GET", d.Url("/v1/lookup?region=CA-BC&category=overdose_prevention&lang=en"), {auth});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.content_type.find("application/json"), std::string::npos);
  EXPECT_NE(ok.body.find("\"id\":\"ca-nors\""), std::string::npos) << ok.body;
  auto bad = HttpCall("GET", d.Url("/v1/lookup?region=XX&category=naloxone"), {auth});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("region"), std::string::npos);
  auto regions = HttpCall("GET", d.Url("/v1/regions"), {auth});
  EXPECT_EQ(regions.status, 200);
  EXPECT_NE(regions.body.find("\"code\":\"CA-BC\""), std::string::npos) << regions.body;
}

TEST(Daemon, SigtermDrainsAndExitsZero) {
  RedisServer redis;
  Daemon d(redis);
  ASSERT_EQ(d.Text("+16045550123", "HELP", NewSid()).status, 200);
  d.process().Signal(SIGTERM);
  EXPECT_EQ(d.process().Wait(15000), 0) << d.process().Stderr();
}

TEST(Daemon, TheFindPageServesOutreachWorkersWithoutAKey) {
  RedisServer redis;
  Daemon d(redis);
  auto page = HttpCall("GET", d.Url("/find?region=CA-BC&category=overdose_prevention&lang=en"));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("National Overdose Response Service"), std::string::npos);
  EXPECT_NE(page.body.find("href=\"tel:"), std::string::npos);
  EXPECT_NE(page.body.find("call 911"), std::string::npos);
  auto form = HttpCall("GET", d.Url("/find"));
  EXPECT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("<form"), std::string::npos);
  auto hostile = HttpCall("GET", d.Url("/find?region=%3Cscript%3E&category=naloxone"));
  EXPECT_EQ(hostile.status, 400);
  EXPECT_EQ(hostile.body.find("<script>"), std::string::npos);
  EXPECT_EQ(HttpCall("POST", d.Url("/find"), {}, "x=1").status, 405);
  // "near": the daemon's data/geo places a ZIP; the shipped Chicago sites come first.
  auto near = HttpCall("GET", d.Url("/find?near=60614&category=naloxone"));
  ASSERT_EQ(near.status, 200) << near.body;
  EXPECT_NE(near.body.find("<h2>Naloxone near 60614</h2>"), std::string::npos);
  EXPECT_NE(near.body.find("<article class=\"card site\">"), std::string::npos);
  EXPECT_NE(near.body.find("href=\"https://www.openstreetmap.org/?mlat="), std::string::npos);
  EXPECT_EQ(HttpCall("GET", d.Url("/find?near=nowhere-at-all&category=naloxone")).status, 400);
}

// --- Redis outages, broken promises, stale directories (issue 15) ---------

// Polls `ok` every 20 ms until it holds or `deadline` passes; true if it held.
template <typename F>
bool Eventually(F ok, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!ok()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A copy of the shipped directory in which NORS is renamed "Naloxone
// Locator": a different directory, told apart by one reply. The caller
// removes it.
fs::path RenamedNorsDirectory() {
  char tmpl[] = "/tmp/hl-data-XXXXXX";
  fs::path copy = mkdtemp(tmpl);
  fs::copy(kData, copy, fs::copy_options::recursive);  // with sites/: without them a load removes over 20%
  std::string text = ReadAll(copy / "ca.json");
  const std::string from = "\"name\": \"National Overdose Response Service (NORS)\"";
  text.replace(text.find(from), from.size(), "\"name\": \"Naloxone Locator\"");
  std::ofstream(copy / "ca.json") << text;
  return copy;
}

ProcessResult LoadInto(const std::string& redis_url, const fs::path& dir, const std::string& prefix = "hl:") {
  return RunProcess({kBin, "load", dir.string(), "--quiet", "--prefix", prefix}, {"HELPLINE_REDIS_URL=" + redis_url});
}

std::string Ready(const Daemon& d) { return HttpCall("GET", d.Url("/readyz")).body; }

bool Has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TEST(DaemonWithoutRedis, StartedWhileRedisIsDownItServesTheLastVersionItSavedOnDiskThenRedisAgain) {
  RestartableRedis redis;
  Daemon d(redis.Url(), {});
  // A second version, different from the shipped files, so the reply tells
  // which one is served.
  const fs::path renamed = RenamedNorsDirectory();
  ASSERT_EQ(LoadInto(redis.Url(), renamed).exit_code, 0);
  fs::remove_all(renamed);
  ASSERT_TRUE(Eventually([&] { return Has(ReadAll(d.snapshot_path()), "Naloxone Locator"); }))
      << "version 2 was not saved on disk\n"
      << d.process().Stderr();
  EXPECT_FALSE(fs::exists(d.snapshot_path().string() + ".tmp." + std::to_string(d.process().pid())));

  redis.Stop();
  d.Restart();
  auto ready = HttpCall("GET", d.Url("/readyz"));
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_TRUE(Has(ready.body, "\"status\":\"degraded\"")) << ready.body;
  EXPECT_TRUE(Has(ready.body, "\"directory_source\":\"disk_snapshot\"")) << ready.body;
  EXPECT_TRUE(Has(ready.body, "\"directory_version\":2")) << ready.body;
  EXPECT_TRUE(Has(ready.body, "saved on disk")) << ready.body;
  EXPECT_TRUE(Has(ready.body, "no memory")) << "the reply says why: " << ready.body;

  auto od = d.Text("+12125550123", "my friend is not breathing", NewSid());
  EXPECT_EQ(od.status, 200) << od.body;
  EXPECT_TRUE(Has(od.body, "<Message>OVERDOSE: call 911 now.")) << od.body << d.AllStderr();
  auto naloxone = d.Text("+16045550123", "NALOXONE", NewSid());
  EXPECT_EQ(naloxone.status, 200);
  EXPECT_TRUE(Has(naloxone.body, "Naloxone Locator")) << "the disk snapshot, not the shipped files: " << naloxone.body;
  EXPECT_TRUE(Has(HttpCall("GET", d.Url("/metrics")).body, "helpline_directory_source{source=\"disk_snapshot\"} 1"));

  // Redis comes back empty; the directory is loaded again: served as usual.
  redis.Start();
  ASSERT_EQ(LoadInto(redis.Url(), kData).exit_code, 0);
  EXPECT_TRUE(Eventually([&] { return Has(Ready(d), "\"status\":\"ready\""); }, std::chrono::seconds(20)))
      << Ready(d) << d.process().Stderr();
  EXPECT_TRUE(Has(Ready(d), "\"directory_source\":\"redis\"")) << Ready(d);
  EXPECT_TRUE(Has(d.Text("+16045550123", "NALOXONE", NewSid()).body, "National Overdose Response Service"));
  auto stop = d.Text("+16045550124", "STOP", NewSid());
  EXPECT_EQ(stop.status, 200);
  EXPECT_TRUE(Has(stop.body, "unsubscribed")) << stop.body;
}

TEST(DaemonWithoutRedis, StartedWhileRedisIsDownWithNoDiskSnapshotItServesTheShippedFiles) {
  RestartableRedis redis;
  redis.Stop();
  Daemon d(redis.Url(), {.config = "", .env = {}, .load_directory = false});
  ASSERT_FALSE(fs::exists(d.snapshot_path()));
  auto ready = HttpCall("GET", d.Url("/readyz"));
  EXPECT_EQ(ready.status, 200) << ready.body << d.process().Stderr();
  EXPECT_TRUE(Has(ready.body, "\"status\":\"degraded\"")) << ready.body;
  EXPECT_TRUE(Has(ready.body, "\"directory_source\":\"shipped_files\"")) << ready.body;
  EXPECT_TRUE(Has(ready.body, "\"redis\":\"down\"")) << ready.body;
  auto od = d.Text("+12125550123", "my friend is not breathing", NewSid());
  EXPECT_EQ(od.status, 200) << od.body;
  EXPECT_TRUE(Has(od.body, "<Message>OVERDOSE: call 911 now.")) << od.body;
  EXPECT_TRUE(Has(d.Text("+16045550123", "NALOXONE", NewSid()).body, "National Overdose Response Service"));
  EXPECT_EQ(HttpCall("GET", d.Url("/find?region=CA-BC&category=naloxone")).status, 200);

  // Redis is back but holds no directory: still the shipped files, and /readyz says so.
  redis.Start();
  EXPECT_TRUE(Eventually([&] { return Has(Ready(d), "holds no directory version"); }, std::chrono::seconds(20)))
      << Ready(d);
  EXPECT_TRUE(Has(Ready(d), "\"status\":\"degraded\"")) << Ready(d);
}

TEST(DaemonPromises, AStopThatCannotBeStoredGets503AndItsRedeliveryIsHonoured) {
  RestartableRedis redis;
  Daemon d(redis.Url(), {});
  ASSERT_TRUE(Has(d.Text("+14165550123", "HELP", NewSid()).body, "<Message>"));

  // Paused: the admit times out (redis_timeout_ms); the change may or may
  // not have been applied, so nothing is confirmed.
  redis.Pause();
  const std::string stop_sid = NewSid();
  auto stop = d.Text("+14165550123", "STOP", stop_sid);
  EXPECT_EQ(stop.status, 503) << stop.body;
  EXPECT_TRUE(Has(stop.body, "could not be stored")) << stop.body;
  EXPECT_FALSE(Has(stop.body, "unsubscribed")) << stop.body;
  redis.Resume();
  // The provider delivers it again: confirmed, and kept.
  bool confirmed = Eventually([&] { return Has(d.Text("+14165550123", "STOP", stop_sid).body, "unsubscribed"); });
  EXPECT_TRUE(confirmed) << d.process().Stderr();
  // Every loop's connection is back (each reconnects on its own), so no reply is without memory.
  EXPECT_TRUE(Eventually([&] { return Has(Ready(d), "\"redis\":\"up\""); })) << Ready(d);
  EXPECT_TRUE(Has(d.Text("+14165550123", "NALOXONE", NewSid()).body, "you opted out"));

  // Redis gone: STOP, START and a language switch (whose replies would
  // confirm a change) get 503; a request that only implies a region or a
  // language, and any safety message, are answered and not remembered.
  redis.Stop();
  for (const char* text : {"STOP", "START", "ESPANOL", "please stop texting me"}) {
    auto r = d.Text("+14165550199", text, NewSid());
    EXPECT_EQ(r.status, 503) << text << ": " << r.body;
  }
  for (const char* text : {"NALOXONE", "naloxone in BC", "AYUDA", "my friend is not breathing in Texas"}) {
    auto r = d.Text("+14165550199", text, NewSid());
    EXPECT_EQ(r.status, 200) << text << ": " << r.body;
    EXPECT_TRUE(Has(r.body, "<Message>")) << text << ": " << r.body;
  }
  EXPECT_TRUE(Has(d.Text("+14165550199", "he is not breathing in Texas", NewSid()).body, "call 911 now"));
  auto metrics = HttpCall("GET", d.Url("/metrics")).body;
  EXPECT_TRUE(Has(metrics, "helpline_webhook_messages_total{outcome=\"state_not_stored\"}")) << metrics;
}

TEST(DaemonPromises, AMessageIdLongerThanTheStoreAcceptsIsA400WithAReasonNotAnOutage) {
  RedisServer redis;
  Daemon d(redis);
  auto stop = d.Text("+14165550123", "STOP", "SM" + std::string(300, 'a'));
  EXPECT_EQ(stop.status, 400) << stop.body;
  EXPECT_TRUE(Has(stop.body, "message id longer than 256 bytes")) << stop.body;
  EXPECT_FALSE(Has(stop.body, "unsubscribed"));
  EXPECT_EQ(d.Text("+14165550123", "HELP", "SM" + std::string(254, 'b')).status, 200) << "256 bytes are fine";
  // Readiness follows the loops' PING probes (every 200 ms): on a busy
  // machine the first may still be out right after start, so wait for it.
  EXPECT_TRUE(Eventually([&] { return Has(Ready(d), "\"status\":\"ready\""); })) << Ready(d);
  auto metrics = HttpCall("GET", d.Url("/metrics")).body;
  EXPECT_TRUE(Has(metrics, "helpline_webhook_messages_total{outcome=\"bad_message_id\"} 1")) << metrics;
  EXPECT_FALSE(Has(metrics, "outcome=\"redis_unavailable\"")) << metrics;
  EXPECT_TRUE(Has(metrics, "helpline_redis_errors_total 0")) << metrics;
}

TEST(DaemonDirectoryIdentity, ADifferentDirectoryLoadedAsVersion1AfterRedisLostItsDataIsPickedUp) {
  RestartableRedis redis;
  Daemon d(redis.Url(),
           {.config = "directory_poll_s = 3600\nrate_limit_messages = 1000000\n", .env = {}, .load_directory = true});
  ASSERT_TRUE(Has(d.Text("+16045550123", "NALOXONE", NewSid()).body, "National Overdose Response Service"));
  redis.Stop();
  redis.Start();
  const fs::path renamed = RenamedNorsDirectory();
  auto load = LoadInto(redis.Url(), renamed);
  fs::remove_all(renamed);
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_TRUE(Eventually([&] { return Has(d.Text("+16045550123", "NALOXONE", NewSid()).body, "Naloxone Locator"); },
                         std::chrono::seconds(20)))
      << d.process().Stderr();
  EXPECT_TRUE(Has(Ready(d), "\"directory_version\":1")) << Ready(d);
}

// Replaces version 1's content under the same number, announcing nothing:
// `dir` is loaded under another prefix and its keys renamed over hl:'s.
void ReplaceVersion1Silently(RawRedis& raw, const std::string& url, const fs::path& dir, const std::string& prefix) {
  ASSERT_EQ(LoadInto(url, dir, prefix).exit_code, 0);
  EXPECT_EQ(raw.Str({"RENAME", prefix + "dir:v1:res", "hl:dir:v1:res"}), "OK");
  EXPECT_EQ(raw.Str({"RENAME", prefix + "dir:v1:meta", "hl:dir:v1:meta"}), "OK");
  EXPECT_EQ(raw.Str({"GET", "hl:dir:current"}), "1");
}

TEST(DaemonDirectoryIdentity, SighupPublishAndPollEachNoticeNewContentUnderTheSameVersionNumber) {
  RedisServer redis;
  RawRedis raw(redis.socket_path());
  // Many messages from one number while waiting: no rate limit in the way.
  const std::string no_limit = "rate_limit_messages = 1000000\n";
  Daemon d(redis, {.config = "directory_poll_s = 3600\n" + no_limit, .env = {}, .load_directory = true});
  auto serves = [&](Daemon& daemon, const std::string& needle) {
    return Eventually([&] { return Has(daemon.Text("+16045550123", "NALOXONE", NewSid()).body, needle); });
  };
  ASSERT_TRUE(serves(d, "National Overdose Response Service"));
  const fs::path renamed = RenamedNorsDirectory();

  ReplaceVersion1Silently(raw, redis.Url(), renamed, "t1:");
  d.process().Signal(SIGHUP);
  EXPECT_TRUE(serves(d, "Naloxone Locator")) << "SIGHUP\n" << d.process().Stderr();

  ReplaceVersion1Silently(raw, redis.Url(), kData, "t2:");
  EXPECT_EQ(raw.Int({"PUBLISH", "hl:dir:events", "1"}), 1) << "the daemon is subscribed";
  EXPECT_TRUE(serves(d, "National Overdose Response Service")) << "dir:events\n" << d.process().Stderr();

  Daemon polling(redis, {.config = "directory_poll_s = 1\n" + no_limit, .env = {}, .load_directory = false});
  ASSERT_TRUE(serves(polling, "National Overdose Response Service"));
  ReplaceVersion1Silently(raw, redis.Url(), renamed, "t3:");
  EXPECT_TRUE(serves(polling, "Naloxone Locator")) << "poll\n" << polling.process().Stderr();
  fs::remove_all(renamed);
}

TEST(DaemonReadiness, ReadyzAndRedisUpFollowTheConnectionWithinASecond) {
  RestartableRedis redis;
  Daemon d(redis.Url(), {.config = "directory_poll_s = 3600\n", .env = {}, .load_directory = true});
  ASSERT_TRUE(Eventually([&] { return Has(Ready(d), "\"status\":\"ready\""); })) << Ready(d);
  auto metric_up = [&](int v) {
    return Has(HttpCall("GET", d.Url("/metrics")).body, "helpline_redis_up " + std::to_string(v) + "\n");
  };
  EXPECT_TRUE(metric_up(1));
  // "Within a second" of the probe; the test allows scheduling slack on a busy machine.
  constexpr auto kSoon = std::chrono::milliseconds(2500);

  redis.Pause();  // no traffic at all: nothing but the probe can notice
  EXPECT_TRUE(Eventually([&] { return Has(Ready(d), "\"redis\":\"down\""); }, kSoon)) << Ready(d);
  EXPECT_TRUE(metric_up(0));
  EXPECT_TRUE(Has(Ready(d), "\"status\":\"degraded\""));
  redis.Resume();
  EXPECT_TRUE(Eventually([&] { return Has(Ready(d), "\"redis\":\"up\""); })) << Ready(d);
  EXPECT_TRUE(metric_up(1));

  redis.Stop();
  EXPECT_TRUE(Eventually([&] { return Has(Ready(d), "\"redis\":\"down\""); }, kSoon)) << Ready(d);
  EXPECT_TRUE(metric_up(0));
  redis.Start();
  EXPECT_TRUE(Eventually([&] { return Has(Ready(d), "\"redis\":\"up\""); })) << Ready(d);
}

TEST(DaemonApi, TheBearerSchemeIsMatchedWhateverItsCase) {
  RedisServer redis;
  Daemon d(redis);
  const std::string url = d.Url("/v1/regions");
  for (const char* scheme : {"Bearer ", "bearer ", "BEARER ", "bEaReR "}) {
    EXPECT_EQ(HttpCall("GET", url, {{"Authorization", scheme + kApiKey}}).status, 200) << scheme;
  }
  for (const std::string& bad :
       {"Bearer" + kApiKey, "Basic " + kApiKey, "Bearer  x" + kApiKey, "Bearerx " + kApiKey, std::string("Bearer ")}) {
    EXPECT_EQ(HttpCall("GET", url, {{"Authorization", bad}}).status, 401) << bad;
  }
}

TEST(DaemonApi, LookupErrorsNameTheParameterNeverEchoItsValue) {
  RedisServer redis;
  Daemon d(redis);
  const std::pair<std::string, std::string> auth = {"Authorization", "Bearer " + kApiKey};
  auto bad = HttpCall("GET", d.Url("/v1/lookup?region=CA-BC&category=%3Cscript%3E%22%FF%01"), {auth});
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(Has(bad.body, "category")) << bad.body;
  EXPECT_TRUE(Has(bad.body, "naloxone")) << "the known categories are listed: " << bad.body;
  EXPECT_FALSE(Has(bad.body, "script")) << bad.body;
  EXPECT_FALSE(Has(bad.body, "\xff")) << bad.body;
  EXPECT_FALSE(Has(bad.body, "\\u0001")) << bad.body;
  auto missing = HttpCall("GET", d.Url("/v1/lookup?region=CA-BC"), {auth});
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(Has(missing.body, "category")) << missing.body;
}

TEST(DaemonConfig, AnUnknownDefaultRegionIsRefusedAtStartAndOnSighup) {
  char tmpl[] = "/tmp/hl-conf-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  std::ofstream(dir / "helpline.conf") << "default_region = XX\n";
  auto start = RunProcess({kBin, "serve", "--check-config", "--config", (dir / "helpline.conf").string()},
                          {"HELPLINE_SENDER_SECRET=" + kSecret});
  fs::remove_all(dir);
  EXPECT_EQ(start.exit_code, 1) << start.out << start.err;
  EXPECT_TRUE(Has(start.err, "default_region 'XX' is not a known region")) << start.err;

  RedisServer redis;
  Daemon d(redis, "default_region = CA\n");
  const pid_t pid = d.process().pid();
  auto sighup_and_wait_for = [&](const std::string& needle) {
    const std::size_t seen = d.process().Stderr().size();
    d.process().Signal(SIGHUP);
    EXPECT_TRUE(Eventually([&] { return d.process().Stderr().find(needle, seen) != std::string::npos; }))
        << d.process().Stderr();
  };
  d.RewriteConfig("default_region = US-XX\nrate_limit_messages = 1\n");
  sighup_and_wait_for("SIGHUP: configuration not reloaded: default_region 'US-XX' is not a known region");
  // The old configuration is kept whole (the rate limit too).
  EXPECT_TRUE(Has(d.Text("+13055550133", "HELP", NewSid()).body, "<Message>"));
  EXPECT_FALSE(Has(d.Text("+13055550133", "HELP", NewSid()).body, "wait a minute"));
  d.RewriteConfig("default_region = US-TX\n");
  sighup_and_wait_for("SIGHUP: directory check requested; applied");
  EXPECT_EQ(d.process().pid(), pid);
}

// sender_state_layout: SIGHUP switches the layout the sender's state is
// written in; an opt-out stored in either is honoured after each switch,
// and each sender's key is converted by their next message.
TEST(Daemon, SighupSwitchesTheSenderStateLayoutAndNoOptOutIsLost) {
  RedisServer redis;
  RawRedis raw(redis.socket_path());
  Daemon d(redis);
  // The types of the sender keys, sorted.
  auto sender_key_types = [&] {
    std::vector<std::string> types;
    Reply keys = raw.Run({"KEYS", "hl:sender:*"});
    for (std::size_t i = 0; keys != nullptr && i < keys->elements; ++i) {
      types.push_back(raw.Str({"TYPE", std::string(keys->element[i]->str, keys->element[i]->len)}));
    }
    std::sort(types.begin(), types.end());
    return types;
  };
  EXPECT_TRUE(Has(d.Text("+14165550123", "STOP", NewSid()).body, "unsubscribed"));
  EXPECT_EQ(sender_key_types(), (std::vector<std::string>{"hash"}));

  d.RewriteConfig("sender_state_layout = string\n");
  SighupAndWaitFor(d, "sender_state_layout = string");
  auto after = d.Text("+14165550123", "NALOXONE", NewSid());
  EXPECT_TRUE(Has(after.body, "you opted out")) << after.body;
  EXPECT_TRUE(Has(d.Text("+14165550199", "STOP", NewSid()).body, "unsubscribed"));
  EXPECT_EQ(sender_key_types(), (std::vector<std::string>{"string", "string"}));

  d.RewriteConfig("sender_state_layout = hash\n");  // flipping back, as before a rollback
  SighupAndWaitFor(d, "sender_state_layout = hash");
  auto back = d.Text("+14165550199", "NALOXONE", NewSid());
  EXPECT_TRUE(Has(back.body, "you opted out")) << back.body;
  EXPECT_EQ(sender_key_types(), (std::vector<std::string>{"hash", "string"}));
  EXPECT_TRUE(Has(d.Text("+14165550123", "NALOXONE", NewSid()).body, "you opted out"));
  EXPECT_EQ(sender_key_types(), (std::vector<std::string>{"hash", "hash"}));
}

}  // namespace
}  // namespace helpline::testing
