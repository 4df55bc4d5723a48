#include "daemon/app.h"

#include <utility>  // before Asio (see STACK-NOTES)

#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>

#include "common/json_escape.h"
#include "common/sha256.h"
#include "daemon/redis_async.h"
#include "daemon/sender_store.h"
#include "directory/json_codec.h"
#include "directory/regions.h"
#include "gateway/form_urlencoded.h"
#include "gateway/twilio/twilio_webhook.h"

namespace helpline::daemon {
namespace {

using Clock = std::chrono::steady_clock;

std::string_view RouteName(const std::string& path) {
  if (path == "/webhooks/twilio") return "webhook_twilio";
  if (path == "/v1/lookup") return "lookup";
  if (path == "/v1/regions") return "regions";
  if (path == "/healthz") return "healthz";
  if (path == "/readyz") return "readyz";
  if (path == "/metrics") return "metrics";
  return "other";
}

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  if (r.body.empty() || r.body.back() != '\n') r.body += '\n';
  return r;
}

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

HttpResponse JsonError(int status, std::string_view message) {
  return Json(status, "{\"error\":" + JsonQuote(message) + "}\n");
}

// What a log line needs of a request; small enough to carry into callbacks
// (the request itself, with its headers and body, is not copied along).
struct RequestLog {
  RequestLog(const HttpRequest& r) : id(r.id), method(r.method) {}  // NOLINT: implicit by design
  std::string id;
  std::string method;
};

// One line per request: never a number or a message body.
void LogRequest(const RequestLog& req, std::string_view route, int status, double ms, std::string_view outcome,
                std::string_view sender_hash) {
  char ts[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::fprintf(stderr, "%s req=%s method=%s route=%.*s status=%d ms=%.2f outcome=%.*s sender=%.*s\n", ts,
               req.id.c_str(), req.method.c_str(), static_cast<int>(route.size()), route.data(), status, ms,
               static_cast<int>(outcome.size()), outcome.data(), static_cast<int>(std::min<std::size_t>(12, sender_hash.size())),
               sender_hash.data());
}

engine::SenderState ToEngineState(const SenderRecord& r) {
  engine::SenderState s;
  s.language = r.language;
  s.region = r.region;
  s.opted_out = r.opted_out;
  return s;
}

SenderChanges ToSenderChanges(const engine::StateChanges& c) {
  SenderChanges out;
  out.language = c.language;
  out.region = c.region;
  out.opted_out = c.opted_out;
  return out;
}

}  // namespace

struct HelplineApp::Loop {
  std::unique_ptr<AsyncRedis> redis;
  std::unique_ptr<SenderStore> senders;
  engine::ReplyCache replies;  // composed replies of the current snapshot, this loop only
};

struct HelplineApp::Impl {
  const Config& config;
  const engine::MessageEngine& engine;
  SnapshotManager& snapshots;
  Metrics& metrics;
  std::unique_ptr<gateway::TwilioWebhook> twilio;
  std::set<std::string> api_keys;  // sha256 hex
  std::string public_base;         // "https://help.example.org" (no trailing slash)
  std::vector<Loop> loops;

  Impl(const Config& c, const engine::MessageEngine& e, SnapshotManager& s, Metrics& m)
      : config(c), engine(e), snapshots(s), metrics(m) {
    if (!c.twilio_auth_token.empty()) twilio = std::make_unique<gateway::TwilioWebhook>(c.twilio_auth_token);
    api_keys.insert(c.api_key_sha256.begin(), c.api_key_sha256.end());
  }

  void Finish(const RequestLog& req, std::string_view route, Clock::time_point start, HttpResponse resp,
              std::string_view outcome, std::string_view sender, const Responder& respond) {
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    metrics.CountRequest(route, resp.status);
    metrics.ObserveLatency(seconds);
    LogRequest(req, route, resp.status, seconds * 1000, outcome, sender);
    respond(std::move(resp));
  }

  // Answers 401 and returns false unless the request carries a known API key.
  bool RequireApiKey(const HttpRequest& req, std::string_view route, Clock::time_point start,
                     const Responder& respond) {
    if (Authorized(req)) return true;
    HttpResponse r = JsonError(401, "missing or unknown API key (Authorization: Bearer KEY)");
    r.headers.push_back({"WWW-Authenticate", "Bearer"});
    Finish(req, route, start, std::move(r), "unauthorized", "", respond);
    return false;
  }

