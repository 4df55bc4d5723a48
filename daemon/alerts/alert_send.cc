#include "daemon/alerts/alert_send.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <sstream>
#include <utility>
#include <vector>

#include "common/json_escape.h"
#include "common/utf8.h"
#include "daemon/alerts/report_store.h"
#include "daemon/alerts/subscriber_store.h"
#include "directory/regions.h"
#include "redis/script.h"

namespace helpline::daemon::alerts {
namespace {

// KEYS: 1 alert hash. ARGV: 1 region, 2 now, 3 urgent, 4 quiet hours, then
// pairs: "text:LANG", text. Creates the record (state queuing) unless it
// exists; returns {state, region} as found ("" "" when new).
constexpr std::string_view kBeginScript = R"lua(
local f = redis.call('HMGET', KEYS[1], 'state', 'region')
if f[1] then
  return {f[1], f[2] or ''}
end
redis.call('HSET', KEYS[1], 'state', 'queuing', 'region', ARGV[1], 'created', ARGV[2], 'urgent', ARGV[3],
           'quiet_hours', ARGV[4])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return {'', ''}
)lua";

// KEYS: 1 the release queue (alert:due), 2 the alert's recipients set.
// ARGV: 1 outbox marker prefix ("P outbox:id:alert:ID:"), 2 member prefix
// ("ID:"), 3 due time (unix ms), 4.. hashes. Records each recipient and adds
// it to the release queue unless it is there already or was handed to the
// outbox before (its marker). Returns {added, known}.
constexpr std::string_view kHoldScript = R"lua(
local added, known = 0, 0
for i = 4, #ARGV do
  redis.call('SADD', KEYS[2], ARGV[i])
  local m = ARGV[2] .. ARGV[i]
  if redis.call('EXISTS', ARGV[1] .. ARGV[i]) == 1 or redis.call('ZSCORE', KEYS[1], m) then
    known = known + 1
  else
    redis.call('ZADD', KEYS[1], ARGV[3], m)
    added = added + 1
  end
end
return {added, known}
)lua";

// KEYS: 1 the release queue. ARGV: 1 outbox marker prefix, 2 delivery
// report prefix (P outbox:report:alert:ID:), 3 member prefix ("ID:"), 4..
// hashes. Where each recipient is: {held, queued, sent, delivered, failed
// (dead-lettered), undelivered (the provider reported it failed), expired}.
// A joined report decides for a send the outbox handed over ("s", or "p"
// whose outcome a crash lost); "s" without one is "sent" (accepted, no
// report yet, or none coming: a provider that does not report).
constexpr std::string_view kStatusScript = R"lua(
local n = {0, 0, 0, 0, 0, 0, 0}
for i = 4, #ARGV do
  local v = redis.call('GET', ARGV[1] .. ARGV[i])
  local k
  if redis.call('ZSCORE', KEYS[1], ARGV[3] .. ARGV[i]) then
    k = 1
  elseif not v then
    k = 7
  elseif v == 'd' then
    k = 5
  else
    local st = redis.call('HGET', ARGV[2] .. ARGV[i], 'state')
    if st == 'delivered' then
      k = 4
    elseif st == 'failed' or st == 'undelivered' then
      k = 6
    elseif v == 's' or st then
      k = 3
    else
      k = 2
    end
  end
  n[k] = n[k] + 1
end
return n
)lua";

// KEYS: 1 cancelled set, 2 the release queue. ARGV: 1 marker prefix, 2
// member prefix, 3 marker TTL s, 4.. hashes. Takes the alert's members out
// of the release queue and marks the entries still queued in the outbox as
// done ("s": workers drop them; a release racing this finds the marker and
// adds nothing), remembering each in the cancelled set.
constexpr std::string_view kCancelScript = R"lua(
local n = 0
for i = 4, #ARGV do
  local key = ARGV[1] .. ARGV[i]
  local held = redis.call('ZREM', KEYS[2], ARGV[2] .. ARGV[i]) == 1
  local v = redis.call('GET', key)
  if held and not v then
    redis.call('SET', key, 's', 'EX', ARGV[3])
  elseif v == 'q' then
    redis.call('SET', key, 's', 'KEEPTTL')
  end
  if held or v == 'q' then
    redis.call('SADD', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n
)lua";

