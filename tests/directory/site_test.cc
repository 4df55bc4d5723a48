// Sites (kind "site", data/directory/sites/*.json): validation, the
// canonical codec, the diff, the directory listing and the index.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "directory/diff.h"
#include "directory/index.h"
#include "directory/json_codec.h"
#include "directory/validator.h"
#include "tests/directory/validation_text.h"

namespace helpline::directory {
namespace {

// A valid site; tests replace pieces of it.
std::string SiteJson(const std::string& id = "us-il-chicago-example") {
  return R"({
    "id": ")" +
         id + R"(", "kind": "site", "name": "Example Harm Reduction Center",
    "description": "Free naloxone and syringe services, walk in.",
    "categories": ["naloxone", "harm_reduction"], "regions": ["US-IL"], "languages": ["en", "es"],
    "channels": [{"kind": "voice", "value": "(312) 555-0142"}],
    "priority": 60, "source": "https://example.org/sites", "verified": "2026-11-24", "status": "active",
    "address": {"street": "1234 W Example Ave", "city": "Chicago", "region": "US-IL",
                "postal_code": "60614", "country": "US"},
    "coordinates": {"lat": 41.9214, "lon": -87.6513, "precision": "address"},
    "hours": "Mon-Fri 9:00-17:00"})";
}

std::string FileOf(const std::string& jurisdiction, const std::string& resources) {
  return R"({"jurisdiction": ")" + jurisdiction + R"(", "resources": [)" + resources + "]}";
}

ValidationReport Check(const std::string& name, const std::string& text) {
  Validator v(ValidatorOptions{365, "2026-11-25"});
  ValidationReport report;
  v.ValidateText(name, text, &report);
  v.Finish(&report);
  return report;
}

std::string All(const ValidationReport& r) {
  std::string s;
  for (const auto& d : r.diagnostics) s += d.ToString() + "\n";
  return s;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(Site, ValidSiteDecodesAddressCoordinatesAndPrecision) {
  auto r = Check("sites/us-il-chicago.json", FileOf("US-IL", SiteJson()));
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.WarningCount(), 0u) << All(r);
  ASSERT_EQ(r.resources.size(), 1u);
  const Resource& s = r.resources[0];
  EXPECT_TRUE(s.IsSite());
  ASSERT_TRUE(s.address.has_value());
  EXPECT_EQ(s.address->street, "1234 W Example Ave");
  EXPECT_EQ(s.address->postal_code, "60614");
  ASSERT_TRUE(s.coordinates.has_value());
  EXPECT_DOUBLE_EQ(s.coordinates->lat, 41.9214);
  EXPECT_EQ(s.coordinates->precision, CoordinatePrecision::kAddress);
  EXPECT_EQ(s.channels[0].value, "+13125550142");
}

TEST(Site, HoursAndChannelsAreOptionalForSitesOnly) {
  std::string text = Replace(SiteJson(), R"(,
    "hours": "Mon-Fri 9:00-17:00")",
                             "");
  text = Replace(text, R"([{"kind": "voice", "value": "(312) 555-0142"}])", "[]");
  auto r = Check("us-il-chicago.json", FileOf("US-IL", text));
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_TRUE(r.resources[0].hours.empty());
  EXPECT_EQ(ToCanonicalJson(r.resources[0]).find("\"hours\""), std::string::npos);

  // A service still needs its hours.
  std::string service = Replace(text, R"("kind": "site", )", "");
  service = Replace(service, "[]", R"([{"kind": "voice", "value": "(312) 555-0142"}])");
  auto s = Check("us-il-chicago.json", FileOf("US-IL", service));
  EXPECT_NE(All(s).find("us-il-chicago.json: /resources/0: missing required field hours"), std::string::npos) << All(s);
}

TEST(Site, ErrorsNameFilePointerAndProblem) {
  struct Case {
    std::string from, to, expected;
  };
  const Case cases[] = {
      {R"("lat": 41.9214, "lon": -87.6513)", R"("lat": -87.6513, "lon": 41.9214)",
       "/resources/0/coordinates: (-87.651300, 41.921400) is not in US"},
      {R"("lon": -87.6513)", R"("lon": 87.6513)", "/resources/0/coordinates: (41.921400, 87.651300) is not in US"},
      {R"("precision": "address")", R"("precision": "street")",
       "/resources/0/coordinates/precision: 'street' is not a known value"},
      {R"(, "precision": "address")", "", "/resources/0/coordinates: missing required field precision"},
      {R"("postal_code": "60614")", R"("postal_code": "6061")",
       "/resources/0/address/postal_code: '6061' is not a ZIP code"},
      {R"("country": "US")", R"("country": "CA")",
       "/resources/0/address/country: 'CA' is not the country of region 'US-IL'"},
      {R"("region": "US-IL",
                "postal)",
       R"("region": "US-WI",
                "postal)",
       "/resources/0/address/region: region 'US-WI' is outside this file's jurisdiction 'US-IL'"},
      {R"("region": "US-IL",
                "postal)",
       R"("region": "US-XX",
                "postal)",
       "/resources/0/address/region: unknown region 'US-XX'"},
      {R"("city": "Chicago", )", "", "/resources/0/address: missing required field city"},
  };
  for (const auto& c : cases) {
    auto r = Check("data/directory/sites/us-il-chicago.json", FileOf("US-IL", Replace(SiteJson(), c.from, c.to)));
    EXPECT_FALSE(r.ok()) << c.to;
    EXPECT_NE(All(r).find("data/directory/sites/us-il-chicago.json: " + c.expected), std::string::npos)
        << "expected: " << c.expected << "\ngot:\n"
        << All(r);
  }
}

