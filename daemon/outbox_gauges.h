#pragma once
// Reads what the shared outbox holds, for /metrics: entries queued in the
// stream (waiting for a worker or being sent), waiting for a retry, dead
// letters, and the age of the oldest queued entry. One Lua script (one
// round trip, one consistent view); the keys are outbox.h's (P outbox,
// P outbox:retry, P outbox:dead). The age comes from the oldest stream
// entry's id (its XADD time in ms) against Redis's TIME, so clocks of the
// daemons do not matter; a retried entry is requeued with a new id, so its
// age counts from its last requeue.
//
//   ReadOutboxGauges(redis, "hl:", [&](Result<OutboxGauges> g) { metrics.SetOutboxGauges(g.ok() ? ... ); });
//
// Thread-safety: on the AsyncClient's loop, which must outlive the call
// until `done` ran. Errors: Unavailable (Redis away), Internal (an error
// reply or an unexpected shape).

#include <functional>
#include <string>

#include "common/status.h"
#include "daemon/metrics.h"

namespace helpline::redis {
class AsyncClient;
}  // namespace helpline::redis

namespace helpline::daemon {

void ReadOutboxGauges(redis::AsyncClient& redis, const std::string& prefix,
                      std::function<void(Result<OutboxGauges>)> done);

}  // namespace helpline::daemon
