#include "common/json_escape.h"

#include <cstdint>
#include <cstdio>

#include "common/utf8.h"

namespace helpline {

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Multi-byte UTF-8 passes through whole; an invalid byte becomes U+FFFD,
      // so the output is valid UTF-8 whatever the input.
      std::uint32_t cp = 0;
      const std::size_t len = DecodeUtf8(s.substr(i), cp);
      if (len == 0) {
        out += kUtf8ReplacementCharacter;
      } else {
        out.append(s.substr(i, len));
        i += len - 1;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace helpline