const redis::Script& CancelScript() {
  static const redis::Script script(kCancelScript);
  return script;
}

const redis::Script& StatusScript() {
  static const redis::Script script(kStatusScript);
  return script;
}

const redis::Script& BeginScript() {
  static const redis::Script script(kBeginScript);
  return script;
}
const redis::Script& HoldScript() {
  static const redis::Script script(kHoldScript);
  return script;
}

std::string SendKey(const std::string& prefix, const std::string& id, std::string_view suffix = {}) {
  return prefix + "alert:send:" + id + std::string(suffix);
}
std::string MarkerPrefix(const std::string& prefix, const std::string& id) {
  return prefix + "outbox:id:alert:" + id + ":";
}
std::string ReportPrefix(const std::string& prefix, const std::string& id) {
  return prefix + "outbox:report:alert:" + id + ":";
}

// A reply that is an error reply as a Status; the reply otherwise.
Result<redis::Value> Checked(Result<redis::Value> r, std::string_view what) {
  if (r.ok() && r->is_error()) return Internal(std::string(what) + ": " + r->str);
  return r;
}

// One SSCAN page (1000) of an alert's recipients from `cursor`: an OK
// reply is {next cursor, [hashes]}.
void RecipientsPage(redis::AsyncClient& redis, const std::string& prefix, const std::string& id,
                    const std::string& cursor, std::function<void(Result<redis::Value>)> done) {
  redis.Command({"SSCAN", SendKey(prefix, id, ":to"), cursor, "COUNT", "1000"},
                [done = std::move(done)](Result<redis::Value> r) {
                  r = Checked(std::move(r), "sscan");
                  if (r.ok() && r->elements.size() != 2) r = Internal("sscan: unexpected reply");
                  done(std::move(r));
                });
}

long Number(const std::map<std::string, std::string>& f, const std::string& name) {
  auto it = f.find(name);
  return it == f.end() ? 0 : std::strtol(it->second.c_str(), nullptr, 10);
}

// The counts recorded by a send (AlertCountsJson); what does not parse is left out.
AlertCounts ParseCounts(const std::string& json) {
  AlertCounts out;
  rapidjson::Document d;
  d.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return out;
  for (const auto& region : d.GetObject()) {
    if (!region.value.IsObject()) continue;
    for (const auto& lang : region.value.GetObject()) {
      if (lang.value.IsInt64()) out[region.name.GetString()][lang.name.GetString()] = lang.value.GetInt64();
    }
  }
  return out;
}

// One send, step by step on the loop; holds itself through its callbacks.
class SendRun : public std::enable_shared_from_this<SendRun> {
 public:
  SendRun(redis::AsyncClient& redis, const NumberCipher& cipher, std::string prefix, AlertSendRequest req,
          AlertSendHooks hooks, std::function<void(Result<AlertSendResult>)> done)
      : redis_(redis),
        subs_(redis, cipher, SubscriberStoreOptions{.prefix = prefix}),
        prefix_(std::move(prefix)),
        req_(std::move(req)),
        hooks_(std::move(hooks)),
        done_(std::move(done)),
        started_(std::chrono::steady_clock::now()) {
    result_.id = req_.id;
    result_.region = req_.region;
    result_.outcome = req_.dry_run ? AlertSendOutcome::kDryRun : AlertSendOutcome::kQueued;
    if (req_.urgent) req_.quiet.off = true;
  }

  void Start() {
    if (!req_.quiet.off && req_.zones == nullptr) return Finish(Internal("quiet hours without time zones"));
    if (req_.dry_run) return ListRegions();
    std::vector<std::string> args = {"1",
                                     SendKey(prefix_, req_.id),
                                     req_.region,
                                     std::to_string(req_.now_s),
                                     req_.urgent ? "1" : "0",
                                     req_.quiet.ToString()};
    for (const auto& [lang, text] : req_.texts) {
      args.push_back("text:" + lang);
      args.push_back(text);
    }
    BeginScript().Run(redis_, std::move(args), [self = shared_from_this()](Result<redis::Value> r) {
      self->Begun(Checked(std::move(r), "begin"));
    });
  }

