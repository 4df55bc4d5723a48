#pragma once
// Directory coverage: for every jurisdiction a person can be in (the 50
// states, DC, Puerto Rico, the 13 provinces and territories: Jurisdictions()
// in regions.h), what the directory offers in each category, and where it
// falls short. `helpline coverage` prints it; tests/directory/coverage_test.cc
// holds the shipped data to it.
//
//   ValidationReport validation = Validator().ValidatePaths({"data/directory"});
//   CoverageReport report = ComputeCoverage(validation.resources);
//   std::cout << FormatCoverageText(report);   // or FormatCoverageJson(report)
//   return report.HasGaps() ? 1 : 0;
//
// Definitions:
//   - a resource *serves* a jurisdiction when one of its regions is the
//     jurisdiction or an ancestor of it ("US" and "*" serve US-OH), which is
//     what DirectoryIndex::Lookup offers there;
//   - it is the jurisdiction's *own* when one of its regions is the
//     jurisdiction itself;
//   - counts are of active resources, services and info alike, unless named
//     otherwise; unconfirmed ones are counted apart; retired ones not at all;
//   - a *gap* is a route every person must get, missing from the active
//     resources serving a jurisdiction:
//       kTreatmentReferral  no treatment_referral service (a line, a text
//                           number or a site a person can reach);
//       kNaloxone           no naloxone answer (a service, or an info fact
//                           such as "free at pharmacies, no prescription");
//       kCrisis             no crisis service;
//     an info resource is a fact, not a route, so it fills only the naloxone
//     gap. A jurisdiction with no active service of its own ("no own line")
//     is reported too, but is not a gap: the national lines still serve it.
//
// Thread-safety: pure functions of their arguments.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "directory/model.h"

namespace helpline::directory {

enum class Gap : std::uint8_t { kTreatmentReferral, kNaloxone, kCrisis };
// The category each gap is about: "treatment_referral", "naloxone", "crisis".
std::string_view GapName(Gap gap);

struct CategoryCoverage {
  int active = 0;       // active resources serving the jurisdiction in this category
  int own = 0;          // of which the jurisdiction's own
  int unconfirmed = 0;  // unconfirmed resources serving it in this category
};

struct JurisdictionCoverage {
  std::string_view code;                                      // "US-OH"; static storage (the region table)
  std::string_view name;                                      // "Ohio"
  std::array<CategoryCoverage, kCategoryCount> categories{};  // indexed by Category
  int active = 0;                                             // active resources serving it, any category
  int own = 0;                                                // active resources of its own
  int own_lines = 0;                                          // active services of its own
  int unconfirmed = 0;                                        // unconfirmed resources serving it
  std::vector<Gap> gaps;                                      // in Gap order; empty when nothing is missing

  const CategoryCoverage& in(Category c) const { return categories[static_cast<std::size_t>(c)]; }
};

struct CoverageReport {
  int resources = 0;  // every line given (services and info), retired ones included; no sites
  int sites = 0;      // resources of kind site: not in the counts above (found by distance)
  int active = 0;
  int unconfirmed = 0;
  int retired = 0;
  int info = 0;                                     // resources of kind info, any status
  std::vector<JurisdictionCoverage> jurisdictions;  // in Jurisdictions() order

  // active / resources; 0 when there are none.
  double ActiveShare() const;
  // True when some jurisdiction has a gap (the exit status of `helpline coverage`).
  bool HasGaps() const;
  // Jurisdictions with no active service of their own, in report order.
  std::vector<std::string_view> WithoutOwnLine() const;
};

CoverageReport ComputeCoverage(const std::vector<Resource>& resources);

// A report for a terminal: totals, one 100-column row per jurisdiction
// (active counts per category, own, unconfirmed, gap letters), a legend, the
// gaps and the jurisdictions without a line of their own. Every line fits
// 100 columns.
std::string FormatCoverageText(const CoverageReport& report);

// The same as one JSON object, keys in a fixed order, every jurisdiction and
// every category always present, ending with a newline:
//   {"resources":N,"active":N,"unconfirmed":N,"retired":N,"info":N,"active_share":0.9157,
//    "gaps":[{"jurisdiction":"US-XX","missing":["crisis"]}],"without_own_line":["US-AR"],
//    "jurisdictions":[{"code":"US-AL","name":"Alabama","active":N,"own":N,"own_lines":N,
//      "unconfirmed":N,"gaps":[],"categories":{"emergency":{"active":N,"own":N,
//      "unconfirmed":N},...}},...]}
std::string FormatCoverageJson(const CoverageReport& report);

}  // namespace helpline::directory
