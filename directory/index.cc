#include "directory/index.h"

#include <algorithm>

#include "directory/regions.h"

namespace helpline::directory {

std::shared_ptr<const DirectoryIndex> DirectoryIndex::Build(std::vector<Resource> resources, std::int64_t version) {
  std::shared_ptr<DirectoryIndex> idx(new DirectoryIndex());
  idx->version_ = version;
  std::sort(resources.begin(), resources.end(), [](const Resource& a, const Resource& b) { return a.id < b.id; });
  idx->resources_ = std::move(resources);
  const auto& rs = idx->resources_;
  for (std::uint32_t i = 0; i < rs.size(); ++i) {
    if (rs[i].status == ResourceStatus::kRetired) continue;
    for (const auto& region : rs[i].regions) {
      CategoryLists& lists = idx->by_region_[region];
      for (Category c : rs[i].categories) {
        auto& list = lists[static_cast<std::size_t>(c)];
        if (list.empty() || list.back() != i) list.push_back(i);
      }
    }
  }
  // Ids are sorted already, so a stable sort by priority keeps id order within a priority.
  for (auto& [region, lists] : idx->by_region_) {
    for (auto& list : lists) {
      std::stable_sort(list.begin(), list.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return rs[a].priority > rs[b].priority; });
    }
  }
  return idx;
}

std::vector<const Resource*> DirectoryIndex::Lookup(std::string_view region, Category category,
                                                    std::string_view lang) const {
  std::vector<std::string_view> chain = Ancestry(region);
  if (chain.empty()) chain.push_back(kEverywhere);

  struct Hit {
    std::uint32_t index;
    std::size_t depth;  // 0 = the region itself, larger = more general
  };
  std::vector<Hit> hits;
  for (std::size_t depth = 0; depth < chain.size(); ++depth) {
    auto it = by_region_.find(chain[depth]);
    if (it == by_region_.end()) continue;
    for (std::uint32_t i : it->second[static_cast<std::size_t>(category)]) hits.push_back({i, depth});
  }
  // A resource listed at several levels counts once, at its most specific level.
  if (chain.size() > 1) {
    std::sort(hits.begin(), hits.end(),
              [](const Hit& a, const Hit& b) { return a.index != b.index ? a.index < b.index : a.depth < b.depth; });
    hits.erase(std::unique(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.index == b.index; }),
               hits.end());
  }
  auto serves = [&](const Hit& h) { return lang.empty() || resources_[h.index].ServesLanguage(lang); };
  std::sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    const Resource& ra = resources_[a.index];
    const Resource& rb = resources_[b.index];
    if (ra.priority != rb.priority) return ra.priority > rb.priority;
    if (serves(a) != serves(b)) return serves(a);
    if (a.depth != b.depth) return a.depth < b.depth;
    return a.index < b.index;  // index order is id order
  });

  std::vector<const Resource*> out;
  out.reserve(hits.size());
  for (const Hit& h : hits) out.push_back(&resources_[h.index]);
  return out;
}

const Resource* DirectoryIndex::Find(std::string_view id) const {
  auto it = std::lower_bound(resources_.begin(), resources_.end(), id,
                             [](const Resource& r, std::string_view key) { return r.id < key; });
  if (it == resources_.end() || it->id != id) return nullptr;
  return &*it;
}

std::vector<std::string> DirectoryIndex::Regions() const {
  std::vector<std::string> out;
  out.reserve(by_region_.size());
  for (const auto& [region, lists] : by_region_) out.push_back(region);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace helpline::directory
