#include "daemon/alerts/alert_release.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <vector>

#include "daemon/outbox.h"

namespace helpline::daemon::alerts {
namespace {

// KEYS: 1 the due ZSET. ARGV: 1 now (unix ms), 2 batch, 3 lease ms, 4 prefix,
// 5 default number interval ms, 6 default provider interval ms (0: no cap),
// then triples: provider, its number interval, its provider interval.
// Returns {next due ms or -1, dropped, deferred, member...} (members taken).
constexpr std::string_view kClaimScript = R"lua(
local now = tonumber(ARGV[1])
local P = ARGV[4]
local rates = {}
for i = 7, #ARGV, 3 do rates[ARGV[i]] = {tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])} end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local out = {0, 0, 0}
local pushed = {}
for _, m in ipairs(due) do
  local sep = string.find(m, ':', 1, true)
  local f = sep and redis.call('HMGET', P .. 'alert:sub:' .. string.sub(m, sep + 1), 'provider', 'from') or {false}
  if not f[1] then
    redis.call('ZREM', KEYS[1], m)
    out[2] = out[2] + 1
  else
    local r = rates[f[1]] or {tonumber(ARGV[5]), tonumber(ARGV[6])}
    local nk = P .. 'alert:pace:n:' .. f[1] .. ':' .. (f[2] or '')
    local pk = P .. 'alert:pace:p:' .. f[1]
    local free = 0
    if r[1] > 0 then free = tonumber(redis.call('GET', nk) or '0') end
    if r[2] > 0 then free = math.max(free, tonumber(redis.call('GET', pk) or '0')) end
    if free <= now then
      if r[1] > 0 then redis.call('SET', nk, string.format('%d', now + r[1]), 'PX', math.ceil(r[1]) + 1000) end
      if r[2] > 0 then redis.call('SET', pk, string.format('%d', now + r[2]), 'PX', math.ceil(r[2]) + 1000) end
      redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), m)
      table.insert(out, m)
    else
      local k = pushed[nk] or 0
      pushed[nk] = k + 1
      redis.call('ZADD', KEYS[1], free + k * math.max(r[1], 1), m)
      out[3] = out[3] + 1
    end
  end
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then out[1] = math.floor(tonumber(first[2])) else out[1] = -1 end
return out
)lua";

std::string Interval(double rate) { return rate > 0 ? std::to_string(static_cast<long long>(1000.0 / rate)) : "0"; }

}  // namespace

struct AlertReleaser::Timer {
  explicit Timer(boost::asio::io_context& io) : t(io) {}
  boost::asio::steady_timer t;
};

struct AlertReleaser::Round {
  ReleaseRound result;
  std::vector<std::pair<std::string, std::string>> taken;            // alert id, sender hash
  std::map<std::string, std::map<std::string, std::string>> alerts;  // id -> state, text:LANG
  std::map<std::string, Subscriber> subscribers;                     // hash -> subscriber
  std::vector<std::string> remove = {"ZREM"};
  int waiting = 0;
  Status failure = Status::Ok();
  std::function<void(Result<ReleaseRound>)> done;
};

AlertReleaser::AlertReleaser(redis::AsyncClient& redis, Outbox& outbox, const NumberCipher& cipher,
                             const AlertConversation& conversation, AlertReleaseOptions options)
    : redis_(redis),
      outbox_(outbox),
      conv_(conversation),
      options_(std::move(options)),
      subs_(redis, cipher, SubscriberStoreOptions{.prefix = options_.prefix}),
      claim_(kClaimScript),
      timer_(std::make_unique<Timer>(redis.context())),
      alive_(std::make_shared<bool>(true)) {}

AlertReleaser::~AlertReleaser() {
  Stop();
  *alive_ = false;
}

std::int64_t AlertReleaser::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AlertReleaser::Start() {
  if (running_) return;
  running_ = true;
  Schedule(0);
}

void AlertReleaser::Stop() {
  running_ = false;
  timer_->t.cancel();
}

void AlertReleaser::Schedule(std::int64_t delay_ms) {
  if (!running_) return;
  timer_->t.expires_after(std::chrono::milliseconds(delay_ms));
  timer_->t.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    auto a = alive.lock();
    if (ec || !a || !*a || !running_) return;
    Tick([this, alive](Result<ReleaseRound> r) {
      auto a = alive.lock();
      if (!a || !*a) return;
      if (!r.ok()) return Schedule(options_.poll_interval_ms);
      if (r->released + r->duplicates + r->dropped + r->deferred >= static_cast<std::size_t>(options_.batch)) {
        return Schedule(0);
      }
      std::int64_t wait = options_.poll_interval_ms;
      if (r->next_due_ms >= 0) wait = std::clamp<std::int64_t>(r->next_due_ms - NowMs(), 0, wait);
      Schedule(wait);
    });
  });
}

