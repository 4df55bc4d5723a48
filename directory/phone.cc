// PhoneBook: phone numbers and short codes of the directory, validated and
// normalized with libphonenumber (see phone.h).
//
// Order of checks in Normalize, and why:
//   1. the channel kind and the country, so that every later message can
//      name a country libphonenumber knows;
//   2. NANP short codes by rule (N11, 988, 5-6 digit common short codes),
//      because libphonenumber's short-number metadata does not know every
//      common short code (435748 is unknown for CA in 8.12.57), then anything
//      else ShortNumberInfo accepts for the country;
//   3. a full number: Parse (which also converts vanity letters), then
//      IsValidNumberForRegion. libphonenumber counts toll-free 8XX numbers as
//      valid for both US and CA; numbers of the US territories (PR, VI, GU,
//      AS, MP) have their own region there and are accepted for US too.
// libphonenumber is slow in Debian's build (ICU regexes): this is for
// loading and validating the directory, not for each message. FormatFor has
// a fast path for the common case (+1 number, NANP reader).

#include "directory/phone.h"

#include <phonenumbers/phonenumberutil.h>
#include <phonenumbers/shortnumberinfo.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "common/ascii.h"

namespace helpline::directory {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using i18n::phonenumbers::ShortNumberInfo;

// Longer input is not a phone number; this also bounds the work done and the
// size of error messages.
constexpr std::size_t kMaxRawBytes = 64;

const PhoneNumberUtil& Util() { return *PhoneNumberUtil::GetInstance(); }

// Loads its metadata once; immutable afterwards (its regex cache is locked).
const ShortNumberInfo& ShortNumbers() {
  static const ShortNumberInfo info;
  return info;
}

using ascii::IsDigit;

bool IsNanpShortCodeCountry(std::string_view country) { return country == "US" || country == "CA"; }

// N11 service codes (211 ... 911) and 988.
bool IsNanpServiceCode(std::string_view digits) {
  if (digits == "988") return true;
  return digits.size() == 3 && digits[0] >= '2' && digits[1] == '1' && digits[2] == '1';
}

// CTIA/CWTA common short codes: 5 or 6 digits, not starting with 0 or 1.
bool IsNanpCommonShortCode(std::string_view digits) {
  return (digits.size() == 5 || digits.size() == 6) && digits[0] >= '2';
}

// `raw` without spaces and dashes, if what remains is 3-6 digits or letters
// (letters spell a short code: ALERTS = 253787); empty otherwise.
std::string ShortCodeCandidate(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (c == ' ' || c == '-') continue;
    if (!IsDigit(c) && !ascii::IsAlpha(c)) return {};
    if (out.size() == 6) return {};
    out.push_back(c);
  }
  if (out.size() < 3) return {};
  return out;
}

