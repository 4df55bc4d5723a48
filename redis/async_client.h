#pragma once
// AsyncClient: a hiredis (0.14) client driven by a Boost.Asio io_context, so
// that every request on a loop pipelines its Redis commands on one connection
// without blocking the loop.
//
//   AsyncClient redis(io, *ParseUrl("unix:///run/redis.sock"), AsyncClient::Options{});
//   redis.Start();                       // connects in the background
//   redis.Command({"INCR", "hits"}, [](Result<Value> r) {
//     if (!r.ok()) return;               // Unavailable: not connected, timeout, connection lost
//     if (r->is_error()) return;         // Redis answered with an error reply
//     Use(r->integer);
//   });
//   redis.Subscribe("hl:dir:events", [](std::string message) { Reload(message); });
//
// Results. A non-OK Result is always Unavailable and means "no answer": the
// command may or may not have run (retry with backoff, or degrade). An answer,
// including an error reply (WRONGTYPE, NOSCRIPT, a script's error), is an OK
// Result holding a Value of type kError: callers see exactly what Redis
// said, and a Status never hides a reply.
//
// Connection life. Start() connects in the background (TCP, resolving the
// host on Asio's resolver, or a unix socket), pipelining AUTH and SELECT (or a
// PING) first; connected() becomes true when they succeed. Commands issued
// while not connected fail at once with Unavailable("redis: not connected").
// A lost connection, a failed attempt or a command timeout (which makes the
// connection suspect: its replies are no longer trusted) frees the hiredis
// context, fails every pending command with Unavailable, and schedules a new
// attempt after an exponential backoff with jitter: attempt n waits a random
// delay in [d/2, d] with d = min(reconnect_max_ms, reconnect_min_ms * 2^n);
// n resets to 0 after a successful handshake.
//
// Timeouts. hiredis 0.14 has none, so each link keeps one steady_timer armed
// for the oldest pending command: replies arrive in order and all commands
// share one timeout, so the oldest command always has the earliest deadline.
// This gives every command its own deadline at O(1) cost per command.
//
// Callbacks. Every callback runs on the io_context's thread, exactly once,
// and never inside the call that caused it: failures decided inside
// Command(), Stop() or the destructor are posted. Replies are delivered in
// command order.
//
// Pub/sub uses a second connection (a subscribed connection cannot run other
// commands), opened on the first Subscribe() after Start() (or by Start()
// when channels were subscribed before). After every reconnect all channels
// are subscribed again and on_subscribed runs again: messages published while
// disconnected are lost (Redis pub/sub does not queue), so on_subscribed is
// the cue to re-read whatever the messages announce.
//
// Sentinel. With a redis+sentinel:// URL (redis/url.h) each attempt of
// either connection first asks the sentinels, in turn, for the primary's
// address (SENTINEL get-master-addr-by-name; the last sentinel that answered
// is asked first next time; a sentinel that fails, answers nil or times out
// passes the turn to the next one at once), then dials that address with the
// handshake above ending in ROLE, which must say "master" (otherwise the
// attempt failed and backs off). A third connection stays subscribed to
// `+switch-master` on one sentinel (the next one after each failure): when
// the primary of our master name moves, both connections drop their link
// (pending commands fail with Unavailable, as for any lost connection) and
// reconnect at once, skipping the backoff. A failover that kills or demotes
// the old primary also closes our links (Sentinel kills the clients of a node
// it reconfigures), so the watch mostly saves the backoff delay. Messages of
// the watch lost while it reconnects are not replayed; the ROLE check and
// the reconnect on a closed link cover that case.
//
// Thread-safety: none. Create, use and destroy an AsyncClient on the thread
// that runs its io_context (or before that thread starts). The io_context
// must outlive the AsyncClient. Do not destroy an AsyncClient from inside one of
// its own callbacks; Stop() is fine there.
//
// Limits: RESP2 only, no TLS (hiredis 0.14), no Redis Cluster.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "redis/faults.h"
#include "redis/url.h"
#include "redis/value.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace helpline::redis {

