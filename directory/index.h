#pragma once
// The in-memory directory index the daemon serves from: an immutable
// snapshot of one directory version with lookups by region (with ancestry:
// CA-BC falls back to CA, then *) x category x language.
//
//   std::shared_ptr<const DirectoryIndex> idx = DirectoryIndex::Build(resources, 7);
//   for (const Resource* r : idx->Lookup("CA-BC", Category::kNaloxone, "fr")) ...
//
// Thread-safety: immutable after Build(); any number of threads may read it.
// Pointers returned by lookups live as long as the index (hold the shared_ptr).

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/string_map.h"
#include "common/text_normalize.h"
#include "directory/model.h"
#include "directory/nearby_index.h"

namespace helpline::directory {

class DirectoryIndex {
 public:
  // Indexes `resources` (any order). Retired resources are kept for Find()
  // but never returned by Lookup().
  static std::shared_ptr<const DirectoryIndex> Build(std::vector<Resource> resources, std::int64_t version = 0);

  // Active and unconfirmed resources of `category` listed for `region` or
  // any of its ancestors, ordered by priority (higher first), then, with a
  // non-empty `lang`, those serving that language first, then the more
  // specific region first, then id. An unknown region is looked up as "*".
  // Language orders but never filters: a line in another language is better
  // than none, and priority (911 before a referral line) must win.
  // With `limit` > 0 only the first `limit` are returned, found by merging
  // the pre-sorted lists (cost grows with `limit`, not with the directory).
  std::vector<const Resource*> Lookup(std::string_view region, Category category, std::string_view lang = {},
                                      std::size_t limit = 0) const;

  // Resources named in a message by one of their aliases (any language),
  // matched on folded tokens (common/text_normalize.h), longest alias first
  // at each token, in token order; retired resources are never named. An
  // alias shared by several resources ("811") yields each of them.
  struct AliasMatch {
    const Resource* resource;
    std::size_t first;  // first token
    std::size_t count;  // tokens covered
  };
  std::vector<AliasMatch> FindAliases(const std::vector<Token>& tokens) const;

  // The resource with this id (retired included), or nullptr.
  const Resource* Find(std::string_view id) const;

  // Regions that have at least one servable resource, sorted.
  std::vector<std::string> Regions() const;

  // Active sites by distance (ids are indexes into resources()), built with the index.
  const NearbyIndex& nearby() const { return nearby_; }

  const std::vector<Resource>& resources() const { return resources_; }
  std::int64_t version() const { return version_; }
  std::size_t size() const { return resources_.size(); }

 private:
  DirectoryIndex() = default;

  // Per region, per category: indexes into resources_, by priority then id.
  using CategoryLists = std::array<std::vector<std::uint32_t>, kCategoryCount>;

  std::vector<Resource> resources_;  // sorted by id
  StringMap<CategoryLists> by_region_;
  // Aliases by their first folded word, longest first.
  struct Alias {
    std::vector<std::string> words;
    std::uint32_t resource;
  };
  StringMap<std::vector<Alias>> aliases_by_first_;
  NearbyIndex nearby_;
  std::int64_t version_ = 0;
};

}  // namespace helpline::directory
