#pragma once
// application/x-www-form-urlencoded: the body of Twilio's (and most SMS
// providers') webhooks, and the syntax of a URL query string.
//
//   Result<FormParams> p = ParseFormUrlencoded("From=%2B16045550123&Body=need+help");
//   // p.value() == {{"From", "+16045550123"}, {"Body", "need help"}}
//   std::string body = FormEncode(p.value());  // "From=%2B16045550123&Body=need+help"
//
// Thread-safety: free functions without shared state.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace helpline::gateway {

// Name/value pairs in the order they appeared; duplicate names are kept.
using FormParams = std::vector<std::pair<std::string, std::string>>;

// Parses `input` (a request body, or a URL query without its leading '?').
// Pairs are separated by '&'; empty pairs ("a=1&&b=2", a trailing '&') are
// skipped; a pair without '=' is a name with an empty value. In names and
// values '+' decodes to a space and %XX (either hex case) to the byte XX.
// Decoded bytes are returned as they are: no UTF-8 validation (signatures are
// computed over exactly these bytes).
// Returns InvalidArgument for a '%' not followed by two hex digits, with a
// message giving the byte offset and never the input itself.
Result<FormParams> ParseFormUrlencoded(std::string_view input);

// Encodes `params` in order: ASCII letters, digits and "-._~" stay, a space
// becomes '+', every other byte becomes %XX (upper-case hex). The inverse of
// ParseFormUrlencoded for any bytes.
std::string FormEncode(const FormParams& params);

// The value of the first pair named `name` (compared exactly), or nullptr
// when there is none. The pointer is into `params`.
const std::string* FindParam(const FormParams& params, std::string_view name);

// The value of the first pair named `name`, or "" when there is none (an
// absent and an empty parameter read the same).
std::string ParamValue(const FormParams& params, std::string_view name);

}  // namespace helpline::gateway
