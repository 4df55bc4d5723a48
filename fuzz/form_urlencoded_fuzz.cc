// Fuzz target: application/x-www-form-urlencoded decoding and encoding
// (gateway/form_urlencoded.h), the syntax of Twilio's and Vonage's bodies and
// of every query string.
//
// Input: the body, as is. Invariants: a parse either succeeds or fails with a
// message that never quotes the input; FormEncode of what was parsed parses
// back to the same pairs (for any bytes); ParamValue agrees with FindParam.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "gateway/form_urlencoded.h"

using helpline::fuzz::FuzzInput;
using helpline::fuzz::IsSafeReason;
namespace gw = helpline::gateway;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::string_view body = in.Rest();
  auto parsed = gw::ParseFormUrlencoded(body);
  if (!parsed.ok()) {
    const std::string message = parsed.status().message();
    FUZZ_CHECK(IsSafeReason(message));
    return 0;
  }
  const gw::FormParams& params = *parsed;
  const std::string encoded = gw::FormEncode(params);
  auto again = gw::ParseFormUrlencoded(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == params);
  FUZZ_CHECK(gw::FormEncode(*again) == encoded);
  for (const auto& [name, value] : params) {
    const std::string* found = gw::FindParam(params, name);
    FUZZ_CHECK(found != nullptr);
    FUZZ_CHECK(gw::ParamValue(params, name) == *found);
  }
  return 0;
}
