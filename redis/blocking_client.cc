#include "redis/blocking_client.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <deque>
#include <optional>
#include <utility>

#include "redis/errors.h"
#include "redis/internal/reply.h"
#include "redis/script.h"
#include "redis/sentinel.h"

namespace helpline::redis {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

timeval ToTimeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

std::string_view TypeName(Value::Type t) {
  switch (t) {
    case Value::Type::kNil: return "nil";
    case Value::Type::kInteger: return "integer";
    case Value::Type::kString: return "string";
    case Value::Type::kStatus: return "status";
    case Value::Type::kArray: return "array";
    case Value::Type::kError: return "error";
  }
  return "unknown";
}

// See "SIGPIPE" in the header.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~ScopedSigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec zero{};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

}  // namespace

struct BlockingClient::Impl {
  Url url;
  Options options;
  std::string redacted;  // url.Redacted(), for every message
  Context ctx;           // null or in error: reconnect before use
  bool demoted = false;  // Sentinel mode: the node answered READONLY; EnsureConnected() dials
  // With options.faults only: one entry per appended command whose reply is
  // not read yet, holding the fault that replaces it (nullopt: Redis answers).
  std::deque<std::optional<Faults::Fault>> injected;

  Status Fail(std::string_view what) const {
    std::string m = "redis " + redacted + ": ";
    m += what;
    return Unavailable(std::move(m));
  }

  Status IoError(std::string_view command) const {
    std::string m(command);
    m += ": ";
    m += ctx && ctx->errstr[0] != '\0' ? ctx->errstr : "connection lost";
    return Fail(m);
  }

  Status ErrorReply(std::string_view command, std::string_view error) const {
    std::string what = "redis " + redacted + ": " + std::string(command);
    if (command == "AUTH") return FailedPrecondition(what + ": " + std::string(error));  // wrong or needless password
    return ErrorStatus(what, error);
  }

  bool in_sync() const { return ctx && ctx->err == 0; }

  Status Dial() {
    ctx.reset();
    demoted = false;
    injected.clear();
    timeval tv = ToTimeval(options.timeout_ms);
    Endpoint target{url.host, url.port};
    if (url.is_sentinel()) {  // redis/sentinel.h: ask, then check ROLE below
      Result<Endpoint> primary = AskSentinels(url, options.timeout_ms);
      if (!primary.ok()) return primary.status();
      target = std::move(*primary);
    }
    redisContext* c = url.unix_socket.empty() ? redisConnectWithTimeout(target.host.c_str(), target.port, tv)
                                              : redisConnectUnixWithTimeout(url.unix_socket.c_str(), tv);
    if (c == nullptr) return Fail("cannot allocate a connection");
    Context owned(c);
    if (c->err != 0) return Fail(url.is_sentinel() ? EndpointText(target) + ": " + c->errstr : c->errstr);
    if (redisSetTimeout(c, tv) != REDIS_OK) return Fail(std::string("set timeout: ") + c->errstr);
    ctx = std::move(owned);
    if (!url.password.empty()) {
      Result<Value> r =
          url.username.empty() ? Command({"AUTH", url.password}) : Command({"AUTH", url.username, url.password});
      if (!r.ok()) return Drop(r.status());
    }
    if (url.db != 0) {
      Result<Value> r = Command({"SELECT", std::to_string(url.db)});
      if (!r.ok()) return Drop(r.status());
    }
    if (url.is_sentinel()) {
      Result<Value> role = Command({"ROLE"});
      if (!role.ok()) return Drop(role.status());
      if (Status primary = CheckPrimaryRole(*role); !primary.ok()) {
        return Drop(Fail(EndpointText(target) + ", named by the sentinels: " + primary.message()));
      }
      return Status::Ok();
    }
    Result<Value> pong = Command({"PING"});
    if (!pong.ok()) return Drop(pong.status());
    if (pong->type != Value::Type::kStatus || pong->str != "PONG") return Drop(Unexpected("PING", *pong));
    return Status::Ok();
  }

  Status Drop(Status s) {
    ctx.reset();
    injected.clear();
    return s;
  }

  Status Unexpected(std::string_view what, const Value& r) const {
    return Internal("redis " + redacted + ": " + std::string(what) + ": unexpected reply type " +
                    std::string(TypeName(r.type)));
  }

  Status Append(std::size_t argc, const char** argv, const std::size_t* lens) {
    if (!in_sync()) return IoError("append");
    if (options.faults != nullptr) {
      std::optional<Faults::Fault> fault = options.faults->Take(std::string_view(argv[0], lens[0]));
      const bool replaced = fault.has_value();
      injected.push_back(std::move(fault));
      if (replaced) return Status::Ok();
    }
    // hiredis 0.14 takes `const char**` but does not write through it.
    if (redisAppendCommandArgv(ctx.get(), static_cast<int>(argc), argv, lens) != REDIS_OK) return IoError("append");
    return Status::Ok();
  }

