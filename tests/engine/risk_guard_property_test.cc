// A generated property of data/engine/risk.json: no guard hides a strong
// safety sign said next to it.
//
// For every language, every strong (not "guardable") overdose and suicide
// rule gives surface forms (its first and its last alternative of each
// element, in first and third person when the swapped form is still a sign
// on its own), and every guard gives phrases (its first and last
// alternatives). Each sign is put beside each guard phrase, before and after
// it, and the combined text must still raise the sign's class (an overdose
// read as a suicide keeps 911 in the first line, so it passes; a suicide
// read as an overdose would lose 988, so it fails). The same is checked with
// the guards of the other languages, which must never silence a sign
// (guards are scoped to their languages).
//
// Deliberate exceptions: a strong guard right next to a rule it names in
// "silences" is that guard's harmless cause ("my lips are blue from the
// cold"), so those pairs are skipped; kExceptions lists the other pairs a
// careful reader would call harmless, each with its reason. Guardable rules
// (the event named without saying it is happening now: "overdosed",
// "suicidal") are left out: a guard beside them is what guards are for.

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/engine/risk_detector.h"
#include "tests/engine/shipped_risk.h"

namespace helpline::engine {
namespace {

const RiskDetector& Shipped() { return ShippedRiskDetector(); }

RiskAssessment Assess(const std::string& m) { return Shipped().Assess(m, Tokenize(m)); }

// A (guard, rule) pair whose combined sentences are the harmless thing the
// guard names, beyond the strong guards' own "silences".
struct Exception {
  std::string_view guard;
  std::string_view rule;
  std::string_view why;
};
// The guard that speaks in an assessment is the first one that silenced
// anything, so a phrase that silences two classes through two guards needs
// its pair named here.
constexpr std::array<Exception, 11> kExceptions{{
    {"en_device_dying", "en_last_text_now",
     "'this is my last message, phone is dying': the phone is why the text is the last for now "
     "(en_last_text_for_now); the overdose guard of the same words speaks first"},
    {"en_idiom_device", "en_last_text_now", "the same: 'final message, phone dying'"},
    {"en_device_dying", "en_last_message_from_me", "the same: 'last text youll get from me, phone is dying'"},
    {"en_idiom_device", "en_last_message_from_me", "the same"},
    {"en_past_attempt_ok_now", "en_overdose_on_purpose",
     "'back in 2019 i tried, overdosed on purpose, doing ok now': a past attempt told with being well; the past "
     "guards of the overdose word speak first"},
    {"r8_en_worry_will_overdose", "en_not_here_by",
     "'wont be around past, worried that hes going to die': the worry's own 'going to' is read by en_not_here_trip "
     "as a trip, which sets 'wont be around' aside; the worry guard speaks first. Not harmless in itself: a known "
     "weakness of en_not_here_trip's bare 'going to', left for a rule of its own"},
    // 'mejor me muero de hambre' and kin: dying of something harmless, which r11_es_morirse_de_algo names for
    // r11_es_mejor_me_muero; the idiom guard of the same 'me muero' (es_idioma_morir_de, for the overdose
    // reading) speaks first.
    {"es_me_muero_de_algo", "r11_es_mejor_me_muero", "'mejor me muero de hambre'"},
    {"es_calor_muriendo", "r11_es_mejor_me_muero", "'mejor me muero de aburrimiento'"},
    {"es_riendo", "r11_es_mejor_me_muero", "'mejor me muero de risa'"},
    {"es_risa_me_mato", "r11_es_mejor_me_muero", "'mejor me muero de risa' (its other guard)"},
    // A fan's threat with its moment ('chaque fois que le club échappe la coupe je me tue ce soir'), which
    // r13_fr_si_equipe_perd names for r15_fr_je_me_tue_bientot; fr_idiome_chose_me_tue ('la coupe ... me tue', for
    // the guardable fr_me_tuer) speaks first.
    {"r15_fr_mourir_si_equipe", "r15_fr_je_me_tue_bientot", "a fan's threat if the team loses"},
}};

bool IsException(std::string_view guard, std::string_view rule) {
  for (const Exception& e : kExceptions) {
    if (e.guard == guard && e.rule == rule) return true;
  }
  return false;
}

struct Sign {
  std::string text;
  std::string rule;
  std::string lang;  // "en", "es", "fr" or "*"
  bool suicide;      // else overdose
};

struct GuardPhrase {
  std::string text;
  std::string id;
  std::string lang;
};

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The data, read as plain JSON: concept terms and the rules.
class Data {
 public:
  Data() {
    doc_.Parse(ReadShippedRiskData().c_str());
    for (const auto& m : doc_["concepts"].GetObject()) {
      const auto& terms = m.value.IsArray() ? m.value : m.value["terms"];
      for (const auto& t : terms.GetArray()) concepts_[m.name.GetString()].emplace_back(t.GetString());
    }
  }
  const rapidjson::Value& rules() const { return doc_["rules"]; }

