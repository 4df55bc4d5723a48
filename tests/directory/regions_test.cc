#include "directory/regions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace helpline::directory {
namespace {

using Codes = std::vector<std::string_view>;

constexpr std::string_view kUsStates[] = {
    "US-AL", "US-AK", "US-AZ", "US-AR", "US-CA", "US-CO", "US-CT", "US-DE", "US-FL", "US-GA", "US-HI", "US-ID", "US-IL",
    "US-IN", "US-IA", "US-KS", "US-KY", "US-LA", "US-ME", "US-MD", "US-MA", "US-MI", "US-MN", "US-MS", "US-MO", "US-MT",
    "US-NE", "US-NV", "US-NH", "US-NJ", "US-NM", "US-NY", "US-NC", "US-ND", "US-OH", "US-OK", "US-OR", "US-PA", "US-RI",
    "US-SC", "US-SD", "US-TN", "US-TX", "US-UT", "US-VT", "US-VA", "US-WA", "US-WV", "US-WI", "US-WY",
};
constexpr std::string_view kUsOthers[] = {"US-DC", "US-PR", "US-VI", "US-GU", "US-AS", "US-MP"};
constexpr std::string_view kCanada[] = {"CA-AB", "CA-BC", "CA-MB", "CA-NB", "CA-NL", "CA-NS", "CA-NT",
                                        "CA-NU", "CA-ON", "CA-PE", "CA-QC", "CA-SK", "CA-YT"};

int CountWithCountry(std::string_view country) {
  const auto& all = AllRegions();
  return static_cast<int>(std::count_if(
      all.begin(), all.end(), [&](const RegionInfo& r) { return r.country == country && r.code != country; }));
}

TEST(Regions, TableHoldsEverywhereTheTwoCountriesAndTheirSubdivisions) {
  EXPECT_EQ(std::size(kUsStates), 50u);
  EXPECT_EQ(AllRegions().size(), 3u + 50u + 6u + 13u);
  EXPECT_EQ(CountWithCountry("US"), 56);  // 50 states, DC and 5 territories
  EXPECT_EQ(CountWithCountry("CA"), 13);
  for (std::string_view code : {"*", "US", "CA"}) EXPECT_TRUE(IsKnownRegion(code)) << code;
}

TEST(Regions, EveryUsStateDcAndTerritoryIsKnownUnderUs) {
  for (std::string_view code : kUsStates) {
    ASSERT_NE(FindRegion(code), nullptr) << code;
    EXPECT_EQ(FindRegion(code)->country, "US") << code;
  }
  for (std::string_view code : kUsOthers) {
    ASSERT_NE(FindRegion(code), nullptr) << code;
    EXPECT_EQ(FindRegion(code)->country, "US") << code;
  }
}

TEST(Regions, EveryCanadianProvinceAndTerritoryIsKnownUnderCanada) {
  for (std::string_view code : kCanada) {
    ASSERT_NE(FindRegion(code), nullptr) << code;
    EXPECT_EQ(FindRegion(code)->country, "CA") << code;
  }
}

TEST(Regions, CodesAreUniqueAndEveryRegionHasThreeNames) {
  std::set<std::string_view> seen;
  for (const RegionInfo& r : AllRegions()) {
    EXPECT_TRUE(seen.insert(r.code).second) << "duplicate " << r.code;
    EXPECT_FALSE(r.name_en.empty()) << r.code;
    EXPECT_FALSE(r.name_fr.empty()) << r.code;
    EXPECT_FALSE(r.name_es.empty()) << r.code;
    EXPECT_EQ(FindRegion(r.code), &r) << r.code;
  }
}

TEST(Regions, JurisdictionsAreTheStatesDcPuertoRicoAndTheProvincesAndTerritories) {
  std::vector<std::string_view> expected(std::begin(kUsStates), std::end(kUsStates));
  expected.insert(expected.end(), {"US-DC", "US-PR"});
  expected.insert(expected.end(), std::begin(kCanada), std::end(kCanada));
  std::vector<std::string_view> got;
  for (const RegionInfo* r : Jurisdictions()) got.push_back(r->code);
  EXPECT_EQ(got.size(), 65u);
  std::sort(expected.begin(), expected.end());
  std::vector<std::string_view> sorted = got;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, expected);
  // Table order: the United States first.
  EXPECT_EQ(got.front(), "US-AL");
  EXPECT_EQ(got.back(), "CA-YT");
}

