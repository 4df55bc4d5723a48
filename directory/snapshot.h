#pragma once
// Glue between the model and the Redis store: turning validated resources
// into a stored version, and a stored version back into resources or an
// index. One code path for the CLI, the refresh script and the daemon.
//
// Thread-safety: free functions; the RedisStore passed in must not be used
// concurrently (see RedisStore).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "directory/index.h"
#include "directory/model.h"
#include "directory/redis_store.h"

namespace helpline::directory {

// Canonical JSON of each resource (input sorted by id; output in the same order).
std::vector<StoredResource> ToStored(const std::vector<Resource>& resources);

// Digest, counts by category/region/status and the source label of a version.
VersionMeta MakeVersionMeta(const std::vector<Resource>& resources, std::string source);

// The resources of a kept version, sorted by id. Internal if a stored
// resource does not parse (the store is corrupt).
Result<std::vector<Resource>> ReadResources(RedisStore& store, std::int64_t version);

// The index of the current version; NotFound if nothing was ever loaded.
Result<std::shared_ptr<const DirectoryIndex>> LoadCurrentIndex(RedisStore& store);

}  // namespace helpline::directory
