#include "gateway/vonage/vonage_signature.h"

#include <algorithm>
#include <vector>

#include "common/crypto.h"

namespace helpline::gateway {
namespace {

// Blank as Java's String.trim().isEmpty(): nothing but bytes <= 0x20.
bool IsBlank(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20; });
}

std::string Sign(VonageSignatureMethod method, std::string_view secret, const std::string& signed_string) {
  switch (method) {
    case VonageSignatureMethod::kMd5Hash: return HexLower(Hash(Digest::kMd5, signed_string + std::string(secret)));
    case VonageSignatureMethod::kMd5Hmac: return HexLower(Hmac(Digest::kMd5, secret, signed_string));
    case VonageSignatureMethod::kSha1Hmac: return HexLower(Hmac(Digest::kSha1, secret, signed_string));
    case VonageSignatureMethod::kSha256Hmac: return HexLower(Hmac(Digest::kSha256, secret, signed_string));
    case VonageSignatureMethod::kSha512Hmac: return HexLower(Hmac(Digest::kSha512, secret, signed_string));
  }
  return {};  // unreachable: every enumerator is handled above
}

}  // namespace

std::string VonageSignedString(const FormParams& params, bool skip_blank) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  for (const auto& p : params) {
    if (p.first == "sig") continue;
    if (skip_blank && IsBlank(p.second)) continue;
    sorted.push_back(&p);
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });
  std::string out;
  for (const auto* p : sorted) {
    out += '&';
    out += p->first;
    out += '=';
    for (const char c : p->second) out += (c == '&' || c == '=') ? '_' : c;
  }
  return out;
}

std::string VonageSignature(VonageSignatureMethod method, std::string_view secret, const FormParams& params) {
  return Sign(method, secret, VonageSignedString(params));
}

bool VerifyVonageSignature(VonageSignatureMethod method, std::string_view secret, const FormParams& params,
                           std::string_view signature) {
  if (signature.empty() || secret.empty()) return false;
  if (ConstantTimeEqualsIgnoreCase(Sign(method, secret, VonageSignedString(params)), signature)) return true;
  const bool any_blank =
      std::any_of(params.begin(), params.end(), [](const auto& p) { return p.first != "sig" && IsBlank(p.second); });
  return any_blank &&
         ConstantTimeEqualsIgnoreCase(Sign(method, secret, VonageSignedString(params, /*skip_blank=*/true)), signature);
}

}  // namespace helpline::gateway
