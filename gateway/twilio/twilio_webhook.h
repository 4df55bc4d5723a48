#pragma once
// Twilio's inbound message webhook: verifies and normalizes the POST Twilio
// sends when someone texts (or WhatsApps) our number, and renders the inline
// TwiML reply.
//
// Parse() checks, in this order, and refuses with the first failure:
//   405 "use POST"                                     method is not POST
//   415 "expected application/x-www-form-urlencoded"   other Content-Type (parameters
//                                                      such as ";charset=utf-8" and case ignored)
//   413 "body larger than 65536 bytes"                 body over kMaxBodyBytes
//   500 "twilio auth token not configured"             the token is empty (fails closed)
//   403 "missing X-Twilio-Signature"                   empty signature header
//   400 "malformed form body"                          bad percent-escape in the body
//   403 "invalid X-Twilio-Signature"                   signature does not match (see twilio_signature.h)
//   400 "missing From"                                 From absent or empty
//   400 "missing MessageSid"                           MessageSid and SmsSid both absent or empty
// Body may be absent or empty: an empty SMS is a valid message. A sender or
// recipient address with a "whatsapp:" or "messenger:" prefix makes the
// message kChat and the prefix is stripped. For a repeated field the first
// occurrence is used. Reasons never contain the number or the body.
//
//   TwilioWebhook twilio(config.twilio_auth_token);
//   auto parsed = twilio.Parse(request);
//   if (auto* err = std::get_if<WebhookError>(&parsed)) return Reply(err->http_status, err->reason);
//   Reply reply = engine.Handle(std::get<InboundMessage>(parsed));
//   return Reply(200, TwilioWebhook::kTwimlContentType, TwilioWebhook::Twiml(reply.text));
//
// Thread-safety: immutable after construction; Parse() and Twiml() are safe
// to call concurrently.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "gateway/form_urlencoded.h"
#include "gateway/inbound.h"

namespace helpline::gateway {

class TwilioWebhook {
 public:
  // Largest body accepted, in bytes. Twilio's message webhooks are a few
  // kilobytes even with a 1600-character body and media URLs.
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  // The Content-Type of a Twiml() reply.
  static constexpr std::string_view kTwimlContentType = "text/xml; charset=utf-8";

  // `auth_token` is the account's primary Auth Token, the HMAC key of every
  // request signature. It is kept in memory only and never logged.
  explicit TwilioWebhook(std::string auth_token);

  // Verifies `request` and returns the message, or the error to answer with
  // (see the table above). The returned message owns its strings.
  std::variant<InboundMessage, WebhookError> Parse(const WebhookRequest& request) const;

  // Parse() in two steps, for callers that accept other signed Twilio POSTs
  // too (TwilioProvider: status callbacks). Parse(r) == ToMessage(Verify(r)).
  //
  // Verify() makes every check of the table above up to and including the
  // signature (405 through 403 "invalid X-Twilio-Signature") and returns the
  // verified form parameters in body order.
  std::variant<FormParams, WebhookError> Verify(const WebhookRequest& request) const;
  // The message in verified parameters: the last two rows of the table
  // (400 "missing From", 400 "missing MessageSid").
  static std::variant<InboundMessage, WebhookError> ToMessage(const FormParams& params);

  // A TwiML document replying with `message` as one SMS/chat message:
  //   <?xml version="1.0" encoding="UTF-8"?><Response><Message>...</Message></Response>
  // & < > " ' are escaped; characters XML 1.0 forbids (control characters
  // other than tab, newline and carriage return; U+FFFE, U+FFFF) are removed;
  // bytes that are not valid UTF-8 become U+FFFD. An empty message (or one
  // that is empty after removal) gives <Response/>, which sends nothing.
  static std::string Twiml(std::string_view message);

 private:
  std::string auth_token_;
};

}  // namespace helpline::gateway
