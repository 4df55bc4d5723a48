#include "bench/synthetic_directory.h"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "directory/json_codec.h"
#include "directory/regions.h"

namespace helpline::bench {
namespace {

using directory::Category;
using directory::ChannelKind;

std::vector<std::string> Subdivisions() {
  std::vector<std::string> out;
  for (const auto& r : directory::AllRegions()) {
    if (r.code.find('-') != std::string_view::npos) out.emplace_back(r.code);
  }
  return out;
}

// `round` (i / number of regions) picks the category, so every region gets every category.
directory::Resource Make(int i, const std::string& region, int round) {
  static const Category kCats[] = {Category::kTreatmentReferral,
                                   Category::kNaloxone,
                                   Category::kHarmReduction,
                                   Category::kDetox,
                                   Category::kCrisis,
                                   Category::kFamily};
  std::string lower = region;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  char number[16];
  std::snprintf(number, sizeof number, "+1800%03d%04d", 200 + (i / 10000) % 800, i % 10000);
  directory::Resource r;
  r.id = lower + "-synthetic-" + std::to_string(i);
  r.name = "Synthetic service " + std::to_string(i);
  r.description = "A synthetic resource for benchmarks.";
  r.categories = {kCats[round % 6], Category::kInformation};
  r.regions = {region};
  r.languages = {"en", "es"};
  r.channels = {{ChannelKind::kVoice, number, "", "", "", ""},
                {ChannelKind::kSms, "741741", "", "HOME", "", ""},
                {ChannelKind::kWeb, "https://example.org/s/" + std::to_string(i), "", "", "", ""}};
  r.hours = "24/7";
  r.priority = i % 101;
  r.source = "https://example.org/source";
  r.verified = "2026-11-01";
  r.translations["es"] = {"Servicio " + std::to_string(i), ""};
  return r;
}

}  // namespace

std::vector<directory::Resource> SyntheticResources(int n) {
  const auto regions = Subdivisions();
  std::vector<directory::Resource> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i) % regions.size();
    out.push_back(Make(i, regions[k], i / static_cast<int>(regions.size())));
  }
  return out;
}

std::vector<std::string> WriteSyntheticFiles(const std::string& dir, int n) {
  const auto regions = Subdivisions();
  std::vector<std::ostringstream> files(regions.size());
  std::vector<int> counts(regions.size(), 0);
  for (int i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i) % regions.size();
    directory::Resource r = Make(i, regions[k], i / static_cast<int>(regions.size()));
    // National form, as operators write it: 1-800-NXX-XXXX.
    const std::string& e164 = r.channels[0].value;
    r.channels[0].value = "1-" + e164.substr(2, 3) + "-" + e164.substr(5, 3) + "-" + e164.substr(8);
    files[k] << (counts[k]++ ? ",\n" : "") << directory::ToCanonicalJson(r);
  }
  std::vector<std::string> paths;
  for (std::size_t k = 0; k < regions.size(); ++k) {
    if (counts[k] == 0) continue;
    std::string path = dir + "/" + regions[k] + ".json";
    std::ofstream f(path);
    f << R"({"jurisdiction": ")" << regions[k] << R"(", "resources": [)" << files[k].str() << "]}\n";
    paths.push_back(path);
  }
  return paths;
}

}  // namespace helpline::bench
