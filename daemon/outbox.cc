#include "daemon/outbox.h"

#include <utility>  // before Asio (see STACK-NOTES)

// Implementation notes (the design is in the header).
//
// The worker is a small state machine on the loop, driven by Pump(): a fetch
// runs when none is running, there is room (held_ < max_in_flight) and there
// is reason to expect work (`more_`: the last read was full, a local Enqueue
// woke us, or the poll timer fired; `claim_due_`: the claim timer fired).
// Every entry fetched is "held" until its outcome script has run (or Stop()),
// which is what max_in_flight bounds; releasing one pumps again. `held_` also
// guards against dispatching an entry twice when XAUTOCLAIM hands us back one
// of our own (possible only while its outcome script is being retried for
// longer than claim_idle_ms).
//
// Every callback holds a weak_ptr to the State and the generation it was
// started in; Stop() bumps the generation, so nothing started before a Stop()
// acts after it.

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <random>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "daemon/curl_multi.h"
#include "daemon/log_limiter.h"
#include "daemon/metrics.h"
#include "redis/async_client.h"
#include "redis/errors.h"
#include "redis/script.h"

namespace helpline::daemon {
namespace {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;

constexpr std::string_view kGroup = "senders";
constexpr std::size_t kMaxId = 256;
constexpr int kLogBurst = 20;  // retry or dead lines a minute per worker (see LogLimiter)

// KEYS: 1 marker, 2 stream. ARGV: 1 TTL s, 2.. field, value pairs.
// Returns 1 if added, 0 if the id was known.
constexpr std::string_view kEnqueueScript = R"lua(
if not redis.call('SET', KEYS[1], 'q', 'NX', 'EX', ARGV[1]) then
  return 0
end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
return 1
)lua";

// KEYS: 1 stream, 2 retry zset, 3 dead stream.
// ARGV: 1 group, 2 consumer, 3 count, 4 'read' or 'claim', 5 claim min idle ms,
//       6 marker key prefix, 7 retry hash key prefix, 8 dead MAXLEN,
//       9 dead-letter TTL ms, 10 report key prefix, 11 marker TTL s.
// Returns {promoted, skipped, claimed, read, confirmed, uncertain,
//          entry id, {field, value, ...}, ...}.
// An entry marked "p" (a send was started and its outcome never recorded:
// its worker died, or the attempt timed out) is "confirmed" when a delivery
// report joined to its id has arrived since (the provider took it): marked
// sent and dropped like one already sent. Otherwise it is returned with the
// extra field uncertain = 1 (sent again: the provider may have it).
// A claim also drops dead letters older than the TTL (stream ids are their
// unix ms, so XTRIM MINID is exact trimming by age).
constexpr std::string_view kFetchScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[4] == 'claim' then
  redis.call('XTRIM', KEYS[3], 'MINID', string.format('%d', now - tonumber(ARGV[9])))
end
local promoted = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)) do
  local hkey = ARGV[7] .. id
  local h = redis.call('HGETALL', hkey)
  if #h > 0 then
    redis.call('XADD', KEYS[1], '*', unpack(h))
    promoted = promoted + 1
  end
  redis.call('DEL', hkey)
  redis.call('ZREM', KEYS[2], id)
