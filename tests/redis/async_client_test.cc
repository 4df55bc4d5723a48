// AsyncClient against a real redis-server (tests/support/redis_server.h). The
// test thread runs the io_context with deadlines; faults are injected from a
// second, plain blocking hiredis connection (CLIENT KILL, CLIENT PAUSE) or by
// killing the server.

#include "redis/async_client.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "redis/errors.h"
#include "redis/faults.h"
#include "redis/script.h"
#include "redis/url.h"
#include "tests/support/process.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::redis {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using helpline::testing::RawRedis;
using helpline::testing::RedisServer;
using helpline::testing::Reply;
using Clock = std::chrono::steady_clock;

// ---- helpers ---------------------------------------------------------------

redis::Url UrlOf(const std::string& url) {
  auto parsed = redis::ParseUrl(url);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : redis::Url{};
}

// The outcome of one command, as its callback saw it.
struct Outcome {
  int calls = 0;
  std::optional<Result<Value>> result;

  AsyncClient::Callback Callback() {
    return [this](Result<Value> r) {
      ++calls;
      result.emplace(std::move(r));
    };
  }
  bool done() const { return calls > 0; }
  bool ok() const { return result.has_value() && result->ok(); }
  const Value& value() const { return result->value(); }
  const Status& status() const { return result->status(); }
};

class AsyncClientTest : public ::testing::Test {
 protected:
  AsyncClientTest() : work_(boost::asio::make_work_guard(io_)) {}

  // Runs the loop until `pred` holds; false after `timeout`.
  template <typename Pred>
  bool RunUntil(Pred pred, std::chrono::milliseconds timeout = 5000ms) {
    const auto until = Clock::now() + timeout;
    while (!pred()) {
      if (Clock::now() >= until) return false;
      io_.run_one_until(until);
    }
    return true;
  }
  // Runs the loop for `d` (the work guard keeps it busy until then).
  void RunFor(std::chrono::milliseconds d) { io_.run_for(d); }

  std::unique_ptr<AsyncClient> Connect(const std::string& url, AsyncClient::Options options = {}) {
    auto redis = std::make_unique<AsyncClient>(io_, UrlOf(url), options);
    redis->Start();
    EXPECT_TRUE(RunUntil([&] { return redis->connected(); })) << redis->last_error();
    return redis;
  }

  // Runs one command to completion (5 s deadline).
  Outcome Run(AsyncClient& redis, std::vector<std::string> args) {
    Outcome out;
    redis.Command(std::move(args), out.Callback());
    EXPECT_TRUE(RunUntil([&] { return out.done(); }));
    return out;
  }

  RedisServer server_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
};

// ---- round trips -------------------------------------------------------------

TEST_F(AsyncClientTest, ACommandBeforeStartFailsFastWithUnavailableAndNeverReentrantly) {
  AsyncClient redis(io_, UrlOf(server_.Url()));
  Outcome out;
  redis.Command({"PING"}, out.Callback());
  EXPECT_EQ(out.calls, 0) << "the callback ran inside Command()";
  io_.poll();
  ASSERT_EQ(out.calls, 1);
  EXPECT_EQ(out.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(out.status().message(), "redis: not connected");
  EXPECT_FALSE(redis.connected());
  EXPECT_EQ(redis.errors(), 1u);
}

TEST_F(AsyncClientTest, AnEmptyCommandIsAnInvalidArgument) {
  auto redis = Connect(server_.Url());
  Outcome out = Run(*redis, {});
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AsyncClientTest, BinaryValuesRoundTripByteForByte) {
  auto redis = Connect(server_.Url());
  const std::string key = "k\0ey\r\n"s;
  const std::string value = "a\0b\r\n$3\r\n\xff\xfe end"s;
  Outcome set = Run(*redis, {"SET", key, value});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set.value().type, Value::Type::kStatus);
  EXPECT_EQ(set.value().str, "OK");

  Outcome get = Run(*redis, {"GET", key});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get.value().type, Value::Type::kString);
  EXPECT_EQ(get.value().str, value);

  Outcome missing = Run(*redis, {"GET", "no such key"});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing.value().is_nil());
}

