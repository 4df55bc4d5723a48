#include "directory/nearby_index.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace helpline::directory {
namespace {

using Node = NearbyIndex::Node;
constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

Node ToNode(GeoPoint p, std::uint32_t id) {
  const double lat = p.lat * kDegToRad, lon = p.lon * kDegToRad;
  return {static_cast<float>(std::cos(lat) * std::cos(lon)), static_cast<float>(std::cos(lat) * std::sin(lon)),
          static_cast<float>(std::sin(lat)), id};
}

float Coord(const Node& n, int axis) { return (&n.x)[axis]; }
static_assert(offsetof(Node, y) == offsetof(Node, x) + sizeof(float) &&
              offsetof(Node, z) == offsetof(Node, y) + sizeof(float));

// Squared chord on the unit sphere; doubles from the stored floats, so the
// tree and the brute force agree to the bit.
double Chord2(const Node& a, const Node& b) {
  const double dx = double{a.x} - b.x, dy = double{a.y} - b.y, dz = double{a.z} - b.z;
  return dx * dx + dy * dy + dz * dz;
}

double KmFromChord2(double chord2) { return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(chord2) / 2)); }

// The squared chord of a great-circle distance (infinite for no limit).
double Chord2Limit(double max_km) {
  if (max_km <= 0 || max_km >= kEarthRadiusKm * 3.14159265358979323846) return 5.0;  // > the diameter squared (4)
  const double chord = 2 * std::sin(max_km / (2 * kEarthRadiusKm));
  return chord * chord;
}

using Candidate = std::pair<double, std::uint32_t>;  // (chord2, id): the heap's order is the result's

// Keeps the n best candidates in `heap` (a max-heap: the worst kept on top).
void KeepBest(std::vector<Candidate>& heap, std::size_t n, Candidate c) {
  if (heap.size() < n) {
    heap.push_back(c);
    std::push_heap(heap.begin(), heap.end());
  } else if (c < heap.front()) {
    std::pop_heap(heap.begin(), heap.end());
    heap.back() = c;
    std::push_heap(heap.begin(), heap.end());
  }
}

void BuildRange(std::vector<Node>& nodes, std::vector<std::uint8_t>& axes, std::size_t lo, std::size_t hi) {
  while (hi - lo > 1) {
    float min[3] = {2, 2, 2}, max[3] = {-2, -2, -2};
    for (std::size_t i = lo; i < hi; ++i) {
      for (int a = 0; a < 3; ++a) {
        min[a] = std::min(min[a], Coord(nodes[i], a));
        max[a] = std::max(max[a], Coord(nodes[i], a));
      }
    }
    int axis = 0;
    for (int a = 1; a < 3; ++a) {
      if (max[a] - min[a] > max[axis] - min[axis]) axis = a;
    }
    const std::size_t mid = lo + (hi - lo) / 2;
    std::nth_element(nodes.begin() + static_cast<std::ptrdiff_t>(lo), nodes.begin() + static_cast<std::ptrdiff_t>(mid),
                     nodes.begin() + static_cast<std::ptrdiff_t>(hi),
                     [axis](const Node& a, const Node& b) { return Coord(a, axis) < Coord(b, axis); });
    axes[mid] = static_cast<std::uint8_t>(axis);
    BuildRange(nodes, axes, lo, mid);
    lo = mid + 1;  // the right half by iteration: recursion depth is log2(n)
  }
}

struct Search {
  const std::vector<Node>& nodes;
  const std::vector<std::uint8_t>& axes;
  Node query;
  std::size_t n;
  double limit2;
  std::vector<Candidate> heap;  // max-heap of the best n so far

  double Worst() const { return heap.size() == n ? heap.front().first : limit2; }

  void Offer(const Node& node) {
    const double d2 = Chord2(query, node);
    if (d2 > limit2) return;
    KeepBest(heap, n, {d2, node.id});
  }

