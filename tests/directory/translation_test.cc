// The shipped directory's translations say the same facts as the English:
// every digit sequence (phone numbers, short codes, ages, hours, counts) and
// every link of a translated description is the English description's, as a
// multiset, and no translation has an empty name or description. A person who
// texts in Spanish or French is given the numbers to call as they are in
// English; a translator's slip in one digit would send them to a stranger.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"
#include "directory/model.h"
#include "directory/validator.h"

namespace helpline::directory {
namespace {

// What a description must keep across languages.
struct Facts {
  std::multiset<std::string> digits;  // maximal runs of ASCII digits: "1-800-662-4357" -> 1, 800, 662, 4357
  std::multiset<std::string> links;   // "suicide.ca", "https://dorsapp.ca", "findtreatment.gov/locator"
  bool operator==(const Facts&) const = default;
};

bool IsHostChar(char c) { return ascii::IsAlnum(c) || c == '-'; }

// A link: an optional http(s) scheme, a host of two or more labels whose last
// label is two or more lowercase letters ("naloxonetexas.com", not "U.S" or
// "C.-B"), and an optional path.
bool IsLink(std::string_view token) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (token.starts_with(scheme)) token.remove_prefix(scheme.size());
  }
  const std::string_view host = token.substr(0, token.find('/'));
  const std::size_t last_dot = host.rfind('.');
  if (last_dot == std::string_view::npos || last_dot == 0) return false;
  for (char c : host) {
    if (!IsHostChar(c) && c != '.') return false;
  }
  if (host.find("..") != std::string_view::npos) return false;
  const std::string_view tld = host.substr(last_dot + 1);
  if (tld.size() < 2) return false;
  for (char c : tld) {
    if (!ascii::IsLower(c)) return false;
  }
  return true;
}

Facts FactsOf(std::string_view text) {
  Facts facts;
  for (std::size_t i = 0; i < text.size();) {
    if (!ascii::IsDigit(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && ascii::IsDigit(text[end])) ++end;
    facts.digits.emplace(text.substr(i, end - i));
    i = end;
  }
  // Links are whitespace-separated tokens, less the punctuation of the
  // sentence around them ("(suicide.ca)", "naloxonetexas.com.").
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t end = std::min(text.find(' ', i), text.size());
    std::string_view token = text.substr(i, end - i);
    i = end + 1;
    while (!token.empty() && !ascii::IsAlnum(token.front())) token.remove_prefix(1);
    while (!token.empty() && !ascii::IsAlnum(token.back()) && token.back() != '/') token.remove_suffix(1);
    if (IsLink(token)) facts.links.emplace(token);
  }
  return facts;
}

std::string Show(const std::multiset<std::string>& items) {
  std::string out = "{";
  for (const std::string& s : items) out += (out.size() > 1 ? " " : "") + s;
  return out + "}";
}

const std::vector<Resource>& ShippedResources() {
  static const std::vector<Resource> resources = [] {
    const ValidationReport report = Validator().ValidatePaths({std::string(HELPLINE_SOURCE_DIR) + "/data/directory"});
    EXPECT_TRUE(report.ok()) << "the shipped directory does not validate";
    return report.resources;
  }();
  return resources;
}

TEST(TranslationFacts, DigitRunsAndLinksAreFoundInASentence) {
  const Facts facts = FactsOf("Call 1-800-662-4357 or text HOME to 741741, 24/7 (see https://988lifeline.org/chat).");
  EXPECT_EQ(Show(facts.digits), "{1 24 4357 662 7 741741 800 988}");
  EXPECT_EQ(Show(facts.links), "{https://988lifeline.org/chat}");
  EXPECT_EQ(Show(FactsOf("Chat at suicide.ca. Not in the U.S., nor in C.-B. or T.N.-O., e.g. here.").links),
            "{suicide.ca}");
}

TEST(TranslationFacts, TheSameNumbersInOtherWordsAreTheSameFacts) {
  EXPECT_EQ(FactsOf("Text HOME to 741741 for crisis support by text, 24/7."),
            FactsOf("Envoyez HOME au 741741 pour du soutien en situation de crise par texto, 24/7."));
  EXPECT_EQ(FactsOf("Find free naloxone near you, or have it mailed free via naloxonetexas.com."),
            FactsOf("Trouvez de la naloxone gratuite (ou recevez-la par la poste via naloxonetexas.com)."));
}

TEST(TranslationFacts, AChangedDroppedOrAddedNumberOrLinkIsAMismatch) {
  const Facts english = FactsOf("Call 1-800-662-4357 any time. Veterans press 1 or text 838255. See suicide.ca.");
  EXPECT_NE(english,
            FactsOf("Llame al 1-800-662-4375 a cualquier hora. Veteranos: marque 1 o envíe 838255. suicide.ca."));
  EXPECT_NE(english, FactsOf("Llame al 1-800-662-4357 a cualquier hora. Veteranos: marque 1. Vea suicide.ca."));
  EXPECT_NE(english, FactsOf("Appelez le 1-800-662-4357 24/7. Vétérans : faites le 1 ou texto 838255. suicide.ca."));
  EXPECT_NE(english, FactsOf("Appelez le 1-800-662-4357. Vétérans : faites le 1 ou texto 838255. Voir suicide.qc.ca."));
}

TEST(ShippedTranslations, EveryTranslatedDescriptionKeepsTheEnglishNumbersAndLinks) {
  std::size_t checked = 0;
  for (const Resource& r : ShippedResources()) {
    const Facts english = FactsOf(r.description);
    for (const auto& [lang, t] : r.translations) {
      ++checked;
      const Facts translated = FactsOf(t.description);
      EXPECT_EQ(english.digits, translated.digits)
          << r.id << " (" << lang << "): digits " << Show(translated.digits) << ", English has " << Show(english.digits)
          << "\n  en: " << r.description << "\n  " << lang << ": " << t.description;
      EXPECT_EQ(english.links, translated.links)
          << r.id << " (" << lang << "): links " << Show(translated.links) << ", English has " << Show(english.links)
          << "\n  en: " << r.description << "\n  " << lang << ": " << t.description;
    }
  }
  EXPECT_GT(checked, 0u) << "no translations found in the shipped directory";
}

TEST(ShippedTranslations, EveryTranslationHasANameAndADescription) {
  for (const Resource& r : ShippedResources()) {
    for (const auto& [lang, t] : r.translations) {
      EXPECT_FALSE(t.name.empty()) << r.id << " (" << lang << "): empty name";
      EXPECT_FALSE(t.description.empty()) << r.id << " (" << lang << "): empty description";
    }
  }
}

}  // namespace
}  // namespace helpline::directory
