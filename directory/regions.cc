// The static region table and its lookups (see regions.h).
//
// The table is compile-time data. Two indexes are built once, on first use,
// in function-local statics (thread-safe initialization, immutable after):
// codes sorted for binary search, and folded names (lower case, no accents,
// one space between words) sorted for binary search. A lookup allocates
// nothing: FindRegionByName folds its input into a stack buffer.

#include "directory/regions.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace helpline::directory {
namespace {

constexpr RegionInfo kRegions[] = {
    {"*", "*", "Everywhere", "Partout", "En todas partes"},
    {"US", "US", "United States", "États-Unis", "Estados Unidos"},
    {"CA", "CA", "Canada", "Canada", "Canadá"},

    // The 50 US states and the District of Columbia.
    {"US-AL", "US", "Alabama", "Alabama", "Alabama"},
    {"US-AK", "US", "Alaska", "Alaska", "Alaska"},
    {"US-AZ", "US", "Arizona", "Arizona", "Arizona"},
    {"US-AR", "US", "Arkansas", "Arkansas", "Arkansas"},
    {"US-CA", "US", "California", "Californie", "California"},
    {"US-CO", "US", "Colorado", "Colorado", "Colorado"},
    {"US-CT", "US", "Connecticut", "Connecticut", "Connecticut"},
    {"US-DE", "US", "Delaware", "Delaware", "Delaware"},
    {"US-DC", "US", "District of Columbia", "District de Columbia", "Distrito de Columbia"},
    {"US-FL", "US", "Florida", "Floride", "Florida"},
    {"US-GA", "US", "Georgia", "Géorgie", "Georgia"},
    {"US-HI", "US", "Hawaii", "Hawaï", "Hawái"},
    {"US-ID", "US", "Idaho", "Idaho", "Idaho"},
    {"US-IL", "US", "Illinois", "Illinois", "Illinois"},
    {"US-IN", "US", "Indiana", "Indiana", "Indiana"},
    {"US-IA", "US", "Iowa", "Iowa", "Iowa"},
    {"US-KS", "US", "Kansas", "Kansas", "Kansas"},
    {"US-KY", "US", "Kentucky", "Kentucky", "Kentucky"},
    {"US-LA", "US", "Louisiana", "Louisiane", "Luisiana"},
    {"US-ME", "US", "Maine", "Maine", "Maine"},
    {"US-MD", "US", "Maryland", "Maryland", "Maryland"},
    {"US-MA", "US", "Massachusetts", "Massachusetts", "Massachusetts"},
    {"US-MI", "US", "Michigan", "Michigan", "Míchigan"},
    {"US-MN", "US", "Minnesota", "Minnesota", "Minnesota"},
    {"US-MS", "US", "Mississippi", "Mississippi", "Misisipi"},
    {"US-MO", "US", "Missouri", "Missouri", "Misuri"},
    {"US-MT", "US", "Montana", "Montana", "Montana"},
    {"US-NE", "US", "Nebraska", "Nebraska", "Nebraska"},
    {"US-NV", "US", "Nevada", "Nevada", "Nevada"},
    {"US-NH", "US", "New Hampshire", "New Hampshire", "Nuevo Hampshire"},
    {"US-NJ", "US", "New Jersey", "New Jersey", "Nueva Jersey"},
    {"US-NM", "US", "New Mexico", "Nouveau-Mexique", "Nuevo México"},
    {"US-NY", "US", "New York", "New York", "Nueva York"},
    {"US-NC", "US", "North Carolina", "Caroline du Nord", "Carolina del Norte"},
    {"US-ND", "US", "North Dakota", "Dakota du Nord", "Dakota del Norte"},
    {"US-OH", "US", "Ohio", "Ohio", "Ohio"},
    {"US-OK", "US", "Oklahoma", "Oklahoma", "Oklahoma"},
    {"US-OR", "US", "Oregon", "Oregon", "Oregón"},
    {"US-PA", "US", "Pennsylvania", "Pennsylvanie", "Pensilvania"},
    {"US-RI", "US", "Rhode Island", "Rhode Island", "Rhode Island"},
    {"US-SC", "US", "South Carolina", "Caroline du Sud", "Carolina del Sur"},
    {"US-SD", "US", "South Dakota", "Dakota du Sud", "Dakota del Sur"},
    {"US-TN", "US", "Tennessee", "Tennessee", "Tennessee"},
    {"US-TX", "US", "Texas", "Texas", "Texas"},
    {"US-UT", "US", "Utah", "Utah", "Utah"},
    {"US-VT", "US", "Vermont", "Vermont", "Vermont"},
    {"US-VA", "US", "Virginia", "Virginie", "Virginia"},
    {"US-WA", "US", "Washington", "Washington", "Washington"},
    {"US-WV", "US", "West Virginia", "Virginie-Occidentale", "Virginia Occidental"},
    {"US-WI", "US", "Wisconsin", "Wisconsin", "Wisconsin"},
    {"US-WY", "US", "Wyoming", "Wyoming", "Wyoming"},

    // The inhabited US territories.
    {"US-PR", "US", "Puerto Rico", "Porto Rico", "Puerto Rico"},
    {"US-VI", "US", "U.S. Virgin Islands", "Îles Vierges des États-Unis", "Islas Vírgenes de los Estados Unidos"},
    {"US-GU", "US", "Guam", "Guam", "Guam"},
    {"US-AS", "US", "American Samoa", "Samoa américaines", "Samoa Americana"},
    {"US-MP", "US", "Northern Mariana Islands", "Îles Mariannes du Nord", "Islas Marianas del Norte"},

    // The 10 Canadian provinces and 3 territories.
    {"CA-AB", "CA", "Alberta", "Alberta", "Alberta"},
    {"CA-BC", "CA", "British Columbia", "Colombie-Britannique", "Columbia Británica"},
    {"CA-MB", "CA", "Manitoba", "Manitoba", "Manitoba"},
    {"CA-NB", "CA", "New Brunswick", "Nouveau-Brunswick", "Nuevo Brunswick"},
    {"CA-NL", "CA", "Newfoundland and Labrador", "Terre-Neuve-et-Labrador", "Terranova y Labrador"},
    {"CA-NS", "CA", "Nova Scotia", "Nouvelle-Écosse", "Nueva Escocia"},
    {"CA-NT", "CA", "Northwest Territories", "Territoires du Nord-Ouest", "Territorios del Noroeste"},
    {"CA-NU", "CA", "Nunavut", "Nunavut", "Nunavut"},
    {"CA-ON", "CA", "Ontario", "Ontario", "Ontario"},
    {"CA-PE", "CA", "Prince Edward Island", "Île-du-Prince-Édouard", "Isla del Príncipe Eduardo"},
    {"CA-QC", "CA", "Quebec", "Québec", "Quebec"},
    {"CA-SK", "CA", "Saskatchewan", "Saskatchewan", "Saskatchewan"},
    {"CA-YT", "CA", "Yukon", "Yukon", "Yukon"},
};

// Other names people write, beyond the three official ones: short forms,
// other spellings, common misspellings. Names differing only in case,
// accents, apostrophes, separators or dots need no row ("Nuevo Mexico",
// "Colombie Britannique", "P.E.I." fold to a row below or an official name).
//
// `use` says how the message engine may read the name in free text (see
// NameUse): a short form that is also an everyday English, Spanish or French
// word is kCapitalsOnly ("MASS", "WASH") or kNotInText ("man", "miss", "ill",
// "del", "que", "alta", "ont"): a person writing "I'm a man" or "I miss my
// mom" must stay where they are. Two-letter codes are not here: the engine
// reads them with its own rules (region_resolver.cc).
struct Alias {
  std::string_view name;
  std::string_view code;
  NameUse use = NameUse::kAnywhere;
};

constexpr NameUse kCaps = NameUse::kCapitalsOnly;
constexpr NameUse kNotInText = NameUse::kNotInText;

constexpr Alias kAliases[] = {
    // Countries.
    {"USA", "US"},
    {"United States of America", "US"},
    {"EE UU", "US"},  // "EE.UU.", Spanish
    {"EEUU", "US"},

    // US states: postal-era abbreviations (Calif., Penna.), short forms
    // (Cali, Bama), "N Carolina"-style forms, Spanish and French spellings
    // beyond the official three, frequent misspellings.
    {"Bama", "US-AL"},
    {"Ala", "US-AL", kCaps},  // Spanish "ala" (wing)
    {"Ariz", "US-AZ"},
    {"Ark", "US-AR", kCaps},  // "ark"
    {"Calif", "US-CA"},
    {"Cali", "US-CA"},  // Cali, Colombia exists, but texted to a US/Canada line it is California
    {"Colo", "US-CO"},
    {"Conn", "US-CT"},
    {"Conneticut", "US-CT"},
    {"Del", "US-DE", kNotInText},  // Spanish "del", and a first name
    {"Washington DC", "US-DC"},
    {"Distrito de Colombia", "US-DC"},
    {"Fla", "US-FL"},
    {"Flordia", "US-FL"},
    {"Hawai'i", "US-HI"},
    {"Ill", "US-IL", kNotInText},  // "ill"
    {"Ills", "US-IL"},
    {"Ind", "US-IN"},
    {"Kans", "US-KS"},
    {"Kan", "US-KS", kCaps},
    {"Kentuky", "US-KY"},
    {"Louisianna", "US-LA"},
    {"Lousiana", "US-LA"},
    {"Mass", "US-MA", kCaps},  // "mass"
    {"Massachusets", "US-MA"},
    {"Massachussetts", "US-MA"},
    {"Mich", "US-MI"},
    {"Minn", "US-MN"},
    {"Minnesotta", "US-MN"},
    {"Miss", "US-MS", kNotInText},  // "I miss my mom"
    {"Missisippi", "US-MS"},
    {"Mississipi", "US-MS"},
    {"Mont", "US-MT", kCaps},  // French "mont" (Mont-Royal)
    {"Neb", "US-NE"},
    {"Nebr", "US-NE"},
    {"Nev", "US-NV"},
    {"N Mex", "US-NM"},
    {"Nuevo Méjico", "US-NM"},
    {"Nueva Hampshire", "US-NH"},
    {"New York State", "US-NY"},
    {"NY State", "US-NY"},
    {"N Carolina", "US-NC"},
    {"No Carolina", "US-NC"},
    {"N Dakota", "US-ND"},
    {"N Dak", "US-ND"},
    {"Okla", "US-OK"},
    {"Ore", "US-OR", kCaps},  // "ore"
    {"Oreg", "US-OR"},
    {"Penn", "US-PA", kCaps},  // a surname; Penn Station is in New York
    {"Penna", "US-PA"},
    {"Pennsilvania", "US-PA"},
    {"Pensylvania", "US-PA"},
    {"Pennsylvannia", "US-PA"},
    {"Borinquen", "US-PR"},
    {"S Carolina", "US-SC"},
    {"So Carolina", "US-SC"},
    {"S Dakota", "US-SD"},
    {"S Dak", "US-SD"},
    {"Tenn", "US-TN"},
    {"Tennesee", "US-TN"},
    {"Tennessse", "US-TN"},
    {"Tex", "US-TX", kCaps},   // "tex me back"
    {"Wash", "US-WA", kCaps},  // "wash"
    {"Washington State", "US-WA"},
    {"Wash State", "US-WA"},
    {"W Va", "US-WV"},
    {"WVa", "US-WV"},
    {"W Virginia", "US-WV"},
    {"West Va", "US-WV"},
    {"Virginia del Oeste", "US-WV"},
    {"Wisc", "US-WI"},
    {"Wis", "US-WI"},
    {"Wisconson", "US-WI"},
    {"Wyo", "US-WY"},

    // Canadian provinces and territories.
    {"Alta", "CA-AB", kNotInText},  // Spanish "alta" ("me dieron de alta")
    {"Man", "CA-MB", kNotInText},   // "I'm a man", "man I need help"
    {"Manitobah", "CA-MB"},
    {"Newfoundland", "CA-NL"},
    {"Labrador", "CA-NL"},
    {"Newfoundland Labrador", "CA-NL"},
    {"Nfld", "CA-NL"},
    {"Terre-Neuve", "CA-NL"},
    {"Terranova", "CA-NL"},
    {"Terre Neuve Labrador", "CA-NL"},
    {"NWT", "CA-NT"},
    {"TNO", "CA-NT"},  // Territoires du Nord-Ouest
    {"North West Territories", "CA-NT"},
    {"NW Territories", "CA-NT"},
    {"Nvt", "CA-NU"},
    {"Ont", "CA-ON", kNotInText},  // French "ils ont"
    {"PEI", "CA-PE"},
    {"IPE", "CA-PE"},  // Î.-P.-É.
    {"PE Island", "CA-PE"},
    {"Prince Edward Isl", "CA-PE"},
    {"Isla Príncipe Eduardo", "CA-PE"},
    {"Que", "CA-QC", kNotInText},  // Spanish and French "que", "qué"
    {"Queb", "CA-QC"},
    {"Province de Québec", "CA-QC"},
    {"Sask", "CA-SK"},
    {"Saskatchewen", "CA-SK"},
    {"Yuk", "CA-YT", kCaps},  // "yuk"
    {"Yukon Territory", "CA-YT"},
    {"Territoire du Yukon", "CA-YT"},
};

// Folded names are short; anything longer than this matches nothing.
constexpr std::size_t kMaxFoldedBytes = 96;

// ASCII for the Latin-1 supplement letters U+00C0..U+00FF, indexed by the
// second byte of their UTF-8 form (0xC3 0x80..0xBF) minus 0x80. An empty entry
// is a symbol (× ÷) that is kept as is.
constexpr std::string_view kLatin1Folds[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0-CF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0-EF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",   // F0-FF
};

// A fixed-capacity output buffer for folding; `overflow` is set instead of
// writing past the end.
struct FoldBuffer {
  std::array<char, kMaxFoldedBytes> bytes{};
  std::size_t size = 0;
  bool overflow = false;
  bool pending_space = false;

