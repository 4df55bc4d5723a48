#include "common/crypto.h"

// DigestState uses the low-level digest functions OpenSSL 3 deprecates (see there).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

#include "common/ascii.h"

namespace helpline {
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

// A digest's running state held by value: OpenSSL's own block functions
// (the same assembly its providers call) on a plain struct. Copying one is
// a memcpy, where copying an EVP_MD_CTX frees and allocates the provider's
// context, and updating one skips the provider dispatch. These functions
// are deprecated in OpenSSL 3 (they bypass providers, so no FIPS module)
// but still exported; they serve only HMAC below, where the key's prepared
// states are copied on every call.
class DigestState {
 public:
  explicit DigestState(Digest digest) : digest_(digest) {
    bool ok = false;
    switch (digest_) {
      case Digest::kMd5: ok = MD5_Init(&ctx_.md5) == 1; break;
      case Digest::kSha1: ok = SHA1_Init(&ctx_.sha1) == 1; break;
      case Digest::kSha256: ok = SHA256_Init(&ctx_.sha256) == 1; break;
      case Digest::kSha512: ok = SHA512_Init(&ctx_.sha512) == 1; break;
    }
    if (!ok) Fatal("digest init");
  }

  void Update(const void* data, std::size_t n) {
    bool ok = false;
    switch (digest_) {
      case Digest::kMd5: ok = MD5_Update(&ctx_.md5, data, n) == 1; break;
      case Digest::kSha1: ok = SHA1_Update(&ctx_.sha1, data, n) == 1; break;
      case Digest::kSha256: ok = SHA256_Update(&ctx_.sha256, data, n) == 1; break;
      case Digest::kSha512: ok = SHA512_Update(&ctx_.sha512, data, n) == 1; break;
    }
    if (!ok) Fatal("digest update");
  }

  // Writes the digest to `out` (EVP_MAX_MD_SIZE bytes of room) and returns
  // its length. The state must not be updated afterwards.
  std::size_t Final(unsigned char* out) {
    int ok = 0;
    std::size_t n = 0;
    switch (digest_) {
      case Digest::kMd5:
        ok = MD5_Final(out, &ctx_.md5);
        n = MD5_DIGEST_LENGTH;
        break;
      case Digest::kSha1:
        ok = SHA1_Final(out, &ctx_.sha1);
        n = SHA_DIGEST_LENGTH;
        break;
      case Digest::kSha256:
        ok = SHA256_Final(out, &ctx_.sha256);
        n = SHA256_DIGEST_LENGTH;
        break;
      case Digest::kSha512:
        ok = SHA512_Final(out, &ctx_.sha512);
        n = SHA512_DIGEST_LENGTH;
        break;
    }
    if (ok != 1) Fatal("digest final");
    return n;
  }

  // Overwrites the state (it may hold key material).
  void Cleanse() { OPENSSL_cleanse(&ctx_, sizeof ctx_); }

 private:
  Digest digest_;
  union {
    MD5_CTX md5;
    SHA_CTX sha1;
    SHA256_CTX sha256;
    SHA512_CTX sha512;
  } ctx_;
};

// An HMAC key made ready once (RFC 2104): the digest states after the inner
// and outer padded key blocks. A MAC then costs two state copies (memcpy)
// and two short digests, where OpenSSL 3's one-shot HMAC() fetches the
// algorithm and hashes the key blocks on every call (measured at about 5x
// the cost on the webhook path, where every request needs one or two MACs
// under the same key). `key` is kept only by the cache below, which finds
// keys by their bytes; HmacKey leaves it empty.
struct PreparedKey {
  Digest digest;
  std::string key;
  DigestState inner;
  DigestState outer;

  PreparedKey(Digest d, std::string_view k, bool keep_key = true)
      : digest(d), key(keep_key ? k : std::string_view()), inner(d), outer(d) {
    const auto block = static_cast<std::size_t>(EVP_MD_get_block_size(Md(d)));
    std::string padded = k.size() > block ? Hash(d, k) : std::string(k);
    padded.resize(block, '\0');
    std::string ipad = padded, opad = padded;
    for (std::size_t i = 0; i < block; ++i) {
      ipad[i] = static_cast<char>(ipad[i] ^ 0x36);
      opad[i] = static_cast<char>(opad[i] ^ 0x5c);
    }
    inner.Update(ipad.data(), block);
    outer.Update(opad.data(), block);
    OPENSSL_cleanse(padded.data(), padded.size());
    OPENSSL_cleanse(ipad.data(), ipad.size());
    OPENSSL_cleanse(opad.data(), opad.size());
  }
  ~PreparedKey() {
    OPENSSL_cleanse(key.data(), key.size());
    inner.Cleanse();
    outer.Cleanse();
  }

  // HMAC of the concatenation of `pieces` into `out` (EVP_MAX_MD_SIZE
  // bytes of room); returns its length.
  std::size_t Mac(std::span<const std::string_view> pieces, unsigned char* out) const {
    unsigned char inner_md[EVP_MAX_MD_SIZE];
    DigestState state = inner;
    for (const std::string_view piece : pieces) state.Update(piece.data(), piece.size());
    const std::size_t inner_len = state.Final(inner_md);
    state = outer;
    state.Update(inner_md, inner_len);
    const std::size_t md_len = state.Final(out);
    state.Cleanse();
    return md_len;
  }
};

// Each thread keeps its last few keys (a daemon uses one or two per provider).
struct KeyCache {
  std::array<std::unique_ptr<PreparedKey>, 4> keys;
  std::size_t next = 0;  // round-robin replacement

