#include "daemon/snapshot_manager.h"

#include <ctime>

#include "directory/json_codec.h"
#include "directory/snapshot.h"
#include "directory/validator.h"

namespace helpline::daemon {
namespace {

// "2024-12-04T16:05:00Z" for unix milliseconds.
std::string UtcTime(std::int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string_view SnapshotSourceName(SnapshotSource source) {
  switch (source) {
    case SnapshotSource::kNone: return "none";
    case SnapshotSource::kRedis: return "redis";
    case SnapshotSource::kDisk: return "disk_snapshot";
    case SnapshotSource::kShipped: return "shipped_files";
  }
  return "none";
}

SnapshotManager::SnapshotManager(SnapshotOptions options, OnSwap on_swap, OnWarning on_warning)
    : options_(std::move(options)), on_swap_(std::move(on_swap)), on_warning_(std::move(on_warning)) {}

SnapshotManager::~SnapshotManager() { Stop(); }

SnapshotDescription SnapshotManager::Describe() const {
  std::lock_guard<std::mutex> lock(describe_mu_);
  return described_;
}

void SnapshotManager::Warn(const std::string& message) const {
  if (on_warning_) on_warning_(message);
}

void SnapshotManager::Serve(std::shared_ptr<const directory::DirectoryIndex> index, SnapshotSource source,
                            std::string digest, std::string note, std::int64_t loaded_at_ms) {
  current_.store(index);
  {
    std::lock_guard<std::mutex> lock(describe_mu_);
    described_ = SnapshotDescription{source, index->version(), std::move(digest), std::move(note), loaded_at_ms};
  }
  if (on_swap_) on_swap_(*index, source);
}

Status SnapshotManager::CheckOnce() {
  auto down = [this](Status s) {
    redis_up_.store(false);
    store_.reset();  // reconnect next time
    return s;
  };
  if (store_ == nullptr) {
    auto store = directory::RedisStore::Connect(options_.url, options_.store);
    if (!store.ok()) return down(store.status());
    store_ = std::move(store).value();
  }
  auto version = store_->Current();
  if (!version.ok()) return down(version.status());
  redis_up_.store(true);
  const SnapshotDescription served = Describe();
  if (!version->has_value()) {
    if (served.source == SnapshotSource::kDisk || served.source == SnapshotSource::kShipped) {
      std::lock_guard<std::mutex> lock(describe_mu_);
      described_.note = "Redis is back but holds no directory version (load one); still serving the " +
                        std::string(served.source == SnapshotSource::kDisk ? "disk snapshot" : "shipped files");
    }
    return NotFound("no directory version has been loaded into Redis yet");
  }
  const std::int64_t number = **version;
  // The number alone is not an identity: after Redis lost its data, another
  // directory is loaded as version 1 again. The digest tells them apart.
  auto info = store_->Info(number);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kUnavailable) return down(info.status());
    return info.status();  // e.g. replaced meanwhile: the announcement of its successor nudges again
  }
  if (served.source == SnapshotSource::kRedis && served.version == number &&
      (info->digest.empty() || info->digest == served.digest)) {
    return Status::Ok();
  }
  auto resources = directory::ReadResources(*store_, number);
  if (!resources.ok()) {
    if (resources.status().code() == StatusCode::kUnavailable) return down(resources.status());
    return resources.status();
  }
  // The digest read before the resources: if the version changed in
  // between, the next check sees another digest and loads again.
  std::string digest = info->digest.empty() ? directory::ContentDigest(*resources) : info->digest;
  auto index = directory::DirectoryIndex::Build(std::move(resources).value(), number);
  Serve(index, SnapshotSource::kRedis, std::move(digest), "", info->loaded_at_ms);
  if (!options_.disk_path.empty()) {
    if (Status s = directory::WriteSnapshotFile(options_.disk_path, *index); !s.ok()) {
      Warn("directory version " + std::to_string(number) + " not saved on disk: " + s.message());
    }
  }
  return Status::Ok();
}

bool SnapshotManager::LoadFallback() {
  if (!options_.disk_path.empty()) {
    auto file = directory::ReadSnapshotFile(options_.disk_path);
    if (file.ok()) {
      const std::int64_t version = file->index->version();
      Serve(file->index, SnapshotSource::kDisk, file->digest,
            "Redis unreachable at start: serving directory version " + std::to_string(version) +
                " as saved on disk at " + UtcTime(file->saved_at_ms));
      return true;
    }
    if (file.status().code() != StatusCode::kNotFound) {
      Warn("disk snapshot not used: " + file.status().message());
    }
  }
  if (!options_.shipped_dir.empty()) {
    directory::Validator validator;
    directory::ValidationReport report = validator.ValidatePaths({options_.shipped_dir});
    if (report.ok() && !report.resources.empty()) {
      std::string digest = directory::ContentDigest(report.resources);
      Serve(directory::DirectoryIndex::Build(std::move(report.resources), 0), SnapshotSource::kShipped,
            std::move(digest), "Redis unreachable at start and no disk snapshot: serving the shipped directory files");
      return true;
    }
    Warn("shipped directory files at " + options_.shipped_dir + " not served: " + std::to_string(report.ErrorCount()) +
         " error(s) (see helpline validate " + options_.shipped_dir + ")");
  }
  return false;
}

Status SnapshotManager::LoadNow() {
  Status s = CheckOnce();
  if (s.code() == StatusCode::kUnavailable && Get() == nullptr) LoadFallback();
  return s;
}

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
    const auto wait = up ? options_.poll : retry;
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
