#include "daemon/engine/keyword_table.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>
#include <bit>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace helpline::engine {
namespace {

constexpr std::array<std::string_view, 19> kIntentNames = {
    "stop", "start",  "overdose", "suicide",    "naloxone", "crisis", "treatment", "detox",  "harm",    "text",
    "chat", "family", "youth",    "indigenous", "help",     "info",   "language",  "region", "unknown",
};

// The set of characters of a folded word: a bit per letter, one for digits.
std::uint32_t LetterSet(std::string_view word) {
  std::uint32_t set = 0;
  for (char ch : word) set |= ch >= 'a' && ch <= 'z' ? 1u << (ch - 'a') : 1u << 26;
  return set;
}

// "a b c" from {"a", "b", "c"}.
std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

// Reads an array of phrases at `d[key]` (or `d[key][sub]` when sub is not
// empty) into `list`; absent is empty.
Status ReadPhrases(const rapidjson::Value& d, const char* key, const char* sub,
                   std::unordered_map<std::string, std::vector<std::vector<std::string>>>& list) {
  if (!d.HasMember(key)) return Status::Ok();
  const rapidjson::Value* v = &d[key];
  std::string at = std::string("keywords: /") + key;
  if (sub[0] != '\0') {
    if (!v->IsObject() || !v->HasMember(sub)) return InvalidArgument(at + ": needs \"" + sub + "\"");
    v = &(*v)[sub];
    at += std::string("/") + sub;
  }
  if (!v->IsArray()) return InvalidArgument(at + ": expected an array of phrases");
  for (const auto& w : v->GetArray()) {
    if (!w.IsString()) return InvalidArgument(at + ": every phrase must be a string");
    std::vector<Token> tokens = Tokenize(w.GetString());
    if (tokens.empty()) return InvalidArgument(at + ": '" + std::string(w.GetString()) + "' has no letters");
    std::vector<std::string> words;
    for (auto& tok : tokens) words.push_back(std::move(tok.text));
    list[words.front()].push_back(std::move(words));
  }
  return Status::Ok();
}

}  // namespace

std::string_view IntentName(Intent i) { return kIntentNames[static_cast<std::size_t>(i)]; }

std::optional<Intent> ParseIntent(std::string_view name) {
  for (std::size_t i = 0; i < kIntentNames.size(); ++i) {
    if (kIntentNames[i] == name) return static_cast<Intent>(i);
  }
  return std::nullopt;
}

