#pragma once
// What every provider harness (fuzz/*_webhook_fuzz.cc) checks after
// Provider::Parse, whatever the provider: refusals are 4xx/5xx with a reason
// safe to log; an accepted message is rendered back (the inline reply, or the
// outbox's REST request) with the hostile text as the reply, and what is
// rendered is valid UTF-8 (valid JSON where the provider speaks JSON); the
// provider's answer to a send is classified without a crash.
//
//   auto parsed = provider.Parse(request, now);
//   CheckParsed(provider, parsed, body);
//
// Thread-safety: free functions; harnesses are single-threaded.

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz/fuzz_support.h"
#include "gateway/http_util.h"
#include "gateway/provider.h"

namespace helpline::fuzz {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of the first header `name` in `headers`, or `fallback`.
inline std::string HeaderOr(const Headers& headers, std::string_view name, std::string_view fallback) {
  for (const auto& [n, value] : headers) {
    if (n == name) return value;
  }
  return std::string(fallback);
}

// A POST of `body` to `url` carrying `headers` (views into them).
inline gateway::WebhookRequest PostRequest(std::string_view url, const std::string& content_type, std::string_view body,
                                           const Headers& headers) {
  gateway::WebhookRequest request{
      .method = "POST", .url = url, .content_type = content_type, .body = body, .headers = {}};
  for (const auto& [name, value] : headers) request.headers.emplace_back(name, value);
  return request;
}

// `request` with every header `name` replaced by one `value` (a view: `value`
// must outlive the request).
inline void SetHeader(gateway::WebhookRequest& request, std::string_view name, std::string_view value) {
  std::erase_if(request.headers, [&](const auto& h) { return h.first == name; });
  request.headers.emplace_back(name, value);
}

// The wall clock at a provider's Unix-seconds timestamp text (1700000000 when
// it is not one), within what system_clock's nanoseconds hold.
inline std::chrono::system_clock::time_point ClockAt(std::string_view timestamp) {
  const std::int64_t seconds =
      std::min<std::int64_t>(gateway::ParseDecimal(timestamp).value_or(1700000000), 4000000000);
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

inline bool IsJson(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

// Checks a rendered answer or request body: valid UTF-8, and valid JSON when
// its content type says JSON.
inline void CheckRendered(std::string_view content_type, std::string_view body) {
  FUZZ_CHECK(IsUtf8(body));
  if (content_type.find("json") != std::string_view::npos && !body.empty()) FUZZ_CHECK(IsJson(body));
}

inline void CheckParsed(const gateway::Provider& provider, const gateway::ParsedWebhook& parsed,
                        std::string_view other_bytes) {
  using namespace helpline::gateway;
  if (const auto* error = std::get_if<WebhookError>(&parsed)) {
    FUZZ_CHECK(error->http_status >= 400 && error->http_status <= 599);
    FUZZ_CHECK(IsSafeReason(error->reason));
    return;
  }
  if (const auto* ignored = std::get_if<Ignored>(&parsed)) {
    FUZZ_CHECK(IsSafeReason(ignored->why));
    const WebhookResponse ack = provider.RenderAcknowledge();
    FUZZ_CHECK(ack.status == 200);
    return;
  }
  if (const auto* status = std::get_if<DeliveryStatus>(&parsed)) {
    FUZZ_CHECK(status->provider == provider.provider());
    const std::string& s = status->state;
    FUZZ_CHECK(s == "queued" || s == "sent" || s == "delivered" || s == "failed" || s == "undelivered" ||
               s == "unknown");
    return;
  }
  const auto& event = std::get<InboundEvent>(parsed);
  const InboundMessage& m = event.message;
  FUZZ_CHECK(m.provider == provider.provider());
  FUZZ_CHECK(!m.id.empty());
  if (event.concat) {
    FUZZ_CHECK(event.concat->total >= 2 && event.concat->total <= 255);
    FUZZ_CHECK(event.concat->part >= 1 && event.concat->part <= event.concat->total);
  }
  // The sender's own text (and any other hostile bytes) as the reply.
  for (std::string_view text : {std::string_view(m.text), other_bytes}) {
    if (provider.replies_inline()) {
      const WebhookResponse r = provider.RenderInline(m, InlineReply{std::string(text), "[]"});
      FUZZ_CHECK(r.status == 200);
      CheckRendered(r.content_type, r.body);
    } else {
      OutboundMessage out{.id = std::string(provider.provider()) + ":" + m.id,
                          .provider = std::string(provider.provider()),
                          .channel = m.channel,
                          .to = m.from,
                          .from = m.to,
                          .text = std::string(text)};
      auto request = provider.BuildSend(out);
      if (request.ok()) {
        std::string content_type;
        for (const auto& [name, value] : request->headers) {
          if (name == "Content-Type") content_type = value;
        }
        CheckRendered(content_type, request->body);
      } else {
        FUZZ_CHECK(IsSafeReason(request.status().message()));
      }
    }
  }
}

// The provider's answer to a send, from hostile bytes: classified, never a crash.
inline void CheckClassify(const gateway::Provider& provider, std::uint8_t status_byte, std::string_view body,
                          std::string_view retry_after) {
  gateway::HttpResult result;
  result.transport_ok = status_byte != 0;
  static constexpr long kStatuses[] = {200, 201, 202, 400, 401, 404, 429, 500, 503};
  result.status = kStatuses[status_byte % (sizeof kStatuses / sizeof kStatuses[0])];
  result.body = std::string(body);
  result.headers = {{"Retry-After", std::string(retry_after)}, {"Content-Type", "application/json"}};
  const gateway::DeliveryDecision d = provider.ClassifySend(result);
  FUZZ_CHECK(IsUtf8(d.reason));
  if (d.retry_after) FUZZ_CHECK(d.retry_after->count() >= 0);
}

}  // namespace helpline::fuzz
