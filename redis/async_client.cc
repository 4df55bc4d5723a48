#include "redis/async_client.h"

#include <utility>  // before Asio (see STACK-NOTES)

// Design. Two layers:
//
//   Link     one hiredis context and its Asio watcher (the adapter over
//            addRead/delRead/addWrite/delWrite/cleanup), the FIFO of pending
//            callbacks and the timer for the oldest one's deadline.
//   Session  one logical connection (commands, or pub/sub): a state machine
//            kStopped -> kConnecting -> kConnected, with kBackoff between
//            attempts. Owns the current Link, the connect/backoff timer and
//            the resolver.
//
// Who frees a hiredis context. Either we do (Link::Close(): redisAsyncFree,
// deferred by hiredis until the current reply callback returns), or hiredis
// does on its own after a read/write error or a failed connect; we learn that
// from the first of: onConnect(error), a NULL reply, the cleanup hook,
// onDisconnect (Link::Gone()). From then on we never touch the context.
// hiredis keeps raw Link pointers (ev.data, ac->data, privdata) until its
// cleanup hook runs, so a Link holds a reference to itself until then (self_).
//
// Every Asio handler holds a shared_ptr<Link> or a weak_ptr<State>, and each
// Session timer/resolver handler also checks a generation number, so a stale
// or cancelled completion never acts on a newer state.

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "redis/faults.h"
#include "redis/internal/reply.h"
#include "redis/sentinel.h"

namespace helpline::redis {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

constexpr Clock::time_point kNoDeadline = Clock::time_point::max();
constexpr Clock::time_point kUnobserved = Clock::time_point::min();

using Observer = std::function<void(double seconds)>;  // AsyncClient::Options::observe_latency

struct Pending {
  AsyncClient::Callback done;
  Clock::time_point deadline = kNoDeadline;
  bool internal = false;  // a handshake command: not counted in errors()
  // When the caller gave it to AsyncClient::Command, if its latency is
  // observed (Options::observe_latency); kUnobserved otherwise. Kept here
  // rather than in a wrapping callback: no second std::function per command.
  Clock::time_point since = kUnobserved;
};

// Answers `p`: first its latency to `observe` (when it is observed), then
// its callback, as a callback wrapped by Observed() below would.
void Complete(Pending& p, const Observer& observe, Result<Value> result) {
  if (p.since != kUnobserved && observe) observe(std::chrono::duration<double>(Clock::now() - p.since).count());
  p.done(std::move(result));
}

// Posts `first` to the oldest pending callback and `rest` to the others, in
// order, in one handler. Returns how many were the caller's (not internal).
std::uint64_t PostFailures(asio::io_context& io, const Observer& observe, std::deque<Pending> pending,
                           const Status& first, const Status& rest) {
  if (pending.empty()) return 0;
  std::uint64_t counted = 0;
  bool observed = false;
  for (const Pending& p : pending) {
    counted += p.internal ? 0 : 1;
    observed = observed || p.since != kUnobserved;
  }
  asio::post(io, [pending = std::move(pending), observe = observed ? observe : Observer(), first, rest]() mutable {
    bool head = true;
    for (Pending& p : pending) {
      Complete(p, observe, head ? first : rest);
      head = false;
    }
  });
  return counted;
}

// `done`, preceded by the latency observer when there is one: for the
// commands answered without being sent (see Session::Command).
void Observed(const Observer& observe, Clock::time_point since, AsyncClient::Callback& done) {
  if (since == kUnobserved || !observe) return;
  done = [observe, since, done = std::move(done)](Result<Value> reply) {
    observe(std::chrono::duration<double>(Clock::now() - since).count());
    done(std::move(reply));
  };
}

// The decimal digits of n.
std::size_t Digits(std::size_t n) {
  std::size_t d = 1;
  for (; n >= 10; n /= 10) ++d;
  return d;
}

// Writes "{kind}{n}\r\n", a RESP array or bulk string header, at `p`
// (room for it is there); returns the end.
char* PutLength(char* p, char kind, std::size_t n) {
  *p++ = kind;
  p = std::to_chars(p, p + 20, n).ptr;
  *p++ = '\r';
  *p++ = '\n';
  return p;
}

// `args` as one RESP array of bulk strings (what redisFormatCommandArgv
// builds, without its argv/length arrays and sds reallocations), into
// `out`: its size is computed first and every piece copied once, with no
// capacity check per piece. Runs for every command (two per inbound message).
// `Args`: a std::vector<std::string> or a std::span<const std::string_view>.
template <typename Args>
void FormatCommand(const Args& args, std::string& out) {
  std::size_t size = 3 + Digits(args.size());
  for (const auto& a : args) size += 5 + Digits(a.size()) + a.size();
  out.resize(size);
  char* p = PutLength(out.data(), '*', args.size());
  for (const auto& a : args) {
    p = PutLength(p, '$', a.size());
    std::memcpy(p, a.data(), a.size());
    p += a.size();
    *p++ = '\r';
    *p++ = '\n';
  }
}

class Session;

// One hiredis context attached to the loop. See the design note above.
class Link : public std::enable_shared_from_this<Link> {
 public:
  // `observe` (the session's Options::observe_latency) must outlive the
  // link's replies: it is read only while the link is alive (not dead_).
  Link(asio::io_context& io, Session* owner, int write_batch, const Observer& observe)
      : io_(io), fd_(io), timer_(io), owner_(owner), observe_(observe), write_batch_(write_batch) {}
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Takes `ctx` (connected or connecting, err == 0). On failure frees it and
  // returns the reason.
  std::optional<std::string> Attach(redisAsyncContext* ctx) {
    ErrorCode ec;
    fd_.assign(ctx->c.fd, ec);
    if (ec) {
      redisAsyncFree(ctx);
      return "cannot watch the socket: " + ec.message();
    }
    ctx_ = ctx;
    self_ = shared_from_this();
    ctx->data = this;
    ctx->ev.data = this;
    ctx->ev.addRead = [](void* p) { static_cast<Link*>(p)->WantRead(true); };
    ctx->ev.delRead = [](void* p) { static_cast<Link*>(p)->WantRead(false); };
    ctx->ev.addWrite = [](void* p) { static_cast<Link*>(p)->WantWrite(true); };
    ctx->ev.delWrite = [](void* p) { static_cast<Link*>(p)->WantWrite(false); };
    ctx->ev.cleanup = [](void* p) { static_cast<Link*>(p)->OnCleanup(); };
    redisAsyncSetConnectCallback(ctx, [](const redisAsyncContext* ac, int status) {
      if (status != REDIS_OK) static_cast<Link*>(ac->data)->Gone();
    });
    redisAsyncSetDisconnectCallback(ctx,
                                    [](const redisAsyncContext* ac, int) { static_cast<Link*>(ac->data)->Gone(); });
    return std::nullopt;
  }

