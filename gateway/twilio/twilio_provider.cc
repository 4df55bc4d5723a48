#include "gateway/twilio/twilio_provider.h"

#include <rapidjson/document.h>

#include <array>
#include <cstdint>
#include <utility>

#include "common/ascii.h"
#include "common/base64.h"
#include "common/utf8.h"
#include "gateway/delivery.h"
#include "gateway/form_urlencoded.h"
#include "gateway/http_util.h"
#include "gateway/preflight.h"
#include "gateway/twilio/twilio_signature.h"

namespace helpline::gateway {
namespace {

constexpr std::string_view kWhatsAppPrefix = "whatsapp:";
constexpr std::string_view kChatPrefixes[] = {"whatsapp:", "messenger:"};

// Method, media type and size, checked first (gateway/preflight.h).
constexpr WebhookShape kShape{.accepts_get = false,
                              .media_types = "application/x-www-form-urlencoded",
                              .max_body_bytes = TwilioProvider::kMaxBodyBytes};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii::ToLower(c);
  return out;
}

// The length of the chat-channel prefix `address` starts with (any case), or 0.
std::size_t ChatPrefixLength(std::string_view address) {
  for (const std::string_view prefix : kChatPrefixes) {
    if (ascii::StartsWithIgnoreCase(address, prefix)) {
      return prefix.size();
    }
  }
  return 0;
}

bool HasChatPrefix(std::string_view address) { return ChatPrefixLength(address) != 0; }

std::string ChatAddress(const std::string& address) {
  return HasChatPrefix(address) ? address : std::string(kWhatsAppPrefix) + address;
}

std::string_view FirstValue(const FormParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name && !value.empty()) return value;
  }
  return {};
}

// ParamValue(params, name) moved out of `params` instead of copied (the
// pair's value is left empty).
std::string TakeParam(FormParams& params, std::string_view name) {
  for (auto& [key, value] : params) {
    if (key == name) return std::move(value);
  }
  return {};
}

bool IsAlphanumeric(std::string_view s) {
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

std::string NormalizeState(std::string_view lower_status) {
  if (lower_status == "queued" || lower_status == "accepted" || lower_status == "scheduled" ||
      lower_status == "sending") {
    return "queued";
  }
  if (lower_status == "sent") return "sent";
  if (lower_status == "delivered" || lower_status == "read") return "delivered";
  if (lower_status == "undelivered") return "undelivered";
  if (lower_status == "failed" || lower_status == "canceled") return "failed";
  return "unknown";
}

// The status callback in verified parameters whose status is `status`.
ParsedWebhook ToDeliveryStatus(const FormParams& params, std::string_view status) {
  DeliveryStatus delivery;
  delivery.provider = "twilio";
  delivery.provider_message_id = FirstValue(params, "MessageSid");
  if (delivery.provider_message_id.empty()) delivery.provider_message_id = FirstValue(params, "SmsSid");
  if (delivery.provider_message_id.empty()) return WebhookError{400, "missing MessageSid"};
  delivery.state = NormalizeState(Lower(status));
  delivery.error_code = SafeErrorCode(FirstValue(params, "ErrorCode"));
  return delivery;
}

// The outbound_id query parameter of a (verified) status callback URL, or "".
std::string OutboundIdOf(std::string_view url) {
  const std::size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  Result<FormParams> query = ParseFormUrlencoded(url.substr(q + 1));
  if (!query.ok()) return {};
  return ParamValue(*query, TwilioProvider::kOutboundIdParam);
}

const rapidjson::Value* MemberOrNull(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// Removes a chat-channel prefix from `address`; true if there was one.
bool StripChatPrefix(std::string& address) {
  const std::size_t n = ChatPrefixLength(address);
  address.erase(0, n);
  return n != 0;
}

WebhookError Error(int status, std::string reason) { return WebhookError{status, std::move(reason)}; }

// XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool IsXmlChar(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Bytes copied into XML character data as they are, a run at a time:
// printable ASCII other than the five escaped characters, and tab, LF, CR.
constexpr std::array<bool, 256> kPlainXml = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7F; ++c) plain[c] = true;
  for (const unsigned char c : {'\t', '\n', '\r'}) plain[c] = true;
  for (const unsigned char c : {'&', '<', '>', '"', '\''}) plain[c] = false;
  return plain;
}();

// Appends `text` to `out` as XML character data, escaped and stripped of
// what XML 1.0 forbids.
void AppendXmlText(std::string& out, std::string_view text) {
  while (!text.empty()) {
    std::size_t run = 0;
    while (run < text.size() && kPlainXml[static_cast<unsigned char>(text[run])]) ++run;
    if (run > 0) {
      out.append(text.substr(0, run));
      text.remove_prefix(run);
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t len = DecodeUtf8(text, cp);
    if (len == 0) {
      out += kUtf8ReplacementCharacter;
      text.remove_prefix(1);
      continue;
    }
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (IsXmlChar(cp)) out.append(text.substr(0, len));
    }
    text.remove_prefix(len);
  }
}

}  // namespace

