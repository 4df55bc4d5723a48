#pragma once
// Nearest sites first: "the N closest active sites offering category C
// within R km", exact, in microseconds.
//
// Each site is a point on the unit sphere (x, y, z); the straight-line
// (chord) distance between two such points grows with the great-circle
// distance, so the nearest by chord are exactly the nearest on the globe.
// Per category (and one tree for every category) the points are kept in an
// implicit k-d tree: an array where each range's median, along the axis of
// its largest spread, splits it in two. A query walks the near side first,
// keeps the N best in a small heap, and skips a far side when the splitting
// plane is farther than the N-th best (or R). Ties go to the lower id, so
// results are deterministic and equal to BruteForceNearest's.
//
//   NearbyIndex idx = NearbyIndex::Build(resources);  // active sites with coordinates
//   for (auto hit : idx.Nearest({41.92, -87.65}, Category::kNaloxone, 3, 50.0))
//     resources[hit.id] ... hit.km
//
// DirectoryIndex builds one with each directory version (ids are indexes
// into its resources()). Thread-safety: immutable after Build.

#include <cstdint>
#include <optional>
#include <vector>

#include "directory/geo.h"
#include "directory/model.h"

namespace helpline::directory {

// One point to index: `id` is the caller's (an index into its resources),
// `categories` a bit mask (1 << Category).
struct SitePoint {
  GeoPoint point;
  std::uint32_t id = 0;
  std::uint32_t categories = 0;
};
static_assert(kCategoryCount <= 32);

struct NearbyHit {
  std::uint32_t id = 0;
  double km = 0;  // great-circle distance
  bool operator==(const NearbyHit&) const = default;
};

class NearbyIndex {
 public:
  NearbyIndex() = default;

  // Active sites with coordinates from `resources`; ids are their indexes.
  static NearbyIndex Build(const std::vector<Resource>& resources);
  static NearbyIndex BuildFromPoints(const std::vector<SitePoint>& points);

  // Up to `n` sites offering `category` (any category when nullopt) within
  // `max_km` of `at` (no limit when <= 0), nearest first, ties by id.
  std::vector<NearbyHit> Nearest(GeoPoint at, std::optional<Category> category, std::size_t n, double max_km = 0) const;

  std::size_t size() const { return trees_[kCategoryCount].size(); }
  std::size_t size(Category c) const { return trees_[static_cast<std::size_t>(c)].size(); }

  struct Node {
    float x, y, z;
    std::uint32_t id;
  };

 private:
  struct Tree {
    std::vector<Node> nodes;         // the implicit k-d tree: each range's median at its middle
    std::vector<std::uint8_t> axes;  // axes[i]: the axis nodes[i] splits its range on
    std::size_t size() const { return nodes.size(); }
  };
  static Tree BuildTree(std::vector<Node> nodes);

  // trees_[c] for each category, trees_[kCategoryCount] for all sites.
  Tree trees_[kCategoryCount + 1];
};

// The reference NearbyIndex must equal: every point measured (unit vectors
// computed once, as the index does), the n best kept.
class BruteForceSites {
 public:
  explicit BruteForceSites(const std::vector<SitePoint>& points);
  std::vector<NearbyHit> Nearest(GeoPoint at, std::optional<Category> category, std::size_t n, double max_km = 0) const;

 private:
  std::vector<NearbyIndex::Node> nodes_;
  std::vector<std::uint32_t> masks_;
};

}  // namespace helpline::directory
