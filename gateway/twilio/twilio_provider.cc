#include "gateway/twilio/twilio_provider.h"

#include <rapidjson/document.h>

#include <utility>

#include "common/ascii.h"
#include "gateway/base64.h"
#include "gateway/delivery.h"
#include "gateway/form_urlencoded.h"
#include "gateway/http_util.h"

namespace helpline::gateway {
namespace {

constexpr std::string_view kWhatsAppPrefix = "whatsapp:";
constexpr std::string_view kChatPrefixes[] = {"whatsapp:", "messenger:"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii::ToLower(c);
  return out;
}

bool HasChatPrefix(std::string_view address) {
  const std::string lower = Lower(address.substr(0, 10));
  for (const std::string_view prefix : kChatPrefixes) {
    if (std::string_view(lower).starts_with(prefix)) return true;
  }
  return false;
}

std::string ChatAddress(const std::string& address) {
  return HasChatPrefix(address) ? address : std::string(kWhatsAppPrefix) + address;
}

std::string_view FirstValue(const FormParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name && !value.empty()) return value;
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

const rapidjson::Value* MemberOrNull(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

}  // namespace

TwilioProvider::TwilioProvider(TwilioConfig config) : config_(std::move(config)), webhook_(config_.auth_token) {
  if (config_.api_base.ends_with('/')) config_.api_base.pop_back();
}

ParsedWebhook TwilioProvider::Parse(const WebhookRequest& request,
                                    std::chrono::system_clock::time_point /*now*/) const {
  auto verified = webhook_.Verify(request);
  if (auto* error = std::get_if<WebhookError>(&verified)) return std::move(*error);
  const FormParams& params = std::get<FormParams>(verified);

  std::string_view status = FirstValue(params, "MessageStatus");
  if (status.empty()) status = FirstValue(params, "SmsStatus");
  const std::string lower_status = Lower(status);
  if (!status.empty() && lower_status != "received" && lower_status != "receiving") {
    return ToDeliveryStatus(params, status);
  }

  auto message = TwilioWebhook::ToMessage(params);
  if (auto* error = std::get_if<WebhookError>(&message)) return std::move(*error);
  return InboundEvent{std::get<InboundMessage>(std::move(message)), std::nullopt};
}

WebhookResponse TwilioProvider::RenderInline(const InboundMessage& /*message*/, const InlineReply& reply) const {
  return WebhookResponse{200, std::string(TwilioWebhook::kTwimlContentType), TwilioWebhook::Twiml(reply.text)};
}

WebhookResponse TwilioProvider::RenderAcknowledge() const {
  return WebhookResponse{200, std::string(TwilioWebhook::kTwimlContentType), TwilioWebhook::Twiml("")};
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
  request.body = FormEncode({
      {"To", chat ? ChatAddress(message.to) : message.to},
      {"From", chat ? ChatAddress(message.from) : message.from},
      {"Body", message.text},
  });
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

}  // namespace helpline::gateway
