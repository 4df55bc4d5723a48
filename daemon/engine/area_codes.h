#pragma once
// NANP area codes -> region, and +1 numbers -> area code.
//
//   NanpAreaCode("+16045550123")     == 604
//   RegionForAreaCode(604)           == "CA-BC"
//   RegionForNumber("+12125550123")  == "US-NY"
//   RegionForAreaCode(867)           == nullopt   // Yukon, Northwest Territories and Nunavut share it
//   CountryForAreaCode(867)          == "CA"
//   RegionForAreaCode(800)           == nullopt   // toll-free: nowhere in particular
//   CountryForAreaCode(876)          == nullopt   // Jamaica: +1, but neither the US nor Canada
//
// Covers every geographic area code of the United States (the 50 states, DC,
// Puerto Rico, the US Virgin Islands, Guam, American Samoa and the Northern
// Mariana Islands) and of Canada, including overlays in service by 2026.
// Non-geographic codes (toll-free 8xx, 5xx, 600, 622, 700, 710, 900, N11...)
// and the Caribbean NANP countries have no region and no country.
//
// An area code says where a number was issued, not where its owner is now:
// numbers move with people. Callers should prefer anything the person said.
//
// Regions are ISO 3166-2 codes as directory/regions.h knows them. Two
// judgment calls, documented in area_codes.cc: 902 and 782 (shared by Nova
// Scotia and Prince Edward Island) map to "CA-NS", where most of their
// numbers are; 867 (three territories) has a country but no region.
//
// Static data compiled in; O(1) lookups, no allocation, no I/O, no
// libphonenumber at run time. All functions are pure and thread-safe.
// Returned views point at static storage and never dangle.

#include <optional>
#include <string_view>

namespace helpline::engine {

// The area code of an E.164 NANP number: "+1" then exactly ten ASCII digits,
// the first of which (the area code's) is 2-9. nullopt for anything else,
// including spaces, punctuation and other country codes.
std::optional<int> NanpAreaCode(std::string_view e164);

// The state, DC, territory or province of a geographic area code ("US-NY",
// "US-PR", "CA-BC"). nullopt for codes shared by several provinces (867),
// non-geographic or unassigned codes, Caribbean countries, and any int
// outside 200-999.
std::optional<std::string_view> RegionForAreaCode(int npa);

// "US" or "CA" for every geographic area code of those countries (US
// territories are "US"), including 867. nullopt where RegionForAreaCode has
// no answer for any other reason.
std::optional<std::string_view> CountryForAreaCode(int npa);

// RegionForAreaCode(*NanpAreaCode(e164)), or nullopt if either is nullopt.
std::optional<std::string_view> RegionForNumber(std::string_view e164);

}  // namespace helpline::engine
