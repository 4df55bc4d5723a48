// The area-code table and its lookups (see area_codes.h).
//
// How the table was made
// ----------------------
// kFromLibphonenumber was generated once (not at build time) by a throwaway
// program, kept out of the repository, linked against Debian 12's
// libphonenumber 8.12.57, whose data dates from 2022. For every NPA from 200 to 999 it built
// fifteen numbers, +1 NPA followed by 200-0000, 555-0100, 234-5678, 300-0000,
// 456-1234, 600-0000, 700-0000, 800-0000, 900-0000, 555-0199, 681-1234,
// 444-1234, 322-1234, 777-1234 and 999-1234, and asked
//   * PhoneNumberUtil::GetRegionCodeForNumber: kept US and CA and the US
//     territories PR, VI, GU, AS and MP (whose region is the territory
//     itself: most of their exchanges are invalid in libphonenumber, so
//     their descriptions are sparse); dropped the Caribbean countries (BS,
//     JM, DO, TT...);
//   * PhoneNumberUtil::GetNumberType: kept FIXED_LINE_OR_MOBILE, which drops
//     toll-free (800, 833, 844, 855, 866, 877, 888), personal numbers (500,
//     52x, 533, 544, 566, 577, 588), Canada's non-geographic 600 and 622, and
//     premium 900;
//   * PhoneNumberOfflineGeocoder::GetDescriptionForNumber, locale "en": parsed
//     "City, ST" as ST and a state or province name as its code ("Washington
//     State" WA, "Washington D.C." DC, "Philadelphia" PA).
// Every NPA yielded exactly one subdivision except three, which the
// geocoder describes as shared ("Nova Scotia/Prince Edward Island" for 902 and
// its overlay 782; "Northwest Territories/Nunavut/Yukon" for 867). Their rows
// are the country "CA", and kSharedCodes below lists the provinces or
// territories each may be in: an area code that cannot tell Nova Scotia from
// PEI must not send a PEI sender to Nova Scotia's lines, so the resolver asks
// instead of guessing. (A scan of every exchange of every NPA with that
// geocoder finds no other code, US or Canadian, naming two subdivisions,
// except single exchanges named after a neighbouring rate centre, such as
// 201-631 "New York, NY"; tests/engine/area_codes_test.cc repeats the scan.)
// The resulting rows were pasted below unchanged but for those three.
//
// kAddedByHand lists current codes the 2022 data does not know: overlays put
// in service (or assigned and announced) since. Each overlays an existing code
// of one state or province, named in the comment. Most also appear in the CA
// and US fixed-line patterns of a newer libphonenumber metadata release
// (2024-25), which confirms the country; the state comes from the relief
// plan (NANPA planning letters, state commissions, the CRTC).
//
// A row's region is a subdivision ("US-NY") or, for a code shared by several,
// just the country ("CA"), whose subdivisions are then in kSharedCodes. Both lists are merged at compile time into a
// 1000-entry array indexed by NPA; static_asserts reject duplicates.

#include "daemon/engine/area_codes.h"

#include <array>
#include <cstddef>
#include <span>

