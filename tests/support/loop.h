#pragma once
// Running an io_context in tests with deadlines, never sleeps: until a
// condition holds, and a redis::AsyncClient connected on it.
//
//   boost::asio::io_context io;
//   auto work = boost::asio::make_work_guard(io);
//   auto redis = ConnectOnLoop(io, server.Url(), redis::AsyncClient::Options{});
//   EXPECT_TRUE(RunLoopUntil(io, [&] { return answer.has_value(); }));
//
// Thread-safety: call from the thread that runs `io`.

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "redis/async_client.h"
#include "redis/url.h"

namespace helpline::testing {

// Runs `io` one handler at a time until `pred()` holds (true) or `timeout`
// passed (false).
template <typename Pred>
bool RunLoopUntil(boost::asio::io_context& io, Pred pred,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    io.run_one_until(until);
  }
  return true;
}

// A started client of the Redis at `url`, connected on `io` (a test failure,
// and null, when the URL does not parse or it does not connect within 5 s).
inline std::unique_ptr<redis::AsyncClient> ConnectOnLoop(boost::asio::io_context& io, const std::string& url,
                                                         redis::AsyncClient::Options options) {
  auto parsed = redis::ParseUrl(url);
  EXPECT_TRUE(parsed.ok());
  if (!parsed.ok()) return nullptr;
  auto redis = std::make_unique<redis::AsyncClient>(io, *parsed, std::move(options));
  redis->Start();
  EXPECT_TRUE(RunLoopUntil(io, [&] { return redis->connected(); })) << redis->last_error();
  return redis;
}

}  // namespace helpline::testing
