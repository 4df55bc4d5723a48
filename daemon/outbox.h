#pragma once
// Outbox: the durable queue of replies to send through providers' REST APIs,
// in a Redis Stream shared by every daemon, so that no reply is lost and none
// is sent twice by us.
//
//   CurlMulti http(io);
//   Outbox outbox(redis, http, {{"twilio", &twilio_adapter}},
//                 OutboxOptions{.consumer = "host-a:4711:0"});
//   outbox.Start();                                       // workers on this loop
//   outbox.Enqueue(message, [](Status s) {
//     // OK: queued; AlreadyExists: this id was queued before (nothing added);
//     // Unavailable: Redis away (the caller decides: tell the provider to retry)
//   });
//
// Keys, all under the prefix P (default "hl:"):
//
//   P outbox            stream of messages to send; consumer group "senders".
//                       Fields: id provider channel to from text attempt
//                       (attempt = sends already tried and answered).
//   P outbox:id:{id}    marker, TTL dedupe_ttl_s: "q" queued, "p" sending
//                       (an attempt started, outcome not recorded yet), "s"
//                       sent, "d" dead-lettered. Makes Enqueue idempotent
//                       and lets workers skip an id already sent.
//   P outbox:retry      ZSET: message id -> due time (Redis TIME, unix ms).
//   P outbox:retry:{id} hash: the message's fields while it waits for a retry
//                       (TTL dedupe_ttl_s as a safety net).
//   P outbox:dead       dead-letter stream (MAXLEN ~ dead_max_len): the
//                       message's fields plus reason and attempts, kept for
//                       an operator to inspect or replay. It holds recipients
//                       and texts, so entries older than dead_letter_ttl_s
//                       are dropped (XTRIM MINID, exact: at each dead letter
//                       and each claim, so at most claim_interval_ms late).
//   P delivery:{provider}:{provider message id}
//                       hash, TTL dedupe_ttl_s: the latest delivery report of
//                       a message we sent (RecordDelivery), for operators.
//   P outbox:report:{id}
//                       hash, TTL dedupe_ttl_s: the latest delivery report
//                       joined to our outbound id (reports that carry it: a
//                       Twilio per-send StatusCallback, a Vonage client-ref):
//                       provider, provider_message_id, state, error_code, at.
//                       Read with ReadReport().
//
// Life of a message (each step one Lua script, so atomic):
//
//   Enqueue   SET marker "q" NX EX ttl; only if it was new, XADD the entry.
//   Fetch     move due retries (ZSET -> hash -> XADD, DEL, ZREM), then
//             XREADGROUP ">" (or, every claim_interval_ms, XAUTOCLAIM entries
//             idle longer than claim_idle_ms: a dead daemon's pending
//             entries); entries whose marker is "s" are XACKed and XDELed
//             there, never returned; so are entries marked "p" that have a
//             delivery report joined to their id (P outbox:report:{id}: the
//             provider took the message; marker set to "s"). Other "p"
//             entries are returned flagged uncertain and sent again.
//   Sending   SET marker "p" unless it is "s" or "d" (then the entry is
//             dropped), before the HTTP call leaves.
//   Send      adapter.BuildSend -> CurlMulti -> adapter.ClassifySend.
//   kSent     SET marker "s" EX ttl, XACK, XDEL: the entry (recipient, text)
//             is gone from Redis.
//   kRetry    XACK + XDEL and, if the XACK removed it (we own the outcome)
//             and the id is not marked sent, HSET the fields with
//             attempt + 1 and ZADD the due time: now + a full-jitter backoff
//             (random in [0, min(cap, base * 2^attempt)]), or the provider's
//             Retry-After when larger. At max_attempts: dead letter instead.
//             The marker goes back to "q" when the provider answered (it
//             refused: not sent) and stays "p" after a transport failure (a
//             timeout may have been accepted: a report decides at the retry).
//   kFail     XACK + XDEL, and if we owned it XADD to the dead stream, marker "d".
//
// Why retries leave the stream. Only entries being sent sit in the pending
// list (PEL), so "pending longer than claim_idle_ms" always means "its
// consumer died mid-send", whatever the backoff; a retry waiting for minutes
// is never reclaimed, and never held in one daemon's memory. Attempts and due
// times live in Redis and survive any crash. The ZSET member is the message
// id, so two copies can never wait at once.
//
// Exactly once, and its limits. XACK is the arbiter: the first outcome script
// to XACK an entry decides (retry and dead letter act only if their XACK
// removed it; a success always sets "s", which then wins over any later copy).
// What is left is at-least-once with a narrow window: a daemon that dies (or
// is Stop()ped, or loses Redis for longer than claim_idle_ms) after the
// provider accepted a message but before its success script ran leaves the
// entry pending; another daemon reclaims it after claim_idle_ms and sends it
// again. The message id never changes across retries and reclaims, so an
// adapter that passes it as the provider's idempotency key (Telnyx's
// Idempotency-Key) turns that resend into a no-op. For providers without one
// (Twilio, Vonage) the "p" marker narrows it further: the entry was marked
// before its request left, so whoever reclaims it knows it may be at the
// provider, and a delivery report joined to its id since (a Twilio per-send
// StatusCallback carrying the id, a Vonage client-ref) proves it was taken:
// it is marked sent instead of being sent again (stats confirmed). Only a
// send whose report has not arrived within claim_idle_ms is sent again not
// knowing (stats uncertain): that is the window left. A success script that fails (Redis away)
// is retried by this daemon with backoff until it lands or Stop(). A message
// that crashes the daemon every time is reclaimed forever (no poison-pill
// counter yet). Redis itself must persist (AOF) for the queue to survive a
// Redis restart; a FLUSHALL loses it. Redis Cluster is not supported (the
// scripts build marker keys from the prefix).
//
// Concurrency. Each Outbox runs on one loop: at most max_in_flight entries
// held at once (fetched, not yet resolved), fetched in batches of up to
// `batch` (refilled once half of that room is free), sent concurrently
// through CurlMulti. Several Outboxes (loops, daemons) share the
// stream through the group; give each a unique consumer name
// ("hostname:pid:loop"). Polling: an empty read waits poll_interval_ms (a
// local Enqueue wakes the worker at once); a full batch reads again at once.
// Redis down: fetches back off (doubling to redis_backoff_max_ms) and resume.
//
// Privacy: entries hold the recipient and the text (unavoidable to send);
// they are deleted when sent or dead-lettered. Logs carry message ids and
// reasons only.
//
// Thread-safety: none; create, use and destroy an Outbox on the thread that
// runs the redis::AsyncClient's io_context (the CurlMulti must run on the same one).
// The redis::AsyncClient, the CurlMulti, the adapters and the Metrics (if any) must
// outlive the Outbox. Callbacks run on that loop, never inside Enqueue().

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "gateway/outbound.h"
#include "gateway/provider.h"

