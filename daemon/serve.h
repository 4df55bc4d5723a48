#pragma once
// `helpline serve`: the long-running daemon. See README ("Running the daemon").

#include <iosfwd>
#include <string>
#include <vector>

namespace helpline::daemon {

struct ServeFlags {
  std::string config_path;    // --config FILE
  std::string port;           // --port N (overrides the file and environment)
  std::string listen;         // --listen ADDRESS
  std::string redis_url;      // --redis URL
  std::string data_dir;       // --data DIR
  bool check_config = false;  // --check-config: print the effective configuration and exit
};

// Returns the process exit code: 0 after a clean drain, 1 bad configuration,
// 3 cannot listen, 4 internal error.
int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace helpline::daemon