TEST(Site, ASiteNeedsAnAddressAndCoordinatesAndOnlySitesHaveAnAddress) {
  std::string text = SiteJson();
  const auto from = text.find(R"("address")");
  const auto to = text.find(R"("hours")");
  text.erase(from, to - from);
  auto r = Check("us-il-chicago.json", FileOf("US-IL", text));
  EXPECT_NE(All(r).find("/resources/0: a site needs an address"), std::string::npos) << All(r);
  EXPECT_NE(All(r).find("/resources/0: a site needs coordinates"), std::string::npos) << All(r);

  std::string service = Replace(SiteJson(), R"("kind": "site", )", "");
  auto s = Check("us-il-chicago.json", FileOf("US-IL", service));
  EXPECT_NE(All(s).find("/resources/0/address: only a site"), std::string::npos) << All(s);
}

TEST(Site, CanadianPostalCodesAndTheCanadianBox) {
  std::string ca = SiteJson("ca-qc-montreal-example");
  ca = Replace(ca, R"("regions": ["US-IL"])", R"("regions": ["CA-QC"])");
  ca = Replace(ca, R"("(312) 555-0142")", R"("514-555-0142")");
  ca = Replace(ca, R"("city": "Chicago", "region": "US-IL",
                "postal_code": "60614", "country": "US")",
               R"("city": "Montréal", "region": "CA-QC",
                "postal_code": "H2X 1Y4", "country": "CA")");
  ca = Replace(ca, R"("lat": 41.9214, "lon": -87.6513)", R"("lat": 45.5122, "lon": -73.5680)");
  auto r = Check("ca-qc-montreal.json", FileOf("CA-QC", ca));
  EXPECT_TRUE(r.ok()) << All(r);
  auto bad = Check("ca-qc-montreal.json", FileOf("CA-QC", Replace(ca, "H2X 1Y4", "H2X1Y4")));
  EXPECT_NE(All(bad).find("/resources/0/address/postal_code: 'H2X1Y4' is not a Canadian postal code"),
            std::string::npos)
      << All(bad);
  auto south = Check("ca-qc-montreal.json", FileOf("CA-QC", Replace(ca, "45.5122", "25.5122")));
  EXPECT_NE(All(south).find("is not in CA"), std::string::npos) << All(south);
}

TEST(Site, IdOutsideItsFilesNameIsAWarning) {
  auto r = Check("sites/us-il-chicago.json", FileOf("US-IL", SiteJson("us-il-example")));
  EXPECT_TRUE(r.ok()) << All(r);
  EXPECT_NE(All(r).find("warning: /resources/0/id: a site's id should start with its file's name 'us-il-chicago-'"),
            std::string::npos)
      << All(r);
}

TEST(Site, CanonicalJsonRoundTripsAndTheDiffNamesAddressAndCoordinates) {
  auto r = Check("us-il-chicago.json", FileOf("US-IL", SiteJson()));
  ASSERT_TRUE(r.ok()) << All(r);
  const Resource& a = r.resources[0];
  const std::string json = ToCanonicalJson(a);
  EXPECT_NE(json.find(R"("status":"active","address":{"street":"1234 W Example Ave","city":"Chicago",)"
                      R"("region":"US-IL","postal_code":"60614","country":"US"},"coordinates":{"lat":41.9214,)"
                      R"("lon":-87.6513,"precision":"address"})"),
            std::string::npos)
      << json;
  auto back = ResourceFromJson(json);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, a);

  Resource b = a;
  b.coordinates->precision = CoordinatePrecision::kPostal;
  b.address->street = "1240 W Example Ave";
  auto diff = DiffDirectories({a}, {b});
  ASSERT_EQ(diff.changed.size(), 1u);
  ASSERT_EQ(diff.changed[0].fields.size(), 2u);
  EXPECT_EQ(diff.changed[0].fields[0].field, "address");
  EXPECT_EQ(diff.changed[0].fields[1].field, "coordinates");
  EXPECT_NE(FormatDiff(diff).find(R"("precision":"postal")"), std::string::npos) << FormatDiff(diff);
  EXPECT_NE(ContentDigest({a}), ContentDigest({b}));
}

TEST(Site, ADirectoryIsReadWithItsSitesSubfolderAndSitesAreNotRegionLines) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("helpline-sites-" + std::to_string(::getpid()));
  fs::create_directories(dir / "sites");
  std::ofstream(dir / "us-il.json") << FileOf("US-IL", R"({
    "id": "us-il-line", "name": "Illinois line", "description": "Help.",
    "categories": ["naloxone"], "regions": ["US-IL"], "languages": ["en"],
    "channels": [{"kind": "voice", "value": "1-833-234-6343"}], "hours": "24/7", "priority": 80,
    "source": "https://example.gov", "verified": "2026-11-24", "status": "active"})");
  std::ofstream(dir / "sites" / "us-il-chicago.json") << FileOf("US-IL", SiteJson());
  std::ofstream(dir / "sites" / "broken.json") << "{";

  Validator v(ValidatorOptions{365, "2026-11-25"});
  auto report = v.ValidatePaths({dir.string()});
  EXPECT_EQ(report.files.size(), 3u);
  EXPECT_NE(All(report).find((dir / "sites" / "broken.json").string() + ": malformed JSON"), std::string::npos)
      << All(report);
  ASSERT_EQ(report.resources.size(), 2u);
  EXPECT_EQ(report.origins[0].file, (dir / "sites" / "us-il-chicago.json").string());

  auto index = DirectoryIndex::Build(report.resources);
  auto lines = index->Lookup("US-IL", Category::kNaloxone);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]->id, "us-il-line");
  EXPECT_NE(index->Find("us-il-chicago-example"), nullptr);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace helpline::directory