 private:
  void Begun(Result<redis::Value> r) {
    if (!r.ok()) return Finish(r.status());
    if (r->elements.size() != 2) return Finish(Internal("begin: unexpected reply"));
    const std::string state = r->elements[0].str;
    if (!state.empty() && r->elements[1].str != req_.region) {
      return Finish(AlreadyExists("alert " + req_.id + " exists for region " + r->elements[1].str));
    }
    if (state == "cancelled") return Finish(FailedPrecondition("alert " + req_.id + " was cancelled"));
    if (state == "queued") return ReadQueued();
    result_.resumed = state == "queuing";
    ListRegions();
  }

  // The id was queued before: the counts it recorded, nothing queued again.
  void ReadQueued() {
    redis_.Command({"HGETALL", SendKey(prefix_, req_.id)}, [self = shared_from_this()](Result<redis::Value> r) {
      r = Checked(std::move(r), "read");
      if (!r.ok()) return self->Finish(r.status());
      std::map<std::string, std::string> f;
      for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) f[r->elements[i].str] = r->elements[i + 1].str;
      AlertSendResult& out = self->result_;
      out.outcome = AlertSendOutcome::kAlreadyQueued;
      out.recipients = Number(f, "recipients");
      out.duplicates = Number(f, "queued") + Number(f, "duplicates");
      out.counts = ParseCounts(f["counts"]);
      self->Finish(Status::Ok());
    });
  }

  // The regions: R itself, or each region of a country with subscribers.
  void ListRegions() {
    if (req_.region.find('-') != std::string::npos) {
      regions_.push_back(req_.region);
      return NextRegion();
    }
    subs_.Regions([self = shared_from_this()](Result<std::vector<std::string>> all) {
      if (!all.ok()) return self->Finish(all.status());
      for (const std::string& r : *all) {
        if (RegionMatches(r, self->req_.region)) self->regions_.push_back(r);
      }
      std::sort(self->regions_.begin(), self->regions_.end());
      self->NextRegion();
    });
  }

  void NextRegion() {
    if (next_region_ == regions_.size()) return Record();
    region_ = regions_[next_region_++];
    due_s_ = req_.now_s;
    if (!req_.quiet.off) {
      const TimeZone* tz = req_.zones->Find(region_);
      if (tz == nullptr) return Finish(FailedPrecondition(region_ + ": no time zone for quiet hours"));
      due_s_ = req_.quiet.ReleaseAt(*tz, req_.now_s);
    }
    if (due_s_ != req_.now_s && !req_.dry_run && hooks_.held_until) hooks_.held_until(region_, due_s_);
    cursor_ = "0";
    ScanPage();
  }

  void ScanPage() {
    subs_.ScanRegion(region_, cursor_, req_.page,
                     [self = shared_from_this()](Result<std::pair<std::string, std::vector<std::string>>> page) {
                       if (!page.ok()) return self->Finish(page.status());
                       self->cursor_ = page->first;
                       self->subs_.Load(std::move(page->second),
                                        [self](Result<std::vector<Subscriber>> s, std::size_t unreadable) {
                                          self->Loaded(std::move(s), unreadable);
                                        });
                     });
  }

  void Loaded(Result<std::vector<Subscriber>> loaded, std::size_t unreadable) {
    if (!loaded.ok()) return Finish(loaded.status());
    result_.unreadable += static_cast<long>(unreadable);
    // The page's recipients: recorded and put in the release queue (one script).
    std::vector<std::string> hold = {
        "2",           prefix_ + "alert:due",        SendKey(prefix_, req_.id, ":to"), MarkerPrefix(prefix_, req_.id),
        req_.id + ":", std::to_string(due_s_ * 1000)};
    for (const Subscriber& s : *loaded) {
      ++result_.recipients;
      ++result_.counts[region_][s.sub.language];
      hold.push_back(s.hash);
    }
    if (req_.dry_run || hold.size() == 6) return PageDone();
    HoldScript().Run(redis_, std::move(hold), [self = shared_from_this()](Result<redis::Value> r) {
      r = Checked(std::move(r), "hold");
      if (!r.ok()) return self->Finish(r.status());
      if (r->elements.size() != 2) return self->Finish(Internal("hold: unexpected reply"));
      AlertSendResult& out = self->result_;
      out.queued += r->elements[0].integer;
      out.duplicates += r->elements[1].integer;
      if (self->due_s_ != self->req_.now_s) out.held += r->elements[0].integer;
      if (self->hooks_.progress) self->hooks_.progress(out.queued + out.duplicates, out.recipients);
      // `alert cancel` during a long send stops it here.
      self->redis_.Command({"HGET", SendKey(self->prefix_, self->req_.id), "state"},
                           [self](Result<redis::Value> state) {
                             if (state.ok() && state->str == "cancelled") {
                               self->result_.outcome = AlertSendOutcome::kCancelledWhileQueuing;
                               return self->Finish(Status::Ok());
                             }
                             self->PageDone();
                           });
    });
  }

  void PageDone() {
    if (cursor_ != "0") return ScanPage();
    NextRegion();
  }

  // Every region done: the record says queued, with what was counted.
  void Record() {
    if (req_.dry_run) return Finish(Status::Ok());
    const AlertSendResult& r = result_;
    redis_.Command(
        {"HSET", SendKey(prefix_, req_.id), "state", "queued", "queued", std::to_string(r.queued), "duplicates",
         std::to_string(r.duplicates), "held", std::to_string(r.held), "unreadable", std::to_string(r.unreadable),
         "recipients", std::to_string(r.recipients), "counts", AlertCountsJson(r.counts)},
        [self = shared_from_this()](Result<redis::Value> done) {
          done = Checked(std::move(done), "record");
          self->Finish(done.ok() ? Status::Ok() : done.status());
        });
  }

  void Finish(Status s) {
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    auto done = std::move(done_);
    if (!s.ok()) return done(std::move(s));
    done(std::move(result_));
  }

  redis::AsyncClient& redis_;
  SubscriberStore subs_;
  std::string prefix_;
  AlertSendRequest req_;
  AlertSendHooks hooks_;
  std::function<void(Result<AlertSendResult>)> done_;
  std::chrono::steady_clock::time_point started_;
  AlertSendResult result_;
  std::vector<std::string> regions_;
  std::size_t next_region_ = 0;
  std::string region_, cursor_ = "0";
  std::int64_t due_s_ = 0;
};