  template <typename Args>
  Status AppendAll(const Args& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (std::string_view a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    return Append(argv.size(), argv.data(), lens.data());
  }

  // The next reply, error replies included as values.
  Result<Value> NextValue(std::string_view command) {
    if (!injected.empty()) {
      std::optional<Faults::Fault> fault = std::move(injected.front());
      injected.pop_front();
      if (fault && fault->kind == Faults::Fault::Kind::kNoAnswer) {
        ctx.reset();  // as when the connection is lost: the replies still due are gone
        injected.clear();
        return Fail(std::string(command) + ": injected fault: no answer");
      }
      if (fault) return Value{Value::Type::kError, 0, std::move(fault->error), {}};
    }
    if (!in_sync()) return IoError(command);
    ScopedSigpipeBlock no_sigpipe;
    void* raw = nullptr;
    if (redisGetReply(ctx.get(), &raw) != REDIS_OK || raw == nullptr) return IoError(command);
    Reply r(static_cast<redisReply*>(raw));
    Value v = internal::FromReply(r.get());
    // A node that answers READONLY was demoted (a failover): dial again next time.
    if (url.is_sentinel() && v.is_error() && v.str.starts_with("READONLY")) demoted = true;
    return v;
  }

  Result<Value> Next(std::string_view command) {
    Result<Value> r = NextValue(command);
    if (r.ok() && r->is_error()) return ErrorReply(command, r->str);
    return r;
  }

  Result<Value> Command(std::initializer_list<std::string_view> args) {
    HL_RETURN_IF_ERROR(AppendAll(args));
    return Next(*args.begin());
  }
};

BlockingClient::BlockingClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BlockingClient::~BlockingClient() = default;

Result<std::unique_ptr<BlockingClient>> BlockingClient::Connect(const Url& url, Options options) {
  if (options.timeout_ms < 1) {
    return InvalidArgument("redis client: timeout_ms must be positive, got " + std::to_string(options.timeout_ms));
  }
  if (url.unix_socket.empty() && url.host.empty() && !url.is_sentinel()) {
    return InvalidArgument("redis client: the URL has neither a host nor a unix socket");
  }
  auto impl = std::make_unique<Impl>();
  impl->url = url;
  impl->redacted = url.Redacted();
  impl->options = std::move(options);
  HL_RETURN_IF_ERROR(impl->Dial());
  return std::unique_ptr<BlockingClient>(new BlockingClient(std::move(impl)));
}

Status BlockingClient::EnsureConnected() { return impl_->in_sync() && !impl_->demoted ? Status::Ok() : impl_->Dial(); }
bool BlockingClient::in_sync() const { return impl_->in_sync(); }
const std::string& BlockingClient::redacted() const { return impl_->redacted; }

Result<Value> BlockingClient::Command(std::initializer_list<std::string_view> args) { return impl_->Command(args); }
Status BlockingClient::Append(std::initializer_list<std::string_view> args) { return impl_->AppendAll(args); }
Status BlockingClient::Append(const std::vector<std::string_view>& args) { return impl_->AppendAll(args); }
Result<Value> BlockingClient::Next(std::string_view what) { return impl_->Next(what); }

Status BlockingClient::Unexpected(std::string_view what, const Value& reply) const {
  return impl_->Unexpected(what, reply);
}

Result<Value> BlockingClient::ReadTransaction(std::string_view what, std::size_t queued) {
  Impl& s = *impl_;
  Status first = Status::Ok();
  for (std::size_t i = 0; i < queued + 1; ++i) {  // MULTI's OK + each QUEUED
    Result<Value> r = s.Next(what);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kUnavailable && !s.in_sync()) return r.status();
      if (first.ok()) first = r.status();
    }
  }
  Result<Value> exec = s.Next(what);
  if (!exec.ok()) return first.ok() ? exec.status() : first;
  if (!first.ok()) return first;
  if (exec->type != Value::Type::kArray || exec->elements.size() != queued) return s.Unexpected(what, *exec);
  for (const Value& e : exec->elements) {
    if (e.is_error()) return s.ErrorReply(what, e.str);
  }
  return exec;
}

Result<Value> BlockingClient::Eval(const Script& script, std::initializer_list<std::string_view> keys,
                                   std::initializer_list<std::string_view> args) {
  Impl& s = *impl_;
  std::vector<std::string> call;
  call.reserve(1 + keys.size() + args.size());
  call.push_back(std::to_string(keys.size()));
  call.insert(call.end(), keys.begin(), keys.end());
  call.insert(call.end(), args.begin(), args.end());
  Result<Value> r = Status::Ok();
  for (bool with_source : {false, true}) {
    const std::vector<std::string> command = script.Command(with_source, call);
    HL_RETURN_IF_ERROR(s.AppendAll(command));
    r = s.NextValue(command.front());
    if (!r.ok() || !Script::NeedsSource(*r)) break;
  }
  if (r.ok() && r->is_error()) return s.ErrorReply("EVALSHA", r->str);
  return r;
}

}  // namespace helpline::redis
