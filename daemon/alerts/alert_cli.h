#pragma once
// The operator commands of drug alerts and reports (called from cli.cc):
//
//   helpline alert send --region R [--text-en FILE] [--text-fr FILE] [--text-es FILE]
//                       [--id ID] [--dry-run] [--urgent] [--json]
//   helpline alert status ID [--json]
//   helpline alert cancel ID
//   helpline reports [--since WHEN] [--region R] [--limit N] [--json]
//   (all take --redis URL, --prefix P, --data DIR like the other commands)
//
// `alert send` counts the confirmed subscribers of R (a state, province or
// territory; a country code means all of its regions) per region and
// language, then queues one message per subscriber in the durable outbox
// (daemon/outbox.h): their language's text (else English, else any given),
// plus the "reply LEAVE" footer in their language, through the provider and our number they
// subscribed on; the daemon's outbox workers send them. Outbox ids are
// "alert:{ID}:{sender hash}", so a command run again with the same --id
// (after a crash, or by mistake) queues nothing twice; an alert already
// fully queued is reported and not queued again.
//
// Keys (prefix P):
//   P alert:send:{ID}            hash: state (queuing|queued|cancelled),
//                                region, created, urgent, queued,
//                                duplicates, no_text, unreadable, counts
//                                (JSON: region -> language -> n)
//   P alert:send:{ID}:to         set of the recipients' sender hashes
//   P alert:send:{ID}:cancelled  set of the hashes cancel stopped in time
//
// `alert status` reads each recipient's outbox marker: queued, sent, failed
// (dead-lettered) or expired (marker gone after dedupe_ttl_s); delivery
// reports are not joined to our ids yet. `alert cancel` marks the entries
// not yet sent so workers drop them (the outbox's "already sent" marker,
// which workers skip; the alert's cancelled set tells them apart).
// Quiet hours and per-provider throughput caps are not built: every alert
// is queued at once (--urgent is recorded only).
//
// Never prints or logs a number or a report's sender (there is none).

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
};

// `command` is "alert" or "reports". Exit codes as cli.h.
int RunAlertsCli(const std::string& command, const AlertsArgs& args, std::ostream& out, std::ostream& err,
                 bool err_is_terminal);

}  // namespace helpline::daemon::alerts
