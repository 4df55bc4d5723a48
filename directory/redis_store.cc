#include "directory/redis_store.h"

// Protocol, as built (see the design comment in redis_store.h for the why).
//
// Load(resources, meta):
//   1. GET current, HGET its meta digest: equal to meta.digest -> kUnchanged,
//      nothing written.
//   2. kAllocScript: INCR dir:seq -> N, skipping any number that is still in
//      use (only possible if dir:seq was deleted or restored from a backup).
//   3. TIME -> loaded_at_ms.
//   4. dir:v{N}:res written in batches, pipelined (up to kWindow batches in
//      flight), each batch one MULTI { HSET res <up to kBatchFields pairs>;
//      EXPIRE res staging_ttl_s } EXEC, so the key never exists without a TTL
//      and a slow load keeps refreshing it. progress() after each batch.
//   5. MULTI { HSET dir:v{N}:meta ...; EXPIRE meta staging_ttl_s } EXEC.
//   6. kSwitchScript, atomically: unchanged if the current digest now equals
//      ours (a racing loader with the same content won: drop our keys);
//      incomplete if the staged keys expired (HLEN res != meta resources:
//      drop them); else PERSIST, SET current, ZADD versions, PUBLISH events,
//      and delete the oldest versions other than current beyond keep_versions.
//   If a step fails before the switch was sent and the connection is still in
//   sync, the staged keys are deleted; otherwise their TTL removes them.
//
// Reads are atomic snapshots: Versions() is one script, Info() and
// ReadVersion() are MULTI/EXEC blocks that check membership in dir:versions
// and read the keys in the same step, so a version deleted concurrently is
// NotFound, never empty or partial.
//
// Errors: I/O -> Unavailable (the connection is then dropped and the next
// call reconnects); error replies -> Internal, except LOADING/BUSY/READONLY/
// MASTERDOWN/TRYAGAIN (Unavailable) and NOAUTH/WRONGPASS/NOPERM
// (FailedPrecondition: fix the configuration); unexpected reply shapes ->
// Internal.

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace helpline::directory {
namespace {

// Resources per HSET; bytes cap one command so huge resources stay bounded.
constexpr std::size_t kBatchFields = 1000;
constexpr std::size_t kBatchBytes = 1 << 20;
// Batches written ahead of the replies read. Bounds client memory (about
// kWindow * kBatchBytes) while keeping the socket busy.
constexpr std::size_t kWindow = 8;

// KEYS: seq, versions. ARGV: prefix. Returns N.
constexpr std::string_view kAllocScript = R"lua(
local n = redis.call('INCR', KEYS[1])
while redis.call('ZSCORE', KEYS[2], n)
    or redis.call('EXISTS', ARGV[1] .. 'dir:v' .. n .. ':res', ARGV[1] .. 'dir:v' .. n .. ':meta') > 0 do
  n = redis.call('INCR', KEYS[1])
end
return n
)lua";

// KEYS: current, versions, res, meta. ARGV: N, digest, prefix, keep, channel.
// Returns {'unchanged', cur, meta...} | {'incomplete'} | {'created', prev|nil}.
// Every check precedes the first write, so an error leaves nothing changed.
constexpr std::string_view kSwitchScript = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur then
  local cur_meta = ARGV[3] .. 'dir:v' .. cur .. ':meta'
  if redis.call('HGET', cur_meta, 'digest') == ARGV[2] then
    redis.call('DEL', KEYS[3], KEYS[4])
    return {'unchanged', cur, redis.call('HGETALL', cur_meta)}
  end
end
local want = tonumber(redis.call('HGET', KEYS[4], 'resources'))
if not want or redis.call('HLEN', KEYS[3]) ~= want then
  redis.call('DEL', KEYS[3], KEYS[4])
  return {'incomplete'}
end
redis.call('PERSIST', KEYS[3])
redis.call('PERSIST', KEYS[4])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[1])
redis.call('PUBLISH', ARGV[5], ARGV[1])
local kept = redis.call('ZRANGE', KEYS[2], 0, -1)
local excess = #kept - tonumber(ARGV[4])
for _, v in ipairs(kept) do
  if excess <= 0 then break end
  if v ~= ARGV[1] then
    redis.call('DEL', ARGV[3] .. 'dir:v' .. v .. ':res', ARGV[3] .. 'dir:v' .. v .. ':meta')
    redis.call('ZREM', KEYS[2], v)
    excess = excess - 1
  end
