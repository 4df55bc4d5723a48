#include "daemon/alerts/subscriber_store.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>

#include "redis/errors.h"

namespace helpline::daemon::alerts {
namespace {

// KEYS: 1 pending, 2 sub. ARGV: 1 sealed address, 2 now, 3 region set key
// prefix, 4 regions set, 5 hash. Returns the pending fields it confirmed, or
// nil when nothing was pending.
constexpr std::string_view kConfirmScript = R"lua(
local p = redis.call('HMGET', KEYS[1], 'region', 'lang', 'provider', 'channel', 'from')
if not p[1] then
  return false
end
local old = redis.call('HGET', KEYS[2], 'region')
if old and old ~= p[1] then
  redis.call('SREM', ARGV[3] .. old, ARGV[5])
  if redis.call('SCARD', ARGV[3] .. old) == 0 then
    redis.call('SREM', ARGV[4], old)
  end
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'region', p[1], 'lang', p[2] or '', 'provider', p[3] or '', 'channel', p[4] or 'sms',
           'from', p[5] or '', 'since', ARGV[2], 'num', ARGV[1])
redis.call('SADD', ARGV[3] .. p[1], ARGV[5])
redis.call('SADD', ARGV[4], p[1])
redis.call('DEL', KEYS[1])
return {p[1], p[2] or '', p[3] or '', p[4] or 'sms', p[5] or ''}
)lua";

// KEYS: 1 pending, 2 sub. ARGV: 1 region set key prefix, 2 regions set, 3 hash.
// Returns how many records it deleted.
constexpr std::string_view kRemoveScript = R"lua(
local n = redis.call('DEL', KEYS[1])
local region = redis.call('HGET', KEYS[2], 'region')
if region then
  redis.call('SREM', ARGV[1] .. region, ARGV[3])
  if redis.call('SCARD', ARGV[1] .. region) == 0 then
    redis.call('SREM', ARGV[2], region)
  end
end
return n + redis.call('DEL', KEYS[2])
)lua";

// ARGV: 1 sub key prefix, 2.. hashes. Returns, per hash, its six fields
// (region lang provider channel from num; nil region when gone): one call
// for a page of subscribers instead of one HMGET each.
constexpr std::string_view kLoadScript = R"lua(
local out = {}
for i = 2, #ARGV do
  local f = redis.call('HMGET', ARGV[1] .. ARGV[i], 'region', 'lang', 'provider', 'channel', 'from', 'num')
  for j = 1, 6 do
    out[#out + 1] = f[j]
  end
end
return out
)lua";

constexpr std::size_t kMaxHash = 128;

template <typename T, typename F>
void PostError(redis::AsyncClient& redis, F done, Status s) {
  boost::asio::post(redis.context(), [done = std::move(done), s = std::move(s)]() mutable { done(Result<T>(s)); });
}

std::optional<Subscription> FromFields(const redis::Value& v, std::size_t first = 0) {
  if (v.type != redis::Value::Type::kArray || v.elements.size() < first + 5) return std::nullopt;
  const auto& e = v.elements;
  if (e[first].is_nil()) return std::nullopt;
  Subscription s;
  s.region = e[first].str;
  s.language = e[first + 1].str;
  s.provider = e[first + 2].str;
  s.channel = ChannelFromName(e[first + 3].str);
  s.from = e[first + 4].str;
  return s;
}

}  // namespace

std::string_view ChannelName(gateway::MessageChannel c) { return c == gateway::MessageChannel::kChat ? "chat" : "sms"; }
gateway::MessageChannel ChannelFromName(std::string_view name) {
  return name == "chat" ? gateway::MessageChannel::kChat : gateway::MessageChannel::kSms;
}

SubscriberStore::SubscriberStore(redis::AsyncClient& redis, const NumberCipher& cipher, SubscriberStoreOptions options)
    : redis_(redis),
      cipher_(cipher),
      options_(std::move(options)),
      confirm_(kConfirmScript),
      remove_(kRemoveScript),
      load_(kLoadScript) {}

