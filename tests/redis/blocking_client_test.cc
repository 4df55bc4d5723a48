// BlockingClient against a real redis-server (tests/support/redis_server.h);
// failures are injected with redis::Faults or by killing the server.

#include "redis/blocking_client.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "redis/faults.h"
#include "redis/script.h"
#include "redis/url.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::redis {
namespace {

using helpline::testing::RawRedis;
using helpline::testing::RedisServer;

class BlockingClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<BlockingClient> Connect(std::shared_ptr<Faults> faults = nullptr) {
    auto url = ParseUrl(server_.Url());
    EXPECT_TRUE(url.ok());
    auto client = BlockingClient::Connect(*url, {2000, std::move(faults)});
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client.value()) : nullptr;
  }

  RedisServer server_;
};

TEST_F(BlockingClientTest, CommandsPipelinesAndTransactionsRoundTrip) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  Result<Value> set = client->Command({"SET", "k", std::string("a\0b", 3)});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->type, Value::Type::kStatus);
  EXPECT_EQ(client->Command({"GET", "k"})->str, std::string("a\0b", 3));
  EXPECT_TRUE(client->Command({"GET", "none"})->is_nil());

  ASSERT_TRUE(client->Append({"INCR", "n"}).ok());
  ASSERT_TRUE(client->Append(std::vector<std::string_view>{"INCRBY", "n", "5"}).ok());
  EXPECT_EQ(client->Next("INCR")->integer, 1);
  EXPECT_EQ(client->Next("INCRBY")->integer, 6);

  ASSERT_TRUE(client->Append({"MULTI"}).ok());
  ASSERT_TRUE(client->Append({"INCR", "n"}).ok());
  ASSERT_TRUE(client->Append({"GET", "k"}).ok());
  ASSERT_TRUE(client->Append({"EXEC"}).ok());
  Result<Value> exec = client->ReadTransaction("tx", 2);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  ASSERT_EQ(exec->elements.size(), 2u);
  EXPECT_EQ(exec->elements[0].integer, 7);
  EXPECT_TRUE(client->in_sync());
}

TEST_F(BlockingClientTest, ErrorRepliesBecomeStatusesByTheOneClassification) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Command({"SET", "k", "v"}).ok());
  Result<Value> wrong = client->Command({"HGET", "k", "f"});  // WRONGTYPE
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kInternal);
  EXPECT_NE(wrong.status().message().find("HGET: WRONGTYPE"), std::string::npos) << wrong.status().message();
  EXPECT_EQ(wrong.status().message().rfind("redis unix://", 0), 0u) << wrong.status().message();
  EXPECT_TRUE(client->in_sync()) << "an error reply leaves the connection usable";

  // An error inside a transaction: every reply is still read.
  ASSERT_TRUE(client->Append({"MULTI"}).ok());
  ASSERT_TRUE(client->Append({"HGET", "k", "f"}).ok());
  ASSERT_TRUE(client->Append({"EXEC"}).ok());
  EXPECT_EQ(client->ReadTransaction("tx", 1).status().code(), StatusCode::kInternal);
  EXPECT_EQ(client->Command({"GET", "k"})->str, "v") << "still in step with the server";
}

TEST_F(BlockingClientTest, InjectedFaultsReplaceOnlyTheirCommandAndKeepThePipelineInStep) {
  auto faults = std::make_shared<Faults>();
  auto client = Connect(faults);
  ASSERT_NE(client, nullptr);
  faults->ReplyError("incr", "OOM command not allowed when used memory > 'maxmemory'.");
  faults->ReplyError("SET", "NOPERM this user has no permissions to run the 'set' command");
  ASSERT_TRUE(client->Append({"INCR", "n"}).ok());
  ASSERT_TRUE(client->Append({"INCR", "n"}).ok());
  ASSERT_TRUE(client->Append({"SET", "k", "v"}).ok());
  Result<Value> oom = client->Next("INCR");
  EXPECT_EQ(oom.status().code(), StatusCode::kUnavailable) << "OOM is transient";
  EXPECT_EQ(client->Next("INCR")->integer, 1) << "only the first INCR was replaced, and it never ran";
  EXPECT_EQ(client->Next("SET").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(client->Command({"GET", "k"})->is_nil()) << "the refused SET never reached Redis";

  faults->NoAnswer("GET");
  Result<Value> lost = client->Command({"GET", "n"});
  EXPECT_EQ(lost.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(client->in_sync()) << "no answer breaks the connection, as a real loss would";
  ASSERT_TRUE(client->EnsureConnected().ok());
  EXPECT_EQ(client->Command({"GET", "n"})->str, "1");
  EXPECT_EQ(faults->armed(), 0);
}

TEST_F(BlockingClientTest, AScriptIsSentOnceOnNoscriptWhetherRealOrInjected) {
  auto faults = std::make_shared<Faults>();
  auto client = Connect(faults);
  ASSERT_NE(client, nullptr);
  const Script incr("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  Result<Value> first = client->Eval(incr, {"c"}, {"2"});  // a fresh server: NOSCRIPT, then EVAL
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->integer, 2);
  RawRedis raw(server_.socket_path());
  raw.Run({"SCRIPT", "FLUSH"});
  EXPECT_EQ(client->Eval(incr, {"c"}, {"3"})->integer, 5);
  faults->ReplyError("EVALSHA", "NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_EQ(client->Eval(incr, {"c"}, {"4"})->integer, 9) << "the script ran exactly once";

  faults->ReplyError("EVALSHA", "NOSCRIPT No matching script. Please use EVAL.");
  faults->ReplyError("EVAL", "NOSCRIPT still missing");
  Result<Value> twice = client->Eval(incr, {"c"}, {"1"});
  EXPECT_EQ(twice.status().code(), StatusCode::kInternal) << "one fallback, not a loop";
  EXPECT_EQ(raw.Str({"GET", "c"}), "9");

  Result<Value> raised = client->Eval(Script("error('boom')"), {}, {});
  EXPECT_EQ(raised.status().code(), StatusCode::kInternal);
  EXPECT_NE(raised.status().message().find("boom"), std::string::npos);
}

TEST_F(BlockingClientTest, AKilledServerIsUnavailableWithoutSigpipeAndABadUrlIsRefused) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  server_.Kill();
  Result<Value> r = client->Command({"SET", "k", std::string(1 << 20, 'x')});
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(client->EnsureConnected().code(), StatusCode::kUnavailable);

  EXPECT_EQ(BlockingClient::Connect(Url{}, {}).status().code(), StatusCode::kInvalidArgument);
  Url url;
  url.host = "127.0.0.1";
  EXPECT_EQ(BlockingClient::Connect(url, {0, nullptr}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace helpline::redis