end
return {'created', cur}
)lua";

// KEYS: current, versions. ARGV: N, channel, prefix.
// Returns {'notkept', kept...} | {'ok', prev|nil, meta...}.
constexpr std::string_view kRollbackScript = R"lua(
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return {'notkept', redis.call('ZRANGE', KEYS[2], 0, -1)}
end
local prev = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[1])
return {'ok', prev, redis.call('HGETALL', ARGV[3] .. 'dir:v' .. ARGV[1] .. ':meta')}
)lua";

// KEYS: current, versions. ARGV: prefix. Returns {cur|nil, N1, meta1, N2, meta2, ...}, newest first.
constexpr std::string_view kVersionsScript = R"lua(
local out = {redis.call('GET', KEYS[1])}
for _, v in ipairs(redis.call('ZREVRANGE', KEYS[2], 0, -1)) do
  out[#out + 1] = v
  out[#out + 1] = redis.call('HGETALL', ARGV[1] .. 'dir:v' .. v .. ':meta')
end
return out
)lua";

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

std::string_view Str(const redisReply* r) { return std::string_view(r->str, r->len); }

bool IsString(const redisReply* r) { return r->type == REDIS_REPLY_STRING; }

std::optional<std::int64_t> ToInt(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::string VersionKey(const std::string& prefix, std::int64_t n, std::string_view suffix) {
  std::string k = prefix;
  k += "dir:v";
  k += std::to_string(n);
  k += ':';
  k += suffix;
  return k;
}

timeval ToTimeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

// hiredis writes with write(2), so a write to a connection the server closed
// raises SIGPIPE, whose default action kills the process. Each public call
// blocks SIGPIPE on its thread and discards one it caused; the write then
// fails with EPIPE and the call returns Unavailable.
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

struct RedisStore::Impl {
  RedisUrl url;
  StoreOptions options;
  std::string redacted;  // url.Redacted(), for every message
  Context ctx;           // null or in error: reconnect before use
  std::string k_seq, k_current, k_versions, k_events;

  struct Script {
    std::string_view body;
    std::string sha;  // from SCRIPT LOAD, lazily
  };
  Script alloc{kAllocScript, {}};
  Script switcher{kSwitchScript, {}};
  Script rollback{kRollbackScript, {}};
  Script versions{kVersionsScript, {}};

  // ---- connection -------------------------------------------------------

  Status Fail(std::string_view what) const {
    std::string m = "redis " + redacted + ": ";
    m += what;
    return Unavailable(std::move(m));
  }

  Status IoError(std::string_view command) {
    std::string m(command);
    m += ": ";
    m += ctx && ctx->errstr[0] != '\0' ? ctx->errstr : "connection lost";
    return Fail(m);
  }

  // Maps an error reply to a Status (see the file comment).
  Status ErrorReply(std::string_view command, std::string_view error) const {
    std::string m = "redis " + redacted + ": " + std::string(command) + ": " + std::string(error);
    auto starts = [&](std::string_view p) { return error.starts_with(p); };
    if (command == "AUTH") return FailedPrecondition(std::move(m));  // wrong or needless password
    if (starts("LOADING") || starts("BUSY") || starts("READONLY") || starts("MASTERDOWN") ||
        starts("TRYAGAIN")) {
      return Unavailable(std::move(m));
    }
    if (starts("NOAUTH") || starts("WRONGPASS") || starts("NOPERM")) {
      return FailedPrecondition(std::move(m));
    }
    return Internal(std::move(m));
  }

  Status Unexpected(std::string_view command, const redisReply* r) const {
    return Internal("redis " + redacted + ": " + std::string(command) + ": unexpected reply type " +
                    std::to_string(r->type));
  }

  Status Dial() {
    ctx.reset();
    timeval tv = ToTimeval(options.timeout_ms);
    redisContext* c = url.unix_socket.empty()
                          ? redisConnectWithTimeout(url.host.c_str(), url.port, tv)
                          : redisConnectUnixWithTimeout(url.unix_socket.c_str(), tv);
    if (c == nullptr) return Fail("cannot allocate a connection");
    Context owned(c);
    if (c->err != 0) return Fail(c->errstr);
    if (redisSetTimeout(c, tv) != REDIS_OK) return Fail(std::string("set timeout: ") + c->errstr);
    ctx = std::move(owned);
    if (!url.password.empty()) {
      Result<Reply> r = url.username.empty() ? Command({"AUTH", url.password})
                                             : Command({"AUTH", url.username, url.password});
      if (!r.ok()) return Drop(r.status());
    }
    if (url.db != 0) {
      Result<Reply> r = Command({"SELECT", std::to_string(url.db)});
      if (!r.ok()) return Drop(r.status());
    }
    Result<Reply> pong = Command({"PING"});
    if (!pong.ok()) return Drop(pong.status());
    if (pong.value()->type != REDIS_REPLY_STATUS || Str(pong.value().get()) != "PONG") {
      return Drop(Unexpected("PING", pong.value().get()));
    }
    return Status::Ok();
  }

  Status Drop(Status s) {
    ctx.reset();
    return s;
  }

  // Reconnects if the last I/O error broke the connection.
  Status EnsureConnected() {
    if (ctx && ctx->err == 0) return Status::Ok();
    return Dial();
  }

  // ---- commands ---------------------------------------------------------

  Status Append(const std::vector<const char*>& argv, const std::vector<std::size_t>& lens) {
    // hiredis 0.14 takes `const char**` but does not write through it.
    if (redisAppendCommandArgv(ctx.get(), static_cast<int>(argv.size()),
                               const_cast<const char**>(argv.data()), lens.data()) != REDIS_OK) {
      return IoError("append");
    }
    return Status::Ok();
  }

  Status Append(std::initializer_list<std::string_view> args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (std::string_view a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    return Append(argv, lens);
  }

  // The next reply; error replies become a Status. `command` names it in messages.
  Result<Reply> Next(std::string_view command) {
    void* raw = nullptr;
    if (redisGetReply(ctx.get(), &raw) != REDIS_OK || raw == nullptr) return IoError(command);
    Reply r(static_cast<redisReply*>(raw));
    if (r->type == REDIS_REPLY_ERROR) return ErrorReply(command, Str(r.get()));
    return r;
  }

  Result<Reply> Command(std::initializer_list<std::string_view> args) {
    std::string_view name = *args.begin();
    HL_RETURN_IF_ERROR(Append(args));
    return Next(name);
  }

  // EVALSHA, loading the script on first use and again after NOSCRIPT
  // (SCRIPT FLUSH, a failover to a replica without it).
  Result<Reply> Eval(Script& script, std::initializer_list<std::string_view> keys,
                     std::initializer_list<std::string_view> args) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (script.sha.empty()) {
        Result<Reply> loaded = Command({"SCRIPT", "LOAD", script.body});
        if (!loaded.ok()) return loaded.status();
        if (!IsString(loaded.value().get())) return Unexpected("SCRIPT LOAD", loaded.value().get());
        script.sha = std::string(Str(loaded.value().get()));
      }
      std::string nkeys = std::to_string(keys.size());
      std::vector<const char*> argv{"EVALSHA", script.sha.c_str(), nkeys.c_str()};
      std::vector<std::size_t> lens{7, script.sha.size(), nkeys.size()};
      for (auto list : {keys, args}) {
        for (std::string_view a : list) {
          argv.push_back(a.data());
          lens.push_back(a.size());
        }
      }
      HL_RETURN_IF_ERROR(Append(argv, lens));
      void* raw = nullptr;
      if (redisGetReply(ctx.get(), &raw) != REDIS_OK || raw == nullptr) return IoError("EVALSHA");
      Reply r(static_cast<redisReply*>(raw));
      if (r->type == REDIS_REPLY_ERROR && Str(r.get()).starts_with("NOSCRIPT")) {
        script.sha.clear();
        continue;
      }
      if (r->type == REDIS_REPLY_ERROR) return ErrorReply("EVALSHA", Str(r.get()));
      return r;
    }
    return Internal("redis " + redacted + ": script vanished twice right after SCRIPT LOAD");
  }

  // Reads the replies of a MULTI block of `queued` commands already
  // appended; returns EXEC's array. Reads every reply even after an error so
  // the connection stays in sync.
  Result<Reply> ReadTransaction(std::string_view what, std::size_t queued) {
    Status first = Status::Ok();
    for (std::size_t i = 0; i < queued + 1; ++i) {  // MULTI's OK + each QUEUED
      Result<Reply> r = Next(what);
      if (!r.ok()) {
        if (r.status().code() == StatusCode::kUnavailable && (!ctx || ctx->err != 0)) return r.status();
        if (first.ok()) first = r.status();
      }
    }
    Result<Reply> exec = Next(what);
    if (!exec.ok()) return first.ok() ? exec.status() : first;
    if (!first.ok()) return first;
    if (exec.value()->type != REDIS_REPLY_ARRAY || exec.value()->elements != queued) {
      return Unexpected(what, exec.value().get());
    }
    for (std::size_t i = 0; i < queued; ++i) {
      const redisReply* e = exec.value()->element[i];
      if (e->type == REDIS_REPLY_ERROR) return ErrorReply(what, Str(e));
    }
    return exec;
  }

  // ---- parsing ----------------------------------------------------------

  // A flat HGETALL array into VersionInfo.
  Result<VersionInfo> ParseMeta(std::int64_t number, const redisReply* meta) const {
    std::string where = "version " + std::to_string(number) + " metadata";
    if (meta->type != REDIS_REPLY_ARRAY || meta->elements % 2 != 0) {
      return Internal("redis " + redacted + ": " + where + ": unexpected reply type");
    }
    if (meta->elements == 0) return Internal("redis " + redacted + ": " + where + " is missing");
    VersionInfo info;
    info.number = number;
    bool have_loaded = false, have_resources = false;
    for (std::size_t i = 0; i + 1 < meta->elements; i += 2) {
      const redisReply* k = meta->element[i];
      const redisReply* v = meta->element[i + 1];
      if (!IsString(k) || !IsString(v)) return Internal("redis " + redacted + ": " + where + ": bad field");
      std::string_view key = Str(k), value = Str(v);
      if (key == "loaded_at_ms" || key == "resources") {
        std::optional<std::int64_t> n = ToInt(value);
        if (!n) return Internal("redis " + redacted + ": " + where + ": bad " + std::string(key));
        (key == "resources" ? info.resources : info.loaded_at_ms) = *n;
        (key == "resources" ? have_resources : have_loaded) = true;
      } else if (key == "digest") {
        info.digest = value;
      } else if (key == "counts") {
        info.counts_json = value;
      } else if (key == "source") {
        info.source = value;
      }
    }
    if (!have_loaded || !have_resources) {
      return Internal("redis " + redacted + ": " + where + " lacks loaded_at_ms or resources");
    }
    return info;
  }

  Result<std::optional<std::int64_t>> ParseCurrent(const redisReply* r) const {
    if (r->type == REDIS_REPLY_NIL) return std::optional<std::int64_t>();
    if (!IsString(r)) return Unexpected("GET current", r);
    std::optional<std::int64_t> n = ToInt(Str(r));
    if (!n) return Internal("redis " + redacted + ": " + k_current + " is not a number");
    return std::optional<std::int64_t>(*n);
  }

  // ---- load -------------------------------------------------------------

  // Writes dir:v{N}:res and dir:v{N}:meta with their TTL. On failure the
  // caller cleans up if the connection is still usable.
  Status Stage(const std::string& res_key, const std::string& meta_key,
               const std::vector<StoredResource>& resources, const VersionMeta& meta,
               std::int64_t loaded_at_ms, const ProgressFn& progress) {
    const std::string ttl = std::to_string(options.staging_ttl_s);
    const std::size_t total = resources.size();
    std::deque<std::size_t> in_flight;  // end index of each unacknowledged batch
    Status failed = Status::Ok();

    auto read_batch = [&]() -> Status {
      Result<Reply> exec = ReadTransaction("HSET " + res_key, 2);
      std::size_t end = in_flight.front();
      in_flight.pop_front();
      if (!exec.ok()) return exec.status();
      if (progress) progress(end, total);
      return Status::Ok();
    };

    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    std::size_t next = 0;
    while (next < total && failed.ok()) {
      argv.assign({"HSET", res_key.c_str()});
      lens.assign({4, res_key.size()});
      std::size_t bytes = 0;
      std::size_t end = next;
      while (end < total && end - next < kBatchFields && (bytes < kBatchBytes || end == next)) {
        const StoredResource& r = resources[end];
        argv.push_back(r.id.data());
        lens.push_back(r.id.size());
        argv.push_back(r.json.data());
        lens.push_back(r.json.size());
        bytes += r.id.size() + r.json.size();
        ++end;
      }
      if (Status s = Append({"MULTI"}); !s.ok()) return s;
      if (Status s = Append(argv, lens); !s.ok()) return s;
      if (Status s = Append({"EXPIRE", res_key, ttl}); !s.ok()) return s;
      if (Status s = Append({"EXEC"}); !s.ok()) return s;
      in_flight.push_back(end);
      next = end;
      while (in_flight.size() >= kWindow && failed.ok()) failed = read_batch();
    }
    // Drain what is in flight, even after an error, to keep the replies in sync.
    while (!in_flight.empty()) {
      if (ctx->err != 0) return failed.ok() ? IoError("HSET " + res_key) : failed;
      Status s = read_batch();
      if (failed.ok()) failed = s;
    }
    HL_RETURN_IF_ERROR(failed);

    const std::string loaded = std::to_string(loaded_at_ms);
    const std::string count = std::to_string(total);
    HL_RETURN_IF_ERROR(Append({"MULTI"}));
    HL_RETURN_IF_ERROR(Append({"HSET", meta_key, "loaded_at_ms", loaded, "digest", meta.digest,
                               "resources", count, "counts", meta.counts_json, "source", meta.source}));
    HL_RETURN_IF_ERROR(Append({"EXPIRE", meta_key, ttl}));
    HL_RETURN_IF_ERROR(Append({"EXEC"}));
    Result<Reply> exec = ReadTransaction("HSET " + meta_key, 2);
    return exec.ok() ? Status::Ok() : exec.status();
  }

  Result<std::int64_t> ServerTimeMs() {
    Result<Reply> r = Command({"TIME"});
    if (!r.ok()) return r.status();
    const redisReply* t = r.value().get();
    if (t->type != REDIS_REPLY_ARRAY || t->elements != 2 || !IsString(t->element[0]) ||
        !IsString(t->element[1])) {
      return Unexpected("TIME", t);
    }
    std::optional<std::int64_t> s = ToInt(Str(t->element[0]));
    std::optional<std::int64_t> us = ToInt(Str(t->element[1]));
    if (!s || !us) return Internal("redis " + redacted + ": TIME: not numbers");
    return *s * 1000 + *us / 1000;
  }
};

RedisStore::RedisStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisStore::~RedisStore() = default;

Result<std::unique_ptr<RedisStore>> RedisStore::Connect(const RedisUrl& url, StoreOptions options) {
  ScopedSigpipeBlock no_sigpipe;
  if (options.keep_versions < 1) {
    return InvalidArgument("redis store: keep_versions must be at least 1, got " +
                           std::to_string(options.keep_versions));
  }
  if (options.timeout_ms < 1) {
    return InvalidArgument("redis store: timeout_ms must be positive, got " +
                           std::to_string(options.timeout_ms));
  }
  if (options.staging_ttl_s < 1) {
    return InvalidArgument("redis store: staging_ttl_s must be positive, got " +
                           std::to_string(options.staging_ttl_s));
  }
  if (url.unix_socket.empty() && url.host.empty()) {
    return InvalidArgument("redis store: the URL has neither a host nor a unix socket");
  }
  auto impl = std::make_unique<Impl>();
  impl->url = url;
  impl->redacted = url.Redacted();
  const std::string& p = options.prefix;
  impl->k_seq = p + "dir:seq";
  impl->k_current = p + "dir:current";
  impl->k_versions = p + "dir:versions";
  impl->k_events = EventsChannelOf(p);
  impl->options = std::move(options);
  HL_RETURN_IF_ERROR(impl->Dial());
  return std::unique_ptr<RedisStore>(new RedisStore(std::move(impl)));
}

std::string RedisStore::EventsChannel() const { return impl_->k_events; }

std::string RedisStore::EventsChannelOf(std::string_view prefix) { return std::string(prefix) + "dir:events"; }

Result<std::optional<std::int64_t>> RedisStore::Current() {
  ScopedSigpipeBlock no_sigpipe;
  Impl& s = *impl_;
  HL_RETURN_IF_ERROR(s.EnsureConnected());
  Result<Reply> r = s.Command({"GET", s.k_current});
  if (!r.ok()) return r.status();
  return s.ParseCurrent(r.value().get());
}

Result<LoadOutcome> RedisStore::Load(const std::vector<StoredResource>& resources,
                                     const VersionMeta& meta, const ProgressFn& progress) {
  ScopedSigpipeBlock no_sigpipe;
  Impl& s = *impl_;
  if (meta.digest.empty()) return InvalidArgument("load: meta.digest is empty");
  for (std::size_t i = 1; i < resources.size(); ++i) {
    if (!(resources[i - 1].id < resources[i].id)) {
      return InvalidArgument("load: resources must be sorted by id with unique ids; '" +
                             resources[i].id + "' follows '" + resources[i - 1].id + "'");
    }
  }
  HL_RETURN_IF_ERROR(s.EnsureConnected());

  // 1. Unchanged?
  Result<Reply> cur_reply = s.Command({"GET", s.k_current});
  if (!cur_reply.ok()) return cur_reply.status();
  Result<std::optional<std::int64_t>> cur = s.ParseCurrent(cur_reply.value().get());
  if (!cur.ok()) return cur.status();
  if (cur.value()) {
    Result<VersionInfo> info = Info(*cur.value());
    if (info.ok() && info.value().digest == meta.digest) {
      LoadOutcome out;
      out.result = LoadResult::kUnchanged;
      out.version = std::move(info.value());
      out.previous = *cur.value();
      return out;
    }
    if (!info.ok() && info.status().code() != StatusCode::kNotFound) return info.status();
  }

  // 2. Allocate N.
  Result<Reply> alloc = s.Eval(s.alloc, {s.k_seq, s.k_versions}, {s.options.prefix});
  if (!alloc.ok()) return alloc.status();
  if (alloc.value()->type != REDIS_REPLY_INTEGER) return s.Unexpected("alloc script", alloc.value().get());
  const std::int64_t n = alloc.value()->integer;
  const std::string res_key = VersionKey(s.options.prefix, n, "res");
  const std::string meta_key = VersionKey(s.options.prefix, n, "meta");

  // 3-5. Stage.
  auto cleanup = [&](Status failure) -> Status {
    if (s.ctx && s.ctx->err == 0) {
      Result<Reply> del = s.Command({"DEL", res_key, meta_key});
      (void)del;  // best effort: the TTL removes what this leaves
    }
    return failure;
  };
  Result<std::int64_t> now = s.ServerTimeMs();
  if (!now.ok()) return cleanup(now.status());
  if (Status st = s.Stage(res_key, meta_key, resources, meta, now.value(), progress); !st.ok()) {
    return cleanup(st);
  }

  // 6. Switch. An I/O error here leaves the outcome unknown: no cleanup.
  const std::string number = std::to_string(n);
  const std::string keep = std::to_string(s.options.keep_versions);
  Result<Reply> sw = s.Eval(s.switcher, {s.k_current, s.k_versions, res_key, meta_key},
                            {number, meta.digest, s.options.prefix, keep, s.k_events});
  if (!sw.ok()) {
    if (s.ctx && s.ctx->err == 0) return cleanup(sw.status());
    return Unavailable(sw.status().message() + " (the switch to version " + number +
                       " may or may not have happened; check the current version)");
  }
  const redisReply* r = sw.value().get();
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 || !IsString(r->element[0])) {
    return s.Unexpected("switch script", r);
  }
  std::string_view verdict = Str(r->element[0]);
  if (verdict == "incomplete") {
    return Aborted("redis " + s.redacted + ": staged version " + number +
                   " expired before the switch (staging_ttl_s " + std::to_string(s.options.staging_ttl_s) +
                   " too short?); retry the load");
  }
  if (verdict == "unchanged" && r->elements == 3 && IsString(r->element[1])) {
    std::optional<std::int64_t> winner = ToInt(Str(r->element[1]));
    if (!winner) return s.Unexpected("switch script", r);
    Result<VersionInfo> info = s.ParseMeta(*winner, r->element[2]);
    if (!info.ok()) return info.status();
    LoadOutcome out;
    out.result = LoadResult::kUnchanged;
    out.version = std::move(info.value());
    out.version.current = true;
    out.previous = *winner;
    return out;
  }
  if (verdict == "created" && r->elements >= 1) {
    LoadOutcome out;
    out.result = LoadResult::kCreated;
    out.version.number = n;
    out.version.loaded_at_ms = now.value();
    out.version.resources = static_cast<std::int64_t>(resources.size());
    out.version.digest = meta.digest;
    out.version.counts_json = meta.counts_json;
    out.version.source = meta.source;
    out.version.current = true;
    if (r->elements == 2 && IsString(r->element[1])) {
      std::optional<std::int64_t> prev = ToInt(Str(r->element[1]));
      if (!prev) return s.Unexpected("switch script", r);
      out.previous = *prev;
    }
    return out;
  }
  return s.Unexpected("switch script", r);
}

