#include "gateway/chat/chat_provider.h"
#include "gateway/preflight.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>

#include "common/ascii.h"
#include "common/json_escape.h"
#include "gateway/chat/chat_signature.h"
#include "gateway/http_util.h"

namespace helpline::gateway {
namespace {

// Method, media type and size, checked first (gateway/preflight.h).
constexpr WebhookShape kShape{
    .accepts_get = false, .media_types = "application/json", .max_body_bytes = ChatProvider::kMaxBodyBytes};

constexpr std::string_view kJsonContentType = "application/json";

WebhookError Error(int status, std::string reason) { return WebhookError{status, std::move(reason)}; }

using ascii::IsAlnum;
using ascii::IsDigit;
using ascii::IsUpper;

// 1..kMaxIdChars printable ASCII characters, no space.
bool IsValidId(std::string_view s) {
  return !s.empty() && s.size() <= ChatProvider::kMaxIdChars &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

// A BCP 47-shaped tag: 1..35 letters, digits and '-'.
bool IsValidLang(std::string_view s) {
  return !s.empty() && s.size() <= 35 && std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '-'; });
}

// "CA" or "CA-BC": an ISO 3166-1 alpha-2 code, optionally "-" and 1..3
// upper-case letters or digits (ISO 3166-2).
bool IsValidRegion(std::string_view s) {
  if (s.size() < 2 || !IsUpper(s[0]) || !IsUpper(s[1])) return false;
  if (s.size() == 2) return true;
  const std::string_view sub = s.substr(3);
  return s[2] == '-' && !sub.empty() && sub.size() <= 3 &&
         std::all_of(sub.begin(), sub.end(), [](char c) { return IsUpper(c) || IsDigit(c); });
}

enum class Field { kAbsent, kOk, kWrongType };

// Member `name` of `object` as a string.
Field StringMember(const rapidjson::Value& object, const char* name, std::string& out) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return Field::kAbsent;
  if (!it->value.IsString()) return Field::kWrongType;
  out.assign(it->value.GetString(), it->value.GetStringLength());
  return Field::kOk;
}

bool HasRepeatedMember(const rapidjson::Value& object) {
  std::set<std::string_view> seen;
  for (const auto& member : object.GetObject()) {
    if (!seen.insert(std::string_view(member.name.GetString(), member.name.GetStringLength())).second) return true;
  }
  return false;
}

}  // namespace

ChatProvider::ChatProvider(ChatConfig config) : config_(std::move(config)) {}

ParsedWebhook ChatProvider::Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const {
  const auto pre = Preflight(request, kShape);
  if (const auto* error = std::get_if<WebhookError>(&pre)) return *error;
  if (auto refused = CheckChatSignature(request, config_.secret, now, config_.tolerance)) return *refused;

  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(request.body.data(),
                                                                                    request.body.size());
  if (doc.HasParseError() || !doc.IsObject()) return Error(400, "malformed JSON body");
  if (HasRepeatedMember(doc)) return Error(400, "repeated member");

  std::string id, from, text, lang, region;
  switch (StringMember(doc, "id", id)) {
    case Field::kAbsent: return Error(400, "missing id");
    case Field::kWrongType: return Error(400, "invalid id");
    case Field::kOk: break;
  }
  if (id.empty()) return Error(400, "missing id");
  if (!IsValidId(id)) return Error(400, "invalid id");
  switch (StringMember(doc, "from", from)) {
    case Field::kAbsent: return Error(400, "missing from");
    case Field::kWrongType: return Error(400, "invalid from");
    case Field::kOk: break;
  }
  if (from.empty()) return Error(400, "missing from");
  if (!IsValidId(from)) return Error(400, "invalid from");
  if (StringMember(doc, "text", text) == Field::kWrongType || text.size() > kMaxTextBytes) {
    return Error(400, "invalid text");
  }
  const Field lang_field = StringMember(doc, "lang", lang);
  if (lang_field == Field::kWrongType || (lang_field == Field::kOk && !IsValidLang(lang))) {
    return Error(400, "invalid lang");
  }
  const Field region_field = StringMember(doc, "region", region);
  if (region_field == Field::kWrongType || (region_field == Field::kOk && !IsValidRegion(region))) {
    return Error(400, "invalid region");
  }

  InboundEvent event;
  InboundMessage& m = event.message;
  m.provider = "chat";
  m.channel = MessageChannel::kChat;
  m.id = std::move(id);
  m.from = "chat:" + from;
  m.text = std::move(text);
  if (region_field == Field::kOk) {
    m.from_country = region.substr(0, 2);
    if (region.size() > 2) m.from_state = region.substr(3);
  }
  if (lang_field == Field::kOk) m.language_hint = lang;
  return event;
}

WebhookResponse ChatProvider::RenderInline(const InboundMessage& message, const InlineReply& reply) const {
  std::string body = R"({"id":)";
  body += JsonQuote(message.id);
  body += R"(,"reply":)";
  body += JsonQuote(reply.text);
  body += R"(,"resources":)";
  body += reply.resources_json.empty() ? "[]" : reply.resources_json;
  body += '}';
  return WebhookResponse{200, std::string(kJsonContentType), std::move(body)};
}

WebhookResponse ChatProvider::RenderAcknowledge() const {
  return WebhookResponse{200, std::string(kJsonContentType), R"({"ok":true})"};
}

Result<OutboundRequest> ChatProvider::BuildSend(const OutboundMessage& /*message*/) const {
  return InvalidArgument("chat replies are inline only");
}

DeliveryDecision ChatProvider::ClassifySend(const HttpResult& /*result*/) const {
  DeliveryDecision decision;
  decision.verdict = DeliveryVerdict::kFail;
  decision.reason = "chat has no outbound sends";
  return decision;
}

std::unique_ptr<Provider> ChatProvider::FromSettings(const ProviderSettings& settings, const ProviderContext& context) {
  return std::make_unique<ChatProvider>(ChatConfig{std::string(SettingOf(settings, "secret")), context.tolerance});
}

}  // namespace helpline::gateway
