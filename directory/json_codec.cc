#include "directory/json_codec.h"

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>

#include "common/sha256.h"
#include "common/utf8.h"
#include "directory/internal/json_decode.h"
#include "directory/internal/json_parse.h"

namespace helpline::directory {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string GetString(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

void Str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void StrField(Writer& w, const char* key, std::string_view v, bool omit_empty) {
  if (omit_empty && v.empty()) return;
  w.Key(key);
  Str(w, v);
}

void StringArray(Writer& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const auto& s : items) Str(w, s);
  w.EndArray();
}

void WriteCategories(Writer& w, const Resource& r) {
  w.StartArray();
  for (Category c : r.categories) Str(w, CategoryName(c));
  w.EndArray();
}

void WriteChannels(Writer& w, const Resource& r) {
  w.StartArray();
  for (const auto& c : r.channels) {
    w.StartObject();
    StrField(w, "kind", ChannelKindName(c.kind), false);
    StrField(w, "value", c.value, false);
    StrField(w, "vanity", c.vanity, true);
    StrField(w, "keyword", c.keyword, true);
    StrField(w, "label", c.label, true);
    if (!c.label_translations.empty()) {
      w.Key("label_translations");
      w.StartObject();
      for (const auto& [lang, text] : c.label_translations) {  // std::map: sorted, so canonical
        w.Key(lang.c_str());
        Str(w, text);
      }
      w.EndObject();
    }
    StrField(w, "hours", c.hours, true);
    w.EndObject();
  }
  w.EndArray();
}

void WriteCoordinates(Writer& w, const Coordinates& c) {
  w.StartObject();
  w.Key("lat");
  w.Double(c.lat);
  w.Key("lon");
  w.Double(c.lon);
  StrField(w, "precision", CoordinatePrecisionName(c.precision), false);
  w.EndObject();
}

void WriteAddress(Writer& w, const Address& a) {
  w.StartObject();
  StrField(w, "street", a.street, true);
  StrField(w, "city", a.city, false);
  StrField(w, "region", a.region, false);
  StrField(w, "postal_code", a.postal_code, true);
  StrField(w, "country", a.country, false);
  w.EndObject();
}

void WriteTranslations(Writer& w, const Resource& r) {
  w.StartObject();
  for (const auto& [lang, t] : r.translations) {  // std::map: sorted, so canonical
    w.Key(lang.c_str());
    w.StartObject();
    StrField(w, "name", t.name, true);
    StrField(w, "description", t.description, true);
    w.EndObject();
  }
  w.EndObject();
}

void WriteAliases(Writer& w, const Resource& r) {
  w.StartObject();
  for (const auto& [lang, names] : r.aliases) {  // std::map: sorted, so canonical
    w.Key(lang.c_str());
    StringArray(w, names);
  }
  w.EndObject();
}

// Optional fields are omitted when empty; required ones are always present.
bool HasField(const Resource& r, std::string_view field) {
  if (field == "kind") return r.kind != ResourceKind::kService;
  if (field == "aliases") return !r.aliases.empty();
  if (field == "coordinates") return r.coordinates.has_value();
  if (field == "address") return r.address.has_value();
  if (field == "hours") return !r.hours.empty();  // required (non-empty) except for sites
  if (field == "notes") return !r.notes.empty();
  if (field == "translations") return !r.translations.empty();
  return true;
}

// Writes one present top-level field's value.
void WriteField(Writer& w, const Resource& r, std::string_view field) {
  if (field == "id")
    Str(w, r.id);
  else if (field == "kind")
    Str(w, ResourceKindName(r.kind));
  else if (field == "name")
    Str(w, r.name);
  else if (field == "description")
    Str(w, r.description);
  else if (field == "categories")
    WriteCategories(w, r);
  else if (field == "regions")
    StringArray(w, r.regions);
  else if (field == "languages")
    StringArray(w, r.languages);
  else if (field == "channels")
    WriteChannels(w, r);
  else if (field == "hours")
    Str(w, r.hours);
  else if (field == "priority")
    w.Int(r.priority);
  else if (field == "source")
    Str(w, r.source);
  else if (field == "verified")
    Str(w, r.verified);
  else if (field == "status")
    Str(w, ResourceStatusName(r.status));
  else if (field == "address")
    WriteAddress(w, *r.address);
  else if (field == "coordinates")
    WriteCoordinates(w, *r.coordinates);
  else if (field == "notes")
    Str(w, r.notes);
  else if (field == "translations")
    WriteTranslations(w, r);
  else if (field == "aliases")
    WriteAliases(w, r);
}

constexpr std::string_view kFieldOrder[] = {
    "id",        "kind",     "name",        "description", "categories",   "regions",
    "languages", "channels", "hours",       "priority",    "source",       "verified",
    "status",    "address",  "coordinates", "notes",       "translations", "aliases",
};

}  // namespace

