#include "daemon/engine/region_resolver.h"

#include <algorithm>
#include <array>

#include "daemon/engine/area_codes.h"
#include "daemon/engine/places.h"
#include "daemon/engine/postal_codes.h"
#include "directory/regions.h"

namespace helpline::engine {
namespace {

using directory::FindRegion;
using directory::FindRegionByName;

bool In(std::string_view s, const auto& list) { return std::find(list.begin(), list.end(), s) != list.end(); }

// Two-letter codes that are also everyday words in English, Spanish or French.
// Never a region: ME (me), IN, OR, HI, OK, OH, ID, AS, DE, LA.
constexpr std::array<std::string_view, 10> kNeverCodes = {"me", "in", "or", "hi", "ok", "oh", "id", "as", "de", "la"};
// Regions only when typed in capitals: "help PA" yes, "pa" no.
constexpr std::array<std::string_view, 18> kCapitalsOnly = {"pa", "al", "co", "ma", "mi", "mo", "ne", "on", "va",
                                                            "ms", "nb", "ga", "il", "nu", "vi", "ca", "ar", "pe"};

// ("tx", "US") -> "US-TX" when that region exists; `two` is a folded two-letter token.
std::optional<std::string> CodeInCountry(std::string_view two, std::string_view country) {
  std::string code(country);
  code += '-';
  code += static_cast<char>(two[0] - 'a' + 'A');
  code += static_cast<char>(two[1] - 'a' + 'A');
  if (FindRegion(code) != nullptr) return code;
  return std::nullopt;
}

// "tx" -> "US-TX", "bc" -> "CA-BC"; nullopt for anything else. "ca" is handled by the caller.
std::optional<std::string> SubdivisionForCode(std::string_view two) {
  for (std::string_view country : {"US", "CA"}) {
    if (auto code = CodeInCountry(two, country)) return code;
  }
  return std::nullopt;
}

bool IsLetter(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "v6b" (a forward sortation area's shape).
bool LooksLikeFsa(std::string_view t) { return t.size() == 3 && IsLetter(t[0]) && IsDigit(t[1]) && IsLetter(t[2]); }
// "1a1" (a local delivery unit's shape).
bool LooksLikeLdu(std::string_view t) { return t.size() == 3 && IsDigit(t[0]) && IsLetter(t[1]) && IsDigit(t[2]); }

// Words around a name that make it a street, a county, a lake or a river
// rather than where the person is: "Michigan Ave", "Orange County",
// "Montgomery County", "rue Ontario", "Lake Erie", "Ohio River".
constexpr std::array<std::string_view, 19> kWordsAfterNotAPlace = {
    "county", "parish", "borough",   "township", "twp",   "street", "st",      "avenue", "ave",  "av",
    "road",   "rd",     "boulevard", "blvd",     "drive", "dr",     "highway", "hwy",    "river"};
constexpr std::array<std::string_view, 13> kWordsBeforeNotAPlace = {
    "rue", "calle", "avenida", "avenue", "av", "boulevard", "blvd", "chemin", "lake", "lac", "lago", "mount", "mt"};

// Words right before a two-letter code that make it a noun, not a place:
// articles and possessives ("de la MD", "my MD", "un MD").
constexpr std::array<std::string_view, 18> kArticlesBeforeANoun = {
    "a", "an", "my", "his", "her", "la", "le", "les", "du", "des", "el", "las", "los", "un", "una", "une", "mon", "ma"};

// Words right before a name that say a place is meant: "in phoenix", "near
// austin", "en orlando", "dans ...". Not "to", "from" or "a" (French "à"
// folded): "talked to madison", "a text from austin", "like a phoenix".
constexpr std::array<std::string_view, 8> kWordsBeforeAPlace = {"in", "near", "around", "outside",
                                                                "en", "dans", "vers",   "hacia"};
// "cerca de phoenix", "près de madison", "alrededor de ...": the word before "de".
constexpr std::array<std::string_view, 4> kWordsBeforeDeAPlace = {"cerca", "pres", "alrededor", "proche"};

// The message as the rules for capitals see it.
struct Message {
  const std::vector<Token>& tokens;
  std::vector<bool>& used;
  std::string_view sender_country;
  bool all_caps = false;  // every word in capitals: capitals then tell nothing

  // Tokens [i, i + n) were written in capitals, and capitals mean something
  // here: in a long message written all in capitals they do not ("I MISS MY
  // MOM IN MASS" is shouting), in a short one ("HELP PA") they do.
  bool InCapitals(std::size_t i, std::size_t n) const {
    for (std::size_t k = i; k < i + n; ++k) {
      if (!tokens[k].upper) return false;
    }
    return !all_caps || tokens.size() <= 4;
  }
  bool Free(std::size_t i, std::size_t n) const {
    if (i + n > tokens.size()) return false;
    for (std::size_t k = i; k < i + n; ++k) {
      if (used[k] || tokens[k].digits) return false;
    }
    return true;
  }
  void Use(std::size_t i, std::size_t n) {
    for (std::size_t k = i; k < i + n; ++k) used[k] = true;
  }
  // Tokens [i, i + n) name a street, county, lake or river.
  bool NamesAStreetOrCounty(std::size_t i, std::size_t n) const {
    return (i + n < tokens.size() && In(tokens[i + n].text, kWordsAfterNotAPlace)) ||
           (i > 0 && In(tokens[i - 1].text, kWordsBeforeNotAPlace));
  }
  // Tokens [i, i + n) are meant as a place by the words around them: a
  // locative word right before ("in", "near", "en", "cerca de"), or nothing
  // in the message but keywords besides ("NARCAN PHOENIX").
  bool MeantAsAPlace(std::size_t i, std::size_t n) const {
    if (AfterALocative(i)) return true;
    for (std::size_t k = 0; k < tokens.size(); ++k) {
      if ((k < i || k >= i + n) && !used[k]) return false;
    }
    return i > 0 || i + n < tokens.size();  // a name alone is not a request
  }
  // A locative word right before token i ("in", "near", "en", "cerca de").
  bool AfterALocative(std::size_t i) const {
    return (i > 0 && In(tokens[i - 1].text, kWordsBeforeAPlace)) ||
           (i > 1 && tokens[i - 1].text == "de" && In(tokens[i - 2].text, kWordsBeforeDeAPlace));
  }
  std::string Phrase(std::size_t i, std::size_t n) const {
    std::string phrase;
    for (std::size_t k = i; k < i + n; ++k) {
      if (!phrase.empty()) phrase += ' ';
      phrase += tokens[k].text;
    }
    return phrase;
  }
};

// A region name (not a city) at tokens [i, i + n), read with its NameUse;
// `any_use` reads every name ("Ont." after "London").
std::optional<std::string> RegionNameAt(const Message& m, std::size_t i, std::size_t n, bool any_use = false) {
  const std::string phrase = m.Phrase(i, n);
  if (phrase.size() < 3) return std::nullopt;  // two letters are a code, read below
  const auto match = directory::MatchRegionName(phrase);
  if (!match) return std::nullopt;
  if (match->region->code == directory::kEverywhere) return std::nullopt;  // "everywhere" is nowhere
  if (!any_use) {
    switch (match->use) {
      case directory::NameUse::kAnywhere: break;
      case directory::NameUse::kCapitalsOnly:
        if (!m.InCapitals(i, n)) return std::nullopt;
        break;
      case directory::NameUse::kNotInText: return std::nullopt;
    }
  }
  return std::string(match->region->code);
}

// A two-letter code ("tx", "on") as the region it names for this sender;
// "ca" is Canada for a Canadian sender and California otherwise.
std::optional<std::string> RegionForCode(std::string_view two, std::string_view sender_country) {
  if (two == "ca") return sender_country == "CA" ? std::string("CA") : std::string("US-CA");
  return SubdivisionForCode(two);
}

// Whether a code at tokens [i, i + n) (one token, or two one-letter
// initials: "N.B.") counts. Codes that are everyday words ("me", "in", "or",
// "la", "de") never count alone; right after a city they count in capitals
// ("Portland ME", "Boise ID"). Codes that are words in some language ("pa",
// "on", "va", "mi": "en Houston mi hijo", "à Montréal on a") count only in
// capitals, after a city too. Initials count only in capitals ("N.Y.", not
// "plan a b").
bool CodeCounts(const Message& m, std::string_view two, std::size_t i, std::size_t n, bool after_a_city) {
  // After an article or a possessive a code is a noun: "de la MD" (MDMA),
  // "my MD", "un MD" (a doctor). Not after "the": "the DC area".
  if (i > 0 && !after_a_city && In(m.tokens[i - 1].text, kArticlesBeforeANoun)) return false;
  const bool restricted = In(two, kNeverCodes) || In(two, kCapitalsOnly) || n == 2;
  if (!restricted) return true;
  if (!m.InCapitals(i, n)) return false;
  return !In(two, kNeverCodes) || after_a_city;
}

// The code at token i: a two-letter token, or two one-letter tokens ("N.B."
// is "n", "b"). Sets `n` to the number of tokens it takes.
std::optional<std::string> CodeAt(const Message& m, std::size_t i, std::size_t& n) {
  const auto is_initial = [&m](std::size_t k) {
    return k < m.tokens.size() && m.tokens[k].text.size() == 1 && !m.tokens[k].digits;
  };
  if (m.Free(i, 1) && m.tokens[i].text.size() == 2) {
    n = 1;
    return m.tokens[i].text;
  }
  // Exactly two initials: "N.Y." yes, "P.E.I." is a name, "U.S.A." too.
  if (m.Free(i, 2) && is_initial(i) && is_initial(i + 1) && !is_initial(i + 2) && (i == 0 || !is_initial(i - 1))) {
    n = 2;
    return m.tokens[i].text + m.tokens[i + 1].text;
  }
  return std::nullopt;
}

// A state or province written right after a city: "Portland, Maine",
// "Vancouver WA", "Springfield IL", "Kansas City, Kansas", "London, Ont.".
// After a shared name (`shared`), which alone said nothing, every name counts
// as written, the abbreviations that are words too ("Springfield, Ill.",
// "Kingston, Ont."); codes follow CodeCounts either way. Marks its tokens.
std::optional<std::string> StatedAfterCity(Message& m, std::size_t j, bool shared) {
  for (std::size_t n = 4; n >= 1; --n) {
    if (!m.Free(j, n)) continue;
    if (auto region = RegionNameAt(m, j, n, /*any_use=*/shared)) {
      m.Use(j, n);
      return region;
    }
  }
  std::size_t n = 0;
  if (auto two = CodeAt(m, j, n); two && CodeCounts(m, *two, j, n, /*after_a_city=*/true)) {
    if (auto region = RegionForCode(*two, m.sender_country)) {
      m.Use(j, n);
      return region;
    }
  }
  return std::nullopt;
}

std::optional<std::string> FromHintState(std::string_view state, std::string_view country) {
  if (state.empty()) return std::nullopt;
  std::vector<Token> t = Tokenize(state);
  if (t.size() == 1 && t[0].text.size() == 2) return CodeInCountry(t[0].text, country.empty() ? "US" : country);
  if (const auto* r = FindRegionByName(state)) return std::string(r->code);
  return std::nullopt;
}

}  // namespace

std::string_view RegionSourceName(RegionSource s) {
  switch (s) {
    case RegionSource::kMessage: return "message";
    case RegionSource::kRemembered: return "remembered";
    case RegionSource::kProviderHint: return "provider_hint";
    case RegionSource::kNumber: return "number";
    case RegionSource::kCountry: return "country";
    case RegionSource::kDefault: return "default";
  }
  return "default";
}

RegionResolver::RegionResolver(std::string default_region) : default_region_(std::move(default_region)) {}

std::optional<std::string> RegionResolver::FromMessage(const std::vector<Token>& tokens, std::vector<bool>& used,
                                                       std::string_view sender_country) const {
  // 1. Postal codes: the most specific thing a person can type.
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (used[i]) continue;
    const std::string& t = tokens[i].text;
    if (tokens[i].digits && (t.size() == 5 || t.size() == 9)) {
      if (auto state = StateForZip(t)) {
        used[i] = true;
        if (i + 1 < tokens.size() && tokens[i + 1].digits && tokens[i + 1].text.size() == 4) used[i + 1] = true;
        return std::string(*state);
      }
    }
    if (LooksLikeFsa(t) || (t.size() == 6 && LooksLikeFsa(t.substr(0, 3)) && LooksLikeLdu(t.substr(3)))) {
      if (auto province = ProvinceForPostalCode(t)) {
        used[i] = true;
        if (t.size() == 3 && i + 1 < tokens.size() && LooksLikeLdu(tokens[i + 1].text)) used[i + 1] = true;
        return std::string(*province);
      }
    }
  }
  // 2. Names and cities, longest first: "british columbia", "nouveau
  // brunswick", "new york city", "texas". A city followed by a state or
  // province is in that one ("Portland, Maine"); a name several cities share
  // counts only so ("Springfield IL").
  Message m{tokens, used, sender_country,
            std::all_of(tokens.begin(), tokens.end(), [](const Token& t) { return t.upper || t.digits; })};
  for (std::size_t n = 4; n >= 1; --n) {
    for (std::size_t i = 0; i + n <= tokens.size(); ++i) {
      if (!m.Free(i, n) || m.NamesAStreetOrCounty(i, n)) continue;
      if (auto region = RegionNameAt(m, i, n)) {
        m.Use(i, n);
        return region;
      }
      const std::string phrase = m.Phrase(i, n);
      const auto place = RegionForPlace(phrase);  // "vancouver", "new york city"
      if (!place && !IsSharedPlaceName(phrase)) {
        // "rehab in austin", "HELP PHOENIX"; not "my son austin" (places.cc, rule 5).
        const auto word_like = RegionForWordLikePlace(phrase);
        if (!word_like || !m.MeantAsAPlace(i, n)) continue;
        m.Use(i, n);
        if (auto stated = StatedAfterCity(m, i + n, /*shared=*/false)) return stated;
        return std::string(*word_like);
      }
      m.Use(i, n);
      if (auto stated = StatedAfterCity(m, i + n, /*shared=*/!place)) return stated;
      if (place) return std::string(*place);
      for (std::size_t k = i; k < i + n; ++k) used[k] = false;  // "springfield" alone says nothing
    }
  }
  // 3. Two-letter codes, and two initials ("N.B.", "D.C.").
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::size_t n = 0;
    const auto two = CodeAt(m, i, n);
    if (!two || !CodeCounts(m, *two, i, n, /*after_a_city=*/false)) continue;
    if (auto region = RegionForCode(*two, sender_country)) {
      m.Use(i, n);
      return region;
    }
  }
  return std::nullopt;
}

std::optional<std::string> RegionResolver::FromCityList(const std::vector<Token>& tokens, std::vector<bool>& used,
                                                        const CityLookup& lookup) const {
  Message m{tokens, used, "", false};
  for (std::size_t n = 3; n >= 1; --n) {
    for (std::size_t i = 0; i + n <= tokens.size(); ++i) {
      const bool alone = i == 0 && n == tokens.size();
      if (!m.Free(i, n) || !(alone || m.AfterALocative(i)) || m.NamesAStreetOrCounty(i, n)) continue;
      if (auto region = lookup(m.Phrase(i, n), alone)) {
        m.Use(i, n);
        return region;
      }
    }
  }
  return std::nullopt;
}

std::string_view RegionResolver::SenderCountry(std::string_view from_e164, const ProviderHints& hints) const {
  if (hints.from_country == "US" || hints.from_country == "CA") return hints.from_country;
  if (auto npa = NanpAreaCode(from_e164)) {
    if (auto country = CountryForAreaCode(*npa)) return *country;
  }
  return {};
}

ResolvedRegion RegionResolver::Fallback(std::string_view remembered, std::string_view from_e164,
                                        const ProviderHints& hints) const {
  if (!remembered.empty() && FindRegion(remembered) != nullptr) {
    return {std::string(remembered), RegionSource::kRemembered};
  }
  const std::string_view hint_country =
      (hints.from_country == "US" || hints.from_country == "CA") ? std::string_view(hints.from_country) : "";
  if (!hints.from_zip.empty()) {
    if (auto state = StateForZip(hints.from_zip)) return {std::string(*state), RegionSource::kProviderHint};
    if (auto province = ProvinceForPostalCode(hints.from_zip)) {
      return {std::string(*province), RegionSource::kProviderHint};
    }
  }
  if (auto state = FromHintState(hints.from_state, hint_country)) return {*state, RegionSource::kProviderHint};
  if (auto region = RegionForNumber(from_e164)) return {std::string(*region), RegionSource::kNumber};
  if (auto npa = NanpAreaCode(from_e164)) {
    // 902, 782, 867: the number says Canada and which provinces, not which one.
    if (const auto regions = RegionsForAreaCode(*npa); regions.size() > 1) {
      ResolvedRegion shared{std::string(*CountryForAreaCode(*npa)), RegionSource::kNumber, {}};
      for (std::string_view r : regions) shared.candidates.emplace_back(r);
      return shared;
    }
  }
  if (!hint_country.empty()) return {std::string(hint_country), RegionSource::kProviderHint};
  if (auto npa = NanpAreaCode(from_e164)) {
    if (auto country = CountryForAreaCode(*npa)) return {std::string(*country), RegionSource::kCountry};
  }
  return {default_region_, RegionSource::kDefault};
}

}  // namespace helpline::engine
