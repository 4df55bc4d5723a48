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
    {"US-VI", "US", "U.S. Virgin Islands", "Îles Vierges des États-Unis",
     "Islas Vírgenes de los Estados Unidos"},
    {"US-GU", "US", "Guam", "Guam", "Guam"},
    {"US-AS", "US", "American Samoa", "Samoa américaines", "Samoa Americana"},
    {"US-MP", "US", "Northern Mariana Islands", "Îles Mariannes du Nord",
     "Islas Marianas del Norte"},

    // The 10 Canadian provinces and 3 territories.
    {"CA-AB", "CA", "Alberta", "Alberta", "Alberta"},
    {"CA-BC", "CA", "British Columbia", "Colombie-Britannique", "Columbia Británica"},
    {"CA-MB", "CA", "Manitoba", "Manitoba", "Manitoba"},
    {"CA-NB", "CA", "New Brunswick", "Nouveau-Brunswick", "Nuevo Brunswick"},
    {"CA-NL", "CA", "Newfoundland and Labrador", "Terre-Neuve-et-Labrador", "Terranova y Labrador"},
    {"CA-NS", "CA", "Nova Scotia", "Nouvelle-Écosse", "Nueva Escocia"},
    {"CA-NT", "CA", "Northwest Territories", "Territoires du Nord-Ouest",
     "Territorios del Noroeste"},
    {"CA-NU", "CA", "Nunavut", "Nunavut", "Nunavut"},
    {"CA-ON", "CA", "Ontario", "Ontario", "Ontario"},
    {"CA-PE", "CA", "Prince Edward Island", "Île-du-Prince-Édouard", "Isla del Príncipe Eduardo"},
    {"CA-QC", "CA", "Quebec", "Québec", "Quebec"},
    {"CA-SK", "CA", "Saskatchewan", "Saskatchewan", "Saskatchewan"},
    {"CA-YT", "CA", "Yukon", "Yukon", "Yukon"},
};

// Other names people write, beyond the three official ones.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"USA", "US"},
    {"United States of America", "US"},
    {"Washington DC", "US-DC"},
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
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-' || c == '.' || c == ',' ||
         c == '_';
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
// is), every run of separators (space, '-', '.', ',', '_') turned into one
// space with none at either end, and initials joined ("u s a" -> "usa").
// Returns false if the result does not fit.
bool Fold(std::string_view in, FoldBuffer& out) {
  for (std::size_t i = 0; i < in.size() && !out.overflow; ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (IsSeparator(c)) {
      out.pending_space = true;
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
               (static_cast<unsigned char>(in[i + 1]) == 0x92 ||
                static_cast<unsigned char>(in[i + 1]) == 0x93)) {
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
    std::sort(v.begin(), v.end(),
              [](const RegionInfo* a, const RegionInfo* b) { return a->code < b->code; });
    return v;
  }();
  return by_code;
}

using NameIndex = std::vector<std::pair<std::string, const RegionInfo*>>;

const NameIndex& RegionsByFoldedName() {
  static const NameIndex by_name = [] {
    NameIndex v;
    for (const RegionInfo& r : AllRegions()) {
      for (std::string_view name : {r.name_en, r.name_fr, r.name_es}) {
        v.emplace_back(FoldName(name), &r);
      }
    }
    for (const auto& [alias, code] : kAliases) v.emplace_back(FoldName(alias), FindRegion(code));
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // A name shared by two languages of one region appears twice; keep one.
    // A name shared by two regions is a bug in the table above.
    for (std::size_t i = 1; i < v.size(); ++i) {
      if (v[i].first == v[i - 1].first && v[i].second != v[i - 1].second) {
        std::fprintf(stderr, "regions.cc: the name '%s' is given to two regions\n",
                     v[i].first.c_str());
        std::abort();
      }
    }
    v.erase(std::unique(v.begin(), v.end(),
                        [](const auto& a, const auto& b) { return a.first == b.first; }),
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

const RegionInfo* FindRegionByName(std::string_view name) {
  FoldBuffer folded;
  if (!Fold(name, folded) || folded.size == 0) return nullptr;
  const std::string_view key = folded.view();
  const NameIndex& by_name = RegionsByFoldedName();
  auto it = std::lower_bound(by_name.begin(), by_name.end(), key,
                             [](const std::pair<std::string, const RegionInfo*>& e,
                                std::string_view k) { return e.first < k; });
  if (it == by_name.end() || it->first != key) return nullptr;
  return it->second;
}

}  // namespace helpline::directory