  // Queues a command; false (and `done` untouched) if the context cannot take it.
  // `since`: see Pending.
  template <typename Args>
  bool Send(const Args& args, AsyncClient::Callback& done, Clock::time_point deadline, bool internal,
            AsyncClient::Urgency urgency = AsyncClient::Urgency::kAwaited, Clock::time_point since = kUnobserved) {
    if (ctx_ == nullptr || dead_) return false;
    // RESP, formatted here (see FormatCommand); hiredis copies it into its
    // output buffer.
    thread_local std::string resp;
    FormatCommand(args, resp);
    const int rc = redisAsyncFormattedCommand(
        ctx_, [](redisAsyncContext*, void* r, void* p) { static_cast<Link*>(p)->OnReply(static_cast<redisReply*>(r)); },
        this, resp.data(), resp.size());
    if (rc != REDIS_OK) return false;
    pending_.push_back(Pending{std::move(done), deadline, internal, since});
    ArmTimer();
    // Write now rather than at the loop's next turn once write_batch
    // awaited commands wait (see Options::write_batch). Not while connecting:
    // hiredis would take a connect still in progress for done.
    if (urgency == AsyncClient::Urgency::kAwaited && write_batch_ > 0 && (ctx_->c.flags & REDIS_CONNECTED) != 0 &&
        ++unwritten_ >= write_batch_) {
      unwritten_ = 0;
      auto keep = shared_from_this();
      redisAsyncHandleWrite(ctx_);  // on failure hiredis frees the context; Gone() posts the failures
    }
    return true;
  }

  // SUBSCRIBE on a pub/sub link: replies and messages go to the session.
  bool SendSubscribe(const std::string& channel) {
    if (ctx_ == nullptr || dead_) return false;
    const char* argv[] = {"SUBSCRIBE", channel.data()};
    const std::size_t lens[] = {9, channel.size()};
    return redisAsyncCommandArgv(
               ctx_,
               [](redisAsyncContext*, void* r, void* p) {
                 static_cast<Link*>(p)->OnSubReply(static_cast<redisReply*>(r));
               },
               this, 2, argv, lens) == REDIS_OK;
  }

