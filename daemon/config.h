#pragma once
// The daemon's configuration: one struct with documented defaults, read from
// a file (config/helpline.conf.example documents every key), then the
// environment (secrets belong there), then command-line flags.
//
// Each setting is one row of the table in config.cc (its key, which is also
// the field's name, its bounds or choices, its environment variable, whether
// it is a secret and whether SIGHUP applies it); LoadConfig,
// ApplyEnvironment, DescribeConfig and ApplyReloadable all walk that table,
// so a new setting is a field here and a row there.
//
//   auto cfg = LoadConfig("/etc/helpline/helpline.conf");   // or LoadConfig("") for defaults
//   ApplyEnvironment(&*cfg);
//   std::cout << DescribeConfig(*cfg);              // secrets redacted
//
// Thread-safety: a plain value; copy it freely.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "gateway/registry.h"

namespace helpline::daemon {

struct Config {
  // --- HTTP server
  std::string listen_address = "127.0.0.1";  // listen_address
  int port = 8080;                           // port (0: any free port, printed at start)
  int threads = 0;                           // threads: event loops; 0 = one per core
  // public_url: the base URL providers use to reach us ("https://help.example.org"),
  // for signature checks behind a proxy. Empty: http://listen_address:port.
  std::string public_url;
  std::size_t max_body_bytes = 65536;  // max_body_bytes: larger requests get 413
  int header_timeout_ms = 5000;        // header_timeout_ms: to receive a request's headers
  int request_timeout_ms = 10000;      // request_timeout_ms: to receive a whole request and answer it
  int idle_timeout_ms = 30000;         // idle_timeout_ms: keep-alive connections idle longer are closed
  int max_connections = 2048;          // max_connections: per daemon; beyond it new connections are closed
  int drain_timeout_ms = 10000;  // drain_timeout_ms: SIGTERM waits this long for in-flight requests and outbox sends

  // --- Redis
  std::string redis_url = "redis://127.0.0.1:6379/0";  // redis_url
  std::string redis_prefix = "hl:";                    // redis_prefix
  int redis_timeout_ms = 1000;                         // redis_timeout_ms: per command
  // redis_wait_replicas: with Sentinel, a STOP, START or language change is
  // confirmed only once this many replicas have it (WAIT; sender_store.h).
  // 0 (default): no WAIT, for a single node.
  int redis_wait_replicas = 0;
  int directory_poll_s = 30;  // directory_poll_s: safety-net check of the current version
  // snapshot_path: each directory version taken
  // from Redis is saved here (atomically: temp file + rename); when Redis is
  // unreachable at start, the daemon serves this file, or else the shipped
  // files in data_dir/directory. Empty: no disk snapshot.
  std::string snapshot_path = "/var/lib/helpline/directory.snapshot";

  // --- Message engine
  std::string data_dir;           // data_dir: holds engine/keywords.json and messages.json
  int sms_segments = 3;           // sms_segments: segment budget of an SMS reply
  std::size_t chat_chars = 1500;  // chat_chars: character budget of a chat (WhatsApp) reply
  // default_region: when nothing tells where a sender is. A country, state
  // or province code the directory knows ("US", "CA", "US-TX"); checked at
  // start and on SIGHUP.
  std::string default_region = "US";
  // include_unconfirmed: also text resources whose facts are not confirmed
  // yet (status "unconfirmed"). Default false: texters get only what we trust;
  // /v1 and /find always list them, marked.
  bool include_unconfirmed = false;

  // --- Per-sender state
  std::string sender_secret;     // sender_secret: keys the sender hash; required
  int rate_limit_messages = 10;  // rate_limit_messages per rate_limit_window_s, then one notice, then silence
  int rate_limit_window_s = 60;
  int dedupe_ttl_s = 86400;  // dedupe_ttl_s: how long a MessageSid is remembered
  // sender_state_layout: how the sender's state is written in Redis, "hash"
  // (default: what every earlier build reads) or "string" (one string per
  // sender: fewer Redis instructions per message). Both are always read, so
  // daemons may differ and SIGHUP applies a change; set "string" only once
  // every daemon runs a build that reads it (sender_store.h, SenderStateLayout).
  std::string sender_state_layout = "hash";

