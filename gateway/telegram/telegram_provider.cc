#include "gateway/telegram/telegram_provider.h"
#include "gateway/preflight.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "common/json_escape.h"
#include "common/utf8.h"
#include "gateway/delivery.h"
#include "gateway/http_util.h"
#include "gateway/telegram/telegram_signature.h"

namespace helpline::gateway {
namespace {

// Method, media type and size, checked first (gateway/preflight.h).
constexpr WebhookShape kShape{
    .accepts_get = false, .media_types = "application/json", .max_body_bytes = TelegramProvider::kMaxBodyBytes};

constexpr std::string_view kJsonContentType = "application/json";
constexpr std::string_view kChatPrefix = "tg:";

WebhookError Error(int status, std::string reason) { return WebhookError{status, std::move(reason)}; }

// The chat id in "tg:<integer>", or nullopt.
std::optional<std::int64_t> ChatIdOf(std::string_view address) {
  if (!address.starts_with(kChatPrefix)) return std::nullopt;
  std::string_view digits = address.substr(kChatPrefix.size());
  const bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  // Telegram's ids have at most 52 bits: well within ParseDecimal's 18 digits.
  const std::optional<std::int64_t> value = ParseDecimal(digits);
  if (!value) return std::nullopt;
  return negative ? -*value : *value;
}

// The "/start" command (with an optional @botname or payload): what Telegram
// sends when someone first opens the bot.
bool IsStartCommand(std::string_view text) {
  constexpr std::string_view kStart = "/start";
  if (!text.starts_with(kStart)) return false;
  return text.size() == kStart.size() || text[kStart.size()] == ' ' || text[kStart.size()] == '@';
}

std::string Json(std::int64_t chat_id, std::string_view text, bool with_method) {
  std::string out = with_method ? R"({"method":"sendMessage","chat_id":)" : R"({"chat_id":)";
  out += std::to_string(chat_id);
  out += R"(,"text":)";
  out += JsonQuote(text);
  out += '}';
  return out;
}

std::optional<std::int64_t> Int64Member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return std::nullopt;
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return it->value.GetInt64();
}

const rapidjson::Value* Member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// `s` with every occurrence of `secret` (non-empty) replaced by "***".
std::string Scrub(std::string s, std::string_view secret) {
  if (secret.empty()) return s;
  for (std::size_t at = s.find(secret); at != std::string::npos; at = s.find(secret, at + 3)) {
    s.replace(at, secret.size(), "***");
  }
  return s;
}

}  // namespace

TelegramProvider::TelegramProvider(TelegramConfig config) : config_(std::move(config)) {
  while (!config_.api_base.empty() && config_.api_base.back() == '/') config_.api_base.pop_back();
}

std::string TelegramProvider::FitText(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxTextUnits * 4));
  std::size_t units = 0;
  bool cut = false;
  while (!text.empty()) {
    std::uint32_t cp = 0;
    std::size_t len = DecodeUtf8(text, cp);
    std::string_view bytes = text.substr(0, len);
    if (len == 0) {
      len = 1;
      cp = 0xFFFD;
      bytes = kUtf8ReplacementCharacter;
    }
    const std::size_t cp_units = cp >= 0x10000 ? 2 : 1;
    if (units + cp_units > kMaxTextUnits) {
      cut = true;
      break;
    }
    units += cp_units;
    out.append(bytes);
    text.remove_prefix(len);
  }
  if (!cut) return out;

  // Prefer a line break, then a space, in the last quarter; a cut there loses
  // at most a quarter of what fits and never splits a word.
  const std::size_t floor = out.size() * 3 / 4;
  for (const char separator : {'\n', ' '}) {
    const std::size_t at = out.rfind(separator);
    if (at != std::string::npos && at >= floor) {
      out.resize(at);
      while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
      return out;
    }
  }
  return out;
}

