#include "daemon/sender_store.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "redis/errors.h"

namespace helpline::daemon {
namespace {

// One script per message: dedupe, rate limit, read the sender's state and
// apply the message's changes, atomically, in three or four Redis calls (three
// for a duplicate). Every call and every conversion counts: this script is most
// of Redis's work per message (bench/webhook_cost.sh redis-instr), so it reads
// the state with one call and claims the message id with one SET NX GET, takes
// the time from the daemon instead of calling TIME, and renews the state's TTL
// at most once a day. The options are constants in the script's text
// (AdmitScript(): a new script, with its own SHA-1, when SIGHUP changes the
// rate limit or the layout), not arguments: Redis builds a Lua string and a
// table slot for every argument of every call (~1,000 instructions each), and
// the script would parse two of them as numbers. Numbers cost as much: tonumber
// converts a string twice (glibc strtod, ~750 instructions each) and a Lua
// number written to Redis or joined into a string is formatted with sprintf
// (~2,000), so the daemon's clock is converted once, by arithmetic (it is
// always digits; a stored value goes through tonumber, which reads a
// malformed one as none), and the rate count is spelled by the script up to 99
// (docs/BENCHMARKS.md round 11).
//
// The sender's state has two layouts (SenderStateLayout), and the script reads
// whichever the key holds, whatever it writes: it first asks in the layout it
// writes (HMGET for the hash, GET for the string); a key of the other layout
// answers WRONGTYPE (redis.pcall), and the script reads it the other way
// (one call more, once per sender: the write converts the key). So daemons
// writing either layout share the keys safely, at any moment of a rollout.
//   hash    fields language, region, opted_out ("1"/"0"), rate_start,
//           rate_count, last_seen; only the fields that change are written
//           (HSET), and the TTL is renewed by the first message of each day
//           (EXPIRE when last_seen is a day old). A string key is deleted and
//           written as a whole hash, with the TTL.
//   string  the same six values in that order, separated by \31 (US; "|"
//           here): "es|CA-BC|1|1800000000|3|1800000020"; one GET, and one
//           SET of the whole state: with EX state_ttl_s by the first message
//           of each day (or of a new key), else KEEPTTL (a hash key is
//           replaced and keeps its TTL). A reader ignores values after the
//           sixth: a later build may add values only there.
// The script is made of pieces (AdmitScript): the read in the layout written
// (kReadHash, kReadString), the common part (kAdmitCommon: parse a string,
// the rate window, the marker, the message id), and the write (kWhole and
// kWriteString; kWriteHash, with kWhole only when converting a string);
// nothing is tested at run time that the layout decides.
// KEYS: 1 msg key, 2 sender key.
// ARGV: 1 now (unix s); with changes only (a message without any sends
//       just ARGV 1: one argument less to convert), 2 "1" to apply them
//       even when rate-limited, 3.. field, value pairs (hash field names).
// Returns "dup" + the marker for a known message id, else the marker it set:
// "~" verdict US language US region US opted_out (US = \31), the verdict and
// the sender's state as it was before. A redelivery in flight is answered
// from that marker exactly like the first delivery; StoreReply() replaces it
// with "=" reply. The rate window lives in the sender's key (rate_start,
// rate_count): one key per sender, not two.
constexpr std::string_view kAdmitScriptOptions = R"lua(
local DEDUPE_TTL, LIMIT, WINDOW, STATE_TTL = '%DEDUPE_TTL%', %LIMIT%, %WINDOW%, '%STATE_TTL%'
)lua";
// Sets f (the six values as HMGET gives them) or packed (a string to parse).
constexpr std::string_view kReadHash = R"lua(
local packed
local f = redis.pcall('HMGET', KEYS[2], 'language', 'region', 'opted_out', 'rate_start', 'rate_count', 'last_seen')
if f.err then
  -- WRONGTYPE: a string (a daemon writing strings).
  f, packed = nil, redis.call('GET', KEYS[2])
end
)lua";
constexpr std::string_view kReadString = R"lua(
local f
local packed = redis.pcall('GET', KEYS[2])
if type(packed) == 'table' then
  -- WRONGTYPE: a hash (an earlier build's, or a daemon writing hashes).
  packed = nil
  f = redis.call('HMGET', KEYS[2], 'language', 'region', 'opted_out', 'rate_start', 'rate_count', 'last_seen')
end
)lua";
constexpr std::string_view kAdmitCommon = R"lua(
-- The six values as locals (nil when there is no key; false for a hash's
-- missing field): no table for a string's values.
local language, region, opted_out, start0, count0, seen0
if packed then
  -- One pattern: measured cheaper than string.find and string.sub per value.
  language, region, opted_out, start0, count0, seen0 =
    string.match(packed, '^([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)')
  if seen0 == nil then
    -- Never read as "nothing known": an opt-out may be in it.
    return redis.error_reply('ERR sender state: unreadable string')
  end
