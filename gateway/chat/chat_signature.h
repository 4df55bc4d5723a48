#pragma once
// The JSON chat webhook's signature: the sender (our own web chat or a
// partner's) signs `{X-Helpline-Timestamp}.{raw body}` with HMAC-SHA256 under
// the shared chat secret and sends "sha256=" + hex in X-Helpline-Signature.
// The prefix is compared as is, the hex ignoring case, in constant time; the
// timestamp must be within the tolerance of now. Reasons (chat_provider.h
// lists them with the rest):
//   500 "chat secret not configured"      empty secret (fails closed)
//   403 "missing X-Helpline-Timestamp"    absent or empty
//   403 "invalid X-Helpline-Timestamp"    not 1 to 18 decimal digits
//   403 "missing X-Helpline-Signature"    absent or empty
//   403 "invalid X-Helpline-Signature"    wrong secret, wrong format, or the body was changed
//   403 "stale timestamp"                 more than `tolerance` before or after now
//
//   std::string sig = ChatSignature(secret, "1717243200", body);  // "sha256=..."
//   if (auto refused = CheckChatSignature(request, secret, now, 300s)) return *refused;
//
// Thread-safety: free functions without shared state. The secret is never
// logged or returned.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/inbound.h"

namespace helpline::gateway {

// The X-Helpline-Signature value for `timestamp` and `body` under `secret`.
std::string ChatSignature(std::string_view secret, std::string_view timestamp, std::string_view body);

// nullopt when `request` is signed with `secret` at a time within `tolerance`
// of `now`, else the 403 (or 500) to answer.
std::optional<WebhookError> CheckChatSignature(const WebhookRequest& request, std::string_view secret,
                                               std::chrono::system_clock::time_point now,
                                               std::chrono::seconds tolerance);

}  // namespace helpline::gateway
