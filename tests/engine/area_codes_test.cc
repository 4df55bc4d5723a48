#include "daemon/engine/area_codes.h"

#include <gtest/gtest.h>
#include <phonenumbers/geocoding/phonenumber_offline_geocoder.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/locid.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "directory/regions.h"

namespace helpline::engine {
namespace {

struct Row {
  int npa;
  std::string_view region;
};

// Every Canadian geographic area code in service or assigned by 2026, written
// out independently of the table (CNAC / CRTC lists), but for the three that
// provinces or territories share (kShared).
constexpr Row kCanada[] = {
    {403, "CA-AB"}, {587, "CA-AB"}, {780, "CA-AB"}, {825, "CA-AB"}, {368, "CA-AB"}, {236, "CA-BC"}, {250, "CA-BC"},
    {257, "CA-BC"}, {604, "CA-BC"}, {672, "CA-BC"}, {778, "CA-BC"}, {204, "CA-MB"}, {431, "CA-MB"}, {584, "CA-MB"},
    {428, "CA-NB"}, {506, "CA-NB"}, {709, "CA-NL"}, {879, "CA-NL"}, {226, "CA-ON"}, {249, "CA-ON"}, {289, "CA-ON"},
    {343, "CA-ON"}, {365, "CA-ON"}, {382, "CA-ON"}, {416, "CA-ON"}, {437, "CA-ON"}, {519, "CA-ON"}, {548, "CA-ON"},
    {613, "CA-ON"}, {647, "CA-ON"}, {683, "CA-ON"}, {705, "CA-ON"}, {742, "CA-ON"}, {753, "CA-ON"}, {807, "CA-ON"},
    {905, "CA-ON"}, {942, "CA-ON"}, {263, "CA-QC"}, {354, "CA-QC"}, {367, "CA-QC"}, {418, "CA-QC"}, {438, "CA-QC"},
    {450, "CA-QC"}, {468, "CA-QC"}, {514, "CA-QC"}, {579, "CA-QC"}, {581, "CA-QC"}, {819, "CA-QC"}, {873, "CA-QC"},
    {306, "CA-SK"}, {474, "CA-SK"}, {639, "CA-SK"},
};

struct SharedRow {
  int npa;
  std::vector<std::string_view> regions;
};

// The codes several provinces or territories share (CNAC): none says which.
const SharedRow kShared[] = {
    {782, {"CA-NS", "CA-PE"}},           // overlays 902
    {867, {"CA-NT", "CA-NU", "CA-YT"}},  // the three territories
    {902, {"CA-NS", "CA-PE"}},           // Nova Scotia and Prince Edward Island
};

// A sample of US area codes: at least one in every state, DC and territory.
constexpr Row kUnitedStates[] = {
    {205, "US-AL"}, {256, "US-AL"}, {907, "US-AK"}, {602, "US-AZ"}, {928, "US-AZ"}, {501, "US-AR"}, {479, "US-AR"},
    {213, "US-CA"}, {415, "US-CA"}, {619, "US-CA"}, {916, "US-CA"}, {738, "US-CA"}, {303, "US-CO"}, {970, "US-CO"},
    {203, "US-CT"}, {860, "US-CT"}, {302, "US-DE"}, {202, "US-DC"}, {771, "US-DC"}, {305, "US-FL"}, {407, "US-FL"},
    {904, "US-FL"}, {324, "US-FL"}, {404, "US-GA"}, {912, "US-GA"}, {808, "US-HI"}, {208, "US-ID"}, {986, "US-ID"},
    {312, "US-IL"}, {618, "US-IL"}, {730, "US-IL"}, {317, "US-IN"}, {219, "US-IN"}, {515, "US-IA"}, {319, "US-IA"},
    {316, "US-KS"}, {785, "US-KS"}, {502, "US-KY"}, {606, "US-KY"}, {504, "US-LA"}, {318, "US-LA"}, {207, "US-ME"},
    {410, "US-MD"}, {301, "US-MD"}, {617, "US-MA"}, {413, "US-MA"}, {313, "US-MI"}, {906, "US-MI"}, {612, "US-MN"},
    {218, "US-MN"}, {601, "US-MS"}, {662, "US-MS"}, {314, "US-MO"}, {816, "US-MO"}, {406, "US-MT"}, {402, "US-NE"},
    {308, "US-NE"}, {702, "US-NV"}, {775, "US-NV"}, {603, "US-NH"}, {201, "US-NJ"}, {609, "US-NJ"}, {505, "US-NM"},
    {575, "US-NM"}, {212, "US-NY"}, {716, "US-NY"}, {518, "US-NY"}, {704, "US-NC"}, {919, "US-NC"}, {701, "US-ND"},
    {216, "US-OH"}, {614, "US-OH"}, {405, "US-OK"}, {918, "US-OK"}, {503, "US-OR"}, {541, "US-OR"}, {215, "US-PA"},
    {412, "US-PA"}, {401, "US-RI"}, {803, "US-SC"}, {864, "US-SC"}, {605, "US-SD"}, {615, "US-TN"}, {901, "US-TN"},
    {214, "US-TX"}, {512, "US-TX"}, {713, "US-TX"}, {915, "US-TX"}, {801, "US-UT"}, {435, "US-UT"}, {802, "US-VT"},
    {703, "US-VA"}, {804, "US-VA"}, {206, "US-WA"}, {509, "US-WA"}, {304, "US-WV"}, {681, "US-WV"}, {414, "US-WI"},
    {608, "US-WI"}, {307, "US-WY"}, {787, "US-PR"}, {939, "US-PR"}, {340, "US-VI"}, {671, "US-GU"}, {684, "US-AS"},
    {670, "US-MP"},
};

// Area codes newer than Debian 12's libphonenumber data (8.12.57, 2022),
// which its geocoder cannot describe. Listed by hand in area_codes.cc.
constexpr int kNewerThanLibphonenumber[] = {
    257, 354, 382, 428, 683, 879, 942,                                               // Canada
    227, 235, 274, 327, 329, 350, 363, 369, 472, 557, 645, 728, 730, 821, 835, 983,  // US, 2024-25 metadata
    324, 353, 436, 471, 624, 679, 686, 729, 738, 861,                                // US, announced since
};

std::set<std::string_view> SubdivisionsOf(std::string_view country) {
  std::set<std::string_view> out;
  for (const auto& r : directory::AllRegions()) {
    if (r.country == country && r.code != country) out.insert(r.code);
  }
  return out;
}

TEST(NanpAreaCode, ReadsTheAreaCodeOfAPlusOneNumber) {
  EXPECT_EQ(NanpAreaCode("+16045550123"), 604);
  EXPECT_EQ(NanpAreaCode("+12125550123"), 212);
  EXPECT_EQ(NanpAreaCode("+18006624357"), 800);
  EXPECT_EQ(NanpAreaCode("+19999999999"), 999);
  EXPECT_EQ(NanpAreaCode("+12000000000"), 200);
}

TEST(NanpAreaCode, RejectsAnythingButPlusOneAndTenDigits) {
  for (std::string_view bad :
       {"", "+", "+1", "16045550123", "6045550123", "+1604555012", "+160455501234", "+446045550123", "+1 604 555 0123",
        "+1-604-555-0123", "+1604555012a", "+1(604)5550123", "++16045550123", "+16045550123 ", "+1604555O123",
        "+10045550123", "+11045550123", "+1６045550123"}) {
    EXPECT_EQ(NanpAreaCode(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(RegionForAreaCode, MapsEveryCanadianAreaCodeToItsProvince) {
  for (const Row& r : kCanada) {
    EXPECT_EQ(RegionForAreaCode(r.npa), r.region) << r.npa;
    EXPECT_EQ(CountryForAreaCode(r.npa), "CA") << r.npa;
  }
}

TEST(RegionForAreaCode, KnowsNoCanadianAreaCodeBeyondTheList) {
  std::set<int> expected;
  for (const SharedRow& r : kShared) expected.insert(r.npa);
  for (const Row& r : kCanada) expected.insert(r.npa);
  std::set<int> canadian;
  for (int npa = 0; npa < 1000; ++npa) {
    if (CountryForAreaCode(npa) == "CA") canadian.insert(npa);
  }
  EXPECT_EQ(canadian, expected);
  EXPECT_EQ(canadian.size(), 55u);
}

TEST(RegionForAreaCode, MapsUsAreaCodesInEveryStateDcAndTerritory) {
  std::set<std::string_view> covered;
  for (const Row& r : kUnitedStates) {
    EXPECT_EQ(RegionForAreaCode(r.npa), r.region) << r.npa;
    EXPECT_EQ(CountryForAreaCode(r.npa), "US") << r.npa;
    covered.insert(r.region);
  }
  EXPECT_EQ(covered, SubdivisionsOf("US"));
}

TEST(RegionForAreaCode, EveryProvinceButNovaScotiaPeiAndTheTerritoriesHasItsOwnCode) {
  std::set<std::string_view> reached;
  for (int npa = 200; npa < 1000; ++npa) {
    if (auto region = RegionForAreaCode(npa); region && region->starts_with("CA-")) reached.insert(*region);
  }
  std::set<std::string_view> expected = SubdivisionsOf("CA");
  for (std::string_view shared : {"CA-NS", "CA-PE", "CA-NT", "CA-NU", "CA-YT"}) expected.erase(shared);
  EXPECT_EQ(reached, expected);
}

TEST(CountryForAreaCode, NamesCanadaForTheCodesProvincesShare) {
  for (const SharedRow& r : kShared) {
    EXPECT_EQ(RegionForAreaCode(r.npa), std::nullopt) << r.npa;
    EXPECT_EQ(CountryForAreaCode(r.npa), "CA") << r.npa;
  }
  EXPECT_EQ(RegionForNumber("+18676670000"), std::nullopt);
  EXPECT_EQ(RegionForNumber("+19025550123"), std::nullopt);
}

std::vector<std::string_view> Regions(int npa) {
  const auto regions = RegionsForAreaCode(npa);
  return {regions.begin(), regions.end()};
}

TEST(RegionsForAreaCode, NamesEveryProvinceASharedCodeMayBeIn) {
  for (const SharedRow& r : kShared) EXPECT_EQ(Regions(r.npa), r.regions) << r.npa;
}

TEST(RegionsForAreaCode, IsTheOneRegionForACodeOfOneProvinceOrState) {
  for (const Row& r : kCanada) EXPECT_EQ(Regions(r.npa), std::vector<std::string_view>{r.region}) << r.npa;
  for (const Row& r : kUnitedStates) EXPECT_EQ(Regions(r.npa), std::vector<std::string_view>{r.region}) << r.npa;
}

TEST(RegionsForAreaCode, IsEmptyWhereThereIsNoCountry) {
  for (int npa : {800, 876, 211, 0, -1, 1000}) EXPECT_TRUE(Regions(npa).empty()) << npa;
}

TEST(RegionsForAreaCode, OnlyTheSharedCodesHaveSeveralRegions) {
  std::set<int> several;
  for (int npa = 0; npa < 1000; ++npa) {
    const auto regions = Regions(npa);
    EXPECT_EQ(regions.empty(), !CountryForAreaCode(npa).has_value()) << npa;
    if (regions.size() == 1) {
      EXPECT_EQ(RegionForAreaCode(npa), regions[0]) << npa;
    } else if (regions.size() > 1) {
      EXPECT_EQ(RegionForAreaCode(npa), std::nullopt) << npa;
      several.insert(npa);
    }
    for (std::string_view region : regions) {
      EXPECT_TRUE(directory::IsKnownRegion(region)) << npa << " -> " << region;
      EXPECT_EQ(directory::CountryOf(region), CountryForAreaCode(npa)) << npa;
    }
  }
  EXPECT_EQ(several, (std::set<int>{782, 867, 902}));
}

TEST(CountryForAreaCode, AgreesWithTheRegionAndEveryRegionIsKnown) {
  int us = 0;
  int ca = 0;
  for (int npa = 0; npa < 1000; ++npa) {
    const auto country = CountryForAreaCode(npa);
    const auto region = RegionForAreaCode(npa);
    if (region) {
      EXPECT_TRUE(directory::IsKnownRegion(*region)) << npa << " -> " << *region;
      EXPECT_EQ(country, directory::CountryOf(*region)) << npa;
    }
    if (!country) continue;
    EXPECT_TRUE(*country == "US" || *country == "CA") << npa;
    (*country == "US" ? us : ca) += 1;
  }
  // 369 US codes (363 in the states and DC, 6 in territories), 55 Canadian.
  EXPECT_EQ(us, 369);
  EXPECT_EQ(ca, 55);
}

TEST(RegionForAreaCode, NonGeographicCodesHaveNoRegionAndNoCountry) {
  for (int npa : {800, 833, 844, 855, 866, 877,  888, 822, 880, 881, 882, 883, 884, 885, 886, 887, 889,  // toll-free
                  500, 521, 522, 523, 524, 525,  526, 527, 533, 544, 566, 577, 588,  // personal communications
                  600, 622, 633, 700, 710, 900,  456, 950, 976,                      // other services
                  211, 311, 411, 511, 611, 711,  811, 911, 555, 999,                 // N11 and reserved
                  0,   1,   100, 199, -1,  1000, 1604}) {
    EXPECT_EQ(RegionForAreaCode(npa), std::nullopt) << npa;
    EXPECT_EQ(CountryForAreaCode(npa), std::nullopt) << npa;
  }
}

TEST(RegionForAreaCode, CaribbeanCountriesAreNeitherUsNorCanada) {
  for (int npa :
       {242, 246, 264, 268, 284, 345, 441, 473, 649, 658, 664, 721, 758, 767, 784, 809, 829, 849, 868, 869, 876}) {
    EXPECT_EQ(RegionForAreaCode(npa), std::nullopt) << npa;
    EXPECT_EQ(CountryForAreaCode(npa), std::nullopt) << npa;
  }
}

TEST(RegionForNumber, CombinesTheAreaCodeAndTheTable) {
  EXPECT_EQ(RegionForNumber("+16045550123"), "CA-BC");
  EXPECT_EQ(RegionForNumber("+12125550123"), "US-NY");
  EXPECT_EQ(RegionForNumber("+17875550123"), "US-PR");
  EXPECT_EQ(RegionForNumber("+19025550123"), std::nullopt);  // Nova Scotia or PEI
  EXPECT_EQ(RegionForNumber("+18006624357"), std::nullopt);  // toll-free
  EXPECT_EQ(RegionForNumber("+18765550123"), std::nullopt);  // Jamaica
  EXPECT_EQ(RegionForNumber("+447700900123"), std::nullopt);
  EXPECT_EQ(RegionForNumber("604-555-0123"), std::nullopt);
}

// ---------------------------------------------------------------------------
// Cross-check against libphonenumber's offline geocoder: the source of most of
// the table. Slow (about 12 µs a call), so it samples a few exchanges per code.

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberOfflineGeocoder;
using i18n::phonenumbers::PhoneNumberUtil;

PhoneNumber Nanp(int npa, int exchange, int line) {
  PhoneNumber n;
  n.set_country_code(1);
  n.set_national_number(static_cast<std::uint64_t>(npa) * 10'000'000 + static_cast<std::uint64_t>(exchange) * 10'000 +
                        static_cast<std::uint64_t>(line));
  return n;
}

// libphonenumber's region codes for the US, its territories, and Canada.
std::string_view CountryOfLibphonenumberRegion(std::string_view region_code) {
  if (region_code == "CA") return "CA";
  for (std::string_view us : {"US", "PR", "VI", "GU", "AS", "MP"}) {
    if (region_code == us) return "US";
  }
  return {};
}

// The regions a geocoder description names: "Seattle, WA" -> {US-WA},
// "Texas" -> {US-TX}, "Nova Scotia/Prince Edward Island" -> {CA-NS, CA-PE}.
// Empty if the description names nothing we know.
std::set<std::string> RegionsNamedBy(std::string_view description) {
  static const std::map<std::string_view, std::set<std::string>> kGeocoderNames = {
      {"Washington State", {"US-WA"}},
      {"Washington D.C.", {"US-DC"}},
      {"Philadelphia", {"US-PA"}},
      {"Tamuning", {"US-GU"}},
      {"Watson Lake", {"CA-YT"}},
      {"Nova Scotia/Prince Edward Island", {"CA-NS", "CA-PE"}},
      {"Northwest Territories/Nunavut/Yukon", {"CA-NT", "CA-NU", "CA-YT"}},
  };
  if (auto it = kGeocoderNames.find(description); it != kGeocoderNames.end()) return it->second;
  for (const auto& r : directory::AllRegions()) {
    if (r.code.size() == 5 && r.name_en == description) return {std::string(r.code)};
  }
  // "City, ST": a US or Canadian subdivision code (the two sets do not overlap).
  const std::size_t comma = description.rfind(", ");
  if (comma != std::string_view::npos && description.size() == comma + 4) {
    const std::string_view st = description.substr(comma + 2);
    for (std::string_view country : {"US-", "CA-"}) {
      std::string code = std::string(country) + std::string(st);
      if (directory::IsKnownRegion(code)) return {code};
    }
  }
  return {};
}

// What the geocoder may name for an area code: the regions the table gives it.
std::set<std::string> AcceptableRegions(int npa) {
  std::set<std::string> out;
  for (std::string_view region : RegionsForAreaCode(npa)) out.emplace(region);
  return out;
}

TEST(AreaCodesCrossCheck, EveryCodeAgreesWithLibphonenumbersGeocoder) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const PhoneNumberOfflineGeocoder geocoder;
  const icu::Locale english("en");
  constexpr int kWanted = 8;  // descriptions per area code

  std::vector<int> skipped;
  int checked = 0;
  for (int npa = 200; npa < 1000; ++npa) {
    const auto country = CountryForAreaCode(npa);
    if (!country) continue;
    const std::string_view region = RegionForAreaCode(npa).value_or(*country);
    const std::set<std::string> acceptable = AcceptableRegions(npa);
    int agree = 0;
    std::vector<std::string> disagree;
    // 337 is coprime with 800: visits every exchange 200-999 once, scattered.
    for (int i = 0; i < 800 && agree + static_cast<int>(disagree.size()) < kWanted; ++i) {
      const PhoneNumber number = Nanp(npa, 200 + (i * 337) % 800, 1234);
      const std::string description = geocoder.GetDescriptionForNumber(number, english);
      if (description.empty()) continue;  // not a valid number in the 2022 data
      std::string lib_region;
      util.GetRegionCodeForNumber(number, &lib_region);
      EXPECT_EQ(CountryOfLibphonenumberRegion(lib_region), *country) << npa << ": " << lib_region;
      if (description == "United States" || description == "Canada") {
        EXPECT_EQ(description, *country == "US" ? "United States" : "Canada") << npa;
        continue;  // valid, but no place named
      }
      const std::set<std::string> named = RegionsNamedBy(description);
      const bool ok = !named.empty() && std::includes(acceptable.begin(), acceptable.end(), named.begin(), named.end());
      if (ok) {
        ++agree;
      } else {
        disagree.push_back(description);
      }
    }
    if (agree == 0 && disagree.empty()) {
      skipped.push_back(npa);
      continue;
    }
    ++checked;
    // A few exchanges carry a neighbouring rate centre's name (201-631 is
    // "New York, NY"); one odd description in eight is tolerated.
    std::string odd;
    for (const std::string& d : disagree) odd += " [" + d + "]";
    EXPECT_LE(disagree.size(), 1u) << npa << " is " << region << " but the geocoder says" << odd;
    EXPECT_GT(agree, 0) << npa;
  }

  std::cout << "cross-checked " << checked << " area codes; skipped " << skipped.size()
            << " the 2022 geocoder data does not know\n";
  const std::set<int> newer(std::begin(kNewerThanLibphonenumber), std::end(kNewerThanLibphonenumber));
  for (int npa : skipped) {
    EXPECT_TRUE(newer.contains(npa)) << npa << " is unknown to the geocoder but not listed as newer than its data";
  }
  EXPECT_LE(skipped.size(), newer.size());
  EXPECT_GT(checked, 380);
}

// The shared codes are exactly those the geocoder gives several regions: it
// describes every exchange of each Canadian code, and every eighth of each US
// code, and a region counts for a code when it names at least 2% of its
// described exchanges (so the odd exchange named after a neighbouring rate
// centre, such as 201-631 "New York, NY", does not make 201 shared).
TEST(AreaCodesCrossCheck, ACodeIsSharedExactlyWhenTheGeocoderNamesSeveralRegionsForIt) {
  const PhoneNumberOfflineGeocoder geocoder;
  const icu::Locale english("en");
  int scanned = 0;
  std::set<int> shared_by_geocoder;
  for (int npa = 200; npa < 1000; ++npa) {
    const auto country = CountryForAreaCode(npa);
    if (!country) continue;
    const int step = *country == "CA" ? 1 : 8;
    std::map<std::string, int> named;  // region -> exchanges naming it
    int described = 0;
    for (int exchange = 200; exchange < 1000; exchange += step) {
      const std::string description = geocoder.GetDescriptionForNumber(Nanp(npa, exchange, 1234), english);
      const std::set<std::string> regions = RegionsNamedBy(description);
      if (regions.empty()) continue;  // not valid in the 2022 data, or just "Canada"
      ++described;
      for (const std::string& r : regions) ++named[r];
    }
    if (described == 0) continue;  // newer than the geocoder's data
    ++scanned;
    std::set<std::string> regions;
    for (const auto& [region, count] : named) {
      if (count * 50 >= described) regions.insert(region);
    }
    if (regions.size() > 1) shared_by_geocoder.insert(npa);
    EXPECT_EQ(regions, AcceptableRegions(npa)) << npa;
  }
  EXPECT_EQ(shared_by_geocoder, (std::set<int>{782, 867, 902}));
  EXPECT_GT(scanned, 380);
}

TEST(AreaCodesCrossCheck, EveryGeographicCodeLibphonenumberKnowsIsInTheTable) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  for (int npa = 200; npa < 1000; ++npa) {
    for (int exchange : {234, 555, 681, 733, 258}) {
      const PhoneNumber number = Nanp(npa, exchange, 1234);
      if (!util.IsValidNumber(number)) continue;
      const auto type = util.GetNumberType(number);
      if (type != PhoneNumberUtil::FIXED_LINE && type != PhoneNumberUtil::MOBILE &&
          type != PhoneNumberUtil::FIXED_LINE_OR_MOBILE) {
        continue;
      }
      std::string lib_region;
      util.GetRegionCodeForNumber(number, &lib_region);
      const std::string_view lib_country = CountryOfLibphonenumberRegion(lib_region);
      if (lib_country.empty()) {
        EXPECT_EQ(CountryForAreaCode(npa), std::nullopt) << npa << " is " << lib_region;
      } else {
        EXPECT_EQ(CountryForAreaCode(npa), lib_country) << npa << " is " << lib_region;
      }
      break;
    }
  }
}

}  // namespace
}  // namespace helpline::engine
