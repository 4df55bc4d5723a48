#include "directory/geo.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "common/text_normalize.h"
#include "directory/regions.h"

namespace helpline::directory {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

// A..Z -> province of a Canadian postal code's first letter.
constexpr std::array<std::string_view, 26> kPostalLetterProvince = {
    "CA-NL", "CA-NS", "CA-PE", "", "CA-NB", "",      "CA-QC", "CA-QC", "",      "CA-QC", "CA-ON", "CA-ON", "CA-ON",
    "CA-ON", "",      "CA-ON", "", "CA-MB", "CA-SK", "CA-AB", "",      "CA-BC", "",      "CA",    "CA-YT", "",
};

bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

// "h2x 1y4", "H2X1Y4" -> "H2X1Y4"; "h2x" -> "H2X"; "" if not that shape.
std::string CanonicalPostal(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    out += Upper(c);
  }
  if (out.size() != 3 && out.size() != 6) return {};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool want_letter = i % 2 == 0;
    if (want_letter ? !IsAlpha(out[i]) : !IsDigit(out[i])) return {};
  }
  // No Canadian postal code starts with D, F, I, O, Q, U, W or Z.
  if (ProvinceOfPostalLetter(out[0]).empty()) return {};
  return out;
}

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

// Calls row(fields, line_number) for each data line of a TSV file; rows
// returning an error message stop the load with "file:line: message".
template <typename Row>
Status ReadTsv(const std::string& path, std::size_t columns, bool required, const Row& row) {
  std::ifstream in(path);
  if (!in) return required ? InvalidArgument(path + ": cannot be read") : Status::Ok();
  std::string line;
  std::size_t number = 0;
  bool seen_data = false;  // a header (a non-number where lat is) only before the first data line
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto fields = SplitTabs(line);
    if (fields.size() < columns) {
      return InvalidArgument(path + ":" + std::to_string(number) + ": expected " + std::to_string(columns) +
                             " tab-separated fields, found " + std::to_string(fields.size()));
    }
    std::string problem = row(fields);
    if (problem == "header") {
      if (!seen_data) continue;
      problem = "latitude or longitude is not a number";
    }
    seen_data = true;
    if (!problem.empty()) return InvalidArgument(path + ":" + std::to_string(number) + ": " + problem);
  }
  return Status::Ok();
}

std::string CheckPoint(std::optional<double> lat, std::optional<double> lon) {
  if (!lat || !lon) return "header";  // a non-number: a header on line 1, an error anywhere else
  if (*lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) return "latitude or longitude out of range";
  return {};
}

// Everyday words (en, es, fr) that are also the names of towns: never a
// city in a message unless a state or province follows ("Hope, BC").
bool IsOrdinaryWord(std::string_view folded) {
  static constexpr std::string_view kWords[] = {
      "ayer",  "blanco",   "canadian",     "center",   "centre",  "como",  "cool",  "friend", "golden",     "home",
      "hope",  "hurt",     "independence", "liberty",  "love",    "many",  "minor", "mobile", "needles",    "normal",
      "nuevo", "paradise", "primera",      "progress", "trainer", "unity", "van",   "weed",   "why",        "sweet",
      "early", "energy",   "happy",        "harmony",  "justice", "mercy", "ideal", "rescue", "protection", "welcome",
  };
  return std::find(std::begin(kWords), std::end(kWords), folded) != std::end(kWords);
}

// Towns smaller than this are found only with their state or province after them.
constexpr std::int64_t kAloneMinPopulation = 10000;
// A city named like its state ("New York") is the city above this size.
constexpr std::int64_t kRegionNameCityPopulation = 1000000;

}  // namespace

