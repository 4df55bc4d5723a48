#pragma once
// The Telegram Bot API adapter: verifies and normalizes the updates Telegram
// POSTs to the bot's webhook (setWebhook with a secret_token), and answers
// inline by returning a sendMessage method call as the webhook response
// (https://core.telegram.org/bots/api#making-requests-when-getting-updates).
// BuildSend/ClassifySend serve replies that cannot go inline (retries).
//
// Parse() checks, in this order (the secret token in telegram_signature.h),
// and refuses with the first failure:
//   405 "use POST"                                   method is not POST
//   415 "expected application/json"                  other Content-Type (parameters and case ignored)
//   413 "body larger than 65536 bytes"               body over kMaxBodyBytes
//   500 "telegram secret token not configured"       empty secret_token (fails closed)
//   403 "missing X-Telegram-Bot-Api-Secret-Token"    header absent or empty
//   403 "invalid X-Telegram-Bot-Api-Secret-Token"    header differs from secret_token
//   400 "malformed update"                           not a JSON object with an integer
//                                                    update_id; invalid UTF-8
//   400 "malformed message"                          a text message without an integer chat.id
// Then:
//   - edited_message: Ignored "telegram edited message" (the original was answered)
//   - no `message`, or a message without `text` (stickers, photos, service
//     messages; callback queries, my_chat_member and other update kinds):
//     Ignored "telegram update without text"
//   - otherwise an InboundEvent: provider "telegram", channel kChat, id =
//     update_id in decimal, from = "tg:" + message.chat.id (negative for
//     groups; not a phone number), to = "", text = message.text, except that
//     the "/start" command Telegram sends when someone opens the bot (also
//     "/start@bot" and "/start <payload>") becomes the empty text, which gets
//     the menu.
// message.from.language_code is not passed on (InboundMessage has no field
// for a language hint).
//
// Replies (RenderInline): 200 application/json
//   {"method":"sendMessage","chat_id":<chat id as a JSON number>,"text":"..."}
// The text is cut to kMaxTextUnits UTF-16 code units (Telegram's 4096
// "characters", counted the way Telegram counts entity offsets, which is never
// more than the code points), at the last line break in the final quarter if
// there is one, else at the last space there, else at a code point boundary;
// bytes that are not valid UTF-8 become U+FFFD. An empty text, or a message
// whose `from` is not "tg:<integer>", gives 200 with an empty body (nothing
// sent). RenderAcknowledge: 200 with an empty body.
//
// Outbound (BuildSend): POST {api_base}/bot{bot_token}/sendMessage,
// application/json {"chat_id":<id>,"text":"..."} (the text cut as above), to
// = "tg:<chat id>". ClassifySend: {"ok":true,"result":{"message_id":N}} ->
// kSent with N; a 2xx without that -> kFail "telegram 200 malformed"; 429 and
// 5xx -> kRetry, retry_after from the body's parameters.retry_after (else the
// Retry-After header); other statuses -> kFail. Reasons carry Telegram's
// error_code, never its description, and never the bot token.
//
//   TelegramProvider telegram(TelegramConfig{.bot_token = t, .secret_token = s});
//   auto parsed = telegram.Parse(request, std::chrono::system_clock::now());
//
// Thread-safety: immutable after construction; every method is safe to call
// concurrently.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "gateway/provider.h"
#include "gateway/registry.h"

namespace helpline::gateway {

struct TelegramConfig {
  // The bot's token from @BotFather ("123456:ABC-DEF..."); it is part of every
  // API URL. Secret: never logged. BuildSend fails with FailedPrecondition
  // while it is empty.
  std::string bot_token;
  // The secret_token given to setWebhook (1-256 characters A-Z a-z 0-9 _ -);
  // Telegram sends it back in X-Telegram-Bot-Api-Secret-Token. Secret: never
  // logged. Required: Parse refuses every update while it is empty.
  std::string secret_token;
  // The Bot API's base URL, without a trailing slash (a test server's in tests).
  std::string api_base = "https://api.telegram.org";
};

class TelegramProvider final : public Provider {
 public:
  // Its settings in the registry (gateway/registry.h): telegram_secret_token
  // turns the webhook on.
  static constexpr ProviderSettingSpec kSettings[] = {
      {.key = "secret_token", .secret = true, .default_value = "", .choices = ""},
      {.key = "bot_token", .secret = true, .default_value = "", .choices = ""},
      {.key = "api_base", .secret = false, .default_value = "https://api.telegram.org", .choices = ""},
  };
  static std::unique_ptr<Provider> FromSettings(const ProviderSettings& settings, const ProviderContext& context);

  // Largest update accepted, in bytes.
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  // Telegram's limit on a message's text, in UTF-16 code units.
  static constexpr std::size_t kMaxTextUnits = 4096;

  explicit TelegramProvider(TelegramConfig config);

  std::string_view provider() const override { return "telegram"; }
  ParsedWebhook Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const override;
  bool replies_inline() const override { return true; }
  WebhookResponse RenderInline(const InboundMessage& message, const InlineReply& reply) const override;
  WebhookResponse RenderAcknowledge() const override;
  // InvalidArgument for a recipient that is not "tg:<integer>" or an empty
  // text; FailedPrecondition without a bot token.
  Result<OutboundRequest> BuildSend(const OutboundMessage& message) const override;
  DeliveryDecision ClassifySend(const HttpResult& result) const override;

  // `text` made valid UTF-8 and cut to at most kMaxTextUnits UTF-16 code
  // units (see above). Exposed for tests.
  static std::string FitText(std::string_view text);

 private:
  TelegramConfig config_;
};

}  // namespace helpline::gateway
