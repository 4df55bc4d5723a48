// Directory benchmark: a synthetic directory of N resources (default 100,000)
// is validated, loaded into a real redis-server and read back into an index.
// Every step is reported beside a reference measured in the same run, so the
// figures survive a noisy machine:
//
//   validate      vs  parsing the same files with RapidJSON (no checks)
//   load          vs  the same canonical JSON written with raw pipelined HSETs
//                     (what Redis itself costs, without versioning or switching)
//   read back     vs  the same reference's HGETALL
//   index build   (from resources in memory; target <= 1 s)
//
// usage: directory_bench [N]     (see docs/BENCHMARKS.md)

#include <hiredis/hiredis.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/synthetic_directory.h"
#include "directory/index.h"
#include "directory/json_codec.h"
#include "directory/redis_store.h"
#include "directory/regions.h"
#include "directory/snapshot.h"
#include "directory/validator.h"
#include "tests/support/redis_server.h"

namespace {

using namespace helpline::directory;
namespace fs = std::filesystem;

double Seconds(const std::function<void()>& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

redisContext* Raw(const std::string& socket) {
  redisContext* c = redisConnectUnix(socket.c_str());
  if (c == nullptr || c->err) {
    std::fprintf(stderr, "cannot connect to the benchmark redis\n");
    std::exit(1);
  }
  return c;
}

// The reference writer: the same fields, pipelined HSETs of 1,000 fields.
void RawLoad(redisContext* c, const std::vector<StoredResource>& stored) {
  const std::size_t kBatch = 1000;
  std::size_t pending = 0;
  for (std::size_t i = 0; i < stored.size(); i += kBatch) {
    std::vector<const char*> argv = {"HSET", "ref:res"};
    std::vector<std::size_t> lens = {4, 7};
    for (std::size_t j = i; j < std::min(stored.size(), i + kBatch); ++j) {
      argv.push_back(stored[j].id.data());
      lens.push_back(stored[j].id.size());
      argv.push_back(stored[j].json.data());
      lens.push_back(stored[j].json.size());
    }
    redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data());
    ++pending;
  }
  for (std::size_t i = 0; i < pending; ++i) {
    void* reply = nullptr;
    redisGetReply(c, &reply);
    freeReplyObject(reply);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  char tmpl[] = "/tmp/hl-bench-XXXXXX";
  fs::path dir = mkdtemp(tmpl);
  std::vector<std::string> paths;
  double gen_s = Seconds([&] { paths = helpline::bench::WriteSyntheticFiles(dir.string(), n); });
  std::uintmax_t bytes = 0;
  for (const auto& p : paths) bytes += fs::file_size(p);
  std::printf("synthetic directory: %d resources in %zu files, %.1f MB (generated in %.2f s)\n", n, paths.size(),
              static_cast<double>(bytes) / 1e6, gen_s);

  // Reference for validation: parse the same files with RapidJSON, no checks.
  double parse_s = Seconds([&] {
    for (const auto& p : paths) {
      std::ifstream f(p);
      std::stringstream ss;
      ss << f.rdbuf();
      rapidjson::Document d;
      d.Parse(ss.str().c_str());
      if (d.HasParseError()) std::abort();
    }
  });
  Validator validator;
  ValidationReport report;
  double validate_s = Seconds([&] { report = validator.ValidatePaths(paths); });
  if (!report.ok()) {
    for (const auto& d : report.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
    return 1;
  }

  helpline::testing::RedisServer redis;
  auto url = helpline::redis::ParseUrl(redis.Url());
  auto store = RedisStore::Connect(*url);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  std::vector<StoredResource> stored;
  VersionMeta meta;
  double prepare_s = Seconds([&] {
    stored = ToStored(report.resources);
    meta = MakeVersionMeta(report.resources, "bench");
  });
  redisContext* raw = Raw(redis.socket_path());
  double raw_load_s = Seconds([&] { RawLoad(raw, stored); });
  double load_s = Seconds([&] {
    auto outcome = (*store)->Load(stored, meta);
    if (!outcome.ok()) {
      std::fprintf(stderr, "%s\n", outcome.status().ToString().c_str());
      std::exit(1);
    }
  });
  double unchanged_s = Seconds([&] {
    auto outcome = (*store)->Load(stored, meta);
    if (!outcome.ok() || outcome->result != LoadResult::kUnchanged) std::exit(1);
  });

  double raw_read_s = Seconds([&] {
    auto* reply = static_cast<redisReply*>(redisCommand(raw, "HGETALL ref:res"));
    if (reply == nullptr || reply->elements != 2 * stored.size()) std::exit(1);
    freeReplyObject(reply);
  });
  std::vector<Resource> resources;
  double read_s = Seconds([&] {
    auto current = (*store)->Current();
    auto r = ReadResources(**store, **current);
    if (!r.ok()) std::exit(1);
    resources = std::move(r).value();
  });
  std::shared_ptr<const DirectoryIndex> index;
  double build_s = Seconds([&] { index = DirectoryIndex::Build(resources, 1); });
  std::size_t hits = 0;
  double lookup_s = Seconds([&] {
    for (int i = 0; i < 10000; ++i) hits += index->Lookup("CA-BC", Category::kNaloxone, "en").size();
  });
  redisFree(raw);
  fs::remove_all(dir);

  auto row = [](const char* what, double s, double ref_s, const char* ref, const char* target) {
    std::printf("%-34s %8.3f s   reference %-28s %8.3f s   ratio %6.2fx   %s\n", what, s, ref, ref_s,
                ref_s > 0 ? s / ref_s : 0.0, target);
  };
  std::printf("\n");
  row("validate (schema+semantics+phones)", validate_s, parse_s, "(RapidJSON parse only)", "");
  row("load into Redis (new version)", load_s, raw_load_s, "(raw pipelined HSET)",
      load_s <= 3.0 ? "target <= 3 s: met" : "target <= 3 s: MISSED");
  row("load identical (unchanged)", unchanged_s, raw_load_s, "(raw pipelined HSET)", "");
  row("read version back (+parse)", read_s, raw_read_s, "(raw HGETALL)", "");
  std::printf("%-34s %8.3f s   %s\n", "index build", build_s,
              build_s <= 1.0 ? "target <= 1 s: met" : "target <= 1 s: MISSED");
  std::printf("%-34s %8.3f s\n", "canonical JSON + digest", prepare_s);
  std::printf("%-34s %8.2f us/lookup (%zu hits)\n", "lookup CA-BC/naloxone/en", lookup_s * 1e6 / 10000, hits / 10000);
  return 0;
}
