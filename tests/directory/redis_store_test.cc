// RedisStore against a real redis-server (tests/support/redis_server.h): one
// fresh server per test, inspected with a second, raw hiredis connection.

#include "directory/redis_store.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/sha256.h"
#include "redis/faults.h"
#include "redis/url.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::directory {
namespace {

using helpline::testing::RawRedis;
using helpline::testing::RedisServer;
using helpline::testing::Reply;

// ---- helpers ---------------------------------------------------------------

// A directory of `n` resources; every JSON mentions `tag`, so two tags never share a resource.
std::vector<StoredResource> MakeResources(std::size_t n, const std::string& tag, std::size_t pad = 64) {
  std::vector<StoredResource> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "res-%07zu", i);
    std::string json =
        std::string(R"({"id":")") + id + R"(","name":"Line )" + tag + R"(","note":")" + std::string(pad, 'x') + R"("})";
    out.push_back({id, std::move(json)});
  }
  return out;
}

std::string DigestOf(const std::vector<StoredResource>& resources) {
  Sha256 sha;
  for (const StoredResource& r : resources) {
    sha.Update(r.id);
    sha.Update(std::string_view("\0", 1));
    sha.Update(r.json);
    sha.Update("\n");
  }
  return sha.HexDigest();
}

VersionMeta MetaFor(const std::vector<StoredResource>& resources, const std::string& source = "test") {
  VersionMeta meta;
  meta.digest = DigestOf(resources);
  meta.counts_json = R"({"resources":)" + std::to_string(resources.size()) + "}";
  meta.source = source;
  return meta;
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RedisStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<RedisStore> Open(StoreOptions options = {}) {
    Result<redis::Url> url = redis::ParseUrl(server_.Url());
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    Result<std::unique_ptr<RedisStore>> store = RedisStore::Connect(url.value(), std::move(options));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store.value()) : nullptr;
  }

  LoadOutcome MustLoad(RedisStore& store, const std::vector<StoredResource>& resources,
                       const std::string& source = "test") {
    Result<LoadOutcome> r = store.Load(resources, MetaFor(resources, source));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : LoadOutcome{};
  }

  RedisServer server_;
};

// ---- connecting --------------------------------------------------------------

