#pragma once
// The operator commands of drug alerts and reports (called from cli.cc):
//
//   helpline alert send --region R [--text-en FILE] [--text-fr FILE] [--text-es FILE]
//                       [--id ID] [--dry-run] [--urgent] [--quiet-hours HH:MM-HH:MM|off] [--json]
//   helpline alert status ID [--json]
//   helpline alert cancel ID
//   helpline alert reseal
//   helpline reports [--since WHEN] [--region R] [--limit N] [--json]
//   (all take --redis URL, --prefix P, --data DIR like the other commands)
//
// `alert send` counts the confirmed subscribers of R (a state, province or
// territory; a country code means all of its regions) per region and
// language, then puts one member "{ID}:{sender hash}" per subscriber in the
// release queue P alert:due (alert_release.h), due now or, unless --urgent,
// when the region's quiet hours end (--quiet-hours, else
// HELPLINE_ALERTS_QUIET_HOURS, else 22:00-08:00, local time of the zone in
// data/engine/alert_time_zones.json). The daemons' releasers hand them to
// the outbox (paced per sender number and provider) with outbox ids
// "alert:{ID}:{sender hash}": their language's text (else English, else any
// given) plus the "reply LEAVE" footer in their language, through the
// provider and our number they subscribed on. A member already in the queue
// or already handed over is not added again, so a command run again with
// the same --id (after a crash, or by mistake) queues nothing twice; an
// alert already fully queued is reported and not queued again.
//
// Keys (prefix P):
//   P alert:send:{ID}            hash: state (queuing|queued|cancelled),
//                                region, created, urgent, quiet_hours,
//                                text:{en,fr,es}, queued, duplicates, held,
//                                unreadable, recipients, counts (JSON:
//                                region -> language -> n)
//   P alert:send:{ID}:to         set of the recipients' sender hashes
//   P alert:send:{ID}:cancelled  set of the hashes cancel stopped in time
//   P alert:due                  the release queue (alert_release.h)
//
// `alert status` counts each recipient as held (still in the release
// queue), or by its outbox marker: queued, sent, failed (dead-lettered) or
// expired (marker gone after dedupe_ttl_s, or the subscriber left before
// release); delivery reports are not joined to our ids yet. `alert cancel`
// takes held members out of the release queue and marks the outbox entries
// not yet sent so workers drop them (the outbox's "already sent" marker,
// which workers skip; the alert's cancelled set tells them apart).
//
// `alert reseal` re-seals every confirmed subscriber's number under the
// current key (HELPLINE_ALERTS_KEY) after a rotation, reading with the old
// ones (HELPLINE_ALERTS_OLD_KEYS); one compare-and-set per record, so a
// record changed meanwhile is left alone. Exit 1 when some number opens
// with no known key (counted, never printed).
//
// Never prints or logs a number or a report's sender (there is none).

#include <cstdint>
#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace helpline::daemon::alerts {

// The command line as cli.cc parsed it: "send"/"status"/"cancel" and the ID
// are positional (after the command); --name value options; --flags.
struct AlertsArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::set<std::string> flags;
  // The clock of `alert send` (quiet hours), unix seconds; 0: the system
  // clock. Tests set it.
  std::int64_t now_s = 0;
};

// `command` is "alert" or "reports". Exit codes as cli.h.
int RunAlertsCli(const std::string& command, const AlertsArgs& args, std::ostream& out, std::ostream& err,
                 bool err_is_terminal);

}  // namespace helpline::daemon::alerts
