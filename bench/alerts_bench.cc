// alerts_bench: how long `helpline alert send` takes to queue an alert for N
// subscribers, beside the outbox's bare enqueue rate measured in the same run.
//
//   alerts_bench [N=100000]
//
// Starts a redis-server (unix socket); seeds N confirmed subscribers of
// CA-BC (numbers sealed with AES-256-GCM, pipelined writes, not timed as
// part of the alert); then on one loop thread:
//   1. bare:  N Outbox::Enqueue calls of plain messages, 1000 outstanding;
//   2. alert: `helpline alert send --region CA-BC` (the real CLI code: SSCAN
//             pages, HMGET + decrypt, Enqueue per subscriber, recipient set).
// Target (issue 13): the alert queued in at most 5 s for 100,000.

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/alerts/alert_cli.h"
#include "daemon/alerts/number_cipher.h"
#include "daemon/curl_multi.h"
#include "daemon/outbox.h"
#include "daemon/sender_store.h"
#include "redis/async_client.h"
#include "redis/url.h"
#include "tests/support/redis_server.h"

namespace {

using namespace helpline;
using Clock = std::chrono::steady_clock;

class QueueOnly : public gateway::OutboundAdapter {
 public:
  std::string_view provider() const override { return "twilio"; }
  Result<gateway::OutboundRequest> BuildSend(const gateway::OutboundMessage&) const override {
    return FailedPrecondition("bench: queue only");
  }
  gateway::DeliveryDecision ClassifySend(const gateway::HttpResult&) const override { return {}; }
};

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100000;
  setenv("HELPLINE_ALERTS_KEY", "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
  testing::RedisServer server;
  boost::asio::io_context io;
  auto url = redis::ParseUrl(server.Url());
  redis::AsyncClient::Options ro;
  ro.command_timeout_ms = 60000;  // a loaded machine must slow the run down, not drop commands
  redis::AsyncClient redis(io, *url, ro);
  redis.Start();
  while (!redis.connected()) io.run_one_for(std::chrono::milliseconds(20));
  auto cipher = daemon::alerts::NumberCipher::FromEnvironment();

  // Seed N subscribers.
  auto t0 = Clock::now();
  long pending = 0, seed_errors = 0;
  for (long i = 0; i < n; ++i) {
    const std::string number = "+1604" + std::to_string(1000000 + i);
    const std::string hash = daemon::SenderHash("bench", number);
    const char* lang = i % 3 == 0 ? "fr" : (i % 3 == 1 ? "es" : "en");
    pending += 2;
    auto done = [&pending, &seed_errors](Result<redis::Value> r) {
      --pending;
      if (!r.ok() || r->is_error()) ++seed_errors;
    };
    redis.Command({"HSET", "hl:alert:sub:" + hash, "region", "CA-BC", "lang", lang, "provider", "twilio", "channel",
                   "sms", "from", "+15005550006", "since", "0", "num", *cipher->Seal(number, hash)},
                  done);
    redis.Command({"SADD", "hl:alert:region:CA-BC", hash}, done);
    while (pending > 2000) io.run_one();
  }
  while (pending > 0) io.run_one();
  redis.Command({"SADD", "hl:alert:regions", "CA-BC"}, [](Result<redis::Value>) {});
  const double seed_s = std::chrono::duration<double>(Clock::now() - t0).count();

  // 1. The outbox's bare enqueue rate.
  daemon::CurlMulti http(io);
  QueueOnly adapter;
  daemon::OutboxOptions oo;
  oo.prefix = "bare:";
  oo.log = false;
  daemon::Outbox outbox(redis, http, {{"twilio", &adapter}}, oo);
  t0 = Clock::now();
  long outstanding = 0, failed = 0;
  for (long i = 0; i < n; ++i) {
    ++outstanding;
    outbox.Enqueue(
        {"bare:" + std::to_string(i), "twilio", gateway::MessageChannel::kSms, "+1604" + std::to_string(1000000 + i),
         "+15005550006", "Fentanyl in grey pills. Reply LEAVE to stop alerts."},
        [&](Status s) {
          --outstanding;
          if (!s.ok()) ++failed;
        });
    while (outstanding >= 1000) io.run_one();
  }
  while (outstanding > 0) io.run_one();
  const double bare_s = std::chrono::duration<double>(Clock::now() - t0).count();

  // 2. The alert, through the real CLI code.
  const std::string text_path = "/tmp/alerts_bench_text.txt";
  std::ofstream(text_path) << "Fentanyl in grey pills in Vancouver. Test your drugs, do not use alone.";
  daemon::alerts::AlertsArgs args;
  args.positional = {"send"};
  args.options = {{"--region", "CA-BC"},
                  {"--text-en", text_path},
                  {"--id", "bench"},
                  {"--redis", server.Url()},
                  {"--quiet-hours", "off"}};  // the same work whatever the hour
  args.flags = {"--json"};
  std::ostringstream out, err;
  t0 = Clock::now();
  const int code = daemon::alerts::RunAlertsCli("alert", args, out, err, false);
  const double alert_s = std::chrono::duration<double>(Clock::now() - t0).count();

  std::printf("subscribers        %ld (seeded in %.2f s, %ld errors)\n", n, seed_s, seed_errors);
  std::printf("outbox bare        %.0f enqueues/s (%ld in %.2f s, %ld failed)\n", n / bare_s, n, bare_s, failed);
  std::printf("alert send         %.2f s for %ld subscribers = %.0f/s (exit %d), %.2fx the bare enqueue time\n",
              alert_s, n, n / alert_s, code, alert_s / bare_s);
  std::printf("alert send output  %s", out.str().c_str());
  if (!err.str().empty()) std::printf("stderr: %s", err.str().c_str());
  return code;
}
