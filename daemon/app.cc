#include "daemon/app.h"

#include <utility>  // before Asio (see STACK-NOTES)

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>

#include "common/json_escape.h"
#include "common/sha256.h"
#include "daemon/alerts/alert_desk.h"  // [alerts] issue 13
#include "daemon/api_errors.h"
#include "daemon/curl_multi.h"
#include "daemon/find_page.h"
#include "daemon/nearby_api.h"
#include "daemon/outbox.h"
#include "daemon/outbox_gauges.h"
#include "daemon/outreach_api.h"
#include "daemon/request_log.h"
#include "daemon/sender_store.h"
#include "daemon/webhook_flow.h"
#include "directory/json_codec.h"
#include "directory/phone.h"
#include "directory/redis_store.h"
#include "directory/regions.h"
#include "gateway/form_urlencoded.h"
#include "gateway/registry.h"
#include "redis/async_client.h"

namespace helpline::daemon {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kWebhookPrefix = "/webhooks/";

// The Redis probe of each loop (see RedisProbe).
constexpr auto kProbeInterval = std::chrono::milliseconds(200);
constexpr auto kProbeStale = std::chrono::milliseconds(600);

// sender_state_layout ("hash" or "string": the config table checks it).
SenderStateLayout LayoutOf(const Config& config) {
  return config.sender_state_layout == "string" ? SenderStateLayout::kString : SenderStateLayout::kHash;
}

std::string_view RouteName(std::string_view path) {
  if (path == "/v1/lookup") return "lookup";
  if (path == "/v1/regions") return "regions";
  if (path == "/v1/nearby") return "nearby";
  if (alerts::AlertApi::Owns(path)) return alerts::AlertApi::RouteName(path);  // [alerts]
  if (path == "/find") return "find";
  if (path == "/healthz") return "healthz";
  if (path == "/readyz") return "readyz";
  if (path == "/metrics") return "metrics";
  return "other";
}

}  // namespace

// A configured provider and its webhook route name (for metrics and logs).
struct ProviderRoute {
  std::unique_ptr<gateway::Provider> provider;
  std::string route;  // "webhook_twilio"
};

// The providers whose enabling setting is configured, by name ("twilio"),
// from the registry (gateway/registry.h).
std::map<std::string, ProviderRoute, std::less<>> MakeProviders(const Config& c) {
  std::map<std::string, ProviderRoute, std::less<>> out;
  const gateway::ProviderContext context{std::chrono::seconds(c.webhook_tolerance_s)};
  for (const gateway::ProviderEntry& row : gateway::Providers()) {
    const gateway::ProviderSettings settings = ProviderSettingsOf(c, row);
    if (!row.Enabled(settings)) continue;
    const std::string name(row.name);
    out.emplace(name, ProviderRoute{row.make(settings, context), "webhook_" + name});
  }
  return out;
}

// Whether one loop's Redis connection answers, for /readyz and
// helpline_redis_up: every kProbeInterval the loop sends a PING (unless one is
// still out). The connection counts as up once a PING is answered, and as
// down when it is not connected, a PING fails or gets an error reply, or one
// has waited longer than kProbeStale. So a killed or paused Redis shows
// within about a second, whatever the traffic and the directory poll. `up`
// is read from any thread; the rest belongs to the loop's thread. Pending
// callbacks hold the probe, so Detach() can stop it while they are queued.
struct RedisProbe {
  redis::AsyncClient* redis = nullptr;               // null once stopped
  std::unique_ptr<boost::asio::steady_timer> timer;  // freed by Detach(), while the loop exists
  std::atomic<bool> up{false};
  bool outstanding = false;
  Clock::time_point sent;
};

