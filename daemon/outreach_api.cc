#include "daemon/outreach_api.h"

#include <utility>

#include "common/json_escape.h"
#include "common/sha256.h"
#include "directory/json_codec.h"
#include "directory/regions.h"
#include "gateway/form_urlencoded.h"

namespace helpline::daemon {

bool HasApiKey(std::string_view authorization, const std::set<std::string>& key_sha256s) {
  // "Bearer" SP token; the scheme is case-insensitive (RFC 7235 section 2.1).
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() + 1 || authorization[kScheme.size()] != ' ') return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if ((authorization[i] | 0x20) != kScheme[i]) return false;  // ASCII letters: | 0x20 lowercases
  }
  authorization.remove_prefix(kScheme.size() + 1);
  return key_sha256s.count(Sha256Hex(authorization)) != 0;
}

ApiAnswer Unauthorized() {
  ApiAnswer a = ApiFailure(ApiError::kUnauthorized, "missing or unknown API key (Authorization: Bearer KEY)");
  a.response.headers.push_back({"WWW-Authenticate", "Bearer"});
  return a;
}

std::optional<ApiAnswer> CheckApiKey(std::string_view authorization, const ApiKeys& keys, ApiScope scope) {
  const bool lookup = scope == ApiScope::kLookup;
  if (HasApiKey(authorization, lookup ? keys.lookup : keys.alerts)) return std::nullopt;
  if (HasApiKey(authorization, lookup ? keys.alerts : keys.lookup)) {
    return ApiFailure(ApiError::kForbidden, lookup ? "this API key may send alerts, not look up the directory"
                                                   : "this API key may look up the directory, not use alerts");
  }
  return Unauthorized();
}

ApiAnswer LookupAnswer(const directory::DirectoryIndex* index, std::string_view query) {
  auto params = gateway::ParseFormUrlencoded(query);
  if (!params.ok()) return ApiFailure(ApiError::kBadRequest, "malformed query string");
  std::string region, category_name, lang;
  for (const auto& [k, v] : *params) {
    if (k == "region")
      region = v;
    else if (k == "category")
      category_name = v;
    else if (k == "lang")
      lang = v;
  }
  auto category = directory::ParseCategory(category_name);
  if (region.empty() || !directory::IsKnownRegion(region)) {
    return ApiFailure(ApiError::kBadRequest, "region must be an ISO 3166-2 code such as US, US-TX, CA-BC or *");
  }
  if (!category) {
    // The parameter is named, its value never echoed (it is raw request bytes).
    std::string known;
    for (directory::Category c : directory::AllCategories()) {
      known += known.empty() ? "" : ", ";
      known += directory::CategoryName(c);
    }
    return ApiFailure(ApiError::kBadRequest, "category is missing or unknown; one of: " + known);
  }
  if (index == nullptr) return ApiFailure(ApiError::kNotReady, "directory not loaded yet");
  std::string body = "{\"version\":" + std::to_string(index->version()) + ",\"region\":" + JsonQuote(region) +
                     ",\"category\":" + JsonQuote(category_name) + ",\"lang\":" + JsonQuote(lang) +
                     ",\"resources\":" + ResourcesJson(index->Lookup(region, *category, lang)) + "}\n";
  return {Json(200, std::move(body)), "ok"};
}

ApiAnswer RegionsAnswer(const directory::DirectoryIndex* index) {
  if (index == nullptr) return ApiFailure(ApiError::kNotReady, "directory not loaded yet");
  std::string body = "{\"version\":" + std::to_string(index->version()) + ",\"regions\":[";
  bool first = true;
  for (const auto& code : index->Regions()) {
    const auto* info = directory::FindRegion(code);
    if (!first) body += ",";
    first = false;
    body += "{\"code\":" + JsonQuote(code) + ",\"name\":" + JsonQuote(info ? info->name_en : code) +
            ",\"name_fr\":" + JsonQuote(info ? info->name_fr : code) +
            ",\"name_es\":" + JsonQuote(info ? info->name_es : code) + "}";
  }
  body += "]}\n";
  return {Json(200, std::move(body)), "ok"};
}

std::string ResourcesJson(const std::vector<const directory::Resource*>& resources) {
  std::string out = "[";
  for (const auto* r : resources) {
    if (out.size() > 1) out += ",";
    out += directory::ToCanonicalJson(*r);
  }
  out += "]";
  return out;
}

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

ApiAnswer ApiFailure(ApiError error, std::string_view message) {
  return {ApiErrorResponse(error, message), InfoOf(error).code};
}

}  // namespace helpline::daemon
