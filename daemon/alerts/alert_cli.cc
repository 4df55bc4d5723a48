#include "daemon/alerts/alert_cli.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/json_escape.h"
#include "common/utf8.h"
#include "daemon/alerts/alert_send.h"
#include "daemon/alerts/number_cipher.h"
#include "daemon/alerts/quiet_hours.h"
#include "daemon/alerts/report_store.h"
#include "daemon/alerts/subscriber_store.h"
#include "directory/regions.h"
#include "redis/async_client.h"
#include "redis/script.h"
#include "redis/url.h"

namespace helpline::daemon::alerts {
namespace {

constexpr int kExitOk = 0, kExitInvalid = 1, kExitUsage = 2, kExitRedis = 3, kExitInternal = 4;
constexpr int kPage = 1000;

// "2026-01-15T13:00Z" for unix seconds.
std::string UtcMinute(std::int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%MZ", &tm);
  return when;
}

int ExitFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable: return kExitRedis;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists: return kExitInvalid;
    default: return kExitInternal;
  }
}

// KEYS: 1 a subscriber record. ARGV: 1 the sealed number read, 2 its
// replacement. Replaces it only if unchanged; 1 when replaced.
constexpr std::string_view kResealScript = R"lua(
if redis.call('HGET', KEYS[1], 'num') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'num', ARGV[2])
  return 1
end
return 0
)lua";

class AlertsCli {
 public:
  AlertsCli(std::ostream& out, std::ostream& err, bool tty) : out_(out), err_(err), tty_(tty) {}

  int Run(const std::string& command, const AlertsArgs& args) {
    args_ = args;
    if (Status s = Connect(); !s.ok()) return Fail(command, s);
    if (command == "reports") return Reports();
    if (args_.positional.empty()) return Usage("alert: send, status ID, cancel ID or reseal");
    const std::string& sub = args_.positional[0];
    if (sub == "send") return Send();
    if (sub == "status") return StatusOf();
    if (sub == "cancel") return Cancel();
    if (sub == "reseal") return Reseal();
    return Usage("alert: unknown subcommand '" + sub + "'");
  }

 private:
  std::string Get(const std::string& name) const {
    auto it = args_.options.find(name);
    return it == args_.options.end() ? "" : it->second;
  }

  // The ID of `alert status|cancel ID`; nullopt after a usage message.
  std::optional<std::string> IdArgument(const std::string& what) {
    if (args_.positional.size() != 2 || !ValidAlertId(args_.positional[1])) {
      Usage(what + " ID (1-64 of A-Z a-z 0-9 - _)");
      return std::nullopt;
    }
    return args_.positional[1];
  }

  int Usage(const std::string& why) {
    err_ << "helpline: " << why
         << "\nusage: helpline alert send --region R [--text-en FILE] [--text-fr FILE] [--text-es FILE] [--id ID]"
            " [--dry-run] [--urgent] [--json]\n       helpline alert status ID [--json]\n"
            "       helpline alert cancel ID\n       helpline alert reseal\n       helpline reports [--since WHEN] "
            "[--region R] [--limit N] [--json]\n";
    return kExitUsage;
  }
  int Fail(const std::string& what, const Status& s) {
    err_ << "helpline " << what << ": " << s.message() << "\n";
    return ExitFor(s);
  }