void ProbeTick(const std::shared_ptr<RedisProbe>& probe) {
  if (probe->redis == nullptr || probe->timer == nullptr) return;
  const auto now = Clock::now();
  if (!probe->redis->connected()) {
    probe->up.store(false);
  } else if (probe->outstanding) {
    if (now - probe->sent > kProbeStale) probe->up.store(false);
  } else {
    probe->outstanding = true;
    probe->sent = now;
    probe->redis->Command({"PING"}, [probe](Result<redis::Value> r) {
      probe->outstanding = false;
      probe->up.store(r.ok() && !r->is_error());
    });
  }
  probe->timer->expires_after(kProbeInterval);
  probe->timer->async_wait([probe](const boost::system::error_code& ec) {
    if (!ec) ProbeTick(probe);
  });
}

struct HelplineApp::Loop {
  std::unique_ptr<redis::AsyncClient> redis;
  std::unique_ptr<SenderStore> senders;
  std::unique_ptr<CurlMulti> http;        // outbound sends
  std::unique_ptr<Outbox> outbox;         // replies for providers without inline replies
  std::unique_ptr<WebhookFlow> webhooks;  // POST /webhooks/{provider} on this loop
  std::shared_ptr<RedisProbe> probe;
  std::shared_ptr<const ApiKeys> api_keys;               // sha256 hex per scope; replaced on SIGHUP
  std::unique_ptr<alerts::AlertDesk> alerts;             // [alerts] issue 13: JOIN/YES/LEAVE/REPORT (null: off)
  std::unique_ptr<alerts::AlertReleaser> alert_release;  // [alerts] held alerts -> outbox (loop 0 only)
  std::unique_ptr<alerts::AlertApi> alert_api;           // [alerts] /v1/alerts, /v1/reports (null: alerts off)
};

struct HelplineApp::Impl {
  const Config& config;
  const engine::MessageEngine& engine;
  SnapshotManager& snapshots;
  Metrics& metrics;
  std::map<std::string, ProviderRoute, std::less<>> providers;
  directory::PhoneBook phones;              // numbers on the /find page, formatted for the reader's country
  std::shared_ptr<const ApiKeys> api_keys;  // sha256 hex per scope, as configured at start
  std::string public_base;                  // "https://help.example.org" (no trailing slash)
  std::vector<Loop> loops;
  std::atomic<int> outboxes_draining{0};          // DrainOutbox() calls not finished yet
  std::unique_ptr<alerts::AlertsService> alerts;  // [alerts] issue 13 (null: alerts.json missing)

  Impl(const Config& c, const engine::MessageEngine& e, SnapshotManager& s, Metrics& m)
      : config(c), engine(e), snapshots(s), metrics(m) {
    providers = MakeProviders(c);
    alerts = alerts::AlertsService::Start(c.data_dir, {c.reports_forward_url, c.reports_forward_secret});  // [alerts]
    api_keys = KeysOf(c);
  }

  static std::shared_ptr<const ApiKeys> KeysOf(const Config& c) {
    return std::make_shared<const ApiKeys>(
        ApiKeys{.lookup = std::set<std::string>(c.api_key_sha256.begin(), c.api_key_sha256.end()),
                .alerts = std::set<std::string>(c.alerts_api_key_sha256.begin(), c.alerts_api_key_sha256.end())});
  }

  void Finish(const RequestLog& req, std::string_view route, Clock::time_point start, HttpResponse resp,
              std::string_view outcome, std::string_view sender, const Responder& respond) {
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    metrics.CountRequest(route, resp.status);
    metrics.ObserveRequest(route, seconds);
    LogRequest(req, route, resp.status, seconds * 1000, outcome, sender);
    respond(std::move(resp));
  }

  // nullopt if the request carries a key of `scope`, else the 401 or 403
  // to answer: this loop's keys (replaced on SIGHUP), else those of the start.
  std::optional<ApiAnswer> Refused(int loop, const HttpRequest& req, ApiScope scope) const {
    const auto& keys = static_cast<std::size_t>(loop) < loops.size() && loops[static_cast<std::size_t>(loop)].api_keys
                           ? *loops[static_cast<std::size_t>(loop)].api_keys
                           : *api_keys;
    return CheckApiKey(req.Header("authorization"), keys, scope);
  }

