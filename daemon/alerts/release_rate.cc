#include "daemon/alerts/release_rate.h"

#include <cstdlib>

namespace helpline::daemon::alerts {

double ReleaseRate::For(std::string_view provider) const {
  auto it = by_provider.find(provider);
  return it == by_provider.end() ? fallback : it->second;
}

Result<ReleaseRate> ParseReleaseRate(std::string_view spec) {
  ReleaseRate out;
  bool first = true;
  while (true) {
    const auto comma = spec.find(',');
    const std::string_view part = spec.substr(0, comma);
    const auto eq = part.find('=');
    if (first == (eq != std::string_view::npos)) {
      return InvalidArgument("rate '" + std::string(part) + "': expected N first, then provider=N");
    }
    const std::string number(eq == std::string_view::npos ? part : part.substr(eq + 1));
    char* end = nullptr;
    const double v = std::strtod(number.c_str(), &end);
    if (number.empty() || *end != '\0' || !(v >= 0 && v <= 10000)) {
      return InvalidArgument("rate '" + std::string(part) + "': expected 0 to 10000 messages per second");
    }
    if (first) {
      out.fallback = v;
    } else {
      const std::string name(part.substr(0, eq));
      if (name.empty()) return InvalidArgument("rate '" + std::string(part) + "': no provider");
      out.by_provider[name] = v;
    }
    first = false;
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace helpline::daemon::alerts