Result<KeywordTable> KeywordTable::Parse(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError()) {
    return InvalidArgument(std::string("keywords: malformed JSON at offset ") + std::to_string(d.GetErrorOffset()) +
                           ": " + rapidjson::GetParseError_En(d.GetParseError()));
  }
  if (!d.IsObject() || !d.HasMember("intents") || !d["intents"].IsArray()) {
    return InvalidArgument("keywords: expected an object with an \"intents\" array");
  }
  KeywordTable t;
  const auto& intents = d["intents"].GetArray();
  for (rapidjson::SizeType i = 0; i < intents.Size(); ++i) {
    const auto& e = intents[i];
    const std::string at = "keywords: /intents/" + std::to_string(i);
    if (!e.IsObject() || !e.HasMember("intent") || !e["intent"].IsString() || !e.HasMember("words") ||
        !e["words"].IsArray()) {
      return InvalidArgument(at + ": needs \"intent\" and \"words\"");
    }
    auto intent = ParseIntent(e["intent"].GetString());
    if (!intent || *intent == Intent::kRegion || *intent == Intent::kUnknown) {
      return InvalidArgument(at + "/intent: unknown intent '" + std::string(e["intent"].GetString()) + "'");
    }
    std::string lang = e.HasMember("lang") && e["lang"].IsString() ? e["lang"].GetString() : "*";
    bool carrier = e.HasMember("carrier") && e["carrier"].IsBool() && e["carrier"].GetBool();
    const bool names_only = e.HasMember("names_only") && e["names_only"].IsBool() && e["names_only"].GetBool();
    for (const auto& w : e["words"].GetArray()) {
      if (!w.IsString()) return InvalidArgument(at + "/words: every word must be a string");
      std::vector<Token> tokens = Tokenize(w.GetString());
      if (tokens.empty()) return InvalidArgument(at + "/words: '" + std::string(w.GetString()) + "' has no letters");
      Entry entry{{}, *intent, lang, carrier, names_only};
      for (auto& tok : tokens) entry.words.push_back(std::move(tok.text));
      t.entries_.push_back(std::move(entry));
    }
  }
  // A phrase listed under several languages implies none of them ("rehab",
  // "triste"): the language is then read from the whole message.
  {
    std::unordered_map<std::string, std::string> first_lang;
    std::unordered_set<std::string> shared;
    for (const Entry& e : t.entries_) {
      std::string key = (e.carrier ? "c|" : "k|") + Join(e.words);
      auto [it, inserted] = first_lang.emplace(key, e.lang);
      if (!inserted && it->second != e.lang) shared.insert(key);
    }
    for (Entry& e : t.entries_) {
      if (shared.count((e.carrier ? "c|" : "k|") + Join(e.words)) != 0) e.lang = "*";
    }
  }
  if (d.HasMember("carrier_fillers") && d["carrier_fillers"].IsArray()) {
    for (const auto& w : d["carrier_fillers"].GetArray()) {
      if (!w.IsString()) return InvalidArgument("keywords: /carrier_fillers: every filler must be a string");
      for (Token& tok : Tokenize(w.GetString())) t.fillers_.insert(std::move(tok.text));
    }
  }
  if (d.HasMember("opt_out_phrases") && d["opt_out_phrases"].IsArray()) {
    const auto& groups = d["opt_out_phrases"].GetArray();
    for (rapidjson::SizeType i = 0; i < groups.Size(); ++i) {
      const auto& g = groups[i];
      const std::string at = "keywords: /opt_out_phrases/" + std::to_string(i);
      if (!g.IsObject() || !g.HasMember("intent") || !g["intent"].IsString() || !g.HasMember("words") ||
          !g["words"].IsArray()) {
        return InvalidArgument(at + ": needs \"intent\" and \"words\"");
      }
      auto intent = ParseIntent(g["intent"].GetString());
      if (!intent || (*intent != Intent::kStop && *intent != Intent::kStart)) {
        return InvalidArgument(at + "/intent: opt-out phrases are for stop or start");
      }
      const std::string lang = g.HasMember("lang") && g["lang"].IsString() ? g["lang"].GetString() : "*";
      for (const auto& w : g["words"].GetArray()) {
        if (!w.IsString()) return InvalidArgument(at + "/words: every phrase must be a string");
        std::vector<Token> tokens = Tokenize(w.GetString());
        if (tokens.size() < 2) {
          return InvalidArgument(at + "/words: '" + std::string(w.GetString()) +
                                 "' is one word: a single word could be part of any sentence");
        }
        Entry entry{{}, *intent, lang, true};
        for (auto& tok : tokens) entry.words.push_back(std::move(tok.text));
        // A phrase both stops and restarts the messages only by the order
        // of its groups: refused ("dejen de enviarme" among the opt-ins).
        for (std::size_t other : t.opt_out_by_first_[entry.words.front()]) {
          if (t.opt_out_[other].words == entry.words && t.opt_out_[other].intent != entry.intent) {
            return InvalidArgument(at + "/words: '" + std::string(w.GetString()) +
                                   "' is listed for both stop and start");
          }
        }
        t.opt_out_by_first_[entry.words.front()].push_back(t.opt_out_.size());
        t.opt_out_.push_back(std::move(entry));
      }
    }
    for (auto& [first, list] : t.opt_out_by_first_) {
      std::stable_sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
        return t.opt_out_[a].words.size() > t.opt_out_[b].words.size();
      });
    }
  }
  if (d.HasMember("opt_out_pairs")) {
    if (!d["opt_out_pairs"].IsArray()) return InvalidArgument("keywords: /opt_out_pairs: expected an array");
    const auto& groups = d["opt_out_pairs"].GetArray();
    for (rapidjson::SizeType i = 0; i < groups.Size(); ++i) {
      const auto& g = groups[i];
      const std::string at = "keywords: /opt_out_pairs/" + std::to_string(i);
      if (!g.IsObject() || !g.HasMember("intent") || !g["intent"].IsString() || !g.HasMember("verbs") ||
          !g.HasMember("objects")) {
        return InvalidArgument(at + ": needs \"intent\", \"verbs\" and \"objects\"");
      }
      auto intent = ParseIntent(g["intent"].GetString());
      if (!intent || *intent != Intent::kStop) return InvalidArgument(at + "/intent: opt-out pairs are for stop");
      OptOutPair pair{*intent, g.HasMember("lang") && g["lang"].IsString() ? g["lang"].GetString() : "*", 0, {}, {}};
      if (g.HasMember("gap")) {
        if (!g["gap"].IsUint() || g["gap"].GetUint() > kOptOutMaxGap) {
          return InvalidArgument(at + "/gap: a number of words from 0 to " + std::to_string(kOptOutMaxGap));
        }
        pair.gap = g["gap"].GetUint();
      }
      if (Status s = ReadPhrases(g, "verbs", "", pair.verbs); !s.ok()) return InvalidArgument(at + ": " + s.message());
      if (Status s = ReadPhrases(g, "objects", "", pair.objects); !s.ok()) {
        return InvalidArgument(at + ": " + s.message());
      }
      t.opt_out_pairs_.push_back(std::move(pair));
    }
  }
  for (auto [key, sub, list] : {std::tuple{"story_frames", "", &t.story_frames_},
                                {"request_markers", "", &t.request_markers_},
                                {"question_starts", "", &t.question_starts_},
                                {"relative_as_reason", "before", &t.reason_before_},
                                {"relative_as_reason", "after", &t.reaction_after_},
                                {"relative_as_reason", "own_change", &t.own_change_},
                                {"relative_as_reason", "presence", &t.presence_},
                                {"persons", "possessive", &t.possessive_},
                                {"thanks", "words", &t.thanks_words_},
                                {"thanks", "for", &t.thanks_for_},
                                {"past_markers", "", &t.past_markers_},
                                {"laughter", "", &t.laughter_},
                                {"figures_of_speech", "", &t.figures_of_speech_},
                                {"opt_out_others", "negators", &t.opt_out_negators_},
                                {"opt_out_others", "addressees", &t.opt_out_addressees_},
                                {"opt_out_others", "owners", &t.opt_out_owners_},
                                {"study_frames", "", &t.study_frames_},
                                {"asking_for_a_friend", "", &t.asking_for_a_friend_},
                                {"relative_wants", "phrases", &t.relative_wants_},
                                {"relative_wants", "negators", &t.wants_negators_},
                                {"gives_back", "phrases", &t.gives_back_},
                                {"gives_back", "past_attempts", &t.past_attempts_},
                                {"story_frights", "", &t.story_frights_},
                                {"persons", "first", &t.first_person_},
                                {"persons", "third", &t.third_person_},
                                {"joking", "marks", &t.joke_marks_},
                                {"joking", "serious", &t.joke_serious_},
                                {"language_of_others", "speak", &t.lang_speak_},
                                {"language_of_others", "others", &t.lang_others_},
                                {"language_of_others", "self", &t.lang_self_},
                                {"language_of_others", "not", &t.lang_not_},
                                {"language_of_others", "staff", &t.lang_staff_},
                                {"language_of_others", "askers", &t.lang_askers_},
                                {"language_of_others", "for", &t.lang_for_},
                                {"language_of_others", "polite", &t.lang_polite_},
                                {"language_of_others", "ask", &t.lang_ask_},
                                {"language_of_others", "or", &t.lang_or_},
                                {"emergency_calls", "", &t.emergency_calls_},
                                {"sad_farewells", "words", &t.farewell_words_},
                                {"last_words", "", &t.last_words_}}) {
    if (Status s = ReadPhrases(d, key, sub, *list); !s.ok()) return s;
  }
  // Lists of single words, for the risk model.
  for (auto [key, sub, list] : {std::tuple{"persons", "people", &t.people_}, {"times_of_day", "words", &t.times_}}) {
    if (!d.HasMember(key) || !d[key].IsObject() || !d[key].HasMember(sub)) continue;
    std::unordered_map<std::string, std::vector<std::vector<std::string>>> phrases;
    if (Status s = ReadPhrases(d, key, sub, phrases); !s.ok()) return s;
    for (auto& [first, listed] : phrases) {
      for (auto& words : listed) {
        if (words.size() != 1) {
          return InvalidArgument(std::string("keywords: /") + key + "/" + sub + ": '" + first +
                                 " ...' is not one word");
        }
        list->push_back(std::move(words.front()));
      }
    }
    std::sort(list->begin(), list->end());
  }
  if (d.HasMember("times_of_day") && d["times_of_day"].IsObject() && d["times_of_day"].HasMember("anchor")) {
    const rapidjson::Value& a = d["times_of_day"]["anchor"];
    if (!a.IsNumber()) return InvalidArgument("keywords: /times_of_day/anchor: expected a number");
    t.time_anchor_ = a.GetDouble();
  }
  if (d.HasMember("times_of_day") && d["times_of_day"].IsObject() && d["times_of_day"].HasMember("cap")) {
    const rapidjson::Value& a = d["times_of_day"]["cap"];
    if (!a.IsNumber()) return InvalidArgument("keywords: /times_of_day/cap: expected a number");
    t.time_cap_ = a.GetDouble();
  }
  for (const auto& [key, emoji] : {std::pair<const char*, std::vector<std::string>*>{"joking", &t.joke_emoji_},
                                   {"sad_farewells", &t.farewell_emoji_}}) {
    if (!d.HasMember(key)) continue;
    const rapidjson::Value& j = d[key];
    const std::string at = std::string("keywords: /") + key;
    if (!j.HasMember("emoji") || !j["emoji"].IsArray()) return InvalidArgument(at + ": needs \"emoji\"");
    for (const auto& e : j["emoji"].GetArray()) {
      if (!e.IsString() || e.GetStringLength() == 0) {
        return InvalidArgument(at + "/emoji: every emoji must be a non-empty string");
      }
      emoji->emplace_back(e.GetString(), e.GetStringLength());
    }
  }
  if (d.HasMember("not_typos") && d["not_typos"].IsArray()) {
    for (const auto& w : d["not_typos"].GetArray()) {
      if (w.IsString()) t.not_typos_.insert(FoldText(w.GetString()));
    }
  }
  t.letters_.resize(t.entries_.size(), 0);
  for (std::size_t i = 0; i < t.entries_.size(); ++i) {
    const Entry& e = t.entries_[i];
    t.letters_[i] = LetterSet(e.words.front());
    t.by_first_[e.words.front()].push_back(i);
    if (!e.carrier && e.words.size() == 1 && e.words[0].size() >= 5) {
      const std::size_t len = e.words[0].size();
      if (t.fuzzy_by_length_.size() <= len) t.fuzzy_by_length_.resize(len + 1);
      t.fuzzy_by_length_[len].push_back(i);
    } else if (!e.carrier && e.words.size() == 1 && e.words[0].size() == kSwapOnlyLength) {
      t.swap_only_.push_back(i);
    }
  }
  for (auto& [first, list] : t.by_first_) {
    std::stable_sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
      return t.entries_[a].words.size() > t.entries_[b].words.size();
    });
  }
  return t;
}

