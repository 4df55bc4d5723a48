// HSDS 3.0 export (see hsds_export.h): the resources become rows of a few
// tables, each table a list of columns and rows of strings, then CSV text.

#include "directory/hsds_export.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>
#include <utility>

#include "common/json_escape.h"
#include "common/sha256.h"
#include "directory/hsds_import.h"
#include "directory/regions.h"

namespace helpline::directory {
namespace {

namespace fs = std::filesystem;

struct Table {
  std::string_view name;  // HSDS 3.0's: "service"
  std::string_view path;  // "service.csv"... the name pluralized as HSDS's own datapackage does
  std::vector<std::string_view> columns;
  std::vector<std::string_view> number_columns;  // typed "number" in the package; the rest "string"
  std::vector<std::vector<std::string>> rows;

  // A row from (column, value) pairs; columns not given are empty.
  void Add(std::initializer_list<std::pair<std::string_view, std::string>> values) {
    std::vector<std::string> row(columns.size());
    for (const auto& [column, value] : values) {
      const auto it = std::find(columns.begin(), columns.end(), column);
      if (it == columns.end()) std::abort();  // a column of this file's tables: a typo here
      row[static_cast<std::size_t>(it - columns.begin())] = value;
    }
    rows.push_back(std::move(row));
  }
};

// RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled.
void AppendCsvField(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string Csv(const Table& t) {
  std::string out;
  const auto line = [&out](const auto& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ',';
      AppendCsvField(out, fields[i]);
    }
    out += "\r\n";
  };
  line(t.columns);
  for (const auto& row : t.rows) line(row);
  return out;
}

std::string DataPackage(const std::vector<const Table*>& tables) {
  std::string out =
      "{\n  \"name\": \"helpline-directory\",\n"
      "  \"title\": \"helpline directory (Open Referral HSDS 3.0)\",\n"
      "  \"profile\": \"tabular-data-package\",\n  \"resources\": [\n";
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const Table& t = *tables[i];
    out += "    {\"name\": " + JsonQuote(t.name) + ", \"path\": " + JsonQuote(t.path) +
           ", \"profile\": \"tabular-data-resource\", \"format\": \"csv\", \"mediatype\": \"text/csv\","
           " \"encoding\": \"utf-8\",\n     \"schema\": {\"primaryKey\": \"id\", \"fields\": [";
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      const bool number =
          std::find(t.number_columns.begin(), t.number_columns.end(), t.columns[c]) != t.number_columns.end();
      out += std::string(c ? ", " : "") + "{\"name\": " + JsonQuote(t.columns[c]) + ", \"type\": \"" +
             (number ? "number" : "string") + "\"}";
    }
    out += "]}}";
    out += i + 1 < tables.size() ? ",\n" : "\n";
  }
  out += "  ]\n}\n";
  return out;
}

