#include "daemon/engine/places.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

#include "common/text_normalize.h"
#include "directory/regions.h"

namespace helpline::engine {
namespace {

std::map<std::string_view, int> CitiesPerRegion() {
  std::map<std::string_view, int> count;
  for (const Place& p : AllPlaces()) {
    if (!p.region.empty()) ++count[p.region];
  }
  return count;
}

TEST(Places, EveryStateAndPuertoRicoHasAtLeastThreeCities) {
  const auto count = CitiesPerRegion();
  for (const auto& r : directory::AllRegions()) {
    if (r.country != "US" || r.code.size() != 5) continue;
    if (r.code == "US-DC" || r.code == "US-VI" || r.code == "US-GU" || r.code == "US-AS" || r.code == "US-MP") {
      continue;  // DC is one city; the small territories are listed by their capitals
    }
    const auto it = count.find(r.code);
    EXPECT_GE(it == count.end() ? 0 : it->second, 3) << r.code;
  }
}

TEST(Places, EveryProvinceHasAtLeastThreeCitiesButPeiWhichHasTwo) {
  const auto count = CitiesPerRegion();
  for (std::string_view province : {"CA-AB", "CA-BC", "CA-MB", "CA-NB", "CA-NL", "CA-NS", "CA-ON", "CA-QC", "CA-SK"}) {
    const auto it = count.find(province);
    EXPECT_GE(it == count.end() ? 0 : it->second, 3) << province;
  }
  // Prince Edward Island's third city, Stratford, shares its name with Ontario's.
  EXPECT_EQ(count.at("CA-PE"), 2);
}

TEST(Places, EveryTerritoryHasItsCapital) {
  EXPECT_EQ(RegionForPlace("whitehorse"), "CA-YT");
  EXPECT_EQ(RegionForPlace("yellowknife"), "CA-NT");
  EXPECT_EQ(RegionForPlace("iqaluit"), "CA-NU");
}

TEST(Places, EveryRegionIsKnownAndEveryNameIsFolded) {
  for (const Place& p : AllPlaces()) {
    if (!p.region.empty()) {
      EXPECT_TRUE(directory::IsKnownRegion(p.region)) << p.name;
    }
    EXPECT_EQ(FoldText(p.name), p.name);
  }
}

TEST(Places, NoCityIsNamedLikeAStateOrProvince) {
  // A region name is read first, so such a city would never be reached.
  for (const Place& p : AllPlaces()) EXPECT_EQ(directory::MatchRegionName(p.name), std::nullopt) << p.name;
}

TEST(Places, CitiesThatAreFirstNamesOrWordsAreNotListed) {
  for (std::string_view name :
       {"austin",  "charlotte", "regina",   "phoenix",      "orlando", "madison", "victoria", "jackson",
        "lincoln", "augusta",   "savannah", "eugene",       "norman",  "helena",  "cheyenne", "brandon",
        "sydney",  "mobile",    "reading",  "independence", "bend",    "delta",   "paradise", "aurora",
        "gary",    "troy",      "warren",   "tyler",        "logan"}) {
    EXPECT_EQ(RegionForPlace(name), std::nullopt) << name;
  }
}

TEST(Places, ANameSeveralRegionsShareIsSharedAndHasNoRegion) {
  for (std::string_view name : {"springfield", "richmond", "london", "kingston", "hamilton", "windsor", "wilmington",
                                "dover", "rochester", "saint jean"}) {
    EXPECT_EQ(RegionForPlace(name), std::nullopt) << name;
    EXPECT_TRUE(IsSharedPlaceName(name)) << name;
  }
  EXPECT_FALSE(IsSharedPlaceName("portland"));
  EXPECT_FALSE(IsSharedPlaceName("nowhere at all"));
}

TEST(Places, TheLargestNamesakeTakesANameWhenItIsTwiceAnyOther) {
  EXPECT_EQ(RegionForPlace("portland"), "US-OR");
  EXPECT_EQ(RegionForPlace("columbus"), "US-OH");
  EXPECT_EQ(RegionForPlace("kansas city"), "US-MO");
  EXPECT_EQ(RegionForPlace("vancouver"), "CA-BC");
  EXPECT_EQ(RegionForPlace("burlington"), "CA-ON");
  EXPECT_EQ(RegionForPlace("newark"), "US-NJ");
}

TEST(Places, StJohnsIsNewfoundlandAndSaintJohnIsNewBrunswick) {
  EXPECT_EQ(RegionForPlace("st johns"), "CA-NL");
  EXPECT_EQ(RegionForPlace("saint johns"), "CA-NL");
  EXPECT_EQ(RegionForPlace("saint john"), "CA-NB");
  EXPECT_EQ(RegionForPlace("st john"), "CA-NB");
}

TEST(Places, SmallerTownsAndQuebecRegionsPeopleTextFromAreInTheirProvince) {
  EXPECT_EQ(RegionForPlace("caraquet"), "CA-NB");
  EXPECT_EQ(RegionForPlace("bonnyville"),
            "CA-AB");  // round 16 (fr): run together as "bon ny ville" (New York) without it
  EXPECT_EQ(RegionForPlace("hawkesbury"), "CA-ON");
  EXPECT_EQ(RegionForPlace("port hawkesbury"), "CA-NS");
  EXPECT_EQ(RegionForPlace("gaspesie"), "CA-QC");
  EXPECT_EQ(RegionForPlace("beauce"), "CA-QC");
  for (std::string_view written : {"Saint-Georges de Beauce", "St-Georges-de-Beauce"}) {
    EXPECT_EQ(RegionForPlace(FoldText(written)), "CA-QC") << written;
  }
  for (std::string_view written : {"Val-d'Or", "Val-d Or", "Val d'Or", "val dor"}) {
    EXPECT_EQ(RegionForPlace(FoldText(written)), "CA-QC") << written;
  }
  EXPECT_EQ(RegionForPlace("fort st john"), "CA-BC");
  EXPECT_EQ(RegionForPlace("la ronge"), "CA-SK");
  // A town name another province or a state shares with a town as large says nothing.
  for (std::string_view name : {"sackville", "yarmouth", "amherst", "stratford", "cornwall", "lloydminster"}) {
    EXPECT_EQ(RegionForPlace(name), std::nullopt) << name;
  }
}

TEST(Places, LookupNeedsTheWholeFoldedName) {
  EXPECT_EQ(RegionForPlace("Vancouver"), std::nullopt);
  EXPECT_EQ(RegionForPlace("vancouve"), std::nullopt);
  EXPECT_EQ(RegionForPlace(""), std::nullopt);
  EXPECT_EQ(RegionForPlace("new york"), std::nullopt);  // the state, not a city
  EXPECT_EQ(RegionForPlace("new york city"), "US-NY");
}

}  // namespace
}  // namespace helpline::engine
