#pragma once
// AlertReleaser: hands held alert sends to the outbox when they are due,
// no faster than the carriers allow.
//
//   AlertReleaser rel(redis, outbox, cipher, conversation,
//                     AlertReleaseOptions{.rates = *ParseReleaseRates("1,telegram=30", "0")});
//   rel.Start();   // on the loop of `redis` and `outbox`
//
// `helpline alert send` (alert_cli.h) queues no message itself: it adds one
// member per recipient to the release queue, with the time it may go out
// (now, or the end of the region's quiet hours):
//
//   P alert:due          ZSET: "{alert id}:{sender hash}" -> due time, unix ms.
//                        Holds no number: the releaser opens the
//                        subscriber's sealed number when it sends.
//   P alert:pace:n:{provider}:{our number}
//   P alert:pace:p:{provider}
//                        string, short TTL: the unix ms before which that
//                        sender number (or provider) sends nothing more.
//
// One round (Tick), each step one Lua script (atomic, so several daemons
// may release at once):
//   1. Claim: up to `batch` members due now. For each, its subscription's
//      provider and our number (P alert:sub:{hash}); gone (LEAVE/STOP):
//      dropped. If the number's and the provider's pace keys allow it, the
//      member is taken: pace keys move one interval past now, and its score
//      becomes now + lease_ms (a lease: if this daemon dies before step 3,
//      the member is due again then). Else it is pushed back to when the
//      number is free, plus one interval per member of the same number
//      already pushed back in this round (an estimate, not a reservation:
//      it is checked again then).
//   2. Load the taken members' subscribers (their numbers opened) and the
//      alerts' texts (P alert:send:{id}: text:en, text:fr, text:es); the
//      text is the subscriber's language, else English, else any, plus the
//      "reply LEAVE" footer in their language.
//   3. Enqueue each in the outbox with id "alert:{id}:{hash}", then ZREM the
//      member. The outbox's id marker makes a second enqueue (after a crash
//      between 3's two halves, or a lease that ran out) a no-op, so each
//      subscriber gets an alert once.
//   A member whose alert was cancelled (state "cancelled"), whose
//   subscriber left, or whose number cannot be opened, is removed unsent.
//
// Pacing is at hand-over to the outbox: the outbox's workers send within
// milliseconds of it, but the outbox's own retries are not paced again.
// Claims of one number are at least its interval apart; hand-overs follow
// each claim after a delay that varies (opening the number, the enqueue;
// milliseconds when idle, more on a loaded machine), so two of them can
// come closer than the interval while any longer window holds the rate
// (hand-overs i and j of one number are at least j - i - 1 intervals apart). Rates hold across daemons (the
// pace keys are shared) as long as their clocks agree.
//
// Thread-safety: loop thread only (like its redis::AsyncClient and Outbox),
// which must outlive it with the cipher and the conversation. Never logs a
// number or a text.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/alerts/alert_conversation.h"
#include "daemon/alerts/number_cipher.h"
#include "daemon/alerts/release_rate.h"
#include "daemon/alerts/subscriber_store.h"
#include "redis/async_client.h"
#include "redis/script.h"

namespace helpline::daemon {
class Outbox;
}  // namespace helpline::daemon

namespace helpline::daemon::alerts {

struct AlertReleaseOptions {
  std::string prefix = "hl:";
  ReleaseRates rates;
  // Members claimed per round, at most. Default 200.
  int batch = 200;
  // How long a claimed member is someone's before it is due again, ms. Default 30000.
  int lease_ms = 30000;
  // The longest wait between rounds when nothing is due, ms (a due time
  // known sooner is waited for exactly). Default 1000.
  int poll_interval_ms = 1000;
  // Clock, unix ms; default the system clock. Tests set it.
  std::function<std::int64_t()> now_ms = nullptr;
};

struct AlertReleaseStats {
  std::uint64_t released = 0;    // handed to the outbox (enqueue OK)
  std::uint64_t duplicates = 0;  // the outbox knew the id already: nothing added
  std::uint64_t dropped = 0;     // cancelled, subscriber gone or unreadable
  std::uint64_t deferred = 0;    // pushed back by a rate
  std::uint64_t redis_errors = 0;
};

// What one round did.
struct ReleaseRound {
  std::size_t released = 0, duplicates = 0, dropped = 0, deferred = 0;
  std::int64_t next_due_ms = -1;  // the earliest member still waiting, -1 when none
};

class AlertReleaser {
 public:
  AlertReleaser(redis::AsyncClient& redis, Outbox& outbox, const NumberCipher& cipher,
                const AlertConversation& conversation, AlertReleaseOptions options);
  ~AlertReleaser();
  AlertReleaser(const AlertReleaser&) = delete;
  AlertReleaser& operator=(const AlertReleaser&) = delete;

  // Runs rounds on the loop until Stop(): at once again after a full batch,
  // else at the next due time (at most poll_interval_ms away); after a
  // Redis error, after poll_interval_ms.
  void Start();
  void Stop();
  // One round; `done` runs on the loop when every claimed member is settled.
  // Unavailable when Redis fails (claimed members come back after lease_ms).
  void Tick(std::function<void(Result<ReleaseRound>)> done);

  const AlertReleaseStats& stats() const { return stats_; }

 private:
  struct Round;
  void Schedule(std::int64_t delay_ms);
  void Settle(const std::shared_ptr<Round>& round);
  std::int64_t NowMs() const;

  redis::AsyncClient& redis_;
  Outbox& outbox_;
  const AlertConversation& conv_;
  AlertReleaseOptions options_;
  SubscriberStore subs_;
  redis::Script claim_;
  struct Timer;  // a steady_timer on the loop (kept out of this header)
  std::unique_ptr<Timer> timer_;
  bool running_ = false;
  std::shared_ptr<bool> alive_;
  AlertReleaseStats stats_;
};

}  // namespace helpline::daemon::alerts
