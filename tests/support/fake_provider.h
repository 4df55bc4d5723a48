#pragma once
// FakeProvider: a provider's REST API on loopback for tests and benchmarks.
// An HTTP/1.1 server (keep-alive) on 127.0.0.1, port 0 (the kernel picks),
// running on its own thread. It records every request and answers according
// to a policy, or to a handler the test installs.
//
//   FakeProvider provider;                                   // 200 {"ok":true}
//   provider.SetPolicy({.fail_every = 3, .fail_status = 503, .retry_after = "1"});
//   ... send to provider.Url("/messages") ...
//   ASSERT_TRUE(provider.WaitForDelivered(10, 5s));
//   EXPECT_EQ(provider.DeliveredCount("tw:SM1"), 1);
//
// Delivered ids. A request's id is the value of its `Idempotency-Key` header
// (FakeProviderPolicy::id_header), or "" without one. A request answered 2xx
// counts as one delivery of its id. With honour_idempotency (as Telnyx
// documents), a key that already got a 2xx gets that same response replayed,
// is not processed again and is not counted again (replays() counts those).
//
// Standalone: tests/support/fake_provider_main.cc wraps it as the
// `fake_provider` executable for end-to-end tests.
//
// Thread-safety: every method may be called from any thread; the handler and
// on_request callbacks run on the server's thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helpline::testing {

using FakeHeaders = std::vector<std::pair<std::string, std::string>>;

struct FakeRequest {
  std::uint64_t n = 0;  // 1-based arrival number
  std::string method;
  std::string target;
  FakeHeaders headers;
  std::string body;
  // The first header named `name` (ASCII case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct FakeResponse {
  int status = 200;
  FakeHeaders headers = {};  // Content-Type defaults to application/json
  std::string body = R"({"ok":true})";
  int delay_ms = 0;                   // answer after this long (the connection waits; others do not)
  bool close_without_answer = false;  // close the connection instead of answering
};

struct FakeProviderPolicy {
  // The normal answer.
  int status = 200;
  std::string body = R"({"ok":true})";
  FakeHeaders headers = {};
  int delay_ms = 0;
  // Every Nth request (N, 2N, ...) gets fail_status instead (0: never),
  // with Retry-After: retry_after when that is not empty.
  int fail_every = 0;
  int fail_status = 503;
  std::string retry_after = {};
  // Every Nth request is closed without an answer (0: never).
  int close_every = 0;
  // Replay 2xx responses for repeated idempotency keys (see above).
  bool honour_idempotency = true;
  std::string id_header = "Idempotency-Key";
  // Keep requests for Requests() (a benchmark may turn this off).
  bool keep_requests = true;
};

class FakeProvider {
 public:
  // Answers a request; overrides the policy's answer (not idempotency replays).
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  // Listens on 127.0.0.1:0 and starts the server thread; aborts if it cannot.
  explicit FakeProvider(FakeProviderPolicy policy = {});
  // Stops the thread and closes every connection.
  ~FakeProvider();
  FakeProvider(const FakeProvider&) = delete;
  FakeProvider& operator=(const FakeProvider&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:{port}{path}"
  std::string Url(std::string_view path = "/") const;

  void SetPolicy(FakeProviderPolicy policy);
  void SetHandler(Handler handler);  // nullptr: back to the policy
  // Called for every request, before it is answered (e.g. to log it).
  void SetOnRequest(std::function<void(const FakeRequest&)> on_request);

  std::vector<FakeRequest> Requests() const;
  std::uint64_t request_count() const;
  std::uint64_t replays() const;
  // id -> deliveries; DeliveredCount(id) for one; delivered_total() for all.
  std::map<std::string, int> Delivered() const;
  int DeliveredCount(const std::string& id) const;
  std::uint64_t delivered_total() const;
  // Connections accepted so far (to see keep-alive at work).
  std::uint64_t connections() const;

  // Wait, with a deadline, until request_count() >= n / delivered_total() >= n.
  bool WaitForRequests(std::uint64_t n, std::chrono::milliseconds timeout) const;
  bool WaitForDelivered(std::uint64_t n, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace helpline::testing