class AsyncClient {
 public:
  struct Options {
    // From the start of an attempt (resolve + connect + AUTH/SELECT) until
    // the handshake is answered. Default 2000.
    int connect_timeout_ms = 2000;
    // From Command() until its reply. A timeout fails that command with
    // Unavailable("redis: timeout") and drops the connection. Default 1000.
    int command_timeout_ms = 1000;
    // Backoff between connection attempts: the first retry waits about
    // reconnect_min_ms, doubling per failure up to reconnect_max_ms. Defaults 100, 5000.
    int reconnect_min_ms = 100;
    int reconnect_max_ms = 5000;
    // Commands are written when the loop next turns, together; once this
    // many wait, they are written at once instead, so that Redis starts on
    // them while the loop is still busy with the rest of its turn (parsing
    // the next requests). On a small machine this keeps the daemon and
    // Redis working side by side rather than in turns: +15-20% webhooks/s
    // on 2 cores (docs/BENCHMARKS.md). 0: only when the loop turns. Default 2.
    // Commands sent Urgency::kBackground do not count.
    int write_batch = 2;
    // Called on the loop with each command's seconds from Command() to its
    // callback (reply or failure), for a latency histogram. Optional.
    std::function<void(double seconds)> observe_latency;
    // Tests only: injected failures (redis/faults.h). Null in production.
    std::shared_ptr<Faults> faults;
  };

  using Callback = std::function<void(Result<Value>)>;

  // How soon a command is written (see Options::write_batch).
  enum class Urgency {
    // Someone waits for its reply to go on: it counts toward write_batch.
    kAwaited,
    // Nobody waits for its reply to go on (a record kept for later, like a
    // reply stored for redeliveries): it never starts an early write of its
    // own, and goes out with the next one or when the loop turns, whichever
    // comes first. One write per message instead of two when each message
    // sends one command of each kind.
    kBackground,
  };

  // Does not connect: call Start().
  AsyncClient(boost::asio::io_context& io, Url url, Options options);
  AsyncClient(boost::asio::io_context& io, Url url);
  // Stop().
  ~AsyncClient();
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  // Starts connecting (and reconnecting, until Stop()). No-op when started.
  void Start();
  // Cancels timers and attempts, frees the connections and fails every
  // pending command with Unavailable("redis: stopped") (posted). Safe to call
  // twice; Start() may be called again afterwards.
  void Stop();

  // Sends one command (binary-safe arguments, e.g. {"SET", key, bytes}).
  // `done` gets the reply, or Unavailable when not connected, on timeout or
  // when the connection is lost; InvalidArgument if `args` is empty. Replies
  // come in command order whatever their `urgency`.
  void Command(std::vector<std::string> args, Callback done, Urgency urgency = Urgency::kAwaited);
  // The same with the arguments as views, read only during the call (the
  // command is formatted at once): a caller that keeps its arguments for
  // later (redis::Script, for its NOSCRIPT retry) need not copy them.
  void Command(std::span<const std::string_view> args, Callback done, Urgency urgency = Urgency::kAwaited);

  // Subscribes to `channel` on the pub/sub connection; `on_message` gets each
  // message's payload, `on_subscribed` (optional) runs each time Redis
  // confirms the subscription, including after every reconnect. A second
  // Subscribe() to the same channel replaces its callbacks.
  void Subscribe(std::string channel, std::function<void(std::string message)> on_message,
                 std::function<void()> on_subscribed = nullptr);

  // True while the command connection is established and its handshake done.
  bool connected() const;
  // Commands that completed with a non-OK Status, plus failed connection
  // attempts and lost connections (all connections). For /metrics.
  std::uint64_t errors() const;
  // Connection attempts after the first one (all connections). For /metrics.
  std::uint64_t reconnects() const;
  // Sentinel mode: "ip:port" of the primary the command connection is
  // connected to, "" when not connected (or not in Sentinel mode).
  std::string primary() const;
  // Sentinel mode: +switch-master messages for our master name received.
  std::uint64_t switches() const;
  // Why the last attempt failed or the last connection was lost; "" if never.
  // Never contains the password.
  const std::string& last_error() const;

  // The io_context every callback runs on.
  boost::asio::io_context& context() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with handlers through weak_ptr
};

}  // namespace helpline::redis
