#include "directory/hsds_import.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>
#include <string_view>

#include "common/sha256.h"
#include "common/text_normalize.h"
#include "directory/internal/json_parse.h"
#include "directory/json_codec.h"
#include "directory/regions.h"

namespace helpline::directory {
namespace {

namespace fs = std::filesystem;

// ---- Rows: the fields the mapping reads, as views into text the Tables own.
//
// A 100,000-service package is about 600,000 rows. Each used to be an
// unordered_map<string, string> (a node and two strings per field, and a
// "file:line" string per row): allocation, page faults and hashing were most
// of the import. Now a row keeps only the fields the mapping reads (F),
// each a string_view into the CSV text (unquoted in place) or the parsed
// JSON document, and says where it was read without building that string.

// The HSDS fields the mapping reads; any other column or member is skipped.
enum class F : std::uint8_t {
  kId,
  kName,
  kDescription,
  kStatus,
  kUrl,
  kAssuredDate,
  kLastModified,
  kOrganizationId,
  kWebsite,
  kServiceId,
  kLocationId,
  kServiceAtLocationId,
  kLinkId,
  kTaxonomyTermId,
  kTaxonomy,
  kCode,
  kLabel,
  kValue,
  kType,
  kNumber,
  kLocationType,
  kLatitude,
  kLongitude,
  kAddressType,
  kCountry,
  kStateProvince,
  kAddress1,
  kAddress2,
  kPostalCode,
  kCity,
  kOpensAt,
  kClosesAt,
  kByday,
};
constexpr std::string_view kFieldNames[] = {
    "id",
    "name",
    "description",
    "status",
    "url",
    "assured_date",
    "last_modified",
    "organization_id",
    "website",
    "service_id",
    "location_id",
    "service_at_location_id",
    "link_id",
    "taxonomy_term_id",
    "taxonomy",
    "code",
    "label",
    "value",
    "type",
    "number",
    "location_type",
    "latitude",
    "longitude",
    "address_type",
    "country",
    "state_province",
    "address_1",
    "address_2",
    "postal_code",
    "city",
    "opens_at",
    "closes_at",
    "byday",
};
static_assert(std::size(kFieldNames) == static_cast<std::size_t>(F::kByday) + 1);

// The field a column or member name is, if the mapping reads it.
std::optional<F> FieldNamed(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kFieldNames); ++i) {
    if (kFieldNames[i] == name) return static_cast<F>(i);
  }
  return std::nullopt;
}

struct Cell {
  F field;
  std::string_view value;  // never empty: an empty field is left out
};

// One record of an HSDS table. Views into its Tables' text: valid while they live.
struct Row {
  std::vector<Cell> cells;  // at most one per field
  std::string_view where;   // a CSV file's name (with `line`), or "feed.json: /3/phones/0"
  std::uint32_t line = 0;   // the CSV record's first line; 0 for JSON
};

std::string_view Get(const Row& row, F field) {
  for (const Cell& c : row.cells) {
    if (c.field == field) return c.value;
  }
  return {};
}

// Sets `field` (a later column or member of the same name wins, as it did in a map).
void Set(Row& row, F field, std::string_view value) {
  for (Cell& c : row.cells) {
    if (c.field == field) {
      c.value = value;
      return;
    }
  }
  row.cells.push_back({field, value});
}

// "services.csv:12" or "feed.json: /3/phones/0".
std::string Where(const Row& row) {
  if (row.line == 0) return std::string(row.where);
  return std::string(row.where) + ":" + std::to_string(row.line);
}

struct Tables {
  std::vector<Row> services, organizations, locations, addresses, phones, schedules, service_at_locations, attributes,
      taxonomy_terms, languages;
  // What the rows view: CSV texts (unquoted in place), the JSON document,
  // and strings made here (numbers, generated ids, places). Deques: an
  // element never moves, so views into short (inline) strings stay valid.
  std::deque<std::string> texts;
  rapidjson::Document json;

