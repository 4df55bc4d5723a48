#pragma once
// Forwarding anonymous bad-batch reports to a health authority's endpoint
// (issue 13): each stored report is POSTed as JSON to reports_forward_url
// through the durable outbox (its retries, backoff and dead letter), as an
// outbound "provider" of its own. Never the sender: a report holds no
// number, hash or message id (report_store.h), and neither does the request.
//
//   ReportForwarder fwd({.url = "https://health.example/bad-batch", .secret = "s3cret"});
//   adapters.emplace(kReportForwardProvider, &fwd);            // the outbox's adapters
//   outbox.Enqueue(ReportForwardMessage(report), done);        // after ReportStore::Add
//
// The request (one per report; the same report may arrive twice after a
// crash mid-send, so receivers dedupe by "id" or the Idempotency-Key):
//   POST {url}
//   Content-Type: application/json
//   Idempotency-Key: report:{id}
//   X-Helpline-Signature: t={unix s},v1={hex HMAC-SHA256(secret, "{t}.{body}")}   (with a secret)
//   {"id":12,"at":1768449600,"region":"CA-BC","language":"en","text":"grey pills ..."}
// A receiver verifies by computing the HMAC over "{t}." + the raw body with
// the shared secret, comparing in constant time, and refusing a t too old.
//
// Outcome: 2xx sent; 408, 429, 5xx and transport failures retried (the
// outbox's backoff, Retry-After honoured); any other status is permanent
// (dead letter, `reason` says the status).
//
// URL rule (CheckReportForwardUrl, config validation): https://, or http://
// to a loopback host only (127.0.0.0/8, localhost, [::1]: tests and a local
// relay); no user:password@ (use the secret).
//
// Thread-safety: immutable after construction; BuildSend and ClassifySend
// may run on any thread.

#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/alerts/report_store.h"
#include "gateway/outbound.h"

namespace helpline::daemon::alerts {

// The outbox provider name of forwarded reports.
inline constexpr std::string_view kReportForwardProvider = "reports_forward";

struct ReportForwardConfig {
  std::string url;     // "" = forwarding off
  std::string secret;  // "" = unsigned
};

// OK for "" (off), an https URL, or an http URL to a loopback host;
// InvalidArgument saying why otherwise.
Status CheckReportForwardUrl(std::string_view url);

// The outbox message that forwards `report`: id "report:{id}", the JSON as text.
gateway::OutboundMessage ReportForwardMessage(const Report& report);

class ReportForwarder : public gateway::OutboundAdapter {
 public:
  explicit ReportForwarder(ReportForwardConfig config);
  std::string_view provider() const override { return kReportForwardProvider; }
  Result<gateway::OutboundRequest> BuildSend(const gateway::OutboundMessage& message) const override;
  gateway::DeliveryDecision ClassifySend(const gateway::HttpResult& result) const override;

  // "t={t},v1={hex}" for `body` signed at unix second `t`.
  static std::string Signature(std::string_view secret, long long t, std::string_view body);

 private:
  ReportForwardConfig config_;
};

}  // namespace helpline::daemon::alerts
