#pragma once
// AlertDesk: the alerts conversation on the webhook path, one per loop. The
// daemon has already run the engine (risk detector first) and admitted the
// message; the desk decides whether the message is an alerts command and
// answers it, or leaves the engine's reply alone.
//
//   // in the webhook flow, after Admit (kNew) and the engine's reply r:
//   if (desk.Take(input, r, [&](std::optional<std::string> text) { ... })) return;  // the desk answers
//   if (understood.intent == Intent::kStop) desk.Forget(hash);                       // STOP: no more alerts
//
// Rules (data/engine/alerts.json has the words and replies):
//   - A message with a safety signal (overdose, suicide, distress) keeps the
//     engine's reply, whatever else it says; a report in it is still stored.
//   - ALERTS / JOIN [region]: a pending subscription (no number kept) for the
//     stated region, else the one we know (remembered, provider hint, area
//     code), else a question for the region. Reply: which region, YES to
//     confirm, how to change or stop.
//   - YES / SI / OUI with a pending subscription: confirmed (the number is
//     sealed and kept); without one, the engine's START reply.
//   - LEAVE / SALIR / QUITTER: subscription removed.
//   - REPORT / BAD BATCH / ... + text: stored anonymously (ReportStore); the
//     reply starts with the overdose safety line, then thanks.
//   - Without an alerts key (HELPLINE_ALERTS_KEY), subscriptions are off
//     (JOIN gets the engine's reply); reports still work.
// `done(nullopt)` means "send the engine's reply"; the desk never fails a
// webhook: when Redis fails it falls back to the engine's reply and counts.
//
// Thread-safety: loop thread only (like its redis::AsyncClient).

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/alerts/alert_api.h"
#include "daemon/alerts/alert_conversation.h"
#include "daemon/alerts/alert_release.h"
#include "daemon/alerts/number_cipher.h"
#include "daemon/alerts/quiet_hours.h"
#include "daemon/alerts/report_forward.h"
#include "daemon/alerts/report_store.h"
#include "daemon/alerts/subscriber_store.h"
#include "daemon/engine/message_engine.h"
#include "daemon/outbox.h"

namespace helpline::daemon::alerts {

struct AlertInput {
  std::string_view text;
  std::string_view hash;     // SenderHash
  std::string_view address;  // the sender's number or chat id: sealed on YES only
  std::string_view provider;
  gateway::MessageChannel channel = gateway::MessageChannel::kSms;
  std::string_view our_number;  // the number (or bot) they wrote to
  const engine::Understanding* understood = nullptr;
};

struct AlertDeskCounters {
  std::uint64_t subscribe = 0, confirm = 0, leave = 0, report = 0, redis_errors = 0;
  std::uint64_t forward_errors = 0;  // reports stored but not queued for forwarding
};

class AlertDesk {
 public:
  // `cipher` null: subscriptions off. `conversation` and `cipher` outlive the desk.
  AlertDesk(redis::AsyncClient& redis, const NumberCipher* cipher, const AlertConversation& conversation,
            std::string prefix);

  // True when the desk answers (done runs later, on the loop, exactly once);
  // false when the message is not for it (done never runs).
  bool Take(const AlertInput& in, const engine::EngineReply& engine_reply,
            std::function<void(std::optional<std::string> text)> done);
  // STOP: removes any subscription (pipelined; errors counted).
  void Forget(std::string_view hash);
  // Each report stored from now on is also queued in `outbox` for
  // reports_forward_url (report_forward.h); null: not forwarded. The outbox
  // outlives the desk (or is unset first).
  void ForwardReportsTo(Outbox* outbox);

  const AlertDeskCounters& counters() const { return counters_; }

 private:
  void Report(const AlertInput& in, const AlertCommand& c, const engine::EngineReply& r,
              std::function<void(std::optional<std::string>)> done);
  // Adds the report and, when forwarding, queues it for the endpoint.
  void Store(alerts::Report report, std::function<void(Result<alerts::Report>)> done);

  const NumberCipher* cipher_;
  const AlertConversation& conv_;
  std::unique_ptr<SubscriberStore> subs_;
  ReportStore reports_;
  Outbox* forward_ = nullptr;
  AlertDeskCounters counters_;
};

// What every loop's desk shares: the cipher (from the environment) and the
// conversation (data_dir/engine/alerts.json). Made once at start.
class AlertsService {
 public:
  // Null (with one stderr line) when alerts.json cannot be loaded; without
  // HELPLINE_ALERTS_KEY, or with a malformed one, subscriptions are off (one
  // stderr line, never the key) and reports still work.
  // `forward`: reports_forward_url and its secret (url "" = reports not forwarded).
  static std::unique_ptr<AlertsService> Start(const std::string& data_dir, ReportForwardConfig forward = {});
  std::unique_ptr<AlertDesk> MakeDesk(redis::AsyncClient& redis, const std::string& prefix) const;
  // The releaser of held alerts (alert_release.h) for a loop; null when
  // subscriptions are off (no key to open numbers with).
  std::unique_ptr<AlertReleaser> MakeReleaser(redis::AsyncClient& redis, Outbox& outbox,
                                              AlertReleaseOptions options) const;
  // The /v1 alert routes (alert_api.h) for a loop: status and reports
  // always; sending only with subscriptions on. Quiet hours from
  // HELPLINE_ALERTS_QUIET_HOURS (else 22:00-08:00) and data/engine/alert_time_zones.json,
  // read once at Start.
  std::unique_ptr<AlertApi> MakeApi(redis::AsyncClient& redis, const std::string& prefix) const;
  bool subscriptions_on() const { return cipher_.has_value(); }
  // Reports are forwarded (reports_forward_url set): the outbox must run.
  bool forwards_reports() const { return forwarder_ != nullptr; }
  // Adds the report forwarder to the outbox's adapters when forwarding.
  void AddAdapters(Outbox::Adapters& adapters) const;

 private:
  AlertsService(AlertConversation conv, std::optional<NumberCipher> cipher)
      : conv_(std::move(conv)), cipher_(std::move(cipher)) {}
  AlertConversation conv_;
  std::optional<NumberCipher> cipher_;
  QuietHours quiet_;
  std::optional<RegionTimeZones> zones_;        // none: the API sends only urgent alerts
  std::unique_ptr<ReportForwarder> forwarder_;  // null: reports not forwarded
};

// The region a subscription without a stated one gets: the engine's region
// when it came from the message, memory, a provider hint or the area code
// and is a state, province or territory; else "" (ask).
std::string SubscriptionRegion(const engine::Understanding& u, const engine::EngineReply& r);

}  // namespace helpline::daemon::alerts
