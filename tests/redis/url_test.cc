#include "redis/url.h"

#include <gtest/gtest.h>

#include <string>

namespace helpline::redis {
namespace {

struct Good {
  const char* url;
  const char* host;
  int port;
  const char* unix_socket;
  const char* username;
  const char* password;
  int db;
};

class ParsesValidUrl : public ::testing::TestWithParam<Good> {};

TEST_P(ParsesValidUrl, IntoItsParts) {
  const Good& g = GetParam();
  Result<Url> r = ParseUrl(g.url);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->host, g.host);
  EXPECT_EQ(r->port, g.port);
  EXPECT_EQ(r->unix_socket, g.unix_socket);
  EXPECT_EQ(r->username, g.username);
  EXPECT_EQ(r->password, g.password);
  EXPECT_EQ(r->db, g.db);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParsesValidUrl,
    ::testing::Values(Good{"redis://localhost", "localhost", 6379, "", "", "", 0},
                      Good{"redis://10.0.0.5:6380", "10.0.0.5", 6380, "", "", "", 0},
                      Good{"redis://cache.internal:7000/3", "cache.internal", 7000, "", "", "", 3},
                      Good{"redis://host/", "host", 6379, "", "", "", 0},
                      Good{"redis://:s3cret@host:6379/1", "host", 6379, "", "", "s3cret", 1},
                      Good{"redis://alice:pw@host/2", "host", 6379, "", "alice", "pw", 2},
                      Good{"redis://:p%40ss%3Aw%2Frd%25@host", "host", 6379, "", "", "p@ss:w/rd%", 0},
                      Good{"redis://:p@ss@host:1", "host", 1, "", "", "p@ss", 0},
                      Good{"redis://[::1]:6390/4", "::1", 6390, "", "", "", 4},
                      Good{"redis://[::1]", "::1", 6379, "", "", "", 0},
                      Good{"redis://host:65535?db=7", "host", 65535, "", "", "", 7},
                      Good{"unix:///run/redis/redis.sock", "", 0, "/run/redis/redis.sock", "", "", 0},
                      Good{"unix:///tmp/r.sock?db=2&password=x", "", 0, "/tmp/r.sock", "", "x", 2},
                      Good{"unix:///tmp/r.sock?password=a%26b&username=bob", "", 0, "/tmp/r.sock", "bob", "a&b", 0},
                      Good{"redis://127.0.0.1:6379/0", "127.0.0.1", 6379, "", "", "", 0}));

TEST(ParseUrl, AcceptsTheDefaultUrl) {
  Result<Url> r = ParseUrl(kDefaultUrl);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->host, "127.0.0.1");
  EXPECT_EQ(r->port, 6379);
  EXPECT_EQ(r->db, 0);
}

struct Bad {
  const char* url;
  const char* problem;  // a fragment the message must contain
};

class RejectsInvalidUrl : public ::testing::TestWithParam<Bad> {};

TEST_P(RejectsInvalidUrl, WithInvalidArgumentNamingTheProblem) {
  const Bad& b = GetParam();
  Result<Url> r = ParseUrl(b.url);
  ASSERT_FALSE(r.ok()) << b.url;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(b.problem), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("redis URL"), std::string::npos) << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, RejectsInvalidUrl,
    ::testing::Values(Bad{"http://host:6379", "unknown scheme 'http'"}, Bad{"rediss://host:6379", "TLS"},
                      Bad{"host:6379", "missing scheme"}, Bad{"", "missing scheme"}, Bad{"redis://", "missing host"},
                      Bad{"redis://:6379", "missing host"}, Bad{"redis://host:", "bad port"},
                      Bad{"redis://host:0", "bad port"}, Bad{"redis://host:65536", "bad port"},
                      Bad{"redis://host:12ab", "bad port"}, Bad{"redis://host:-1", "bad port"},
                      Bad{"redis://host/x", "bad db"}, Bad{"redis://host/-1", "bad db"},
                      Bad{"redis://host/1/2", "bad db"}, Bad{"redis://host/99999999999", "bad db"},
                      Bad{"redis://host/1?db=2", "db given both"}, Bad{"redis://user@host", "user info"},
                      Bad{"redis://[::1", "unterminated"},
                      Bad{"redis://host?timeout=3", "unknown query parameter 'timeout'"},
                      Bad{"unix://relative.sock", "must be absolute"}, Bad{"unix://", "missing socket path"},
                      Bad{"unix:///tmp/", "directory"}, Bad{"unix:///tmp/r.sock?db=two", "bad db"},
                      Bad{"unix:///tmp/r.sock?db", "no '='"}, Bad{"redis://:bad%zzpw@host", "percent-encoding"}));

TEST(ParseUrl, NeverEchoesThePasswordInAnError) {
  const char* urls[] = {
      "redis://:hunter2@host:bad",        "redis://alice:hunter2@host/x",         "redis://alice:hunter2@:6379",
      "unix://rel.sock?password=hunter2", "unix:///a.sock?password=hunter2&db=x", "ftp://bob:hunter2@host",
      "redis://:hunter2%zz@host",
  };
  for (const char* url : urls) {
    Result<Url> r = ParseUrl(url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("***"), std::string::npos) << r.status().message();
  }
}

TEST(RedactedUrl, MasksThePasswordAndKeepsTheRest) {
  Result<Url> tcp = ParseUrl("redis://alice:hunter2@cache:6380/2");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->Redacted(), "redis://alice:***@cache:6380/2");

  Result<Url> anonymous = ParseUrl("redis://cache");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->Redacted(), "redis://cache:6379/0");

  Result<Url> v6 = ParseUrl("redis://:pw@[::1]:7000");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->Redacted(), "redis://:***@[::1]:7000/0");

  Result<Url> unix_url = ParseUrl("unix:///tmp/r.sock?db=3&password=hunter2");
  ASSERT_TRUE(unix_url.ok());
  EXPECT_EQ(unix_url->Redacted(), "unix:///tmp/r.sock?db=3&password=***");
}

