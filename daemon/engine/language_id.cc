#include "daemon/engine/language_id.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <unordered_set>

#include "common/utf8.h"

namespace helpline::engine {
namespace {

// Identify() reads this many tokens (Tokenize's default bound).
constexpr std::size_t kMaxTokens = 64;
// Words longer than this are not squeezed or split (no real word is).
constexpr std::size_t kMaxWordBytes = 32;

// One code point of the raw text. Tokenize decides what a word is; the
// character cues must land on the same tokens, so this walk classifies code
// points exactly as Tokenize does: ASCII letters and digits and the Latin
// letters up to U+017F (except × and ÷) are word characters, apostrophes
// (' ’ ‘ ʼ) join, and everything else, including invalid bytes, separates.
enum class CharKind { kWord, kApostrophe, kSeparator };

struct Char {
  char32_t cp = 0;
  CharKind kind = CharKind::kSeparator;
};

// Decodes the code point at s[i] and advances i (a malformed byte is one
// separator, as Tokenize's U+FFFD is).
Char NextChar(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  Char c;
  if (b0 < 0x80) {
    ++i;
    c.cp = b0;
    if ((b0 >= 'a' && b0 <= 'z') || (b0 >= 'A' && b0 <= 'Z') || (b0 >= '0' && b0 <= '9')) c.kind = CharKind::kWord;
    if (b0 == '\'') c.kind = CharKind::kApostrophe;
    return c;
  }
  // Lenient, as text folding reads the text Tokenize splits (common/utf8.h).
  const Utf8Char d = DecodeUtf8At(s, i, Utf8Mode::kLenient);
  i += d.len;
  if (!d.valid) return c;  // code point 0, a separator
  const char32_t cp = d.cp;
  c.cp = cp;
  if (cp >= 0xC0 && cp <= 0x17F && cp != 0xD7 && cp != 0xF7) c.kind = CharKind::kWord;
  if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC) c.kind = CharKind::kApostrophe;
  return c;
}

// The upper-case partner of a lower-case Latin letter of U+00E0..U+017F, or 0.
char32_t UpperOf(char32_t cp) {
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 0x20;
  if (cp == 0xFF) return 0x178;
  if (cp >= 0x100 && cp <= 0x17E) {
    // Pairs are (upper, lower) = (even, odd), except U+0139..U+0148 and
    // U+0179..U+017E where they are (odd, even).
    const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || cp >= 0x179;
    const bool is_lower = odd_upper ? cp % 2 == 0 : cp % 2 == 1;
    return is_lower ? cp - 1 : 0;
  }
  return 0;
}

// The code point when `s` is exactly one, else 0.
char32_t SingleCodePoint(std::string_view s) {
  if (s.empty()) return 0;
  std::size_t i = 0;
  const Char c = NextChar(s, i);
  return i == s.size() ? c.cp : 0;
}

std::string Number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

using Weights = std::array<float, LanguageIdentifier::kMaxLanguages>;

// Reads {"en": 2, "es": 0.5} into weights by language index.
Status ReadWeights(const rapidjson::Value& v, const std::vector<std::string>& languages, const std::string& at,
                   Weights& out) {
  if (!v.IsObject()) return InvalidArgument(at + ": must be an object of language -> number");
  for (const auto& m : v.GetObject()) {
    const std::string lang = m.name.GetString();
    const auto it = std::find(languages.begin(), languages.end(), lang);
    if (it == languages.end()) return InvalidArgument(at + ": '" + lang + "' is not in \"languages\"");
    if (!m.value.IsNumber() || m.value.GetDouble() < 0 || m.value.GetDouble() > 100) {
      return InvalidArgument(at + "/" + lang + ": must be a number from 0 to 100");
    }
    out[static_cast<std::size_t>(it - languages.begin())] = static_cast<float>(m.value.GetDouble());
  }
  return Status::Ok();
}

// A number of "decision"; absent keeps the default.
Status ReadNumber(const rapidjson::Value& decision, const char* name, double min, double max, float& out) {
  if (!decision.HasMember(name)) return Status::Ok();
  const auto& v = decision[name];
  if (!v.IsNumber() || v.GetDouble() < min || v.GetDouble() > max) {
    return InvalidArgument(std::string("language: /decision/") + name + ": must be a number from " + Number(min) +
                           " to " + Number(max));
  }
  out = static_cast<float>(v.GetDouble());
  return Status::Ok();
}

Status ReadLanguages(const rapidjson::Value& d, std::vector<std::string>& languages) {
  if (!d.HasMember("languages") || !d["languages"].IsArray() || d["languages"].Empty()) {
    return InvalidArgument("language: needs a non-empty \"languages\" array");
  }
  for (const auto& l : d["languages"].GetArray()) {
    if (!l.IsString() || l.GetStringLength() == 0)
      return InvalidArgument("language: /languages: codes must be strings");
    if (std::find(languages.begin(), languages.end(), l.GetString()) != languages.end()) {
      return InvalidArgument(std::string("language: /languages: '") + l.GetString() + "' is listed twice");
    }
    languages.emplace_back(l.GetString());
  }
  if (languages.size() > LanguageIdentifier::kMaxLanguages) {
    return InvalidArgument("language: /languages: at most " + std::to_string(LanguageIdentifier::kMaxLanguages) +
                           " languages");
  }
  return Status::Ok();
}

// The numbers of the margin rule (see the header), with their defaults.
struct Decision {
  float min_score = 1.5f;
  float min_margin = 1.0f;
  float min_lead_share = 0.25f;
  float confidence_softness = 2.0f;
  Weights scale{1, 1, 1, 1, 1, 1, 1, 1};
};

Status ReadDecision(const rapidjson::Value& d, const std::vector<std::string>& languages, Decision& out) {
  if (!d.HasMember("decision")) return Status::Ok();
  const auto& dec = d["decision"];
  if (!dec.IsObject()) return InvalidArgument("language: \"decision\" must be an object");
  HL_RETURN_IF_ERROR(ReadNumber(dec, "min_score", 0, 100, out.min_score));
  HL_RETURN_IF_ERROR(ReadNumber(dec, "min_margin", 0, 100, out.min_margin));
  HL_RETURN_IF_ERROR(ReadNumber(dec, "min_lead_share", 0, 1, out.min_lead_share));
  HL_RETURN_IF_ERROR(ReadNumber(dec, "confidence_softness", 0.01, 100, out.confidence_softness));
  if (dec.HasMember("scale")) {  // languages not named keep 1
    HL_RETURN_IF_ERROR(ReadWeights(dec["scale"], languages, "language: /decision/scale", out.scale));
  }
  return Status::Ok();
}

// One group of "words", "endings" or "characters", checked: its weights
// (all zero for a not-evidence group) and its strings.
struct Group {
  std::string at;  // "language: /words/3", for error messages
  const rapidjson::Value* json = nullptr;
  Weights weights{};
  bool neutral = false;
  std::vector<std::string_view> items;
};

Result<std::vector<Group>> ReadGroups(const rapidjson::Value& d, const char* section,
                                      const std::vector<std::string>& languages) {
  std::vector<Group> groups;
  if (!d.HasMember(section)) return groups;
  const auto& list = d[section];
  if (!list.IsArray()) return InvalidArgument(std::string("language: \"") + section + "\" must be an array");
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    Group g;
    g.at = std::string("language: /") + section + "/" + std::to_string(i);
    g.json = &list[i];
    const auto& j = list[i];
    if (!j.IsObject() || !j.HasMember(section) || !j[section].IsArray()) {
      return InvalidArgument(g.at + ": needs a \"" + section + "\" array");
    }
    g.neutral = j.HasMember("not_evidence") && j["not_evidence"].IsBool() && j["not_evidence"].GetBool();
    if (g.neutral && j.HasMember("weights")) return InvalidArgument(g.at + ": a \"not_evidence\" group has no weights");
    if (!g.neutral) {
      if (!j.HasMember("weights")) return InvalidArgument(g.at + ": needs \"weights\" (or \"not_evidence\": true)");
      HL_RETURN_IF_ERROR(ReadWeights(j["weights"], languages, g.at + "/weights", g.weights));
      if (std::all_of(g.weights.begin(), g.weights.end(), [](float x) { return x == 0; })) {
        return InvalidArgument(g.at + "/weights: all zero (list such words as \"not_evidence\")");
      }
    }
    for (const auto& item : j[section].GetArray()) {
      if (!item.IsString()) return InvalidArgument(g.at + "/" + section + ": every item must be a string");
      g.items.emplace_back(item.GetString(), item.GetStringLength());
    }
    groups.push_back(std::move(g));
  }
  return groups;
}

