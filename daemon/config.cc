#include "daemon/config.h"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

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

using Setter = std::function<Status(Config&, const std::string&)>;

template <typename T>
Setter IntSetter(T Config::*field, long min, long max) {
  return [field, min, max](Config& c, const std::string& v) {
    long n = 0;
    HL_RETURN_IF_ERROR(ParseInt(v, min, max, &n));
    c.*field = static_cast<T>(n);
    return Status::Ok();
  };
}

Setter StringSetter(std::string Config::*field) {
  return [field](Config& c, const std::string& v) {
    c.*field = v;
    return Status::Ok();
  };
}

// One row per key, like redis.conf: the table is the documentation's index.
const std::map<std::string, Setter>& Setters() {
  static const std::map<std::string, Setter> setters = {
      {"listen_address", StringSetter(&Config::listen_address)},
      {"port", IntSetter(&Config::port, 0, 65535)},
      {"threads", IntSetter(&Config::threads, 0, 256)},
      {"public_url", StringSetter(&Config::public_url)},
      {"max_body_bytes", IntSetter(&Config::max_body_bytes, 1024, 16 * 1024 * 1024)},
      {"header_timeout_ms", IntSetter(&Config::header_timeout_ms, 100, 600000)},
      {"request_timeout_ms", IntSetter(&Config::request_timeout_ms, 100, 600000)},
      {"idle_timeout_ms", IntSetter(&Config::idle_timeout_ms, 100, 3600000)},
      {"max_connections", IntSetter(&Config::max_connections, 1, 1000000)},
      {"drain_timeout_ms", IntSetter(&Config::drain_timeout_ms, 0, 600000)},
      {"redis_url", StringSetter(&Config::redis_url)},
      {"redis_prefix", StringSetter(&Config::redis_prefix)},
      {"redis_timeout_ms", IntSetter(&Config::redis_timeout_ms, 10, 60000)},
      {"directory_poll_s", IntSetter(&Config::directory_poll_s, 1, 86400)},
      {"snapshot_path", StringSetter(&Config::snapshot_path)},
      {"data_dir", StringSetter(&Config::data_dir)},
      {"sms_segments", IntSetter(&Config::sms_segments, 1, 10)},
      {"chat_chars", IntSetter(&Config::chat_chars, 160, 100000)},
      {"default_region", StringSetter(&Config::default_region)},
      {"include_unconfirmed",
       [](Config& c, const std::string& v) {
         if (v != "true" && v != "false") return InvalidArgument("'" + v + "' is not true or false");
         c.include_unconfirmed = v == "true";
         return Status::Ok();
       }},
      {"sender_secret", StringSetter(&Config::sender_secret)},
      {"rate_limit_messages", IntSetter(&Config::rate_limit_messages, 1, 1000000000)},
      {"rate_limit_window_s", IntSetter(&Config::rate_limit_window_s, 1, 86400)},
      {"dedupe_ttl_s", IntSetter(&Config::dedupe_ttl_s, 60, 30 * 86400)},
      {"twilio_auth_token", StringSetter(&Config::twilio_auth_token)},
      {"twilio_account_sid", StringSetter(&Config::twilio_account_sid)},
      {"twilio_api_base", StringSetter(&Config::twilio_api_base)},
      {"vonage_signature_secret", StringSetter(&Config::vonage_signature_secret)},
      {"vonage_signature_method",
       [](Config& c, const std::string& v) {
         if (v != "md5hash" && v != "md5" && v != "sha1" && v != "sha256" && v != "sha512") {
           return InvalidArgument("'" + v + "' is not one of md5hash, md5, sha1, sha256, sha512");
         }
         c.vonage_signature_method = v;
         return Status::Ok();
       }},
      {"vonage_api_key", StringSetter(&Config::vonage_api_key)},
      {"vonage_api_secret", StringSetter(&Config::vonage_api_secret)},
      {"vonage_api_base", StringSetter(&Config::vonage_api_base)},
      {"telnyx_public_key", StringSetter(&Config::telnyx_public_key)},
      {"telnyx_api_key", StringSetter(&Config::telnyx_api_key)},
      {"telnyx_api_base", StringSetter(&Config::telnyx_api_base)},
      {"telegram_secret_token", StringSetter(&Config::telegram_secret_token)},
      {"telegram_bot_token", StringSetter(&Config::telegram_bot_token)},
      {"telegram_api_base", StringSetter(&Config::telegram_api_base)},
      {"chat_secret", StringSetter(&Config::chat_secret)},
      {"webhook_tolerance_s", IntSetter(&Config::webhook_tolerance_s, 10, 3600)},
      {"outbox_max_attempts", IntSetter(&Config::outbox_max_attempts, 1, 100)},
      {"outbox_backoff_base_ms", IntSetter(&Config::outbox_backoff_base_ms, 1, 3600000)},
      {"outbox_backoff_cap_ms", IntSetter(&Config::outbox_backoff_cap_ms, 1, 86400000)},
      {"outbox_concurrency", IntSetter(&Config::outbox_concurrency, 1, 10000)},
      {"outbox_send_timeout_ms", IntSetter(&Config::outbox_send_timeout_ms, 100, 600000)},
      {"outbox_claim_idle_ms", IntSetter(&Config::outbox_claim_idle_ms, 100, 86400000)},
      {"api_key_sha256",
       [](Config& c, const std::string& v) {
         c.api_key_sha256 = SplitList(v);
         return Status::Ok();
       }},
  };
  return setters;
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
    auto it = Setters().find(key);
    if (it == Setters().end()) return InvalidArgument(where + "unknown key '" + key + "'");
    Status s = it->second(config, value);
    if (!s.ok()) return InvalidArgument(where + key + ": " + s.message());
  }
  return config;
}