std::optional<KeywordHit> KeywordTable::MatchCarrier(const std::vector<Token>& tokens) const {
  // Politeness around the words does not change them: "please stop",
  // "STOP thank you", "svp arretez". Only fillers are skipped, so a
  // sentence that merely contains a carrier word never matches.
  auto whole = [&](std::size_t begin, std::size_t end) -> std::optional<KeywordHit> {
    if (begin == end) return std::nullopt;
    auto it = by_first_.find(tokens[begin].text);
    if (it == by_first_.end()) return std::nullopt;
    for (std::size_t idx : it->second) {
      const Entry& e = entries_[idx];
      if (!e.carrier || e.words.size() != end - begin) continue;
      bool all = true;
      for (std::size_t k = 0; k < e.words.size() && all; ++k) all = e.words[k] == tokens[begin + k].text;
      if (all) return KeywordHit{e.intent, e.lang, 0, tokens.size(), false};
    }
    return std::nullopt;
  };
  if (auto hit = whole(0, tokens.size())) return hit;
  std::size_t begin = 0, end = tokens.size();
  while (begin < end && fillers_.count(tokens[begin].text) != 0) ++begin;
  while (end > begin && fillers_.count(tokens[end - 1].text) != 0) --end;
  if (begin == 0 && end == tokens.size()) return std::nullopt;
  return whole(begin, end);
}

