#include "daemon/api_errors.h"

#include <cstdio>
#include <cstdlib>

#include "common/json_escape.h"

namespace helpline::daemon {

const ApiErrorInfo& InfoOf(ApiError error) {
  for (const ApiErrorInfo& row : kApiErrors) {
    if (row.error == error) return row;
  }
  std::fprintf(stderr, "helpline: ApiError %d has no row in kApiErrors\n", static_cast<int>(error));
  std::abort();  // a broken invariant: every enumerator has a row
}

std::optional<ApiError> ApiErrorOfStatus(int status) {
  for (const ApiErrorInfo& row : kApiErrors) {
    if (row.status == status) return row.error;
  }
  return std::nullopt;
}

std::string ApiErrorJson(ApiError error, std::string_view message) {
  std::string out = "{\"error\":{\"code\":";
  out += JsonQuote(InfoOf(error).code);
  out += ",\"message\":";
  out += JsonQuote(message);
  out += "}}\n";
  return out;
}

HttpResponse ApiErrorResponse(ApiError error, std::string_view message) {
  HttpResponse r;
  r.status = InfoOf(error).status;
  r.content_type = "application/json";
  r.body = ApiErrorJson(error, message);
  return r;
}

bool IsApiPath(std::string_view path) { return path == "/v1" || path.starts_with("/v1/"); }

}  // namespace helpline::daemon
