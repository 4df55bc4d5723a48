#include "directory/hsds_import.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "common/sha256.h"
#include "common/text_normalize.h"
#include "directory/internal/json_parse.h"
#include "directory/json_codec.h"
#include "directory/regions.h"

namespace helpline::directory {
namespace {

namespace fs = std::filesystem;

// One record of an HSDS table; "@where" says where it was read.
using Row = std::unordered_map<std::string, std::string>;

struct Tables {
  std::vector<Row> services, organizations, locations, addresses, phones, schedules, service_at_locations, attributes,
      taxonomy_terms, languages;

  std::vector<Row>* Named(std::string_view name) {
    if (name == "services" || name == "service") return &services;
    if (name == "organizations" || name == "organization") return &organizations;
    if (name == "locations" || name == "location") return &locations;
    if (name == "addresses" || name == "address") return &addresses;
    if (name == "phones" || name == "phone") return &phones;
    if (name == "schedules" || name == "schedule") return &schedules;
    if (name == "service_at_locations" || name == "service_at_location") return &service_at_locations;
    if (name == "attributes" || name == "attribute") return &attributes;
    if (name == "taxonomy_terms" || name == "taxonomy_term") return &taxonomy_terms;
    if (name == "languages" || name == "language") return &languages;
    return nullptr;
  }
};

const std::string& Get(const Row& row, const std::string& key) {
  static const std::string kEmpty;
  auto it = row.find(key);
  return it == row.end() ? kEmpty : it->second;
}

std::string ReadAll(const fs::path& p, Status* status) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    *status = InvalidArgument(p.string() + ": cannot be read");
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes).

Status ParseCsv(const std::string& file, const std::string& text, std::vector<Row>* out) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  std::size_t line = 1, record_line = 1;
  std::vector<std::size_t> lines;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    if (!(record.size() == 1 && record[0].empty())) {
      records.push_back(std::move(record));
      lines.push_back(record_line);
    }
    record.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n') {
      end_record();
      record_line = ++line;
    } else if (c != '\r') {
      field += c;
      field_started = true;
    }
  }
  if (quoted) return InvalidArgument(file + ":" + std::to_string(record_line) + ": a quoted field is never closed");
  end_record();
  if (records.empty()) return Status::Ok();
  const std::vector<std::string>& header = records[0];
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != header.size()) {
      return InvalidArgument(file + ":" + std::to_string(lines[r]) + ": " + std::to_string(records[r].size()) +
                             " fields where the header has " + std::to_string(header.size()));
    }
    Row row;
    for (std::size_t k = 0; k < header.size(); ++k) {
      if (!records[r][k].empty()) row[header[k]] = std::move(records[r][k]);
    }
    row["@where"] = file + ":" + std::to_string(lines[r]);
    out->push_back(std::move(row));
  }
  return Status::Ok();
}

// datapackage.json: {"resources": [{"name": "services", "path": "services.csv"}, ...]}
Status ReadTabular(const fs::path& package, Tables* t) {
  Status status;
  const std::string text = ReadAll(package, &status);
  if (!status.ok()) return status;
  rapidjson::Document doc;
  if (auto e = internal::ParseJson(text, doc)) return InvalidArgument(package.string() + ": " + e->message);
  if (!doc.IsObject() || !doc.HasMember("resources") || !doc["resources"].IsArray()) {
    return InvalidArgument(package.string() + ": /resources: missing (a data package lists its tables there)");
  }
  bool services = false;
  const auto& resources = doc["resources"].GetArray();
  for (rapidjson::SizeType i = 0; i < resources.Size(); ++i) {
    const auto& r = resources[i];
    if (!r.IsObject() || !r.HasMember("name") || !r["name"].IsString() || !r.HasMember("path") ||
        !r["path"].IsString()) {
      return InvalidArgument(package.string() + ": /resources/" + std::to_string(i) + ": needs a name and a path");
    }
    std::vector<Row>* table = t->Named(r["name"].GetString());
    if (table == nullptr) continue;  // a table we do not map (funding, contacts...)
    const fs::path csv = package.parent_path() / r["path"].GetString();
    const std::string data = ReadAll(csv, &status);
    if (!status.ok()) return status;
    if (Status s = ParseCsv(csv.filename().string(), data, table); !s.ok()) return s;
    services = services || table == &t->services;
  }
  if (!services) return InvalidArgument(package.string() + ": no services table");
  return Status::Ok();
}

