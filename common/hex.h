#pragma once
// Hex encoding of raw bytes (digests, MACs). Thread-safety: pure functions.

#include <string>
#include <string_view>

namespace helpline {

// Lower-case hex of raw bytes ("\x01\xab" -> "01ab").
std::string HexLower(std::string_view bytes);

}  // namespace helpline
