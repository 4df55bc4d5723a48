// Nearby sites in replies (daemon/engine/nearby_lines.h): the emergency and
// national lines first, then up to 3 nearest sites within the SMS budget,
// in en/es/fr; chat shows more; city-precision sites show no distance; a
// postal code with no point falls back to its province and says so.

#include "daemon/engine/nearby_lines.h"

#include <gtest/gtest.h>

#include <tuple>

#include "daemon/engine/gsm7.h"
#include "daemon/engine/message_engine.h"
#include "directory/regions.h"
#include "directory/validator.h"

namespace helpline::engine {
namespace {

using directory::Category;
using directory::CoordinatePrecision;
using directory::Resource;

Resource Site(std::string id, std::string name, std::string region, double lat, double lon,
              CoordinatePrecision precision, std::string phone, std::vector<Category> categories,
              std::string street = "100 Main St") {
  Resource r;
  r.id = std::move(id);
  r.kind = directory::ResourceKind::kSite;
  r.name = std::move(name);
  r.description = "Free naloxone, walk in.";
  r.categories = std::move(categories);
  r.regions = {region};
  r.languages = {"en"};
  if (!phone.empty()) r.channels = {{directory::ChannelKind::kVoice, std::move(phone), "", "", "", ""}};
  r.address = directory::Address{std::move(street), "Town", region, "", std::string(directory::CountryOf(region))};
  r.coordinates = directory::Coordinates{lat, lon, precision};
  r.source = "https://example.org";
  r.verified = "2026-11-24";
  return r;
}

struct World {
  std::shared_ptr<const directory::DirectoryIndex> index;
  std::unique_ptr<MessageEngine> engine;
};

const World& TheWorld() {
  static const World world = [] {
    World w;
    directory::Validator validator;
    auto report = validator.ValidatePaths({std::string(HELPLINE_SOURCE_DIR) + "/data/directory"});
    EXPECT_TRUE(report.ok());
    std::vector<Resource> rs;
    for (auto& r : report.resources) {
      if (!r.IsSite()) rs.push_back(std::move(r));  // the fixture's sites only, for stable answers
    }
    rs.push_back(Site("t-lincoln-park", "Lincoln Park Site", "US-IL", 41.9214, -87.6513, CoordinatePrecision::kAddress,
                      "+13125550142", {Category::kNaloxone, Category::kHarmReduction}));
    rs.push_back(Site("t-loop", "Loop Site", "US-IL", 41.8781, -87.6298, CoordinatePrecision::kPostal, "",
                      {Category::kNaloxone}));
    rs.back().hours = "Mon-Fri 9-5";
    rs.push_back(Site("t-city", "Chicago Citywide Van", "US-IL", 41.85003, -87.65005, CoordinatePrecision::kCity,
                      "+13125550199", {Category::kNaloxone}, ""));
    rs.push_back(Site("t-uptown", "Uptown Site", "US-IL", 41.9665, -87.6533, CoordinatePrecision::kAddress,
                      "+13125550100", {Category::kNaloxone}));
    rs.push_back(Site("t-detox", "Westside Detox", "US-IL", 41.8800, -87.7000, CoordinatePrecision::kAddress,
                      "+13125550111", {Category::kDetox}));
    rs.push_back(Site("t-retired", "Closed Site", "US-IL", 41.9227, -87.6533, CoordinatePrecision::kAddress,
                      "+13125550122", {Category::kNaloxone}));
    rs.back().status = directory::ResourceStatus::kRetired;
    rs.push_back(Site("t-plateau", "Plateau Site", "CA-QC", 45.5180, -73.5700, CoordinatePrecision::kAddress,
                      "+15145550142", {Category::kNaloxone}));
    w.index = directory::DirectoryIndex::Build(std::move(rs), 1);
    auto engine = LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine");
    EXPECT_TRUE(engine.ok());
    w.engine = std::make_unique<MessageEngine>(std::move(engine).value());
    auto geo = directory::GeoReference::LoadDir(std::string(HELPLINE_SOURCE_DIR) + "/tests/directory/fixtures/geo");
    EXPECT_TRUE(geo.ok());
    w.engine->SetGeoReference(std::make_shared<const directory::GeoReference>(*std::move(geo)));
    return w;
  }();
  return world;
}

EngineReply Ask(std::string_view text, ChannelType channel = ChannelType::kSms, std::string language = "") {
  const World& w = TheWorld();
  SenderState state;
  state.language = std::move(language);
  return w.engine->Handle({.text = text, .from = "", .channel = channel, .hints = {}}, state, *w.index);
}

std::vector<std::string> SiteIds(const EngineReply& r) {
  std::vector<std::string> ids;
  for (const Resource* res : r.resources) {
    if (res->IsSite()) ids.push_back(res->id);
  }
  return ids;
}

TEST(NearbyLines, ZipGetsNationalLinesFirstThenTheThreeNearestWithMiles) {
  EngineReply r = Ask("NALOXONE 60614");
  ASSERT_FALSE(r.resources.empty());
  EXPECT_FALSE(r.resources.front()->IsSite()) << r.text;
  // As many of the 3 nearest as the budget holds, nearest first.
  const auto ids = SiteIds(r);
  ASSERT_GE(ids.size(), 2u) << r.text;
  EXPECT_EQ(ids[0], "t-lincoln-park");
  EXPECT_EQ(ids[1], "t-uptown");
  EXPECT_NE(r.text.find("- Lincoln Park Site, 100 Main St: 0.1 mi, call 1-312-555-0142"), std::string::npos) << r.text;
  EXPECT_EQ(r.text.find("Closed Site"), std::string::npos);
  EXPECT_LE(r.segments.size(), 3u);
  for (const auto& s : r.segments) EXPECT_EQ(MeasureSms(s).segments, 1u) << s;
}

// In an SMS the nearest sites come right after the first national line and
// before the second, so a tight reply keeps the place asked for ("NALOXONE
// 63134", where Missouri's lines are long); chat keeps every national line
// first.
TEST(NearbyLines, InAnSmsTheSitesComeBeforeTheSecondNationalLine) {
  Resource n0, n1, n2;
  n0.id = "n0";
  n1.id = "n1";
  n2.id = "n2";
  const Resource s0 = Site("s0", "Near Site", "US-IL", 41.92, -87.65, CoordinatePrecision::kAddress, "", {});
  const Resource s1 = Site("s1", "Far Site", "US-IL", 41.96, -87.65, CoordinatePrecision::kAddress, "", {});
  NearbyAnswer nearby;
  nearby.sites = {{&s0, 0.2}, {&s1, 4.0}};
  const std::vector<const Resource*> national = {&n0, &n1, &n2};
  std::size_t max_lines = 0;
  auto ids = [](const std::vector<const Resource*>& v) {
    std::vector<std::string> out;
    for (const Resource* r : v) out.push_back(r->id);
    return out;
  };
  EXPECT_EQ(ids(WithSites(national, nearby, /*chat=*/false, &max_lines)),
            (std::vector<std::string>{"n0", "s0", "s1", "n1"}));
  EXPECT_EQ(max_lines, 4u);
  EXPECT_EQ(ids(WithSites(national, nearby, /*chat=*/true, &max_lines)),
            (std::vector<std::string>{"n0", "n1", "n2", "s0", "s1"}));
  EXPECT_EQ(max_lines, 5u);
}

TEST(NearbyLines, ChatShowsMoreAndDescriptions) {
  EngineReply r = Ask("naloxone 60614", ChannelType::kChat);
  EXPECT_EQ(SiteIds(r).size(), 4u) << r.text;
  EXPECT_NE(r.text.find("Free naloxone, walk in."), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Loop Site, 100 Main St, Town: 3 mi, hours Mon-Fri 9-5. Free"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("- Chicago Citywide Van, Town: call 1-312-555-0199"), std::string::npos)
      << "city precision: no distance\n"
      << r.text;
}

TEST(NearbyLines, CanadianPostalCodeInKmAndInFrenchAndSpanish) {
  EngineReply fr = Ask("naloxone près de H2X 1Y4", ChannelType::kSms, "fr");
  EXPECT_EQ(SiteIds(fr), std::vector<std::string>{"t-plateau"}) << fr.text;
  EXPECT_NE(fr.text.find("Plateau Site, 100 Main St: 0.6 km, appelez le"), std::string::npos) << fr.text;
  EngineReply es = Ask("naloxona H2X 1Y4", ChannelType::kSms, "es");
  EXPECT_NE(es.text.find("0.6 km, llame al"), std::string::npos) << es.text;
}

TEST(NearbyLines, CityNameAndCategory) {
  EngineReply r = Ask("detox chicago");
  EXPECT_EQ(SiteIds(r), std::vector<std::string>{"t-detox"}) << r.text;
  EXPECT_NE(r.text.find("Westside Detox"), std::string::npos);
}

TEST(NearbyLines, NoPointFallsBackToTheRegionAndSaysSo) {
  EngineReply r = Ask("naloxone K1A 0B1");
  EXPECT_TRUE(SiteIds(r).empty());
  EXPECT_NE(r.text.find("No exact location for K1A 0B1: lines for Ontario."), std::string::npos) << r.text;
  EngineReply fr = Ask("naloxone K1A 0B1", ChannelType::kSms, "fr");
  EXPECT_NE(fr.text.find("Emplacement exact introuvable pour K1A 0B1"), std::string::npos) << fr.text;
  EngineReply amb = Ask("naloxone springfield");
  EXPECT_NE(amb.text.find("Springfield is in several places"), std::string::npos) << amb.text;
}

TEST(NearbyLines, NoSiteNearbyIsSaidAfterTheLinesThePersonCanUse) {
  // Portland, Oregon has no site in this fixture: the reply still leads with
  // its heading and lines, and says there is no site only after them.
  for (auto [text, lang, note] : {std::tuple{"naloxone 97201", "", "No listed site within 50 mi of 97201."},
                                  std::tuple{"naloxona 97201", "es", "a menos de 50 mi de 97201."},
                                  std::tuple{"naloxone 97201", "fr", "moins de 50 mi de 97201."}}) {
    EngineReply r = Ask(text, ChannelType::kSms, lang);
    EXPECT_TRUE(SiteIds(r).empty()) << r.text;
    const std::size_t at = r.text.find(note);
    ASSERT_NE(at, std::string::npos) << r.text;
    ASSERT_FALSE(r.resources.empty()) << r.text;
    const std::size_t resource_at = r.text.find("- ");
    ASSERT_NE(resource_at, std::string::npos) << r.text;
    EXPECT_LT(resource_at, at) << "the lines come before the note\n" << r.text;
    EXPECT_EQ(r.text.find('\n'), r.text.find(":\n") + 1) << "the first line is the heading\n" << r.text;
  }
}

TEST(NearbyLines, MessagesWithoutAPlaceOrASiteIntentAreUnchanged) {
  const World& w = TheWorld();
  auto plain = LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine");
  ASSERT_TRUE(plain.ok());
  plain->SetGeoReference(nullptr);
  for (std::string_view text : {"naloxone", "naloxone in illinois", "crisis 60614", "60614", "help"}) {
    EngineReply with = Ask(text);
    EngineReply without =
        plain->Handle({.text = text, .from = "", .channel = ChannelType::kSms, .hints = {}}, SenderState{}, *w.index);
    EXPECT_EQ(with.text, without.text) << text;
  }
}

TEST(NearbyLines, DistanceFormat) {
  EXPECT_EQ(FormatDistance(1.609344, true), "1.0 mi");
  EXPECT_EQ(FormatDistance(25, false), "25 km");
  EXPECT_EQ(FormatDistance(0.4, false), "0.4 km");
  EXPECT_EQ(FormatDistance(0.0, true), "<0.1 mi");
  EXPECT_EQ(FormatDistance(0.04, false), "<0.1 km");
}

// A postal-precision site is as far as its ZIP's centroid: whole units, and
// "<1" for one in the person's own ZIP (which used to read "0.0 mi").
TEST(NearbyLines, ApproximateDistanceFormat) {
  EXPECT_EQ(FormatDistance(0.0, true, true), "<1 mi");
  EXPECT_EQ(FormatDistance(1.5, true, true), "<1 mi");
  EXPECT_EQ(FormatDistance(5.0, true, true), "3 mi");
  EXPECT_EQ(FormatDistance(0.9, false, true), "<1 km");
  EXPECT_EQ(FormatDistance(12.4, false, true), "12 km");
}

}  // namespace
}  // namespace helpline::engine
