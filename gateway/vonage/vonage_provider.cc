#include "gateway/vonage/vonage_provider.h"
#include "gateway/preflight.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>

#include "common/sha256.h"
#include "gateway/delivery.h"
#include "gateway/form_urlencoded.h"
#include "gateway/http_util.h"

namespace helpline::gateway {
namespace {

// Method, media type and size, checked first (gateway/preflight.h).
constexpr WebhookShape kShape{.accepts_get = true,
                              .media_types = "application/x-www-form-urlencoded application/json",
                              .max_body_bytes = VonageProvider::kMaxBodyBytes};

constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
constexpr std::string_view kJsonContentType = "application/json";

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

WebhookError Error(int status, std::string reason) { return WebhookError{status, std::move(reason)}; }

bool HasRepeatedName(const FormParams& params) {
  std::set<std::string_view> seen;
  for (const auto& p : params) {
    if (!seen.insert(p.first).second) return true;
  }
  return false;
}

// A JSON webhook body as name/value pairs: an object whose values are
// strings, numbers (their JSON text) or booleans ("true"/"false"); null
// members are left out. nullopt for anything else.
std::optional<FormParams> JsonParams(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag |
            rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  FormParams params;
  for (const auto& member : doc.GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    const rapidjson::Value& v = member.value;
    if (v.IsNull()) continue;
    if (v.IsString()) {  // numbers too, with kParseNumbersAsStringsFlag
      params.emplace_back(std::move(name), std::string(v.GetString(), v.GetStringLength()));
    } else if (v.IsBool()) {
      params.emplace_back(std::move(name), v.GetBool() ? "true" : "false");
    } else {
      return std::nullopt;
    }
  }
  return params;
}

// "+" + number when `number` is all digits (Vonage's E.164 without the '+').
std::string WithPlus(std::string number) {
  if (AllDigits(number)) number.insert(0, 1, '+');
  return number;
}

// `number` without a leading '+' when the rest is all digits.
std::string_view WithoutPlus(std::string_view number) {
  if (number.size() > 1 && number.front() == '+' && AllDigits(number.substr(1))) number.remove_prefix(1);
  return number;
}

std::string DeliveryState(std::string_view status) {
  if (status == "delivered") return "delivered";
  if (status == "accepted" || status == "buffered") return "sent";
  if (status == "expired" || status == "failed") return "undelivered";
  if (status == "rejected") return "failed";
  return "unknown";
}

bool HasNonAscii(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// A JSON member `name` of object `v` as a string (a JSON string, or a number's
// text), or nullopt.
std::optional<std::string> MemberText(const rapidjson::Value& v, const char* name) {
  const auto it = v.FindMember(name);
  if (it == v.MemberEnd()) return std::nullopt;
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
  return std::nullopt;
}

}  // namespace

VonageProvider::VonageProvider(VonageConfig config) : config_(std::move(config)) {
  while (!config_.api_base.empty() && config_.api_base.back() == '/') config_.api_base.pop_back();
}

std::string VonageProvider::ClientRef(std::string_view id) {
  if (id.size() <= kMaxClientRefChars) return std::string(id);
  return Sha256Hex(id).substr(0, kMaxClientRefChars);
}

ParsedWebhook VonageProvider::Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const {
  const auto pre = Preflight(request, kShape);
  if (const auto* error = std::get_if<WebhookError>(&pre)) return *error;
  const bool is_get = std::get<Preflighted>(pre).media_type.empty();
  const bool is_json = std::get<Preflighted>(pre).media_type == kJsonContentType;
  const std::string_view query = is_get ? std::get<Preflighted>(pre).payload : std::string_view();
  if (config_.require_signature && config_.signature_secret.empty()) {
    return Error(500, "vonage signature secret not configured");
  }

  FormParams params;
  if (is_json) {
    std::optional<FormParams> parsed = JsonParams(request.body);
    if (!parsed) return Error(400, "malformed JSON body");
    params = std::move(*parsed);
  } else {
    Result<FormParams> parsed = ParseFormUrlencoded(is_get ? query : request.body);
    if (!parsed.ok()) return Error(400, is_get ? "malformed query" : "malformed form body");
    params = std::move(parsed).value();
  }
  if (HasRepeatedName(params)) return Error(400, "repeated parameter");

  // Signature, then freshness: "stale" then only ever describes a genuine
  // request (clock skew, or a replay of a real one).
  const std::string* sig = FindParam(params, "sig");
  const bool has_sig = sig != nullptr && !sig->empty();
  if (!has_sig && config_.require_signature) return Error(403, "missing sig");
  if (has_sig && !config_.signature_secret.empty()) {
    if (!VerifyVonageSignature(config_.method, config_.signature_secret, params, *sig)) {
      return Error(403, "invalid sig");
    }
    const std::optional<std::int64_t> timestamp = ParseDecimal(ParamValue(params, "timestamp"));
    if (!timestamp) return Error(403, "missing timestamp");
    const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::int64_t skew = *timestamp > now_s ? *timestamp - now_s : now_s - *timestamp;
    if (skew > config_.tolerance.count()) return Error(403, "stale timestamp");
  }

  const std::string message_id = ParamValue(params, "messageId");
  const bool is_receipt = FindParam(params, "status") != nullptr && FindParam(params, "text") == nullptr &&
                          FindParam(params, "type") == nullptr;
  if (message_id.empty()) return Error(400, "missing messageId");
  if (is_receipt) {
    DeliveryStatus status;
    status.provider = "vonage";
    status.provider_message_id = message_id;
    status.client_ref = ParamValue(params, "client-ref");
    status.state = DeliveryState(ParamValue(params, "status"));
    status.error_code = ParamValue(params, "err-code");
    return status;
  }

  InboundEvent event;
  InboundMessage& message = event.message;
  message.provider = "vonage";
  message.channel = MessageChannel::kSms;
  message.id = message_id;
  message.from = WithPlus(ParamValue(params, "msisdn"));
  if (message.from.empty()) return Error(400, "missing msisdn");
  message.to = WithPlus(ParamValue(params, "to"));
  if (ParamValue(params, "type") == "binary") return Ignored{"vonage binary message"};
  message.text = ParamValue(params, "text");

  if (ParamValue(params, "concat") == "true") {
    const std::string ref = ParamValue(params, "concat-ref");
    const std::optional<std::int64_t> total = ParseDecimal(ParamValue(params, "concat-total"));
    const std::optional<std::int64_t> part = ParseDecimal(ParamValue(params, "concat-part"));
    if (ref.empty() || !total || !part || *total < 2 || *total > 255 || *part < 1 || *part > *total) {
      return Error(400, "inconsistent concat parameters");
    }
    event.concat = ConcatPart{ref, static_cast<int>(*total), static_cast<int>(*part)};
  }
  return event;
}

WebhookResponse VonageProvider::RenderInline(const InboundMessage& /*message*/, const InlineReply& /*reply*/) const {
  return RenderAcknowledge();
}

WebhookResponse VonageProvider::RenderAcknowledge() const { return WebhookResponse{200, "", ""}; }

Result<OutboundRequest> VonageProvider::BuildSend(const OutboundMessage& message) const {
  if (config_.api_key.empty() || config_.api_secret.empty()) {
    return FailedPrecondition("vonage api_key or api_secret not configured");
  }
  const std::string_view to = WithoutPlus(message.to);
  if (to.empty()) return InvalidArgument("vonage send: empty recipient");
  if (!AllDigits(to)) return InvalidArgument("vonage send: recipient is not a phone number");
  const std::string_view from = WithoutPlus(message.from);
  if (from.empty()) return InvalidArgument("vonage send: empty sender");
  if (message.text.empty()) return InvalidArgument("vonage send: empty text");

  FormParams params = {
      {"api_key", config_.api_key}, {"api_secret", config_.api_secret},
      {"from", std::string(from)},  {"to", std::string(to)},
      {"text", message.text},
  };
  if (HasNonAscii(message.text)) params.emplace_back("type", "unicode");
  if (!message.id.empty()) params.emplace_back("client-ref", ClientRef(message.id));

  OutboundRequest request;
  request.method = "POST";
  request.url = config_.api_base + "/sms/json";
  request.headers = {{"Content-Type", std::string(kFormContentType)}, {"Accept", "application/json"}};
  request.body = FormEncode(params);
  return request;
}

DeliveryDecision VonageProvider::ClassifySend(const HttpResult& result) const {
  DeliveryDecision decision = ClassifyHttp(result, "vonage", std::chrono::system_clock::now());
  if (decision.verdict != DeliveryVerdict::kSent) return decision;

  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(result.body.data(), result.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    MarkMalformedSuccess(decision);
    return decision;
  }
  const auto messages = doc.FindMember("messages");
  if (messages == doc.MemberEnd() || !messages->value.IsArray() || messages->value.Empty()) {
    MarkMalformedSuccess(decision);
    return decision;
  }

  std::size_t sent = 0;
  std::string first_failure;
  std::string first_id;
  for (const rapidjson::Value& part : messages->value.GetArray()) {
    if (!part.IsObject()) {
      MarkMalformedSuccess(decision);
      return decision;
    }
    const std::optional<std::string> status = MemberText(part, "status");
    if (!status || !AllDigits(*status) || status->size() > 4) {
      MarkMalformedSuccess(decision);
      return decision;
    }
    if (*status == "0") {
      ++sent;
      if (first_id.empty()) first_id = MemberText(part, "message-id").value_or("");
    } else if (first_failure.empty()) {
      first_failure = *status;
    }
  }

  if (first_failure.empty()) {
    if (first_id.empty()) {
      MarkMalformedSuccess(decision);
      return decision;
    }
    decision.provider_message_id = first_id;
    return decision;
  }
  // Reasons name only Vonage's status code: its error-text may quote a number.
  decision.reason = "vonage status " + first_failure;
  if (sent == 0 && first_failure == "1") {
    decision.verdict = DeliveryVerdict::kRetry;
  } else {
    decision.verdict = DeliveryVerdict::kFail;
    if (sent > 0) decision.reason += " partial";
  }
  return decision;
}

Status VonageProvider::CheckSettings(const ProviderSettings& settings) {
  if (SettingOf(settings, "api_key").empty() || SettingOf(settings, "api_secret").empty()) {
    return InvalidArgument(
        "vonage_signature_secret is set: replies go through Vonage's SMS API, so vonage_api_key and "
        "vonage_api_secret must be set too");
  }
  return Status::Ok();
}

std::unique_ptr<Provider> VonageProvider::FromSettings(const ProviderSettings& settings,
                                                       const ProviderContext& context) {
  static constexpr std::pair<std::string_view, VonageSignatureMethod> kMethods[] = {
      {"md5hash", VonageSignatureMethod::kMd5Hash},
      {"md5", VonageSignatureMethod::kMd5Hmac},
      {"sha1", VonageSignatureMethod::kSha1Hmac},
      {"sha256", VonageSignatureMethod::kSha256Hmac},
      {"sha512", VonageSignatureMethod::kSha512Hmac}};
  VonageConfig v;
  v.api_key = SettingOf(settings, "api_key");
  v.api_secret = SettingOf(settings, "api_secret");
  v.signature_secret = SettingOf(settings, "signature_secret");
  for (const auto& [name, method] : kMethods) {
    if (name == SettingOf(settings, "signature_method")) v.method = method;
  }
  v.tolerance = context.tolerance;
  v.api_base = SettingOf(settings, "api_base");
  return std::make_unique<VonageProvider>(std::move(v));
}

}  // namespace helpline::gateway