  // [alerts] /v1/alerts, /v1/alerts/{id}, /v1/reports (alerts/alert_api.h): alerting keys only.
  void AlertRoutes(int loop, const HttpRequest& req, std::string_view path, std::string_view query,
                   Clock::time_point start, const Responder& respond) {
    const std::string_view route = RouteName(path);
    if (auto refused = Refused(loop, req, ApiScope::kAlerts)) {
      return Finish(req, route, start, std::move(refused->response), refused->outcome, "", respond);
    }
    const Loop* l = static_cast<std::size_t>(loop) < loops.size() ? &loops[static_cast<std::size_t>(loop)] : nullptr;
    if (l == nullptr || !l->alert_api) {
      ApiAnswer a = ApiFailure(ApiError::kNotReady, "alerts are off on this daemon (data/engine/alerts.json)");
      return Finish(req, route, start, std::move(a.response), a.outcome, "", respond);
    }
    l->alert_api->Handle(req, path, query, [this, log = RequestLog(req), route, start, respond](ApiAnswer a) {
      Finish(log, route, start, std::move(a.response), a.outcome, "", respond);
    });
  }

  // True if Redis answers on every loop's connection (the probes), else the
  // snapshot thread's view (before Attach()).
  bool RedisUp() const {
    if (loops.empty()) return snapshots.redis_up();
    for (const Loop& l : loops) {
      if (l.probe == nullptr || !l.probe->up.load()) return false;
    }
    return true;
  }

  // --- POST /webhooks/{provider}: the flow (webhook_flow.h), then logged and counted here.
  void Webhook(int loop, const ProviderRoute& route, const HttpRequest& req, Clock::time_point start,
               Responder respond) {
    loops[static_cast<std::size_t>(loop)].webhooks->Handle(
        *route.provider, req,
        [this, log = RequestLog(req), route = std::string_view(route.route), start, respond = std::move(respond)](
            WebhookAnswer a) { Finish(log, route, start, std::move(a.response), a.outcome, a.sender, respond); });
  }

  // GET /metrics: the gauges read at scrape time (the shared outbox through
  // this loop's Redis, left out if it does not answer), then everything.
  void Scrape(int loop, const HttpRequest& req, Clock::time_point start, Responder respond) {
    metrics.SetRedisUp(RedisUp());
    metrics.SetDirectoryLoadedAt(snapshots.Describe().loaded_at_ms / 1000);
    auto render = [this, req_log = RequestLog(req), start, respond = std::move(respond)](Result<OutboxGauges> gauges) {
      metrics.SetOutboxGauges(gauges.ok() ? std::optional<OutboxGauges>(*gauges) : std::nullopt);
      HttpResponse r = Text(200, metrics.Render());
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      Finish(req_log, "metrics", start, std::move(r), "ok", "", respond);
    };
    if (static_cast<std::size_t>(loop) >= loops.size()) return render(Unavailable("not attached"));
    ReadOutboxGauges(*loops[static_cast<std::size_t>(loop)].redis, config.redis_prefix, std::move(render));
  }

