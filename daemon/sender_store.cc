#include "daemon/sender_store.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)


#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gateway/crypto.h"

namespace helpline::daemon {
namespace {

// One script per message: dedupe, rate limit, read the sender's state and
// apply the message's changes, atomically, in six Redis calls.
// KEYS: 1 msg key, 2 sender key.
// ARGV: 1 dedupe TTL s, 2 rate limit (0 = none), 3 window s, 4 state TTL s,
//       5 "1" to apply the changes even when rate-limited, 6.. field, value pairs.
// Returns {'dup', marker} for a known message id, else
// {verdict, language, region, opted_out} with the state as it was before.
// The marker of a message in flight records its verdict and that state
// ("~" verdict US language US region US opted_out, US = \31), so a redelivery
// is answered exactly like the first delivery; StoreReply() replaces it with
// "=" reply. The rate window lives in the sender's hash (rate_start,
// rate_count): one key per sender, not two.
constexpr std::string_view kAdmitScript = R"lua(
local previous = redis.call('GET', KEYS[1])
if previous then
  return {'dup', previous}
end
local f = redis.call('HMGET', KEYS[2], 'language', 'region', 'opted_out', 'rate_start', 'rate_count')
local language, region, opted_out = f[1] or '', f[2] or '', f[3] or ''
local now = tonumber(redis.call('TIME')[1])
local limit = tonumber(ARGV[2])
local verdict = 'new'
local fields = {'last_seen', now}
if limit > 0 then
  local window = tonumber(ARGV[3])
  local start, count = tonumber(f[4]), tonumber(f[5])
  -- A new window when none is open, the open one has ended, or it starts in
  -- the future (the clock was set back): never a sender silenced for good.
  if start == nil or count == nil or now >= start + window or start > now then
    start, count = now, 0
  end
  count = count + 1
  if count == limit + 1 then
    verdict = 'notice'
  elseif count > limit + 1 then
    verdict = 'silent'
  end
  fields[3], fields[4], fields[5], fields[6] = 'rate_start', start, 'rate_count', count
end
if verdict == 'new' or ARGV[5] == '1' then
  for i = 6, #ARGV do
    fields[#fields + 1] = ARGV[i]
  end
end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[1], '~' .. verdict .. '\31' .. language .. '\31' .. region .. '\31' .. opted_out,
           'EX', ARGV[1])
return {verdict, language, region, opted_out}
)lua";

// Collects the parts of a concatenated SMS until all have arrived.
// KEYS: 1 parts hash. ARGV: 1 part number, 2 text, 3 total, 4 TTL s.
// Returns the parts in order once all `total` are there (and deletes them),
// else an empty array.
constexpr std::string_view kPartScript = R"lua(
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
local total = tonumber(ARGV[3])
if redis.call('HLEN', KEYS[1]) < total then
  return {}
end
local parts = {}
for i = 1, total do
  local text = redis.call('HGET', KEYS[1], tostring(i))
  if not text then
    return {}
  end
  parts[i] = text
end
redis.call('DEL', KEYS[1])
return parts
)lua";

constexpr std::size_t kMaxMessageId = 256;
constexpr std::size_t kMaxSenderHash = 128;
constexpr std::size_t kMaxProvider = 64;
constexpr char kCommittedMark = '=';
constexpr char kInFlightMark = '~';
constexpr char kFieldSeparator = '\x1f';

Status ErrorReply(std::string_view what, const std::string& error) {
  return ScriptError("sender store: " + std::string(what), error);
}

std::string Join(std::string_view a, std::string_view b, std::string_view c, std::string_view d = {},
                 std::string_view e = {}) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size() + d.size() + e.size());
  out.append(a).append(b).append(c).append(d).append(e);
  return out;
}

Result<Admission> ParseVerdict(std::string_view verdict) {
  if (verdict == "new") return Admission::kNew;
  if (verdict == "notice") return Admission::kRateLimitedNotice;
  if (verdict == "silent") return Admission::kRateLimitedSilent;
  return Internal("sender store: admit script: unknown verdict '" + std::string(verdict) + "'");
}

// "~" verdict US language US region US opted_out (see kAdmitScript).
Status ParseInFlight(std::string_view marker, AdmitResult* out) {
  std::vector<std::string_view> fields;
  std::string_view rest = marker.substr(1);
  for (std::size_t sep; (sep = rest.find(kFieldSeparator)) != std::string_view::npos; rest.remove_prefix(sep + 1)) {
    fields.push_back(rest.substr(0, sep));
  }
  fields.push_back(rest);
  if (fields.size() != 4) return Internal("sender store: malformed in-flight marker");
  auto verdict = ParseVerdict(fields[0]);
  if (!verdict.ok()) return verdict.status();
  out->first_admission = *verdict;
  out->sender.language = std::string(fields[1]);
  out->sender.region = std::string(fields[2]);
  out->sender.opted_out = fields[3] == "1";
  return Status::Ok();
}

