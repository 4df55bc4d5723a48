#pragma once
// One classification of Redis error replies, shared by both clients and every
// store (the directory's versioned store, the sender store, the outbox).
//
//   kTransient  LOADING, BUSY, READONLY, OOM, MASTERDOWN, TRYAGAIN,
//               CLUSTERDOWN, NOREPLICAS: this server cannot serve now (still
//               loading its data, a script running too long, a replica after
//               a failover, out of memory under its maxmemory policy, its
//               primary or cluster down, too few replicas); the same call may
//               succeed later. Status: Unavailable, so the CLI exits with its
//               "Redis unavailable" code 3 and the daemon degrades or retries
//               as it does when Redis does not answer.
//   kAccess     NOAUTH, WRONGPASS, NOPERM: the configuration is wrong (no or
//               a wrong password, an ACL without the right). Status:
//               FailedPrecondition (CLI exit 1: fix the configuration).
//   kNoScript   NOSCRIPT: the script is not cached on this server;
//               redis::Script sends its source once (redis/script.h).
//   kOther      everything else (ERR, WRONGTYPE, a script's own error): this
//               call is wrong and repeating it will not help. Status: Internal.
//
// A code matches only as the whole first word of the reply ("BUSY ..." is
// transient, "BUSYKEY ..." is not).
//
// Before this file there were two lists: the daemon's (which had OOM,
// CLUSTERDOWN and NOREPLICAS as transient) and the blocking store's (which
// did not, and matched prefixes, so BUSYKEY counted as BUSY). The daemon's
// list is the one kept: each of the three is a state of the server, not of
// the call, and the outbox must retry rather than dead-letter on it.
//
// Thread-safety: pure functions.

#include <string_view>

#include "common/status.h"

namespace helpline::redis {

enum class ErrorKind { kTransient, kAccess, kNoScript, kOther };

// The kind of an error reply's text ("OOM command not allowed ...").
ErrorKind ClassifyError(std::string_view error);

// ClassifyError(error) == kTransient.
bool IsTransientError(std::string_view error);

// The Status for an error reply: Unavailable when transient,
// FailedPrecondition for access errors, else Internal; the message is
// "{what}: {error}".
Status ErrorStatus(std::string_view what, std::string_view error);

}  // namespace helpline::redis
