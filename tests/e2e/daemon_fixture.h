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
// A Daemon owns its config file and its disk snapshot (in a fresh temp
// directory) and its process; the RedisServer must outlive it. The process
// gets the Twilio token, the sender secret and the outreach API key hash
// below, plus Options::env.
//
// RestartableRedis is a redis-server whose address outlives it, for tests of
// Redis going away and coming back:
//
//   RestartableRedis redis;
//   Daemon d(redis.Url(), {});
//   redis.Stop();                 // SIGKILL: its data is gone
//   d.Restart();                  // starts while Redis is unreachable
//   redis.Start();                // a new, empty redis-server at the same address
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

// sha256(text) in hex, computed by sha256sum (not by the code under test).
std::string Sha256Of(const std::string& text);
// Sha256Of(kApiKey).
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
  // The same against the Redis at `redis_url` (a RestartableRedis's).
  Daemon(std::string redis_url, Options options);
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
  // Where this daemon keeps its disk snapshot (config snapshot_path).
  std::filesystem::path snapshot_path() const { return dir_ / "directory.snapshot"; }
  // Everything the current and the earlier processes wrote to stderr.
  std::string AllStderr();

 private:
  void Start();

  std::string redis_url_;
  Options options_;
  std::filesystem::path dir_;
  std::unique_ptr<BackgroundProcess> process_;
  std::string earlier_stderr_;
  int port_ = 0;
};

// A redis-server on a unix socket in a fresh temp directory, with
// persistence off, that can be stopped and started again at the same
// address. Started by the constructor; stopped (SIGKILL) by the destructor.
// Not thread-safe.
class RestartableRedis {
 public:
  RestartableRedis();
  ~RestartableRedis();
  RestartableRedis(const RestartableRedis&) = delete;
  RestartableRedis& operator=(const RestartableRedis&) = delete;

  std::string Url() const { return "unix://" + socket_path_; }
  const std::string& socket_path() const { return socket_path_; }

  // Starts a new, empty server and waits (10 s deadline) until it answers
  // PING; records a test failure if it does not. No-op while running.
  void Start();
  // SIGKILL, as a crash; waits until it is gone. Its data is lost.
  void Stop();
  // SIGSTOP / SIGCONT: the socket stays open but nothing is answered.
  void Pause();
  void Resume();

 private:
  std::filesystem::path dir_;
  std::string socket_path_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace helpline::testing