TEST(RedisStoreConnect, AMissingUnixSocketIsUnavailableAndNamesTheUrl) {
  redis::Url url;
  url.host.clear();
  url.unix_socket = "/nonexistent/helpline/redis.sock";
  url.password = "hunter2";
  Result<std::unique_ptr<RedisStore>> store = RedisStore::Connect(url);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(store.status().message().find("unix:///nonexistent/helpline/redis.sock"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos) << store.status().message();
}

TEST(RedisStoreConnect, AClosedTcpPortIsUnavailable) {
  // A port that was free a moment ago: bind to port 0, read it, close it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  Result<redis::Url> url = redis::ParseUrl("redis://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/0");
  ASSERT_TRUE(url.ok());
  Result<std::unique_ptr<RedisStore>> store = RedisStore::Connect(url.value());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(store.status().message().find("redis://127.0.0.1:"), std::string::npos) << store.status().message();
}

TEST_F(RedisStoreTest, KeepVersionsBelowOneIsInvalidArgument) {
  Result<redis::Url> url = redis::ParseUrl(server_.Url());
  ASSERT_TRUE(url.ok());
  StoreOptions options;
  options.keep_versions = 0;
  Result<std::unique_ptr<RedisStore>> store = RedisStore::Connect(url.value(), options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RedisStoreTest, APasswordFromTheUrlIsSentWithAuthAndAWrongOneIsRefused) {
  RawRedis raw(server_.socket_path());
  Reply set = raw.Command("CONFIG SET requirepass %s", "s3cret pw");
  ASSERT_TRUE(set && set->type == REDIS_REPLY_STATUS);

  Result<redis::Url> good = redis::ParseUrl(server_.Url() + "?password=s3cret%20pw&db=2");
  ASSERT_TRUE(good.ok());
  Result<std::unique_ptr<RedisStore>> store = RedisStore::Connect(good.value());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::vector<StoredResource> resources = MakeResources(3, "auth");
  ASSERT_TRUE(store.value()->Load(resources, MetaFor(resources)).ok());

  // The load went to db 2 only.
  Reply auth = raw.Command("AUTH %s", "s3cret pw");
  ASSERT_TRUE(auth && auth->type == REDIS_REPLY_STATUS);
  EXPECT_TRUE(raw.AllKeys().empty());
  Reply select = raw.Command("SELECT 2");
  EXPECT_FALSE(raw.AllKeys().empty());

  Result<redis::Url> bad = redis::ParseUrl(server_.Url() + "?password=wr0ngpw");
  ASSERT_TRUE(bad.ok());
  Result<std::unique_ptr<RedisStore>> refused = RedisStore::Connect(bad.value());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status().ToString();
  EXPECT_EQ(refused.status().message().find("wr0ngpw"), std::string::npos);
  EXPECT_NE(refused.status().message().find("password=***"), std::string::npos);
}

TEST_F(RedisStoreTest, AnAclUserAndPasswordFromTheUrlAreUsed) {
  RawRedis raw(server_.socket_path());
  Reply acl = raw.Command("ACL SETUSER loader on >pw ~* &* +@all");
  ASSERT_TRUE(acl && acl->type == REDIS_REPLY_STATUS) << (acl ? acl->str : "");
  Result<redis::Url> url = redis::ParseUrl(server_.Url() + "?username=loader&password=pw");
  ASSERT_TRUE(url.ok());
  Result<std::unique_ptr<RedisStore>> store = RedisStore::Connect(url.value());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Reply who = raw.Command("CLIENT LIST");
  ASSERT_TRUE(who && who->type == REDIS_REPLY_STRING);
  EXPECT_NE(std::string(who->str).find("user=loader"), std::string::npos) << who->str;
}

TEST_F(RedisStoreTest, RedisGoingAwayMakesCallsUnavailable) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  server_.Kill();
  Result<std::optional<std::int64_t>> current = store->Current();
  ASSERT_FALSE(current.ok());
  EXPECT_EQ(current.status().code(), StatusCode::kUnavailable) << current.status().ToString();
  std::vector<StoredResource> resources = MakeResources(10, "gone");
  Result<LoadOutcome> load = store->Load(resources, MetaFor(resources));
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.status().code(), StatusCode::kUnavailable) << load.status().ToString();
}

// The one classification (redis/errors.h): OOM, CLUSTERDOWN and NOREPLICAS
// are states of the server, so the CLI's load exits with "Redis unavailable".
TEST_F(RedisStoreTest, TransientErrorRepliesAreUnavailableAndTheNextLoadSucceeds) {
  auto faults = std::make_shared<redis::Faults>();
  StoreOptions options;
  options.faults = faults;
  std::unique_ptr<RedisStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  std::vector<StoredResource> resources = MakeResources(10, "t");
  for (const char* error :
       {"OOM command not allowed when used memory > 'maxmemory'.", "CLUSTERDOWN The cluster is down",
        "NOREPLICAS Not enough good replicas to write.", "LOADING Redis is loading the dataset in memory"}) {
    faults->ReplyError("EVALSHA", error);
    Result<LoadOutcome> load = store->Load(resources, MetaFor(resources));
    ASSERT_FALSE(load.ok()) << error;
    EXPECT_EQ(load.status().code(), StatusCode::kUnavailable) << load.status().ToString();
  }
  faults->ReplyError("GET", "NOPERM this user has no permissions to run the 'get' command");
  EXPECT_EQ(store->Current().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(MustLoad(*store, resources).version.number, 1);
}

// ---- loading -----------------------------------------------------------------

TEST_F(RedisStoreTest, NothingIsCurrentBeforeTheFirstLoad) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::optional<std::int64_t>> current = store->Current();
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_FALSE(current.value().has_value());
  Result<std::vector<VersionInfo>> versions = store->Versions();
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  EXPECT_TRUE(versions.value().empty());
}

