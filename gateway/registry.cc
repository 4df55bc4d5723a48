#include "gateway/registry.h"

#include "gateway/chat/chat_provider.h"
#include "gateway/telegram/telegram_provider.h"
#include "gateway/telnyx/telnyx_provider.h"
#include "gateway/twilio/twilio_provider.h"
#include "gateway/vonage/vonage_provider.h"

namespace helpline::gateway {
namespace {

// One row per provider (see registry.h).
constexpr ProviderEntry kProviders[] = {
    {"twilio", "auth_token", TwilioProvider::kSettings, &TwilioProvider::CheckSettings, &TwilioProvider::FromSettings},
    {"vonage", "signature_secret", VonageProvider::kSettings, &VonageProvider::CheckSettings,
     &VonageProvider::FromSettings},
    {"telnyx", "public_key", TelnyxProvider::kSettings, &TelnyxProvider::CheckSettings, &TelnyxProvider::FromSettings},
    {"telegram", "secret_token", TelegramProvider::kSettings, nullptr, &TelegramProvider::FromSettings},
    {"chat", "secret", ChatProvider::kSettings, nullptr, &ChatProvider::FromSettings},
};

}  // namespace

std::string_view SettingOf(const ProviderSettings& settings, std::string_view key) {
  const auto it = settings.find(key);
  return it == settings.end() ? std::string_view() : std::string_view(it->second);
}

ProviderSettings ProviderEntry::WithDefaults(const ProviderSettings& configured) const {
  ProviderSettings out = configured;
  for (const ProviderSettingSpec& spec : settings) {
    if (!spec.default_value.empty() && !out.contains(spec.key)) out.emplace(spec.key, spec.default_value);
  }
  return out;
}

const ProviderSettingSpec* ProviderEntry::Find(std::string_view key) const {
  for (const ProviderSettingSpec& spec : settings) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

std::span<const ProviderEntry> Providers() { return kProviders; }

const ProviderEntry* FindProvider(std::string_view name) {
  for (const ProviderEntry& row : kProviders) {
    if (row.name == name) return &row;
  }
  return nullptr;
}

}  // namespace helpline::gateway
