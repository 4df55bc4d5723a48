#include "directory/coverage.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "directory/regions.h"
#include "directory/validator.h"

namespace helpline::directory {

// gtest prints gaps by name (found by ADL, so in Gap's namespace).
void PrintTo(Gap gap, std::ostream* os) { *os << GapName(gap); }

namespace {

Resource Make(std::string id, std::vector<std::string> regions, std::vector<Category> categories,
              ResourceStatus status = ResourceStatus::kActive, ResourceKind kind = ResourceKind::kService) {
  Resource r;
  r.id = std::move(id);
  r.name = r.id;
  r.regions = std::move(regions);
  r.categories = std::move(categories);
  r.status = status;
  r.kind = kind;
  return r;
}

const JurisdictionCoverage& In(const CoverageReport& report, std::string_view code) {
  for (const auto& j : report.jurisdictions) {
    if (j.code == code) return j;
  }
  ADD_FAILURE() << code << " is not in the report";
  return report.jurisdictions.front();
}

// A US-wide crisis line, a US naloxone fact, a Texas treatment line, an
// unconfirmed Ohio line, a retired Ohio line, and a line everywhere.
std::vector<Resource> SmallDirectory() {
  return {
      Make("us-crisis", {"US"}, {Category::kCrisis, Category::kMentalHealth}),
      Make("us-naloxone-fact", {"US"}, {Category::kNaloxone}, ResourceStatus::kActive, ResourceKind::kInfo),
      Make("tx-treatment", {"US-TX"}, {Category::kTreatmentReferral}),
      Make("oh-unconfirmed", {"US-OH"}, {Category::kTreatmentReferral}, ResourceStatus::kUnconfirmed),
      Make("oh-retired", {"US-OH"}, {Category::kTreatmentReferral}, ResourceStatus::kRetired),
      Make("global-peers", {"*"}, {Category::kPeerSupport}),
  };
}

TEST(Coverage, EveryJurisdictionIsReportedInTableOrder) {
  const CoverageReport report = ComputeCoverage({});
  ASSERT_EQ(report.jurisdictions.size(), Jurisdictions().size());
  for (std::size_t i = 0; i < Jurisdictions().size(); ++i) {
    EXPECT_EQ(report.jurisdictions[i].code, Jurisdictions()[i]->code);
  }
  EXPECT_EQ(report.jurisdictions.size(), 65u);
}

TEST(Coverage, TotalsCountEveryResourceByStatusAndKind) {
  const CoverageReport report = ComputeCoverage(SmallDirectory());
  EXPECT_EQ(report.resources, 6);
  EXPECT_EQ(report.active, 4);
  EXPECT_EQ(report.unconfirmed, 1);
  EXPECT_EQ(report.retired, 1);
  EXPECT_EQ(report.info, 1);
  EXPECT_DOUBLE_EQ(report.ActiveShare(), 4.0 / 6.0);
  EXPECT_EQ(ComputeCoverage({}).ActiveShare(), 0.0);
}

TEST(Coverage, AResourceServesItsRegionAndEveryPlaceBelowIt) {
  const CoverageReport report = ComputeCoverage(SmallDirectory());
  struct Row {
    std::string_view code;
    Category category;
    int active;
    int own;
  };
  const Row rows[] = {
      {"US-TX", Category::kTreatmentReferral, 1, 1},  // its own
      {"US-OH", Category::kTreatmentReferral, 0, 0},  // the unconfirmed and retired lines do not count
      {"US-OH", Category::kCrisis, 1, 0},             // the US line serves Ohio, but is not Ohio's own
      {"US-OH", Category::kMentalHealth, 1, 0},       // every category of a resource counts
      {"CA-BC", Category::kCrisis, 0, 0},             // the US line does not serve Canada
      {"CA-BC", Category::kPeerSupport, 1, 0},        // "*" serves everyone
      {"US-PR", Category::kPeerSupport, 1, 0},
  };
  for (const Row& r : rows) {
    const CategoryCoverage& cell = In(report, r.code).in(r.category);
    EXPECT_EQ(cell.active, r.active) << r.code << " " << CategoryName(r.category);
    EXPECT_EQ(cell.own, r.own) << r.code << " " << CategoryName(r.category);
  }
  const JurisdictionCoverage& tx = In(report, "US-TX");
  EXPECT_EQ(tx.active, 4);  // crisis, naloxone fact, its own treatment line, the global peers
  EXPECT_EQ(tx.own, 1);
  EXPECT_EQ(tx.own_lines, 1);
}

TEST(Coverage, UnconfirmedResourcesAreCountedApartAndRetiredOnesNotAtAll) {
  const CoverageReport report = ComputeCoverage(SmallDirectory());
  const JurisdictionCoverage& oh = In(report, "US-OH");
  EXPECT_EQ(oh.unconfirmed, 1);
  EXPECT_EQ(oh.in(Category::kTreatmentReferral).unconfirmed, 1);
  EXPECT_EQ(oh.own, 0);
  EXPECT_EQ(oh.own_lines, 0);
  EXPECT_EQ(In(report, "US-TX").unconfirmed, 0);
}

TEST(Coverage, GapsAreTheMissingTreatmentNaloxoneAndCrisisRoutes) {
  const CoverageReport report = ComputeCoverage(SmallDirectory());
  struct Row {
    std::string_view code;
    std::vector<Gap> gaps;
  };
  const Row rows[] = {
      {"US-TX", {}},
      {"US-OH", {Gap::kTreatmentReferral}},  // an unconfirmed line is not a route
      {"CA-ON", {Gap::kTreatmentReferral, Gap::kNaloxone, Gap::kCrisis}},
  };
  for (const Row& r : rows) EXPECT_EQ(In(report, r.code).gaps, r.gaps) << r.code;
  EXPECT_TRUE(report.HasGaps());
}

TEST(Coverage, AnInfoFactAnswersNaloxoneButIsNoTreatmentOrCrisisRoute) {
  std::vector<Resource> rs = {
      Make("bc-facts", {"CA-BC"}, {Category::kNaloxone, Category::kTreatmentReferral, Category::kCrisis},
           ResourceStatus::kActive, ResourceKind::kInfo),
  };
  const CoverageReport report = ComputeCoverage(rs);
  const JurisdictionCoverage& bc = In(report, "CA-BC");
  EXPECT_EQ(bc.gaps, (std::vector<Gap>{Gap::kTreatmentReferral, Gap::kCrisis}));
  EXPECT_EQ(bc.own, 1);
  EXPECT_EQ(bc.own_lines, 0) << "a fact is not a line";
}

TEST(Coverage, NoGapsWhenEveryJurisdictionHasTheThreeRoutes) {
  std::vector<Resource> rs = {
      Make("us", {"US"}, {Category::kTreatmentReferral, Category::kNaloxone, Category::kCrisis}),
      Make("ca", {"CA"}, {Category::kTreatmentReferral, Category::kNaloxone, Category::kCrisis}),
  };
  const CoverageReport report = ComputeCoverage(rs);
  EXPECT_FALSE(report.HasGaps());
  EXPECT_EQ(report.WithoutOwnLine().size(), 65u) << "national lines are nobody's own";
}

TEST(CoverageText, EveryLineFitsOneHundredColumnsAndEveryJurisdictionHasARow) {
  const std::string text = FormatCoverageText(ComputeCoverage(SmallDirectory()));
  std::istringstream in(text);
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    EXPECT_LE(line.size(), 100u) << line;
    for (const RegionInfo* r : Jurisdictions()) rows += line.rfind(std::string(r->code) + " ", 0) == 0 ? 1 : 0;
  }
  EXPECT_GE(rows, 65);
  EXPECT_NE(text.find("Directory coverage: 6 resources: 4 active (66.7%), 1 unconfirmed, 1 retired; 1 are info."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nUS-OH "), std::string::npos);
  EXPECT_NE(text.find("  US-OH Ohio lacks treatment_referral\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  CA-ON Ontario lacks treatment_referral, naloxone, crisis\n"), std::string::npos);
  EXPECT_NE(text.find("without a line of their own (64): "), std::string::npos) << text;
}

TEST(CoverageText, ARowShowsOwnUnconfirmedCountsAndGapLetters) {
  const std::string text = FormatCoverageText(ComputeCoverage(SmallDirectory()));
  // US-OH: no own resources, one unconfirmed; crisis 1, mental health 1, naloxone 1, peers 1.
  const std::string expected =
      "US-OH     0   1    0    1    0    0    0    0    1    0    1    1    0    0    0    0    0  T o\n";
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  const std::string tx = "US-TX     1   0    0    1    1    0    0    0    1    0    1    1    0    0    0    0    0\n";
  EXPECT_NE(text.find(tx), std::string::npos) << text;
}

TEST(CoverageText, SaysNoneWhenThereAreNoGaps) {
  std::vector<Resource> rs = {
      Make("us", {"US"}, {Category::kTreatmentReferral, Category::kNaloxone, Category::kCrisis}),
      Make("ca", {"CA"}, {Category::kTreatmentReferral, Category::kNaloxone, Category::kCrisis}),
  };
  EXPECT_NE(FormatCoverageText(ComputeCoverage(rs)).find("\ngaps: none\n"), std::string::npos);
}

TEST(CoverageJson, IsOneObjectWithFixedKeysAndEveryCategory) {
  const std::string json = FormatCoverageJson(ComputeCoverage(SmallDirectory()));
  EXPECT_EQ(
      json.rfind("{\"resources\":6,\"active\":4,\"unconfirmed\":1,\"retired\":1,\"info\":1,\"active_share\":0.6667,"
                 "\"gaps\":[{\"jurisdiction\":\"US-AL\",\"missing\":[\"treatment_referral\"]},",
                 0),
      0u)
      << json.substr(0, 300);
  EXPECT_EQ(json.back(), '\n');
  EXPECT_EQ(json.find('\n'), json.size() - 1) << "one line";
  const std::string ohio =
      "{\"code\":\"US-OH\",\"name\":\"Ohio\",\"active\":3,\"own\":0,\"own_lines\":0,\"unconfirmed\":1,"
      "\"gaps\":[\"treatment_referral\"],\"categories\":{\"emergency\":{\"active\":0,\"own\":0,\"unconfirmed\":0},"
      "\"crisis\":{\"active\":1,\"own\":0,\"unconfirmed\":0},"
      "\"treatment_referral\":{\"active\":0,\"own\":0,\"unconfirmed\":1},";
  EXPECT_NE(json.find(ohio), std::string::npos) << json;
  EXPECT_NE(json.find("\"without_own_line\":[\"US-AL\","), std::string::npos);
  for (Category c : AllCategories()) {
    EXPECT_NE(json.find("\"" + std::string(CategoryName(c)) + "\":{\"active\":"), std::string::npos);
  }
  EXPECT_EQ(json.substr(json.size() - 4), "}]}\n");
}

// ===========================================================================
// ACCEPTANCE TEST OF THE DIRECTORY DATA WORK.
//
// The shipped directory (data/directory) must give every jurisdiction (every
// US state, DC, Puerto Rico, every province and territory) a treatment
// referral service, a naloxone answer and a crisis service from ACTIVE
// resources (national ones count where they serve it), and hold at least 250
// resources of which at least 90% are active. It was written before the data
// was complete, to fail until the data team finished; `helpline coverage`
// prints the same report for a person.
// ===========================================================================

CoverageReport ShippedCoverage() {
  Validator validator;
  ValidationReport validation = validator.ValidatePaths({std::string(HELPLINE_SOURCE_DIR) + "/data/directory"});
  EXPECT_TRUE(validation.ok()) << "the shipped directory does not validate";
  return ComputeCoverage(validation.resources);
}

TEST(ShippedDirectoryAcceptance, EveryJurisdictionHasATreatmentNaloxoneAndCrisisRouteFromActiveResources) {
  const CoverageReport report = ShippedCoverage();
  for (const auto& j : report.jurisdictions) {
    std::string missing;
    for (Gap g : j.gaps) missing += " " + std::string(GapName(g));
    EXPECT_TRUE(j.gaps.empty()) << j.code << " " << j.name << " lacks:" << missing;
  }
}

TEST(ShippedDirectoryAcceptance, HoldsAtLeast250ResourcesAtLeast90PercentActive) {
  const CoverageReport report = ShippedCoverage();
  EXPECT_GE(report.resources, 250);
  EXPECT_GE(report.ActiveShare(), 0.90) << report.active << " of " << report.resources << " active";
}

}  // namespace
}  // namespace helpline::directory
