#pragma once
// Standard base64 (RFC 4648 section 4: '+', '/', '=' padding, no line
// breaks), as used by provider signature headers such as X-Twilio-Signature
// and Telnyx's Ed25519 keys and signatures.
//
//   Base64Encode("hi") == "aGk="
//   Base64Decode("aGk=") == "hi";  Base64Decode("aGk") == std::nullopt
//
// Thread-safety: free functions without shared state. Plain C++ (no
// OpenSSL): the gateway and the alerts' number cipher use it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace helpline {

// Encodes any bytes; the empty input gives the empty string.
std::string Base64Encode(std::string_view bytes);

// The length of the encoding of `n` bytes.
constexpr std::size_t Base64EncodedSize(std::size_t n) { return (n + 2) / 3 * 4; }
// Writes the encoding of `bytes` at `out` (Base64EncodedSize(bytes.size())
// chars of room, no terminator) and returns its end: for callers that keep
// the text in a buffer of their own (a signature compared on every request).
char* Base64EncodeTo(std::string_view bytes, char* out);

// Decodes strict standard base64: a multiple of 4 characters from the
// standard alphabet, with '=' only as one or two characters of final padding.
// Whitespace, line breaks, the URL-safe alphabet ('-', '_') and missing
// padding are refused with nullopt. The unused low bits of the last character
// before padding are not checked ("Zh==" decodes like "Zg==", as most decoders
// allow). The empty input gives the empty string.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace helpline
