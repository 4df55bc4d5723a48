#pragma once
// Redis Sentinel discovery, shared by both clients (redis/url.h gives the
// redis+sentinel:// form). A client in Sentinel mode asks the sentinels, in
// order, `SENTINEL get-master-addr-by-name NAME`; the first address named
// wins, and the client connects there and checks with ROLE that the node is
// a primary (a sentinel may still name a demoted one for a moment after a
// failover). The async client also subscribes to `+switch-master` on a
// sentinel and reconnects at once when the primary moves (async_client.h).
//
// Thread-safety: free functions on plain values.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "redis/url.h"
#include "redis/value.h"

namespace helpline::redis {

// AUTH password, or AUTH username password (ACL user).
std::vector<std::string> AuthCommand(const std::string& username, const std::string& password);

// The commands that ask a sentinel for the primary of url.master_name: AUTH
// first when url.sentinel_password is set. The last command's reply goes to
// ParseMasterAddr().
std::vector<std::vector<std::string>> SentinelQuery(const Url& url);

// The reply to SENTINEL get-master-addr-by-name: [ip, port]. NotFound when
// the sentinel does not know the name (nil), Internal for any other shape.
Result<Endpoint> ParseMasterAddr(const Value& reply);

// The reply to ROLE: OK when its first element is "master", else
// FailedPrecondition naming the role ("role is 'slave'").
Status CheckPrimaryRole(const Value& reply);

// A `+switch-master` message: "<name> <old-ip> <old-port> <new-ip> <new-port>".
// The new address when `name` matches, else NotFound.
Result<Endpoint> ParseSwitchMaster(std::string_view message, std::string_view name);

// Blocking discovery (the blocking client): asks each sentinel in turn with
// `timeout_ms` to connect and to answer. Unavailable naming every sentinel's
// failure when none names the primary.
Result<Endpoint> AskSentinels(const Url& url, int timeout_ms);

}  // namespace helpline::redis
