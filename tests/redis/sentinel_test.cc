// Both clients in Sentinel mode against a real topology on loopback
// (tests/support/redis_sentinel.h): a primary, a replica and three
// sentinels. Each test fails the primary over (SENTINEL FAILOVER) or kills
// it and checks that the client finds the new primary.

#include "redis/sentinel.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include "redis/async_client.h"
#include "redis/blocking_client.h"
#include "redis/url.h"
#include "tests/support/redis_sentinel.h"

namespace helpline::redis {
namespace {

using namespace std::chrono_literals;
using helpline::testing::SentinelTopology;
using Clock = std::chrono::steady_clock;

Url UrlOf(const std::string& text) {
  Result<Url> url = ParseUrl(text);
  EXPECT_TRUE(url.ok()) << url.status().ToString();
  return url.ok() ? *url : Url{};
}

std::string Local(int port) { return "127.0.0.1:" + std::to_string(port); }

// ---- pure helpers ----------------------------------------------------------

TEST(SentinelReplies, ParseTheMasterAddressRoleAndSwitchMessage) {
  Value addr{
      Value::Type::kArray, 0, "", {{Value::Type::kString, 0, "10.1.2.3", {}}, {Value::Type::kString, 0, "6380", {}}}};
  Result<Endpoint> e = ParseMasterAddr(addr);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->host, "10.1.2.3");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(ParseMasterAddr(Value{}).status().code(), StatusCode::kNotFound);
  addr.elements[1].str = "99999";
  EXPECT_FALSE(ParseMasterAddr(addr).ok());

  Value role{Value::Type::kArray, 0, "", {{Value::Type::kString, 0, "slave", {}}}};
  EXPECT_EQ(CheckPrimaryRole(role).code(), StatusCode::kFailedPrecondition);
  role.elements[0].str = "master";
  EXPECT_TRUE(CheckPrimaryRole(role).ok());

  Result<Endpoint> moved = ParseSwitchMaster("mymaster 127.0.0.1 6379 127.0.0.1 6380", "mymaster");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->port, 6380);
  EXPECT_EQ(ParseSwitchMaster("other 127.0.0.1 6379 127.0.0.1 6380", "mymaster").status().code(),
            StatusCode::kNotFound);
  EXPECT_FALSE(ParseSwitchMaster("mymaster 127.0.0.1 6379", "mymaster").ok());
}

// ---- the blocking client -----------------------------------------------------

class SentinelTest : public ::testing::Test {
 protected:
  SentinelTopology topo_;
};

TEST_F(SentinelTest, BlockingClientFindsThePrimaryAndFollowsAFailover) {
  auto client = BlockingClient::Connect(UrlOf(topo_.Url()), {});
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE((*client)->Command({"SET", "k", "before"}).ok());
  const int old_primary = topo_.PrimaryPort();
  EXPECT_EQ(topo_.Run(old_primary, {"GET", "k"}), "before");  // it wrote to the primary

  const int new_primary = topo_.Failover();
  ASSERT_NE(new_primary, 0);
  ASSERT_NE(new_primary, old_primary);
  // Until a sentinel reconfigures it the old primary, its replica gone,
  // refuses writes (min-replicas-to-write 1): nothing is written where the
  // failover would discard it.
  Result<Value> refused = (*client)->Command({"SET", "k", "lost?"});
  EXPECT_FALSE(refused.ok()) << "the old primary took a write after the failover";
  ASSERT_TRUE(topo_.WaitForRole(old_primary, "slave", 20000));
  // The new primary takes writes once it counts that replica as online
  // (min-replicas-to-write 1; until then it answers NOREPLICAS, a transient
  // state of the server, not of our connection): wait for it, bounded.
  const auto online_by = Clock::now() + 10s;
  while (topo_.Run(new_primary, {"INFO", "replication"}).find("state=online") == std::string::npos &&
         Clock::now() < online_by) {
    std::this_thread::sleep_for(20ms);
  }
  // Reconfigured (and our connection killed by the sentinel, or answered
  // READONLY): one failure at most, then a new dial asks the sentinels again.
  Result<Value> write = (*client)->Command({"SET", "k", "after"});
  if (!write.ok()) {
    ASSERT_TRUE((*client)->EnsureConnected().ok());
    write = (*client)->Command({"SET", "k", "after"});
  }
  ASSERT_TRUE(write.ok()) << write.status().ToString();
  EXPECT_EQ(topo_.Run(new_primary, {"GET", "k"}), "after");
  // Replicated back to the old primary, now a replica (asynchronously: poll).
  const auto until = Clock::now() + 5s;
  while (topo_.Run(old_primary, {"GET", "k"}) != "after" && Clock::now() < until) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(topo_.Run(old_primary, {"GET", "k"}), "after");
}

