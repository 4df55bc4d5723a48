// CurlMulti against the in-process fake provider (tests/support/fake_provider):
// real sockets on loopback, the loop run with deadlines.

#include "daemon/curl_multi.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/support/fake_provider.h"

namespace helpline::daemon {
namespace {

using namespace std::chrono_literals;
using gateway::HttpResult;
using gateway::OutboundRequest;
using helpline::testing::FakeProvider;
using helpline::testing::FakeProviderPolicy;
using helpline::testing::FakeRequest;
using helpline::testing::FakeResponse;
using Clock = std::chrono::steady_clock;

class CurlMultiTest : public ::testing::Test {
 protected:
  template <typename Pred>
  bool RunUntil(Pred pred, std::chrono::milliseconds timeout = 10000ms) {
    const auto until = Clock::now() + timeout;
    while (!pred()) {
      if (Clock::now() >= until) return false;
      io_.restart();
      io_.run_one_until(until);
    }
    return true;
  }

  HttpResult Call(OutboundRequest req, std::chrono::milliseconds timeout = 5000ms) {
    std::optional<HttpResult> out;
    http_.Perform(std::move(req), timeout, [&](HttpResult r) { out.emplace(std::move(r)); });
    EXPECT_FALSE(out.has_value()) << "the callback ran inside Perform()";
    EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
    return out.value_or(HttpResult{});
  }

  OutboundRequest Post(std::string path, std::string body = "x=1") {
    OutboundRequest r;
    r.url = provider_.Url(path);
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Idempotency-Key", path}};
    r.body = std::move(body);
    return r;
  }

  FakeProvider provider_;
  boost::asio::io_context io_;
  CurlMulti http_{io_};
};

TEST_F(CurlMultiTest, APostGetsTheStatusHeadersAndBodyAndTheServerSeesTheRequest) {
  provider_.SetHandler([](const FakeRequest&) {
    return FakeResponse{.status = 201, .headers = {{"X-Request-Id", "abc"}}, .body = R"({"sid":"SM1"})"};
  });
  HttpResult r = Call(Post("/v1/messages", "To=%2B1604&Body=hi"));
  ASSERT_TRUE(r.transport_ok) << r.error;
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"sid":"SM1"})");
  bool found = false;
  for (const auto& [k, v] : r.headers) found = found || (k == "X-Request-Id" && v == "abc");
  EXPECT_TRUE(found);

  std::vector<FakeRequest> seen = provider_.Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/v1/messages");
  EXPECT_EQ(seen[0].body, "To=%2B1604&Body=hi");
  EXPECT_EQ(seen[0].Header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen[0].Header("Expect"), "");
}

TEST_F(CurlMultiTest, GetAndOtherMethodsAreSentAsAsked) {
  OutboundRequest get{.method = "GET", .url = provider_.Url("/status"), .headers = {}, .body = ""};
  EXPECT_EQ(Call(get).status, 200);
  OutboundRequest del{.method = "DELETE", .url = provider_.Url("/thing"), .headers = {}, .body = ""};
  EXPECT_EQ(Call(del).status, 200);
  std::vector<FakeRequest> seen = provider_.Requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[1].method, "DELETE");
}

TEST_F(CurlMultiTest, ManyConcurrentRequestsAllCompleteOverFewReusedConnections) {
  provider_.SetPolicy({.delay_ms = 5});
  constexpr int kRequests = 500;
  int done = 0;
  int ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    http_.Perform(Post("/m/" + std::to_string(i)), 10000ms, [&](HttpResult r) {
      ++done;
      ok += r.transport_ok && r.status == 200 ? 1 : 0;
    });
  }
  EXPECT_EQ(http_.in_flight(), static_cast<std::size_t>(kRequests));
  ASSERT_TRUE(RunUntil([&] { return done == kRequests; }, 30000ms));
  EXPECT_EQ(ok, kRequests);
  EXPECT_EQ(provider_.delivered_total(), static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(http_.in_flight(), 0u);
  // Kept-alive connections are reused: a second wave opens no new ones.
  const std::uint64_t connections = provider_.connections();
  EXPECT_LE(connections, static_cast<std::uint64_t>(kRequests));
  done = 0;
  for (int i = 0; i < 50; ++i) {
    http_.Perform(Post("/again/" + std::to_string(i)), 10000ms, [&](HttpResult) { ++done; });
  }
  ASSERT_TRUE(RunUntil([&] { return done == 50; }));
  EXPECT_EQ(provider_.connections(), connections);
}

TEST_F(CurlMultiTest, SequentialRequestsReuseOneConnection) {
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Call(Post("/s/" + std::to_string(i))).status, 200);
  EXPECT_EQ(provider_.connections(), 1u);
}