namespace helpline::redis {
class AsyncClient;
}  // namespace helpline::redis

namespace helpline::daemon {

class CurlMulti;
class Metrics;

struct OutboxOptions {
  // Prefix of every key. Default "hl:".
  std::string prefix = "hl:";
  // This worker's consumer name in the group, unique among live workers:
  // "hostname:pid:loop". Required for Start() (not for Enqueue()).
  std::string consumer;
  // Entries held at once (being sent or having their outcome recorded). Default 64.
  int max_in_flight = 64;
  // Entries fetched per read, at most. Default 64.
  int batch = 64;
  // Wait after a read found nothing, ms. Also the granularity of retry due
  // times. Default 100.
  int poll_interval_ms = 100;
  // Timeout of one HTTP send, ms. Must be below claim_idle_ms. Default 10000.
  int send_timeout_ms = 10000;
  // Entries pending this long in another (dead) consumer are reclaimed, ms.
  // Default 60000.
  int claim_idle_ms = 60000;
  // How often to look for such entries, ms. Default 5000.
  int claim_interval_ms = 5000;
  // Sends per message before it is dead-lettered. Default 8.
  int max_attempts = 8;
  // Retry backoff: full jitter, random in [0, min(cap, base * 2^(attempt-1))]
  // ms; a larger Retry-After wins. Defaults 1000 and 300000.
  int backoff_base_ms = 1000;
  int backoff_cap_ms = 300000;
  // How long message ids are remembered (enqueue dedupe, sent markers), s.
  // Default 86400 (providers retry webhooks for hours).
  int dedupe_ttl_s = 86400;
  // Approximate bound of the dead-letter stream. Default 10000.
  int dead_max_len = 10000;
  // Dead letters older than this are removed, s. Default 259200 (3 days).
  int dead_letter_ttl_s = 259200;
  // Backoff of the worker while Redis fails, ms: doubles from
  // redis_backoff_min_ms up to redis_backoff_max_ms. Defaults 50, 2000.
  int redis_backoff_min_ms = 50;
  int redis_backoff_max_ms = 2000;
  // Counts events into /metrics when set.
  Metrics* metrics = nullptr;
  // One stderr line per retry and dead letter (ids and reasons only), at most
  // 20 of each a minute per worker; the next line written says how many were
  // held back (held_back=N). Default true.
  bool log = true;
};

// Counters since construction (this Outbox only).
struct OutboxStats {
  std::uint64_t queued = 0;      // Enqueue() added an entry
  std::uint64_t duplicates = 0;  // Enqueue() found the id already queued
  std::uint64_t sent = 0;        // the provider accepted (kSent)
  std::uint64_t retried = 0;     // scheduled for another attempt
  std::uint64_t dead = 0;        // dead-lettered (kFail, max attempts, no adapter, bad message)
  std::uint64_t skipped = 0;     // fetched but already marked sent: acked without sending
  std::uint64_t reclaimed = 0;   // taken over from another consumer (XAUTOCLAIM)
  std::uint64_t confirmed = 0;   // marked "sending", never recorded, but a delivery report proves it was taken
  std::uint64_t uncertain = 0;   // marked "sending", never recorded, no report: sent again (maybe twice)
  std::uint64_t redis_errors = 0;
  // Failed sends by class: transport, http_429, http_5xx, http_4xx, other.
  std::uint64_t failed_transport = 0;
  std::uint64_t failed_429 = 0;
  std::uint64_t failed_5xx = 0;
  std::uint64_t failed_4xx = 0;
  std::uint64_t failed_other = 0;
};

// A delivery report joined to our outbound id (ReadReport).
struct OutboundReport {
  std::string provider;             // "twilio"
  std::string provider_message_id;  // "SM..."
  std::string state;                // normalized: "sent", "delivered", "failed", ...
  std::string error_code;           // the provider's, or ""
  long long at = 0;                 // when it arrived, unix s
};

class Outbox {
 public:
  // provider name ("twilio") -> its adapter (not owned).
  using Adapters = std::map<std::string, const gateway::OutboundAdapter*, std::less<>>;

