// Fuzz target: Twilio's webhook (gateway/twilio/): form decoding, the
// X-Twilio-Signature check (the URL with and without its port), inbound
// messages and status callbacks, the TwiML answer, the REST send's answer.
//
// Input: header lines up to an empty line, then the form body. Headers:
// content-type (default application/x-www-form-urlencoded),
// x-twilio-signature (checked as given), url (the public URL the signature
// covers; default https://helpline.example.org/webhooks/twilio). The request
// is parsed twice: with the signature given, and signed correctly by the
// harness, so the checks after the signature see every body.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/webhook_checks.h"
#include "gateway/twilio/twilio_provider.h"
#include "gateway/twilio/twilio_signature.h"

namespace gw = helpline::gateway;
namespace fz = helpline::fuzz;

namespace {
constexpr char kToken[] = "fuzz-auth-token-0123456789abcdef";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const gw::TwilioProvider provider(
      gw::TwilioConfig{.account_sid = "AC0123456789abcdef0123456789abcdef", .auth_token = kToken});
  fz::FuzzInput in(data, size);
  const fz::Headers headers = in.HeaderLines();
  const std::string_view body = in.Rest();
  const std::string content_type = fz::HeaderOr(headers, "content-type", "application/x-www-form-urlencoded");
  const std::string url = fz::HeaderOr(headers, "url", "https://helpline.example.org/webhooks/twilio");
  const std::string signature = fz::HeaderOr(headers, "x-twilio-signature", "");
  gw::WebhookRequest request = fz::PostRequest(url, content_type, body, headers);
  const auto now = fz::ClockAt("");
  fz::CheckParsed(provider, provider.Parse(request, now), body);

  auto params = gw::ParseFormUrlencoded(body);
  if (params.ok()) {
    const std::string good = gw::TwilioSignature(kToken, url, *params);
    FUZZ_CHECK(gw::VerifyTwilioSignature(kToken, url, *params, good));
    fz::SetHeader(request, "x-twilio-signature", good);
    fz::CheckParsed(provider, provider.Parse(request, now), body);
  }
  fz::CheckClassify(provider, size > 0 ? data[0] : 0, body, signature);
  return 0;
}