Result<std::vector<VersionInfo>> RedisStore::Versions() {
  ScopedSigpipeBlock no_sigpipe;
  Impl& s = *impl_;
  HL_RETURN_IF_ERROR(s.EnsureConnected());
  Result<Reply> r = s.Eval(s.versions, {s.k_current, s.k_versions}, {s.options.prefix});
  if (!r.ok()) return r.status();
  const redisReply* a = r.value().get();
  if (a->type != REDIS_REPLY_ARRAY || a->elements % 2 != 1) return s.Unexpected("versions script", a);
  Result<std::optional<std::int64_t>> cur = s.ParseCurrent(a->element[0]);
  if (!cur.ok()) return cur.status();
  std::vector<VersionInfo> out;
  for (std::size_t i = 1; i + 1 < a->elements; i += 2) {
    if (!IsString(a->element[i])) return s.Unexpected("versions script", a->element[i]);
    std::optional<std::int64_t> n = ToInt(Str(a->element[i]));
    if (!n) return Internal("redis " + s.redacted + ": " + s.k_versions + " holds a non-number");
    Result<VersionInfo> info = s.ParseMeta(*n, a->element[i + 1]);
    if (!info.ok()) return info.status();
    info.value().current = cur.value() == *n;
    out.push_back(std::move(info.value()));
  }
  return out;
}

