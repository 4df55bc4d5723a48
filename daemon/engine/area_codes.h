#pragma once
// NANP area codes -> region, and +1 numbers -> area code.
//
//   NanpAreaCode("+16045550123")     == 604
//   RegionForAreaCode(604)           == "CA-BC"
//   RegionForNumber("+12125550123")  == "US-NY"
//   RegionForAreaCode(867)           == nullopt   // Yukon, Northwest Territories and Nunavut share it
//   CountryForAreaCode(867)          == "CA"
//   RegionsForAreaCode(867)          == {"CA-NT", "CA-NU", "CA-YT"}
//   RegionsForAreaCode(902)          == {"CA-NS", "CA-PE"}        // and its overlay 782
//   RegionsForAreaCode(604)          == {"CA-BC"}
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
// Regions are ISO 3166-2 codes as directory/regions.h knows them. Three
// codes are shared by several provinces or territories: 902 and its overlay
// 782 (Nova Scotia and Prince Edward Island), and 867 (Yukon, the Northwest
// Territories and Nunavut). They have a country but no region, and
// RegionsForAreaCode names each region they may be in, so that the caller can
// ask rather than guess. No US code spans two states (area_codes.cc says how
// this was checked).
//
// Static data compiled in; O(1) lookups, no allocation, no I/O, no
// libphonenumber at run time. All functions are pure and thread-safe.
// Returned views point at static storage and never dangle.

#include <optional>
#include <span>
#include <string_view>

namespace helpline::engine {

// The area code of an E.164 NANP number: "+1" then exactly ten ASCII digits,
// the first of which (the area code's) is 2-9. nullopt for anything else,
// including spaces, punctuation and other country codes.
std::optional<int> NanpAreaCode(std::string_view e164);

// The state, DC, territory or province of a geographic area code ("US-NY",
// "US-PR", "CA-BC"). nullopt for codes shared by several provinces (902, 782,
// 867),
// non-geographic or unassigned codes, Caribbean countries, and any int
// outside 200-999.
std::optional<std::string_view> RegionForAreaCode(int npa);

// "US" or "CA" for every geographic area code of those countries (US
// territories are "US"), including the shared ones. nullopt where
// RegionForAreaCode has no answer for any other reason.
std::optional<std::string_view> CountryForAreaCode(int npa);

// Every region a number with this area code may be in, sorted: one for most
// codes ({RegionForAreaCode(npa)}), two or three for a shared code, none
// where CountryForAreaCode is nullopt. Views into static storage.
std::span<const std::string_view> RegionsForAreaCode(int npa);

// RegionForAreaCode(*NanpAreaCode(e164)), or nullopt if either is nullopt.
std::optional<std::string_view> RegionForNumber(std::string_view e164);

}  // namespace helpline::engine
