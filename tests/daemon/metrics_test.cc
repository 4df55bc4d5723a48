// Metrics: the exposition is scraped and parsed as Prometheus would (every
// sample under a declared TYPE, histograms cumulative with +Inf = _count),
// and the outbox gauges are read from a real redis-server.

#include "daemon/metrics.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/outbox_gauges.h"
#include "directory/index.h"
#include "redis/async_client.h"
#include "redis/url.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::daemon {
namespace {

using helpline::testing::RawRedis;
using helpline::testing::RedisServer;

// One parsed exposition: sample name{labels} -> value, and each family's TYPE.
struct Exposition {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;
  std::vector<std::string> errors;

  double At(const std::string& key) const {
    auto it = samples.find(key);
    return it == samples.end() ? -1 : it->second;
  }
  bool Has(const std::string& key) const { return samples.count(key) != 0; }
};

// The family a sample belongs to: histograms' _bucket/_sum/_count are their base name's.
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

Exposition Parse(const std::string& text) {
  Exposition e;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      if (e.types.count(name)) e.errors.push_back("TYPE twice: " + name);
      e.types[name] = type;
      continue;
    }
    if (line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) {
      e.errors.push_back("no value: " + line);
      continue;
    }
    const std::string key = line.substr(0, space);
    const std::string name = key.substr(0, key.find('{'));
    if (key.find('{') != std::string::npos && key.back() != '}') e.errors.push_back("labels not closed: " + line);
    if (!e.types.count(FamilyOf(name, e.types))) e.errors.push_back("sample without TYPE: " + line);
    if (e.samples.count(key)) e.errors.push_back("sample twice: " + line);
    try {
      std::size_t used = 0;
      const std::string value = line.substr(space + 1);
      e.samples[key] = std::stod(value, &used);
      if (used != value.size()) e.errors.push_back("bad value: " + line);
    } catch (const std::exception&) {
      e.errors.push_back("bad value: " + line);
    }
  }
  return e;
}

// Buckets of `name` with `labels` ("" or `provider="x",`) are cumulative and
// the +Inf bucket equals _count; returns _count.
double CheckHistogram(const Exposition& e, const std::string& name, const std::string& labels) {
  double previous = 0;
  for (double le : Histogram::kBuckets) {
    std::ostringstream key;
    key << name << "_bucket{" << labels << "le=\"" << le << "\"}";
    const double v = e.At(key.str());
    EXPECT_GE(v, previous) << key.str();
    previous = v;
  }
  const double inf = e.At(name + "_bucket{" + labels + "le=\"+Inf\"}");
  EXPECT_GE(inf, previous) << name;
  const std::string braces = labels.empty() ? "" : "{" + labels.substr(0, labels.size() - 1) + "}";
  EXPECT_EQ(e.At(name + "_count" + braces), inf) << name;
  EXPECT_TRUE(e.Has(name + "_sum" + braces)) << name;
  return inf;
}

TEST(Metrics, WebhookLatencyIsAHistogramPerProviderBesideTheRequestHistogram) {
  Metrics m;
  m.ObserveRequest("webhook_twilio", 0.003);
  m.ObserveRequest("webhook_twilio", 0.2);
  m.ObserveRequest("webhook_telnyx", 5.0);
  m.ObserveRequest("lookup", 0.0001);
  m.ObserveRedisCommand(0.0004);
  const Exposition e = Parse(m.Render());
  EXPECT_EQ(e.errors, std::vector<std::string>{});
  EXPECT_EQ(e.types.at("helpline_webhook_duration_seconds"), "histogram");
  EXPECT_EQ(CheckHistogram(e, "helpline_webhook_duration_seconds", "provider=\"twilio\","), 2);
  EXPECT_EQ(e.At("helpline_webhook_duration_seconds_bucket{provider=\"twilio\",le=\"0.005\"}"), 1);
  EXPECT_EQ(e.At("helpline_webhook_duration_seconds_bucket{provider=\"twilio\",le=\"0.25\"}"), 2);
  EXPECT_EQ(CheckHistogram(e, "helpline_webhook_duration_seconds", "provider=\"telnyx\","), 1);
  EXPECT_EQ(e.At("helpline_webhook_duration_seconds_bucket{provider=\"telnyx\",le=\"2.5\"}"), 0) << "5 s is over";
  EXPECT_FALSE(e.Has("helpline_webhook_duration_seconds_count{provider=\"lookup\"}")) << "only webhook routes";
  EXPECT_EQ(CheckHistogram(e, "helpline_request_duration_seconds", ""), 4);
  EXPECT_EQ(CheckHistogram(e, "helpline_redis_command_duration_seconds", ""), 1);
  EXPECT_EQ(e.At("helpline_redis_command_duration_seconds_bucket{le=\"0.0005\"}"), 1);
  EXPECT_NEAR(e.At("helpline_webhook_duration_seconds_sum{provider=\"twilio\"}"), 0.203, 1e-6);
}

