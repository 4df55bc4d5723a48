#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace helpline::testing {
namespace {

struct Spawned {
  pid_t pid = -1;
  int out_fd = -1;    // the child's stdout
  int err_fd = -1;    // the child's stderr
  std::string error;  // why it could not start
};

// Starts argv[0] with the current environment plus `env`, stdin from
// /dev/null and stdout/stderr on pipes.
Spawned Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  Spawned s;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    s.error = std::string("pipe: ") + std::strerror(errno);
    return s;
  }
  // Build argv/envp before fork: only async-signal-safe calls in the child.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  s.pid = fork();
  if (s.pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (s.pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    s.error = std::string("fork: ") + std::strerror(errno);
    return s;
  }
  s.out_fd = out_pipe[0];
  s.err_fd = err_pipe[0];
  return s;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env, int timeout_ms) {
  ProcessResult result;
  Spawned child = Spawn(argv, env);
  if (child.pid < 0) {
    result.err = child.error;
    return result;
  }
  const pid_t pid = child.pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  pollfd fds[2] = {{child.out_fd, POLLIN, 0}, {child.err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    int n = poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(got));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  Spawned child = Spawn(argv, env);
  if (child.pid < 0) {
    err_ = child.error;
    eof_ = true;
    return;
  }
  pid_ = child.pid;
  out_fd_ = child.out_fd;
  err_fd_ = child.err_fd;
  reader_ = std::thread([this] { ReadPipes(); });
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && exit_code_ < 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  stop_ = true;
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

void BackgroundProcess::ReadPipes() {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  char buf[65536];
  while (!stop_ && (fds[0].fd >= 0 || fds[1].fd >= 0)) {
    if (poll(fds, 2, 50) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      // Read and append under the lock, so Stderr() sees every byte that
      // has left the pipe.
      std::lock_guard<std::mutex> lock(mu_);
      const ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        fds[i].fd = -1;  // EOF (or an error): poll ignores a negative fd
        continue;
      }
      (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(got));
    }
    grew_.notify_all();
  }
  std::lock_guard<std::mutex> lock(mu_);
  eof_ = true;
  grew_.notify_all();
}

std::string BackgroundProcess::WaitForLine(const std::string& needle, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::unique_lock<std::mutex> lock(mu_);
  std::string line;
  grew_.wait_until(lock, deadline, [&] {
    const auto pos = out_.find(needle);
    if (pos == std::string::npos) return eof_;
    const auto end = out_.find('\n', pos);
    if (end == std::string::npos) return eof_;
    auto begin = out_.rfind('\n', pos);
    begin = begin == std::string::npos ? 0 : begin + 1;
    line = out_.substr(begin, end - begin);
    return true;
  });
  return line;
}

void BackgroundProcess::Signal(int sig) {
  if (pid_ > 0 && exit_code_ < 0) kill(pid_, sig);
}

int BackgroundProcess::Wait(int timeout_ms) {
  if (exit_code_ >= 0) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      // Collect what it wrote last: its pipes close when it ends (bounded,
      // in case a child of its own still holds them).
      std::unique_lock<std::mutex> lock(mu_);
      grew_.wait_for(lock, std::chrono::seconds(2), [&] { return eof_; });
      return exit_code_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string BackgroundProcess::Stderr() {
  // Everything written before the call: wait (briefly) until the reader has
  // emptied the pipe.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  std::unique_lock<std::mutex> lock(mu_);
  grew_.wait_until(lock, deadline, [&] {
    int pending = 0;
    return eof_ || err_fd_ < 0 || ioctl(err_fd_, FIONREAD, &pending) != 0 || pending == 0;
  });
  return err_;
}

}  // namespace helpline::testing
