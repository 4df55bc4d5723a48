// ZIP-prefix and postal-code tables (see postal_codes.h).
//
// The ZIP table is written as ranges of 3-digit prefixes for review and
// expanded at compile time into a 1000-entry array indexed by prefix, so a
// lookup is one array read. static_asserts keep the ranges sorted and
// disjoint.

#include "daemon/engine/postal_codes.h"

#include <array>
#include <cstddef>

namespace helpline::engine {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int Digit(char c) { return c - '0'; }

// ---------------------------------------------------------------------------
// US ZIP codes.

struct PrefixRange {
  int first;  // first 3-digit prefix, inclusive
  int last;   // last 3-digit prefix, inclusive
  std::string_view region;
};

// USPS 3-digit ZIP prefixes -> state, from the prefix list of the National
// Five-Digit ZIP Code and Post Office Directory (USPS Publication 65) and the
// USPS's Labeling List L002 (3-digit ZIP code prefix matrix). Prefixes not
// listed have no state: unassigned (noted where they fall inside a state's
// run, so a reviewer can tell a gap from an omission) or military.
// Prefixes that break a state's run are marked "exception".
constexpr PrefixRange kZipPrefixes[] = {
    // 000-004 unassigned.
    {5, 5, "US-NY"},  // exception: Holtsville, NY (IRS), inside the New England 0xx block
    {6, 7, "US-PR"},
    {8, 8, "US-VI"},
    {9, 9, "US-PR"},
    {10, 27, "US-MA"},
    {28, 29, "US-RI"},
    {30, 38, "US-NH"},
    {39, 49, "US-ME"},  // 039: southern Maine (Kittery, York), served via Portsmouth, NH
    {50, 54, "US-VT"},
    {55, 55, "US-MA"},  // exception: Andover, MA (IRS)
    {56, 59, "US-VT"},
    {60, 69, "US-CT"},
    {70, 89, "US-NJ"},
    // 090-098 military (AE: Armed Forces Europe, Middle East, Africa, Canada); 099 unassigned.
    {100, 149, "US-NY"},
    {150, 196, "US-PA"},
    {197, 199, "US-DE"},
    {200, 200, "US-DC"},
    {201, 201, "US-VA"},  // exception: Dulles, VA, inside Washington's 20x
    {202, 205, "US-DC"},  // federal government ZIPs
    {206, 212, "US-MD"},
    // 213 unassigned.
    {214, 219, "US-MD"},
    {220, 246, "US-VA"},
    {247, 268, "US-WV"},
    // 269 unassigned.
    {270, 289, "US-NC"},
    {290, 299, "US-SC"},
    {300, 319, "US-GA"},
    {320, 339, "US-FL"},
    // 340 military (AA: Armed Forces Americas).
    {341, 342, "US-FL"},
    // 343 unassigned.
    {344, 344, "US-FL"},
    // 345 unassigned.
    {346, 347, "US-FL"},
    // 348 unassigned.
    {349, 349, "US-FL"},
    {350, 352, "US-AL"},
    // 353 unassigned.
    {354, 369, "US-AL"},
    {370, 385, "US-TN"},
    {386, 397, "US-MS"},
    {398, 399, "US-GA"},  // exception: Albany, GA and Atlanta (IRS), after Mississippi
    {400, 418, "US-KY"},
    // 419 unassigned.
    {420, 427, "US-KY"},
    // 428-429 unassigned.
    {430, 459, "US-OH"},
    {460, 479, "US-IN"},
    {480, 499, "US-MI"},
    {500, 516, "US-IA"},
    // 517-519 unassigned.
    {520, 528, "US-IA"},
    // 529 unassigned.
    {530, 532, "US-WI"},
    // 533 unassigned.
    {534, 535, "US-WI"},
    // 536 unassigned.
    {537, 549, "US-WI"},
    {550, 551, "US-MN"},
    // 552 unassigned.
    {553, 567, "US-MN"},
    // 568 unassigned.
    {569, 569, "US-DC"},  // exception: Washington, DC (parcel return), inside the upper Midwest
    {570, 577, "US-SD"},
    // 578-579 unassigned.
    {580, 588, "US-ND"},
    // 589 unassigned.
    {590, 599, "US-MT"},
    {600, 620, "US-IL"},
    // 621 unassigned.
    {622, 629, "US-IL"},
    {630, 631, "US-MO"},
    // 632 unassigned.
    {633, 641, "US-MO"},
    // 642-643 unassigned.
    {644, 658, "US-MO"},
    // 659 unassigned.
    {660, 662, "US-KS"},
    // 663 unassigned.
    {664, 679, "US-KS"},
    {680, 681, "US-NE"},
    // 682 unassigned.
    {683, 693, "US-NE"},
    // 694-699 unassigned.
    {700, 701, "US-LA"},
    // 702 unassigned.
    {703, 708, "US-LA"},
    // 709 unassigned.
    {710, 714, "US-LA"},
    // 715 unassigned.
    {716, 729, "US-AR"},
    {730, 731, "US-OK"},
    // 732 unassigned.
    {733, 733, "US-TX"},  // exception: Austin, TX (IRS), inside Oklahoma's run
    {734, 741, "US-OK"},
    // 742 unassigned.
    {743, 749, "US-OK"},
    {750, 770, "US-TX"},
    // 771 unassigned.
    {772, 799, "US-TX"},
    {800, 816, "US-CO"},
    // 817-819 unassigned.
    {820, 831, "US-WY"},
    {832, 838, "US-ID"},
    // 839 unassigned.
    {840, 847, "US-UT"},
    // 848-849 unassigned.
    {850, 853, "US-AZ"},
    // 854 unassigned.
    {855, 857, "US-AZ"},
    // 858 unassigned.
    {859, 860, "US-AZ"},
    // 861-862 unassigned.
    {863, 865, "US-AZ"},
    // 866-869 unassigned.
    {870, 871, "US-NM"},
    // 872 unassigned.
    {873, 875, "US-NM"},
    // 876 unassigned.
    {877, 884, "US-NM"},
    {885, 885, "US-TX"},  // exception: El Paso, TX, after New Mexico
    // 886-888 unassigned.
    {889, 891, "US-NV"},
    // 892 unassigned.
    {893, 895, "US-NV"},
    // 896 unassigned.
    {897, 898, "US-NV"},
    // 899 unassigned.
    {900, 908, "US-CA"},
    // 909 unassigned.
    {910, 928, "US-CA"},
    // 929 unassigned.
    {930, 961, "US-CA"},  // 961: California towns near Lake Tahoe, served via Reno, NV
    // 962-966 military (AP: Armed Forces Pacific).
    {967, 968, "US-HI"},  // but 96799 is American Samoa (kZipExceptions)
    {969, 969, "US-GU"},  // mostly Guam; the rest of 969 is in kZipExceptions
    {970, 979, "US-OR"},
    {980, 986, "US-WA"},
    // 987 unassigned.
    {988, 994, "US-WA"},
    {995, 999, "US-AK"},
};

constexpr bool RangesSortedAndDisjoint() {
  int previous_last = -1;
  for (const PrefixRange& r : kZipPrefixes) {
    if (r.first > r.last || r.first <= previous_last || r.last > 999) return false;
    previous_last = r.last;
  }
  return true;
}
static_assert(RangesSortedAndDisjoint(), "kZipPrefixes must be sorted, disjoint and within 000-999");

// Indexed by 3-digit prefix; empty = no state.
constexpr std::array<std::string_view, 1000> kStateByPrefix = [] {
  std::array<std::string_view, 1000> table{};
  for (const PrefixRange& r : kZipPrefixes) {
    for (int p = r.first; p <= r.last; ++p) table[static_cast<std::size_t>(p)] = r.region;
  }
  return table;
}();

// Five-digit ZIPs that do not follow their prefix. An empty region means "not
// a US region". Sources: USPS ZIP code lookups for these places.
struct ZipException {
  int first;  // 5-digit ZIP, inclusive
  int last;
  std::string_view region;
};
constexpr ZipException kZipExceptions[] = {
    {96799, 96799, "US-AS"},  // American Samoa (Pago Pago), inside Hawaii's 967
    {96939, 96940, ""},       // Palau
    {96941, 96944, ""},       // Federated States of Micronesia
    {96950, 96952, "US-MP"},  // Northern Mariana Islands (Saipan, Rota, Tinian)
    {96960, 96960, ""},       // Marshall Islands (Majuro)
    {96970, 96970, ""},       // Marshall Islands (Ebeye)
};

// ---------------------------------------------------------------------------
// Canadian postal codes (Canada Post: the first letter of the forward
// sortation area names the province or territory).

char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool IsLetter(char c) {
  c = Upper(c);
  return c >= 'A' && c <= 'Z';
}

// Letters Canada Post never uses, because they read like digits or each other.
bool IsUnusedLetter(char c) {
  c = Upper(c);
  return c == 'D' || c == 'F' || c == 'I' || c == 'O' || c == 'Q' || c == 'U';
}

bool IsPostalLetter(char c) { return IsLetter(c) && !IsUnusedLetter(c); }

std::optional<std::string_view> ProvinceForFirstLetter(char c, char second, char third) {
  switch (Upper(c)) {
    case 'A': return "CA-NL";
    case 'B': return "CA-NS";
    case 'C': return "CA-PE";
    case 'E': return "CA-NB";
    case 'G':
    case 'H':
    case 'J': return "CA-QC";
    case 'K':
    case 'L':
    case 'M':
    case 'N':
    case 'P': return "CA-ON";
    case 'R': return "CA-MB";
    case 'S': return "CA-SK";
    case 'T': return "CA-AB";
    case 'V': return "CA-BC";
    case 'X': {
      // Nunavut's FSAs are X0A, X0B and X0C; the rest of X (X0E, X0G, X1A) is
      // the Northwest Territories.
      const char t = Upper(third);
      return (second == '0' && (t == 'A' || t == 'B' || t == 'C')) ? "CA-NU" : "CA-NT";
    }
    case 'Y': return "CA-YT";
    default: return std::nullopt;  // W and Z are never first; D F I O Q U never appear
  }
}

}  // namespace

