// Fuzz target: Telnyx's webhook (gateway/telnyx/): the Ed25519 signature over
// timestamp and body (base64), the timestamp window, the event JSON (inbound
// messages, delivery events, events we ignore), the REST send's JSON body and
// answer.
//
// Input: header lines up to an empty line, then the JSON body. Headers:
// content-type (default application/json), telnyx-timestamp (default
// 1700000000, also the harness's clock), telnyx-signature-ed25519 (checked as
// given). The request is parsed twice: with the signature given, and signed
// by the harness with the key whose public half the provider trusts.

#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/base64.h"
#include "fuzz/webhook_checks.h"
#include "gateway/telnyx/telnyx_provider.h"

namespace gw = helpline::gateway;
namespace fz = helpline::fuzz;

namespace {

// A fixed Ed25519 key: the harness signs, the provider verifies.
struct Signer {
  EVP_PKEY* key = nullptr;
  std::string public_key_base64;

  Signer() {
    std::array<unsigned char, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<unsigned char>(i * 7 + 1);
    key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
    FUZZ_CHECK(key != nullptr);
    std::array<unsigned char, 32> pub{};
    std::size_t pub_len = pub.size();
    FUZZ_CHECK(EVP_PKEY_get_raw_public_key(key, pub.data(), &pub_len) == 1);
    public_key_base64 = helpline::Base64Encode(std::string_view(reinterpret_cast<const char*>(pub.data()), pub_len));
  }

  std::string Sign(std::string_view message) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::array<unsigned char, 64> sig{};
    std::size_t sig_len = sig.size();
    FUZZ_CHECK(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key) == 1);
    FUZZ_CHECK(EVP_DigestSign(ctx, sig.data(), &sig_len, reinterpret_cast<const unsigned char*>(message.data()),
                              message.size()) == 1);
    EVP_MD_CTX_free(ctx);
    return helpline::Base64Encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig_len));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Signer signer;
  static const gw::TelnyxProvider provider(
      gw::TelnyxConfig{.api_key = "KEYfuzz0123456789", .public_key_base64 = signer.public_key_base64});
  fz::FuzzInput in(data, size);
  const fz::Headers headers = in.HeaderLines();
  const std::string_view body = in.Rest();
  const std::string content_type = fz::HeaderOr(headers, "content-type", "application/json");
  const std::string timestamp = fz::HeaderOr(headers, "telnyx-timestamp", "1700000000");
  gw::WebhookRequest request =
      fz::PostRequest("https://helpline.example.org/webhooks/telnyx", content_type, body, headers);
  fz::SetHeader(request, "telnyx-timestamp", timestamp);
  const auto now = fz::ClockAt(timestamp);
  fz::CheckParsed(provider, provider.Parse(request, now), body);

  std::string signed_payload = timestamp + "|";
  signed_payload.append(body);
  const std::string good = signer.Sign(signed_payload);
  fz::SetHeader(request, "telnyx-signature-ed25519", good);
  fz::CheckParsed(provider, provider.Parse(request, now), body);
  fz::CheckClassify(provider, size > 0 ? data[0] : 0, body, timestamp);
  return 0;
}