TEST_F(RedisStoreTest, TheFirstLoadCreatesVersionOneAndMakesItCurrent) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<StoredResource> resources = MakeResources(50, "a");
  LoadOutcome out = MustLoad(*store, resources, "data/us.json");
  EXPECT_EQ(out.result, LoadResult::kCreated);
  EXPECT_EQ(out.version.number, 1);
  EXPECT_EQ(out.version.resources, 50);
  EXPECT_EQ(out.version.source, "data/us.json");
  EXPECT_TRUE(out.version.current);
  EXPECT_FALSE(out.previous.has_value());
  Result<std::optional<std::int64_t>> current = store->Current();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current.value(), std::optional<std::int64_t>(1));
}

TEST_F(RedisStoreTest, LoadingIdenticalContentIsUnchangedAndCreatesNoVersion) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<StoredResource> resources = MakeResources(20, "a");
  MustLoad(*store, resources);
  RawRedis raw(server_.socket_path());
  std::set<std::string> keys_before = raw.AllKeys();
  Reply seq_before = raw.Command("GET hl:dir:seq");

  LoadOutcome again = MustLoad(*store, resources);
  EXPECT_EQ(again.result, LoadResult::kUnchanged);
  EXPECT_EQ(again.version.number, 1);
  EXPECT_TRUE(again.version.current);
  Result<std::vector<VersionInfo>> versions = store->Versions();
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions.value().size(), 1u);
  EXPECT_EQ(raw.AllKeys(), keys_before);
  Reply seq_after = raw.Command("GET hl:dir:seq");
  EXPECT_STREQ(seq_after->str, seq_before->str) << "an unchanged load allocates no version number";
}

TEST_F(RedisStoreTest, ChangedContentCreatesVersionTwoWithPreviousOne) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  MustLoad(*store, MakeResources(20, "a"));
  LoadOutcome out = MustLoad(*store, MakeResources(20, "b"));
  EXPECT_EQ(out.result, LoadResult::kCreated);
  EXPECT_EQ(out.version.number, 2);
  EXPECT_EQ(out.previous, std::optional<std::int64_t>(1));
  Result<std::optional<std::int64_t>> current = store->Current();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current.value(), std::optional<std::int64_t>(2));
}

TEST_F(RedisStoreTest, ReadVersionReturnsExactlyWhatWasLoaded) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<StoredResource> resources = MakeResources(2500, "round-trip");
  // Bytes that need care on the wire: UTF-8, quotes, CR LF, NUL, an empty JSON.
  resources[0].json = "{\"name\":\"Línea de Ayuda – 988\",\"q\":\"\\\"\\r\\n\"}";
  resources[1].json = std::string("with\0nul\r\n", 10);
  resources[2].json = "";
  std::vector<StoredResource> other = MakeResources(10, "other");
  MustLoad(*store, resources);
  MustLoad(*store, other);

  Result<std::vector<StoredResource>> one = store->ReadVersion(1);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one.value(), resources);
  Result<std::vector<StoredResource>> two = store->ReadVersion(2);
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(two.value(), other);
}

TEST_F(RedisStoreTest, AnEmptyDirectoryIsAVersionToo) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  LoadOutcome out = MustLoad(*store, {});
  EXPECT_EQ(out.result, LoadResult::kCreated);
  EXPECT_EQ(out.version.resources, 0);
  Result<std::vector<StoredResource>> read = store->ReadVersion(out.version.number);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(read.value().empty());
}

TEST_F(RedisStoreTest, ResourcesNotSortedByUniqueIdAreInvalidArgument) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<StoredResource> unsorted = {{"b", "{}"}, {"a", "{}"}};
  Result<LoadOutcome> r1 = store->Load(unsorted, MetaFor(unsorted));
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.status().code(), StatusCode::kInvalidArgument);
  std::vector<StoredResource> duplicate = {{"a", "{}"}, {"a", "{\"x\":1}"}};
  Result<LoadOutcome> r2 = store->Load(duplicate, MetaFor(duplicate));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kInvalidArgument);
  RawRedis raw(server_.socket_path());
  EXPECT_TRUE(raw.AllKeys().empty());
}