TEST(Metrics, OutboxGaugesAreLeftOutWhenUnknownRatherThanShownStale) {
  Metrics m;
  EXPECT_FALSE(Parse(m.Render()).Has("helpline_outbox_depth{state=\"queued\"}"));
  m.SetOutboxGauges(OutboxGauges{3, 2, 1, 12.5});
  Exposition e = Parse(m.Render());
  EXPECT_EQ(e.errors, std::vector<std::string>{});
  EXPECT_EQ(e.types.at("helpline_outbox_depth"), "gauge");
  EXPECT_EQ(e.At("helpline_outbox_depth{state=\"queued\"}"), 3);
  EXPECT_EQ(e.At("helpline_outbox_depth{state=\"retrying\"}"), 2);
  EXPECT_EQ(e.At("helpline_outbox_depth{state=\"dead\"}"), 1);
  EXPECT_EQ(e.At("helpline_outbox_oldest_age_seconds"), 12.5);
  m.SetOutboxGauges(std::nullopt);
  e = Parse(m.Render());
  EXPECT_FALSE(e.Has("helpline_outbox_depth{state=\"queued\"}"));
  EXPECT_FALSE(e.Has("helpline_outbox_oldest_age_seconds"));
}

TEST(Metrics, TheDirectorysVersionLoadTimeAndOldestVerifiedDateAreGauges) {
  auto resource = [](std::string id, std::string verified, directory::ResourceStatus status) {
    directory::Resource r;
    r.id = std::move(id);
    r.verified = std::move(verified);
    r.status = status;
    return r;
  };
  std::vector<directory::Resource> resources;
  resources.push_back(resource("a", "2026-03-02", directory::ResourceStatus::kActive));
  resources.push_back(resource("b", "2025-01-01", directory::ResourceStatus::kActive));
  resources.push_back(resource("c", "2020-01-01", directory::ResourceStatus::kRetired));  // not served: ignored
  auto index = directory::DirectoryIndex::Build(std::move(resources), 7);
  EXPECT_EQ(OldestVerifiedUnixSeconds(*index), 1735689600);  // 2025-01-01T00:00:00Z
  EXPECT_EQ(OldestVerifiedUnixSeconds(*directory::DirectoryIndex::Build({}, 1)), 0);
  Metrics m;
  m.SetDirectory(index->version(), index->size(), OldestVerifiedUnixSeconds(*index));
  m.SetDirectoryLoadedAt(1764900000);
  const Exposition e = Parse(m.Render());
  EXPECT_EQ(e.errors, std::vector<std::string>{});
  EXPECT_EQ(e.At("helpline_directory_version"), 7);
  EXPECT_EQ(e.At("helpline_directory_oldest_verified_timestamp_seconds"), 1735689600);
  EXPECT_EQ(e.At("helpline_directory_loaded_timestamp_seconds"), 1764900000);
  EXPECT_EQ(e.types.at("helpline_directory_loaded_timestamp_seconds"), "gauge");
}

TEST(Metrics, TheParserRefusesWhatPrometheusWould) {
  EXPECT_FALSE(Parse("helpline_x 1\n").errors.empty()) << "no TYPE";
  EXPECT_FALSE(Parse("# TYPE helpline_x gauge\nhelpline_x one\n").errors.empty()) << "not a number";
  EXPECT_FALSE(Parse("# TYPE helpline_x gauge\nhelpline_x 1\nhelpline_x 2\n").errors.empty()) << "twice";
}

// Runs `io` until `done` or 5 s.
void RunUntil(boost::asio::io_context& io, const bool& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(20));
}

TEST(OutboxGauges, AreReadFromTheSharedOutboxInOneScript) {
  RedisServer server;
  boost::asio::io_context io;
  redis::AsyncClient client(io, *redis::ParseUrl(server.Url()), {});
  client.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!client.connected() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(client.connected());
  auto read = [&] {
    bool done = false;
    std::optional<Result<OutboxGauges>> out;
    ReadOutboxGauges(client, "t:", [&](Result<OutboxGauges> g) {
      out = std::move(g);
      done = true;
    });
    RunUntil(io, done);
    EXPECT_TRUE(done);
    return out.value_or(Result<OutboxGauges>(Internal("no answer")));
  };
  auto empty = read();
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(empty->queued, 0);
  EXPECT_EQ(empty->oldest_age_s, 0);

  RawRedis raw(server.socket_path());
  // An entry queued 90 s ago (explicit id: its ms time), one now, two retries, one dead letter.
  const long long now_ms = std::stoll(raw.Run({"TIME"})->element[0]->str) * 1000;
  raw.Run({"XADD", "t:outbox", std::to_string(now_ms - 90000) + "-0", "id", "x:1"});
  raw.Run({"XADD", "t:outbox", "*", "id", "x:2"});
  raw.Run({"ZADD", "t:outbox:retry", "1", "x:3", "2", "x:4"});
  raw.Run({"XADD", "t:outbox:dead", "*", "id", "x:5"});
  auto g = read();
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->queued, 2);
  EXPECT_EQ(g->retrying, 2);
  EXPECT_EQ(g->dead, 1);
  EXPECT_GE(g->oldest_age_s, 90.0);
  EXPECT_LT(g->oldest_age_s, 100.0);

  server.Kill();
  auto down = read();
  EXPECT_FALSE(down.ok());
}

}  // namespace
}  // namespace helpline::daemon
