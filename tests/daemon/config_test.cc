#include "daemon/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <set>

namespace helpline::daemon {
namespace {

std::string Write(const std::string& text) {
  char path[] = "/tmp/hl-config-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(Config, TheShippedExampleParsesToTheDefaults) {
  auto c = LoadConfig(std::string(HELPLINE_SOURCE_DIR) + "/config/helpline.conf.example");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Config defaults;
  EXPECT_EQ(c->port, defaults.port);
  EXPECT_EQ(c->listen_address, defaults.listen_address);
  EXPECT_EQ(c->redis_prefix, defaults.redis_prefix);
  EXPECT_EQ(c->rate_limit_messages, defaults.rate_limit_messages);
  EXPECT_EQ(c->max_body_bytes, defaults.max_body_bytes);
  EXPECT_EQ(c->snapshot_path, defaults.snapshot_path);
  EXPECT_EQ(c->default_region, defaults.default_region);
}

TEST(Config, BadLinesNameTheFileLineAndKey) {
  std::string path = Write("port = 8080\nprot = 1\n");
  auto c = LoadConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path + ":2: unknown key 'prot'"), std::string::npos) << c.status().message();
  std::remove(path.c_str());
  path = Write("port = eighty\n");
  c = LoadConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(":1: port: 'eighty' is not a whole number"), std::string::npos);
  std::remove(path.c_str());
}

TEST(Config, EnvironmentOverridesTheFileAndSecretsAreNeverPrinted) {
  Config c;
  setenv("HELPLINE_SENDER_SECRET", "a-very-secret-sender-key", 1);
  setenv("HELPLINE_TWILIO_AUTH_TOKEN", "twilio-token-value", 1);
  setenv("HELPLINE_PORT", "9090", 1);
  ASSERT_TRUE(ApplyEnvironment(&c).ok());
  unsetenv("HELPLINE_SENDER_SECRET");
  unsetenv("HELPLINE_TWILIO_AUTH_TOKEN");
  unsetenv("HELPLINE_PORT");
  EXPECT_EQ(c.port, 9090);
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.redis_url = "redis://:hunter2@redis.example:6379/0";
  const std::string shown = DescribeConfig(c);
  EXPECT_EQ(shown.find("a-very-secret-sender-key"), std::string::npos);
  EXPECT_EQ(shown.find("twilio-token-value"), std::string::npos);
  EXPECT_EQ(shown.find("hunter2"), std::string::npos);
  EXPECT_NE(shown.find("sender_secret = (set)"), std::string::npos);
}

TEST(Config, AShortOrMissingSenderSecretIsRefused) {
  Config c;
  EXPECT_FALSE(ValidateConfig(c).ok());
  c.sender_secret = "short";
  EXPECT_FALSE(ValidateConfig(c).ok());
  c.sender_secret = "long-enough-secret-123";
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.api_key_sha256 = {"not-a-digest"};
  EXPECT_FALSE(ValidateConfig(c).ok());
  c.api_key_sha256 = {std::string(64, 'a')};
  c.alerts_api_key_sha256 = {std::string(63, 'b')};
  Status s = ValidateConfig(c);
  EXPECT_NE(s.message().find("alerts_api_key_sha256 entries must be 64 lowercase hex"), std::string::npos)
      << s.message();
}

TEST(Config, AnUnknownDefaultRegionIsRefusedWithAClearError) {
  Config c;
  c.sender_secret = "long-enough-secret-123";
  for (const char* good : {"US", "CA", "US-TX", "CA-BC", "US-PR"}) {
    c.default_region = good;
    EXPECT_TRUE(ValidateConfig(c).ok()) << good;
  }
  for (const char* bad : {"XX", "us", "US-XX", "*", "", "CA-BC "}) {
    c.default_region = bad;
    Status s = ValidateConfig(c);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("default_region '" + std::string(bad) + "' is not a known region"), std::string::npos)
        << s.message();
  }
  EXPECT_EQ(ValidateDefaultRegion("US-\x01\xff").message().find('\x01'), std::string::npos) << "never echoed raw";
}

TEST(Config, TheSnapshotPathComesFromTheFileOrTheEnvironment) {
  std::string path = Write("snapshot_path = /srv/helpline/dir.snapshot\n");
  auto c = LoadConfig(path);
  std::remove(path.c_str());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->snapshot_path, "/srv/helpline/dir.snapshot");
  setenv("HELPLINE_SNAPSHOT_PATH", "/run/helpline/x.snapshot", 1);
  ASSERT_TRUE(ApplyEnvironment(&*c).ok());
  unsetenv("HELPLINE_SNAPSHOT_PATH");
  EXPECT_EQ(c->snapshot_path, "/run/helpline/x.snapshot");
  EXPECT_NE(DescribeConfig(*c).find("snapshot_path = /run/helpline/x.snapshot"), std::string::npos);
}

TEST(Config, SighupAppliesOnlyTheReloadableSettings) {
  Config running;
  running.port = 8081;
  Config fresh;
  fresh.port = 9999;
  fresh.rate_limit_messages = 3;
  fresh.rate_limit_window_s = 30;
  fresh.api_key_sha256 = {std::string(64, 'a')};
  fresh.alerts_api_key_sha256 = {std::string(64, 'b'), std::string(64, 'c')};
  fresh.sender_state_layout = "string";
  ApplyReloadable(fresh, &running);
  EXPECT_EQ(running.port, 8081) << "applies at the next start only";
  EXPECT_EQ(running.rate_limit_messages, 3);
  EXPECT_EQ(running.rate_limit_window_s, 30);
  EXPECT_EQ(running.api_key_sha256, fresh.api_key_sha256);
  EXPECT_EQ(running.alerts_api_key_sha256, fresh.alerts_api_key_sha256);
  EXPECT_EQ(running.sender_state_layout, "string");
  EXPECT_EQ(DescribeReloadable(running),
            "api_key_sha256 (1 key(s)), alerts_api_key_sha256 (2 key(s)), rate_limit_messages = 3, "
            "rate_limit_window_s = 30, sender_state_layout = string");
}

