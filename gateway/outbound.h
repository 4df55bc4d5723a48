#pragma once
// The provider-neutral shapes of outbound delivery, shared by every provider
// adapter (which builds the REST request) and the daemon's outbox (which
// queues, sends, retries and dead-letters it).
//
//   OutboundMessage m{.id = "tw:SM123", .provider = "twilio", .to = "+16045550123",
//                     .from = "+15005550006", .text = reply};
//   Result<OutboundRequest> req = adapter.BuildSend(m);        // provider-specific
//   HttpResult res = Perform(*req);                             // outbox, libcurl multi
//   DeliveryDecision d = adapter.ClassifySend(res);             // sent / retry / fail
//
// The message id is stable across retries and restarts: adapters pass it as
// the provider's idempotency key where the provider has one.
//
// Thread-safety: plain values; safe to copy between threads.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "gateway/inbound.h"

namespace helpline::gateway {

// One reply to send. Holds the recipient's address and the text: never log
// them (log the id).
struct OutboundMessage {
  std::string id;        // stable, unique per reply: "{provider}:{inbound message id}"
  std::string provider;  // "twilio", "vonage", "telnyx"
  MessageChannel channel = MessageChannel::kSms;
  std::string to;    // the person ("+16045550123"), as the inbound message's `from`
  std::string from;  // our number or short code, as the inbound message's `to`
  std::string text;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// A fully built HTTP request for a provider's REST API.
struct OutboundRequest {
  std::string method = "POST";
  std::string url;      // "https://api.twilio.com/2010-04-01/Accounts/AC.../Messages.json"
  HttpHeaders headers;  // incl. Content-Type and Authorization (secrets: never log)
  std::string body;
};

// What came back from a send attempt.
struct HttpResult {
  bool transport_ok = false;  // false: connect failure, timeout, reset (status is 0)
  long status = 0;
  HttpHeaders headers;  // names as received
  std::string body;
  std::string error;  // transport error text when !transport_ok
};

enum class DeliveryVerdict {
  kSent,   // the provider accepted the message
  kRetry,  // transient: timeout, connection failure, 5xx, 429
  kFail,   // permanent: any other 4xx, or a malformed success
};

struct DeliveryDecision {
  DeliveryVerdict verdict = DeliveryVerdict::kFail;
  // For kRetry: the provider's Retry-After (seconds or HTTP date), when given.
  std::optional<std::chrono::milliseconds> retry_after;
  std::string provider_message_id;  // for kSent, when the provider returns one
  std::string reason;               // safe to log: status and provider error code, no text
};

// The sending half of a provider adapter.
class OutboundAdapter {
 public:
  virtual ~OutboundAdapter() = default;
  virtual std::string_view provider() const = 0;
  // The REST request that sends `message`; InvalidArgument if it cannot be sent
  // by this provider (e.g. empty recipient).
  virtual Result<OutboundRequest> BuildSend(const OutboundMessage& message) const = 0;
  // Classifies a send attempt's result (see DeliveryVerdict).
  virtual DeliveryDecision ClassifySend(const HttpResult& result) const = 0;
};

}  // namespace helpline::gateway
