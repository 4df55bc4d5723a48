#pragma once
// The Vonage SMS API adapter (the legacy "SMS API", https://rest.nexmo.com,
// not the Messages API): verifies and normalizes Vonage's inbound-message and
// delivery-receipt webhooks, and builds and classifies REST sends. Vonage
// takes no inline reply: every answer goes through the outbox.
//
// Inbound webhooks. Vonage calls the number's webhook URL with either
//   GET  with the fields in the query string,
//   POST application/x-www-form-urlencoded, or
//   POST application/json (an object of string fields),
// as configured in the dashboard. Only the query (GET) or only the body
// (POST) is read: do not add query parameters of your own to a GET webhook
// URL (they would be signed as if Vonage had sent them).
// Inbound message fields: msisdn (the sender), to (our number), messageId,
// text, type (text/unicode/binary), keyword, message-timestamp, timestamp,
// nonce, sig, api-key, concat ("true"), concat-ref, concat-total,
// concat-part. Delivery receipt fields: msisdn (the recipient), to,
// messageId, status, err-code, client-ref, network-code, price, scts,
// message-timestamp, timestamp, nonce, sig, api-key. A request with `status`
// and neither `text` nor `type` is a delivery receipt.
//
// Parse() checks, in this order, and refuses with the first failure:
//   405 "use GET or POST"                      any other method
//   413 "query larger than 65536 bytes"        GET query over kMaxBodyBytes
//   415 "expected application/x-www-form-urlencoded or application/json"
//                                              POST with another Content-Type
//   413 "body larger than 65536 bytes"         POST body over kMaxBodyBytes
//   500 "vonage signature secret not configured"
//                                              require_signature without a secret (fails closed)
//   400 "malformed query" / "malformed form body" / "malformed JSON body"
//                                              bad percent-escape; JSON that is not one
//                                              object of strings, numbers, booleans or nulls
//   400 "repeated parameter"                   a name given twice (which one was signed?)
//   403 "missing sig"                          no sig while require_signature
//   403 "invalid sig"                          sig does not match (see vonage_signature.h)
//   403 "missing timestamp"                    signed, but no integer `timestamp`
//   403 "stale timestamp"                      `timestamp` outside now ± tolerance
//   400 "missing messageId"                    messageId absent or empty
//   400 "missing msisdn"                       inbound message without msisdn
//   400 "inconsistent concat parameters"       concat=true with ref/total/part missing,
//                                              total outside 2..255 or part outside 1..total
// With require_signature = false an unsigned request is accepted, but a
// request that carries a sig is still verified (when a secret is configured).
// JSON null values count as absent; numbers and booleans as their JSON text.
//
// What Parse() returns:
//   - a delivery receipt: DeliveryStatus{provider "vonage",
//     provider_message_id = messageId, client_ref = client-ref (our
//     VonageProvider::ClientRef of the OutboundMessage id), error_code =
//     err-code, state from `status`:
//       delivered -> "delivered"   accepted, buffered -> "sent"
//       expired, failed -> "undelivered"   rejected -> "failed"
//       anything else (unknown) -> "unknown"}
//   - a binary message (type=binary): Ignored (there is no text to answer)
//   - otherwise an InboundEvent: provider "vonage", channel kSms, id =
//     messageId, text = text (may be empty), from = "+" + msisdn and to = "+"
//     + to when they are all digits (Vonage omits the '+' of E.164), else
//     as sent; and, for one part of a concatenated SMS, `concat` = {ref
//     concat-ref, total, part}. The daemon reassembles parts.
// Reasons never contain a number, a text or the secret.
//
// Outbound (BuildSend): POST {api_base}/sms/json, form-urlencoded:
//   api_key, api_secret, from, to (both without a leading '+'), text,
//   type=unicode when the text has any non-ASCII byte (else Vonage's default
//   GSM-7 "text"), client-ref = ClientRef(message.id).
// ClassifySend: Vonage answers 200 even when it refused the message; the body
// {"message-count":"1","messages":[{"status":"0","message-id":"..."}]} has one
// entry per SMS part. Every part status "0" -> kSent with the first part's
// message-id. No part sent and the first one "1" (Throttled) -> kRetry. Otherwise
// kFail "vonage status N" (N = the first non-zero status; " partial" appended
// when some parts were sent: retrying would repeat them). A 200 body without
// messages -> kFail "vonage 200 malformed". Any other HTTP status follows
// ClassifyHttp (gateway/delivery.h).
//
//   VonageProvider vonage(VonageConfig{.api_key = k, .api_secret = s, .signature_secret = sig_secret});
//   auto parsed = vonage.Parse(request, std::chrono::system_clock::now());
//
// Thread-safety: immutable after construction; every method is safe to call
// concurrently.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "gateway/provider.h"
#include "gateway/registry.h"
#include "gateway/vonage/vonage_signature.h"

