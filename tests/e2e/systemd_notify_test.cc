// `helpline serve` speaking sd_notify to a real unix datagram socket named by
// NOTIFY_SOCKET, as systemd's would be (daemon/systemd_notify.h): READY=1
// only once a directory is served, WATCHDOG=1 from the event loops at the
// period WATCHDOG_USEC asks, RELOADING=1 (with MONOTONIC_USEC) then READY=1
// around SIGHUP, STOPPING=1 when SIGTERM starts the drain.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/e2e/daemon_fixture.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace helpline::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A bound AF_UNIX datagram socket in a fresh temp directory: what systemd
// listens on. Receive() waits with a deadline, never sleeps.
class NotifySocket {
 public:
  NotifySocket() {
    char tmpl[] = "/tmp/helpline-notify-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = (dir_ / "notify.sock").string();
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << std::strerror(errno);
  }
  ~NotifySocket() {
    close(fd_);
    fs::remove_all(dir_);
  }
  const std::string& path() const { return path_; }

  // The next datagram, or "" after `timeout`.
  std::string Receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }

  // Receives until a datagram contains `needle` (returned), or "" at the
  // deadline. Everything received on the way is appended to `seen`.
  std::string WaitFor(const std::string& needle, std::chrono::milliseconds timeout,
                      std::vector<std::string>* seen = nullptr) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      std::string m = Receive(std::max(left, std::chrono::milliseconds(1)));
      if (m.empty()) continue;
      if (seen != nullptr) seen->push_back(m);
      if (m.find(needle) != std::string::npos) return m;
    }
    return "";
  }

 private:
  fs::path dir_;
  std::string path_;
  int fd_ = -1;
};

bool HasLine(const std::string& message, const std::string& line) {
  return ("\n" + message + "\n").find("\n" + line + "\n") != std::string::npos;
}

TEST(SystemdNotify, ReadyWithADirectoryThenWatchdogReloadingAndStopping) {
  RedisServer redis;
  NotifySocket notify;
  // 400 ms: the loops pet every 100 ms.
  Daemon d(redis, {.config = "threads = 2\n", .env = {"NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=400000"}});

  std::vector<std::string> seen;
  const std::string ready = notify.WaitFor("READY=1", std::chrono::seconds(5), &seen);
  ASSERT_FALSE(ready.empty()) << d.AllStderr();
  EXPECT_TRUE(
      std::regex_search(ready, std::regex("STATUS=serving directory version 1 \\(\\d+ resources\\) from redis")))
      << ready;

  // WATCHDOG=1 at about a quarter of WATCHDOG_USEC: 4+ in one second.
  int pets = 0;
  const auto until = Clock::now() + std::chrono::seconds(1);
  while (Clock::now() < until) {
    std::string m = notify.Receive(std::chrono::milliseconds(50));
    if (HasLine(m, "WATCHDOG=1")) ++pets;
  }
  EXPECT_GE(pets, 4);
  EXPECT_LE(pets, 20);

  d.process().Signal(SIGHUP);
  const std::string reloading = notify.WaitFor("RELOADING=1", std::chrono::seconds(5));
  ASSERT_FALSE(reloading.empty());
  std::smatch usec;
  ASSERT_TRUE(std::regex_search(reloading, usec, std::regex("MONOTONIC_USEC=(\\d+)"))) << reloading;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long now_usec = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
  EXPECT_LE(std::stoll(usec[1].str()), now_usec);
  EXPECT_GT(std::stoll(usec[1].str()), now_usec - 5000000);  // sent within the last 5 s
  EXPECT_FALSE(notify.WaitFor("READY=1", std::chrono::seconds(5)).empty()) << "no READY=1 after the reload";

  d.process().Signal(SIGTERM);
  const std::string stopping = notify.WaitFor("STOPPING=1", std::chrono::seconds(5));
  EXPECT_FALSE(stopping.empty());
  EXPECT_EQ(d.process().Wait(15000), 0);
}

TEST(SystemdNotify, NotReadyUntilRedisHoldsADirectory) {
  RedisServer redis;
  NotifySocket notify;
  Daemon d(redis, {.config = "", .env = {"NOTIFY_SOCKET=" + notify.path()}, .load_directory = false});

  std::vector<std::string> seen;
  EXPECT_TRUE(notify.WaitFor("READY=1", std::chrono::milliseconds(1500), &seen).empty())
      << "READY=1 with no directory served";
  bool said_why = false;
  for (const auto& m : seen) said_why = said_why || m.find("STATUS=listening; no directory yet") != std::string::npos;
  EXPECT_TRUE(said_why);
  // No WatchdogSec: no WATCHDOG=1 either.
  for (const auto& m : seen) EXPECT_FALSE(HasLine(m, "WATCHDOG=1")) << m;

  auto load = RunProcess({kBin, "load", kData, "--quiet"}, {"HELPLINE_REDIS_URL=" + redis.Url()});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  const std::string ready = notify.WaitFor("READY=1", std::chrono::seconds(5));
  EXPECT_NE(ready.find("STATUS=serving directory version 1"), std::string::npos) << ready << d.AllStderr();
}

}  // namespace
}  // namespace helpline::testing