  void Put(std::string_view s) {
    if (pending_space && size > 0) PutRaw(" ");
    pending_space = false;
    PutRaw(s);
  }
  void PutRaw(std::string_view s) {
    if (size + s.size() > bytes.size()) {
      overflow = true;
      return;
    }
    std::copy(s.begin(), s.end(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
    size += s.size();
  }
  std::string_view view() const { return {bytes.data(), size}; }
};

bool IsSeparator(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-' || c == '.' || c == ',' || c == '_' || c == '&' ||
         c == '/';
}

// Joins runs of one-letter words, so that the initials of "U.S.A." ("u s a")
// read as "usa". Works in place: the output never outgrows the input.
void JoinInitials(FoldBuffer& buffer) {
  std::size_t out = 0;
  std::size_t previous_word_size = 0;
  std::size_t i = 0;
  while (i < buffer.size) {
    std::size_t end = i;
    while (end < buffer.size && buffer.bytes[end] != ' ') ++end;
    const std::size_t word_size = end - i;
    if (out > 0 && !(word_size == 1 && previous_word_size == 1)) buffer.bytes[out++] = ' ';
    for (std::size_t k = i; k < end; ++k) buffer.bytes[out++] = buffer.bytes[k];
    previous_word_size = word_size;
    i = end + 1;  // past the single space between words
  }
  buffer.size = out;
}

// Lower case, accents removed (Latin-1 letters only; other UTF-8 is kept as
// is), apostrophes (' and U+2019) dropped as the message engine drops them
// ("Hawai'i" -> "hawaii"), every run of separators (space, '-', '.', ',',
// '_', '&', '/') turned into one space with none at either end, and initials
// joined ("u s a" -> "usa").
// Returns false if the result does not fit.
bool Fold(std::string_view in, FoldBuffer& out) {
  for (std::size_t i = 0; i < in.size() && !out.overflow; ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (IsSeparator(c)) {
      out.pending_space = true;
    } else if (c == '\'') {
      // dropped: "hawai'i" is "hawaii"
    } else if (c == 0xE2 && in.substr(i, 3) == "\xE2\x80\x99") {
      i += 2;  // U+2019, the apostrophe phones type
    } else if (c >= 'A' && c <= 'Z') {
      const char lower = static_cast<char>(c - 'A' + 'a');
      out.Put(std::string_view(&lower, 1));
    } else if (c == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xA0) {
      out.pending_space = true;  // no-break space
      ++i;
    } else if (c == 0xC3 && i + 1 < in.size()) {
      const auto next = static_cast<unsigned char>(in[i + 1]);
      if (next >= 0x80 && next <= 0xBF && !kLatin1Folds[next - 0x80].empty()) {
        out.Put(kLatin1Folds[next - 0x80]);
        ++i;
      } else {
        out.Put(in.substr(i, 1));
      }
    } else if (c == 0xC5 && i + 1 < in.size() &&
               (static_cast<unsigned char>(in[i + 1]) == 0x92 || static_cast<unsigned char>(in[i + 1]) == 0x93)) {
      out.Put("oe");  // Œ œ
      ++i;
    } else {
      out.Put(in.substr(i, 1));
    }
  }
  if (out.overflow) return false;
  JoinInitials(out);
  return true;
}

// The folded form of a table name, built once at start.
std::string FoldName(std::string_view name) {
  FoldBuffer buffer;
  if (!Fold(name, buffer)) return std::string(name);  // never for the table's names
  return std::string(buffer.view());
}

const std::vector<const RegionInfo*>& RegionsByCode() {
  static const std::vector<const RegionInfo*> by_code = [] {
    std::vector<const RegionInfo*> v;
    for (const RegionInfo& r : AllRegions()) v.push_back(&r);
    std::sort(v.begin(), v.end(), [](const RegionInfo* a, const RegionInfo* b) { return a->code < b->code; });
    return v;
  }();
  return by_code;
}

struct NameEntry {
  std::string folded;
  RegionNameMatch match;
};
using NameIndex = std::vector<NameEntry>;

const NameIndex& RegionsByFoldedName() {
  static const NameIndex by_name = [] {
    NameIndex v;
    for (const RegionInfo& r : AllRegions()) {
      // "Everywhere" / "Partout" / "En todas partes" are a directory notion,
      // not somewhere a person is: "I looked everywhere" moves nobody.
      const NameUse use = r.code == kEverywhere ? NameUse::kNotInText : NameUse::kAnywhere;
      for (std::string_view name : {r.name_en, r.name_fr, r.name_es}) {
        v.push_back({FoldName(name), {&r, use}});
      }
    }
    for (const Alias& alias : kAliases) {
      const RegionInfo* region = FindRegion(alias.code);
      if (region == nullptr) {
        std::fprintf(stderr, "regions.cc: the alias '%.*s' names an unknown region\n",
                     static_cast<int>(alias.name.size()), alias.name.data());
        std::abort();
      }
      v.push_back({FoldName(alias.name), {region, alias.use}});
    }
    // Sorted by name, then by use: of one region's duplicate names (a name
    // shared by two languages) the first, most permissive, is kept.
    std::sort(v.begin(), v.end(), [](const NameEntry& a, const NameEntry& b) {
      return a.folded != b.folded ? a.folded < b.folded : a.match.use < b.match.use;
    });
    // A name shared by two regions, or a two-letter name (codes are read by
    // the caller), is a bug in the tables above.
    for (std::size_t i = 0; i < v.size(); ++i) {
      const bool clash = i > 0 && v[i].folded == v[i - 1].folded && v[i].match.region != v[i - 1].match.region;
      if (clash || v[i].folded.size() < 3) {
        std::fprintf(stderr, "regions.cc: the name '%s' is %s\n", v[i].folded.c_str(),
                     clash ? "given to two regions" : "a code, not a name");
        std::abort();
      }
    }
    v.erase(
        std::unique(v.begin(), v.end(), [](const NameEntry& a, const NameEntry& b) { return a.folded == b.folded; }),
        v.end());
    return v;
  }();
  return by_name;
}

}  // namespace

// The one copy of the table that every returned pointer points into.
const std::vector<RegionInfo>& AllRegions() {
  static const std::vector<RegionInfo> all(std::begin(kRegions), std::end(kRegions));
  return all;
}

const std::vector<const RegionInfo*>& Jurisdictions() {
  static const std::vector<const RegionInfo*> jurisdictions = [] {
    std::vector<const RegionInfo*> v;
    for (const RegionInfo& r : AllRegions()) {
      if (r.code.size() != 5) continue;  // "*" and the countries
      const std::string_view sub = r.code.substr(3);
      if (r.country == "US" && (sub == "VI" || sub == "GU" || sub == "AS" || sub == "MP")) continue;
      v.push_back(&r);
    }
    return v;
  }();
  return jurisdictions;
}

const RegionInfo* FindRegion(std::string_view code) {
  const auto& by_code = RegionsByCode();
  auto it = std::lower_bound(by_code.begin(), by_code.end(), code,
                             [](const RegionInfo* r, std::string_view c) { return r->code < c; });
  if (it == by_code.end() || (*it)->code != code) return nullptr;
  return *it;
}

bool IsKnownRegion(std::string_view code) { return FindRegion(code) != nullptr; }

std::optional<std::string_view> ParentRegion(std::string_view code) {
  const RegionInfo* region = FindRegion(code);
  if (region == nullptr || region->code == kEverywhere) return std::nullopt;
  if (region->country == region->code) return kEverywhere;
  return region->country;
}

std::vector<std::string_view> Ancestry(std::string_view code) {
  std::vector<std::string_view> chain;
  const RegionInfo* region = FindRegion(code);
  if (region == nullptr) return chain;
  chain.push_back(region->code);
  for (auto parent = ParentRegion(region->code); parent; parent = ParentRegion(*parent)) {
    chain.push_back(*parent);
  }
  return chain;
}

std::string_view CountryOf(std::string_view code) {
  const RegionInfo* region = FindRegion(code);
  return region == nullptr ? std::string_view() : region->country;
}

std::optional<RegionNameMatch> MatchRegionName(std::string_view name) {
  FoldBuffer folded;
  if (!Fold(name, folded) || folded.size == 0) return std::nullopt;
  const std::string_view key = folded.view();
  const NameIndex& by_name = RegionsByFoldedName();
  auto it = std::lower_bound(by_name.begin(), by_name.end(), key,
                             [](const NameEntry& e, std::string_view k) { return e.folded < k; });
  if (it == by_name.end() || it->folded != key) return std::nullopt;
  return it->match;
}

const RegionInfo* FindRegionByName(std::string_view name) {
  const auto match = MatchRegionName(name);
  return match ? match->region : nullptr;
}

}  // namespace helpline::directory
