#include "daemon/metrics.h"

#include <sstream>

namespace helpline::daemon {

void Metrics::CountRequest(std::string_view route, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(route), status}];
}

void Metrics::CountWebhook(std::string_view outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  ++webhooks_[std::string(outcome)];
}

void Metrics::CountDelivery(std::string_view provider, std::string_view state) {
  std::lock_guard<std::mutex> lock(mu_);
  ++deliveries_[{std::string(provider), std::string(state)}];
}

void Metrics::CountOutbox(std::string_view event) {
  std::lock_guard<std::mutex> lock(mu_);
  ++outbox_[std::string(event)];
}

void Metrics::CountOutboxFailure(std::string_view reason_class) {
  std::lock_guard<std::mutex> lock(mu_);
  ++outbox_failures_[std::string(reason_class)];
}

void Metrics::SetDirectorySource(std::string_view source) {
  std::lock_guard<std::mutex> lock(mu_);
  directory_source_ = std::string(source);
}

void Metrics::ObserveLatency(double seconds) {
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  latency_buckets_[i].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::SetDirectory(std::int64_t version, std::size_t resources) {
  directory_version_.store(version);
  directory_resources_.store(static_cast<std::int64_t>(resources));
}

std::string Metrics::Render() const {
  std::ostringstream o;
  {
    std::lock_guard<std::mutex> lock(mu_);
    o << "# HELP helpline_http_requests_total HTTP requests by route and status.\n"
      << "# TYPE helpline_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      o << "helpline_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
    }
    o << "# HELP helpline_webhook_messages_total Inbound messages by outcome.\n"
      << "# TYPE helpline_webhook_messages_total counter\n";
    for (const auto& [outcome, n] : webhooks_) {
      o << "helpline_webhook_messages_total{outcome=\"" << outcome << "\"} " << n << "\n";
    }
    o << "# HELP helpline_outbox_events_total Outbound messages by event (queued, sent, retried, dead, ...).\n"
      << "# TYPE helpline_outbox_events_total counter\n";
    for (const auto& [event, n] : outbox_) {
      o << "helpline_outbox_events_total{event=\"" << event << "\"} " << n << "\n";
    }
    o << "# HELP helpline_delivery_reports_total Providers' delivery reports for messages we sent.\n"
      << "# TYPE helpline_delivery_reports_total counter\n";
    for (const auto& [key, n] : deliveries_) {
      o << "helpline_delivery_reports_total{provider=\"" << key.first << "\",state=\"" << key.second << "\"} " << n
        << "\n";
    }
    o << "# HELP helpline_outbox_send_failures_total Failed send attempts by reason class.\n"
      << "# TYPE helpline_outbox_send_failures_total counter\n";
    for (const auto& [reason_class, n] : outbox_failures_) {
      o << "helpline_outbox_send_failures_total{class=\"" << reason_class << "\"} " << n << "\n";
    }
    o << "# HELP helpline_directory_source Where the served directory came from (1 for the current source).\n"
      << "# TYPE helpline_directory_source gauge\n";
    for (std::string_view source : {"redis", "disk_snapshot", "shipped_files"}) {
      o << "helpline_directory_source{source=\"" << source << "\"} " << (directory_source_ == source ? 1 : 0) << "\n";
    }
  }
  o << "# HELP helpline_request_duration_seconds Time to answer a request.\n"
    << "# TYPE helpline_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_buckets_[i].load();
    o << "helpline_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cumulative << "\n";
  }
  cumulative += latency_buckets_[kBuckets.size()].load();
  o << "helpline_request_duration_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
    << "helpline_request_duration_seconds_sum " << static_cast<double>(latency_sum_us_.load()) / 1e6 << "\n"
    << "helpline_request_duration_seconds_count " << latency_count_.load() << "\n"
    << "# HELP helpline_directory_version The directory version being served.\n"
    << "# TYPE helpline_directory_version gauge\n"
    << "helpline_directory_version " << directory_version_.load() << "\n"
    << "# HELP helpline_directory_resources Resources in the served directory.\n"
    << "# TYPE helpline_directory_resources gauge\n"
    << "helpline_directory_resources " << directory_resources_.load() << "\n"
    << "# HELP helpline_directory_swaps_total Directory snapshots swapped in without restart.\n"
    << "# TYPE helpline_directory_swaps_total counter\n"
    << "helpline_directory_swaps_total " << directory_swaps_.load() << "\n"
    << "# HELP helpline_directory_snapshot_warnings_total Disk snapshots not written or not readable, shipped "
       "files not valid.\n"
    << "# TYPE helpline_directory_snapshot_warnings_total counter\n"
    << "helpline_directory_snapshot_warnings_total " << snapshot_warnings_.load() << "\n"
    << "# HELP helpline_redis_up Whether every event loop's Redis connection answers (probed every 200 ms; 0 while "
       "serving from the snapshot alone).\n"
    << "# TYPE helpline_redis_up gauge\n"
    << "helpline_redis_up " << redis_up_.load() << "\n"
    << "# HELP helpline_redis_errors_total Redis commands that failed or timed out.\n"
    << "# TYPE helpline_redis_errors_total counter\n"
    << "helpline_redis_errors_total " << redis_errors_.load() << "\n"
    << "# HELP helpline_open_connections Open HTTP connections.\n"
    << "# TYPE helpline_open_connections gauge\n"
    << "helpline_open_connections " << connections_.load() << "\n";
  return o.str();
}

}  // namespace helpline::daemon