void AlertReleaser::Tick(std::function<void(Result<ReleaseRound>)> done) {
  std::vector<std::string> args = {"1",
                                   options_.prefix + "alert:due",
                                   std::to_string(NowMs()),
                                   std::to_string(options_.batch),
                                   std::to_string(options_.lease_ms),
                                   options_.prefix,
                                   Interval(options_.rates.per_number.fallback),
                                   Interval(options_.rates.per_provider.fallback)};
  std::set<std::string, std::less<>> named;
  for (const auto& [p, _] : options_.rates.per_number.by_provider) named.insert(p);
  for (const auto& [p, _] : options_.rates.per_provider.by_provider) named.insert(p);
  for (const std::string& p : named) {
    args.push_back(p);
    args.push_back(Interval(options_.rates.per_number.For(p)));
    args.push_back(Interval(options_.rates.per_provider.For(p)));
  }
  auto round = std::make_shared<Round>();
  round->done = std::move(done);
  claim_.Run(redis_, std::move(args), [this, round, alive = std::weak_ptr<bool>(alive_)](Result<redis::Value> v) {
    auto a = alive.lock();
    if (!a || !*a) return;
    if (!v.ok() || v->is_error() || v->elements.size() < 3) {
      ++stats_.redis_errors;
      return round->done(v.ok() ? Unavailable("alert release: " + v->str) : v.status());
    }
    round->result.next_due_ms = v->elements[0].integer;
    round->result.dropped = static_cast<std::size_t>(v->elements[1].integer);
    round->result.deferred = static_cast<std::size_t>(v->elements[2].integer);
    stats_.dropped += round->result.dropped;
    stats_.deferred += round->result.deferred;
    std::vector<std::string> hashes;
    for (std::size_t i = 3; i < v->elements.size(); ++i) {
      const std::string& m = v->elements[i].str;
      const auto sep = m.find(':');
      round->taken.emplace_back(m.substr(0, sep), m.substr(sep + 1));
      round->alerts[round->taken.back().first];
      hashes.push_back(round->taken.back().second);
    }
    if (round->taken.empty()) return round->done(round->result);
    auto back = [this, round, alive](Status s) {
      auto a = alive.lock();
      if (!a || !*a) return;
      if (!s.ok()) round->failure = s;
      if (--round->waiting == 0) Settle(round);
    };
    round->waiting = static_cast<int>(round->alerts.size()) + 1;
    for (auto& [id, fields] : round->alerts) {
      redis_.Command({"HMGET", options_.prefix + "alert:send:" + id, "state", "text:en", "text:fr", "text:es"},
                     [round, &fields, back](Result<redis::Value> r) {
                       if (!r.ok() || r->is_error() || r->elements.size() != 4) {
                         return back(r.ok() ? Unavailable("alert release: " + r->str) : r.status());
                       }
                       const char* names[] = {"state", "text:en", "text:fr", "text:es"};
                       for (int k = 0; k < 4; ++k) {
                         if (!r->elements[static_cast<std::size_t>(k)].is_nil()) {
                           fields[names[k]] = r->elements[static_cast<std::size_t>(k)].str;
                         }
                       }
                       back(Status::Ok());
                     });
    }
    subs_.Load(std::move(hashes), [round, back](Result<std::vector<Subscriber>> loaded, std::size_t) {
      if (!loaded.ok()) return back(loaded.status());
      for (Subscriber& s : *loaded) round->subscribers.emplace(s.hash, std::move(s));
      back(Status::Ok());
    });
  });
}

void AlertReleaser::Settle(const std::shared_ptr<Round>& round) {
  if (!round->failure.ok()) {
    // Nothing enqueued: the claimed members come back when their lease ends.
    ++stats_.redis_errors;
    return round->done(round->failure);
  }
  auto finish = [this, round, alive = std::weak_ptr<bool>(alive_)] {
    if (round->remove.size() == 1) return round->done(round->result);
    round->remove.insert(round->remove.begin() + 1, options_.prefix + "alert:due");
    redis_.Command(std::move(round->remove), [this, round, alive](Result<redis::Value> r) {
      auto a = alive.lock();
      if (!a || !*a) return;
      if (!r.ok() || r->is_error()) ++stats_.redis_errors;  // the members come back; the outbox dedupes them
      round->done(round->result);
    });
  };
  round->waiting = 1;  // held until every enqueue is issued
  for (const auto& [id, hash] : round->taken) {
    std::string member = id + ":" + hash;
    const auto& fields = round->alerts[id];
    auto sub = round->subscribers.find(hash);
    auto state = fields.find("state");
    const std::string* text = nullptr;
    if (sub != round->subscribers.end()) {
      for (const std::string& lang :
           {sub->second.sub.language, std::string("en"), std::string("fr"), std::string("es")}) {
        auto t = fields.find("text:" + lang);
        if (t != fields.end()) {
          text = &t->second;
          break;
        }
      }
    }
    if (sub == round->subscribers.end() || state == fields.end() || state->second == "cancelled" || text == nullptr) {
      ++round->result.dropped;
      ++stats_.dropped;
      round->remove.push_back(std::move(member));
      continue;
    }
    const Subscriber& s = sub->second;
    ++round->waiting;
    outbox_.Enqueue({"alert:" + id + ":" + hash, s.sub.provider, s.sub.channel, s.address, s.sub.from,
                     *text + "\n" + conv_.Text(s.sub.language, "alert_footer")},
                    [this, round, member, finish, alive = std::weak_ptr<bool>(alive_)](Status st) mutable {
                      auto a = alive.lock();
                      if (!a || !*a) return;
                      if (st.ok()) {
                        ++round->result.released;
                        ++stats_.released;
                        round->remove.push_back(std::move(member));
                      } else if (st.code() == StatusCode::kAlreadyExists) {
                        ++round->result.duplicates;
                        ++stats_.duplicates;
                        round->remove.push_back(std::move(member));
                      } else {
                        ++stats_.redis_errors;  // left claimed: due again after the lease
                      }
                      if (--round->waiting == 0) finish();
                    });
  }
  if (--round->waiting == 0) finish();
}

}  // namespace helpline::daemon::alerts