  bool Authorized(const HttpRequest& req) const {
    const std::string& auth = req.Header("authorization");
    const std::string prefix = "Bearer ";
    if (auth.size() <= prefix.size() || auth.compare(0, prefix.size(), prefix) != 0) return false;
    return api_keys.count(Sha256Hex(std::string_view(auth).substr(prefix.size()))) != 0;
  }

  // --- POST /webhooks/twilio
  void Twilio(int loop, const HttpRequest& req, Clock::time_point start, Responder respond) {
    const std::string_view route = "webhook_twilio";
    if (twilio == nullptr) {
      Finish(req, route, start, Text(404, "twilio webhook not configured (set twilio_auth_token)"), "not_configured",
             "", respond);
      return;
    }
    const std::string url = public_base + req.target;
    gateway::WebhookRequest wr{req.method, url, req.Header("content-type"), req.Header("x-twilio-signature"),
                               req.body};
    auto parsed = twilio->Parse(wr);
    if (auto* err = std::get_if<gateway::WebhookError>(&parsed)) {
      const std::string_view outcome = err->http_status == 403 ? "bad_signature" : "malformed";
      metrics.CountWebhook(outcome);
      Finish(req, route, start, Text(err->http_status, err->reason), outcome, "", respond);
      return;
    }
    auto msg = std::make_shared<gateway::InboundMessage>(std::get<gateway::InboundMessage>(std::move(parsed)));
    auto index = snapshots.Get();
    if (index == nullptr) {
      // Twilio retries (and uses the fallback URL): better than a wrong answer.
      Finish(req, route, start, Text(503, "directory not loaded yet"), "not_ready", "", respond);
      return;
    }
    const std::string hash = SenderHash(config.sender_secret, msg->from);
    Loop& l = loops[static_cast<std::size_t>(loop)];
    l.senders->Admit("twilio", msg->id, hash,
                     [this, &l, log = RequestLog(req), start, respond, msg, index, hash](Result<AdmitResult> admitted) {
                       OnAdmitted(l, log, start, respond, *msg, *index, hash, std::move(admitted));
                     });
  }

  void OnAdmitted(Loop& l, const RequestLog& req, Clock::time_point start, const Responder& respond,
                  const gateway::InboundMessage& msg, const directory::DirectoryIndex& index, const std::string& hash,
                  Result<AdmitResult> admitted) {
    const std::string_view route = "webhook_twilio";
    engine::InboundMessage in;
    in.text = msg.text;
    in.from = msg.from;
    in.channel = msg.channel == gateway::MessageChannel::kChat ? engine::ChannelType::kChat : engine::ChannelType::kSms;
    in.hints.from_state = msg.from_state;
    in.hints.from_zip = msg.from_zip;
    in.hints.from_country = msg.from_country;

    auto twiml = [](std::string_view text) {
      HttpResponse r;
      r.content_type = "text/xml; charset=utf-8";
      r.body = gateway::TwilioWebhook::Twiml(text);
      return r;
    };

    if (!admitted.ok()) {
      // Redis is away: answer from the snapshot without memory. A person
      // asking for help gets help; nothing is stored, nothing is lost.
      metrics.CountRedisError();
      metrics.CountWebhook("redis_unavailable");
      engine::EngineReply r = engine.Handle(in, engine::SenderState{}, index, &l.replies);
      Finish(req, route, start, twiml(r.text), "redis_unavailable", hash, respond);
      return;
    }
    const AdmitResult& a = *admitted;
    const engine::SenderState state = ToEngineState(a.sender);
    switch (a.admission) {
      case Admission::kDuplicate: {
        metrics.CountWebhook("duplicate");
        // The stored reply, byte for byte; if the first is still in flight,
        // the same engine on the same state gives the same reply.
        std::string body = a.previous_committed ? a.previous_reply : engine.Handle(in, state, index, &l.replies).text;
        Finish(req, route, start, twiml(body), "duplicate", hash, respond);
        return;
      }
      case Admission::kRateLimitedNotice:
      case Admission::kRateLimitedSilent: {
        engine::EngineReply r = engine.Handle(in, state, index, &l.replies);
        // STOP and START are always honoured, whatever the rate.
        if (r.intent == engine::Intent::kStop || r.intent == engine::Intent::kStart) break;
        metrics.CountWebhook("rate_limited");
        std::string text;
        if (a.admission == Admission::kRateLimitedNotice) text = engine.RateLimitNotice(state, in.channel).text;
        l.senders->Commit("twilio", msg.id, hash, SenderChanges{}, text,
                          [this, req, start, respond, text, hash, twiml](Status s) {
                            if (!s.ok()) metrics.CountRedisError();
                            Finish(req, "webhook_twilio", start, twiml(text), "rate_limited", hash, respond);
                          });
        return;
      }
      case Admission::kNew:
        break;
    }
    engine::EngineReply r = engine.Handle(in, state, index, &l.replies);
    const std::string_view outcome = state.opted_out && r.changes.empty() ? "opted_out" : "answered";
    metrics.CountWebhook(outcome);
    // The answer waits for the state write to be acknowledged, so the
    // sender's next message (maybe on another loop's connection) sees it:
    // STOP then anything is always "opted out". A failed write is counted,
    // and the person still gets the answer.
    l.senders->Commit("twilio", msg.id, hash, ToSenderChanges(r.changes), r.text,
                      [this, req, start, respond, text = r.text, outcome, hash, twiml](Status s) {
                        if (!s.ok()) metrics.CountRedisError();
                        Finish(req, "webhook_twilio", start, twiml(text), outcome, hash, respond);
                      });
  }