std::optional<KeywordHit> KeywordTable::MatchOptOutPhrase(const std::vector<Token>& tokens) const {
  if (tokens.size() > kOptOutClosingMaxTokens) return std::nullopt;
  // In a longer message, only an opt-out that closes it ("this phone is my
  // nephew's, he does not use it, please stop sending these messages").
  const auto fits = [&](std::size_t first, std::size_t count) {
    return tokens.size() <= kOptOutMaxTokens || first + count + kOptOutClosingTail >= tokens.size();
  };
  // Someone else's doing ("my ex wont stop texting me"), unless we are the
  // ones addressed before it ("why wont you stop texting me").
  const auto someone_elses = [&](std::size_t i) {
    if (i == 0 || !StartsAt(opt_out_negators_, tokens, i - 1)) return false;
    for (std::size_t k = 0; k + 1 < i; ++k) {
      if (StartsAt(opt_out_addressees_, tokens, k)) return false;
    }
    return true;
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    auto it = opt_out_by_first_.find(tokens[i].text);
    if (it == opt_out_by_first_.end()) continue;
    for (std::size_t idx : it->second) {
      const Entry& e = opt_out_[idx];
      if (i + e.words.size() > tokens.size()) continue;
      bool all = true;
      for (std::size_t k = 1; k < e.words.size() && all; ++k) all = e.words[k] == tokens[i + k].text;
      if (!all || someone_elses(i) || !fits(i, e.words.size())) continue;
      return KeywordHit{e.intent, e.lang, i, e.words.size(), false};
    }
  }
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    for (const OptOutPair& pair : opt_out_pairs_) {
      const std::size_t verb = MatchLength(pair.verbs, tokens, i);
      if (verb == 0 || someone_elses(i)) continue;
      for (std::size_t j = i + verb; j <= i + verb + pair.gap && j < tokens.size(); ++j) {
        if (const std::size_t object = MatchLength(pair.objects, tokens, j); object != 0 && fits(i, j + object - i)) {
          return KeywordHit{pair.intent, pair.lang, i, j + object - i, false};
        }
      }
    }
  }
  return std::nullopt;
}