Status ApplyEnvironment(Config* config) {
  struct Env {
    const char* name;
    const char* key;
  };
  const Env envs[] = {
      {"HELPLINE_REDIS_URL", "redis_url"},         {"HELPLINE_REDIS_PREFIX", "redis_prefix"},
      {"HELPLINE_SENDER_SECRET", "sender_secret"}, {"HELPLINE_TWILIO_AUTH_TOKEN", "twilio_auth_token"},
      {"HELPLINE_API_KEY_SHA256", "api_key_sha256"}, {"HELPLINE_PORT", "port"},
      {"HELPLINE_DATA_DIR", "data_dir"},
      {"HELPLINE_SNAPSHOT_PATH", "snapshot_path"},
      {"HELPLINE_TWILIO_ACCOUNT_SID", "twilio_account_sid"},
      {"HELPLINE_VONAGE_SIGNATURE_SECRET", "vonage_signature_secret"},
      {"HELPLINE_VONAGE_API_KEY", "vonage_api_key"},
      {"HELPLINE_VONAGE_API_SECRET", "vonage_api_secret"},
      {"HELPLINE_TELNYX_PUBLIC_KEY", "telnyx_public_key"},
      {"HELPLINE_TELNYX_API_KEY", "telnyx_api_key"},
      {"HELPLINE_TELEGRAM_SECRET_TOKEN", "telegram_secret_token"},
      {"HELPLINE_TELEGRAM_BOT_TOKEN", "telegram_bot_token"},
      {"HELPLINE_CHAT_SECRET", "chat_secret"},
  };
  for (const Env& e : envs) {
    const char* v = std::getenv(e.name);
    if (v == nullptr || *v == '\0') continue;
    Status s = Setters().at(e.key)(*config, v);
    if (!s.ok()) return InvalidArgument(std::string(e.name) + ": " + s.message());
  }
  return Status::Ok();
}

Status ValidateDefaultRegion(const std::string& region) {
  if (region != "*" && directory::IsKnownRegion(region)) return Status::Ok();
  std::string shown = region.substr(0, 16);
  for (char& ch : shown) {
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
  }
  return InvalidArgument("default_region '" + shown + "' is not a known region: use a country, state or province "
                         "code such as US, CA, US-TX or CA-BC (uppercase)");
}

Status ValidateConfig(const Config& c) {
  HL_RETURN_IF_ERROR(ValidateDefaultRegion(c.default_region));
  if (c.sender_secret.size() < 16) {
    return InvalidArgument("sender_secret must be set (HELPLINE_SENDER_SECRET), at least 16 characters: it keys the "
                           "hash that stands in for phone numbers");
  }
  if (!c.public_url.empty() && c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0) {
    return InvalidArgument("public_url must start with http:// or https://");
  }
  if (!c.vonage_signature_secret.empty() && (c.vonage_api_key.empty() || c.vonage_api_secret.empty())) {
    return InvalidArgument("vonage_signature_secret is set: replies go through Vonage's SMS API, so vonage_api_key and "
                           "vonage_api_secret must be set too");
  }
  if (!c.telnyx_public_key.empty() && c.telnyx_api_key.empty()) {
    return InvalidArgument("telnyx_public_key is set: replies go through Telnyx's messages API, so telnyx_api_key "
                           "must be set too");
  }
  if (c.outbox_send_timeout_ms >= c.outbox_claim_idle_ms) {
    return InvalidArgument("outbox_send_timeout_ms must be below outbox_claim_idle_ms (or live sends are reclaimed)");
  }
  for (const auto& h : c.api_key_sha256) {
    if (h.size() != 64 || h.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return InvalidArgument("api_key_sha256 entries must be 64 lowercase hex characters (sha256 of the key)");
    }
  }
  return Status::Ok();
}