Result<AdmitResult> ParseAdmit(const RedisValue& v) {
  if (v.is_error()) return ErrorReply("admit script", v.str);
  const auto is_string = [](const RedisValue& e) { return e.type == RedisValue::Type::kString; };
  if (v.type != RedisValue::Type::kArray || v.elements.empty() ||
      !std::all_of(v.elements.begin(), v.elements.end(), is_string)) {
    return Internal("sender store: admit script: unexpected reply shape");
  }
  AdmitResult out;
  const std::string& verdict = v.elements[0].str;
  if (verdict == "dup" && v.elements.size() == 2) {
    out.admission = Admission::kDuplicate;
    const std::string& marker = v.elements[1].str;
    if (!marker.empty() && marker.front() == kCommittedMark) {
      out.previous_reply = marker.substr(1);
      out.previous_committed = true;
    } else if (!marker.empty() && marker.front() == kInFlightMark) {
      if (Status s = ParseInFlight(marker, &out); !s.ok()) return s;
    } else {
      return Internal("sender store: unknown message marker");
    }
    return out;
  }
  if (v.elements.size() != 4) return Internal("sender store: admit script: unexpected reply shape");
  auto admission = ParseVerdict(verdict);
  if (!admission.ok()) return admission.status();
  out.admission = *admission;
  out.first_admission = *admission;
  out.sender.language = v.elements[1].str;
  out.sender.region = v.elements[2].str;
  out.sender.opted_out = v.elements[3].str == "1";
  return out;
}

}  // namespace

std::string SenderHash(std::string_view secret, std::string_view e164) {
  return gateway::HexLower(gateway::Hmac(gateway::Digest::kSha256, secret, e164).substr(0, 16));  // 128 bits
}

SenderStore::SenderStore(AsyncRedis& redis, SenderStoreOptions options)
    : redis_(redis),
      options_(std::move(options)),
      admit_(kAdmitScript),
      part_(kPartScript) {}

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

void SenderStore::Admit(std::string_view provider, std::string_view message_id, std::string_view sender_hash,
                        const SenderChanges& changes, bool always_apply,
                        std::function<void(Result<AdmitResult>)> done) {
  if (Status s = CheckIds(provider, message_id, sender_hash); !s.ok()) {
    boost::asio::post(redis_.context(), [done = std::move(done), s = std::move(s)] { done(s); });
    return;
  }
  const auto has_separator = [](const std::optional<std::string>& v) {
    return v && v->find(kFieldSeparator) != std::string::npos;
  };
  if (has_separator(changes.language) || has_separator(changes.region)) {
    // The in-flight marker separates fields with it (see kAdmitScript).
    boost::asio::post(redis_.context(), [done = std::move(done)] {
      done(InvalidArgument("sender store: language or region contains a control character"));
    });
    return;
  }
  const std::string& p = options_.prefix;
  std::vector<std::string> args = {"2",
                                   Join(p, "msg:", provider, ":", message_id),
                                   Join(p, "sender:", sender_hash),
                                   std::to_string(options_.dedupe_ttl_s),
                                   std::to_string(options_.rate_limit_messages),
                                   std::to_string(options_.rate_limit_window_s),
                                   std::to_string(options_.state_ttl_s),
                                   always_apply ? "1" : "0"};
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
  admit_.Run(redis_, std::move(args), [done = std::move(done)](Result<RedisValue> r) {
    if (!r.ok()) {
      done(r.status());
      return;
    }
    done(ParseAdmit(*r));
  });
}

void SenderStore::AddPart(std::string_view provider, std::string_view sender_hash, std::string_view ref, int total,
                          int part, std::string_view text,
                          std::function<void(Result<std::optional<std::string>>)> done) {
  Status s = CheckIds(provider, ref, sender_hash);
  if (s.ok() && (total < 2 || total > 255 || part < 1 || part > total)) {
    s = InvalidArgument("sender store: concat part out of range");
  }
  if (!s.ok()) {
    boost::asio::post(redis_.context(), [done = std::move(done), s = std::move(s)] { done(s); });
    return;
  }
  part_.Run(redis_,
            {"1", Join(options_.prefix, "concat:", provider, ":", Join(sender_hash, ":", ref)), std::to_string(part),
             std::string(text), std::to_string(total), std::to_string(options_.concat_ttl_s)},
            [done = std::move(done)](Result<RedisValue> r) {
              if (!r.ok()) return done(r.status());
              if (r->is_error()) return done(ErrorReply("concat script", r->str));
              if (r->type != RedisValue::Type::kArray) return done(Internal("sender store: concat: unexpected reply"));
              if (r->elements.empty()) return done(std::optional<std::string>());
              std::string whole;
              for (const RedisValue& e : r->elements) whole += e.str;
              done(std::optional<std::string>(std::move(whole)));
            });
}

void SenderStore::StoreReply(std::string_view provider, std::string_view message_id, std::string_view reply,
                             std::function<void(Status)> done) {
  if (Status s = CheckIds(provider, message_id, "-"); !s.ok()) {
    boost::asio::post(redis_.context(), [done = std::move(done), s = std::move(s)] { done(s); });
    return;
  }
  // XX: only over the marker Admit set (with its TTL), never a key without one.
  redis_.Command({"SET", Join(options_.prefix, "msg:", provider, ":", message_id), Join("=", reply, ""), "XX",
                  "KEEPTTL"},
                 [done = std::move(done)](Result<RedisValue> r) {
                   if (!r.ok()) {
                     done(r.status());
                   } else if (r->is_error()) {
                     done(ErrorReply("store reply", r->str));
                   } else {
                     done(Status::Ok());  // OK, or nil when the marker expired: nothing to keep
                   }
                 });
}

}  // namespace helpline::daemon