  Status Connect() {
    std::string url = Get("--redis");
    if (url.empty()) {
      const char* env = std::getenv("HELPLINE_REDIS_URL");
      url = env != nullptr && *env != '\0' ? env : "redis://127.0.0.1:6379/0";
    }
    prefix_ = Get("--prefix");
    if (prefix_.empty()) {
      const char* env = std::getenv("HELPLINE_REDIS_PREFIX");
      prefix_ = env != nullptr && *env != '\0' ? env : "hl:";
    }
    auto parsed = redis::ParseUrl(url);
    if (!parsed.ok()) return parsed.status();
    redis::AsyncClient::Options o;
    o.command_timeout_ms = 10000;
    redis_ = std::make_unique<redis::AsyncClient>(io_, *parsed, o);
    redis_->Start();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!redis_->connected() && std::chrono::steady_clock::now() < until) {
      io_.run_one_for(std::chrono::milliseconds(20));
    }
    if (!redis_->connected()) return Unavailable("redis unreachable: " + redis_->last_error());
    return Status::Ok();
  }

  // Runs the loop until `start`'s callback delivered a value.
  template <typename T, typename Start>
  T Wait(Start start) {
    std::optional<T> out;
    start([&](T v) { out.emplace(std::move(v)); });
    while (!out) io_.run_one();
    return std::move(*out);
  }
  Result<redis::Value> Call(std::vector<std::string> args) {
    auto r = Wait<Result<redis::Value>>([&](auto cb) { redis_->Command(std::move(args), cb); });
    if (r.ok() && r->is_error()) return Internal("redis: " + r->str);
    return r;
  }

  // --- alert send --------------------------------------------------------------
  // The checks and the output are here; the send is alert_send.h's (shared
  // with POST /v1/alerts).
  int Send() {
    AlertSendRequest req;
    req.region = Get("--region");
    if (!CheckAlertRegion(req.region).ok()) {
      return Usage("alert send: --region must be a known state, province, territory or country (CA-BC, US-WA, CA)");
    }
    req.now_s = args_.now_s != 0 ? args_.now_s : static_cast<std::int64_t>(std::time(nullptr));
    req.id = Get("--id");
    if (req.id.empty()) req.id = NewAlertId(req.now_s);
    if (!ValidAlertId(req.id)) return Usage("alert send: --id must be 1-64 of A-Z a-z 0-9 - _");
    req.dry_run = args_.flags.count("--dry-run") != 0;
    req.urgent = args_.flags.count("--urgent") != 0;
    // The texts, per language.
    for (std::string_view lang : kAlertLanguages) {
      const std::string path = Get("--text-" + std::string(lang));
      if (path.empty()) continue;
      std::ifstream in(path, std::ios::binary);
      if (!in) return Fail("alert send", InvalidArgument(path + ": cannot read"));
      std::ostringstream s;
      s << in.rdbuf();
      std::string text = s.str();
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
      if (Status ok = CheckAlertText(text); !ok.ok()) {
        return Fail("alert send", InvalidArgument(path + ": " + ok.message()));
      }
      req.texts[std::string(lang)] = text;
    }
    if (req.texts.empty() && !req.dry_run) {
      return Usage("alert send: give at least one of --text-en, --text-fr, --text-es");
    }
    std::string data = Get("--data");
    if (data.empty()) {
      const char* env = std::getenv("HELPLINE_DATA_DIR");
      data = env != nullptr && *env != '\0' ? std::string(env) + "/engine" : std::string(HELPLINE_DATA_DIR) + "/engine";
    }
    auto cipher = NumberCipher::FromEnvironment();
    if (!cipher.ok()) return Fail("alert send", cipher.status());
    auto quiet = QuietHoursFrom(Get("--quiet-hours"));
    if (!quiet.ok()) return Usage("alert send: --quiet-hours: " + quiet.status().message());
    req.quiet = *quiet;
    std::optional<RegionTimeZones> zones;
    if (!quiet->off && !req.urgent) {
      auto z = RegionTimeZones::Load(data + "/alert_time_zones.json");
      if (!z.ok()) return Fail("alert send", z.status());
      zones.emplace(std::move(*z));
      req.zones = &*zones;
    }
    const std::string id = req.id, region = req.region;
    const bool dry = req.dry_run;
    AlertSendHooks hooks;
    hooks.held_until = [this, quiet = *quiet](const std::string& r, std::int64_t due_s) {
      err_ << r << ": quiet hours (" << quiet.ToString() << " local): held until " << UtcMinute(due_s) << "\n";
    };
    if (tty_ && !dry) {
      hooks.progress = [this](long done, long seen) {
        err_ << "\rqueued " << done << " of " << seen << " so far" << std::flush;
      };
    }
    auto sent = Wait<Result<AlertSendResult>>(
        [&](auto cb) { SendAlert(*redis_, *cipher, prefix_, std::move(req), std::move(hooks), cb); });
    if (tty_ && !dry) err_ << "\n";
    if (!sent.ok()) return Fail("alert send", sent.status());
    const AlertSendResult& r = *sent;
    if (r.outcome == AlertSendOutcome::kAlreadyQueued) {
      out_ << "alert " << id << " was already queued; nothing queued again (helpline alert status " << id << ")\n";
      return kExitOk;
    }
    if (r.resumed) err_ << "alert " << id << ": resuming (what was queued before is not queued again)\n";
    if (args_.flags.count("--json")) {
      out_ << "{\"id\":" << JsonQuote(id) << ",\"region\":" << JsonQuote(region)
           << ",\"dry_run\":" << (dry ? "true" : "false") << ",\"recipients\":" << r.recipients
           << ",\"queued\":" << r.queued << ",\"duplicates\":" << r.duplicates << ",\"held\":" << r.held
           << ",\"unreadable\":" << r.unreadable << ",\"seconds\":" << r.seconds
           << ",\"counts\":" << AlertCountsJson(r.counts) << "}\n";
    } else {
      out_ << (dry ? "dry run: " : "") << "alert " << id << " for " << region << ": " << r.recipients
           << " recipients\n";
      for (const auto& [reg, langs] : r.counts) {
        for (const auto& [l, n] : langs) out_ << "  " << reg << "  " << l << "  " << n << "\n";
      }
      if (!dry) {
        out_ << "queued " << r.queued << ", already queued before " << r.duplicates << ", held for quiet hours "
             << r.held << ", unreadable " << r.unreadable << " in " << std::fixed << std::setprecision(2) << r.seconds
             << " s\n";
      }
    }
    if (r.outcome == AlertSendOutcome::kCancelledWhileQueuing) {
      err_ << "alert " << id << " was cancelled while queuing\n";
      return kExitInvalid;
    }
    if (r.unreadable > 0) {
      err_ << "warning: " << r.unreadable << " subscribers could not be decrypted (key missing?)\n";
    }
    return kExitOk;
  }

  // --- alert status ID ----------------------------------------------------------
  int StatusOf() {
    const auto id = IdArgument("alert status");
    if (!id) return kExitUsage;
    return PrintStatus(*id);
  }

  int PrintStatus(const std::string& id) {
    auto read = Wait<Result<std::optional<AlertStatus>>>([&](auto cb) { ReadAlertStatus(*redis_, prefix_, id, cb); });
    if (!read.ok()) return Fail("alert status", read.status());
    if (!read->has_value()) return Fail("alert status", NotFound("no alert " + id));
    const AlertStatus& s = **read;
    if (args_.flags.count("--json")) {
      out_ << AlertStatusJson(s) << "\n";
    } else {
      out_ << "alert " << id << " (" << s.region << "): " << s.state << "\n"
           << "  held " << s.held << ", waiting " << s.queued << ", sent " << s.sent << ", delivered " << s.delivered
           << ", undelivered " << s.undelivered << ", failed " << s.failed << ", cancelled " << s.cancelled
           << ", expired " << s.expired << "\n";
    }
    return kExitOk;
  }

  // --- alert cancel ID ----------------------------------------------------------
  int Cancel() {
    const auto id = IdArgument("alert cancel");
    if (!id) return kExitUsage;
    auto r = Wait<Result<AlertCancelResult>>([&](auto cb) { CancelAlert(*redis_, prefix_, *id, cb); });
    if (!r.ok()) return Fail("alert cancel", r.status());
    out_ << "alert " << *id << " cancelled: " << r->stopped << " messages not yet sent were stopped\n";
    return kExitOk;
  }

  // --- alert reseal --------------------------------------------------------------
  // Every subscriber's sealed number under the current key (after a
  // rotation: the old key in HELPLINE_ALERTS_OLD_KEYS until this is done).
  // A record changed meanwhile (a new YES, a LEAVE) is left as it is: the
  // compare-and-set script replaces only the value it read.
  int Reseal() {
    auto cipher = NumberCipher::FromEnvironment();
    if (!cipher.ok()) return Fail("alert reseal", cipher.status());
    const std::string match = prefix_ + "alert:sub:";
    long resealed = 0, current = 0, unreadable = 0, changed = 0;
    std::string cursor = "0";
    do {
      auto page = Call({"SCAN", cursor, "MATCH", match + "*", "COUNT", std::to_string(kPage)});
      if (!page.ok()) return Fail("alert reseal", page.status());
      if (page->elements.size() != 2) return Fail("alert reseal", Internal("scan: unexpected reply"));
      cursor = page->elements[0].str;
      for (const redis::Value& k : page->elements[1].elements) {
        const std::string hash = k.str.substr(match.size());
        auto num = Call({"HGET", k.str, "num"});
        if (!num.ok()) return Fail("alert reseal", num.status());
        if (num->is_nil()) continue;
        if (NumberCipher::KeyIdOf(num->str) == cipher->current_id()) {
          ++current;
          continue;
        }
        auto plain = cipher->Open(num->str, hash);
        if (!plain.ok()) {
          ++unreadable;  // an unknown key id or a damaged value: never printed
          continue;
        }
        auto sealed = cipher->Seal(*plain, hash);
        if (!sealed.ok()) return Fail("alert reseal", sealed.status());
        auto set = Wait<Result<redis::Value>>([&](auto cb) {
          reseal_.Run(*redis_, {"1", k.str, num->str, *sealed}, cb);
        });
        if (!set.ok()) return Fail("alert reseal", set.status());
        if (set->integer == 1)
          ++resealed;
        else
          ++changed;
      }
    } while (cursor != "0");
    out_ << "resealed " << resealed << " under key " << cipher->current_id() << ", " << current << " already under it, "
         << changed << " changed meanwhile (left), " << unreadable << " unreadable\n";
    if (unreadable > 0) {
      err_ << "warning: " << unreadable
           << " sealed numbers open with no known key (is an old key missing from "
              "HELPLINE_ALERTS_OLD_KEYS?)\n";
      return kExitInvalid;
    }
    return kExitOk;
  }

  // --- reports ------------------------------------------------------------------
  int Reports() {
    auto since = ParseReportsSince(Get("--since"), std::time(nullptr));
    if (!since) return Usage("reports: --since takes unix seconds, 30m, 24h, 7d or YYYY-MM-DD");
    long limit = 1000;
    if (!Get("--limit").empty()) {
      char* end = nullptr;
      limit = std::strtol(Get("--limit").c_str(), &end, 10);
      if (*end != '\0' || limit < 1 || limit > 100000) return Usage("reports: --limit takes 1 to 100000");
    }
    ReportStore store(*redis_, ReportStoreOptions{.prefix = prefix_});
    auto list = Wait<Result<std::vector<Report>>>([&](auto cb) {
      store.List({.since_s = *since, .region = Get("--region"), .limit = static_cast<std::size_t>(limit)}, cb);
    });
    if (!list.ok()) return Fail("reports", list.status());
    if (args_.flags.count("--json") != 0) {
      out_ << ReportsJson(*list) << "\n";
      return kExitOk;
    }
    for (const Report& r : *list) {
      out_ << "#" << r.id << "  " << UtcMinute(r.at) << "  " << (r.region.empty() ? "?" : r.region) << "  "
           << r.language << "  " << r.text << "\n";
    }
    if (list->empty()) err_ << "no reports\n";
    return kExitOk;
  }

  std::ostream& out_;
  std::ostream& err_;
  bool tty_;
  AlertsArgs args_;
  std::string prefix_;
  boost::asio::io_context io_;
  std::unique_ptr<redis::AsyncClient> redis_;
  const redis::Script reseal_{kResealScript};
};

}  // namespace

int RunAlertsCli(const std::string& command, const AlertsArgs& args, std::ostream& out, std::ostream& err,
                 bool err_is_terminal) {
  AlertsCli cli(out, err, err_is_terminal);
  return cli.Run(command, args);
}

}  // namespace helpline::daemon::alerts
