#include "tests/support/redis_sentinel.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/redis_server.h"

namespace helpline::testing {
namespace {

using Clock = std::chrono::steady_clock;

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using OwnedReply = std::unique_ptr<redisReply, ReplyFree>;

// The kernel's range for ephemeral ports (ip_local_port_range), where it
// picks the local port of every outgoing connection and of every bind to
// port 0.
std::pair<int, int> EphemeralRange() {
  int low = 32768, high = 60999;
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  if (!(in >> low >> high) || low > high) return {32768, 60999};
  return {low, high};
}

// A TCP port free on 127.0.0.1 right now, and outside the ephemeral range:
// a port taken from that range (a bind to port 0, then closed) could be
// handed to the next outgoing connection (a replica connecting to its
// primary, a sentinel to a node, another test) before the node meant for it
// binds it, and that node would fail to start. Ports below the range (or
// above it when it starts low) are never handed out by the kernel; a
// random start keeps two tests running side by side apart, and a port
// that does not bind, or one this topology already took, is skipped.
int FreePort(const std::vector<int>& taken) {
  const auto [low, high] = EphemeralRange();
  const bool below = low > 12000;
  const int first = below ? 10000 : high + 1;
  const int count = below ? low - 10000 : 65535 - high;
  static unsigned state = static_cast<unsigned>(::getpid()) * 2654435761u ^
                          static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
  for (int attempt = 0; attempt < 2000; ++attempt) {
    state = state * 1103515245u + 12345u;
    const int port = first + static_cast<int>((state >> 8) % static_cast<unsigned>(count));
    if (std::find(taken.begin(), taken.end(), port) != taken.end()) continue;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (free) return port;
  }
  std::perror("SentinelTopology: free port");
  std::abort();
}

// One command on 127.0.0.1:port, after AUTH when `auth` (data nodes); null on no answer.
OwnedReply Ask(int port, const std::vector<std::string>& args, bool auth) {
  timeval tv{0, 500 * 1000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (c == nullptr) return nullptr;
  std::unique_ptr<redisContext, void (*)(redisContext*)> owned(c, redisFree);
  if (c->err != 0 || redisSetTimeout(c, tv) != REDIS_OK) return nullptr;
  if (auth) {
    OwnedReply ok(static_cast<redisReply*>(
        redisCommand(c, "AUTH %s %s", SentinelTopology::kUser.c_str(), SentinelTopology::kPassword.c_str())));
    if (ok == nullptr || ok->type == REDIS_REPLY_ERROR) return nullptr;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return OwnedReply(
      static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
}

std::string Text(const redisReply* r) {
  if (r == nullptr) return "";
  switch (r->type) {
    case REDIS_REPLY_INTEGER: return std::to_string(r->integer);
    case REDIS_REPLY_NIL: return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string out;
      for (std::size_t i = 0; i < r->elements; ++i) out += (i ? " " : "") + Text(r->element[i]);
      return out;
    }
    default: return std::string(r->str, r->len);
  }
}

// The port a sentinel names for mymaster; 0 if it does not answer.
int NamedPrimary(int sentinel_port) {
  OwnedReply r = Ask(sentinel_port, {"SENTINEL", "get-master-addr-by-name", SentinelTopology::kMasterName}, false);
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return 0;
  return std::atoi(Text(r->element[1]).c_str());
}

// SENTINEL MASTER's field -> value.
std::map<std::string, std::string> MasterInfo(int sentinel_port) {
  std::map<std::string, std::string> out;
  OwnedReply r = Ask(sentinel_port, {"SENTINEL", "MASTER", SentinelTopology::kMasterName}, false);
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return out;
  for (std::size_t i = 0; i + 1 < r->elements; i += 2) out[Text(r->element[i])] = Text(r->element[i + 1]);
  return out;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

}  // namespace

SentinelTopology::SentinelTopology(Options options) : options_(options) {
  dir_ = MakeRedisTempDir();
  const std::string binary = FindRedisServer();
  std::vector<int> taken;
  for (int i = 0; i < 5; ++i) taken.push_back(FreePort(taken));
  data_ports_.assign(taken.begin(), taken.begin() + 2);
  sentinel_ports_.assign(taken.begin() + 2, taken.end());

  for (std::size_t i = 0; i < data_ports_.size(); ++i) {
    const int port = data_ports_[i];
    const std::string node = dir_ + "/node" + std::to_string(port);
    std::filesystem::create_directories(node);
    std::string conf = "port " + std::to_string(port) +
                       "\nbind 127.0.0.1\nprotected-mode no\nsave \"\"\nappendonly no\ndaemonize no\nhz 100\n"
                       "dir " +
                       node + "\nlogfile " + node +
                       "/redis.log\n"
                       "repl-diskless-sync yes\nrepl-diskless-sync-delay 0\n"
                       "user default off\nuser " +
                       kUser + " on >" + kPassword +
                       " ~* &* +@all\n"
                       "masteruser " +
                       kUser + "\nmasterauth " + kPassword +
                       "\n"
                       "min-replicas-to-write " +
                       std::to_string(options_.min_replicas_to_write) + "\nmin-replicas-max-lag 10\n";
    if (i > 0) conf += "replicaof 127.0.0.1 " + std::to_string(data_ports_[0]) + "\n";
    WriteFile(node + "/redis.conf", conf);
    data_pids_.push_back(StartData(i));
  }
  for (std::size_t i = 0; i < data_ports_.size(); ++i) {
    if (!WaitForRole(data_ports_[i], i == 0 ? "master" : "slave", 10000)) {
      Dump();
      std::fprintf(stderr, "SentinelTopology: data node %d did not come up\n", data_ports_[i]);
      std::abort();
    }
  }
  for (int port : sentinel_ports_) {
    const std::string node = dir_ + "/sentinel" + std::to_string(port);
    std::filesystem::create_directories(node);
    const std::string m = " " + kMasterName;
    WriteFile(node + "/sentinel.conf",
              "port " + std::to_string(port) + "\nbind 127.0.0.1\nprotected-mode no\ndaemonize no\n" + "dir " + node +
                  "\nlogfile " + node + "/sentinel.log\n" + "sentinel monitor" + m + " 127.0.0.1 " +
                  std::to_string(data_ports_[0]) + " 2\n" + "sentinel down-after-milliseconds" + m + " 1000\n" +
                  "sentinel failover-timeout" + m + " 4000\n" + "sentinel parallel-syncs" + m + " 1\n" +
                  "sentinel auth-user" + m + " " + kUser + "\n" + "sentinel auth-pass" + m + " " + kPassword + "\n");
    sentinel_pids_.push_back(SpawnRedis({binary, node + "/sentinel.conf", "--sentinel"}, node + "/sentinel.out"));
  }
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (true) {
    bool ready = true;
    for (int port : sentinel_ports_) {
      std::map<std::string, std::string> info = MasterInfo(port);
      ready = ready && info["num-slaves"] == "1" && info["num-other-sentinels"] == "2" && info["flags"] == "master";
    }
    if (ready) return;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Dump();
  std::fprintf(stderr, "SentinelTopology: the sentinels did not see each other and the replica within 20 s\n");
  std::abort();
}

SentinelTopology::~SentinelTopology() {
  for (pid_t pid : sentinel_pids_) StopRedis(pid);
  for (pid_t pid : data_pids_) StopRedis(pid);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

pid_t SentinelTopology::StartData(std::size_t i) {
  const std::string node = dir_ + "/node" + std::to_string(data_ports_[i]);
  return SpawnRedis({FindRedisServer(), node + "/redis.conf"}, node + "/redis.out");
}

std::string SentinelTopology::Url() const {
  std::string url = "redis+sentinel://" + kUser + ":" + kPassword + "@";
  for (std::size_t i = 0; i < sentinel_ports_.size(); ++i) {
    url += (i ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(sentinel_ports_[i]);
  }
  return url + "/" + kMasterName;
}

int SentinelTopology::PrimaryPort() const {
  for (int port : sentinel_ports_) {
    if (int primary = NamedPrimary(port); primary != 0) return primary;
  }
  return 0;
}

std::string SentinelTopology::Role(int port) const {
  OwnedReply r = Ask(port, {"ROLE"}, true);
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements == 0) return "";
  return Text(r->element[0]);
}

bool SentinelTopology::WaitForRole(int port, const std::string& role, int timeout_ms) const {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    OwnedReply r = Ask(port, {"ROLE"}, true);
    if (r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements > 0 && Text(r->element[0]) == role) {
      // A replica: ["slave", host, port, state, offset]; wait for "connected".
      if (role != "slave" || (r->elements > 3 && Text(r->element[3]) == "connected")) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int SentinelTopology::Failover() {
  const int old_port = PrimaryPort();
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  std::string last;
  while (true) {
    OwnedReply r = Ask(sentinel_ports_[0], {"SENTINEL", "FAILOVER", kMasterName}, false);
    last = Text(r.get());
    if (r != nullptr && r->type == REDIS_REPLY_STATUS) break;
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "SENTINEL FAILOVER kept failing: " << last;
      Dump();
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  while (Clock::now() < deadline) {
    int named = 0;
    bool agreed = true;
    for (int port : sentinel_ports_) {
      const int p = NamedPrimary(port);
      agreed = agreed && p != 0 && p != old_port && (named == 0 || p == named);
      named = p;
    }
    if (agreed && Role(named) == "master") return named;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "the failover from port " << old_port << " did not complete within 20 s";
  Dump();
  return 0;
}

void SentinelTopology::Kill(int port) {
  for (std::size_t i = 0; i < data_ports_.size(); ++i) {
    if (data_ports_[i] != port || data_pids_[i] <= 0) continue;
    ::kill(data_pids_[i], SIGKILL);
    StopRedis(data_pids_[i]);  // reaps it
    data_pids_[i] = -1;
  }
}

void SentinelTopology::Restart(int port) {
  for (std::size_t i = 0; i < data_ports_.size(); ++i) {
    if (data_ports_[i] == port && data_pids_[i] <= 0) data_pids_[i] = StartData(i);
  }
}

std::string SentinelTopology::Run(int port, const std::vector<std::string>& args) const {
  OwnedReply r = Ask(port, args, true);
  return Text(r.get());
}

void SentinelTopology::Dump() const {
  for (int port : data_ports_) PrintRedisLog(dir_ + "/node" + std::to_string(port) + "/redis.log");
  for (int port : sentinel_ports_) PrintRedisLog(dir_ + "/sentinel" + std::to_string(port) + "/sentinel.log");
}

}  // namespace helpline::testing