bool KeywordTable::NamesTheOptedOut(const std::vector<Token>& tokens, const KeywordHit& phrase,
                                    const KeywordHit& named) const {
  if (!named.names_only) return false;
  const std::size_t end = phrase.first + phrase.count;
  if (named.first >= end) return named.first <= end + kOptOutObjectReach;
  if (named.first + named.count > phrase.first) return false;
  for (std::size_t k = 0; k < named.first; ++k) {
    const std::size_t n = MatchLength(opt_out_owners_, tokens, k);
    if (n != 0 && k + n + 1 >= named.first && k + n <= named.first) return true;
  }
  return false;
}

std::vector<KeywordHit> KeywordTable::MatchExact(const std::vector<Token>& tokens, std::vector<bool>& used) const {
  std::vector<KeywordHit> hits;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (used[i]) continue;
    auto it = by_first_.find(tokens[i].text);
    if (it == by_first_.end()) continue;
    for (std::size_t idx : it->second) {
      const Entry& e = entries_[idx];
      if (e.carrier || i + e.words.size() > tokens.size()) continue;
      bool all = true;
      for (std::size_t k = 1; k < e.words.size() && all; ++k) {
        all = !used[i + k] && e.words[k] == tokens[i + k].text;
      }
      if (!all) continue;
      hits.push_back({e.intent, e.lang, i, e.words.size(), false, e.names_only});
      for (std::size_t k = 0; k < e.words.size(); ++k) used[i + k] = true;
      i += e.words.size() - 1;
      break;
    }
  }
  return hits;
}

std::vector<KeywordHit> KeywordTable::MatchTypos(const std::vector<Token>& tokens, std::vector<bool>& used,
                                                 NotTypoMemo* memo) const {
  std::vector<KeywordHit> hits;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (used[i] || t.digits || t.text.size() < 4 || not_typos_.count(t.text) != 0) continue;
    if (memo != nullptr && memo->Contains(t.text)) continue;
    int best = 3;
    const Entry* best_entry = nullptr;
    const std::size_t len = t.text.size();
    const std::uint32_t letters = LetterSet(t.text);
    for (std::size_t l = len > 2 ? len - 2 : 0; l <= len + 2 && l < fuzzy_by_length_.size(); ++l) {
      for (std::size_t idx : fuzzy_by_length_[l]) {
        const Entry& e = entries_[idx];
        const std::string& w = e.words[0];
        const int allowed = w.size() >= 8 ? 2 : 1;
        if (std::popcount(letters ^ letters_[idx]) > 2 * allowed) continue;
        const int d = BoundedEditDistance(t.text, w, allowed);
        if (d <= allowed && d < best) {
          best = d;
          best_entry = &e;
        }
      }
    }
    // Short keywords ("help", "text", "info") only forgive two letters
    // swapped ("hepl", "txet"): any other edit of a 4-letter word is too
    // often another word.
    if (best_entry == nullptr && len == kSwapOnlyLength) {
      for (std::size_t idx : swap_only_) {
        const std::string& w = entries_[idx].words[0];
        int diffs = 0;
        std::size_t at = 0;
        for (std::size_t k = 0; k < len; ++k) {
          if (w[k] != t.text[k]) {
            if (diffs++ == 0) at = k;
          }
        }
        if (diffs == 2 && at + 1 < len && w[at] == t.text[at + 1] && w[at + 1] == t.text[at]) {
          best_entry = &entries_[idx];
          break;
        }
      }
    }
    if (best_entry != nullptr) {
      hits.push_back({best_entry->intent, best_entry->lang, i, 1, true, best_entry->names_only});
      used[i] = true;
    } else if (memo != nullptr) {
      memo->Add(t.text);
    }
  }
  return hits;
}

