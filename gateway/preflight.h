#pragma once
// The checks every provider makes first, before any secret or signature:
// the method, the media type and the size. One function, so that every
// webhook refuses the same things with the same reasons:
//   405 "use POST"                      (or "use GET or POST" where GET is taken)
//   415 "expected application/json"     (the accepted media types joined by " or ";
//                                        parameters such as ";charset=utf-8" and case ignored)
//   413 "body larger than N bytes"      (a GET: "query larger than N bytes")
//
//   constexpr WebhookShape kShape{.media_types = "application/json"};
//   auto pre = Preflight(request, kShape);
//   if (auto* err = std::get_if<WebhookError>(&pre)) return *err;
//
// Thread-safety: a free function without shared state.

#include <cstddef>
#include <string_view>
#include <variant>

#include "gateway/inbound.h"

namespace helpline::gateway {

struct WebhookShape {
  bool accepts_get = false;                // GET with the fields in the query string (Vonage)
  std::string_view media_types;            // accepted for a POST, space-separated, first preferred
  std::size_t max_body_bytes = 64 * 1024;  // of a POST's body or a GET's query
};

// What passed: the POST's media type as listed in the shape (or "" for a
// GET) and the payload, the body of a POST or the query of a GET (without
// '?' and any fragment).
struct Preflighted {
  std::string_view media_type;
  std::string_view payload;
};

std::variant<Preflighted, WebhookError> Preflight(const WebhookRequest& request, const WebhookShape& shape);

}  // namespace helpline::gateway