// A UUID (version 5 layout) from SHA-256 of `key`: stable across exports.
std::string Uuid(std::string_view kind, std::string_view key) {
  std::string h = Sha256Hex("helpline-hsds\x1f" + std::string(kind) + "\x1f" + std::string(key));
  h[12] = '5';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

// The shortest text that reads back as the same double.
std::string Number(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

bool IsWebUrl(std::string_view v) {
  return (v.rfind("https://", 0) == 0 || v.rfind("http://", 0) == 0) &&
         v.find_first_of(" \t\r\n") == std::string_view::npos;
}

// "harm_reduction" -> "harm reduction": the words a reader (and import-hsds'
// word matching) understands.
std::string CategoryWords(Category c) {
  std::string s(CategoryName(c));
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string_view RegionTail(std::string_view code) {
  const std::size_t dash = code.find('-');
  return dash == std::string_view::npos ? std::string_view{} : code.substr(dash + 1);
}

std::string_view PhoneType(ChannelKind k) {
  switch (k) {
    case ChannelKind::kSms: return "text";
    case ChannelKind::kTty: return "textphone";
    default: return "voice";
  }
}

struct Tables {
  Table organizations{"organization", "organizations.csv", {"id", "name", "description", "website", "email"}, {}, {}};
  Table services{"service",
                 "services.csv",
                 {"id", "organization_id", "name", "description", "url", "email", "status", "assured_date"},
                 {},
                 {}};
  Table locations{"location",
                  "locations.csv",
                  {"id", "location_type", "organization_id", "name", "description", "latitude", "longitude"},
                  {"latitude", "longitude"},
                  {}};
  Table addresses{
      "address",
      "addresses.csv",
      {"id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
      {},
      {}};
  Table phones{"phone", "phones.csv", {"id", "service_id", "number", "type", "description"}, {}, {}};
  Table schedules{"schedule", "schedules.csv", {"id", "service_id", "description"}, {}, {}};
  Table service_at_locations{
      "service_at_location", "service_at_locations.csv", {"id", "service_id", "location_id"}, {}, {}};
  Table languages{"language", "languages.csv", {"id", "service_id", "name", "code"}, {}, {}};
  Table service_areas{"service_area", "service_areas.csv", {"id", "service_id", "name", "description"}, {}, {}};
  Table taxonomies{"taxonomy", "taxonomies.csv", {"id", "name", "description"}, {}, {}};
  Table taxonomy_terms{
      "taxonomy_term", "taxonomy_terms.csv", {"id", "code", "name", "description", "taxonomy", "taxonomy_id"}, {}, {}};
  Table attributes{
      "attribute", "attributes.csv", {"id", "link_id", "taxonomy_term_id", "link_type", "link_entity"}, {}, {}};

  std::vector<std::string> json_services;  // the same services as HSDS 3.0 JSON objects

  std::vector<const Table*> All() const {
    return {&organizations,        &services,  &locations,     &addresses,  &phones,         &schedules,
            &service_at_locations, &languages, &service_areas, &taxonomies, &taxonomy_terms, &attributes};
  }
};

std::string_view LanguageName(std::string_view code) {
  if (code == "en") return "English";
  if (code == "fr") return "French";
  if (code == "es") return "Spanish";
  return {};
}

// {"k": "v", ...} from (key, already-encoded JSON value) pairs.
std::string Object(std::initializer_list<std::pair<std::string_view, std::string>> members) {
  std::string out = "{";
  for (const auto& [k, v] : members) {
    if (out.size() > 1) out += ", ";
    out += JsonQuote(k) + ": " + v;
  }
  return out + "}";
}

std::string Array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

std::string TermJson(Category c) {
  return Object({{"id", JsonQuote(Uuid("taxonomy_term", CategoryName(c)))},
                 {"code", JsonQuote(CategoryName(c))},
                 {"name", JsonQuote(CategoryWords(c))},
                 {"description", JsonQuote(CategoryWords(c))},
                 {"taxonomy", JsonQuote(kHsdsCategoryTaxonomy)},
                 {"taxonomy_id", JsonQuote(Uuid("taxonomy", kHsdsCategoryTaxonomy))}});
}

// The row just added to `t` as a JSON object of its non-empty string fields
// (and numbers for its number columns).
std::string LastRowJson(const Table& t) {
  std::string out = "{";
  const auto& row = t.rows.back();
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (row[c].empty()) continue;
    const bool number =
        std::find(t.number_columns.begin(), t.number_columns.end(), t.columns[c]) != t.number_columns.end();
    if (out.size() > 1) out += ", ";
    out += JsonQuote(t.columns[c]) + ": " + (number ? row[c] : JsonQuote(row[c]));
  }
  return out + "}";
}

void AddResource(const Resource& r, Tables& t) {
  const std::string service = Uuid("service", r.id), organization = Uuid("organization", r.id);
  std::string url = IsWebUrl(r.source) ? r.source : std::string();
  std::string email;
  for (const Channel& ch : r.channels) {
    if (url.empty() && (ch.kind == ChannelKind::kWeb || ch.kind == ChannelKind::kChat) && IsWebUrl(ch.value))
      url = ch.value;
    if (email.empty() && ch.kind == ChannelKind::kEmail) email = ch.value;
  }
  t.organizations.Add({{"id", organization}, {"name", r.name}, {"description", r.description}, {"website", url}});
  const std::string organization_json = LastRowJson(t.organizations);
  std::vector<std::string> phones, schedules, languages, areas, attributes, at_locations;
  t.services.Add({{"id", service},
                  {"organization_id", organization},
                  {"name", r.name},
                  {"description", r.description},
                  {"url", url},
                  {"email", email},
                  {"status", "active"},
                  {"assured_date", r.verified}});
  std::string service_json = LastRowJson(t.services);
  std::size_t n = 0;
  for (const Channel& ch : r.channels) {
    ++n;
    if (!IsPhoneKind(ch.kind)) continue;
    std::string description = ch.label;
    if (!ch.keyword.empty()) description = "keyword " + ch.keyword + (description.empty() ? "" : "; " + description);
    t.phones.Add({{"id", Uuid("phone", r.id + "#" + std::to_string(n))},
                  {"service_id", service},
                  {"number", ch.value},
                  {"type", std::string(PhoneType(ch.kind))},
                  {"description", description}});
    phones.push_back(LastRowJson(t.phones));
  }
  if (!r.hours.empty()) {
    t.schedules.Add({{"id", Uuid("schedule", r.id)}, {"service_id", service}, {"description", r.hours}});
    schedules.push_back(LastRowJson(t.schedules));
  }
  for (const std::string& code : r.languages) {
    t.languages.Add({{"id", Uuid("language", r.id + "#" + code)},
                     {"service_id", service},
                     {"name", std::string(LanguageName(code))},
                     {"code", code}});
    languages.push_back(LastRowJson(t.languages));
  }
  for (const std::string& region : r.regions) {
    const RegionInfo* info = FindRegion(region);
    t.service_areas.Add({{"id", Uuid("service_area", r.id + "#" + region)},
                         {"service_id", service},
                         {"name", region},
                         {"description", info != nullptr ? std::string(info->name_en) : std::string()}});
    areas.push_back(LastRowJson(t.service_areas));
  }
  for (Category c : r.categories) {
    t.attributes.Add({{"id", Uuid("attribute", r.id + "#" + std::string(CategoryName(c)))},
                      {"link_id", service},
                      {"taxonomy_term_id", Uuid("taxonomy_term", CategoryName(c))},
                      {"link_type", "service_type"},
                      {"link_entity", "service"}});
    std::string attribute = LastRowJson(t.attributes);
    attribute.pop_back();  // its taxonomy term, nested as HSDS JSON has it
    attribute += ", \"taxonomy_term\": " + TermJson(c) + "}";
    attributes.push_back(std::move(attribute));
  }
  // The JSON object: the service with its rows nested, as HSDS 3.0's service.json.
  const auto finish = [&] {
    service_json.pop_back();
    service_json += ", \"organization\": " + organization_json + ", \"phones\": " + Array(phones) +
                    ", \"schedules\": " + Array(schedules) + ", \"languages\": " + Array(languages) +
                    ", \"service_areas\": " + Array(areas) + ", \"attributes\": " + Array(attributes) +
                    ", \"service_at_locations\": " + Array(at_locations) + "}";
    t.json_services.push_back(std::move(service_json));
  };
  if (!r.IsSite() || !r.address || !r.coordinates) return finish();
  const std::string location = Uuid("location", r.id);
  t.locations.Add({{"id", location},
                   {"location_type", "physical"},
                   {"organization_id", organization},
                   {"name", r.name},
                   {"latitude", Number(r.coordinates->lat)},
                   {"longitude", Number(r.coordinates->lon)}});
  const Address& a = *r.address;
  t.addresses.Add({{"id", Uuid("address", r.id)},
                   {"location_id", location},
                   {"address_1", a.street},
                   {"city", a.city},
                   {"state_province", std::string(RegionTail(a.region))},
                   {"postal_code", a.postal_code},
                   {"country", a.country},
                   {"address_type", "physical"}});
  t.service_at_locations.Add(
      {{"id", Uuid("service_at_location", r.id)}, {"service_id", service}, {"location_id", location}});
  std::string location_json = LastRowJson(t.locations);
  location_json.pop_back();
  location_json += ", \"addresses\": [" + LastRowJson(t.addresses) + "]}";
  std::string link = LastRowJson(t.service_at_locations);
  link.pop_back();
  at_locations.push_back(link + ", \"location\": " + location_json + "}");
  finish();
}

}  // namespace

Result<HsdsExport> ExportHsds(const std::vector<Resource>& resources, const HsdsExportOptions& options) {
  if (!options.jurisdiction.empty() && !IsKnownRegion(options.jurisdiction)) {
    return InvalidArgument("--jurisdiction '" + options.jurisdiction +
                           "' is not a known region such as CA-ON or US-IL");
  }
  HsdsExport out;
  Tables t;
  std::set<Category> used;
  for (const Resource& r : resources) {
    if (!options.jurisdiction.empty() &&
        std::find(r.regions.begin(), r.regions.end(), options.jurisdiction) == r.regions.end()) {
      continue;
    }
    if (r.IsInfo()) {
      ++out.left_out_info;
    } else if (r.status == ResourceStatus::kUnconfirmed) {
      ++out.left_out_unconfirmed;
    } else if (r.status == ResourceStatus::kRetired) {
      ++out.left_out_retired;
    } else {
      AddResource(r, t);
      ++out.services;
      if (r.IsSite() && r.address && r.coordinates) ++out.sites;
      used.insert(r.categories.begin(), r.categories.end());
    }
  }
  const std::string taxonomy = Uuid("taxonomy", kHsdsCategoryTaxonomy);
  t.taxonomies.Add({{"id", taxonomy},
                    {"name", std::string(kHsdsCategoryTaxonomy)},
                    {"description", "The kinds of help the helpline directory lists (its category names)."}});
  for (Category c : used) {
    t.taxonomy_terms.Add({{"id", Uuid("taxonomy_term", CategoryName(c))},
                          {"code", std::string(CategoryName(c))},
                          {"name", CategoryWords(c)},
                          {"description", CategoryWords(c)},
                          {"taxonomy", std::string(kHsdsCategoryTaxonomy)},
                          {"taxonomy_id", taxonomy}});
  }
  const std::vector<const Table*> tables = t.All();
  for (const Table* table : tables) out.files[std::string(table->path)] = Csv(*table);
  out.files["datapackage.json"] = DataPackage(tables);
  out.files["services.json"] = Array(t.json_services) + "\n";
  return out;
}

Status WriteHsds(const HsdsExport& exported, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InvalidArgument(dir + ": cannot be created: " + ec.message());
  for (const auto& [name, content] : exported.files) {
    const fs::path path = fs::path(dir) / name;
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << content;
    if (!file.flush()) return InvalidArgument(path.string() + ": cannot be written");
  }
  return Status::Ok();
}

}  // namespace helpline::directory
