#include "gateway/base64.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <limits>

namespace helpline::gateway {

std::string Base64Encode(std::string_view bytes) {
  // EVP_EncodeBlock takes an int length and writes 4 bytes per started 3-byte
  // group plus a NUL terminator.
  if (bytes.size() > 3 * (static_cast<std::size_t>(std::numeric_limits<int>::max()) / 4 - 1)) {
    std::fputs("fatal: Base64Encode input too large\n", stderr);
    std::abort();
  }
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace helpline::gateway