  // {"status":"ready|degraded|not_ready","directory_version":N,"redis":"up|down",
  //  "directory_source":"redis|disk_snapshot|shipped_files|none","why":["...",...]}
  // Degraded (still 200) while Redis does not answer or the directory is
  // not Redis's; "why" says each reason in a sentence.
  void Ready(const HttpRequest& req, Clock::time_point start, const Responder& respond) {
    auto index = snapshots.Get();
    const bool redis = RedisUp();
    metrics.SetRedisUp(redis);
    const SnapshotDescription served = snapshots.Describe();
    std::vector<std::string> why;
    if (!redis) {
      why.push_back(
          "Redis does not answer: replies have no memory (no dedupe, rate limit or remembered state); "
          "STOP, START and language or region changes get 503 until it is back");
    }
    if (index != nullptr && served.source != SnapshotSource::kRedis && !served.note.empty()) why.push_back(served.note);
    if (index == nullptr) why.push_back("no directory loaded yet");
    const char* status = index == nullptr ? "not_ready" : why.empty() ? "ready" : "degraded";
    std::string body = std::string("{\"status\":\"") + status +
                       "\",\"directory_version\":" + std::to_string(index ? index->version() : 0) + ",\"redis\":\"" +
                       (redis ? "up" : "down") + "\",\"directory_source\":\"" +
                       std::string(SnapshotSourceName(served.source)) + "\",\"why\":[";
    for (std::size_t i = 0; i < why.size(); ++i) body += (i ? "," : "") + JsonQuote(why[i]);
    body += "]}\n";
    // Degraded still serves: answers come from the snapshot.
    Finish(req, "readyz", start, Json(index == nullptr ? 503 : 200, std::move(body)), "ok", "", respond);
  }
};

HelplineApp::HelplineApp(const Config& config, const engine::MessageEngine& engine, SnapshotManager& snapshots,
                         Metrics& metrics)
    : impl_(std::make_unique<Impl>(config, engine, snapshots, metrics)) {}

HelplineApp::~HelplineApp() { Detach(); }

