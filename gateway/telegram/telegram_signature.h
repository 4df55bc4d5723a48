#pragma once
// Telegram's webhook check: setWebhook was given a secret_token, and Telegram
// sends it back in X-Telegram-Bot-Api-Secret-Token on every update (Bot API,
// "setWebhook"). There is no signature over the body; the token, compared in
// constant time, is the proof. Reasons (telegram_provider.h lists them with
// the rest):
//   500 "telegram secret token not configured"       empty secret_token (fails closed)
//   403 "missing X-Telegram-Bot-Api-Secret-Token"    header absent or empty
//   403 "invalid X-Telegram-Bot-Api-Secret-Token"    header differs from secret_token
//
//   if (auto refused = CheckTelegramSecretToken(request, config.secret_token)) return *refused;
//
// Thread-safety: a free function without shared state. The token is never
// logged or returned.

#include <optional>
#include <string_view>

#include "gateway/inbound.h"

namespace helpline::gateway {

// nullopt when `request` carries `secret_token`, else the 403 (or 500) to answer.
std::optional<WebhookError> CheckTelegramSecretToken(const WebhookRequest& request, std::string_view secret_token);

}  // namespace helpline::gateway
