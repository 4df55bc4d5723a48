#pragma once
// The end-to-end test fixture: the real `helpline serve` binary on a real
// redis-server (tests/support/redis_server.h) loaded with the shipped
// directory, on port 0, talked to over real HTTP (libcurl).
//
//   RedisServer redis;
//   Daemon d(redis, {.config = "outbox_claim_idle_ms = 2000\n",
//                    .env = {"HELPLINE_TELNYX_API_KEY=KEY0123"}});
//   auto r = d.Text("+16045550123", "HELP", NewSid());     // a signed Twilio webhook
//   d.Kill();                                              // SIGKILL, as a crash
//   d.Restart();                                           // a new process, same Redis
//
// A Daemon owns its config file (in a fresh temp directory) and its process;
// the RedisServer must outlive it. The process gets the Twilio token, the
// sender secret and the outreach API key hash below, plus Options::env.
//
// Thread-safety: not thread-safe; one per test. Url() and Text() may be
// called from several threads at once (they only read).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gateway/form_urlencoded.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace helpline::testing {

inline const std::string kBin = HELPLINE_BIN;
inline const std::string kSource = HELPLINE_SOURCE_DIR;
inline const std::string kData = kSource + "/data/directory";
inline const std::string kToken = "test-auth-token-0123456789";
inline const std::string kSecret = "sender-secret-for-tests-0123456789";
inline const std::string kApiKey = "outreach-key-1";

// sha256(kApiKey) in hex, computed by sha256sum (not by the code under test).
std::string Sha256OfApiKey();

// A Twilio-shaped MessageSid, distinct on every call within the test binary.
std::string NewSid();

// Seconds since the epoch, now (what providers put in signed timestamps).
long long UnixNow();

class Daemon {
 public:
  struct Options {
    // Appended to the config file ("key = value\n" lines).
    std::string config;
    // Extra environment of the process ("NAME=value"), after the defaults.
    std::vector<std::string> env;
    // Load the shipped directory into Redis before the first start.
    bool load_directory = true;
  };

  // Loads the directory (unless told not to) and starts the daemon; records
  // a test failure when it does not print its port.
  Daemon(RedisServer& redis, Options options);
  // Options{.config = extra_config}.
  explicit Daemon(RedisServer& redis, const char* extra_config = "");
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // http://127.0.0.1:{port of the current process}{path}
  std::string Url(const std::string& path) const;
  int port() const { return port_; }

  // A Twilio inbound-message webhook signed exactly as Twilio signs it.
  HttpResult Text(const std::string& from, const std::string& body, const std::string& sid,
                  const gateway::FormParams& extra = {});
  // A Twilio webhook with exactly `params`, signed.
  HttpResult TwilioPost(const gateway::FormParams& params);

  // SIGKILL, as a crash: no drain, nothing flushed; waits (5 s) until it is gone.
  // Rewrites the config file with Options::config replaced by `extra` (for
  // SIGHUP tests); the running process is not told.
  void RewriteConfig(const std::string& extra);
  void Kill();
  // Kills the current process (if it runs) and starts a new one with the
  // same config and Redis (the directory is not loaded again). A new
  // process has a new pid, so a new outbox consumer name; the port changes.
  void Restart();

  BackgroundProcess& process() { return *process_; }
  // Everything the current and the earlier processes wrote to stderr.
  std::string AllStderr();

 private:
  void Start();

  RedisServer& redis_;
  Options options_;
  std::filesystem::path dir_;
  std::unique_ptr<BackgroundProcess> process_;
  std::string earlier_stderr_;
  int port_ = 0;
};

}  // namespace helpline::testing