std::size_t KeywordTable::MatchLength(const PhraseList& list, const std::vector<Token>& tokens, std::size_t i) {
  if (i >= tokens.size()) return 0;
  auto it = list.find(tokens[i].text);
  if (it == list.end()) return 0;
  std::size_t longest = 0;
  for (const auto& words : it->second) {
    if (i + words.size() > tokens.size() || words.size() <= longest) continue;
    bool all = true;
    for (std::size_t k = 1; k < words.size() && all; ++k) all = words[k] == tokens[i + k].text;
    if (all) longest = words.size();
  }
  return longest;
}

bool KeywordTable::StartsAt(const PhraseList& list, const std::vector<Token>& tokens, std::size_t i) {
  return MatchLength(list, tokens, i) != 0;
}

bool KeywordTable::Covers(const PhraseList& list, const std::vector<Token>& tokens, std::size_t at) {
  for (std::size_t i = at > kFigureReach ? at - kFigureReach : 0; i <= at && i < tokens.size(); ++i) {
    if (i + MatchLength(list, tokens, i) > at) return true;
  }
  return false;
}

bool KeywordTable::InFigureOfSpeech(const std::vector<Token>& tokens, std::size_t at) const {
  return Covers(figures_of_speech_, tokens, at);
}

bool KeywordTable::InStudyFrame(const std::vector<Token>& tokens, std::size_t at) const {
  return Covers(study_frames_, tokens, at);
}

bool KeywordTable::Contains(const PhraseList& list, const std::vector<Token>& tokens) {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (StartsAt(list, tokens, i)) return true;
  }
  return false;
}

bool KeywordTable::AnyIn(std::string_view raw, const std::vector<std::string>& emoji) {
  return std::any_of(emoji.begin(), emoji.end(), [&](const std::string& e) { return raw.find(e) != raw.npos; });
}

bool KeywordTable::Jokes(std::string_view raw, const std::vector<Token>& tokens) const {
  const bool laughs = Contains(laughter_, tokens) || Contains(joke_marks_, tokens) || AnyIn(raw, joke_emoji_);
  return laughs && !Contains(joke_serious_, tokens);
}

bool KeywordTable::IsOnlyLastWords(const std::vector<Token>& tokens) const {
  // The longest phrase at the first word is the whole message.
  return !tokens.empty() && MatchLength(last_words_, tokens, 0) == tokens.size();
}

bool KeywordTable::SadFarewell(std::string_view raw, const std::vector<Token>& tokens) const {
  return Contains(farewell_words_, tokens) && AnyIn(raw, farewell_emoji_);
}

bool KeywordTable::PastBefore(const std::vector<Token>& tokens, std::size_t at) const {
  for (std::size_t i = at > 6 ? at - 6 : 0; i < at; ++i) {
    if (StartsAt(past_markers_, tokens, i)) return true;
  }
  return false;
}

KeywordTable::Person KeywordTable::PersonBefore(const std::vector<Token>& tokens, std::size_t at, std::size_t floor,
                                                std::size_t words) const {
  const std::size_t from = std::max(at > words ? at - words : 0, floor);
  for (std::size_t i = std::min(at, tokens.size()); i-- > from;) {
    if (StartsAt(third_person_, tokens, i)) return Person::kThird;
    if (StartsAt(first_person_, tokens, i)) return Person::kFirst;
  }
  return Person::kNone;
}

void KeywordTable::MarkAskingForAFriend(const std::vector<Token>& tokens, std::vector<bool>& used) const {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::size_t n = MatchLength(asking_for_a_friend_, tokens, i);
    for (std::size_t k = i; k < i + n; ++k) used[k] = true;
  }
}

