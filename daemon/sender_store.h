#pragma once
// SenderStore: per-sender state, dedupe and rate limit in Redis, in one
// round trip (one EVALSHA) per inbound message.
//
//   SenderStore store(redis, SenderStoreOptions{});
//   const std::string who = SenderHash(secret, "+16045550123");   // never store the number
//   Understanding u = engine.Understand(msg);                      // what the text asks to change
//   store.Admit("twilio", msg_id, who, u.changes, u.always_honoured(), [&](Result<AdmitResult> a) {
//     if (!a.ok()) { AnswerWithoutMemory(); return; }             // Redis away: still answer
//     if (a->admission == Admission::kDuplicate && a->previous_committed) { Resend(a->previous_reply); return; }
//     Reply r = engine.Answer(msg, u, a->sender);                  // the state before this message
//     Respond(r);
//     store.StoreReply("twilio", msg_id, r.text, [](Status) {});   // pipelined; nobody waits
//   });
//
// Keys, all under the prefix P (default "hl:"):
//
//   P msg:{provider}:{message_id}  string, TTL dedupe_ttl_s. While the first
//                                  delivery is being answered: "~" + its
//                                  verdict and the sender's state before it;
//                                  once its reply is stored: "=" + reply.
//   P concat:{provider}:{sender_hash}:{ref}
//                                  hash part number -> text of a concatenated
//                                  SMS still arriving; TTL concat_ttl_s.
//   P sender:{sender_hash}         the sender's state: language, region,
//                                  opted_out ("1"/"0"), last_seen (unix
//                                  seconds), and the rate window:
//                                  rate_start (unix seconds), rate_count
//                                  (messages in it); TTL state_ttl_s. In one
//                                  of two layouts (SenderStateLayout):
//                                  a hash of those fields, the TTL renewed
//                                  by the first message of each day (at most
//                                  one EXPIRE a day); or a string, the six
//                                  values separated by \x1f (language,
//                                  region, opted_out, rate_start, rate_count,
//                                  last_seen), the TTL renewed the same way
//                                  (one GET and one SET, with EX by the
//                                  first message of a day, else KEEPTTL:
//                                  fewer Redis instructions per message).
//                                  Admit reads either layout, whichever the
//                                  key holds, and writes the one its options
//                                  name (converting the key); see
//                                  SenderStateLayout for rolling it out.

// Admit (one script, atomic): a known message id is kDuplicate and changes
// nothing. Otherwise the sender's window counter is incremented (a fixed
// window of rate_limit_window_s from its first message, on the daemons'
// clocks: NTP-synchronised hosts; see now_s), the message
// is kNew up to rate_limit_messages in the window, kRateLimitedNotice for the
// next one (send one polite notice) and kRateLimitedSilent after that; the
// message's changes are applied when it is kNew (or always, for STOP and
// START); and the id is marked in flight. The verdict carries the sender's
// record as it was before the message, which is what the reply is composed
// from. Because the changes are applied in the same script that reads the
// state, a sender's next message sees them whichever daemon, loop or
// connection it arrives on: STOP then anything is always "opted out".
//
// A redelivery (a provider's retry) gets the stored reply; if it comes while
// the first delivery is still being answered, it gets the first delivery's
// verdict and prior state, from which the same engine composes the same reply.
//
// Scripts run with EVALSHA; on NOSCRIPT (first use, or after Redis restarted
// or SCRIPT FLUSH) the same call is retried once with EVAL (redis::Script). The
// keys of one call live on different hash slots: Redis Cluster is not
// supported (Sentinel is the HA story).
//
// Errors: Unavailable when Redis is unreachable, times out, or answers with a
// transient error (LOADING, BUSY, READONLY after a failover, OOM, MASTERDOWN,
// TRYAGAIN); InvalidArgument for an empty or oversized provider, message id
// or sender hash (outside input: never an abort); Internal for any other
// error reply or an unexpected reply shape (the message names it).
//
// Thread-safety: like its redis::AsyncClient, use from the loop thread only; the
// redis::AsyncClient must outlive the SenderStore. Callbacks run on that loop, never
// inside Admit() or StoreReply().

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/status.h"
#include "daemon/engine/message_engine.h"
#include "redis/async_client.h"
#include "redis/script.h"

