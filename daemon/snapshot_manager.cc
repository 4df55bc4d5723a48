#include "daemon/snapshot_manager.h"

#include "directory/snapshot.h"

namespace helpline::daemon {

SnapshotManager::SnapshotManager(directory::RedisUrl url, directory::StoreOptions options, std::chrono::seconds poll,
                                 OnSwap on_swap)
    : url_(std::move(url)), options_(std::move(options)), poll_(poll), on_swap_(std::move(on_swap)) {}

SnapshotManager::~SnapshotManager() { Stop(); }

Status SnapshotManager::CheckOnce() {
  if (store_ == nullptr) {
    auto store = directory::RedisStore::Connect(url_, options_);
    if (!store.ok()) {
      redis_up_.store(false);
      return store.status();
    }
    store_ = std::move(store).value();
  }
  auto version = store_->Current();
  if (!version.ok()) {
    redis_up_.store(false);
    store_.reset();  // reconnect next time
    return version.status();
  }
  redis_up_.store(true);
  if (!version->has_value()) return NotFound("no directory version has been loaded into Redis yet");
  auto served = current_.load();
  if (served != nullptr && served->version() == **version) return Status::Ok();
  auto index = directory::LoadCurrentIndex(*store_);
  if (!index.ok()) {
    if (index.status().code() == StatusCode::kUnavailable) {
      redis_up_.store(false);
      store_.reset();
    }
    return index.status();
  }
  current_.store(*index);
  if (on_swap_) on_swap_(**index);
  return Status::Ok();
}

Status SnapshotManager::LoadNow() { return CheckOnce(); }

void SnapshotManager::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void SnapshotManager::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SnapshotManager::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    nudged_ = true;
  }
  cv_.notify_all();
}

void SnapshotManager::Run() {
  // While Redis is down, retry sooner than the poll interval (with backoff).
  std::chrono::milliseconds retry(250);
  while (true) {
    const bool up = redis_up_.load();
    const auto wait = up ? std::chrono::duration_cast<std::chrono::milliseconds>(poll_) : retry;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, wait, [this] { return nudged_ || stopping_; });
      if (stopping_) return;
      nudged_ = false;
    }
    Status s = CheckOnce();
    if (redis_up_.load()) {
      retry = std::chrono::milliseconds(250);
    } else {
      retry = std::min(retry * 2, std::chrono::milliseconds(5000));
    }
    (void)s;  // failures show in redis_up() and metrics; the old snapshot keeps serving
  }
}

}  // namespace helpline::daemon
