#pragma once
// The service manager's notification protocol (sd_notify(3)), spoken
// directly: one datagram per message to the unix socket named by
// NOTIFY_SOCKET (a path, or "@name" for the abstract namespace). No
// libsystemd. Outside systemd (no NOTIFY_SOCKET) every call does nothing.
//
// What `helpline serve` says, and when (daemon/serve.cc):
//   READY=1      once it listens and a directory is served (at start, or at
//                the first directory taken later); again after a reload
//   RELOADING=1  on SIGHUP, with MONOTONIC_USEC (systemd >= 253 checks it)
//   STOPPING=1   when SIGTERM/SIGINT starts the drain
//   STATUS=...   a line for `systemctl status`
//   WATCHDOG=1   from LoopWatchdog: only while every event loop turns
//
//   SystemdNotifier notifier = SystemdNotifier::FromEnvironment();
//   ServiceNotifier service(notifier, std::cerr);
//   service.DirectoryServed("version 7 (redis)");   // from the snapshot thread
//   service.Listening(index != nullptr);              // READY=1 now or at the first directory
//   LoopWatchdog watchdog(notifier, loops);            // pets while all loops run
//   watchdog.Start();  ...  service.Stopping(); watchdog.Stop();
//
// Thread-safety: SystemdNotifier::Notify may be called from any thread (one
// sendto per message on a socket made once); ServiceNotifier's methods too
// (a mutex orders them). LoopWatchdog: Start and Stop
// from one thread, Stop from any; its timers run on the loops given, which
// must outlive it.

#include <utility>  // before Asio (see STACK-NOTES)

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace helpline::daemon {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, and WATCHDOG_USEC when WATCHDOG_PID is unset or
  // this process. Does not unset them (child processes get none anyway).
  static SystemdNotifier FromEnvironment();
  // For tests: a notifier that sends to `socket_path` with the given watchdog.
  SystemdNotifier(std::string socket_path, std::chrono::microseconds watchdog);
  SystemdNotifier() = default;
  ~SystemdNotifier();
  SystemdNotifier(SystemdNotifier&& other) noexcept;
  SystemdNotifier& operator=(SystemdNotifier&&) = delete;
  SystemdNotifier(const SystemdNotifier&) = delete;

  bool enabled() const { return !socket_path_.empty(); }
  // WATCHDOG_USEC: systemd kills the service when no WATCHDOG=1 comes within
  // it; zero when the watchdog is off.
  std::chrono::microseconds watchdog() const { return watchdog_; }

  // Sends `state` ("KEY=value" lines) as one datagram. OK when disabled;
  // Unavailable when the socket cannot be made or the send fails (the
  // caller logs it: the service manager may have gone).
  Status Notify(std::string_view state) const;

  // "RELOADING=1\nMONOTONIC_USEC=<now>".
  static std::string ReloadingMessage();

 private:
  std::string socket_path_;  // "@..." means the abstract namespace
  std::chrono::microseconds watchdog_{0};
  int fd_ = -1;
};

// The daemon's life as the service manager hears it: READY=1 once both
// listening and serving a directory (whichever comes last), STATUS lines,
// RELOADING=1 then READY=1 around a SIGHUP, STOPPING=1 at the drain. A send
// that fails is written to `err` (the first time only).
class ServiceNotifier {
 public:
  ServiceNotifier(const SystemdNotifier& notifier, std::ostream& err) : notifier_(notifier), err_(err) {}
  // The HTTP server accepts; `directory_served`: a directory is served now.
  void Listening(bool directory_served);
  // A directory (described for STATUS, e.g. "version 7 (12 resources) from redis") is now served.
  void DirectoryServed(const std::string& what);
  // Around a SIGHUP's work; both say nothing before the first READY=1.
  void Reloading();
  void Reloaded();
  void Stopping();

 private:
  void Send(const std::string& state);  // with mu_ held
  const SystemdNotifier& notifier_;
  std::ostream& err_;
  std::mutex mu_;
  bool listening_ = false;
  bool served_ = false;
  bool ready_ = false;
  bool stopping_ = false;
  bool send_failed_ = false;
  std::string status_;
};

// Pets the systemd watchdog from the event loops: each loop's timer marks
// that loop alive every period; loop 0's timer sends WATCHDOG=1 only when
// every loop marked itself within the last two periods, so a loop stuck in a
// handler stops the petting and systemd restarts the service. Period: a
// quarter of WATCHDOG_USEC. Does nothing when the watchdog is off.
class LoopWatchdog {
 public:
  LoopWatchdog(const SystemdNotifier& notifier, std::vector<boost::asio::io_context*> loops);
  ~LoopWatchdog();
  void Start();
  // No more petting (a pending timer fires once more, idle); from any thread.
  void Stop();

 private:
  struct Loop;
  void Arm(std::size_t i);
  const SystemdNotifier& notifier_;
  std::chrono::steady_clock::duration period_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<bool> stopped_{false};
};

}  // namespace helpline::daemon
