#pragma once
// A real redis-server for tests, started on a unix socket in a fresh temp
// directory (no TCP port, so tests never collide) and stopped on destruction.
//
//   RedisServer redis;                 // aborts the test binary if it cannot start
//   std::string url = redis.Url();     // "unix:///tmp/hl-redis-XXXX/redis.sock"
//
// Thread-safety: not thread-safe; one per test or fixture.

#include <sys/types.h>

#include <string>
#include <vector>

namespace helpline::testing {

// The redis-server binary: the first on PATH, else /usr/bin/redis-server.
std::string FindRedisServer();

// Starts args[0] (a redis-server binary) with `args`, stdout and stderr to
// `out_path`, killed with SIGKILL if the test binary dies (see the .cc).
// Aborts the test binary if it cannot fork.
pid_t SpawnRedis(const std::vector<std::string>& args, const std::string& out_path);
// SIGTERM, then SIGKILL after 5 s; reaps `pid`. No-op for pid <= 0.
void StopRedis(pid_t pid);

// A fresh directory /tmp/hl-redis-XXXXXX (or under $TMPDIR when short enough
// for a unix socket path); aborts the test binary if it cannot be made.
std::string MakeRedisTempDir();
// Copies a file (a redis log) to stderr with a header, if it exists.
void PrintRedisLog(const std::string& path);

// True when a redis-server answers PING on `socket_path` within 200 ms.
bool RedisAnswersPing(const std::string& socket_path);

class RedisServer {
 public:
  // Starts redis-server (found on PATH or in /usr/bin) with persistence off
  // and waits, with a 10 s deadline, until it answers PING.
  RedisServer();
  // Sends SIGTERM, waits for the process, and removes the temp directory.
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::string Url() const { return "unix://" + socket_path_; }
  const std::string& socket_path() const { return socket_path_; }
  pid_t pid() const { return pid_; }

  // Stops the server now (SIGKILL), e.g. to test "Redis went away".
  void Kill();

 private:
  std::string dir_;
  std::string socket_path_;
  pid_t pid_ = -1;
};

}  // namespace helpline::testing
