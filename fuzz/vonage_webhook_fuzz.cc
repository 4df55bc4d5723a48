// Fuzz target: Vonage's webhook (gateway/vonage/): form, query (GET) and
// JSON bodies, the signed-parameter check in each of its five methods, the
// timestamp window, concatenated parts and delivery receipts, the REST send's
// form body and answer.
//
// Input: header lines up to an empty line, then the body. Headers:
// content-type (default application/x-www-form-urlencoded), method (GET puts
// the body in the URL's query), sig-method ('0' MD5 hash, '1' MD5 HMAC, '2'
// SHA-1, '3' SHA-256, '4' SHA-512 HMAC; other characters modulo 5). The clock is the body's timestamp parameter. A
// form or query body is parsed twice: as given, and with its sig replaced by
// the right one.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/webhook_checks.h"
#include "gateway/form_urlencoded.h"
#include "gateway/vonage/vonage_provider.h"
#include "gateway/vonage/vonage_signature.h"

namespace gw = helpline::gateway;
namespace fz = helpline::fuzz;

namespace {

constexpr char kSecret[] = "fuzz-vonage-signature-secret";

const gw::VonageProvider& ProviderFor(int method) {
  static const auto make = [](gw::VonageSignatureMethod m) {
    return gw::VonageProvider(
        gw::VonageConfig{.api_key = "abcd1234", .api_secret = "fuzzsecret", .signature_secret = kSecret, .method = m});
  };
  static const gw::VonageProvider providers[] = {
      make(gw::VonageSignatureMethod::kMd5Hash), make(gw::VonageSignatureMethod::kMd5Hmac),
      make(gw::VonageSignatureMethod::kSha1Hmac), make(gw::VonageSignatureMethod::kSha256Hmac),
      make(gw::VonageSignatureMethod::kSha512Hmac)};
  return providers[method % 5];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fz::FuzzInput in(data, size);
  const fz::Headers headers = in.HeaderLines();
  const std::string_view body = in.Rest();
  const std::string content_type = fz::HeaderOr(headers, "content-type", "application/x-www-form-urlencoded");
  const std::string method = fz::HeaderOr(headers, "method", "POST");
  const std::string sig_text = fz::HeaderOr(headers, "sig-method", "0");
  const int sig_method = sig_text.empty() ? 0 : static_cast<unsigned char>(sig_text[0] - '0') % 5;
  const gw::VonageProvider& provider = ProviderFor(sig_method);
  const auto signature_method = static_cast<gw::VonageSignatureMethod>(sig_method);
  const bool is_get = method == "GET";
  std::string url = "https://helpline.example.org/webhooks/vonage";
  if (is_get) url.append("?").append(body);

  auto parsed_form = gw::ParseFormUrlencoded(body);
  const auto now = fz::ClockAt(parsed_form.ok() ? gw::ParamValue(*parsed_form, "timestamp") : "");

  gw::WebhookRequest request{.method = method,
                             .url = url,
                             .content_type = content_type,
                             .body = is_get ? std::string_view() : body,
                             .headers = {}};
  fz::CheckParsed(provider, provider.Parse(request, now), body);

  if (parsed_form.ok()) {
    gw::FormParams params = *parsed_form;
    std::erase_if(params, [](const auto& p) { return p.first == "sig"; });
    const std::string sig = gw::VonageSignature(signature_method, kSecret, params);
    FUZZ_CHECK(gw::VerifyVonageSignature(signature_method, kSecret, params, sig));
    params.emplace_back("sig", sig);
    const std::string signed_body = gw::FormEncode(params);
    std::string signed_url = "https://helpline.example.org/webhooks/vonage";
    if (is_get) signed_url.append("?").append(signed_body);
    gw::WebhookRequest good{.method = method,
                            .url = signed_url,
                            .content_type = content_type,
                            .body = is_get ? std::string_view() : std::string_view(signed_body),
                            .headers = {}};
    fz::CheckParsed(provider, provider.Parse(good, now), body);
  }
  fz::CheckClassify(provider, size > 0 ? data[0] : 0, body, method);
  return 0;
}