  std::string_view Keep(std::string s) { return texts.emplace_back(std::move(s)); }

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

// Parses `text` in place: a field's value is written over its own bytes (an
// unquoted value is never longer than the field), so each value is a view
// into `text`, which must outlive `out`'s rows, as must `file`.
Status ParseCsv(std::string_view file, std::string& text, std::vector<Row>* out) {
  std::vector<std::string_view> values;  // every record's fields, record after record
  std::vector<std::size_t> starts;       // where each record's fields start in `values`
  std::vector<std::uint32_t> lines;      // each record's first line
  char* const data = text.data();
  std::size_t w = 0, field_begin = 0;  // write position; where the current field's value starts
  std::size_t record_begin = 0;        // index in `values` of the current record's first field
  bool quoted = false, field_started = false;
  std::size_t line = 1, record_line = 1;
  auto end_field = [&] {
    values.emplace_back(data + field_begin, w - field_begin);
    field_begin = w;
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    if (values.size() - record_begin == 1 && values.back().empty()) {
      values.pop_back();  // a blank line
    } else {
      starts.push_back(record_begin);
      lines.push_back(static_cast<std::uint32_t>(record_line));
    }
    record_begin = values.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = data[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && data[i + 1] == '"') {
          data[w++] = '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        data[w++] = c;
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
      data[w++] = c;
      field_started = true;
    }
  }
  if (quoted)
    return InvalidArgument(std::string(file) + ":" + std::to_string(record_line) + ": a quoted field is never closed");
  end_record();
  if (starts.empty()) return Status::Ok();
  starts.push_back(values.size());
  const std::size_t columns = starts[1] - starts[0];
  // The header: each column's field, if the mapping reads it.
  std::vector<std::optional<F>> fields;
  std::size_t known = 0;
  for (std::size_t k = 0; k < columns; ++k) {
    fields.push_back(FieldNamed(values[k]));
    known += fields.back() ? 1 : 0;
  }
  out->reserve(out->size() + starts.size() - 2);
  for (std::size_t r = 1; r + 1 < starts.size(); ++r) {
    const std::size_t n = starts[r + 1] - starts[r];
    if (n != columns) {
      return InvalidArgument(std::string(file) + ":" + std::to_string(lines[r]) + ": " + std::to_string(n) +
                             " fields where the header has " + std::to_string(columns));
    }
    Row row;
    row.cells.reserve(known);
    for (std::size_t k = 0; k < columns; ++k) {
      const std::string_view v = values[starts[r] + k];
      if (fields[k] && !v.empty()) Set(row, *fields[k], v);
    }
    row.where = file;
    row.line = lines[r];
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
    std::string& data = t->texts.emplace_back(ReadAll(csv, &status));
    if (!status.ok()) return status;
    if (Status s = ParseCsv(t->Keep(csv.filename().string()), data, table); !s.ok()) return s;
    services = services || table == &t->services;
  }
  if (!services) return InvalidArgument(package.string() + ": no services table");
  return Status::Ok();
}

// ---- JSON: services with their nested objects, flattened into tables.

// A scalar member's value as text (views into the document, or kept in `t`).
std::string_view Scalar(const rapidjson::Value& v, Tables* t) {
  if (v.IsString()) return {v.GetString(), v.GetStringLength()};
  if (v.IsNumber()) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    v.Accept(w);
    return t->Keep(std::string(b.GetString(), b.GetSize()));
  }
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  return {};
}

