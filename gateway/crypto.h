#pragma once
// The cryptography every provider adapter shares: HMACs, digests, hex, a
// constant-time comparison and Ed25519 verification (OpenSSL 3 underneath,
// kept out of this header).
//
//   std::string mac = Hmac(Digest::kSha256, secret, body);     // raw bytes
//   bool ok = ConstantTimeEquals(HexLower(mac), header_value);
//   bool ok = VerifyEd25519(public_key_raw32, timestamp + "|" + body, signature_raw64);
//
// Thread-safety: free functions without shared state. Keys are secrets: none
// of these functions log or return them.

#include <string>
#include <string_view>

namespace helpline::gateway {

enum class Digest { kMd5, kSha1, kSha256, kSha512 };

// HMAC(key, data) with `digest`, as raw bytes (16/20/32/64 of them).
std::string Hmac(Digest digest, std::string_view key, std::string_view data);
// The plain digest of `data`, as raw bytes.
std::string Hash(Digest digest, std::string_view data);

// Lower-case hex of raw bytes ("\x01\xab" -> "01ab").
std::string HexLower(std::string_view bytes);

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

}  // namespace helpline::gateway