elseif f then
  language, region, opted_out, start0, count0, seen0 = f[1], f[2], f[3], f[4], f[5], f[6]
end
language, region, opted_out = language or '', region or '', opted_out or ''
local now = ARGV[1]
-- The daemon's clock, always digits: converted once (tonumber converts twice).
local t = now + 0
local verdict, start, count = 'new', start0, nil
if LIMIT > 0 then
  -- A new window when none is open, the open one has ended, or it starts more
  -- than a minute in the future (a clock was set back): never a sender
  -- silenced for good. The minute absorbs clock skew between daemons. The
  -- count is read only for an open window.
  local s, c = tonumber(start0), nil
  if s ~= nil and t < s + WINDOW and s <= t + 60 then
    c = tonumber(count0)
  end
  if c == nil then
    start, c = now, 0
  end
  c = c + 1
  if c == LIMIT + 1 then
    verdict = 'notice'
  elseif c > LIMIT + 1 then
    verdict = 'silent'
  end
  -- The count as its digits, spelled here up to 99: a Lua number would cost
  -- Redis a sprintf (~2,000 instructions) wherever it is written.
  if c < 10 then
    count = string.char(48 + c)
  elseif c < 100 then
    count = string.char(48 + (c - c % 10) / 10, 48 + c % 10)
  else
    -- redis.call and .. write an integral number as its digits ("123").
    count = c
  end
end
local marker = '~' .. verdict .. '\31' .. language .. '\31' .. region .. '\31' .. opted_out
local previous = redis.call('SET', KEYS[1], marker, 'NX', 'GET', 'EX', DEDUPE_TTL)
if previous then
  return 'dup' .. previous
end
local apply = #ARGV > 2 and (verdict == 'new' or ARGV[2] == '1')
local seen = tonumber(seen0)
local renew = seen == nil or t - seen >= 86400 or seen > t
)lua";
// The whole state is written (a string, or a string converted to a hash):
// the message's changes applied to it. The string writer's first piece, and
// the hash writer's when it converts a string.
constexpr std::string_view kWhole = R"lua(
if apply then
  for i = 3, #ARGV, 2 do
    local name, value = ARGV[i], ARGV[i + 1]
    if name == 'language' then
      language = value
    elseif name == 'region' then
      region = value
    elseif name == 'opted_out' then
      opted_out = value
    end
  end
end
if not count then
  start, count = start0 or '', count0 or ''
end
)lua";
constexpr std::string_view kWriteString = R"lua(
local state = language .. '\31' .. region .. '\31' .. opted_out .. '\31' .. start .. '\31' .. count .. '\31' .. now
if renew then
  redis.call('SET', KEYS[2], state, 'EX', STATE_TTL)
else
  redis.call('SET', KEYS[2], state, 'KEEPTTL')
end
return marker
)lua";
// A string read by a hash writer: kWhole, then rewritten as a whole hash,
// with its TTL.
constexpr std::string_view kIfConverting = R"lua(
if packed then
)lua";
constexpr std::string_view kWriteHash = R"lua(
  local fields = {'last_seen', now}
  for _, field in ipairs({{'language', language}, {'region', region}, {'opted_out', opted_out},
                          {'rate_start', start}, {'rate_count', count}}) do
    if field[2] ~= '' then
      fields[#fields + 1], fields[#fields + 2] = field[1], field[2]
    end
  end
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[2], unpack(fields))
  redis.call('EXPIRE', KEYS[2], STATE_TTL)
  return marker
end
-- rate_start is written only when the window (re)starts: else it holds start.
local restarted = count and start ~= start0
if apply then
  local fields = {'last_seen', now}
  if count then
    fields[3], fields[4] = 'rate_count', count
    if restarted then
      fields[5], fields[6] = 'rate_start', start
    end
  end
  for i = 3, #ARGV do
    fields[#fields + 1] = ARGV[i]
  end
  redis.call('HSET', KEYS[2], unpack(fields))
elseif restarted then
  redis.call('HSET', KEYS[2], 'last_seen', now, 'rate_start', start, 'rate_count', count)
elseif count then
  redis.call('HSET', KEYS[2], 'last_seen', now, 'rate_count', count)
else
  redis.call('HSET', KEYS[2], 'last_seen', now)
end
if renew then
  redis.call('EXPIRE', KEYS[2], STATE_TTL)
end
return marker
)lua";

