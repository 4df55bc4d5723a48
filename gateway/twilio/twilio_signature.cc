#include "gateway/twilio/twilio_signature.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "common/ascii.h"
#include "common/base64.h"
#include "common/sha256.h"

namespace helpline::gateway {
namespace {

using SortedParams = std::vector<std::pair<std::string_view, std::string_view>>;

// What Twilio signs after the URL: every parameter's name then value, in
// Twilio's order: by name, then by value for a repeated name. A
// string_view compares bytes as unsigned char, which for UTF-8 is code point
// order (what twilio-python's sorted() uses). The views point into `params`;
// the vector is the thread's own, reused (valid until the next call).
const SortedParams& Sorted(const FormParams& params) {
  thread_local SortedParams sorted;
  sorted.clear();
  for (const auto& [name, value] : params) sorted.emplace_back(name, value);
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

// base64(HMAC-SHA1(auth token, url followed by the sorted parameters)), in
// a buffer of its own: neither the signed string nor the MAC nor its text
// is allocated.
class SignatureText {
 public:
  SignatureText(const HmacKey& key, std::string_view url, const SortedParams& sorted) {
    thread_local std::vector<std::string_view> pieces;  // reused: no allocation once grown
    pieces.clear();
    pieces.push_back(url);
    for (const auto& [name, value] : sorted) {
      pieces.push_back(name);
      pieces.push_back(value);
    }
    std::array<unsigned char, kMaxMacBytes> mac;
    const std::size_t n = key.Mac(pieces, mac);
    size_ = static_cast<std::size_t>(
        Base64EncodeTo(std::string_view(reinterpret_cast<const char*>(mac.data()), n), text_.data()) - text_.data());
  }
  std::string_view view() const { return {text_.data(), size_}; }

 private:
  std::array<char, Base64EncodedSize(kMaxMacBytes)> text_;
  std::size_t size_ = 0;
};

bool AllDigits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), ascii::IsDigit); }

// Signature of `url` + `sorted` under either port spelling, compared to
// `signature`. The URL exactly as configured goes first and short-circuits
// (it is one of the two spellings: with its port if it has one, without if
// not): it is what Twilio usually signs, so a genuine request costs one HMAC
// and no copy of the URL; which spelling matched is no secret.
bool MatchesEitherPortVariant(const HmacKey& key, std::string_view url, const SortedParams& sorted,
                              std::string_view signature) {
  if (ConstantTimeEquals(SignatureText(key, url, sorted).view(), signature)) return true;
  const TwilioUrlVariants variants = TwilioPortVariants(url);
  const std::string& other = variants.with_port == url ? variants.without_port : variants.with_port;
  return other != url && ConstantTimeEquals(SignatureText(key, other, sorted).view(), signature);
}

}  // namespace

std::string TwilioSignature(std::string_view auth_token, std::string_view url, const FormParams& params) {
  return std::string(SignatureText(HmacKey(Digest::kSha1, auth_token), url, Sorted(params)).view());
}

bool VerifyTwilioSignature(const HmacKey& auth_key, std::string_view url, const FormParams& params,
                           std::string_view signature) {
  if (signature.empty()) return false;
  return MatchesEitherPortVariant(auth_key, url, Sorted(params), signature);
}

bool VerifyTwilioSignature(std::string_view auth_token, std::string_view url, const FormParams& params,
                           std::string_view signature) {
  return VerifyTwilioSignature(HmacKey(Digest::kSha1, auth_token), url, params, signature);
}

bool VerifyTwilioBodySignature(std::string_view auth_token, std::string_view url, std::string_view body,
                               std::string_view signature) {
  if (signature.empty()) return false;
  const std::size_t question = url.find('?');
  if (question == std::string_view::npos) return false;
  std::string_view query = url.substr(question + 1);
  query = query.substr(0, query.find('#'));
  auto params = ParseFormUrlencoded(query);
  if (!params.ok()) return false;
  const auto it = std::find_if(params->begin(), params->end(), [](const auto& p) { return p.first == "bodySHA256"; });
  if (it == params->end()) return false;
  const bool body_ok = ConstantTimeEquals(Sha256Hex(body), it->second);
  const bool signature_ok = MatchesEitherPortVariant(HmacKey(Digest::kSha1, auth_token), url, {}, signature);
  return body_ok && signature_ok;
}

TwilioUrlVariants TwilioPortVariants(std::string_view url) {
  const TwilioUrlVariants unchanged{std::string(url), std::string(url)};
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return unchanged;
  const std::size_t authority_start = scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  const std::string_view authority = url.substr(authority_start, authority_end - authority_start);

  // userinfo@host:port; the host may be an IPv6 literal in brackets.
  const std::size_t at = authority.rfind('@');
  const std::size_t host_start = at == std::string_view::npos ? 0 : at + 1;
  const std::string_view host_port = authority.substr(host_start);
  std::size_t colon = std::string_view::npos;
  if (!host_port.empty() && host_port.front() == '[') {
    const std::size_t close = host_port.find(']');
    if (close == std::string_view::npos) return unchanged;
    if (close + 1 < host_port.size()) {
      if (host_port[close + 1] != ':') return unchanged;
      colon = close + 1;
    }
  } else {
    colon = host_port.find(':');
  }

  if (colon != std::string_view::npos) {
    if (!AllDigits(host_port.substr(colon + 1))) return unchanged;
    const std::size_t port_start = authority_start + host_start + colon;  // at the ':'
    return {std::string(url.substr(0, port_start)).append(url.substr(authority_end)), std::string(url)};
  }
  const std::string_view default_port = ascii::StartsWithIgnoreCase(url, "https://") ? ":443" : ":80";
  return {std::string(url),
          std::string(url.substr(0, authority_end)).append(default_port).append(url.substr(authority_end))};
}

}  // namespace helpline::gateway