end
local entries = {}
local claimed = 0
if ARGV[4] == 'claim' then
  local r = redis.pcall('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[5], '0-0', 'COUNT', ARGV[3])
  if r.err then
    if string.sub(r.err, 1, 7) ~= 'NOGROUP' then return r end
    redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
  else
    entries = r[2]
    claimed = #entries
  end
else
  local r = redis.pcall('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')
  if type(r) == 'table' and r.err then
    if string.sub(r.err, 1, 7) ~= 'NOGROUP' then return r end
    redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
    r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')
  end
  if r then entries = r[1][2] end
end
local out = {promoted, 0, claimed, #entries, 0, 0}
local skipped, confirmed, uncertain = 0, 0, 0
for _, e in ipairs(entries) do
  local eid, f = e[1], e[2]
  local id = nil
  if f then
    for i = 1, #f - 1, 2 do
      if f[i] == 'id' then id = f[i + 1] break end
    end
  end
  if not id then
    -- Not ours to send (no id): keep it for a human, out of the way.
    redis.call('XACK', KEYS[1], ARGV[1], eid)
    redis.call('XDEL', KEYS[1], eid)
    if f then redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], '*', 'reason', 'malformed entry', unpack(f)) end
    skipped = skipped + 1
  else
    local marker = redis.call('GET', ARGV[6] .. id)
    if marker == 'p' and redis.call('EXISTS', ARGV[10] .. id) == 1 then
      redis.call('SET', ARGV[6] .. id, 's', 'EX', ARGV[11])
      marker = 's'
      confirmed = confirmed + 1
    end
    if marker == 's' then
      redis.call('XACK', KEYS[1], ARGV[1], eid)
      redis.call('XDEL', KEYS[1], eid)
      skipped = skipped + 1
    else
      if marker == 'p' then
        f[#f + 1] = 'uncertain'
        f[#f + 1] = '1'
        uncertain = uncertain + 1
      end
      out[#out + 1] = eid
      out[#out + 1] = f
    end
  end
end
out[2] = skipped
out[5] = confirmed
out[6] = uncertain
return out
)lua";

// KEYS: 1 marker. ARGV: 1 marker TTL s.
// Marks the id "p" (sending) just before its HTTP call. Returns 1, or 0 when
// the id is already sent or dead-lettered (then nothing is sent).
constexpr std::string_view kSendingScript = R"lua(
local m = redis.call('GET', KEYS[1])
if m == 's' or m == 'd' then return 0 end
redis.call('SET', KEYS[1], 'p', 'EX', ARGV[1])
return 1
)lua";

// KEYS: 1 stream. ARGV: 1 group, 2 entry id.
// Drops an entry that must not be sent. Returns XACK's count.
constexpr std::string_view kDropScript = R"lua(
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return acked
)lua";

// KEYS: 1 stream, 2 marker. ARGV: 1 group, 2 entry id, 3 marker TTL s.
// Returns XACK's count (0: another worker had resolved the entry).
constexpr std::string_view kSentScript = R"lua(
redis.call('SET', KEYS[2], 's', 'EX', ARGV[3])
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return acked
)lua";

// KEYS: 1 stream, 2 retry zset, 3 retry hash, 4 marker.
// ARGV: 1 group, 2 entry id, 3 delay ms, 4 message id, 5 hash TTL s,
//       6 '1' if the provider answered (refused: certainly not sent, the
//       marker goes back to "q") or '0' (no answer: it stays "p"),
//       7.. field, value pairs (attempt already incremented).
// Returns 1 if scheduled, 0 if another worker resolved it or it was sent.
constexpr std::string_view kRetryScript = R"lua(
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if acked == 0 or redis.call('GET', KEYS[4]) == 's' then return 0 end
if ARGV[6] == '1' then redis.call('SET', KEYS[4], 'q', 'KEEPTTL') end
local t = redis.call('TIME')
local due = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[3])
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], unpack(ARGV, 7))
redis.call('EXPIRE', KEYS[3], ARGV[5])
redis.call('ZADD', KEYS[2], due, ARGV[4])
return 1
)lua";

// KEYS: 1 stream, 2 dead stream, 3 marker.
// ARGV: 1 group, 2 entry id, 3 dead MAXLEN, 4 marker TTL s, 5 dead-letter TTL ms,
//       6.. field, value pairs.
// Returns 1 if dead-lettered, 0 if another worker resolved it or it was sent.
constexpr std::string_view kDeadScript = R"lua(
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if acked == 0 or redis.call('GET', KEYS[3]) == 's' then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 6))
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d', now - tonumber(ARGV[5])))
redis.call('SET', KEYS[3], 'd', 'EX', ARGV[4])
return 1
)lua";

struct Entry {
  std::string entry_id;  // the stream's id ("1700000000000-0")
  gateway::OutboundMessage message;
  int attempt = 0;  // sends tried and answered before this one
};

std::string_view ChannelName(gateway::MessageChannel c) { return c == gateway::MessageChannel::kChat ? "chat" : "sms"; }

// The stream fields of `message` at `attempt`.
std::vector<std::string> Fields(const gateway::OutboundMessage& m, int attempt) {
  return {"id",       m.id,
          "provider", m.provider,
          "channel",  std::string(ChannelName(m.channel)),
          "to",       m.to,
          "from",     m.from,
          "text",     m.text,
          "attempt",  std::to_string(attempt)};
}

