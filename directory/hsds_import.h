#pragma once
// Import from Open Referral HSDS 3.0 (Human Services Data Specification):
// the JSON form (a service object as in schema/compiled/service.json, an
// array of them, or a paginated list {"contents": [...]}) and the tabular
// form (a folder with datapackage.json and CSVs: services, organizations,
// locations, addresses, phones, schedules, service_at_locations,
// attributes, taxonomy_terms, languages).
//
// Mapping: each service offered at a physical location with coordinates
// becomes a site (kind "site"); a service with no location but with a phone
// and a schedule becomes a service. Phones: voice/cell -> voice, text ->
// sms, textphone -> tty (fax, pager, video are not mapped). Schedules ->
// hours ("Mo,Tu,We 09:00-17:00", or their description). Categories come from
// the attributes' taxonomy terms (a term of kHsdsCategoryTaxonomy, as
// `helpline export-hsds` writes, is the category its code names) and,
// failing those, from the service's name and description (naloxone, harm
// reduction, detox, treatment...). HSDS
// status "active" becomes "unconfirmed" unless the operator vouches for the
// feed (HsdsOptions::trusted): the directory's rule is that nothing is
// texted on a feed's word alone. Inactive, defunct and temporarily closed
// services become "retired".
//
// What could not be mapped is reported, one line each, naming where it is:
//   services.csv:12: service 'Drop-in' not mapped: no category we serve
//   feed.json: /3/service_at_locations/0/location: no coordinates
// The resulting file is validated with the directory's own Validator.
//
// Thread-safety: free functions.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "directory/validator.h"

namespace helpline::directory {

// The taxonomy of our own categories in HSDS (taxonomy_term.taxonomy): its
// terms' codes are category names ("naloxone", "harm_reduction").
inline constexpr std::string_view kHsdsCategoryTaxonomy = "helpline-categories";

struct HsdsOptions {
  std::string jurisdiction;  // "CA-ON": the file's jurisdiction and the resources' region when none is given
  bool trusted = false;      // the feed is an official source: "active" stays active
  std::string today;         // "YYYY-MM-DD" for `verified` when the feed gives no date; empty: today (UTC)
};

struct HsdsImport {
  std::string json;                   // a directory file: {"jurisdiction", "description", "resources"}
  std::vector<std::string> unmapped;  // what was left out or changed, and why
  std::size_t services = 0;           // services read
  std::size_t resources = 0;          // resources written
  ValidationReport validation;        // the written file through the Validator
};

// Reads `path` (a .json file, or a folder / datapackage.json of CSVs).
// A Status error only when nothing can be read (missing path, malformed
// JSON or CSV, no services table): messages name the file and the place.
Result<HsdsImport> ImportHsds(const std::string& path, const HsdsOptions& options);

}  // namespace helpline::directory
