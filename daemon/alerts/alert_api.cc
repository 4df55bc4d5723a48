#include "daemon/alerts/alert_api.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "common/json_escape.h"
#include "daemon/alerts/alert_send.h"
#include "daemon/alerts/report_store.h"
#include "directory/regions.h"
#include "gateway/form_urlencoded.h"

namespace helpline::daemon::alerts {
namespace {

constexpr std::string_view kAlerts = "/v1/alerts";
constexpr std::string_view kAlertPrefix = "/v1/alerts/";
constexpr std::string_view kCancelSuffix = "/cancel";
constexpr std::string_view kReports = "/v1/reports";
constexpr long kDefaultReportsLimit = 100;

// "/v1/alerts/{id}/cancel" with a non-empty {id}.
bool IsCancelPath(std::string_view path) {
  return path.size() > kAlertPrefix.size() + kCancelSuffix.size() && path.starts_with(kAlertPrefix) &&
         path.ends_with(kCancelSuffix);
}

ApiAnswer WrongMethod(const char* allowed) {
  ApiAnswer a = ApiFailure(ApiError::kMethodNotAllowed, std::string("use ") + allowed);
  a.response.headers.push_back({"Allow", allowed});
  return a;
}

// The answer for a failed send or read; the message never carries request bytes.
ApiAnswer StoreFailure(const Status& s) {
  switch (s.code()) {
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition: return ApiFailure(ApiError::kConflict, s.message());
    case StatusCode::kUnavailable: return ApiFailure(ApiError::kNotReady, "Redis is unavailable; retry later");
    default: return ApiFailure(ApiError::kNotReady, "the alert store failed; retry later");
  }
}

// Every reason, once each, in one message.
std::string Joined(const std::vector<std::string>& why) {
  std::string all;
  std::set<std::string_view> said;
  for (const std::string& w : why) {
    if (!said.insert(w).second) continue;
    all += (all.empty() ? "" : "; ") + w;
  }
  return all;
}

// True when the Content-Type's media type is application/json (parameters
// such as charset aside, any case).
bool IsJson(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) {
    content_type.remove_suffix(1);
  }
  constexpr std::string_view kJson = "application/json";
  if (content_type.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    char c = content_type[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kJson[i]) return false;
  }
  return true;
}

// The request body as an AlertSendRequest, or every reason it is not one.
// Reasons name fields, never echo values.
Result<AlertSendRequest> ParseSendBody(const std::string& body) {
  rapidjson::Document d;
  // Iterative: a body of 8000 nested brackets must not recurse 8000 deep.
  d.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (d.HasParseError() || !d.IsObject()) return InvalidArgument("the body must be a JSON object");
  AlertSendRequest req;
  std::vector<std::string> why;
  bool region_seen = false;
  for (const auto& m : d.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == "region") {
      region_seen = true;
      if (!m.value.IsString()) {
        why.push_back("region must be a string");
      } else {
        req.region.assign(m.value.GetString(), m.value.GetStringLength());
        if (!CheckAlertRegion(req.region).ok()) {
          why.push_back("region must be a known state, province, territory or country (CA-BC, US-WA, CA)");
        }
      }
    } else if (name == "texts") {
      if (!m.value.IsObject()) {
        why.push_back("texts must be an object of language -> text");
        continue;
      }
      for (const auto& t : m.value.GetObject()) {
        const std::string lang(t.name.GetString(), t.name.GetStringLength());
        bool known = false;
        for (std::string_view l : kAlertLanguages) known = known || l == lang;
        if (!known) {
          why.push_back("texts: languages are en, fr and es");
          continue;
        }
        if (!t.value.IsString()) {
          why.push_back("texts." + lang + " must be a string");
          continue;
        }
        std::string text(t.value.GetString(), t.value.GetStringLength());
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
        if (Status ok = CheckAlertText(text); !ok.ok()) {
          why.push_back("texts." + lang + ": " + ok.message());
          continue;
        }
        req.texts[lang] = std::move(text);
      }
    } else if (name == "id") {
      if (!m.value.IsString() || !ValidAlertId(std::string_view(m.value.GetString(), m.value.GetStringLength()))) {
        why.push_back("id must be 1-64 of A-Z a-z 0-9 - _");
      } else {
        req.id.assign(m.value.GetString(), m.value.GetStringLength());
      }
    } else if (name == "dry_run" || name == "urgent") {
      if (!m.value.IsBool()) {
        why.push_back(std::string(name) + " must be true or false");
      } else {
        (name == "dry_run" ? req.dry_run : req.urgent) = m.value.GetBool();
      }
    } else {
      why.push_back("unknown field (fields: region, texts, id, dry_run, urgent)");
    }
  }
  if (!region_seen) why.push_back("region is missing");
  if (req.texts.empty() && !req.dry_run &&
      std::none_of(why.begin(), why.end(), [](const std::string& w) { return w.starts_with("texts"); })) {
    why.push_back("texts must give at least one of en, fr, es");
  }
  if (!why.empty()) return InvalidArgument(Joined(why));
  return req;
}