namespace helpline::gateway {

struct VonageConfig {
  // The account's API key and secret, sent with every outbound SMS. Secrets:
  // never logged. BuildSend fails with FailedPrecondition while either is empty.
  std::string api_key;
  std::string api_secret;
  // The dashboard's "Signature secret" and "Signature method", which sign
  // inbound webhooks. Secret: never logged.
  std::string signature_secret;
  using SignatureMethod = VonageSignatureMethod;
  SignatureMethod method = SignatureMethod::kMd5Hash;
  // How far a signed request's `timestamp` may be from our clock, either way
  // (Vonage's SDKs use 5 minutes).
  std::chrono::seconds tolerance{300};
  // The REST API's base URL, without a trailing slash (a test server's in tests).
  std::string api_base = "https://rest.nexmo.com";
  // Refuse unsigned webhooks. Leave on: signed webhooks must be enabled on
  // the account (by Vonage support); turning this off accepts anyone's POST.
  bool require_signature = true;
};

class VonageProvider final : public Provider {
 public:
  // Its settings in the registry (gateway/registry.h): vonage_signature_secret
  // turns the webhook on; replies need vonage_api_key and vonage_api_secret.
  static constexpr ProviderSettingSpec kSettings[] = {
      {.key = "signature_secret", .secret = true, .default_value = "", .choices = ""},
      {.key = "signature_method",
       .secret = false,
       .default_value = "md5hash",
       .choices = "md5hash md5 sha1 sha256 sha512"},
      {.key = "api_key", .secret = true, .default_value = "", .choices = ""},
      {.key = "api_secret", .secret = true, .default_value = "", .choices = ""},
      {.key = "api_base", .secret = false, .default_value = "https://rest.nexmo.com", .choices = ""},
  };
  static Status CheckSettings(const ProviderSettings& settings);
  static std::unique_ptr<Provider> FromSettings(const ProviderSettings& settings, const ProviderContext& context);

  // Largest body (POST) or query (GET) accepted, in bytes.
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  // Vonage's limit on client-ref, in characters.
  static constexpr std::size_t kMaxClientRefChars = 40;

  explicit VonageProvider(VonageConfig config);

  // The client-ref sent for OutboundMessage id `id`, and echoed in delivery
  // receipts: `id` itself when it has at most 40 characters, else the first
  // 40 hex digits of SHA-256(id) (stable across retries and restarts; the
  // daemon maps receipts back with this same function).
  static std::string ClientRef(std::string_view id);

  std::string_view provider() const override { return "vonage"; }
  ParsedWebhook Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const override;
  bool replies_inline() const override { return false; }
  // Vonage takes no inline reply: returns RenderAcknowledge() and sends
  // nothing (callers check replies_inline() first).
  WebhookResponse RenderInline(const InboundMessage& message, const InlineReply& reply) const override;
  // 200 with an empty body (Vonage wants 200 or 204, else it retries).
  WebhookResponse RenderAcknowledge() const override;
  // InvalidArgument for an empty recipient, sender or text, or a recipient
  // that is not a number; FailedPrecondition without api_key/api_secret.
  Result<OutboundRequest> BuildSend(const OutboundMessage& message) const override;
  DeliveryDecision ClassifySend(const HttpResult& result) const override;

 private:
  VonageConfig config_;
};

}  // namespace helpline::gateway