  // --- GET /v1/lookup, /v1/regions
  void Lookup(const HttpRequest& req, const std::string& query, Clock::time_point start, const Responder& respond) {
    const std::string_view route = "lookup";
    if (!RequireApiKey(req, route, start, respond)) return;
    auto params = gateway::ParseFormUrlencoded(query);
    if (!params.ok()) {
      Finish(req, route, start, JsonError(400, "malformed query string"), "bad_request", "", respond);
      return;
    }
    std::string region, category_name, lang;
    for (const auto& [k, v] : *params) {
      if (k == "region") region = v;
      else if (k == "category") category_name = v;
      else if (k == "lang") lang = v;
    }
    auto category = directory::ParseCategory(category_name);
    if (region.empty() || !directory::IsKnownRegion(region)) {
      Finish(req, route, start, JsonError(400, "region must be an ISO 3166-2 code such as US, US-TX, CA-BC or *"),
             "bad_request", "", respond);
      return;
    }
    if (!category) {
      Finish(req, route, start, JsonError(400, "unknown category '" + category_name + "'"), "bad_request", "", respond);
      return;
    }
    auto index = snapshots.Get();
    if (index == nullptr) {
      Finish(req, route, start, JsonError(503, "directory not loaded yet"), "not_ready", "", respond);
      return;
    }
    std::string body = "{\"version\":" + std::to_string(index->version()) + ",\"region\":" + JsonQuote(region) +
                       ",\"category\":" + JsonQuote(category_name) + ",\"lang\":" + JsonQuote(lang) +
                       ",\"resources\":[";
    bool first = true;
    for (const auto* r : index->Lookup(region, *category, lang)) {
      if (!first) body += ",";
      first = false;
      body += directory::ToCanonicalJson(*r);
    }
    body += "]}\n";
    Finish(req, route, start, Json(200, std::move(body)), "ok", "", respond);
  }

  void Regions(const HttpRequest& req, Clock::time_point start, const Responder& respond) {
    const std::string_view route = "regions";
    if (!RequireApiKey(req, route, start, respond)) return;
    auto index = snapshots.Get();
    if (index == nullptr) {
      Finish(req, route, start, JsonError(503, "directory not loaded yet"), "not_ready", "", respond);
      return;
    }
    std::string body = "{\"version\":" + std::to_string(index->version()) + ",\"regions\":[";
    bool first = true;
    for (const auto& code : index->Regions()) {
      const auto* info = directory::FindRegion(code);
      if (!first) body += ",";
      first = false;
      body += "{\"code\":" + JsonQuote(code) + ",\"name\":" + JsonQuote(info ? info->name_en : code) +
              ",\"name_fr\":" + JsonQuote(info ? info->name_fr : code) + ",\"name_es\":" +
              JsonQuote(info ? info->name_es : code) + "}";
    }
    body += "]}\n";
    Finish(req, route, start, Json(200, std::move(body)), "ok", "", respond);
  }

