#include "tests/support/redis_server.h"

// The child is started with fork+exec rather than posix_spawn so that it can
// ask for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG): a crashing or
// killed test binary never leaks a redis-server. Note that the signal follows
// the *thread* that forked, so construct RedisServer on a thread that outlives
// it (the test's main thread, as usual).

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace helpline::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartDeadline = std::chrono::seconds(10);
constexpr auto kStopDeadline = std::chrono::seconds(5);
constexpr auto kPollInterval = std::chrono::milliseconds(5);
// sockaddr_un::sun_path is 108 bytes including the NUL.
constexpr std::size_t kMaxSocketPath = 107;

}  // namespace

std::string MakeRedisTempDir() {
  std::string base = "/tmp";
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && tmp[0] != '\0') base = tmp;
  // Leave room for "/redis.sock" within sun_path.
  if (base.size() + std::strlen("/hl-redis-XXXXXX/redis.sock") > kMaxSocketPath) base = "/tmp";
  std::string templ = base + "/hl-redis-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    std::fprintf(stderr, "RedisServer: mkdtemp(%s): %s\n", templ.c_str(), std::strerror(errno));
    std::abort();
  }
  return buf.data();
}

void PrintRedisLog(const std::string& path) {
  std::ifstream in(path);
  if (!in) return;
  std::cerr << "---- " << path << " ----\n" << in.rdbuf() << "\n---- end ----\n";
}

namespace {

// Waits up to `deadline` for `pid` to exit; true if it did (and was reaped).
bool WaitFor(pid_t pid, std::chrono::steady_clock::duration deadline) {
  const auto until = Clock::now() + deadline;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

pid_t SpawnRedis(const std::vector<std::string>& args_in, const std::string& out_path) {
  // Everything the child needs is built before fork: after fork only
  // async-signal-safe calls are allowed (the parent may have threads).
  std::vector<std::string> args = args_in;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string binary = args.front();
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    std::fprintf(stderr, "RedisServer: fork: %s\n", std::strerror(errno));
    std::abort();
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    int null_fd = ::open("/dev/null", O_RDONLY);
    int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (out_fd >= 0) {
      ::dup2(out_fd, STDOUT_FILENO);
      ::dup2(out_fd, STDERR_FILENO);
    }
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

void StopRedis(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  if (WaitFor(pid, kStopDeadline)) return;
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

std::string FindRedisServer() {
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (dir.empty()) continue;
      std::string candidate = dir + "/redis-server";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "/usr/bin/redis-server";
}

bool RedisAnswersPing(const std::string& socket_path) {
  timeval tv{0, 200 * 1000};
  redisContext* c = redisConnectUnixWithTimeout(socket_path.c_str(), tv);
  if (c == nullptr) return false;
  bool ok = false;
  if (c->err == 0 && redisSetTimeout(c, tv) == REDIS_OK) {
    auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
    ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS && std::strcmp(reply->str, "PONG") == 0;
    if (reply != nullptr) freeReplyObject(reply);
  }
  redisFree(c);
  return ok;
}

RedisServer::RedisServer() {
  dir_ = MakeRedisTempDir();
  socket_path_ = dir_ + "/redis.sock";
  const std::string log_path = dir_ + "/redis.log";
  const std::string out_path = dir_ + "/redis.out";  // anything printed before the log opens
  const std::string binary = FindRedisServer();

  std::vector<std::string> args = {binary, "--port", "0", "--unixsocket", socket_path_, "--unixsocketperm", "700",
                                   "--save", "", "--appendonly", "no", "--dir", dir_, "--daemonize", "no", "--logfile",
                                   log_path,
                                   // SIGTERM is acted on in serverCron, every 1000/hz ms:
                                   // hz 100 stops it in ~10 ms instead of ~100 ms.
                                   "--hz", "100"};
  pid_t pid = SpawnRedis(args, out_path);
  pid_ = pid;

  const auto deadline = Clock::now() + kStartDeadline;
  std::string failure;
  while (true) {
    if (RedisAnswersPing(socket_path_)) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      failure = binary + " exited during start-up (status " + std::to_string(status) + ")";
      break;
    }
    if (Clock::now() >= deadline) {
      failure = binary + " did not answer PING on " + socket_path_ + " within 10 s";
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  std::fprintf(stderr, "RedisServer: %s\n", failure.c_str());
  PrintRedisLog(out_path);
  PrintRedisLog(log_path);
  Kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  std::fprintf(stderr, "RedisServer: cannot start redis-server; aborting the test binary\n");
  std::abort();
}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (!WaitFor(pid_, kStopDeadline)) Kill();
    pid_ = -1;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void RedisServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

}  // namespace helpline::testing
