#pragma once
// The helpline JSON chat webhook: our own protocol, for websites and other
// platforms that relay a person's chat message to the helpline and show the
// reply. The reply comes back in the response to the same request; the
// helpline never calls the platform.
//
// ---------------------------------------------------------------------------
// Protocol, version 1
// ---------------------------------------------------------------------------
// Request
//   POST /webhooks/chat
//   Content-Type: application/json            (";charset=utf-8" allowed)
//   X-Helpline-Timestamp: <unix seconds>      decimal digits, no sign, e.g. 1717171717
//   X-Helpline-Signature: sha256=<hex>        hex of HMAC-SHA256(secret, timestamp + "." + body)
//                                             (chat_signature.h: ChatSignature computes it)
//
//   `secret` is the shared secret the helpline operator gives the platform;
//   `timestamp` is the header's value exactly as sent; `body` is the raw
//   request body, byte for byte. The hex may be in either case (lower-case
//   recommended). Signing the timestamp means an old body cannot be replayed
//   with a new timestamp; a replay of a recent request is answered once,
//   because the helpline drops repeated message ids.
//
//   Body (at most 65536 bytes), a JSON object in UTF-8:
//   {
//     "id":     "m-7f3a9c",   required: the platform's id for this message,
//                             unique per platform; 1..128 printable ASCII
//                             characters (0x21..0x7E). A repeated id is
//                             treated as a retry of the same message.
//     "from":   "user-1234",  required: an opaque, stable id of the person,
//                             chosen by the platform (never a phone number or
//                             an e-mail address in clear); 1..128 printable
//                             ASCII characters. The conversation state is kept
//                             per `from`.
//     "text":   "need naloxone",  optional: the message, at most 4096 bytes of
//                             UTF-8; absent or "" gets the menu.
//     "lang":   "es",         optional: the person's language as a BCP 47 tag
//                             ("en", "es", "fr", "fr-CA"); at most 35
//                             characters of letters, digits and '-'.
//                             Accepted and, for now, not used.
//     "region": "CA-BC"       optional: where the person is, as an ISO 3166-1
//                             alpha-2 country ("CA") or an ISO 3166-2
//                             subdivision ("CA-BC"); upper-case. A hint: the
//                             helpline still asks when it needs to.
//   }
//   Members not listed here are ignored (new optional members may be added in
//   this version); a member listed here with the wrong type is an error. A
//   member name may appear once.
//
// Response
//   200 Content-Type: application/json
//   {
//     "id":        "m-7f3a9c",               the request's id
//     "reply":     "Text shown to the person",  may be "" (show nothing)
//     "resources": [ ... ]                   the services the reply names, as
//                                            structured data (JSON objects; the
//                                            schema is the directory's resource
//                                            export); [] when none
//   }
//
// Errors (plain-text reason, never containing the message or the sender):
//   405 "use POST"                                method is not POST
//   415 "expected application/json"               other Content-Type
//   413 "body larger than 65536 bytes"
//   500 "chat secret not configured"              the helpline's configuration, not yours
//   403 "missing X-Helpline-Timestamp"            absent or empty
//   403 "invalid X-Helpline-Timestamp"            not 1..18 decimal digits
//   403 "missing X-Helpline-Signature"            absent or empty
//   403 "invalid X-Helpline-Signature"            wrong secret, wrong format, or the
//                                                 body or timestamp changed in transit
//   403 "stale timestamp"                         more than `tolerance` (5 minutes by
//                                                 default) from the helpline's clock:
//                                                 check the platform's clock
//   400 "malformed JSON body"                     not one JSON object in valid UTF-8
//   400 "repeated member"                         a member name given twice
//   400 "missing id" / "missing from"             absent or ""
//   400 "invalid id" / "invalid from"             wrong type, too long, or a character
//                                                 outside 0x21..0x7E
//   400 "invalid text" / "invalid lang" / "invalid region"
// Retry only on 5xx and network errors, with the same id, a fresh timestamp
// and signature.
//
// Example (secret "s3cret"):
//   body='{"id":"m-1","from":"u-1","text":"help"}'; ts=$(date +%s)
//   sig=$(printf '%s' "$ts.$body" | openssl dgst -sha256 -hmac s3cret | sed 's/^.* //')
//   curl -H 'Content-Type: application/json' -H "X-Helpline-Timestamp: $ts"
//        -H "X-Helpline-Signature: sha256=$sig" -d "$body" https://helpline.example.org/webhooks/chat
//   (one command line)
// ---------------------------------------------------------------------------
//
// How requests map onto the provider interface: an InboundEvent with provider
// "chat", channel kChat, id = "id", from = "chat:" + "from", to = "", text =
// "text"; region "CA-BC" gives from_country "CA" and from_state "BC", region
// "CA" gives from_country "CA". RenderInline renders the response above
// (InlineReply::resources_json is inserted verbatim: it must be a JSON array);
// RenderAcknowledge gives 200 {"ok":true}. There is no outbound path:
// BuildSend returns InvalidArgument and ClassifySend kFail.
//
//   ChatProvider chat(ChatConfig{.secret = config.chat_secret});
//   auto parsed = chat.Parse(request, std::chrono::system_clock::now());
//
// Thread-safety: immutable after construction; every method is safe to call
// concurrently.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "gateway/provider.h"
#include "gateway/registry.h"

namespace helpline::gateway {

struct ChatConfig {
  // The shared HMAC secret (use at least 32 random bytes). Secret: never
  // logged. Required: Parse refuses every request while it is empty.
  std::string secret;
  // How far X-Helpline-Timestamp may be from our clock, either way.
  std::chrono::seconds tolerance{300};
};

class ChatProvider final : public Provider {
 public:
  // Its settings in the registry (gateway/registry.h): chat_secret turns the
  // webhook on.
  static constexpr ProviderSettingSpec kSettings[] = {
      {.key = "secret", .secret = true, .default_value = "", .choices = ""},
  };
  static std::unique_ptr<Provider> FromSettings(const ProviderSettings& settings, const ProviderContext& context);

  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  static constexpr std::size_t kMaxIdChars = 128;     // "id" and "from"
  static constexpr std::size_t kMaxTextBytes = 4096;  // "text"

  explicit ChatProvider(ChatConfig config);

  std::string_view provider() const override { return "chat"; }
  ParsedWebhook Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const override;
  bool replies_inline() const override { return true; }
  bool inline_resources() const override { return true; }
  WebhookResponse RenderInline(const InboundMessage& message, const InlineReply& reply) const override;
  WebhookResponse RenderAcknowledge() const override;
  // Always InvalidArgument "chat replies are inline only".
  Result<OutboundRequest> BuildSend(const OutboundMessage& message) const override;
  // Always kFail (nothing is ever sent).
  DeliveryDecision ClassifySend(const HttpResult& result) const override;

 private:
  ChatConfig config_;
};

}  // namespace helpline::gateway