Status HelplineApp::Attach(HttpServer& server) {
  auto url = redis::ParseUrl(impl_->config.redis_url);
  if (!url.ok()) return url.status();
  impl_->public_base = impl_->config.public_url.empty()
                           ? "http://" + impl_->config.listen_address + ":" + std::to_string(server.port())
                           : impl_->config.public_url;
  while (!impl_->public_base.empty() && impl_->public_base.back() == '/') impl_->public_base.pop_back();
  redis::AsyncClient::Options redis_options;
  redis_options.command_timeout_ms = impl_->config.redis_timeout_ms;
  redis_options.observe_latency = [metrics = &impl_->metrics](double s) { metrics->ObserveRedisCommand(s); };
  SenderStoreOptions store_options;
  store_options.prefix = impl_->config.redis_prefix;
  store_options.dedupe_ttl_s = impl_->config.dedupe_ttl_s;
  store_options.rate_limit_messages = impl_->config.rate_limit_messages;
  store_options.rate_limit_window_s = impl_->config.rate_limit_window_s;
  store_options.wait_replicas = impl_->config.redis_wait_replicas;
  store_options.state_layout = LayoutOf(impl_->config);
  // WAIT holds the loop's connection: keep it well inside the command timeout.
  store_options.wait_timeout_ms = std::min(store_options.wait_timeout_ms, impl_->config.redis_timeout_ms / 2);
  impl_->loops.resize(static_cast<std::size_t>(server.loops()));
  for (int i = 0; i < server.loops(); ++i) {
    Loop& l = impl_->loops[static_cast<std::size_t>(i)];
    l.redis = std::make_unique<redis::AsyncClient>(server.loop(i), *url, redis_options);
    l.redis->Start();
    l.senders = std::make_unique<SenderStore>(*l.redis, store_options);
    l.api_keys = impl_->api_keys;
    l.probe = std::make_shared<RedisProbe>();
    l.probe->redis = l.redis.get();
    l.probe->timer = std::make_unique<boost::asio::steady_timer>(server.loop(i));
    if (impl_->alerts) {  // [alerts]
      l.alerts = impl_->alerts->MakeDesk(*l.redis, impl_->config.redis_prefix);
      l.alert_api = impl_->alerts->MakeApi(*l.redis, impl_->config.redis_prefix);
    }
  }
  Outbox::Adapters adapters;
  for (const auto& [name, route] : impl_->providers) adapters.emplace(name, route.provider.get());
  if (impl_->alerts) impl_->alerts->AddAdapters(adapters);  // [alerts] reports_forward_url
  char host[256] = "host";
  gethostname(host, sizeof host - 1);
  for (int i = 0; i < server.loops(); ++i) {
    Loop& l = impl_->loops[static_cast<std::size_t>(i)];
    l.http = std::make_unique<CurlMulti>(server.loop(i));
    OutboxOptions o;
    o.prefix = impl_->config.redis_prefix;
    o.consumer = std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(i);
    o.max_in_flight = impl_->config.outbox_concurrency;
    o.send_timeout_ms = impl_->config.outbox_send_timeout_ms;
    o.claim_idle_ms = impl_->config.outbox_claim_idle_ms;
    // Look for a dead daemon's sends often enough that they move on about
    // claim_idle_ms after it died.
    o.claim_interval_ms = std::clamp(impl_->config.outbox_claim_idle_ms / 2, 100, 5000);
    o.max_attempts = impl_->config.outbox_max_attempts;
    o.backoff_base_ms = impl_->config.outbox_backoff_base_ms;
    o.backoff_cap_ms = impl_->config.outbox_backoff_cap_ms;
    o.dedupe_ttl_s = impl_->config.dedupe_ttl_s;
    o.dead_letter_ttl_s = impl_->config.outbox_dead_letter_ttl_s;
    o.metrics = &impl_->metrics;
    l.outbox = std::make_unique<Outbox>(*l.redis, *l.http, adapters, std::move(o));
    if (l.alerts && impl_->alerts->forwards_reports()) l.alerts->ForwardReportsTo(l.outbox.get());  // [alerts]
    l.webhooks = std::make_unique<WebhookFlow>(
        impl_->engine, [snapshots = &impl_->snapshots] { return snapshots->Get(); }, *l.senders, *l.outbox,
        impl_->metrics,
        WebhookFlowOptions{.sender_secret = impl_->config.sender_secret, .public_base = impl_->public_base},
        l.alerts.get());
  }
  // Connect every loop before the first request is accepted, so a message
  // at start-up is not answered without memory (bounded: a Redis that is
  // down leaves the daemon serving from its snapshot).
  const auto deadline = Clock::now() + std::chrono::milliseconds(redis_options.connect_timeout_ms);
  for (int i = 0; i < server.loops(); ++i) {
    Loop& l = impl_->loops[static_cast<std::size_t>(i)];
    while (!l.redis->connected() && Clock::now() < deadline) server.loop(i).run_one_for(std::chrono::milliseconds(20));
  }
  for (Loop& l : impl_->loops) ProbeTick(l.probe);
  // Outbox workers only where some provider replies through it.
  const bool outbound = std::any_of(impl_->providers.begin(), impl_->providers.end(),
                                    [](const auto& p) { return !p.second.provider->replies_inline(); });
  // [alerts] alerts go out through the outbox whatever the providers' replies.
  if (outbound || (impl_->alerts && (impl_->alerts->subscriptions_on() || impl_->alerts->forwards_reports()))) {
    for (auto& l : impl_->loops) l.outbox->Start();
  }
  // [alerts] one releaser per daemon (they share the queue through Redis).
  if (impl_->alerts) {
    alerts::AlertReleaseOptions ro;
    ro.prefix = impl_->config.redis_prefix;
    ro.lease_ms = impl_->config.alerts_release_lease_ms;
    // ValidateConfig refused bad rates; a config that skipped it keeps the defaults.
    if (auto r = alerts::ParseReleaseRate(impl_->config.alerts_number_rate); r.ok()) ro.rates.per_number = *r;
    if (auto r = alerts::ParseReleaseRate(impl_->config.alerts_provider_rate); r.ok()) ro.rates.per_provider = *r;
    Loop& l0 = impl_->loops[0];
    l0.alert_release = impl_->alerts->MakeReleaser(*l0.redis, *l0.outbox, std::move(ro));
    if (l0.alert_release) l0.alert_release->Start();
  }
  // New directory versions are announced on dir:events; after each
  // (re)subscription a check catches anything announced while away.
  SnapshotManager* snapshots = &impl_->snapshots;
  impl_->loops[0].redis->Subscribe(
      directory::RedisStore::EventsChannelOf(impl_->config.redis_prefix),
      [snapshots](const std::string&) { snapshots->Notify(); }, [snapshots] { snapshots->Notify(); });
  return Status::Ok();
}

