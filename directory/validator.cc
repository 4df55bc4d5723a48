#include "directory/validator.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <unordered_map>

#include "common/utf8.h"
#include "directory/internal/json_decode.h"
#include "directory/internal/json_parse.h"
#include "directory/phone.h"
#include "directory/regions.h"

namespace helpline::directory {
namespace {

// Info resources are texted as their description: a sentence that fits an
// SMS line beside the others (warned, not refused, beyond this).
constexpr std::size_t kInfoDescriptionBytes = 160;

using rapidjson::Value;

std::string Compact(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string PointerString(const rapidjson::Pointer& p) {
  rapidjson::StringBuffer buf;
  p.Stringify(buf);
  return std::string(buf.GetString(), buf.GetSize());
}

// Describes a value for a message: strings quoted, others as JSON, long ones cut.
std::string Describe(const Value& v) {
  std::string s = v.IsString() ? "'" + std::string(v.GetString(), v.GetStringLength()) + "'" : Compact(v);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

// What a failed pattern means, by the field it guards.
std::string PatternHint(const std::string& pointer) {
  auto ends_with = [&](std::string_view tail) {
    return pointer.size() >= tail.size() && pointer.compare(pointer.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (ends_with("/id")) return "is not a valid id (lowercase letters, digits and '-', 2 to 64 characters)";
  if (ends_with("/verified")) return "is not a date in the form YYYY-MM-DD";
  if (ends_with("/keyword")) return "is not a valid text keyword (letters and digits, up to 20)";
  if (pointer.find("/regions/") != std::string::npos || ends_with("/jurisdiction"))
    return "is not an ISO 3166-2 region code such as US, US-TX, CA-BC or *";
  if (pointer.find("/languages/") != std::string::npos) return "is not an ISO 639 language code such as en, es, fr";
  return "does not have the expected format";
}

// Turns RapidJSON's (keyword, schema pointer, document pointer) into a
// sentence that says what is wrong.
std::string SchemaMessage(const std::string& keyword, const Value& schema_node, const Value& doc_root,
                          const rapidjson::Pointer& doc_ptr, const std::string& pointer_text) {
  const Value* value = doc_ptr.Get(doc_root);
  if (keyword == "required" && value != nullptr && value->IsObject() && schema_node.HasMember("required")) {
    std::string missing;
    for (const auto& k : schema_node["required"].GetArray()) {
      if (!value->HasMember(k)) missing += (missing.empty() ? "" : ", ") + std::string(k.GetString());
    }
    return "missing required field" + std::string(missing.find(',') != std::string::npos ? "s " : " ") + missing;
  }
  if (keyword == "additionalProperties") {
    // RapidJSON points at the unexpected member itself.
    return "unknown field '" + pointer_text.substr(pointer_text.rfind('/') + 1) + "'";
  }
  std::string shown = value != nullptr ? Describe(*value) : "value";
  if (keyword == "enum" && schema_node.HasMember("enum")) {
    std::string what = "value";
    if (pointer_text.find("/categories/") != std::string::npos)
      what = "category";
    else if (pointer_text.find("/channels/") != std::string::npos)
      what = "channel kind";
    else if (pointer_text.find("/status") != std::string::npos)
      what = "status";
    std::string allowed;
    for (const auto& e : schema_node["enum"].GetArray()) allowed += (allowed.empty() ? "" : ", ") + Compact(e);
    return shown + " is not a known " + what + " (expected one of " + allowed + ")";
  }
  if (keyword == "type" && schema_node.HasMember("type")) {
    return shown + " has the wrong type (expected " + Compact(schema_node["type"]) + ")";
  }
  if (keyword == "pattern") return shown + " " + PatternHint(pointer_text);
  if (keyword == "minItems") return "must not be empty";
  if (keyword == "uniqueItems") return "lists the same entry twice";
  if (keyword == "minLength") return shown + " is too short";
  if (keyword == "maxLength" && schema_node.HasMember("maxLength")) {
    return "is too long (at most " + Compact(schema_node["maxLength"]) + " characters)";
  }
  if ((keyword == "minimum" || keyword == "maximum") && schema_node.HasMember("minimum") &&
      schema_node.HasMember("maximum")) {
    return shown + " is out of range (" + Compact(schema_node["minimum"]) + " to " + Compact(schema_node["maximum"]) +
           ")";
  }
  return shown + " fails the schema rule '" + keyword + "'";
}

long TodayDays() {
  auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return now.time_since_epoch().count();
}

bool IsWellFormedUrl(std::string_view url) {
  static const std::regex re(R"(^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:[0-9]{1,5})?(/[^\s]*)?$)");
  return std::regex_match(url.begin(), url.end(), re);
}

bool IsWellFormedEmail(std::string_view email) {
  static const std::regex re(R"(^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$)");
  return std::regex_match(email.begin(), email.end(), re);
}

// Line and column (1-based) of a byte offset, for JSON syntax errors.
std::pair<int, int> LineColumn(std::string_view text, std::size_t offset) {
  int line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// Directory text ends up in SMS, chat replies, JSON and HTML: it must be
// valid UTF-8 without control characters. A file full of bad strings gets
// this many diagnostics, then one saying how many more there are.
constexpr std::size_t kMaxTextDiagnosticsPerFile = 50;

// "a NUL character (U+0000)", "the control character U+001B".
std::string ControlName(std::uint32_t cp) {
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
  switch (cp) {
    case 0x00: return std::string("a NUL character (") + code + ")";
    case 0x09: return std::string("a tab (") + code + ")";
    case 0x0A: return std::string("a newline (") + code + ")";
    case 0x0D: return std::string("a carriage return (") + code + ")";
    default: return std::string("the control character ") + code;
  }
}

// What is wrong with the text of one string, or "" when nothing is.
// `layout_allowed`: tab and newline are fine (free text nobody is texted).
std::string TextProblem(std::string_view text, bool layout_allowed) {
  if (std::size_t bad = InvalidUtf8Offset(text); bad != std::string_view::npos) {
    return "is not valid UTF-8 (at byte " + std::to_string(bad + 1) + ")";
  }
  std::uint32_t cp = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = DecodeUtf8(text.substr(i), cp);  // valid: checked above
    const bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
    const bool layout = cp == '\t' || cp == '\n';
    if (control && !(layout && layout_allowed)) {
      return "contains " + ControlName(cp) + " at byte " + std::to_string(i + 1) +
             (layout ? "; tabs and newlines are allowed only in notes and the file's description" : "");
    }
    i += len;
  }
  return "";
}

// Appends a JSON pointer token ("~" -> "~0", "/" -> "~1").
void AppendPointerToken(std::string& pointer, std::string_view token) {
  pointer += '/';
  for (char c : token) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer += c;
    }
  }
}

// Checks every string of a parsed file (values and field names) with
// TextProblem. Depth is bounded by the parser (internal::kMaxJsonDepth), so
// the recursion is too.
class TextChecker {
 public:
  TextChecker(const std::string& file, ValidationReport* report) : file_(file), report_(report) {}

  // Checks the whole document. Resources with a problem are remembered (see
  // BadResource); problems elsewhere make OutsideResources() true.
  void CheckFile(const Value& doc) {
    path_.clear();
    if (!doc.IsObject()) return Check(doc, -1);
    for (const auto& m : doc.GetObject()) {
      const std::string_view name(m.name.GetString(), m.name.GetStringLength());
      path_.clear();
      if (!CheckName(name, -1)) continue;
      AppendPointerToken(path_, name);
      if (name == "resources" && m.value.IsArray()) {
        const std::size_t at = path_.size();
        for (rapidjson::SizeType i = 0; i < m.value.Size(); ++i) {
          AppendIndex(i);
          Check(m.value[i], static_cast<long>(i));
          path_.resize(at);
        }
      } else {
        Check(m.value, -1);
      }
    }
    if (suppressed_ > 0) {
      report_->diagnostics.push_back(
          {Severity::kError, file_, "",
           "and " + std::to_string(suppressed_) + " more strings that are not valid UTF-8 or hold control characters"});
    }
  }

  bool BadResource(std::size_t i) const { return bad_resources_.count(i) != 0; }
  bool OutsideResources() const { return outside_resources_; }

 private:
  // Checks `v`, whose JSON pointer is path_ (restored on return; a pointer
  // string is made only for a problem: a 2,000-resource file has some
  // 50,000 strings). `resource`: the index of the resource `v` belongs to, or -1.
  void Check(const Value& v, long resource) {
    if (v.IsString()) {
      Report(resource, TextProblem({v.GetString(), v.GetStringLength()}, LayoutAllowed(path_)));
    } else if (v.IsArray()) {
      const std::size_t at = path_.size();
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        AppendIndex(i);
        Check(v[i], resource);
        path_.resize(at);
      }
    } else if (v.IsObject()) {
      const std::size_t at = path_.size();
      for (const auto& m : v.GetObject()) {
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        if (!CheckName(name, resource)) continue;
        AppendPointerToken(path_, name);
        Check(m.value, resource);
        path_.resize(at);
      }
    }
  }

  void AppendIndex(rapidjson::SizeType i) {
    char digits[16];
    const char* end = std::to_chars(digits, digits + sizeof digits, i).ptr;  // 10 digits at most: it fits
    path_ += '/';
    path_.append(digits, static_cast<std::size_t>(end - digits));
  }

  // A bad field name is reported at its object (path_; the name itself
  // cannot be shown); returns false then.
  bool CheckName(std::string_view name, long resource) {
    std::string problem = TextProblem(name, false);
    if (problem.empty()) return true;
    Report(resource, "a field name " + problem);
    return false;
  }

  // The file's description and a resource's notes ("/resources/3/notes").
  static bool LayoutAllowed(std::string_view pointer) {
    if (pointer == "/description") return true;
    constexpr std::string_view kResources = "/resources/", kNotes = "/notes";
    if (!pointer.starts_with(kResources) || !pointer.ends_with(kNotes)) return false;
    const std::string_view index =
        pointer.substr(kResources.size(), pointer.size() - kResources.size() - kNotes.size());
    return !index.empty() && std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; });
  }

