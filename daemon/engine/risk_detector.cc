#include "daemon/engine/risk_detector.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>

#include "common/utf8.h"

namespace helpline::engine {
namespace {

constexpr std::size_t kMaxElements = 4;
constexpr int kMaxGap = 12;
constexpr std::size_t kMinPrefix = 3;
constexpr std::size_t kMinFuzzy = 6;  // letters in a word before a typo is tolerated

constexpr std::array<std::string_view, 4> kClassNames = {"overdose", "suicide", "distress", "guard"};

// A language's bit in Rule::lang_bits; 0 for anything else. "*" is all.
std::uint8_t LangBit(std::string_view lang) {
  if (lang == "en") return 1;
  if (lang == "es") return 2;
  if (lang == "fr") return 4;
  if (lang == "*") return 7;
  return 0;
}

// "a|b c|d*" -> {"a", "b c", "d*"}
std::vector<std::string_view> SplitAlternatives(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t bar = s.find('|', start);
    if (bar == std::string_view::npos) bar = s.size();
    out.push_back(s.substr(start, bar - start));
    start = bar + 1;
  }
  return out;
}

// An emoji term: one code point at U+2000 or above (Tokenize keeps none of
// them), optionally followed by U+FE0F (emoji presentation: "⚰️"). 0 when
// `chunk` is anything else.
char32_t EmojiOf(std::string_view chunk) {
  if (chunk.empty()) return 0;
  std::uint32_t cp = 0;
  const std::size_t len = DecodeUtf8(chunk, cp);
  if (len == 0 || cp < 0x2000) return 0;
  const std::string_view rest = chunk.substr(len);
  return rest.empty() || rest == "\xEF\xB8\x8F" ? static_cast<char32_t>(cp) : 0;
}

// The token an emoji becomes: ":" and its code point in hex (":1f480" for
// 💀). No token of Tokenize() holds a ':', so none can be mistaken for one.
std::string EmojiToken(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, ":%x", static_cast<unsigned>(cp));
  return buf;
}

bool IsEmojiToken(std::string_view word) { return !word.empty() && word.front() == ':'; }

}  // namespace

// Everything Parse() needs while reading: the trie under construction and
// the concept names. Flattened into the detector at the end.
class RiskDetector::Builder {
 public:
  explicit Builder(RiskDetector& d) : d_(d) { trie_.emplace_back(); }

  // Adds a concept with its terms; `at` names the place for errors.
  Status AddConcept(const std::string& name, const rapidjson::Value& terms, bool fuzzy, bool elide,
                    const std::string& at) {
    if (concept_ids_.count(name) != 0) return InvalidArgument(at + ": concept '" + name + "' is defined twice");
    if (d_.concept_names_.size() >= 0xFFFF) return InvalidArgument(at + ": too many concepts");
    if (!terms.IsArray() || terms.Empty()) return InvalidArgument(at + ": needs a non-empty array of terms");
    const auto id = static_cast<std::uint16_t>(d_.concept_names_.size());
    concept_ids_[name] = id;
    d_.concept_names_.push_back(name);
    Source& source = sources_[name];
    source.fuzzy = fuzzy;
    source.elide = elide;
    for (rapidjson::SizeType i = 0; i < terms.Size(); ++i) {
      if (!terms[i].IsString()) return InvalidArgument(at + "/" + std::to_string(i) + ": a term must be a string");
      HL_RETURN_IF_ERROR(AddTerm(id, terms[i].GetString(), fuzzy, elide, at + "/" + std::to_string(i)));
      source.terms.emplace_back(terms[i].GetString());
    }
    return Status::Ok();
  }

  // An inline element of a rule ("not|isnt|wont", "@en_want|@en_going|rather"):
  // an anonymous concept. An alternative naming a concept brings in that
  // concept's terms, with its own fuzzy and elide settings.
  Result<std::uint16_t> AddInline(const std::string& rule_id, std::size_t k, std::string_view alternatives,
                                  const std::string& at) {
    if (d_.concept_names_.size() >= 0xFFFF) return InvalidArgument(at + ": too many concepts");
    const auto id = static_cast<std::uint16_t>(d_.concept_names_.size());
    d_.concept_names_.push_back(rule_id + "#" + std::to_string(k));
    used_.resize(d_.concept_names_.size());
    used_[id] = true;
    for (std::string_view alt : SplitAlternatives(alternatives)) {
      if (alt.empty() || alt.front() != '@') {
        HL_RETURN_IF_ERROR(AddTerm(id, alt, false, false, at));
        continue;
      }
      auto it = sources_.find(std::string(alt.substr(1)));
      if (it == sources_.end()) return InvalidArgument(at + ": unknown concept '" + std::string(alt) + "'");
      used_[concept_ids_[it->first]] = true;
      for (const std::string& term : it->second.terms) {
        HL_RETURN_IF_ERROR(AddTerm(id, term, it->second.fuzzy, it->second.elide, at));
      }
    }
    return id;
  }

  // A rule element: "@concept" or inline alternatives.
  Result<std::uint16_t> Element(const std::string& rule_id, std::size_t k, std::string_view text,
                                const std::string& at) {
    if (!text.empty() && text.front() == '@' && text.find('|') == std::string_view::npos) {
      auto it = concept_ids_.find(std::string(text.substr(1)));
      if (it == concept_ids_.end()) return InvalidArgument(at + ": unknown concept '" + std::string(text) + "'");
      used_.resize(d_.concept_names_.size());
      used_[it->second] = true;
      return it->second;
    }
    return AddInline(rule_id, k, text, at);
  }

