#pragma once
// Script: one Lua script, run with EVALSHA and, when the server answers
// NOSCRIPT (first use on a server, after a restart, a failover or SCRIPT
// FLUSH), once more with EVAL, which also caches it, so the next call is an
// EVALSHA again. This is the one NOSCRIPT fallback: the async client's Run()
// below and BlockingClient::Eval() both follow Command() and NeedsSource().
// Used by every store that keeps its invariants in scripts (the sender store,
// the outbox, the directory's versioned store).
//
//   static constexpr std::string_view kIncr = "return redis.call('INCR', KEYS[1])";
//   redis::Script incr(kIncr);
//   incr.Run(client, {"1", "hits"}, [](Result<redis::Value> r) { ... });  // numkeys, keys..., argv...
//   Result<redis::Value> n = blocking.Eval(incr, {"hits"}, {});
//
// Run()'s results are exactly AsyncClient::Command's: Unavailable for "no
// answer", an OK Result holding kError for an error reply (redis::ErrorStatus
// turns one into a Status).
//
// Thread-safety: a Script is immutable after construction and may be
// shared; Run() follows its AsyncClient's rules (loop thread only). The
// AsyncClient must outlive every Run() until its callback ran; the Script
// itself may be destroyed while calls are in flight.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "redis/async_client.h"
#include "redis/value.h"

namespace helpline::redis {

class Script {
 public:
  explicit Script(std::string_view source);

  // Runs the script. `args` = numkeys, keys..., argv... (as after EVAL's script).
  void Run(AsyncClient& client, std::vector<std::string> args, AsyncClient::Callback done) const;

  // The command running the script with `args`: EVALSHA sha1 args..., or
  // EVAL source args... when `with_source`.
  std::vector<std::string> Command(bool with_source, const std::vector<std::string>& args) const;
  // True for a NOSCRIPT error reply: send Command(true, args), once.
  static bool NeedsSource(const Value& reply);

  // Lowercase hex SHA-1 of the source, as EVALSHA wants.
  const std::string& sha1() const { return body_->sha1; }

 private:
  struct Body {
    std::string source;
    std::string sha1;
  };
  std::shared_ptr<const Body> body_;  // shared with in-flight callbacks
};

}  // namespace helpline::redis