TEST_F(RedisStoreTest, ProgressIsReportedPerBatchUpToTheTotal) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<StoredResource> resources = MakeResources(3500, "progress");
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  auto record = [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); };
  Result<LoadOutcome> r = store->Load(resources, MetaFor(resources), record);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_GE(calls.size(), 4u);
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_GT(calls[i].first, calls[i - 1].first);
  EXPECT_EQ(calls.back(), std::make_pair(std::size_t{3500}, std::size_t{3500}));
}

// ---- versions and rollback -----------------------------------------------------

TEST_F(RedisStoreTest, VersionsListsNewestFirstWithCurrentMarkedAndMetadata) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  const std::int64_t before = NowMs();
  std::vector<StoredResource> a = MakeResources(5, "a");
  std::vector<StoredResource> b = MakeResources(7, "b");
  std::vector<StoredResource> c = MakeResources(9, "c");
  MustLoad(*store, a, "a.json");
  MustLoad(*store, b, "b.json");
  MustLoad(*store, c, "c.json");
  const std::int64_t after = NowMs();

  Result<std::vector<VersionInfo>> versions = store->Versions();
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_EQ(versions.value().size(), 3u);
  const std::vector<VersionInfo>& v = versions.value();
  EXPECT_EQ(v[0].number, 3);
  EXPECT_EQ(v[1].number, 2);
  EXPECT_EQ(v[2].number, 1);
  EXPECT_TRUE(v[0].current);
  EXPECT_FALSE(v[1].current);
  EXPECT_FALSE(v[2].current);
  EXPECT_EQ(v[0].resources, 9);
  EXPECT_EQ(v[2].resources, 5);
  EXPECT_EQ(v[0].digest, DigestOf(c));
  EXPECT_EQ(v[1].digest, DigestOf(b));
  EXPECT_EQ(v[1].source, "b.json");
  EXPECT_EQ(v[1].counts_json, R"({"resources":7})");
  for (const VersionInfo& info : v) {
    EXPECT_GE(info.loaded_at_ms, before - 1000);  // server and test clocks are the same host's
    EXPECT_LE(info.loaded_at_ms, after + 1000);
  }
  EXPECT_LE(v[2].loaded_at_ms, v[1].loaded_at_ms);

  Result<VersionInfo> info = store->Info(2);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info.value().digest, DigestOf(b));
  EXPECT_FALSE(info.value().current);
  Result<VersionInfo> missing = store->Info(42);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(RedisStoreTest, RollbackSwitchesCurrentAndSubscribersHearEveryNumber) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  RawRedis subscriber(server_.socket_path());
  Reply confirmed = subscriber.Command("SUBSCRIBE %s", store->EventsChannel().c_str());
  ASSERT_TRUE(confirmed && confirmed->type == REDIS_REPLY_ARRAY);
  EXPECT_EQ(store->EventsChannel(), "hl:dir:events");

  MustLoad(*store, MakeResources(5, "a"));
  MustLoad(*store, MakeResources(5, "b"));
  Result<VersionInfo> rolled = store->Rollback(1);
  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  EXPECT_EQ(rolled.value().number, 1);
  EXPECT_TRUE(rolled.value().current);
  EXPECT_EQ(rolled.value().resources, 5);

  Result<std::optional<std::int64_t>> current = store->Current();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current.value(), std::optional<std::int64_t>(1));
  Result<std::vector<VersionInfo>> versions = store->Versions();
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions.value().size(), 2u);
  EXPECT_FALSE(versions.value()[0].current);
  EXPECT_TRUE(versions.value()[1].current);

  for (const char* expected : {"1", "2", "1"}) {
    std::vector<std::string> push = subscriber.NextPush();
    ASSERT_EQ(push.size(), 3u) << "no message for version " << expected;
    EXPECT_EQ(push[0], "message");
    EXPECT_EQ(push[1], "hl:dir:events");
    EXPECT_EQ(push[2], expected);
  }
}

