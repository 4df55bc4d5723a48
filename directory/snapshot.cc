#include "directory/snapshot.h"

#include <map>

#include "directory/json_codec.h"

namespace helpline::directory {

std::vector<StoredResource> ToStored(const std::vector<Resource>& resources) {
  std::vector<StoredResource> out;
  out.reserve(resources.size());
  for (const auto& r : resources) out.push_back({r.id, ToCanonicalJson(r)});
  return out;
}

VersionMeta MakeVersionMeta(const std::vector<Resource>& resources, std::string source) {
  std::map<std::string, int> by_category, by_region, by_status;
  for (const auto& r : resources) {
    for (Category c : r.categories) ++by_category[std::string(CategoryName(c))];
    for (const auto& region : r.regions) ++by_region[region];
    ++by_status[std::string(ResourceStatusName(r.status))];
  }
  auto object = [](const std::map<std::string, int>& m) {
    std::string s = "{";
    for (const auto& [k, v] : m) {
      if (s.size() > 1) s += ",";
      s += "\"" + k + "\":" + std::to_string(v);  // keys are codes from closed sets: no escaping needed
    }
    return s + "}";
  };
  VersionMeta meta;
  meta.digest = ContentDigest(resources);
  meta.counts_json = "{\"resources\":" + std::to_string(resources.size()) + ",\"by_status\":" + object(by_status) +
                     ",\"by_category\":" + object(by_category) + ",\"by_region\":" + object(by_region) + "}";
  meta.source = std::move(source);
  return meta;
}

Result<std::vector<Resource>> ReadResources(RedisStore& store, std::int64_t version) {
  auto stored = store.ReadVersion(version);
  if (!stored.ok()) return stored.status();
  std::vector<Resource> out;
  out.reserve(stored->size());
  for (const auto& s : *stored) {
    auto r = ResourceFromJson(s.json);
    if (!r.ok()) return Internal("version " + std::to_string(version) + ", resource '" + s.id + "': " + r.status().message());
    out.push_back(std::move(r).value());
  }
  return out;
}

Result<std::shared_ptr<const DirectoryIndex>> LoadCurrentIndex(RedisStore& store) {
  auto current = store.Current();
  if (!current.ok()) return current.status();
  if (!current->has_value()) return NotFound("no directory version has been loaded yet");
  auto resources = ReadResources(store, **current);
  if (!resources.ok()) return resources.status();
  return DirectoryIndex::Build(std::move(resources).value(), **current);
}

}  // namespace helpline::directory
