#include "gateway/telnyx/telnyx_provider.h"
#include "gateway/preflight.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <utility>

#include "common/base64.h"
#include "common/crypto.h"
#include "common/utf8.h"
#include "gateway/delivery.h"
#include "gateway/http_util.h"
#include "gateway/telnyx/telnyx_signature.h"

namespace helpline::gateway {
namespace {

// Method, media type and size, checked first (gateway/preflight.h).
constexpr WebhookShape kShape{
    .accepts_get = false, .media_types = "application/json", .max_body_bytes = TelnyxProvider::kMaxBodyBytes};

using rapidjson::Value;

constexpr std::string_view kJsonContentType = "application/json";
constexpr std::string_view kHashedKeyPrefix = "sha256:";
constexpr std::size_t kMaxIdempotencyKeyBytes = 255;

bool IsIdempotencyKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '-';
}

// An event type fit for a log line: 1 to 64 of [a-z0-9._].
bool IsSafeEventType(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_')) return false;
  }
  return true;
}

// Null-tolerant JSON navigation: each step yields nullptr when the shape is wrong.
const Value* Member(const Value* v, const char* name) {
  if (v == nullptr || !v->IsObject()) return nullptr;
  const auto it = v->FindMember(name);
  return it == v->MemberEnd() ? nullptr : &it->value;
}

const Value* FirstElement(const Value* v) {
  if (v == nullptr || !v->IsArray() || v->Empty()) return nullptr;
  return &(*v)[0];
}

std::string StringOf(const Value* v) {
  if (v == nullptr || !v->IsString()) return {};
  return std::string(v->GetString(), v->GetStringLength());
}

// A string or integer code as text ("40300"), or "".
std::string CodeOf(const Value* v) {
  if (v == nullptr) return {};
  if (v->IsString()) return StringOf(v);
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  return {};
}

std::string NormalizeState(std::string_view status) {
  if (status == "queued" || status == "sending") return "queued";
  if (status == "sent" || status == "delivery_unconfirmed") return "sent";
  if (status == "delivered") return "delivered";
  if (status == "sending_failed") return "failed";
  if (status == "delivery_failed") return "undelivered";
  return "unknown";
}

ParsedWebhook ToInboundEvent(const Value* payload) {
  InboundMessage message;
  message.provider = "telnyx";
  message.channel = MessageChannel::kSms;
  message.id = StringOf(Member(payload, "id"));
  if (message.id.empty()) return WebhookError{400, "missing data.payload.id"};
  message.from = StringOf(Member(Member(payload, "from"), "phone_number"));
  if (message.from.empty()) return WebhookError{400, "missing data.payload.from.phone_number"};
  message.to = StringOf(Member(FirstElement(Member(payload, "to")), "phone_number"));
  if (message.to.empty()) return WebhookError{400, "missing data.payload.to[0].phone_number"};
  message.text = StringOf(Member(payload, "text"));
  return InboundEvent{std::move(message), std::nullopt};
}

ParsedWebhook ToDeliveryStatus(const Value* payload) {
  DeliveryStatus status;
  status.provider = "telnyx";
  status.provider_message_id = StringOf(Member(payload, "id"));
  if (status.provider_message_id.empty()) return WebhookError{400, "missing data.payload.id"};
  status.state = NormalizeState(StringOf(Member(FirstElement(Member(payload, "to")), "status")));
  status.error_code = SafeErrorCode(CodeOf(Member(FirstElement(Member(payload, "errors")), "code")));
  return status;
}

bool HasControlChar(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

}  // namespace

TelnyxProvider::TelnyxProvider(TelnyxConfig config) : config_(std::move(config)) {
  if (config_.api_base.ends_with('/')) config_.api_base.pop_back();
  std::optional<std::string> key = Base64Decode(config_.public_key_base64);
  if (key && key->size() == 32) public_key_ = std::move(*key);
}

Status TelnyxProvider::ValidateConfig(const TelnyxConfig& config) {
  if (config.api_key.empty()) return InvalidArgument("telnyx api_key is empty");
  if (HasControlChar(config.api_key)) return InvalidArgument("telnyx api_key contains a control character");
  const std::optional<std::string> key = Base64Decode(config.public_key_base64);
  if (!key || key->size() != 32) {
    return InvalidArgument("telnyx public_key_base64 is not base64 of a 32-byte Ed25519 public key");
  }
  if (config.tolerance <= std::chrono::seconds::zero()) return InvalidArgument("telnyx tolerance must be positive");
  return Status::Ok();
}

Result<std::string> TelnyxProvider::IdempotencyKey(std::string_view id) {
  if (id.empty()) return InvalidArgument("telnyx send: empty message id");
  bool usable = id.size() <= kMaxIdempotencyKeyBytes && !id.starts_with(kHashedKeyPrefix);
  for (std::size_t i = 0; usable && i < id.size(); ++i) usable = IsIdempotencyKeyChar(id[i]);
  if (usable) return std::string(id);
  return std::string(kHashedKeyPrefix) + HexLower(Hash(Digest::kSha256, id));
}