  void SetElisions(std::vector<std::string> e) { elisions_ = std::move(e); }

  Status CheckAllUsed() const {
    for (const auto& [name, id] : concept_ids_) {
      if (id >= used_.size() || !used_[id]) return InvalidArgument("risk: concept '" + name + "' is used by no rule");
    }
    return Status::Ok();
  }

  // Flattens the trie into the detector's arrays.
  void Finish() {
    d_.nodes_.resize(trie_.size());
    for (std::size_t i = 0; i < trie_.size(); ++i) {
      Node& n = d_.nodes_[i];
      n.edge_begin = static_cast<std::uint32_t>(d_.edge_label_.size());
      n.edge_count = static_cast<std::uint32_t>(trie_[i].kids.size());
      for (const auto& [c, target] : trie_[i].kids) {  // std::map: sorted labels
        d_.edge_label_.push_back(c);
        d_.edge_target_.push_back(target);
      }
      n.exact_begin = static_cast<std::uint32_t>(d_.payloads_.size());
      d_.payloads_.insert(d_.payloads_.end(), trie_[i].exact.begin(), trie_[i].exact.end());
      n.exact_end = static_cast<std::uint32_t>(d_.payloads_.size());
      n.prefix_begin = n.exact_end;
      d_.payloads_.insert(d_.payloads_.end(), trie_[i].prefix.begin(), trie_[i].prefix.end());
      n.prefix_end = static_cast<std::uint32_t>(d_.payloads_.size());
      n.exact_next = trie_[i].exact_next;
      n.prefix_next = trie_[i].prefix_next;
    }
    std::sort(d_.emoji_.begin(), d_.emoji_.end());
    d_.emoji_.erase(std::unique(d_.emoji_.begin(), d_.emoji_.end()), d_.emoji_.end());
    d_.rules_by_first_.assign(d_.concept_names_.size(), {});
    for (std::size_t r = 0; r < d_.rules_.size(); ++r) {
      d_.rules_by_first_[d_.rules_[r].elements.front()].push_back(static_cast<std::uint32_t>(r));
    }
  }

 private:
  struct BuildNode {
    std::map<char, std::uint32_t> kids;
    std::vector<Payload> exact, prefix;
    bool exact_next = false, prefix_next = false;
  };

  Status AddTerm(std::uint16_t concept_id, std::string_view term, bool fuzzy, bool elide, const std::string& at) {
    std::vector<Word> words;
    std::size_t start = 0;
    while (start < term.size()) {
      std::size_t space = term.find(' ', start);
      if (space == std::string_view::npos) space = term.size();
      std::string_view chunk = term.substr(start, space - start);
      start = space + 1;
      if (chunk.empty()) continue;
      if (chunk == "#" || chunk == "##") {
        words.push_back({"", false, true, static_cast<std::uint8_t>(chunk.size())});
        continue;
      }
      if (const char32_t cp = EmojiOf(chunk); cp != 0) {
        words.push_back({EmojiToken(cp), false, false});
        d_.emoji_.push_back(cp);
        continue;
      }
      const bool prefix = chunk.back() == '*';
      if (prefix) chunk.remove_suffix(1);
      std::vector<Token> tokens = Tokenize(chunk);
      if (tokens.empty()) return InvalidArgument(at + ": '" + std::string(term) + "' has no letters");
      for (auto& t : tokens) words.push_back({std::move(t.text), false, false});
      if (prefix) {
        if (words.back().text.size() < kMinPrefix) {
          return InvalidArgument(at + ": prefix '" + std::string(term) + "' needs at least 3 letters");
        }
        words.back().prefix = true;
      }
    }
    if (words.empty()) return InvalidArgument(at + ": empty term");
    Payload p{concept_id, kSingle};
    if (words.size() > 1) {
      p.phrase = static_cast<std::uint32_t>(d_.phrases_.size());
      d_.phrases_.push_back({std::vector<Word>(words.begin() + 1, words.end()), concept_id});
    }
    const Word& first = words.front();
    if (first.number) {
      (first.min_digits > 1 ? d_.long_number_payloads_ : d_.number_payloads_).push_back(p);
      return Status::Ok();
    }
    // Indexed by the second word when that is a plain word (see Node).
    const Word* next = words.size() > 1 && !words[1].prefix && !words[1].number ? &words[1] : nullptr;
    Insert(first.text, first.prefix, p, next);
    if (IsEmojiToken(first.text)) return Status::Ok();  // neither elided nor misspelt
    if (elide) {
      for (const std::string& e : elisions_) Insert(e + first.text, first.prefix, p, next);
    }
    if (fuzzy && words.size() == 1 && !first.prefix && first.text.size() >= kMinFuzzy) AddFuzzy(first.text, concept_id);
    return Status::Ok();
  }