TEST_F(SentinelTest, BlockingClientRejectsAWrongPasswordAndNamesDeadSentinels) {
  Url wrong = UrlOf(topo_.Url());
  wrong.password = "not-the-password";
  auto refused = BlockingClient::Connect(wrong, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status().ToString();
  EXPECT_EQ(refused.status().message().find("not-the-password"), std::string::npos);

  // Only the first sentinel is alive in this URL's list: the dead ones come first.
  Url partly = UrlOf("redis+sentinel://" + SentinelTopology::kUser + ":" + SentinelTopology::kPassword +
                     "@127.0.0.1:1,127.0.0.1:" + std::to_string(topo_.sentinel_ports()[1]) + "/" +
                     SentinelTopology::kMasterName);
  auto connected = BlockingClient::Connect(partly, {});
  EXPECT_TRUE(connected.ok()) << connected.status().ToString();

  Url none = UrlOf("redis+sentinel://127.0.0.1:1,127.0.0.1:2/" + SentinelTopology::kMasterName);
  auto unavailable = BlockingClient::Connect(none, {});
  ASSERT_FALSE(unavailable.ok());
  EXPECT_EQ(unavailable.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(unavailable.status().message().find("127.0.0.1:2"), std::string::npos) << unavailable.status().message();

  Url unknown = UrlOf(topo_.Url());
  unknown.master_name = "no-such-master";
  auto not_named = BlockingClient::Connect(unknown, {});
  ASSERT_FALSE(not_named.ok());
  EXPECT_NE(not_named.status().message().find("does not know"), std::string::npos) << not_named.status().message();
}

// ---- the async client -------------------------------------------------------

class AsyncSentinelTest : public SentinelTest {
 protected:
  AsyncSentinelTest() : work_(boost::asio::make_work_guard(io_)) {}

  template <typename Pred>
  bool RunUntil(Pred pred, std::chrono::milliseconds timeout) {
    const auto until = Clock::now() + timeout;
    while (!pred()) {
      if (Clock::now() >= until) return false;
      io_.run_for(20ms);
    }
    return true;
  }

  // Runs SET key value; the outcome once answered.
  std::optional<Result<Value>> Set(AsyncClient& client, const std::string& key, const std::string& value) {
    std::optional<Result<Value>> out;
    client.Command({"SET", key, value}, [&out](Result<Value> r) { out.emplace(std::move(r)); });
    RunUntil([&] { return out.has_value(); }, 3000ms);
    return out;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
};

TEST_F(AsyncSentinelTest, FollowsAFailoverToTheNewPrimary) {
  AsyncClient client(io_, UrlOf(topo_.Url()));
  client.Start();
  ASSERT_TRUE(RunUntil([&] { return client.connected(); }, 5000ms)) << client.last_error();
  const int old_primary = topo_.PrimaryPort();
  EXPECT_EQ(client.primary(), Local(old_primary));
  auto first = Set(client, "k", "v1");
  ASSERT_TRUE(first && first->ok() && !(*first)->is_error());

  // Fail over on a thread of its own: the loop keeps running meanwhile.
  std::optional<int> new_primary;
  std::thread failover([&] { new_primary = topo_.Failover(); });
  const auto started = Clock::now();
  const bool moved = RunUntil(
      [&] { return new_primary.has_value() && client.connected() && client.primary() != Local(old_primary); }, 25000ms);
  failover.join();
  ASSERT_TRUE(moved) << "primary " << client.primary() << ", last error: " << client.last_error();
  ASSERT_TRUE(new_primary.has_value() && *new_primary != 0);
  EXPECT_EQ(client.primary(), Local(*new_primary));
  EXPECT_GE(client.switches(), 1u);
  std::fprintf(
      stderr, "[ sentinel ] failover to reconnected: %lld ms\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()));
  // The new primary has no replica until a sentinel reconfigures the old
  // one (8-10 s): with min-replicas-to-write 1 it answers NOREPLICAS till then.
  const auto writable_by = Clock::now() + 20s;
  std::optional<Result<Value>> second;
  while (Clock::now() < writable_by) {
    second = Set(client, "k", "v2");
    ASSERT_TRUE(second && second->ok()) << (second ? second->status().ToString() : "no answer");
    if (!(*second)->is_error()) break;
    EXPECT_NE((*second)->str.find("NOREPLICAS"), std::string::npos) << (*second)->str;
    RunUntil([] { return false; }, 100ms);
  }
  ASSERT_FALSE((*second)->is_error()) << (*second)->str;
  EXPECT_EQ(topo_.Run(*new_primary, {"GET", "k"}), "v2");
}

TEST_F(AsyncSentinelTest, SkipsADeadSentinelAndFindsANewPrimaryAfterAKill) {
  const std::vector<int> sentinels = topo_.sentinel_ports();
  Url url = UrlOf("redis+sentinel://" + SentinelTopology::kUser + ":" + SentinelTopology::kPassword + "@127.0.0.1:1," +
                  Local(sentinels[0]) + "," + Local(sentinels[2]) + "/" + SentinelTopology::kMasterName);
  AsyncClient::Options options;
  options.reconnect_max_ms = 500;
  AsyncClient client(io_, url, options);
  client.Start();
  ASSERT_TRUE(RunUntil([&] { return client.connected(); }, 5000ms)) << client.last_error();
  const int old_primary = topo_.PrimaryPort();

  topo_.Kill(old_primary);
  ASSERT_TRUE(RunUntil([&] { return client.connected() && client.primary() != Local(old_primary); }, 20000ms))
      << client.last_error();
  // The replica was promoted; with min-replicas-to-write 1 and no replica
  // left it refuses writes (NOREPLICAS) until the old node is back: an
  // answer, not a lost connection.
  auto refused = Set(client, "k", "v");
  ASSERT_TRUE(refused && refused->ok());
  EXPECT_TRUE((*refused)->is_error());
  EXPECT_NE((*refused)->str.find("NOREPLICAS"), std::string::npos) << (*refused)->str;
}

}  // namespace
}  // namespace helpline::redis
