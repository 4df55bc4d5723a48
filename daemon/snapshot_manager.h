#pragma once
// Keeps the directory snapshot the daemon serves from: loads the current
// version from Redis at start and swaps in each new version atomically, with
// no restart and no failed request (readers hold a shared_ptr to the old
// snapshot until they are done with it).
//
// A background thread waits for a nudge (Notify(), called when the
// "dir:events" pub/sub channel announces a version, or Reload() on SIGHUP) or
// for the safety-net poll interval, then compares the current version number
// with the served one and loads the new version if they differ. If Redis is
// unreachable the old snapshot keeps serving; redis_up() says so.
//
// Thread-safety: Get(), Notify(), Reload(), redis_up() from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "directory/index.h"
#include "directory/redis_store.h"
#include "directory/redis_url.h"

namespace helpline::daemon {

class SnapshotManager {
 public:
  // Called after each swap with the new index (for metrics and logs).
  using OnSwap = std::function<void(const directory::DirectoryIndex&)>;

  SnapshotManager(directory::RedisUrl url, directory::StoreOptions options, std::chrono::seconds poll,
                  OnSwap on_swap);
  ~SnapshotManager();  // stops the thread
  SnapshotManager(const SnapshotManager&) = delete;
  SnapshotManager& operator=(const SnapshotManager&) = delete;

  // Loads the current version once, synchronously. NotFound if Redis has no
  // version; Unavailable if Redis cannot be reached.
  Status LoadNow();
  // Starts the background thread.
  void Start();
  void Stop();

  // The snapshot to serve from; nullptr before the first successful load.
  std::shared_ptr<const directory::DirectoryIndex> Get() const { return current_.load(); }
  void Notify();  // a new version was announced
  void Reload() { Notify(); }
  bool redis_up() const { return redis_up_.load(); }

 private:
  void Run();
  Status CheckOnce();

  directory::RedisUrl url_;
  directory::StoreOptions options_;
  std::chrono::seconds poll_;
  OnSwap on_swap_;
  std::atomic<std::shared_ptr<const directory::DirectoryIndex>> current_;
  std::atomic<bool> redis_up_{false};
  std::unique_ptr<directory::RedisStore> store_;  // used only by LoadNow() and the thread, never both at once

  std::mutex mu_;
  std::condition_variable cv_;
  bool nudged_ = false;    // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace helpline::daemon
