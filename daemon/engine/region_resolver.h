#pragma once
// Where is the person? Resolution order (first that answers wins):
//   1. stated in the message: a US ZIP code (ZIP-prefix table), a Canadian
//      postal code or its first three characters, a state or province name in
//      English, French or Spanish or a short form people text ("Colombie
//      Britannique", "Nuevo Mexico", "PEI", "Nfld", "Calif."; see
//      directory/regions.h), a city ("Vancouver", "Houston", "St. John's";
//      see places.h), or its code ("BC", "TX", "N.B."). A city followed by
//      its state is in that state ("Portland, Maine", "Vancouver WA",
//      "Springfield IL"). A city whose name is also a first name or word
//      (Phoenix, Austin, Madison) counts only where a place is plainly
//      meant: after "in", "near", "en", "cerca de", "près de"..., or beside
//      nothing but keywords ("HELP AUSTIN"); "my son austin" is a son. A
//      city the curated list lacks may come from a gazetteer
//      (FromCityList: the engine's data/geo cities), after a locative word
//      or as the whole message only ("narcan in Compton", "Inglewood").
//      Names and codes that are also everyday words only
//      count written in capitals ("MASS", "PA"), or never ("man", "miss",
//      "ill", "me", "in", "la", "ok"); see region_resolver.cc. A street,
//      county or lake named after a place is not that place ("Michigan Ave",
//      "Orange County", "Lake Erie");
//   2. remembered for this sender;
//   3. the provider's hints (Twilio FromState / FromZip / FromCountry);
//   4. the sender's number: NANP area code -> state or province; an area
//      code shared by several provinces or territories (902 and 782: Nova
//      Scotia and PEI; 867: the three territories) gives the country and the
//      candidates, never a guess;
//   5. the sender's country (a +1 area code's country);
//   6. the configured default region.
// "CA" alone is California or Canada: Canada when the sender's country
// (from hints or number) is Canada, California otherwise.
//
//   RegionResolver resolver("US");
//   std::vector<Token> tokens = Tokenize("narcan in Halifax");
//   std::vector<bool> used(tokens.size());
//   resolver.FromMessage(tokens, used, "CA");                 // "CA-NS"
//   resolver.Fallback("", "+19025550123", {});                // {"CA", kNumber, {"CA-NS", "CA-PE"}}
//
// Thread-safety: immutable after construction; all methods const.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/text_normalize.h"

namespace helpline::engine {

enum class RegionSource { kMessage, kRemembered, kProviderHint, kNumber, kCountry, kDefault };
std::string_view RegionSourceName(RegionSource s);  // "message", "remembered", ...

struct ProviderHints {
  std::string from_state;    // Twilio FromState: "BC", "TX", or a name
  std::string from_zip;      // Twilio FromZip: "90210" or "V6B 1A1"
  std::string from_country;  // Twilio FromCountry: "US", "CA"
  std::string language;      // the sender's app language ("es", "fr-CA"), a hint only
};

struct ResolvedRegion {
  std::string code;  // ISO 3166-2 ("CA-BC") or a country ("US")
  RegionSource source = RegionSource::kDefault;
  // The regions the person may be in when all we know is an area code that
  // several share: source kNumber, code the country ("CA"), and here the
  // provinces or territories, sorted ({"CA-NS", "CA-PE"} for 902 and 782;
  // {"CA-NT", "CA-NU", "CA-YT"} for 867). The reply should ask which one;
  // until the person says, `code` (the country) is what to look up. Empty
  // whenever the region is known or nothing narrows it.
  std::vector<std::string> candidates = {};  // "= {}" keeps {code, source} initializers warning-free

  bool operator==(const ResolvedRegion&) const = default;
};

class RegionResolver {
 public:
  explicit RegionResolver(std::string default_region = "US");

  // A region stated in the message; marks the tokens it used in `used`.
  // `sender_country` ("US", "CA" or "") settles "CA".
  std::optional<std::string> FromMessage(const std::vector<Token>& tokens, std::vector<bool>& used,
                                         std::string_view sender_country) const;

  // A city the curated list (places.h) lacks, from a gazetteer: `lookup`
  // gives the region of a folded name ("compton" -> "US-CA"), or nothing
  // (unknown, shared, or a word people text). Read only where a place is
  // plainly meant: right after a locative word ("narcan in compton", "ayuda
  // en pomona", "cerca de ..."), or as the whole message (`alone`: the
  // lookup may ask more of it). For a message FromMessage found no region
  // in; marks the tokens it used.
  using CityLookup = std::function<std::optional<std::string>(std::string_view folded_name, bool alone)>;
  std::optional<std::string> FromCityList(const std::vector<Token>& tokens, std::vector<bool>& used,
                                          const CityLookup& lookup) const;

  // The sender's country from hints or number ("US", "CA"), or "".
  std::string_view SenderCountry(std::string_view from_e164, const ProviderHints& hints) const;

  // Steps 2 to 6 for a message that states no region. `candidates` is set
  // only by step 4, for a shared area code.
  ResolvedRegion Fallback(std::string_view remembered, std::string_view from_e164, const ProviderHints& hints) const;

  const std::string& default_region() const { return default_region_; }

 private:
  std::string default_region_;
};

}  // namespace helpline::engine