  void Insert(const std::string& word, bool prefix, Payload p, const Word* next) {
    std::uint32_t node = 0;
    for (char c : word) {
      auto it = trie_[node].kids.find(c);
      if (it == trie_[node].kids.end()) {
        const auto next = static_cast<std::uint32_t>(trie_.size());
        trie_[node].kids.emplace(c, next);
        trie_.emplace_back();
        node = next;
      } else {
        node = it->second;
      }
    }
    if (next != nullptr) {
      (prefix ? trie_[node].prefix_next : trie_[node].exact_next) = true;
      d_.phrase_by_next_[PhraseKey(node, prefix, WordHash(next->text))].push_back(p);
      return;
    }
    auto& list = prefix ? trie_[node].prefix : trie_[node].exact;
    for (const Payload& q : list) {
      if (q.concept_id == p.concept_id && q.phrase == p.phrase) return;
    }
    list.push_back(p);
  }

  void AddFuzzy(const std::string& word, std::uint16_t concept_id) {
    const auto idx = static_cast<std::uint32_t>(d_.fuzzy_words_.size());
    d_.fuzzy_words_.push_back({word, concept_id});
    auto add = [&](std::uint64_t key) {
      auto& list = d_.fuzzy_index_[key];
      if (list.empty() || list.back() != idx) list.push_back(idx);
    };
    add(WordHash(word));
    for (std::size_t j = 0; j < word.size(); ++j) add(WordHashWithout(word, j));
  }

  // A named concept's terms as written, for unions in rule elements.
  struct Source {
    std::vector<std::string> terms;
    bool fuzzy = false;
    bool elide = false;
  };

  RiskDetector& d_;
  std::vector<BuildNode> trie_;
  std::map<std::string, Source> sources_;
  std::map<std::string, std::uint16_t> concept_ids_;
  std::vector<bool> used_;
  std::vector<std::string> elisions_;
};