  void Walk(std::size_t lo, std::size_t hi) {
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      const Node& node = nodes[mid];
      Offer(node);
      if (hi - lo == 1) return;
      const int axis = axes[mid];
      const double diff = double{Coord(query, axis)} - Coord(node, axis);
      const bool left_first = diff < 0;
      // The near side first; the far side only if its plane is within the worst kept (ties included).
      if (left_first) {
        Walk(lo, mid);
        if (diff * diff > Worst()) return;
        lo = mid + 1;
      } else {
        Walk(mid + 1, hi);
        if (diff * diff > Worst()) return;
        hi = mid;
      }
    }
  }
};

std::vector<NearbyHit> ToHits(std::vector<Candidate> best) {
  std::sort(best.begin(), best.end());
  std::vector<NearbyHit> out;
  out.reserve(best.size());
  for (const auto& [d2, id] : best) out.push_back({id, KmFromChord2(d2)});
  return out;
}

}  // namespace

NearbyIndex::Tree NearbyIndex::BuildTree(std::vector<Node> nodes) {
  Tree t;
  t.axes.assign(nodes.size(), 0);
  BuildRange(nodes, t.axes, 0, nodes.size());
  t.nodes = std::move(nodes);
  return t;
}

NearbyIndex NearbyIndex::BuildFromPoints(const std::vector<SitePoint>& points) {
  std::vector<Node> per_category[kCategoryCount + 1];
  for (const SitePoint& p : points) {
    const Node node = ToNode(p.point, p.id);
    per_category[kCategoryCount].push_back(node);
    for (std::uint32_t mask = p.categories; mask != 0; mask &= mask - 1) {
      const auto c = static_cast<std::size_t>(__builtin_ctz(mask));
      if (c < kCategoryCount) per_category[c].push_back(node);
    }
  }
  NearbyIndex idx;
  for (std::size_t c = 0; c <= kCategoryCount; ++c) idx.trees_[c] = BuildTree(std::move(per_category[c]));
  return idx;
}

NearbyIndex NearbyIndex::Build(const std::vector<Resource>& resources) {
  std::vector<SitePoint> points;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const Resource& r = resources[i];
    if (!r.IsSite() || r.status != ResourceStatus::kActive || !r.coordinates) continue;
    SitePoint p{{r.coordinates->lat, r.coordinates->lon}, static_cast<std::uint32_t>(i), 0};
    for (Category c : r.categories) p.categories |= 1u << static_cast<unsigned>(c);
    points.push_back(p);
  }
  return BuildFromPoints(points);
}

std::vector<NearbyHit> NearbyIndex::Nearest(GeoPoint at, std::optional<Category> category, std::size_t n,
                                            double max_km) const {
  const Tree& tree = trees_[category ? static_cast<std::size_t>(*category) : kCategoryCount];
  if (n == 0 || tree.nodes.empty()) return {};
  Search search{tree.nodes, tree.axes, ToNode(at, 0), n, Chord2Limit(max_km), {}};
  search.heap.reserve(n + 1);
  search.Walk(0, tree.nodes.size());
  return ToHits(std::move(search.heap));
}

BruteForceSites::BruteForceSites(const std::vector<SitePoint>& points) {
  nodes_.reserve(points.size());
  masks_.reserve(points.size());
  for (const SitePoint& p : points) {
    nodes_.push_back(ToNode(p.point, p.id));
    masks_.push_back(p.categories);
  }
}

std::vector<NearbyHit> BruteForceSites::Nearest(GeoPoint at, std::optional<Category> category, std::size_t n,
                                                double max_km) const {
  const Node query = ToNode(at, 0);
  const double limit2 = Chord2Limit(max_km);
  const std::uint32_t want = category ? 1u << static_cast<unsigned>(*category) : ~0u;
  std::vector<Candidate> best;  // max-heap of the n best, as a scan would keep them
  best.reserve(n + 1);
  for (std::size_t i = 0; i < nodes_.size() && n > 0; ++i) {
    if ((masks_[i] & want) == 0 && category) continue;
    const double d2 = Chord2(query, nodes_[i]);
    if (d2 > limit2) continue;
    KeepBest(best, n, {d2, nodes_[i].id});
  }
  return ToHits(std::move(best));
}

}  // namespace helpline::directory