  // We give the context up: frees it (hiredis defers that until the running
  // reply callback returns) and hands back the pending callbacks, unfailed.
  std::deque<Pending> Close() {
    if (dead_) return {};
    dead_ = true;
    owner_ = nullptr;
    timer_.cancel();
    std::deque<Pending> pending = std::exchange(pending_, {});
    if (redisAsyncContext* ctx = std::exchange(ctx_, nullptr); ctx != nullptr) redisAsyncFree(ctx);
    return pending;
  }

 private:
  // hiredis is freeing the context on its own (or is about to): see above.
  void Gone();

  void OnReply(redisReply* reply) {
    if (reply == nullptr) {  // the context is being freed
      Gone();
      return;
    }
    if (dead_ || pending_.empty()) return;  // cannot happen: replies match commands in order
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    const bool readonly =
        reply->type == REDIS_REPLY_ERROR && std::string_view(reply->str, reply->len).starts_with("READONLY");
    Complete(p, observe_, internal::FromReply(reply));
    if (readonly && !dead_ && owner_ != nullptr) ReadOnly();
  }

  void OnSubReply(redisReply* reply);

  void OnCleanup() {
    Gone();
    fd_.release();  // hiredis closes the fd right after this hook
    // hiredis may still call onDisconnect with our pointer: drop the self
    // reference later, on the loop.
    asio::post(io_, [keep = std::move(self_)] {});
  }

  std::string Reason() const {
    if (ctx_ != nullptr && ctx_->c.err != 0 && ctx_->c.errstr[0] != '\0') return ctx_->c.errstr;
    return "connection closed";
  }

  void WantRead(bool on) {
    want_read_ = on;
    if (!on || read_waiting_ || ctx_ == nullptr) return;
    read_waiting_ = true;
    fd_.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](const ErrorCode& ec) {
      self->read_waiting_ = false;
      if (ec || self->ctx_ == nullptr || !self->want_read_) return;
      redisAsyncHandleRead(self->ctx_);  // may free the context (then ctx_ is null)
      if (self->ctx_ != nullptr && self->want_read_) self->WantRead(true);
    });
  }

  // hiredis wants its output buffer written. Once connected, the write is
  // posted: it runs when the loop turns (after the handlers already queued,
  // so the commands they add go out together), with no wait for
  // writability, which a connected socket with room in its send buffer
  // already has (waiting cost an epoll_ctl and a wake-up per flush, and the
  // wait stayed armed after an early write had emptied the buffer, waking
  // the loop once more for nothing). Only when the buffer could not be
  // written whole (the socket is full) or while connecting (hiredis learns
  // that the connect finished from writability) is writability awaited.
  void WantWrite(bool on) {
    want_write_ = on;
    if (!on || write_posted_ || write_waiting_ || ctx_ == nullptr) return;
    if ((ctx_->c.flags & REDIS_CONNECTED) == 0) return AwaitWritable();
    write_posted_ = true;
    asio::post(io_, [self = shared_from_this()] {
      self->write_posted_ = false;
      if (self->ctx_ == nullptr || !self->want_write_) return;
      redisAsyncHandleWrite(self->ctx_);  // may free the context
      if (self->ctx_ != nullptr && self->want_write_) self->AwaitWritable();
    });
  }

  void AwaitWritable() {
    if (write_waiting_) return;
    write_waiting_ = true;
    fd_.async_wait(asio::posix::stream_descriptor::wait_write, [self = shared_from_this()](const ErrorCode& ec) {
      self->write_waiting_ = false;
      if (ec || self->ctx_ == nullptr || !self->want_write_) return;
      redisAsyncHandleWrite(self->ctx_);  // may free the context
      if (self->ctx_ != nullptr && self->want_write_) self->AwaitWritable();
    });
  }

  // Arms the timer for the oldest command's deadline unless it is running;
  // an early firing re-arms it for the new oldest (see the header).
  void ArmTimer() {
    if (timer_armed_ || dead_ || pending_.empty() || pending_.front().deadline == kNoDeadline) return;
    timer_armed_ = true;
    timer_.expires_at(pending_.front().deadline);
    timer_.async_wait([self = shared_from_this()](const ErrorCode& ec) {
      self->timer_armed_ = false;
      if (ec || self->dead_ || self->pending_.empty()) return;
      if (self->pending_.front().deadline > Clock::now()) {
        self->ArmTimer();
        return;
      }
      self->TimedOut();
    });
  }

  void TimedOut();
  void ReadOnly();

  asio::io_context& io_;
  asio::posix::stream_descriptor fd_;
  asio::steady_timer timer_;
  Session* owner_;                    // null once dead (closed or gone)
  const Observer& observe_;           // Options::observe_latency (see the constructor)
  redisAsyncContext* ctx_ = nullptr;  // null once freed or being freed by hiredis
  std::shared_ptr<Link> self_;        // while hiredis holds our raw pointer
  std::deque<Pending> pending_;       // in command order, as hiredis's own list
  bool dead_ = false;
  int write_batch_ = 0;  // Options::write_batch
  int unwritten_ = 0;    // commands given to hiredis since the last early write
  bool want_read_ = false;
  bool want_write_ = false;
  bool read_waiting_ = false;
  bool write_waiting_ = false;
  bool write_posted_ = false;  // a write is posted (see WantWrite)
  bool timer_armed_ = false;
};

