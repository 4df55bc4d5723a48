#pragma once
// Runs a program to completion for end-to-end tests, capturing its output.
//
//   auto r = RunProcess({HELPLINE_BIN, "validate", "data/directory"});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
//
// Thread-safety: reentrant; each call owns its pipes and child.

#include <string>
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
