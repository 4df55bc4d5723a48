#include "daemon/alerts/report_forward.h"

#include <chrono>
#include <string>
#include <utility>

#include "common/crypto.h"
#include "gateway/delivery.h"

namespace helpline::daemon::alerts {
namespace {

// The host of an http(s) URL's authority, without port; "" when malformed
// or when it carries user information.
std::string HostOf(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.empty() || rest.find('@') != std::string_view::npos) return "";
  if (rest.front() == '[') {
    const std::size_t close = rest.find(']');
    return close == std::string_view::npos ? "" : std::string(rest.substr(0, close + 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

bool IsLoopback(const std::string& host) {
  if (host == "localhost" || host == "[::1]") return true;
  if (!host.starts_with("127.")) return false;
  return host.find_first_not_of("0123456789.") == std::string::npos;
}

}  // namespace

Status CheckReportForwardUrl(std::string_view url) {
  if (url.empty()) return Status::Ok();
  const bool https = url.starts_with("https://"), http = url.starts_with("http://");
  if (!https && !http) return InvalidArgument("reports_forward_url must start with https://");
  const std::string host = HostOf(url);
  if (host.empty())
    return InvalidArgument("reports_forward_url needs a host and no user:password@ (use reports_forward_secret)");
  if (http && !IsLoopback(host)) {
    return InvalidArgument("reports_forward_url must be https:// (http:// only to a loopback host, for tests)");
  }
  return Status::Ok();
}

gateway::OutboundMessage ReportForwardMessage(const Report& report) {
  gateway::OutboundMessage m;
  m.id = "report:" + std::to_string(report.id);
  m.provider = std::string(kReportForwardProvider);
  m.text = ReportJson(report);
  return m;
}

ReportForwarder::ReportForwarder(ReportForwardConfig config) : config_(std::move(config)) {}

std::string ReportForwarder::Signature(std::string_view secret, long long t, std::string_view body) {
  const std::string ts = std::to_string(t);
  return "t=" + ts + ",v1=" + HexLower(Hmac(Digest::kSha256, secret, ts + "." + std::string(body)));
}

Result<gateway::OutboundRequest> ReportForwarder::BuildSend(const gateway::OutboundMessage& m) const {
  if (config_.url.empty()) return FailedPrecondition("reports_forward_url is not set");
  if (m.text.empty()) return InvalidArgument("empty report");
  gateway::OutboundRequest r;
  r.url = config_.url;
  r.body = m.text;
  r.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", m.id}};
  if (!config_.secret.empty()) {
    const long long now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    r.headers.emplace_back("X-Helpline-Signature", Signature(config_.secret, now, r.body));
  }
  return r;
}

gateway::DeliveryDecision ReportForwarder::ClassifySend(const gateway::HttpResult& res) const {
  // The providers' rule (retry transport failures, 429 and 5xx; fail other
  // statuses), plus 408: a receiver that timed out reading may take it next time.
  gateway::DeliveryDecision d = gateway::ClassifyHttp(res, kReportForwardProvider, std::chrono::system_clock::now());
  if (res.transport_ok && res.status == 408) d.verdict = gateway::DeliveryVerdict::kRetry;
  return d;
}

}  // namespace helpline::daemon::alerts
