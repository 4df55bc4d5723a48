#include "daemon/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace helpline::daemon {

SystemdNotifier SystemdNotifier::FromEnvironment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') return SystemdNotifier();
  std::chrono::microseconds watchdog{0};
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  const bool for_us = pid == nullptr || *pid == '\0' || std::strtol(pid, nullptr, 10) == getpid();
  if (usec != nullptr && for_us) watchdog = std::chrono::microseconds(std::strtoll(usec, nullptr, 10));
  if (watchdog.count() < 0) watchdog = std::chrono::microseconds{0};
  return SystemdNotifier(socket, watchdog);
}

SystemdNotifier::SystemdNotifier(std::string socket_path, std::chrono::microseconds watchdog)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog) {
  if (!socket_path_.empty()) fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

SystemdNotifier::SystemdNotifier(SystemdNotifier&& other) noexcept
    : socket_path_(std::move(other.socket_path_)), watchdog_(other.watchdog_), fd_(other.fd_) {
  other.fd_ = -1;
  other.socket_path_.clear();
}

SystemdNotifier::~SystemdNotifier() {
  if (fd_ >= 0) close(fd_);
}

Status SystemdNotifier::Notify(std::string_view state) const {
  if (!enabled()) return Status::Ok();
  if (fd_ < 0) return Unavailable("NOTIFY_SOCKET: cannot create a datagram socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(addr.sun_path)) return Unavailable("NOTIFY_SOCKET: path too long");
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  if (socket_path_[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace: no trailing NUL either
  const auto len =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size() + (socket_path_[0] == '@' ? 0 : 1));
  ssize_t sent;
  do {
    sent = sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr), len);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return Unavailable(std::string("NOTIFY_SOCKET: ") + std::strerror(errno));
  return Status::Ok();
}

std::string SystemdNotifier::ReloadingMessage() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const long long usec = static_cast<long long>(ts.tv_sec) * 1000000LL + ts.tv_nsec / 1000;
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
}

void ServiceNotifier::Send(const std::string& state) {
  if (Status s = notifier_.Notify(state); !s.ok() && !send_failed_) {
    send_failed_ = true;
    err_ << "helpline serve: warning: systemd notification failed: " << s.message() << "\n";
  }
}

void ServiceNotifier::Listening(bool directory_served) {
  std::lock_guard lock(mu_);
  listening_ = true;
  served_ = served_ || directory_served;
  if (served_ && !ready_) {
    ready_ = true;
    Send("READY=1\nSTATUS=serving directory " + status_);
  } else if (!ready_) {
    Send("STATUS=listening; no directory yet (load one: helpline load)");
  }
}

void ServiceNotifier::DirectoryServed(const std::string& what) {
  std::lock_guard lock(mu_);
  served_ = true;
  status_ = what;
  if (stopping_ || !listening_) return;
  if (!ready_) {
    ready_ = true;
    Send("READY=1\nSTATUS=serving directory " + status_);
  } else {
    Send("STATUS=serving directory " + status_);
  }
}

void ServiceNotifier::Reloading() {
  std::lock_guard lock(mu_);
  // systemd runs ExecReload only once the service is ready; a SIGHUP sent
  // by hand before then is not a reload it waits for.
  if (ready_ && !stopping_) Send(SystemdNotifier::ReloadingMessage() + "\nSTATUS=reloading");
}

void ServiceNotifier::Reloaded() {
  std::lock_guard lock(mu_);
  if (ready_ && !stopping_) Send("READY=1\nSTATUS=serving directory " + status_);
}

void ServiceNotifier::Stopping() {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  stopping_ = true;
  Send("STOPPING=1\nSTATUS=draining");
}

struct LoopWatchdog::Loop {
  explicit Loop(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
  std::atomic<std::chrono::steady_clock::rep> alive_at{0};  // steady_clock ticks
};

LoopWatchdog::LoopWatchdog(const SystemdNotifier& notifier, std::vector<boost::asio::io_context*> loops)
    // At least 1 ms: a tiny WATCHDOG_USEC must not make the timers spin.
    : notifier_(notifier),
      period_(std::max<std::chrono::steady_clock::duration>(notifier.watchdog() / 4, std::chrono::milliseconds(1))) {
  for (auto* io : loops) loops_.push_back(std::make_unique<Loop>(*io));
}

LoopWatchdog::~LoopWatchdog() { Stop(); }

void LoopWatchdog::Start() {
  if (!notifier_.enabled() || notifier_.watchdog().count() == 0) return;
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  for (auto& l : loops_) l->alive_at.store(now);
  for (std::size_t i = 0; i < loops_.size(); ++i) Arm(i);
}

void LoopWatchdog::Arm(std::size_t i) {
  Loop& loop = *loops_[i];
  loop.timer.expires_after(i == 0 ? period_ : period_ / 2);
  loop.timer.async_wait([this, i](const boost::system::error_code& ec) {
    if (ec || stopped_.load()) return;
    const auto now = std::chrono::steady_clock::now();
    loops_[i]->alive_at.store(now.time_since_epoch().count());
    if (i == 0) {
      bool all_alive = true;
      for (const auto& l : loops_) {
        const std::chrono::steady_clock::time_point at{std::chrono::steady_clock::duration(l->alive_at.load())};
        if (now - at > 2 * period_) all_alive = false;
      }
      if (all_alive) (void)notifier_.Notify("WATCHDOG=1");
    }
    Arm(i);
  });
}

void LoopWatchdog::Stop() {
  // A pending timer fires once more and does not re-arm; one on a loop that
  // no longer runs never fires and is destroyed with this object.
  stopped_.store(true);
}

}  // namespace helpline::daemon
