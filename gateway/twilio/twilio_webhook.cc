#include "gateway/twilio/twilio_webhook.h"

#include <cstdint>
#include <utility>

#include "common/ascii.h"
#include "gateway/form_urlencoded.h"
#include "gateway/http_util.h"
#include "gateway/twilio/twilio_signature.h"
#include "common/utf8.h"

namespace helpline::gateway {
namespace {

constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
constexpr std::string_view kChatPrefixes[] = {"whatsapp:", "messenger:"};

// Removes a chat-channel prefix from `address`; true if there was one.
bool StripChatPrefix(std::string& address) {
  for (const std::string_view prefix : kChatPrefixes) {
    if (ascii::StartsWithIgnoreCase(address, prefix)) {
      address.erase(0, prefix.size());
      return true;
    }
  }
  return false;
}

WebhookError Error(int status, std::string reason) { return WebhookError{status, std::move(reason)}; }

// XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool IsXmlChar(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

// `text` as XML character data, escaped and stripped of what XML 1.0 forbids.
std::string XmlText(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  // Printable ASCII other than the five escaped characters (and tab, LF, CR)
  // is copied as it is, a run at a time.
  const auto plain = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r') && c != '&' && c != '<' && c != '>' &&
           c != '"' && c != '\'';
  };
  while (!text.empty()) {
    std::size_t run = 0;
    while (run < text.size() && plain(text[run])) ++run;
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
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (IsXmlChar(cp)) out.append(text.substr(0, len));
    }
    text.remove_prefix(len);
  }
  return out;
}

}  // namespace

TwilioWebhook::TwilioWebhook(std::string auth_token) : auth_token_(std::move(auth_token)) {}

std::variant<InboundMessage, WebhookError> TwilioWebhook::Parse(const WebhookRequest& request) const {
  auto verified = Verify(request);
  if (auto* error = std::get_if<WebhookError>(&verified)) return std::move(*error);
  return ToMessage(std::get<FormParams>(verified));
}

std::variant<FormParams, WebhookError> TwilioWebhook::Verify(const WebhookRequest& request) const {
  if (request.method != "POST") return Error(405, "use POST");
  if (!IsMediaType(request.content_type, kFormContentType))
    return Error(415, "expected application/x-www-form-urlencoded");
  if (request.body.size() > kMaxBodyBytes) {
    return Error(413, "body larger than " + std::to_string(kMaxBodyBytes) + " bytes");
  }
  if (auth_token_.empty()) return Error(500, "twilio auth token not configured");
  if (request.signature.empty()) return Error(403, "missing X-Twilio-Signature");

  Result<FormParams> params = ParseFormUrlencoded(request.body);
  if (!params.ok()) return Error(400, "malformed form body");
  if (!VerifyTwilioSignature(auth_token_, request.url, *params, request.signature)) {
    return Error(403, "invalid X-Twilio-Signature");
  }
  return std::move(params).value();
}

std::variant<InboundMessage, WebhookError> TwilioWebhook::ToMessage(const FormParams& params) {
  InboundMessage message;
  message.provider = "twilio";
  message.from = ParamValue(params, "From");
  message.to = ParamValue(params, "To");
  const bool chat_from = StripChatPrefix(message.from);
  const bool chat_to = StripChatPrefix(message.to);
  message.channel = chat_from || chat_to ? MessageChannel::kChat : MessageChannel::kSms;
  if (message.from.empty()) return Error(400, "missing From");  // also "whatsapp:" alone
  message.id = ParamValue(params, "MessageSid");
  if (message.id.empty()) message.id = ParamValue(params, "SmsSid");
  if (message.id.empty()) return Error(400, "missing MessageSid");

  message.text = ParamValue(params, "Body");
  message.from_state = ParamValue(params, "FromState");
  message.from_zip = ParamValue(params, "FromZip");
  message.from_country = ParamValue(params, "FromCountry");
  message.from_city = ParamValue(params, "FromCity");
  return message;
}

std::string TwilioWebhook::Twiml(std::string_view message) {
  static constexpr std::string_view kProlog = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  const std::string text = XmlText(message);
  std::string out(kProlog);
  if (text.empty()) {
    out += "<Response/>";
  } else {
    out += "<Response><Message>";
    out += text;
    out += "</Message></Response>";
  }
  return out;
}

}  // namespace helpline::gateway
