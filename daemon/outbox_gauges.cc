#include "daemon/outbox_gauges.h"

#include <utility>

#include "redis/errors.h"
#include "redis/script.h"

namespace helpline::daemon {
namespace {

// KEYS: stream, retry zset, dead stream. Returns {queued, retrying, dead, oldest age ms}.
constexpr std::string_view kGaugesScript = R"lua(
local queued = redis.call('XLEN', KEYS[1])
local retrying = redis.call('ZCARD', KEYS[2])
local dead = redis.call('XLEN', KEYS[3])
local age = 0
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if first[1] then
  local t = redis.call('TIME')
  local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local ms = tonumber(string.match(first[1][1], '^(%d+)'))
  if ms and now_ms > ms then age = now_ms - ms end
end
return {queued, retrying, dead, age}
)lua";

}  // namespace

void ReadOutboxGauges(redis::AsyncClient& redis, const std::string& prefix,
                      std::function<void(Result<OutboxGauges>)> done) {
  static const redis::Script script(kGaugesScript);
  script.Run(redis, {"3", prefix + "outbox", prefix + "outbox:retry", prefix + "outbox:dead"},
             [done = std::move(done)](Result<redis::Value> r) {
               if (!r.ok()) return done(r.status());
               if (r->is_error()) return done(redis::ErrorStatus("outbox gauges", r->str));
               if (!r->is_array() || r->elements.size() != 4) return done(Internal("outbox gauges: unexpected reply"));
               for (const redis::Value& v : r->elements) {
                 if (v.type != redis::Value::Type::kInteger) return done(Internal("outbox gauges: unexpected reply"));
               }
               OutboxGauges g;
               g.queued = r->elements[0].integer;
               g.retrying = r->elements[1].integer;
               g.dead = r->elements[2].integer;
               g.oldest_age_s = static_cast<double>(r->elements[3].integer) / 1000.0;
               done(std::move(g));
             });
}

}  // namespace helpline::daemon
