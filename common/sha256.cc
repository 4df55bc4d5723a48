#include "common/sha256.h"

#include "common/hex.h"

namespace helpline {

void Sha256::Update(std::string_view bytes) { hasher_.Update(bytes); }

std::string Sha256::HexDigest() { return HexLower(hasher_.Finish()); }

std::string Sha256Hex(std::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.HexDigest();
}

}  // namespace helpline