void HelplineApp::DrainOutbox() {
  for (Loop& l : impl_->loops) {
    if (!l.outbox) continue;
    impl_->outboxes_draining.fetch_add(1);
    boost::asio::post(l.redis->context(),
                      [&l, impl = impl_.get()] { l.outbox->Drain([impl] { impl->outboxes_draining.fetch_sub(1); }); });
  }
}

bool HelplineApp::OutboxDrained() const { return impl_->outboxes_draining.load() == 0; }

void HelplineApp::Detach() {
  // The Redis connections live on the server's loops: stop and free them
  // while those loops exist (the server may be destroyed before the app).
  for (auto& l : impl_->loops) {
    if (l.probe) {
      l.probe->redis = nullptr;
      l.probe->timer.reset();  // cancels its wait; the queued handler holds the probe, not the timer
    }
    l.alert_release.reset();  // [alerts] before the outbox it hands to
    if (l.outbox) {
      // Runs after the loops stopped: nothing else touches the outbox now.
      if (const int left = l.outbox->in_flight(); left > 0) {
        std::fprintf(stderr, "helpline serve: outbox: %d sends unfinished at the drain deadline (left pending)\n",
                     left);
      }
      l.outbox->Stop();
    }
    l.webhooks.reset();
    l.outbox.reset();
    if (l.http) l.http->Stop();
    l.http.reset();
    l.senders.reset();
    l.alerts.reset();  // [alerts]
    l.alert_api.reset();
    if (l.redis) l.redis->Stop();
    l.redis.reset();
  }
  impl_->loops.clear();
}

void HelplineApp::Reload(const Config& fresh) {
  auto keys = Impl::KeysOf(fresh);
  const int messages = fresh.rate_limit_messages;
  const int window_s = fresh.rate_limit_window_s;
  const SenderStateLayout layout = LayoutOf(fresh);
  for (Loop& l : impl_->loops) {
    boost::asio::post(l.redis->context(), [&l, keys, messages, window_s, layout] {
      l.api_keys = keys;
      if (l.senders) {
        l.senders->SetRateLimit(messages, window_s);
        l.senders->SetStateLayout(layout);
      }
    });
  }
}

std::optional<HttpResponse> HelplineApp::Rejected(int loop, int status, std::string_view method,
                                                  std::string_view target, std::string_view reason) {
  if (static_cast<std::size_t>(loop) < impl_->loops.size()) {
    UseLoopForRequestLog(&impl_->loops[static_cast<std::size_t>(loop)].redis->context());
  }
  const std::string path(target.substr(0, target.find('?')));
  std::string_view route = RouteName(path);
  if (path.starts_with(kWebhookPrefix)) {
    const auto it = impl_->providers.find(std::string_view(path).substr(kWebhookPrefix.size()));
    if (it != impl_->providers.end()) route = it->second.route;
  }
  impl_->metrics.CountRequest(route, status);
  LogRequest(RequestLog("-", std::string(method.substr(0, 16))), route, status, 0.0, "rejected_by_server", "");
  const std::optional<ApiError> error = ApiErrorOfStatus(status);
  if (!IsApiPath(path) || !error) return std::nullopt;
  return ApiErrorResponse(*error, reason);
}