Result<VersionInfo> RedisStore::Info(std::int64_t version) {
  ScopedSigpipeBlock no_sigpipe;
  Impl& s = *impl_;
  HL_RETURN_IF_ERROR(s.EnsureConnected());
  const std::string number = std::to_string(version);
  HL_RETURN_IF_ERROR(s.Append({"MULTI"}));
  HL_RETURN_IF_ERROR(s.Append({"ZSCORE", s.k_versions, number}));
  HL_RETURN_IF_ERROR(s.Append({"HGETALL", VersionKey(s.options.prefix, version, "meta")}));
  HL_RETURN_IF_ERROR(s.Append({"GET", s.k_current}));
  HL_RETURN_IF_ERROR(s.Append({"EXEC"}));
  Result<Reply> exec = s.ReadTransaction("version info", 3);
  if (!exec.ok()) return exec.status();
  redisReply** e = exec.value()->element;
  if (e[0]->type == REDIS_REPLY_NIL) return NotFound("version " + number + " is not kept");
  Result<VersionInfo> info = s.ParseMeta(version, e[1]);
  if (!info.ok()) return info.status();
  Result<std::optional<std::int64_t>> cur = s.ParseCurrent(e[2]);
  if (!cur.ok()) return cur.status();
  info.value().current = cur.value() == version;
  return info;
}

