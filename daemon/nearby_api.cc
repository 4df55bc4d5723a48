#include "daemon/nearby_api.h"

#include <charconv>
#include <cstdio>

#include "common/json_escape.h"
#include "daemon/api_errors.h"
#include "directory/regions.h"
#include "gateway/form_urlencoded.h"

namespace helpline::daemon {
namespace {

using directory::LocationKind;

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

NearbyApiResponse Error(ApiError error, std::string_view message) {
  const ApiErrorInfo& info = InfoOf(error);
  return {info.status, ApiErrorJson(error, message), std::string(info.code)};
}

NearbyApiResponse Error(std::string_view message) { return Error(ApiError::kBadRequest, message); }

std::string AddressJson(const directory::Address& a) {
  return "{\"street\":" + JsonQuote(a.street) + ",\"city\":" + JsonQuote(a.city) +
         ",\"region\":" + JsonQuote(a.region) + ",\"postal_code\":" + JsonQuote(a.postal_code) +
         ",\"country\":" + JsonQuote(a.country) + "}";
}

}  // namespace

std::string MapsUrl(double lat, double lon) {
  const std::string la = Number(lat), lo = Number(lon);
  return "https://www.openstreetmap.org/?mlat=" + la + "&mlon=" + lo + "#map=17/" + la + "/" + lo;
}

NearbyApiResponse NearbyApi(const directory::DirectoryIndex* index, const directory::GeoReference* geo,
                            std::string_view query) {
  auto params = gateway::ParseFormUrlencoded(query);
  if (!params.ok()) return Error("malformed query string");
  std::string near, category_name, limit_text, radius_text;
  for (const auto& [k, v] : *params) {
    if (k == "near" && near.empty())
      near = v;
    else if (k == "category" && category_name.empty())
      category_name = v;
    else if (k == "limit" && limit_text.empty())
      limit_text = v;
    else if (k == "radius_km" && radius_text.empty())
      radius_text = v;
  }
  const auto category = directory::ParseCategory(category_name);
  if (!category) return Error("category is missing or unknown (a directory category such as naloxone, detox)");
  if (near.empty() || near.size() > 100) return Error("near is missing: a ZIP, a postal code or a city");
  int limit = 5;
  if (!limit_text.empty()) {
    auto [end, ec] = std::from_chars(limit_text.data(), limit_text.data() + limit_text.size(), limit);
    if (ec != std::errc() || end != limit_text.data() + limit_text.size() || limit < 1 || limit > 50) {
      return Error("limit must be a whole number from 1 to 50");
    }
  }
  double radius = 80;
  if (!radius_text.empty()) {
    auto [end, ec] = std::from_chars(radius_text.data(), radius_text.data() + radius_text.size(), radius);
    if (ec != std::errc() || end != radius_text.data() + radius_text.size() || !(radius > 0) || radius > 2000) {
      return Error("radius_km must be a number above 0, at most 2000");
    }
  }
  if (index == nullptr) return Error(ApiError::kNotReady, "directory not loaded yet");
  if (geo == nullptr) return Error(ApiError::kNotReady, "no geographic data loaded (data/geo)");
  const directory::Location loc = geo->Locate(near);
  if (loc.kind == LocationKind::kNone) return Error("near: not a ZIP, postal code or city we know");
  const bool miles = directory::CountryOf(loc.region) != "CA";
  std::string body = "{\"version\":" + std::to_string(index->version()) +
                     ",\"near\":{\"kind\":" + JsonQuote(directory::LocationKindName(loc.kind)) +
                     ",\"label\":" + JsonQuote(loc.label) + ",\"region\":" + JsonQuote(loc.region);
  if (loc.point) body += ",\"lat\":" + Number(loc.point->lat) + ",\"lon\":" + Number(loc.point->lon);
  if (!loc.candidates.empty()) {
    body += ",\"candidates\":[";
    for (std::size_t i = 0; i < loc.candidates.size(); ++i) {
      body += (i ? "," : "") + std::string("{\"name\":") + JsonQuote(loc.candidates[i].name) +
              ",\"region\":" + JsonQuote(loc.candidates[i].region) + "}";
    }
    body += "]";
  }
  body += "},\"category\":" + JsonQuote(directory::CategoryName(*category)) +
          ",\"unit\":" + JsonQuote(miles ? "mi" : "km") + ",\"radius_km\":" + Number(radius) + ",\"sites\":[";
  std::string notice;
  if (loc.point) {
    const auto hits = index->nearby().Nearest(*loc.point, *category, static_cast<std::size_t>(limit), radius);
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const directory::Resource& r = index->resources()[hits[i].id];
      const bool show = r.coordinates->precision != directory::CoordinatePrecision::kCity;
      std::string phone;
      for (const auto& ch : r.channels) {
        if (directory::IsPhoneKind(ch.kind)) {
          phone = ch.value;
          break;
        }
      }
      body += (i ? "," : "") + std::string("{\"id\":") + JsonQuote(r.id) + ",\"name\":" + JsonQuote(r.name) +
              ",\"description\":" + JsonQuote(r.description) +
              ",\"address\":" + (r.address ? AddressJson(*r.address) : "null") +
              ",\"lat\":" + Number(r.coordinates->lat) + ",\"lon\":" + Number(r.coordinates->lon) +
              ",\"precision\":" + JsonQuote(directory::CoordinatePrecisionName(r.coordinates->precision)) +
              ",\"distance_km\":" + Number(hits[i].km) +
              ",\"distance_mi\":" + Number(hits[i].km / directory::kKmPerMile) +
              ",\"show_distance\":" + (show ? "true" : "false") + ",\"phone\":" + JsonQuote(phone) +
              ",\"hours\":" + JsonQuote(r.hours) +
              ",\"maps_url\":" + JsonQuote(MapsUrl(r.coordinates->lat, r.coordinates->lon)) +
              ",\"status\":" + JsonQuote(directory::ResourceStatusName(r.status)) + "}";
    }
    if (hits.empty()) notice = "no listed site within the radius";
  } else if (loc.kind == LocationKind::kRegion) {
    notice = "no point for this postal code: use the region's lines (/v1/lookup?region=" + loc.region + ")";
  } else {
    notice = "this city name is shared by several places: add the state or province, or use a ZIP or postal code";
  }
  body += "],\"notice\":" + JsonQuote(notice) + "}\n";
  return {200, std::move(body), "ok"};
}

}  // namespace helpline::daemon
