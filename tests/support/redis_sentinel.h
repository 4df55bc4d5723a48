#pragma once
// A real Redis Sentinel topology for tests, all on loopback TCP (Sentinel
// cannot monitor over unix sockets): a primary, one replica and three
// sentinels (redis-server --sentinel, the same binary as Debian's
// redis-sentinel) watching master name "mymaster" with quorum 2.
//
//   SentinelTopology topo;                  // aborts the test binary if it cannot start
//   std::string url = topo.Url();           // redis+sentinel://helpline:...@127.0.0.1:P1,...,P3/mymaster
//   int old_port = topo.PrimaryPort();
//   int new_port = topo.Failover();         // SENTINEL FAILOVER, waits until it is done
//
// The data nodes require ACL user "helpline" with a password (the default
// user is off); the sentinels authenticate to them as that user. Ports are
// picked free at start (bind to port 0, then released: a tiny race with other
// processes, acceptable on a test machine). Timings are short
// (down-after-milliseconds 1000, failover-timeout 4000) so a killed primary
// is replaced in a few seconds.
//
// Thread-safety: not thread-safe; construct on the test's main thread (the
// children die with the thread that forked them, see redis_server.h).

#include <sys/types.h>

#include <string>
#include <vector>

namespace helpline::testing {

class SentinelTopology {
 public:
  struct Options {
    // min-replicas-to-write on the data nodes: with 1, a primary that has
    // lost its replica (as the old one has once the replica is promoted)
    // refuses writes instead of taking writes that the failover discards.
    int min_replicas_to_write = 1;
  };
  inline static const std::string kMasterName = "mymaster";
  inline static const std::string kUser = "helpline";
  inline static const std::string kPassword = "s3ntinel-test-pw";

  SentinelTopology() : SentinelTopology(Options{}) {}
  // Starts everything and waits (up to 20 s) until every sentinel knows the
  // replica and the other two sentinels, so that a failover can be asked for.
  explicit SentinelTopology(Options options);
  ~SentinelTopology();
  SentinelTopology(const SentinelTopology&) = delete;
  SentinelTopology& operator=(const SentinelTopology&) = delete;

  // redis+sentinel://helpline:PW@127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3/mymaster
  std::string Url() const;
  std::vector<int> sentinel_ports() const { return sentinel_ports_; }
  // The data nodes' ports, in start order (the first started as primary).
  std::vector<int> data_ports() const { return data_ports_; }

  // The primary's port as the first sentinel that answers names it; 0 if none does.
  int PrimaryPort() const;
  // ROLE's first element on a data node ("master", "slave"), "" if it does not answer.
  std::string Role(int port) const;
  // SENTINEL FAILOVER on a sentinel (retried while it answers INPROG or
  // NOGOODSLAVE), then waits until every sentinel names another primary and
  // that node says "master" (about 1-3 s). The old primary still believes it
  // is one until a sentinel reconfigures it, about 8-10 s later (Sentinel
  // fixes a wrong role only after it has been seen for a few INFO periods):
  // WaitForRole(old, "slave", ...) waits for that. Returns the new primary's
  // port; records a test failure (and returns 0) after 20 s.
  int Failover();
  // SIGKILLs the data node on `port`; Restart(port) starts it again with the
  // same configuration file (which the sentinels may have rewritten).
  void Kill(int port);
  void Restart(int port);
  // Waits until `port` answers ROLE with `role` and, for a replica, its link
  // to the primary is up. False after `timeout_ms`.
  bool WaitForRole(int port, const std::string& role, int timeout_ms) const;
  // One command on a data node, authenticated; the reply as a string
  // (integers in decimal, "(nil)", errors as their text), "" on no answer.
  std::string Run(int port, const std::vector<std::string>& args) const;

 private:
  pid_t StartData(std::size_t i);
  void Dump() const;

  Options options_;
  std::string dir_;
  std::vector<int> data_ports_;
  std::vector<pid_t> data_pids_;
  std::vector<int> sentinel_ports_;
  std::vector<pid_t> sentinel_pids_;
};

}  // namespace helpline::testing
