#include "gateway/telegram/telegram_signature.h"

#include "common/crypto.h"

namespace helpline::gateway {
namespace {

constexpr std::string_view kSecretHeader = "x-telegram-bot-api-secret-token";

}  // namespace

std::optional<WebhookError> CheckTelegramSecretToken(const WebhookRequest& request, std::string_view secret_token) {
  if (secret_token.empty()) return WebhookError{500, "telegram secret token not configured"};
  const std::string_view token = request.Header(kSecretHeader);
  if (token.empty()) return WebhookError{403, "missing X-Telegram-Bot-Api-Secret-Token"};
  if (!ConstantTimeEquals(token, secret_token)) return WebhookError{403, "invalid X-Telegram-Bot-Api-Secret-Token"};
  return std::nullopt;
}

}  // namespace helpline::gateway
