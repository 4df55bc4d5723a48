#pragma once
// The provider-neutral half of classifying a send attempt, shared by every
// OutboundAdapter::ClassifySend so that all providers retry, fail and honour
// Retry-After the same way. An adapter calls ClassifyHttp first and then only
// adds what its provider's body says (the message id on success, the error
// code on failure):
//
//   DeliveryDecision ClassifySend(const HttpResult& r) const override {
//     DeliveryDecision d = ClassifyHttp(r, "vonage", std::chrono::system_clock::now());
//     if (d.verdict == DeliveryVerdict::kSent) { /* read the id from r.body, or MarkMalformedSuccess(d) */ }
//     else if (r.transport_ok) AppendErrorCode(d, code_from_body);   // never the body itself
//     return d;
//   }
//
// The rule (ClassifyHttp):
//   transport failure (!transport_ok)  kRetry  "{provider} transport error: {error}"
//   2xx                                 kSent   "{provider} {status}"
//   429, 5xx                            kRetry  "{provider} {status}", retry_after from Retry-After
//   anything else (1xx, 3xx, 4xx)       kFail   "{provider} {status}"
// Reasons carry the provider name, the status and (for transport failures) the
// client's error text: never a header value or a body, so never a number, a
// message text or a secret.
//
// Thread-safety: free functions without shared state.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/outbound.h"

namespace helpline::gateway {

// The provider-neutral decision for `result` (see the table above). For kRetry
// after an HTTP response, `retry_after` is ParseRetryAfter of its Retry-After
// header (relative to `now`), when present and valid. provider_message_id is
// left empty: the adapter reads it from the body.
DeliveryDecision ClassifyHttp(const HttpResult& result, std::string_view provider,
                              std::chrono::system_clock::time_point now);

// Turns a 2xx decision whose body lacks what the provider promises (an id)
// into kFail "{reason} malformed" ("twilio 201 malformed").
void MarkMalformedSuccess(DeliveryDecision& decision);

// `code` when it is 1 to 32 characters of [A-Za-z0-9._-] (a provider's error
// code: "21211", "40300"), else "". Use it before putting a code read from a
// provider's body into a reason or a log line.
std::string_view SafeErrorCode(std::string_view code);

// Appends " code {code}" to decision.reason when SafeErrorCode(code) is
// non-empty ("twilio 400" -> "twilio 400 code 21211").
void AppendErrorCode(DeliveryDecision& decision, std::string_view code);

// The delay a Retry-After header value asks for (RFC 9110 section 10.2.3):
//   delta-seconds "7"                       -> 7000 ms (saturating at 2^31 s)
//   an HTTP-date, in any of the three forms a recipient must accept:
//     IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850
//     "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov  6 08:49:37 1994"
//                                           -> the date minus `now`, or 0 ms if
//                                              the date has passed
// Surrounding spaces and tabs are ignored. Anything else (empty, negative,
// fractional, a malformed or impossible date) is nullopt.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// The value of the first header named `name` (ASCII case-insensitive), or "".
std::string_view FindHeader(const HttpHeaders& headers, std::string_view name);

}  // namespace helpline::gateway