  void Ready(const HttpRequest& req, Clock::time_point start, const Responder& respond) {
    auto index = snapshots.Get();
    const bool redis = snapshots.redis_up();
    metrics.SetRedisUp(redis);
    std::string body = std::string("{\"status\":\"") + (index == nullptr ? "not_ready" : redis ? "ready" : "degraded") +
                       "\",\"directory_version\":" + std::to_string(index ? index->version() : 0) +
                       ",\"redis\":\"" + (redis ? "up" : "down") + "\"}\n";
    // Degraded still serves: answers come from the snapshot.
    Finish(req, "readyz", start, Json(index == nullptr ? 503 : 200, std::move(body)), "ok", "", respond);
  }
};

HelplineApp::HelplineApp(const Config& config, const engine::MessageEngine& engine, SnapshotManager& snapshots,
                         Metrics& metrics)
    : impl_(std::make_unique<Impl>(config, engine, snapshots, metrics)) {}

HelplineApp::~HelplineApp() { Detach(); }

Status HelplineApp::Attach(HttpServer& server) {
  auto url = directory::ParseRedisUrl(impl_->config.redis_url);
  if (!url.ok()) return url.status();
  impl_->public_base = impl_->config.public_url.empty()
                           ? "http://" + impl_->config.listen_address + ":" + std::to_string(server.port())
                           : impl_->config.public_url;
  while (!impl_->public_base.empty() && impl_->public_base.back() == '/') impl_->public_base.pop_back();
  AsyncRedis::Options redis_options;
  redis_options.command_timeout_ms = impl_->config.redis_timeout_ms;
  SenderStoreOptions store_options;
  store_options.prefix = impl_->config.redis_prefix;
  store_options.dedupe_ttl_s = impl_->config.dedupe_ttl_s;
  store_options.rate_limit_messages = impl_->config.rate_limit_messages;
  store_options.rate_limit_window_s = impl_->config.rate_limit_window_s;
  impl_->loops.resize(static_cast<std::size_t>(server.loops()));
  for (int i = 0; i < server.loops(); ++i) {
    Loop& l = impl_->loops[static_cast<std::size_t>(i)];
    l.redis = std::make_unique<AsyncRedis>(server.loop(i), *url, redis_options);
    l.redis->Start();
    l.senders = std::make_unique<SenderStore>(*l.redis, store_options);
  }
  // Connect every loop before the first request is accepted, so a message
  // at start-up is not answered without memory (bounded: a Redis that is
  // down leaves the daemon serving from its snapshot).
  const auto deadline = Clock::now() + std::chrono::milliseconds(redis_options.connect_timeout_ms);
  for (int i = 0; i < server.loops(); ++i) {
    Loop& l = impl_->loops[static_cast<std::size_t>(i)];
    while (!l.redis->connected() && Clock::now() < deadline) server.loop(i).run_one_for(std::chrono::milliseconds(20));
  }
  // New directory versions are announced on dir:events; after each
  // (re)subscription a check catches anything announced while away.
  SnapshotManager* snapshots = &impl_->snapshots;
  impl_->loops[0].redis->Subscribe(
      impl_->config.redis_prefix + "dir:events", [snapshots](const std::string&) { snapshots->Notify(); },
      [snapshots] { snapshots->Notify(); });
  return Status::Ok();
}

void HelplineApp::Detach() {
  // The Redis connections live on the server's loops: stop and free them
  // while those loops exist (the server may be destroyed before the app).
  for (auto& l : impl_->loops) {
    l.senders.reset();
    if (l.redis) l.redis->Stop();
    l.redis.reset();
  }
  impl_->loops.clear();
}

void HelplineApp::Handle(int loop, HttpRequest request, Responder respond) {
  const auto start = Clock::now();
  const auto q = request.target.find('?');
  const std::string path = request.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : request.target.substr(q + 1);
  const std::string_view route = RouteName(path);
  Impl& app = *impl_;
  auto method_is = [&](const char* m) {
    if (request.method == m) return true;
    HttpResponse r = Text(405, std::string("use ") + m + " for " + path);
    r.headers.push_back({"Allow", m});
    app.Finish(request, route, start, std::move(r), "method_not_allowed", "", respond);
    return false;
  };
  if (path == "/webhooks/twilio") {
    app.Twilio(loop, request, start, std::move(respond));
  } else if (path == "/v1/lookup") {
    if (method_is("GET")) app.Lookup(request, query, start, respond);
  } else if (path == "/v1/regions") {
    if (method_is("GET")) app.Regions(request, start, respond);
  } else if (path == "/healthz") {
    if (method_is("GET")) app.Finish(request, route, start, Text(200, "ok"), "ok", "", respond);
  } else if (path == "/readyz") {
    if (method_is("GET")) app.Ready(request, start, respond);
  } else if (path == "/metrics") {
    if (method_is("GET")) {
      app.metrics.SetRedisUp(app.snapshots.redis_up());
      HttpResponse r = Text(200, app.metrics.Render());
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      app.Finish(request, route, start, std::move(r), "ok", "", respond);
    }
  } else {
    app.Finish(request, route, start, Text(404, "no such route: " + path), "not_found", "", respond);
  }
}

}  // namespace helpline::daemon
