#include "daemon/nearby_api.h"

#include <gtest/gtest.h>

namespace helpline::daemon {
namespace {

using directory::Category;

directory::Resource Site(std::string id, double lat, double lon, directory::CoordinatePrecision p,
                         directory::ResourceStatus status = directory::ResourceStatus::kActive) {
  directory::Resource r;
  r.id = std::move(id);
  r.kind = directory::ResourceKind::kSite;
  r.name = "Site " + r.id;
  r.categories = {Category::kNaloxone};
  r.regions = {"US-IL"};
  r.status = status;
  r.address = directory::Address{"1 Main St", "Chicago", "US-IL", "60614", "US"};
  r.coordinates = directory::Coordinates{lat, lon, p};
  r.channels = {{directory::ChannelKind::kVoice, "+13125550142", "", "", "", ""}};
  return r;
}

struct Fixture {
  std::shared_ptr<const directory::DirectoryIndex> index =
      directory::DirectoryIndex::Build({Site("near", 41.9214, -87.6513, directory::CoordinatePrecision::kAddress),
                                        Site("city", 41.85, -87.65, directory::CoordinatePrecision::kCity),
                                        Site("unconfirmed", 41.9227, -87.6533, directory::CoordinatePrecision::kAddress,
                                             directory::ResourceStatus::kUnconfirmed)},
                                       4);
  directory::GeoReference geo = [] {
    auto g = directory::GeoReference::LoadDir(std::string(HELPLINE_SOURCE_DIR) + "/tests/directory/fixtures/geo");
    EXPECT_TRUE(g.ok());
    return g.ok() ? *std::move(g) : directory::GeoReference{};
  }();
};

TEST(NearbyApi, ZipGivesTheNearestActiveSitesAsJson) {
  Fixture f;
  auto r = NearbyApi(f.index.get(), &f.geo, "near=60614&category=naloxone");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("near":{"kind":"zip","label":"60614","region":"US-IL","lat":41.9227,"lon":-87.6533})"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("unit":"mi")"), std::string::npos);
  const auto near = r.body.find(R"("id":"near")");
  const auto city = r.body.find(R"("id":"city")");
  ASSERT_NE(near, std::string::npos) << r.body;
  ASSERT_NE(city, std::string::npos) << r.body;
  EXPECT_LT(near, city) << "nearest first";
  EXPECT_EQ(r.body.find("unconfirmed"), std::string::npos) << "never offered";
  EXPECT_NE(r.body.find(R"("precision":"city","distance_km")"), std::string::npos);
  EXPECT_NE(r.body.find(R"("show_distance":false)"), std::string::npos);
  EXPECT_NE(
      r.body.find(R"("maps_url":"https://www.openstreetmap.org/?mlat=41.9214&mlon=-87.6513#map=17/41.9214/-87.6513")"),
      std::string::npos)
      << r.body;
  auto one = NearbyApi(f.index.get(), &f.geo, "near=60614&category=naloxone&limit=1");
  EXPECT_EQ(one.body.find(R"("id":"city")"), std::string::npos);
}

TEST(NearbyApi, RegionFallbackAndBadRequests) {
  Fixture f;
  auto region = NearbyApi(f.index.get(), &f.geo, "near=K1A+0B1&category=naloxone");
  ASSERT_EQ(region.status, 200);
  EXPECT_NE(region.body.find(R"("kind":"region")"), std::string::npos) << region.body;
  EXPECT_NE(region.body.find(R"("sites":[])"), std::string::npos);
  EXPECT_NE(region.body.find("no point for this postal code"), std::string::npos);
  EXPECT_EQ(NearbyApi(f.index.get(), &f.geo, "near=60614").status, 400);
  EXPECT_EQ(NearbyApi(f.index.get(), &f.geo, "near=60614&category=pizza").status, 400);
  EXPECT_EQ(NearbyApi(f.index.get(), &f.geo, "category=naloxone").status, 400);
  EXPECT_EQ(NearbyApi(f.index.get(), &f.geo, "near=atlantis&category=naloxone").status, 400);
  EXPECT_EQ(NearbyApi(f.index.get(), &f.geo, "near=60614&category=naloxone&limit=0").status, 400);
  EXPECT_EQ(NearbyApi(f.index.get(), &f.geo, "near=60614&category=naloxone&radius_km=-3").status, 400);
  EXPECT_EQ(NearbyApi(f.index.get(), &f.geo, "near=%zz&category=naloxone").status, 400);
  auto bad = NearbyApi(f.index.get(), &f.geo, "near=%3Cscript%3E&category=naloxone");
  EXPECT_EQ(bad.body.find("script"), std::string::npos) << "values are never echoed";
  EXPECT_EQ(bad.body, R"({"error":{"code":"bad_request","message":"near: not a ZIP, postal code or city we know"}})"
                      "\n");
  EXPECT_EQ(bad.outcome, "bad_request");
  auto not_ready = NearbyApi(nullptr, &f.geo, "near=60614&category=naloxone");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.outcome, "not_ready");
  EXPECT_NE(not_ready.body.find(R"({"error":{"code":"not_ready",)"), std::string::npos) << not_ready.body;
}

}  // namespace
}  // namespace helpline::daemon