bool LooksLikeZip(std::string_view s) {
  auto all_digits = [](std::string_view d) {
    for (char c : d) {
      if (!IsDigit(c)) return false;
    }
    return true;
  };
  if (s.size() == 5 || s.size() == 9) return all_digits(s);
  if (s.size() == 10) return s[5] == '-' && all_digits(s.substr(0, 5)) && all_digits(s.substr(6));
  return false;
}

std::optional<std::string_view> StateForZip(std::string_view zip) {
  if (!LooksLikeZip(zip)) return std::nullopt;
  const int prefix = Digit(zip[0]) * 100 + Digit(zip[1]) * 10 + Digit(zip[2]);
  const int five = prefix * 100 + Digit(zip[3]) * 10 + Digit(zip[4]);
  for (const ZipException& e : kZipExceptions) {
    if (five >= e.first && five <= e.last) {
      if (e.region.empty()) return std::nullopt;
      return e.region;
    }
  }
  const std::string_view state = kStateByPrefix[static_cast<std::size_t>(prefix)];
  if (state.empty()) return std::nullopt;
  return state;
}

bool LooksLikePostalCode(std::string_view s) {
  if (s.size() != 3 && s.size() != 6 && s.size() != 7) return false;
  // Forward sortation area: letter, digit, letter; W and Z never lead.
  const char first = Upper(s[0]);
  if (!IsPostalLetter(s[0]) || first == 'W' || first == 'Z') return false;
  if (!IsDigit(s[1]) || !IsPostalLetter(s[2])) return false;
  if (s.size() == 3) return true;
  // Local delivery unit: digit, letter, digit, after at most one separator.
  std::string_view ldu = s.substr(3);
  if (s.size() == 7) {
    if (s[3] != ' ' && s[3] != '-') return false;
    ldu = s.substr(4);
  }
  return IsDigit(ldu[0]) && IsPostalLetter(ldu[1]) && IsDigit(ldu[2]);
}

std::optional<std::string_view> ProvinceForPostalCode(std::string_view code) {
  if (!LooksLikePostalCode(code)) return std::nullopt;
  return ProvinceForFirstLetter(code[0], code[1], code[2]);
}

}  // namespace helpline::engine