int ParseInt(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && v >= 0 ? v : 0;
}

// Entry from a fetched [entry id, [field, value, ...]] pair.
std::optional<Entry> ParseEntry(const redis::Value& eid, const redis::Value& fields) {
  if (eid.type != redis::Value::Type::kString || fields.type != redis::Value::Type::kArray) return std::nullopt;
  Entry e;
  e.entry_id = eid.str;
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    const std::string& k = fields.elements[i].str;
    const std::string& v = fields.elements[i + 1].str;
    if (k == "id") {
      e.message.id = v;
    } else if (k == "provider") {
      e.message.provider = v;
    } else if (k == "channel") {
      e.message.channel = v == "chat" ? gateway::MessageChannel::kChat : gateway::MessageChannel::kSms;
    } else if (k == "to") {
      e.message.to = v;
    } else if (k == "from") {
      e.message.from = v;
    } else if (k == "text") {
      e.message.text = v;
    } else if (k == "attempt") {
      e.attempt = ParseInt(v);
    }
  }
  return e;
}

std::string Cat(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size());
  out.append(a).append(b).append(c);
  return out;
}

// Log values come from adapters' reasons and ids: keep a line one line.
std::string OneLine(std::string_view s) {
  std::string out(s.substr(0, 200));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

struct Outbox::State : std::enable_shared_from_this<Outbox::State> {
  State(redis::AsyncClient& redis_in, CurlMulti& http_in, Adapters adapters_in, OutboxOptions options_in)
      : redis(redis_in),
        http(http_in),
        adapters(std::move(adapters_in)),
        options(std::move(options_in)),
        stream(Cat(options.prefix, "outbox")),
        retry_zset(Cat(options.prefix, "outbox:retry")),
        dead_stream(Cat(options.prefix, "outbox:dead")),
        marker_prefix(Cat(options.prefix, "outbox:id:")),
        retry_prefix(Cat(options.prefix, "outbox:retry:")),
        report_prefix(Cat(options.prefix, "outbox:report:")),
        poll_timer(redis_in.context()),
        claim_timer(redis_in.context()) {}

  asio::io_context& io() { return redis.context(); }

  std::string DeadTtlMs() const { return std::to_string(std::max(1LL, 1000LL * options.dead_letter_ttl_s)); }

  void Count(std::string_view event) {
    if (options.metrics != nullptr) options.metrics->CountOutbox(event);
  }

  // ---- Enqueue ---------------------------------------------------------------

  void Enqueue(const gateway::OutboundMessage& m, std::function<void(Status)> done) {
    Status invalid;
    if (m.id.empty() || m.id.size() > kMaxId) {
      invalid = InvalidArgument("outbox: message id must be 1-256 bytes");
    } else if (adapters.find(m.provider) == adapters.end()) {
      invalid = InvalidArgument("outbox: no adapter for provider '" + OneLine(m.provider) + "'");
    }
    if (!invalid.ok()) {
      asio::post(io(), [done = std::move(done), invalid = std::move(invalid)] { done(invalid); });
      return;
    }
    std::vector<std::string> args = {"2", Cat(marker_prefix, m.id), stream, std::to_string(options.dedupe_ttl_s)};
    for (std::string& f : Fields(m, 0)) args.push_back(std::move(f));
    enqueue.Run(redis, std::move(args), [weak = weak_from_this(), done = std::move(done)](Result<redis::Value> r) {
      auto self = weak.lock();
      Status s;
      if (!r.ok()) {
        s = r.status();
      } else if (r->is_error()) {
        s = redis::ErrorStatus("outbox: enqueue", r->str);
      } else if (r->type != redis::Value::Type::kInteger) {
        s = Internal("outbox: enqueue: unexpected reply shape");
      } else if (r->integer == 0) {
        s = AlreadyExists("outbox: message id already queued");
      }
      if (self != nullptr) {
        if (s.ok()) {
          ++self->stats.queued;
          self->Count("queued");
          self->Wake();
        } else if (s.code() == StatusCode::kAlreadyExists) {
          ++self->stats.duplicates;
          self->Count("duplicate");
        } else {
          ++self->stats.redis_errors;
        }
      }
      done(std::move(s));
    });
  }

  // ---- the worker ---------------------------------------------------------------

  void Start() {
    if (started) return;
    if (options.consumer.empty()) {
      std::fputs("fatal: Outbox::Start without a consumer name\n", stderr);
      std::abort();
    }
    started = true;
    more = true;
    claim_due = true;  // take over what a previous incarnation left pending
    ArmClaimTimer();
    Pump();
  }

  void Drain(std::function<void()> done) {
    if (!started || draining) {
      if (draining) {
        // A second Drain() before the first finished: both are told.
        drained.push_back(std::move(done));
      } else {
        asio::post(io(), std::move(done));
      }
      return;
    }
    draining = true;
    drained.push_back(std::move(done));
    poll_timer.cancel();
    claim_timer.cancel();
    MaybeDrained();
  }

  // While draining: once nothing is held and no fetch is on its way, the
  // drain is over (the workers are stopped, as by Stop()).
  void MaybeDrained() {
    if (!draining || fetching || !held.empty()) return;
    std::vector<std::function<void()>> waiting = std::move(drained);
    drained.clear();
    Stop();
    for (auto& f : waiting) asio::post(io(), std::move(f));
  }

  void Stop() {
    if (!started) return;
    started = false;
    draining = false;
    drained.clear();
    ++generation;
    poll_timer.cancel();
    claim_timer.cancel();
    held.clear();
    fetching = false;
    woken = false;
  }

  void Wake() {
    if (!started) return;
    more = true;
    if (fetching) woken = true;
    Pump();
  }

  void Pump() {
    if (draining) {
      MaybeDrained();
      return;
    }
    if (!started || fetching || (!more && !claim_due)) return;
    const int room = options.max_in_flight - static_cast<int>(held.size());
    if (room <= 0) return;  // a release pumps again
    // Refill in batches, not one entry per release: a read costs a round
    // trip whatever its size.
    const int low_water = std::max(1, std::min(options.batch, options.max_in_flight) / 2);
    if (!held.empty() && room < low_water) return;
    const int count = std::max(1, std::min(options.batch, room));
    const bool claim = claim_due;
    fetching = true;
    woken = false;
    fetch.Run(redis,
              {"3", stream, retry_zset, dead_stream, std::string(kGroup), options.consumer, std::to_string(count),
               claim ? "claim" : "read", std::to_string(options.claim_idle_ms), marker_prefix, retry_prefix,
               std::to_string(options.dead_max_len), DeadTtlMs(), report_prefix, std::to_string(options.dedupe_ttl_s)},
              [weak = weak_from_this(), gen = generation, claim, count](Result<redis::Value> r) {
                auto self = weak.lock();
                if (self == nullptr || gen != self->generation) return;
                self->OnFetched(std::move(r), claim, count);
              });
  }

  void OnFetched(Result<redis::Value> r, bool claim, int count) {
    fetching = false;
    Status failure;
    if (!r.ok()) {
      failure = r.status();
    } else if (r->is_error()) {
      failure = redis::ErrorStatus("outbox: fetch", r->str);
    } else if (r->type != redis::Value::Type::kArray || r->elements.size() < 6 || r->elements.size() % 2 != 0) {
      failure = Internal("outbox: fetch: unexpected reply shape");
    }
    if (!failure.ok()) {
      ++stats.redis_errors;
      if (options.log && redis_failures == 0) {
        std::fprintf(stderr, "outbox event=fetch_failed consumer=%s error=%s\n", options.consumer.c_str(),
                     OneLine(failure.message()).c_str());
      }
      more = false;
      ArmPoll(RedisBackoff());
      MaybeDrained();
      return;
    }
    redis_failures = 0;
    const std::vector<redis::Value>& v = r->elements;
    stats.skipped += static_cast<std::uint64_t>(std::max(0LL, v[1].integer));
    stats.reclaimed += static_cast<std::uint64_t>(std::max(0LL, v[2].integer));
    for (long long i = 0; i < v[1].integer; ++i) Count("skipped");
    for (long long i = 0; i < v[2].integer; ++i) Count("reclaimed");
    const long long read = v[3].integer;
    stats.confirmed += static_cast<std::uint64_t>(std::max(0LL, v[4].integer));
    stats.uncertain += static_cast<std::uint64_t>(std::max(0LL, v[5].integer));
    for (long long i = 0; i < v[4].integer; ++i) Count("confirmed");
    for (long long i = 0; i < v[5].integer; ++i) Count("uncertain");
    for (std::size_t i = 6; i + 1 < v.size(); i += 2) {
      std::optional<Entry> e = ParseEntry(v[i], v[i + 1]);
      if (!e || held.count(e->entry_id) != 0) continue;
      Dispatch(std::move(*e));
    }
    if (claim) {
      claim_due = read >= count;  // more to take over: continue at once
    } else {
      more = read >= count || woken;
      if (!more) ArmPoll(std::chrono::milliseconds(options.poll_interval_ms));
    }
    woken = false;
    Pump();
  }

  std::chrono::milliseconds RedisBackoff() {
    long long d = std::max(1, options.redis_backoff_min_ms);
    for (int i = 0; i < redis_failures && d < options.redis_backoff_max_ms; ++i) d *= 2;
    d = std::min<long long>(d, std::max(1, options.redis_backoff_max_ms));
    ++redis_failures;
    std::uniform_int_distribution<long long> jitter(d / 2, d);
    return std::chrono::milliseconds(jitter(rng));
  }

  void ArmPoll(std::chrono::milliseconds delay) {
    if (draining) return;
    poll_timer.expires_after(delay);
    poll_timer.async_wait([weak = weak_from_this(), gen = generation](const ErrorCode& ec) {
      auto self = weak.lock();
      if (ec || self == nullptr || gen != self->generation) return;
      self->more = true;
      self->Pump();
    });
  }

  void ArmClaimTimer() {
    if (draining) return;
    claim_timer.expires_after(std::chrono::milliseconds(std::max(1, options.claim_interval_ms)));
    claim_timer.async_wait([weak = weak_from_this(), gen = generation](const ErrorCode& ec) {
      auto self = weak.lock();
      if (ec || self == nullptr || gen != self->generation) return;
      self->claim_due = true;
      self->ArmClaimTimer();
      self->Pump();
    });
  }

  // ---- one entry ------------------------------------------------------------------

  void Dispatch(Entry e) {
    held.insert(e.entry_id);
    auto adapter = adapters.find(e.message.provider);
    if (adapter == adapters.end()) {
      std::string reason = "no adapter for provider '" + OneLine(e.message.provider) + "'";
      const int attempt = e.attempt;
      Dead(std::move(e), std::move(reason), attempt);
      return;
    }
    Result<gateway::OutboundRequest> request = adapter->second->BuildSend(e.message);
    if (!request.ok()) {
      const int attempt = e.attempt;
      Dead(std::move(e), "cannot build the request: " + request.status().message(), attempt);
      return;
    }
    // The marker says "sending" before the request leaves: a worker that
    // finds the entry later (this one dead) knows it may be at the provider.
    std::vector<std::string> args = {"1", Cat(marker_prefix, e.message.id), std::to_string(options.dedupe_ttl_s)};
    sending.Run(redis, std::move(args),
                [weak = weak_from_this(), gen = generation, a = adapter->second, request = std::move(*request),
                 e = std::move(e)](Result<redis::Value> r) mutable {
                  auto self = weak.lock();
                  if (self == nullptr || gen != self->generation) return;
                  self->OnMarkedSending(std::move(e), *a, std::move(request), std::move(r));
                });
  }

  void OnMarkedSending(Entry e, const gateway::OutboundAdapter& a, gateway::OutboundRequest request,
                       Result<redis::Value> r) {
    if (!r.ok() || r->is_error() || r->type != redis::Value::Type::kInteger) {
      // Not marked, so not sent: the entry stays pending and is reclaimed
      // after claim_idle_ms (by any worker, this one included).
      ++stats.redis_errors;
      if (options.log) {
        std::fprintf(stderr, "outbox event=mark_failed id=%s\n", OneLine(e.message.id).c_str());
      }
      Release(e.entry_id);
      return;
    }
    if (r->integer == 0) {  // sent or dead-lettered meanwhile: drop this copy
      RunOutcome(drop, {"1", stream, std::string(kGroup), e.entry_id}, e.entry_id, [this](long long) {
        ++stats.skipped;
        Count("skipped");
      });
      return;
    }
    http.Perform(std::move(request), std::chrono::milliseconds(options.send_timeout_ms),
                 [weak = weak_from_this(), gen = generation, a = &a, e = std::move(e)](gateway::HttpResult r) mutable {
                   auto self = weak.lock();
                   if (self == nullptr || gen != self->generation) return;  // stays pending: reclaimed later
                   self->OnSent(std::move(e), *a, r);
                 });
  }

  void CountFailure(const gateway::HttpResult& r) {
    std::string_view cls = "other";
    std::uint64_t* counter = &stats.failed_other;
    if (!r.transport_ok) {
      cls = "transport";
      counter = &stats.failed_transport;
    } else if (r.status == 429) {
      cls = "http_429";
      counter = &stats.failed_429;
    } else if (r.status >= 500 && r.status <= 599) {
      cls = "http_5xx";
      counter = &stats.failed_5xx;
    } else if (r.status >= 400 && r.status <= 499) {
      cls = "http_4xx";
      counter = &stats.failed_4xx;
    }
    ++*counter;
    if (options.metrics != nullptr) options.metrics->CountOutboxFailure(cls);
  }

  void OnSent(Entry e, const gateway::OutboundAdapter& adapter, const gateway::HttpResult& r) {
    const gateway::DeliveryDecision d = adapter.ClassifySend(r);
    const int attempts = e.attempt + 1;
    switch (d.verdict) {
      case gateway::DeliveryVerdict::kSent: Sent(std::move(e)); return;
      case gateway::DeliveryVerdict::kRetry:
        CountFailure(r);
        if (attempts >= options.max_attempts) {
          Dead(std::move(e), "max attempts; last: " + d.reason, attempts);
        } else {
          Retry(std::move(e), attempts, d, r.transport_ok);
        }
        return;
      case gateway::DeliveryVerdict::kFail:
        CountFailure(r);
        Dead(std::move(e), d.reason, attempts);
        return;
    }
  }

  void Sent(Entry e) {
    std::vector<std::string> args = {"2",
                                     stream,
                                     Cat(marker_prefix, e.message.id),
                                     std::string(kGroup),
                                     e.entry_id,
                                     std::to_string(options.dedupe_ttl_s)};
    RunOutcome(sent, std::move(args), std::move(e.entry_id), [this](long long) {
      ++stats.sent;  // also when another worker had resolved it: the provider took it
      Count("sent");
    });
  }

  void Retry(Entry e, int attempts, const gateway::DeliveryDecision& d, bool answered) {
    const long long base = std::max(1, options.backoff_base_ms);
    const long long cap = std::max<long long>(base, options.backoff_cap_ms);
    long long ceiling = base;
    for (int i = 1; i < attempts && ceiling < cap; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, cap);
    std::uniform_int_distribution<long long> jitter(0, ceiling);
    long long delay_ms = jitter(rng);
    if (d.retry_after && d.retry_after->count() > delay_ms) delay_ms = d.retry_after->count();
    const long long hash_ttl_s = std::max<long long>(options.dedupe_ttl_s, delay_ms / 1000 + 3600);
    std::vector<std::string> args = {"4",
                                     stream,
                                     retry_zset,
                                     Cat(retry_prefix, e.message.id),
                                     Cat(marker_prefix, e.message.id),
                                     std::string(kGroup),
                                     e.entry_id,
                                     std::to_string(delay_ms),
                                     e.message.id,
                                     std::to_string(hash_ttl_s),
                                     answered ? "1" : "0"};
    for (std::string& f : Fields(e.message, attempts)) args.push_back(std::move(f));
    RunOutcome(retry, std::move(args), e.entry_id,
               [this, id = e.message.id, attempts, delay_ms, reason = d.reason](long long applied) {
                 if (applied == 0) return;
                 ++stats.retried;
                 Count("retried");
                 if (!options.log) return;
                 if (const auto held_back = retry_log.Admit(LogLimiter::Clock::now())) {
                   std::fprintf(stderr, "outbox event=retry id=%s attempt=%d delay_ms=%lld reason=%s held_back=%llu\n",
                                OneLine(id).c_str(), attempts, delay_ms, OneLine(reason).c_str(),
                                static_cast<unsigned long long>(*held_back));
                 }
               });
  }

  void Dead(Entry e, std::string reason, int attempts) {
    std::vector<std::string> args = {"3",
                                     stream,
                                     dead_stream,
                                     Cat(marker_prefix, e.message.id),
                                     std::string(kGroup),
                                     e.entry_id,
                                     std::to_string(options.dead_max_len),
                                     std::to_string(options.dedupe_ttl_s),
                                     DeadTtlMs()};
    for (std::string& f : Fields(e.message, attempts)) args.push_back(std::move(f));
    args.push_back("reason");
    args.push_back(reason);
    args.push_back("attempts");
    args.push_back(std::to_string(attempts));
    RunOutcome(dead, std::move(args), e.entry_id,
               [this, id = e.message.id, attempts, reason = std::move(reason)](long long applied) {
                 if (applied == 0) return;
                 ++stats.dead;
                 Count("dead");
                 if (!options.log) return;
                 if (const auto held_back = dead_log.Admit(LogLimiter::Clock::now())) {
                   std::fprintf(stderr, "outbox event=dead id=%s attempts=%d reason=%s held_back=%llu\n",
                                OneLine(id).c_str(), attempts, OneLine(reason).c_str(),
                                static_cast<unsigned long long>(*held_back));
                 }
               });
  }

  // Runs an outcome script until Redis answers it (or Stop()), then calls
  // `applied` with its integer result and releases the entry. `applied` runs
  // with the State alive (it may capture `this`).
  void RunOutcome(const redis::Script& script, std::vector<std::string> args, std::string eid,
                  std::function<void(long long)> applied) {
    std::vector<std::string> copy = args;
    script.Run(redis, std::move(copy),
               [weak = weak_from_this(), gen = generation, script, args = std::move(args), eid = std::move(eid),
                applied = std::move(applied)](Result<redis::Value> r) mutable {
                 auto self = weak.lock();
                 if (self == nullptr || gen != self->generation) return;
                 const bool transient = !r.ok() || (r->is_error() && redis::IsTransientError(r->str));
                 if (transient) {
                   ++self->stats.redis_errors;
                   auto timer = std::make_shared<asio::steady_timer>(self->io(), self->RedisBackoff());
                   timer->async_wait([weak, gen, timer, script, args = std::move(args), eid = std::move(eid),
                                      applied = std::move(applied)](const ErrorCode&) mutable {
                     auto self = weak.lock();
                     if (self == nullptr || gen != self->generation) return;
                     self->RunOutcome(script, std::move(args), std::move(eid), std::move(applied));
                   });
                   return;
                 }
                 self->redis_failures = 0;
                 if (r->is_error() || r->type != redis::Value::Type::kInteger) {
                   // A bug or a foreign key type: leave the entry pending (a
                   // human must look), say so once per entry.
                   std::fprintf(stderr, "outbox event=outcome_failed entry=%s error=%s\n", eid.c_str(),
                                OneLine(r->is_error() ? r->str : "unexpected reply shape").c_str());
                 } else {
                   applied(r->integer);
                 }
                 self->Release(eid);
               });
  }

  void Release(const std::string& eid) {
    held.erase(eid);
    Pump();
  }

  redis::AsyncClient& redis;
  CurlMulti& http;
  const Adapters adapters;
  const OutboxOptions options;
  const std::string stream;
  const std::string retry_zset;
  const std::string dead_stream;
  const std::string marker_prefix;
  const std::string retry_prefix;
  const std::string report_prefix;
  const redis::Script enqueue{kEnqueueScript};
  const redis::Script fetch{kFetchScript};
  const redis::Script sending{kSendingScript};
  const redis::Script drop{kDropScript};
  const redis::Script sent{kSentScript};
  const redis::Script retry{kRetryScript};
  const redis::Script dead{kDeadScript};
  asio::steady_timer poll_timer;   // the next read after an empty one, or the Redis backoff
  asio::steady_timer claim_timer;  // the next XAUTOCLAIM
  std::mt19937_64 rng{std::random_device{}()};
  // At most kLogBurst retry lines and kLogBurst dead lines a minute per
  // worker; the next line says how many were held back (a long provider
  // outage would otherwise write one line per retry, without bound).
  LogLimiter retry_log{kLogBurst, std::chrono::minutes(1)};
  LogLimiter dead_log{kLogBurst, std::chrono::minutes(1)};
  bool started = false;
  bool draining = false;                       // Drain(): no new fetch; Stop() once nothing is held
  std::vector<std::function<void()>> drained;  // Drain() callbacks waiting
  bool fetching = false;                       // one fetch at a time
  bool more = false;                           // a read may find entries
  bool woken = false;                          // an Enqueue landed while a read was running
  bool claim_due = false;                      // the next fetch reclaims
  int redis_failures = 0;                      // consecutive failed Redis calls (for the backoff)
  std::uint64_t generation = 0;
  std::unordered_set<std::string> held;  // entry ids fetched and not yet resolved
  OutboxStats stats;
};

Outbox::Outbox(redis::AsyncClient& redis, CurlMulti& http, Adapters adapters, OutboxOptions options)
    : state_(std::make_shared<State>(redis, http, std::move(adapters), std::move(options))) {}

Outbox::~Outbox() { Stop(); }

void Outbox::Enqueue(const gateway::OutboundMessage& message, std::function<void(Status)> done) {
  state_->Enqueue(message, std::move(done));
}

void Outbox::Start() { state_->Start(); }
void Outbox::Stop() { state_->Stop(); }
void Outbox::Drain(std::function<void()> done) { state_->Drain(std::move(done)); }
OutboxStats Outbox::stats() const { return state_->stats; }
int Outbox::in_flight() const { return static_cast<int>(state_->held.size()); }

void Outbox::RecordDelivery(const gateway::DeliveryStatus& st, std::function<void(Status)> on_error) {
  if (st.provider_message_id.empty() || st.provider_message_id.size() > kMaxId) return;
  State& s = *state_;
  const std::string key = s.options.prefix + "delivery:" + st.provider + ":" + st.provider_message_id;
  auto answered = [on_error = std::move(on_error)](Result<redis::Value> r) {
    if (!r.ok()) {
      on_error(r.status());
    } else if (r->is_error()) {
      on_error(Unavailable("delivery report not stored"));
    }
  };
  s.redis.Command({"HSET", key, "state", st.state, "error_code", st.error_code, "client_ref", st.client_ref, "at",
                   std::to_string(std::time(nullptr))},
                  answered);
  s.redis.Command({"EXPIRE", key, std::to_string(s.options.dedupe_ttl_s)}, answered);
  if (st.client_ref.empty() || st.client_ref.size() > kMaxId) return;
  const std::string joined = s.options.prefix + "outbox:report:" + st.client_ref;
  s.redis.Command({"HSET", joined, "provider", st.provider, "provider_message_id", st.provider_message_id, "state",
                   st.state, "error_code", st.error_code, "at", std::to_string(std::time(nullptr))},
                  answered);
  s.redis.Command({"EXPIRE", joined, std::to_string(s.options.dedupe_ttl_s)}, std::move(answered));
}

void Outbox::ReadReport(const std::string& id, std::function<void(Result<OutboundReport>)> done) {
  State& s = *state_;
  s.redis.Command({"HGETALL", s.options.prefix + "outbox:report:" + id},
                  [done = std::move(done)](Result<redis::Value> r) {
                    if (!r.ok()) return done(r.status());
                    if (r->is_error()) return done(redis::ErrorStatus("outbox: read report", r->str));
                    if (r->type != redis::Value::Type::kArray)
                      return done(Internal("outbox: read report: unexpected reply shape"));
                    if (r->elements.empty()) return done(NotFound("no delivery report for this outbound id"));
                    OutboundReport report;
                    for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
                      const std::string& k = r->elements[i].str;
                      const std::string& v = r->elements[i + 1].str;
                      if (k == "provider") {
                        report.provider = v;
                      } else if (k == "provider_message_id") {
                        report.provider_message_id = v;
                      } else if (k == "state") {
                        report.state = v;
                      } else if (k == "error_code") {
                        report.error_code = v;
                      } else if (k == "at") {
                        report.at = std::atoll(v.c_str());
                      }
                    }
                    done(std::move(report));
                  });
}

}  // namespace helpline::daemon
