#pragma once
// SHA-256 digests as lowercase hex, for content digests of directory versions
// (on common/crypto.h's Hasher). Thread-safe (no shared state).

#include <string>
#include <string_view>

#include "common/crypto.h"

namespace helpline {

// Incremental SHA-256. Feed with Update(), read once with HexDigest().
class Sha256 {
 public:
  Sha256() = default;

  void Update(std::string_view bytes);
  // Finishes the digest; the object must not be updated afterwards.
  std::string HexDigest();

 private:
  Hasher hasher_{Digest::kSha256};
};

std::string Sha256Hex(std::string_view bytes);

}  // namespace helpline
