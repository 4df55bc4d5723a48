// Directory coverage (see coverage.h): counting, then two renderings.

#include "directory/coverage.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/json_escape.h"
#include "directory/regions.h"

namespace helpline::directory {
namespace {

// Four-letter column heads, indexed by Category.
constexpr std::array<std::string_view, kCategoryCount> kCategoryHeads = {"EMRG", "CRIS", "TREF", "DTOX", "MEDS",
                                                                         "HARM", "NALX", "ODPV", "MHLT", "PEER",
                                                                         "FAML", "YUTH", "INDG", "TEXT", "INFO"};

constexpr std::array<Gap, 3> kGaps = {Gap::kTreatmentReferral, Gap::kNaloxone, Gap::kCrisis};
constexpr std::array<char, 3> kGapLetters = {'T', 'N', 'C'};

constexpr std::size_t kColumns = 100;

bool ServesAny(const Resource& r, const std::vector<std::string_view>& ancestry) {
  return std::any_of(r.regions.begin(), r.regions.end(), [&ancestry](const std::string& region) {
    return std::find(ancestry.begin(), ancestry.end(), region) != ancestry.end();
  });
}

bool IsOwn(const Resource& r, std::string_view code) {
  return std::find(r.regions.begin(), r.regions.end(), code) != r.regions.end();
}

JurisdictionCoverage Cover(const RegionInfo& region, const std::vector<Resource>& resources) {
  JurisdictionCoverage j;
  j.code = region.code;
  j.name = region.name_en;
  const std::vector<std::string_view> ancestry = Ancestry(region.code);
  bool treatment_route = false, naloxone_answer = false, crisis_route = false;
  for (const Resource& r : resources) {
    // Sites are answered by distance, not as the region's lines.
    if (r.status == ResourceStatus::kRetired || r.IsSite() || !ServesAny(r, ancestry)) continue;
    if (r.status == ResourceStatus::kUnconfirmed) {
      ++j.unconfirmed;
      for (Category c : r.categories) ++j.categories[static_cast<std::size_t>(c)].unconfirmed;
      continue;
    }
    const bool own = IsOwn(r, region.code);
    ++j.active;
    j.own += own ? 1 : 0;
    j.own_lines += own && !r.IsInfo() ? 1 : 0;
    for (Category c : r.categories) {
      auto& cell = j.categories[static_cast<std::size_t>(c)];
      ++cell.active;
      cell.own += own ? 1 : 0;
    }
    treatment_route = treatment_route || (!r.IsInfo() && r.HasCategory(Category::kTreatmentReferral));
    naloxone_answer = naloxone_answer || r.HasCategory(Category::kNaloxone);
    crisis_route = crisis_route || (!r.IsInfo() && r.HasCategory(Category::kCrisis));
  }
  if (!treatment_route) j.gaps.push_back(Gap::kTreatmentReferral);
  if (!naloxone_answer) j.gaps.push_back(Gap::kNaloxone);
  if (!crisis_route) j.gaps.push_back(Gap::kCrisis);
  return j;
}

std::string Format(const char* format, auto... values) {
  char buffer[160];
  const int n = std::snprintf(buffer, sizeof buffer, format, values...);
  return std::string(buffer, n < 0 ? 0 : std::min(static_cast<std::size_t>(n), sizeof buffer - 1));
}

// Appends `words` after `first`, wrapping at kColumns with `indent` spaces.
void AppendWrapped(std::string& out, std::string first, const std::vector<std::string>& words, std::size_t indent) {
  std::string line = std::move(first);
  for (const std::string& word : words) {
    if (line.size() + 1 + word.size() > kColumns) {
      out += line + "\n";
      line = std::string(indent, ' ') + word;
    } else {
      if (!line.empty() && line.back() != ' ') line += ' ';
      line += word;
    }
  }
  out += line + "\n";
}

std::string GapLetters(const JurisdictionCoverage& j) {
  std::string letters;
  for (std::size_t i = 0; i < kGaps.size(); ++i) {
    if (std::find(j.gaps.begin(), j.gaps.end(), kGaps[i]) == j.gaps.end()) continue;
    if (!letters.empty()) letters += ' ';
    letters += kGapLetters[i];
  }
  if (j.own_lines == 0) letters += letters.empty() ? "o" : " o";
  return letters;
}

}  // namespace

std::string_view GapName(Gap gap) {
  switch (gap) {
    case Gap::kTreatmentReferral: return CategoryName(Category::kTreatmentReferral);
    case Gap::kNaloxone: return CategoryName(Category::kNaloxone);
    case Gap::kCrisis: return CategoryName(Category::kCrisis);
  }
  return "";
}

double CoverageReport::ActiveShare() const {
  return resources == 0 ? 0.0 : static_cast<double>(active) / static_cast<double>(resources);
}

bool CoverageReport::HasGaps() const {
  return std::any_of(jurisdictions.begin(), jurisdictions.end(),
                     [](const JurisdictionCoverage& j) { return !j.gaps.empty(); });
}

std::vector<std::string_view> CoverageReport::WithoutOwnLine() const {
  std::vector<std::string_view> codes;
  for (const auto& j : jurisdictions) {
    if (j.own_lines == 0) codes.push_back(j.code);
  }
  return codes;
}

CoverageReport ComputeCoverage(const std::vector<Resource>& resources) {
  CoverageReport report;
  for (const Resource& r : resources) {
    if (r.IsSite()) {  // places are found by distance, not counted as a region's lines
      ++report.sites;
      continue;
    }
    ++report.resources;
    report.active += r.status == ResourceStatus::kActive ? 1 : 0;
    report.unconfirmed += r.status == ResourceStatus::kUnconfirmed ? 1 : 0;
    report.retired += r.status == ResourceStatus::kRetired ? 1 : 0;
    report.info += r.IsInfo() ? 1 : 0;
  }
  for (const RegionInfo* region : Jurisdictions()) report.jurisdictions.push_back(Cover(*region, resources));
  return report;
}

std::string FormatCoverageText(const CoverageReport& report) {
  std::string out;
  out += Format("Directory coverage: %d resources: %d active (%.1f%%), %d unconfirmed, %d retired; %d are info.\n",
                report.resources, report.active, 100.0 * report.ActiveShare(), report.unconfirmed, report.retired,
                report.info);
  out += "Per jurisdiction: active resources serving it in each category (national ones included),\n";
  out += "its own active resources (OWN), unconfirmed ones serving it (UNC), and what is missing (GAPS).\n\n";

  std::string head = "JUR     OWN UNC";
  for (std::string_view h : kCategoryHeads) head += " " + std::string(h);
  out += head + "  GAPS\n";
  for (const auto& j : report.jurisdictions) {
    std::string row = Format("%-5.*s %5d %3d", static_cast<int>(j.code.size()), j.code.data(), j.own, j.unconfirmed);
    for (const auto& cell : j.categories) row += Format(" %4d", cell.active);
    const std::string gaps = GapLetters(j);
    if (!gaps.empty()) row += "  " + gaps;
    out += row + "\n";
  }

  out += "\n";
  std::vector<std::string> legend;
  for (std::size_t i = 0; i < kCategoryCount; ++i) {
    legend.push_back(std::string(kCategoryHeads[i]) + " " + std::string(CategoryName(AllCategories()[i])) +
                     (i + 1 < kCategoryCount ? "," : "."));
  }
  AppendWrapped(out, "Columns:", legend, 2);
  out += "GAPS: T no treatment_referral service, N no naloxone answer, C no crisis service (each makes\n";
  out += "  the exit status 1); o no active line of its own (reported, not a gap).\n";
  out += "\n";

  int with_gaps = 0;
  for (const auto& j : report.jurisdictions) with_gaps += j.gaps.empty() ? 0 : 1;
  if (with_gaps == 0) {
    out += "gaps: none\n";
  } else {
    out += Format("gaps in %d jurisdiction%s:\n", with_gaps, with_gaps == 1 ? "" : "s");
    for (const auto& j : report.jurisdictions) {
      if (j.gaps.empty()) continue;
      std::vector<std::string> missing;
      for (std::size_t i = 0; i < j.gaps.size(); ++i) {
        missing.push_back(std::string(GapName(j.gaps[i])) + (i + 1 < j.gaps.size() ? "," : ""));
      }
      AppendWrapped(out, "  " + std::string(j.code) + " " + std::string(j.name) + " lacks", missing, 4);
    }
  }
  const std::vector<std::string_view> lonely = report.WithoutOwnLine();
  if (lonely.empty()) {
    out += "without a line of their own: none\n";
  } else {
    AppendWrapped(out, Format("without a line of their own (%zu):", lonely.size()),
                  std::vector<std::string>(lonely.begin(), lonely.end()), 2);
  }
  return out;
}

std::string FormatCoverageJson(const CoverageReport& report) {
  std::string out = Format(
      "{\"resources\":%d,\"active\":%d,\"unconfirmed\":%d,\"retired\":%d,\"info\":%d,"
      "\"active_share\":%.4f,\"gaps\":[",
      report.resources, report.active, report.unconfirmed, report.retired, report.info, report.ActiveShare());
  const auto gap_list = [](const JurisdictionCoverage& j) {
    std::string list = "[";
    for (std::size_t i = 0; i < j.gaps.size(); ++i) list += (i ? ",\"" : "\"") + std::string(GapName(j.gaps[i])) + "\"";
    return list + "]";
  };
  bool first = true;
  for (const auto& j : report.jurisdictions) {
    if (j.gaps.empty()) continue;
    out += (first ? "" : ",") + std::string("{\"jurisdiction\":") + JsonQuote(j.code) + ",\"missing\":" + gap_list(j) +
           "}";
    first = false;
  }
  out += "],\"without_own_line\":[";
  first = true;
  for (std::string_view code : report.WithoutOwnLine()) {
    out += (first ? "" : ",") + JsonQuote(code);
    first = false;
  }
  out += "],\"jurisdictions\":[";
  for (std::size_t k = 0; k < report.jurisdictions.size(); ++k) {
    const auto& j = report.jurisdictions[k];
    out += (k ? ",{\"code\":" : "{\"code\":") + JsonQuote(j.code) + ",\"name\":" + JsonQuote(j.name) +
           Format(",\"active\":%d,\"own\":%d,\"own_lines\":%d,\"unconfirmed\":%d,\"gaps\":", j.active, j.own,
                  j.own_lines, j.unconfirmed) +
           gap_list(j) + ",\"categories\":{";
    for (std::size_t i = 0; i < kCategoryCount; ++i) {
      const CategoryCoverage& cell = j.categories[i];
      out += (i ? ",\"" : "\"") + std::string(CategoryName(AllCategories()[i])) +
             Format("\":{\"active\":%d,\"own\":%d,\"unconfirmed\":%d}", cell.active, cell.own, cell.unconfirmed);
    }
    out += "}}";
  }
  out += "]}\n";
  return out;
}

}  // namespace helpline::directory