namespace internal {
namespace {

// SAX events on their way to a Document, refused (the parse stops with
// kParseErrorTermination) once arrays and objects nest deeper than
// kMaxJsonDepth: the parser itself then never recurses deeper either.
class DepthLimitedHandler {
 public:
  explicit DepthLimitedHandler(rapidjson::Document& doc) : doc_(doc) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(std::int64_t i) { return doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return doc_.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return doc_.EndObject(members);
  }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return doc_.EndArray(elements);
  }

  bool too_deep() const { return too_deep_; }

 private:
  bool Enter() {
    if (++depth_ <= kMaxJsonDepth) return true;
    too_deep_ = true;
    return false;
  }

  rapidjson::Document& doc_;
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

bool AllStringsAreUtf8(const rapidjson::Value& v) {
  if (v.IsString()) return InvalidUtf8Offset({v.GetString(), v.GetStringLength()}) == std::string_view::npos;
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      if (!AllStringsAreUtf8(e)) return false;
    }
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (!AllStringsAreUtf8(m.name) || !AllStringsAreUtf8(m.value)) return false;
    }
  }
  return true;
}

std::optional<JsonParseError> ParseJson(std::string_view text, rapidjson::Document& doc) {
  rapidjson::MemoryStream memory(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(memory);
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  bool too_deep = false;
  // The iterative parser keeps its stack on the heap; the depth limit keeps
  // the Document (and whatever walks it later) shallow.
  auto generate = [&](rapidjson::Document& d) {
    DepthLimitedHandler handler(d);
    result = reader.Parse<rapidjson::kParseIterativeFlag>(in, handler);
    too_deep = handler.too_deep();
    return !result.IsError();
  };
  doc.Populate(generate);
  if (!result.IsError()) return std::nullopt;
  JsonParseError error;
  error.offset = result.Offset();
  error.too_deep = too_deep;
  error.message = too_deep ? "nested more than " + std::to_string(kMaxJsonDepth) + " levels deep"
                           : rapidjson::GetParseError_En(result.Code());
  return error;
}

Resource DecodeResource(const rapidjson::Value& v) {
  Resource r;
  if (!v.IsObject()) return r;
  r.id = GetString(v, "id");
  r.name = GetString(v, "name");
  r.description = GetString(v, "description");
  r.hours = GetString(v, "hours");
  r.source = GetString(v, "source");
  r.verified = GetString(v, "verified");
  r.notes = GetString(v, "notes");
  if (auto s = ParseResourceStatus(GetString(v, "status"))) r.status = *s;
  if (auto k = ParseResourceKind(GetString(v, "kind"))) r.kind = *k;
  if (auto it = v.FindMember("priority"); it != v.MemberEnd() && it->value.IsInt()) r.priority = it->value.GetInt();
  auto strings = [&](const char* key, auto&& add) {
    auto it = v.FindMember(key);
    if (it == v.MemberEnd() || !it->value.IsArray()) return;
    for (const auto& e : it->value.GetArray()) {
      if (e.IsString()) add(std::string_view(e.GetString(), e.GetStringLength()));
    }
  };
  strings("categories", [&](std::string_view s) {
    if (auto c = ParseCategory(s)) r.categories.push_back(*c);
  });
  strings("regions", [&](std::string_view s) { r.regions.emplace_back(s); });
  strings("languages", [&](std::string_view s) { r.languages.emplace_back(s); });
  if (auto it = v.FindMember("channels"); it != v.MemberEnd() && it->value.IsArray()) {
    for (const auto& c : it->value.GetArray()) {
      if (!c.IsObject()) continue;
      Channel ch;
      if (auto k = ParseChannelKind(GetString(c, "kind"))) ch.kind = *k;
      ch.value = GetString(c, "value");
      ch.vanity = GetString(c, "vanity");
      ch.keyword = GetString(c, "keyword");
      ch.label = GetString(c, "label");
      if (auto lt = c.FindMember("label_translations"); lt != c.MemberEnd() && lt->value.IsObject()) {
        for (const auto& m : lt->value.GetObject()) {
          if (m.value.IsString()) ch.label_translations[m.name.GetString()] = m.value.GetString();
        }
      }
      ch.hours = GetString(c, "hours");
      r.channels.push_back(std::move(ch));
    }
  }
  if (auto it = v.FindMember("coordinates"); it != v.MemberEnd() && it->value.IsObject()) {
    const auto& c = it->value;
    auto lat = c.FindMember("lat");
    auto lon = c.FindMember("lon");
    if (lat != c.MemberEnd() && lon != c.MemberEnd() && lat->value.IsNumber() && lon->value.IsNumber()) {
      r.coordinates = Coordinates{lat->value.GetDouble(), lon->value.GetDouble()};
      if (auto p = ParseCoordinatePrecision(GetString(c, "precision"))) r.coordinates->precision = *p;
    }
  }
  if (auto it = v.FindMember("address"); it != v.MemberEnd() && it->value.IsObject()) {
    const auto& a = it->value;
    r.address = Address{GetString(a, "street"), GetString(a, "city"), GetString(a, "region"),
                        GetString(a, "postal_code"), GetString(a, "country")};
  }
  if (auto it = v.FindMember("translations"); it != v.MemberEnd() && it->value.IsObject()) {
    for (const auto& m : it->value.GetObject()) {
      if (!m.value.IsObject()) continue;
      r.translations[m.name.GetString()] = Translation{GetString(m.value, "name"), GetString(m.value, "description")};
    }
  }
  if (auto it = v.FindMember("aliases"); it != v.MemberEnd() && it->value.IsObject()) {
    for (const auto& m : it->value.GetObject()) {
      if (!m.value.IsArray()) continue;
      auto& names = r.aliases[m.name.GetString()];
      for (const auto& e : m.value.GetArray()) {
        if (e.IsString()) names.emplace_back(e.GetString(), e.GetStringLength());
      }
    }
  }
  return r;
}

}  // namespace internal

