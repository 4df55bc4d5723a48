#include "daemon/engine/catalog.h"

#include <rapidjson/document.h>

namespace helpline::engine {

const std::string& LanguageCatalog::Topic(Intent intent) const {
  auto it = topics.find(IntentName(intent));
  if (it != topics.end()) return it->second;
  return topics.find("help")->second;  // Parse() guarantees "help"
}

Result<Catalog> Catalog::Parse(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return InvalidArgument("messages: not a JSON object");
  if (!d.HasMember("languages") || !d["languages"].IsObject())
    return InvalidArgument("messages: no \"languages\" object");
  Catalog c;
  c.program_ = d.HasMember("program") && d["program"].IsString() ? d["program"].GetString() : "Helpline";
  for (const auto& m : d["languages"].GetObject()) {
    LanguageCatalog l;
    l.lang = m.name.GetString();
    const auto& v = m.value;
    const std::string at = "messages: /languages/" + l.lang;
    if (!v.IsObject()) return InvalidArgument(at + ": not an object");
    struct Field {
      const char* key;
      std::string* out;
    };
    const Field fields[] = {
        {"region_name_field", &l.region_name_field},
        {"heading", &l.heading},
        {"overdose_first", &l.overdose_first},
        {"suicide_first", &l.suicide_first},
        {"overdose_suicide_first", &l.overdose_suicide_first},
        {"call", &l.call},
        {"text", &l.text},
        {"call_or_text", &l.call_or_text},
        {"text_keyword", &l.text_keyword},
        {"tty", &l.tty},
        {"or", &l.or_word},
        {"other_region", &l.other_region},
        {"help_intro", &l.help_intro},
        {"help_footer", &l.help_footer},
        {"menu", &l.menu},
        {"unknown", &l.unknown},
        {"language_set", &l.language_set},
        {"stop", &l.stop},
        {"start", &l.start},
        {"opted_out", &l.opted_out},
        {"fallback", &l.fallback},
        {"emergency_line", &l.emergency_line},
        {"rate_limited", &l.rate_limited},
        {"distress_first", &l.distress_first},
        {"doubt_first", &l.doubt_first},
        {"ask_region", &l.ask_region},
    };
    for (const Field& f : fields) {
      if (!v.HasMember(f.key) || !v[f.key].IsString()) return InvalidArgument(at + ": missing \"" + f.key + "\"");
      *f.out = v[f.key].GetString();
    }
    if (!v.HasMember("topics") || !v["topics"].IsObject()) return InvalidArgument(at + ": missing \"topics\"");
    for (const auto& t : v["topics"].GetObject()) {
      if (!ParseIntent(t.name.GetString())) {
        return InvalidArgument(at + "/topics: unknown intent '" + std::string(t.name.GetString()) + "'");
      }
      if (t.value.IsString()) l.topics[t.name.GetString()] = t.value.GetString();
    }
    if (l.topics.count("help") == 0) return InvalidArgument(at + "/topics: missing \"help\"");
    if (l.lang == "en") {
      c.languages_.insert(c.languages_.begin(), std::move(l));
    } else {
      c.languages_.push_back(std::move(l));
    }
  }
  if (c.languages_.empty() || c.languages_.front().lang != "en")
    return InvalidArgument("messages: no \"en\" catalogue");
  return c;
}

const LanguageCatalog& Catalog::For(std::string_view lang) const {
  for (const auto& l : languages_) {
    if (l.lang == lang) return l;
  }
  return languages_.front();
}

bool Catalog::Has(std::string_view lang) const {
  for (const auto& l : languages_) {
    if (l.lang == lang) return true;
  }
  return false;
}

std::string Fill(std::string_view pattern,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      auto close = pattern.find('}', i);
      if (close != std::string_view::npos) {
        std::string_view name = pattern.substr(i + 1, close - i - 1);
        bool replaced = false;
        for (const auto& [k, v] : values) {
          if (k == name) {
            out += v;
            replaced = true;
            break;
          }
        }
        if (replaced) {
          i = close + 1;
          continue;
        }
      }
    }
    out += pattern[i++];
  }
  return out;
}

}  // namespace helpline::engine