bool KeywordTable::RelativeWantsBefore(const std::vector<Token>& tokens, std::size_t at) const {
  for (std::size_t i = at > kWantsReach + 2 ? at - kWantsReach - 2 : 0; i < at; ++i) {
    const std::size_t n = MatchLength(relative_wants_, tokens, i);
    if (n == 0 || i + n > at || i + n + kWantsReach < at) continue;
    // "no quiere ir a rehabilitación", "il ne veut pas", "y veut pas": not wanted.
    const bool negated = (i > 0 && StartsAt(wants_negators_, tokens, i - 1)) ||
                         (i > 1 && StartsAt(wants_negators_, tokens, i - 2)) ||
                         StartsAt(wants_negators_, tokens, i + n);
    if (!negated) return true;
  }
  return false;
}

bool KeywordTable::ReactionAfter(const std::vector<Token>& tokens, std::size_t end) const {
  for (std::size_t i = end; i < tokens.size() && i < end + 3; ++i) {
    if (StartsAt(reaction_after_, tokens, i)) return true;
  }
  return false;
}

bool KeywordTable::PresenceAfter(const std::vector<Token>& tokens, std::size_t end) const {
  for (std::size_t i = end; i < tokens.size() && i < end + 4; ++i) {
    if (StartsAt(presence_, tokens, i)) return true;
  }
  return false;
}

bool KeywordTable::ThankedFor(const std::vector<Token>& tokens, std::size_t at) const {
  for (std::size_t gap = 1; gap <= 2 && gap + 1 <= at; ++gap) {
    const std::size_t f = at - gap;
    if (!StartsAt(thanks_for_, tokens, f)) continue;
    // A thanks phrase of one or two words ending right before "for".
    for (std::size_t start = f >= 2 ? f - 2 : 0; start < f; ++start) {
      if (MatchLength(thanks_words_, tokens, start) == f - start) return true;
    }
  }
  return false;
}

bool KeywordTable::IsSomeoneElse(const std::vector<Token>& tokens, std::size_t i) const {
  return i < tokens.size() &&
         (StartsAt(lang_others_, tokens, i) || std::binary_search(people_.begin(), people_.end(), tokens[i].text));
}

std::string_view KeywordTable::LanguageOfWord(std::string_view word) const {
  auto it = by_first_.find(std::string(word));
  if (it == by_first_.end()) return {};
  for (std::size_t idx : it->second) {
    const Entry& e = entries_[idx];
    if (e.intent == Intent::kLanguage && !e.carrier && e.words.size() == 1 && e.lang != "*") return e.lang;
  }
  return {};
}

bool KeywordTable::AskerEndsAt(const std::vector<Token>& tokens, std::size_t at) const {
  for (std::size_t a = at > 1 ? at - 1 : 0; a <= at; ++a) {
    if (MatchLength(lang_askers_, tokens, a) == at - a + 1) return true;
  }
  return false;
}