  // --- Providers: each webhook is served only when its enabling setting is
  // set. By provider, then key: "<provider>_<key>" in the file
  // (twilio_auth_token), HELPLINE_<PROVIDER>_<KEY> in the environment
  // (HELPLINE_TWILIO_AUTH_TOKEN); each provider's keys, defaults and secrets
  // are its row in gateway/registry.cc. Only what was configured is here:
  // ProviderSettingsOf fills in the defaults.
  std::map<std::string, gateway::ProviderSettings, std::less<>> providers;
  int webhook_tolerance_s = 300;  // webhook_tolerance_s: accepted clock skew of signed timestamps

  // --- Outbox (replies sent through providers' REST APIs)
  int outbox_max_attempts = 8;         // outbox_max_attempts: then the dead-letter stream
  int outbox_backoff_base_ms = 500;    // outbox_backoff_base_ms: first retry delay (full jitter, doubling)
  int outbox_backoff_cap_ms = 300000;  // outbox_backoff_cap_ms: longest retry delay
  int outbox_concurrency = 64;         // outbox_concurrency: sends in flight per loop
  int outbox_send_timeout_ms = 10000;  // outbox_send_timeout_ms: one HTTP attempt
  int outbox_claim_idle_ms = 60000;    // outbox_claim_idle_ms: a crashed daemon's entries are reclaimed after this
  int outbox_dead_letter_ttl_s =
      259200;  // outbox_dead_letter_ttl_s: dead letters (numbers, texts) are deleted after this

  // --- Drug alerts (daemon/alerts/alert_release.h): how fast held alerts go
  // to the outbox, messages per second, "N[,provider=N...]" (0: no cap).
  std::string alerts_number_rate = "1";    // alerts_number_rate: per sender number (a long code: 1/s)
  std::string alerts_provider_rate = "0";  // alerts_provider_rate: per provider, across its numbers
  // alerts_release_lease_ms: a claimed alert send not handed to the outbox
  // (its daemon died) is due again after this (alert_release.h lease_ms).
  int alerts_release_lease_ms = 30000;
  // reports_forward_url: each anonymous report is POSTed there as JSON through
  // the outbox (daemon/alerts/report_forward.h); https://, or http:// to a
  // loopback host. "" = off. reports_forward_secret: HMAC-SHA256 signing key
  // (X-Helpline-Signature), "" = unsigned.
  std::string reports_forward_url;
  std::string reports_forward_secret;

  // --- Outreach API
  // api_key_sha256: comma-separated SHA-256 hex digests of the accepted API
  // keys. Keys themselves are never stored.
  std::vector<std::string> api_key_sha256;
  // alerts_api_key_sha256: the same for keys with the alerting scope
  // (POST /v1/alerts, GET /v1/alerts/{id}, GET /v1/reports). A key of one
  // list gets 403 on the other's routes.
  std::vector<std::string> alerts_api_key_sha256;
};

// Reads "key = value" lines ('#' starts a comment). Unknown keys and bad
// values are InvalidArgument naming the line. An empty path gives the defaults.
Result<Config> LoadConfig(const std::string& path);

// Overrides from HELPLINE_* environment variables (the table's `env` column;
// the example file lists them). An empty variable is ignored; a bad value is
// InvalidArgument naming the variable.
Status ApplyEnvironment(Config* config);

// Checks what must hold before serving (a sender secret, sane numbers, a
// known default_region, what each enabled provider needs). InvalidArgument
// naming the setting.
Status ValidateConfig(const Config& config);

// InvalidArgument unless `region` is a known country, state or province
// code (directory/regions.h; not "*"): a typo would leave every sender whose
// place is unknown with only the emergency line.
Status ValidateDefaultRegion(const std::string& region);

// Provider `row`'s settings in `config`, defaults filled in.
gateway::ProviderSettings ProviderSettingsOf(const Config& config, const gateway::ProviderEntry& row);

// Every setting, one per line, secrets shown as "(set)" or "(not set)";
// the providers' settings after the daemon's own.
std::string DescribeConfig(const Config& config);

// Copies the settings SIGHUP applies while running (api_key_sha256,
// alerts_api_key_sha256, rate_limit_messages, rate_limit_window_s,
// sender_state_layout) from `from` into `to`; the rest of `to` stays.
void ApplyReloadable(const Config& from, Config* to);

// Those settings as the SIGHUP log line shows them
// ("api_key_sha256 (1 key(s)), alerts_api_key_sha256 (0 key(s)), rate_limit_messages = 10, ...").
std::string DescribeReloadable(const Config& config);

}  // namespace helpline::daemon
