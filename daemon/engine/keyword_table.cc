#include "daemon/engine/keyword_table.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>

namespace helpline::engine {
namespace {

constexpr std::array<std::string_view, 19> kIntentNames = {
    "stop",  "start", "overdose", "suicide", "naloxone",   "crisis", "treatment", "detox",   "harm",    "text",
    "chat",  "family", "youth",   "indigenous", "help",    "info",   "language",  "region",  "unknown",
};

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
    for (const auto& w : e["words"].GetArray()) {
      if (!w.IsString()) return InvalidArgument(at + "/words: every word must be a string");
      std::vector<Token> tokens = Tokenize(w.GetString());
      if (tokens.empty()) return InvalidArgument(at + "/words: '" + std::string(w.GetString()) + "' has no letters");
      Entry entry{{}, *intent, lang, carrier};
      for (auto& tok : tokens) entry.words.push_back(std::move(tok.text));
      t.entries_.push_back(std::move(entry));
    }
  }
  if (d.HasMember("not_typos") && d["not_typos"].IsArray()) {
    for (const auto& w : d["not_typos"].GetArray()) {
      if (w.IsString()) t.not_typos_.insert(FoldText(w.GetString()));
    }
  }
  for (std::size_t i = 0; i < t.entries_.size(); ++i) {
    const Entry& e = t.entries_[i];
    t.by_first_[e.words.front()].push_back(i);
    if (!e.carrier && e.words.size() == 1 && e.words[0].size() >= 5) {
      const std::size_t len = e.words[0].size();
      if (t.fuzzy_by_length_.size() <= len) t.fuzzy_by_length_.resize(len + 1);
      t.fuzzy_by_length_[len].push_back(i);
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
  if (tokens.empty()) return std::nullopt;
  auto it = by_first_.find(tokens.front().text);
  if (it == by_first_.end()) return std::nullopt;
  for (std::size_t idx : it->second) {
    const Entry& e = entries_[idx];
    if (!e.carrier || e.words.size() != tokens.size()) continue;
    bool all = true;
    for (std::size_t k = 0; k < e.words.size() && all; ++k) all = e.words[k] == tokens[k].text;
    if (all) return KeywordHit{e.intent, e.lang, 0, tokens.size(), false};
  }
  return std::nullopt;
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
      hits.push_back({e.intent, e.lang, i, e.words.size(), false});
      for (std::size_t k = 0; k < e.words.size(); ++k) used[i + k] = true;
      i += e.words.size() - 1;
      break;
    }
  }
  return hits;
}

std::vector<KeywordHit> KeywordTable::MatchTypos(const std::vector<Token>& tokens, std::vector<bool>& used) const {
  std::vector<KeywordHit> hits;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (used[i] || t.digits || t.text.size() < 4 || not_typos_.count(t.text) != 0) continue;
    int best = 3;
    const Entry* best_entry = nullptr;
    const std::size_t len = t.text.size();
    for (std::size_t l = len > 2 ? len - 2 : 0; l <= len + 2 && l < fuzzy_by_length_.size(); ++l) {
      for (std::size_t idx : fuzzy_by_length_[l]) {
        const Entry& e = entries_[idx];
        const std::string& w = e.words[0];
        const int allowed = w.size() >= 8 ? 2 : 1;
        const int d = BoundedEditDistance(t.text, w, allowed);
        if (d <= allowed && d < best) {
          best = d;
          best_entry = &e;
        }
      }
    }
    if (best_entry != nullptr) {
      hits.push_back({best_entry->intent, best_entry->lang, i, 1, true});
      used[i] = true;
    }
  }
  return hits;
}

}  // namespace helpline::engine
