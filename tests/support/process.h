#pragma once
// Runs a program to completion for end-to-end tests, capturing its output.
//
//   auto r = RunProcess({HELPLINE_BIN, "validate", "data/directory"});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
//
// Thread-safety: reentrant; each call owns its pipes and child.

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace helpline::testing {

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128 + signal when killed
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
  bool timed_out = false;
};

// Runs argv[0] (a path) with argv, the current environment plus `env`
// ("NAME=value"), and kills it after `timeout_ms`.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                         int timeout_ms = 60000);

}  // namespace helpline::testing

namespace helpline::testing {

// A program running in the background for end-to-end tests (the daemon).
// A reader thread empties both of its pipes as soon as anything arrives, so
// the program never blocks on a full pipe however much it logs (a daemon
// logging one line per outbox retry once stalled a 10,000-message test when
// 64 KiB of stderr went unread). Tests wait for a stdout line; stderr is kept
// for failure messages. The destructor kills it (SIGKILL) if it runs.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // Reads stdout until a line contains `needle`; returns that line, or ""
  // after `timeout_ms`.
  std::string WaitForLine(const std::string& needle, int timeout_ms = 30000);
  // Sends a signal; Wait() returns the exit code (128 + signal if killed), or -1 on timeout.
  void Signal(int sig);
  int Wait(int timeout_ms = 30000);
  // Everything the process wrote to stderr so far.
  std::string Stderr();
  pid_t pid() const { return pid_; }
  // True once Wait() saw the process end.
  bool exited() const { return exit_code_ >= 0; }

 private:
  void ReadPipes();  // the reader thread: until both pipes close or stop_
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int exit_code_ = -1;
  std::mutex mu_;                 // guards out_, err_ and eof_
  std::condition_variable grew_;  // notified whenever out_ or err_ grows, and at EOF
  std::string out_;
  std::string err_;
  bool eof_ = false;  // both pipes closed
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

}  // namespace helpline::testing
