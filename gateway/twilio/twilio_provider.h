#pragma once
// Twilio Programmable Messaging behind the Provider interface: the inbound
// message webhook and the message status callback (both signed form POSTs,
// X-Twilio-Signature as twilio_signature.h checks it), inline TwiML replies,
// and sends through the Messages REST resource.
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
// and then, for an inbound message:
//   400 "missing From"                                 From absent or empty
//   400 "missing MessageSid"                           MessageSid and SmsSid both absent or empty
// Body may be absent or empty: an empty SMS is a valid message. A sender or
// recipient address with a "whatsapp:" or "messenger:" prefix makes the
// message kChat and the prefix is stripped. For a repeated field the first
// occurrence is used. Reasons never contain the number or the body.
//
// Telling the two webhooks apart. Twilio posts both to a URL we configure,
// with the same signature scheme. A status callback carries MessageStatus
// (and its legacy twin SmsStatus) with the outbound message's state: queued,
// sending, sent, delivered, undelivered, failed, read, ... An inbound message
// carries SmsStatus=received (or no status at all in old fixtures). So:
//   MessageStatus, else SmsStatus, is non-empty and not "received" or
//   "receiving" (any case)  -> a status callback  -> DeliveryStatus
//   otherwise               -> an inbound message -> InboundEvent
// Both are refused as the table above says; a status callback without
// MessageSid (or SmsSid) is 400 "missing MessageSid". States are normalized:
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
// twice. ClassifySend follows ClassifyHttp
// (gateway/delivery.h); a 2xx must carry the new message's "sid" (else
// kFail "twilio 201 malformed"), and a refusal's Twilio error code is added
// to the reason ("twilio 400 code 21211").
//
// Per-send status callbacks (Messages API parameter StatusCallback). With
// status_callback_url set, each send carries
//   StatusCallback = {status_callback_url}?outbound_id={OutboundMessage::id}
// ('&' instead of '?' when the URL has a query already; the id
// percent-encoded), so Twilio posts that message's status changes (sent,
// delivered, undelivered, failed: none for the initial "queued") there,
// signed like every webhook. Point it at this daemon's /webhooks/twilio as
// Twilio reaches it (public_url + "/webhooks/twilio"): the signature covers
// the whole URL, query included, so the id cannot be forged. Parse() returns
// those callbacks with client_ref = the outbound_id of the URL, which joins
// the report to our outbound id. CheckSettings() refuses a URL that is not
// http(s):// or is longer than kMaxStatusCallbackBase (Twilio takes 4000
// characters; the id needs room).
//
//   TwilioProvider twilio({.account_sid = sid, .auth_token = token});
//   ParsedWebhook parsed = twilio.Parse(request, std::chrono::system_clock::now());
//
// Thread-safety: immutable after construction; every method is safe to call
// concurrently.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "common/crypto.h"
#include "gateway/form_urlencoded.h"
#include "gateway/provider.h"
#include "gateway/registry.h"

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
  // Where Twilio posts each sent message's status ("" = no StatusCallback).
  std::string status_callback_url;
};

class TwilioProvider final : public Provider {
 public:
  // Largest body accepted, in bytes. Twilio's message webhooks are a few
  // kilobytes even with a 1600-character body and media URLs.
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;

  // The Content-Type of a Twiml() reply.
  static constexpr std::string_view kTwimlContentType = "text/xml; charset=utf-8";

  // Its settings in the registry (gateway/registry.h): twilio_auth_token
  // turns the webhook on.
  static constexpr ProviderSettingSpec kSettings[] = {
      {.key = "auth_token", .secret = true, .default_value = "", .choices = ""},
      {.key = "account_sid", .secret = true, .default_value = "", .choices = ""},
      {.key = "api_base", .secret = false, .default_value = "https://api.twilio.com", .choices = ""},
      {.key = "status_callback_url", .secret = false, .default_value = "", .choices = ""},
  };
  static std::unique_ptr<Provider> FromSettings(const ProviderSettings& settings, const ProviderContext& context);
  // InvalidArgument when status_callback_url is set but is not an http:// or
  // https:// URL of at most kMaxStatusCallbackBase characters without '#'.
  static Status CheckSettings(const ProviderSettings& settings);