std::string SendJson(const AlertSendResult& r) {
  const bool dry = r.outcome == AlertSendOutcome::kDryRun;
  return "{\"id\":" + JsonQuote(r.id) + ",\"region\":" + JsonQuote(r.region) +
         ",\"dry_run\":" + (dry ? "true" : "false") +
         ",\"duplicate\":" + (r.outcome == AlertSendOutcome::kAlreadyQueued ? "true" : "false") +
         ",\"resumed\":" + (r.resumed ? "true" : "false") + ",\"recipients\":" + std::to_string(r.recipients) +
         ",\"queued\":" + std::to_string(r.queued) + ",\"duplicates\":" + std::to_string(r.duplicates) +
         ",\"held\":" + std::to_string(r.held) + ",\"unreadable\":" + std::to_string(r.unreadable) +
         ",\"languages\":" + AlertLanguagesJson(r.counts) + ",\"counts\":" + AlertCountsJson(r.counts) + "}\n";
}

}  // namespace

AlertApi::AlertApi(redis::AsyncClient& redis, const NumberCipher* cipher, AlertApiOptions options)
    : redis_(redis), cipher_(cipher), options_(std::move(options)) {}

bool AlertApi::Owns(std::string_view path) {
  return path == kAlerts || path.starts_with(kAlertPrefix) || path == kReports;
}

std::string_view AlertApi::RouteName(std::string_view path) {
  if (path == kReports) return "reports";
  if (IsCancelPath(path)) return "alert_cancel";
  if (path.starts_with(kAlertPrefix)) return "alert_status";
  return "alerts";
}

void AlertApi::Handle(const HttpRequest& request, std::string_view path, std::string_view query,
                      std::function<void(ApiAnswer)> done) {
  if (path == kAlerts) {
    if (request.method != "POST") return done(WrongMethod("POST"));
    return Send(request, std::move(done));
  }
  if (IsCancelPath(path)) {
    if (request.method != "POST") return done(WrongMethod("POST"));
    path.remove_suffix(kCancelSuffix.size());
    return CancelOf(path.substr(kAlertPrefix.size()), std::move(done));
  }
  if (request.method != "GET") return done(WrongMethod("GET"));
  if (path == kReports) return Reports(query, std::move(done));
  StatusOf(path.substr(kAlertPrefix.size()), std::move(done));
}

void AlertApi::Send(const HttpRequest& request, std::function<void(ApiAnswer)> done) {
  if (request.body.size() > kMaxAlertBodyBytes) {
    return done(
        ApiFailure(ApiError::kTooLarge, "an alert's body is at most " + std::to_string(kMaxAlertBodyBytes) + " bytes"));
  }
  if (!IsJson(request.Header("content-type"))) {
    return done(ApiFailure(ApiError::kUnsupportedMediaType, "send the alert as Content-Type: application/json"));
  }
  auto parsed = ParseSendBody(request.body);
  if (!parsed.ok()) return done(ApiFailure(ApiError::kBadRequest, parsed.status().message()));
  if (cipher_ == nullptr) {
    return done(ApiFailure(ApiError::kNotReady, "alert subscriptions are off on this daemon (HELPLINE_ALERTS_KEY)"));
  }
  AlertSendRequest req = std::move(*parsed);
  req.now_s = options_.now_s ? options_.now_s() : static_cast<std::int64_t>(std::time(nullptr));
  if (req.id.empty()) req.id = NewAlertId(req.now_s);
  req.quiet = options_.quiet;
  req.zones = options_.zones;
  if (!req.urgent && !req.quiet.off && req.zones == nullptr) {
    return done(ApiFailure(ApiError::kNotReady, "no time zones for quiet hours on this daemon: send it urgent"));
  }
  SendAlert(redis_, *cipher_, options_.prefix, std::move(req), {}, [done = std::move(done)](Result<AlertSendResult> r) {
    if (!r.ok()) return done(StoreFailure(r.status()));
    switch (r->outcome) {
      case AlertSendOutcome::kQueued: return done({Json(202, SendJson(*r)), "accepted"});
      case AlertSendOutcome::kDryRun: return done({Json(200, SendJson(*r)), "dry_run"});
      case AlertSendOutcome::kAlreadyQueued: return done({Json(200, SendJson(*r)), "duplicate"});
      case AlertSendOutcome::kCancelledWhileQueuing:
        return done(ApiFailure(ApiError::kConflict, "the alert was cancelled while it was being queued"));
    }
  });
}

