#pragma once
// The outreach API, for partners' sites and apps: the directory as JSON
// behind API keys. Answers are computed here; the app routes the request,
// counts and logs the answer (app.cc).
//
//   GET /v1/lookup   ?region=CA-BC&category=naloxone&lang=en
//                    {"version":N,"region":..,"category":..,"lang":..,"resources":[...]}
//   GET /v1/regions  {"version":N,"regions":[{"code":..,"name":..,"name_fr":..,"name_es":..},...]}
//
// Keys: `Authorization: Bearer KEY`, the scheme in any case; only the
// SHA-256 hex of accepted keys is configured, one list per scope:
// api_key_sha256 (lookups: these routes and /v1/nearby) and
// alerts_api_key_sha256 (alerting: /v1/alerts, /v1/reports; alert_api.h). A
// key grants only its list's scope: no key or an unknown one is 401, a key
// of the other scope 403 (a key in both lists has both). Errors are
// api_errors.h's {"error":{"code":"bad_request","message":"..."}}, the
// message naming the bad parameter, never echoing its value.
//
//   if (auto refused = CheckApiKey(req.Header("authorization"), keys, ApiScope::kLookup)) return *refused;
//   ApiAnswer a = LookupAnswer(snapshots.Get().get(), query);
//
// Thread-safety: free functions without shared state.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/api_errors.h"
#include "daemon/http_server.h"
#include "directory/index.h"

namespace helpline::daemon {

// An answer and the outcome the request log and metrics record: "ok", or
// the error's code (api_errors.h: "bad_request", "not_ready", "unauthorized").
struct ApiAnswer {
  HttpResponse response;
  std::string_view outcome;
};

// True when `authorization` is "Bearer KEY" (scheme in any case) and the
// SHA-256 hex of KEY is in `key_sha256s`.
bool HasApiKey(std::string_view authorization, const std::set<std::string>& key_sha256s);

// 401 with WWW-Authenticate: Bearer.
ApiAnswer Unauthorized();

enum class ApiScope { kLookup, kAlerts };

// The SHA-256 hex digests of the accepted keys, per scope.
struct ApiKeys {
  std::set<std::string> lookup;  // api_key_sha256
  std::set<std::string> alerts;  // alerts_api_key_sha256
};

// nullopt when `authorization` carries a key of `scope`; else 403 for a key
// of the other scope, 401 otherwise.
std::optional<ApiAnswer> CheckApiKey(std::string_view authorization, const ApiKeys& keys, ApiScope scope);

// /v1/lookup for `query` (the URL's query string) from `index` (null: 503
// "directory not loaded yet", after the parameters are checked).
ApiAnswer LookupAnswer(const directory::DirectoryIndex* index, std::string_view query);

// /v1/regions from `index` (null: 503).
ApiAnswer RegionsAnswer(const directory::DirectoryIndex* index);

// A JSON array of the resources' canonical JSON, as /v1/lookup and the chat
// webhook return them.
std::string ResourcesJson(const std::vector<const directory::Resource*>& resources);

// A JSON response: `body` as it is.
HttpResponse Json(int status, std::string body);
// The error's response (api_errors.h) with its code as the outcome.
ApiAnswer ApiFailure(ApiError error, std::string_view message);

}  // namespace helpline::daemon