TEST(Regions, FindRegionNeedsTheExactCode) {
  EXPECT_EQ(FindRegion("ca-bc"), nullptr);
  EXPECT_EQ(FindRegion("CA-BC "), nullptr);
  EXPECT_EQ(FindRegion(""), nullptr);
  EXPECT_EQ(FindRegion("MX"), nullptr);
  EXPECT_FALSE(IsKnownRegion("US-XX"));
  EXPECT_EQ(FindRegion("CA-QC")->name_fr, "Québec");
}

TEST(Regions, AncestryOfAProvinceEndsWithCountryThenEverywhere) {
  EXPECT_EQ(Ancestry("CA-BC"), (Codes{"CA-BC", "CA", "*"}));
  EXPECT_EQ(Ancestry("US-TX"), (Codes{"US-TX", "US", "*"}));
  EXPECT_EQ(Ancestry("US-PR"), (Codes{"US-PR", "US", "*"}));
}

TEST(Regions, AncestryOfACountryIsItThenEverywhere) {
  EXPECT_EQ(Ancestry("US"), (Codes{"US", "*"}));
  EXPECT_EQ(Ancestry("CA"), (Codes{"CA", "*"}));
}

TEST(Regions, AncestryOfEverywhereIsJustEverywhere) { EXPECT_EQ(Ancestry("*"), (Codes{"*"})); }

TEST(Regions, AncestryOfAnUnknownCodeIsEmpty) {
  EXPECT_TRUE(Ancestry("CA-XX").empty());
  EXPECT_TRUE(Ancestry("FR").empty());
  EXPECT_TRUE(Ancestry("").empty());
}

TEST(Regions, ParentRegionClimbsOneLevel) {
  EXPECT_EQ(ParentRegion("CA-BC"), "CA");
  EXPECT_EQ(ParentRegion("US-DC"), "US");
  EXPECT_EQ(ParentRegion("CA"), "*");
  EXPECT_EQ(ParentRegion("US"), "*");
  EXPECT_EQ(ParentRegion("*"), std::nullopt);
  EXPECT_EQ(ParentRegion("ZZ-ZZ"), std::nullopt);
}

TEST(Regions, CountryOfASubdivisionIsItsCountry) {
  EXPECT_EQ(CountryOf("US-TX"), "US");
  EXPECT_EQ(CountryOf("CA-NU"), "CA");
  EXPECT_EQ(CountryOf("CA"), "CA");
  EXPECT_EQ(CountryOf("US"), "US");
  EXPECT_EQ(CountryOf("*"), "*");
  EXPECT_EQ(CountryOf("XX-YY"), "");
}

std::string_view CodeByName(std::string_view name) {
  const RegionInfo* r = FindRegionByName(name);
  return r == nullptr ? "(none)" : r->code;
}

TEST(Regions, FindsRegionsByEnglishName) {
  EXPECT_EQ(CodeByName("British Columbia"), "CA-BC");
  EXPECT_EQ(CodeByName("Newfoundland and Labrador"), "CA-NL");
  EXPECT_EQ(CodeByName("West Virginia"), "US-WV");
  EXPECT_EQ(CodeByName("District of Columbia"), "US-DC");
  EXPECT_EQ(CodeByName("United States"), "US");
  EXPECT_EQ(CodeByName("Canada"), "CA");
}