TEST_F(RedisStoreTest, RollbackToAVersionThatIsNotKeptIsNotFoundAndListsTheKeptOnes) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  MustLoad(*store, MakeResources(5, "a"));
  MustLoad(*store, MakeResources(5, "b"));
  Result<VersionInfo> r = store->Rollback(7);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("version 7 is not kept (kept: 1, 2)"), std::string::npos) << r.status().message();
  Result<std::optional<std::int64_t>> current = store->Current();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current.value(), std::optional<std::int64_t>(2));
}

TEST_F(RedisStoreTest, ReadingAVersionThatIsNotKeptIsNotFound) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  MustLoad(*store, MakeResources(5, "a"));
  Result<std::vector<StoredResource>> r = store->ReadVersion(2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST_F(RedisStoreTest, KeepingThreeVersionsAfterFiveLoadsDeletesTheOldestTwoCompletely) {
  StoreOptions options;
  options.keep_versions = 3;
  std::unique_ptr<RedisStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  for (int i = 1; i <= 5; ++i) MustLoad(*store, MakeResources(10, "v" + std::to_string(i)));

  Result<std::vector<VersionInfo>> versions = store->Versions();
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions.value().size(), 3u);
  EXPECT_EQ(versions.value()[0].number, 5);
  EXPECT_EQ(versions.value()[2].number, 3);
  for (std::int64_t gone : {1, 2}) {
    Result<std::vector<StoredResource>> read = store->ReadVersion(gone);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  }

  RawRedis raw(server_.socket_path());
  std::set<std::string> expected = {"hl:dir:seq",     "hl:dir:current", "hl:dir:versions",
                                    "hl:dir:v3:res",  "hl:dir:v3:meta", "hl:dir:v4:res",
                                    "hl:dir:v4:meta", "hl:dir:v5:res",  "hl:dir:v5:meta"};
  EXPECT_EQ(raw.AllKeys(), expected);
}

TEST_F(RedisStoreTest, TrimmingNeverDeletesTheCurrentVersionAfterARollback) {
  StoreOptions options;
  options.keep_versions = 2;
  std::unique_ptr<RedisStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  MustLoad(*store, MakeResources(3, "a"));
  MustLoad(*store, MakeResources(3, "b"));
  ASSERT_TRUE(store->Rollback(1).ok());
  MustLoad(*store, MakeResources(3, "c"));  // version 3: keeps 3 and the newest other, 2
  Result<std::vector<VersionInfo>> versions = store->Versions();
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions.value().size(), 2u);
  EXPECT_EQ(versions.value()[0].number, 3);
  EXPECT_EQ(versions.value()[1].number, 2);
}

TEST_F(RedisStoreTest, ACustomPrefixPutsEveryKeyUnderIt) {
  StoreOptions options;
  options.prefix = "staging:{hl}:";
  options.keep_versions = 2;
  std::unique_ptr<RedisStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->EventsChannel(), "staging:{hl}:dir:events");
  for (const char* tag : {"a", "b", "c"}) MustLoad(*store, MakeResources(5, tag));
  ASSERT_TRUE(store->Rollback(2).ok());
  ASSERT_TRUE(store->Versions().ok());

  RawRedis raw(server_.socket_path());
  std::set<std::string> keys = raw.AllKeys();
  EXPECT_FALSE(keys.empty());
  for (const std::string& key : keys) EXPECT_EQ(key.rfind("staging:{hl}:", 0), 0u) << key;

  std::unique_ptr<RedisStore> default_prefix = Open();
  ASSERT_NE(default_prefix, nullptr);
  Result<std::optional<std::int64_t>> current = default_prefix->Current();
  ASSERT_TRUE(current.ok());
  EXPECT_FALSE(current.value().has_value());
}

// ---- TTLs --------------------------------------------------------------------

