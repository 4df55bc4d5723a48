// Fuzz target: Telegram's webhook (gateway/telegram/): the secret-token
// header, the update JSON, the sendMessage answer (text cut to Telegram's
// limit), the REST send's answer.
//
// Input: header lines up to an empty line, then the JSON body. Headers:
// content-type (default application/json),
// x-telegram-bot-api-secret-token (checked as given). The request is parsed
// twice: with the token given, and with the right one.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/webhook_checks.h"
#include "gateway/telegram/telegram_provider.h"

namespace gw = helpline::gateway;
namespace fz = helpline::fuzz;

namespace {
constexpr char kSecret[] = "fuzz-secret-token_0123";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const gw::TelegramProvider provider(
      gw::TelegramConfig{.bot_token = "123456:ABCdefGhIJKlmNoPQRstuVWxyz", .secret_token = kSecret});
  fz::FuzzInput in(data, size);
  const fz::Headers headers = in.HeaderLines();
  const std::string_view body = in.Rest();
  const std::string content_type = fz::HeaderOr(headers, "content-type", "application/json");
  gw::WebhookRequest request =
      fz::PostRequest("https://helpline.example.org/webhooks/telegram", content_type, body, headers);
  const auto now = fz::ClockAt("");
  fz::CheckParsed(provider, provider.Parse(request, now), body);

  fz::SetHeader(request, "x-telegram-bot-api-secret-token", kSecret);
  fz::CheckParsed(provider, provider.Parse(request, now), body);

  const std::string fitted = gw::TelegramProvider::FitText(body);
  FUZZ_CHECK(fz::IsUtf8(fitted));
  fz::CheckClassify(provider, size > 0 ? data[0] : 0, body, content_type);
  return 0;
}
