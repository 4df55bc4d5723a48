#pragma once
// RedisScript: one Lua script run on an AsyncRedis with EVALSHA, falling back
// once to EVAL on NOSCRIPT (first use on a server, after a restart, a
// failover or SCRIPT FLUSH). EVAL also caches the script, so the next call is
// an EVALSHA again. Shared by every store that keeps its invariants in scripts
// (SenderStore, Outbox).
//
//   static constexpr std::string_view kIncr = "return redis.call('INCR', KEYS[1])";
//   RedisScript incr(kIncr);
//   incr.Run(redis, {"1", "hits"}, [](Result<RedisValue> r) { ... });   // numkeys, keys..., argv...
//
// Results are exactly AsyncRedis::Command's: Unavailable for "no answer", an
// OK Result holding kError for an error reply (use ScriptError to turn one
// into a Status).
//
// Thread-safety: a RedisScript is immutable after construction and may be
// shared; Run() follows its AsyncRedis's rules (loop thread only). The
// AsyncRedis must outlive every Run() until its callback ran; the RedisScript
// itself may be destroyed while calls are in flight.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "daemon/redis_async.h"

namespace helpline::daemon {

class RedisScript {
 public:
  explicit RedisScript(std::string_view source);

  // Runs the script. `args` = numkeys, keys..., argv... (as after EVAL's script).
  void Run(AsyncRedis& redis, std::vector<std::string> args, AsyncRedis::Callback done) const;

  // Lowercase hex SHA-1 of the source, as EVALSHA wants.
  const std::string& sha1() const { return body_->sha1; }

 private:
  struct Body {
    std::string source;
    std::string sha1;
  };
  std::shared_ptr<const Body> body_;  // shared with in-flight callbacks
};

// True for error replies that mean "this server cannot serve now" (LOADING,
// BUSY, READONLY after a failover, OOM, MASTERDOWN, TRYAGAIN, CLUSTERDOWN,
// NOREPLICAS), not "this call is wrong".
bool IsTransientRedisError(std::string_view error);

// The Status for an error reply: Unavailable when transient, else Internal;
// the message is "{what}: {error}".
Status ScriptError(std::string_view what, const std::string& error);

}  // namespace helpline::daemon
