#pragma once
// One interface for every messaging provider (Twilio, Vonage, Telnyx,
// Telegram, the JSON chat webhook): verify and parse what the provider sends
// us, render an inline reply where the provider takes one, build the REST
// request that sends a reply (OutboundAdapter), and parse delivery statuses.
// The daemon knows providers only through this interface.
//
//   const Provider& p = *providers.at("telnyx");
//   auto parsed = p.Parse(request, now);
//   if (auto* err = std::get_if<WebhookError>(&parsed)) return Reply(err->http_status, err->reason);
//   if (auto* msg = std::get_if<InboundMessage>(&parsed)) {
//     std::string text = engine.Answer(*msg);
//     if (p.replies_inline()) return p.RenderInline(*msg, InlineReply{text, resources_json});
//     outbox.Enqueue(OutboundMessage{...});  return p.RenderAcknowledge();
//   }
//   if (auto* st = std::get_if<DeliveryStatus>(&parsed)) { metrics.Count(st->state); ... }
//
// Parse() never throws and never logs; every refusal is a WebhookError whose
// reason is safe to log and send back (no number, no body, no secret).
//
// Thread-safety: implementations are immutable after construction; every
// method is safe to call concurrently.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "gateway/inbound.h"
#include "gateway/outbound.h"

namespace helpline::gateway {

// Part of a concatenated (multi-part) SMS, for providers that deliver the
// parts separately (Vonage). The daemon reassembles parts sharing
// (provider, from, ref) before answering; each part is an InboundMessage with
// its own id and `text` holding only that part.
struct ConcatPart {
  std::string ref;  // the provider's concat reference
  int total = 0;    // parts in the whole message (2..255)
  int part = 0;     // this part's number, 1-based
};

// An inbound message, plus what only some providers send.
struct InboundEvent {
  InboundMessage message;
  std::optional<ConcatPart> concat;  // set when this is one part of several
};

// A delivery report for a message we sent (Twilio status callback, Vonage
// delivery receipt, Telnyx message.sent/message.finalized).
struct DeliveryStatus {
  std::string provider;
  std::string provider_message_id;  // the provider's id of our outbound message
  std::string client_ref;           // our OutboundMessage::id where the provider echoes it, else ""
  // Normalized: "queued", "sent", "delivered", "failed", "undelivered", or "unknown".
  std::string state;
  std::string error_code;  // the provider's error code, when it gives one
};

// A webhook the provider sent that needs no answer beyond 200 (a Telegram
// update without text, a Telnyx event type we do not act on).
struct Ignored {
  std::string why;  // safe to log: "telnyx event message.sent.other"
};

using ParsedWebhook = std::variant<InboundEvent, DeliveryStatus, Ignored, WebhookError>;

// What the daemon answers with, for providers that take the reply inline.
struct InlineReply {
  std::string text;            // may be empty: nothing to send
  std::string resources_json;  // a JSON array of the resources the text names ("[]" if none); chat webhook only
};

// An HTTP response to return to the provider.
struct WebhookResponse {
  int status = 200;
  std::string content_type;  // "" for no body
  std::string body;
};

class Provider : public OutboundAdapter {
 public:
  // Verifies and parses `request`. `now` is the wall clock, for timestamp
  // tolerance (signatures older or newer than the provider's window are
  // refused with 403 "stale ...").
  virtual ParsedWebhook Parse(const WebhookRequest& request, std::chrono::system_clock::time_point now) const = 0;

  // True when the reply goes back in the webhook response (Twilio TwiML,
  // Telegram's method call, the JSON chat webhook); false when it must be sent
  // through the provider's REST API (Vonage, Telnyx) via the outbox.
  virtual bool replies_inline() const = 0;

  // True when RenderInline() sends InlineReply::resources_json (the JSON chat
  // webhook), so the daemon serializes the resources only for such providers.
  virtual bool inline_resources() const { return false; }

  // The webhook response carrying `reply` to `message`'s sender (only when
  // replies_inline()).
  virtual WebhookResponse RenderInline(const InboundMessage& message, const InlineReply& reply) const = 0;

  // The webhook response when the reply goes through the outbox, or for a
  // DeliveryStatus or Ignored event: what the provider expects (200 with an
  // empty body, or an empty TwiML <Response/> for Twilio).
  virtual WebhookResponse RenderAcknowledge() const = 0;
};

}  // namespace helpline::gateway
