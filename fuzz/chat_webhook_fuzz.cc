// Fuzz target: the JSON chat webhook (gateway/chat/): the HMAC signature
// over timestamp and body, the timestamp window, the message JSON, the JSON
// answer carrying the reply and resources.
//
// Input: header lines up to an empty line, then the JSON body. Headers:
// content-type (default application/json), x-helpline-timestamp (default
// 1700000000, also the harness's clock), x-helpline-signature (checked as
// given). The request is parsed twice: with the signature given, and signed
// correctly by the harness.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/webhook_checks.h"
#include "gateway/chat/chat_provider.h"
#include "gateway/chat/chat_signature.h"

namespace gw = helpline::gateway;
namespace fz = helpline::fuzz;

namespace {
constexpr char kSecret[] = "fuzz-chat-secret-0123456789";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const gw::ChatProvider provider(gw::ChatConfig{.secret = kSecret});
  fz::FuzzInput in(data, size);
  const fz::Headers headers = in.HeaderLines();
  const std::string_view body = in.Rest();
  const std::string content_type = fz::HeaderOr(headers, "content-type", "application/json");
  const std::string timestamp = fz::HeaderOr(headers, "x-helpline-timestamp", "1700000000");
  gw::WebhookRequest request =
      fz::PostRequest("https://helpline.example.org/webhooks/chat", content_type, body, headers);
  fz::SetHeader(request, "x-helpline-timestamp", timestamp);
  const auto now = fz::ClockAt(timestamp);
  fz::CheckParsed(provider, provider.Parse(request, now), body);

  const std::string good = gw::ChatSignature(kSecret, timestamp, body);
  fz::SetHeader(request, "x-helpline-signature", good);
  fz::CheckParsed(provider, provider.Parse(request, now), body);
  fz::CheckClassify(provider, size > 0 ? data[0] : 0, body, timestamp);
  return 0;
}