std::unique_ptr<Provider> TwilioProvider::FromSettings(const ProviderSettings& settings,
                                                       const ProviderContext& /*context*/) {
  return std::make_unique<TwilioProvider>(TwilioConfig{
      std::string(SettingOf(settings, "account_sid")), std::string(SettingOf(settings, "auth_token")),
      std::string(SettingOf(settings, "api_base")), std::string(SettingOf(settings, "status_callback_url"))});
}

Status TwilioProvider::CheckSettings(const ProviderSettings& settings) {
  const std::string_view url = SettingOf(settings, "status_callback_url");
  if (url.empty()) return Status::Ok();
  const bool http = url.starts_with("http://") || url.starts_with("https://");
  if (!http || url.size() > kMaxStatusCallbackBase || url.find('#') != std::string_view::npos) {
    return InvalidArgument("twilio_status_callback_url must be an http:// or https:// URL (no '#') of at most " +
                           std::to_string(kMaxStatusCallbackBase) + " characters: Twilio posts status callbacks there");
  }
  return Status::Ok();
}

std::string TwilioProvider::StatusCallbackUrl(std::string_view base, std::string_view id) {
  std::string url(base);
  url += base.find('?') == std::string_view::npos ? '?' : '&';
  url += FormEncode({{std::string(kOutboundIdParam), std::string(id)}});
  return url;
}

TwilioProvider::TwilioProvider(TwilioConfig config)
    : config_(std::move(config)), auth_key_(Digest::kSha1, config_.auth_token) {
  if (config_.api_base.ends_with('/')) config_.api_base.pop_back();
}

ParsedWebhook TwilioProvider::Parse(const WebhookRequest& request,
                                    std::chrono::system_clock::time_point /*now*/) const {
  auto verified = Verify(request);
  if (auto* error = std::get_if<WebhookError>(&verified)) return std::move(*error);
  FormParams& params = std::get<FormParams>(verified);

  std::string_view status = FirstValue(params, "MessageStatus");
  if (status.empty()) status = FirstValue(params, "SmsStatus");
  const std::string lower_status = Lower(status);
  if (!status.empty() && lower_status != "received" && lower_status != "receiving") {
    ParsedWebhook delivery = ToDeliveryStatus(params, status);
    if (auto* d = std::get_if<DeliveryStatus>(&delivery)) d->client_ref = OutboundIdOf(request.url);
    return delivery;
  }

  auto message = ToMessage(std::move(params));
  if (auto* error = std::get_if<WebhookError>(&message)) return std::move(*error);
  return InboundEvent{std::get<InboundMessage>(std::move(message)), std::nullopt};
}

WebhookResponse TwilioProvider::RenderInline(const InboundMessage& /*message*/, const InlineReply& reply) const {
  return WebhookResponse{200, std::string(kTwimlContentType), TwimlMemo::ThisThread().Twiml(reply.text)};
}

TwimlMemo& TwimlMemo::ThisThread() {
  thread_local TwimlMemo memo;
  return memo;
}

std::size_t TwimlMemo::SampledHash::operator()(std::string_view text) const noexcept {
  const std::hash<std::string_view> hash;
  if (text.size() <= 3 * kSampleBytes) return hash(text);
  const std::size_t middle = (text.size() - kSampleBytes) / 2;
  std::size_t h = hash(text.substr(0, kSampleBytes));
  h = h * 31 + hash(text.substr(middle, kSampleBytes));
  h = h * 31 + hash(text.substr(text.size() - kSampleBytes));
  return h ^ text.size();
}

const std::string& TwimlMemo::Twiml(std::string_view text) {
  if (text.size() > kMaxTextBytes) {
    long_ = TwilioProvider::Twiml(text);
    return long_;
  }
  if (const auto it = documents_.find(text); it != documents_.end()) return it->second;
  if (documents_.size() >= kMaxEntries) documents_.clear();
  return documents_.emplace(std::string(text), TwilioProvider::Twiml(text)).first->second;
}

WebhookResponse TwilioProvider::RenderAcknowledge() const {
  return WebhookResponse{200, std::string(kTwimlContentType), Twiml("")};
}

