#include "directory/geo.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace helpline::directory {
namespace {

const std::string kFixtures = std::string(HELPLINE_SOURCE_DIR) + "/tests/directory/fixtures/geo";

GeoReference Fixture() {
  auto geo = GeoReference::LoadDir(kFixtures);
  EXPECT_TRUE(geo.ok()) << geo.status().ToString();
  return geo.ok() ? *std::move(geo) : GeoReference{};
}

TEST(Geo, DistancesInKmAndMiles) {
  // Chicago to New York: about 1,145 km / 711 mi along the great circle.
  const GeoPoint chicago{41.8781, -87.6298}, new_york{40.7128, -74.0060};
  EXPECT_NEAR(DistanceKm(chicago, new_york), 1145, 5);
  EXPECT_NEAR(DistanceMiles(chicago, new_york), 711.5, 3);
  EXPECT_DOUBLE_EQ(DistanceKm(chicago, chicago), 0);
  // Across the antimeridian and to the antipode.
  EXPECT_NEAR(DistanceKm({0, 179.5}, {0, -179.5}), 111.2, 0.5);
  EXPECT_NEAR(DistanceKm({0, 0}, {0, 180}), 3.14159265 * kEarthRadiusKm, 0.01);
}

TEST(Geo, LoadsTheFixtureFiles) {
  GeoReference geo = Fixture();
  EXPECT_EQ(geo.zip_count(), 4u);
  EXPECT_EQ(geo.city_count(), 8u);
  EXPECT_EQ(geo.postal_count(), 2u);
}

TEST(Geo, ZipCodesResolveToTheirPoint) {
  GeoReference geo = Fixture();
  auto loc = geo.Locate("NALOXONE 60614");
  EXPECT_EQ(loc.kind, LocationKind::kZip);
  ASSERT_TRUE(loc.has_point());
  EXPECT_DOUBLE_EQ(loc.point->lat, 41.9227);
  EXPECT_EQ(loc.region, "US-IL");
  EXPECT_EQ(loc.label, "60614");
  EXPECT_EQ(geo.Locate("detox 04101 please").region, "US-ME") << "a leading zero is kept";
  EXPECT_EQ(geo.Locate("call 99999").kind, LocationKind::kNone) << "an unknown ZIP is nothing";
  EXPECT_TRUE(geo.Zip("60614-1234").has_value());
}

TEST(Geo, CanadianPostalCodesFullFsaOrProvince) {
  GeoReference geo = Fixture();
  for (const char* text : {"naloxone near H2X 1Y4", "naloxone near h2x1y4", "H2X"}) {
    auto loc = geo.Locate(text);
    EXPECT_EQ(loc.kind, LocationKind::kFsa) << text;  // no full-code point in the data: its FSA's
    ASSERT_TRUE(loc.has_point()) << text;
    EXPECT_DOUBLE_EQ(loc.point->lon, -73.5690);
    EXPECT_EQ(loc.region, "CA-QC");
  }
  geo.AddCanadianPostal("H2X 1Y4", {45.514, -73.570}, "CA-QC");
  auto full = geo.Locate("naloxone near H2X 1Y4");
  EXPECT_EQ(full.kind, LocationKind::kPostalCode);
  EXPECT_EQ(full.label, "H2X 1Y4");
  EXPECT_DOUBLE_EQ(full.point->lat, 45.514);

  auto province = geo.Locate("detox K1A 0B1");  // Ottawa: no point in the fixture
  EXPECT_EQ(province.kind, LocationKind::kRegion);
  EXPECT_FALSE(province.has_point());
  EXPECT_EQ(province.region, "CA-ON");
  EXPECT_EQ(ProvinceOfPostalLetter('x'), "CA");
  EXPECT_EQ(ProvinceOfPostalLetter('D'), "");
  EXPECT_FALSE(geo.CanadianPostal("D2X 1Y4").has_value()) << "no postal code starts with D";
}

TEST(Geo, CitiesWithOptionalRegionAndAmbiguity) {
  GeoReference geo = Fixture();
  auto chicago = geo.Locate("detox chicago");
  EXPECT_EQ(chicago.kind, LocationKind::kCity);
  EXPECT_EQ(chicago.region, "US-IL");
  EXPECT_EQ(geo.Locate("naloxone in MONTREAL").region, "CA-QC") << "accents and case folded";
  EXPECT_EQ(geo.Locate("treatment new york").label, "New York") << "several words";
  // The largest when it is twice any other; a region after the name decides.
  EXPECT_EQ(geo.Locate("portland").region, "US-OR");
  EXPECT_EQ(geo.Locate("naloxone portland maine").region, "US-ME");
  EXPECT_EQ(geo.Locate("naloxone Portland, ME").region, "US-ME");
  auto springfield = geo.Locate("detox springfield");
  EXPECT_EQ(springfield.kind, LocationKind::kAmbiguous);
  EXPECT_FALSE(springfield.has_point());
  ASSERT_EQ(springfield.candidates.size(), 2u);
  EXPECT_EQ(springfield.candidates[0].region, "US-MA") << "largest first";
  EXPECT_EQ(geo.Locate("detox springfield il").region, "US-IL");
  EXPECT_EQ(geo.Locate("i need help").kind, LocationKind::kNone);
  // Region names, the end of one, everyday words and small towns need their region.
  geo.AddCity({"Ontario", "US-CA", {34.06, -117.65}, 175265});
  geo.AddCity({"Columbia", "US-SC", {34.0, -81.03}, 136632});
  geo.AddCity({"Hope", "CA-BC", {49.38, -121.44}, 4598});
  geo.AddCity({"Mobile", "US-AL", {30.69, -88.04}, 194288});
  EXPECT_EQ(geo.Locate("naloxone ontario").kind, LocationKind::kNone);
  EXPECT_EQ(geo.Locate("naloxone british columbia").kind, LocationKind::kNone);
  EXPECT_EQ(geo.Locate("i hope to find detox").kind, LocationKind::kNone);
  EXPECT_EQ(geo.Locate("mobile crisis team").kind, LocationKind::kNone);
  EXPECT_EQ(geo.Locate("naloxone in hope bc").region, "CA-BC");
  EXPECT_EQ(geo.Locate("naloxone columbia sc").region, "US-SC");
}

TEST(Geo, BadFilesAreErrorsNamingFileAndLine) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("helpline-geo-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(kFixtures + "/cities.tsv", dir / "cities.tsv");
  std::ofstream(dir / "us-zip.tsv") << "60614\t41.9\t-87.6\tUS-IL\n60615\t41.8\n";
  auto geo = GeoReference::LoadDir(dir.string());
  ASSERT_FALSE(geo.ok());
  EXPECT_NE(geo.status().message().find("us-zip.tsv:2: expected 4 tab-separated fields"), std::string::npos)
      << geo.status().ToString();
  std::ofstream(dir / "us-zip.tsv") << "60614\t41.9\t-87.6\tUS-IL\n60615\tnorth\t-87.6\tUS-IL\n";
  geo = GeoReference::LoadDir(dir.string());
  ASSERT_FALSE(geo.ok());
  EXPECT_NE(geo.status().message().find("us-zip.tsv:2: latitude or longitude"), std::string::npos)
      << geo.status().ToString();
  fs::remove(dir / "cities.tsv");
  EXPECT_FALSE(GeoReference::LoadDir(dir.string()).ok()) << "cities.tsv is required";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace helpline::directory
