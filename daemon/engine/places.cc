#include "daemon/engine/places.h"

#include <algorithm>
#include <array>
#include <utility>

namespace helpline::engine {
namespace {

using Place = std::pair<std::string_view, std::string_view>;

// Sorted by name (checked at compile time below). Cities that are also
// common first names (Austin, Charlotte, Regina, Phoenix, Orlando) are left
// out: "my son austin" must not move a sender to Texas.
constexpr std::array kPlaces = std::to_array<Place>({
    {"albuquerque", "US-NM"},   {"anchorage", "US-AK"},     {"atlanta", "US-GA"},
            {"baltimore", "US-MD"},     {"boston", "US-MA"},
    {"brampton", "CA-ON"},      {"burnaby", "CA-BC"},       {"calgary", "CA-AB"},
         {"charlottetown", "CA-PE"}, {"chicago", "US-IL"},
    {"cincinnati", "US-OH"},    {"cleveland", "US-OH"},     {"dallas", "US-TX"},
    {"denver", "US-CO"},        {"detroit", "US-MI"},       {"edmonton", "CA-AB"},
    {"el paso", "US-TX"},       {"fort worth", "US-TX"},    {"fredericton", "CA-NB"},
    {"fresno", "US-CA"},        {"gatineau", "CA-QC"},      {"halifax", "CA-NS"},
    {"hamilton ontario", "CA-ON"}, {"honolulu", "US-HI"},   {"houston", "US-TX"},
    {"indianapolis", "US-IN"},  {"iqaluit", "CA-NU"},       {"jacksonville", "US-FL"},
    {"kamloops", "CA-BC"},      {"kelowna", "CA-BC"},       {"las vegas", "US-NV"},
    {"laval", "CA-QC"},         {"los angeles", "US-CA"},   {"louisville", "US-KY"},
    {"memphis", "US-TN"},       {"miami", "US-FL"},         {"milwaukee", "US-WI"},
    {"minneapolis", "US-MN"},   {"mississauga", "CA-ON"},   {"moncton", "CA-NB"},
    {"montreal", "CA-QC"},      {"nanaimo", "CA-BC"},       {"nashville", "US-TN"},
    {"new orleans", "US-LA"},   {"new york city", "US-NY"}, {"nyc", "US-NY"},
    {"oakland", "US-CA"},       {"oklahoma city", "US-OK"}, 
    {"ottawa", "CA-ON"},        {"philadelphia", "US-PA"},  {"philly", "US-PA"},
           {"pittsburgh", "US-PA"},    {"raleigh", "US-NC"},
            {"sacramento", "US-CA"},    {"salt lake city", "US-UT"},
    {"san antonio", "US-TX"},   {"san diego", "US-CA"},     {"san francisco", "US-CA"},
    {"san jose", "US-CA"},      {"saskatoon", "CA-SK"},     {"seattle", "US-WA"},
    {"sherbrooke", "CA-QC"},    {"spokane", "US-WA"},       {"st louis", "US-MO"},
    {"surrey bc", "CA-BC"},     {"tacoma", "US-WA"},        {"tampa", "US-FL"},
    {"thunder bay", "CA-ON"},   {"toronto", "CA-ON"},       {"tucson", "US-AZ"},
    {"vancouver", "CA-BC"},     {"whitehorse", "CA-YT"},    {"windsor ontario", "CA-ON"},
    {"winnipeg", "CA-MB"},      {"yellowknife", "CA-NT"},
});

constexpr bool Sorted() {
  for (std::size_t i = 1; i < kPlaces.size(); ++i) {
    if (!(kPlaces[i - 1].first < kPlaces[i].first)) return false;
  }
  return true;
}
static_assert(Sorted(), "kPlaces must stay sorted by name");

}  // namespace

std::optional<std::string_view> RegionForPlace(std::string_view folded_name) {
  auto it = std::lower_bound(kPlaces.begin(), kPlaces.end(), folded_name,
                             [](const Place& p, std::string_view n) { return p.first < n; });
  if (it == kPlaces.end() || it->first != folded_name) return std::nullopt;
  return it->second;
}

}  // namespace helpline::engine
