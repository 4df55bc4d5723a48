#pragma once
// The alerting part of the /v1 API (issue 13), for health authorities:
// send a drug alert, follow it, read the anonymous bad-batch reports. Keys
// with the alerting scope only (config alerts_api_key_sha256; the app checks
// the scope before calling here, outreach_api.h CheckApiKey). Errors are
// api_errors.h's {"error":{"code","message"}}; docs/openapi.yaml is the contract.
//
//   POST /v1/alerts        application/json, at most kMaxAlertBodyBytes:
//                          {"region":"CA-BC","texts":{"en":"...","fr":"..."},
//                           "id":"bc-2026-01-15","dry_run":false,"urgent":false}
//        202 {"id","region","dry_run":false,"duplicate":false,"resumed":false,"recipients":N,
//             "queued":N,"duplicates":N,"held":N,"unreadable":N,"languages":{"en":N,...},
//             "counts":{"CA-BC":{"en":N,...}}}
//        200 the same for a dry run (counted, nothing written) and for an id
//            already queued ("duplicate": true, nothing queued again)
//        400 every reason at once (region, texts, id, types, unknown fields),
//        409 an id used for another region or cancelled, 413, 415 (not
//        application/json), 503 (Redis, or subscriptions off: HELPLINE_ALERTS_KEY)
//   GET  /v1/alerts/{id}   200 the status `helpline alert status --json` prints
//                          (held, queued, sent, delivered, undelivered, failed, ...); 404
//   POST /v1/alerts/{id}/cancel  (no body) what `helpline alert cancel` does:
//        200 {"id","state":"cancelled","stopped":N}; 404 unknown; 409 cancelled
//        before, or finished (nothing held or queued left to stop)
//   GET  /v1/reports       ?since=24h&region=CA&limit=100 (since as `helpline reports`;
//                          limit 1..kMaxReportsLimit, default 100)
//        200 {"reports":[{"id","at","region","language","text"}]}, newest first
//
// POST /v1/alerts runs the same send as `helpline alert send` (alert_send.h):
// the answer comes once every recipient is in the release queue (bench/alerts_bench,
// Release: 100,000 in 1.7-2.0 s; an answer past request_timeout_ms is lost
// but the send goes on, and the same id again resumes it), and the
// daemons' releasers hand them to the outbox. An `id` makes a retried POST
// safe; without one each POST is a new alert.
//
// Thread-safety: loop thread only (like its redis::AsyncClient); `done`
// runs exactly once on the loop: inside Handle for answers that need no
// Redis (405, 400, 413, 415), later otherwise.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "daemon/alerts/number_cipher.h"
#include "daemon/alerts/quiet_hours.h"
#include "daemon/http_server.h"
#include "daemon/outreach_api.h"
#include "redis/async_client.h"

namespace helpline::daemon::alerts {

inline constexpr std::size_t kMaxAlertBodyBytes = 8192;
inline constexpr long kMaxReportsLimit = 1000;

struct AlertApiOptions {
  std::string prefix = "hl:";
  QuietHours quiet;                               // the daemon's (QuietHoursFrom(""))
  const RegionTimeZones* zones = nullptr;         // null: only urgent alerts (or quiet hours off) can be sent
  std::function<std::int64_t()> now_s = nullptr;  // unix seconds; default the system clock
};

class AlertApi {
 public:
  // `cipher` null: subscriptions are off and POST /v1/alerts answers 503;
  // status and reports still work. `cipher` and `zones` outlive the API.
  AlertApi(redis::AsyncClient& redis, const NumberCipher* cipher, AlertApiOptions options);

  // True for the paths answered here: /v1/alerts, /v1/alerts/{anything}, /v1/reports.
  static bool Owns(std::string_view path);
  // The route name for metrics and logs: "alerts", "alert_status", "alert_cancel" or "reports".
  static std::string_view RouteName(std::string_view path);

  // Answers `request` (path and query split off by the caller); wrong
  // methods get 405 with Allow.
  void Handle(const HttpRequest& request, std::string_view path, std::string_view query,
              std::function<void(ApiAnswer)> done);

 private:
  void Send(const HttpRequest& request, std::function<void(ApiAnswer)> done);
  void StatusOf(std::string_view id, std::function<void(ApiAnswer)> done);
  void CancelOf(std::string_view id, std::function<void(ApiAnswer)> done);
  void Reports(std::string_view query, std::function<void(ApiAnswer)> done);

  redis::AsyncClient& redis_;
  const NumberCipher* cipher_;
  AlertApiOptions options_;
};

}  // namespace helpline::daemon::alerts
