#pragma once
// Redis addresses: redis://[[user]:password@]host[:port][/db],
// unix:///path/to.sock[?db=N][&password=P], and Redis Sentinel:
// redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/master[/db]
// (the form of the Redis-Sentinel-Url and redisvl libraries: sentinel port
// 26379 by default, user and password for the data nodes, sentinel_username
// and sentinel_password in the query for the sentinels themselves).
// Thread-safety: plain values.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace helpline::redis {

struct Endpoint {
  std::string host;  // a name or an IP literal (IPv6 without brackets)
  int port = 0;
};

inline constexpr int kDefaultSentinelPort = 26379;

struct Url {
  std::string host;  // empty when unix_socket is set, or with sentinels
  int port = 6379;
  std::string unix_socket;  // absolute path, or empty for TCP
  std::string username;     // ACL user, optional
  std::string password;     // optional; never printed (see Redacted())
  int db = 0;

  // Sentinel mode (redis+sentinel://) when non-empty: the clients ask these
  // sentinels, in order, for the address of `master_name` (redis/sentinel.h)
  // and connect there with username/password/db as above.
  std::vector<Endpoint> sentinels;
  std::string master_name;
  std::string sentinel_username;  // ACL user on the sentinels, optional
  std::string sentinel_password;  // optional; never printed
  bool is_sentinel() const { return !sentinels.empty(); }

  // The URL with the password replaced by "***", for logs and errors.
  std::string Redacted() const;

 private:
  std::string RedactedSentinel() const;
};

// "host:port", "[v6]:port": for messages.
std::string EndpointText(const Endpoint& e);

// Parses a URL; InvalidArgument names what is wrong ("redis URL 'x': unknown scheme").
Result<Url> ParseUrl(std::string_view url);

// The default when neither --redis nor HELPLINE_REDIS_URL is given.
inline constexpr std::string_view kDefaultUrl = "redis://127.0.0.1:6379/0";

}  // namespace helpline::redis
