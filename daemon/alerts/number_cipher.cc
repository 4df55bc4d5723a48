#include "daemon/alerts/number_cipher.h"

#include <cstdlib>
#include <optional>

#include "common/base64.h"
#include "common/crypto.h"
#include "common/hex.h"

namespace helpline::daemon::alerts {
namespace {

constexpr std::size_t kKeyBytes = kAes256KeyBytes;
constexpr std::string_view kVersion = "v1";

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
  std::optional<std::string> raw = HexDecode(material);
  if (!raw || raw->size() != kKeyBytes) raw = Base64Decode(material);
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
  const std::optional<std::string> box = Aes256GcmSeal(keys_.at(current_id_), plain, context);
  if (!box) return Internal("alerts cipher: encryption failed");
  return std::string(kVersion) + ":" + current_id_ + ":" + Base64Encode(*box);
}

Result<std::string> NumberCipher::Open(std::string_view sealed, std::string_view context) const {
  const std::string id = KeyIdOf(sealed);
  if (id.empty()) return InvalidArgument("alerts cipher: malformed sealed value");
  auto key = keys_.find(id);
  if (key == keys_.end()) return NotFound("alerts cipher: unknown key id '" + id + "'");
  const std::optional<std::string> raw = Base64Decode(sealed.substr(kVersion.size() + 1 + id.size() + 1));
  if (!raw || raw->size() < kAesGcmNonceBytes + kAesGcmTagBytes) {
    return InvalidArgument("alerts cipher: malformed sealed value");
  }
  std::optional<std::string> plain = Aes256GcmOpen(key->second, *raw, context);
  if (!plain) return FailedPrecondition("alerts cipher: authentication failed (wrong key, record or tampered value)");
  return std::move(*plain);
}

}  // namespace helpline::daemon::alerts
