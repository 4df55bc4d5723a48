// Nearest sites (directory/nearby_index.h) on 1,000,000 synthetic sites:
// build time, and the nearest-3 query (one category, within 50 km and with
// no limit) beside a brute-force scan measured in the same run on the same
// queries, whose answers must be equal. Plain timing with steady_clock
// (per query; medians and p99 printed). Figures: docs/BENCHMARKS.md.
//
// Then an HSDS import (directory/hsds_import.h) of a generated CSV package
// of `services` services, each at its own location with a phone and hours.
//
//   nearby_bench [sites=1000000] [queries=20000] [brute_queries=200] [services=100000]

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <vector>

#include <filesystem>
#include <fstream>

#include "directory/hsds_import.h"
#include "directory/nearby_index.h"

namespace {

using namespace helpline::directory;  // NOLINT: a benchmark of this one library
using Clock = std::chrono::steady_clock;

double Us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// This process's CPU time in ms: on a shared machine the wall clock also counts other processes' turns.
double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Summary {
  double median = 0, p99 = 0;
};
Summary Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)]};
}

// Sites where people live, roughly: most around 60 city centres, the rest spread over the continent.
std::vector<SitePoint> Sites(std::size_t count, std::mt19937& rng) {
  std::uniform_real_distribution<double> lat(25, 60), lon(-125, -65), u(0, 1);
  std::normal_distribution<double> spread(0, 0.4);
  std::vector<GeoPoint> centres;
  for (int i = 0; i < 60; ++i) centres.push_back({lat(rng), lon(rng)});
  std::uniform_int_distribution<std::size_t> centre(0, centres.size() - 1);
  std::uniform_int_distribution<unsigned> cat(3, 10);  // detox .. peer_support
  std::vector<SitePoint> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    GeoPoint p{lat(rng), lon(rng)};
    if (u(rng) < 0.8) {
      const GeoPoint c = centres[centre(rng)];
      p = {c.lat + spread(rng), c.lon + spread(rng)};
    }
    std::uint32_t mask = 1u << cat(rng);
    if (u(rng) < 0.5) mask |= 1u << cat(rng);
    out.push_back({p, i, mask});
  }
  return out;
}