TEST_F(AsyncClientTest, ACommandGivenAsViewsIsSentByteForByteAndTheViewsMayGoWhenTheCallReturns) {
  auto redis = Connect(server_.Url());
  RawRedis raw(server_.socket_path());
  Outcome set, get;
  {
    std::string key = "views:a key longer than the small-string buffer";
    std::string value = "\r\n$3\r\n*1\0end"s + std::string(1000, 'x');
    std::vector<std::string_view> args{"SET", key, value};
    redis->Command(std::span<const std::string_view>(args), set.Callback());
    std::fill(key.begin(), key.end(), '?');  // the command was formatted in the call
    std::fill(value.begin(), value.end(), '?');
  }
  const std::string_view empty_args[] = {"SET", "views:empty", ""};
  redis->Command(std::span<const std::string_view>(empty_args), get.Callback());
  ASSERT_TRUE(RunUntil([&] { return set.done() && get.done(); }));
  ASSERT_TRUE(set.ok() && get.ok());
  EXPECT_EQ(raw.Str({"GET", "views:a key longer than the small-string buffer"}),
            "\r\n$3\r\n*1\0end"s + std::string(1000, 'x'));
  EXPECT_EQ(raw.Int({"EXISTS", "views:empty"}), 1);
  EXPECT_EQ(raw.Str({"GET", "views:empty"}), "");
}

TEST_F(AsyncClientTest, TheLatencyObserverSeesEveryCommandBeforeItsCallbackFailedOnesToo) {
  std::vector<double> seen;
  AsyncClient::Options options;
  options.observe_latency = [&](double seconds) { seen.push_back(seconds); };
  auto redis = Connect(server_.Url(), options);
  Outcome ping;
  redis->Command({"PING"}, [&](Result<Value> r) {
    EXPECT_EQ(seen.size(), 1u) << "observed before the callback runs";
    ping.Callback()(std::move(r));
  });
  ASSERT_TRUE(RunUntil([&] { return ping.done(); }));
  EXPECT_TRUE(ping.ok());
  Outcome blocked = Run(*redis, {"BLPOP", "no such list", "0.05"});  // the server waits 50 ms
  EXPECT_TRUE(blocked.ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(seen[0], 0.0);
  EXPECT_GE(seen[1], 0.05) << "the server's 50 ms are in the measure";
  EXPECT_LT(seen[1], 5.0);
  Outcome empty = Run(*redis, {});
  EXPECT_FALSE(empty.ok());
  EXPECT_EQ(seen.size(), 3u);
}

// A sent command failed by a lost connection is observed once, before its
// callback, like one answered; the handshake of the next link is not.
TEST_F(AsyncClientTest, TheLatencyObserverSeesASentCommandFailedByALostConnectionOnce) {
  std::vector<double> seen;
  AsyncClient::Options options;
  options.command_timeout_ms = 30000;
  options.reconnect_min_ms = 20;
  options.observe_latency = [&](double seconds) { seen.push_back(seconds); };
  auto redis = Connect(server_.Url(), options);
  const std::size_t before = seen.size();
  Outcome blocked;
  redis->Command({"BLPOP", "never", "20"}, [&](Result<Value> r) {
    EXPECT_EQ(seen.size(), before + 1) << "observed before the callback runs";
    blocked.Callback()(std::move(r));
  });
  RunFor(50ms);  // let it reach the server
  ASSERT_FALSE(blocked.done());
  RawRedis raw(server_.socket_path());
  ASSERT_EQ(raw.Run({"CLIENT", "KILL", "TYPE", "normal"})->type, REDIS_REPLY_INTEGER);
  ASSERT_TRUE(RunUntil([&] { return blocked.done(); }));
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable);
  ASSERT_EQ(seen.size(), before + 1);
  EXPECT_GE(seen.back(), 0.04) << "from Command() to the failure, the 50 ms included";
  ASSERT_TRUE(RunUntil([&] { return redis->connected(); })) << redis->last_error();
  EXPECT_EQ(seen.size(), before + 1) << "the new link's handshake is not observed";
  EXPECT_EQ(Run(*redis, {"PING"}).value().str, "PONG");
  EXPECT_EQ(seen.size(), before + 2);
}