TEST(Regions, FindsRegionsByFrenchName) {
  EXPECT_EQ(CodeByName("Colombie-Britannique"), "CA-BC");
  EXPECT_EQ(CodeByName("Québec"), "CA-QC");
  EXPECT_EQ(CodeByName("Terre-Neuve-et-Labrador"), "CA-NL");
  EXPECT_EQ(CodeByName("Nouvelle-Écosse"), "CA-NS");
  EXPECT_EQ(CodeByName("Nouveau-Brunswick"), "CA-NB");
  EXPECT_EQ(CodeByName("Île-du-Prince-Édouard"), "CA-PE");
  EXPECT_EQ(CodeByName("Territoires du Nord-Ouest"), "CA-NT");
  EXPECT_EQ(CodeByName("Californie"), "US-CA");
  EXPECT_EQ(CodeByName("Caroline du Sud"), "US-SC");
  EXPECT_EQ(CodeByName("Virginie-Occidentale"), "US-WV");
  EXPECT_EQ(CodeByName("Hawaï"), "US-HI");
  EXPECT_EQ(CodeByName("États-Unis"), "US");
}

TEST(Regions, FindsRegionsBySpanishName) {
  EXPECT_EQ(CodeByName("Columbia Británica"), "CA-BC");
  EXPECT_EQ(CodeByName("Nueva York"), "US-NY");
  EXPECT_EQ(CodeByName("Nuevo México"), "US-NM");
  EXPECT_EQ(CodeByName("Carolina del Norte"), "US-NC");
  EXPECT_EQ(CodeByName("Luisiana"), "US-LA");
  EXPECT_EQ(CodeByName("Misisipi"), "US-MS");
  EXPECT_EQ(CodeByName("Pensilvania"), "US-PA");
  EXPECT_EQ(CodeByName("Estados Unidos"), "US");
  EXPECT_EQ(CodeByName("Canadá"), "CA");
}

TEST(Regions, NameLookupIgnoresCaseAndAccents) {
  EXPECT_EQ(CodeByName("colombie britannique"), "CA-BC");
  EXPECT_EQ(CodeByName("QUÉBEC"), "CA-QC");
  EXPECT_EQ(CodeByName("quebec"), "CA-QC");
  EXPECT_EQ(CodeByName("ILE DU PRINCE EDOUARD"), "CA-PE");
  EXPECT_EQ(CodeByName("ÎLE-DU-PRINCE-ÉDOUARD"), "CA-PE");
  EXPECT_EQ(CodeByName("nuevo mexico"), "US-NM");
  EXPECT_EQ(CodeByName("etats unis"), "US");
}

TEST(Regions, NameLookupTreatsDashesDotsAndRunsOfSpacesAsOneSpace) {
  EXPECT_EQ(CodeByName("new  york"), "US-NY");
  EXPECT_EQ(CodeByName("Nueva-York"), "US-NY");
  EXPECT_EQ(CodeByName("  New York  "), "US-NY");
  EXPECT_EQ(CodeByName("Terre Neuve et Labrador"), "CA-NL");
  EXPECT_EQ(CodeByName("U.S. Virgin Islands"), "US-VI");
  EXPECT_EQ(CodeByName("us virgin islands"), "US-VI");
}

TEST(Regions, NameLookupAcceptsUsaForTheUnitedStates) {
  EXPECT_EQ(CodeByName("USA"), "US");
  EXPECT_EQ(CodeByName("U.S.A."), "US");
  EXPECT_EQ(CodeByName("usa"), "US");
}

TEST(Regions, EveryNameInEveryLanguageFindsItsOwnRegion) {
  for (const RegionInfo& r : AllRegions()) {
    for (std::string_view name : {r.name_en, r.name_fr, r.name_es}) {
      EXPECT_EQ(FindRegionByName(name), &r) << name;
    }
  }
}