// The admit script for these options: kAdmitScriptOptions with the numbers
// filled in, then the pieces of the layout written.
std::string AdmitScript(const SenderStoreOptions& o) {
  std::string head(kAdmitScriptOptions);
  const auto fill = [&head](std::string_view name, int value) {
    head.replace(head.find(name), name.size(), std::to_string(value));
  };
  fill("%DEDUPE_TTL%", o.dedupe_ttl_s);
  fill("%LIMIT%", o.rate_limit_messages);
  fill("%WINDOW%", o.rate_limit_window_s);
  fill("%STATE_TTL%", o.state_ttl_s);
  const bool string = o.state_layout == SenderStateLayout::kString;
  head.append(string ? kReadString : kReadHash).append(kAdmitCommon);
  if (string) return head.append(kWhole).append(kWriteString);
  return head.append(kIfConverting).append(kWhole).append(kWriteHash);
}

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

constexpr std::size_t kMaxSenderHash = 128;
constexpr std::size_t kMaxProvider = 64;
constexpr char kCommittedMark = '=';
constexpr char kInFlightMark = '~';
constexpr char kFieldSeparator = '\x1f';

Status ErrorReply(std::string_view what, const std::string& error) {
  return redis::ErrorStatus("sender store: " + std::string(what), error);
}

std::string Join(std::string_view a, std::string_view b, std::string_view c, std::string_view d = {},
                 std::string_view e = {}) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size() + d.size() + e.size());
  out.append(a).append(b).append(c).append(d).append(e);
  return out;
}

// A command's arguments, moved in: a braced list would copy every string
// (keys, the reply) once more.
template <typename... Args>
std::vector<std::string> MovedArgs(std::size_t room, Args&&... args) {
  std::vector<std::string> out;
  out.reserve(std::max(room, sizeof...(args)));
  (out.emplace_back(std::forward<Args>(args)), ...);
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
  std::string_view fields[4];
  std::string_view rest = marker.substr(1);
  for (int i = 0; i < 3; ++i) {
    const std::size_t sep = rest.find(kFieldSeparator);
    if (sep == std::string_view::npos) return Internal("sender store: malformed in-flight marker");
    fields[i] = rest.substr(0, sep);
    rest.remove_prefix(sep + 1);
  }
  if (rest.find(kFieldSeparator) != std::string_view::npos) return Internal("sender store: malformed in-flight marker");
  fields[3] = rest;
  auto verdict = ParseVerdict(fields[0]);
  if (!verdict.ok()) return verdict.status();
  out->first_admission = *verdict;
  out->sender.language = std::string(fields[1]);
  out->sender.region = std::string(fields[2]);
  out->sender.opted_out = fields[3] == "1";
  return Status::Ok();
}

// The admit script's answer: the marker it set, or "dup" + the marker found.
Result<AdmitResult> ParseAdmit(const redis::Value& v) {
  if (v.is_error()) return ErrorReply("admit script", v.str);
  if (v.type != redis::Value::Type::kString) return Internal("sender store: admit script: unexpected reply shape");
  std::string_view reply = v.str;
  AdmitResult out;
  if (reply.starts_with("dup")) {
    reply.remove_prefix(3);
    out.admission = Admission::kDuplicate;
    if (!reply.empty() && reply.front() == kCommittedMark) {
      out.previous_reply = std::string(reply.substr(1));
      out.previous_committed = true;
    } else if (!reply.empty() && reply.front() == kInFlightMark) {
      if (Status s = ParseInFlight(reply, &out); !s.ok()) return s;
    } else {
      return Internal("sender store: unknown message marker");
    }
    return out;
  }
  if (reply.empty() || reply.front() != kInFlightMark) {
    return Internal("sender store: admit script: unexpected reply shape");
  }
  if (Status s = ParseInFlight(reply, &out); !s.ok()) return s;
  out.admission = out.first_admission;
  return out;
}

}  // namespace

std::string SenderHash(std::string_view secret, std::string_view e164) {
  return HexLower(Hmac(Digest::kSha256, secret, e164).substr(0, 16));  // 128 bits
}

std::string SenderHash(const HmacKey& secret_key, std::string_view e164) {
  std::array<unsigned char, kMaxMacBytes> mac;
  secret_key.Mac(std::span<const std::string_view>(&e164, 1), mac);
  return HexLower(std::string_view(reinterpret_cast<const char*>(mac.data()), 16));  // 128 bits
}

SenderStore::SenderStore(redis::AsyncClient& redis, SenderStoreOptions options)
    : redis_(redis), options_(std::move(options)), admit_(AdmitScript(options_)), part_(kPartScript) {}

void SenderStore::SetRateLimit(int messages, int window_s) {
  options_.rate_limit_messages = messages;
  options_.rate_limit_window_s = window_s;
  // Calls in flight keep the script they were sent with (redis::Script is
  // shared with their callbacks); the new one's first EVALSHA on a server
  // answers NOSCRIPT and is sent once more with its source.
  admit_ = redis::Script(AdmitScript(options_));
}