// A tabular HSDS package: services, locations, addresses, phones, schedules, service_at_locations.
std::filesystem::path WriteHsdsPackage(std::size_t n, std::mt19937& rng) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("nearby-bench-hsds-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "datapackage.json") << R"({"resources": [
    {"name": "services", "path": "services.csv"}, {"name": "locations", "path": "locations.csv"},
    {"name": "addresses", "path": "addresses.csv"}, {"name": "phones", "path": "phones.csv"},
    {"name": "schedules", "path": "schedules.csv"}, {"name": "service_at_locations", "path": "service_at_locations.csv"}]})";
  std::ofstream services(dir / "services.csv"), locations(dir / "locations.csv"), addresses(dir / "addresses.csv"),
      phones(dir / "phones.csv"), schedules(dir / "schedules.csv"), links(dir / "service_at_locations.csv");
  services << "id,name,description,status,url\n";
  locations << "id,location_type,latitude,longitude\n";
  addresses << "id,location_id,address_1,city,state_province,postal_code,country,address_type\n";
  phones << "id,service_id,number,type\n";
  schedules << "id,service_id,byday,opens_at,closes_at\n";
  links << "id,service_id,location_id\n";
  std::uniform_real_distribution<double> lat(42.5, 49), lon(-94, -75);
  const char* kinds[] = {"Naloxone kits", "Harm reduction supplies", "Withdrawal management", "Methadone clinic"};
  for (std::size_t i = 0; i < n; ++i) {
    services << "s" << i << ",\"" << kinds[i % 4] << " " << i << "\",\"" << kinds[i % 4]
             << ", free, walk in.\",active,https://example.org/s/" << i << "\n";
    locations << "l" << i << ",physical," << lat(rng) << "," << lon(rng) << "\n";
    addresses << "a" << i << ",l" << i << ",\"" << (i % 900 + 1) << " King St\",Toronto,ON,M5H 1A1,CA,physical\n";
    phones << "p" << i << ",s" << i << ",416-555-" << (1000 + i % 9000) << ",voice\n";
    schedules << "h" << i << ",s" << i << ",\"MO,TU,WE,TH,FR\",09:00,17:00\n";
    links << "k" << i << ",s" << i << ",l" << i << "\n";
  }
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n_sites = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  const std::size_t n_queries = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 20000;
  const std::size_t n_brute = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 200;
  std::mt19937 rng(20261205);
  const std::vector<SitePoint> sites = Sites(n_sites, rng);

  std::vector<double> builds, cpu;
  NearbyIndex index;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = Clock::now();
    const double c0 = CpuMs();
    index = NearbyIndex::BuildFromPoints(sites);
    cpu.push_back(CpuMs() - c0);
    builds.push_back(Us(Clock::now() - t0) / 1000);
  }
  std::printf(
      "sites %zu (in %zu category entries), build: CPU ms median %.0f, wall ms median %.0f (runs %.0f %.0f %.0f)\n",
      n_sites,
      [&] {
        std::size_t total = 0;
        for (int c = 0; c < 15; ++c) total += index.size(static_cast<Category>(c));
        return total;
      }(),
      Summarize(cpu).median, Summarize(builds).median, builds[0], builds[1], builds[2]);

  // Query points: where people are (near sites), as texts would come.
  std::vector<GeoPoint> at;
  std::normal_distribution<double> jitter(0, 0.05);
  std::uniform_int_distribution<std::size_t> pick(0, sites.size() - 1);
  for (std::size_t i = 0; i < n_queries; ++i) {
    const GeoPoint p = sites[pick(rng)].point;
    at.push_back({p.lat + jitter(rng), p.lon + jitter(rng)});
  }
  const Category category = Category::kNaloxone;
  const BruteForceSites brute(sites);
  std::size_t checksum = 0;
  for (double radius : {50.0, 0.0}) {
    std::vector<double> times;
    times.reserve(at.size());
    for (const GeoPoint& p : at) {
      const auto t0 = Clock::now();
      auto hits = index.Nearest(p, category, 3, radius);
      times.push_back(Us(Clock::now() - t0));
      checksum += hits.size();
    }
    std::vector<double> brute_times;
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < n_brute && i < at.size(); ++i) {
      const auto t0 = Clock::now();
      auto want = brute.Nearest(at[i], category, 3, radius);
      brute_times.push_back(Us(Clock::now() - t0));
      mismatches += want == index.Nearest(at[i], category, 3, radius) ? 0 : 1;
    }
    const Summary k = Summarize(times), b = Summarize(brute_times);
    std::printf(
        "nearest-3 %s within %s: k-d tree median %.2f us p99 %.2f us (%zu queries); brute force median "
        "%.0f us p99 %.0f us (%zu queries); %.0fx; mismatches %zu\n",
        "naloxone", radius > 0 ? "50 km" : "any distance", k.median, k.p99, times.size(), b.median, b.p99,
        brute_times.size(), b.median / k.median, mismatches);
    if (mismatches != 0) return 1;
  }
  std::printf("(checksum %zu)\n", checksum);

  const std::size_t n_services = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 100000;
  const auto dir = WriteHsdsPackage(n_services, rng);
  HsdsOptions options{"CA-ON", false, "2026-12-05"};
  const auto t0 = Clock::now();
  const double c0 = CpuMs();
  auto imported = ImportHsds(dir.string(), options);
  const double cpu_ms = CpuMs() - c0, wall_ms = Us(Clock::now() - t0) / 1000;
  std::filesystem::remove_all(dir);
  if (!imported.ok()) {
    std::printf("hsds import failed: %s\n", imported.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "hsds import (CSV package, validation included): %zu services -> %zu resources, %zu not mapped, "
      "%zu errors; CPU ms %.0f, wall ms %.0f\n",
      imported->services, imported->resources, imported->unmapped.size(), imported->validation.ErrorCount(), cpu_ms,
      wall_ms);
  return 0;
}