Result<RiskDetector> RiskDetector::Parse(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError()) {
    return InvalidArgument(std::string("risk: malformed JSON at offset ") + std::to_string(d.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(d.GetParseError()));
  }
  if (!d.IsObject() || !d.HasMember("concepts") || !d["concepts"].IsObject() || !d.HasMember("rules") ||
      !d["rules"].IsArray()) {
    return InvalidArgument("risk: expected an object with a \"concepts\" object and a \"rules\" array");
  }
  RiskDetector det;
  Builder b(det);

  if (d.HasMember("elisions")) {
    if (!d["elisions"].IsArray()) return InvalidArgument("risk: /elisions must be an array of strings");
    std::vector<std::string> elisions;
    for (const auto& e : d["elisions"].GetArray()) {
      if (!e.IsString()) return InvalidArgument("risk: /elisions must be an array of strings");
      std::string folded = FoldText(e.GetString());
      if (folded.empty() || folded.find(' ') != std::string::npos) {
        return InvalidArgument("risk: /elisions: '" + std::string(e.GetString()) + "' is not one word");
      }
      elisions.push_back(std::move(folded));
    }
    b.SetElisions(std::move(elisions));
  }
  if (d.HasMember("not_typos")) {
    if (!d["not_typos"].IsArray()) return InvalidArgument("risk: /not_typos must be an array of strings");
    for (const auto& w : d["not_typos"].GetArray()) {
      if (!w.IsString()) return InvalidArgument("risk: /not_typos must be an array of strings");
      det.not_typos_.insert(FoldText(w.GetString()));
    }
  }

  for (const auto& m : d["concepts"].GetObject()) {
    const std::string name = m.name.GetString();
    const std::string at = "risk: /concepts/" + name;
    if (name.empty() || name.find_first_of("@|# ") != std::string::npos) {
      return InvalidArgument(at + ": a concept name is non-empty without '@', '|', '#' or spaces");
    }
    if (m.value.IsArray()) {
      HL_RETURN_IF_ERROR(b.AddConcept(name, m.value, false, false, at));
      continue;
    }
    if (!m.value.IsObject() || !m.value.HasMember("terms")) {
      return InvalidArgument(at + ": expected an array of terms or an object with \"terms\"");
    }
    auto flag = [&](const char* key) {
      return m.value.HasMember(key) && m.value[key].IsBool() && m.value[key].GetBool();
    };
    HL_RETURN_IF_ERROR(b.AddConcept(name, m.value["terms"], flag("fuzzy"), flag("elide"), at + "/terms"));
  }

  std::map<std::string, bool, std::less<>> ids;
  const auto& rules = d["rules"].GetArray();
  for (rapidjson::SizeType i = 0; i < rules.Size(); ++i) {
    const auto& r = rules[i];
    std::string at = "risk: /rules/" + std::to_string(i);
    if (!r.IsObject() || !r.HasMember("id") || !r["id"].IsString()) return InvalidArgument(at + ": needs an \"id\"");
    Rule rule;
    rule.id = r["id"].GetString();
    at += " (" + rule.id + ")";
    if (rule.id.empty() || !ids.emplace(rule.id, true).second) return InvalidArgument(at + ": id empty or repeated");

    if (!r.HasMember("class") || !r["class"].IsString()) return InvalidArgument(at + ": needs a \"class\"");
    const std::string_view cls = r["class"].GetString();
    auto cls_it = std::find(kClassNames.begin(), kClassNames.end(), cls);
    if (cls_it == kClassNames.end()) return InvalidArgument(at + "/class: unknown class '" + std::string(cls) + "'");
    rule.cls = static_cast<Class>(cls_it - kClassNames.begin());

    if (!r.HasMember("lang") || !r["lang"].IsString()) return InvalidArgument(at + ": needs a \"lang\"");
    rule.lang = r["lang"].GetString();
    rule.lang_bits = LangBit(rule.lang);
    if (rule.lang_bits == 0) return InvalidArgument(at + "/lang: expected en, es, fr or *");

    if (!r.HasMember("seq") || !r["seq"].IsArray() || r["seq"].Empty() || r["seq"].Size() > kMaxElements) {
      return InvalidArgument(at + ": \"seq\" must hold 1 to 4 elements");
    }
    for (rapidjson::SizeType k = 0; k < r["seq"].Size(); ++k) {
      const auto& e = r["seq"][k];
      if (!e.IsString()) return InvalidArgument(at + "/seq: every element must be a string");
      auto id = b.Element(rule.id, k, e.GetString(), at + "/seq/" + std::to_string(k));
      if (!id.ok()) return id.status();
      rule.elements.push_back(*id);
    }

    if (r.HasMember("gap")) {
      if (!r["gap"].IsInt() || r["gap"].GetInt() < 0 || r["gap"].GetInt() > kMaxGap) {
        return InvalidArgument(at + "/gap: expected 0 to 12");
      }
      rule.gap = static_cast<std::uint8_t>(r["gap"].GetInt());
    }
    rule.any_order = r.HasMember("any_order") && r["any_order"].IsBool() && r["any_order"].GetBool();

    if (rule.cls == Class::kGuard) {
      if (r.HasMember("guardable")) return InvalidArgument(at + ": a guard is not \"guardable\"");
      if (!r.HasMember("guards") || !r["guards"].IsArray() || r["guards"].Empty()) {
        return InvalidArgument(at + ": a guard needs \"guards\": the classes it silences");
      }
      for (const auto& g : r["guards"].GetArray()) {
        const std::string_view name = g.IsString() ? g.GetString() : "";
        auto it = std::find(kClassNames.begin(), kClassNames.end() - 1, name);
        if (it == kClassNames.end() - 1)
          return InvalidArgument(at + "/guards: unknown class '" + std::string(name) + "'");
        rule.guards_mask |= static_cast<std::uint8_t>(1u << (it - kClassNames.begin()));
      }
      if (r.HasMember("topic")) {
        const std::string_view topic = r["topic"].IsString() ? r["topic"].GetString() : "";
        if (topic != "harm" && topic != "idiom") {
          return InvalidArgument(at + "/topic: expected \"harm\" or \"idiom\"");
        }
        rule.topic = r["topic"].GetString();
      }
      if (r.HasMember("strong")) {
        if (!r["strong"].IsBool()) return InvalidArgument(at + "/strong: expected true or false");
        rule.strong = r["strong"].GetBool();
      }
      rule.reach = 3;
      if (r.HasMember("reach")) {
        if (!r["reach"].IsInt() || r["reach"].GetInt() < 0 || r["reach"].GetInt() > kMaxGap) {
          return InvalidArgument(at + "/reach: expected 0 to 12");
        }
        rule.reach = static_cast<std::uint8_t>(r["reach"].GetInt());
      }
      if (r.HasMember("langs")) {
        if (!r["langs"].IsArray() || r["langs"].Empty()) {
          return InvalidArgument(at + "/langs: expected a non-empty array of en, es, fr");
        }
        rule.lang_bits = 0;
        for (const auto& l : r["langs"].GetArray()) {
          const std::uint8_t bit = l.IsString() ? LangBit(l.GetString()) : 0;
          if (bit == 0 || bit == 7) return InvalidArgument(at + "/langs: expected en, es or fr");
          rule.lang_bits |= bit;
        }
      }
      if (r.HasMember("silences") && (!r["silences"].IsArray() || r["silences"].Empty())) {
        return InvalidArgument(at + "/silences: expected a non-empty array of rule ids");
      }
      if (r.HasMember("side")) {
        const std::string_view side = r["side"].IsString() ? r["side"].GetString() : "";
        if (side == "before")
          rule.side = Side::kBefore;
        else if (side == "after")
          rule.side = Side::kAfter;
        else if (side == "overlap")
          rule.side = Side::kOverlap;
        else if (side != "either")
          return InvalidArgument(at + "/side: expected before, after, either or overlap");
      }
    } else {
      if (r.HasMember("guards") || r.HasMember("reach") || r.HasMember("side") || r.HasMember("topic") ||
          r.HasMember("strong") || r.HasMember("langs") || r.HasMember("silences")) {
        return InvalidArgument(at +
                               ": only guards have \"guards\", \"reach\", \"side\", \"topic\", \"strong\", "
                               "\"langs\" and \"silences\"");
      }
      rule.guardable = r.HasMember("guardable") && r["guardable"].IsBool() && r["guardable"].GetBool();
      // "outranks": classes whose matches in the same message this rule's
      // match replaces, even strong ones ("I wish I could sleep and not wake
      // up" is a wish to die, not an overdose; "she said she'd kill herself
      // and now she's not answering" is a suicide emergency).
      if (r.HasMember("outranks")) {
        if (!r["outranks"].IsArray()) return InvalidArgument(at + "/outranks: expected an array of classes");
        for (const auto& g : r["outranks"].GetArray()) {
          const std::string_view name = g.IsString() ? g.GetString() : "";
          auto it = std::find(kClassNames.begin(), kClassNames.end() - 1, name);
          if (it == kClassNames.end() - 1 || static_cast<Class>(it - kClassNames.begin()) == rule.cls) {
            return InvalidArgument(at + "/outranks: '" + std::string(name) + "' is not another class");
          }
          rule.guards_mask |= static_cast<std::uint8_t>(1u << (it - kClassNames.begin()));
        }
      }
    }
    if (rule.cls == Class::kGuard && rule.strong) det.strong_guarded_ |= rule.guards_mask;
    det.rules_.push_back(std::move(rule));
  }
  // "silences" name rules anywhere in the file, so they are resolved last.
  std::map<std::string_view, std::uint32_t> index_of;
  for (std::uint32_t i = 0; i < det.rules_.size(); ++i) index_of.emplace(det.rules_[i].id, i);
  for (rapidjson::SizeType i = 0; i < rules.Size(); ++i) {
    if (!rules[i].HasMember("silences")) continue;
    Rule& guard = det.rules_[i];
    const std::string at = "risk: /rules/" + std::to_string(i) + " (" + guard.id + ")/silences";
    for (const auto& s : rules[i]["silences"].GetArray()) {
      const std::string_view id = s.IsString() ? s.GetString() : "";
      auto it = index_of.find(id);
      if (it == index_of.end()) return InvalidArgument(at + ": unknown rule '" + std::string(id) + "'");
      const Rule& target = det.rules_[it->second];
      if (target.cls == Class::kGuard || (guard.guards_mask & (1u << static_cast<unsigned>(target.cls))) == 0 ||
          (guard.lang_bits & target.lang_bits) == 0) {
        return InvalidArgument(at + ": '" + std::string(id) + "' is not a rule of this guard's classes and languages");
      }
      guard.silences.push_back(it->second);
    }
    std::sort(guard.silences.begin(), guard.silences.end());
  }
  HL_RETURN_IF_ERROR(b.CheckAllUsed());
  b.Finish();
  for (const FuzzyWord& f : det.fuzzy_words_) det.max_fuzzy_length_ = std::max(det.max_fuzzy_length_, f.text.size());
  return det;
}

