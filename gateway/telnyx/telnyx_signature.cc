#include "gateway/telnyx/telnyx_signature.h"

#include <cstdint>
#include <string>

#include "common/base64.h"
#include "common/crypto.h"
#include "gateway/http_util.h"

namespace helpline::gateway {
namespace {

constexpr std::string_view kSignatureHeader = "telnyx-signature-ed25519";
constexpr std::string_view kTimestampHeader = "telnyx-timestamp";

}  // namespace

std::optional<WebhookError> CheckTelnyxSignature(const WebhookRequest& request, std::string_view public_key,
                                                 std::chrono::system_clock::time_point now,
                                                 std::chrono::seconds tolerance) {
  if (public_key.empty()) return WebhookError{500, "telnyx public key not configured"};
  const std::string_view signature_b64 = request.Header(kSignatureHeader);
  if (signature_b64.empty()) return WebhookError{403, "missing telnyx-signature-ed25519"};
  const std::string_view timestamp = request.Header(kTimestampHeader);
  if (timestamp.empty()) return WebhookError{403, "missing telnyx-timestamp"};

  const std::optional<std::int64_t> signed_at = ParseDecimal(timestamp);
  if (!signed_at) return WebhookError{403, "malformed telnyx-timestamp"};
  const std::int64_t now_s = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = *signed_at > now_s ? *signed_at - now_s : now_s - *signed_at;
  if (skew > tolerance.count()) return WebhookError{403, "stale telnyx-timestamp"};

  const std::optional<std::string> signature = Base64Decode(signature_b64);
  if (!signature || signature->size() != 64) return WebhookError{403, "malformed telnyx-signature-ed25519"};
  std::string signed_payload;
  signed_payload.reserve(timestamp.size() + 1 + request.body.size());
  signed_payload.append(timestamp).append("|").append(request.body);
  if (!VerifyEd25519(public_key, signed_payload, *signature)) {
    return WebhookError{403, "invalid telnyx-signature-ed25519"};
  }
  return std::nullopt;
}

}  // namespace helpline::gateway
