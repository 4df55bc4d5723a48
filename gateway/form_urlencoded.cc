#include "gateway/form_urlencoded.h"

#include <algorithm>
#include <cstddef>
#include <string>

namespace helpline::gateway {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one name or value that starts at `offset` in the whole input (the
// offset only makes the error message useful). Runs without '+' or '%' (most
// of a webhook's bytes) are copied whole.
Status Decode(std::string_view in, std::size_t offset, std::string& out) {
  out.clear();
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    std::size_t run = i;
    while (run < in.size() && in[run] != '+' && in[run] != '%') ++run;
    out.append(in.data() + i, run - i);
    if (run == in.size()) break;
    i = run;
    if (in[i] == '+') {
      out.push_back(' ');
      ++i;
      continue;
    }
    const int hi = i + 1 < in.size() ? HexValue(in[i + 1]) : -1;
    const int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return InvalidArgument("form: bad percent-escape at byte " + std::to_string(offset + i));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 3;
  }
  return Status::Ok();
}

bool KeptAsIs(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void Encode(std::string_view in, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (KeptAsIs(c)) {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
}

}  // namespace

Result<FormParams> ParseFormUrlencoded(std::string_view input) {
  FormParams params;
  params.reserve(static_cast<std::size_t>(std::count(input.begin(), input.end(), '&')) + 1);
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('&', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view pair = input.substr(start, end - start);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      const std::string_view name = pair.substr(0, eq);
      const std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      std::string decoded_name, decoded_value;
      HL_RETURN_IF_ERROR(Decode(name, start, decoded_name));
      HL_RETURN_IF_ERROR(Decode(value, start + (eq == std::string_view::npos ? 0 : eq + 1), decoded_value));
      params.emplace_back(std::move(decoded_name), std::move(decoded_value));
    }
    start = end + 1;
  }
  return params;
}

std::string FormEncode(const FormParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    Encode(name, out);
    out.push_back('=');
    Encode(value, out);
  }
  return out;
}

const std::string* FindParam(const FormParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string ParamValue(const FormParams& params, std::string_view name) {
  const std::string* value = FindParam(params, name);
  return value != nullptr ? *value : std::string();
}

}  // namespace helpline::gateway