Result<VersionInfo> RedisStore::Rollback(std::int64_t version) {
  ScopedSigpipeBlock no_sigpipe;
  Impl& s = *impl_;
  HL_RETURN_IF_ERROR(s.EnsureConnected());
  const std::string number = std::to_string(version);
  Result<Reply> r = s.Eval(s.rollback, {s.k_current, s.k_versions}, {number, s.k_events, s.options.prefix});
  if (!r.ok()) return r.status();
  const redisReply* a = r.value().get();
  if (a->type != REDIS_REPLY_ARRAY || a->elements < 2 || !IsString(a->element[0])) {
    return s.Unexpected("rollback script", a);
  }
  if (Str(a->element[0]) == "notkept") {
    std::string kept;
    const redisReply* list = a->element[1];
    for (std::size_t i = 0; list->type == REDIS_REPLY_ARRAY && i < list->elements; ++i) {
      if (!kept.empty()) kept += ", ";
      if (IsString(list->element[i])) kept += Str(list->element[i]);
    }
    return NotFound("version " + number + " is not kept (kept: " + (kept.empty() ? "none" : kept) + ")");
  }
  if (Str(a->element[0]) != "ok" || a->elements != 3) return s.Unexpected("rollback script", a);
  Result<VersionInfo> info = s.ParseMeta(version, a->element[2]);
  if (!info.ok()) return info.status();
  info.value().current = true;
  return info;
}

