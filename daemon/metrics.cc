#include "daemon/metrics.h"

#include <sstream>
#include <string>

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

void Histogram::Observe(double seconds) {
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<std::uint64_t>(seconds > 0 ? seconds * 1e6 : 0), std::memory_order_relaxed);
}

void Histogram::Render(std::ostream& o, std::string_view name, std::string_view labels) const {
  const std::string sep = labels.empty() ? "" : std::string(labels) + ",";
  const std::string braces = labels.empty() ? "" : "{" + std::string(labels) + "}";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += buckets_[i].load();
    o << name << "_bucket{" << sep << "le=\"" << kBuckets[i] << "\"} " << cumulative << "\n";
  }
  cumulative += buckets_[kBuckets.size()].load();
  // The count is the +Inf bucket: read once, so the two always agree.
  o << name << "_bucket{" << sep << "le=\"+Inf\"} " << cumulative << "\n"
    << name << "_sum" << braces << " " << static_cast<double>(sum_us_.load()) / 1e6 << "\n"
    << name << "_count" << braces << " " << cumulative << "\n";
}

void Metrics::ObserveRequest(std::string_view route, double seconds) {
  requests_latency_.Observe(seconds);
  constexpr std::string_view kWebhook = "webhook_";
  if (!route.starts_with(kWebhook)) return;
  const std::string_view provider = route.substr(kWebhook.size());
  Histogram* h = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = webhook_latency_.find(provider);
    if (it == webhook_latency_.end()) {
      it = webhook_latency_.emplace(std::string(provider), std::make_unique<Histogram>()).first;
    }
    h = it->second.get();  // never removed: stable after the lock
  }
  h->Observe(seconds);
}

void Metrics::SetDirectory(std::int64_t version, std::size_t resources, std::int64_t oldest_verified_unix_s) {
  directory_version_.store(version);
  directory_resources_.store(static_cast<std::int64_t>(resources));
  directory_oldest_verified_s_.store(oldest_verified_unix_s);
}

void Metrics::SetOutboxGauges(std::optional<OutboxGauges> gauges) {
  std::lock_guard<std::mutex> lock(mu_);
  outbox_gauges_ = gauges;
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
    o << "# HELP helpline_webhook_duration_seconds Time to answer a provider's webhook, by provider.\n"
      << "# TYPE helpline_webhook_duration_seconds histogram\n";
    for (const auto& [provider, h] : webhook_latency_) {
      h->Render(o, "helpline_webhook_duration_seconds", "provider=\"" + provider + "\"");
    }
    if (outbox_gauges_) {
      o << "# HELP helpline_outbox_depth Outbox entries of all daemons by state: queued (waiting or being sent), "
           "retrying (waiting for a retry), dead (dead letters kept).\n"
        << "# TYPE helpline_outbox_depth gauge\n"
        << "helpline_outbox_depth{state=\"queued\"} " << outbox_gauges_->queued << "\n"
        << "helpline_outbox_depth{state=\"retrying\"} " << outbox_gauges_->retrying << "\n"
        << "helpline_outbox_depth{state=\"dead\"} " << outbox_gauges_->dead << "\n"
        << "# HELP helpline_outbox_oldest_age_seconds Age of the oldest queued outbox entry (0 when none).\n"
        << "# TYPE helpline_outbox_oldest_age_seconds gauge\n"
        << "helpline_outbox_oldest_age_seconds " << outbox_gauges_->oldest_age_s << "\n";
    }
  }
  o << "# HELP helpline_request_duration_seconds Time to answer a request.\n"
    << "# TYPE helpline_request_duration_seconds histogram\n";
  requests_latency_.Render(o, "helpline_request_duration_seconds", "");
  o << "# HELP helpline_redis_command_duration_seconds Redis commands of the event loops, from sending to the reply.\n"
    << "# TYPE helpline_redis_command_duration_seconds histogram\n";
  redis_commands_.Render(o, "helpline_redis_command_duration_seconds", "");
  o << "# HELP helpline_directory_loaded_timestamp_seconds When the served directory version was loaded into "
       "Redis (unix seconds; 0: unknown, e.g. shipped files).\n"
    << "# TYPE helpline_directory_loaded_timestamp_seconds gauge\n"
    << "helpline_directory_loaded_timestamp_seconds " << directory_loaded_s_.load() << "\n"
    << "# HELP helpline_directory_oldest_verified_timestamp_seconds The oldest verified date among the served "
       "active resources (unix seconds of that day).\n"
    << "# TYPE helpline_directory_oldest_verified_timestamp_seconds gauge\n"
    << "helpline_directory_oldest_verified_timestamp_seconds " << directory_oldest_verified_s_.load() << "\n"
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

std::int64_t OldestVerifiedUnixSeconds(const directory::DirectoryIndex& index) {
  std::optional<long> oldest;
  for (const directory::Resource& r : index.resources()) {
    if (r.status != directory::ResourceStatus::kActive) continue;
    const std::optional<long> days = directory::DaysFromDate(r.verified);
    if (days && (!oldest || *days < *oldest)) oldest = days;
  }
  return oldest ? static_cast<std::int64_t>(*oldest) * 86400 : 0;
}

}  // namespace helpline::daemon
