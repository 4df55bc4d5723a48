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
// Errors: as the blocking client maps them (redis/blocking_client.h): I/O ->
// Unavailable (the connection is then dropped and the next call reconnects);
// error replies by redis/errors.h's one classification (transient ->
// Unavailable, access -> FailedPrecondition, else Internal); unexpected
// reply shapes -> Internal.

#include <algorithm>
#include <charconv>
#include <deque>
#include <string_view>
#include <utility>

#include "redis/blocking_client.h"
#include "redis/script.h"

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

bool IsString(const redis::Value& v) { return v.type == redis::Value::Type::kString; }

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

}  // namespace

struct RedisStore::Impl {
  StoreOptions options;
  std::unique_ptr<redis::BlockingClient> client;
  std::string k_seq, k_current, k_versions, k_events;

  const redis::Script alloc{kAllocScript};
  const redis::Script switcher{kSwitchScript};
  const redis::Script rollback{kRollbackScript};
  const redis::Script versions{kVersionsScript};

  const std::string& redacted() const { return client->redacted(); }
  Status Unexpected(std::string_view what, const redis::Value& r) const { return client->Unexpected(what, r); }

  // ---- parsing ----------------------------------------------------------

  // A flat HGETALL array into VersionInfo.
  Result<VersionInfo> ParseMeta(std::int64_t number, const redis::Value& meta) const {
    std::string where = "version " + std::to_string(number) + " metadata";
    if (!meta.is_array() || meta.elements.size() % 2 != 0) {
      return Internal("redis " + redacted() + ": " + where + ": unexpected reply type");
    }
    if (meta.elements.empty()) return Internal("redis " + redacted() + ": " + where + " is missing");
    VersionInfo info;
    info.number = number;
    bool have_loaded = false, have_resources = false;
    for (std::size_t i = 0; i + 1 < meta.elements.size(); i += 2) {
      const redis::Value& k = meta.elements[i];
      const redis::Value& v = meta.elements[i + 1];
      if (!IsString(k) || !IsString(v)) return Internal("redis " + redacted() + ": " + where + ": bad field");
      std::string_view key = k.str, value = v.str;
      if (key == "loaded_at_ms" || key == "resources") {
        std::optional<std::int64_t> n = ToInt(value);
        if (!n) return Internal("redis " + redacted() + ": " + where + ": bad " + std::string(key));
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
      return Internal("redis " + redacted() + ": " + where + " lacks loaded_at_ms or resources");
    }
    return info;
  }

  Result<std::optional<std::int64_t>> ParseCurrent(const redis::Value& r) const {
    if (r.is_nil()) return std::optional<std::int64_t>();
    if (!IsString(r)) return Unexpected("GET current", r);
    std::optional<std::int64_t> n = ToInt(r.str);
    if (!n) return Internal("redis " + redacted() + ": " + k_current + " is not a number");
    return std::optional<std::int64_t>(*n);
  }

  // ---- load -------------------------------------------------------------

  // Writes dir:v{N}:res and dir:v{N}:meta with their TTL. On failure the
  // caller cleans up if the connection is still usable.
  Status Stage(const std::string& res_key, const std::string& meta_key, const std::vector<StoredResource>& resources,
               const VersionMeta& meta, std::int64_t loaded_at_ms, const ProgressFn& progress) {
    const std::string ttl = std::to_string(options.staging_ttl_s);
    const std::size_t total = resources.size();
    std::deque<std::size_t> in_flight;  // end index of each unacknowledged batch
    Status failed = Status::Ok();

    auto read_batch = [&]() -> Status {
      Result<redis::Value> exec = client->ReadTransaction("HSET " + res_key, 2);
      std::size_t end = in_flight.front();
      in_flight.pop_front();
      if (!exec.ok()) return exec.status();
      if (progress) progress(end, total);
      return Status::Ok();
    };

    std::vector<std::string_view> hset;
    std::size_t next = 0;
    while (next < total && failed.ok()) {
      hset.assign({"HSET", res_key});
      std::size_t bytes = 0;
      std::size_t end = next;
      while (end < total && end - next < kBatchFields && (bytes < kBatchBytes || end == next)) {
        const StoredResource& r = resources[end];
        hset.push_back(r.id);
        hset.push_back(r.json);
        bytes += r.id.size() + r.json.size();
        ++end;
      }
      if (Status s = client->Append({"MULTI"}); !s.ok()) return s;
      if (Status s = client->Append(hset); !s.ok()) return s;
      if (Status s = client->Append({"EXPIRE", res_key, ttl}); !s.ok()) return s;
      if (Status s = client->Append({"EXEC"}); !s.ok()) return s;
      in_flight.push_back(end);
      next = end;
      while (in_flight.size() >= kWindow && failed.ok()) failed = read_batch();
    }
    // Drain what is in flight, even after an error, to keep the replies in sync.
    while (!in_flight.empty()) {
      Status s = read_batch();
      if (failed.ok()) failed = s;
      if (!client->in_sync()) return failed;
    }
    HL_RETURN_IF_ERROR(failed);

    const std::string loaded = std::to_string(loaded_at_ms);
    const std::string count = std::to_string(total);
    HL_RETURN_IF_ERROR(client->Append({"MULTI"}));
    HL_RETURN_IF_ERROR(client->Append({"HSET", meta_key, "loaded_at_ms", loaded, "digest", meta.digest, "resources",
                                       count, "counts", meta.counts_json, "source", meta.source}));
    HL_RETURN_IF_ERROR(client->Append({"EXPIRE", meta_key, ttl}));
    HL_RETURN_IF_ERROR(client->Append({"EXEC"}));
    Result<redis::Value> exec = client->ReadTransaction("HSET " + meta_key, 2);
    return exec.ok() ? Status::Ok() : exec.status();
  }

  Result<std::int64_t> ServerTimeMs() {
    Result<redis::Value> r = client->Command({"TIME"});
    if (!r.ok()) return r.status();
    const redis::Value& t = *r;
    if (!t.is_array() || t.elements.size() != 2 || !IsString(t.elements[0]) || !IsString(t.elements[1])) {
      return Unexpected("TIME", t);
    }
    std::optional<std::int64_t> s = ToInt(t.elements[0].str);
    std::optional<std::int64_t> us = ToInt(t.elements[1].str);
    if (!s || !us) return Internal("redis " + redacted() + ": TIME: not numbers");
    return *s * 1000 + *us / 1000;
  }
};

RedisStore::RedisStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisStore::~RedisStore() = default;

Result<std::unique_ptr<RedisStore>> RedisStore::Connect(const redis::Url& url, StoreOptions options) {
  if (options.keep_versions < 1) {
    return InvalidArgument("redis store: keep_versions must be at least 1, got " +
                           std::to_string(options.keep_versions));
  }
  if (options.timeout_ms < 1) {
    return InvalidArgument("redis store: timeout_ms must be positive, got " + std::to_string(options.timeout_ms));
  }
  if (options.staging_ttl_s < 1) {
    return InvalidArgument("redis store: staging_ttl_s must be positive, got " + std::to_string(options.staging_ttl_s));
  }
  if (url.unix_socket.empty() && url.host.empty() && !url.is_sentinel()) {
    return InvalidArgument("redis store: the URL has neither a host nor a unix socket");
  }
  auto client = redis::BlockingClient::Connect(url, {options.timeout_ms, options.faults});
  if (!client.ok()) return client.status();
  auto impl = std::make_unique<Impl>();
  impl->client = std::move(client.value());
  const std::string& p = options.prefix;
  impl->k_seq = p + "dir:seq";
  impl->k_current = p + "dir:current";
  impl->k_versions = p + "dir:versions";
  impl->k_events = EventsChannelOf(p);
  impl->options = std::move(options);
  return std::unique_ptr<RedisStore>(new RedisStore(std::move(impl)));
}

std::string RedisStore::EventsChannel() const { return impl_->k_events; }

std::string RedisStore::EventsChannelOf(std::string_view prefix) { return std::string(prefix) + "dir:events"; }

Result<std::optional<std::int64_t>> RedisStore::Current() {
  Impl& s = *impl_;
  HL_RETURN_IF_ERROR(s.client->EnsureConnected());
  Result<redis::Value> r = s.client->Command({"GET", s.k_current});
  if (!r.ok()) return r.status();
  return s.ParseCurrent(*r);
}

Result<LoadOutcome> RedisStore::Load(const std::vector<StoredResource>& resources, const VersionMeta& meta,
                                     const ProgressFn& progress) {
  Impl& s = *impl_;
  redis::BlockingClient& client = *s.client;
  if (meta.digest.empty()) return InvalidArgument("load: meta.digest is empty");
  for (std::size_t i = 1; i < resources.size(); ++i) {
    if (!(resources[i - 1].id < resources[i].id)) {
      return InvalidArgument("load: resources must be sorted by id with unique ids; '" + resources[i].id +
                             "' follows '" + resources[i - 1].id + "'");
    }
  }
  HL_RETURN_IF_ERROR(client.EnsureConnected());

  // 1. Unchanged?
  Result<redis::Value> cur_reply = client.Command({"GET", s.k_current});
  if (!cur_reply.ok()) return cur_reply.status();
  Result<std::optional<std::int64_t>> cur = s.ParseCurrent(*cur_reply);
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
  Result<redis::Value> alloc = client.Eval(s.alloc, {s.k_seq, s.k_versions}, {s.options.prefix});
  if (!alloc.ok()) return alloc.status();
  if (alloc->type != redis::Value::Type::kInteger) return s.Unexpected("alloc script", *alloc);
  const std::int64_t n = alloc->integer;
  const std::string res_key = VersionKey(s.options.prefix, n, "res");
  const std::string meta_key = VersionKey(s.options.prefix, n, "meta");

  // 3-5. Stage.
  auto cleanup = [&](Status failure) -> Status {
    if (client.in_sync()) {
      Result<redis::Value> del = client.Command({"DEL", res_key, meta_key});
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
  Result<redis::Value> sw = client.Eval(s.switcher, {s.k_current, s.k_versions, res_key, meta_key},
                                        {number, meta.digest, s.options.prefix, keep, s.k_events});
  if (!sw.ok()) {
    if (client.in_sync()) return cleanup(sw.status());
    return Unavailable(sw.status().message() + " (the switch to version " + number +
                       " may or may not have happened; check the current version)");
  }
  const redis::Value& r = *sw;
  if (!r.is_array() || r.elements.empty() || !IsString(r.elements[0])) return s.Unexpected("switch script", r);
  std::string_view verdict = r.elements[0].str;
  if (verdict == "incomplete") {
    return Aborted("redis " + s.redacted() + ": staged version " + number +
                   " expired before the switch (staging_ttl_s " + std::to_string(s.options.staging_ttl_s) +
                   " too short?); retry the load");
  }
  if (verdict == "unchanged" && r.elements.size() == 3 && IsString(r.elements[1])) {
    std::optional<std::int64_t> winner = ToInt(r.elements[1].str);
    if (!winner) return s.Unexpected("switch script", r);
    Result<VersionInfo> info = s.ParseMeta(*winner, r.elements[2]);
    if (!info.ok()) return info.status();
    LoadOutcome out;
    out.result = LoadResult::kUnchanged;
    out.version = std::move(info.value());
    out.version.current = true;
    out.previous = *winner;
    return out;
  }
  if (verdict == "created") {
    LoadOutcome out;
    out.result = LoadResult::kCreated;
    out.version.number = n;
    out.version.loaded_at_ms = now.value();
    out.version.resources = static_cast<std::int64_t>(resources.size());
    out.version.digest = meta.digest;
    out.version.counts_json = meta.counts_json;
    out.version.source = meta.source;
    out.version.current = true;
    if (r.elements.size() == 2 && IsString(r.elements[1])) {
      std::optional<std::int64_t> prev = ToInt(r.elements[1].str);
      if (!prev) return s.Unexpected("switch script", r);
      out.previous = *prev;
    }
    return out;
  }
  return s.Unexpected("switch script", r);
}

Result<std::vector<VersionInfo>> RedisStore::Versions() {
  Impl& s = *impl_;
  HL_RETURN_IF_ERROR(s.client->EnsureConnected());
  Result<redis::Value> r = s.client->Eval(s.versions, {s.k_current, s.k_versions}, {s.options.prefix});
  if (!r.ok()) return r.status();
  const redis::Value& a = *r;
  if (!a.is_array() || a.elements.size() % 2 != 1) return s.Unexpected("versions script", a);
  Result<std::optional<std::int64_t>> cur = s.ParseCurrent(a.elements[0]);
  if (!cur.ok()) return cur.status();
  std::vector<VersionInfo> out;
  for (std::size_t i = 1; i + 1 < a.elements.size(); i += 2) {
    if (!IsString(a.elements[i])) return s.Unexpected("versions script", a.elements[i]);
    std::optional<std::int64_t> n = ToInt(a.elements[i].str);
    if (!n) return Internal("redis " + s.redacted() + ": " + s.k_versions + " holds a non-number");
    Result<VersionInfo> info = s.ParseMeta(*n, a.elements[i + 1]);
    if (!info.ok()) return info.status();
    info.value().current = cur.value() == *n;
    out.push_back(std::move(info.value()));
  }
  return out;
}

Result<VersionInfo> RedisStore::Info(std::int64_t version) {
  Impl& s = *impl_;
  redis::BlockingClient& client = *s.client;
  HL_RETURN_IF_ERROR(client.EnsureConnected());
  const std::string number = std::to_string(version);
  HL_RETURN_IF_ERROR(client.Append({"MULTI"}));
  HL_RETURN_IF_ERROR(client.Append({"ZSCORE", s.k_versions, number}));
  HL_RETURN_IF_ERROR(client.Append({"HGETALL", VersionKey(s.options.prefix, version, "meta")}));
  HL_RETURN_IF_ERROR(client.Append({"GET", s.k_current}));
  HL_RETURN_IF_ERROR(client.Append({"EXEC"}));
  Result<redis::Value> exec = client.ReadTransaction("version info", 3);
  if (!exec.ok()) return exec.status();
  const std::vector<redis::Value>& e = exec->elements;
  if (e[0].is_nil()) return NotFound("version " + number + " is not kept");
  Result<VersionInfo> info = s.ParseMeta(version, e[1]);
  if (!info.ok()) return info.status();
  Result<std::optional<std::int64_t>> cur = s.ParseCurrent(e[2]);
  if (!cur.ok()) return cur.status();
  info.value().current = cur.value() == version;
  return info;
}

Result<VersionInfo> RedisStore::Rollback(std::int64_t version) {
  Impl& s = *impl_;
  HL_RETURN_IF_ERROR(s.client->EnsureConnected());
  const std::string number = std::to_string(version);
  Result<redis::Value> r =
      s.client->Eval(s.rollback, {s.k_current, s.k_versions}, {number, s.k_events, s.options.prefix});
  if (!r.ok()) return r.status();
  const redis::Value& a = *r;
  if (!a.is_array() || a.elements.size() < 2 || !IsString(a.elements[0])) {
    return s.Unexpected("rollback script", a);
  }
  if (a.elements[0].str == "notkept") {
    std::string kept;
    const redis::Value& list = a.elements[1];
    for (std::size_t i = 0; list.is_array() && i < list.elements.size(); ++i) {
      if (!kept.empty()) kept += ", ";
      if (IsString(list.elements[i])) kept += list.elements[i].str;
    }
    return NotFound("version " + number + " is not kept (kept: " + (kept.empty() ? "none" : kept) + ")");
  }
  if (a.elements[0].str != "ok" || a.elements.size() != 3) return s.Unexpected("rollback script", a);
  Result<VersionInfo> info = s.ParseMeta(version, a.elements[2]);
  if (!info.ok()) return info.status();
  info.value().current = true;
  return info;
}

Result<std::vector<StoredResource>> RedisStore::ReadVersion(std::int64_t version) {
  Impl& s = *impl_;
  redis::BlockingClient& client = *s.client;
  HL_RETURN_IF_ERROR(client.EnsureConnected());
  const std::string number = std::to_string(version);
  HL_RETURN_IF_ERROR(client.Append({"MULTI"}));
  HL_RETURN_IF_ERROR(client.Append({"ZSCORE", s.k_versions, number}));
  HL_RETURN_IF_ERROR(client.Append({"HGETALL", VersionKey(s.options.prefix, version, "res")}));
  HL_RETURN_IF_ERROR(client.Append({"HGET", VersionKey(s.options.prefix, version, "meta"), "resources"}));
  HL_RETURN_IF_ERROR(client.Append({"EXEC"}));
  Result<redis::Value> exec = client.ReadTransaction("read version " + number, 3);
  if (!exec.ok()) return exec.status();
  std::vector<redis::Value>& e = exec->elements;
  if (e[0].is_nil()) return NotFound("version " + number + " is not kept");
  std::vector<redis::Value>& all = e[1].elements;
  if (!e[1].is_array() || all.size() % 2 != 0) return s.Unexpected("HGETALL", e[1]);
  std::optional<std::int64_t> want = IsString(e[2]) ? ToInt(e[2].str) : std::nullopt;
  if (!want || static_cast<std::size_t>(*want) != all.size() / 2) {
    return Internal("redis " + s.redacted() + ": version " + number +
                    " is damaged: its resource count does not match its metadata");
  }
  std::vector<StoredResource> out;
  out.reserve(all.size() / 2);
  for (std::size_t i = 0; i + 1 < all.size(); i += 2) {
    if (!IsString(all[i]) || !IsString(all[i + 1])) return s.Unexpected("HGETALL", e[1]);
    out.push_back({std::move(all[i].str), std::move(all[i + 1].str)});
  }
  std::sort(out.begin(), out.end(), [](const StoredResource& a, const StoredResource& b) { return a.id < b.id; });
  return out;
}

}  // namespace helpline::directory
