// fake_provider: tests/support/fake_provider.h as a process, for end-to-end
// tests that run the real daemon against a fake provider REST API.
//
//   fake_provider [--port-file PATH] [--record PATH] [--status N] [--body TEXT]
//                 [--delay-ms N] [--fail-every N] [--fail-status N]
//                 [--retry-after VALUE] [--close-every N] [--no-idempotency]
//
// Prints "port=N" on stdout once listening (and writes N to --port-file),
// appends every request to --record as one JSON object per line
// ({"n":1,"method":"POST","target":"/...","headers":{...},"body":"..."}),
// and runs until SIGINT or SIGTERM, then prints
// "requests=N delivered=N replays=N" and exits 0.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>

#include "common/json_escape.h"
#include "tests/support/fake_provider.h"

namespace {

using helpline::JsonQuote;
using helpline::testing::FakeProvider;
using helpline::testing::FakeProviderPolicy;
using helpline::testing::FakeRequest;

int Usage(const char* why) {
  std::fprintf(stderr,
               "fake_provider: %s\n"
               "usage: fake_provider [--port-file PATH] [--record PATH] [--status N] [--body TEXT]\n"
               "                     [--delay-ms N] [--fail-every N] [--fail-status N] [--retry-after VALUE]\n"
               "                     [--close-every N] [--no-idempotency]\n",
               why);
  return 2;
}

bool ToInt(const char* s, int& out) {
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < 0 || v > 1000000000) return false;
  out = static_cast<int>(v);
  return true;
}

std::string JsonLine(const FakeRequest& r) {
  std::string out = "{\"n\":" + std::to_string(r.n) + ",\"method\":" + JsonQuote(r.method) +
                    ",\"target\":" + JsonQuote(r.target) + ",\"headers\":{";
  bool first = true;
  for (const auto& [k, v] : r.headers) {
    if (!first) out += ',';
    first = false;
    out += JsonQuote(k) + ":" + JsonQuote(v);
  }
  out += "},\"body\":" + JsonQuote(r.body) + "}\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  FakeProviderPolicy policy;
  std::string record_path;
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--no-idempotency") {
      policy.honour_idempotency = false;
      continue;
    }
    if (i + 1 >= argc) return Usage("missing value");
    const char* value = argv[++i];
    bool ok = true;
    if (flag == "--record") {
      record_path = value;
    } else if (flag == "--port-file") {
      port_file = value;
    } else if (flag == "--status") {
      ok = ToInt(value, policy.status);
    } else if (flag == "--body") {
      policy.body = value;
    } else if (flag == "--delay-ms") {
      ok = ToInt(value, policy.delay_ms);
    } else if (flag == "--fail-every") {
      ok = ToInt(value, policy.fail_every);
    } else if (flag == "--fail-status") {
      ok = ToInt(value, policy.fail_status);
    } else if (flag == "--retry-after") {
      policy.retry_after = value;
    } else if (flag == "--close-every") {
      ok = ToInt(value, policy.close_every);
    } else {
      return Usage("unknown flag");
    }
    if (!ok) return Usage("bad number");
  }
  policy.keep_requests = false;  // a long-running process: the record file has them

  // Block the signals before any thread starts, then wait for them here.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::ofstream record;
  if (!record_path.empty()) {
    record.open(record_path, std::ios::app);
    if (!record) return Usage("cannot open the record file");
  }
  std::mutex record_mu;
  FakeProvider provider(policy);
  if (record.is_open()) {
    provider.SetOnRequest([&](const FakeRequest& r) {
      std::lock_guard<std::mutex> lock(record_mu);
      record << JsonLine(r) << std::flush;
    });
  }
  if (!port_file.empty()) {
    std::ofstream(port_file) << provider.port() << "\n";
  }
  std::cout << "port=" << provider.port() << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  provider.SetOnRequest(nullptr);
  std::cout << "requests=" << provider.request_count() << " delivered=" << provider.delivered_total()
            << " replays=" << provider.replays() << std::endl;
  return 0;
}
