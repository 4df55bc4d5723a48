#pragma once
// Small HTTP text helpers every provider adapter needs: optional-whitespace
// trimming and media-type matching, as RFC 9110 defines them (field values are
// ASCII; names and media types compare case-insensitively, with
// ascii::EqualsIgnoreCase from common/ascii.h).
//
//   IsMediaType(request.content_type, "application/json")   // "Application/JSON; charset=utf-8" -> true
//   TrimOws(" \t7 ")                                        // "7"
//   ParseDecimal("1700000000")                              // 1700000000
//
// Thread-safety: free functions without shared state.

#include <cstdint>
#include <optional>
#include <string_view>

namespace helpline::gateway {

// `s` without leading and trailing OWS (RFC 9110 section 5.6.3: spaces and tabs).
std::string_view TrimOws(std::string_view s);

// True when the media type of `content_type` (a Content-Type value: its
// parameters after ';' dropped, OWS trimmed) is `media_type`, ignoring ASCII
// case: "application/x-www-form-urlencoded;charset=utf-8" is a form. The empty
// `content_type` matches only the empty `media_type`.
bool IsMediaType(std::string_view content_type, std::string_view media_type);

// `s` as a number when it is 1 to 18 ASCII digits (so it always fits
// std::int64_t, with room to subtract two of them), else nullopt: no sign, no
// spaces, no empty string. For Unix-seconds timestamp headers and parameters
// and other small ids a provider sends as text.
std::optional<std::int64_t> ParseDecimal(std::string_view s);

}  // namespace helpline::gateway