void SenderStore::SetStateLayout(SenderStateLayout layout) {
  if (layout == options_.state_layout) return;
  options_.state_layout = layout;
  admit_ = redis::Script(AdmitScript(options_));  // as in SetRateLimit
}

std::int64_t SenderStore::NowSeconds() const {
  if (options_.now_s) return options_.now_s();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Status SenderStore::CheckIds(std::string_view provider, std::string_view message_id,
                             std::string_view sender_hash) const {
  if (provider.empty() || provider.size() > kMaxProvider || provider.find(':') != std::string_view::npos) {
    return InvalidArgument("sender store: bad provider name");
  }
  if (message_id.empty() || message_id.size() > SenderStore::kMaxMessageIdBytes) {
    return InvalidArgument("sender store: message id must be 1-256 bytes");
  }
  if (sender_hash.empty() || sender_hash.size() > kMaxSenderHash) {
    return InvalidArgument("sender store: sender hash must be 1-128 bytes");
  }
  return Status::Ok();
}

void SenderStore::Admit(std::string_view provider, std::string_view message_id, std::string_view sender_hash,
                        const engine::StateChanges& changes, bool always_apply,
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
  // Room for the three changes (a name and a value each). The options are
  // in the script's text (AdmitScript), not arguments; the flag goes only
  // with changes, which it is about.
  std::vector<std::string> args = MovedArgs(5 + 6, "2", Join(p, "msg:", provider, ":", message_id),
                                            Join(p, "sender:", sender_hash), std::to_string(NowSeconds()));
  if (changes.language || changes.region || changes.opted_out) args.push_back(always_apply ? "1" : "0");
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
  const bool promised = always_apply || changes.language.has_value();
  if (options_.wait_replicas <= 0 || !promised) {
    admit_.Run(redis_, std::move(args), [done = std::move(done)](Result<redis::Value> r) {
      if (!r.ok()) {
        done(r.status());
        return;
      }
      done(ParseAdmit(*r));
    });
    return;
  }
  // WAIT counts the replicas that have this connection's last write. It is
  // sent once the script has answered (after its NOSCRIPT retry, if any); a
  // reconnect in between would make it measure a new connection, so any
  // reconnect since the call fails the Admit instead.
  const std::uint64_t connections_before = redis_.reconnects();
  admit_.Run(
      redis_, std::move(args), [this, connections_before, done = std::move(done)](Result<redis::Value> r) mutable {
        if (!r.ok()) {
          done(r.status());
          return;
        }
        Result<AdmitResult> admitted = ParseAdmit(*r);
        if (!admitted.ok()) {
          done(std::move(admitted));
          return;
        }
        redis_.Command({"WAIT", std::to_string(options_.wait_replicas), std::to_string(options_.wait_timeout_ms)},
                       [this, connections_before, admitted = std::move(admitted),
                        done = std::move(done)](Result<redis::Value> w) mutable {
                         if (!w.ok()) {
                           done(w.status());
                         } else if (w->is_error()) {
                           done(ErrorReply("wait", w->str));
                         } else if (w->type != redis::Value::Type::kInteger || w->integer < options_.wait_replicas) {
                           done(Unavailable("sender store: the change did not reach enough replicas in time"));
                         } else if (redis_.reconnects() != connections_before) {
                           done(Unavailable("sender store: the connection changed before the change was confirmed"));
                         } else {
                           done(std::move(admitted));
                         }
                       });
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
            [done = std::move(done)](Result<redis::Value> r) {
              if (!r.ok()) return done(r.status());
              if (r->is_error()) return done(ErrorReply("concat script", r->str));
              if (r->type != redis::Value::Type::kArray)
                return done(Internal("sender store: concat: unexpected reply"));
              if (r->elements.empty()) return done(std::optional<std::string>());
              std::string whole;
              for (const redis::Value& e : r->elements) whole += e.str;
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
  // The key and the value are built in this thread's buffers and sent as
  // views (the command is formatted in the call): no allocation once the
  // buffers have grown.
  thread_local std::string key, value;
  key.assign(options_.prefix).append("msg:").append(provider).append(":").append(message_id);
  value.assign("=").append(reply);
  const std::string_view args[] = {"SET", key, value, "XX", "KEEPTTL"};
  redis_.Command(
      std::span<const std::string_view>(args),
      [done = std::move(done)](Result<redis::Value> r) {
        if (!r.ok()) {
          done(r.status());
        } else if (r->is_error()) {
          done(ErrorReply("store reply", r->str));
        } else {
          done(Status::Ok());  // OK, or nil when the marker expired: nothing to keep
        }
      },
      // Nobody waits for it (the answer is already on its way):
      // written with the next admits or when the loop turns.
      redis::AsyncClient::Urgency::kBackground);
}

}  // namespace helpline::daemon
