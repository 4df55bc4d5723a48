#pragma once
// GET /v1/nearby?near=60614&category=naloxone[&limit=5][&radius_km=80]
// (API key required, as /v1/lookup): the nearest active sites offering a
// category near a US ZIP, a Canadian postal code (full or FSA) or a city
// name ("portland, me"), as JSON:
//   {"version": 7, "near": {"kind": "zip", "label": "60614", "region": "US-IL",
//    "lat": 41.92, "lon": -87.65}, "category": "naloxone", "unit": "mi",
//    "sites": [{"id", "name", "address": {...}, "lat", "lon", "precision",
//               "distance_km", "distance_mi", "show_distance", "phone", "hours",
//               "maps_url", "status"}], "notice": "..."}
// A postal code with no point gives "near.kind": "region" and no sites, a
// shared city name "ambiguous" with its candidates: the notice says so.
// 400 for a missing or unknown category, a missing near, a place we cannot
// find, or a bad limit/radius (values are never echoed); 503 before a
// directory is loaded; errors are api_errors.h's {"error":{"code","message"}}.
// Thread-safety: a pure function of its arguments.

#include <string>
#include <string_view>

#include "directory/geo.h"
#include "directory/index.h"

namespace helpline::daemon {

struct NearbyApiResponse {
  int status = 200;
  std::string body;     // application/json
  std::string outcome;  // for the request log: ok, or the error code (bad_request, not_ready)
};

NearbyApiResponse NearbyApi(const directory::DirectoryIndex* index, const directory::GeoReference* geo,
                            std::string_view query);

// https://www.openstreetmap.org/?mlat=..&mlon=..#map=17/../.. : a map link that needs no script or key.
std::string MapsUrl(double lat, double lon);

}  // namespace helpline::daemon