ParsedWebhook TelnyxProvider::Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const {
  const auto pre = Preflight(request, kShape);
  if (const auto* error = std::get_if<WebhookError>(&pre)) return *error;
  if (auto refused = CheckTelnyxSignature(request, public_key_, now, config_.tolerance)) return *refused;

  // Iterative: a deeply nested body cannot exhaust the stack. The pool
  // allocator frees the tree at once, without recursion.
  rapidjson::Document json;
  json.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(request.body.data(),
                                                                                     request.body.size());
  if (json.HasParseError()) return WebhookError{400, "malformed JSON"};
  const Value* data = Member(&json, "data");
  const Value* event_type = Member(data, "event_type");
  if (event_type == nullptr || !event_type->IsString()) return WebhookError{400, "missing data.event_type"};
  const std::string type = StringOf(event_type);
  const Value* payload = Member(data, "payload");

  if (type == "message.received") return ToInboundEvent(payload);
  if (type == "message.sent" || type == "message.finalized") return ToDeliveryStatus(payload);
  return Ignored{"telnyx event " + (IsSafeEventType(type) ? type : std::string("(unprintable)"))};
}

WebhookResponse TelnyxProvider::RenderInline(const InboundMessage& /*message*/, const InlineReply& /*reply*/) const {
  return RenderAcknowledge();
}

WebhookResponse TelnyxProvider::RenderAcknowledge() const { return WebhookResponse{200, "", ""}; }

Result<OutboundRequest> TelnyxProvider::BuildSend(const OutboundMessage& message) const {
  if (config_.api_key.empty() || HasControlChar(config_.api_key)) {
    return FailedPrecondition("telnyx api key not configured");
  }
  Result<std::string> key = IdempotencyKey(message.id);
  if (!key.ok()) return key.status();
  const std::string shown = key->substr(0, 64);  // reasons stay short (a key may be 255 bytes)
  if (message.to.empty()) return InvalidArgument("telnyx send " + shown + ": empty to");
  if (message.from.empty()) return InvalidArgument("telnyx send " + shown + ": empty from");
  if (message.text.empty()) return InvalidArgument("telnyx send " + shown + ": empty text");

  // Checked here, not by RapidJSON's kWriteValidateEncodingFlag: RapidJSON 1.1
  // reads past the end of a string that ends inside a multi-byte sequence
  // (found by fuzz_telnyx_webhook; regress-truncated-utf8-at-end).
  for (const std::string* value : {&message.from, &message.to, &message.text}) {
    if (InvalidUtf8Offset(*value) != std::string_view::npos) {
      return InvalidArgument("telnyx send " + shown + ": not valid UTF-8");
    }
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  const auto field = [&writer](const char* name, const std::string& value) {
    writer.Key(name);
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  writer.StartObject();
  field("from", message.from);
  field("to", message.to);
  field("text", message.text);
  writer.EndObject();

  OutboundRequest request;
  request.method = "POST";
  request.url = config_.api_base + "/v2/messages";
  request.headers = {
      {"Authorization", "Bearer " + config_.api_key},
      {"Content-Type", "application/json"},
      {"Accept", "application/json"},
      {"Idempotency-Key", std::move(key).value()},
  };
  request.body.assign(buffer.GetString(), buffer.GetSize());
  return request;
}

DeliveryDecision TelnyxProvider::ClassifySend(const HttpResult& result) const {
  DeliveryDecision decision = ClassifyHttp(result, provider(), std::chrono::system_clock::now());
  if (!result.transport_ok) return decision;

  rapidjson::Document json;
  json.Parse<rapidjson::kParseIterativeFlag>(result.body.data(), result.body.size());
  const Value* root = json.HasParseError() ? nullptr : &json;
  if (decision.verdict == DeliveryVerdict::kSent) {
    // {"data": {"id": "40385f64-...", "record_type": "message", ...}}
    std::string id = StringOf(Member(Member(root, "data"), "id"));
    if (id.empty()) {
      MarkMalformedSuccess(decision);
    } else {
      decision.provider_message_id = std::move(id);
    }
    return decision;
  }
  // {"errors": [{"code": "40300", "title": "...", "detail": "..."}]}: the
  // detail may quote the number, so only the code is used.
  AppendErrorCode(decision, CodeOf(Member(FirstElement(Member(root, "errors")), "code")));
  return decision;
}

Status TelnyxProvider::CheckSettings(const ProviderSettings& settings) {
  if (SettingOf(settings, "api_key").empty()) {
    return InvalidArgument(
        "telnyx_public_key is set: replies go through Telnyx's messages API, so telnyx_api_key "
        "must be set too");
  }
  return ValidateConfig(TelnyxConfig{std::string(SettingOf(settings, "api_key")),
                                     std::string(SettingOf(settings, "public_key")),
                                     std::string(SettingOf(settings, "api_base"))});
}

std::unique_ptr<Provider> TelnyxProvider::FromSettings(const ProviderSettings& settings,
                                                       const ProviderContext& context) {
  return std::make_unique<TelnyxProvider>(
      TelnyxConfig{std::string(SettingOf(settings, "api_key")), std::string(SettingOf(settings, "public_key")),
                   std::string(SettingOf(settings, "api_base")), context.tolerance});
}

}  // namespace helpline::gateway