bool RiskDetector::InScope(const Rule& guard, std::uint32_t rule_index, const Rule& rule) {
  if ((guard.guards_mask & (1u << static_cast<unsigned>(rule.cls))) == 0) return false;
  if ((guard.lang_bits & rule.lang_bits) == 0) return false;
  return guard.silences.empty() || std::binary_search(guard.silences.begin(), guard.silences.end(), rule_index);
}

bool RiskDetector::WordMatches(const Word& w, const Token& t) {
  if (w.number) return t.digits && t.text.size() >= w.min_digits;
  if (w.prefix) return t.text.size() >= w.text.size() && t.text.compare(0, w.text.size(), w.text) == 0;
  return t.text == w.text;
}

// FNV-1a: words are short, and a collision only costs a PhraseFollows() or
// BoundedEditDistance() check.
std::uint64_t RiskDetector::WordHash(std::string_view word) { return WordHashWithout(word, word.size()); }

// The hash of `word` with the letter at `skip` left out (none if skip is past
// the end), without building that string.
std::uint64_t RiskDetector::WordHashWithout(std::string_view word, std::size_t skip) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (k == skip) continue;
    h ^= static_cast<unsigned char>(word[k]);
    h *= 0x100000001b3ull;
  }
  return h;
}

std::uint64_t RiskDetector::PhraseKey(std::uint32_t node, bool prefix, std::uint64_t next_word_hash) {
  return next_word_hash ^ ((static_cast<std::uint64_t>(node) << 1 | (prefix ? 1u : 0u)) * 0x9E3779B97F4A7C15ull);
}

bool RiskDetector::PhraseFollows(const Phrase& p, const std::vector<Token>& tokens, std::size_t n, std::size_t first) {
  if (first + 1 + p.rest.size() > n) return false;
  for (std::size_t k = 0; k < p.rest.size(); ++k) {
    if (!WordMatches(p.rest[k], tokens[first + 1 + k])) return false;
  }
  return true;
}

void RiskDetector::CollectOccurrences(const std::vector<Token>& tokens, std::size_t n,
                                      std::vector<Occurrence>& out) const {
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& w = tokens[i].text;
    const std::size_t before = out.size();
    auto emit = [&](const Payload& p) {
      if (p.phrase == kSingle) {
        out.push_back({p.concept_id, static_cast<std::uint8_t>(i), 1});
      } else if (PhraseFollows(phrases_[p.phrase], tokens, n, i)) {
        out.push_back({p.concept_id, static_cast<std::uint8_t>(i),
                       static_cast<std::uint8_t>(1 + phrases_[p.phrase].rest.size())});
      }
    };
    if (tokens[i].digits) {
      for (const Payload& p : number_payloads_) emit(p);
      if (w.size() > 1) {
        for (const Payload& p : long_number_payloads_) emit(p);
      }
    }
    const std::uint64_t next_hash = i + 1 < n ? WordHash(tokens[i + 1].text) : 0;
    auto emit_by_next = [&](std::uint32_t at, bool prefix) {
      if (i + 1 >= n) return;
      auto it = phrase_by_next_.find(PhraseKey(at, prefix, next_hash));
      if (it == phrase_by_next_.end()) return;
      for (const Payload& p : it->second) emit(p);
    };
    std::uint32_t node = 0;
    for (std::size_t depth = 0;; ++depth) {
      const Node& nd = nodes_[node];
      for (std::uint32_t k = nd.prefix_begin; k < nd.prefix_end; ++k) emit(payloads_[k]);
      if (nd.prefix_next) emit_by_next(node, true);
      if (depth == w.size()) {
        for (std::uint32_t k = nd.exact_begin; k < nd.exact_end; ++k) emit(payloads_[k]);
        if (nd.exact_next) emit_by_next(node, false);
        break;
      }
      const char* labels = edge_label_.data() + nd.edge_begin;
      std::uint32_t e = 0;
      while (e < nd.edge_count && labels[e] != w[depth]) ++e;
      if (e == nd.edge_count) break;
      node = edge_target_[nd.edge_begin + e];
    }
    // A typo: only for a word nothing recognised, long enough to carry one.
    // (A word longer than every typo-tolerant word plus one cannot be one
    // edit away: skipping it keeps a 60 KB "word" linear.)
    if (out.size() != before || tokens[i].digits || w.size() + 1 < kMinFuzzy || w.size() > max_fuzzy_length_ + 1 ||
        fuzzy_index_.empty() || not_typos_.count(w) != 0) {
      continue;
    }
    auto try_key = [&](std::uint64_t key) {
      auto it = fuzzy_index_.find(key);
      if (it == fuzzy_index_.end()) return;
      for (std::uint32_t idx : it->second) {
        const FuzzyWord& f = fuzzy_words_[idx];
        if (BoundedEditDistance(w, f.text, 1) <= 1) out.push_back({f.concept_id, static_cast<std::uint8_t>(i), 1});
      }
    };
    for (std::size_t j = 0; j <= w.size(); ++j) try_key(WordHashWithout(w, j));
  }
}

