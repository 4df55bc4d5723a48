#pragma once
// Standard base64 (RFC 4648 section 4: '+', '/', '=' padding, no line
// breaks), as used by provider signature headers such as X-Twilio-Signature.
//
//   Base64Encode("hi") == "aGk="
//
// Thread-safety: a free function without shared state.

#include <string>
#include <string_view>

namespace helpline::gateway {

// Encodes any bytes; the empty input gives the empty string.
std::string Base64Encode(std::string_view bytes);

}  // namespace helpline::gateway