  // The words of one element as written: alternative `last` or the first;
  // a concept gives its first or last term. "respir*" stands as "respir",
  // "#" and "##" as "30".
  std::string Pick(std::string_view element, bool last) const {
    const std::vector<std::string> alts = Split(element, '|');
    std::string alt = last ? alts.back() : alts.front();
    if (!alt.empty() && alt.front() == '@') {
      const std::vector<std::string>& terms = concepts_.at(alt.substr(1));
      alt = last ? terms.back() : terms.front();
    }
    std::string out;
    for (std::string word : Split(alt, ' ')) {
      if (word.empty()) continue;
      if (word == "#" || word == "##") word = "30";
      if (word.back() == '*') word.pop_back();
      out += (out.empty() ? "" : " ") + word;
    }
    return out;
  }

  std::string Surface(const rapidjson::Value& rule, bool last) const {
    std::string out;
    for (const auto& e : rule["seq"].GetArray()) out += (out.empty() ? "" : " ") + Pick(e.GetString(), last);
    return out;
  }

 private:
  rapidjson::Document doc_;
  std::map<std::string, std::vector<std::string>> concepts_;
};

const Data& ShippedData() {
  static const Data data;
  return data;
}

// First person <-> third person, word by word; the result is kept only if
// it is still a sign on its own.
std::string SwapPerson(const std::string& text) {
  static const std::map<std::string, std::string> kSwap = {
      {"i", "he"},           {"im", "hes"}, {"i'm", "he's"}, {"me", "him"},  {"my", "his"},
      {"myself", "himself"}, {"he", "i"},   {"she", "i"},    {"hes", "im"},  {"he's", "i'm"},
      {"shes", "im"},        {"his", "my"}, {"her", "my"},   {"him", "me"},  {"himself", "myself"},
      {"herself", "myself"}, {"mi", "su"},  {"su", "mi"},    {"yo", "el"},   {"el", "yo"},
      {"je", "il"},          {"il", "je"},  {"elle", "je"},  {"mon", "son"}, {"son", "mon"},
      {"ma", "sa"},          {"sa", "ma"},  {"moi", "lui"},  {"lui", "moi"}, {"se", "me"},
  };
  std::string out;
  bool changed = false;
  for (const std::string& w : Split(text, ' ')) {
    auto it = kSwap.find(w);
    changed = changed || it != kSwap.end();
    out += (out.empty() ? "" : " ") + (it != kSwap.end() ? it->second : w);
  }
  return changed ? out : "";
}

bool Raises(const RiskAssessment& a, bool suicide) { return suicide ? a.suicide : (a.overdose || a.suicide); }

struct Generated {
  std::map<std::string, std::set<std::string>> silences;  // strong guard -> the rules it names
  std::set<std::string> guardable;                        // ids of guardable rules
  std::vector<Sign> signs;
  std::vector<GuardPhrase> guards;
  std::vector<std::string> not_a_sign_alone;  // surface forms the detector does not flag by themselves
};

const Generated& Generate() {
  static const Generated g = [] {
    Generated out;
    const Data& data = ShippedData();
    std::set<std::string> seen;
    for (const auto& r : data.rules().GetArray()) {
      if (r.HasMember("guardable") && r["guardable"].GetBool()) out.guardable.insert(r["id"].GetString());
    }
    for (const auto& r : data.rules().GetArray()) {
      const std::string cls = r["class"].GetString();
      const std::string id = r["id"].GetString();
      const std::string lang = r["lang"].GetString();
      if (cls == "guard") {
        std::set<std::string> silences;
        if (r.HasMember("silences")) {
          for (const auto& s : r["silences"].GetArray()) silences.insert(s.GetString());
        }
        out.silences[id] = silences;
        for (bool last : {false, true}) {
          std::string text = data.Surface(r, last);
          if (!seen.insert(id + "\t" + text).second) continue;
          out.guards.push_back({std::move(text), id, lang});
        }
        continue;
      }
      if ((cls != "overdose" && cls != "suicide") || (r.HasMember("guardable") && r["guardable"].GetBool())) continue;
      const bool suicide = cls == "suicide";
      for (bool last : {false, true}) {
        const std::string text = data.Surface(r, last);
        for (const std::string& form : {text, SwapPerson(text)}) {
          if (form.empty() || !seen.insert(id + "\t" + form).second) continue;
          // A sign on its own, decided by a strong rule (a guardable rule
          // deciding means the form only names the event; a suicide sign
          // that also reads as an overdose is reported under the overdose
          // rule, so there the rule says nothing).
          const RiskAssessment alone = Assess(form);
          const bool by_guardable = out.guardable.count(std::string(alone.rule)) != 0 && !(suicide && alone.overdose);
          if (!Raises(alone, suicide) || by_guardable) {
            if (form == text) out.not_a_sign_alone.push_back(id + ": " + form);
            continue;
          }
          out.signs.push_back({form, id, lang, suicide});
        }
      }
    }
    return out;
  }();
  return g;
}

struct Tally {
  std::size_t combinations = 0;
  std::size_t deliberate = 0;
  std::vector<std::string> misses;
};

// Every sign of `lang` beside every guard phrase that `same_language`
// selects (its own language's, or the others').
Tally Combine(std::string_view lang, bool same_language) {
  const Generated& g = Generate();
  Tally t;
  for (const Sign& s : g.signs) {
    if (s.lang != lang && s.lang != "*") continue;
    for (const GuardPhrase& guard : g.guards) {
      if ((guard.lang == lang) != same_language) continue;
      for (const std::string& m : {s.text + " " + guard.text, guard.text + " " + s.text}) {
        ++t.combinations;
        const RiskAssessment a = Assess(m);
        if (Raises(a, s.suicide)) continue;
        // The guard that spoke may be another one the phrase's words make
        // (the words of en_laughing are en_laughing_cause's too).
        auto named = g.silences.find(std::string(a.guard));
        const bool deliberate =
            (named != g.silences.end() && named->second.count(s.rule) != 0) || IsException(guard.id, s.rule);
        if (same_language && deliberate) {
          ++t.deliberate;
          continue;
        }
        t.misses.push_back("\"" + m + "\" (" + s.rule + " beside " + guard.id + ") -> guard=" + std::string(a.guard) +
                           " overdose=" + std::to_string(a.overdose) + " suicide=" + std::to_string(a.suicide));
      }
    }
  }
  return t;
}

void ExpectNoMiss(std::string_view lang, bool same_language) {
  const Tally t = Combine(lang, same_language);
  std::printf("%s, guards of %s: %zu combinations, %zu deliberate (a strong guard's named cause), %zu misses\n",
              std::string(lang).c_str(), same_language ? "the same language" : "the other languages", t.combinations,
              t.deliberate, t.misses.size());
  EXPECT_GT(t.combinations, 1000u);
  // HELPLINE_PROPERTY_VERBOSE=1 lists every miss, not only the first 60.
  const std::size_t shown = std::getenv("HELPLINE_PROPERTY_VERBOSE") != nullptr ? t.misses.size() : 60;
  for (std::size_t i = 0; i < t.misses.size() && i < shown; ++i) ADD_FAILURE() << t.misses[i];
  EXPECT_TRUE(t.misses.empty()) << t.misses.size() << " signs hidden by a guard beside them";
}

TEST(RiskGuardProperty, EverySignSurvivesEveryGuardOfItsLanguageInEnglish) { ExpectNoMiss("en", true); }
TEST(RiskGuardProperty, EverySignSurvivesEveryGuardOfItsLanguageInSpanish) { ExpectNoMiss("es", true); }
TEST(RiskGuardProperty, EverySignSurvivesEveryGuardOfItsLanguageInFrench) { ExpectNoMiss("fr", true); }
TEST(RiskGuardProperty, NoGuardSilencesASignOfAnotherLanguageInEnglish) { ExpectNoMiss("en", false); }
TEST(RiskGuardProperty, NoGuardSilencesASignOfAnotherLanguageInSpanish) { ExpectNoMiss("es", false); }
TEST(RiskGuardProperty, NoGuardSilencesASignOfAnotherLanguageInFrench) { ExpectNoMiss("fr", false); }

// The generator must find signs and guards in every language, and almost
// every strong rule must yield a surface form that is a sign on its own
// (those that do not are listed: their first and last alternatives are
// fragments, such as a bare subject, that need the rest of a sentence).
TEST(RiskGuardProperty, TheGeneratorCoversEveryLanguage) {
  const Generated& g = Generate();
  for (std::string_view lang : {"en", "es", "fr"}) {
    std::size_t signs = 0, guards = 0;
    for (const Sign& s : g.signs) signs += s.lang == lang;
    for (const GuardPhrase& p : g.guards) guards += p.lang == lang;
    std::printf("%s: %zu sign forms, %zu guard phrases\n", std::string(lang).c_str(), signs, guards);
    EXPECT_GT(signs, 60u) << lang;
    EXPECT_GT(guards, 40u) << lang;
  }
  std::printf("%zu surface forms are not a sign alone:\n", g.not_a_sign_alone.size());
  for (const std::string& s : g.not_a_sign_alone) std::printf("  %s\n", s.c_str());
  EXPECT_LT(g.not_a_sign_alone.size(), g.signs.size() / 10);
}

}  // namespace
}  // namespace helpline::engine
