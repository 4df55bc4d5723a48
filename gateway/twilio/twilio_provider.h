#pragma once
// Twilio Programmable Messaging behind the Provider interface: the inbound
// message webhook and the message status callback (both signed form POSTs,
// verified by TwilioWebhook), inline TwiML replies, and sends through the
// Messages REST resource.
//
// Telling the two webhooks apart. Twilio posts both to a URL we configure,
// with the same signature scheme. A status callback carries MessageStatus
// (and its legacy twin SmsStatus) with the outbound message's state: queued,
// sending, sent, delivered, undelivered, failed, read, ... An inbound message
// carries SmsStatus=received (or no status at all in old fixtures). So:
//   MessageStatus, else SmsStatus, is non-empty and not "received" or
//   "receiving" (any case)  -> a status callback  -> DeliveryStatus
//   otherwise               -> an inbound message -> InboundEvent
// Both are refused exactly as TwilioWebhook::Parse documents (405, 415, 413,
// 500, 403, 400); a status callback without MessageSid (or SmsSid) is
// 400 "missing MessageSid". States are normalized:
//   queued, accepted, scheduled, sending -> "queued"     sent        -> "sent"
//   delivered, read                      -> "delivered"  undelivered -> "undelivered"
//   failed, canceled                     -> "failed"     other       -> "unknown"
// ("canceled" is a scheduled message Twilio will never send.)
//
// Sending: POST {api_base}/2010-04-01/Accounts/{account_sid}/Messages.json,
// form body To, From, Body, HTTP Basic auth (account SID : auth token). For
// kChat the "whatsapp:" prefix is added to To and From unless they already
// carry a chat prefix ("whatsapp:", "messenger:"). Twilio's REST API has no
// idempotency key, so a send retried after a lost response may be delivered
// twice; OutboundMessage::id is not sent. ClassifySend follows ClassifyHttp
// (gateway/delivery.h); a 2xx must carry the new message's "sid" (else
// kFail "twilio 201 malformed"), and a refusal's Twilio error code is added
// to the reason ("twilio 400 code 21211").
//
//   TwilioProvider twilio({.account_sid = sid, .auth_token = token});
//   ParsedWebhook parsed = twilio.Parse(request, std::chrono::system_clock::now());
//
// Thread-safety: immutable after construction; every method is safe to call
// concurrently.

#include <chrono>
#include <string>
#include <string_view>

#include "gateway/provider.h"
#include "gateway/twilio/twilio_webhook.h"

namespace helpline::gateway {

struct TwilioConfig {
  // The account SID ("AC" + 32 hex digits): the REST path and the Basic-auth
  // user. Not a secret, but not logged either.
  std::string account_sid;
  // The account's primary Auth Token: the webhook HMAC key and the Basic-auth
  // password. A secret: kept in memory only, never logged.
  std::string auth_token;
  // The REST API's scheme and host, without a trailing slash (one is removed);
  // tests point it at a fake.
  std::string api_base = "https://api.twilio.com";
};

class TwilioProvider final : public Provider {
 public:
  explicit TwilioProvider(TwilioConfig config);

  std::string_view provider() const override { return "twilio"; }

  // See the file comment. `now` is unused: Twilio signatures carry no time.
  ParsedWebhook Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const override;

  bool replies_inline() const override { return true; }
  // 200, TwilioWebhook::kTwimlContentType, TwilioWebhook::Twiml(reply.text).
  WebhookResponse RenderInline(const InboundMessage& message, const InlineReply& reply) const override;
  // 200 with an empty TwiML <Response/>, which sends nothing.
  WebhookResponse RenderAcknowledge() const override;

  // InvalidArgument for an empty to, from or text; FailedPrecondition when
  // the account SID or auth token is missing or the SID is not alphanumeric.
  Result<OutboundRequest> BuildSend(const OutboundMessage& message) const override;
  DeliveryDecision ClassifySend(const HttpResult& result) const override;

 private:
  TwilioConfig config_;
  TwilioWebhook webhook_;
};

}  // namespace helpline::gateway
