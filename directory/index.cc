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
  idx->nearby_ = NearbyIndex::Build(rs);
  for (std::uint32_t i = 0; i < rs.size(); ++i) {
    // Sites are found by distance (NearbyIndex), never as a region's lines.
    if (rs[i].status == ResourceStatus::kRetired || rs[i].IsSite()) continue;
    for (const auto& region : rs[i].regions) {
      CategoryLists& lists = idx->by_region_[region];
      for (Category c : rs[i].categories) {
        auto& list = lists[static_cast<std::size_t>(c)];
        if (list.empty() || list.back() != i) list.push_back(i);
      }
    }
  }
  for (std::uint32_t i = 0; i < rs.size(); ++i) {
    if (rs[i].status == ResourceStatus::kRetired || rs[i].IsSite()) continue;
    for (const auto& [lang, names] : rs[i].aliases) {
      for (const auto& name : names) {
        Alias alias{{}, i};
        for (Token& t : Tokenize(name)) alias.words.push_back(std::move(t.text));
        if (alias.words.empty()) continue;
        auto& list = idx->aliases_by_first_[alias.words.front()];
        const bool seen = std::any_of(list.begin(), list.end(),
                                      [&](const Alias& a) { return a.resource == i && a.words == alias.words; });
        if (!seen) list.push_back(std::move(alias));
      }
    }
  }
  for (auto& [first, list] : idx->aliases_by_first_) {
    std::stable_sort(list.begin(), list.end(),
                     [](const Alias& a, const Alias& b) { return a.words.size() > b.words.size(); });
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

std::vector<DirectoryIndex::AliasMatch> DirectoryIndex::FindAliases(const std::vector<Token>& tokens) const {
  std::vector<AliasMatch> out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    auto it = aliases_by_first_.find(tokens[i].text);
    if (it == aliases_by_first_.end()) continue;
    std::size_t longest = 0;
    for (const Alias& a : it->second) {
      if (longest != 0 && a.words.size() < longest) break;  // only the longest aliases that match here
      if (i + a.words.size() > tokens.size()) continue;
      bool all = true;
      for (std::size_t k = 1; k < a.words.size() && all; ++k) all = a.words[k] == tokens[i + k].text;
      if (!all) continue;
      longest = a.words.size();
      out.push_back({&resources_[a.resource], i, a.words.size()});
    }
    if (longest != 0) i += longest - 1;
  }
  return out;
}

std::vector<const Resource*> DirectoryIndex::Lookup(std::string_view region, Category category, std::string_view lang,
                                                    std::size_t limit) const {
  std::vector<std::string_view> chain = Ancestry(region);
  if (chain.empty()) chain.push_back(kEverywhere);

  // The lists of each level of the chain, each sorted by priority then id.
  struct Cursor {
    const std::vector<std::uint32_t>* list;
    std::size_t pos;
    std::size_t depth;  // 0 = the region itself, larger = more general
  };
  std::vector<Cursor> cursors;
  for (std::size_t depth = 0; depth < chain.size(); ++depth) {
    auto it = by_region_.find(chain[depth]);
    if (it == by_region_.end()) continue;
    const auto& list = it->second[static_cast<std::size_t>(category)];
    if (!list.empty()) cursors.push_back({&list, 0, depth});
  }

  struct Hit {
    std::uint32_t index;
    std::size_t depth;
    bool serves = true;  // serves `lang` (always true without one)
  };
  // Merge by (priority desc, depth asc, id asc). With a limit, stop once
  // `limit` hits are in and the next one has a lower priority: everything
  // that can still tie with the last hit (the language tie-break below) is in.
  std::vector<Hit> hits;
  while (true) {
    Cursor* best = nullptr;
    for (auto& c : cursors) {
      if (c.pos == c.list->size()) continue;
      if (best == nullptr) {
        best = &c;
        continue;
      }
      const Resource& a = resources_[(*c.list)[c.pos]];
      const Resource& b = resources_[(*best->list)[best->pos]];
      if (a.priority > b.priority || (a.priority == b.priority && c.depth < best->depth)) best = &c;
    }
    if (best == nullptr) break;
    const std::uint32_t i = (*best->list)[best->pos++];
    if (limit != 0 && hits.size() >= limit && resources_[i].priority < resources_[hits.back().index].priority) break;
    // A resource listed at several levels counts once, at its most specific level (met first).
    bool seen = false;
    if (resources_[i].regions.size() > 1) {
      for (const Hit& h : hits) seen = seen || h.index == i;
    }
    if (!seen) hits.push_back({i, best->depth, lang.empty() || resources_[i].ServesLanguage(lang)});
  }

  std::stable_sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    const Resource& ra = resources_[a.index];
    const Resource& rb = resources_[b.index];
    if (ra.priority != rb.priority) return ra.priority > rb.priority;
    if (a.serves != b.serves) return a.serves;
    if (a.depth != b.depth) return a.depth < b.depth;
    return a.index < b.index;  // index order is id order
  });
  if (limit != 0 && hits.size() > limit) hits.resize(limit);

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