double DistanceKm(GeoPoint a, GeoPoint b) {
  const double lat1 = a.lat * kDegToRad, lat2 = b.lat * kDegToRad;
  const double dlat = lat2 - lat1, dlon = (b.lon - a.lon) * kDegToRad;
  const double s1 = std::sin(dlat / 2), s2 = std::sin(dlon / 2);
  const double h = s1 * s1 + std::cos(lat1) * std::cos(lat2) * s2 * s2;
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

std::string_view LocationKindName(LocationKind k) {
  static constexpr std::array<std::string_view, 7> kNames = {"none", "zip",    "postal_code", "fsa",
                                                             "city", "region", "ambiguous"};
  return kNames[static_cast<std::size_t>(k)];
}

std::string_view ProvinceOfPostalLetter(char letter) {
  const char u = Upper(letter);
  if (u < 'A' || u > 'Z') return {};
  return kPostalLetterProvince[static_cast<std::size_t>(u - 'A')];
}

Result<GeoReference> GeoReference::LoadDir(const std::string& dir) {
  GeoReference geo;
  Status s = ReadTsv(dir + "/us-zip.tsv", 4, true, [&](const std::vector<std::string_view>& f) -> std::string {
    if (auto p = CheckPoint(ParseDouble(f[1]), ParseDouble(f[2])); !p.empty()) return p;
    if (f[0].size() != 5 || !std::all_of(f[0].begin(), f[0].end(), IsDigit))
      return "'" + std::string(f[0]) + "' is not a ZIP";
    if (CountryOf(f[3]) != "US") return "'" + std::string(f[3]) + "' is not a US region";
    geo.AddZip(f[0], {*ParseDouble(f[1]), *ParseDouble(f[2])}, f[3]);
    return {};
  });
  if (!s.ok()) return s;
  s = ReadTsv(dir + "/cities.tsv", 5, true, [&](const std::vector<std::string_view>& f) -> std::string {
    if (auto p = CheckPoint(ParseDouble(f[2]), ParseDouble(f[3])); !p.empty()) return p;
    if (!IsKnownRegion(f[1]) || CountryOf(f[1]) == f[1])
      return "'" + std::string(f[1]) + "' is not a state or province";
    std::int64_t population = 0;
    std::from_chars(f[4].data(), f[4].data() + f[4].size(), population);
    geo.AddCity({std::string(f[0]), std::string(f[1]), {*ParseDouble(f[2]), *ParseDouble(f[3])}, population});
    return {};
  });
  if (!s.ok()) return s;
  s = ReadTsv(dir + "/ca-fsa.tsv", 4, false, [&](const std::vector<std::string_view>& f) -> std::string {
    if (auto p = CheckPoint(ParseDouble(f[1]), ParseDouble(f[2])); !p.empty()) return p;
    if (CanonicalPostal(f[0]).empty()) return "'" + std::string(f[0]) + "' is not a Canadian postal code or FSA";
    geo.AddCanadianPostal(f[0], {*ParseDouble(f[1]), *ParseDouble(f[2])}, f[3]);
    return {};
  });
  if (!s.ok()) return s;
  return geo;
}

void GeoReference::AddZip(std::string_view zip, GeoPoint p, std::string_view region) {
  zips_[std::string(zip.substr(0, 5))] = {p, std::string(region)};
}

void GeoReference::AddCanadianPostal(std::string_view code, GeoPoint p, std::string_view region) {
  std::string key = CanonicalPostal(code);
  if (!key.empty()) postal_[key] = {p, std::string(region)};
}

void GeoReference::AddCity(City city) {
  const std::string key = FoldText(city.name);
  if (key.empty()) return;
  const auto index = static_cast<std::uint32_t>(cities_.size());
  cities_.push_back(std::move(city));
  auto& list = city_by_name_[key];
  list.push_back(index);
  std::stable_sort(list.begin(), list.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return cities_[a].population > cities_[b].population; });
  longest_city_words_ = std::max<std::size_t>(longest_city_words_, std::count(key.begin(), key.end(), ' ') + 1);
}

std::optional<Location> GeoReference::Zip(std::string_view zip) const {
  if (zip.size() != 5 && !(zip.size() == 10 && zip[5] == '-')) return std::nullopt;
  auto it = zips_.find(std::string(zip.substr(0, 5)));
  if (it == zips_.end()) return std::nullopt;
  Location loc;
  loc.kind = LocationKind::kZip;
  loc.point = it->second.point;
  loc.region = it->second.region;
  loc.label = std::string(zip.substr(0, 5));
  return loc;
}

std::optional<Location> GeoReference::CanadianPostal(std::string_view code) const {
  const std::string key = CanonicalPostal(code);
  if (key.empty()) return std::nullopt;
  Location loc;
  const std::string fsa = key.substr(0, 3);
  auto pretty = [](const std::string& k) { return k.size() == 6 ? k.substr(0, 3) + " " + k.substr(3) : k; };
  if (auto it = postal_.find(key); key.size() == 6 && it != postal_.end()) {
    loc.kind = LocationKind::kPostalCode;
    loc.point = it->second.point;
    loc.region = it->second.region;
    loc.label = pretty(key);
  } else if (auto f = postal_.find(fsa); f != postal_.end()) {
    loc.kind = LocationKind::kFsa;
    loc.point = f->second.point;
    loc.region = f->second.region;
    loc.label = fsa;
  } else {
    loc.kind = LocationKind::kRegion;
    loc.region = std::string(ProvinceOfPostalLetter(key[0]));
    loc.label = pretty(key);
  }
  return loc;
}

