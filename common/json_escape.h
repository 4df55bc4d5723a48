#pragma once
// JSON string quoting for hand-built JSON output. Thread-safe (pure).

#include <string>
#include <string_view>

namespace helpline {

// "a\"b" for a"b: quotes, backslashes and control characters escaped; UTF-8 passes through;
// each byte of an invalid UTF-8 sequence becomes U+FFFD, so the result is always valid UTF-8
// (found by fuzz/chat_webhook_fuzz.cc: a reply with invalid bytes made invalid JSON).
std::string JsonQuote(std::string_view s);

}  // namespace helpline