TEST_F(AsyncClientTest, IntegersArraysAndNilsAreCopiedFaithfully) {
  auto redis = Connect(server_.Url());
  Outcome push = Run(*redis, {"RPUSH", "list", "one", "", "three"});
  ASSERT_TRUE(push.ok());
  EXPECT_EQ(push.value().type, Value::Type::kInteger);
  EXPECT_EQ(push.value().integer, 3);

  Outcome range = Run(*redis, {"EVAL", "return {1, 'two', {false, 'x'}}", "0"});
  ASSERT_TRUE(range.ok());
  const Value& v = range.value();
  ASSERT_EQ(v.type, Value::Type::kArray);
  ASSERT_EQ(v.elements.size(), 3u);
  EXPECT_EQ(v.elements[0].integer, 1);
  EXPECT_EQ(v.elements[1].str, "two");
  ASSERT_EQ(v.elements[2].elements.size(), 2u);
  EXPECT_TRUE(v.elements[2].elements[0].is_nil());
  EXPECT_EQ(v.elements[2].elements[1].str, "x");
}

TEST_F(AsyncClientTest, ErrorRepliesAreValuesOfTypeErrorIncludingAScriptsOwnError) {
  auto redis = Connect(server_.Url());
  Outcome wrong = Run(*redis, {"NOSUCHCOMMAND"});
  ASSERT_TRUE(wrong.ok()) << "an error reply is an answer, not a Status";
  EXPECT_TRUE(wrong.value().is_error());
  EXPECT_TRUE(wrong.value().str.starts_with("ERR unknown command")) << wrong.value().str;

  Outcome script = Run(*redis, {"EVAL", "return redis.error_reply('MYERR the script says no')", "0"});
  ASSERT_TRUE(script.ok());
  EXPECT_TRUE(script.value().is_error());
  EXPECT_EQ(script.value().str, "MYERR the script says no");

  Outcome raised = Run(*redis, {"EVAL", "error('boom')", "0"});
  ASSERT_TRUE(raised.ok());
  EXPECT_TRUE(raised.value().is_error());
  EXPECT_NE(raised.value().str.find("boom"), std::string::npos) << raised.value().str;

  // The connection is still good afterwards.
  EXPECT_EQ(Run(*redis, {"PING"}).value().str, "PONG");
  EXPECT_EQ(redis->errors(), 0u);
}

TEST_F(AsyncClientTest, TenThousandPipelinedIncrsAreAllAnsweredInOrder) {
  auto redis = Connect(server_.Url());
  constexpr int kCount = 10000;
  std::vector<long long> seen;
  seen.reserve(kCount);
  int failures = 0;
  for (int i = 0; i < kCount; ++i) {
    redis->Command({"INCR", "counter"}, [&](Result<Value> r) {
      if (!r.ok() || r->type != Value::Type::kInteger) {
        ++failures;
        return;
      }
      seen.push_back(r->integer);
    });
  }
  ASSERT_TRUE(RunUntil([&] { return static_cast<int>(seen.size()) + failures == kCount; }, 20000ms));
  EXPECT_EQ(failures, 0);
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(seen[static_cast<std::size_t>(i)], i + 1) << "at " << i;
}

TEST_F(AsyncClientTest, WithAWriteBatchCommandsReachRedisBeforeTheLoopTurns) {
  auto redis = Connect(server_.Url(), AsyncClient::Options{.write_batch = 2});
  RawRedis raw(server_.socket_path());
  Outcome first, second;
  redis->Command({"SET", "early", "1"}, first.Callback());
  redis->Command({"SET", "early", "2"}, second.Callback());
  // The loop has not turned, yet Redis has both (polled from another connection).
  const auto until = Clock::now() + 5000ms;
  while (raw.Str({"GET", "early"}) != "2" && Clock::now() < until) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(raw.Str({"GET", "early"}), "2");
  EXPECT_FALSE(first.done());  // callbacks still run only on the loop
  ASSERT_TRUE(RunUntil([&] { return second.done(); }));
  EXPECT_TRUE(first.ok() && second.ok());
}

