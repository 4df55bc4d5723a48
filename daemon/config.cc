#include "daemon/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <variant>

#include "daemon/alerts/release_rate.h"
#include "daemon/alerts/report_forward.h"
#include "directory/regions.h"

namespace helpline::daemon {
namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

Status ParseInt(const std::string& v, long min, long max, long* out) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < min || n > max) {
    return InvalidArgument("'" + v + "' is not a whole number from " + std::to_string(min) + " to " +
                           std::to_string(max));
  }
  *out = n;
  return Status::Ok();
}

std::vector<std::string> SplitList(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream ss(v);
  for (std::string item; std::getline(ss, item, ',');) {
    item = Trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// One row per setting, like redis.conf: the key (which is also the field's
// name), the field, the bounds of a number or the choices of a word, the
// environment variable that overrides it, whether it is a secret (never
// printed) and whether SIGHUP applies it while running. Parsing the file, the
// environment, the redacted print-out and reload all walk this table.
using Field = std::variant<int Config::*, std::size_t Config::*, bool Config::*, std::string Config::*,
                           std::vector<std::string> Config::*>;

enum class Shown {
  kValue,   // as it is ("" shows as `when_empty` if given)
  kSecret,  // "(set)" or "(not set)"
  kUrl,     // as it is, unless it carries credentials
  kCount,   // a list: "N key(s)"
};

struct Setting {
  std::string_view key;
  Field field;
  long min = 0, max = 0;     // numbers: accepted range
  std::string_view choices;  // words: the accepted values, space-separated ("" = any)
  std::string_view env;      // "" = no environment variable
  Shown shown = Shown::kValue;
  bool reloadable = false;      // applied by SIGHUP while running
  std::string_view when_empty;  // what an empty string shows as

  // Modifiers, so each row reads as one line.
  constexpr Setting Env(std::string_view name) const {
    Setting s = *this;
    s.env = name;
    return s;
  }
  constexpr Setting Secret() const {
    Setting s = *this;
    s.shown = Shown::kSecret;
    return s;
  }
  constexpr Setting Reloadable() const {
    Setting s = *this;
    s.reloadable = true;
    return s;
  }
  constexpr Setting Shows(Shown how) const {
    Setting s = *this;
    s.shown = how;
    return s;
  }
  constexpr Setting WhenEmpty(std::string_view text) const {
    Setting s = *this;
    s.when_empty = text;
    return s;
  }
  constexpr Setting Choices(std::string_view words) const {
    Setting s = *this;
    s.choices = words;
    return s;
  }
};

constexpr Setting Row(std::string_view key, Field field) {
  Setting s;
  s.key = key;
  s.field = field;
  return s;
}

template <typename T>
constexpr Setting Row(std::string_view key, T Config::*field, long min, long max) {
  Setting s;
  s.key = key;
  s.field = field;
  s.min = min;
  s.max = max;
  return s;
}

constexpr long kMiB = 1024 * 1024;

constexpr Setting kSettings[] = {
    Row("listen_address", &Config::listen_address),
    Row("port", &Config::port, 0, 65535).Env("HELPLINE_PORT"),
    Row("threads", &Config::threads, 0, 256),
    Row("public_url", &Config::public_url).WhenEmpty("(from listen address)"),
    Row("max_body_bytes", &Config::max_body_bytes, 1024, 16 * kMiB),
    Row("header_timeout_ms", &Config::header_timeout_ms, 100, 600000),
    Row("request_timeout_ms", &Config::request_timeout_ms, 100, 600000),
    Row("idle_timeout_ms", &Config::idle_timeout_ms, 100, 3600000),
    Row("max_connections", &Config::max_connections, 1, 1000000),
    Row("drain_timeout_ms", &Config::drain_timeout_ms, 0, 600000),
    Row("redis_url", &Config::redis_url).Env("HELPLINE_REDIS_URL").Shows(Shown::kUrl),
    Row("redis_prefix", &Config::redis_prefix).Env("HELPLINE_REDIS_PREFIX"),
    Row("redis_timeout_ms", &Config::redis_timeout_ms, 10, 60000),
    Row("redis_wait_replicas", &Config::redis_wait_replicas, 0, 16),
    Row("directory_poll_s", &Config::directory_poll_s, 1, 86400),
    Row("snapshot_path", &Config::snapshot_path).Env("HELPLINE_SNAPSHOT_PATH").WhenEmpty("(none)"),
    Row("data_dir", &Config::data_dir).Env("HELPLINE_DATA_DIR"),
    Row("sms_segments", &Config::sms_segments, 1, 10),
    Row("chat_chars", &Config::chat_chars, 160, 100000),
    Row("default_region", &Config::default_region),
    Row("include_unconfirmed", &Config::include_unconfirmed),
    Row("sender_secret", &Config::sender_secret).Env("HELPLINE_SENDER_SECRET").Secret(),
    Row("rate_limit_messages", &Config::rate_limit_messages, 1, 1000000000).Reloadable(),
    Row("rate_limit_window_s", &Config::rate_limit_window_s, 1, 86400).Reloadable(),
    Row("dedupe_ttl_s", &Config::dedupe_ttl_s, 60, 30 * 86400),
    Row("sender_state_layout", &Config::sender_state_layout).Choices("hash string").Reloadable(),
    Row("webhook_tolerance_s", &Config::webhook_tolerance_s, 10, 3600),
    Row("outbox_max_attempts", &Config::outbox_max_attempts, 1, 100),
    Row("outbox_backoff_base_ms", &Config::outbox_backoff_base_ms, 1, 3600000),
    Row("outbox_backoff_cap_ms", &Config::outbox_backoff_cap_ms, 1, 86400000),
    Row("outbox_concurrency", &Config::outbox_concurrency, 1, 10000),
    Row("outbox_send_timeout_ms", &Config::outbox_send_timeout_ms, 100, 600000),
    Row("outbox_claim_idle_ms", &Config::outbox_claim_idle_ms, 100, 86400000),
    Row("outbox_dead_letter_ttl_s", &Config::outbox_dead_letter_ttl_s, 60, 30 * 86400),
    Row("alerts_number_rate", &Config::alerts_number_rate),
    Row("alerts_provider_rate", &Config::alerts_provider_rate),
    Row("alerts_release_lease_ms", &Config::alerts_release_lease_ms, 1000, 3600000),
    Row("reports_forward_url", &Config::reports_forward_url).WhenEmpty("(off)"),
    Row("reports_forward_secret", &Config::reports_forward_secret).Env("HELPLINE_REPORTS_FORWARD_SECRET").Secret(),
    Row("api_key_sha256", &Config::api_key_sha256).Env("HELPLINE_API_KEY_SHA256").Shows(Shown::kCount).Reloadable(),
    Row("alerts_api_key_sha256", &Config::alerts_api_key_sha256)
        .Env("HELPLINE_ALERTS_API_KEY_SHA256")
        .Shows(Shown::kCount)
        .Reloadable(),
};

const Setting* FindSetting(std::string_view key) {
  for (const Setting& s : kSettings) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

bool IsChoice(std::string_view choices, std::string_view v) {
  while (!choices.empty()) {
    const auto sp = choices.find(' ');
    if (choices.substr(0, sp) == v) return true;
    if (sp == std::string_view::npos) break;
    choices.remove_prefix(sp + 1);
  }
  return false;
}

std::string ListChoices(std::string_view choices) {
  std::string out(choices);
  for (std::size_t i = 0; (i = out.find(' ', i)) != std::string::npos; i += 2) out.replace(i, 1, ", ");
  return out;
}

// Parses `v` into the setting's field; InvalidArgument says why (never
// echoing more than the value itself, which is the operator's own).
struct Parse {
  const Setting& s;
  Config& c;
  const std::string& v;
  Status operator()(int Config::*f) const { return Number(c.*f); }
  Status operator()(std::size_t Config::*f) const { return Number(c.*f); }
  Status operator()(bool Config::*f) const {
    if (v != "true" && v != "false") return InvalidArgument("'" + v + "' is not true or false");
    c.*f = v == "true";
    return Status::Ok();
  }
  Status operator()(std::string Config::*f) const {
    if (!s.choices.empty() && !IsChoice(s.choices, v)) {
      return InvalidArgument("'" + v + "' is not one of " + ListChoices(s.choices));
    }
    c.*f = v;
    return Status::Ok();
  }
  Status operator()(std::vector<std::string> Config::*f) const {
    c.*f = SplitList(v);
    return Status::Ok();
  }
  template <typename T>
  Status Number(T& out) const {
    long n = 0;
    HL_RETURN_IF_ERROR(ParseInt(v, s.min, s.max, &n));
    out = static_cast<T>(n);
    return Status::Ok();
  }
};

Status Set(const Setting& s, Config& c, const std::string& v) { return std::visit(Parse{s, c, v}, s.field); }

// The setting's value as the print-out shows it (secrets redacted).
std::string Show(const Setting& s, const Config& c) {
  struct Visitor {
    const Setting& s;
    const Config& c;
    std::string operator()(int Config::*f) const { return std::to_string(c.*f); }
    std::string operator()(std::size_t Config::*f) const { return std::to_string(c.*f); }
    std::string operator()(bool Config::*f) const { return c.*f ? "true" : "false"; }
    std::string operator()(std::string Config::*f) const {
      const std::string& v = c.*f;
      if (s.shown == Shown::kSecret) return v.empty() ? "(not set)" : "(set)";
      if (s.shown == Shown::kUrl && v.find('@') != std::string::npos) return "(set, has credentials)";
      if (v.empty() && !s.when_empty.empty()) return std::string(s.when_empty);
      return v;
    }
    std::string operator()(std::vector<std::string> Config::*f) const {
      return std::to_string((c.*f).size()) + " key(s)";
    }
  };
  return std::visit(Visitor{s, c}, s.field);
}

// A provider's setting: "twilio_auth_token" is row "twilio", key "auth_token".
struct ProviderKey {
  const gateway::ProviderEntry* row = nullptr;
  const gateway::ProviderSettingSpec* spec = nullptr;
};

ProviderKey FindProviderSetting(std::string_view key) {
  const std::size_t underscore = key.find('_');
  if (underscore == std::string_view::npos) return {};
  const gateway::ProviderEntry* row = gateway::FindProvider(key.substr(0, underscore));
  if (row == nullptr) return {};
  const gateway::ProviderSettingSpec* spec = row->Find(key.substr(underscore + 1));
  return spec == nullptr ? ProviderKey{} : ProviderKey{row, spec};
}

Status SetProvider(const ProviderKey& k, Config& c, const std::string& v) {
  if (!k.spec->choices.empty() && !IsChoice(k.spec->choices, v)) {
    return InvalidArgument("'" + v + "' is not one of " + ListChoices(k.spec->choices));
  }
  c.providers[std::string(k.row->name)][std::string(k.spec->key)] = v;
  return Status::Ok();
}

// HELPLINE_TWILIO_AUTH_TOKEN for twilio's auth_token.
std::string EnvName(const gateway::ProviderEntry& row, const gateway::ProviderSettingSpec& spec) {
  std::string name = "HELPLINE_" + std::string(row.name) + "_" + std::string(spec.key);
  for (char& ch : name) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  return name;
}

}  // namespace

Result<Config> LoadConfig(const std::string& path) {
  Config config;
  if (path.empty()) return config;
  std::ifstream in(path);
  if (!in) return InvalidArgument(path + ": cannot read the configuration file");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    auto eq = line.find('=');
    const std::string where = path + ":" + std::to_string(n) + ": ";
    if (eq == std::string::npos) return InvalidArgument(where + "expected 'key = value'");
    std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    const Setting* setting = FindSetting(key);
    Status s;
    if (setting != nullptr) {
      s = Set(*setting, config, value);
    } else if (auto provider = FindProviderSetting(key); provider.row != nullptr) {
      s = SetProvider(provider, config, value);
    } else {
      return InvalidArgument(where + "unknown key '" + key + "'");
    }
    if (!s.ok()) return InvalidArgument(where + key + ": " + s.message());
  }
  return config;
}

Status ApplyEnvironment(Config* config) {
  for (const Setting& setting : kSettings) {
    if (setting.env.empty()) continue;
    const std::string name(setting.env);
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') continue;
    Status s = Set(setting, *config, v);
    if (!s.ok()) return InvalidArgument(name + ": " + s.message());
  }
  for (const gateway::ProviderEntry& row : gateway::Providers()) {
    for (const gateway::ProviderSettingSpec& spec : row.settings) {
      const std::string name = EnvName(row, spec);
      const char* v = std::getenv(name.c_str());
      if (v == nullptr || *v == '\0') continue;
      Status s = SetProvider(ProviderKey{&row, &spec}, *config, v);
      if (!s.ok()) return InvalidArgument(name + ": " + s.message());
    }
  }
  return Status::Ok();
}

gateway::ProviderSettings ProviderSettingsOf(const Config& config, const gateway::ProviderEntry& row) {
  const auto it = config.providers.find(row.name);
  return row.WithDefaults(it == config.providers.end() ? gateway::ProviderSettings() : it->second);
}

void ApplyReloadable(const Config& from, Config* to) {
  for (const Setting& s : kSettings) {
    if (!s.reloadable) continue;
    std::visit([&](auto field) { to->*field = from.*field; }, s.field);
  }
}

std::string DescribeReloadable(const Config& c) {
  // Lists first ("api_key_sha256 (2 key(s))"), then the values, as the
  // SIGHUP line has always read.
  std::string out;
  for (const bool lists : {true, false}) {
    for (const Setting& s : kSettings) {
      if (!s.reloadable || (s.shown == Shown::kCount) != lists) continue;
      if (!out.empty()) out += ", ";
      out += std::string(s.key);
      out += lists ? " (" + Show(s, c) + ")" : " = " + Show(s, c);
    }
  }
  return out;
}

Status ValidateDefaultRegion(const std::string& region) {
  if (region != "*" && directory::IsKnownRegion(region)) return Status::Ok();
  std::string shown = region.substr(0, 16);
  for (char& ch : shown) {
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
  }
  return InvalidArgument("default_region '" + shown +
                         "' is not a known region: use a country, state or province "
                         "code such as US, CA, US-TX or CA-BC (uppercase)");
}

Status ValidateConfig(const Config& c) {
  HL_RETURN_IF_ERROR(ValidateDefaultRegion(c.default_region));
  if (c.sender_secret.size() < 16) {
    return InvalidArgument(
        "sender_secret must be set (HELPLINE_SENDER_SECRET), at least 16 characters: it keys the "
        "hash that stands in for phone numbers");
  }
  if (!c.public_url.empty() && c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0) {
    return InvalidArgument("public_url must start with http:// or https://");
  }
  for (const gateway::ProviderEntry& row : gateway::Providers()) {
    const gateway::ProviderSettings settings = ProviderSettingsOf(c, row);
    if (row.check != nullptr && row.Enabled(settings)) HL_RETURN_IF_ERROR(row.check(settings));
  }
  if (c.outbox_send_timeout_ms >= c.outbox_claim_idle_ms) {
    return InvalidArgument("outbox_send_timeout_ms must be below outbox_claim_idle_ms (or live sends are reclaimed)");
  }
  // [alerts] issue 13
  if (auto r = alerts::ParseReleaseRate(c.alerts_number_rate); !r.ok()) {
    return InvalidArgument("alerts_number_rate: " + r.status().message());
  }
  if (auto r = alerts::ParseReleaseRate(c.alerts_provider_rate); !r.ok()) {
    return InvalidArgument("alerts_provider_rate: " + r.status().message());
  }
  HL_RETURN_IF_ERROR(alerts::CheckReportForwardUrl(c.reports_forward_url));
  for (const auto* list : {&c.api_key_sha256, &c.alerts_api_key_sha256}) {
    const char* name = list == &c.api_key_sha256 ? "api_key_sha256" : "alerts_api_key_sha256";
    for (const auto& h : *list) {
      if (h.size() != 64 || h.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return InvalidArgument(std::string(name) + " entries must be 64 lowercase hex characters (sha256 of the key)");
      }
    }
  }
  return Status::Ok();
}

std::string DescribeConfig(const Config& c) {
  std::string out;
  for (const Setting& s : kSettings) out += std::string(s.key) + " = " + Show(s, c) + "\n";
  for (const gateway::ProviderEntry& row : gateway::Providers()) {
    const gateway::ProviderSettings settings = ProviderSettingsOf(c, row);
    for (const gateway::ProviderSettingSpec& spec : row.settings) {
      const std::string_view v = gateway::SettingOf(settings, spec.key);
      out += std::string(row.name) + "_" + std::string(spec.key) + " = " +
             (spec.secret ? (v.empty() ? "(not set)" : "(set)") : std::string(v)) + "\n";
    }
  }
  return out;
}

}  // namespace helpline::daemon
