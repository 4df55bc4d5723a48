#pragma once
// SenderStore: per-sender state, dedupe and rate limit in Redis, one round
// trip (one EVALSHA) per inbound message, plus one for the outcome.
//
//   SenderStore store(redis, SenderStoreOptions{});
//   const std::string who = SenderHash(secret, "+16045550123");   // never store the number
//   store.Admit("twilio", msg_id, who, [&](Result<AdmitResult> a) {
//     if (!a.ok()) { AnswerWithoutMemory(); return; }             // Redis away: still answer
//     if (a->admission == Admission::kDuplicate) { Resend(a->previous_reply); return; }
//     Reply r = Engine(a->sender);
//     store.Commit("twilio", msg_id, who, r.changes, r.text, [](Status) {});
//   });
//
// Keys, all under the prefix P (default "hl:"):
//
//   P msg:{provider}:{message_id}  string, TTL dedupe_ttl_s. "" while the
//                                  first delivery is in flight (set by Admit),
//                                  "=" + reply once committed (the "=" tells a
//                                  committed empty reply from "in flight").
//   P rate:{sender_hash}           INCR counter, fixed window of
//                                  rate_limit_window_s from its first message.
//   P sender:{sender_hash}         hash: language, region, opted_out ("1"/"0"),
//                                  last_seen (unix seconds, Redis TIME); TTL
//                                  state_ttl_s, renewed by every Commit.
//
// Admit (one script, atomic): a known message id is kDuplicate (nothing
// counted); otherwise the id is marked in flight, the sender's window counter
// is incremented, and the message is kNew up to rate_limit_messages in the
// window, kRateLimitedNotice for the next one (send one polite notice) and
// kRateLimitedSilent after that. Every verdict carries the sender's record.
// Commit (one script, atomic) stores the reply and applies the changes only
// if the message is not yet committed: Commit is idempotent.
//
// Scripts run with EVALSHA; on NOSCRIPT (first use, or after Redis restarted
// or SCRIPT FLUSH) the same call is retried once with EVAL, which also caches
// the script. The keys of one call live on different hash slots: Redis
// Cluster is not supported (Sentinel is the HA story).
//
// Errors: Unavailable when Redis is unreachable, times out, or answers with a
// transient error (LOADING, BUSY, READONLY after a failover, OOM, MASTERDOWN,
// TRYAGAIN); InvalidArgument for an empty or oversized provider, message id
// or sender hash (outside input: never an abort); Internal for any other
// error reply or an unexpected reply shape (the message names it).
//
// Thread-safety: like its AsyncRedis, use from the loop thread only; the
// AsyncRedis must outlive the SenderStore. Callbacks run on that loop, never
// inside Admit() or Commit().

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "daemon/redis_async.h"

namespace helpline::daemon {

// The key for a sender: lowercase hex of HMAC-SHA256(secret, e164), first 32
// hex digits (128 bits: collisions are out of reach, keys stay short). The
// secret must stay the same across restarts and daemons, or remembered state
// is orphaned (and expires after state_ttl_s). Never store or log the number.
std::string SenderHash(std::string_view secret, std::string_view e164);

struct SenderRecord {
  std::string language;  // "" when unknown
  std::string region;    // "" when unknown, else ISO 3166-2 ("CA-BC")
  bool opted_out = false;
};

enum class Admission { kNew, kDuplicate, kRateLimitedNotice, kRateLimitedSilent };

struct AdmitResult {
  Admission admission = Admission::kNew;
  SenderRecord sender;
  // kDuplicate only: the reply stored by Commit, or "" while the first
  // delivery is in flight (previous_committed tells an empty committed reply
  // from that).
  std::string previous_reply;
  bool previous_committed = false;
};

// What a Commit changes; nullopt leaves a field as it is.
struct SenderChanges {
  std::optional<std::string> language = std::nullopt;
  std::optional<std::string> region = std::nullopt;
  std::optional<bool> opted_out = std::nullopt;
};

struct SenderStoreOptions {
  // Prefix of every key. Default "hl:".
  std::string prefix = "hl:";
  // How long a message id is remembered, seconds. Default 86400 (providers retry for hours).
  int dedupe_ttl_s = 86400;
  // Messages a sender may send per window before the notice. Default 10.
  int rate_limit_messages = 10;
  // The rate-limit window, seconds, counted from the window's first message. Default 60.
  int rate_limit_window_s = 60;
  // How long a sender's state lives after their last committed message, seconds. Default 31536000 (a year).
  int state_ttl_s = 31536000;
};

class SenderStore {
 public:
  SenderStore(AsyncRedis& redis, SenderStoreOptions options);

  // Decides what to do with an inbound message (see the header comment).
  // `provider` names the gateway ("twilio") and must not contain ':';
  // `message_id` is the provider's id (1..256 bytes); `sender_hash` is
  // SenderHash() (1..128 bytes).
  void Admit(std::string_view provider, std::string_view message_id, std::string_view sender_hash,
             std::function<void(Result<AdmitResult>)> done);

  // Records the reply for the message and applies `changes` to the sender,
  // renewing its TTL and last_seen. OK also when the message was already
  // committed (then nothing changes).
  void Commit(std::string_view provider, std::string_view message_id, std::string_view sender_hash,
              const SenderChanges& changes, std::string_view reply, std::function<void(Status)> done);

 private:
  struct Script {
    std::string source;
    std::string sha1;  // lowercase hex, as EVALSHA wants
  };

  Status CheckIds(std::string_view provider, std::string_view message_id, std::string_view sender_hash) const;
  // EVALSHA, falling back to EVAL once on NOSCRIPT. `args` = numkeys, keys..., argv...
  void Run(const std::shared_ptr<const Script>& script, std::vector<std::string> args, AsyncRedis::Callback done);

  AsyncRedis& redis_;
  SenderStoreOptions options_;
  // Shared with in-flight callbacks, which thus never need the SenderStore.
  std::shared_ptr<const Script> admit_;
  std::shared_ptr<const Script> commit_;
};

}  // namespace helpline::daemon