bool RiskDetector::Complete(const Rule& rule, const std::vector<Occurrence>& occ, std::size_t k, Span anchor,
                            Span* chosen, Span& whole) const {
  if (k == rule.elements.size()) {
    whole = chosen[0];
    for (std::size_t j = 1; j < k; ++j) {
      whole.start = std::min(whole.start, chosen[j].start);
      whole.end = std::max(whole.end, chosen[j].end);
    }
    return true;
  }
  const std::uint16_t c = rule.elements[k];
  auto it = std::lower_bound(occ.begin(), occ.end(), c,
                             [](const Occurrence& o, std::uint16_t v) { return o.concept_id < v; });
  for (; it != occ.end() && it->concept_id == c; ++it) {
    const Span s{it->start, static_cast<std::uint8_t>(it->start + it->len)};
    if (!rule.any_order) {
      const Span prev = chosen[k - 1];
      if (s.start < prev.end) continue;
      if (s.start - prev.end > rule.gap) break;  // sorted by start: the rest are further
    } else {
      bool overlaps = false;
      for (std::size_t j = 0; j < k && !overlaps; ++j) overlaps = s.start < chosen[j].end && chosen[j].start < s.end;
      if (overlaps) continue;
      const int distance = s.start >= anchor.end ? s.start - anchor.end : anchor.start - s.end;
      if (distance > rule.gap) continue;
    }
    chosen[k] = s;
    if (Complete(rule, occ, k + 1, anchor, chosen, whole)) return true;
  }
  return false;
}

bool RiskDetector::CompleteOutside(const Rule& rule, const std::vector<Occurrence>& occ, Span excluded,
                                   Span& whole) const {
  std::vector<Occurrence> rest;
  rest.reserve(occ.size());
  for (const Occurrence& o : occ) {
    if (o.start + o.len <= excluded.start || o.start >= excluded.end) rest.push_back(o);
  }
  for (const Occurrence& o : rest) {
    if (o.concept_id != rule.elements.front()) continue;
    std::array<Span, kMaxElements> chosen{};
    chosen[0] = {o.start, static_cast<std::uint8_t>(o.start + o.len)};
    if (Complete(rule, rest, 1, chosen[0], chosen.data(), whole)) return true;
  }
  return false;
}

bool RiskDetector::TokensWithEmoji(std::string_view raw, std::vector<Token>& out) const {
  // Every listed emoji starts with a byte of 0xE2 or more (U+2000 and up).
  if (emoji_.empty() ||
      std::none_of(raw.begin(), raw.end(), [](char c) { return static_cast<unsigned char>(c) >= 0xE2; })) {
    return false;
  }
  std::vector<Token> merged;
  std::size_t segment = 0;  // start of the text not tokenized yet
  auto flush = [&](std::size_t end) {
    if (end <= segment || merged.size() >= kMaxTokens) return;
    for (Token& t : Tokenize(raw.substr(segment, end - segment), kMaxTokens - merged.size())) {
      merged.push_back(std::move(t));
    }
  };
  bool found = false;
  for (std::size_t i = 0; i < raw.size() && merged.size() < kMaxTokens;) {
    std::uint32_t cp = 0;
    const std::size_t len = DecodeUtf8(raw.substr(i), cp);
    if (len == 0) {  // an invalid byte: Tokenize makes it a separator
      ++i;
      continue;
    }
    if (cp >= 0x2000 && std::binary_search(emoji_.begin(), emoji_.end(), static_cast<char32_t>(cp))) {
      flush(i);
      std::string token = EmojiToken(static_cast<char32_t>(cp));
      if (merged.empty() || merged.back().text != token) merged.push_back(Token{std::move(token), false, false});
      segment = i + len;
      found = true;
    }
    i += len;
  }
  if (!found) return false;
  flush(raw.size());
  out = std::move(merged);
  return true;
}