std::vector<const City*> GeoReference::Cities(std::string_view name, std::string_view region) const {
  std::vector<const City*> out;
  auto it = city_by_name_.find(FoldText(name));
  if (it == city_by_name_.end()) return out;
  for (std::uint32_t i : it->second) {
    if (region.empty() || cities_[i].region == region) out.push_back(&cities_[i]);
  }
  return out;
}

Location GeoReference::Locate(std::string_view text) const {
  const std::vector<Token> tokens = Tokenize(text);
  // Postal codes and ZIPs first: they are the most precise.
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i].text;
    if (tokens[i].digits && t.size() == 5) {
      if (auto loc = Zip(t)) return *loc;
      continue;
    }
    if (t.size() == 6 && !CanonicalPostal(t).empty()) return *CanadianPostal(t);
    if (t.size() == 3 && !CanonicalPostal(t).empty()) {
      // "H2X 1Y4" arrives as two tokens; "H2X" alone is an FSA.
      if (i + 1 < tokens.size() && tokens[i + 1].text.size() == 3 && IsDigit(tokens[i + 1].text[0]) &&
          IsAlpha(tokens[i + 1].text[1]) && IsDigit(tokens[i + 1].text[2])) {
        return *CanadianPostal(t + tokens[i + 1].text);
      }
      return *CanadianPostal(t);
    }
  }
  // Then the longest city name, with an optional region after it.
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    for (std::size_t n = std::min(longest_city_words_, tokens.size() - i); n >= 1; --n) {
      std::string name;
      for (std::size_t k = 0; k < n; ++k) name += (k ? " " : "") + tokens[i + k].text;
      auto it = city_by_name_.find(name);
      if (it == city_by_name_.end()) continue;
      // A region after the name: a two-letter code ("IL", "qc") or a name (up to 3 words).
      std::string region;
      const std::size_t after = i + n;
      for (std::size_t m = std::min<std::size_t>(3, tokens.size() - after); m >= 1 && region.empty(); --m) {
        std::string words;
        for (std::size_t k = 0; k < m; ++k) words += (k ? " " : "") + tokens[after + k].text;
        for (std::uint32_t c : it->second) {
          const std::string& code = cities_[c].region;
          std::string tail = code.substr(code.find('-') + 1);
          std::transform(tail.begin(), tail.end(), tail.begin(),
                         [](char ch) { return static_cast<char>(std::tolower(ch)); });
          const RegionInfo* named = m > 1 || words.size() > 2 ? FindRegionByName(words) : nullptr;
          if ((m == 1 && words == tail) || (named != nullptr && named->code == code)) {
            region = code;
            break;
          }
        }
      }
      if (region.empty()) {
        // Alone, a name must not be a state or province ("Quebec",
        // "Ontario"), end one ("British Columbia"), be an everyday word
        // ("hope") or a small town's.
        const bool ends_region = i > 0 && FindRegionByName(tokens[i - 1].text + " " + name) != nullptr;
        const City& largest = cities_[it->second.front()];
        const bool region_name = FindRegionByName(name) != nullptr && largest.population < kRegionNameCityPopulation;
        if (region_name || ends_region || IsOrdinaryWord(name) || largest.population < kAloneMinPopulation) {
          continue;
        }
      }
      std::vector<const City*> found = Cities(name, region);
      if (found.empty()) continue;
      Location loc;
      // Several regions share the name and none was given: the largest
      // only when it is at least twice any other, else ask.
      const bool clear = found.size() == 1 || found[0]->population >= 2 * found[1]->population;
      if (!clear) {
        loc.kind = LocationKind::kAmbiguous;
        loc.label = found[0]->name;
        for (const City* c : found) loc.candidates.push_back(*c);
        return loc;
      }
      loc.kind = LocationKind::kCity;
      loc.point = found[0]->point;
      loc.region = found[0]->region;
      loc.label = found[0]->name;
      return loc;
    }
  }
  return {};
}

}  // namespace helpline::directory