// The object's scalar fields as a row; nested arrays and objects are walked by the caller.
Row Flat(const rapidjson::Value& obj, const std::string& where, Tables* t) {
  Row row;
  for (const auto& m : obj.GetObject()) {
    const std::optional<F> field = FieldNamed({m.name.GetString(), m.name.GetStringLength()});
    if (!field) continue;
    std::string_view s = Scalar(m.value, t);
    if (!s.empty()) Set(row, *field, s);
  }
  row.where = t->Keep(where);
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

void AddLinked(Tables* t, std::vector<Row>* table, const rapidjson::Value& obj, const std::string& where, F link,
               std::string_view id) {
  Row row = Flat(obj, where, t);
  if (Get(row, link).empty()) Set(row, link, id);
  table->push_back(std::move(row));
}

// The row's id, or "@" + where it was read when it has none.
std::string_view IdOrWhere(Tables* t, Row& row) {
  if (Get(row, F::kId).empty()) Set(row, F::kId, t->Keep("@" + std::string(row.where)));
  return Get(row, F::kId);
}

void AddAttributes(Tables* t, const rapidjson::Value& obj, const std::string& where, std::string_view id) {
  EachObject(obj, "attributes", where, [&](const rapidjson::Value& a, const std::string& at) {
    Row row = Flat(a, at, t);
    if (Get(row, F::kLinkId).empty()) Set(row, F::kLinkId, id);
    if (auto term = a.FindMember("taxonomy_term"); term != a.MemberEnd() && term->value.IsObject()) {
      Row tr = Flat(term->value, at + "/taxonomy_term", t);
      if (Get(tr, F::kId).empty()) Set(tr, F::kId, t->Keep("@" + at));
      Set(row, F::kTaxonomyTermId, Get(tr, F::kId));
      t->taxonomy_terms.push_back(std::move(tr));
    }
    t->attributes.push_back(std::move(row));
  });
}

void AddService(Tables* t, const rapidjson::Value& s, const std::string& where) {
  Row service = Flat(s, where, t);
  const std::string_view id = IdOrWhere(t, service);
  if (auto org = s.FindMember("organization"); org != s.MemberEnd() && org->value.IsObject()) {
    Row o = Flat(org->value, where + "/organization", t);
    if (Get(service, F::kOrganizationId).empty()) Set(service, F::kOrganizationId, Get(o, F::kId));
    t->organizations.push_back(std::move(o));
  }
  EachObject(s, "phones", where,
             [&](const auto& p, const std::string& at) { AddLinked(t, &t->phones, p, at, F::kServiceId, id); });
  EachObject(s, "schedules", where,
             [&](const auto& p, const std::string& at) { AddLinked(t, &t->schedules, p, at, F::kServiceId, id); });
  EachObject(s, "languages", where,
             [&](const auto& p, const std::string& at) { AddLinked(t, &t->languages, p, at, F::kServiceId, id); });
  AddAttributes(t, s, where, id);
  EachObject(s, "service_at_locations", where, [&](const rapidjson::Value& sal, const std::string& at) {
    Row link = Flat(sal, at, t);
    const std::string_view link_id = IdOrWhere(t, link);
    Set(link, F::kServiceId, id);
    EachObject(sal, "phones", at, [&](const auto& p, const std::string& pa) {
      AddLinked(t, &t->phones, p, pa, F::kServiceAtLocationId, link_id);
    });
    EachObject(sal, "schedules", at, [&](const auto& p, const std::string& pa) {
      AddLinked(t, &t->schedules, p, pa, F::kServiceAtLocationId, link_id);
    });
    if (auto loc = sal.FindMember("location"); loc != sal.MemberEnd() && loc->value.IsObject()) {
      const std::string la = at + "/location";
      Row l = Flat(loc->value, la, t);
      const std::string_view loc_id = IdOrWhere(t, l);
      Set(link, F::kLocationId, loc_id);
      EachObject(loc->value, "addresses", la, [&](const auto& p, const std::string& pa) {
        AddLinked(t, &t->addresses, p, pa, F::kLocationId, loc_id);
      });
      EachObject(loc->value, "phones", la, [&](const auto& p, const std::string& pa) {
        AddLinked(t, &t->phones, p, pa, F::kLocationId, loc_id);
      });
      EachObject(loc->value, "schedules", la, [&](const auto& p, const std::string& pa) {
        AddLinked(t, &t->schedules, p, pa, F::kLocationId, loc_id);
      });
      EachObject(loc->value, "languages", la, [&](const auto& p, const std::string& pa) {
        AddLinked(t, &t->languages, p, pa, F::kLocationId, loc_id);
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
  rapidjson::Document& doc = t->json;
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

// The rows of one table by the value of one of their fields, in table
// order. Built once, then read only: open addressing over the distinct
// values, each naming a run of `rows_` (a lookup allocates nothing, and the
// whole index is four arrays instead of a node and a vector per value).
class Join {
 public:
  void Build(const std::vector<Row>& rows, F key) {
    std::vector<std::uint32_t> slot_of(rows.size(), kNone);
    std::size_t capacity = 16;
    while (capacity < rows.size() * 2) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string_view v = Get(rows[i], key);
      if (v.empty()) continue;
      std::size_t s = Probe(v);
      if (slots_[s].count == 0) slots_[s].value = v;
      ++slots_[s].count;
      slot_of[i] = static_cast<std::uint32_t>(s);
    }
    std::uint32_t begin = 0;
    for (Slot& s : slots_) {
      s.begin = begin;
      begin += s.count;
      s.count = 0;
    }
    rows_.resize(begin);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (slot_of[i] == kNone) continue;
      Slot& s = slots_[slot_of[i]];
      rows_[s.begin + s.count++] = &rows[i];
    }
  }

  std::span<const Row* const> Of(std::string_view value) const {
    if (value.empty() || slots_.empty()) return {};
    const Slot& s = slots_[Probe(value)];
    return {rows_.data() + s.begin, s.count};
  }

 private:
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};
  struct Slot {
    std::string_view value;  // empty: a free slot
    std::uint32_t begin = 0, count = 0;
  };
  // The slot holding `value`, or the free slot where it would go.
  std::size_t Probe(std::string_view value) const {
    std::size_t s = std::hash<std::string_view>{}(value)&mask_;
    while (slots_[s].count != 0 && slots_[s].value != value) s = (s + 1) & mask_;
    return s;
  }
  std::vector<Slot> slots_;
  std::vector<const Row*> rows_;
  std::size_t mask_ = 0;
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

// "a b" (or with another separator).
std::string Joined(std::string_view a, std::string_view b, char separator = ' ') {
  std::string out;
  out.reserve(a.size() + 1 + b.size());
  out += a;
  out += separator;
  out += b;
  return out;
}

void AddCategories(std::string_view text, std::vector<Category>* out) {
  const std::string folded = " " + FoldText(text) + " ";
  for (const auto& [word, category] : CategoryWords()) {
    if (folded.find(word) != std::string::npos && std::find(out->begin(), out->end(), category) == out->end()) {
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
std::string HoursOf(std::span<const Row* const> schedules) {
  std::string out;
  for (const Row* s : schedules) {
    std::string part;
    const std::string_view opens = Get(*s, F::kOpensAt);
    const std::string_view closes = Get(*s, F::kClosesAt);
    if (!opens.empty() && !closes.empty()) {
      std::string days(Get(*s, F::kByday));
      for (char& c : days) c = static_cast<char>(c == ',' ? ',' : std::toupper(static_cast<unsigned char>(c)));
      for (std::size_t i = 0; i + 1 < days.size(); ++i) {
        if (std::isupper(static_cast<unsigned char>(days[i])) &&
            std::isupper(static_cast<unsigned char>(days[i + 1]))) {
          days[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(days[i + 1])));
        }
      }
      part =
          (days.empty() ? "" : days + " ") + std::string(opens.substr(0, 5)) + "-" + std::string(closes.substr(0, 5));
    } else {
      part = OneLine(Get(*s, F::kDescription));
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
    organizations_by_id_.Build(t.organizations, F::kId);
    locations_by_id_.Build(t.locations, F::kId);
    addresses_by_location_.Build(t.addresses, F::kLocationId);
    phones_by_service_.Build(t.phones, F::kServiceId);
    phones_by_location_.Build(t.phones, F::kLocationId);
    phones_by_link_.Build(t.phones, F::kServiceAtLocationId);
    phones_by_organization_.Build(t.phones, F::kOrganizationId);
    schedules_by_service_.Build(t.schedules, F::kServiceId);
    schedules_by_location_.Build(t.schedules, F::kLocationId);
    schedules_by_link_.Build(t.schedules, F::kServiceAtLocationId);
    links_by_service_.Build(t.service_at_locations, F::kServiceId);
    attributes_by_link_.Build(t.attributes, F::kLinkId);
    terms_by_id_.Build(t.taxonomy_terms, F::kId);
    languages_by_service_.Build(t.languages, F::kServiceId);
  }

  void Map(HsdsImport* out, std::vector<Resource>* resources) {
    for (const Row& s : t_.services) MapService(s, out, resources);
  }

 private:
  void Unmapped(HsdsImport* out, const Row& row, const std::string& message) {
    out->unmapped.push_back(Where(row) + ": " + message);
  }

  std::vector<Channel> Phones(std::span<const Row* const> rows, HsdsImport* out) {
    std::vector<Channel> channels;
    for (const Row* p : rows) {
      std::string type(Get(*p, F::kType));
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
      ch.value = Get(*p, F::kNumber);
      if (ch.value.empty()) continue;
      const bool seen = std::any_of(channels.begin(), channels.end(),
                                    [&](const Channel& c) { return c.kind == ch.kind && c.value == ch.value; });
      if (!seen) channels.push_back(std::move(ch));
    }
    return channels;
  }

  void MapService(const Row& s, HsdsImport* out, std::vector<Resource>* resources) {
    ++out->services;
    const std::string_view sid = Get(s, F::kId);
    const std::string name = OneLine(Get(s, F::kName));
    if (name.size() < 2) {
      Unmapped(out, s, "service without a name: not mapped");
      return;
    }
    Resource base;
    base.name = Cut(name, 120);
    std::string desc = OneLine(Get(s, F::kDescription));
    base.description = Cut(desc.size() >= 2 ? desc : name, 300);
    // Categories: taxonomy terms first, then the service's own words.
    for (const Row* a : attributes_by_link_.Of(sid)) {
      for (const Row* term : terms_by_id_.Of(Get(*a, F::kTaxonomyTermId))) {
        const std::optional<Category> ours =
            Get(*term, F::kTaxonomy) == kHsdsCategoryTaxonomy ? ParseCategory(Get(*term, F::kCode)) : std::nullopt;
        if (!ours) {
          AddCategories(Joined(Get(*term, F::kName), Get(*term, F::kCode)), &base.categories);
        } else if (std::find(base.categories.begin(), base.categories.end(), *ours) == base.categories.end()) {
          base.categories.push_back(*ours);
        }
      }
      AddCategories(Joined(Get(*a, F::kLabel), Get(*a, F::kValue)), &base.categories);
    }
    if (base.categories.empty()) AddCategories(name + " " + desc, &base.categories);
    if (base.categories.empty()) {
      Unmapped(out, s, "service '" + name + "' not mapped: no category we serve");
      return;
    }
    const std::string_view status = Get(s, F::kStatus);
    if (status == "active" || status.empty()) {
      base.status = o_.trusted ? ResourceStatus::kActive : ResourceStatus::kUnconfirmed;
    } else {
      base.status = ResourceStatus::kRetired;
    }
    const Row* org = nullptr;
    if (const auto orgs = organizations_by_id_.Of(Get(s, F::kOrganizationId)); !orgs.empty()) org = orgs.front();
    base.source = Get(s, F::kUrl);
    if (base.source.empty() && org != nullptr) base.source = Get(*org, F::kWebsite);
    if (base.source.empty()) base.source = "HSDS feed: " + Where(s);
    base.source = Cut(base.source, 300);
    const std::string_view assured = Get(s, F::kAssuredDate);
    const std::string_view modified = Get(s, F::kLastModified);
    base.verified = assured.size() >= 10    ? std::string(assured.substr(0, 10))
                    : modified.size() >= 10 ? std::string(modified.substr(0, 10))
                                            : today_;
    base.priority = 40;
    for (const Row* l : languages_by_service_.Of(sid)) {
      std::string code(Get(*l, F::kCode));
      if (code.size() >= 2 && code.size() <= 3 &&
          std::find(base.languages.begin(), base.languages.end(), code) == base.languages.end()) {
        base.languages.push_back(code);
      }
    }
    if (base.languages.empty()) base.languages = {o_.jurisdiction == "CA-QC" ? "fr" : "en"};
    base.notes = "Imported from an Open Referral HSDS feed (" + Where(s) + "), service id " + std::string(sid) + ".";
    const std::string prefix = ToLower(o_.jurisdiction) + "-hsds-" + Slug(name) + "-";

    const auto links = links_by_service_.Of(sid);
    bool any_site = false;
    for (const Row* link : links) {
      const auto locs = locations_by_id_.Of(Get(*link, F::kLocationId));
      if (locs.empty()) {
        Unmapped(
            out, *link,
            "service at location names location '" + std::string(Get(*link, F::kLocationId)) + "', not in the feed");
        continue;
      }
      const Row& loc = *locs.front();
      if (Get(loc, F::kLocationType) == "virtual") continue;
      const Row* address = nullptr;
      for (const Row* a : addresses_by_location_.Of(Get(loc, F::kId))) {
        if (address == nullptr || Get(*a, F::kAddressType) == "physical") address = a;
      }
      const std::string lat(Get(loc, F::kLatitude));
      const std::string lon(Get(loc, F::kLongitude));
      if (address == nullptr || lat.empty() || lon.empty()) {
        Unmapped(out, loc,
                 std::string("location of '") + name + "' has no " + (address == nullptr ? "address" : "coordinates") +
                     ": no site for it");
        continue;
      }
      // The last place takes `base` itself (nothing reads it once a site is made).
      Resource r = link == links.back() ? std::move(base) : Resource(base);
      r.kind = ResourceKind::kSite;
      const std::string country(Get(*address, F::kCountry).empty() ? CountryOf(o_.jurisdiction)
                                                                   : Get(*address, F::kCountry));
      const std::string region = RegionOf(Get(*address, F::kStateProvince), country, o_.jurisdiction);
      r.regions = {region};
      std::string street = OneLine(Get(*address, F::kAddress1));
      if (!Get(*address, F::kAddress2).empty()) street += ", " + OneLine(Get(*address, F::kAddress2));
      std::string postal(Get(*address, F::kPostalCode));
      if (country == "CA" && postal.size() == 6) postal = ToUpper(postal.substr(0, 3) + " " + postal.substr(3));
      if (country == "CA") postal = ToUpper(postal);
      r.address = Address{Cut(street, 120), OneLine(Get(*address, F::kCity)), region, postal, country};
      if (r.address->street.size() < 2) r.address->street.clear();
      r.coordinates = Coordinates{std::strtod(lat.c_str(), nullptr), std::strtod(lon.c_str(), nullptr),
                                  CoordinatePrecision::kAddress};
      phones_.clear();
      for (const auto more : {phones_by_link_.Of(Get(*link, F::kId)), phones_by_service_.Of(sid),
                              phones_by_location_.Of(Get(loc, F::kId))}) {
        phones_.insert(phones_.end(), more.begin(), more.end());
      }
      r.channels = Phones(phones_, out);
      std::span<const Row* const> schedules = schedules_by_link_.Of(Get(*link, F::kId));
      if (schedules.empty()) schedules = schedules_by_location_.Of(Get(loc, F::kId));
      if (schedules.empty()) schedules = schedules_by_service_.Of(sid);
      r.hours = HoursOf(schedules);
      const std::string_view loc_name = Get(loc, F::kName);
      if (!loc_name.empty() && loc_name != name) r.name = Cut(name + " (" + OneLine(loc_name) + ")", 120);
      r.id = Id(prefix, Joined(sid, Get(loc, F::kId), '\x1f'));
      resources->push_back(std::move(r));
      any_site = true;
    }
    if (any_site) return;
    // No physical place: a service, if a person can reach it and knows when.
    Resource r = std::move(base);
    r.regions = {o_.jurisdiction};
    std::span<const Row* const> phones = phones_by_service_.Of(sid);
    if (phones.empty() && org != nullptr) phones = phones_by_organization_.Of(Get(*org, F::kId));
    r.channels = Phones(phones, out);
    r.hours = HoursOf(schedules_by_service_.Of(sid));
    if (r.channels.empty() || r.hours.empty()) {
      Unmapped(out, s,
               "service '" + name + "' not mapped: no physical location, and no " +
                   (r.channels.empty() ? "phone" : "schedule"));
      return;
    }
    r.id = Id(prefix, std::string(sid));
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
  Join organizations_by_id_, locations_by_id_, addresses_by_location_, phones_by_service_, phones_by_location_,
      phones_by_link_, phones_by_organization_, schedules_by_service_, schedules_by_location_, schedules_by_link_,
      links_by_service_, attributes_by_link_, terms_by_id_, languages_by_service_;
  std::vector<const Row*> phones_;  // a site's phones, gathered (reused)
};

// The directory file, written once: its text, and where each resource's
// line starts and its JSON ends, so a slice of resources is a copy of
// bytes (the same text as writing the slice alone), not a second encoding.
struct WrittenFile {
  std::string head;  // up to "resources": [ and its newline
  std::string text;  // the whole file
  std::vector<std::size_t> begins, ends;

  static constexpr std::string_view kTail = "  ]\n}\n";

  // The file holding resources [start, end) alone.
  std::string Slice(std::size_t start, std::size_t end) const {
    if (start == end) return head + std::string(kTail);
    std::string out;
    out.reserve(head.size() + ends[end - 1] - begins[start] + 1 + kTail.size());
    out += head;
    out.append(text, begins[start], ends[end - 1] - begins[start]);
    out += '\n';
    out += kTail;
    return out;
  }
};

WrittenFile WriteFile(std::span<const Resource> resources, const HsdsOptions& o, const std::string& path) {
  fs::path feed(path);
  if (feed.filename() == "datapackage.json") feed = feed.parent_path();  // the package's folder names it
  if (feed.filename().empty()) feed = feed.parent_path();
  WrittenFile file;
  file.head = "{\n  \"jurisdiction\": \"" + o.jurisdiction +
              "\",\n  \"description\": \"Imported from Open Referral HSDS (" + feed.filename().string() +
              ").\",\n  \"resources\": [\n";
  std::string& out = file.text;
  out = file.head;
  file.begins.reserve(resources.size());
  file.ends.reserve(resources.size());
  for (std::size_t i = 0; i < resources.size(); ++i) {
    file.begins.push_back(out.size());
    out += "    ";
    out += ToCanonicalJson(resources[i]);
    file.ends.push_back(out.size());
    out += i + 1 < resources.size() ? ",\n" : "\n";
  }
  out += WrittenFile::kTail;
  return file;
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
  WrittenFile file = WriteFile(resources, options, path);
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
    ValidationReport part;
    validator.ValidateText(name, file.Slice(start, end), &part);
    for (auto& d : part.diagnostics) d.pointer = ShiftPointer(d.pointer, start);
    for (auto& o : part.origins) o.pointer = ShiftPointer(o.pointer, start);
    std::move(part.resources.begin(), part.resources.end(), std::back_inserter(out.validation.resources));
    std::move(part.origins.begin(), part.origins.end(), std::back_inserter(out.validation.origins));
    std::move(part.diagnostics.begin(), part.diagnostics.end(), std::back_inserter(out.validation.diagnostics));
    if (end == resources.size()) break;
  }
  out.validation.files = {name};
  validator.Finish(&out.validation);
  out.json = std::move(file.text);
  return out;
}

}  // namespace helpline::directory