// An object of language -> array of phrases ("age_letters", "place_spellings"),
// each phrase folded into its tokens; `one_word` refuses a phrase of several.
// Absent: none.
struct LanguagePhrases {
  std::string lang;
  std::vector<std::vector<std::string>> phrases;
};
Result<std::vector<LanguagePhrases>> ReadLanguagePhrases(const rapidjson::Value& d, const char* key,
                                                         const std::vector<std::string>& languages, bool one_word) {
  std::vector<LanguagePhrases> out;
  if (!d.HasMember(key)) return out;
  const auto& object = d[key];
  const std::string where = std::string("language: /") + key + "/";
  if (!object.IsObject()) {
    return InvalidArgument(std::string("language: \"") + key + "\" must be an object of language -> words");
  }
  for (const auto& m : object.GetObject()) {
    const std::string lang = m.name.GetString();
    const std::string at = where + lang;
    if (std::find(languages.begin(), languages.end(), lang) == languages.end()) {
      return InvalidArgument(at + ": '" + lang + "' is not in \"languages\"");
    }
    if (!m.value.IsArray()) return InvalidArgument(at + ": must be an array of words");
    LanguagePhrases entry{lang, {}};
    for (const auto& phrase : m.value.GetArray()) {
      if (!phrase.IsString()) return InvalidArgument(at + ": every entry must be a string");
      std::vector<std::string> words;
      for (Token& t : Tokenize(phrase.GetString())) words.push_back(std::move(t.text));
      if (words.empty()) return InvalidArgument(at + ": an entry has no letters");
      if (one_word && words.size() != 1) return InvalidArgument(at + ": every entry must be one word");
      entry.phrases.push_back(std::move(words));
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

Result<LanguageIdentifier> LanguageIdentifier::Parse(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError()) {
    return InvalidArgument(std::string("language: malformed JSON at offset ") + std::to_string(d.GetErrorOffset()) +
                           ": " + rapidjson::GetParseError_En(d.GetParseError()));
  }
  if (!d.IsObject()) return InvalidArgument("language: expected an object");
  LanguageIdentifier id;
  HL_RETURN_IF_ERROR(ReadLanguages(d, id.languages_));
  Decision decision;
  HL_RETURN_IF_ERROR(ReadDecision(d, id.languages_, decision));
  id.min_score_ = decision.min_score;
  id.min_margin_ = decision.min_margin;
  id.min_lead_share_ = decision.min_lead_share;
  id.confidence_softness_ = decision.confidence_softness;
  id.scale_ = decision.scale;
  if (!d.HasMember("words")) return InvalidArgument("language: needs a \"words\" array");
  if (d.HasMember("region_languages")) {
    const auto& rl = d["region_languages"];
    if (!rl.IsObject())
      return InvalidArgument("language: \"region_languages\" must be an object of region -> language");
    for (const auto& m : rl.GetObject()) {
      const std::string at = std::string("language: /region_languages/") + m.name.GetString();
      if (!m.value.IsString()) return InvalidArgument(at + ": must be a language code");
      const std::string lang = m.value.GetString();
      if (std::find(id.languages_.begin(), id.languages_.end(), lang) == id.languages_.end()) {
        return InvalidArgument(at + ": '" + lang + "' is not in \"languages\"");
      }
      id.region_languages_.emplace_back(m.name.GetString(), lang);
    }
  }
  // "age_letters" and "place_spellings": language -> words or names.
  auto age_letters = ReadLanguagePhrases(d, "age_letters", id.languages_, /*one_word=*/true);
  if (!age_letters.ok()) return age_letters.status();
  for (auto& [lang, phrases] : *age_letters) {
    std::vector<std::string> letters;
    for (auto& phrase : phrases) letters.push_back(std::move(phrase.front()));
    id.age_letters_.emplace_back(lang, std::move(letters));
  }
  auto spellings = ReadLanguagePhrases(d, "place_spellings", id.languages_, /*one_word=*/false);
  if (!spellings.ok()) return spellings.status();
  for (auto& [lang, phrases] : *spellings) {
    for (auto& words : phrases) id.place_spellings_.emplace_back(std::move(words), lang);
  }

  auto words = ReadGroups(d, "words", id.languages_);
  if (!words.ok()) return words.status();
  std::unordered_set<std::string> seen;  // folded words and phrases
  for (const Group& g : *words) {
    for (std::string_view word : g.items) {
      Entry e{{}, g.weights, g.neutral};
      for (Token& t : Tokenize(word)) e.words.push_back(std::move(t.text));
      if (e.words.empty()) return InvalidArgument(g.at + "/words: '" + std::string(word) + "' has no letters");
      std::string key;
      for (const auto& w : e.words) key.append(key.empty() ? "" : " ").append(w);
      if (!seen.insert(key).second) {
        return InvalidArgument(g.at + "/words: '" + std::string(word) + "' is listed twice (as '" + key + "')");
      }
      id.entries_.push_back(std::move(e));
    }
  }
  for (std::size_t i = 0; i < id.entries_.size(); ++i) {
    id.by_first_[id.entries_[i].words.front()].push_back(static_cast<std::uint32_t>(i));
  }
  for (auto& [first, list] : id.by_first_) {
    std::stable_sort(list.begin(), list.end(), [&](std::uint32_t a, std::uint32_t b) {
      return id.entries_[a].words.size() > id.entries_[b].words.size();
    });
  }

  auto endings = ReadGroups(d, "endings", id.languages_);
  if (!endings.ok()) return endings.status();
  for (const Group& g : *endings) {
    if (g.neutral) return InvalidArgument(g.at + ": endings must carry weights");
    Ending e{g.weights, 3};
    if (g.json->HasMember("min_stem")) {
      const auto& m = (*g.json)["min_stem"];
      if (!m.IsUint() || m.GetUint() > 20) return InvalidArgument(g.at + "/min_stem: must be a whole number up to 20");
      e.min_stem = m.GetUint();
    }
    for (std::string_view ending : g.items) {
      const std::vector<Token> t = Tokenize(ending);
      if (t.size() != 1 || t[0].digits) {
        return InvalidArgument(g.at + "/endings: '" + std::string(ending) + "' is not one word");
      }
      if (!id.endings_.emplace(t[0].text, e).second) {
        return InvalidArgument(g.at + "/endings: '" + std::string(ending) + "' is listed twice");
      }
      id.longest_ending_ = std::max(id.longest_ending_, t[0].text.size());
    }
  }

  auto characters = ReadGroups(d, "characters", id.languages_);
  if (!characters.ok()) return characters.status();
  if (characters->size() > 64) return InvalidArgument("language: \"characters\": at most 64 groups");
  std::unordered_set<std::string_view> cues_seen;
  for (const Group& g : *characters) {
    if (g.neutral) return InvalidArgument(g.at + ": character cues must carry weights");
    id.cue_weights_.push_back(g.weights);
    const auto index = static_cast<std::uint8_t>(id.cue_weights_.size());  // cue_weights_ index + 1
    for (std::string_view cue : g.items) {
      const std::string bad = g.at + "/characters: '" + std::string(cue) + "' ";
      if (!cues_seen.insert(cue).second) return InvalidArgument(bad + "is listed twice");
      const std::size_t apostrophe = cue.ends_with('\'') ? 1 : cue.ends_with("\u2019") ? 3 : 0;
      if (apostrophe != 0) {
        // An elision: letters starting a word, then an apostrophe.
        std::string letters;
        for (char c : cue.substr(0, cue.size() - apostrophe)) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
          if (c < 'a' || c > 'z') return InvalidArgument(bad + "must be ASCII letters before the apostrophe");
          letters.push_back(c);
        }
        if (letters.empty() || letters.size() > 3) {
          return InvalidArgument(bad + "must have 1 to 3 letters before the apostrophe");
        }
        if (id.elisions_.size() >= 255) return InvalidArgument(bad + "is one elision too many (at most 255)");
        id.elisions_.emplace_back(std::move(letters), g.weights);
        continue;
      }
      const char32_t cp = SingleCodePoint(cue);
      if (cp < 0x80 || cp >= id.cue_by_char_.size()) {
        return InvalidArgument(bad + "must be one non-ASCII character below U+0180 or an elision like \"qu'\"");
      }
      id.cue_by_char_[cp] = index;
      if (const char32_t upper = UpperOf(cp); upper != 0) id.cue_by_char_[upper] = index;
    }
  }
  return id;
}

std::string_view LanguageIdentifier::RegionLanguage(std::string_view code) const {
  for (const auto& [region, lang] : region_languages_) {
    if (region == code) return lang;
  }
  return {};
}

bool LanguageIdentifier::IsAgeLetter(std::string_view lang, std::string_view folded_word) const {
  for (const auto& [l, letters] : age_letters_) {
    if (l == lang) return std::find(letters.begin(), letters.end(), folded_word) != letters.end();
  }
  return false;
}

std::string_view LanguageIdentifier::PlaceSpellingLanguage(const std::vector<Token>& tokens,
                                                           std::vector<bool>* mark) const {
  std::string_view found;
  for (const auto& [words, lang] : place_spellings_) {
    for (std::size_t i = 0; i + words.size() <= tokens.size(); ++i) {
      bool all = true;
      for (std::size_t k = 0; k < words.size() && all; ++k) all = tokens[i + k].text == words[k];
      if (!all) continue;
      if (found.empty()) found = lang;
      for (std::size_t k = 0; mark != nullptr && k < words.size(); ++k) (*mark)[i + k] = true;
    }
  }
  return found;
}

const LanguageIdentifier::Entry* LanguageIdentifier::FindWord(std::string_view word) const {
  const auto it = by_first_.find(word);
  if (it == by_first_.end()) return nullptr;
  // Single-word entries sort last (longest phrase first).
  const Entry& e = entries_[it->second.back()];
  return e.words.size() == 1 ? &e : nullptr;
}

const LanguageIdentifier::Weights* LanguageIdentifier::UnknownWordEvidence(std::string_view word,
                                                                           std::size_t elision) const {
  if (word.size() > kMaxWordBytes) return nullptr;
  // The word after a French elision: "d'aide" was folded to "daide".
  if (elision > 0 && elision < word.size()) {
    word.remove_prefix(elision);
    if (const Entry* e = FindWord(word); e != nullptr) return &e->weights;
  }
  // Stretched letters: "pleaseeee", "ayudaaa", "nooon". Runs of 3+ become 1, then 2.
  std::array<char, kMaxWordBytes> squeezed{};
  for (std::size_t keep = 1; keep <= 2; ++keep) {
    std::size_t n = 0;
    bool changed = false;
    for (std::size_t i = 0; i < word.size();) {
      std::size_t run = 1;
      while (i + run < word.size() && word[i + run] == word[i]) ++run;
      const std::size_t out = run >= 3 ? keep : run;
      changed = changed || out != run;
      for (std::size_t k = 0; k < out; ++k) squeezed[n++] = word[i];
      i += run;
    }
    if (!changed) break;
    if (const Entry* e = FindWord(std::string_view(squeezed.data(), n)); e != nullptr) return &e->weights;
  }
  // A telling ending, longest first.
  for (std::size_t len = std::min(longest_ending_, word.size()); len > 0; --len) {
    const auto it = endings_.find(word.substr(word.size() - len));
    if (it != endings_.end() && word.size() - len >= it->second.min_stem) return &it->second.weights;
  }
  return nullptr;
}

LanguageGuess LanguageIdentifier::Identify(std::string_view raw_utf8, const std::vector<Token>& tokens,
                                           const std::vector<bool>* not_evidence, std::string_view exclude) const {
  const std::size_t n = std::min(tokens.size(), kMaxTokens);
  const std::size_t langs = languages_.size();

  // 1. Walk the raw text: per token, the character cues it holds (a bit per
  //    cue group) and the French elision it starts with (elisions_ index + 1).
  std::array<std::uint64_t, kMaxTokens> token_cues;
  std::array<std::uint8_t, kMaxTokens> token_elision;
  std::fill_n(token_cues.begin(), n, 0);
  std::fill_n(token_elision.begin(), n, 0);
  std::uint64_t loose_cues = 0;  // cues between words: ¿ ¡
  {
    std::size_t token = 0;  // tokens started so far; the current one is token - 1
    bool in_word = false;
    std::array<char, 3> head{};  // the current word's first letters, ASCII lower case
    std::size_t head_len = 0;    // head.size() + 1: longer than any elision
    bool after_apostrophe = false;
    std::uint8_t pending = 0;  // an elision waiting for the letter after its apostrophe
    for (std::size_t i = 0; i < raw_utf8.size();) {
      const Char c = NextChar(raw_utf8, i);
      if (c.kind == CharKind::kApostrophe) {
        if (in_word && !after_apostrophe) {
          after_apostrophe = true;
          for (std::size_t e = 0; e < elisions_.size() && head_len <= head.size(); ++e) {
            if (std::string_view(head.data(), head_len) == elisions_[e].first) {
              pending = static_cast<std::uint8_t>(e + 1);
              break;
            }
          }
        }
        continue;
      }
      const std::uint8_t cue = c.cp < cue_by_char_.size() ? cue_by_char_[c.cp] : 0;
      if (c.kind == CharKind::kSeparator) {
        in_word = false;
        pending = 0;
        if (cue != 0) loose_cues |= std::uint64_t{1} << (cue - 1);
        continue;
      }
      if (!in_word) {
        if (token == n) break;
        in_word = true;
        ++token;
        head_len = 0;
        after_apostrophe = false;
      }
      if (pending != 0) {
        token_elision[token - 1] = pending;
        pending = 0;
      }
      if (!after_apostrophe && head_len <= head.size()) {
        const char32_t lower = c.cp >= 'A' && c.cp <= 'Z' ? c.cp + 0x20 : c.cp;
        if (head_len < head.size() && lower < 0x80) {
          head[head_len++] = static_cast<char>(lower);
        } else {
          head_len = head.size() + 1;
        }
      }
      if (cue != 0) token_cues[token - 1] |= std::uint64_t{1} << (cue - 1);
    }
  }

  // 2. Words and phrases, then the cues of words that are not place or drug names.
  std::array<float, kMaxLanguages> score{};
  auto add = [&](const Weights& w) {
    for (std::size_t l = 0; l < langs; ++l) score[l] += w[l];
  };
  // The strongest cue per language within one word (or between words).
  auto add_cues = [&](std::uint64_t mask, std::uint8_t elision) {
    if (mask == 0 && elision == 0) return;
    Weights best{};
    if (elision != 0) best = elisions_[elision - 1u].second;
    for (; mask != 0; mask &= mask - 1) {
      const Weights& w = cue_weights_[static_cast<std::size_t>(std::countr_zero(mask))];
      for (std::size_t l = 0; l < langs; ++l) best[l] = std::max(best[l], w[l]);
    }
    add(best);
  };
  std::array<std::uint32_t, 2 * kMaxTokens> counted;  // entries already counted: each counts once
  std::size_t counted_n = 0;
  auto add_once = [&](std::uint32_t index) {
    if (std::find(counted.begin(), counted.begin() + counted_n, index) != counted.begin() + counted_n) return;
    if (counted_n < counted.size()) counted[counted_n++] = index;
    add(entries_[index].weights);
  };
  auto skipped = [&](std::size_t i) {
    return not_evidence != nullptr && i < not_evidence->size() && (*not_evidence)[i];
  };
  for (std::size_t i = 0; i < n; ++i) {
    const Token& t = tokens[i];
    if (t.digits || skipped(i)) continue;
    // The longest phrase starting here (a place name hides its words), and the word itself.
    bool phrase_seen = false;
    bool word_known = false;
    std::size_t hidden = 0;  // tokens of a not-evidence entry
    if (const auto it = by_first_.find(t.text); it != by_first_.end()) {
      for (std::uint32_t idx : it->second) {
        const Entry& e = entries_[idx];
        const std::size_t len = e.words.size();
        if (i + len > n || (len > 1 && phrase_seen)) continue;
        bool all = true;
        for (std::size_t k = 1; k < len && all; ++k) all = e.words[k] == tokens[i + k].text && !skipped(i + k);
        if (!all) continue;
        if (e.neutral) {
          hidden = len;
          break;
        }
        add_once(idx);
        if (len > 1) {
          phrase_seen = true;
        } else {
          word_known = true;
        }
      }
    }
    if (hidden > 0) {
      i += hidden - 1;
      continue;
    }
    // An elision only speaks for a word the table does not know: "c'mon" is
    // listed as English, "c'est" as French already.
    if (word_known) {
      add_cues(token_cues[i], 0);
      continue;
    }
    const std::size_t elision = token_elision[i] == 0 ? 0 : elisions_[token_elision[i] - 1u].first.size();
    if (const Weights* w = UnknownWordEvidence(t.text, elision); w != nullptr) add(*w);
    add_cues(token_cues[i], token_elision[i]);
  }
  add_cues(loose_cues, 0);

  // 3. The margin rule, on scaled scores.
  for (std::size_t l = 0; l < langs; ++l) score[l] = languages_[l] == exclude ? 0 : score[l] * scale_[l];
  std::size_t top = 0;
  for (std::size_t l = 1; l < langs; ++l) {
    if (score[l] > score[top]) top = l;
  }
  float second = 0;
  for (std::size_t l = 0; l < langs; ++l) {
    if (l != top) second = std::max(second, score[l]);
  }
  const float s1 = score[top];
  const float lead = s1 - second;
  const bool evidence = s1 > 0;
  if (s1 < min_score_ || lead < min_margin_ || lead < min_lead_share_ * s1) return {{}, 0, evidence};
  return {languages_[top], static_cast<double>(lead / (s1 + confidence_softness_)), evidence};
}

}  // namespace helpline::engine