TEST_F(RedisStoreTest, StagedKeysCarryATtlUntilTheSwitchAndKeptKeysHaveNone) {
  StoreOptions options;
  options.staging_ttl_s = 600;
  std::unique_ptr<RedisStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  RawRedis raw(server_.socket_path());
  std::vector<StoredResource> resources = MakeResources(2500, "ttl");
  std::vector<long long> staged_ttls;
  Result<LoadOutcome> r = store->Load(resources, MetaFor(resources), [&](std::size_t, std::size_t) {
    staged_ttls.push_back(raw.Ttl("hl:dir:v1:res"));
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(staged_ttls.empty());
  for (long long ttl : staged_ttls) {
    EXPECT_GT(ttl, 0);
    EXPECT_LE(ttl, 600);
  }
  for (const std::string& key : raw.AllKeys()) EXPECT_EQ(raw.Ttl(key), -1) << key;
}

TEST_F(RedisStoreTest, AStagedVersionThatExpiresBeforeTheSwitchIsAbortedAndChangesNothing) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  MustLoad(*store, MakeResources(10, "a"));
  RawRedis raw(server_.socket_path());
  std::set<std::string> keys_before = raw.AllKeys();
  std::vector<StoredResource> resources = MakeResources(1500, "b");
  // Stands in for the TTL running out mid-load: the staged hash vanishes.
  Result<LoadOutcome> r = store->Load(resources, MetaFor(resources),
                                      [&](std::size_t, std::size_t) { Reply del = raw.Command("DEL hl:dir:v2:res"); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAborted) << r.status().ToString();
  Result<std::optional<std::int64_t>> current = store->Current();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current.value(), std::optional<std::int64_t>(1));
  std::set<std::string> keys_after = raw.AllKeys();
  EXPECT_EQ(keys_after, keys_before) << "the staged leftovers are deleted";
}

// ---- concurrency ---------------------------------------------------------------

TEST_F(RedisStoreTest, RacingLoadersWithDifferentContentAllSucceedAndLeaveAConsistentStore) {
  constexpr int kThreads = 3;
  constexpr int kLoadsEach = 10;
  StoreOptions options;
  options.keep_versions = 4;
  std::atomic<int> created{0};
  std::vector<std::string> failures(kThreads);
  std::vector<std::set<std::int64_t>> numbers(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<RedisStore> store = Open(options);
      if (store == nullptr) return;
      start.arrive_and_wait();
      for (int i = 0; i < kLoadsEach; ++i) {
        std::vector<StoredResource> resources =
            MakeResources(200 + 37 * t + i, "t" + std::to_string(t) + "-" + std::to_string(i));
        Result<LoadOutcome> r = store->Load(resources, MetaFor(resources));
        if (!r.ok()) {
          failures[t] += r.status().ToString() + "\n";
        } else if (r.value().result == LoadResult::kCreated) {
          ++created;
          numbers[t].insert(r.value().version.number);
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::string& f : failures) EXPECT_EQ(f, "");
  EXPECT_EQ(created.load(), kThreads * kLoadsEach);
  std::set<std::int64_t> all;
  for (const auto& n : numbers) all.insert(n.begin(), n.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kLoadsEach)) << "version numbers are distinct";

  std::unique_ptr<RedisStore> store = Open(options);
  ASSERT_NE(store, nullptr);
  Result<std::vector<VersionInfo>> versions = store->Versions();
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  EXPECT_EQ(versions.value().size(), 4u);
  Result<std::optional<std::int64_t>> current = store->Current();
  ASSERT_TRUE(current.ok());
  ASSERT_TRUE(current.value().has_value());
  bool current_kept = false;
  for (const VersionInfo& v : versions.value()) {
    current_kept |= v.number == *current.value();
    Result<std::vector<StoredResource>> read = store->ReadVersion(v.number);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(static_cast<std::int64_t>(read.value().size()), v.resources) << "version " << v.number;
    EXPECT_EQ(DigestOf(read.value()), v.digest) << "version " << v.number;
  }
  EXPECT_TRUE(current_kept);
  // Nothing staged is left behind, and nothing but the kept versions.
  RawRedis raw(server_.socket_path());
  EXPECT_EQ(raw.AllKeys().size(), 3 + 2 * versions.value().size());
}

TEST_F(RedisStoreTest, TwoLoadersWithTheSameContentAtOnceCreateOneVersion) {
  for (int round = 0; round < 5; ++round) {
    // Round r races on fresh content so both loaders stage and the switch script decides.
    std::vector<StoredResource> content = MakeResources(3000, "same-" + std::to_string(round));
    std::latch start(2);
    std::vector<Result<LoadOutcome>> results(2, Result<LoadOutcome>(Internal("not run")));
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        std::unique_ptr<RedisStore> store = Open();
        if (store == nullptr) return;
        start.arrive_and_wait();
        results[t] = store->Load(content, MetaFor(content));
      });
    }
    for (std::thread& th : threads) th.join();
    int created = 0, unchanged = 0;
    for (const Result<LoadOutcome>& r : results) {
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      created += r.value().result == LoadResult::kCreated;
      unchanged += r.value().result == LoadResult::kUnchanged;
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(unchanged, 1);
    EXPECT_EQ(results[0].value().version.number, results[1].value().version.number);
    EXPECT_EQ(results[0].value().version.digest, DigestOf(content));
  }
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  Result<std::vector<VersionInfo>> versions = store->Versions();
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions.value().size(), 5u);
  RawRedis raw(server_.socket_path());
  EXPECT_EQ(raw.AllKeys().size(), 3 + 2 * 5u) << "the losing loader's staged keys are gone";
}

