#include "gateway/chat/chat_signature.h"

#include <cstdint>

#include "common/crypto.h"
#include "common/hex.h"
#include "gateway/http_util.h"

namespace helpline::gateway {
namespace {

constexpr std::string_view kSignaturePrefix = "sha256=";

WebhookError Error(int status, std::string reason) { return WebhookError{status, std::move(reason)}; }

}  // namespace

std::string ChatSignature(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string signed_string;
  signed_string.reserve(timestamp.size() + 1 + body.size());
  signed_string.append(timestamp).append(".").append(body);
  return std::string(kSignaturePrefix) + HexLower(Hmac(Digest::kSha256, secret, signed_string));
}

std::optional<WebhookError> CheckChatSignature(const WebhookRequest& request, std::string_view secret,
                                               std::chrono::system_clock::time_point now,
                                               std::chrono::seconds tolerance) {
  if (secret.empty()) return Error(500, "chat secret not configured");

  const std::string_view timestamp_header = request.Header("x-helpline-timestamp");
  if (timestamp_header.empty()) return Error(403, "missing X-Helpline-Timestamp");
  const std::optional<std::int64_t> timestamp = ParseDecimal(timestamp_header);
  if (!timestamp) return Error(403, "invalid X-Helpline-Timestamp");
  const std::string_view signature = request.Header("x-helpline-signature");
  if (signature.empty()) return Error(403, "missing X-Helpline-Signature");
  // The prefix is compared as is; the hex ignoring case. Neither is secret.
  if (!signature.starts_with(kSignaturePrefix) ||
      !ConstantTimeEqualsIgnoreCase(ChatSignature(secret, timestamp_header, request.body), signature)) {
    return Error(403, "invalid X-Helpline-Signature");
  }
  const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = *timestamp > now_s ? *timestamp - now_s : now_s - *timestamp;
  if (skew > tolerance.count()) return Error(403, "stale timestamp");
  return std::nullopt;
}

}  // namespace helpline::gateway