// A 2-letter region code libphonenumber has metadata for.
bool IsKnownCountry(std::string_view country) {
  if (country.size() != 2 ||
      !std::all_of(country.begin(), country.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return false;
  }
  return Util().GetCountryCodeForRegion(std::string(country)) != 0;
}

// The US territories that libphonenumber treats as regions of their own but
// the directory places under US (US-PR, US-VI, ...).
bool IsValidForUsTerritory(const PhoneNumber& number) {
  static constexpr std::array<const char*, 5> kTerritories = {"PR", "VI", "GU", "AS", "MP"};
  return std::any_of(kTerritories.begin(), kTerritories.end(),
                     [&](const char* region) { return Util().IsValidNumberForRegion(number, region); });
}

std::string_view CallWord(ChannelKind kind) { return kind == ChannelKind::kTty ? "TTY calls" : "voice calls"; }

Status NotAPhoneNumber(std::string_view raw, std::string_view country) {
  return InvalidArgument("'" + std::string(raw) + "' is not a valid phone number for " + std::string(country));
}

Status SmsOnly(std::string_view raw, std::string_view country, ChannelKind kind) {
  return InvalidArgument("'" + std::string(raw) + "' is a short code; short codes of " + std::string(country) +
                         " like it only take text messages, not " + std::string(CallWord(kind)));
}

// Step 2 of Normalize: the value if `raw` is a short code of `country`, an
// error if it is one but not for `kind`, nullopt if it is not a short code.
std::optional<Result<NormalizedPhone>> NormalizeShortCode(std::string_view raw, std::string_view country,
                                                          ChannelKind kind) {
  std::string code = ShortCodeCandidate(raw);
  if (code.empty()) return std::nullopt;
  const bool spelled = !std::all_of(code.begin(), code.end(), IsDigit);
  if (spelled) Util().ConvertAlphaCharactersInNumber(&code);

  if (IsNanpShortCodeCountry(country)) {
    if (!spelled && IsNanpServiceCode(code)) return NormalizedPhone{code, true};
    if (IsNanpCommonShortCode(code)) {
      if (kind != ChannelKind::kSms) return SmsOnly(raw, country, kind);
      return NormalizedPhone{code, true};
    }
  }
  if (spelled) return std::nullopt;

  PhoneNumber number;
  const std::string region(country);
  if (Util().Parse(code, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
      !ShortNumbers().IsValidShortNumberForRegion(number, region)) {
    return std::nullopt;
  }
  if (kind != ChannelKind::kSms && ShortNumbers().IsSmsServiceForRegion(number, region)) {
    return SmsOnly(raw, country, kind);
  }
  return NormalizedPhone{code, true};
}

// "+18006624357" -> "1-800-662-4357"; empty if `value` is not "+1" and ten digits.
std::string NanpDashed(std::string_view value) {
  if (value.size() != 12 || value.substr(0, 2) != "+1" || !std::all_of(value.begin() + 1, value.end(), IsDigit)) {
    return {};
  }
  std::string out = "1-";
  out.append(value.substr(2, 3)).append("-");
  out.append(value.substr(5, 3)).append("-");
  out.append(value.substr(8, 4));
  return out;
}

}  // namespace

Result<NormalizedPhone> PhoneBook::Normalize(std::string_view raw, std::string_view country, ChannelKind kind) const {
  if (!IsPhoneKind(kind)) {
    return InvalidArgument("'" + std::string(raw.substr(0, kMaxRawBytes)) +
                           "' is given as a phone number, but only voice, sms and tty channels "
                           "take phone numbers");
  }
  if (!IsKnownCountry(country)) {
    return InvalidArgument("'" + std::string(country.substr(0, 8)) +
                           "' is not a country libphonenumber knows (expected an ISO 3166-1 "
                           "alpha-2 code such as US or CA), so '" +
                           std::string(raw.substr(0, kMaxRawBytes)) + "' cannot be checked");
  }
  if (raw.size() > kMaxRawBytes) {
    return InvalidArgument("'" + std::string(raw.substr(0, kMaxRawBytes)) + "...' is too long to be a phone number");
  }

  if (auto short_code = NormalizeShortCode(raw, country, kind)) return *std::move(short_code);

  const std::string text(raw);
  PhoneNumber number;
  const std::string region(country);
  if (Util().Parse(text, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return NotAPhoneNumber(raw, country);
  }
  if (number.has_extension()) {
    return InvalidArgument("'" + text + "' has an extension; give the main number alone (the " +
                           "extension can go in the channel's label)");
  }
  // Parse skips leading text ("call 1-800-..."); letters are only allowed as
  // a vanity number's spelled digits.
  if (std::any_of(text.begin(), text.end(), ascii::IsAlpha) && !Util().IsAlphaNumber(text)) {
    return NotAPhoneNumber(raw, country);
  }
  const bool valid =
      Util().IsValidNumberForRegion(number, region) || (country == "US" && IsValidForUsTerritory(number));
  if (!valid) return NotAPhoneNumber(raw, country);

  NormalizedPhone out;
  Util().Format(number, PhoneNumberUtil::E164, &out.value);
  return out;
}

std::string PhoneBook::FormatFor(std::string_view value, std::string_view country) const {
  // Short codes are all digits; anything else not in E.164 cannot be parsed
  // without knowing its country.
  if (value.empty() || value.front() != '+') return std::string(value);
  if (IsNanpShortCodeCountry(country)) {
    if (std::string dashed = NanpDashed(value); !dashed.empty()) return dashed;
  }
  PhoneNumber number;
  if (Util().Parse(std::string(value), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return std::string(value);
  }
  std::string out;
  Util().Format(number, PhoneNumberUtil::INTERNATIONAL, &out);
  return out;
}

}  // namespace helpline::directory