TEST_F(CurlMultiTest, ASlowServerTimesOutAsATransportError) {
  provider_.SetPolicy({.delay_ms = 2000});
  const auto start = Clock::now();
  HttpResult r = Call(Post("/slow"), 200ms);
  EXPECT_FALSE(r.transport_ok);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST_F(CurlMultiTest, ARefusedConnectionIsATransportError) {
  // A port that was just free: bind, note it, close.
  std::uint16_t port = 0;
  {
    boost::asio::io_context tmp;
    boost::asio::ip::tcp::acceptor a(tmp, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  OutboundRequest req{
      .method = "POST", .url = "http://127.0.0.1:" + std::to_string(port) + "/x", .headers = {}, .body = "a"};
  HttpResult r = Call(req);
  EXPECT_FALSE(r.transport_ok);
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(CurlMultiTest, AConnectionClosedWithoutAnAnswerIsATransportError) {
  provider_.SetPolicy({.close_every = 1});
  HttpResult r = Call(Post("/close"));
  EXPECT_FALSE(r.transport_ok);
  EXPECT_FALSE(r.error.empty());
}

TEST_F(CurlMultiTest, ALargeBodyIsTruncatedToTheBoundAndTheConnectionStaysUsable) {
  CurlMulti small(io_, CurlMulti::Options{.max_body_bytes = 1000});
  const std::string big(3 << 20, 'z');  // 3 MiB
  provider_.SetHandler([&](const FakeRequest&) { return FakeResponse{.status = 200, .headers = {}, .body = big}; });
  std::optional<HttpResult> out;
  small.Perform(Post("/big"), 10000ms, [&](HttpResult r) { out.emplace(std::move(r)); });
  ASSERT_TRUE(RunUntil([&] { return out.has_value(); }));
  ASSERT_TRUE(out->transport_ok) << out->error;
  EXPECT_EQ(out->status, 200);
  EXPECT_EQ(out->body, std::string(1000, 'z'));

  // The default bound is 1 MiB.
  HttpResult r = Call(Post("/big2"));
  EXPECT_TRUE(r.transport_ok);
  EXPECT_EQ(r.body.size(), 1u << 20);
}

TEST_F(CurlMultiTest, AHeaderWithALineBreakIsRefusedNotSent) {
  OutboundRequest req = Post("/inject");
  req.headers.emplace_back("X-Evil", "a\r\nX-Injected: 1");
  HttpResult r = Call(req);
  EXPECT_FALSE(r.transport_ok);
  EXPECT_EQ(provider_.request_count(), 0u);
}

TEST_F(CurlMultiTest, NonHttpSchemesAreRefused) {
  OutboundRequest req{.method = "GET", .url = "file:///etc/passwd", .headers = {}, .body = ""};
  HttpResult r = Call(req);
  EXPECT_FALSE(r.transport_ok);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(CurlMultiTest, StopFailsInFlightTransfersWithStoppedAndRefusesNewOnes) {
  provider_.SetPolicy({.delay_ms = 5000});
  std::vector<HttpResult> results;
  for (int i = 0; i < 3; ++i) {
    http_.Perform(Post("/s" + std::to_string(i)), 10000ms, [&](HttpResult r) { results.push_back(std::move(r)); });
  }
  ASSERT_TRUE(RunUntil([&] { return provider_.request_count() == 3; }));
  http_.Stop();
  EXPECT_TRUE(results.empty()) << "callbacks ran inside Stop()";
  ASSERT_TRUE(RunUntil([&] { return results.size() == 3; }));
  for (const HttpResult& r : results) {
    EXPECT_FALSE(r.transport_ok);
    EXPECT_EQ(r.error, "stopped");
  }
  HttpResult after = Call(Post("/after"));
  EXPECT_EQ(after.error, "stopped");
}

TEST_F(CurlMultiTest, ACallbackMayStartTheNextRequest) {
  int chain = 0;
  std::function<void(HttpResult)> next = [&](HttpResult r) {
    ASSERT_TRUE(r.transport_ok);
    if (++chain < 10) http_.Perform(Post("/c" + std::to_string(chain)), 5000ms, next);
  };
  http_.Perform(Post("/c0"), 5000ms, next);
  ASSERT_TRUE(RunUntil([&] { return chain == 10; }));
  EXPECT_EQ(provider_.request_count(), 10u);
}

TEST_F(CurlMultiTest, DestroyingWithTransfersInFlightIsSafe) {
  provider_.SetPolicy({.delay_ms = 5000});
  int called = 0;
  {
    CurlMulti doomed(io_);
    for (int i = 0; i < 5; ++i) doomed.Perform(Post("/d" + std::to_string(i)), 10000ms, [&](HttpResult) { ++called; });
    ASSERT_TRUE(RunUntil([&] { return provider_.request_count() == 5; }));
  }
  ASSERT_TRUE(RunUntil([&] { return called == 5; }));
}

}  // namespace
}  // namespace helpline::daemon