// ---- Session -----------------------------------------------------------------

struct Subscription {
  std::function<void(std::string)> on_message;
  std::function<void()> on_subscribed;
};

struct Shared {  // what both sessions read and count
  Shared(asio::io_context& io_in, Url url_in, AsyncClient::Options options_in)
      : io(io_in), url(std::move(url_in)), options(options_in) {}

  asio::io_context& io;
  Url url;
  AsyncClient::Options options;
  std::mt19937 rng{std::random_device{}()};
  std::uint64_t errors = 0;
  std::uint64_t reconnects = 0;
  std::string last_error;
  std::map<std::string, Subscription> subscriptions;
  // Sentinel mode: the sentinel watch reports a +switch-master for our master.
  std::function<void(const Endpoint&)> on_switch;
};

class Session {
 public:
  // kSentinelWatch: subscribed to +switch-master on one sentinel (Sentinel mode only).
  enum class Kind { kCommands, kPubSub, kSentinelWatch };
  enum class Phase { kStopped, kConnecting, kConnected, kBackoff };

  Session(Shared& shared, std::weak_ptr<void> alive, Kind kind)
      : shared_(shared), alive_(std::move(alive)), kind_(kind), timer_(shared.io), resolver_(shared.io) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Phase phase() const { return phase_; }

  void Start() {
    if (phase_ != Phase::kStopped) return;
    failures_ = 0;
    Attempt();
  }

  void Stop() {
    ++generation_;
    timer_.cancel();
    resolver_.cancel();
    if (link_ != nullptr) {
      shared_.errors +=
          PostFailures(shared_.io, shared_.options.observe_latency, std::exchange(link_, nullptr)->Close(),
                       Unavailable("redis: stopped"), Unavailable("redis: stopped"));
    }
    phase_ = Phase::kStopped;
  }

  // The primary moved (Sentinel): drop the link unless it is already there
  // and start a new attempt now, skipping any backoff.
  void Reconnect(const Endpoint& primary) {
    if (phase_ == Phase::kStopped) return;
    if (phase_ == Phase::kConnected && target_.host == primary.host && target_.port == primary.port) return;
    if (link_ != nullptr) {
      const Status moved = Unavailable("redis: the primary moved to " + EndpointText(primary));
      shared_.errors += PostFailures(shared_.io, shared_.options.observe_latency,
                                     std::exchange(link_, nullptr)->Close(), moved, moved);
    }
    resolver_.cancel();
    failures_ = 0;
    Attempt();
  }

  // The node the current link goes to (TCP), "" before the first attempt.
  const Endpoint& target() const { return target_; }

  // A caller's command (AsyncClient::Command). Its latency, when observed,
  // runs from here to its callback, whether it was sent or not.
  template <typename Args>
  void Command(const Args& args, AsyncClient::Callback& done, AsyncClient::Urgency urgency) {
    const Observer& observe = shared_.options.observe_latency;
    const int timeout_ms = shared_.options.command_timeout_ms;
    const Clock::time_point now = observe || timeout_ms > 0 ? Clock::now() : Clock::time_point();
    const Clock::time_point since = observe ? now : kUnobserved;
    if (args.empty()) {
      ++shared_.errors;
      Observed(observe, since, done);
      asio::post(shared_.io, [done = std::move(done)] { done(InvalidArgument("redis: empty command")); });
      return;
    }
    if (shared_.options.faults != nullptr) {
      Observed(observe, since, done);  // an injected fault answers without sending
      if (InjectFault(args.front(), done)) return;
      return SendOrFail(args, done, urgency, now, kUnobserved);  // already wrapped
    }
    SendOrFail(args, done, urgency, now, since);
  }

  template <typename Args>
  void SendOrFail(const Args& args, AsyncClient::Callback& done, AsyncClient::Urgency urgency, Clock::time_point now,
                  Clock::time_point since) {
    const int timeout_ms = shared_.options.command_timeout_ms;
    const Clock::time_point deadline = timeout_ms > 0 ? now + std::chrono::milliseconds(timeout_ms) : kNoDeadline;
    if (phase_ != Phase::kConnected || link_ == nullptr || !link_->Send(args, done, deadline, false, urgency, since)) {
      ++shared_.errors;
      Observed(shared_.options.observe_latency, since, done);
      asio::post(shared_.io, [done = std::move(done)] { done(Unavailable("redis: not connected")); });
    }
  }