// ---- JSON: services with their nested objects, flattened into tables.

std::string Scalar(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsNumber()) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    v.Accept(w);
    return std::string(b.GetString(), b.GetSize());
  }
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  return {};
}

// The object's scalar fields as a row; nested arrays and objects are walked by the caller.
Row Flat(const rapidjson::Value& obj, const std::string& where) {
  Row row;
  for (const auto& m : obj.GetObject()) {
    std::string s = Scalar(m.value);
    if (!s.empty()) row[m.name.GetString()] = std::move(s);
  }
  row["@where"] = where;
  return row;
}

template <typename Each>
void EachObject(const rapidjson::Value& obj, const char* key, const std::string& where, const Each& each) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsArray()) return;
  const auto& arr = it->value.GetArray();
  for (rapidjson::SizeType i = 0; i < arr.Size(); ++i) {
    if (arr[i].IsObject()) each(arr[i], where + "/" + key + "/" + std::to_string(i));
  }
}

void AddLinked(Tables* t, std::vector<Row>* table, const rapidjson::Value& obj, const std::string& where,
               const char* link, const std::string& id) {
  Row row = Flat(obj, where);
  if (Get(row, link).empty()) row[link] = id;
  table->push_back(std::move(row));
  (void)t;
}

void AddAttributes(Tables* t, const rapidjson::Value& obj, const std::string& where, const std::string& id) {
  EachObject(obj, "attributes", where, [&](const rapidjson::Value& a, const std::string& at) {
    Row row = Flat(a, at);
    if (Get(row, "link_id").empty()) row["link_id"] = id;
    if (auto term = a.FindMember("taxonomy_term"); term != a.MemberEnd() && term->value.IsObject()) {
      Row tr = Flat(term->value, at + "/taxonomy_term");
      if (Get(tr, "id").empty()) tr["id"] = "@" + at;
      row["taxonomy_term_id"] = Get(tr, "id");
      t->taxonomy_terms.push_back(std::move(tr));
    }
    t->attributes.push_back(std::move(row));
  });
}

void AddService(Tables* t, const rapidjson::Value& s, const std::string& where) {
  Row service = Flat(s, where);
  if (Get(service, "id").empty()) service["id"] = "@" + where;
  const std::string id = Get(service, "id");
  if (auto org = s.FindMember("organization"); org != s.MemberEnd() && org->value.IsObject()) {
    Row o = Flat(org->value, where + "/organization");
    if (Get(service, "organization_id").empty()) service["organization_id"] = Get(o, "id");
    t->organizations.push_back(std::move(o));
  }
  EachObject(s, "phones", where,
             [&](const auto& p, const std::string& at) { AddLinked(t, &t->phones, p, at, "service_id", id); });
  EachObject(s, "schedules", where,
             [&](const auto& p, const std::string& at) { AddLinked(t, &t->schedules, p, at, "service_id", id); });
  EachObject(s, "languages", where,
             [&](const auto& p, const std::string& at) { AddLinked(t, &t->languages, p, at, "service_id", id); });
  AddAttributes(t, s, where, id);
  EachObject(s, "service_at_locations", where, [&](const rapidjson::Value& sal, const std::string& at) {
    Row link = Flat(sal, at);
    if (Get(link, "id").empty()) link["id"] = "@" + at;
    link["service_id"] = id;
    const std::string link_id = Get(link, "id");
    EachObject(sal, "phones", at, [&](const auto& p, const std::string& pa) {
      AddLinked(t, &t->phones, p, pa, "service_at_location_id", link_id);
    });
    EachObject(sal, "schedules", at, [&](const auto& p, const std::string& pa) {
      AddLinked(t, &t->schedules, p, pa, "service_at_location_id", link_id);
    });
    if (auto loc = sal.FindMember("location"); loc != sal.MemberEnd() && loc->value.IsObject()) {
      const std::string la = at + "/location";
      Row l = Flat(loc->value, la);
      if (Get(l, "id").empty()) l["id"] = "@" + la;
      link["location_id"] = Get(l, "id");
      const std::string loc_id = Get(l, "id");
      EachObject(loc->value, "addresses", la, [&](const auto& p, const std::string& pa) {
        AddLinked(t, &t->addresses, p, pa, "location_id", loc_id);
      });
      EachObject(loc->value, "phones", la,
                 [&](const auto& p, const std::string& pa) { AddLinked(t, &t->phones, p, pa, "location_id", loc_id); });
      EachObject(loc->value, "schedules", la, [&](const auto& p, const std::string& pa) {
        AddLinked(t, &t->schedules, p, pa, "location_id", loc_id);
      });
      EachObject(loc->value, "languages", la, [&](const auto& p, const std::string& pa) {
        AddLinked(t, &t->languages, p, pa, "location_id", loc_id);
      });
      t->locations.push_back(std::move(l));
    }
    t->service_at_locations.push_back(std::move(link));
  });
  t->services.push_back(std::move(service));
}

