#pragma once
// Regions: ISO 3166-2 codes the directory knows ("US", "US-TX", "CA",
// "CA-BC") plus "*" (everywhere), with their ancestry and names.
//
//   Ancestry("CA-BC") == {"CA-BC", "CA", "*"}
//   FindRegionByName("Colombie-Britannique")->code == "CA-BC"
//
// The table is static data compiled in; all functions are thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helpline::directory {

inline constexpr std::string_view kEverywhere = "*";

struct RegionInfo {
  std::string_view code;     // "CA-QC"
  std::string_view country;  // "CA" ("*" for everywhere)
  std::string_view name_en;  // "Quebec"
  std::string_view name_fr;  // "Québec"
  std::string_view name_es;  // "Quebec"
};

// Every known region: "*", the countries "US" and "CA", the 50 US states,
// DC and the inhabited US territories (PR, VI, GU, AS, MP), and the 13
// Canadian provinces and territories.
const std::vector<RegionInfo>& AllRegions();

// The region with this exact code, or nullptr.
const RegionInfo* FindRegion(std::string_view code);
bool IsKnownRegion(std::string_view code);

// "CA-BC" -> "CA" -> "*" -> nullopt.
std::optional<std::string_view> ParentRegion(std::string_view code);
// The region itself, then each ancestor, ending with "*". Empty for unknown codes.
std::vector<std::string_view> Ancestry(std::string_view code);
// "US-TX" -> "US", "CA" -> "CA", "*" -> "*"; "" for an unknown code.
std::string_view CountryOf(std::string_view code);

// Finds a region by its English, French or Spanish name, ignoring case and
// accents ("quebec", "Colombie-Britannique", "new york"). nullptr if none.
const RegionInfo* FindRegionByName(std::string_view name);

}  // namespace helpline::directory