TEST(RedactedUrl, RoundTripsThroughTheParserWithoutThePassword) {
  for (const char* url : {"redis://cache:6380/2", "unix:///tmp/r.sock?db=3", "redis://[::1]:7000/0"}) {
    Result<Url> first = ParseUrl(url);
    ASSERT_TRUE(first.ok()) << url;
    Result<Url> second = ParseUrl(first->Redacted());
    ASSERT_TRUE(second.ok()) << first->Redacted();
    EXPECT_EQ(second->Redacted(), first->Redacted());
  }
}

// ---- redis+sentinel:// --------------------------------------------------------

TEST(SentinelUrl, ParsesSentinelsMasterNameDbAndCredentials) {
  Result<Url> r = ParseUrl("redis+sentinel://helpline:s%40cret@10.0.0.1:26380,sentinel-b,[::1]:26381/mymaster/3");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->is_sentinel());
  ASSERT_EQ(r->sentinels.size(), 3u);
  EXPECT_EQ(r->sentinels[0].host, "10.0.0.1");
  EXPECT_EQ(r->sentinels[0].port, 26380);
  EXPECT_EQ(r->sentinels[1].host, "sentinel-b");
  EXPECT_EQ(r->sentinels[1].port, kDefaultSentinelPort);
  EXPECT_EQ(r->sentinels[2].host, "::1");
  EXPECT_EQ(r->sentinels[2].port, 26381);
  EXPECT_EQ(r->master_name, "mymaster");
  EXPECT_EQ(r->db, 3);
  EXPECT_EQ(r->username, "helpline");
  EXPECT_EQ(r->password, "s@cret");
  EXPECT_TRUE(r->host.empty());
  EXPECT_TRUE(r->unix_socket.empty());
  EXPECT_TRUE(r->sentinel_password.empty());
}

TEST(SentinelUrl, TakesDbAndSentinelCredentialsFromTheQuery) {
  Result<Url> r = ParseUrl("redis+sentinel://h1:1,h2:2/prod?db=4&sentinel_username=watch&sentinel_password=a%26b");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->db, 4);
  EXPECT_EQ(r->master_name, "prod");
  EXPECT_EQ(r->sentinel_username, "watch");
  EXPECT_EQ(r->sentinel_password, "a&b");
  EXPECT_TRUE(r->password.empty());
}

TEST(SentinelUrl, OneSentinelAndNoDbIsDbZero) {
  Result<Url> r = ParseUrl("redis+sentinel://127.0.0.1/m/");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->sentinels.size(), 1u);
  EXPECT_EQ(r->sentinels[0].port, 26379);
  EXPECT_EQ(r->db, 0);
  EXPECT_FALSE(ParseUrl("redis://127.0.0.1")->is_sentinel());
}

INSTANTIATE_TEST_SUITE_P(
    Sentinel, RejectsInvalidUrl,
    ::testing::Values(Bad{"redis+sentinel://h1:26379", "missing master name"},
                      Bad{"redis+sentinel://h1:26379/", "missing master name"},
                      Bad{"redis+sentinel://h1:26379//0", "missing master name"},
                      Bad{"redis+sentinel:///m", "missing host"}, Bad{"redis+sentinel://h1,,h2/m", "missing host"},
                      Bad{"redis+sentinel://h1,/m", "missing host"}, Bad{"redis+sentinel://h1:0/m", "bad port"},
                      Bad{"redis+sentinel://h1:x,h2/m", "bad port"}, Bad{"redis+sentinel://h1/m/x", "bad db"},
                      Bad{"redis+sentinel://h1/m/1/2", "bad db"}, Bad{"redis+sentinel://h1/m/1?db=2", "db given both"},
                      Bad{"redis+sentinel://h1/m%20x", "space or control"},
                      Bad{"redis+sentinel://user@h1/m", "user info"},
                      Bad{"redis+sentinel://h1/m?sentinel=1", "unknown query parameter 'sentinel'"},
                      Bad{"redis://h1/1?sentinel_password=x", "unknown query parameter 'sentinel_password'"},
                      Bad{"redis+sentinel://h1/m#frag", "fragments"}));

TEST(SentinelUrl, NeverEchoesEitherPassword) {
  for (const char* url : {"redis+sentinel://u:hunter2@h1:bad/m", "redis+sentinel://h1/m/x?sentinel_password=hunter2",
                          "redis+sentinel://:hunter2@h1/m?sentinel_password=hunter2&db=x"}) {
    Result<Url> r = ParseUrl(url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("***"), std::string::npos) << r.status().message();
  }
  Result<Url> ok = ParseUrl("redis+sentinel://u:hunter2@h1,h2:7/m/2?sentinel_username=w&sentinel_password=hunter2");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->Redacted(), "redis+sentinel://u:***@h1:26379,h2:7/m/2?sentinel_username=w&sentinel_password=***");
}

TEST(SentinelUrl, RedactedRoundTripsThroughTheParser) {
  for (const char* url : {"redis+sentinel://h1:1,[::1]:2/m/5", "redis+sentinel://a/m?sentinel_username=w"}) {
    Result<Url> first = ParseUrl(url);
    ASSERT_TRUE(first.ok()) << url;
    Result<Url> second = ParseUrl(first->Redacted());
    ASSERT_TRUE(second.ok()) << first->Redacted();
    EXPECT_EQ(second->Redacted(), first->Redacted());
    EXPECT_EQ(second->sentinels.size(), first->sentinels.size());
  }
}

}  // namespace
}  // namespace helpline::redis
