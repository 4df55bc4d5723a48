#pragma once
// Postal codes -> region: US ZIP codes and Canadian postal codes, mapped to
// ISO 3166-2 codes ("US-TX", "CA-BC") as directory/regions.h knows them.
//
//   StateForZip("90210")               == "US-CA"
//   StateForZip("05501-1234")          == "US-MA"  // 055 is Andover, MA, inside Vermont's 05x
//   StateForZip("09001")               == nullopt  // military mail (APO/FPO) has no state
//   ProvinceForPostalCode("v6b 1a1")   == "CA-BC"
//   ProvinceForPostalCode("X0A")       == "CA-NU"  // a forward sortation area alone is enough
//
// A postal code is the most precise thing a person can text us, so both
// functions only answer for well-formed input and never guess: anything else
// is nullopt, never an error or an exception.
//
// The tables are compiled in (see postal_codes.cc for their sources); lookups
// are O(1), allocate nothing and do no I/O. All functions are pure and
// thread-safe. Returned views point at static storage and never dangle.

#include <optional>
#include <string_view>

namespace helpline::engine {

// True for the shapes of a ZIP code: "90210", "90210-1234" (ZIP+4) or
// "902101234" (ZIP+4 without the hyphen). ASCII digits only; no spaces.
bool LooksLikeZip(std::string_view s);

// The state, DC or territory of a ZIP code in one of the LooksLikeZip shapes,
// from its first three digits (the USPS 3-digit prefix) plus a few 5-digit
// exceptions where one prefix serves several places (969: Guam, the Northern
// Mariana Islands and the freely associated states; 96799: American Samoa).
// nullopt for malformed input, military prefixes (090-098 AE, 340 AA, 962-966
// AP), unassigned prefixes, and ZIPs of Palau, Micronesia and the Marshall
// Islands, which use US ZIPs but are not US regions.
std::optional<std::string_view> StateForZip(std::string_view zip);

// True for a well-formed Canadian postal code or forward sortation area,
// case-insensitive: "V6B 1A1", "v6b1a1", "V6B-1A1" or "V6B". The shape is
// letter-digit-letter, then optionally one separator (' ' or '-') and
// digit-letter-digit. D, F, I, O, Q and U never appear; W and Z never lead.
bool LooksLikePostalCode(std::string_view s);

// The province or territory of a postal code (LooksLikePostalCode shapes),
// from its first letter; X is Nunavut for X0A, X0B and X0C and the Northwest
// Territories otherwise. nullopt for anything else.
std::optional<std::string_view> ProvinceForPostalCode(std::string_view code);

}  // namespace helpline::engine
