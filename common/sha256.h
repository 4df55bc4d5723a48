#pragma once
// SHA-256 digests as lowercase hex, for content digests of directory versions.
// Thread-safe (no shared state).

#include <string>
#include <string_view>

namespace helpline {

// Incremental SHA-256. Feed with Update(), read once with HexDigest().
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Finishes the digest; the object must not be updated afterwards.
  std::string HexDigest();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque so OpenSSL stays out of headers
};

std::string Sha256Hex(std::string_view bytes);

}  // namespace helpline