std::string DescribeConfig(const Config& c) {
  auto secret = [](const std::string& s) { return s.empty() ? "(not set)" : "(set)"; };
  std::ostringstream o;
  o << "listen_address = " << c.listen_address << "\n"
    << "port = " << c.port << "\n"
    << "threads = " << c.threads << "\n"
    << "public_url = " << (c.public_url.empty() ? "(from listen address)" : c.public_url) << "\n"
    << "max_body_bytes = " << c.max_body_bytes << "\n"
    << "header_timeout_ms = " << c.header_timeout_ms << "\n"
    << "request_timeout_ms = " << c.request_timeout_ms << "\n"
    << "idle_timeout_ms = " << c.idle_timeout_ms << "\n"
    << "max_connections = " << c.max_connections << "\n"
    << "drain_timeout_ms = " << c.drain_timeout_ms << "\n"
    << "redis_url = " << (c.redis_url.find('@') != std::string::npos ? "(set, has credentials)" : c.redis_url) << "\n"
    << "redis_prefix = " << c.redis_prefix << "\n"
    << "redis_timeout_ms = " << c.redis_timeout_ms << "\n"
    << "directory_poll_s = " << c.directory_poll_s << "\n"
    << "snapshot_path = " << (c.snapshot_path.empty() ? "(none)" : c.snapshot_path) << "\n"
    << "data_dir = " << c.data_dir << "\n"
    << "sms_segments = " << c.sms_segments << "\n"
    << "chat_chars = " << c.chat_chars << "\n"
    << "default_region = " << c.default_region << "\n"
    << "include_unconfirmed = " << (c.include_unconfirmed ? "true" : "false") << "\n"
    << "sender_secret = " << secret(c.sender_secret) << "\n"
    << "rate_limit_messages = " << c.rate_limit_messages << "\n"
    << "rate_limit_window_s = " << c.rate_limit_window_s << "\n"
    << "dedupe_ttl_s = " << c.dedupe_ttl_s << "\n"
    << "twilio_auth_token = " << secret(c.twilio_auth_token) << "\n"
    << "twilio_account_sid = " << secret(c.twilio_account_sid) << "\n"
    << "twilio_api_base = " << c.twilio_api_base << "\n"
    << "vonage_signature_secret = " << secret(c.vonage_signature_secret) << "\n"
    << "vonage_signature_method = " << c.vonage_signature_method << "\n"
    << "vonage_api_key = " << secret(c.vonage_api_key) << "\n"
    << "vonage_api_secret = " << secret(c.vonage_api_secret) << "\n"
    << "vonage_api_base = " << c.vonage_api_base << "\n"
    << "telnyx_public_key = " << secret(c.telnyx_public_key) << "\n"
    << "telnyx_api_key = " << secret(c.telnyx_api_key) << "\n"
    << "telnyx_api_base = " << c.telnyx_api_base << "\n"
    << "telegram_secret_token = " << secret(c.telegram_secret_token) << "\n"
    << "telegram_bot_token = " << secret(c.telegram_bot_token) << "\n"
    << "telegram_api_base = " << c.telegram_api_base << "\n"
    << "chat_secret = " << secret(c.chat_secret) << "\n"
    << "webhook_tolerance_s = " << c.webhook_tolerance_s << "\n"
    << "outbox_max_attempts = " << c.outbox_max_attempts << "\n"
    << "outbox_backoff_base_ms = " << c.outbox_backoff_base_ms << "\n"
    << "outbox_backoff_cap_ms = " << c.outbox_backoff_cap_ms << "\n"
    << "outbox_concurrency = " << c.outbox_concurrency << "\n"
    << "outbox_send_timeout_ms = " << c.outbox_send_timeout_ms << "\n"
    << "outbox_claim_idle_ms = " << c.outbox_claim_idle_ms << "\n"
    << "api_key_sha256 = " << c.api_key_sha256.size() << " key(s)\n";
  return o.str();
}

}  // namespace helpline::daemon