RiskAssessment RiskDetector::Assess(std::string_view raw_utf8, const std::vector<Token>& tokens) const {
  std::vector<Token> with_emoji;
  return TokensWithEmoji(raw_utf8, with_emoji) ? Assess(with_emoji) : Assess(tokens);
}

namespace {

bool StartsWithVowelOrH(std::string_view w) {
  return !w.empty() &&
         (w[0] == 'a' || w[0] == 'e' || w[0] == 'i' || w[0] == 'o' || w[0] == 'u' || w[0] == 'y' || w[0] == 'h');
}

// The word an apostrophe typed as a space split ("don t", "i m", "j ai",
// "qu il", "l an"), joined as Tokenize would have folded it with the
// apostrophe ("dont", "im", "jai", "quil", "lan"); 0 when the tokens at i
// are no such split (the number of tokens joined otherwise: 2).
std::size_t SplitContraction(const std::vector<Token>& t, std::size_t i, std::string& joined) {
  if (i + 1 >= t.size() || t[i].digits || t[i + 1].digits) return 0;
  const std::string_view a = t[i].text;
  const std::string_view b = t[i + 1].text;
  // English: "don t", "can t", "i m", "you re", "i ve", "i ll", "he s", "i d".
  const bool english =
      (b == "t" && a.size() > 1 && a.back() == 'n') || (b == "m" && a == "i") ||
      (b == "re" && (a == "you" || a == "we" || a == "they")) ||
      (b == "ve" && (a == "i" || a == "you" || a == "we" || a == "they")) ||
      (b == "ll" && (a == "i" || a == "you" || a == "he" || a == "she" || a == "we" || a == "they")) ||
      (b == "s" && (a == "he" || a == "she" || a == "it" || a == "that" || a == "what" || a == "there")) ||
      (b == "d" && (a == "i" || a == "he" || a == "she" || a == "you" || a == "they"));
  // French: an elided article or pronoun before a vowel or h ("j ai", "l an",
  // "d hier", "qu il", "c est", "m a", "s est", "n est", "t as").
  const bool french =
      (a == "qu" || (a.size() == 1 && std::string_view("jldmtsnc").find(a[0]) != std::string_view::npos)) &&
      StartsWithVowelOrH(b) && (b.size() > 1 || b == "a" || b == "y") && !(a == "m" && i > 0 && t[i - 1].text == "i");
  if (!english && !french) return 0;
  joined.assign(a);
  joined.append(b);
  return 2;
}

// `tokens` with apostrophes typed as spaces joined (see SplitContraction);
// false (out untouched) when there are none.
bool JoinSplitContractions(const std::vector<Token>& tokens, std::vector<Token>& out) {
  std::string joined;
  std::size_t first = tokens.size();
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (SplitContraction(tokens, i, joined) != 0) {
      first = i;
      break;
    }
  }
  if (first == tokens.size()) return false;
  out.assign(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(first));
  for (std::size_t i = first; i < tokens.size();) {
    if (SplitContraction(tokens, i, joined) != 0) {
      out.push_back(Token{joined, tokens[i].upper && tokens[i + 1].upper, false});
      i += 2;
    } else {
      out.push_back(tokens[i]);
      ++i;
    }
  }
  return true;
}

}  // namespace

RiskAssessment RiskDetector::Assess(const std::vector<Token>& tokens) const {
  std::vector<Token> joined;
  return JoinSplitContractions(tokens, joined) ? AssessJoined(joined) : AssessJoined(tokens);
}

