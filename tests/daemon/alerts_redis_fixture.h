#pragma once
// Shared by the alerts tests: a real redis-server, a redis::AsyncClient on a loop
// run with deadlines, and a scan of every key and value in Redis (for the
// "no plain number anywhere" checks).

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/alerts/number_cipher.h"
#include "daemon/alerts/report_store.h"
#include "daemon/alerts/subscriber_store.h"
#include "gateway/outbound.h"
#include "redis/async_client.h"
#include "redis/url.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::daemon::alerts {

// Names a provider for the outbox, which refuses messages no adapter could
// send; never asked to send (the tests start no outbox workers).
class QueueOnlyAdapter : public gateway::OutboundAdapter {
 public:
  explicit QueueOnlyAdapter(std::string name) : name_(std::move(name)) {}
  std::string_view provider() const override { return name_; }
  Result<gateway::OutboundRequest> BuildSend(const gateway::OutboundMessage&) const override {
    return FailedPrecondition("queue only");
  }
  gateway::DeliveryDecision ClassifySend(const gateway::HttpResult&) const override { return {}; }

 private:
  std::string name_;
};

class AlertsRedisTest : public ::testing::Test {
 protected:
  using Clock = std::chrono::steady_clock;
  AlertsRedisTest() : work_(boost::asio::make_work_guard(io_)), raw_(server_.socket_path()) {
    auto url = redis::ParseUrl(server_.Url());
    EXPECT_TRUE(url.ok());
    redis_ = std::make_unique<redis::AsyncClient>(io_, *url, redis::AsyncClient::Options{});
    redis_->Start();
    EXPECT_TRUE(RunUntil([&] { return redis_->connected(); })) << redis_->last_error();
  }

  template <typename Pred>
  bool RunUntil(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    const auto until = Clock::now() + timeout;
    while (!pred()) {
      if (Clock::now() >= until) return false;
      io_.run_one_until(until);
    }
    return true;
  }

  // Runs `start(callback)` and waits for the callback's value.
  template <typename T, typename Start>
  T Wait(Start start) {
    std::optional<T> out;
    start([&](T v) { out.emplace(std::move(v)); });
    EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
    if (!out) ADD_FAILURE() << "no answer";
    return std::move(*out);
  }

  // Three reports, oldest first: CA-BC "grey pills", US-WA "blue pills", CA-ON "green powder".
  void AddThreeReports() {
    ReportStore store(*redis_, ReportStoreOptions{});
    for (auto [region, text] : std::vector<std::pair<std::string, std::string>>{
             {"CA-BC", "grey pills"}, {"US-WA", "blue pills"}, {"CA-ON", "green powder"}}) {
      auto r =
          Wait<Result<Report>>([&](auto cb) { store.Add({.region = region, .language = "en", .text = text}, cb); });
      ASSERT_TRUE(r.ok()) << r.status().message();
    }
  }

  // Every key and every value in Redis (names, fields, members, stream
  // fields), as one text to search.
  std::string DumpAll() {
    std::string all;
    for (const std::string& key : raw_.AllKeys()) {
      all += key + "\n";
      const std::string type = raw_.Str({"TYPE", key});
      helpline::testing::Reply r;
      if (type == "string")
        r = raw_.Run({"GET", key});
      else if (type == "hash")
        r = raw_.Run({"HGETALL", key});
      else if (type == "set")
        r = raw_.Run({"SMEMBERS", key});
      else if (type == "zset")
        r = raw_.Run({"ZRANGE", key, "0", "-1", "WITHSCORES"});
      else if (type == "list")
        r = raw_.Run({"LRANGE", key, "0", "-1"});
      else if (type == "stream")
        r = raw_.Run({"XRANGE", key, "-", "+"});
      else
        ADD_FAILURE() << "unexpected type " << type << " for " << key;
      if (r) Append(r.get(), &all);
    }
    return all;
  }

  static void Append(const redisReply* r, std::string* out) {
    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) out->append(r->str, r->len).append("\n");
    if (r->type == REDIS_REPLY_ARRAY) {
      for (size_t i = 0; i < r->elements; ++i) Append(r->element[i], out);
    }
  }

  helpline::testing::RedisServer server_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  helpline::testing::RawRedis raw_;
  std::unique_ptr<redis::AsyncClient> redis_;
};

// The alerts key of the tests (HELPLINE_ALERTS_KEY's ID:hex form).
inline constexpr const char* kTestAlertsKey = "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// AlertsRedisTest with HELPLINE_ALERTS_KEY set (no old keys): the cipher
// from the environment and a subscriber store under "hl:".
class AlertsKeyedTest : public AlertsRedisTest {
 protected:
  AlertsKeyedTest() {
    setenv("HELPLINE_ALERTS_KEY", kTestAlertsKey, 1);
    unsetenv("HELPLINE_ALERTS_OLD_KEYS");
    cipher_ = std::make_unique<NumberCipher>(*NumberCipher::FromEnvironment());
    subs_ = std::make_unique<SubscriberStore>(*redis_, *cipher_, SubscriberStoreOptions{});
  }

  std::unique_ptr<NumberCipher> cipher_;
  std::unique_ptr<SubscriberStore> subs_;
};

}  // namespace helpline::daemon::alerts