  void Report(long resource, std::string problem) {
    if (problem.empty()) return;
    if (resource >= 0) {
      bad_resources_.insert(static_cast<std::size_t>(resource));
    } else {
      outside_resources_ = true;
    }
    if (reported_ == kMaxTextDiagnosticsPerFile) {
      ++suppressed_;
      return;
    }
    ++reported_;
    report_->diagnostics.push_back({Severity::kError, file_, path_, std::move(problem)});
  }

  const std::string& file_;
  ValidationReport* report_;
  std::string path_;  // the JSON pointer of the value being checked
  std::set<std::size_t> bad_resources_;
  bool outside_resources_ = false;
  std::size_t reported_ = 0;
  std::size_t suppressed_ = 0;
};

// Reads at most kMaxDirectoryFileBytes + 1 bytes of `path` into `text` (one
// more than allowed, so ValidateText can tell a file that is too large).
// Returns "" or why the file cannot be read.
std::string ReadBounded(const std::string& path, std::string* text) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int e = errno;
    return e == 0 ? "cannot read the file" : std::string("cannot read the file: ") + std::strerror(e);
  }
  text->clear();
  char chunk[64 * 1024];
  while (text->size() <= kMaxDirectoryFileBytes && (in.read(chunk, sizeof chunk) || in.gcount() > 0)) {
    text->append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return "cannot read the file";
  return "";
}