  // Answers `done` with the fault armed for this command, if any, without sending it.
  bool InjectFault(std::string_view command, AsyncClient::Callback& done) {
    std::optional<Faults::Fault> fault = shared_.options.faults->Take(command);
    if (!fault) return false;
    if (fault->kind == Faults::Fault::Kind::kNoAnswer) {
      ++shared_.errors;
      asio::post(shared_.io, [done = std::move(done)] { done(Unavailable("redis: injected fault: no answer")); });
    } else {
      Value reply;
      reply.type = Value::Type::kError;
      reply.str = std::move(fault->error);
      asio::post(shared_.io, [done = std::move(done), reply = std::move(reply)]() mutable { done(std::move(reply)); });
    }
    return true;
  }

  // Pub/sub: subscribes now if connected; otherwise on connect.
  void SubscribeIfConnected(const std::string& channel) {
    if (phase_ == Phase::kConnected && link_ != nullptr && !link_->SendSubscribe(channel)) {
      LinkDown("cannot send SUBSCRIBE");
    }
  }

  // From Link: hiredis freed (or is freeing) the context of `link`.
  void OnLinkGone(Link* link, const std::string& reason, std::deque<Pending> pending) {
    shared_.errors += PostFailures(shared_.io, shared_.options.observe_latency, std::move(pending),
                                   Unavailable("redis: connection lost: " + reason),
                                   Unavailable("redis: connection lost: " + reason));
    if (link != link_.get()) return;
    link_.reset();
    LinkDown(reason);
  }

  // From Link: the node answered READONLY. In Sentinel mode it was demoted
  // by a failover: drop the link and find the primary again.
  void OnReadOnly(Link* link) {
    if (link != link_.get() || !shared_.url.is_sentinel() || kind_ == Kind::kSentinelWatch) return;
    LinkDown("the node answered READONLY (demoted by a failover?)");
  }

  // From Link: the oldest command passed its deadline.
  void OnLinkTimeout(Link* link) {
    if (link != link_.get()) return;
    std::deque<Pending> pending = std::exchange(link_, nullptr)->Close();
    shared_.errors +=
        PostFailures(shared_.io, shared_.options.observe_latency, std::move(pending), Unavailable("redis: timeout"),
                     Unavailable("redis: connection lost: an earlier command timed out"));
    LinkDown("a command timed out after " + std::to_string(shared_.options.command_timeout_ms) + " ms");
  }

  void OnMessage(const std::string& channel, std::string message) {
    if (kind_ == Kind::kSentinelWatch) {
      Result<Endpoint> primary = ParseSwitchMaster(message, shared_.url.master_name);
      if (primary.ok() && shared_.on_switch) shared_.on_switch(*primary);
      return;
    }
    auto it = shared_.subscriptions.find(channel);
    if (it == shared_.subscriptions.end() || !it->second.on_message) return;
    auto on_message = it->second.on_message;  // a copy: the callback may Subscribe()
    on_message(std::move(message));
  }

  void OnSubscribed(const std::string& channel) {
    if (kind_ == Kind::kSentinelWatch) return;
    auto it = shared_.subscriptions.find(channel);
    if (it == shared_.subscriptions.end() || !it->second.on_subscribed) return;
    auto on_subscribed = it->second.on_subscribed;
    on_subscribed();
  }

 private:
  // Arms timer_ for `delay`, then runs `then` unless the session moved on.
  template <typename Fn>
  void After(std::chrono::milliseconds delay, Fn then) {
    const std::uint64_t generation = generation_;
    timer_.expires_after(delay);
    timer_.async_wait([this, alive = alive_, generation, then](const ErrorCode& ec) {
      if (ec || alive.expired() || generation != generation_) return;
      then();
    });
  }

  void Attempt() {
    ++generation_;
    if (attempted_) ++shared_.reconnects;
    attempted_ = true;
    phase_ = Phase::kConnecting;
    const Url& url = shared_.url;
    if (kind_ == Kind::kSentinelWatch) {
      // One sentinel at a time, the next one after each failure.
      const Endpoint& sentinel = url.sentinels[watch_next_ % url.sentinels.size()];
      std::vector<std::vector<std::string>> handshake = SentinelQuery(url);
      handshake.back() = {"PING"};  // AUTH (if any), then PING
      ArmConnectTimeout();
      Dial(sentinel, std::move(handshake), [this](const Value&) { Connected(); });
      return;
    }
    if (url.is_sentinel()) {
      asked_ = 0;
      sentinel_failures_.clear();
      AskNextSentinel();
      return;
    }
    ArmConnectTimeout();
    Dial(Endpoint{url.host, url.port}, DataHandshake(), [this](const Value&) { Connected(); });
  }

