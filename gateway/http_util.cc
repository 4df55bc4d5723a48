#include "gateway/http_util.h"

#include "common/ascii.h"

namespace helpline::gateway {

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsMediaType(std::string_view content_type, std::string_view media_type) {
  // Providers send the media type as written: the exact comparison (one
  // memcmp) answers every webhook, the byte-wise case folding only the rest.
  if (content_type == media_type) return true;
  return ascii::EqualsIgnoreCase(TrimOws(content_type.substr(0, content_type.find(';'))), media_type);
}

std::optional<std::int64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace helpline::gateway