// Why a directory's *.json entry is not a file to read, or "" when it is a
// regular file (possibly through symlinks).
std::string EntryProblem(const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);  // follows symlinks
  if (ec == std::errc::too_many_symbolic_link_levels) return "symlink loop (too many levels of symbolic links)";
  if (st.type() == std::filesystem::file_type::not_found) return "broken symlink (its target does not exist)";
  if (ec) return "cannot read the file: " + ec.message();
  if (st.type() == std::filesystem::file_type::directory) return "is a directory, not a *.json file";
  if (st.type() != std::filesystem::file_type::regular) return "is not a regular file";
  return "";
}

}  // namespace

std::string Diagnostic::ToString() const {
  std::string s = file;
  s += ": ";
  if (severity == Severity::kWarning) s += "warning: ";
  if (!pointer.empty()) {
    s += pointer;
    s += ": ";
  }
  s += message;
  return s;
}

std::size_t ValidationReport::ErrorCount() const {
  return static_cast<std::size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                                [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

std::size_t ValidationReport::WarningCount() const { return diagnostics.size() - ErrorCount(); }

struct Validator::Impl {
  ValidatorOptions options;
  long today_days = 0;
  PhoneBook phones;
  // The full schema, a copy whose resources carry no item schema (the file
  // shell), and the resource definition on its own: each resource is checked
  // separately so one bad resource does not hide the errors of the others.
  rapidjson::Document schema;
  rapidjson::Document shell_schema;
  rapidjson::Document resource_schema_json;
  std::unique_ptr<rapidjson::SchemaDocument> shell;
  std::unique_ptr<rapidjson::SchemaDocument> resource_schema;
  // Normalizing a phone number costs ~25 us in libphonenumber; directories
  // repeat numbers (988, 911) a lot, so results are memoized per run.
  mutable std::unordered_map<std::string, Result<NormalizedPhone>> phone_cache;

  explicit Impl(ValidatorOptions o) : options(std::move(o)) {
    std::string_view text = DirectorySchemaText();
    schema.Parse(text.data(), text.size());
    if (schema.HasParseError()) {
      std::fputs("fatal: the compiled-in directory schema is not valid JSON\n", stderr);
      std::abort();
    }
    shell_schema.CopyFrom(schema, shell_schema.GetAllocator());
    shell_schema["properties"]["resources"].RemoveMember("items");
    shell_schema.RemoveMember("definitions");
    resource_schema_json.CopyFrom(schema["definitions"]["resource"], resource_schema_json.GetAllocator());
    shell = std::make_unique<rapidjson::SchemaDocument>(shell_schema);
    resource_schema = std::make_unique<rapidjson::SchemaDocument>(resource_schema_json);
    if (options.today.empty()) {
      today_days = TodayDays();
    } else if (auto d = DaysFromDate(options.today)) {
      today_days = *d;
    } else {
      std::fprintf(stderr, "fatal: ValidatorOptions::today '%s' is not a date\n", options.today.c_str());
      std::abort();
    }
  }

  // Returns false (after adding an error) when `doc` fails `schema_doc`.
  bool CheckSchema(const rapidjson::SchemaDocument& schema_doc, const Value& schema_root, const Value& doc,
                   const std::string& file, const std::string& pointer_prefix, ValidationReport* report) const {
    rapidjson::SchemaValidator validator(schema_doc);
    if (doc.Accept(validator)) return true;
    const rapidjson::Pointer doc_ptr = validator.GetInvalidDocumentPointer();
    const rapidjson::Pointer schema_ptr = validator.GetInvalidSchemaPointer();
    const Value* schema_node = schema_ptr.Get(schema_root);
    static const Value kEmpty(rapidjson::kObjectType);
    std::string pointer = pointer_prefix + PointerString(doc_ptr);
    std::string message = SchemaMessage(validator.GetInvalidSchemaKeyword(),
                                        schema_node != nullptr ? *schema_node : kEmpty, doc, doc_ptr, pointer);
    report->diagnostics.push_back({Severity::kError, file, pointer, std::move(message)});
    return false;
  }

  const Result<NormalizedPhone>& NormalizePhone(const std::string& raw, std::string_view country,
                                                ChannelKind kind) const {
    std::string key = raw;
    key += '\x1f';
    key += country;
    key += '\x1f';
    key += ChannelKindName(kind);
    auto it = phone_cache.find(key);
    if (it == phone_cache.end()) it = phone_cache.emplace(key, phones.Normalize(raw, country, kind)).first;
    return it->second;
  }

  // A site's address and point: present, consistent with its regions, and
  // where its country is. Other kinds carry neither an address nor a point.
  template <typename Error, typename Warning>
  static void CheckSite(const Resource& r, const std::string& jurisdiction, const std::string& file, const Error& error,
                        const Warning& warning) {
    if (!r.IsSite()) {
      if (r.address) error("/address", "only a site (\"kind\": \"site\") has an address");
      return;
    }
    if (!r.address) error("", "a site needs an address");
    if (!r.coordinates) error("", "a site needs coordinates (lat, lon and their precision)");
    if (r.address) {
      const Address& a = *r.address;
      if (!IsKnownRegion(a.region)) {
        error("/address/region", "unknown region '" + a.region + "'");
      } else {
        auto chain = Ancestry(a.region);
        if (jurisdiction != kEverywhere && std::find(chain.begin(), chain.end(), jurisdiction) == chain.end()) {
          error("/address/region",
                "region '" + a.region + "' is outside this file's jurisdiction '" + jurisdiction + "'");
        }
        if (CountryOf(a.region) != a.country) {
          error("/address/country", "'" + a.country + "' is not the country of region '" + a.region + "'");
        }
        if (std::find(r.regions.begin(), r.regions.end(), a.region) == r.regions.end()) {
          error("/address/region", "the site's region '" + a.region + "' is not among its regions");
        }
      }
      static const std::regex kZip("^[0-9]{5}(-[0-9]{4})?$");
      static const std::regex kCanadianPostal("^[A-Z][0-9][A-Z] [0-9][A-Z][0-9]$");
      if (!a.postal_code.empty()) {
        if (a.country == "US" && !std::regex_match(a.postal_code, kZip)) {
          error("/address/postal_code", "'" + a.postal_code + "' is not a ZIP code (12345 or 12345-6789)");
        } else if (a.country == "CA" && !std::regex_match(a.postal_code, kCanadianPostal)) {
          error("/address/postal_code", "'" + a.postal_code + "' is not a Canadian postal code (A1A 1A1)");
        }
      }
      if (a.street.empty() && r.coordinates && r.coordinates->precision == CoordinatePrecision::kAddress) {
        warning("/coordinates/precision", "address precision without a street: is it really geocoded?");
      }
    }
    if (r.coordinates && r.address) {
      const Coordinates& c = *r.coordinates;
      if (!InCountryBox(r.address->country, c.lat, c.lon)) {
        error("/coordinates", "(" + std::to_string(c.lat) + ", " + std::to_string(c.lon) + ") is not in " +
                                  r.address->country + " (are lat and lon swapped, or a sign lost?)");
      }
    }
    // The agreed naming: a site's id starts with its file's name (us-il-chicago-...).
    const std::string stem = std::filesystem::path(file).stem().string();
    if (r.id.rfind(stem + "-", 0) != 0) warning("/id", "a site's id should start with its file's name '" + stem + "-'");
  }

  // A generous box around each country (islands and territories included);
  // a point outside it is a typo. Countries without a box pass.
  static bool InCountryBox(std::string_view country, double lat, double lon) {
    if (country == "US") {
      // The 50 states, DC and Puerto Rico; the Aleutians cross 180 degrees.
      return lat >= 17.5 && lat <= 71.6 && ((lon >= -179.3 && lon <= -64.5) || lon >= 172.0);
    }
    if (country == "CA") return lat >= 41.6 && lat <= 83.2 && lon >= -141.1 && lon <= -52.5;
    return true;
  }

  void CheckSemantics(Resource& r, const std::string& jurisdiction, const std::string& file, const std::string& at,
                      ValidationReport* report) const {
    auto error = [&](const std::string& where, std::string message) {
      report->diagnostics.push_back({Severity::kError, file, at + where, std::move(message)});
    };
    auto warning = [&](const std::string& where, std::string message) {
      report->diagnostics.push_back({Severity::kWarning, file, at + where, std::move(message)});
    };

    // Regions: known, inside the file's jurisdiction; their countries decide
    // how phone numbers are read.
    std::set<std::string_view> countries;
    for (std::size_t i = 0; i < r.regions.size(); ++i) {
      const std::string& code = r.regions[i];
      const std::string where = "/regions/" + std::to_string(i);
      if (!IsKnownRegion(code)) {
        error(where, "unknown region '" + code + "'");
        continue;
      }
      auto chain = Ancestry(code);
      if (jurisdiction != kEverywhere && std::find(chain.begin(), chain.end(), jurisdiction) == chain.end()) {
        error(where, "region '" + code + "' is outside this file's jurisdiction '" + jurisdiction + "'");
      }
      countries.insert(CountryOf(code));
    }

    for (std::size_t i = 0; i < r.channels.size(); ++i) {
      Channel& ch = r.channels[i];
      const std::string where = "/channels/" + std::to_string(i);
      if (!ch.keyword.empty() && ch.kind != ChannelKind::kSms) {
        error(where + "/keyword",
              "a text keyword only makes sense on an sms channel, not " + std::string(ChannelKindName(ch.kind)));
      }
      if (IsPhoneKind(ch.kind)) {
        if (countries.count(kEverywhere) != 0) {
          error(where + "/value",
                "a resource for '*' has no country to read '" + ch.value + "' in; list its countries' regions instead");
          continue;
        }
        std::string normalized;
        for (std::string_view country : countries) {
          const Result<NormalizedPhone>& n = NormalizePhone(ch.value, country, ch.kind);
          if (!n.ok()) {
            error(where + "/value", n.status().message());
            normalized.clear();
            break;
          }
          normalized = n->value;
        }
        if (!normalized.empty()) ch.value = normalized;
      } else if (ch.kind == ChannelKind::kEmail) {
        if (!IsWellFormedEmail(ch.value)) error(where + "/value", "'" + ch.value + "' is not a valid email address");
      } else if (!IsWellFormedUrl(ch.value)) {
        error(where + "/value", "'" + ch.value + "' is not a valid URL (expected https://host/path)");
      } else if (ch.value.rfind("https://", 0) != 0) {
        warning(where + "/value", "'" + ch.value + "' is not https");
      }
    }

    if (auto days = DaysFromDate(r.verified); !days) {
      error("/verified", "'" + r.verified + "' is not a real date");
    } else if (*days > today_days) {
      error("/verified", "'" + r.verified + "' is in the future");
    } else if (today_days - *days > options.max_age_days) {
      warning("/verified", "stale: verified " + r.verified + " is " + std::to_string(today_days - *days) +
                               " days old (more than " + std::to_string(options.max_age_days) +
                               "); re-check it against its source");
    }
    static const std::regex kLanguage("^[a-z]{2,3}$");
    for (const auto& [lang, t] : r.translations) {
      if (!std::regex_match(lang, kLanguage)) {
        error("/translations/" + lang, "'" + lang + "' is not an ISO 639 language code such as en, es, fr");
      }
    }
    for (std::size_t i = 0; i < r.channels.size(); ++i) {
      const Channel& ch = r.channels[i];
      const std::string at = "/channels/" + std::to_string(i) + "/label_translations";
      if (!ch.label_translations.empty() && ch.label.empty()) {
        error(at, "translations of a label the channel does not have: set \"label\" (English) first");
      }
      for (const auto& [lang, text] : ch.label_translations) {
        if (!std::regex_match(lang, kLanguage)) {
          error(at + "/" + lang, "'" + lang + "' is not an ISO 639 language code such as en, es, fr");
        }
      }
    }
    for (const auto& [lang, names] : r.aliases) {
      if (!std::regex_match(lang, kLanguage)) {
        error("/aliases/" + lang, "'" + lang + "' is not an ISO 639 language code such as en, es, fr");
      }
    }
    if (r.hours.empty() && !r.IsSite()) error("", "missing required field hours (only a site may omit it)");
    CheckSite(r, jurisdiction, file, error, warning);
    if (r.kind == ResourceKind::kService && r.channels.empty()) {
      error("/channels", "a service needs at least one channel (a fact with no channel is \"kind\": \"info\")");
    }
    if (r.kind == ResourceKind::kInfo && r.description.size() > kInfoDescriptionBytes) {
      warning("/description", "an info resource's description is texted as is: keep it within " +
                                  std::to_string(kInfoDescriptionBytes) + " bytes (it has " +
                                  std::to_string(r.description.size()) + ")");
    }
    if (r.status == ResourceStatus::kActive && r.source.find("https://") == std::string::npos &&
        r.source.find("http://") == std::string::npos) {
      warning("/source", "an active resource should name the page its facts come from (a URL)");
    }
    if (r.status == ResourceStatus::kUnconfirmed) {
      warning("/status", "'" + r.id + "' is unconfirmed" + (r.notes.empty() ? "" : ": " + r.notes));
    }
  }
};

Validator::Validator(ValidatorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Validator::~Validator() = default;
Validator::Validator(Validator&&) noexcept = default;

void Validator::ValidateText(std::string_view file, std::string_view text, ValidationReport* report) const {
  const std::string file_name(file);
  report->files.push_back(file_name);
  if (text.size() > kMaxDirectoryFileBytes) {
    report->diagnostics.push_back({Severity::kError, file_name, "",
                                   "larger than " + std::to_string(kMaxDirectoryFileBytes >> 20) +
                                       " MiB, the limit for one directory file; split it"});
    return;
  }
  rapidjson::Document doc;
  if (auto error = internal::ParseJson(text, doc)) {
    auto [line, col] = LineColumn(text, error->offset);
    report->diagnostics.push_back(
        {Severity::kError, file_name, "",
         "malformed JSON at line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + error->message});
    return;
  }
  // Text first: nothing below shows a string that is not clean text.
  TextChecker text_checker(file_name, report);
  text_checker.CheckFile(doc);
  if (text_checker.OutsideResources()) return;
  if (!impl_->CheckSchema(*impl_->shell, impl_->shell_schema, doc, file_name, "", report)) return;

  const std::string jurisdiction = doc["jurisdiction"].GetString();
  if (!IsKnownRegion(jurisdiction)) {
    report->diagnostics.push_back(
        {Severity::kError, file_name, "/jurisdiction", "unknown region '" + jurisdiction + "'"});
    return;
  }
  const auto& items = doc["resources"].GetArray();
  for (rapidjson::SizeType i = 0; i < items.Size(); ++i) {
    const std::string at = "/resources/" + std::to_string(i);
    if (text_checker.BadResource(i)) continue;
    if (!impl_->CheckSchema(*impl_->resource_schema, impl_->resource_schema_json, items[i], file_name, at, report)) {
      continue;
    }
    Resource r = internal::DecodeResource(items[i]);
    impl_->CheckSemantics(r, jurisdiction, file_name, at, report);
    report->resources.push_back(std::move(r));
    report->origins.push_back({file_name, at});
  }
}

void Validator::Finish(ValidationReport* report) const {
  // Views into the resources' ids: nothing moves them until the sort below.
  std::unordered_map<std::string_view, std::size_t> first_seen;
  first_seen.reserve(report->resources.size());
  for (std::size_t i = 0; i < report->resources.size(); ++i) {
    const std::string& id = report->resources[i].id;
    auto [it, inserted] = first_seen.emplace(id, i);
    if (!inserted) {
      const auto& first = report->origins[it->second];
      const auto& here = report->origins[i];
      report->diagnostics.push_back(
          {Severity::kError, here.file, here.pointer + "/id",
           "duplicate id '" + id + "' (first defined in " + first.file + ": " + first.pointer + ")"});
    }
  }
  // Sort resources by id, keeping each origin beside its resource. Often
  // they already are (an import writes them so): then nothing moves.
  const auto by_id = [](const Resource& a, const Resource& b) { return a.id < b.id; };
  if (std::is_sorted(report->resources.begin(), report->resources.end(), by_id)) return;
  std::vector<std::size_t> order(report->resources.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return report->resources[a].id < report->resources[b].id; });
  std::vector<Resource> resources;
  std::vector<ResourceOrigin> origins;
  resources.reserve(order.size());
  origins.reserve(order.size());
  for (std::size_t i : order) {
    resources.push_back(std::move(report->resources[i]));
    origins.push_back(std::move(report->origins[i]));
  }
  report->resources = std::move(resources);
  report->origins = std::move(origins);
}

namespace {

// Adds `dir`'s *.json files (sorted) to `found`; an entry that cannot be a
// directory file is refused by name. False (with an error) when `dir`
// cannot be listed.
template <typename Refuse>
bool ListJsonFiles(const std::string& dir, std::vector<std::string>* found, std::size_t* refused, const Refuse& refuse,
                   ValidationReport* report) {
  namespace fs = std::filesystem;
  // Error codes everywhere: a throwing call here (a symlink loop among the
  // entries) would end the program.
  std::error_code ec;
  std::vector<std::string> here;
  fs::directory_iterator it(dir, ec);
  for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
    const fs::path& entry = it->path();
    if (entry.extension() != ".json") continue;
    if (std::string problem = EntryProblem(entry); !problem.empty()) {
      refuse(entry.string(), std::move(problem));
      ++*refused;
    } else {
      here.push_back(entry.string());
    }
  }
  if (ec) {
    report->diagnostics.push_back({Severity::kError, dir, "", "cannot list the directory: " + ec.message()});
    return false;
  }
  std::sort(here.begin(), here.end());
  found->insert(found->end(), here.begin(), here.end());
  return true;
}

}  // namespace

ValidationReport Validator::ValidatePaths(const std::vector<std::string>& paths) const {
  namespace fs = std::filesystem;
  ValidationReport report;
  std::vector<std::string> files;
  auto refuse = [&](const std::string& path, std::string message) {
    report.files.push_back(path);
    report.diagnostics.push_back({Severity::kError, path, "", std::move(message)});
  };
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      files.push_back(p);  // missing, a loop or unreadable: reading it says why
      continue;
    }
    // A directory's sites live in its sites/ subfolder (one file per city
    // or area, site-format.md); it is read with the directory.
    std::vector<std::string> found;
    std::size_t refused = 0;
    const fs::path sites = fs::path(p) / "sites";
    if (!ListJsonFiles(p, &found, &refused, refuse, &report)) continue;
    if (fs::is_directory(sites, ec)) ListJsonFiles(sites.string(), &found, &refused, refuse, &report);
    if (found.empty() && refused == 0) {
      report.diagnostics.push_back({Severity::kError, p, "", "no *.json files in this directory"});
    }
    files.insert(files.end(), found.begin(), found.end());
  }
  std::string text;
  for (const auto& f : files) {
    if (std::string problem = ReadBounded(f, &text); !problem.empty()) {
      refuse(f, std::move(problem));
      continue;
    }
    ValidateText(f, text, &report);
  }
  Finish(&report);
  return report;
}

}  // namespace helpline::directory