KeywordTable::LanguageOwner KeywordTable::LanguageOwnerAt(const std::vector<Token>& tokens, std::size_t first,
                                                          std::size_t count) const {
  if (count == 0 || first + count > tokens.size()) return LanguageOwner::kUnsaid;
  const std::size_t end = first + count;
  std::size_t speak_at = tokens.size();  // the "speak" word before the keyword, when no one is named
  // Said of someone: the nearest "speak" word (the keyword's own first
  // word, else at most kSpeakReach words before it, with no other language
  // word between), then the nearest person before that word.
  for (std::size_t v = first + 1; v-- > (first > kSpeakReach ? first - kSpeakReach : 0);) {
    // A language word on the way is the one that word speaks of ("i dont
    // speak french, english please").
    if (v < first && !LanguageOfWord(tokens[v].text).empty()) break;
    if (!StartsAt(lang_speak_, tokens, v)) continue;
    // Someone the sender asks for ("is there anyone who speaks spanish",
    // "y a-t-il quelqu'un qui parle français") is no third person.
    // The "speak" word may itself say who ("hablo", "comprends"); a "not"
    // word then may come just before it ("no entiendo bien el inglés").
    bool asker = false;
    for (std::size_t p = v + 1; p-- > (v > kPersonReach ? v - kPersonReach : 0);) {
      if (AskerEndsAt(tokens, p)) {
        asker = true;
        break;
      }
      if (IsSomeoneElse(tokens, p)) return LanguageOwner::kSomeoneElse;
      if (!IsSelf(tokens, p)) continue;
      // A self word that is itself a verb ("hablo", "sé") may have its "not" just before it.
      for (std::size_t n = (p == v || StartsAt(lang_speak_, tokens, p)) && p > 0 ? p - 1 : p + 1; n < first; ++n) {
        if (StartsAt(lang_not_, tokens, n)) return LanguageOwner::kSenderLacks;
      }
      return LanguageOwner::kSender;
    }
    // No one named: a "not" word at most two words before the "speak" word
    // or between it and the keyword is the sender's ("no sabemos inglés",
    // "we can't read spanish", "on comprend pas l'anglais", "je lis mal
    // l'anglais"; the verb says who, or no one else is named).
    for (std::size_t n = v > 2 ? v - 2 : 0; !asker && n < first; ++n) {
      if (StartsAt(lang_not_, tokens, n)) return LanguageOwner::kSenderLacks;
    }
    speak_at = v;
    break;
  }
  // A service's staff: a frame ending at most two words before the keyword
  // or on its first word, not just after someone the sender asks for.
  for (std::size_t s = first > kSpeakReach + 2 ? first - kSpeakReach - 2 : 0; s <= first; ++s) {
    const std::size_t n = MatchLength(lang_staff_, tokens, s);
    if (n == 0 || s + n > first + 1 || s + n + 1 < first) continue;
    if (s == 0 || !AskerEndsAt(tokens, s - 1)) return LanguageOwner::kSomeoneElse;
  }
  for (std::size_t p = first; p-- > (first > kSpeakReach ? first - kSpeakReach : 0);) {
    if (IsSomeoneElse(tokens, p)) break;
    if (IsSelf(tokens, p)) return LanguageOwner::kSender;
  }
  // For someone: "for" right after the keyword ("in spanish for the
  // nurse"; "para mí" before a thank-you or at the end is the sender's),
  // or near it and followed by a person ("for my wife", "pour elle").
  if (end + 1 < tokens.size() && StartsAt(lang_for_, tokens, end)) {
    if (!IsSelf(tokens, end + 1)) return LanguageOwner::kSomeoneElse;
    if (tokens[end + 1].text == "mi" && end + 2 < tokens.size() && !StartsAt(lang_polite_, tokens, end + 2)) {
      return LanguageOwner::kSomeoneElse;
    }
  }
  const std::size_t from = first > kForBefore ? first - kForBefore : 0;
  for (std::size_t f = from; f < tokens.size() && f < end + kForAfter; ++f) {
    if ((f >= first && f < end) || !StartsAt(lang_for_, tokens, f)) continue;
    if (IsSelf(tokens, f + 1) && tokens[f + 1].text != "mi") continue;
    if (IsSomeoneElse(tokens, f + 1) || IsSomeoneElse(tokens, f + 2)) return LanguageOwner::kSomeoneElse;
  }
  // A language word alone (a phrase such as "in english" or "no hablo
  // inglés" is a frame of its own) asks for a switch only in a short message
  // (at most kAskOthers words besides it and the polite ones: "spanish pls",
  // "ingles por favor"), after a "speak" word or an "ask" word ("do you
  // speak english", "reply in french", "prefiero español") or before a
  // polite word ("français svp"); anywhere else it is merely mentioned ("my
  // kid's spanish teacher", "el inglés de mi hijo").
  if (count != 1 || lang_ask_.empty()) return LanguageOwner::kUnsaid;
  // A "not" word right before it, with no "speak" word and no "polite" word
  // after it: "no english", "poco inglés", "pas anglais" ("no, spanish
  // please" asks for it).
  if (first > 0 && StartsAt(lang_not_, tokens, first - 1) && !StartsAt(lang_polite_, tokens, end)) {
    return LanguageOwner::kSenderLacks;
  }
  // One of two languages offered ("en inglés o español", "english or
  // french"): a choice names neither; the text's own language answers.
  const auto offered = [&](std::size_t at) { return at < tokens.size() && !LanguageOfWord(tokens[at].text).empty(); };
  if ((first >= 2 && StartsAt(lang_or_, tokens, first - 1) && offered(first - 2)) ||
      (StartsAt(lang_or_, tokens, end) && offered(end + 1))) {
    return LanguageOwner::kMentioned;
  }
  if (speak_at < first) return LanguageOwner::kUnsaid;
  if (first > 0 && StartsAt(lang_ask_, tokens, first - 1)) return LanguageOwner::kUnsaid;
  if (end < tokens.size() && StartsAt(lang_polite_, tokens, end)) return LanguageOwner::kUnsaid;
  std::size_t others = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i != first && !StartsAt(lang_polite_, tokens, i) && !StartsAt(lang_for_, tokens, i) && !IsSelf(tokens, i)) {
      ++others;
    }
  }
  return others <= kAskOthers ? LanguageOwner::kUnsaid : LanguageOwner::kMentioned;
}

}  // namespace helpline::engine