namespace helpline::daemon {

// The key for a sender: lowercase hex of HMAC-SHA256(secret, e164), first 32
// hex digits (128 bits: collisions are out of reach, keys stay short). The
// secret must stay the same across restarts and daemons, or remembered state
// is orphaned (and expires after state_ttl_s). Never store or log the number.
std::string SenderHash(std::string_view secret, std::string_view e164);
// The same with the secret's HMAC-SHA256 key made ready once (what
// WebhookFlow keeps: one digest state copy per message, no key lookup).
std::string SenderHash(const HmacKey& secret_key, std::string_view e164);

enum class Admission { kNew, kDuplicate, kRateLimitedNotice, kRateLimitedSilent };

struct AdmitResult {
  Admission admission = Admission::kNew;
  engine::SenderState sender;
  // kDuplicate only: the reply stored by StoreReply, or "" while the first
  // delivery is in flight (previous_committed tells an empty stored reply
  // from that). In flight, `sender` and `first_admission` are the first
  // delivery's: answer exactly as it was answered.
  std::string previous_reply;
  bool previous_committed = false;
  // The verdict of the message's first delivery (for kNew and the rate-limit
  // verdicts, the same as `admission`).
  Admission first_admission = Admission::kNew;
};

// How the sender's state is written (it is read in either layout, always):
// kHash, the fields of a hash, as every build before this one wrote and
// read it; kString, one string per sender (GET and SET instead of HMGET,
// HSET and a daily EXPIRE). A build older than this one cannot read the
// string: it fails the sender's Admit (WRONGTYPE), so their reply comes
// without their state (an opt-out forgotten) and their STOP is refused.
// Rolling out: every daemon on a build that reads both first, then
// sender_state_layout = string (SIGHUP applies it). Rolling back below that
// build: set hash first; each sender's next message rewrites their key as a
// hash, and a string key nobody has written since stays a string until it
// expires (state_ttl_s), so roll back below it only once none is left
// (redis-cli --scan --pattern 'hl:sender:*' with TYPE tells).
enum class SenderStateLayout { kHash, kString };

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
  // How long the parts of an incomplete concatenated SMS are kept, seconds. Default 3600.
  int concat_ttl_s = 3600;
  // The layout Admit writes the sender's state in (it reads both). Default kHash.
  SenderStateLayout state_layout = SenderStateLayout::kHash;
  // With Redis replicas (Sentinel): a STOP, START or language change is
  // confirmed only once this many replicas have it (WAIT after the Admit
  // script, on the same connection). Replication is asynchronous: a change
  // acknowledged by a primary that is failed over a moment later is lost
  // with it, and the person was told it took. When fewer replicas confirm
  // within wait_timeout_ms, or the connection changed in between, Admit
  // fails Unavailable, so the change is answered 503 and the provider
  // delivers it again (to the new primary). Default 0: no WAIT (one node).
  int wait_replicas = 0;
  int wait_timeout_ms = 500;  // below the client's command timeout (WAIT holds the connection)
  // The clock of last_seen and the rate window, unix seconds. Default (empty):
  // the system clock. Tests inject one to move through windows without waiting.
  std::function<std::int64_t()> now_s = nullptr;
};

class SenderStore {
 public:
  // The longest provider message id (and concatenation reference) the store
  // keeps; longer ones are InvalidArgument, never sent to Redis.
  static constexpr std::size_t kMaxMessageIdBytes = 256;

  SenderStore(redis::AsyncClient& redis, SenderStoreOptions options);

  // Decides what to do with an inbound message and applies `changes` (see
  // the header comment); `always_apply` applies them even when the sender is
  // rate-limited (STOP, START). `provider` names the gateway ("twilio") and
  // must not contain ':'; `message_id` is the provider's id (1..256 bytes);
  // `sender_hash` is SenderHash() (1..128 bytes).
  void Admit(std::string_view provider, std::string_view message_id, std::string_view sender_hash,
             const engine::StateChanges& changes, bool always_apply, std::function<void(Result<AdmitResult>)> done);

  // Adds part `part` of `total` (2..255) of the concatenated SMS `ref` from
  // the sender; once all parts are there, returns the whole text (parts in
  // order) and forgets them, else nullopt. A part delivered twice counts once.
  // Parts are kept concat_ttl_s.
  void AddPart(std::string_view provider, std::string_view sender_hash, std::string_view ref, int total, int part,
               std::string_view text, std::function<void(Result<std::optional<std::string>>)> done);

  // Changes the rate limit for the messages admitted from now on (SIGHUP).
  // The limits are in the admit script's text, so this makes a new script:
  // its first call on each Redis server answers NOSCRIPT and is sent again
  // with the source (redis::Script).
  void SetRateLimit(int messages, int window_s);

  // Changes the layout the next admitted messages write the sender's state
  // in (SIGHUP); a new script, as SetRateLimit. Safe at any moment: every
  // layout is read whatever is written.
  void SetStateLayout(SenderStateLayout layout);

  // Records the reply to an admitted message, for its redeliveries. OK also
  // when the marker has expired (then nothing is stored). Sent
  // AsyncClient::Urgency::kBackground: it goes out with the next Admit()'s
  // early write or when the loop turns, never in a write of its own; until
  // then a redelivery finds the in-flight marker and is answered the same.
  void StoreReply(std::string_view provider, std::string_view message_id, std::string_view reply,
                  std::function<void(Status)> done);

 private:
  std::int64_t NowSeconds() const;
  Status CheckIds(std::string_view provider, std::string_view message_id, std::string_view sender_hash) const;

  redis::AsyncClient& redis_;
  SenderStoreOptions options_;
  // The admit script with options_'s dedupe TTL, rate limit, window, state
  // TTL and layout in its text (rebuilt by SetRateLimit, SetStateLayout).
  redis::Script admit_;
  redis::Script part_;
};

}  // namespace helpline::daemon