  void ArmConnectTimeout() {
    After(std::chrono::milliseconds(std::max(1, shared_.options.connect_timeout_ms)), [this] {
      if (phase_ == Phase::kConnecting) Fail("connect timeout");
    });
  }

  // AUTH and SELECT when needed, else a PING (so that "connected" always
  // means "Redis answered"); in Sentinel mode ROLE last, checked to be a primary.
  std::vector<std::vector<std::string>> DataHandshake() const {
    const Url& url = shared_.url;
    std::vector<std::vector<std::string>> handshake;
    if (!url.password.empty()) handshake.push_back(AuthCommand(url.username, url.password));
    if (url.db != 0) handshake.push_back({"SELECT", std::to_string(url.db)});
    if (url.is_sentinel()) {
      handshake.push_back({"ROLE"});
    } else if (handshake.empty()) {
      handshake.push_back({"PING"});
    }
    return handshake;
  }

  // Sentinel mode: asks the sentinels in turn (starting with the last one
  // that answered) for the primary, then dials it. A sentinel's failure moves
  // on to the next one at once; when all failed, the attempt failed.
  void AskNextSentinel() {
    const Url& url = shared_.url;
    if (asked_ == url.sentinels.size()) {
      asking_ = false;
      LinkDown("no sentinel named the primary of '" + url.master_name + "': " + sentinel_failures_);
      return;
    }
    ++generation_;
    asking_ = true;
    const std::size_t index = (sentinel_first_ + asked_++) % url.sentinels.size();
    ArmConnectTimeout();
    Dial(url.sentinels[index], SentinelQuery(url), [this, index](const Value& reply) {
      Result<Endpoint> primary = ParseMasterAddr(reply);
      if (!primary.ok()) {
        Fail(primary.status().message());
        return;
      }
      // Done with this sentinel: its link goes, nothing of ours is pending on it.
      if (link_ != nullptr) std::exchange(link_, nullptr)->Close();
      asking_ = false;
      sentinel_first_ = index;
      ++generation_;
      ArmConnectTimeout();
      Dial(*primary, DataHandshake(), [this](const Value& role) {
        if (Status s = CheckPrimaryRole(role); !s.ok()) {
          Fail(EndpointText(target_) + ", named by the sentinels: " + s.message());
          return;
        }
        Connected();
      });
    });
  }

  // Resolves `node` if needed (or takes the URL's unix socket), connects and
  // pipelines `handshake`; `done` gets the last reply when none was an error.
  using HandshakeDone = std::function<void(const Value& last)>;
  void Dial(Endpoint node, std::vector<std::vector<std::string>> handshake, HandshakeDone done) {
    target_ = std::move(node);
    const Url& url = shared_.url;
    const bool unix_socket = !url.unix_socket.empty() && kind_ != Kind::kSentinelWatch && !asking_;
    ErrorCode ec;
    if (!unix_socket) asio::ip::make_address(target_.host, ec);
    if (unix_socket || !ec) {
      Connect(unix_socket ? "" : target_.host, std::move(handshake), std::move(done));
      return;
    }
    // getaddrinfo blocks: Asio's resolver runs it off the loop.
    const std::uint64_t generation = generation_;
    resolver_.async_resolve(
        target_.host, std::to_string(target_.port),
        [this, alive = alive_, generation, handshake = std::move(handshake), done = std::move(done)](
            const ErrorCode& ec, asio::ip::tcp::resolver::results_type results) mutable {
          if (alive.expired() || generation != generation_ || phase_ != Phase::kConnecting) return;
          if (ec || results.empty()) {
            Fail("cannot resolve '" + target_.host + "': " + (ec ? ec.message() : "no address"));
            return;
          }
          // Prefer IPv4: Redis binds 127.0.0.1 by default, and "localhost" may list ::1 first.
          auto it = std::find_if(results.begin(), results.end(),
                                 [](const auto& e) { return e.endpoint().address().is_v4(); });
          if (it == results.end()) it = results.begin();
          Connect(it->endpoint().address().to_string(), std::move(handshake), std::move(done));
        });
  }

