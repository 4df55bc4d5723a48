#pragma once
// Sending a drug alert and reading its status: the one code path of
// `helpline alert send|status` (alert_cli.cc) and of POST /v1/alerts and
// GET /v1/alerts/{id} (alert_api.cc).
//
//   AlertSendRequest req{.id = "bc1", .region = "CA-BC", .texts = {{"en", "Grey pills: fentanyl"}}};
//   req.quiet = *QuietHoursFrom("");   // else HELPLINE_ALERTS_QUIET_HOURS, else 22:00-08:00
//   req.zones = &zones;                // RegionTimeZones, needed unless urgent or quiet hours are off
//   req.now_s = std::time(nullptr);
//   SendAlert(redis, cipher, "hl:", std::move(req), {}, [](Result<AlertSendResult> r) { ... });
//   ReadAlertStatus(redis, "hl:", "bc1", [](Result<std::optional<AlertStatus>> s) { ... });
//
// SendAlert counts the confirmed subscribers of the region (a state,
// province or territory; a country code means each of its regions with
// subscribers) per region and language, then puts one member
// "{id}:{sender hash}" per subscriber in the release queue P alert:due
// (alert_release.h), due now or, unless urgent, when the region's quiet
// hours end. A dry run only counts: it writes nothing. The alert's record
// is created first (state queuing) and marked queued at the end, so:
//   - an id already queued is not queued again (outcome kAlreadyQueued,
//     with the counts recorded then);
//   - an id still "queuing" (a crashed or concurrent send) is resumed: a
//     member already in the queue or already handed to the outbox is not
//     added again (`duplicates`);
//   - an id of another region is AlreadyExists, a cancelled one
//     FailedPrecondition.
// Other errors: Unavailable (Redis), FailedPrecondition (a region with no
// time zone for quiet hours), Internal (an unexpected reply).
//
// Keys (prefix P): P alert:send:{id} (hash: state, region, created, urgent,
// quiet_hours, text:{lang}, queued, duplicates, held, unreadable,
// recipients, counts), P alert:send:{id}:to (recipients' hashes),
// P alert:send:{id}:cancelled, P alert:due; see alert_cli.h.
//
// Never logs or returns a number: subscribers' numbers are opened only to
// skip records no key opens (`unreadable`).
//
// Thread-safety: the functions run on `redis`'s loop (call them there);
// callbacks run on it, never inside the call. The client and the cipher
// must outlive the callback.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/alerts/number_cipher.h"
#include "daemon/alerts/quiet_hours.h"
#include "redis/async_client.h"

