#pragma once
// Glue between the model and the Redis store: turning validated resources
// into a stored version, and a stored version back into resources or an
// index. One code path for the CLI, the refresh script and the daemon.
// Also the daemon's copy of the directory on local disk (a "snapshot
// file"), so that it can serve when Redis cannot be reached at start.
//
// Snapshot file format (text, one record per line; canonical JSON never
// contains a raw newline):
//
//   helpline-directory-snapshot 1
//   version 7
//   digest 3f9a...            (ContentDigest of the resources below)
//   saved_at_ms 1733300000000
//   resources 412
//   {"id":"ca-nors",...}      (412 lines of canonical resource JSON, by id)
//   end
//
// It is written to a temporary file in the same directory, flushed to disk
// (fsync), then renamed over the old one, so a reader (or a crash) sees the
// old file or the new one, never a mix. Reading checks the header, the count,
// the "end" line and the digest, so a truncated or edited file is refused.
//
// Thread-safety: free functions; the RedisStore passed in must not be used
// concurrently (see RedisStore). Two writers of one snapshot path race only
// on which whole file wins.

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

// A directory read back from a snapshot file.
struct SnapshotFile {
  std::shared_ptr<const DirectoryIndex> index;  // built with the recorded version number
  std::string digest;                           // ContentDigest of its resources
  std::int64_t saved_at_ms = 0;                 // unix epoch milliseconds
};

// Writes `index`'s resources (with its version number and their content
// digest) to `path` atomically (see the format above), creating the
// parent directory if it is missing. Unavailable when the file cannot be
// written (the message names the path and the system error); the old file,
// if any, is then left as it was.
Status WriteSnapshotFile(const std::string& path, const DirectoryIndex& index);

// Reads a snapshot file. NotFound if there is none; InvalidArgument if it is
// not a complete, intact snapshot file (the message says what is wrong).
Result<SnapshotFile> ReadSnapshotFile(const std::string& path);

}  // namespace helpline::directory
