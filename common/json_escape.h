#pragma once
// JSON string quoting for hand-built JSON output. Thread-safe (pure).

#include <string>
#include <string_view>

namespace helpline {

// "a\"b" for a"b: quotes, backslashes and control characters escaped; UTF-8 passes through.
std::string JsonQuote(std::string_view s);

}  // namespace helpline
