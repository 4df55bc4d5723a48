#pragma once
// The one thin wrapper over OpenSSL (libcrypto stays out of every header and
// every other file): digests, one-shot and incremental, HMACs (one-shot, or
// under a key made ready once: HmacKey), a constant-time comparison, Ed25519 verification, random bytes and
// AES-256-GCM. Used by the provider adapters (signatures), the sender store
// (hashed addresses), the directory (content digests, through
// common/sha256.h), redis/ (script SHA-1s) and the alerts' number cipher
// (subscriber numbers sealed at rest).
//
//   std::string mac = Hmac(Digest::kSha256, secret, body);     // raw bytes
//   bool ok = ConstantTimeEquals(HexLower(mac), header_value);
//   bool ok = VerifyEd25519(public_key_raw32, timestamp + "|" + body, signature_raw64);
//   std::optional<std::string> box = Aes256GcmSeal(key32, "+15551234567", "context");
//   Aes256GcmOpen(key32, *box, "context") == "+15551234567"
//
// Thread-safety: free functions without shared state (Hmac() keeps each
// thread's last four prepared keys); HmacKey as stated there. Keys are
// secrets: none of these functions log or return them.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/hex.h"  // HexLower: digests are usually shown in hex

namespace helpline {

enum class Digest { kMd5, kSha1, kSha256, kSha512 };

// HMAC(key, data) with `digest`, as raw bytes (16/20/32/64 of them).
std::string Hmac(Digest digest, std::string_view key, std::string_view data);
// HMAC(key, the concatenation of `pieces`), without building the
// concatenation (a URL followed by form names and values, say).
std::string HmacConcat(Digest digest, std::string_view key, std::span<const std::string_view> pieces);
// The plain digest of `data`, as raw bytes.
std::string Hash(Digest digest, std::string_view data);

// The most bytes a MAC of any Digest has (SHA-512).
inline constexpr std::size_t kMaxMacBytes = 64;

// An HMAC key made ready once (RFC 2104): the digest states after its inner
// and outer padded key blocks. Each MAC then copies the two states and
// hashes only its message and the inner digest, into the caller's buffer:
// no key lookup, no allocation. For a key that signs many messages (a
// provider's auth token, the sender-hash secret); Hmac() and HmacConcat()
// give the same bytes for the same key.
//
//   const HmacKey key(Digest::kSha1, auth_token);      // once
//   std::array<unsigned char, kMaxMacBytes> mac;
//   std::size_t n = key.Mac(pieces, mac);             // per request: mac[0, n)
//
// Thread-safety: Mac() is const and may run on several threads at once.
// The key bytes are not kept; the states are wiped when it is destroyed.
class HmacKey {
 public:
  HmacKey(Digest digest, std::string_view key);
  ~HmacKey();
  HmacKey(HmacKey&&) noexcept;
  HmacKey& operator=(HmacKey&&) noexcept;
  HmacKey(const HmacKey&) = delete;
  HmacKey& operator=(const HmacKey&) = delete;

  Digest digest() const;
  // The MAC's size in bytes (16/20/32/64).
  std::size_t size() const;
  // HMAC of the concatenation of `pieces` into `out`; returns size().
  std::size_t Mac(std::span<const std::string_view> pieces, std::span<unsigned char, kMaxMacBytes> out) const;
  // The same as raw bytes in a string.
  std::string Mac(std::string_view data) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A digest fed in pieces: Update() any number of times, then Finish() once.
class Hasher {
 public:
  explicit Hasher(Digest digest);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(std::string_view bytes);
  // The digest as raw bytes; the Hasher must not be used afterwards.
  std::string Finish();

 private:
  void* ctx_;  // EVP_MD_CTX*
};

// Compares in time that depends only on the lengths (CRYPTO_memcmp), so a
// forger learns nothing from how long a wrong guess took. Strings of
// different lengths are unequal.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// The same, ignoring ASCII case (for hex digests a provider may send in
// either case). Still constant-time in the contents.
bool ConstantTimeEqualsIgnoreCase(std::string_view a, std::string_view b);

// True when `signature` (64 raw bytes) is a valid Ed25519 signature of
// `message` under `public_key` (32 raw bytes). False for keys or signatures of
// the wrong size, never an abort.
bool VerifyEd25519(std::string_view public_key, std::string_view message, std::string_view signature);

// `n` bytes from the operating system's CSPRNG (RAND_bytes); nullopt only if
// it fails.
std::optional<std::string> RandomBytes(std::size_t n);

inline constexpr std::size_t kAes256KeyBytes = 32;
inline constexpr std::size_t kAesGcmNonceBytes = 12;
inline constexpr std::size_t kAesGcmTagBytes = 16;

// AES-256-GCM with a fresh random 96-bit nonce: returns nonce || ciphertext ||
// 128-bit tag (plain.size() + 28 bytes). `aad` is authenticated, not stored:
// the same aad must be given to open. Nullopt for a key that is not 32 bytes
// or an OpenSSL failure.
std::optional<std::string> Aes256GcmSeal(std::string_view key, std::string_view plain, std::string_view aad);
// The inverse: nullopt when the key or aad differ, the value was altered, or
// it is shorter than a nonce and a tag.
std::optional<std::string> Aes256GcmOpen(std::string_view key, std::string_view sealed, std::string_view aad);

}  // namespace helpline
