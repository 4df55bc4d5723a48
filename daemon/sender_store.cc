#include "daemon/sender_store.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace helpline::daemon {
namespace {

// KEYS: 1 msg key, 2 rate key, 3 sender key.
// ARGV: 1 dedupe TTL s, 2 rate limit (0 = none), 3 window s.
// Returns {verdict, previous msg value, language, region, opted_out}.
constexpr std::string_view kAdmitScript = R"lua(
local f = redis.call('HMGET', KEYS[3], 'language', 'region', 'opted_out')
local language, region, opted_out = f[1] or '', f[2] or '', f[3] or ''
local previous = redis.call('GET', KEYS[1])
if previous then
  return {'dup', previous, language, region, opted_out}
end
redis.call('SET', KEYS[1], '', 'EX', ARGV[1])
local limit = tonumber(ARGV[2])
local verdict = 'new'
if limit > 0 then
  local count = redis.call('INCR', KEYS[2])
  if count == 1 then
    redis.call('EXPIRE', KEYS[2], ARGV[3])
  elseif count > limit and redis.call('TTL', KEYS[2]) == -1 then
    -- never let a counter without TTL silence a sender for good
    redis.call('EXPIRE', KEYS[2], ARGV[3])
  end
  if count == limit + 1 then
    verdict = 'notice'
  elseif count > limit + 1 then
    verdict = 'silent'
  end
end
return {verdict, '', language, region, opted_out}
)lua";

// KEYS: 1 msg key, 2 sender key.
// ARGV: 1 reply, 2 dedupe TTL s, 3 state TTL s, 4.. field, value pairs.
// Returns 1 if applied, 0 if the message was already committed.
constexpr std::string_view kCommitScript = R"lua(
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, 1) == '=' then
  return 0
end
if current then
  redis.call('SET', KEYS[1], '=' .. ARGV[1], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], '=' .. ARGV[1], 'EX', ARGV[2])
end
local now = redis.call('TIME')[1]
redis.call('HSET', KEYS[2], 'last_seen', now, unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
)lua";

constexpr std::size_t kMaxMessageId = 256;
constexpr std::size_t kMaxSenderHash = 128;
constexpr std::size_t kMaxProvider = 64;
constexpr char kCommittedMark = '=';

std::string Hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

std::string Sha1Hex(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha1(), nullptr) != 1) {
    std::fputs("fatal: SHA-1 failed\n", stderr);
    std::abort();
  }
  return Hex(md, len);
}

// Error replies that mean "this server cannot serve now", not "this call is wrong".
bool IsTransient(std::string_view error) {
  static constexpr std::array<std::string_view, 8> kPrefixes = {"LOADING",    "BUSY",     "READONLY",    "OOM",
                                                                "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS"};
  for (std::string_view p : kPrefixes) {
    if (error.starts_with(p) && (error.size() == p.size() || error[p.size()] == ' ')) return true;
  }
  return false;
}

Status ErrorReply(std::string_view what, const std::string& error) {
  std::string m = "sender store: ";
  m += what;
  m += ": ";
  m += error;
  return IsTransient(error) ? Unavailable(std::move(m)) : Internal(std::move(m));
}

std::string Join(std::string_view a, std::string_view b, std::string_view c, std::string_view d = {},
                 std::string_view e = {}) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size() + d.size() + e.size());
  out.append(a).append(b).append(c).append(d).append(e);
  return out;
}

Result<AdmitResult> ParseAdmit(const RedisValue& v) {
  if (v.is_error()) return ErrorReply("admit script", v.str);
  const auto is_string = [](const RedisValue& e) { return e.type == RedisValue::Type::kString; };
  if (v.type != RedisValue::Type::kArray || v.elements.size() != 5 ||
      !std::all_of(v.elements.begin(), v.elements.end(), is_string)) {
    return Internal("sender store: admit script: unexpected reply shape");
  }
  AdmitResult out;
  const std::string& verdict = v.elements[0].str;
  if (verdict == "new") {
    out.admission = Admission::kNew;
  } else if (verdict == "dup") {
    out.admission = Admission::kDuplicate;
  } else if (verdict == "notice") {
    out.admission = Admission::kRateLimitedNotice;
  } else if (verdict == "silent") {
    out.admission = Admission::kRateLimitedSilent;
  } else {
    return Internal("sender store: admit script: unknown verdict '" + verdict + "'");
  }
  const std::string& previous = v.elements[1].str;
  if (!previous.empty() && previous.front() == kCommittedMark) {
    out.previous_reply = previous.substr(1);
    out.previous_committed = true;
  }
  out.sender.language = v.elements[2].str;
  out.sender.region = v.elements[3].str;
  out.sender.opted_out = v.elements[4].str == "1";
  return out;
}

}  // namespace

