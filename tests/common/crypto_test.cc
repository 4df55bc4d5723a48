#include "common/crypto.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace helpline {
namespace {

// Raw bytes from hex (test constants only).
std::string Unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

std::string HexHmac(Digest d, std::string_view key, std::string_view data) { return HexLower(Hmac(d, key, data)); }

const std::string kKey0b20(20, '\x0b');
const std::string kKeyAa131(131, '\xaa');
const std::string kKeyAa80(80, '\xaa');
constexpr std::string_view kHiThere = "Hi There";
constexpr std::string_view kJefeData = "what do ya want for nothing?";
constexpr std::string_view kLargeKeyData = "Test Using Larger Than Block-Size Key - Hash Key First";

// RFC 4231 section 4 (HMAC-SHA-256 and HMAC-SHA-512), test cases 1, 2 and 6.
TEST(Hmac, MatchesRfc4231TestCase1) {
  EXPECT_EQ(HexHmac(Digest::kSha256, kKey0b20, kHiThere),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexHmac(Digest::kSha512, kKey0b20, kHiThere),
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
            "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
}

TEST(Hmac, MatchesRfc4231TestCase2WithAShortKey) {
  EXPECT_EQ(HexHmac(Digest::kSha256, "Jefe", kJefeData),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HexHmac(Digest::kSha512, "Jefe", kJefeData),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST(Hmac, MatchesRfc4231TestCase6WithAKeyLongerThanABlock) {
  EXPECT_EQ(HexHmac(Digest::kSha256, kKeyAa131, kLargeKeyData),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HexHmac(Digest::kSha512, kKeyAa131, kLargeKeyData),
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
            "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
}

TEST(HmacConcat, IsTheHmacOfThePiecesJoined) {
  const std::vector<std::string_view> pieces = {"what do ya want ", "", "for nothing?"};
  EXPECT_EQ(HexLower(HmacConcat(Digest::kSha256, "Jefe", pieces)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  for (const Digest d : {Digest::kMd5, Digest::kSha1, Digest::kSha256, Digest::kSha512}) {
    EXPECT_EQ(HmacConcat(d, kKeyAa131, pieces), Hmac(d, kKeyAa131, kJefeData));
    EXPECT_EQ(HmacConcat(d, "k", {}), Hmac(d, "k", ""));
    const std::string_view one[] = {kLargeKeyData};
    EXPECT_EQ(HmacConcat(d, "k", one), Hmac(d, "k", kLargeKeyData));
  }
}

// RFC 2202 (HMAC-MD5 section 2, HMAC-SHA-1 section 3), test cases 1, 2 and 6.
TEST(Hmac, MatchesRfc2202ForMd5) {
  EXPECT_EQ(HexHmac(Digest::kMd5, std::string(16, '\x0b'), kHiThere), "9294727a3638bb1c13f48ef8158bfc9d");
  EXPECT_EQ(HexHmac(Digest::kMd5, "Jefe", kJefeData), "750c783e6ab0b503eaa86e310a5db738");
  EXPECT_EQ(HexHmac(Digest::kMd5, kKeyAa80, kLargeKeyData), "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
}

TEST(Hmac, MatchesRfc2202ForSha1) {
  EXPECT_EQ(HexHmac(Digest::kSha1, kKey0b20, kHiThere), "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(HexHmac(Digest::kSha1, "Jefe", kJefeData), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(HexHmac(Digest::kSha1, kKeyAa80, kLargeKeyData), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(Hmac, ReturnsRawBytesOfTheDigestsSize) {
  EXPECT_EQ(Hmac(Digest::kMd5, "k", "d").size(), 16u);
  EXPECT_EQ(Hmac(Digest::kSha1, "k", "d").size(), 20u);
  EXPECT_EQ(Hmac(Digest::kSha256, "k", "d").size(), 32u);
  EXPECT_EQ(Hmac(Digest::kSha512, "k", "d").size(), 64u);
}

TEST(Hmac, AcceptsAnEmptyKeyAndEmptyData) {
  // HMAC-SHA256("", ""), as given by Python's
  // hmac.new(b"", b"", hashlib.sha256).hexdigest().
  EXPECT_EQ(HexHmac(Digest::kSha256, "", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// FIPS 180 "abc" examples; MD5 of "" from RFC 1321.
// Prepared keys are cached per thread (four at a time): many keys, used in
// turn and from several threads, must each still give their own MAC.
TEST(Hmac, StaysCorrectAcrossManyKeysAndThreads) {
  const std::string data = "what do ya want for nothing?";
  const std::string expected = HexLower(Hmac(Digest::kSha256, "Jefe", data));
  EXPECT_EQ(expected, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");  // RFC 4231 case 2
  std::vector<std::string> first;
  for (int i = 0; i < 10; ++i) first.push_back(Hmac(Digest::kSha256, "key-" + std::to_string(i), data));
  for (int i = 0; i < 10; ++i) {
    EXPECT_NE(first[static_cast<std::size_t>(i)], first[static_cast<std::size_t>((i + 1) % 10)]);
  }
  auto check = [&] {
    for (int round = 0; round < 50; ++round) {
      for (int i = 9; i >= 0; --i) {
        if (Hmac(Digest::kSha256, "key-" + std::to_string(i), data) != first[static_cast<std::size_t>(i)]) return false;
      }
      if (HexLower(Hmac(Digest::kSha256, "Jefe", data)) != expected) return false;
      if (Hmac(Digest::kSha1, "Jefe", data) == Hmac(Digest::kSha256, "Jefe", data)) return false;
    }
    return true;
  };
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (std::size_t t = 0; t < ok.size(); ++t) threads.emplace_back([&, t] { ok[t] = check() ? 1 : 0; });
  for (auto& t : threads) t.join();
  EXPECT_TRUE(check());
  EXPECT_EQ(ok, std::vector<int>(4, 1));
}

// RFC 2104 written out over Hash() (OpenSSL's EVP one-shot digest), to
// check the prepared-key HMAC against on any key and data.
std::string ReferenceHmac(Digest d, std::string key, std::string_view data) {
  const std::size_t block = d == Digest::kSha512 ? 128 : 64;
  if (key.size() > block) key = Hash(d, key);
  key.resize(block, '\0');
  std::string ipad = key, opad = key;
  for (std::size_t i = 0; i < block; ++i) {
    ipad[i] = static_cast<char>(ipad[i] ^ 0x36);
    opad[i] = static_cast<char>(opad[i] ^ 0x5c);
  }
  return Hash(d, opad + Hash(d, ipad + std::string(data)));
}

// `n` random bytes, and `data` cut into random pieces (some empty), for the
// random-input tests below.
std::string TestBytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

std::vector<std::string_view> RandomPieces(std::mt19937& rng, std::string_view data) {
  std::vector<std::string_view> pieces;
  for (std::string_view rest = data; !rest.empty();) {
    const std::size_t n = std::min<std::size_t>(rest.size(), rng() % 80);
    pieces.push_back(rest.substr(0, n));
    rest.remove_prefix(n);
  }
  return pieces;
}

// Random keys (empty, shorter and longer than a block) and data (several
// blocks, cut into random pieces), every digest, with more keys than the
// per-thread cache keeps, so prepared keys are made, reused and replaced.
TEST(Hmac, MatchesRfc2104OnRandomKeysAndData) {
  std::mt19937 rng(20261206);
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back(TestBytes(rng, rng() % 200));
  keys.push_back("");
  for (int round = 0; round < 400; ++round) {
    const Digest d = std::array{Digest::kMd5, Digest::kSha1, Digest::kSha256, Digest::kSha512}[rng() % 4];
    const std::string& key = keys[rng() % keys.size()];
    const std::string data = TestBytes(rng, rng() % 300);
    const std::vector<std::string_view> pieces = RandomPieces(rng, data);
    const std::string expected = ReferenceHmac(d, key, data);
    ASSERT_EQ(HexLower(Hmac(d, key, data)), HexLower(expected)) << "round " << round;
    ASSERT_EQ(HexLower(HmacConcat(d, key, pieces)), HexLower(expected)) << "round " << round;
  }
}

// A key made ready once gives the published MACs (RFC 2202 for MD5 and
// SHA-1, RFC 4231 for SHA-256 and SHA-512), short keys, keys of a block and
// keys longer than a block alike, through both of its Mac() forms.
std::string HexKeyMac(Digest d, std::string_view key, std::string_view data) {
  const HmacKey prepared(d, key);
  std::array<unsigned char, kMaxMacBytes> out{};
  const std::size_t n = prepared.Mac(std::span<const std::string_view>(&data, 1), out);
  EXPECT_EQ(n, prepared.size());
  const std::string text = prepared.Mac(data);
  EXPECT_EQ(text, std::string(reinterpret_cast<const char*>(out.data()), n));
  return HexLower(text);
}

TEST(HmacKey, MatchesRfc2202AndRfc4231) {
  EXPECT_EQ(HexKeyMac(Digest::kMd5, std::string(16, '\x0b'), kHiThere), "9294727a3638bb1c13f48ef8158bfc9d");
  EXPECT_EQ(HexKeyMac(Digest::kMd5, "Jefe", kJefeData), "750c783e6ab0b503eaa86e310a5db738");
  EXPECT_EQ(HexKeyMac(Digest::kMd5, kKeyAa80, kLargeKeyData), "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
  EXPECT_EQ(HexKeyMac(Digest::kSha1, kKey0b20, kHiThere), "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(HexKeyMac(Digest::kSha1, "Jefe", kJefeData), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(HexKeyMac(Digest::kSha1, kKeyAa80, kLargeKeyData), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  EXPECT_EQ(HexKeyMac(Digest::kSha256, kKey0b20, kHiThere),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexKeyMac(Digest::kSha256, "Jefe", kJefeData),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HexKeyMac(Digest::kSha256, kKeyAa131, kLargeKeyData),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HexKeyMac(Digest::kSha512, kKey0b20, kHiThere),
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
            "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
  EXPECT_EQ(HexKeyMac(Digest::kSha256, "", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// Random keys (empty, shorter and longer than a block) and data cut into
// random pieces: a prepared key, used many times, gives what the one-shot
// Hmac() and RFC 2104 written out give; so does one moved to another owner.
TEST(HmacKey, MatchesTheOneShotHmacOnRandomKeysAndData) {
  std::mt19937 rng(20261207);
  for (int k = 0; k < 24; ++k) {
    const Digest d = std::array{Digest::kMd5, Digest::kSha1, Digest::kSha256, Digest::kSha512}[k % 4];
    const std::string key = k < 4 ? std::string() : TestBytes(rng, rng() % 200);
    HmacKey moved_from(d, key);
    const HmacKey prepared = std::move(moved_from);
    EXPECT_EQ(prepared.digest(), d);
    for (int round = 0; round < 20; ++round) {
      const std::string data = TestBytes(rng, rng() % 300);
      const std::vector<std::string_view> pieces = RandomPieces(rng, data);
      std::array<unsigned char, kMaxMacBytes> out{};
      const std::size_t n = prepared.Mac(pieces, out);
      const std::string mac(reinterpret_cast<const char*>(out.data()), n);
      ASSERT_EQ(HexLower(mac), HexLower(Hmac(d, key, data))) << "key " << k << " round " << round;
      ASSERT_EQ(HexLower(mac), HexLower(ReferenceHmac(d, key, data))) << "key " << k << " round " << round;
      ASSERT_EQ(prepared.Mac(data), mac);
    }
  }
}

// One const key shared by several threads (a provider serves every loop).
TEST(HmacKey, GivesTheSameMacOnSeveralThreadsAtOnce) {
  const HmacKey key(Digest::kSha1, "Jefe");
  auto check = [&] {
    for (int i = 0; i < 2000; ++i) {
      if (HexLower(key.Mac(kJefeData)) != "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79") return false;
    }
    return true;
  };
  std::vector<int> ok(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < ok.size(); ++t) threads.emplace_back([&, t] { ok[t] = check() ? 1 : 0; });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
}

TEST(Hash, MatchesPublishedDigests) {
  EXPECT_EQ(HexLower(Hash(Digest::kMd5, "")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexLower(Hash(Digest::kSha1, "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(HexLower(Hash(Digest::kSha256, "abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexLower(Hash(Digest::kSha512, "abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(HexLower, EncodesEveryByteAsTwoLowerCaseDigits) {
  EXPECT_EQ(HexLower(""), "");
  EXPECT_EQ(HexLower(std::string_view("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(HexLower("AZ"), "415a");
}

TEST(ConstantTimeEquals, ComparesBytesExactly) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ABC"));
  EXPECT_TRUE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(ConstantTimeEquals, StringsOfDifferentLengthsAreUnequal) {
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

TEST(ConstantTimeEqualsIgnoreCase, IgnoresAsciiCaseOnly) {
  EXPECT_TRUE(ConstantTimeEqualsIgnoreCase("", ""));
  EXPECT_TRUE(ConstantTimeEqualsIgnoreCase("0a1B2c", "0A1b2C"));
  EXPECT_FALSE(ConstantTimeEqualsIgnoreCase("0a1b", "0a1c"));
  EXPECT_FALSE(ConstantTimeEqualsIgnoreCase("abc", "abcd"));
  // Only A-Z fold: '@' (0x40) and '`' (0x60) differ by the case bit but are not letters.
  EXPECT_FALSE(ConstantTimeEqualsIgnoreCase("@", "`"));
  EXPECT_FALSE(ConstantTimeEqualsIgnoreCase("[", "{"));
  // Bytes beyond ASCII compare exactly.
  EXPECT_FALSE(ConstantTimeEqualsIgnoreCase("\xC9", "\xE9"));
}

// An Ed25519 vector made independently of this code with the OpenSSL 3.0 CLI:
//   openssl genpkey -algorithm ed25519 -out crypto_key.pem
//     (-----BEGIN PRIVATE KEY-----
//      MC4CAQAwBQYDK2VwBCIEIGtHtHa6sF0eQ21IzmJceVd9Ej4Pq0mpHtJM1gTQT+8D
//      -----END PRIVATE KEY-----)
//   printf '%s' 'helpline crypto_test vector|{"hello":"world"}' > crypto.msg
//   openssl pkey -in crypto_key.pem -pubout -outform DER | tail -c 32 | xxd -p -c 64     # kOpensslPublicKey
//   openssl pkeyutl -sign -inkey crypto_key.pem -rawin -in crypto.msg | xxd -p -c 128    # kOpensslSignature
constexpr std::string_view kOpensslMessage = R"(helpline crypto_test vector|{"hello":"world"})";
constexpr std::string_view kOpensslPublicKey = "3778f946de7e9a033717a9a015c7d20126b76c5301714fdf75b8bedcbcd3fa6a";
constexpr std::string_view kOpensslSignature =
    "6383a28575b0f2b164dbabe1f3c2c5a54cf60ca40b22629f972763715332b68e"
    "7c658fee9e1cbe2dddc5c5057d347c8e39e5388561dbb6886be88baaff53a408";

// RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte, 0x72).
constexpr std::string_view kRfcTest1PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view kRfcTest1Signature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
constexpr std::string_view kRfcTest2PublicKey = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr std::string_view kRfcTest2Signature =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
    "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

TEST(VerifyEd25519, AcceptsASignatureMadeByTheOpensslCommandLine) {
  EXPECT_TRUE(VerifyEd25519(Unhex(kOpensslPublicKey), kOpensslMessage, Unhex(kOpensslSignature)));
}

TEST(VerifyEd25519, AcceptsRfc8032TestVectors1And2) {
  EXPECT_TRUE(VerifyEd25519(Unhex(kRfcTest1PublicKey), "", Unhex(kRfcTest1Signature)));
  EXPECT_TRUE(VerifyEd25519(Unhex(kRfcTest2PublicKey), "\x72", Unhex(kRfcTest2Signature)));
}

TEST(VerifyEd25519, RefusesATamperedMessage) {
  std::string message(kOpensslMessage);
  message.back() = ')';
  EXPECT_FALSE(VerifyEd25519(Unhex(kOpensslPublicKey), message, Unhex(kOpensslSignature)));
  EXPECT_FALSE(VerifyEd25519(Unhex(kOpensslPublicKey), std::string(kOpensslMessage) + " ", Unhex(kOpensslSignature)));
  EXPECT_FALSE(VerifyEd25519(Unhex(kRfcTest2PublicKey), "\x73", Unhex(kRfcTest2Signature)));
}

TEST(VerifyEd25519, RefusesATamperedSignature) {
  for (const std::size_t byte : {0u, 31u, 32u, 63u}) {
    std::string signature = Unhex(kOpensslSignature);
    signature[byte] = static_cast<char>(signature[byte] ^ 0x01);
    EXPECT_FALSE(VerifyEd25519(Unhex(kOpensslPublicKey), kOpensslMessage, signature)) << byte;
  }
}

TEST(VerifyEd25519, RefusesTheWrongKey) {
  EXPECT_FALSE(VerifyEd25519(Unhex(kRfcTest1PublicKey), kOpensslMessage, Unhex(kOpensslSignature)));
  EXPECT_FALSE(VerifyEd25519(Unhex(kOpensslPublicKey), "", Unhex(kRfcTest1Signature)));
}

TEST(VerifyEd25519, RefusesKeysAndSignaturesOfTheWrongSize) {
  const std::string key = Unhex(kOpensslPublicKey);
  const std::string signature = Unhex(kOpensslSignature);
  EXPECT_FALSE(VerifyEd25519(key.substr(0, 31), kOpensslMessage, signature));
  EXPECT_FALSE(VerifyEd25519(key + '\0', kOpensslMessage, signature));
  EXPECT_FALSE(VerifyEd25519("", kOpensslMessage, signature));
  EXPECT_FALSE(VerifyEd25519(key, kOpensslMessage, signature.substr(0, 63)));
  EXPECT_FALSE(VerifyEd25519(key, kOpensslMessage, signature + '\0'));
  EXPECT_FALSE(VerifyEd25519(key, kOpensslMessage, ""));
}

TEST(VerifyEd25519, RefusesAnAllZeroSignature) {
  EXPECT_FALSE(VerifyEd25519(Unhex(kOpensslPublicKey), kOpensslMessage, std::string(64, '\0')));
}

TEST(Hasher, PiecesGiveTheOneShotDigest) {
  for (Digest d : {Digest::kMd5, Digest::kSha1, Digest::kSha256, Digest::kSha512}) {
    Hasher h(d);
    h.Update("a");
    h.Update("");
    h.Update("bc");
    EXPECT_EQ(h.Finish(), Hash(d, "abc"));
  }
}

// GCM test cases 13 and 14 (McGrew and Viega's GCM specification): the zero
// key, the zero nonce, an empty and a zero 16-byte plaintext.
TEST(Aes256Gcm, OpensTheSpecificationTestVectors) {
  const std::string key(32, '\0');
  const std::string nonce(12, '\0');
  EXPECT_EQ(Aes256GcmOpen(key, nonce + Unhex("530f8afbc74536b9a963b4f1c4cb738b"), ""), "");
  EXPECT_EQ(Aes256GcmOpen(key, nonce + Unhex("cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"), ""),
            std::string(16, '\0'));
}

TEST(Aes256Gcm, SealsWithAFreshNonceAndOpensOnlyWithTheSameKeyAndAad) {
  const std::string key(32, 'k');
  const std::optional<std::string> a = Aes256GcmSeal(key, "+15551234567", "sub:abc");
  const std::optional<std::string> b = Aes256GcmSeal(key, "+15551234567", "sub:abc");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), kAesGcmNonceBytes + 12 + kAesGcmTagBytes);
  EXPECT_NE(*a, *b);  // a new nonce each time
  EXPECT_EQ(a->find("+15551234567"), std::string::npos);
  EXPECT_EQ(Aes256GcmOpen(key, *a, "sub:abc"), "+15551234567");
  EXPECT_EQ(Aes256GcmOpen(key, *b, "sub:abc"), "+15551234567");
  EXPECT_EQ(Aes256GcmOpen(key, *a, "sub:abd"), std::nullopt);
  EXPECT_EQ(Aes256GcmOpen(std::string(32, 'K'), *a, "sub:abc"), std::nullopt);
  std::string altered = *a;
  altered[kAesGcmNonceBytes] ^= 1;
  EXPECT_EQ(Aes256GcmOpen(key, altered, "sub:abc"), std::nullopt);
  EXPECT_EQ(Aes256GcmOpen(key, a->substr(0, kAesGcmNonceBytes + kAesGcmTagBytes - 1), "sub:abc"), std::nullopt);
}

TEST(Aes256Gcm, RefusesKeysOfTheWrongSize) {
  EXPECT_EQ(Aes256GcmSeal(std::string(31, 'k'), "x", ""), std::nullopt);
  EXPECT_EQ(Aes256GcmSeal(std::string(33, 'k'), "x", ""), std::nullopt);
  EXPECT_EQ(Aes256GcmOpen(std::string(16, 'k'), std::string(40, '\0'), ""), std::nullopt);
}

TEST(RandomBytes, GivesTheLengthAskedAndDiffersEachTime) {
  const std::optional<std::string> a = RandomBytes(32);
  const std::optional<std::string> b = RandomBytes(32);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(RandomBytes(0), "");
}

TEST(HexDecode, InvertsHexLowerAndRefusesWhatIsNotHex) {
  EXPECT_EQ(HexDecode("01abFF"), std::string("\x01\xab\xff", 3));
  EXPECT_EQ(HexDecode(""), "");
  EXPECT_EQ(HexDecode(HexLower(std::string("\0\x10\x7f\x80", 4))), std::string("\0\x10\x7f\x80", 4));
  EXPECT_EQ(HexDecode("abc"), std::nullopt);
  EXPECT_EQ(HexDecode("0g"), std::nullopt);
  EXPECT_EQ(HexDecode("0 "), std::nullopt);
}

}  // namespace
}  // namespace helpline