std::string ToCanonicalJson(const Resource& r) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  for (std::string_view field : kFieldOrder) {
    if (!HasField(r, field)) continue;
    w.Key(field.data(), static_cast<rapidjson::SizeType>(field.size()));
    WriteField(w, r, field);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<Resource> ResourceFromJson(std::string_view json) {
  rapidjson::Document d;
  // Stored text is ours, but Redis is outside the process: bounded depth and
  // valid UTF-8 (raw or escaped), so nothing invalid is ever served from it.
  if (auto error = internal::ParseJson(json, d)) {
    return InvalidArgument(error->too_deep ? "stored resource is " + error->message
                                           : "stored resource is not a JSON object");
  }
  if (!d.IsObject()) return InvalidArgument("stored resource is not a JSON object");
  if (!internal::AllStringsAreUtf8(d)) return InvalidArgument("stored resource has text that is not valid UTF-8");
  Resource r = internal::DecodeResource(d);
  if (r.id.empty()) return InvalidArgument("stored resource has no id");
  return r;
}

std::vector<std::pair<std::string, std::string>> FieldsAsJson(const Resource& r) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(std::size(kFieldOrder));
  for (std::string_view field : kFieldOrder) {
    std::string value;
    if (HasField(r, field)) {
      rapidjson::StringBuffer buf;
      Writer w(buf);
      WriteField(w, r, field);
      value.assign(buf.GetString(), buf.GetSize());
    }
    out.emplace_back(std::string(field), std::move(value));
  }
  return out;
}

std::string ContentDigest(const std::vector<Resource>& resources) {
  Sha256 h;
  for (const auto& r : resources) {
    h.Update(ToCanonicalJson(r));
    h.Update("\n");
  }
  return h.HexDigest();
}

}  // namespace helpline::directory