// Counts the recipients of an alert by where they are, page by page; holds
// itself through its callbacks.
class StatusRun : public std::enable_shared_from_this<StatusRun> {
 public:
  StatusRun(redis::AsyncClient& redis, std::string prefix, std::string id,
            std::function<void(Result<std::optional<AlertStatus>>)> done)
      : redis_(redis), prefix_(std::move(prefix)), done_(std::move(done)) {
    status_.id = std::move(id);
  }

  void Start() {
    redis_.Command({"HGETALL", SendKey(prefix_, status_.id)}, [self = shared_from_this()](Result<redis::Value> r) {
      r = Checked(std::move(r), "read");
      if (!r.ok()) return self->Fail(r.status());
      if (r->elements.empty()) {
        auto done = std::move(self->done_);
        return done(std::optional<AlertStatus>());
      }
      std::map<std::string, std::string> f;
      for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) f[r->elements[i].str] = r->elements[i + 1].str;
      AlertStatus& s = self->status_;
      s.state = f["state"];
      s.region = f["region"];
      s.created = std::strtoll(f["created"].c_str(), nullptr, 10);
      s.counts = ParseCounts(f["counts"]);
      self->Page();
    });
  }

 private:
  void Page() {
    RecipientsPage(redis_, prefix_, status_.id, cursor_, [self = shared_from_this()](Result<redis::Value> r) {
      if (!r.ok()) return self->Fail(r.status());
      self->cursor_ = r->elements[0].str;
      self->Count(r->elements[1].elements);
    });
  }

  // One page of hashes, one script: each recipient's place (held, outbox
  // marker, joined delivery report), counted.
  void Count(const std::vector<redis::Value>& hashes) {
    if (hashes.empty()) return Next();
    const std::string& id = status_.id;
    std::vector<std::string> args = {"1", prefix_ + "alert:due", MarkerPrefix(prefix_, id), ReportPrefix(prefix_, id),
                                     id + ":"};
    for (const redis::Value& h : hashes) args.push_back(h.str);
    StatusScript().Run(redis_, std::move(args), [self = shared_from_this()](Result<redis::Value> r) {
      r = Checked(std::move(r), "status");
      if (!r.ok()) return self->Fail(r.status());
      if (r->elements.size() != 7) return self->Fail(Internal("status: unexpected reply"));
      AlertStatus& s = self->status_;
      long* into[] = {&s.held, &s.queued, &s.sent, &s.delivered, &s.failed, &s.undelivered, &s.expired};
      for (std::size_t i = 0; i < 7; ++i) *into[i] += r->elements[i].integer;
      self->Next();
    });
  }

  void Next() {
    if (cursor_ != "0") return Page();
    redis_.Command({"SCARD", SendKey(prefix_, status_.id, ":cancelled")},
                   [self = shared_from_this()](Result<redis::Value> c) {
                     AlertStatus& s = self->status_;
                     s.cancelled = c.ok() && !c->is_error() ? c->integer : 0;
                     s.sent -= s.cancelled;  // cancel marks entries "s" so workers drop them
                     auto done = std::move(self->done_);
                     done(std::optional<AlertStatus>(std::move(s)));
                   });
  }

  void Fail(Status s) {
    auto done = std::move(done_);
    done(std::move(s));
  }

  redis::AsyncClient& redis_;
  std::string prefix_;
  std::function<void(Result<std::optional<AlertStatus>>)> done_;
  AlertStatus status_;
  std::string cursor_ = "0";
};

