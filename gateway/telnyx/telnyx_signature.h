#pragma once
// Telnyx webhook signatures (https://developers.telnyx.com, "Receiving
// webhooks"): Telnyx signs `{telnyx-timestamp}|{raw body}` with Ed25519 under
// the key whose public half the portal shows (base64 of 32 raw bytes); the
// signature travels base64-encoded in telnyx-signature-ed25519, the time in
// telnyx-timestamp as unix seconds. The checks and their reasons, in order,
// are listed in telnyx_provider.h; the timestamp is checked before the
// signature so that replayed floods cost no public-key operation.
//
//   if (auto refused = CheckTelnyxSignature(request, public_key, now, 300s)) return *refused;
//
// Thread-safety: a free function without shared state.

#include <chrono>
#include <optional>
#include <string_view>

#include "gateway/inbound.h"

namespace helpline::gateway {

// nullopt when `request` carries a fresh timestamp (within `tolerance` of
// `now`) and a valid signature of it and the body under `public_key` (32 raw
// bytes; empty: 500, the provider fails closed), else the 403 (or 500) to answer.
std::optional<WebhookError> CheckTelnyxSignature(const WebhookRequest& request, std::string_view public_key,
                                                 std::chrono::system_clock::time_point now,
                                                 std::chrono::seconds tolerance);

}  // namespace helpline::gateway
