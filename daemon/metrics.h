#pragma once
// Counters and gauges for /metrics, in the Prometheus text format. Anything
// worth a warning in the logs also has a counter here. Labels come from
// closed sets (routes, outcomes), never from request data.
//
// Thread-safety: all methods may be called from any thread.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace helpline::daemon {

class Metrics {
 public:
  // route: "webhook_twilio", "lookup", "regions", "nearby", "find", "healthz", "readyz", "metrics", "other".
  void CountRequest(std::string_view route, int status);
  // outcome: "answered", "duplicate", "bad_signature", "malformed", "rate_limited",
  // "opted_out", "redis_unavailable", "state_not_stored" (503: a STOP/START,
  // language or region change Redis could not take), "bad_message_id" (400).
  void CountWebhook(std::string_view outcome);
  // A provider's delivery report for a message we sent; state: "queued",
  // "sent", "delivered", "failed", "undelivered", "unknown".
  void CountDelivery(std::string_view provider, std::string_view state);
  void ObserveLatency(double seconds);
  void SetDirectory(std::int64_t version, std::size_t resources);
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
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;  // guarded by mu_
  std::map<std::string, std::uint64_t> webhooks_;                  // guarded by mu_
  std::map<std::string, std::uint64_t> outbox_;                    // guarded by mu_
  std::map<std::pair<std::string, std::string>, std::uint64_t> deliveries_;  // guarded by mu_
  std::map<std::string, std::uint64_t> outbox_failures_;           // guarded by mu_
  std::string directory_source_ = "none";                          // guarded by mu_
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> latency_buckets_{};
  std::atomic<std::uint64_t> latency_count_{0};
  std::atomic<std::uint64_t> latency_sum_us_{0};
  std::atomic<std::int64_t> directory_version_{0};
  std::atomic<std::int64_t> directory_resources_{0};
  std::atomic<std::int64_t> redis_up_{0};
  std::atomic<std::uint64_t> redis_errors_{0};
  std::atomic<std::uint64_t> directory_swaps_{0};
  std::atomic<std::uint64_t> snapshot_warnings_{0};
  std::atomic<std::int64_t> connections_{0};
};

}  // namespace helpline::daemon
