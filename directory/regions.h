#pragma once
// Regions: ISO 3166-2 codes the directory knows ("US", "US-TX", "CA",
// "CA-BC") plus "*" (everywhere), with their ancestry and names.
//
//   Ancestry("CA-BC") == {"CA-BC", "CA", "*"}
//   FindRegionByName("Colombie-Britannique")->code == "CA-BC"
//   FindRegionByName("P.E.I.")->code == "CA-PE"          // a short form people write
//   MatchRegionName("mass")->use == NameUse::kCapitalsOnly  // "mass" is also a word
//
// The table is static data compiled in; all functions are thread-safe.

#include <cstdint>
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

// The places a person lives that the directory must cover, in table order:
// the 50 US states, DC, Puerto Rico, then the 13 Canadian provinces and
// territories (65). The smaller US territories (VI, GU, AS, MP) are known
// regions but not held to that.
const std::vector<const RegionInfo*>& Jurisdictions();

// The region with this exact code, or nullptr.
const RegionInfo* FindRegion(std::string_view code);
bool IsKnownRegion(std::string_view code);

// "CA-BC" -> "CA" -> "*" -> nullopt.
std::optional<std::string_view> ParentRegion(std::string_view code);
// The region itself, then each ancestor, ending with "*". Empty for unknown codes.
std::vector<std::string_view> Ancestry(std::string_view code);
// "US-TX" -> "US", "CA" -> "CA", "*" -> "*"; "" for an unknown code.
std::string_view CountryOf(std::string_view code);

// Whether a name may be read as a region in what a person writes. Every name
// is found by FindRegionByName (a provider's hint, an operator's query);
// free text is the message engine's business, and this tells it how careful
// to be.
enum class NameUse : std::uint8_t {
  kAnywhere,      // "texas", "pei", "nfld", "calif": never an ordinary word
  kCapitalsOnly,  // "mass", "wash", "ore", "tex" ("tex me"): a word unless written "MASS"
  kNotInText,     // "man", "ill", "miss", "que", "alta", "ont", "everywhere": too
                  // common in English, Spanish or French texts to move anyone
};

struct RegionNameMatch {
  const RegionInfo* region = nullptr;  // never null in a returned match
  NameUse use = NameUse::kAnywhere;
};

// Finds a region by its English, French or Spanish name or a common short
// form ("quebec", "Colombie-Britannique", "Nuevo Mexico", "Terre Neuve",
// "Nfld", "W.Va.", "Calif."), ignoring case, accents, apostrophes, and
// treating runs of spaces, '-', '.', ',', '_', '&' and '/' as one space;
// one-letter words are joined ("P.E.I." is "pei", "N.W.T." is "nwt").
// Two-letter codes are not names ("TX" finds nothing: codes are read by the
// caller, which knows the country). nullopt / nullptr if none.
std::optional<RegionNameMatch> MatchRegionName(std::string_view name);
const RegionInfo* FindRegionByName(std::string_view name);

}  // namespace helpline::directory
