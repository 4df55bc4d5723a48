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

// Two-letter codes that are also everyday words in English, Spanish or French.
// Never a region: ME (me), IN, OR, HI, OK, OH, ID, AS, DE, LA.
constexpr std::array<std::string_view, 10> kNeverCodes = {"me", "in", "or", "hi", "ok", "oh", "id", "as", "de", "la"};
// Regions only when typed in capitals: "help PA" yes, "pa" no.
constexpr std::array<std::string_view, 18> kCapitalsOnly = {"pa", "al", "co", "ma", "mi", "mo", "ne", "on", "va",
                                                            "ms", "nb", "ga", "il", "nu", "vi", "ca", "ar", "pe"};

bool In(std::string_view s, const auto& list) { return std::find(list.begin(), list.end(), s) != list.end(); }

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
  // 2. Names, longest first: "british columbia", "nouveau brunswick", "texas".
  for (std::size_t n = 4; n >= 1; --n) {
    for (std::size_t i = 0; i + n <= tokens.size(); ++i) {
      bool free = true;
      std::string phrase;
      for (std::size_t k = i; k < i + n && free; ++k) {
        free = !used[k] && !tokens[k].digits;
        if (!phrase.empty()) phrase += ' ';
        phrase += tokens[k].text;
      }
      if (!free || phrase.size() < 3) continue;
      if (const auto* r = FindRegionByName(phrase)) {
        for (std::size_t k = i; k < i + n; ++k) used[k] = true;
        return std::string(r->code);
      }
      if (auto place = RegionForPlace(phrase)) {  // "vancouver", "new york city"
        for (std::size_t k = i; k < i + n; ++k) used[k] = true;
        return std::string(*place);
      }
    }
  }
  // 3. Two-letter codes.
  bool message_all_caps = std::all_of(tokens.begin(), tokens.end(), [](const Token& t) { return t.upper || t.digits; });
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& tok = tokens[i];
    if (used[i] || tok.text.size() != 2 || tok.digits || In(tok.text, kNeverCodes)) continue;
    if (In(tok.text, kCapitalsOnly) && !(tok.upper && (!message_all_caps || tokens.size() <= 4))) continue;
    if (tok.text == "ca") {
      used[i] = true;
      return sender_country == "CA" ? std::string("CA") : std::string("US-CA");
    }
    if (auto code = SubdivisionForCode(tok.text)) {
      used[i] = true;
      return code;
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
