#pragma once
// Where is the person? Resolution order (first that answers wins):
//   1. stated in the message: a US ZIP code (ZIP-prefix table), a Canadian
//      postal code or its first three characters, a state or province name in
//      English, French or Spanish ("Colombie-Britannique"), a major city
//      ("Vancouver", "Houston"; see places.h), or its code ("BC",
//      "TX"; ambiguous codes that are also common words, such as ME, IN, OR,
//      OK, only count when written in capitals, or never);
//   2. remembered for this sender;
//   3. the provider's hints (Twilio FromState / FromZip / FromCountry);
//   4. the sender's number: NANP area code -> state or province;
//   5. the sender's country (a +1 area code's country);
//   6. the configured default region.
// "CA" alone is California or Canada: Canada when the sender's country
// (from hints or number) is Canada, California otherwise.
//
// Thread-safety: immutable after construction; all methods const.

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
};

class RegionResolver {
 public:
  explicit RegionResolver(std::string default_region = "US");

  // A region stated in the message; marks the tokens it used in `used`.
  // `sender_country` ("US", "CA" or "") settles "CA".
  std::optional<std::string> FromMessage(const std::vector<Token>& tokens, std::vector<bool>& used,
                                         std::string_view sender_country) const;

  // The sender's country from hints or number ("US", "CA"), or "".
  std::string_view SenderCountry(std::string_view from_e164, const ProviderHints& hints) const;

  // Steps 2 to 6 for a message that states no region.
  ResolvedRegion Fallback(std::string_view remembered, std::string_view from_e164, const ProviderHints& hints) const;

  const std::string& default_region() const { return default_region_; }

 private:
  std::string default_region_;
};

}  // namespace helpline::engine