RiskAssessment RiskDetector::AssessJoined(const std::vector<Token>& tokens) const {
  RiskAssessment a;
  const std::size_t n = std::min(tokens.size(), kMaxTokens);
  if (n == 0) return a;

  std::vector<Occurrence> occ;
  occ.reserve(4 * n);
  CollectOccurrences(tokens, n, occ);
  if (occ.empty()) return a;
  auto key = [](const Occurrence& o) { return std::tuple(o.concept_id, o.start, o.len); };
  std::sort(occ.begin(), occ.end(), [&](const Occurrence& x, const Occurrence& y) { return key(x) < key(y); });
  occ.erase(
      std::unique(occ.begin(), occ.end(), [&](const Occurrence& x, const Occurrence& y) { return key(x) == key(y); }),
      occ.end());

  // Every match of a guard or a guardable rule (a guard silences matches
  // near it, so each one counts); one match of any other rule.
  struct Match {
    std::uint32_t rule;
    Span span;
  };
  std::vector<Match> matches;
  for (std::size_t i = 0; i < occ.size();) {
    const std::uint16_t c = occ[i].concept_id;
    std::size_t end = i;
    while (end < occ.size() && occ[end].concept_id == c) ++end;
    for (std::uint32_t r : rules_by_first_[c]) {
      const Rule& rule = rules_[r];
      // A class a strong guard may silence keeps every match of its strong
      // rules too (a silenced first match must not hide a later one).
      const bool every = rule.guardable || rule.cls == Class::kGuard ||
                         (strong_guarded_ & (1u << static_cast<unsigned>(rule.cls))) != 0;
      for (std::size_t o = i; o < end; ++o) {
        std::array<Span, kMaxElements> chosen{};
        chosen[0] = {occ[o].start, static_cast<std::uint8_t>(occ[o].start + occ[o].len)};
        Span whole{};
        if (!Complete(rule, occ, 1, chosen[0], chosen.data(), whole)) continue;
        matches.push_back({r, whole});
        if (!every) break;
      }
    }
    i = end;
  }

  // The guard that silences match m over span, if any.
  auto find_silencer = [&](const Match& m, Span span) -> const Match* {
    const Rule& rule = rules_[m.rule];
    if (!rule.guardable && (strong_guarded_ & (1u << static_cast<unsigned>(rule.cls))) == 0) return nullptr;
    for (const Match& g : matches) {
      const Rule& guard = rules_[g.rule];
      if (guard.cls != Class::kGuard || !InScope(guard, m.rule, rule)) continue;
      if (!rule.guardable && !guard.strong) continue;  // strong signs yield only to strong guards
      const bool overlap = g.span.start < span.end && span.start < g.span.end;
      int distance = 0;
      if (!overlap) {
        if (guard.side == Side::kOverlap) continue;
        const bool guard_before = g.span.end <= span.start;
        if ((guard.side == Side::kBefore && !guard_before) || (guard.side == Side::kAfter && guard_before)) continue;
        distance = guard_before ? span.start - g.span.end : g.span.start - span.end;
      }
      if (distance <= guard.reach) return &g;
    }
    return nullptr;
  };
  // Matches of safety rules that outrank other classes but do not stand
  // themselves: a negation (a distress rule guarding their class) overlaps
  // them, or a guard silences them.
  std::vector<bool> fallen(matches.size(), false);
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const Match& m = matches[i];
    const Rule& rule = rules_[m.rule];
    if (rule.cls == Class::kGuard || rule.cls == Class::kDistress || rule.guards_mask == 0) continue;
    const unsigned own = 1u << static_cast<unsigned>(rule.cls);
    const bool negated = std::any_of(matches.begin(), matches.end(), [&](const Match& o) {
      const Rule& other = rules_[o.rule];
      return other.cls == Class::kDistress && (other.guards_mask & own) != 0 && o.span.start < m.span.end &&
             m.span.start < o.span.end;
    });
    fallen[i] = negated || find_silencer(m, m.span) != nullptr;
  }

  // The deciding rule per class: unguarded, strong before guardable, then
  // in file order.
  constexpr std::uint32_t kNone = 0xFFFFFFFF;
  std::array<std::uint32_t, 3> best = {kNone, kNone, kNone};
  auto rank = [&](std::uint32_t r) { return (rules_[r].guardable ? 0x80000000u : 0u) | r; };
  for (const Match& m : matches) {
    const Rule& rule = rules_[m.rule];
    if (rule.cls == Class::kGuard) {
      // Only the "... kill me" idioms (guards of suicide alone) say so.
      a.idiom =
          a.idiom || (rule.topic == "idiom" && rule.guards_mask == (1u << static_cast<unsigned>(Class::kSuicide)));
      continue;
    }
    const auto cls = static_cast<std::size_t>(rule.cls);
    // A distress rule outranks only the matches it overlaps: its words are
    // the negation's whole scope ("no quiero matarme" silences "quiero
    // matar" inside it, not "me quiero morir" later in the message). A
    // match that took a word of the negation may still be made of other
    // words ("je veux pas mourir mais j'en peux plus, je veux en finir").
    // A rule that outranks other classes does so only while it stands
    // itself: negated or silenced ("no quiero morir, me tomé demasiadas
    // pastillas"), it gives back the overdose it would have replaced.
    auto outranker = [&](Span span) {
      return std::find_if(matches.begin(), matches.end(), [&](const Match& o) {
        const Rule& other = rules_[o.rule];
        if (other.cls == Class::kGuard || (other.guards_mask & (1u << cls)) == 0) return false;
        if (other.cls == Class::kDistress) return o.span.start < span.end && span.start < o.span.end;
        return !fallen[static_cast<std::size_t>(&o - matches.data())];
      });
    };
    Span span = m.span;
    int tries = 0;  // two negations could send the match back and forth
    for (auto o = outranker(span); o != matches.end(); o = outranker(span)) {
      if (rules_[o->rule].cls != Class::kDistress || ++tries > 3 || !CompleteOutside(rule, occ, o->span, span)) {
        span = {0, 0};
        break;
      }
    }
    if (span.end == 0) {
      if (cls == 0) a.overdose_silenced = true;
      if (cls == 1) a.suicide_silenced = true;
      continue;
    }
    if (rule.guardable || (strong_guarded_ & (1u << cls)) != 0) {
      const Match* silencer = find_silencer(m, span);
      if (silencer != nullptr) {
        if (a.guard.empty()) {
          a.guard = rules_[silencer->rule].id;
          a.guard_topic = rules_[silencer->rule].topic;
        }
        if (cls == 0) a.overdose_silenced = true;
        if (cls == 1) a.suicide_silenced = true;
        continue;
      }
    }
    if (best[cls] == kNone || rank(m.rule) < rank(best[cls])) best[cls] = m.rule;
  }

  a.overdose = best[0] != kNone;
  a.suicide = best[1] != kNone;
  a.distress = !a.overdose && !a.suicide && best[2] != kNone;
  const std::uint32_t decider = a.overdose ? best[0] : a.suicide ? best[1] : a.distress ? best[2] : kNone;
  if (decider != kNone) {
    const Rule& rule = rules_[decider];
    a.rule = rule.id;
    a.lang = rule.lang == "*" ? std::string_view() : std::string_view(rule.lang);
  }
  return a;
}

}  // namespace helpline::engine
