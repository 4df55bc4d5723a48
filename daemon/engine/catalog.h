#pragma once
// The reply catalogue: every sentence the engine sends, per language, loaded
// from data/engine/messages.json.
//
//   auto catalog = Catalog::Parse(json_text);
//   const LanguageCatalog& fr = catalog->For("fr");   // falls back to "en"
//   std::string s = Fill(fr.text_keyword, {{"keyword", "CONNEX"}, {"number", "247247"}});
//
// Thread-safety: immutable after Parse().

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "daemon/engine/intent.h"

namespace helpline::engine {

struct LanguageCatalog {
  std::string lang;
  std::string region_name_field;                           // "name_en" | "name_fr" | "name_es"
  std::map<std::string, std::string, std::less<>> topics;  // by intent name
  std::string heading, overdose_first, suicide_first;
  std::string overdose_suicide_first;  // both at once: 911 now, and 988, in one first line
  std::string doubt_first;             // the risk model reads an emergency the rules did not: 911 and 988 first
  std::string distress_first;          // distress without a clear request: 988 first
  std::string ask_region;              // a number whose area code spans several regions: "{regions}"
  std::string call, text, call_or_text, text_keyword, tty, or_word;
  std::string other_region, help_intro, help_footer, menu, unknown, language_set;
  std::string stop, start, opted_out, fallback, emergency_line, rate_limited;

  // The topic for an intent ("Naloxone"), or the help topic.
  const std::string& Topic(Intent intent) const;
};

class Catalog {
 public:
  // Requires "en" and every field in each language; InvalidArgument names what is missing.
  static Result<Catalog> Parse(std::string_view json);

  // The catalogue of `lang`, or English when there is none.
  const LanguageCatalog& For(std::string_view lang) const;
  bool Has(std::string_view lang) const;
  const std::string& program() const { return program_; }

 private:
  std::string program_;
  std::vector<LanguageCatalog> languages_;  // "en" first
};

// Replaces each {name} in `pattern` by its value. Unknown names stay as written.
std::string Fill(std::string_view pattern, std::initializer_list<std::pair<std::string_view, std::string_view>> values);

}  // namespace helpline::engine
