#pragma once
// The provider-neutral shapes shared by every inbound gateway adapter: what a
// provider adapter receives from the HTTP server (WebhookRequest), what it
// hands to the daemon (InboundMessage), and how it refuses a request
// (WebhookError).
//
//   WebhookRequest req{.method = "POST", .url = public_url, .content_type = ct,
//                      .body = body, .headers = {{"x-twilio-signature", sig}}};
//   auto parsed = twilio.Parse(req, std::chrono::system_clock::now());
//   if (auto* err = std::get_if<WebhookError>(&parsed)) reply(err->http_status, err->reason);
//
// Thread-safety: plain values; safe to copy between threads.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helpline::gateway {

// How the sender reached us: SMS gets short, segment-budgeted replies; chat
// channels (WhatsApp, Messenger) get longer replies with links.
enum class MessageChannel { kSms, kChat };

// One message from a person, normalized across providers. Holds the sender's
// number and text: never log it (log the id and a keyed hash of `from`).
struct InboundMessage {
  std::string provider;  // "twilio"
  MessageChannel channel = MessageChannel::kSms;
  std::string from;  // "+16045550123" (any "whatsapp:"/"messenger:" prefix stripped)
  std::string to;    // our number or short code, prefix stripped likewise
  std::string text;  // the message body; may be empty (an empty SMS gets the menu)
  std::string id;    // the provider's message id (Twilio MessageSid), for dedupe
  // The provider's location hints for the sender (Twilio FromState, FromZip,
  // FromCountry, FromCity); each may be empty.
  std::string from_state, from_zip, from_country, from_city;
  // The language the sender's app or platform says they use (Telegram's
  // language_code, the chat webhook's "lang"): an IETF tag such as "es" or
  // "fr-CA", or "". Used only until the sender states a language.
  std::string language_hint;
};

// A webhook request as the HTTP server saw it. Framework-neutral: the views
// point into the server's buffers and must outlive the Parse() call only.
struct WebhookRequest {
  std::string_view method;        // "POST"
  std::string_view url;           // the full public URL as the provider sees it, incl. query
  std::string_view content_type;  // the Content-Type header value
  std::string_view body;
  // Every request header, names lower-case (as the HTTP server stores them).
  std::vector<std::pair<std::string_view, std::string_view>> headers;

  // The first value of header `lower_name` ("telnyx-timestamp"), or "".
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return {};
  }
};

// Why a webhook request was refused. `reason` is safe to log and to send back:
// it never contains the sender's number or the message body.
struct WebhookError {
  int http_status;
  std::string reason;
};

}  // namespace helpline::gateway