  Outbox(redis::AsyncClient& redis, CurlMulti& http, Adapters adapters, OutboxOptions options);
  // Stop().
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Queues `message` unless its id was queued within dedupe_ttl_s.
  // OK when added; AlreadyExists when the id is known (nothing added);
  // InvalidArgument for an empty or oversized (> 256 bytes) id, or a provider
  // without an adapter; Unavailable when Redis is unreachable or answers a
  // transient error (the entry may or may not have been added: enqueueing
  // again is safe); Internal for other error replies.
  void Enqueue(const gateway::OutboundMessage& message, std::function<void(Status)> done);

  // Keeps the latest delivery report of a message sent through a provider,
  // for operators: P delivery:{provider}:{provider message id}, a hash of
  // state, error_code, client_ref and at (unix s), with TTL dedupe_ttl_s.
  // Pipelined, nobody waits; `on_error` runs for each of its two commands
  // that Redis refuses or cannot take. A report without an id or with one
  // over 256 bytes is not kept.
  // When the report carries our outbound id (client_ref, 1-256 bytes), it is
  // also kept under that id: P outbox:report:{id} (see ReadReport).
  void RecordDelivery(const gateway::DeliveryStatus& status, std::function<void(Status)> on_error);

  // The latest delivery report joined to outbound id `id` (P outbox:report:{id}).
  // NotFound when none arrived (or it expired); Unavailable when Redis is
  // away; Internal for an error reply. `done` runs on the loop.
  void ReadReport(const std::string& id, std::function<void(Result<OutboundReport>)> done);

  // Starts the workers: fetch, send, record outcomes, reclaim. No-op when
  // started. Aborts if options.consumer is empty.
  void Start();
  // Stops fetching and lets what is in flight finish: sends already started
  // complete and their outcomes are recorded (sent, retry, dead letter), and
  // entries already fetched are sent. Then the workers stop (as by Stop())
  // and `done` runs on the loop. Entries not fetched stay in the stream for
  // another worker or the next start. The caller bounds the wait: a Stop()
  // before `done` abandons the rest as Stop() says (and `done` never runs).
  // When not started, `done` runs at once (posted). Enqueue() keeps working.
  void Drain(std::function<void()> done);
  // Stops fetching and abandons what is in flight: sends may complete at the
  // provider, but no outcome is recorded, so their entries stay pending and
  // are reclaimed (after claim_idle_ms) by any worker; nothing is lost.
  // Enqueue() keeps working. Idempotent.
  void Stop();

  OutboxStats stats() const;
  // Entries held now (fetched, not yet resolved).
  int in_flight() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with callbacks through weak_ptr
};

}  // namespace helpline::daemon
