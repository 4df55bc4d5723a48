#pragma once
// Keeps the directory snapshot the daemon serves from: loads the current
// version from Redis at start and swaps in each new version atomically, with
// no restart and no failed request (readers hold a shared_ptr to the old
// snapshot until they are done with it).
//
//   SnapshotOptions o{.url = *redis::ParseUrl(cfg.redis_url), .disk_path = cfg.snapshot_path,
//                     .shipped_dir = cfg.data_dir + "/directory"};
//   SnapshotManager snapshots(o, [](const DirectoryIndex& idx, SnapshotSource source) { Log(idx, source); });
//   snapshots.LoadNow();        // Redis, else the disk snapshot, else the shipped files
//   snapshots.Start();
//   auto index = snapshots.Get();  // per request
//
// Identity. A version is known by its number *and* its content digest (the
// loader's `digest` in dir:v{N}:meta): after Redis lost its data, a different
// directory loaded again gets version 1 again, and the digest tells it from
// the version 1 being served. A background thread waits for a nudge
// (Notify(), called when the "dir:events" pub/sub channel announces a
// version, or Reload() on SIGHUP) or for the safety-net poll interval, then
// reads the current version's number and digest and loads it unless that is
// exactly what is served from Redis.
//
// Without Redis. If Redis is unreachable the old snapshot keeps serving. If
// it is unreachable at start (LoadNow() finds it down and nothing is served),
// the daemon serves the last version it saved on local disk (disk_path,
// written atomically each time a version is taken from Redis), or else the
// shipped directory files (shipped_dir, validated as `helpline validate`
// does; served only when they have no error). Either way the thread keeps
// trying Redis and swaps in its current version once it answers with one.
// A Redis that answers but has no version yet is not a fallback case: the
// daemon then waits for a load, as before.
//
// Thread-safety: Get(), Notify(), Reload(), redis_up(), source() and
// Describe() from any thread. LoadNow() before Start() only.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "directory/index.h"
#include "directory/redis_store.h"
#include "redis/url.h"

namespace helpline::daemon {

// Where the served snapshot came from.
enum class SnapshotSource {
  kNone,     // nothing served yet
  kRedis,    // the current version in Redis
  kDisk,     // the last version saved on local disk (Redis unreachable at start)
  kShipped,  // the shipped directory files (Redis unreachable at start, no disk snapshot)
};
// "none", "redis", "disk_snapshot", "shipped_files".
std::string_view SnapshotSourceName(SnapshotSource source);

struct SnapshotOptions {
  redis::Url url;
  directory::StoreOptions store;
  // Safety-net check of the current version. Default 30 s.
  std::chrono::milliseconds poll = std::chrono::seconds(30);
  // The snapshot file (directory/snapshot.h): written each time a version is
  // taken from Redis, read at start when Redis is unreachable. Empty: never
  // written or read.
  std::string disk_path;
  // The shipped directory files (a directory of *.json), the last resort at
  // start. Empty: none.
  std::string shipped_dir;
};

// What is served, for /readyz.
struct SnapshotDescription {
  SnapshotSource source = SnapshotSource::kNone;
  std::int64_t version = 0;  // 0 for the shipped files
  std::string digest;        // content digest ("" when nothing is served)
  // Why the served snapshot is not Redis's current version ("" when it is).
  std::string note;
  // When the served version was loaded into Redis (unix ms); 0 when not
  // known (a disk snapshot, the shipped files).
  std::int64_t loaded_at_ms = 0;
};

class SnapshotManager {
 public:
  // Called after each swap with the new index and where it came from (for
  // metrics and logs), on the thread that swapped.
  using OnSwap = std::function<void(const directory::DirectoryIndex&, SnapshotSource)>;
  // Called with a one-line warning (a snapshot file that could not be
  // written or read, shipped files that do not validate). Never carries
  // directory content or secrets.
  using OnWarning = std::function<void(const std::string&)>;

  SnapshotManager(SnapshotOptions options, OnSwap on_swap, OnWarning on_warning = nullptr);
  ~SnapshotManager();  // stops the thread
  SnapshotManager(const SnapshotManager&) = delete;
  SnapshotManager& operator=(const SnapshotManager&) = delete;

  // Loads the current version once, synchronously. If Redis cannot be
  // reached and nothing is served yet, serves the disk snapshot or the
  // shipped files instead. Returns the Redis outcome: OK when Redis's current
  // version is served; NotFound if Redis has no version; Unavailable if Redis
  // cannot be reached (whether or not a fallback is now served: see Get()).
  Status LoadNow();
  // Starts the background thread.
  void Start();
  void Stop();

  // The snapshot to serve from; nullptr before the first successful load.
  std::shared_ptr<const directory::DirectoryIndex> Get() const { return current_.load(); }
  void Notify();  // a new version was announced
  void Reload() { Notify(); }
  // Whether the last check reached Redis (the snapshot thread's own
  // connection; the daemon's readiness follows its event loops' connections).
  bool redis_up() const { return redis_up_.load(); }
  SnapshotDescription Describe() const;

 private:
  void Run();
  Status CheckOnce();
  bool LoadFallback();
  void Serve(std::shared_ptr<const directory::DirectoryIndex> index, SnapshotSource source, std::string digest,
             std::string note, std::int64_t loaded_at_ms = 0);
  void Warn(const std::string& message) const;

  SnapshotOptions options_;
  OnSwap on_swap_;
  OnWarning on_warning_;
  std::atomic<std::shared_ptr<const directory::DirectoryIndex>> current_;
  std::atomic<bool> redis_up_{false};
  std::unique_ptr<directory::RedisStore> store_;  // used only by LoadNow() and the thread, never both at once

  mutable std::mutex describe_mu_;
  SnapshotDescription described_;  // guarded by describe_mu_

  std::mutex mu_;
  std::condition_variable cv_;
  bool nudged_ = false;    // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace helpline::daemon