Status ReadJson(const fs::path& file, Tables* t) {
  Status status;
  const std::string text = ReadAll(file, &status);
  if (!status.ok()) return status;
  rapidjson::Document doc;
  const std::string name = file.filename().string();
  if (auto e = internal::ParseJson(text, doc)) return InvalidArgument(name + ": malformed JSON: " + e->message);
  const rapidjson::Value* list = &doc;
  std::string prefix;
  if (doc.IsObject() && doc.HasMember("contents") && doc["contents"].IsArray()) {
    list = &doc["contents"];
    prefix = "/contents";
  }
  if (list->IsArray()) {
    const auto& arr = list->GetArray();
    for (rapidjson::SizeType i = 0; i < arr.Size(); ++i) {
      const std::string at = name + ": " + prefix + "/" + std::to_string(i);
      if (!arr[i].IsObject()) return InvalidArgument(at + ": a service must be an object");
      AddService(t, arr[i], at);
    }
  } else if (list->IsObject()) {
    AddService(t, *list, name + ": ");
  } else {
    return InvalidArgument(name + ": expected a service object, an array of them or {\"contents\": [...]}");
  }
  return Status::Ok();
}

// ---- Mapping.

struct Index {
  // Per (table, field) name pair, the rows by that field's value. Keys view
  // into the rows, which outlive the index; a lookup allocates nothing (one
  // concatenated string key per lookup cost a tenth of a 100k-service import).
  using ByValue = std::unordered_map<std::string_view, std::vector<const Row*>>;
  std::map<std::pair<std::string_view, std::string_view>, ByValue> tables;
  // Rows of `table` by the value of their field `key`.
  void Add(std::string_view table, const std::vector<Row>& rows, std::string_view key) {
    ByValue& by = tables[{table, key}];
    by.reserve(rows.size());
    const std::string field(key);
    for (const Row& r : rows) {
      if (const std::string& k = Get(r, field); !k.empty()) by[k].push_back(&r);
    }
  }
  const std::vector<const Row*>& Of(std::string_view table, std::string_view key, std::string_view value) const {
    static const std::vector<const Row*> kNone;
    const auto t = tables.find({table, key});
    if (t == tables.end()) return kNone;
    const auto it = t->second.find(value);
    return it == t->second.end() ? kNone : it->second;
  }
};

// Words in a taxonomy term, a name or a description, and the category they mean.
const std::vector<std::pair<std::string_view, Category>>& CategoryWords() {
  static const std::vector<std::pair<std::string_view, Category>> kWords = {
      {"naloxone", Category::kNaloxone},
      {"narcan", Category::kNaloxone},
      {"overdose prevention", Category::kOverdosePrevention},
      {"supervised consumption", Category::kOverdosePrevention},
      {"safe consumption", Category::kOverdosePrevention},
      {"harm reduction", Category::kHarmReduction},
      {"syringe", Category::kHarmReduction},
      {"needle exchange", Category::kHarmReduction},
      {"detox", Category::kDetox},
      {"withdrawal management", Category::kDetox},
      {"methadone", Category::kMedicationTreatment},
      {"buprenorphine", Category::kMedicationTreatment},
      {"opioid agonist", Category::kMedicationTreatment},
      {"medication assisted", Category::kMedicationTreatment},
      {"substance use treatment", Category::kTreatmentReferral},
      {"addiction treatment", Category::kTreatmentReferral},
      {"substance abuse", Category::kTreatmentReferral},
      {"crisis", Category::kCrisis},
      {"mental health", Category::kMentalHealth},
      {"peer support", Category::kPeerSupport},
  };
  return kWords;
}

