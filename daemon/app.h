#pragma once
// The helpline application behind the HTTP server: routes and per-loop
// wiring (each loop's Redis connection, sender store, outbox and webhook
// flow), the request log line and counters of every route, and the
// operational endpoints. A webhook's way from the request to the answer is
// webhook_flow.h's (verify -> dedupe/state/rate limit in one Redis round
// trip -> engine -> inline reply or outbox); the outreach API's answers are
// outreach_api.h's; the request log is request_log.h.
//
//   POST /webhooks/{provider} each provider of gateway/registry.cc whose enabling setting is set
//   GET  /v1/lookup          ?region=CA-BC&category=naloxone&lang=en   (Bearer API key)
//   GET  /v1/regions         regions with resources                     (Bearer API key)
//   GET  /v1/nearby          ?near=60614&category=naloxone              (Bearer API key; nearby_api.h)
//   POST /v1/alerts          send a drug alert (JSON)                   (Bearer alerting key; alerts/alert_api.h)
//   GET  /v1/alerts/{id}     an alert's status                          (Bearer alerting key)
//   GET  /v1/reports         ?since=24h&region=CA&limit=100             (Bearer alerting key)
//                            a lookup key on the alert routes, or an alerting key on the lookup
//                            routes: 403 forbidden (outreach_api.h CheckApiKey)
//                            /v1 errors: {"error":{"code","message"}} (api_errors.h), also for 404,
//                            405 and what the server refuses on its own (413, 431, 400)
//   GET  /healthz            the process is alive
//   GET  /readyz             a directory snapshot is loaded; "degraded" (still 200) with the reasons while
//                            Redis does not answer or the directory is not Redis's (disk snapshot, shipped files)
//   GET  /metrics            Prometheus text format
//
// Thread-safety: Handle() runs on the loop it is given; per-loop state
// (Redis connection, sender store) is only touched from its loop.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config.h"
#include "daemon/engine/message_engine.h"
#include "daemon/http_server.h"
#include "daemon/metrics.h"
#include "daemon/snapshot_manager.h"

namespace helpline::daemon {

class HelplineApp {
 public:
  HelplineApp(const Config& config, const engine::MessageEngine& engine, SnapshotManager& snapshots, Metrics& metrics);
  ~HelplineApp();

  // Creates each loop's Redis connection and sender store, and subscribes to
  // directory events on loop 0. Call after HttpServer::Listen().
  Status Attach(HttpServer& server);
  // Stops and frees the Redis connections; call after the server stopped and
  // before it is destroyed (their timers live on its loops). Idempotent.
  void Detach();
  // SIGTERM: every loop's outbox stops fetching and finishes the sends it
  // holds (Outbox::Drain). Any thread. OutboxDrained() says when all are
  // done (any thread); Detach() abandons what is left, which stays pending
  // for another daemon or the next start.
  void DrainOutbox();
  bool OutboxDrained() const;

  void Handle(int loop, HttpRequest request, Responder respond);
  // Applies the settings that may change while running, from a freshly
  // loaded configuration (SIGHUP): api_key_sha256, alerts_api_key_sha256,
  // rate_limit_messages and rate_limit_window_s. Each loop takes them at its next turn. Any thread.
  // Other settings apply at the next start.
  void Reload(const Config& fresh);
  // Logs and counts a request the HTTP server answered on its own (see
  // HttpServerOptions::on_reject); for a /v1 path, returns the JSON error
  // (api_errors.h) to send instead of the server's text. On loop `loop`'s thread.
  std::optional<HttpResponse> Rejected(int loop, int status, std::string_view method, std::string_view target,
                                       std::string_view reason);

 private:
  struct Loop;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace helpline::daemon
