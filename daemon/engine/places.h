#pragma once
// Cities people name instead of their state or province ("help in
// vancouver", "rehab near houston", "aide à Trois-Rivières"), mapped to their
// ISO 3166-2 region: the largest cities of every state, DC aside, of Puerto
// Rico and of every province, the capital of each territory, and well-known
// others, in English and in their French or Spanish spellings where they
// differ ("ville de quebec", "nueva orleans").
//
//   RegionForPlace("vancouver")       == "CA-BC"
//   RegionForPlace("st johns")        == "CA-NL"   // St. John's, Newfoundland
//   RegionForPlace("saint john")      == "CA-NB"   // Saint John, New Brunswick
//   RegionForPlace("portland")        == "US-OR"   // the largest Portland (Maine's is a tenth of it)
//   RegionForPlace("springfield")     == nullopt   // MO, MA, IL: no clear largest
//   IsSharedPlaceName("springfield")  == true      // but "Springfield IL" says where
//   RegionForPlace("austin")          == nullopt   // also a first name: "my son austin"
//   RegionForWordLikePlace("austin")  == "US-TX"   // for "rehab in austin", "HELP AUSTIN"
//
// The rules, and the cities each leaves out, are written in places.cc:
// a city whose name is also a common first name or word is not listed; a
// name several states or provinces share goes to the largest namesake when
// it is at least twice the size of every other, and is otherwise a shared
// name, which says nothing alone.
//
// Input is folded text: lower-case ASCII words separated by single spaces,
// apostrophes dropped (see FoldText: "St. John's" is "st johns").
//
// Thread-safety: a static table; thread-safe.

#include <optional>
#include <span>
#include <string_view>

namespace helpline::engine {

// The region of a city named alone, or nullopt (unknown or shared name).
std::optional<std::string_view> RegionForPlace(std::string_view folded_name);

// True for a city name several states or provinces share with no clear
// largest ("springfield", "richmond", "london"): not a region alone, but a
// state or province written right after it ("Springfield IL", "London,
// Ontario") is what the person means.
bool IsSharedPlaceName(std::string_view folded_name);

// The region of a city whose name is also a first name or a word (Phoenix,
// Austin, Orlando, Madison), or nullopt. The caller counts it only where the
// words around it say a place is meant (region_resolver.cc: after "in",
// "near", "en", "près de"..., or beside nothing but keywords).
std::optional<std::string_view> RegionForWordLikePlace(std::string_view folded_name);

struct Place {
  std::string_view name;    // folded: "trois rivieres"
  std::string_view region;  // "CA-QC"; empty for a shared name
};

// Every listed name, sorted by name (for tests and documentation).
std::span<const Place> AllPlaces();

// Every word-like city (RegionForWordLikePlace), for tests.
std::span<const Place> WordLikePlaces();

}  // namespace helpline::engine