std::string SenderHash(std::string_view secret, std::string_view e164) {
  static constexpr char kEmpty[] = "";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const unsigned char* data = e164.empty() ? reinterpret_cast<const unsigned char*>(kEmpty)
                                           : reinterpret_cast<const unsigned char*>(e164.data());
  if (HMAC(EVP_sha256(), secret.empty() ? kEmpty : secret.data(), static_cast<int>(secret.size()), data, e164.size(),
           md, &len) == nullptr) {
    std::fputs("fatal: HMAC-SHA256 failed\n", stderr);
    std::abort();
  }
  return Hex(md, 16);  // 128 bits = 32 hex digits
}

SenderStore::SenderStore(AsyncRedis& redis, SenderStoreOptions options)
    : redis_(redis),
      options_(std::move(options)),
      admit_(std::make_shared<const Script>(Script{std::string(kAdmitScript), Sha1Hex(kAdmitScript)})),
      commit_(std::make_shared<const Script>(Script{std::string(kCommitScript), Sha1Hex(kCommitScript)})) {}

Status SenderStore::CheckIds(std::string_view provider, std::string_view message_id,
                             std::string_view sender_hash) const {
  if (provider.empty() || provider.size() > kMaxProvider || provider.find(':') != std::string_view::npos) {
    return InvalidArgument("sender store: bad provider name");
  }
  if (message_id.empty() || message_id.size() > kMaxMessageId) {
    return InvalidArgument("sender store: message id must be 1-256 bytes");
  }
  if (sender_hash.empty() || sender_hash.size() > kMaxSenderHash) {
    return InvalidArgument("sender store: sender hash must be 1-128 bytes");
  }
  return Status::Ok();
}

void SenderStore::Run(const std::shared_ptr<const Script>& script, std::vector<std::string> args,
                      AsyncRedis::Callback done) {
  std::vector<std::string> evalsha;
  evalsha.reserve(args.size() + 2);
  evalsha.push_back("EVALSHA");
  evalsha.push_back(script->sha1);
  evalsha.insert(evalsha.end(), args.begin(), args.end());
  // The AsyncRedis outlives this store and answers every command before it
  // is destroyed, so the retry may use it; the store itself may be gone.
  AsyncRedis* redis = &redis_;
  redis_.Command(std::move(evalsha),
                 [redis, script, args = std::move(args), done = std::move(done)](Result<RedisValue> r) mutable {
                   if (!r.ok() || !r->is_error() || !r->str.starts_with("NOSCRIPT")) {
                     done(std::move(r));
                     return;
                   }
                   // Not cached on this server (yet): EVAL sends the source and caches it.
                   std::vector<std::string> eval;
                   eval.reserve(args.size() + 2);
                   eval.push_back("EVAL");
                   eval.push_back(script->source);
                   for (std::string& a : args) eval.push_back(std::move(a));
                   redis->Command(std::move(eval), std::move(done));
                 });
}

void SenderStore::Admit(std::string_view provider, std::string_view message_id, std::string_view sender_hash,
                        std::function<void(Result<AdmitResult>)> done) {
  if (Status s = CheckIds(provider, message_id, sender_hash); !s.ok()) {
    boost::asio::post(redis_.context(), [done = std::move(done), s = std::move(s)] { done(s); });
    return;
  }
  const std::string& p = options_.prefix;
  Run(admit_,
      {"3", Join(p, "msg:", provider, ":", message_id), Join(p, "rate:", sender_hash), Join(p, "sender:", sender_hash),
       std::to_string(options_.dedupe_ttl_s), std::to_string(options_.rate_limit_messages),
       std::to_string(options_.rate_limit_window_s)},
      [done = std::move(done)](Result<RedisValue> r) {
        if (!r.ok()) {
          done(r.status());
          return;
        }
        done(ParseAdmit(*r));
      });
}

void SenderStore::Commit(std::string_view provider, std::string_view message_id, std::string_view sender_hash,
                         const SenderChanges& changes, std::string_view reply, std::function<void(Status)> done) {
  if (Status s = CheckIds(provider, message_id, sender_hash); !s.ok()) {
    boost::asio::post(redis_.context(), [done = std::move(done), s = std::move(s)] { done(s); });
    return;
  }
  const std::string& p = options_.prefix;
  std::vector<std::string> args = {"2",
                                   Join(p, "msg:", provider, ":", message_id),
                                   Join(p, "sender:", sender_hash),
                                   std::string(reply),
                                   std::to_string(options_.dedupe_ttl_s),
                                   std::to_string(options_.state_ttl_s)};
  if (changes.language) {
    args.push_back("language");
    args.push_back(*changes.language);
  }
  if (changes.region) {
    args.push_back("region");
    args.push_back(*changes.region);
  }
  if (changes.opted_out) {
    args.push_back("opted_out");
    args.push_back(*changes.opted_out ? "1" : "0");
  }
  Run(commit_, std::move(args), [done = std::move(done)](Result<RedisValue> r) {
    if (!r.ok()) {
      done(r.status());
    } else if (r->is_error()) {
      done(ErrorReply("commit script", r->str));
    } else if (r->type != RedisValue::Type::kInteger) {
      done(Internal("sender store: commit script: unexpected reply shape"));
    } else {
      done(Status::Ok());  // 1 applied, 0 already committed: both fine
    }
  });
}

}  // namespace helpline::daemon