TEST(Config, EveryKeyIsPrintedOnceAndWordsAreCheckedAgainstTheirChoices) {
  const std::string shown = DescribeConfig(Config());
  for (const char* key :
       {"listen_address = 127.0.0.1\n", "public_url = (from listen address)\n", "include_unconfirmed = false\n",
        "vonage_signature_method = md5hash\n", "api_key_sha256 = 0 key(s)\n", "alerts_api_key_sha256 = 0 key(s)\n",
        "chat_secret = (not set)\n", "sender_state_layout = hash\n"}) {
    EXPECT_NE(shown.find(key), std::string::npos) << key;
  }
  std::string path = Write("vonage_signature_method = sha3\n");
  auto c = LoadConfig(path);
  std::remove(path.c_str());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("'sha3' is not one of md5hash, md5, sha1, sha256, sha512"), std::string::npos)
      << c.status().message();
  path = Write("include_unconfirmed = yes\n");
  c = LoadConfig(path);
  std::remove(path.c_str());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("'yes' is not true or false"), std::string::npos);
  path = Write("sender_state_layout = json\n");
  c = LoadConfig(path);
  std::remove(path.c_str());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("'json' is not one of hash, string"), std::string::npos) << c.status().message();
  path = Write("sender_state_layout = string\n");
  c = LoadConfig(path);
  std::remove(path.c_str());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->sender_state_layout, "string");
}

TEST(Config, ProviderSettingsArePrefixedKeysInTheFileAndTheEnvironment) {
  std::string path = Write("twilio_api_base = http://127.0.0.1:9\ntelnyx_api_base = http://127.0.0.1:8\n");
  auto c = LoadConfig(path);
  std::remove(path.c_str());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  setenv("HELPLINE_TWILIO_AUTH_TOKEN", "twilio-token-value", 1);
  setenv("HELPLINE_TELEGRAM_API_BASE", "http://127.0.0.1:7", 1);
  ASSERT_TRUE(ApplyEnvironment(&*c).ok());
  unsetenv("HELPLINE_TWILIO_AUTH_TOKEN");
  unsetenv("HELPLINE_TELEGRAM_API_BASE");
  const gateway::ProviderEntry* twilio = gateway::FindProvider("twilio");
  ASSERT_NE(twilio, nullptr);
  const gateway::ProviderSettings s = ProviderSettingsOf(*c, *twilio);
  EXPECT_EQ(gateway::SettingOf(s, "api_base"), "http://127.0.0.1:9");
  EXPECT_EQ(gateway::SettingOf(s, "auth_token"), "twilio-token-value");
  EXPECT_TRUE(twilio->Enabled(s));
  EXPECT_FALSE(gateway::FindProvider("vonage")->Enabled(ProviderSettingsOf(*c, *gateway::FindProvider("vonage"))));
  const std::string shown = DescribeConfig(*c);
  EXPECT_NE(shown.find("twilio_auth_token = (set)\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("telegram_api_base = http://127.0.0.1:7\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("vonage_api_base = https://rest.nexmo.com\n"), std::string::npos) << "defaults shown";
  path = Write("twilio_auth_tokn = x\n");
  c = LoadConfig(path);
  std::remove(path.c_str());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("unknown key 'twilio_auth_tokn'"), std::string::npos);
}

TEST(Config, AnEnabledProviderIsCheckedByItsRegistryRow) {
  Config c;
  c.sender_secret = "long-enough-secret-123";
  c.providers["vonage"]["signature_secret"] = "sig";
  Status s = ValidateConfig(c);
  EXPECT_NE(s.message().find("vonage_api_key and vonage_api_secret must be set too"), std::string::npos) << s.message();
  c.providers["vonage"]["api_key"] = "k";
  c.providers["vonage"]["api_secret"] = "s";
  EXPECT_TRUE(ValidateConfig(c).ok());
  c.providers["telnyx"]["public_key"] = "not-base64-of-32-bytes";
  c.providers["telnyx"]["api_key"] = "KEY";
  s = ValidateConfig(c);
  EXPECT_NE(s.message().find("Ed25519"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("not-base64"), std::string::npos) << "never the value";
}

TEST(ProviderRegistry, EveryRowNamesAKeyItHasAndNamesAreUnique) {
  std::set<std::string_view> names;
  for (const gateway::ProviderEntry& row : gateway::Providers()) {
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    ASSERT_NE(row.Find(row.enabled_by), nullptr) << row.name;
    EXPECT_TRUE(row.Find(row.enabled_by)->secret) << row.name << ": the enabling setting is a secret";
    ASSERT_NE(row.make, nullptr) << row.name;
    gateway::ProviderSettings s = row.WithDefaults({});
    s[std::string(row.enabled_by)] = "x";
    EXPECT_EQ(row.make(s, {})->provider(), row.name);
  }
  EXPECT_EQ(names.size(), 5u);
  EXPECT_EQ(gateway::FindProvider("nope"), nullptr);
}

}  // namespace
}  // namespace helpline::daemon
