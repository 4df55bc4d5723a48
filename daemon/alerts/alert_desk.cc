#include "daemon/alerts/alert_desk.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdio>

#include "daemon/alerts/alert_send.h"
#include "directory/regions.h"

namespace helpline::daemon::alerts {
namespace {

// Where a report is from: the engine's region unless it is only the default.
std::string ReportRegion(const engine::EngineReply& r) {
  return r.region.source == engine::RegionSource::kDefault ? "" : r.region.code;
}

}  // namespace

std::string SubscriptionRegion(const engine::Understanding& u, const engine::EngineReply& r) {
  auto subdivision = [](std::string_view code) {
    return code.find('-') != std::string_view::npos && directory::IsKnownRegion(code);
  };
  if (u.stated_region && subdivision(*u.stated_region)) return *u.stated_region;
  if (u.stated_region) return "";  // a country or something we cannot alert for: ask
  using engine::RegionSource;
  const RegionSource s = r.region.source;
  if ((s == RegionSource::kMessage || s == RegionSource::kRemembered || s == RegionSource::kProviderHint ||
       s == RegionSource::kNumber) &&
      subdivision(r.region.code)) {
    return r.region.code;
  }
  return "";
}

std::unique_ptr<AlertsService> AlertsService::Start(const std::string& data_dir, ReportForwardConfig forward) {
  auto conv = AlertConversation::Load(data_dir + "/engine/alerts.json");
  if (!conv.ok()) {
    std::fprintf(stderr, "alerts: off: %s\n", conv.status().message().c_str());
    return nullptr;
  }
  std::optional<NumberCipher> cipher;
  auto c = NumberCipher::FromEnvironment();
  if (c.ok()) {
    cipher.emplace(std::move(*c));
  } else {
    std::fprintf(stderr, "alerts: subscriptions off (%s); reports on\n", c.status().message().c_str());
  }
  std::unique_ptr<AlertsService> service(new AlertsService(std::move(*conv), std::move(cipher)));
  // For POST /v1/alerts: the quiet hours `helpline alert send` would use, and the regions' zones.
  if (auto quiet = QuietHoursFrom(""); quiet.ok()) {
    service->quiet_ = *quiet;
  } else {
    std::fprintf(stderr, "alerts: HELPLINE_ALERTS_QUIET_HOURS: %s; using 22:00-08:00\n",
                 quiet.status().message().c_str());
  }
  if (auto zones = RegionTimeZones::Load(data_dir + "/engine/alert_time_zones.json"); zones.ok()) {
    service->zones_.emplace(std::move(*zones));
  } else if (!service->quiet_.off) {
    std::fprintf(stderr, "alerts: time zones: %s; the API sends only urgent alerts\n",
                 zones.status().message().c_str());
  }
  if (!forward.url.empty()) service->forwarder_ = std::make_unique<ReportForwarder>(std::move(forward));
  return service;
}

std::unique_ptr<AlertApi> AlertsService::MakeApi(redis::AsyncClient& redis, const std::string& prefix) const {
  return std::make_unique<AlertApi>(
      redis, cipher_ ? &*cipher_ : nullptr,
      AlertApiOptions{.prefix = prefix, .quiet = quiet_, .zones = zones_ ? &*zones_ : nullptr});
}

std::unique_ptr<AlertDesk> AlertsService::MakeDesk(redis::AsyncClient& redis, const std::string& prefix) const {
  return std::make_unique<AlertDesk>(redis, cipher_ ? &*cipher_ : nullptr, conv_, prefix);
}

void AlertsService::AddAdapters(Outbox::Adapters& adapters) const {
  if (forwarder_) adapters.emplace(std::string(kReportForwardProvider), forwarder_.get());
}

void AlertDesk::ForwardReportsTo(Outbox* outbox) { forward_ = outbox; }

void AlertDesk::Store(alerts::Report report, std::function<void(Result<alerts::Report>)> done) {
  reports_.Add(std::move(report), [this, done = std::move(done)](Result<alerts::Report> r) {
    if (r.ok() && forward_ != nullptr) {
      // Durable from here: the outbox retries and dead-letters it. A failed
      // enqueue (Redis away) loses only the forward, not the stored report.
      forward_->Enqueue(ReportForwardMessage(*r), [this](Status s) {
        if (!s.ok() && s.code() != StatusCode::kAlreadyExists) ++counters_.forward_errors;
      });
    }
    done(std::move(r));
  });
}

std::unique_ptr<AlertReleaser> AlertsService::MakeReleaser(redis::AsyncClient& redis, Outbox& outbox,
                                                           AlertReleaseOptions options) const {
  if (!cipher_) return nullptr;
  return std::make_unique<AlertReleaser>(redis, outbox, *cipher_, conv_, std::move(options));
}

AlertDesk::AlertDesk(redis::AsyncClient& redis, const NumberCipher* cipher, const AlertConversation& conversation,
                     std::string prefix)
    : cipher_(cipher), conv_(conversation), reports_(redis, ReportStoreOptions{.prefix = prefix}) {
  if (cipher_ != nullptr) {
    subs_ = std::make_unique<SubscriberStore>(redis, *cipher_, SubscriberStoreOptions{.prefix = std::move(prefix)});
  }
}

void AlertDesk::Forget(std::string_view hash) {
  if (!subs_) return;
  subs_->Remove(hash, [this](Result<bool> r) {
    if (!r.ok()) ++counters_.redis_errors;
  });
}

bool AlertDesk::Take(const AlertInput& in, const engine::EngineReply& r,
                     std::function<void(std::optional<std::string>)> done) {
  const AlertCommand c = in.understood != nullptr ? conv_.Parse(in.text, in.understood->tokens) : conv_.Parse(in.text);
  if (c.kind == AlertCommandKind::kNone) return false;
  const engine::Understanding& u = *in.understood;
  const bool safety = engine::IsSafetyIntent(u.intent) || u.distress;
  const std::string lang = !r.language.empty() ? r.language : c.language;
  if (c.kind == AlertCommandKind::kReport) {
    if (safety) {
      // The engine's safety reply goes out as it is; the report is still kept.
      if (c.rest_tokens > 0) {
        Store({.region = ReportRegion(r), .language = lang, .text = ScrubReport(c.report_text)},
              [this](Result<alerts::Report> s) {
                if (!s.ok()) ++counters_.redis_errors;
              });
        ++counters_.report;
      }
      return false;
    }
    Report(in, c, r, std::move(done));
    return true;
  }
  if (safety || subs_ == nullptr) return false;
  switch (c.kind) {
    case AlertCommandKind::kSubscribe: {
      const std::string region = SubscriptionRegion(u, r);
      if (region.empty()) {
        if (c.rest_tokens > 3) return false;  // a sentence that starts with "alert": the engine's answer
        boost::asio::post(subs_->redis_context(),
                          [done = std::move(done), text = conv_.Text(lang, "need_region")] { done(text); });
        return true;
      }
      Subscription s{region, lang, std::string(in.provider), in.channel, std::string(in.our_number)};
      subs_->Request(in.hash, s, [this, lang, region, done = std::move(done)](Status st) {
        if (!st.ok()) {
          ++counters_.redis_errors;
          return done(std::nullopt);
        }
        ++counters_.subscribe;
        done(conv_.Text(lang, "ask_confirm", RegionName(region, lang)));
      });
      return true;
    }
    case AlertCommandKind::kConfirm:
      subs_->Confirm(in.hash, in.address, [this, done = std::move(done)](Result<std::optional<Subscription>> s) {
        if (!s.ok()) {
          ++counters_.redis_errors;
          return done(std::nullopt);
        }
        if (!s->has_value()) return done(std::nullopt);  // nothing pending: the engine's START reply
        ++counters_.confirm;
        const Subscription& sub = **s;
        done(conv_.Text(sub.language, "confirmed", RegionName(sub.region, sub.language)));
      });
      return true;
    case AlertCommandKind::kLeave:
      subs_->Remove(in.hash, [this, lang, done = std::move(done)](Result<bool> removed) {
        if (!removed.ok()) {
          ++counters_.redis_errors;
          return done(std::nullopt);
        }
        ++counters_.leave;
        done(conv_.Text(lang, *removed ? "left" : "not_subscribed"));
      });
      return true;
    default: return false;
  }
}

void AlertDesk::Report(const AlertInput&, const AlertCommand& c, const engine::EngineReply& r,
                       std::function<void(std::optional<std::string>)> done) {
  const std::string lang = !r.language.empty() ? r.language : c.language;
  const std::string safety_line = conv_.Text(lang, "report_safety");
  const std::string text = ScrubReport(c.report_text);
  if (text.empty()) {
    std::string reply = safety_line + "\n" + conv_.Text(lang, "report_empty");
    boost::asio::post(reports_.redis_context(), [done = std::move(done), reply = std::move(reply)] { done(reply); });
    return;
  }
  Store({.region = ReportRegion(r), .language = lang, .text = text},
        [this, lang, safety_line, done = std::move(done)](Result<alerts::Report> s) {
          if (!s.ok()) {
            ++counters_.redis_errors;
            // Not stored: say nothing false, keep the safety line.
            return done(safety_line);
          }
          ++counters_.report;
          done(safety_line + "\n" + conv_.Text(lang, "report_thanks"));
        });
}

}  // namespace helpline::daemon::alerts