TEST_F(RedisStoreTest, AReaderDuringLoadsNeverSeesAPartialOrMixedVersion) {
  constexpr int kSets = 6;
  StoreOptions options;
  options.keep_versions = 2;  // versions disappear under the reader too
  std::vector<std::vector<StoredResource>> sets;
  std::set<std::string> digests;
  for (int i = 0; i < kSets; ++i) {
    sets.push_back(MakeResources(1500 + 500 * (i % 3), "set" + std::to_string(i)));
    digests.insert(DigestOf(sets.back()));
  }
  std::unique_ptr<RedisStore> loader = Open(options);
  std::unique_ptr<RedisStore> reader = Open(options);
  ASSERT_NE(loader, nullptr);
  ASSERT_NE(reader, nullptr);
  MustLoad(*loader, sets[0]);

  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, not_found{0};
  std::string reader_failure;
  std::thread reading([&] {
    while (!done.load()) {
      Result<std::optional<std::int64_t>> current = reader->Current();
      if (!current.ok() || !current.value()) {
        reader_failure = "Current: " + current.status().ToString();
        return;
      }
      Result<std::vector<StoredResource>> content = reader->ReadVersion(*current.value());
      if (!content.ok()) {
        if (content.status().code() == StatusCode::kNotFound) {
          ++not_found;  // trimmed between the two calls: fine, never partial
          continue;
        }
        reader_failure = "ReadVersion: " + content.status().ToString();
        return;
      }
      if (digests.count(DigestOf(content.value())) == 0) {
        reader_failure = "version " + std::to_string(*current.value()) + " is not one of the loaded sets";
        return;
      }
      ++reads;
    }
  });
  for (int round = 0; round < 6; ++round) {
    for (int i = 1; i < kSets; ++i) MustLoad(*loader, sets[(i + round) % kSets]);
  }
  done = true;
  reading.join();
  EXPECT_EQ(reader_failure, "");
  EXPECT_GT(reads.load(), 0);
}

// ---- speed ---------------------------------------------------------------------

TEST_F(RedisStoreTest, TenThousandResourcesLoadInAReasonableTime) {
  std::unique_ptr<RedisStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<StoredResource> resources = MakeResources(10000, "speed", 350);
  VersionMeta meta = MetaFor(resources);
  const auto start = std::chrono::steady_clock::now();
  Result<LoadOutcome> r = store->Load(resources, meta);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  std::printf("loaded 10,000 resources in %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
  Result<std::vector<StoredResource>> read = store->ReadVersion(r.value().version.number);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.value().size(), 10000u);
}

}  // namespace
}  // namespace helpline::directory