  // `address` is an IP literal, or "" for the URL's unix socket.
  void Connect(const std::string& address, std::vector<std::vector<std::string>> handshake, HandshakeDone done) {
    const Url& url = shared_.url;
    redisAsyncContext* ctx = address.empty() ? redisAsyncConnectUnix(url.unix_socket.c_str())
                                             : redisAsyncConnect(address.c_str(), target_.port);
    if (ctx == nullptr) {
      Fail("out of memory");
      return;
    }
    if (ctx->err != 0) {
      std::string why = ctx->errstr;
      redisAsyncFree(ctx);
      Fail(why);
      return;
    }
    if (!address.empty()) redisEnableKeepAlive(&ctx->c);  // finds half-open TCP peers
    auto link = std::make_shared<Link>(shared_.io, this, shared_.options.write_batch, shared_.options.observe_latency);
    if (auto failure = link->Attach(ctx)) {
      Fail(*failure);
      return;
    }
    link_ = std::move(link);

    // The handshake, pipelined.
    const std::uint64_t generation = generation_;
    auto shared_done = std::make_shared<HandshakeDone>(std::move(done));
    for (std::size_t i = 0; i < handshake.size(); ++i) {
      const bool last = i + 1 == handshake.size();
      AsyncClient::Callback reply = [this, alive = alive_, generation, last, name = handshake[i][0],
                                     shared_done](Result<Value> r) {
        if (alive.expired() || generation != generation_ || phase_ != Phase::kConnecting) return;
        if (!r.ok()) return;  // the link is down: OnLinkGone handles it
        if (r->is_error()) {
          Fail(name + " failed: " + r->str);
          return;
        }
        if (last) (*shared_done)(*r);
      };
      if (!link_->Send(handshake[i], reply, kNoDeadline, /*internal=*/true)) {
        Fail("cannot send the handshake");
        return;
      }
    }
  }

  void Connected() {
    ++generation_;  // retires the connect timer
    timer_.cancel();
    phase_ = Phase::kConnected;
    failures_ = 0;
    if (kind_ == Kind::kSentinelWatch && !link_->SendSubscribe("+switch-master")) {
      LinkDown("cannot send SUBSCRIBE to the sentinel");
      return;
    }
    if (kind_ == Kind::kPubSub) {
      for (const auto& [channel, unused] : shared_.subscriptions) {
        if (!link_->SendSubscribe(channel)) {
          LinkDown("cannot send SUBSCRIBE");
          return;
        }
      }
    }
  }

  // A failed attempt (or a link that must go): close it, count, retry later.
  void Fail(const std::string& reason) {
    resolver_.cancel();
    LinkDown(reason);
  }

  // Closes the link if any (failing its pending commands), counts, retries later.
  void LinkDown(const std::string& reason) {
    std::deque<Pending> pending;
    if (link_ != nullptr) pending = std::exchange(link_, nullptr)->Close();
    const Status lost = Unavailable("redis: " + reason);
    shared_.errors += PostFailures(shared_.io, shared_.options.observe_latency, std::move(pending), lost, lost);
    if (asking_ && phase_ == Phase::kConnecting) {  // that sentinel failed: ask the next one now
      if (!sentinel_failures_.empty()) sentinel_failures_ += "; ";
      sentinel_failures_ += EndpointText(target_) + ": " + reason;
      AskNextSentinel();
      return;
    }
    asking_ = false;
    if (kind_ == Kind::kSentinelWatch) ++watch_next_;
    ++shared_.errors;
    shared_.last_error = reason;
    ScheduleRetry();
  }

  void ScheduleRetry() {
    ++generation_;
    phase_ = Phase::kBackoff;
    const long long lo = std::max(1, shared_.options.reconnect_min_ms);
    const long long hi = std::max<long long>(lo, shared_.options.reconnect_max_ms);
    long long d = lo;
    for (int i = 0; i < failures_ && d < hi; ++i) d *= 2;
    d = std::min(d, hi);
    ++failures_;
    std::uniform_int_distribution<long long> jitter(d / 2, d);
    After(std::chrono::milliseconds(jitter(shared_.rng)), [this] { Attempt(); });
  }

  Shared& shared_;
  std::weak_ptr<void> alive_;  // expires with the owning State
  const Kind kind_;
  Phase phase_ = Phase::kStopped;
  std::shared_ptr<Link> link_;
  asio::steady_timer timer_;  // the connect deadline, or the backoff delay
  asio::ip::tcp::resolver resolver_;
  std::uint64_t generation_ = 0;  // bumped on every transition; stale handlers compare it
  int failures_ = 0;              // consecutive failed attempts
  bool attempted_ = false;
  Endpoint target_;  // the node being dialled or connected (TCP)
  // Sentinel mode (see AskNextSentinel): asking a sentinel now; how many were
  // asked this attempt; whom to ask first; what each said.
  bool asking_ = false;
  std::size_t asked_ = 0;
  std::size_t sentinel_first_ = 0;
  std::string sentinel_failures_;
  std::size_t watch_next_ = 0;  // kSentinelWatch: the sentinel to try next
};

