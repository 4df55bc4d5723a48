#include "directory/snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

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
    if (!r.ok())
      return Internal("version " + std::to_string(version) + ", resource '" + s.id + "': " + r.status().message());
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

namespace {

constexpr std::string_view kSnapshotMagic = "helpline-directory-snapshot 1";

std::string SystemError(const std::string& what, const std::string& path) {
  return "snapshot file " + path + ": " + what + ": " + std::strerror(errno);
}

// Writes all of `data` to `fd`, retrying short writes and EINTR.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// "key value" -> value, or nullopt when the line is not that key.
std::optional<std::string> HeaderValue(const std::string& line, std::string_view key) {
  if (line.size() <= key.size() || line.compare(0, key.size(), key) != 0 || line[key.size()] != ' ') {
    return std::nullopt;
  }
  return line.substr(key.size() + 1);
}

std::optional<std::int64_t> ParseCount(const std::optional<std::string>& v) {
  if (!v || v->empty() || v->size() > 18 || v->find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(*v);
}

}  // namespace

Status WriteSnapshotFile(const std::string& path, const DirectoryIndex& index) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);  // an error shows when the file cannot be opened
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::string text;
  text.reserve(index.size() * 512);
  text.append(kSnapshotMagic).append("\n");
  text.append("version ").append(std::to_string(index.version())).append("\n");
  text.append("digest ").append(ContentDigest(index.resources())).append("\n");
  text.append("saved_at_ms ").append(std::to_string(now_ms)).append("\n");
  text.append("resources ").append(std::to_string(index.size())).append("\n");
  for (const Resource& r : index.resources()) text.append(ToCanonicalJson(r)).append("\n");
  text.append("end\n");

  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Unavailable(SystemError("cannot create " + tmp, path));
  if (!WriteAll(fd, text) || ::fsync(fd) != 0) {
    Status s = Unavailable(SystemError("cannot write " + tmp, path));
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  if (::close(fd) != 0) {
    Status s = Unavailable(SystemError("cannot write " + tmp, path));
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Unavailable(SystemError("cannot rename " + tmp + " over it", path));
    ::unlink(tmp.c_str());
    return s;
  }
  // The rename itself is durable once the directory is flushed too.
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<SnapshotFile> ReadSnapshotFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return NotFound("no snapshot file at " + path);
    return InvalidArgument(SystemError("cannot read", path));
  }
  auto bad = [&path](const std::string& why) { return InvalidArgument("snapshot file " + path + ": " + why); };
  std::string line;
  if (!std::getline(in, line) || line != kSnapshotMagic) return bad("not a helpline directory snapshot");
  std::string version_line, digest_line, saved_line, count_line;
  std::getline(in, version_line);
  std::getline(in, digest_line);
  std::getline(in, saved_line);
  std::getline(in, count_line);
  const auto version = ParseCount(HeaderValue(version_line, "version"));
  const auto digest = HeaderValue(digest_line, "digest");
  const auto saved_at = ParseCount(HeaderValue(saved_line, "saved_at_ms"));
  const auto count = ParseCount(HeaderValue(count_line, "resources"));
  if (!version || !digest || !saved_at || !count) return bad("malformed header");
  std::vector<Resource> resources;
  resources.reserve(static_cast<std::size_t>(std::min<std::int64_t>(*count, 100000)));
  for (std::int64_t i = 0; i < *count; ++i) {
    if (!std::getline(in, line))
      return bad("truncated (" + std::to_string(i) + " of " + std::to_string(*count) + " resources)");
    auto r = ResourceFromJson(line);
    if (!r.ok()) return bad("resource " + std::to_string(i + 1) + ": " + r.status().message());
    resources.push_back(std::move(r).value());
  }
  if (!std::getline(in, line) || line != "end" || std::getline(in, line)) return bad("no end line where expected");
  if (ContentDigest(resources) != *digest) return bad("content does not match its digest");
  SnapshotFile out;
  out.digest = *digest;
  out.saved_at_ms = *saved_at;
  out.index = DirectoryIndex::Build(std::move(resources), *version);
  return out;
}

}  // namespace helpline::directory