namespace helpline::daemon::alerts {

// An alert's text may take this many bytes (it must fit a few SMS with the
// "reply LEAVE" footer).
inline constexpr std::size_t kMaxAlertTextBytes = 640;
// The languages an alert may carry a text in.
inline constexpr std::string_view kAlertLanguages[] = {"en", "fr", "es"};

// 1-64 of A-Z a-z 0-9 - _.
bool ValidAlertId(std::string_view id);
// A fresh id: "a{unix seconds}-{6 random hex}".
std::string NewAlertId(std::int64_t now_s);
// InvalidArgument unless `region` is a known state, province, territory or
// country (not "*").
Status CheckAlertRegion(std::string_view region);
// InvalidArgument (saying why, never echoing the text) for an empty text,
// one longer than kMaxAlertTextBytes, one that is not UTF-8 or one with
// control characters (newline, carriage return and tab aside).
Status CheckAlertText(std::string_view text);
// `spec` ("HH:MM-HH:MM" or "off"); "" means HELPLINE_ALERTS_QUIET_HOURS,
// else "22:00-08:00". InvalidArgument for a bad spec.
Result<QuietHours> QuietHoursFrom(std::string_view spec);

struct AlertSendRequest {
  std::string id;                            // ValidAlertId
  std::string region;                        // CheckAlertRegion
  std::map<std::string, std::string> texts;  // language -> text (CheckAlertText); may be empty for a dry run
  bool dry_run = false;                      // count only, write nothing
  bool urgent = false;                       // no quiet hours
  QuietHours quiet;
  // The regions' zones; needed unless urgent or quiet.off (FailedPrecondition
  // otherwise). Must outlive the call.
  const RegionTimeZones* zones = nullptr;
  std::int64_t now_s = 0;  // unix seconds
  int page = 1000;         // subscribers per SSCAN page
};

enum class AlertSendOutcome {
  kQueued,                 // recipients put in the release queue (or resumed)
  kDryRun,                 // counted only
  kAlreadyQueued,          // the id was queued before: nothing queued again
  kCancelledWhileQueuing,  // `alert cancel` ran during the send: stopped there
};

// Region -> language -> recipients.
using AlertCounts = std::map<std::string, std::map<std::string, long>>;

struct AlertSendResult {
  AlertSendOutcome outcome = AlertSendOutcome::kQueued;
  std::string id;
  std::string region;
  bool resumed = false;  // the record was still "queuing"
  long recipients = 0, queued = 0, duplicates = 0, held = 0, unreadable = 0;
  AlertCounts counts;  // for kAlreadyQueued: as recorded by the first send
  double seconds = 0;
};

struct AlertSendHooks {
  // A region's messages are held for quiet hours until `due_s` (not for a dry run).
  std::function<void(const std::string& region, std::int64_t due_s)> held_until = nullptr;
  // After each page: recipients put in the queue (or found there) so far, and seen so far.
  std::function<void(long done, long seen)> progress = nullptr;
};

void SendAlert(redis::AsyncClient& redis, const NumberCipher& cipher, std::string prefix, AlertSendRequest request,
               AlertSendHooks hooks, std::function<void(Result<AlertSendResult>)> done);

// {"CA-BC":{"en":2,"fr":1}} (regions and languages sorted).
std::string AlertCountsJson(const AlertCounts& counts);
// {"en":2,"fr":1}: the counts summed over regions.
std::string AlertLanguagesJson(const AlertCounts& counts);

// What `alert status` shows. Each recipient is counted once, where it is:
// held (still in the release queue); queued (in the outbox, waiting or
// being sent); sent (the provider accepted it, no final delivery report:
// not yet, or a provider that sends none); delivered or undelivered (the
// provider's delivery report joined to the send's outbound id,
// P outbox:report:alert:{id}:{hash}: "delivered", or "failed"/"undelivered");
// failed (the outbox gave up: dead-lettered); expired (marker gone after
// dedupe_ttl_s, or the subscriber left before release). cancelled: those
// `alert cancel` stopped (not counted as sent).
// Read with one script per page of 1000 recipients (10,000 recipients:
// see docs/BENCHMARKS.md, "alert status").
struct AlertStatus {
  std::string id, state, region;  // state: queuing | queued | cancelled
  std::int64_t created = 0;       // unix seconds
  long held = 0, queued = 0, sent = 0, delivered = 0, undelivered = 0, failed = 0, cancelled = 0, expired = 0;
  AlertCounts counts;  // as recorded by the send
};

// nullopt for an unknown id; Unavailable / Internal as SendAlert.
void ReadAlertStatus(redis::AsyncClient& redis, std::string prefix, std::string id,
                     std::function<void(Result<std::optional<AlertStatus>>)> done);

// {"id","state","region","created","queued","sent","held","failed","cancelled","expired",
//  "delivered","undelivered","counts"}: `helpline alert status --json` and GET /v1/alerts/{id}.
std::string AlertStatusJson(const AlertStatus& status);

// Cancelling an alert: `helpline alert cancel ID` and POST /v1/alerts/{id}/cancel.
// Takes the alert's held members out of the release queue and marks its
// outbox entries not yet sent as done (the outbox's "s" marker, which
// workers skip; the alert's cancelled set tells them apart), and sets the
// record's state to cancelled. `stopped`: messages that will not go.
// NotFound for an unknown id; FailedPrecondition when it was cancelled
// before, or when it is finished (queued, and nothing held or in the outbox
// left to stop); Unavailable / Internal as SendAlert.
struct AlertCancelResult {
  long stopped = 0;
};
void CancelAlert(redis::AsyncClient& redis, std::string prefix, std::string id,
                 std::function<void(Result<AlertCancelResult>)> done);

}  // namespace helpline::daemon::alerts