// Cancels an alert (CancelAlert): its status first (unknown, cancelled
// before or finished are refused), then its state, then its recipients page
// by page through the cancel script; holds itself through its callbacks.
class CancelRun : public std::enable_shared_from_this<CancelRun> {
 public:
  CancelRun(redis::AsyncClient& redis, std::string prefix, std::string id,
            std::function<void(Result<AlertCancelResult>)> done)
      : redis_(redis), prefix_(std::move(prefix)), id_(std::move(id)), done_(std::move(done)) {}

  void Start() {
    ReadAlertStatus(redis_, prefix_, id_, [self = shared_from_this()](Result<std::optional<AlertStatus>> s) {
      if (!s.ok()) return self->Finish(s.status());
      if (!s->has_value()) return self->Finish(NotFound("no alert " + self->id_));
      const AlertStatus& st = **s;
      if (st.state == "cancelled")
        return self->Finish(FailedPrecondition("alert " + self->id_ + " was cancelled before"));
      if (st.state == "queued" && st.held == 0 && st.queued == 0) {
        return self->Finish(FailedPrecondition("alert " + self->id_ + " is finished: nothing is left to stop"));
      }
      self->redis_.Command({"HSET", SendKey(self->prefix_, self->id_), "state", "cancelled"},
                           [self](Result<redis::Value> r) {
                             r = Checked(std::move(r), "cancel");
                             if (!r.ok()) return self->Finish(r.status());
                             self->Page();
                           });
    });
  }

 private:
  void Page() {
    RecipientsPage(redis_, prefix_, id_, cursor_, [self = shared_from_this()](Result<redis::Value> r) {
      if (!r.ok()) return self->Finish(r.status());
      self->cursor_ = r->elements[0].str;
      self->Stop(r->elements[1].elements);
    });
  }

  void Stop(const std::vector<redis::Value>& hashes) {
    if (hashes.empty()) return Next();
    std::vector<std::string> args = {
        "2",    SendKey(prefix_, id_, ":cancelled"), prefix_ + "alert:due", MarkerPrefix(prefix_, id_), id_ + ":",
        "86400"};
    for (const redis::Value& h : hashes) args.push_back(h.str);
    CancelScript().Run(redis_, std::move(args), [self = shared_from_this()](Result<redis::Value> r) {
      r = Checked(std::move(r), "cancel");
      if (!r.ok()) return self->Finish(r.status());
      self->result_.stopped += r->integer;
      self->Next();
    });
  }

  void Next() {
    if (cursor_ != "0") return Page();
    Finish(result_);
  }

  void Finish(Result<AlertCancelResult> r) {
    auto done = std::move(done_);
    done(std::move(r));
  }

