#pragma once
// Redis addresses: redis://[[user]:password@]host[:port][/db] and
// unix:///path/to.sock[?db=N][&password=P]. Thread-safety: plain values.

#include <string>
#include <string_view>

#include "common/status.h"

namespace helpline::redis {

struct Url {
  std::string host;         // empty when unix_socket is set
  int port = 6379;
  std::string unix_socket;  // absolute path, or empty for TCP
  std::string username;     // ACL user, optional
  std::string password;     // optional; never printed (see Redacted())
  int db = 0;

  // The URL with the password replaced by "***", for logs and errors.
  std::string Redacted() const;
};

// Parses a URL; InvalidArgument names what is wrong ("redis URL 'x': unknown scheme").
Result<Url> ParseUrl(std::string_view url);

// The default when neither --redis nor HELPLINE_REDIS_URL is given.
inline constexpr std::string_view kDefaultUrl = "redis://127.0.0.1:6379/0";

}  // namespace helpline::redis