void Link::Gone() {
  if (dead_) return;
  const std::string reason = Reason();
  dead_ = true;
  ctx_ = nullptr;
  timer_.cancel();
  // A live link always has its owner: only Close() and Gone() detach it.
  std::exchange(owner_, nullptr)->OnLinkGone(this, reason, std::exchange(pending_, {}));
}

void Link::TimedOut() { owner_->OnLinkTimeout(this); }  // only called while alive
void Link::ReadOnly() { owner_->OnReadOnly(this); }

void Link::OnSubReply(redisReply* reply) {
  if (reply == nullptr) {
    Gone();
    return;
  }
  if (dead_ || owner_ == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
  const redisReply* kind = reply->element[0];
  const redisReply* channel = reply->element[1];
  const redisReply* payload = reply->element[2];
  if (kind->type != REDIS_REPLY_STRING || channel->type != REDIS_REPLY_STRING) return;
  const std::string_view type(kind->str, kind->len);
  if (type == "message" && payload->type == REDIS_REPLY_STRING) {
    owner_->OnMessage(std::string(channel->str, channel->len), std::string(payload->str, payload->len));
  } else if (type == "subscribe") {
    owner_->OnSubscribed(std::string(channel->str, channel->len));
  }
}

}  // namespace

// ---- AsyncClient ----------------------------------------------------------------

struct AsyncClient::State {
  State(asio::io_context& io, Url url, Options options)
      : shared(io, std::move(url), options),
        commands(shared, alive, Session::Kind::kCommands),
        pubsub(shared, alive, Session::Kind::kPubSub),
        watch(shared, alive, Session::Kind::kSentinelWatch) {
    shared.on_switch = [this](const Endpoint& primary) {
      ++switches;
      commands.Reconnect(primary);
      pubsub.Reconnect(primary);
    };
  }

  std::shared_ptr<int> alive = std::make_shared<int>(0);  // handlers hold weak_ptrs to it
  Shared shared;
  bool started = false;
  Session commands;
  Session pubsub;
  Session watch;  // Sentinel mode only
  std::uint64_t switches = 0;
};

AsyncClient::AsyncClient(asio::io_context& io, Url url, Options options)
    : state_(std::make_shared<State>(io, std::move(url), options)) {}

AsyncClient::AsyncClient(asio::io_context& io, Url url) : AsyncClient(io, std::move(url), Options{}) {}

AsyncClient::~AsyncClient() { Stop(); }

void AsyncClient::Start() {
  state_->started = true;
  state_->commands.Start();
  if (!state_->shared.subscriptions.empty()) state_->pubsub.Start();
  if (state_->shared.url.is_sentinel()) state_->watch.Start();
}

void AsyncClient::Stop() {
  state_->started = false;
  state_->commands.Stop();
  state_->pubsub.Stop();
  state_->watch.Stop();
}

void AsyncClient::Command(std::vector<std::string> args, Callback done, Urgency urgency) {
  state_->commands.Command(args, done, urgency);
}

void AsyncClient::Command(std::span<const std::string_view> args, Callback done, Urgency urgency) {
  state_->commands.Command(args, done, urgency);
}

void AsyncClient::Subscribe(std::string channel, std::function<void(std::string message)> on_message,
                            std::function<void()> on_subscribed) {
  auto [it, inserted] = state_->shared.subscriptions.insert_or_assign(
      std::move(channel), Subscription{std::move(on_message), std::move(on_subscribed)});
  if (!state_->started) return;
  if (state_->pubsub.phase() == Session::Phase::kStopped) {
    state_->pubsub.Start();
  } else if (inserted) {
    state_->pubsub.SubscribeIfConnected(it->first);
  }
}

bool AsyncClient::connected() const { return state_->commands.phase() == Session::Phase::kConnected; }
std::uint64_t AsyncClient::errors() const { return state_->shared.errors; }
std::uint64_t AsyncClient::reconnects() const { return state_->shared.reconnects; }
std::string AsyncClient::primary() const {
  if (!state_->shared.url.is_sentinel() || !connected()) return "";
  return EndpointText(state_->commands.target());
}
std::uint64_t AsyncClient::switches() const { return state_->switches; }
const std::string& AsyncClient::last_error() const { return state_->shared.last_error; }
asio::io_context& AsyncClient::context() const { return state_->shared.io; }

}  // namespace helpline::redis
