#pragma once
// Export of our directory as Open Referral HSDS 3.0 in its tabular form: a
// folder of CSV files (RFC 4180, UTF-8, a header row) and a datapackage.json
// (a Frictionless tabular data package) naming them, with HSDS 3.0's table
// and field names:
//   organization, service, location, address, phone, schedule,
//   service_at_location, language, service_area, taxonomy, taxonomy_term, attribute
// and the same services in HSDS 3.0's JSON form, services.json: an array of
// service objects with their organization, phones, schedules, languages,
// service areas, attributes (each with its taxonomy_term) and
// service_at_locations (each with its location and its addresses) nested.
//
//   auto exported = ExportHsds(report.resources, {.jurisdiction = "US-IL"});
//   Status s = WriteHsds(*exported, "out/hsds");  // out/hsds/datapackage.json, service.csv ...
//
// Mapping (the reverse of hsds_import.h, so that export -> import-hsds
// --trusted gives the same resources back, ids aside):
//   resource     -> a service (status "active", assured_date = verified, url = source when
//                   it is a web URL, email = its first email channel) and an organization of
//                   the same name (we do not model providers; HSDS requires one)
//   site         -> also a location (physical, its coordinates), its address (state_province
//                   is the region's code without the country: "IL") and the
//                   service_at_location linking them
//   channels     -> phones: voice -> voice, sms -> text (the keyword in the description),
//                   tty -> textphone; web, chat: the first web URL is the service's url when
//                   the source is not one
//   hours        -> one schedule, its description
//   languages    -> language rows (ISO 639 codes)
//   regions      -> service_area rows (name: the ISO 3166-2 code)
//   categories   -> attributes linking the service to terms of one taxonomy,
//                   kHsdsCategoryTaxonomy ("helpline-categories"), whose codes are our category
//                   names ("naloxone") and names their words ("harm reduction")
// Ids are UUIDs derived from our resource ids (SHA-256), so an export of the same
// directory gives the same ids.
//
// Left out, and counted: info resources (facts, not services), unconfirmed resources
// (HSDS has no such status, and "active" would vouch for them) and retired ones.
// Not carried: translations, aliases, priority, vanity numbers, channel labels and
// hours, notes, a site's coordinate precision (HSDS has no field for it: imported
// points read as address precision), a source that is not a URL.
//
// Thread-safety: free functions.

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "directory/model.h"

namespace helpline::directory {

struct HsdsExportOptions {
  std::string jurisdiction;  // "US-IL": only resources listing this region; empty: all
};

struct HsdsExport {
  std::map<std::string, std::string>
      files;                 // file name ("services.csv", "datapackage.json", "services.json") -> content
  std::size_t services = 0;  // services written (sites included)
  std::size_t sites = 0;     // of which sites (with a location)
  std::size_t left_out_info = 0;
  std::size_t left_out_unconfirmed = 0;
  std::size_t left_out_retired = 0;
};

// Never fails for resources the Validator accepted; InvalidArgument for an
// unknown jurisdiction.
Result<HsdsExport> ExportHsds(const std::vector<Resource>& resources, const HsdsExportOptions& options);

// Writes every file into `dir` (created if missing). Errors name the file.
Status WriteHsds(const HsdsExport& exported, const std::string& dir);

}  // namespace helpline::directory
