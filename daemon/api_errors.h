#pragma once
// The errors of the `/v1` API: one table (kApiErrors) gives each error its
// stable code, its HTTP status and what it means. Every /v1 answer that is
// not a 200 is built here, so a client can branch on the code:
//
//   {"error":{"code":"bad_request","message":"region must be an ISO 3166-2 code ..."}}
//
// The code never changes for a given condition; the message is English for
// people, names the bad parameter and never echoes its value (raw request
// bytes). docs/openapi.yaml lists the same codes (components/schemas/Error;
// tests/daemon/api_errors_test.cc keeps the two lists equal, and
// tests/js/openapi_test.mjs validates real answers against it).
//
//   return ApiErrorResponse(ApiError::kBadRequest, "category is missing or unknown");
//
// Thread-safety: constant data and pure functions.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/http_server.h"

namespace helpline::daemon {

enum class ApiError {
  kBadRequest,            // 400: a parameter is missing, unknown or malformed; or the HTTP request is malformed
  kUnauthorized,          // 401: no API key, or one not configured
  kForbidden,             // 403: a known API key without the route's scope (a lookup key on /v1/alerts)
  kNotFound,              // 404: no such /v1 route
  kMethodNotAllowed,      // 405: the route takes another method (Allow says which)
  kConflict,              // 409: the alert id is taken (another region) or the alert was cancelled
  kTooLarge,              // 413: a body larger than max_body_bytes (or than the route takes)
  kUnsupportedMediaType,  // 415: a body that is not application/json where JSON is required
  kHeadersTooLarge,       // 431: headers larger than max_header_bytes
  kNotReady,              // 503: no directory loaded yet (or no geographic data for /v1/nearby); for
                          // the alert routes: Redis unavailable, or alert subscriptions off on this daemon
};

struct ApiErrorInfo {
  ApiError error;
  std::string_view code;  // stable, snake_case
  int status;
};

inline constexpr std::array<ApiErrorInfo, 10> kApiErrors = {{
    {ApiError::kBadRequest, "bad_request", 400},
    {ApiError::kUnauthorized, "unauthorized", 401},
    {ApiError::kForbidden, "forbidden", 403},
    {ApiError::kNotFound, "not_found", 404},
    {ApiError::kMethodNotAllowed, "method_not_allowed", 405},
    {ApiError::kConflict, "conflict", 409},
    {ApiError::kTooLarge, "too_large", 413},
    {ApiError::kUnsupportedMediaType, "unsupported_media_type", 415},
    {ApiError::kHeadersTooLarge, "headers_too_large", 431},
    {ApiError::kNotReady, "not_ready", 503},
}};

const ApiErrorInfo& InfoOf(ApiError error);

// The error of an answer the HTTP server gives on its own (413, 431, 400);
// nullopt for a status no /v1 error has.
std::optional<ApiError> ApiErrorOfStatus(int status);

// {"error":{"code":"...","message":"..."}} and a newline.
std::string ApiErrorJson(ApiError error, std::string_view message);

// The error as an application/json response with the table's status.
HttpResponse ApiErrorResponse(ApiError error, std::string_view message);

// True for paths the /v1 API owns ("/v1" and "/v1/..."): their errors are JSON.
bool IsApiPath(std::string_view path);

}  // namespace helpline::daemon