Result<OutboundRequest> TwilioProvider::BuildSend(const OutboundMessage& message) const {
  if (config_.account_sid.empty() || config_.auth_token.empty()) {
    return FailedPrecondition("twilio account sid or auth token not configured");
  }
  if (!IsAlphanumeric(config_.account_sid)) return FailedPrecondition("twilio account sid is not alphanumeric");
  if (message.to.empty()) return InvalidArgument("twilio send " + message.id + ": empty To");
  if (message.from.empty()) return InvalidArgument("twilio send " + message.id + ": empty From");
  if (message.text.empty()) return InvalidArgument("twilio send " + message.id + ": empty Body");

  const bool chat = message.channel == MessageChannel::kChat;
  OutboundRequest request;
  request.method = "POST";
  request.url = config_.api_base + "/2010-04-01/Accounts/" + config_.account_sid + "/Messages.json";
  request.headers = {
      {"Authorization", "Basic " + Base64Encode(config_.account_sid + ":" + config_.auth_token)},
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"Accept", "application/json"},
  };
  FormParams form = {
      {"To", chat ? ChatAddress(message.to) : message.to},
      {"From", chat ? ChatAddress(message.from) : message.from},
      {"Body", message.text},
  };
  if (!config_.status_callback_url.empty() && !message.id.empty()) {
    form.emplace_back("StatusCallback", StatusCallbackUrl(config_.status_callback_url, message.id));
  }
  request.body = FormEncode(form);
  return request;
}

DeliveryDecision TwilioProvider::ClassifySend(const HttpResult& result) const {
  DeliveryDecision decision = ClassifyHttp(result, provider(), std::chrono::system_clock::now());
  if (!result.transport_ok) return decision;

  rapidjson::Document json;
  json.Parse<rapidjson::kParseIterativeFlag>(result.body.data(), result.body.size());
  const bool is_object = !json.HasParseError() && json.IsObject();
  if (decision.verdict == DeliveryVerdict::kSent) {
    // The created Message resource: {"sid": "SM...", "status": "queued", ...}.
    const rapidjson::Value* sid = is_object ? MemberOrNull(json, "sid") : nullptr;
    if (sid == nullptr || !sid->IsString() || sid->GetStringLength() == 0) {
      MarkMalformedSuccess(decision);
    } else {
      decision.provider_message_id.assign(sid->GetString(), sid->GetStringLength());
    }
    return decision;
  }
  // Twilio's error body: {"code": 21211, "message": "...", "more_info": "...", "status": 400}.
  // The message may quote the number: only the code is used.
  const rapidjson::Value* code = is_object ? MemberOrNull(json, "code") : nullptr;
  if (code != nullptr && code->IsInt64()) {
    AppendErrorCode(decision, std::to_string(code->GetInt64()));
  } else if (code != nullptr && code->IsString()) {
    AppendErrorCode(decision, std::string_view(code->GetString(), code->GetStringLength()));
  }
  return decision;
}

std::variant<FormParams, WebhookError> TwilioProvider::Verify(const WebhookRequest& request) const {
  const auto pre = Preflight(request, kShape);
  if (const auto* error = std::get_if<WebhookError>(&pre)) return *error;
  if (config_.auth_token.empty()) return Error(500, "twilio auth token not configured");
  const std::string_view signature = request.Header("x-twilio-signature");
  if (signature.empty()) return Error(403, "missing X-Twilio-Signature");

  Result<FormParams> params = ParseFormUrlencoded(request.body);
  if (!params.ok()) return Error(400, "malformed form body");
  if (!VerifyTwilioSignature(auth_key_, request.url, *params, signature)) {
    return Error(403, "invalid X-Twilio-Signature");
  }
  return std::move(params).value();
}

std::variant<InboundMessage, WebhookError> TwilioProvider::ToMessage(FormParams&& params) {
  InboundMessage message;
  message.provider = "twilio";
  message.from = TakeParam(params, "From");
  message.to = TakeParam(params, "To");
  const bool chat_from = StripChatPrefix(message.from);
  const bool chat_to = StripChatPrefix(message.to);
  message.channel = chat_from || chat_to ? MessageChannel::kChat : MessageChannel::kSms;
  if (message.from.empty()) return Error(400, "missing From");  // also "whatsapp:" alone
  message.id = TakeParam(params, "MessageSid");
  if (message.id.empty()) message.id = TakeParam(params, "SmsSid");
  if (message.id.empty()) return Error(400, "missing MessageSid");

  message.text = TakeParam(params, "Body");
  message.from_state = TakeParam(params, "FromState");
  message.from_zip = TakeParam(params, "FromZip");
  message.from_country = TakeParam(params, "FromCountry");
  message.from_city = TakeParam(params, "FromCity");
  return message;
}

std::string TwilioProvider::Twiml(std::string_view message) {
  static constexpr std::string_view kProlog = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  static constexpr std::string_view kOpen = "<Response><Message>";
  static constexpr std::string_view kClose = "</Message></Response>";
  // One allocation: the escaped text is written in place (escapes make it
  // longer than the message only when it has & < > " or ').
  std::string out;
  out.reserve(kProlog.size() + kOpen.size() + message.size() + message.size() / 8 + kClose.size());
  out += kProlog;
  out += kOpen;
  const std::size_t text_at = out.size();
  AppendXmlText(out, message);
  if (out.size() == text_at) {  // nothing left to say: the empty response
    out.resize(kProlog.size());
    out += "<Response/>";
  } else {
    out += kClose;
  }
  return out;
}

}  // namespace helpline::gateway
