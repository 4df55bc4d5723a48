#pragma once
// Phone numbers of the directory: validation and normalization with
// libphonenumber (which stays out of this header).
//
//   PhoneBook phones;
//   auto n = phones.Normalize("1-800-662-HELP", "US", ChannelKind::kVoice);
//   // n->value == "+18006624357", n->short_code == false
//   auto s = phones.Normalize("988", "CA", ChannelKind::kSms);
//   // s->value == "988", s->short_code == true
//
// Thread-safety: all methods are const and safe to call concurrently
// (libphonenumber's PhoneNumberUtil is an immutable singleton).

#include <string>
#include <string_view>

#include "common/status.h"
#include "directory/model.h"

namespace helpline::directory {

struct NormalizedPhone {
  std::string value;        // E.164 ("+18006624357") or a short code's digits ("686868")
  bool short_code = false;  // true for short codes (988, 911, 686868, ...)
};

class PhoneBook {
 public:
  // Validates `raw` as a number of `country` (ISO 3166-1 alpha-2, "US", "CA")
  // for a channel of `kind` (voice, sms or tty). Accepts national and
  // international forms, punctuation, and vanity letters (1-800-662-HELP).
  // Short codes are accepted as short codes of their country: in the NANP
  // countries the 3-digit service codes (N11 such as 911, and 988) for any
  // phone kind, and 5-6 digit common short codes (686868, 741741) for sms.
  // Returns InvalidArgument with a message such as
  // "'1-800-66-6868' is not a valid phone number for CA".
  Result<NormalizedPhone> Normalize(std::string_view raw, std::string_view country, ChannelKind kind) const;

  // Formats a normalized value for a reader in `country`: "+18006624357" ->
  // "1-800-662-4357" for US and CA readers (NANP style), international format
  // otherwise; short codes are returned unchanged. Returns `value` unchanged
  // if it cannot be parsed.
  std::string FormatFor(std::string_view value, std::string_view country) const;
};

}  // namespace helpline::directory
