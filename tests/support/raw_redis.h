#pragma once
// A plain blocking hiredis connection for tests, to look at or poke a
// redis-server (tests/support/redis_server.h) behind the back of the code
// under test: seed and inspect keys, CLIENT KILL / CLIENT PAUSE, PUBLISH,
// SUBSCRIBE and read the pushes.
//
//   RawRedis raw(server.socket_path());   // reports a GoogleTest failure if it cannot connect
//   EXPECT_EQ(raw.Int({"EXISTS", "key"}), 1);
//   Reply r = raw.Command("GET %s", key.c_str());
//
// Connecting, and every command, uses a 5 s timeout. Failures are reported
// as non-fatal GoogleTest failures (ADD_FAILURE / EXPECT_*), so use it only
// inside a test.
//
// Thread-safety: not thread-safe (one hiredis context); one per thread.

#include <hiredis/hiredis.h>

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace helpline::testing {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
// A reply; null when the command failed (I/O error, timeout).
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

class RawRedis {
 public:
  // Connects to the unix socket at `socket_path`; on failure records a test
  // failure ("raw connect: ...") and every later command fails.
  explicit RawRedis(const std::string& socket_path);
  ~RawRedis();
  RawRedis(const RawRedis&) = delete;
  RawRedis& operator=(const RawRedis&) = delete;

  // Sends one command, one argument per element (binary-safe).
  Reply Run(const std::vector<std::string>& args);
  // Sends one command in hiredis's format syntax (%s, %b, ...); records a test
  // failure when there is no reply.
  Reply Command(const char* format, ...);

  // Run(args)'s string (or status/error text); "" when there is none.
  std::string Str(const std::vector<std::string>& args);
  // Run(args)'s integer; -999 when the reply is not an integer.
  long long Int(const std::vector<std::string>& args);
  // field -> value of a hash (HGETALL), in the server's order.
  std::vector<std::pair<std::string, std::string>> Hash(const std::string& key);
  // One field of a hash (HGET); "" when it is missing.
  std::string Field(const std::string& key, const std::string& field);
  // Every key on the server, by SCAN; records a test failure if SCAN fails.
  std::set<std::string> AllKeys();
  // TTL of `key`; -999 when the reply is not an integer.
  long long Ttl(const std::string& key);
  // Reads one pushed message (after SUBSCRIBE), its parts as strings
  // (integers in decimal); empty on timeout.
  std::vector<std::string> NextPush();

 private:
  redisContext* ctx_ = nullptr;
};

}  // namespace helpline::testing
