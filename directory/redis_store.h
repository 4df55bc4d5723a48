#pragma once
// The versioned directory store in Redis.
//
// Design. A directory version is written completely under its own keys, and
// only then made visible by switching `current` in one Lua script; readers
// only ever follow `current` (or an explicit kept version), so no reader sees
// a partial or mixed version. Keys, all under the configured prefix P
// (default "hl:"):
//
//   P dir:seq            INCR counter allocating version numbers (racing
//                        loaders get distinct numbers and never share keys)
//   P dir:current        the current version number
//   P dir:versions       sorted set, score = member = version number (kept versions)
//   P dir:v{N}:res       hash  id -> canonical resource JSON
//   P dir:v{N}:meta      hash  loaded_at_ms, digest, resources, counts, source
//   P dir:events         pub/sub channel; the message is the new current N
//
// While a version is being written its keys carry a TTL (a crashed loader's
// leftovers expire on their own); the switch script persists them. The switch
// script refuses ("unchanged") when the current version already has the same
// digest, so identical content never creates a version, even when two loaders
// race with the same content. After a switch, versions beyond the newest
// `keep_versions` are deleted (never the current one). Rollback is one script:
// it checks the version is kept, sets current and publishes.
//
// Redis itself is reached through redis::BlockingClient (redis/), which also
// maps errors (redis/errors.h) and runs the scripts (redis/script.h).
//
// Thread-safety: a RedisStore owns one blocking connection and is not safe
// for concurrent use; give each thread its own.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "redis/faults.h"
#include "redis/url.h"

namespace helpline::directory {

struct StoreOptions {
  // Prefix of every key. Default "hl:".
  std::string prefix = "hl:";
  // How many versions stay for rollback, including the current one. Default 5, minimum 1.
  int keep_versions = 5;
  // Connect and per-command timeout, milliseconds. Default 5000.
  int timeout_ms = 5000;
  // Seconds a partially written version lives before it expires. Default 3600.
  int staging_ttl_s = 3600;
  // Tests only: injected failures (redis/faults.h). Null in production.
  std::shared_ptr<redis::Faults> faults;
};

// One resource as stored: its id and its canonical JSON.
struct StoredResource {
  std::string id;
  std::string json;
  bool operator==(const StoredResource&) const = default;
};

// What the loader records about a version.
struct VersionMeta {
  std::string digest;       // content digest (sha256 hex of the canonical resources)
  std::string counts_json;  // {"resources":N,"by_category":{...},"by_region":{...}}
  std::string source;       // free text: the files or URL it came from
};

struct VersionInfo {
  std::int64_t number = 0;
  std::int64_t loaded_at_ms = 0;  // unix epoch milliseconds
  std::int64_t resources = 0;
  std::string digest;
  std::string counts_json;
  std::string source;
  bool current = false;
};

enum class LoadResult { kCreated, kUnchanged };

struct LoadOutcome {
  LoadResult result = LoadResult::kCreated;
  VersionInfo version;                   // the new version, or the current one if unchanged
  std::optional<std::int64_t> previous;  // the version that was current before
};

// Called while writing: (resources written, total).
using ProgressFn = std::function<void(std::size_t, std::size_t)>;

class RedisStore {
 public:
  // Connects and authenticates (AUTH, SELECT as the URL says). Unavailable if
  // Redis cannot be reached; the message carries the redacted URL.
  static Result<std::unique_ptr<RedisStore>> Connect(const redis::Url& url, StoreOptions options = {});
  ~RedisStore();
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  // The current version number; nullopt when nothing was ever loaded.
  Result<std::optional<std::int64_t>> Current();

  // Writes `resources` (sorted by id, ids unique) as a new version and
  // switches to it atomically, publishing the new number on dir:events.
  // Returns kUnchanged, writing nothing that stays, when the current version
  // has the same digest.
  Result<LoadOutcome> Load(const std::vector<StoredResource>& resources, const VersionMeta& meta,
                           const ProgressFn& progress = nullptr);

  // Kept versions, newest first, the current one marked.
  Result<std::vector<VersionInfo>> Versions();
  Result<VersionInfo> Info(std::int64_t version);

  // Makes a kept version current in one atomic step and publishes it.
  // NotFound if the version is not kept.
  Result<VersionInfo> Rollback(std::int64_t version);

  // The resources of a kept version, sorted by id. NotFound if not kept.
  Result<std::vector<StoredResource>> ReadVersion(std::int64_t version);

  // The pub/sub channel announcing new current versions ("hl:dir:events").
  std::string EventsChannel() const;
  // The same channel for key prefix `prefix`, for subscribers without a
  // store (the daemon's loop 0).
  static std::string EventsChannelOf(std::string_view prefix);

 private:
  struct Impl;
  explicit RedisStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace helpline::directory
