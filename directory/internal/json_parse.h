#pragma once
// Private to directory/: parsing JSON text that may be hostile (directory
// files from anywhere, stored resources read back from Redis). Nesting is
// bounded while parsing, before anything recursive (schema validation,
// copying, the validator's text checks) walks the tree, so a file of 100,000
// '[' is an error, never a stack overflow.

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace helpline::directory::internal {

// The deepest nesting of arrays and objects accepted. A directory file needs
// 6 (file, resources, resource, channels, channel, label_translations).
inline constexpr int kMaxJsonDepth = 32;

struct JsonParseError {
  std::size_t offset = 0;  // byte offset in the text where parsing stopped
  bool too_deep = false;   // nested deeper than kMaxJsonDepth
  std::string message;     // RapidJSON's English message, or the depth limit
};

// Parses `text` into `doc` (replacing its content) with RapidJSON's
// iterative parser. Strings are not checked for UTF-8 (see
// AllStringsAreUtf8; the validator names each bad string instead). Returns
// nullopt on success, else where and why parsing stopped (then `doc` is
// unspecified).
std::optional<JsonParseError> ParseJson(std::string_view text, rapidjson::Document& doc);

// True when every string and field name in `v` is valid UTF-8, escaped ones
// ("\udc00", a lone surrogate) included. `v` must come from ParseJson (the
// walk recurses once per level).
bool AllStringsAreUtf8(const rapidjson::Value& v);

}  // namespace helpline::directory::internal