std::int64_t SubscriberStore::NowSeconds() const {
  if (options_.now_s) return options_.now_s();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string SubscriberStore::Key(std::string_view kind, std::string_view id) const {
  std::string k = options_.prefix;
  k.append("alert:").append(kind);
  if (!id.empty()) k.append(":").append(id);
  return k;
}

void SubscriberStore::Request(std::string_view hash, const Subscription& sub, std::function<void(Status)> done) {
  if (hash.empty() || hash.size() > kMaxHash || sub.region.empty() || sub.provider.empty()) {
    boost::asio::post(redis_.context(), [done = std::move(done)] {
      done(InvalidArgument("subscriber store: empty hash, region or provider"));
    });
    return;
  }
  const std::string key = Key("pending", hash);
  redis_.Command({"HSET", key, "region", sub.region, "lang", sub.language, "provider", sub.provider, "channel",
                  std::string(ChannelName(sub.channel)), "from", sub.from, "at", std::to_string(NowSeconds())},
                 [](Result<redis::Value>) {});  // the EXPIRE behind it reports (replies come in order)
  redis_.Command({"EXPIRE", key, std::to_string(options_.pending_ttl_s)},
                 [done = std::move(done)](Result<redis::Value> r) {
                   if (!r.ok()) return done(r.status());
                   if (r->is_error()) return done(redis::ErrorStatus("subscriber store: request", r->str));
                   if (r->integer != 1) return done(Unavailable("subscriber store: request not stored"));
                   done(Status::Ok());
                 });
}

void SubscriberStore::Confirm(std::string_view hash, std::string_view address,
                              std::function<void(Result<std::optional<Subscription>>)> done) {
  using R = std::optional<Subscription>;
  if (hash.empty() || hash.size() > kMaxHash || address.empty()) {
    return PostError<R>(redis_, std::move(done), InvalidArgument("subscriber store: empty hash or address"));
  }
  Result<std::string> sealed = cipher_.Seal(address, hash);
  if (!sealed.ok()) return PostError<R>(redis_, std::move(done), sealed.status());
  confirm_.Run(redis_,
               {"2", Key("pending", hash), Key("sub", hash), *sealed, std::to_string(NowSeconds()),
                Key("region", "") + ":", Key("regions", ""), std::string(hash)},
               [done = std::move(done)](Result<redis::Value> r) {
                 if (!r.ok()) return done(r.status());
                 if (r->is_error()) return done(redis::ErrorStatus("subscriber store: confirm", r->str));
                 if (r->is_nil()) return done(R());
                 std::optional<Subscription> s = FromFields(*r);
                 if (!s) return done(Internal("subscriber store: confirm: unexpected reply shape"));
                 done(R(std::move(*s)));
               });
}

void SubscriberStore::Remove(std::string_view hash, std::function<void(Result<bool>)> done) {
  if (hash.empty() || hash.size() > kMaxHash) {
    return PostError<bool>(redis_, std::move(done), InvalidArgument("subscriber store: bad hash"));
  }
  remove_.Run(
      redis_,
      {"2", Key("pending", hash), Key("sub", hash), Key("region", "") + ":", Key("regions", ""), std::string(hash)},
      [done = std::move(done)](Result<redis::Value> r) {
        if (!r.ok()) return done(r.status());
        if (r->is_error()) return done(redis::ErrorStatus("subscriber store: remove", r->str));
        done(r->integer > 0);
      });
}

void SubscriberStore::Get(std::string_view hash, std::function<void(Result<SubscriberStatus>)> done) {
  if (hash.empty() || hash.size() > kMaxHash) {
    return PostError<SubscriberStatus>(redis_, std::move(done), InvalidArgument("subscriber store: bad hash"));
  }
  auto pending = std::make_shared<std::optional<Subscription>>();
  auto failed = std::make_shared<Status>(Status::Ok());
  redis_.Command({"HMGET", Key("pending", hash), "region", "lang", "provider", "channel", "from"},
                 [pending, failed](Result<redis::Value> r) {
                   if (!r.ok())
                     *failed = r.status();
                   else if (r->is_error())
                     *failed = Internal("subscriber store: get: " + r->str);
                   else
                     *pending = FromFields(*r);
                 });
  redis_.Command({"HMGET", Key("sub", hash), "region", "lang", "provider", "channel", "from"},
                 [pending, failed, done = std::move(done)](Result<redis::Value> r) {
                   if (!failed->ok()) return done(*failed);
                   if (!r.ok()) return done(r.status());
                   if (r->is_error()) return done(Internal("subscriber store: get: " + r->str));
                   SubscriberStatus s;
                   s.pending = *pending;
                   s.active = FromFields(*r);
                   s.state = s.active    ? SubscriptionState::kActive
                             : s.pending ? SubscriptionState::kPending
                                         : SubscriptionState::kNone;
                   done(std::move(s));
                 });
}

void SubscriberStore::ScanRegion(std::string_view region, std::string_view cursor, int count,
                                 std::function<void(Result<std::pair<std::string, std::vector<std::string>>>)> done) {
  using R = std::pair<std::string, std::vector<std::string>>;
  redis_.Command({"SSCAN", Key("region", region), std::string(cursor), "COUNT", std::to_string(count)},
                 [done = std::move(done)](Result<redis::Value> r) {
                   if (!r.ok()) return done(r.status());
                   if (r->is_error()) return done(Internal("subscriber store: sscan: " + r->str));
                   if (r->type != redis::Value::Type::kArray || r->elements.size() != 2) {
                     return done(Internal("subscriber store: sscan: unexpected reply shape"));
                   }
                   R out;
                   out.first = r->elements[0].str;
                   for (const redis::Value& e : r->elements[1].elements) out.second.push_back(e.str);
                   done(std::move(out));
                 });
}

void SubscriberStore::Regions(std::function<void(Result<std::vector<std::string>>)> done) {
  redis_.Command({"SMEMBERS", Key("regions", "")}, [done = std::move(done)](Result<redis::Value> r) {
    if (!r.ok()) return done(r.status());
    if (r->is_error()) return done(Internal("subscriber store: regions: " + r->str));
    std::vector<std::string> out;
    for (const redis::Value& e : r->elements) out.push_back(e.str);
    done(std::move(out));
  });
}

void SubscriberStore::Load(std::vector<std::string> hashes,
                           std::function<void(Result<std::vector<Subscriber>>, std::size_t)> done) {
  if (hashes.empty()) {
    boost::asio::post(redis_.context(), [done = std::move(done)] { done(std::vector<Subscriber>(), 0); });
    return;
  }
  std::vector<std::string> args = {"0", Key("sub", "") + ":"};
  args.insert(args.end(), hashes.begin(), hashes.end());
  load_.Run(redis_, std::move(args),
            [this, hashes = std::move(hashes), done = std::move(done)](Result<redis::Value> r) {
              if (!r.ok()) return done(r.status(), 0);
              if (r->is_error()) return done(redis::ErrorStatus("subscriber store: load", r->str), 0);
              if (r->type != redis::Value::Type::kArray || r->elements.size() != hashes.size() * 6) {
                return done(Internal("subscriber store: load: unexpected reply shape"), 0);
              }
              std::vector<Subscriber> out;
              out.reserve(hashes.size());
              std::size_t unreadable = 0;
              redis::Value one;
              one.type = redis::Value::Type::kArray;
              for (std::size_t i = 0; i < hashes.size(); ++i) {
                one.elements.assign(r->elements.begin() + static_cast<std::ptrdiff_t>(i * 6),
                                    r->elements.begin() + static_cast<std::ptrdiff_t>(i * 6 + 6));
                std::optional<Subscription> s = FromFields(one);
                if (!s) continue;  // left since it was scanned
                Result<std::string> address = cipher_.Open(one.elements[5].str, hashes[i]);
                if (!address.ok()) {
                  ++unreadable;
                  continue;
                }
                out.push_back(Subscriber{hashes[i], std::move(*s), std::move(*address)});
              }
              done(std::move(out), unreadable);
            });
}

}  // namespace helpline::daemon::alerts
