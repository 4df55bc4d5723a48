#pragma once
// A small blocking HTTP client (libcurl) for end-to-end tests.
// Thread-safety: each call is independent.

#include <string>
#include <utility>
#include <vector>

namespace helpline::testing {

struct HttpResult {
  long status = 0;  // 0: no response (connection refused, timeout)
  std::string content_type;
  std::string body;
};

HttpResult HttpCall(const std::string& method, const std::string& url,
                    const std::vector<std::pair<std::string, std::string>>& headers = {}, const std::string& body = "",
                    long timeout_ms = 10000);

}  // namespace helpline::testing