void AlertApi::StatusOf(std::string_view id, std::function<void(ApiAnswer)> done) {
  if (!ValidAlertId(id)) return done(ApiFailure(ApiError::kNotFound, "no such alert"));
  ReadAlertStatus(redis_, options_.prefix, std::string(id),
                  [done = std::move(done)](Result<std::optional<AlertStatus>> s) {
                    if (!s.ok()) return done(StoreFailure(s.status()));
                    if (!s->has_value()) return done(ApiFailure(ApiError::kNotFound, "no such alert"));
                    done({Json(200, AlertStatusJson(**s) + "\n"), "ok"});
                  });
}

void AlertApi::CancelOf(std::string_view id, std::function<void(ApiAnswer)> done) {
  if (!ValidAlertId(id)) return done(ApiFailure(ApiError::kNotFound, "no such alert"));
  CancelAlert(redis_, options_.prefix, std::string(id),
              [done = std::move(done), id = std::string(id)](Result<AlertCancelResult> r) {
                if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
                  return done(ApiFailure(ApiError::kNotFound, "no such alert"));
                }
                if (!r.ok()) return done(StoreFailure(r.status()));
                done({Json(200, "{\"id\":" + JsonQuote(id) +
                                    ",\"state\":\"cancelled\",\"stopped\":" + std::to_string(r->stopped) + "}\n"),
                      "cancelled"});
              });
}

void AlertApi::Reports(std::string_view query, std::function<void(ApiAnswer)> done) {
  auto params = gateway::ParseFormUrlencoded(query);
  if (!params.ok()) return done(ApiFailure(ApiError::kBadRequest, "malformed query string"));
  std::string since, region, limit;
  for (const auto& [k, v] : *params) {
    if (k == "since")
      since = v;
    else if (k == "region")
      region = v;
    else if (k == "limit")
      limit = v;
  }
  std::vector<std::string> why;
  const std::int64_t now = options_.now_s ? options_.now_s() : static_cast<std::int64_t>(std::time(nullptr));
  const auto since_s = ParseReportsSince(since, now);
  if (!since_s) why.push_back("since takes unix seconds, 30m, 24h, 7d or YYYY-MM-DD");
  if (!region.empty() && (region == "*" || !directory::IsKnownRegion(region))) {
    why.push_back("region must be a country, state or province code such as CA, US-WA or CA-BC");
  }
  long n = kDefaultReportsLimit;
  if (!limit.empty()) {
    char* end = nullptr;
    n = std::strtol(limit.c_str(), &end, 10);
    if (*end != '\0' || n < 1 || n > kMaxReportsLimit) {
      why.push_back("limit takes 1 to " + std::to_string(kMaxReportsLimit));
    }
  }
  if (!why.empty()) return done(ApiFailure(ApiError::kBadRequest, Joined(why)));
  auto store = std::make_shared<ReportStore>(redis_, ReportStoreOptions{.prefix = options_.prefix});
  store->List({.since_s = *since_s, .region = region, .limit = static_cast<std::size_t>(n)},
              [store, done = std::move(done)](Result<std::vector<Report>> list) {
                if (!list.ok()) return done(StoreFailure(list.status()));
                done({Json(200, "{\"reports\":" + ReportsJson(*list) + "}\n"), "ok"});
              });
}

}  // namespace helpline::daemon::alerts
