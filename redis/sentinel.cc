#include "redis/sentinel.h"

#include <charconv>
#include <memory>
#include <utility>

#include "redis/blocking_client.h"

namespace helpline::redis {
namespace {

std::optional<int> Port(std::string_view s) {
  int port = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  if (ec != std::errc() || end != s.data() + s.size() || port < 1 || port > 65535) return std::nullopt;
  return port;
}

// The URL of one sentinel itself: its address and the sentinel credentials.
Url SentinelNode(const Url& url, const Endpoint& sentinel) {
  Url node;
  node.host = sentinel.host;
  node.port = sentinel.port;
  node.username = url.sentinel_username;
  node.password = url.sentinel_password;
  return node;
}

}  // namespace

std::vector<std::string> AuthCommand(const std::string& username, const std::string& password) {
  if (username.empty()) return {"AUTH", password};
  return {"AUTH", username, password};
}

std::vector<std::vector<std::string>> SentinelQuery(const Url& url) {
  std::vector<std::vector<std::string>> out;
  if (!url.sentinel_password.empty()) out.push_back(AuthCommand(url.sentinel_username, url.sentinel_password));
  out.push_back({"SENTINEL", "get-master-addr-by-name", url.master_name});
  return out;
}

Result<Endpoint> ParseMasterAddr(const Value& reply) {
  if (reply.is_nil()) return NotFound("the sentinel does not know this master name");
  if (reply.is_error()) return Internal("the sentinel answered: " + reply.str);
  if (!reply.is_array() || reply.elements.size() != 2 || !reply.elements[0].is_string() ||
      !reply.elements[1].is_string()) {
    return Internal("unexpected reply to SENTINEL get-master-addr-by-name");
  }
  std::optional<int> port = Port(reply.elements[1].str);
  if (!port || reply.elements[0].str.empty()) return Internal("the sentinel named a malformed address");
  return Endpoint{reply.elements[0].str, *port};
}

Status CheckPrimaryRole(const Value& reply) {
  if (!reply.is_array() || reply.elements.empty() || !reply.elements[0].is_string()) {
    return Internal(reply.is_error() ? "ROLE failed: " + reply.str : "unexpected reply to ROLE");
  }
  if (reply.elements[0].str != "master") {
    return FailedPrecondition("not a primary: its role is '" + reply.elements[0].str + "'");
  }
  return Status::Ok();
}

Result<Endpoint> ParseSwitchMaster(std::string_view message, std::string_view name) {
  std::vector<std::string_view> parts;
  while (!message.empty()) {
    std::size_t space = message.find(' ');
    parts.push_back(message.substr(0, space));
    if (space == std::string_view::npos) break;
    message.remove_prefix(space + 1);
  }
  if (parts.size() != 5) return Internal("malformed +switch-master message");
  if (parts[0] != name) return NotFound("another master");
  std::optional<int> port = Port(parts[4]);
  if (!port || parts[3].empty()) return Internal("malformed +switch-master address");
  return Endpoint{std::string(parts[3]), *port};
}

Result<Endpoint> AskSentinels(const Url& url, int timeout_ms) {
  std::string failures;
  for (const Endpoint& sentinel : url.sentinels) {
    BlockingClient::Options options;
    options.timeout_ms = timeout_ms;
    Result<Endpoint> answer = [&]() -> Result<Endpoint> {
      auto client = BlockingClient::Connect(SentinelNode(url, sentinel), options);
      if (!client.ok()) return client.status();
      Result<Value> reply = (*client)->Command({"SENTINEL", "get-master-addr-by-name", url.master_name});
      if (!reply.ok()) return reply.status();
      return ParseMasterAddr(*reply);
    }();
    if (answer.ok()) return answer;
    if (!failures.empty()) failures += "; ";
    failures += EndpointText(sentinel) + ": " + answer.status().message();
  }
  return Unavailable("redis " + url.Redacted() + ": no sentinel named the primary of '" + url.master_name + "' (" +
                     failures + ")");
}

}  // namespace helpline::redis