TEST(Regions, ShortFormsAndOtherSpellingsAreFound) {
  struct Row {
    std::string_view name;
    std::string_view code;
  };
  const Row rows[] = {
      {"PEI", "CA-PE"},
      {"P.E.I.", "CA-PE"},
      {"Î.-P.-É.", "CA-PE"},
      {"Nfld.", "CA-NL"},
      {"Newfoundland", "CA-NL"},
      {"Labrador", "CA-NL"},
      {"Terre-Neuve", "CA-NL"},
      {"Terranova", "CA-NL"},
      {"NWT", "CA-NT"},
      {"N.W.T.", "CA-NT"},
      {"Sask.", "CA-SK"},
      {"Man.", "CA-MB"},
      {"Alta.", "CA-AB"},
      {"Ont.", "CA-ON"},
      {"Qué.", "CA-QC"},
      {"Yuk.", "CA-YT"},
      {"Wash.", "US-WA"},
      {"Calif.", "US-CA"},
      {"Cali", "US-CA"},
      {"Penn", "US-PA"},
      {"Penna.", "US-PA"},
      {"Mass.", "US-MA"},
      {"Tenn.", "US-TN"},
      {"Mich.", "US-MI"},
      {"Minn.", "US-MN"},
      {"Wisc.", "US-WI"},
      {"Conn.", "US-CT"},
      {"Ariz.", "US-AZ"},
      {"Colo.", "US-CO"},
      {"Fla.", "US-FL"},
      {"Ill.", "US-IL"},
      {"Ind.", "US-IN"},
      {"Miss.", "US-MS"},
      {"Mont.", "US-MT"},
      {"Neb.", "US-NE"},
      {"Nev.", "US-NV"},
      {"Okla.", "US-OK"},
      {"Ore.", "US-OR"},
      {"Tex.", "US-TX"},
      {"W.Va.", "US-WV"},
      {"Wyo.", "US-WY"},
      {"Hawai'i", "US-HI"},
      {"Hawai’i", "US-HI"},
      {"Nuevo Mexico", "US-NM"},
      {"Washington, D.C.", "US-DC"},
      {"Washington State", "US-WA"},
      {"EE.UU.", "US"},
      {"Newfoundland & Labrador", "CA-NL"},
      {"Massachusets", "US-MA"},
      {"Tennesee", "US-TN"},
  };
  for (const Row& r : rows) EXPECT_EQ(CodeByName(r.name), r.code) << r.name;
}

TEST(Regions, ShortFormsThatAreEverydayWordsSayHowCarefullyToReadThem) {
  struct Row {
    std::string_view name;
    NameUse use;
  };
  const Row rows[] = {
      {"Texas", NameUse::kAnywhere},       {"PEI", NameUse::kAnywhere},      {"nfld", NameUse::kAnywhere},
      {"cali", NameUse::kAnywhere},        {"mass", NameUse::kCapitalsOnly}, {"wash", NameUse::kCapitalsOnly},
      {"ore", NameUse::kCapitalsOnly},     {"tex", NameUse::kCapitalsOnly},  {"penn", NameUse::kCapitalsOnly},
      {"mont", NameUse::kCapitalsOnly},    {"man", NameUse::kNotInText},     {"miss", NameUse::kNotInText},
      {"ill", NameUse::kNotInText},        {"del", NameUse::kNotInText},     {"que", NameUse::kNotInText},
      {"qué", NameUse::kNotInText},        {"alta", NameUse::kNotInText},    {"ont", NameUse::kNotInText},
      {"Everywhere", NameUse::kNotInText}, {"partout", NameUse::kNotInText},
  };
  for (const Row& r : rows) {
    const auto match = MatchRegionName(r.name);
    ASSERT_TRUE(match.has_value()) << r.name;
    EXPECT_EQ(match->use, r.use) << r.name;
  }
}

TEST(Regions, TwoLetterCodesAreNotNames) {
  for (std::string_view code : {"TX", "BC", "N.Y.", "D.C.", "ca", "la", "me"}) {
    EXPECT_EQ(FindRegionByName(code), nullptr) << code;
  }
}

TEST(Regions, UnknownOrEmptyNamesFindNothing) {
  EXPECT_EQ(FindRegionByName(""), nullptr);
  EXPECT_EQ(FindRegionByName("   "), nullptr);
  EXPECT_EQ(FindRegionByName("New England"), nullptr);
  EXPECT_EQ(FindRegionByName("Nouvelle-Angleterre"), nullptr);
  EXPECT_EQ(FindRegionByName("Quebe"), nullptr);
  EXPECT_EQ(FindRegionByName("CA-BC"), nullptr);
  EXPECT_EQ(FindRegionByName(std::string(10000, 'a')), nullptr);
  EXPECT_EQ(FindRegionByName(std::string_view("\xC3", 1)), nullptr);  // truncated UTF-8
}

}  // namespace
}  // namespace helpline::directory