  // Longest status_callback_url accepted (Twilio's limit is 4000 with the
  // query; an outbound id takes at most 3 * 256 + 13 more).
  static constexpr std::size_t kMaxStatusCallbackBase = 3000;
  // The query parameter of the status callback URL carrying our outbound id.
  static constexpr std::string_view kOutboundIdParam = "outbound_id";
  // The StatusCallback URL of the send of outbound id `id`.
  static std::string StatusCallbackUrl(std::string_view base, std::string_view id);

  explicit TwilioProvider(TwilioConfig config);

  std::string_view provider() const override { return "twilio"; }

  // See the file comment. `now` is unused: Twilio signatures carry no time.
  ParsedWebhook Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const override;

  bool replies_inline() const override { return true; }
  // 200, kTwimlContentType, Twiml(reply.text) (through this thread's
  // TwimlMemo: replies repeat, and escaping one cost as much as the rest of
  // the answer's formatting).
  WebhookResponse RenderInline(const InboundMessage& message, const InlineReply& reply) const override;
  // 200 with an empty TwiML <Response/>, which sends nothing.
  WebhookResponse RenderAcknowledge() const override;

  // InvalidArgument for an empty to, from or text; FailedPrecondition when
  // the account SID or auth token is missing or the SID is not alphanumeric.
  Result<OutboundRequest> BuildSend(const OutboundMessage& message) const override;
  DeliveryDecision ClassifySend(const HttpResult& result) const override;

  // A TwiML document replying with `message` as one SMS/chat message:
  //   <?xml version="1.0" encoding="UTF-8"?><Response><Message>...</Message></Response>
  // & < > " ' are escaped; characters XML 1.0 forbids (control characters
  // other than tab, newline and carriage return; U+FFFE, U+FFFF) are removed;
  // bytes that are not valid UTF-8 become U+FFFD. An empty message (or one
  // that is empty after removal) gives <Response/>, which sends nothing.
  static std::string Twiml(std::string_view message);

 private:
  // Every check of the table up to and including the signature; the
  // verified form parameters in body order.
  std::variant<FormParams, WebhookError> Verify(const WebhookRequest& request) const;
  // The inbound message in verified parameters (the last two rows).
  // Moves the values it keeps out of `params`.
  static std::variant<InboundMessage, WebhookError> ToMessage(FormParams&& params);

  TwilioConfig config_;
  HmacKey auth_key_;  // config_.auth_token's, made ready once for the signatures
};

// The TwiML documents of the replies a thread rendered last: the same text
// gives the same document (Twiml() is a function of the text alone), so a
// repeated reply is looked up, not escaped again. Texts up to kMaxTextBytes
// are kept, at most kMaxEntries of them (about 1 MB at most), all dropped
// together when full.
//
//   const std::string& doc = TwimlMemo::ThisThread().Twiml(reply.text);
//
// Thread-safety: none; each thread uses its own (ThisThread()). A returned
// reference is valid until the next Twiml() call on the same memo.
class TwimlMemo {
 public:
  static constexpr std::size_t kMaxTextBytes = 2048;
  static constexpr std::size_t kMaxEntries = 256;
  // Texts longer than this are hashed by three samples of it and its
  // length, not every byte (a reply is 300-700 bytes: hashing it whole was
  // most of a memo hit, docs/BENCHMARKS.md round 6). Texts that share the
  // samples only share a bucket: the lookup still compares whole texts.
  static constexpr std::size_t kSampleBytes = 32;

  static TwimlMemo& ThisThread();
  // TwilioProvider::Twiml(text).
  const std::string& Twiml(std::string_view text);
  std::size_t size() const { return documents_.size(); }

 private:
  struct SampledHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept;
  };
  // text -> its TwiML document
  std::unordered_map<std::string, std::string, SampledHash, std::equal_to<>> documents_;
  std::string long_;  // the last text over kMaxTextBytes, rendered
};

}  // namespace helpline::gateway