  const PreparedKey& Get(Digest digest, std::string_view key) {
    for (const auto& k : keys) {
      if (k && k->digest == digest && k->key == key) return *k;
    }
    auto& slot = keys[next];
    next = (next + 1) % keys.size();
    slot = std::make_unique<PreparedKey>(digest, key);
    return *slot;
  }
};

}  // namespace

std::string Hmac(Digest digest, std::string_view key, std::string_view data) {
  return HmacConcat(digest, key, std::span<const std::string_view>(&data, 1));
}

std::string HmacConcat(Digest digest, std::string_view key, std::span<const std::string_view> pieces) {
  thread_local KeyCache cache;
  unsigned char md[EVP_MAX_MD_SIZE];
  const std::size_t md_len = cache.Get(digest, key).Mac(pieces, md);
  return std::string(reinterpret_cast<const char*>(md), md_len);
}

static_assert(kMaxMacBytes == EVP_MAX_MD_SIZE);

struct HmacKey::State : PreparedKey {
  using PreparedKey::PreparedKey;
};

HmacKey::HmacKey(Digest digest, std::string_view key)
    : state_(std::make_unique<State>(digest, key, /*keep_key=*/false)) {}
HmacKey::~HmacKey() = default;
HmacKey::HmacKey(HmacKey&&) noexcept = default;
HmacKey& HmacKey::operator=(HmacKey&&) noexcept = default;

Digest HmacKey::digest() const { return state_->digest; }

std::size_t HmacKey::size() const { return static_cast<std::size_t>(EVP_MD_get_size(Md(state_->digest))); }

std::size_t HmacKey::Mac(std::span<const std::string_view> pieces, std::span<unsigned char, kMaxMacBytes> out) const {
  return state_->Mac(pieces, out.data());
}

std::string HmacKey::Mac(std::string_view data) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  const std::size_t md_len = state_->Mac(std::span<const std::string_view>(&data, 1), md);
  return std::string(reinterpret_cast<const char*>(md), md_len);
}

std::string Hash(Digest digest, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &md_len, Md(digest), nullptr) != 1) Fatal("EVP_Digest");
  return std::string(reinterpret_cast<const char*>(md), md_len);
}

Hasher::Hasher(Digest digest) : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), Md(digest), nullptr) != 1) {
    Fatal("digest init");
  }
}

Hasher::~Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Hasher::Update(std::string_view bytes) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size()) != 1) Fatal("EVP_DigestUpdate");
}

std::string Hasher::Finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &md_len) != 1) Fatal("EVP_DigestFinal_ex");
  return std::string(reinterpret_cast<const char*>(md), md_len);
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
    diff |= static_cast<unsigned char>(ascii::ToLower(a[i]) ^ ascii::ToLower(b[i]));
  }
  return diff == 0;
}

bool VerifyEd25519(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key.data()),
                                  public_key.size()),
      &EVP_PKEY_free);
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx) Fatal("EVP_MD_CTX_new");
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

std::optional<std::string> RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max())) return std::nullopt;
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) return std::nullopt;
  return out;
}

namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

bool FitsInt(std::size_t n) { return n <= static_cast<std::size_t>(std::numeric_limits<int>::max()); }

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::optional<std::string> Aes256GcmSeal(std::string_view key, std::string_view plain, std::string_view aad) {
  if (key.size() != kAes256KeyBytes || !FitsInt(plain.size()) || !FitsInt(aad.size())) return std::nullopt;
  std::optional<std::string> nonce = RandomBytes(kAesGcmNonceBytes);
  if (!nonce) return std::nullopt;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) Fatal("EVP_CIPHER_CTX_new");
  std::string out = *nonce;
  out.resize(kAesGcmNonceBytes + plain.size() + kAesGcmTagBytes);
  auto* body = reinterpret_cast<unsigned char*>(out.data()) + kAesGcmNonceBytes;
  int len = 0;
  int written = 0;
  const bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kAesGcmNonceBytes, nullptr) == 1 &&
                  EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(*nonce)) == 1 &&
                  EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
                  EVP_EncryptUpdate(ctx.get(), body, &written, Bytes(plain), static_cast<int>(plain.size())) == 1 &&
                  EVP_EncryptFinal_ex(ctx.get(), body + written, &len) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagBytes, body + plain.size()) == 1;
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> Aes256GcmOpen(std::string_view key, std::string_view sealed, std::string_view aad) {
  if (key.size() != kAes256KeyBytes || sealed.size() < kAesGcmNonceBytes + kAesGcmTagBytes || !FitsInt(sealed.size()) ||
      !FitsInt(aad.size())) {
    return std::nullopt;
  }
  const std::size_t n = sealed.size() - kAesGcmNonceBytes - kAesGcmTagBytes;
  std::string tag(sealed.substr(kAesGcmNonceBytes + n));  // SET_TAG wants a writable buffer
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) Fatal("EVP_CIPHER_CTX_new");
  std::string plain(n, '\0');
  int len = 0;
  unsigned char last[16];
  const bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kAesGcmNonceBytes, nullptr) == 1 &&
                  EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(sealed)) == 1 &&
                  EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
                  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                                    Bytes(sealed) + kAesGcmNonceBytes, static_cast<int>(n)) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagBytes, tag.data()) == 1 &&
                  EVP_DecryptFinal_ex(ctx.get(), last, &len) == 1;
  if (!ok) return std::nullopt;
  return plain;
}

}  // namespace helpline
