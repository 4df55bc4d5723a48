#pragma once
// Telnyx Messaging API v2 behind the Provider interface: signed JSON webhooks
// in (message.received, message.sent, message.finalized), replies out through
// POST /v2/messages via the outbox (Telnyx takes no inline reply).
//
// Webhook verification (telnyx_signature.h; https://developers.telnyx.com, "Receiving webhooks"):
// Telnyx signs `{telnyx-timestamp}|{raw body}` with Ed25519 under the key
// whose public half the portal shows (base64 of 32 raw bytes); the signature
// travels base64-encoded in telnyx-signature-ed25519, the time in
// telnyx-timestamp as unix seconds. Parse() checks, in this order, and refuses
// with the first failure:
//   405 "use POST"                                   method is not POST
//   415 "expected application/json"                  other Content-Type (parameters and case ignored)
//   413 "body larger than 65536 bytes"               body over kMaxBodyBytes
//   500 "telnyx public key not configured"           the configured key is not base64 of 32 bytes (fails closed)
//   403 "missing telnyx-signature-ed25519"           header absent or empty
//   403 "missing telnyx-timestamp"                   header absent or empty
//   403 "malformed telnyx-timestamp"                 not 1 to 18 decimal digits
//   403 "stale telnyx-timestamp"                     more than `tolerance` before or after `now`
//   403 "malformed telnyx-signature-ed25519"         not base64 of 64 bytes
//   403 "invalid telnyx-signature-ed25519"           the signature does not verify
//   400 "malformed JSON"                             not JSON, or not UTF-8
//   400 "missing data.event_type"                    no data object, or no event_type string
// The timestamp is checked before the signature so that replayed floods cost
// no public-key operation; both are checked before the body is parsed.
//
// Events (data.event_type), after verification:
//   message.received -> InboundEvent: id = data.payload.id, from =
//       data.payload.from.phone_number, to = data.payload.to[0].phone_number,
//       text = data.payload.text ("" when null or absent, as for a picture-only
//       MMS), channel kSms for every payload type (SMS, MMS, and any newer one:
//       the reply goes back as a plain message). 400 "missing data.payload.id",
//       "missing data.payload.from.phone_number" or
//       "missing data.payload.to[0].phone_number" when one is absent.
//   message.sent, message.finalized -> DeliveryStatus: provider_message_id =
//       data.payload.id (400 "missing data.payload.id" if absent), state from
//       data.payload.to[0].status:
//         queued, sending -> "queued"         sent, delivery_unconfirmed -> "sent"
//         delivered       -> "delivered"      sending_failed -> "failed"
//         delivery_failed -> "undelivered"    other or absent -> "unknown"
//       (delivery_unconfirmed: handed to the carrier, which sent no receipt),
//       error_code = data.payload.errors[0].code when it is a safe token.
//   anything else -> Ignored{"telnyx event <type>"}.
//
// Sending: POST {api_base}/v2/messages with {"from","to","text"}, bearer
// auth, and Idempotency-Key derived from OutboundMessage::id (IdempotencyKey
// below) so that a retried send is delivered once. ClassifySend follows
// ClassifyHttp (gateway/delivery.h); a 2xx must carry data.id (else kFail
// "telnyx 200 malformed"); a refusal's errors[0].code is added to the reason
// ("telnyx 403 code 40300").
//
//   TelnyxProvider telnyx({.api_key = key, .public_key_base64 = portal_key});
//   ParsedWebhook parsed = telnyx.Parse(request, std::chrono::system_clock::now());
//
// Thread-safety: immutable after construction; every method is safe to call
// concurrently.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/provider.h"
#include "gateway/registry.h"

namespace helpline::gateway {

struct TelnyxConfig {
  // The API v2 key ("KEY0123..."), sent as the bearer token. A secret: kept
  // in memory only, never logged.
  std::string api_key;
  // The webhook signing public key from the portal: base64 of the 32 raw
  // Ed25519 bytes. Not a secret; an invalid one makes every webhook 500.
  std::string public_key_base64;
  // The REST API's scheme and host, without a trailing slash (one is removed);
  // tests point it at a fake.
  std::string api_base = "https://api.telnyx.com";
  // How far telnyx-timestamp may be from our clock, either way. Telnyx retries
  // a failed delivery within minutes, each attempt freshly signed.
  std::chrono::seconds tolerance{300};
};

class TelnyxProvider final : public Provider {
 public:
  // Its settings in the registry (gateway/registry.h): telnyx_public_key
  // turns the webhook on; replies need telnyx_api_key.
  static constexpr ProviderSettingSpec kSettings[] = {
      {.key = "public_key", .secret = true, .default_value = "", .choices = ""},
      {.key = "api_key", .secret = true, .default_value = "", .choices = ""},
      {.key = "api_base", .secret = false, .default_value = "https://api.telnyx.com", .choices = ""},
  };
  // telnyx_api_key must be set, then ValidateConfig.
  static Status CheckSettings(const ProviderSettings& settings);
  static std::unique_ptr<Provider> FromSettings(const ProviderSettings& settings, const ProviderContext& context);

  // Largest webhook body accepted, in bytes. Message webhooks are a few
  // kilobytes even for a long MMS.
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;

  explicit TelnyxProvider(TelnyxConfig config);

  // OK, or InvalidArgument naming the field (never its value) that would make
  // the provider refuse every webhook or send: for --check-config.
  static Status ValidateConfig(const TelnyxConfig& config);

  // The Idempotency-Key for OutboundMessage id `id`. Telnyx accepts 1 to 255
  // characters of [A-Za-z0-9_:-]; an id of that shape is used as it is (our
  // ids, "telnyx:<uuid>", are), any other non-empty id becomes
  // "sha256:<64 hex digits of its SHA-256>" (stable across retries, distinct
  // for distinct ids; an id that itself starts with "sha256:" is hashed too).
  // InvalidArgument for an empty id.
  static Result<std::string> IdempotencyKey(std::string_view id);

  std::string_view provider() const override { return "telnyx"; }

  // See the file comment. `now` is the wall clock the timestamp is checked against.
  ParsedWebhook Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const override;

  bool replies_inline() const override { return false; }
  // Never called by a correct daemon (replies_inline() is false); returns
  // RenderAcknowledge() so the reply is at least not an error.
  WebhookResponse RenderInline(const InboundMessage& message, const InlineReply& reply) const override;
  // 200 with an empty body.
  WebhookResponse RenderAcknowledge() const override;

  // InvalidArgument for an empty to, from or text, text that is not UTF-8, or
  // an empty id; FailedPrecondition when the API key is not configured.
  Result<OutboundRequest> BuildSend(const OutboundMessage& message) const override;
  DeliveryDecision ClassifySend(const HttpResult& result) const override;

 private:
  TelnyxConfig config_;
  std::string public_key_;  // 32 raw bytes, or "" when the configured key is invalid
};

}  // namespace helpline::gateway
