#include "daemon/alerts/number_cipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>
#include <optional>

#include "gateway/base64.h"

namespace helpline::daemon::alerts {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::string_view kVersion = "v1";

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 16) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// "ID:KEY" -> (id, 32 raw bytes). Errors never include the key text.
Status ParseOne(std::string_view entry, std::string* id, std::string* key) {
  entry = Trim(entry);
  const std::size_t colon = entry.find(':');
  if (colon == std::string_view::npos) return InvalidArgument("alerts key: expected ID:KEY");
  *id = std::string(entry.substr(0, colon));
  if (!ValidId(*id)) return InvalidArgument("alerts key: the id must be 1-16 of A-Z a-z 0-9 _ -");
  const std::string_view material = entry.substr(colon + 1);
  std::optional<std::string> raw = FromHex(material);
  if (!raw || raw->size() != kKeyBytes) raw = gateway::Base64Decode(material);
  if (!raw || raw->size() != kKeyBytes) {
    return InvalidArgument("alerts key '" + *id + "': expected 32 bytes as 64 hex digits or base64");
  }
  *key = std::move(*raw);
  return Status::Ok();
}

}  // namespace

Result<NumberCipher> NumberCipher::Parse(std::string_view current, std::string_view old_keys) {
  NumberCipher c;
  std::string id, key;
  if (Status s = ParseOne(current, &id, &key); !s.ok()) return s;
  c.current_id_ = id;
  c.keys_.emplace(id, key);
  old_keys = Trim(old_keys);
  while (!old_keys.empty()) {
    const std::size_t comma = old_keys.find(',');
    const std::string_view entry = old_keys.substr(0, comma);
    old_keys = comma == std::string_view::npos ? std::string_view() : old_keys.substr(comma + 1);
    if (Trim(entry).empty()) continue;
    if (Status s = ParseOne(entry, &id, &key); !s.ok()) return s;
    if (!c.keys_.emplace(id, key).second) return InvalidArgument("alerts key: id '" + id + "' given twice");
  }
  return c;
}

Result<NumberCipher> NumberCipher::FromEnvironment() {
  const char* current = std::getenv("HELPLINE_ALERTS_KEY");
  if (current == nullptr || *current == '\0') return FailedPrecondition("HELPLINE_ALERTS_KEY is not set");
  const char* old_keys = std::getenv("HELPLINE_ALERTS_OLD_KEYS");
  return Parse(current, old_keys == nullptr ? "" : old_keys);
}

std::string NumberCipher::KeyIdOf(std::string_view sealed) {
  if (!sealed.starts_with(kVersion) || sealed.size() < kVersion.size() + 2 || sealed[kVersion.size()] != ':') return "";
  sealed.remove_prefix(kVersion.size() + 1);
  const std::size_t colon = sealed.find(':');
  if (colon == std::string_view::npos) return "";
  return std::string(sealed.substr(0, colon));
}

Result<std::string> NumberCipher::Seal(std::string_view plain, std::string_view context) const {
  const std::string& key = keys_.at(current_id_);
  unsigned char nonce[kNonceBytes];
  if (RAND_bytes(nonce, sizeof nonce) != 1) return Internal("alerts cipher: RAND_bytes failed");
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Internal("alerts cipher: out of memory");
  std::string out(kNonceBytes + plain.size() + kTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::copy(nonce, nonce + kNonceBytes, o);
  int len = 0, total = 0;
  const bool ok =
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char*>(key.data()), nonce) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), o + kNonceBytes, &len, reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) == 1 &&
      (total = len, EVP_EncryptFinal_ex(ctx.get(), o + kNonceBytes + total, &len) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, o + kNonceBytes + plain.size()) == 1;
  if (!ok) return Internal("alerts cipher: encryption failed");
  return std::string(kVersion) + ":" + current_id_ + ":" + gateway::Base64Encode(out);
}

Result<std::string> NumberCipher::Open(std::string_view sealed, std::string_view context) const {
  const std::string id = KeyIdOf(sealed);
  if (id.empty()) return InvalidArgument("alerts cipher: malformed sealed value");
  auto key = keys_.find(id);
  if (key == keys_.end()) return NotFound("alerts cipher: unknown key id '" + id + "'");
  std::optional<std::string> raw = gateway::Base64Decode(sealed.substr(kVersion.size() + 1 + id.size() + 1));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return InvalidArgument("alerts cipher: malformed sealed value");
  const auto* r = reinterpret_cast<const unsigned char*>(raw->data());
  const std::size_t n = raw->size() - kNonceBytes - kTagBytes;
  std::string plain(n, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Internal("alerts cipher: out of memory");
  int len = 0;
  unsigned char tag[kTagBytes];
  std::copy(r + kNonceBytes + n, r + raw->size(), tag);
  const bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char*>(key->second.data()), r) ==
          1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, r + kNonceBytes,
                        static_cast<int>(n)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) == 1;
  if (!ok) return Internal("alerts cipher: decryption setup failed");
  unsigned char last[16];
  if (EVP_DecryptFinal_ex(ctx.get(), last, &len) != 1) {
    return FailedPrecondition("alerts cipher: authentication failed (wrong key, record or tampered value)");
  }
  return plain;
}

}  // namespace helpline::daemon::alerts
