#pragma once
// Rate caps of drug alerts: how many messages per second a sender number
// and a provider may be handed (alert_release.h enforces them), parsed from
// the config's "N[,provider=N...]".
//
//   auto r = ParseReleaseRate("1,telegram=30");   // 1/s per number, 30/s for Telegram bots
//   r->For("twilio") == 1
//
// Thread-safety: plain values.

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace helpline::daemon::alerts {

// Messages per second, by provider, with a default. 0 means no cap.
struct ReleaseRate {
  double fallback = 0;
  std::map<std::string, double, std::less<>> by_provider;
  double For(std::string_view provider) const;
};

struct ReleaseRates {
  // Per sender number (our long code, short code or bot). Carriers' rule
  // for a long code: 1 message per second. Default "1".
  ReleaseRate per_number{.fallback = 1, .by_provider = {}};
  // Per provider, across its numbers (an account's limit). Default "0": none.
  ReleaseRate per_provider{};
};

// "N[,provider=N...]": a default then overrides, each 0 to 10000 messages
// per second (decimals allowed: "0.5"). InvalidArgument naming the part.
Result<ReleaseRate> ParseReleaseRate(std::string_view spec);

}  // namespace helpline::daemon::alerts