namespace helpline::engine {
namespace {

struct AreaCode {
  int npa;
  std::string_view region;  // "US-NY", or a country ("CA") for a multi-province code
};

// Generated from libphonenumber 8.12.57 (see above); 391 rows: 343 US (337 in
// the states and DC, 6 in territories) and 48 Canadian.
constexpr AreaCode kFromLibphonenumber[] = {
    {201, "US-NJ"}, {202, "US-DC"}, {203, "US-CT"}, {204, "CA-MB"}, {205, "US-AL"}, {206, "US-WA"}, {207, "US-ME"},
    {208, "US-ID"}, {209, "US-CA"}, {210, "US-TX"}, {212, "US-NY"}, {213, "US-CA"}, {214, "US-TX"}, {215, "US-PA"},
    {216, "US-OH"}, {217, "US-IL"}, {218, "US-MN"}, {219, "US-IN"}, {220, "US-OH"}, {223, "US-PA"}, {224, "US-IL"},
    {225, "US-LA"}, {226, "CA-ON"}, {228, "US-MS"}, {229, "US-GA"}, {231, "US-MI"}, {234, "US-OH"}, {236, "CA-BC"},
    {239, "US-FL"}, {240, "US-MD"}, {248, "US-MI"}, {249, "CA-ON"}, {250, "CA-BC"}, {251, "US-AL"}, {252, "US-NC"},
    {253, "US-WA"}, {254, "US-TX"}, {256, "US-AL"}, {260, "US-IN"}, {262, "US-WI"}, {263, "CA-QC"}, {267, "US-PA"},
    {269, "US-MI"}, {270, "US-KY"}, {272, "US-PA"}, {276, "US-VA"}, {279, "US-CA"}, {281, "US-TX"}, {283, "US-OH"},
    {289, "CA-ON"}, {301, "US-MD"}, {302, "US-DE"}, {303, "US-CO"}, {304, "US-WV"}, {305, "US-FL"}, {306, "CA-SK"},
    {307, "US-WY"}, {308, "US-NE"}, {309, "US-IL"}, {310, "US-CA"}, {312, "US-IL"}, {313, "US-MI"}, {314, "US-MO"},
    {315, "US-NY"}, {316, "US-KS"}, {317, "US-IN"}, {318, "US-LA"}, {319, "US-IA"}, {320, "US-MN"}, {321, "US-FL"},
    {323, "US-CA"}, {325, "US-TX"}, {326, "US-OH"}, {330, "US-OH"}, {331, "US-IL"}, {332, "US-NY"}, {334, "US-AL"},
    {336, "US-NC"}, {337, "US-LA"}, {339, "US-MA"}, {340, "US-VI"}, {341, "US-CA"}, {343, "CA-ON"}, {346, "US-TX"},
    {347, "US-NY"}, {351, "US-MA"}, {352, "US-FL"}, {360, "US-WA"}, {361, "US-TX"}, {364, "US-KY"}, {365, "CA-ON"},
    {367, "CA-QC"}, {368, "CA-AB"}, {380, "US-OH"}, {385, "US-UT"}, {386, "US-FL"}, {401, "US-RI"}, {402, "US-NE"},
    {403, "CA-AB"}, {404, "US-GA"}, {405, "US-OK"}, {406, "US-MT"}, {407, "US-FL"}, {408, "US-CA"}, {409, "US-TX"},
    {410, "US-MD"}, {412, "US-PA"}, {413, "US-MA"}, {414, "US-WI"}, {415, "US-CA"}, {416, "CA-ON"}, {417, "US-MO"},
    {418, "CA-QC"}, {419, "US-OH"}, {423, "US-TN"}, {424, "US-CA"}, {425, "US-WA"}, {430, "US-TX"}, {431, "CA-MB"},
    {432, "US-TX"}, {434, "US-VA"}, {435, "US-UT"}, {437, "CA-ON"}, {438, "CA-QC"}, {440, "US-OH"}, {442, "US-CA"},
    {443, "US-MD"}, {445, "US-PA"}, {447, "US-IL"}, {448, "US-FL"}, {450, "CA-QC"}, {458, "US-OR"}, {463, "US-IN"},
    {464, "US-IL"}, {468, "CA-QC"}, {469, "US-TX"}, {470, "US-GA"}, {474, "CA-SK"}, {475, "US-CT"}, {478, "US-GA"},
    {479, "US-AR"}, {480, "US-AZ"}, {484, "US-PA"}, {501, "US-AR"}, {502, "US-KY"}, {503, "US-OR"}, {504, "US-LA"},
    {505, "US-NM"}, {506, "CA-NB"}, {507, "US-MN"}, {508, "US-MA"}, {509, "US-WA"}, {510, "US-CA"}, {512, "US-TX"},
    {513, "US-OH"}, {514, "CA-QC"}, {515, "US-IA"}, {516, "US-NY"}, {517, "US-MI"}, {518, "US-NY"}, {519, "CA-ON"},
    {520, "US-AZ"}, {530, "US-CA"}, {531, "US-NE"}, {534, "US-WI"}, {539, "US-OK"}, {540, "US-VA"}, {541, "US-OR"},
    {548, "CA-ON"}, {551, "US-NJ"}, {559, "US-CA"}, {561, "US-FL"}, {562, "US-CA"}, {563, "US-IA"}, {564, "US-WA"},
    {567, "US-OH"}, {570, "US-PA"}, {571, "US-VA"}, {572, "US-OK"}, {573, "US-MO"}, {574, "US-IN"}, {575, "US-NM"},
    {579, "CA-QC"}, {580, "US-OK"}, {581, "CA-QC"}, {582, "US-PA"}, {584, "CA-MB"}, {585, "US-NY"}, {586, "US-MI"},
    {587, "CA-AB"}, {601, "US-MS"}, {602, "US-AZ"}, {603, "US-NH"}, {604, "CA-BC"}, {605, "US-SD"}, {606, "US-KY"},
    {607, "US-NY"}, {608, "US-WI"}, {609, "US-NJ"}, {610, "US-PA"}, {612, "US-MN"}, {613, "CA-ON"}, {614, "US-OH"},
    {615, "US-TN"}, {616, "US-MI"}, {617, "US-MA"}, {618, "US-IL"}, {619, "US-CA"}, {620, "US-KS"}, {623, "US-AZ"},
    {626, "US-CA"}, {628, "US-CA"}, {629, "US-TN"}, {630, "US-IL"}, {631, "US-NY"}, {636, "US-MO"}, {639, "CA-SK"},
    {640, "US-NJ"}, {641, "US-IA"}, {646, "US-NY"}, {647, "CA-ON"}, {650, "US-CA"}, {651, "US-MN"}, {656, "US-FL"},
    {657, "US-CA"}, {659, "US-AL"}, {660, "US-MO"}, {661, "US-CA"}, {662, "US-MS"}, {667, "US-MD"}, {669, "US-CA"},
    {670, "US-MP"}, {671, "US-GU"}, {672, "CA-BC"}, {678, "US-GA"}, {680, "US-NY"}, {681, "US-WV"}, {682, "US-TX"},
    {684, "US-AS"}, {689, "US-FL"}, {701, "US-ND"}, {702, "US-NV"}, {703, "US-VA"}, {704, "US-NC"}, {705, "CA-ON"},
    {706, "US-GA"}, {707, "US-CA"}, {708, "US-IL"}, {709, "CA-NL"}, {712, "US-IA"}, {713, "US-TX"}, {714, "US-CA"},
    {715, "US-WI"}, {716, "US-NY"}, {717, "US-PA"}, {718, "US-NY"}, {719, "US-CO"}, {720, "US-CO"}, {724, "US-PA"},
    {725, "US-NV"}, {726, "US-TX"}, {727, "US-FL"}, {731, "US-TN"}, {732, "US-NJ"}, {734, "US-MI"}, {737, "US-TX"},
    {740, "US-OH"}, {742, "CA-ON"}, {743, "US-NC"}, {747, "US-CA"}, {753, "CA-ON"}, {754, "US-FL"}, {757, "US-VA"},
    {760, "US-CA"}, {762, "US-GA"}, {763, "US-MN"}, {765, "US-IN"}, {769, "US-MS"}, {770, "US-GA"}, {771, "US-DC"},
    {772, "US-FL"}, {773, "US-IL"}, {774, "US-MA"}, {775, "US-NV"}, {778, "CA-BC"}, {779, "US-IL"}, {780, "CA-AB"},
    {781, "US-MA"}, {782, "CA"},    {785, "US-KS"}, {786, "US-FL"}, {787, "US-PR"}, {801, "US-UT"}, {802, "US-VT"},
    {803, "US-SC"}, {804, "US-VA"}, {805, "US-CA"}, {806, "US-TX"}, {807, "CA-ON"}, {808, "US-HI"}, {810, "US-MI"},
    {812, "US-IN"}, {813, "US-FL"}, {814, "US-PA"}, {815, "US-IL"}, {816, "US-MO"}, {817, "US-TX"}, {818, "US-CA"},
    {819, "CA-QC"}, {820, "US-CA"}, {825, "CA-AB"}, {826, "US-VA"}, {828, "US-NC"}, {830, "US-TX"}, {831, "US-CA"},
    {832, "US-TX"}, {838, "US-NY"}, {839, "US-SC"}, {840, "US-CA"}, {843, "US-SC"}, {845, "US-NY"}, {847, "US-IL"},
    {848, "US-NJ"}, {850, "US-FL"}, {854, "US-SC"}, {856, "US-NJ"}, {857, "US-MA"}, {858, "US-CA"}, {859, "US-KY"},
    {860, "US-CT"}, {862, "US-NJ"}, {863, "US-FL"}, {864, "US-SC"}, {865, "US-TN"}, {867, "CA"},    {870, "US-AR"},
    {872, "US-IL"}, {873, "CA-QC"}, {878, "US-PA"}, {901, "US-TN"}, {902, "CA"},    {903, "US-TX"}, {904, "US-FL"},
    {905, "CA-ON"}, {906, "US-MI"}, {907, "US-AK"}, {908, "US-NJ"}, {909, "US-CA"}, {910, "US-NC"}, {912, "US-GA"},
    {913, "US-KS"}, {914, "US-NY"}, {915, "US-TX"}, {916, "US-CA"}, {917, "US-NY"}, {918, "US-OK"}, {919, "US-NC"},
    {920, "US-WI"}, {925, "US-CA"}, {928, "US-AZ"}, {929, "US-NY"}, {930, "US-IN"}, {931, "US-TN"}, {934, "US-NY"},
    {936, "US-TX"}, {937, "US-OH"}, {938, "US-AL"}, {939, "US-PR"}, {940, "US-TX"}, {941, "US-FL"}, {943, "US-GA"},
    {945, "US-TX"}, {947, "US-MI"}, {948, "US-VA"}, {949, "US-CA"}, {951, "US-CA"}, {952, "US-MN"}, {954, "US-FL"},
    {956, "US-TX"}, {959, "US-CT"}, {970, "US-CO"}, {971, "US-OR"}, {972, "US-TX"}, {973, "US-NJ"}, {978, "US-MA"},
    {979, "US-TX"}, {980, "US-NC"}, {984, "US-NC"}, {985, "US-LA"}, {986, "US-ID"}, {989, "US-MI"},
};

// The codes several provinces or territories share (see above), with every
// region each may be in, sorted.
struct SharedCode {
  int npa;
  std::array<std::string_view, 3> regions;  // sorted; unused slots empty
  std::size_t count;
};
constexpr SharedCode kSharedCodes[] = {
    {782, {"CA-NS", "CA-PE"}, 2},
    {867, {"CA-NT", "CA-NU", "CA-YT"}, 3},
    {902, {"CA-NS", "CA-PE"}, 2},
};

// Current codes missing from the 2022 data; see above.
constexpr AreaCode kAddedByHand[] = {
    // Canada (all in the 2025 libphonenumber CA pattern).
    {257, "CA-BC"},  // overlays 604/250/778/236/672 (all of BC), 2025
    {354, "CA-QC"},  // overlays 450/579 (Montreal suburbs)
    {382, "CA-ON"},  // overlays 519/226/548 (southwestern Ontario)
    {428, "CA-NB"},  // overlays 506 (all of New Brunswick)
    {683, "CA-ON"},  // overlays 705/249 (central and northeastern Ontario), 2022
    {879, "CA-NL"},  // overlays 709 (all of Newfoundland and Labrador)
    {942, "CA-ON"},  // overlays 416/647/437 (Toronto)
    // United States, in the 2024-25 libphonenumber US pattern.
    {227, "US-MD"},  // overlays 240/301
    {235, "US-MO"},  // overlays 573
    {274, "US-WI"},  // overlays 920
    {327, "US-AR"},  // overlays 870
    {329, "US-NY"},  // overlays 845
    {350, "US-CA"},  // overlays 209
    {363, "US-NY"},  // overlays 516
    {369, "US-CA"},  // overlays 707
    {472, "US-NC"},  // overlays 910
    {557, "US-MO"},  // overlays 314
    {645, "US-FL"},  // overlays 305/786
    {728, "US-FL"},  // overlays 561
    {730, "US-IL"},  // overlays 618
    {821, "US-SC"},  // overlays 864
    {835, "US-PA"},  // overlays 610/484
    {983, "US-CO"},  // overlays 303/720
    // United States, announced overlays newer than that pattern.
    {324, "US-FL"},  // overlays 904 (Jacksonville), 2024
    {353, "US-WI"},  // overlays 608 (Madison), 2023
    {436, "US-OH"},  // overlays 440 (northeastern Ohio), 2024
    {471, "US-MS"},  // overlays 662 (northern Mississippi), 2026
    {624, "US-NY"},  // overlays 716 (Buffalo), 2023
    {679, "US-MI"},  // overlays 313 (Detroit), 2025
    {686, "US-VA"},  // overlays 804 (Richmond), 2024
    {729, "US-TN"},  // overlays 423 (Chattanooga), 2025
    {738, "US-CA"},  // overlays 213/323 (Los Angeles), 2024
    {861, "US-IL"},  // overlays 309 (Peoria, Quad Cities)
};

constexpr bool RowsValid() {
  std::array<bool, 1000> seen{};
  auto check = [&seen](const auto& rows) {
    for (const AreaCode& r : rows) {
      if (r.npa < 200 || r.npa > 999 || seen[static_cast<std::size_t>(r.npa)]) return false;
      seen[static_cast<std::size_t>(r.npa)] = true;
      // "US", "CA", or a country, a hyphen and a two-letter subdivision.
      if (r.region.size() != 2 && (r.region.size() != 5 || r.region[2] != '-')) return false;
      if (r.region.substr(0, 2) != "US" && r.region.substr(0, 2) != "CA") return false;
    }
    return true;
  };
  return check(kFromLibphonenumber) && check(kAddedByHand);
}
static_assert(RowsValid(), "area codes must be 200-999, unique, and map to \"US\"/\"CA\" or a subdivision of them");

// Indexed by NPA; empty = not a US or Canadian geographic code.
constexpr std::array<std::string_view, 1000> kRegionByNpa = [] {
  std::array<std::string_view, 1000> table{};
  for (const AreaCode& r : kFromLibphonenumber) table[static_cast<std::size_t>(r.npa)] = r.region;
  for (const AreaCode& r : kAddedByHand) table[static_cast<std::size_t>(r.npa)] = r.region;
  return table;
}();

// Exactly the rows that are a country alone are shared codes, each with two
// or three regions of that country, sorted.
constexpr bool SharedCodesValid() {
  std::size_t country_rows = 0;
  for (const AreaCode& r : kFromLibphonenumber) country_rows += r.region.size() == 2 ? 1 : 0;
  for (const AreaCode& r : kAddedByHand) country_rows += r.region.size() == 2 ? 1 : 0;
  if (country_rows != std::size(kSharedCodes)) return false;
  for (const SharedCode& shared : kSharedCodes) {
    std::string_view country;
    for (const AreaCode& r : kFromLibphonenumber) country = r.npa == shared.npa ? r.region : country;
    for (const AreaCode& r : kAddedByHand) country = r.npa == shared.npa ? r.region : country;
    if (country.size() != 2 || shared.count < 2 || shared.count > shared.regions.size()) return false;
    for (std::size_t i = 0; i < shared.count; ++i) {
      const std::string_view region = shared.regions[i];
      if (region.size() != 5 || region.substr(0, 2) != country) return false;
      if (i > 0 && !(shared.regions[i - 1] < region)) return false;
    }
  }
  return true;
}
static_assert(SharedCodesValid(), "every country-only row needs its regions in kSharedCodes, and only those");

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Lookup(int npa) {
  if (npa < 0 || npa > 999) return {};
  return kRegionByNpa[static_cast<std::size_t>(npa)];
}

}  // namespace

std::optional<int> NanpAreaCode(std::string_view e164) {
  if (e164.size() != 12 || e164[0] != '+' || e164[1] != '1') return std::nullopt;
  for (std::size_t i = 2; i < e164.size(); ++i) {
    if (!IsDigit(e164[i])) return std::nullopt;
  }
  if (e164[2] < '2') return std::nullopt;  // area codes start with 2-9
  return (e164[2] - '0') * 100 + (e164[3] - '0') * 10 + (e164[4] - '0');
}

std::optional<std::string_view> RegionForAreaCode(int npa) {
  const std::string_view region = Lookup(npa);
  if (region.size() != 5) return std::nullopt;  // unknown, or a country only
  return region;
}

std::optional<std::string_view> CountryForAreaCode(int npa) {
  const std::string_view region = Lookup(npa);
  if (region.empty()) return std::nullopt;
  return region.substr(0, 2);
}

std::span<const std::string_view> RegionsForAreaCode(int npa) {
  if (npa < 0 || npa > 999) return {};
  const std::string_view& region = kRegionByNpa[static_cast<std::size_t>(npa)];
  if (region.empty()) return {};
  if (region.size() == 5) return {&region, 1};
  for (const SharedCode& shared : kSharedCodes) {
    if (shared.npa == npa) return {shared.regions.data(), shared.count};
  }
  return {};  // unreachable: SharedCodesValid() pairs every country row with kSharedCodes
}

std::optional<std::string_view> RegionForNumber(std::string_view e164) {
  const std::optional<int> npa = NanpAreaCode(e164);
  if (!npa) return std::nullopt;
  return RegionForAreaCode(*npa);
}

}  // namespace helpline::engine
