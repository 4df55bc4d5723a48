#pragma once
// Hex encoding of raw bytes (digests, MACs). Thread-safety: pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace helpline {

// Lower-case hex of raw bytes ("\x01\xab" -> "01ab").
std::string HexLower(std::string_view bytes);

// The bytes of an even-length hex string in either case ("01AB" ->
// "\x01\xab"); nullopt for an odd length or a non-hex character.
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace helpline
