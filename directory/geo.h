#pragma once
// Where a person is, from what they text: great-circle distances and the
// geographic reference data in data/geo/ (see its README for sources and
// licences):
//   us-zip.tsv    ZIP <TAB> lat <TAB> lon <TAB> region (US-IL)
//   cities.tsv    name <TAB> region (US-IL, CA-BC) <TAB> lat <TAB> lon <TAB> population
//   ca-fsa.tsv    (optional) postal code (FSA "H2X" or full "H2X 1Y4") <TAB> lat <TAB> lon <TAB> region
// Lines starting with '#' and a header line (a non-numeric lat) are skipped.
//
//   auto geo = GeoReference::LoadDir("data/geo");        // Result<GeoReference>
//   Location at = geo->Locate("naloxone near H2X 1Y4");  // a point, or the province
//   double km = DistanceKm(at.point, site_point);
//
// A Canadian postal code resolves to its full code's point if the data has
// one, else its FSA's, else to its province (the first letter) with no
// point: the reply then says it answers for the province. A city name
// (folded: case and accents) may be followed by its state or province
// ("Portland, Maine", "portland or"); a name several regions share with no
// region given yields every candidate, largest first, and no point.
//
// Thread-safety: immutable after loading; any number of threads may read it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace helpline::directory {

struct GeoPoint {
  double lat = 0;
  double lon = 0;
  bool operator==(const GeoPoint&) const = default;
};

inline constexpr double kEarthRadiusKm = 6371.0088;  // mean radius (IUGG)
inline constexpr double kKmPerMile = 1.609344;

// Great-circle distance (haversine), in km and in statute miles.
double DistanceKm(GeoPoint a, GeoPoint b);
inline double DistanceMiles(GeoPoint a, GeoPoint b) { return DistanceKm(a, b) / kKmPerMile; }

// How a Location was found.
enum class LocationKind : std::uint8_t {
  kNone,        // nothing in the text names a place we know
  kZip,         // a US ZIP code's centroid
  kPostalCode,  // a full Canadian postal code's point
  kFsa,         // a Canadian forward sortation area's (first three characters) centroid
  kCity,        // a city's centre
  kRegion,      // only a state or province: a postal code with no point in the data
  kAmbiguous,   // a city name several regions share: see candidates
};
std::string_view LocationKindName(LocationKind k);

struct City {
  std::string name;    // as written in the data: "Montréal"
  std::string region;  // "CA-QC"
  GeoPoint point;
  std::int64_t population = 0;
};

struct Location {
  LocationKind kind = LocationKind::kNone;
  std::optional<GeoPoint> point;  // set for kZip, kPostalCode, kFsa, kCity
  std::string region;             // "US-IL", "CA-QC"; empty for kNone and kAmbiguous
  std::string label;              // what was understood: "60614", "H2X 1Y4", "H2X", "Chicago"
  std::vector<City> candidates;   // kAmbiguous: largest first
  bool has_point() const { return point.has_value(); }
};

// The province of a Canadian postal code's first letter ('H' -> "CA-QC"),
// "" if none. X is shared by the Northwest Territories and Nunavut: "CA".
std::string_view ProvinceOfPostalLetter(char letter);

class GeoReference {
 public:
  GeoReference() = default;

  // Reads the files of `dir` (us-zip.tsv and cities.tsv required,
  // ca-fsa.tsv optional). Errors name the file and line.
  static Result<GeoReference> LoadDir(const std::string& dir);

  // Adds entries (for tests and loaders). Codes and names are normalized.
  void AddZip(std::string_view zip, GeoPoint p, std::string_view region);
  void AddCanadianPostal(std::string_view code, GeoPoint p, std::string_view region);
  void AddCity(City city);

  // "60614" (or "60614-1234"); nullopt if unknown.
  std::optional<Location> Zip(std::string_view zip) const;
  // "H2X 1Y4", "h2x1y4", "H2X": the full code's point, else the FSA's,
  // else the province (kRegion, no point); nullopt if not a postal code.
  std::optional<Location> CanadianPostal(std::string_view code) const;
  // Cities by folded name, largest first; with `region` ("US-OR") only there.
  std::vector<const City*> Cities(std::string_view name, std::string_view region = {}) const;

  // The first place named in a message: a ZIP, a Canadian postal code (full
  // or FSA, with or without its space, any case), else the longest city name
  // (up to 4 words), with an optional state or province after it (a code
  // like "IL" or "QC", or its English name). kNone when nothing is found.
  Location Locate(std::string_view text) const;

  std::size_t zip_count() const { return zips_.size(); }
  std::size_t postal_count() const { return postal_.size(); }
  std::size_t city_count() const { return cities_.size(); }

 private:
  struct Coded {
    GeoPoint point;
    std::string region;
  };
  std::unordered_map<std::string, Coded> zips_;    // "60614"
  std::unordered_map<std::string, Coded> postal_;  // "H2X" and "H2X1Y4"
  std::vector<City> cities_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> city_by_name_;  // folded name -> cities_, largest first
  std::size_t longest_city_words_ = 1;
};

}  // namespace helpline::directory
