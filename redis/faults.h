#pragma once
// Faults: the one place to inject Redis failures in tests, for both clients.
// A test arms a fault for a command name; the next matching command is not
// sent to Redis and gets the fault instead: an error reply of the test's
// choosing (e.g. "OOM command not allowed", "NOSCRIPT No matching script",
// "LOADING Redis is loading"), or no answer at all (Unavailable, as when the
// connection is lost: the blocking client then drops its connection).
// Everything else still runs against the real redis-server (tests never mock
// Redis). Give a client the same shared_ptr through its options
// (AsyncClient::Options::faults, BlockingClient::Options::faults,
// directory::StoreOptions::faults); production passes none.
//
//   auto faults = std::make_shared<redis::Faults>();
//   faults->ReplyError("EVALSHA", "NOSCRIPT No matching script");  // the next EVALSHA
//   faults->NoAnswer("GET", 2);                                   // the next two GETs
//
// Thread-safety: every member may be called from any thread.

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helpline::redis {

class Faults {
 public:
  struct Fault {
    enum class Kind { kErrorReply, kNoAnswer };
    Kind kind = Kind::kErrorReply;
    std::string error;  // kErrorReply: the reply's text
  };

  // The next `times` commands named `command` (case-insensitive) get the
  // error reply `error` instead of being sent.
  void ReplyError(std::string_view command, std::string error, int times = 1);
  // The next `times` commands named `command` get no answer (Unavailable).
  void NoAnswer(std::string_view command, int times = 1);

  // For the clients: the fault armed for `command`, consuming one use.
  std::optional<Fault> Take(std::string_view command);
  // Faults armed and not yet used.
  int armed() const;

 private:
  struct Armed {
    std::string command;  // upper case
    Fault fault;
    int left = 0;
  };
  void Arm(std::string_view command, Fault fault, int times);

  mutable std::mutex mu_;
  std::vector<Armed> armed_;  // first armed, first used
};

}  // namespace helpline::redis