void HelplineApp::Handle(int loop, HttpRequest request, Responder respond) {
  const auto start = Clock::now();
  if (static_cast<std::size_t>(loop) < impl_->loops.size()) {
    UseLoopForRequestLog(&impl_->loops[static_cast<std::size_t>(loop)].redis->context());
  }
  // Views into request.target, which outlives every use below.
  const std::string_view target = request.target;
  const auto q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  const std::string_view route = RouteName(path);
  Impl& app = *impl_;
  auto method_is = [&](const char* m) {
    if (request.method == m) return true;
    HttpResponse r = IsApiPath(path) ? ApiErrorResponse(ApiError::kMethodNotAllowed, std::string("use ") + m)
                                     : Text(405, std::string("use ") + m + " for " + std::string(path));
    r.headers.push_back({"Allow", m});
    app.Finish(request, route, start, std::move(r), "method_not_allowed", "", respond);
    return false;
  };
  if (path.compare(0, kWebhookPrefix.size(), kWebhookPrefix) == 0) {
    const std::string_view name = path.substr(kWebhookPrefix.size());
    if (auto it = app.providers.find(name); it != app.providers.end()) {
      app.Webhook(loop, it->second, request, start, std::move(respond));
    } else if (const gateway::ProviderEntry* row = gateway::FindProvider(name); row != nullptr) {
      app.Finish(request, "other", start,
                 Text(404, std::string(name) + " webhook not configured (set " + std::string(row->name) + "_" +
                               std::string(row->enabled_by) + ")"),
                 "not_configured", "", respond);
    } else {
      app.Finish(request, "other", start, Text(404, "no such route: " + std::string(path)), "not_found", "", respond);
    }
  } else if (path == "/v1/lookup" || path == "/v1/regions") {
    if (method_is("GET")) {
      auto refused = app.Refused(loop, request, ApiScope::kLookup);
      ApiAnswer answer = refused                ? std::move(*refused)
                         : path == "/v1/lookup" ? LookupAnswer(app.snapshots.Get().get(), query)
                                                : RegionsAnswer(app.snapshots.Get().get());
      app.Finish(request, route, start, std::move(answer.response), answer.outcome, "", respond);
    }
  } else if (alerts::AlertApi::Owns(path)) {  // [alerts]
    app.AlertRoutes(loop, request, path, query, start, respond);
  } else if (path == "/v1/nearby") {  // daemon/nearby_api.h
    if (method_is("GET")) {
      if (auto refused = app.Refused(loop, request, ApiScope::kLookup)) {
        app.Finish(request, route, start, std::move(refused->response), refused->outcome, "", respond);
      } else {
        NearbyApiResponse r = NearbyApi(app.snapshots.Get().get(), app.engine.geo(), query);
        app.Finish(request, route, start, Json(r.status, std::move(r.body)), r.outcome, "", respond);
      }
    }
  } else if (path == "/find") {
    if (method_is("GET")) {
      FindPage page = RenderFindPage(app.snapshots.Get().get(), query, app.phones, app.engine.geo());
      HttpResponse r;
      r.status = page.status;
      r.content_type = "text/html; charset=utf-8";
      r.body = std::move(page.html);
      r.headers.push_back({"Cache-Control", "no-store"});
      r.headers.push_back(
          {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"});
      app.Finish(request, route, start, std::move(r), page.status == 200 ? "ok" : "bad_request", "", respond);
    }
  } else if (path == "/healthz") {
    if (method_is("GET")) app.Finish(request, route, start, Text(200, "ok"), "ok", "", respond);
  } else if (path == "/readyz") {
    if (method_is("GET")) app.Ready(request, start, respond);
  } else if (path == "/metrics") {
    if (method_is("GET")) app.Scrape(loop, request, start, std::move(respond));
  } else if (IsApiPath(path)) {
    app.Finish(request, route, start, ApiErrorResponse(ApiError::kNotFound, "no such /v1 route (docs/openapi.yaml)"),
               "not_found", "", respond);
  } else {
    app.Finish(request, route, start, Text(404, "no such route: " + std::string(path)), "not_found", "", respond);
  }
}

}  // namespace helpline::daemon
