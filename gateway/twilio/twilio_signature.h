#pragma once
// Twilio request validation (the X-Twilio-Signature header), as Twilio
// documents it (https://www.twilio.com/docs/usage/webhooks/webhooks-security)
// and as its official helper libraries implement it (twilio-python
// twilio/request_validator.py, twilio-node src/webhooks/webhooks.ts).
//
// The signed string is the full URL Twilio requested (scheme through the end
// of the query string, exactly as configured in the console: no re-encoding,
// no normalization), followed, for a form POST, by every form parameter as
// name immediately followed by value, with no delimiters, sorted by name and,
// for a repeated name, by value (byte order of the UTF-8, which is code point
// order, as twilio-python sorts). Parameters are the decoded form values.
// The signature is base64(HMAC-SHA1(key = auth token, signed string)).
//
// Port leniency: Twilio's own signing is inconsistent about the port, so the
// helpers accept a signature computed over either of two spellings of the URL
// (twilio-python RequestValidator.validate, add_port/remove_port):
//   - the URL without its port:  https://example.com:8443/sms -> https://example.com/sms
//   - the URL with a port: an explicit one as given, otherwise the scheme's
//     default added (443 for https, 80 for anything else):
//     https://example.com/sms -> https://example.com:443/sms
// Any explicit port is removed in the first form, not only 443/80.
//
//   std::string sig = TwilioSignature(token, "https://example.com/sms", params);
//   bool ok = VerifyTwilioSignature(token, request_url, params, header_value);
//   const HmacKey key(Digest::kSha1, token);   // once per token, then per request:
//   bool ok = VerifyTwilioSignature(key, request_url, params, header_value);
//
// Thread-safety: free functions; each thread reuses scratch vectors of its
// own. The auth token is a secret: none of these functions log or return it.

#include <string>
#include <string_view>

#include "common/crypto.h"  // ConstantTimeEquals, HmacKey
#include "gateway/form_urlencoded.h"

namespace helpline::gateway {

// The signature Twilio would send for a request to exactly `url` with form
// parameters `params` (in any order; duplicates allowed). Pass an empty
// `params` for a GET or a JSON body.
std::string TwilioSignature(std::string_view auth_token, std::string_view url, const FormParams& params);

// True when `signature` (the X-Twilio-Signature value) matches the signature
// of `url` without its port or with its port (see above) and `params`.
// Comparisons are constant-time; an empty or malformed signature is false.
bool VerifyTwilioSignature(std::string_view auth_token, std::string_view url, const FormParams& params,
                           std::string_view signature);
// The same with the auth token's HMAC-SHA1 key made ready once (what the
// provider keeps): no key preparation and no allocation per call once the
// thread's scratch vectors have grown.
bool VerifyTwilioSignature(const HmacKey& auth_key, std::string_view url, const FormParams& params,
                           std::string_view signature);

// The JSON-body variant: Twilio adds bodySHA256=<hex SHA-256 of the raw body>
// to the query string and signs the URL alone (no parameters). True when the
// URL carries bodySHA256 equal to the SHA-256 of `body` and `signature`
// matches the URL (with the same port leniency). False when the URL has no
// bodySHA256 parameter or its query is malformed.
bool VerifyTwilioBodySignature(std::string_view auth_token, std::string_view url, std::string_view body,
                               std::string_view signature);

// The two spellings of `url` that VerifyTwilioSignature accepts (see above).
// For a URL that cannot be split into scheme://authority (no "://"), or whose
// port is not all digits, both members are `url` unchanged.
struct TwilioUrlVariants {
  std::string without_port;
  std::string with_port;
};
TwilioUrlVariants TwilioPortVariants(std::string_view url);

}  // namespace helpline::gateway
