#include "directory/hsds_export.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "directory/hsds_import.h"
#include "directory/validator.h"
#include "tests/directory/validation_text.h"

namespace helpline::directory {
namespace {

namespace fs = std::filesystem;

Resource Base(std::string id, ResourceKind kind) {
  Resource r;
  r.id = std::move(id);
  r.kind = kind;
  r.name = "Name of " + r.id;
  r.description = "What " + r.id + " offers, in one sentence.";
  r.categories = {Category::kNaloxone, Category::kHarmReduction};
  r.regions = {"US-IL"};
  r.languages = {"en", "es"};
  r.hours = "Mo-Fr 9:00-17:00";
  r.source = "https://example.org/" + r.id;
  r.verified = "2026-11-20";
  return r;
}

Resource Site(std::string id, double lat, double lon) {
  Resource r = Base(std::move(id), ResourceKind::kSite);
  r.address = Address{"1234 W Example Ave, Suite \"B\"", "Chicago", "US-IL", "60614", "US"};
  r.coordinates = Coordinates{lat, lon, CoordinatePrecision::kAddress};
  r.channels = {{ChannelKind::kVoice, "+13125550142", "", "", "", ""}};
  return r;
}

// Two sites, a line with a voice and a text number, and three that are left
// out: unconfirmed, retired, a fact; and one of another state.
std::vector<Resource> Sample() {
  std::vector<Resource> rs;
  rs.push_back(Site("il-site-one", 41.9214, -87.6513));
  Resource two = Site("il-site-two", 41.8781234, -87.6297982);
  two.name = "Second site, with a comma";
  two.categories = {Category::kDetox};
  two.channels.clear();  // walk-in
  rs.push_back(two);
  Resource line = Base("il-line", ResourceKind::kService);
  line.categories = {Category::kTreatmentReferral, Category::kFamily, Category::kYouth};
  line.channels = {{ChannelKind::kVoice, "+18005550199", "", "", "", ""},
                   {ChannelKind::kSms, "+18005550198", "", "HELP", "", ""}};
  line.hours = "24/7";
  rs.push_back(line);
  Resource unconfirmed = Site("il-unconfirmed", 41.9, -87.6);
  unconfirmed.status = ResourceStatus::kUnconfirmed;
  rs.push_back(unconfirmed);
  Resource retired = Site("il-retired", 41.9, -87.6);
  retired.status = ResourceStatus::kRetired;
  rs.push_back(retired);
  Resource fact = Base("il-fact", ResourceKind::kInfo);
  rs.push_back(fact);
  Resource other = Site("in-site", 39.77, -86.16);
  other.regions = {"US-IN"};
  other.address->region = "US-IN";
  rs.push_back(other);
  return rs;
}

class HsdsExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hsds-export-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

const Resource* Named(const std::vector<Resource>& rs, const std::string& name) {
  for (const auto& r : rs) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

TEST_F(HsdsExportTest, ExportThenImportGivesTheSameSitesAndServicesBack) {
  const std::vector<Resource> original = Sample();
  auto exported = ExportHsds(original, {"US-IL"});
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  EXPECT_EQ(exported->services, 3u);
  EXPECT_EQ(exported->sites, 2u);
  EXPECT_EQ(exported->left_out_unconfirmed, 1u);
  EXPECT_EQ(exported->left_out_retired, 1u);
  EXPECT_EQ(exported->left_out_info, 1u);
  ASSERT_TRUE(WriteHsds(*exported, dir_.string()).ok());

  auto imported = ImportHsds(dir_.string(), HsdsOptions{"US-IL", true, "2026-12-01"});
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_TRUE(imported->unmapped.empty()) << imported->unmapped.front();
  EXPECT_TRUE(imported->validation.ok()) << testing::AllDiagnostics(imported->validation);
  const std::vector<Resource>& back = imported->validation.resources;
  ASSERT_EQ(back.size(), 3u);
  for (const char* id : {"il-site-one", "il-site-two", "il-line"}) {
    SCOPED_TRACE(id);
    const Resource& want =
        *std::find_if(original.begin(), original.end(), [&](const Resource& r) { return r.id == id; });
    const Resource* got = Named(back, want.name);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->kind, want.kind);
    EXPECT_EQ(got->description, want.description);
    EXPECT_EQ(got->categories, want.categories);
    EXPECT_EQ(got->regions, want.regions);
    EXPECT_EQ(got->languages, want.languages);
    EXPECT_EQ(got->hours, want.hours);
    EXPECT_EQ(got->source, want.source);
    EXPECT_EQ(got->verified, want.verified);
    EXPECT_EQ(got->status, ResourceStatus::kActive);
    EXPECT_EQ(got->address, want.address);
    EXPECT_EQ(got->coordinates, want.coordinates) << "coordinates are written so that they read back exactly";
    ASSERT_EQ(got->channels.size(), want.channels.size());
    for (std::size_t i = 0; i < want.channels.size(); ++i) {
      EXPECT_EQ(got->channels[i].kind, want.channels[i].kind);
      EXPECT_EQ(got->channels[i].value, want.channels[i].value);
    }
  }
}

TEST_F(HsdsExportTest, TheJsonFormImportsToTheSameResourcesAsTheCsvForm) {
  auto exported = ExportHsds(Sample(), {"US-IL"});
  ASSERT_TRUE(exported.ok());
  ASSERT_TRUE(WriteHsds(*exported, dir_.string()).ok());
  const HsdsOptions options{"US-IL", true, "2026-12-01"};
  auto from_csv = ImportHsds(dir_.string(), options);
  auto from_json = ImportHsds((dir_ / "services.json").string(), options);
  ASSERT_TRUE(from_csv.ok());
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  EXPECT_TRUE(from_json->unmapped.empty()) << from_json->unmapped.front();
  EXPECT_TRUE(from_json->validation.ok()) << testing::AllDiagnostics(from_json->validation);
  ASSERT_EQ(from_json->validation.resources.size(), 3u);
  for (const Resource& want : from_csv->validation.resources) {
    SCOPED_TRACE(want.name);
    const Resource* got = Named(from_json->validation.resources, want.name);
    ASSERT_NE(got, nullptr);
    Resource a = want, b = *got;
    a.notes.clear();  // they name the file and the place in it
    b.notes.clear();
    a.id.clear();  // derived from the feed's ids: equal, but the notes differ
    b.id.clear();
    EXPECT_EQ(a, b);
  }
}

TEST_F(HsdsExportTest, TheFilesAreHsdsTablesNamedInTheDataPackage) {
  auto exported = ExportHsds(Sample(), {});
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(exported->services, 4u) << "every jurisdiction";
  const auto& files = exported->files;
  for (const char* name : {"datapackage.json", "services.json", "organizations.csv", "services.csv", "locations.csv",
                           "addresses.csv", "phones.csv", "schedules.csv", "service_at_locations.csv", "languages.csv",
                           "service_areas.csv", "taxonomies.csv", "taxonomy_terms.csv", "attributes.csv"}) {
    EXPECT_EQ(files.count(name), 1u) << name;
  }
  const std::string& package = files.at("datapackage.json");
  EXPECT_NE(package.find(R"({"name": "service", "path": "services.csv", "profile": "tabular-data-resource")"),
            std::string::npos)
      << package;
  EXPECT_NE(package.find(R"({"name": "latitude", "type": "number"})"), std::string::npos);
  const std::string& services = files.at("services.csv");
  EXPECT_EQ(services.rfind("id,organization_id,name,description,url,email,status,assured_date\r\n", 0), 0u) << services;
  EXPECT_NE(services.find(",\"Second site, with a comma\","), std::string::npos) << "quoted: it has a comma";
  EXPECT_NE(files.at("addresses.csv").find("\"1234 W Example Ave, Suite \"\"B\"\"\""), std::string::npos)
      << "quotes doubled";
  EXPECT_EQ(services.find("il-unconfirmed"), std::string::npos);
  EXPECT_EQ(services.find("Name of il-unconfirmed"), std::string::npos);
  // Ids are UUIDs, the same in every export of the same directory.
  EXPECT_EQ(exported->files, ExportHsds(Sample(), {})->files);
  const std::string first_id = services.substr(services.find("\r\n") + 2, 36);
  EXPECT_EQ(first_id.size(), 36u);
  EXPECT_EQ(first_id[8], '-');
  EXPECT_EQ(first_id[14], '5');
  // The categories are terms of our taxonomy.
  EXPECT_NE(files.at("taxonomy_terms.csv").find(",harm_reduction,harm reduction,harm reduction,helpline-categories,"),
            std::string::npos)
      << files.at("taxonomy_terms.csv");
}

TEST_F(HsdsExportTest, AnUnknownJurisdictionIsRefused) {
  auto exported = ExportHsds(Sample(), {"XX-YY"});
  EXPECT_FALSE(exported.ok());
  EXPECT_NE(exported.status().message().find("XX-YY"), std::string::npos);
  EXPECT_FALSE(WriteHsds(HsdsExport{}, "/proc/no-such-dir/hsds").ok());
}

// The shipped directory's Illinois sites survive the round trip.
TEST_F(HsdsExportTest, ShippedIllinoisSitesRoundTrip) {
  Validator validator;
  ValidationReport report = validator.ValidatePaths({std::string(HELPLINE_SOURCE_DIR) + "/data/directory"});
  ASSERT_TRUE(report.ok());
  auto exported = ExportHsds(report.resources, {"US-IL"});
  ASSERT_TRUE(exported.ok());
  ASSERT_TRUE(WriteHsds(*exported, dir_.string()).ok());
  auto imported = ImportHsds(dir_.string(), HsdsOptions{"US-IL", true, ""} /* today: shipped dates are recent */);
  ASSERT_TRUE(imported.ok());
  EXPECT_TRUE(imported->validation.ok()) << testing::AllDiagnostics(imported->validation);
  std::size_t sites = 0;
  for (const Resource& want : report.resources) {
    if (!want.IsSite() || want.status != ResourceStatus::kActive ||
        std::find(want.regions.begin(), want.regions.end(), "US-IL") == want.regions.end()) {
      continue;
    }
    ++sites;
    SCOPED_TRACE(want.id);
    const Resource* got = Named(imported->validation.resources, want.name);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->address, want.address);
    EXPECT_EQ(got->coordinates->lat, want.coordinates->lat);
    EXPECT_EQ(got->coordinates->lon, want.coordinates->lon);
    EXPECT_EQ(got->categories, want.categories);
  }
  EXPECT_GE(sites, 3u) << "the shipped Chicago sites";
  EXPECT_EQ(exported->sites, sites);
}

}  // namespace
}  // namespace helpline::directory
