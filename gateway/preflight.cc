#include "gateway/preflight.h"

#include <string>

#include "gateway/http_util.h"

namespace helpline::gateway {

std::variant<Preflighted, WebhookError> Preflight(const WebhookRequest& request, const WebhookShape& shape) {
  const std::string limit = std::to_string(shape.max_body_bytes);
  if (shape.accepts_get && request.method == "GET") {
    std::string_view query;
    const std::size_t question = request.url.find('?');
    if (question != std::string_view::npos) {
      query = request.url.substr(question + 1);
      query = query.substr(0, query.find('#'));
    }
    if (query.size() > shape.max_body_bytes) return WebhookError{413, "query larger than " + limit + " bytes"};
    return Preflighted{"", query};
  }
  if (request.method != "POST") return WebhookError{405, shape.accepts_get ? "use GET or POST" : "use POST"};
  std::string_view types = shape.media_types;
  std::string expected;
  while (!types.empty()) {
    const std::size_t space = types.find(' ');
    const std::string_view type = types.substr(0, space);
    if (IsMediaType(request.content_type, type)) {
      if (request.body.size() > shape.max_body_bytes) {
        return WebhookError{413, "body larger than " + limit + " bytes"};
      }
      return Preflighted{type, request.body};
    }
    expected += (expected.empty() ? "" : " or ") + std::string(type);
    types = space == std::string_view::npos ? std::string_view() : types.substr(space + 1);
  }
  return WebhookError{415, "expected " + expected};
}

}  // namespace helpline::gateway
