#pragma once
// The `helpline` command line: one binary, one subcommand per job.
//
//   helpline validate PATH...            check data files (schema + semantics)
//   helpline coverage [PATH...] [--json] per state and province: what the directory offers, its gaps
//   helpline load PATH... [--dry-run]    validate, diff against current, load as a new version
//                                        (refused if it removes more than --max-removal-share
//                                        of the current resources, unless --allow-removals)
//   helpline versions                    list kept versions
//   helpline rollback N                  make kept version N current
//   helpline lookup --region R --category C [--lang L] [--json]
//   helpline simulate [--from +1NNN...] TEXT   the exact reply a person would get
//   helpline serve [--config FILE]       the daemon
//   helpline alert send|status|cancel    drug alerts (daemon/alerts/alert_cli.h)
//   helpline reports [--since] [--region] anonymous bad-batch reports
//
// Exit codes (documented in README and `helpline --help`):
//   0 ok, 1 invalid data or request (coverage: or a gap), 2 usage, 3 Redis unreachable,
//   4 internal error.
//
// Thread-safety: RunCli is called once from main.

#include <iosfwd>

namespace helpline::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRedis = 3;
inline constexpr int kExitInternal = 4;

// Runs one command. Output for people and scripts goes to `out`,
// diagnostics and progress to `err`. `err_is_terminal` turns on progress.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err, bool err_is_terminal);

}  // namespace helpline::cli
