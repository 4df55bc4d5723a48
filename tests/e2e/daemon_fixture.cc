#include "tests/e2e/daemon_fixture.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "gateway/twilio/twilio_signature.h"

namespace helpline::testing {

namespace fs = std::filesystem;

std::string Sha256Of(const std::string& text) {
  auto r = RunProcess({"/usr/bin/sh", "-c", "printf %s \"$1\" | sha256sum | cut -c1-64", "sh", text});
  return r.out.substr(0, 64);
}

std::string Sha256OfApiKey() { return Sha256Of(kApiKey); }

std::string NewSid() {
  static std::atomic<int> counter{0};
  return "SM" + std::to_string(1000000 + ++counter) + "abcdef0123456789abcdef";
}

long long UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Daemon::Daemon(RedisServer& redis, Options options) : Daemon(redis.Url(), std::move(options)) {}

Daemon::Daemon(std::string redis_url, Options options)
    : redis_url_(std::move(redis_url)), options_(std::move(options)) {
  if (options_.load_directory) {
    auto load = RunProcess({kBin, "load", kData, "--quiet"}, {"HELPLINE_REDIS_URL=" + redis_url_});
    EXPECT_EQ(load.exit_code, 0) << load.err;
  }
  char tmpl[] = "/tmp/hl-conf-XXXXXX";
  dir_ = mkdtemp(tmpl);
  RewriteConfig(options_.config);
  Start();
}

void Daemon::RewriteConfig(const std::string& extra) {
  std::ofstream(dir_ / "helpline.conf") << "listen_address = 127.0.0.1\nport = 0\nthreads = 2\n"
                                        << "directory_poll_s = 1\n"
                                        << "snapshot_path = " << snapshot_path().string() << "\n"
                                        << extra;
}

Daemon::Daemon(RedisServer& redis, const char* extra_config)
    : Daemon(redis, Options{.config = extra_config, .env = {}, .load_directory = true}) {}

Daemon::~Daemon() {
  process_.reset();  // SIGKILL if it still runs
  fs::remove_all(dir_);
}

void Daemon::Start() {
  std::vector<std::string> env = {"HELPLINE_REDIS_URL=" + redis_url_, "HELPLINE_SENDER_SECRET=" + kSecret,
                                  "HELPLINE_TWILIO_AUTH_TOKEN=" + kToken,
                                  "HELPLINE_API_KEY_SHA256=" + Sha256OfApiKey()};
  env.insert(env.end(), options_.env.begin(), options_.env.end());
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{kBin, "serve", "--config", (dir_ / "helpline.conf").string()}, env);
  port_ = 0;
  std::string line = process_->WaitForLine("listening on http://");
  std::smatch m;
  if (std::regex_search(line, m, std::regex(R"(http://[0-9.]+:([0-9]+))"))) port_ = std::stoi(m[1]);
  EXPECT_GT(port_, 0) << "daemon did not start:\n" << process_->Stderr();
}

std::string Daemon::Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

HttpResult Daemon::Text(const std::string& from, const std::string& body, const std::string& sid,
                        const gateway::FormParams& extra) {
  gateway::FormParams params = {{"MessageSid", sid},    {"AccountSid", "AC123"}, {"From", from},
                                {"To", "+18005550100"}, {"Body", body},          {"NumMedia", "0"}};
  params.insert(params.end(), extra.begin(), extra.end());
  return TwilioPost(params);
}

HttpResult Daemon::TwilioPost(const gateway::FormParams& params) {
  const std::string url = Url("/webhooks/twilio");
  return HttpCall("POST", url,
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"X-Twilio-Signature", gateway::TwilioSignature(kToken, url, params)}},
                  gateway::FormEncode(params));
}

void Daemon::Kill() {
  if (process_ == nullptr) return;
  process_->Signal(SIGKILL);
  EXPECT_EQ(process_->Wait(5000), 128 + SIGKILL) << "the daemon did not die of SIGKILL";
}

void Daemon::Restart() {
  if (process_ != nullptr) {
    if (!process_->exited()) Kill();
    earlier_stderr_ += process_->Stderr();
    earlier_stderr_ += "--- restarted ---\n";
  }
  Start();
}

std::string Daemon::AllStderr() { return earlier_stderr_ + (process_ ? process_->Stderr() : ""); }

RestartableRedis::RestartableRedis() {
  char tmpl[] = "/tmp/hl-rredis-XXXXXX";
  dir_ = mkdtemp(tmpl);
  socket_path_ = (dir_ / "redis.sock").string();
  Start();
}

RestartableRedis::~RestartableRedis() {
  Resume();
  process_.reset();  // SIGKILL
  fs::remove_all(dir_);
}

void RestartableRedis::Start() {
  if (process_ != nullptr) return;
  std::error_code ec;
  fs::remove(socket_path_, ec);
  process_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{
      FindRedisServer(), "--port", "0", "--unixsocket", socket_path_, "--unixsocketperm", "700", "--save", "",
      "--appendonly", "no", "--dir", dir_.string(), "--logfile", (dir_ / "redis.log").string(), "--hz", "100"});
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!RedisAnswersPing(socket_path_) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(RedisAnswersPing(socket_path_)) << "redis-server did not start at " << socket_path_;
}

void RestartableRedis::Stop() {
  if (process_ == nullptr) return;
  process_->Signal(SIGKILL);
  process_->Wait(5000);
  process_.reset();
}

void RestartableRedis::Pause() {
  if (process_ != nullptr) process_->Signal(SIGSTOP);
}

void RestartableRedis::Resume() {
  if (process_ != nullptr) process_->Signal(SIGCONT);
}

}  // namespace helpline::testing
