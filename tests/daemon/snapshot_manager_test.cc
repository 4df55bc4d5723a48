// The directory snapshot the daemon serves: the snapshot file on disk
// (directory/snapshot.h) and SnapshotManager against a real redis-server,
// with the shipped directory as data.

#include "daemon/snapshot_manager.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "directory/json_codec.h"
#include "directory/redis_store.h"
#include "directory/snapshot.h"
#include "directory/validator.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::daemon {
namespace {

namespace fs = std::filesystem;
using directory::Resource;
using helpline::testing::RawRedis;
using helpline::testing::RedisServer;

const std::string kShippedDir = std::string(HELPLINE_SOURCE_DIR) + "/data/directory";

// The shipped directory, validated once for the whole binary.
const std::vector<Resource>& Shipped() {
  static const std::vector<Resource> resources = [] {
    directory::ValidationReport report = directory::Validator().ValidatePaths({kShippedDir});
    EXPECT_TRUE(report.ok());
    return report.resources;
  }();
  return resources;
}

// The shipped directory with one resource renamed: another content, same ids.
std::vector<Resource> Renamed() {
  std::vector<Resource> out = Shipped();
  out.front().name = "Renamed for the test";
  return out;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/hl-snap-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void LoadInto(const RedisServer& redis, const std::vector<Resource>& resources) {
  auto store = directory::RedisStore::Connect(*redis::ParseUrl(redis.Url()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto loaded = (*store)->Load(directory::ToStored(resources), directory::MakeVersionMeta(resources, "test"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
}

// Records what a SnapshotManager reports.
struct Seen {
  std::vector<SnapshotSource> swaps;
  std::vector<std::string> warnings;
};

SnapshotManager Make(const std::string& redis_url, const std::string& disk_path, const std::string& shipped_dir,
                     Seen* seen) {
  SnapshotOptions o;
  o.url = *redis::ParseUrl(redis_url);
  o.store.timeout_ms = 1000;
  o.disk_path = disk_path;
  o.shipped_dir = shipped_dir;
  return SnapshotManager(
      std::move(o), [seen](const directory::DirectoryIndex&, SnapshotSource s) { seen->swaps.push_back(s); },
      [seen](const std::string& w) { seen->warnings.push_back(w); });
}

// A Redis URL nothing answers at.
std::string Unreachable(const TempDir& dir) { return "unix://" + (dir.path() / "no-redis.sock").string(); }

TEST(SnapshotFile, RoundTripsAVersionAndLeavesNoTemporaryFile) {
  TempDir dir;
  const std::string path = (dir.path() / "state" / "directory.snapshot").string();  // the parent is created
  auto index = directory::DirectoryIndex::Build(Shipped(), 7);
  ASSERT_TRUE(directory::WriteSnapshotFile(path, *index).ok());
  auto back = directory::ReadSnapshotFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->index->version(), 7);
  EXPECT_EQ(back->digest, directory::ContentDigest(Shipped()));
  ASSERT_EQ(back->index->size(), Shipped().size());
  for (std::size_t i = 0; i < Shipped().size(); ++i) {
    EXPECT_EQ(directory::ToCanonicalJson(back->index->resources()[i]), directory::ToCanonicalJson(Shipped()[i]));
  }
  EXPECT_GT(back->saved_at_ms, 0);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path() / "state")) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"directory.snapshot"});
}

TEST(SnapshotFile, ATruncatedOrEditedFileIsRefusedAndAMissingOneIsNotFound) {
  TempDir dir;
  const fs::path path = dir.path() / "directory.snapshot";
  EXPECT_EQ(directory::ReadSnapshotFile(path.string()).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(directory::WriteSnapshotFile(path.string(), *directory::DirectoryIndex::Build(Shipped(), 3)).ok());
  const std::string good = ReadAll(path);

  // Cut in the middle of a resource, then after a whole one.
  std::ofstream(path, std::ios::trunc) << good.substr(0, good.size() / 2);
  EXPECT_EQ(directory::ReadSnapshotFile(path.string()).status().code(), StatusCode::kInvalidArgument);
  std::ofstream(path, std::ios::trunc) << good.substr(0, good.rfind('\n', good.size() / 2) + 1);
  auto truncated = directory::ReadSnapshotFile(path.string());
  EXPECT_EQ(truncated.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos) << truncated.status().message();
  std::ofstream(path, std::ios::trunc) << good.substr(0, good.size() - 4);  // all resources, no "end"
  EXPECT_EQ(directory::ReadSnapshotFile(path.string()).status().code(), StatusCode::kInvalidArgument);

  std::string edited = good;
  const std::string name = "\"name\":\"" + Shipped().back().name + "\"";
  ASSERT_NE(edited.find(name), std::string::npos);
  edited.replace(edited.find(name), name.size(), "\"name\":\"Edited\"");
  std::ofstream(path, std::ios::trunc) << edited;
  auto tampered = directory::ReadSnapshotFile(path.string());
  EXPECT_EQ(tampered.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tampered.status().message().find("digest"), std::string::npos) << tampered.status().message();

  std::ofstream(path, std::ios::trunc) << "not a snapshot\n";
  EXPECT_EQ(directory::ReadSnapshotFile(path.string()).status().code(), StatusCode::kInvalidArgument);
}

TEST(SnapshotFile, APathThatCannotBeWrittenIsUnavailableAndLeavesNothingBehind) {
  TempDir dir;
  const fs::path path = dir.path() / "taken";
  fs::create_directories(path / "not-empty");  // rename() cannot replace a non-empty directory
  Status s = directory::WriteSnapshotFile(path.string(), *directory::DirectoryIndex::Build(Shipped(), 1));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find(path.string()), std::string::npos) << s.message();
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u) << "the temporary file is removed";
}