Result<std::vector<StoredResource>> RedisStore::ReadVersion(std::int64_t version) {
  ScopedSigpipeBlock no_sigpipe;
  Impl& s = *impl_;
  HL_RETURN_IF_ERROR(s.EnsureConnected());
  const std::string number = std::to_string(version);
  HL_RETURN_IF_ERROR(s.Append({"MULTI"}));
  HL_RETURN_IF_ERROR(s.Append({"ZSCORE", s.k_versions, number}));
  HL_RETURN_IF_ERROR(s.Append({"HGETALL", VersionKey(s.options.prefix, version, "res")}));
  HL_RETURN_IF_ERROR(s.Append({"HGET", VersionKey(s.options.prefix, version, "meta"), "resources"}));
  HL_RETURN_IF_ERROR(s.Append({"EXEC"}));
  Result<Reply> exec = s.ReadTransaction("read version " + number, 3);
  if (!exec.ok()) return exec.status();
  redisReply** e = exec.value()->element;
  if (e[0]->type == REDIS_REPLY_NIL) return NotFound("version " + number + " is not kept");
  const redisReply* all = e[1];
  if (all->type != REDIS_REPLY_ARRAY || all->elements % 2 != 0) {
    return s.Unexpected("HGETALL", all);
  }
  std::optional<std::int64_t> want = IsString(e[2]) ? ToInt(Str(e[2])) : std::nullopt;
  if (!want || static_cast<std::size_t>(*want) != all->elements / 2) {
    return Internal("redis " + s.redacted + ": version " + number +
                    " is damaged: its resource count does not match its metadata");
  }
  std::vector<StoredResource> out;
  out.reserve(all->elements / 2);
  for (std::size_t i = 0; i + 1 < all->elements; i += 2) {
    if (!IsString(all->element[i]) || !IsString(all->element[i + 1])) return s.Unexpected("HGETALL", all);
    out.push_back({std::string(Str(all->element[i])), std::string(Str(all->element[i + 1]))});
  }
  std::sort(out.begin(), out.end(),
            [](const StoredResource& a, const StoredResource& b) { return a.id < b.id; });
  return out;
}

}  // namespace helpline::directory
