#pragma once
// BlockingClient: one blocking hiredis connection, for the CLI's directory
// store (directory/redis_store.h) and whatever else runs off the event loops.
//
//   auto client = redis::BlockingClient::Connect(*redis::ParseUrl(url), {});
//   Result<redis::Value> n = (*client)->Command({"INCR", "hits"});
//   (*client)->Append({"MULTI"}); ...; (*client)->Append({"EXEC"});   // pipelined
//   Result<redis::Value> exec = (*client)->ReadTransaction("what", queued);
//   Result<redis::Value> r = (*client)->Eval(script, {keys...}, {args...});
//
// Results. I/O failures (refused, timed out, connection lost) are Unavailable
// and break the connection: in_sync() turns false and EnsureConnected()
// dials again. Error replies become a Status through redis::ErrorStatus
// (redis/errors.h: transient -> Unavailable, access -> FailedPrecondition,
// else Internal); an error answering AUTH is always FailedPrecondition (a
// wrong or needless password). Every message starts "redis {redacted URL}: ".
//
// SIGPIPE. hiredis writes with write(2), so writing to a connection the
// server closed raises SIGPIPE, whose default action kills the process. Each
// read of a reply (which is when hiredis writes) blocks SIGPIPE on its thread
// and discards one it caused; the write then fails with EPIPE and the call
// returns Unavailable.
//
// Sentinel. With a redis+sentinel:// URL every dial (Connect(),
// EnsureConnected()) first asks the sentinels for the primary's address and
// then checks with ROLE that the node is a primary (redis/sentinel.h), so a
// reconnect after a failover finds the new primary. Unavailable when no
// sentinel answers or the node named is not (or no longer) a primary. A
// READONLY error reply (the node was demoted under us) makes the next
// EnsureConnected() dial again.
//
// Thread-safety: none; give each thread its own client.

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "redis/faults.h"
#include "redis/url.h"
#include "redis/value.h"

namespace helpline::redis {

class Script;

class BlockingClient {
 public:
  struct Options {
    // Connect and per-command timeout, milliseconds. Default 5000, minimum 1.
    int timeout_ms = 5000;
    // Tests only: injected failures (redis/faults.h). Null in production.
    std::shared_ptr<Faults> faults;
  };

  // Connects and authenticates (AUTH, SELECT as the URL says, then PING, or
  // ROLE in Sentinel mode).
  // Unavailable if Redis cannot be reached; InvalidArgument for a URL with
  // neither host nor socket or a timeout below 1.
  static Result<std::unique_ptr<BlockingClient>> Connect(const Url& url, Options options);
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  // Dials again if the last I/O error broke the connection (or, in Sentinel
  // mode, the node answered READONLY).
  Status EnsureConnected();
  // True while connected with no I/O error: replies still match commands.
  bool in_sync() const;

  // One command and its reply.
  Result<Value> Command(std::initializer_list<std::string_view> args);

  // Pipelining: Append() queues a command without waiting; Next() reads the
  // oldest reply (`what` names it in messages).
  Status Append(std::initializer_list<std::string_view> args);
  Status Append(const std::vector<std::string_view>& args);
  Result<Value> Next(std::string_view what);

  // Reads the replies of a MULTI block of `queued` commands already appended
  // (MULTI's OK, each QUEUED, then EXEC) and returns EXEC's array, checked to
  // hold `queued` replies none of which is an error. Reads every reply even
  // after an error, so the connection stays in sync.
  Result<Value> ReadTransaction(std::string_view what, std::size_t queued);

  // Runs `script` (EVALSHA; on NOSCRIPT once EVAL, see redis/script.h).
  Result<Value> Eval(const Script& script, std::initializer_list<std::string_view> keys,
                     std::initializer_list<std::string_view> args);

  // The URL with its password masked, as every message quotes it.
  const std::string& redacted() const;
  // Internal("redis {url}: {what}: unexpected reply"), for callers parsing replies.
  Status Unexpected(std::string_view what, const Value& reply) const;

 private:
  struct Impl;
  explicit BlockingClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace helpline::redis