TEST(SnapshotManager, TakesADifferentDirectoryLoadedAgainAsVersion1AfterRedisLostItsData) {
  RedisServer redis;
  TempDir dir;
  Seen seen;
  LoadInto(redis, Shipped());
  SnapshotManager snapshots = Make(redis.Url(), "", "", &seen);
  ASSERT_TRUE(snapshots.LoadNow().ok());
  auto first = snapshots.Get();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->version(), 1);
  EXPECT_EQ(snapshots.Describe().digest, directory::ContentDigest(Shipped()));

  // Unchanged: nothing is loaded again.
  ASSERT_TRUE(snapshots.LoadNow().ok());
  EXPECT_EQ(snapshots.Get(), first);

  RawRedis raw(redis.socket_path());
  EXPECT_EQ(raw.Str({"FLUSHALL"}), "OK");
  LoadInto(redis, Renamed());
  ASSERT_TRUE(snapshots.LoadNow().ok());
  auto second = snapshots.Get();
  ASSERT_NE(second, first);
  EXPECT_EQ(second->version(), 1);
  EXPECT_EQ(second->resources().front().name, "Renamed for the test");
  EXPECT_EQ(snapshots.Describe().digest, directory::ContentDigest(Renamed()));
  EXPECT_EQ(snapshots.Describe().source, SnapshotSource::kRedis);
  EXPECT_EQ(seen.swaps.size(), 2u);
}

TEST(SnapshotManager, SavesEachVersionOnDiskAndServesItWhenRedisIsUnreachableAtStart) {
  RedisServer redis;
  TempDir dir;
  const std::string disk = (dir.path() / "directory.snapshot").string();
  Seen seen;
  LoadInto(redis, Renamed());
  {
    SnapshotManager snapshots = Make(redis.Url(), disk, kShippedDir, &seen);
    ASSERT_TRUE(snapshots.LoadNow().ok());
  }
  ASSERT_TRUE(fs::exists(disk));
  EXPECT_TRUE(seen.warnings.empty());

  Seen later;
  SnapshotManager snapshots = Make(Unreachable(dir), disk, kShippedDir, &later);
  EXPECT_EQ(snapshots.LoadNow().code(), StatusCode::kUnavailable);
  ASSERT_NE(snapshots.Get(), nullptr);
  EXPECT_EQ(snapshots.Get()->resources().front().name, "Renamed for the test") << "the disk snapshot, not the files";
  const SnapshotDescription d = snapshots.Describe();
  EXPECT_EQ(d.source, SnapshotSource::kDisk);
  EXPECT_EQ(d.version, 1);
  EXPECT_NE(d.note.find("Redis unreachable at start"), std::string::npos) << d.note;
  EXPECT_EQ(later.swaps, std::vector<SnapshotSource>{SnapshotSource::kDisk});
  EXPECT_FALSE(snapshots.redis_up());
}

TEST(SnapshotManager, FallsBackToTheShippedFilesWhenTheDiskSnapshotIsDamaged) {
  TempDir dir;
  const std::string disk = (dir.path() / "directory.snapshot").string();
  std::ofstream(disk) << "helpline-directory-snapshot 1\nversion 4\n";
  Seen seen;
  SnapshotManager snapshots = Make(Unreachable(dir), disk, kShippedDir, &seen);
  EXPECT_EQ(snapshots.LoadNow().code(), StatusCode::kUnavailable);
  ASSERT_NE(snapshots.Get(), nullptr);
  EXPECT_EQ(snapshots.Get()->size(), Shipped().size());
  EXPECT_EQ(snapshots.Describe().source, SnapshotSource::kShipped);
  EXPECT_EQ(snapshots.Get()->version(), 0);
  ASSERT_EQ(seen.warnings.size(), 1u);
  EXPECT_NE(seen.warnings[0].find("disk snapshot not used"), std::string::npos) << seen.warnings[0];
}

TEST(SnapshotManager, ShippedFilesThatDoNotValidateAreNotServed) {
  TempDir dir;
  std::ofstream(dir.path() / "broken.json") << "{ not json";
  Seen seen;
  SnapshotManager snapshots = Make(Unreachable(dir), "", dir.path().string(), &seen);
  EXPECT_EQ(snapshots.LoadNow().code(), StatusCode::kUnavailable);
  EXPECT_EQ(snapshots.Get(), nullptr);
  ASSERT_EQ(seen.warnings.size(), 1u);
  EXPECT_NE(seen.warnings[0].find("not served"), std::string::npos) << seen.warnings[0];
}

TEST(SnapshotManager, ARedisThatAnswersWithoutAVersionIsNotAFallbackCase) {
  RedisServer redis;
  TempDir dir;
  Seen seen;
  SnapshotManager snapshots = Make(redis.Url(), "", kShippedDir, &seen);
  EXPECT_EQ(snapshots.LoadNow().code(), StatusCode::kNotFound);
  EXPECT_EQ(snapshots.Get(), nullptr);
  EXPECT_TRUE(snapshots.redis_up());
}

}  // namespace
}  // namespace helpline::daemon
