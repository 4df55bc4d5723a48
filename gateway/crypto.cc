#include "gateway/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>

namespace helpline::gateway {
namespace {

const EVP_MD* Md(Digest digest) {
  switch (digest) {
    case Digest::kMd5: return EVP_md5();
    case Digest::kSha1: return EVP_sha1();
    case Digest::kSha256: return EVP_sha256();
    case Digest::kSha512: return EVP_sha512();
  }
  return EVP_sha256();
}

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "fatal: %s failed\n", what);
  std::abort();
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string Hmac(Digest digest, std::string_view key, std::string_view data) {
  if (key.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) Fatal("HMAC (key too large)");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  // OpenSSL wants a non-null key pointer even for an empty key.
  static const char kEmpty = 0;
  if (HMAC(Md(digest), key.empty() ? &kEmpty : key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &md_len) == nullptr) {
    Fatal("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(md), md_len);
}

std::string Hash(Digest digest, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &md_len, Md(digest), nullptr) != 1) Fatal("EVP_Digest");
  return std::string(reinterpret_cast<const char*>(md), md_len);
}

std::string HexLower(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ConstantTimeEqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(LowerAscii(a[i]) ^ LowerAscii(b[i]));
  }
  return diff == 0;
}

bool VerifyEd25519(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(public_key.data()), public_key.size()),
      &EVP_PKEY_free);
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx) Fatal("EVP_MD_CTX_new");
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

}  // namespace helpline::gateway