ParsedWebhook TelegramProvider::Parse(const WebhookRequest& request,
                                      std::chrono::system_clock::time_point /*now*/) const {
  const auto pre = Preflight(request, kShape);
  if (const auto* error = std::get_if<WebhookError>(&pre)) return *error;
  if (auto refused = CheckTelegramSecretToken(request, config_.secret_token)) return *refused;

  rapidjson::Document update;
  update.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(request.body.data(),
                                                                                       request.body.size());
  if (update.HasParseError() || !update.IsObject()) return Error(400, "malformed update");
  const std::optional<std::int64_t> update_id = Int64Member(update, "update_id");
  if (!update_id) return Error(400, "malformed update");

  const rapidjson::Value* message = Member(update, "message");
  if (message == nullptr) {
    if (Member(update, "edited_message") != nullptr) return Ignored{"telegram edited message"};
    return Ignored{"telegram update without text"};
  }
  const rapidjson::Value* text = Member(*message, "text");
  if (text == nullptr || !text->IsString()) return Ignored{"telegram update without text"};
  const rapidjson::Value* chat = Member(*message, "chat");
  const std::optional<std::int64_t> chat_id = chat != nullptr ? Int64Member(*chat, "id") : std::nullopt;
  if (!chat_id) return Error(400, "malformed message");

  InboundEvent event;
  InboundMessage& m = event.message;
  m.provider = "telegram";
  m.channel = MessageChannel::kChat;
  m.id = std::to_string(*update_id);
  m.from = std::string(kChatPrefix) + std::to_string(*chat_id);
  m.text.assign(text->GetString(), text->GetStringLength());
  if (IsStartCommand(m.text)) m.text.clear();
  // The app's language ("es", "fr-CA"): a hint until the person states one.
  if (const rapidjson::Value* from = Member(*message, "from")) {
    if (const rapidjson::Value* code = Member(*from, "language_code");
        code != nullptr && code->IsString() && code->GetStringLength() <= 35) {
      m.language_hint.assign(code->GetString(), code->GetStringLength());
    }
  }
  return event;
}

WebhookResponse TelegramProvider::RenderInline(const InboundMessage& message, const InlineReply& reply) const {
  const std::optional<std::int64_t> chat_id = ChatIdOf(message.from);
  const std::string text = FitText(reply.text);
  if (!chat_id || text.empty()) return RenderAcknowledge();
  return WebhookResponse{200, std::string(kJsonContentType), Json(*chat_id, text, /*with_method=*/true)};
}

WebhookResponse TelegramProvider::RenderAcknowledge() const { return WebhookResponse{200, "", ""}; }

Result<OutboundRequest> TelegramProvider::BuildSend(const OutboundMessage& message) const {
  if (config_.bot_token.empty()) return FailedPrecondition("telegram bot_token not configured");
  const std::optional<std::int64_t> chat_id = ChatIdOf(message.to);
  if (!chat_id) return InvalidArgument("telegram send: recipient is not a telegram chat");
  const std::string text = FitText(message.text);
  if (text.empty()) return InvalidArgument("telegram send: empty text");

  OutboundRequest request;
  request.method = "POST";
  request.url = config_.api_base + "/bot" + config_.bot_token + "/sendMessage";
  request.headers = {{"Content-Type", std::string(kJsonContentType)}};
  request.body = Json(*chat_id, text, /*with_method=*/false);
  return request;
}

DeliveryDecision TelegramProvider::ClassifySend(const HttpResult& result) const {
  DeliveryDecision decision = ClassifyHttp(result, "telegram", std::chrono::system_clock::now());
  // A transport error's text may quote the URL, and the URL holds the token.
  decision.reason = Scrub(std::move(decision.reason), config_.bot_token);
  if (!result.transport_ok) return decision;

  rapidjson::Document body;
  body.Parse<rapidjson::kParseIterativeFlag>(result.body.data(), result.body.size());
  const bool parsed = !body.HasParseError() && body.IsObject();
  const rapidjson::Value* ok = parsed ? Member(body, "ok") : nullptr;

  if (decision.verdict == DeliveryVerdict::kSent) {
    const rapidjson::Value* sent = parsed ? Member(body, "result") : nullptr;
    const std::optional<std::int64_t> message_id = sent != nullptr ? Int64Member(*sent, "message_id") : std::nullopt;
    if (ok == nullptr || !ok->IsBool() || !ok->GetBool() || !message_id) {
      MarkMalformedSuccess(decision);
    } else {
      decision.provider_message_id = std::to_string(*message_id);
    }
    return decision;
  }
  if (!parsed) return decision;
  if (const std::optional<std::int64_t> code = Int64Member(body, "error_code")) {
    decision.reason += " code " + std::to_string(*code);
  }
  if (decision.verdict == DeliveryVerdict::kRetry) {
    const rapidjson::Value* parameters = Member(body, "parameters");
    const std::optional<std::int64_t> retry_after =
        parameters != nullptr ? Int64Member(*parameters, "retry_after") : std::nullopt;
    // Telegram asks for seconds to minutes; a day caps a nonsensical value.
    if (retry_after && *retry_after >= 0) {
      decision.retry_after = std::chrono::seconds(std::min<std::int64_t>(*retry_after, 24 * 3600));
    }
  }
  return decision;
}

std::unique_ptr<Provider> TelegramProvider::FromSettings(const ProviderSettings& settings,
                                                         const ProviderContext& /*context*/) {
  return std::make_unique<TelegramProvider>(TelegramConfig{std::string(SettingOf(settings, "bot_token")),
                                                           std::string(SettingOf(settings, "secret_token")),
                                                           std::string(SettingOf(settings, "api_base"))});
}

}  // namespace helpline::gateway