void AddCategories(std::string_view text, std::vector<Category>* out) {
  const std::string folded = " " + FoldText(text) + " ";
  for (const auto& [word, category] : CategoryWords()) {
    if (folded.find(std::string(word)) != std::string::npos &&
        std::find(out->begin(), out->end(), category) == out->end()) {
      out->push_back(category);
    }
  }
}

std::string Cut(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t at = s.rfind(' ', max - 3);
  if (at == std::string::npos || at < max / 2) at = max - 3;
  while (at > 0 && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;  // not inside a UTF-8 character
  return s.substr(0, at) + "...";
}

// Collapses whitespace (HSDS descriptions may hold Markdown or newlines).
std::string OneLine(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string Slug(std::string_view name) {
  std::string out;
  for (char c : FoldText(name)) {
    if (c == ' ') {
      if (!out.empty() && out.back() != '-') out += '-';
    } else {
      out += c;
    }
    if (out.size() >= 30) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "service" : out;
}

// "Mo,Tu,We 09:00-17:00"; the description when there is no rule.
std::string HoursOf(const std::vector<const Row*>& schedules) {
  std::string out;
  for (const Row* s : schedules) {
    std::string part;
    const std::string& opens = Get(*s, "opens_at");
    const std::string& closes = Get(*s, "closes_at");
    if (!opens.empty() && !closes.empty()) {
      std::string days = Get(*s, "byday");
      for (char& c : days) c = static_cast<char>(c == ',' ? ',' : std::toupper(static_cast<unsigned char>(c)));
      for (std::size_t i = 0; i + 1 < days.size(); ++i) {
        if (std::isupper(static_cast<unsigned char>(days[i])) &&
            std::isupper(static_cast<unsigned char>(days[i + 1]))) {
          days[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(days[i + 1])));
        }
      }
      part = (days.empty() ? "" : days + " ") + opens.substr(0, 5) + "-" + closes.substr(0, 5);
    } else {
      part = OneLine(Get(*s, "description"));
    }
    if (part.empty()) continue;
    if (!out.empty()) out += "; ";
    out += part;
  }
  return Cut(out, 80);
}

std::string RegionOf(std::string_view state, std::string_view country, const std::string& jurisdiction) {
  std::string code = std::string(country) + "-";
  for (char c : state) code += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (IsKnownRegion(code)) return code;
  if (const RegionInfo* r = FindRegionByName(state); r != nullptr && r->country == country) return std::string(r->code);
  return jurisdiction;
}

std::string Today(const std::string& given) {
  if (!given.empty()) return given;
  const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{days};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

class Mapper {
 public:
  Mapper(const Tables& t, const HsdsOptions& o) : t_(t), o_(o), today_(Today(o.today)) {
    by_.Add("organizations", t.organizations, "id");
    by_.Add("locations", t.locations, "id");
    by_.Add("addresses", t.addresses, "location_id");
    by_.Add("phones", t.phones, "service_id");
    by_.Add("phones", t.phones, "location_id");
    by_.Add("phones", t.phones, "service_at_location_id");
    by_.Add("phones", t.phones, "organization_id");
    by_.Add("schedules", t.schedules, "service_id");
    by_.Add("schedules", t.schedules, "location_id");
    by_.Add("schedules", t.schedules, "service_at_location_id");
    by_.Add("service_at_locations", t.service_at_locations, "service_id");
    by_.Add("attributes", t.attributes, "link_id");
    by_.Add("taxonomy_terms", t.taxonomy_terms, "id");
    by_.Add("languages", t.languages, "service_id");
  }

  void Map(HsdsImport* out, std::vector<Resource>* resources) {
    for (const Row& s : t_.services) MapService(s, out, resources);
  }

 private:
  void Unmapped(HsdsImport* out, const Row& row, const std::string& message) {
    out->unmapped.push_back(Get(row, "@where") + ": " + message);
  }

  std::vector<Channel> Phones(const std::vector<const Row*>& rows, HsdsImport* out) {
    std::vector<Channel> channels;
    for (const Row* p : rows) {
      std::string type = Get(*p, "type");
      std::transform(type.begin(), type.end(), type.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
      Channel ch;
      if (type.empty() || type == "voice" || type == "cell") {
        ch.kind = ChannelKind::kVoice;
      } else if (type == "text" || type == "sms") {
        ch.kind = ChannelKind::kSms;
      } else if (type == "textphone" || type == "tty") {
        ch.kind = ChannelKind::kTty;
      } else {
        Unmapped(out, *p, "phone type '" + type + "' not mapped");
        continue;
      }
      ch.value = Get(*p, "number");
      if (ch.value.empty()) continue;
      const bool seen = std::any_of(channels.begin(), channels.end(),
                                    [&](const Channel& c) { return c.kind == ch.kind && c.value == ch.value; });
      if (!seen) channels.push_back(std::move(ch));
    }
    return channels;
  }

  void MapService(const Row& s, HsdsImport* out, std::vector<Resource>* resources) {
    ++out->services;
    const std::string& sid = Get(s, "id");
    const std::string name = OneLine(Get(s, "name"));
    if (name.size() < 2) {
      Unmapped(out, s, "service without a name: not mapped");
      return;
    }
    Resource base;
    base.name = Cut(name, 120);
    std::string desc = OneLine(Get(s, "description"));
    base.description = Cut(desc.size() >= 2 ? desc : name, 300);
    // Categories: taxonomy terms first, then the service's own words.
    for (const Row* a : by_.Of("attributes", "link_id", sid)) {
      for (const Row* term : by_.Of("taxonomy_terms", "id", Get(*a, "taxonomy_term_id"))) {
        const std::optional<Category> ours =
            Get(*term, "taxonomy") == kHsdsCategoryTaxonomy ? ParseCategory(Get(*term, "code")) : std::nullopt;
        if (!ours) {
          AddCategories(Get(*term, "name") + " " + Get(*term, "code"), &base.categories);
        } else if (std::find(base.categories.begin(), base.categories.end(), *ours) == base.categories.end()) {
          base.categories.push_back(*ours);
        }
      }
      AddCategories(Get(*a, "label") + " " + Get(*a, "value"), &base.categories);
    }
    if (base.categories.empty()) AddCategories(name + " " + desc, &base.categories);
    if (base.categories.empty()) {
      Unmapped(out, s, "service '" + name + "' not mapped: no category we serve");
      return;
    }
    std::string status = Get(s, "status");
    if (status == "active" || status.empty()) {
      base.status = o_.trusted ? ResourceStatus::kActive : ResourceStatus::kUnconfirmed;
    } else {
      base.status = ResourceStatus::kRetired;
    }
    const Row* org = nullptr;
    if (const auto& orgs = by_.Of("organizations", "id", Get(s, "organization_id")); !orgs.empty()) org = orgs.front();
    base.source = Get(s, "url");
    if (base.source.empty() && org != nullptr) base.source = Get(*org, "website");
    if (base.source.empty()) base.source = "HSDS feed: " + Get(s, "@where");
    base.source = Cut(base.source, 300);
    const std::string& assured = Get(s, "assured_date");
    const std::string& modified = Get(s, "last_modified");
    base.verified = assured.size() >= 10    ? assured.substr(0, 10)
                    : modified.size() >= 10 ? modified.substr(0, 10)
                                            : today_;
    base.priority = 40;
    for (const Row* l : by_.Of("languages", "service_id", sid)) {
      std::string code = Get(*l, "code");
      if (code.size() >= 2 && code.size() <= 3 &&
          std::find(base.languages.begin(), base.languages.end(), code) == base.languages.end()) {
        base.languages.push_back(code);
      }
    }
    if (base.languages.empty()) base.languages = {o_.jurisdiction == "CA-QC" ? "fr" : "en"};
    base.notes = "Imported from an Open Referral HSDS feed (" + Get(s, "@where") + "), service id " + sid + ".";
    const std::string prefix = ToLower(o_.jurisdiction) + "-hsds-" + Slug(name) + "-";

    const auto& links = by_.Of("service_at_locations", "service_id", sid);
    bool any_site = false;
    for (const Row* link : links) {
      const auto& locs = by_.Of("locations", "id", Get(*link, "location_id"));
      if (locs.empty()) {
        Unmapped(out, *link, "service at location names location '" + Get(*link, "location_id") + "', not in the feed");
        continue;
      }
      const Row& loc = *locs.front();
      if (Get(loc, "location_type") == "virtual") continue;
      const Row* address = nullptr;
      for (const Row* a : by_.Of("addresses", "location_id", Get(loc, "id"))) {
        if (address == nullptr || Get(*a, "address_type") == "physical") address = a;
      }
      const std::string& lat = Get(loc, "latitude");
      const std::string& lon = Get(loc, "longitude");
      if (address == nullptr || lat.empty() || lon.empty()) {
        Unmapped(out, loc,
                 std::string("location of '") + name + "' has no " + (address == nullptr ? "address" : "coordinates") +
                     ": no site for it");
        continue;
      }
      Resource r = base;
      r.kind = ResourceKind::kSite;
      const std::string country =
          Get(*address, "country").empty() ? std::string(CountryOf(o_.jurisdiction)) : Get(*address, "country");
      const std::string region = RegionOf(Get(*address, "state_province"), country, o_.jurisdiction);
      r.regions = {region};
      std::string street = OneLine(Get(*address, "address_1"));
      if (!Get(*address, "address_2").empty()) street += ", " + OneLine(Get(*address, "address_2"));
      std::string postal = Get(*address, "postal_code");
      if (country == "CA" && postal.size() == 6) postal = ToUpper(postal.substr(0, 3) + " " + postal.substr(3));
      if (country == "CA") postal = ToUpper(postal);
      r.address = Address{Cut(street, 120), OneLine(Get(*address, "city")), region, postal, country};
      if (r.address->street.size() < 2) r.address->street.clear();
      r.coordinates = Coordinates{std::strtod(lat.c_str(), nullptr), std::strtod(lon.c_str(), nullptr),
                                  CoordinatePrecision::kAddress};
      std::vector<const Row*> phones = by_.Of("phones", "service_at_location_id", Get(*link, "id"));
      for (const auto* key : {"service_id", "location_id"}) {
        const auto& more = by_.Of("phones", key, std::string(key) == "service_id" ? sid : Get(loc, "id"));
        phones.insert(phones.end(), more.begin(), more.end());
      }
      r.channels = Phones(phones, out);
      std::vector<const Row*> schedules = by_.Of("schedules", "service_at_location_id", Get(*link, "id"));
      if (schedules.empty()) schedules = by_.Of("schedules", "location_id", Get(loc, "id"));
      if (schedules.empty()) schedules = by_.Of("schedules", "service_id", sid);
      r.hours = HoursOf(schedules);
      const std::string& loc_name = Get(loc, "name");
      if (!loc_name.empty() && loc_name != name) r.name = Cut(name + " (" + OneLine(loc_name) + ")", 120);
      r.id = Id(prefix, sid + "\x1f" + Get(loc, "id"));
      resources->push_back(std::move(r));
      any_site = true;
    }
    if (any_site) return;
    // No physical place: a service, if a person can reach it and knows when.
    Resource r = base;
    r.regions = {o_.jurisdiction};
    std::vector<const Row*> phones = by_.Of("phones", "service_id", sid);
    if (phones.empty() && org != nullptr) phones = by_.Of("phones", "organization_id", Get(*org, "id"));
    r.channels = Phones(phones, out);
    r.hours = HoursOf(by_.Of("schedules", "service_id", sid));
    if (r.channels.empty() || r.hours.empty()) {
      Unmapped(out, s,
               "service '" + name + "' not mapped: no physical location, and no " +
                   (r.channels.empty() ? "phone" : "schedule"));
      return;
    }
    r.id = Id(prefix, sid);
    resources->push_back(std::move(r));
  }

  static std::string ToLower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  static std::string ToUpper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  // Stable across runs: the prefix, then 8 hex digits of the feed's own ids.
  static std::string Id(const std::string& prefix, const std::string& key) {
    Sha256 h;
    h.Update(key);
    return prefix.substr(0, 55) + h.HexDigest().substr(0, 8);
  }

  const Tables& t_;
  const HsdsOptions& o_;
  std::string today_;
  Index by_;
};

std::string WriteFile(std::span<const Resource> resources, const HsdsOptions& o, const std::string& path) {
  fs::path feed(path);
  if (feed.filename() == "datapackage.json") feed = feed.parent_path();  // the package's folder names it
  if (feed.filename().empty()) feed = feed.parent_path();
  std::string out = "{\n  \"jurisdiction\": \"" + o.jurisdiction +
                    "\",\n  \"description\": \"Imported from Open Referral HSDS (" + feed.filename().string() +
                    ").\",\n  \"resources\": [\n";
  for (std::size_t i = 0; i < resources.size(); ++i) {
    out += "    " + ToCanonicalJson(resources[i]) + (i + 1 < resources.size() ? ",\n" : "\n");
  }
  out += "  ]\n}\n";
  return out;
}

// "/resources/12/id" -> "/resources/(12 + by)/id".
std::string ShiftPointer(const std::string& pointer, std::size_t by) {
  constexpr std::string_view kHead = "/resources/";
  if (by == 0 || pointer.rfind(kHead, 0) != 0) return pointer;
  std::size_t end = kHead.size();
  while (end < pointer.size() && std::isdigit(static_cast<unsigned char>(pointer[end]))) ++end;
  const std::size_t index = std::stoul(pointer.substr(kHead.size(), end - kHead.size()));
  return std::string(kHead) + std::to_string(index + by) + pointer.substr(end);
}

}  // namespace

Result<HsdsImport> ImportHsds(const std::string& path, const HsdsOptions& options) {
  if (!IsKnownRegion(options.jurisdiction) || options.jurisdiction == kEverywhere) {
    return InvalidArgument("--jurisdiction '" + options.jurisdiction +
                           "' is not a known region such as CA-ON or US-IL");
  }
  Tables tables;
  std::error_code ec;
  fs::path p(path);
  Status s;
  if (fs::is_directory(p, ec)) {
    s = ReadTabular(p / "datapackage.json", &tables);
  } else if (p.filename() == "datapackage.json") {
    s = ReadTabular(p, &tables);
  } else if (fs::exists(p, ec)) {
    s = ReadJson(p, &tables);
  } else {
    s = InvalidArgument(path + ": no such file or folder");
  }
  if (!s.ok()) return s;
  HsdsImport out;
  std::vector<Resource> resources;
  Mapper(tables, options).Map(&out, &resources);
  std::sort(resources.begin(), resources.end(), [](const Resource& a, const Resource& b) { return a.id < b.id; });
  out.resources = resources.size();
  out.json = WriteFile(resources, options, path);
  ValidatorOptions vo;
  vo.today = options.today;
  Validator validator(vo);
  // Named as the file it should become, so site ids match its name.
  std::string name = options.jurisdiction + "-hsds.json";
  std::transform(name.begin(), name.end(), name.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  // Validated in slices well under the validator's file limit (a big feed
  // makes a file larger than one directory file may be; the pointers are
  // those of the whole file).
  constexpr std::size_t kSlice = 2000;
  for (std::size_t start = 0; start < resources.size() || start == 0; start += kSlice) {
    const std::size_t end = std::min(resources.size(), start + kSlice);
    const std::span<const Resource> slice(resources.data() + start, end - start);  // no copy
    ValidationReport part;
    validator.ValidateText(name, WriteFile(slice, options, path), &part);
    for (auto& d : part.diagnostics) d.pointer = ShiftPointer(d.pointer, start);
    for (auto& o : part.origins) o.pointer = ShiftPointer(o.pointer, start);
    std::move(part.resources.begin(), part.resources.end(), std::back_inserter(out.validation.resources));
    std::move(part.origins.begin(), part.origins.end(), std::back_inserter(out.validation.origins));
    std::move(part.diagnostics.begin(), part.diagnostics.end(), std::back_inserter(out.validation.diagnostics));
    if (end == resources.size()) break;
  }
  out.validation.files = {name};
  validator.Finish(&out.validation);
  return out;
}

}  // namespace helpline::directory
