// outbox_bench: sends/s of the durable outbox (daemon/outbox.h) on loopback,
// against a reference of plain libcurl multi requests to the same server.
//
//   outbox_bench [N=50000] [in_flight=64]
//
// Starts a redis-server (unix socket) and the fake provider (one thread,
// tests/support/fake_provider.h), then, on one loop thread:
//   1. reference: N POSTs through CurlMulti, `in_flight` at a time;
//   2. enqueue:   N Outbox::Enqueue calls, 1000 outstanding at a time;
//   3. outbox:    Start() the workers and time until all N are sent (the
//                 stream empty, nothing pending).
// No failures are injected. Prints each rate and outbox/reference.

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "daemon/curl_multi.h"
#include "daemon/outbox.h"
#include "redis/async_client.h"
#include "redis/url.h"
#include "tests/support/fake_provider.h"
#include "tests/support/redis_server.h"

namespace {

using namespace helpline;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class BenchAdapter : public gateway::OutboundAdapter {
 public:
  explicit BenchAdapter(std::string url) : url_(std::move(url)) {}
  std::string_view provider() const override { return "fake"; }
  Result<gateway::OutboundRequest> BuildSend(const gateway::OutboundMessage& m) const override {
    gateway::OutboundRequest r;
    r.url = url_;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Idempotency-Key", m.id}};
    r.body = "To=" + m.to + "&From=" + m.from + "&Body=" + m.text;
    return r;
  }
  gateway::DeliveryDecision ClassifySend(const gateway::HttpResult& r) const override {
    gateway::DeliveryDecision d;
    if (!r.transport_ok || r.status == 429 || r.status >= 500) {
      d.verdict = gateway::DeliveryVerdict::kRetry;
    } else {
      d.verdict =
          r.status >= 200 && r.status <= 299 ? gateway::DeliveryVerdict::kSent : gateway::DeliveryVerdict::kFail;
    }
    d.reason = "fake " + std::to_string(r.status);
    return d;
  }

 private:
  std::string url_;
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

template <typename Pred>
bool RunUntil(boost::asio::io_context& io, Pred pred, std::chrono::seconds timeout) {
  const auto until = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() >= until) return false;
    io.restart();
    io.run_one_until(std::min(until, Clock::now() + 50ms));
  }
  return true;
}

gateway::OutboundMessage Message(int i) {
  return {.id = "fake:SM" + std::to_string(i),
          .provider = "fake",
          .channel = gateway::MessageChannel::kSms,
          .to = "+16045550123",
          .from = "+15005550006",
          .text = "Naloxone and a supervised consumption site near you: call 1-800-555-0199 (24/7)."};
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 50000;
  const int in_flight = argc > 2 ? std::atoi(argv[2]) : 64;
  if (n <= 0 || in_flight <= 0) {
    std::fprintf(stderr, "usage: outbox_bench [N] [in_flight]\n");
    return 2;
  }
  testing::RedisServer server;
  testing::FakeProvider provider({.honour_idempotency = false, .keep_requests = false});
  BenchAdapter adapter(provider.Url("/2010-04-01/Messages.json"));
  boost::asio::io_context io;

  // 1. Reference: plain CurlMulti, the same concurrency.
  double reference_rate = 0;
  {
    daemon::CurlMulti http(io);
    int started = 0;
    int done = 0;
    int failed = 0;
    std::function<void()> start_one = [&] {
      auto req = adapter.BuildSend(Message(started++));
      http.Perform(std::move(*req), 10s, [&](gateway::HttpResult r) {
        ++done;
        if (!r.transport_ok || r.status != 200) ++failed;
        if (started < n) start_one();
      });
    };
    const auto t0 = Clock::now();
    for (int i = 0; i < in_flight && started < n; ++i) start_one();
    if (!RunUntil(
            io, [&] { return done == n; }, 300s)) {
      std::fprintf(stderr, "reference: timed out at %d/%d\n", done, n);
      return 1;
    }
    const double s = Seconds(Clock::now() - t0);
    reference_rate = n / s;
    std::printf("reference (CurlMulti only):   %d requests in %.2f s = %.0f req/s (failed %d)\n", n, s, reference_rate,
                failed);
  }

  // 2. Enqueue, 3. send through the outbox.
  auto url = redis::ParseUrl(server.Url());
  redis::AsyncClient redis(io, *url, redis::AsyncClient::Options{.command_timeout_ms = 5000});
  redis.Start();
  if (!RunUntil(
          io, [&] { return redis.connected(); }, 10s)) {
    std::fprintf(stderr, "redis: %s\n", redis.last_error().c_str());
    return 1;
  }
  daemon::CurlMulti http(io);
  daemon::Outbox outbox(
      redis, http, {{"fake", &adapter}},
      daemon::OutboxOptions{.consumer = "bench:1:0", .max_in_flight = in_flight, .batch = in_flight, .log = false});
  int enqueued = 0;
  int answered = 0;
  int enqueue_failed = 0;
  std::function<void()> enqueue_one = [&] {
    outbox.Enqueue(Message(enqueued++), [&](Status s) {
      ++answered;
      if (!s.ok()) ++enqueue_failed;
      if (enqueued < n) enqueue_one();
    });
  };
  auto t0 = Clock::now();
  for (int i = 0; i < 1000 && enqueued < n; ++i) enqueue_one();
  if (!RunUntil(
          io, [&] { return answered == n; }, 300s)) {
    std::fprintf(stderr, "enqueue: timed out at %d/%d\n", answered, n);
    return 1;
  }
  double s = Seconds(Clock::now() - t0);
  std::printf("enqueue (Lua SET NX + XADD):  %d messages in %.2f s = %.0f msg/s (failed %d)\n", n, s, n / s,
              enqueue_failed);

  t0 = Clock::now();
  outbox.Start();
  if (!RunUntil(
          io, [&] { return outbox.stats().sent == static_cast<std::uint64_t>(n) && outbox.in_flight() == 0; }, 600s)) {
    std::fprintf(stderr, "outbox: timed out at %llu/%d\n", static_cast<unsigned long long>(outbox.stats().sent), n);
    return 1;
  }
  s = Seconds(Clock::now() - t0);
  const double outbox_rate = n / s;
  const daemon::OutboxStats st = outbox.stats();
  std::printf("outbox (fetch, send, ack):    %d messages in %.2f s = %.0f sends/s (retried %llu, dead %llu)\n", n, s,
              outbox_rate, static_cast<unsigned long long>(st.retried), static_cast<unsigned long long>(st.dead));
  std::printf("ratio outbox/reference:       %.2f\n", outbox_rate / reference_rate);
  std::printf("provider: %llu requests, %llu delivered, %llu connections\n",
              static_cast<unsigned long long>(provider.request_count()),
              static_cast<unsigned long long>(provider.delivered_total()),
              static_cast<unsigned long long>(provider.connections()));
  outbox.Stop();
  redis.Stop();
  return 0;
}
