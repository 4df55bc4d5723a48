#pragma once
// Test helper shared by the SMS text tests (gsm7_test, sms_segments_test):
// `s` written `n` times, for texts of a chosen length in a chosen alphabet.

#include <cstddef>
#include <string>
#include <string_view>

namespace helpline::engine {

inline std::string Repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace helpline::engine
