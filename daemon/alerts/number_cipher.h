#pragma once
// NumberCipher: AES-256-GCM (OpenSSL EVP) for the one identifying value the
// alerts feature keeps: a confirmed subscriber's address (phone number, or a
// chat id). Keys come from the environment and rotate by id.
//
//   auto c = NumberCipher::FromEnvironment();          // HELPLINE_ALERTS_KEY[, HELPLINE_ALERTS_OLD_KEYS]
//   std::string sealed = c->Seal("+16045550123", sender_hash);   // "v1:k2:<base64>"
//   Result<std::string> plain = c->Open(sealed, sender_hash);     // any known key id
//
// Key format: "ID:KEY" where ID is 1-16 of [A-Za-z0-9_-] and KEY is 32
// bytes as 64 hex digits or base64. HELPLINE_ALERTS_KEY holds the current key
// (new values are sealed with it); HELPLINE_ALERTS_OLD_KEYS a comma-separated
// list of older ones (still opened). Rotate: make the new key current, move
// the old one to OLD_KEYS, run `helpline alert reseal` (every stored value
// re-sealed with the current key), then drop the old key.
//
// Sealed form: "v1:" ID ":" base64(nonce[12] || ciphertext || tag[16]). The
// nonce is random (RAND_bytes) per seal. The associated data binds a value
// to its record (the sender hash): a sealed number moved to another record
// does not open.
//
// Thread-safety: immutable after construction; Seal/Open are const and safe
// from any thread. Never log what Seal takes or Open returns.

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace helpline::daemon::alerts {

class NumberCipher {
 public:
  // `current` is "ID:KEY"; `old_keys` is "" or "ID:KEY,ID:KEY...".
  // InvalidArgument (never naming the key bytes) for a malformed key or a
  // repeated id.
  static Result<NumberCipher> Parse(std::string_view current, std::string_view old_keys = {});
  // From HELPLINE_ALERTS_KEY and HELPLINE_ALERTS_OLD_KEYS; FailedPrecondition
  // when HELPLINE_ALERTS_KEY is unset or empty (alerts are then off).
  static Result<NumberCipher> FromEnvironment();

  // Encrypts `plain` with the current key; `context` is the associated data.
  // Internal only if OpenSSL fails.
  Result<std::string> Seal(std::string_view plain, std::string_view context) const;
  // Decrypts a Seal() result made with any known key id and the same
  // context. InvalidArgument for a malformed value, NotFound for an unknown
  // key id, FailedPrecondition when authentication fails (wrong key,
  // context or tampered bytes).
  Result<std::string> Open(std::string_view sealed, std::string_view context) const;

  const std::string& current_id() const { return current_id_; }
  // The key id a sealed value was made with, "" if malformed.
  static std::string KeyIdOf(std::string_view sealed);

 private:
  NumberCipher() = default;
  std::string current_id_;
  std::map<std::string, std::string, std::less<>> keys_;  // id -> 32 raw bytes
};

}  // namespace helpline::daemon::alerts
