#include "daemon/alerts/alert_conversation.h"

#include <rapidjson/document.h>

#include <algorithm>

#include <fstream>
#include <sstream>

#include "common/text_normalize.h"
#include "directory/regions.h"

namespace helpline::daemon::alerts {
namespace {

constexpr const char* kLists[] = {"subscribe", "confirm", "leave", "report", "report_with_text"};

// Length of the phrase `p` at the start of `t`, or 0.
bool StartsWith(const std::vector<Token>& t, const std::vector<std::string>& p) {
  if (p.empty() || t.size() < p.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (t[i].text != p[i]) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The raw text after the first `words` folded words: raw chunks (split on
// spaces) are consumed while their folded tokens make up the keyword.
std::string_view AfterKeyword(std::string_view text, std::size_t words) {
  std::size_t seen = 0;
  std::size_t i = 0;
  while (i < text.size() && seen < words) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n' && text[j] != '\r') ++j;
    seen += Tokenize(text.substr(i, j - i)).size();
    i = j;
  }
  text.remove_prefix(i);
  while (!text.empty() && (text.front() == ' ' || text.front() == ':' || text.front() == '-' || text.front() == ',' ||
                           text.front() == '\n' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  return text;
}

}  // namespace

Result<AlertConversation> AlertConversation::FromJson(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return InvalidArgument("alerts: not a JSON object");
  AlertConversation c;
  std::vector<Phrase>* outs[] = {&c.subscribe_, &c.confirm_, &c.leave_, &c.report_, &c.report_with_text_};
  for (int k = 0; k < 5; ++k) {
    const char* name = kLists[k];
    if (!d.HasMember(name) || !d[name].IsObject())
      return InvalidArgument(std::string("alerts: no \"") + name + "\" object");
    for (const auto& lang : d[name].GetObject()) {
      if (!lang.value.IsArray()) return InvalidArgument(std::string("alerts: /") + name + ": expected arrays of words");
      for (const auto& w : lang.value.GetArray()) {
        if (!w.IsString()) return InvalidArgument(std::string("alerts: /") + name + ": expected strings");
        Phrase p;
        for (Token& t : Tokenize(w.GetString())) p.tokens.push_back(std::move(t.text));
        if (p.tokens.empty()) return InvalidArgument(std::string("alerts: /") + name + ": an empty word");
        p.language = lang.name.GetString();
        outs[k]->push_back(std::move(p));
      }
    }
  }
  if (!d.HasMember("messages") || !d["messages"].IsObject()) return InvalidArgument("alerts: no \"messages\" object");
  for (const auto& lang : d["messages"].GetObject()) {
    if (!lang.value.IsObject()) return InvalidArgument("alerts: /messages: expected objects");
    for (const auto& m : lang.value.GetObject()) {
      if (!m.value.IsString()) return InvalidArgument("alerts: /messages: expected strings");
      c.messages_[lang.name.GetString()][m.name.GetString()] = m.value.GetString();
    }
  }
  for (const char* key : {"ask_confirm", "need_region", "confirmed", "left", "not_subscribed", "report_safety",
                          "report_thanks", "report_empty", "alert_footer"}) {
    for (const auto& [lang, texts] : c.messages_) {
      if (texts.find(key) == texts.end()) return InvalidArgument("alerts: /messages/" + lang + ": no \"" + key + "\"");
    }
  }
  if (c.messages_.find("en") == c.messages_.end()) return InvalidArgument("alerts: no English messages");
  // Longer phrases first, so "bad batch" is tried before a one-word phrase.
  for (auto* v : outs) {
    std::stable_sort(v->begin(), v->end(),
                     [](const Phrase& a, const Phrase& b) { return a.tokens.size() > b.tokens.size(); });
  }
  return c;
}

Result<AlertConversation> AlertConversation::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(path + ": cannot read");
  std::ostringstream s;
  s << in.rdbuf();
  auto c = FromJson(s.str());
  if (!c.ok()) return InvalidArgument(path + ": " + c.status().message());
  return c;
}

AlertCommand AlertConversation::Parse(std::string_view text) const { return Parse(text, Tokenize(text)); }

AlertCommand AlertConversation::Parse(std::string_view text, const std::vector<Token>& t) const {
  AlertCommand out;
  if (t.empty()) return out;
  auto whole = [&](const std::vector<Phrase>& list) -> const Phrase* {
    for (const Phrase& p : list) {
      if (p.tokens.size() == t.size() && StartsWith(t, p.tokens)) return &p;
    }
    return nullptr;
  };
  auto start = [&](const std::vector<Phrase>& list) -> const Phrase* {
    for (const Phrase& p : list) {
      if (StartsWith(t, p.tokens)) return &p;
    }
    return nullptr;
  };
  if (const Phrase* p = whole(confirm_)) {
    out.kind = AlertCommandKind::kConfirm;
    out.language = p->language;
  } else if (const Phrase* p = whole(leave_)) {
    out.kind = AlertCommandKind::kLeave;
    out.language = p->language;
  } else if (const Phrase* p = start(subscribe_)) {
    out.kind = AlertCommandKind::kSubscribe;
    out.language = p->language;
    out.rest_tokens = t.size() - p->tokens.size();
  } else if (const Phrase* p = start(report_)) {
    out.kind = AlertCommandKind::kReport;
    out.language = p->language;
    out.rest_tokens = t.size() - p->tokens.size();
    out.report_text = std::string(AfterKeyword(text, p->tokens.size()));
  } else if (const Phrase* p = start(report_with_text_); p != nullptr && t.size() > p->tokens.size()) {
    out.kind = AlertCommandKind::kReport;
    out.language = p->language;
    out.rest_tokens = t.size() - p->tokens.size();
    out.report_text = std::string(AfterKeyword(text, p->tokens.size()));
  }
  return out;
}

std::string AlertConversation::Text(std::string_view language, std::string_view key, std::string_view region,
                                    std::string_view emergency) const {
  auto lang = messages_.find(language);
  if (lang == messages_.end()) lang = messages_.find("en");
  auto m = lang->second.find(key);
  if (m == lang->second.end()) {
    lang = messages_.find("en");
    m = lang->second.find(key);
    if (m == lang->second.end()) return "";
  }
  std::string out = m->second;
  auto fill = [&out](std::string_view name, std::string_view value) {
    for (std::size_t at = out.find(name); at != std::string::npos; at = out.find(name, at + value.size())) {
      out.replace(at, name.size(), value);
    }
  };
  fill("{region}", region);
  fill("{emergency}", emergency);
  return out;
}

std::string ScrubReport(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    // A phone number: digits with separators, 7 digits or more.
    if (IsDigit(c) || (c == '+' && i + 1 < text.size() && IsDigit(text[i + 1])) ||
        (c == '(' && i + 1 < text.size() && IsDigit(text[i + 1]))) {
      std::size_t j = i, digits = 0, last_digit_end = i;
      while (j < text.size() && (IsDigit(text[j]) || text[j] == ' ' || text[j] == '-' || text[j] == '.' ||
                                 text[j] == '(' || text[j] == ')' || text[j] == '+')) {
        if (IsDigit(text[j])) {
          ++digits;
          last_digit_end = j + 1;
        }
        ++j;
      }
      if (digits >= 7) {
        out += "[number]";
        i = last_digit_end;
        continue;
      }
      out.append(text.substr(i, last_digit_end > i ? last_digit_end - i : 1));
      i = last_digit_end > i ? last_digit_end : i + 1;
      continue;
    }
    if (c == '@') {
      // An email: the word around the @ (letters, digits, . _ % + -), with a dot after it.
      std::size_t b = out.size();
      auto word = [](char x) {
        return (x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || IsDigit(x) || x == '.' || x == '_' || x == '%' ||
               x == '+' || x == '-';
      };
      while (b > 0 && word(out[b - 1])) --b;
      std::size_t j = i + 1;
      while (j < text.size() && word(text[j])) ++j;
      const std::string_view domain = text.substr(i + 1, j - i - 1);
      if (b < out.size() && domain.find('.') != std::string_view::npos) {
        out.resize(b);
        out += "[email]";
        i = j;
        continue;
      }
    }
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
    ++i;
  }
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    out.resize(cut);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string RegionName(std::string_view code, std::string_view language) {
  const directory::RegionInfo* r = directory::FindRegion(code);
  if (r == nullptr) return std::string(code);
  if (language == "fr") return std::string(r->name_fr);
  if (language == "es") return std::string(r->name_es);
  return std::string(r->name_en);
}

}  // namespace helpline::daemon::alerts