  redis::AsyncClient& redis_;
  std::string prefix_, id_;
  std::function<void(Result<AlertCancelResult>)> done_;
  AlertCancelResult result_;
  std::string cursor_ = "0";
};

}  // namespace

bool ValidAlertId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string NewAlertId(std::int64_t now_s) {
  std::random_device rd;
  std::ostringstream s;
  s << "a" << now_s << "-" << std::hex << (rd() & 0xffffff);
  return s.str();
}

Status CheckAlertRegion(std::string_view region) {
  if (region.empty() || region == "*" || !directory::IsKnownRegion(std::string(region))) {
    return InvalidArgument("region must be a known state, province, territory or country (CA-BC, US-WA, CA)");
  }
  return Status::Ok();
}

Status CheckAlertText(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty");
  if (text.size() > kMaxAlertTextBytes) {
    return InvalidArgument("longer than " + std::to_string(kMaxAlertTextBytes) +
                           " bytes (an alert must fit a few SMS)");
  }
  if (InvalidUtf8Offset(text) != std::string::npos) return InvalidArgument("not UTF-8");
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
      return InvalidArgument("has control characters");
  }
  return Status::Ok();
}

Result<QuietHours> QuietHoursFrom(std::string_view spec) {
  if (!spec.empty()) return QuietHours::Parse(spec);
  const char* env = std::getenv("HELPLINE_ALERTS_QUIET_HOURS");
  return QuietHours::Parse(env != nullptr && *env != '\0' ? env : "22:00-08:00");
}

void SendAlert(redis::AsyncClient& redis, const NumberCipher& cipher, std::string prefix, AlertSendRequest request,
               AlertSendHooks hooks, std::function<void(Result<AlertSendResult>)> done) {
  std::make_shared<SendRun>(redis, cipher, std::move(prefix), std::move(request), std::move(hooks), std::move(done))
      ->Start();
}

std::string AlertCountsJson(const AlertCounts& counts) {
  std::string out = "{";
  for (const auto& [region, langs] : counts) {
    if (out.size() > 1) out += ",";
    out += JsonQuote(region) + ":{";
    bool first = true;
    for (const auto& [lang, n] : langs) {
      out += (first ? "" : ",") + JsonQuote(lang) + ":" + std::to_string(n);
      first = false;
    }
    out += "}";
  }
  return out + "}";
}

std::string AlertLanguagesJson(const AlertCounts& counts) {
  std::map<std::string, long> total;
  for (const auto& [region, langs] : counts) {
    for (const auto& [lang, n] : langs) total[lang] += n;
  }
  std::string out = "{";
  for (const auto& [lang, n] : total) {
    if (out.size() > 1) out += ",";
    out += JsonQuote(lang) + ":" + std::to_string(n);
  }
  return out + "}";
}

void ReadAlertStatus(redis::AsyncClient& redis, std::string prefix, std::string id,
                     std::function<void(Result<std::optional<AlertStatus>>)> done) {
  std::make_shared<StatusRun>(redis, std::move(prefix), std::move(id), std::move(done))->Start();
}

void CancelAlert(redis::AsyncClient& redis, std::string prefix, std::string id,
                 std::function<void(Result<AlertCancelResult>)> done) {
  std::make_shared<CancelRun>(redis, std::move(prefix), std::move(id), std::move(done))->Start();
}

std::string AlertStatusJson(const AlertStatus& s) {
  return "{\"id\":" + JsonQuote(s.id) + ",\"state\":" + JsonQuote(s.state) + ",\"region\":" + JsonQuote(s.region) +
         ",\"created\":" + std::to_string(s.created) + ",\"queued\":" + std::to_string(s.queued) +
         ",\"sent\":" + std::to_string(s.sent) + ",\"held\":" + std::to_string(s.held) +
         ",\"failed\":" + std::to_string(s.failed) + ",\"cancelled\":" + std::to_string(s.cancelled) +
         ",\"expired\":" + std::to_string(s.expired) + ",\"delivered\":" + std::to_string(s.delivered) +
         ",\"undelivered\":" + std::to_string(s.undelivered) + ",\"counts\":" + AlertCountsJson(s.counts) + "}";
}

}  // namespace helpline::daemon::alerts
