#pragma once
// Counters, gauges and histograms for /metrics, in the Prometheus text
// format. Anything worth a warning in the logs also has a counter here.
// Labels come from closed sets (routes, providers, outcomes), never from
// request data. The full list, with what each means and the alert rules on
// them, is docs/OPERATIONS.md ("Metrics"); docs/prometheus/alerts.yml and
// docs/grafana/helpline.json use these names.
//
//   Metrics m;
//   m.ObserveRequest("webhook_twilio", 0.004);   // also helpline_webhook_duration_seconds{provider="twilio"}
//   m.ObserveRedisCommand(0.0002);
//   std::string text = m.Render();
//
// Thread-safety: all methods may be called from any thread.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "directory/index.h"

namespace helpline::daemon {

// A Prometheus histogram with fixed buckets (seconds), lock-free.
class Histogram {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void Observe(double seconds);
  // The _bucket, _sum and _count lines of `name`; `labels` is "" or
  // `provider="twilio"` (no braces).
  void Render(std::ostream& o, std::string_view name, std::string_view labels) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_us_{0};
};

// What the shared outbox holds (all daemons' work), read from Redis at each
// scrape (outbox_gauges.h).
struct OutboxGauges {
  std::int64_t queued = 0;    // in the stream: waiting for a worker or being sent
  std::int64_t retrying = 0;  // waiting for a retry (the retry set)
  std::int64_t dead = 0;      // in the dead-letter stream
  // Age of the oldest entry in the stream (since it was queued, or requeued
  // for a retry), 0 when empty.
  double oldest_age_s = 0;
};

class Metrics {
 public:
  // route: "webhook_twilio", "lookup", "regions", "nearby", "alerts", "alert_status", "alert_cancel", "reports",
  // "find", "healthz", "readyz", "metrics", "other".
  void CountRequest(std::string_view route, int status);
  // outcome: "answered", "duplicate", "bad_signature", "malformed", "rate_limited",
  // "opted_out", "redis_unavailable", "state_not_stored" (503: a STOP/START,
  // language or region change Redis could not take), "bad_message_id" (400).
  void CountWebhook(std::string_view outcome);
  // A provider's delivery report for a message we sent; state: "queued",
  // "sent", "delivered", "failed", "undelivered", "unknown".
  void CountDelivery(std::string_view provider, std::string_view state);
  // A request answered on `route` in `seconds`: helpline_request_duration_seconds,
  // and for "webhook_{provider}" routes helpline_webhook_duration_seconds{provider}.
  void ObserveRequest(std::string_view route, double seconds);
  // One Redis command of the daemon's loops, from sending to its reply (or failure).
  void ObserveRedisCommand(double seconds) { redis_commands_.Observe(seconds); }
  // The served directory: its version, size, and the oldest `verified` date of
  // its active resources (unix seconds of that day, 0 when none).
  void SetDirectory(std::int64_t version, std::size_t resources, std::int64_t oldest_verified_unix_s = 0);
  // When the served version was loaded into Redis (unix seconds; 0: unknown,
  // e.g. shipped files), set at each scrape.
  void SetDirectoryLoadedAt(std::int64_t unix_s) { directory_loaded_s_.store(unix_s); }
  // The outbox's gauges; nullopt when they could not be read (Redis down):
  // the series are left out rather than shown stale.
  void SetOutboxGauges(std::optional<OutboxGauges> gauges);
  void SetRedisUp(bool up) { redis_up_.store(up ? 1 : 0); }
  // Where the served directory came from: "redis", "disk_snapshot", "shipped_files".
  void SetDirectorySource(std::string_view source);
  // A disk snapshot that could not be written or read, shipped files that do not validate.
  void CountSnapshotWarning() { snapshot_warnings_.fetch_add(1); }
  void CountRedisError() { redis_errors_.fetch_add(1); }
  void CountDirectorySwap() { directory_swaps_.fetch_add(1); }
  void SetConnections(std::int64_t n) { connections_.store(n); }
  // event: "queued", "duplicate", "sent", "retried", "dead", "skipped", "reclaimed".
  void CountOutbox(std::string_view event);
  // reason class of a failed send: "transport", "http_429", "http_5xx", "http_4xx", "other".
  void CountOutboxFailure(std::string_view reason_class);

  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;                   // guarded by mu_
  std::map<std::string, std::uint64_t> webhooks_;                                   // guarded by mu_
  std::map<std::string, std::uint64_t> outbox_;                                     // guarded by mu_
  std::map<std::pair<std::string, std::string>, std::uint64_t> deliveries_;         // guarded by mu_
  std::map<std::string, std::uint64_t> outbox_failures_;                            // guarded by mu_
  std::string directory_source_ = "none";                                           // guarded by mu_
  std::map<std::string, std::unique_ptr<Histogram>, std::less<>> webhook_latency_;  // by provider; guarded by mu_
  std::optional<OutboxGauges> outbox_gauges_;                                       // guarded by mu_
  Histogram requests_latency_;
  Histogram redis_commands_;
  std::atomic<std::int64_t> directory_version_{0};
  std::atomic<std::int64_t> directory_oldest_verified_s_{0};
  std::atomic<std::int64_t> directory_loaded_s_{0};
  std::atomic<std::int64_t> directory_resources_{0};
  std::atomic<std::int64_t> redis_up_{0};
  std::atomic<std::uint64_t> redis_errors_{0};
  std::atomic<std::uint64_t> directory_swaps_{0};
  std::atomic<std::uint64_t> snapshot_warnings_{0};
  std::atomic<std::int64_t> connections_{0};
};

// The oldest `verified` date among `index`'s active resources, as unix
// seconds of that day (0 when none has a date), for SetDirectory().
std::int64_t OldestVerifiedUnixSeconds(const directory::DirectoryIndex& index);

}  // namespace helpline::daemon