TEST_F(AsyncClientTest, WithoutAWriteBatchCommandsWaitForTheLoopToTurn) {
  auto redis = Connect(server_.Url(), AsyncClient::Options{.write_batch = 0});
  RawRedis raw(server_.socket_path());
  Outcome out;
  for (int i = 0; i < 8; ++i) redis->Command({"INCR", "late"}, out.Callback());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(raw.Int({"EXISTS", "late"}), 0);
  ASSERT_TRUE(RunUntil([&] { return out.calls == 8; }));
  EXPECT_EQ(raw.Str({"GET", "late"}), "8");
}

TEST_F(AsyncClientTest, BackgroundCommandsWaitForTheLoopOrGoOutWithTheNextEarlyWriteInOrder) {
  auto redis = Connect(server_.Url(), AsyncClient::Options{.write_batch = 2});
  RawRedis raw(server_.socket_path());
  std::vector<std::string> order;
  auto note = [&order](std::string what) {
    return [&order, what](Result<Value> r) { order.push_back(r.ok() ? what : what + " failed"); };
  };
  // Three background commands alone never start a write.
  for (int i = 0; i < 3; ++i)
    redis->Command({"RPUSH", "bg", "b"s + std::to_string(i)}, note("b"s + std::to_string(i)),
                   AsyncClient::Urgency::kBackground);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(raw.Int({"EXISTS", "bg"}), 0);
  // Two awaited ones start the early write, which takes the background ones along, first.
  redis->Command({"RPUSH", "bg", "a0"}, note("a0"));
  redis->Command({"RPUSH", "bg", "a1"}, note("a1"));
  const auto until = Clock::now() + 5000ms;
  while (raw.Int({"LLEN", "bg"}) != 5 && Clock::now() < until) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(raw.Int({"LLEN", "bg"}), 5);
  EXPECT_TRUE(order.empty());  // callbacks still run only on the loop
  // A background command alone goes out when the loop turns.
  redis->Command({"RPUSH", "bg", "b3"}, note("b3"), AsyncClient::Urgency::kBackground);
  ASSERT_TRUE(RunUntil([&] { return order.size() == 6; }));
  EXPECT_EQ(order, (std::vector<std::string>{"b0", "b1", "b2", "a0", "a1", "b3"}));
  Reply list = raw.Run({"LRANGE", "bg", "0", "-1"});
  ASSERT_EQ(list->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(list->elements, 6u);
  EXPECT_EQ(std::string(list->element[0]->str), "b0");
  EXPECT_EQ(std::string(list->element[5]->str), "b3");
}

TEST_F(AsyncClientTest, ABackgroundCommandFailsLikeAnyOtherWhenNotConnectedOrWhenTheConnectionIsKilled) {
  {
    AsyncClient stopped(io_, UrlOf(server_.Url()));
    Outcome early;
    stopped.Command({"SET", "k", "v"}, early.Callback(), AsyncClient::Urgency::kBackground);
    EXPECT_FALSE(early.done());  // never inside the call
    ASSERT_TRUE(RunUntil([&] { return early.done(); }));
    EXPECT_EQ(early.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(early.status().message(), "redis: not connected");
  }
  auto redis = Connect(server_.Url(), {.command_timeout_ms = 30000, .reconnect_min_ms = 20});
  Outcome blocked, behind;
  redis->Command({"BLPOP", "never", "20"}, blocked.Callback());
  redis->Command({"SET", "behind", "1"}, behind.Callback(), AsyncClient::Urgency::kBackground);
  RunFor(50ms);  // both reach the server; the SET waits behind the BLPOP
  ASSERT_FALSE(behind.done());
  RawRedis raw(server_.socket_path());
  ASSERT_EQ(raw.Run({"CLIENT", "KILL", "TYPE", "normal"})->type, REDIS_REPLY_INTEGER);
  ASSERT_TRUE(RunUntil([&] { return blocked.done() && behind.done(); }));
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(behind.status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(RunUntil([&] { return redis->connected(); })) << redis->last_error();
  Outcome after;
  redis->Command({"SET", "after", "1"}, after.Callback(), AsyncClient::Urgency::kBackground);
  ASSERT_TRUE(RunUntil([&] { return after.done(); }));
  EXPECT_TRUE(after.ok());
  EXPECT_EQ(raw.Str({"GET", "after"}), "1");
}

// ---- handshake ---------------------------------------------------------------

TEST_F(AsyncClientTest, AuthAndSelectRunBeforeTheFirstCommand) {
  RawRedis raw(server_.socket_path());
  ASSERT_EQ(std::string(raw.Run({"CONFIG", "SET", "requirepass", "s3cret pass"})->str), "OK");
  auto redis = Connect(server_.Url() + "?db=3&password=s3cret%20pass");
  ASSERT_TRUE(redis->connected());
  ASSERT_TRUE(Run(*redis, {"SET", "where", "db3"}).ok());

  // The raw connection predates requirepass and stays authenticated.
  ASSERT_EQ(std::string(raw.Run({"SELECT", "3"})->str), "OK");
  Reply r = raw.Run({"GET", "where"});
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(r->str, r->len), "db3");
}

TEST_F(AsyncClientTest, AWrongPasswordKeepsItDisconnectedAndSaysWhyWithoutThePassword) {
  RawRedis raw(server_.socket_path());
  ASSERT_EQ(std::string(raw.Run({"CONFIG", "SET", "requirepass", "right"})->str), "OK");
  AsyncClient redis(io_, UrlOf(server_.Url() + "?password=wrongpw"), {.reconnect_min_ms = 10, .reconnect_max_ms = 50});
  redis.Start();
  ASSERT_TRUE(RunUntil([&] { return redis.reconnects() >= 2; }));
  EXPECT_FALSE(redis.connected());
  EXPECT_NE(redis.last_error().find("AUTH failed"), std::string::npos) << redis.last_error();
  EXPECT_EQ(redis.last_error().find("wrongpw"), std::string::npos) << redis.last_error();
  EXPECT_GE(redis.errors(), 2u);
}

TEST_F(AsyncClientTest, AnUnreachableTcpServerIsRetriedWithBackoff) {
  // A port nothing listens on: bound, never listened to, closed.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);

  AsyncClient redis(io_, UrlOf("redis://localhost:" + std::to_string(port)),
                    {.reconnect_min_ms = 20, .reconnect_max_ms = 80});
  redis.Start();
  const auto start = Clock::now();
  ASSERT_TRUE(RunUntil([&] { return redis.reconnects() >= 4; }));
  ::close(fd);
  // Four waits of at least 10, 20, 40 and 40 ms (half of each capped delay).
  EXPECT_GE(Clock::now() - start, 110ms);
  EXPECT_FALSE(redis.connected());
  EXPECT_NE(redis.last_error().find("refused"), std::string::npos) << redis.last_error();
}

TEST_F(AsyncClientTest, ATcpServerFoundByHostNameWorks) {
  // A second redis-server on a free TCP port (picked by binding port 0).
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  ::close(fd);
  helpline::testing::BackgroundProcess tcp_server({"/usr/bin/redis-server", "--port", port, "--bind", "127.0.0.1",
                                                   "--save", "", "--appendonly", "no", "--dir", "/tmp"});
  ASSERT_NE(tcp_server.WaitForLine("Ready to accept connections", 10000), "") << tcp_server.Stderr();

  auto redis = Connect("redis://localhost:" + port + "/2");
  ASSERT_TRUE(redis->connected()) << redis->last_error();
  Outcome set = Run(*redis, {"SET", "k", "v"});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(Run(*redis, {"GET", "k"}).value().str, "v");
}

// ---- failures ----------------------------------------------------------------

TEST_F(AsyncClientTest, ACommandPastItsTimeoutFailsExactlyOnceAndTheConnectionRecovers) {
  auto redis = Connect(server_.Url(), {.command_timeout_ms = 200, .reconnect_min_ms = 20});
  RawRedis raw(server_.socket_path());
  ASSERT_EQ(raw.Run({"CLIENT", "PAUSE", "700"})->type, REDIS_REPLY_STATUS);

  Outcome stuck;
  Outcome behind;
  const auto start = Clock::now();
  redis->Command({"GET", "k"}, stuck.Callback());
  redis->Command({"GET", "k"}, behind.Callback());
  ASSERT_TRUE(RunUntil([&] { return stuck.done() && behind.done(); }));
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 190ms);
  EXPECT_LT(waited, 600ms);
  EXPECT_EQ(stuck.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(stuck.status().message(), "redis: timeout");
  EXPECT_EQ(behind.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(redis->connected());

  // After the pause the real replies would have come: they must not reach the callbacks.
  RunFor(700ms);
  EXPECT_EQ(stuck.calls, 1);
  EXPECT_EQ(behind.calls, 1);

  ASSERT_TRUE(RunUntil([&] { return redis->connected(); })) << redis->last_error();
  EXPECT_GE(redis->reconnects(), 1u);
  EXPECT_NE(redis->last_error().find("timed out"), std::string::npos) << redis->last_error();
  EXPECT_EQ(Run(*redis, {"PING"}).value().str, "PONG");
}

TEST_F(AsyncClientTest, AKilledConnectionFailsPendingCommandsAndComesBackAfterBackoff) {
  auto redis = Connect(server_.Url(), {.command_timeout_ms = 30000, .reconnect_min_ms = 20});
  Outcome blocked;
  redis->Command({"BLPOP", "never", "20"}, blocked.Callback());
  RunFor(50ms);  // let it reach the server
  ASSERT_FALSE(blocked.done());

  RawRedis raw(server_.socket_path());
  Reply killed = raw.Run({"CLIENT", "KILL", "TYPE", "normal"});
  ASSERT_EQ(killed->type, REDIS_REPLY_INTEGER);
  EXPECT_GE(killed->integer, 1);

  ASSERT_TRUE(RunUntil([&] { return blocked.done(); }));
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(blocked.status().message().starts_with("redis: connection lost")) << blocked.status().message();
  EXPECT_FALSE(redis->connected());

  ASSERT_TRUE(RunUntil([&] { return redis->connected(); })) << redis->last_error();
  EXPECT_EQ(redis->reconnects(), 1u);
  EXPECT_EQ(Run(*redis, {"PING"}).value().str, "PONG");
}

TEST_F(AsyncClientTest, AKilledServerFailsPendingCommandsAndLeavesItDisconnected) {
  auto redis = Connect(server_.Url(), {.command_timeout_ms = 30000, .reconnect_min_ms = 10, .reconnect_max_ms = 40});
  Outcome blocked;
  redis->Command({"BLPOP", "never", "20"}, blocked.Callback());
  RunFor(50ms);
  server_.Kill();

  ASSERT_TRUE(RunUntil([&] { return blocked.done(); }));
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(redis->connected());

  // It keeps trying, and commands fail fast meanwhile.
  ASSERT_TRUE(RunUntil([&] { return redis->reconnects() >= 3; }));
  EXPECT_FALSE(redis->connected());
  const auto start = Clock::now();
  Outcome later = Run(*redis, {"PING"});
  EXPECT_LT(Clock::now() - start, 500ms);  // no waiting for a connection
  EXPECT_EQ(later.status().message(), "redis: not connected");
}

// ---- Stop --------------------------------------------------------------------

TEST_F(AsyncClientTest, StopFailsPendingCommandsLaterIsIdempotentAndAllowsARestart) {
  auto redis = Connect(server_.Url(), {.command_timeout_ms = 30000});
  std::vector<Outcome> outcomes(4);
  redis->Command({"BLPOP", "never", "20"}, outcomes[0].Callback());
  for (std::size_t i = 1; i < outcomes.size(); ++i) redis->Command({"PING"}, outcomes[i].Callback());

  redis->Stop();
  for (const Outcome& o : outcomes) EXPECT_EQ(o.calls, 0) << "a callback ran inside Stop()";
  EXPECT_FALSE(redis->connected());
  redis->Stop();
  ASSERT_TRUE(RunUntil([&] {
    for (const Outcome& o : outcomes) {
      if (!o.done()) return false;
    }
    return true;
  }));
  for (const Outcome& o : outcomes) {
    EXPECT_EQ(o.calls, 1);
    EXPECT_EQ(o.status().message(), "redis: stopped");
  }
  EXPECT_EQ(Run(*redis, {"PING"}).status().message(), "redis: not connected");

  redis->Start();
  ASSERT_TRUE(RunUntil([&] { return redis->connected(); }));
  EXPECT_EQ(Run(*redis, {"PING"}).value().str, "PONG");
}

TEST_F(AsyncClientTest, DestroyingItWithPendingCommandsFailsThemOnTheLoop) {
  auto redis = Connect(server_.Url(), {.command_timeout_ms = 30000});
  Outcome blocked;
  redis->Command({"BLPOP", "never", "20"}, blocked.Callback());
  RunFor(20ms);
  redis.reset();
  EXPECT_EQ(blocked.calls, 0);
  ASSERT_TRUE(RunUntil([&] { return blocked.done(); }));
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable);
  RunFor(50ms);  // stale handlers run against nothing
}

TEST_F(AsyncClientTest, StopFromInsideAReplyCallbackIsSafe) {
  auto redis = Connect(server_.Url());
  Outcome second;
  int first_calls = 0;
  redis->Command({"PING"}, [&](Result<Value> r) {
    ++first_calls;
    EXPECT_TRUE(r.ok());
    redis->Stop();
  });
  redis->Command({"PING"}, second.Callback());
  ASSERT_TRUE(RunUntil([&] { return second.done(); }));
  EXPECT_EQ(first_calls, 1);
  EXPECT_EQ(second.calls, 1);
  RunFor(50ms);
  EXPECT_FALSE(redis->connected());
}

// ---- pub/sub -----------------------------------------------------------------

TEST_F(AsyncClientTest, PubSubReceivesPublishedMessagesAndResubscribesAfterItsConnectionIsKilled) {
  AsyncClient redis(io_, UrlOf(server_.Url()), {.reconnect_min_ms = 20});
  std::vector<std::string> messages;
  int subscribed = 0;
  redis.Subscribe(
      "hl:dir:events", [&](std::string m) { messages.push_back(std::move(m)); }, [&] { ++subscribed; });
  redis.Start();
  ASSERT_TRUE(RunUntil([&] { return subscribed == 1; }));

  RawRedis raw(server_.socket_path());
  const std::string payload = "42\0\xff"s;
  EXPECT_EQ(raw.Run({"PUBLISH", "hl:dir:events", payload})->integer, 1);
  EXPECT_EQ(raw.Run({"PUBLISH", "other", "x"})->integer, 0);
  ASSERT_TRUE(RunUntil([&] { return messages.size() == 1; }));
  EXPECT_EQ(messages[0], payload);

  Reply killed = raw.Run({"CLIENT", "KILL", "TYPE", "pubsub"});
  EXPECT_EQ(killed->integer, 1);
  ASSERT_TRUE(RunUntil([&] { return subscribed == 2; })) << redis.last_error();
  EXPECT_EQ(raw.Run({"PUBLISH", "hl:dir:events", "43"})->integer, 1);
  ASSERT_TRUE(RunUntil([&] { return messages.size() == 2; }));
  EXPECT_EQ(messages[1], "43");
  EXPECT_TRUE(redis.connected()) << "the command connection was not touched";
}

TEST_F(AsyncClientTest, ASubscriptionAddedWhileRunningWorksBesideCommands) {
  auto redis = Connect(server_.Url());
  std::vector<std::string> a;
  std::vector<std::string> b;
  int subscribed = 0;
  redis->Subscribe(
      "a", [&](std::string m) { a.push_back(std::move(m)); }, [&] { ++subscribed; });
  ASSERT_TRUE(RunUntil([&] { return subscribed == 1; }));
  redis->Subscribe(
      "b", [&](std::string m) { b.push_back(std::move(m)); }, [&] { ++subscribed; });
  ASSERT_TRUE(RunUntil([&] { return subscribed == 2; }));

  // Published through the same AsyncClient's command connection.
  EXPECT_EQ(Run(*redis, {"PUBLISH", "b", "to b"}).value().integer, 1);
  EXPECT_EQ(Run(*redis, {"PUBLISH", "a", "to a"}).value().integer, 1);
  ASSERT_TRUE(RunUntil([&] { return a.size() == 1 && b.size() == 1; }));
  EXPECT_EQ(a[0], "to a");
  EXPECT_EQ(b[0], "to b");
}

// ---- scripts and injected faults ---------------------------------------------

TEST_F(AsyncClientTest, AScriptRunsByItsShaAfterOneEvalAndAgainAfterAScriptFlush) {
  auto redis = Connect(server_.Url());
  const Script incr("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  auto run = [&](std::string by) {
    Outcome out;
    incr.Run(*redis, {"1", "counter", std::move(by)}, out.Callback());
    EXPECT_TRUE(RunUntil([&] { return out.done(); }));
    return out;
  };
  Outcome first = run("2");  // NOSCRIPT on a fresh server, then EVAL
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first.value().integer, 2);
  RawRedis raw(server_.socket_path());
  Reply exists = raw.Run({"SCRIPT", "EXISTS", incr.sha1()});
  ASSERT_TRUE(exists && exists->elements == 1);
  EXPECT_EQ(exists->element[0]->integer, 1) << "EVAL cached it";
  EXPECT_EQ(run("3").value().integer, 5);
  raw.Run({"SCRIPT", "FLUSH"});
  EXPECT_EQ(run("4").value().integer, 9) << "NOSCRIPT after a flush is answered by one EVAL";
  EXPECT_EQ(redis->errors(), 0u);
}

TEST_F(AsyncClientTest, AnInjectedNoscriptIsAnsweredByEvalAndAnInjectedErrorReachesTheCaller) {
  auto faults = std::make_shared<Faults>();
  AsyncClient::Options options;
  options.faults = faults;
  auto redis = Connect(server_.Url(), options);
  const Script incr("return redis.call('INCR', KEYS[1])");
  auto run = [&] {
    Outcome out;
    incr.Run(*redis, {"1", "n"}, out.Callback());
    EXPECT_TRUE(RunUntil([&] { return out.done(); }));
    return out;
  };
  ASSERT_EQ(run().value().integer, 1);  // cached now
  faults->ReplyError("evalsha", "NOSCRIPT No matching script. Please use EVAL.");
  Outcome fallback = run();
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback.value().integer, 2) << "EVAL ran the script exactly once";

  faults->ReplyError("EVALSHA", "OOM command not allowed when used memory > 'maxmemory'.");
  Outcome oom = run();
  ASSERT_TRUE(oom.ok()) << "an injected error reply is an answer";
  ASSERT_TRUE(oom.value().is_error());
  EXPECT_TRUE(IsTransientError(oom.value().str));
  EXPECT_EQ(ErrorStatus("store", oom.value().str).code(), StatusCode::kUnavailable);

  faults->NoAnswer("GET");
  Outcome lost = Run(*redis, {"GET", "n"});
  ASSERT_TRUE(lost.done());
  EXPECT_EQ(lost.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(redis->errors(), 1u);
  EXPECT_EQ(Run(*redis, {"GET", "n"}).value().str, "2") << "the OOM reply was never sent: nothing ran";
  EXPECT_EQ(faults->armed(), 0);
}

}  // namespace
}  // namespace helpline::redis
