#include "daemon/engine/postal_codes.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "directory/regions.h"

namespace helpline::engine {
namespace {

struct Sample {
  std::string_view code;
  std::string_view region;
};

// One real ZIP (usually a main post office) in every state, DC and territory.
constexpr Sample kZipPerState[] = {
    {"35203", "US-AL"},  // Birmingham
    {"99501", "US-AK"},  // Anchorage
    {"85001", "US-AZ"},  // Phoenix
    {"72201", "US-AR"},  // Little Rock
    {"90210", "US-CA"},  // Beverly Hills
    {"80202", "US-CO"},  // Denver
    {"06103", "US-CT"},  // Hartford
    {"19901", "US-DE"},  // Dover
    {"20001", "US-DC"},  // Washington
    {"33101", "US-FL"},  // Miami
    {"30303", "US-GA"},  // Atlanta
    {"96813", "US-HI"},  // Honolulu
    {"83702", "US-ID"},  // Boise
    {"60601", "US-IL"},  // Chicago
    {"46204", "US-IN"},  // Indianapolis
    {"50309", "US-IA"},  // Des Moines
    {"66603", "US-KS"},  // Topeka
    {"40202", "US-KY"},  // Louisville
    {"70112", "US-LA"},  // New Orleans
    {"04101", "US-ME"},  // Portland
    {"21201", "US-MD"},  // Baltimore
    {"02108", "US-MA"},  // Boston
    {"48226", "US-MI"},  // Detroit
    {"55401", "US-MN"},  // Minneapolis
    {"39201", "US-MS"},  // Jackson
    {"63101", "US-MO"},  // St. Louis
    {"59601", "US-MT"},  // Helena
    {"68102", "US-NE"},  // Omaha
    {"89101", "US-NV"},  // Las Vegas
    {"03301", "US-NH"},  // Concord
    {"07102", "US-NJ"},  // Newark
    {"87501", "US-NM"},  // Santa Fe
    {"10001", "US-NY"},  // New York
    {"27601", "US-NC"},  // Raleigh
    {"58501", "US-ND"},  // Bismarck
    {"43215", "US-OH"},  // Columbus
    {"73102", "US-OK"},  // Oklahoma City
    {"97201", "US-OR"},  // Portland
    {"19103", "US-PA"},  // Philadelphia
    {"02903", "US-RI"},  // Providence
    {"29201", "US-SC"},  // Columbia
    {"57501", "US-SD"},  // Pierre
    {"37203", "US-TN"},  // Nashville
    {"77001", "US-TX"},  // Houston
    {"84101", "US-UT"},  // Salt Lake City
    {"05602", "US-VT"},  // Montpelier
    {"23219", "US-VA"},  // Richmond
    {"98101", "US-WA"},  // Seattle
    {"25301", "US-WV"},  // Charleston
    {"53703", "US-WI"},  // Madison
    {"82001", "US-WY"},  // Cheyenne
    {"00901", "US-PR"},  // San Juan
    {"00802", "US-VI"},  // St. Thomas
    {"96910", "US-GU"},  // Hagåtña
    {"96799", "US-AS"},  // Pago Pago
    {"96950", "US-MP"},  // Saipan
};

// Every US region in directory/regions.h: the states, DC and the territories.
std::set<std::string_view> UsRegions() {
  std::set<std::string_view> out;
  for (const auto& r : directory::AllRegions()) {
    if (r.country == "US" && r.code != "US") out.insert(r.code);
  }
  return out;
}

std::string Zip5(int n) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%05d", n);
  return buf;
}

TEST(StateForZip, MapsAZipInEveryStateDcAndTerritory) {
  std::set<std::string_view> covered;
  for (const Sample& s : kZipPerState) {
    EXPECT_EQ(StateForZip(s.code), s.region) << s.code;
    covered.insert(s.region);
  }
  EXPECT_EQ(covered, UsRegions());
}

TEST(StateForZip, KnowsThePrefixesThatBreakAStatesRun) {
  EXPECT_EQ(StateForZip("00501"), "US-NY");  // Holtsville, NY (IRS), among New England's 0xx
  EXPECT_EQ(StateForZip("00544"), "US-NY");
  EXPECT_EQ(StateForZip("05501"), "US-MA");  // Andover, MA (IRS), among Vermont's 05x
  EXPECT_EQ(StateForZip("05401"), "US-VT");  // Burlington: the neighbours stay Vermont
  EXPECT_EQ(StateForZip("05601"), "US-VT");
  EXPECT_EQ(StateForZip("03901"), "US-ME");  // Berwick, ME, next to New Hampshire's 03x
  EXPECT_EQ(StateForZip("03801"), "US-NH");  // Portsmouth
  EXPECT_EQ(StateForZip("20101"), "US-VA");  // Dulles, VA, among Washington's 20x
  EXPECT_EQ(StateForZip("20201"), "US-DC");
  EXPECT_EQ(StateForZip("20601"), "US-MD");  // Waldorf
  EXPECT_EQ(StateForZip("56901"), "US-DC");  // DC parcel return, among Minnesota and the Dakotas
  EXPECT_EQ(StateForZip("39901"), "US-GA");  // Atlanta (IRS), after Mississippi
  EXPECT_EQ(StateForZip("39817"), "US-GA");  // Bainbridge
  EXPECT_EQ(StateForZip("39701"), "US-MS");  // Columbus, MS
  EXPECT_EQ(StateForZip("73301"), "US-TX");  // Austin (IRS), among Oklahoma's 73x-74x
  EXPECT_EQ(StateForZip("73401"), "US-OK");  // Ardmore
  EXPECT_EQ(StateForZip("88510"), "US-TX");  // El Paso, after New Mexico
  EXPECT_EQ(StateForZip("88401"), "US-NM");  // Tucumcari
  EXPECT_EQ(StateForZip("96150"), "US-CA");  // South Lake Tahoe, served via Reno
  EXPECT_EQ(StateForZip("96701"), "US-HI");  // Aiea
  EXPECT_EQ(StateForZip("96799"), "US-AS");  // American Samoa, inside Hawaii's 967
  EXPECT_EQ(StateForZip("96932"), "US-GU");  // Hagåtña
  EXPECT_EQ(StateForZip("96952"), "US-MP");  // Tinian
  EXPECT_EQ(StateForZip("85142"), "US-AZ");  // Queen Creek: the newer 851 prefix
  EXPECT_EQ(StateForZip("00801"), "US-VI");
  EXPECT_EQ(StateForZip("00603"), "US-PR");  // Aguadilla
}

TEST(StateForZip, FindsEveryStateOnBothSidesOfEachBoundary) {
  // The first and last prefix of each state's run, in prefix order.
  constexpr Sample kEdges[] = {
      {"01001", "US-MA"}, {"02791", "US-MA"}, {"02801", "US-RI"}, {"02940", "US-RI"}, {"03031", "US-NH"},
      {"03897", "US-NH"}, {"04992", "US-ME"}, {"05001", "US-VT"}, {"05907", "US-VT"}, {"06001", "US-CT"},
      {"06928", "US-CT"}, {"07001", "US-NJ"}, {"08989", "US-NJ"}, {"10001", "US-NY"}, {"14925", "US-NY"},
      {"15001", "US-PA"}, {"19640", "US-PA"}, {"19701", "US-DE"}, {"19980", "US-DE"}, {"21930", "US-MD"},
      {"22003", "US-VA"}, {"24658", "US-VA"}, {"24701", "US-WV"}, {"26886", "US-WV"}, {"27006", "US-NC"},
      {"28909", "US-NC"}, {"29001", "US-SC"}, {"29945", "US-SC"}, {"30002", "US-GA"}, {"31999", "US-GA"},
      {"32003", "US-FL"}, {"34997", "US-FL"}, {"35004", "US-AL"}, {"36925", "US-AL"}, {"37010", "US-TN"},
      {"38589", "US-TN"}, {"38601", "US-MS"}, {"39776", "US-MS"}, {"40003", "US-KY"}, {"42788", "US-KY"},
      {"43001", "US-OH"}, {"45999", "US-OH"}, {"46001", "US-IN"}, {"47997", "US-IN"}, {"48001", "US-MI"},
      {"49971", "US-MI"}, {"50001", "US-IA"}, {"52809", "US-IA"}, {"53001", "US-WI"}, {"54990", "US-WI"},
      {"55001", "US-MN"}, {"56763", "US-MN"}, {"57001", "US-SD"}, {"57799", "US-SD"}, {"58001", "US-ND"},
      {"58856", "US-ND"}, {"59001", "US-MT"}, {"59937", "US-MT"}, {"60001", "US-IL"}, {"62999", "US-IL"},
      {"63001", "US-MO"}, {"65899", "US-MO"}, {"66002", "US-KS"}, {"67954", "US-KS"}, {"68001", "US-NE"},
      {"69367", "US-NE"}, {"70001", "US-LA"}, {"71497", "US-LA"}, {"71601", "US-AR"}, {"72959", "US-AR"},
      {"73001", "US-OK"}, {"74966", "US-OK"}, {"75001", "US-TX"}, {"79999", "US-TX"}, {"80001", "US-CO"},
      {"81658", "US-CO"}, {"82001", "US-WY"}, {"83128", "US-WY"}, {"83201", "US-ID"}, {"83877", "US-ID"},
      {"84001", "US-UT"}, {"84791", "US-UT"}, {"85001", "US-AZ"}, {"86556", "US-AZ"}, {"87001", "US-NM"},
      {"89001", "US-NV"}, {"89883", "US-NV"}, {"90001", "US-CA"}, {"96162", "US-CA"}, {"96863", "US-HI"},
      {"97001", "US-OR"}, {"97920", "US-OR"}, {"98001", "US-WA"}, {"99403", "US-WA"}, {"99501", "US-AK"},
      {"99950", "US-AK"},
  };
  for (const Sample& s : kEdges) EXPECT_EQ(StateForZip(s.code), s.region) << s.code;
}

TEST(StateForZip, AcceptsZipPlusFourWithOrWithoutTheHyphen) {
  EXPECT_EQ(StateForZip("90210-1234"), "US-CA");
  EXPECT_EQ(StateForZip("902101234"), "US-CA");
  EXPECT_EQ(StateForZip("05501-0001"), "US-MA");
  EXPECT_EQ(StateForZip("96799-9999"), "US-AS");
}

TEST(StateForZip, RejectsAnythingThatIsNotAZip) {
  for (std::string_view bad :
       {"", "9021", "902100", "90210-", "90210-12", "90210-12345", "90210 1234", "9021O", "abcde", "V6B1A1", " 90210",
        "90210 ", "-90210", "+90210", "90210--1234", "9021-01234", "1234567890", "９０２１０"}) {
    EXPECT_EQ(StateForZip(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(StateForZip, MilitaryMailHasNoState) {
  EXPECT_EQ(StateForZip("09001"), std::nullopt);  // AE (Europe)
  EXPECT_EQ(StateForZip("09801"), std::nullopt);
  EXPECT_EQ(StateForZip("34001"), std::nullopt);  // AA (Americas)
  EXPECT_EQ(StateForZip("96201"), std::nullopt);  // AP (Pacific)
  EXPECT_EQ(StateForZip("96601"), std::nullopt);
}

TEST(StateForZip, UnassignedPrefixesAndFreelyAssociatedStatesHaveNoState) {
  for (std::string_view zip :
       {"00000", "00401", "09901", "21301", "26901", "34301", "41901", "51701", "53301", "57801", "62101", "63201",
        "68201", "70201", "71501", "73201", "74201", "77101", "81701", "88601", "89201", "90901", "92901", "98701"}) {
    EXPECT_EQ(StateForZip(zip), std::nullopt) << zip;
  }
  EXPECT_EQ(StateForZip("96940"), std::nullopt);  // Palau
  EXPECT_EQ(StateForZip("96941"), std::nullopt);  // Micronesia (Pohnpei)
  EXPECT_EQ(StateForZip("96960"), std::nullopt);  // Marshall Islands (Majuro)
  EXPECT_EQ(StateForZip("96970"), std::nullopt);  // Marshall Islands (Ebeye)
}

TEST(StateForZip, EveryAnswerIsAKnownRegionAndEveryUsRegionIsReachable) {
  std::set<std::string_view> seen;
  int prefixes_with_state = 0;
  for (int prefix = 0; prefix < 1000; ++prefix) {
    if (StateForZip(Zip5(prefix * 100 + 1))) ++prefixes_with_state;
  }
  for (int zip = 0; zip < 100000; ++zip) {
    const std::string text = Zip5(zip);
    const auto state = StateForZip(text);
    if (!state) continue;
    EXPECT_TRUE(directory::IsKnownRegion(*state)) << text << " -> " << *state;
    EXPECT_EQ(StateForZip(text + "-0001"), state) << text;
    seen.insert(*state);
  }
  EXPECT_EQ(seen, UsRegions());
  // About 900 of the 1000 prefixes are in use; a big drop means a range went missing.
  EXPECT_GT(prefixes_with_state, 880);
  EXPECT_LT(prefixes_with_state, 930);
}

TEST(LooksLikeZip, AcceptsTheThreeShapesOnly) {
  EXPECT_TRUE(LooksLikeZip("00000"));
  EXPECT_TRUE(LooksLikeZip("12345-6789"));
  EXPECT_TRUE(LooksLikeZip("123456789"));
  EXPECT_FALSE(LooksLikeZip("1234"));
  EXPECT_FALSE(LooksLikeZip("12345-678"));
  EXPECT_FALSE(LooksLikeZip("12345 6789"));
  EXPECT_FALSE(LooksLikeZip("1234-56789"));
}

// One forward sortation area in every province and territory, plus each
// letter that shares a province.
constexpr Sample kPostalCodes[] = {
    {"A1C 5M2", "CA-NL"},  // St. John's
    {"B3H 4R2", "CA-NS"},  // Halifax
    {"C1A 7N8", "CA-PE"},  // Charlottetown
    {"E1C 4M3", "CA-NB"},  // Moncton
    {"G1R 4S9", "CA-QC"},  // Québec
    {"H2X 1Y4", "CA-QC"},  // Montréal
    {"J8X 3X7", "CA-QC"},  // Gatineau
    {"K1A 0A6", "CA-ON"},  // Ottawa
    {"L5B 2C9", "CA-ON"},  // Mississauga
    {"M5V 3L9", "CA-ON"},  // Toronto
    {"N2L 3G1", "CA-ON"},  // Waterloo
    {"P3E 2C6", "CA-ON"},  // Sudbury
    {"R3C 4T3", "CA-MB"},  // Winnipeg
    {"S4P 3V7", "CA-SK"},  // Regina
    {"T2P 2M5", "CA-AB"},  // Calgary
    {"V6B 1A1", "CA-BC"},  // Vancouver
    {"X1A 2L9", "CA-NT"},  // Yellowknife
    {"X0E 0N0", "CA-NT"},  // Hay River
    {"X0G 0A0", "CA-NT"},  // Fort Liard
    {"X0A 0H0", "CA-NU"},  // Iqaluit
    {"X0B 0C0", "CA-NU"},  // Cambridge Bay
    {"X0C 0G0", "CA-NU"},  // Rankin Inlet
    {"Y1A 2C6", "CA-YT"},  // Whitehorse
};

TEST(ProvinceForPostalCode, MapsEveryProvinceAndTerritory) {
  std::set<std::string_view> covered;
  for (const Sample& s : kPostalCodes) {
    EXPECT_EQ(ProvinceForPostalCode(s.code), s.region) << s.code;
    covered.insert(s.region);
  }
  std::set<std::string_view> provinces;
  for (const auto& r : directory::AllRegions()) {
    if (r.country == "CA" && r.code != "CA") provinces.insert(r.code);
  }
  EXPECT_EQ(covered, provinces);
}

TEST(ProvinceForPostalCode, AcceptsTheForwardSortationAreaAlone) {
  for (const Sample& s : kPostalCodes) {
    EXPECT_EQ(ProvinceForPostalCode(s.code.substr(0, 3)), s.region) << s.code;
  }
}

TEST(ProvinceForPostalCode, IgnoresCaseAndTakesASpaceAHyphenOrNothing) {
  for (std::string_view code : {"V6B 1A1", "v6b 1a1", "V6B1A1", "v6b1a1", "V6B-1A1", "v6B-1a1", "v6b"}) {
    EXPECT_EQ(ProvinceForPostalCode(code), "CA-BC") << code;
  }
  EXPECT_EQ(ProvinceForPostalCode("x0a 0h0"), "CA-NU");
  EXPECT_EQ(ProvinceForPostalCode("x0e"), "CA-NT");
}

TEST(ProvinceForPostalCode, RejectsLettersCanadaPostNeverUses) {
  // D F I O Q U appear nowhere; W and Z never lead (but may appear later).
  for (std::string_view bad : {"D1A 1A1", "F1A", "I1A", "O1A", "Q1A", "U1A", "W1A 1A1", "Z1A", "V6D 1A1", "V6F", "V6I",
                               "V6O", "V6Q", "V6U", "V6B 1D1", "V6B 1O1", "V6B 1U1"}) {
    EXPECT_EQ(ProvinceForPostalCode(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(ProvinceForPostalCode("T2W 1Z1"), "CA-AB");
  EXPECT_EQ(ProvinceForPostalCode("V5Z"), "CA-BC");
}

TEST(ProvinceForPostalCode, RejectsMalformedCodes) {
  for (std::string_view bad :
       {"", "V", "V6", "V6B1", "V6B1A", "V6B 1A", "V6B 1A1 ", " V6B 1A1", "V6B  1A1", "V6B_1A1", "V6B.1A1", "6VB 1A1",
        "VV6 1A1", "V6B 1AA", "V6B A11", "V6B1A1X", "90210", "V6B 1A1 2B2", "Ｖ６Ｂ"}) {
    EXPECT_EQ(ProvinceForPostalCode(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(LooksLikePostalCode, AgreesWithProvinceForPostalCode) {
  EXPECT_TRUE(LooksLikePostalCode("V6B 1A1"));
  EXPECT_TRUE(LooksLikePostalCode("k1a"));
  EXPECT_FALSE(LooksLikePostalCode("W1A"));
  EXPECT_FALSE(LooksLikePostalCode("V6B1A"));
  // Every letter-digit-letter triple: valid shape <=> a province.
  for (char a = 'A'; a <= 'Z'; ++a) {
    for (char c = 'A'; c <= 'Z'; ++c) {
      const std::string fsa{a, '1', c};
      EXPECT_EQ(LooksLikePostalCode(fsa), ProvinceForPostalCode(fsa).has_value()) << fsa;
    }
  }
}

}  // namespace
}  // namespace helpline::engine
