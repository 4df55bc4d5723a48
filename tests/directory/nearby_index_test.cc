#include "directory/nearby_index.h"

#include <gtest/gtest.h>

#include <random>

#include "directory/index.h"

namespace helpline::directory {
namespace {

std::uint32_t Mask(std::initializer_list<Category> cs) {
  std::uint32_t m = 0;
  for (Category c : cs) m |= 1u << static_cast<unsigned>(c);
  return m;
}

std::vector<SitePoint> RandomSites(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  // North America, and a few clusters sharing exact points (ties by id).
  std::uniform_real_distribution<double> lat(18, 70), lon(-170, -53);
  std::uniform_int_distribution<std::uint32_t> cats(1, (1u << 8) - 1);
  std::vector<SitePoint> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    GeoPoint p{lat(rng), lon(rng)};
    if (i % 50 == 1) p = out.back().point;  // same place as the previous site
    out.push_back({p, i * 7 + 3, cats(rng) << 3});
  }
  return out;
}

TEST(NearbyIndex, EqualsBruteForceOnRandomPoints) {
  const auto sites = RandomSites(5000, 42);
  const NearbyIndex index = NearbyIndex::BuildFromPoints(sites);
  const BruteForceSites reference(sites);
  EXPECT_EQ(index.size(), sites.size());
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lat(15, 75), lon(-175, -50);
  std::uniform_int_distribution<int> cat(0, static_cast<int>(kCategoryCount) - 1);
  const double radii[] = {0, 25, 200, 2000};
  const std::size_t ns[] = {1, 3, 10, 40};
  int compared = 0;
  for (int q = 0; q < 400; ++q) {
    GeoPoint at{lat(rng), lon(rng)};
    if (q % 10 == 0) at = sites[static_cast<std::size_t>(q) * 7 % sites.size()].point;  // exactly on a site
    std::optional<Category> c;
    if (q % 4 != 0) c = static_cast<Category>(cat(rng));
    for (double r : radii) {
      for (std::size_t n : ns) {
        auto got = index.Nearest(at, c, n, r);
        auto want = reference.Nearest(at, c, n, r);
        ASSERT_EQ(got, want) << "query " << q << " n=" << n << " r=" << r;
        compared += got.empty() ? 0 : 1;
      }
    }
  }
  EXPECT_GT(compared, 3000) << "most queries found something";
}

TEST(NearbyIndex, RadiusCategoryOrderAndDistances) {
  // Chicago area: three sites, one far away in another category.
  std::vector<SitePoint> sites = {
      {{41.9214, -87.6513}, 10, Mask({Category::kNaloxone, Category::kHarmReduction})},  // Lincoln Park
      {{41.8781, -87.6298}, 11, Mask({Category::kNaloxone})},                            // the Loop, ~5 km
      {{41.7943, -87.5907}, 12, Mask({Category::kDetox})},                               // Hyde Park
      {{40.7128, -74.0060}, 13, Mask({Category::kNaloxone})},                            // New York
  };
  const NearbyIndex index = NearbyIndex::BuildFromPoints(sites);
  auto hits = index.Nearest({41.9227, -87.6533}, Category::kNaloxone, 3, 50);
  ASSERT_EQ(hits.size(), 2u) << "New York is beyond 50 km";
  EXPECT_EQ(hits[0].id, 10u);
  EXPECT_LT(hits[0].km, 0.3);
  EXPECT_EQ(hits[1].id, 11u);
  EXPECT_NEAR(hits[1].km, DistanceKm({41.9227, -87.6533}, {41.8781, -87.6298}), 0.01);
  EXPECT_EQ(index.Nearest({41.9227, -87.6533}, Category::kNaloxone, 5, 0).size(), 3u) << "no limit";
  EXPECT_EQ(index.Nearest({41.9227, -87.6533}, Category::kDetox, 5, 50).at(0).id, 12u);
  EXPECT_TRUE(index.Nearest({41.9227, -87.6533}, Category::kYouth, 5, 0).empty());
  EXPECT_EQ(index.Nearest({41.9227, -87.6533}, std::nullopt, 10, 0).size(), 4u) << "any category";
  EXPECT_EQ(index.size(Category::kNaloxone), 3u);
}

TEST(NearbyIndex, DirectoryIndexIndexesActiveSitesWithCoordinatesOnly) {
  auto site = [](std::string id, ResourceStatus status, double lat) {
    Resource r;
    r.id = std::move(id);
    r.kind = ResourceKind::kSite;
    r.categories = {Category::kNaloxone};
    r.regions = {"US-IL"};
    r.status = status;
    r.coordinates = Coordinates{lat, -87.65, CoordinatePrecision::kAddress};
    return r;
  };
  Resource line;
  line.id = "a-line";
  line.categories = {Category::kNaloxone};
  line.regions = {"US-IL"};
  line.coordinates = Coordinates{41.9, -87.65};  // not a site
  auto idx = DirectoryIndex::Build({site("z-active", ResourceStatus::kActive, 41.90),
                                    site("y-unconfirmed", ResourceStatus::kUnconfirmed, 41.91),
                                    site("x-retired", ResourceStatus::kRetired, 41.92), line});
  auto hits = idx->nearby().Nearest({41.9, -87.65}, Category::kNaloxone, 5);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(idx->resources()[hits[0].id].id, "z-active");
}

}  // namespace
}  // namespace helpline::directory
