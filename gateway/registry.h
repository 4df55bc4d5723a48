#pragma once
// The providers the daemon can serve, one row each: the one place a provider
// is named outside its own folder. A row gives the provider's name (its
// webhook is /webhooks/{name}, its settings are "{name}_{key}" in the
// configuration file and HELPLINE_{NAME}_{KEY} in the environment), its
// settings, the setting whose presence turns it on, a check of its settings
// and a factory. Adding a provider is its folder under gateway/ (with
// {name}_provider and {name}_signature) and one row in registry.cc.
// There is no static self-registration: the table is explicit.
//
//   for (const ProviderEntry& row : Providers()) {
//     ProviderSettings s = row.WithDefaults(configured[row.name]);
//     if (row.Enabled(s)) providers[row.name] = row.make(s, {.tolerance = 300s});
//   }
//
// Thread-safety: the table is immutable; every function is safe to call
// concurrently.

#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/provider.h"

namespace helpline::gateway {

// One setting of a provider, by its key without the provider's prefix.
struct ProviderSettingSpec {
  std::string_view key;            // "auth_token": twilio_auth_token, HELPLINE_TWILIO_AUTH_TOKEN
  bool secret = false;             // never printed: "(set)" or "(not set)"
  std::string_view default_value;  // "" when none
  std::string_view choices;        // the accepted values, space-separated ("" = any)
};

// A provider's settings as configured, by key without the prefix.
using ProviderSettings = std::map<std::string, std::string, std::less<>>;

// The value of `key` in `settings`, or "".
std::string_view SettingOf(const ProviderSettings& settings, std::string_view key);

// What every provider shares from the daemon's own settings.
struct ProviderContext {
  std::chrono::seconds tolerance{300};  // webhook_tolerance_s: accepted clock skew of signed timestamps
};

struct ProviderEntry {
  std::string_view name;                          // "twilio"
  std::string_view enabled_by;                    // "auth_token": served when this setting is set
  std::span<const ProviderSettingSpec> settings;  // every key the provider reads
  // OK, or InvalidArgument naming the settings (never their values) that
  // would make the provider refuse every webhook or send. Called only for an
  // enabled provider, with defaults filled in; null when nothing is checked.
  Status (*check)(const ProviderSettings& settings) = nullptr;
  // The provider, from its settings with defaults filled in.
  std::unique_ptr<Provider> (*make)(const ProviderSettings& settings, const ProviderContext& context) = nullptr;

  // `configured` with each missing setting set to its default.
  ProviderSettings WithDefaults(const ProviderSettings& configured) const;
  bool Enabled(const ProviderSettings& settings) const { return !SettingOf(settings, enabled_by).empty(); }
  // The spec of `key` (without the prefix), or null.
  const ProviderSettingSpec* Find(std::string_view key) const;
};

// Every provider, in a fixed order.
std::span<const ProviderEntry> Providers();

// The row named `name`, or null.
const ProviderEntry* FindProvider(std::string_view name);

}  // namespace helpline::gateway
