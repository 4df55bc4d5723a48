// WebhookFlow without HTTP: signed provider requests handed straight to the
// flow, with the shipped engine and directory, a real redis-server behind the
// sender store and the outbox, and Redis failures injected by redis::Faults
// (the clients still talk to the real server for everything else). What is
// pinned here is what the flow did inside app.cc before it moved out.

#include "daemon/webhook_flow.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/curl_multi.h"
#include "directory/validator.h"
#include "gateway/form_urlencoded.h"
#include "gateway/registry.h"
#include "gateway/twilio/twilio_signature.h"
#include "gateway/vonage/vonage_signature.h"
#include "redis/async_client.h"
#include "tests/support/loop.h"
#include "tests/support/raw_redis.h"
#include "tests/support/redis_server.h"

namespace helpline::daemon {
namespace {

using namespace std::chrono_literals;
using helpline::testing::RawRedis;
using helpline::testing::RedisServer;

constexpr std::string_view kSecret = "flow-test-secret";
constexpr std::string_view kBase = "https://help.example.org";
constexpr std::string_view kTwilioToken = "twilio-token";
constexpr std::string_view kVonageSecret = "vonage-secret";
constexpr std::string_view kNumber = "+16045550123";

const engine::MessageEngine& Engine() {
  static const engine::MessageEngine e = [] {
    auto loaded = engine::LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine");
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return std::move(*loaded);
  }();
  return e;
}

std::shared_ptr<const directory::DirectoryIndex> ShippedIndex() {
  static const std::shared_ptr<const directory::DirectoryIndex> index = [] {
    directory::Validator validator;
    auto report = validator.ValidatePaths({std::string(HELPLINE_SOURCE_DIR) + "/data/directory"});
    EXPECT_TRUE(report.ok());
    return directory::DirectoryIndex::Build(std::move(report.resources), 1);
  }();
  return index;
}

std::unique_ptr<gateway::Provider> MakeProvider(std::string_view name, gateway::ProviderSettings settings) {
  const gateway::ProviderEntry* row = gateway::FindProvider(name);
  EXPECT_NE(row, nullptr) << name;
  return row->make(row->WithDefaults(settings), gateway::ProviderContext{});
}

class WebhookFlowTest : public ::testing::Test {
 protected:
  WebhookFlowTest() : work_(boost::asio::make_work_guard(io_)), raw_(server_.socket_path()) {}

  void SetUp() override {
    // The store and the outbox on connections of their own, so that a fault
    // can be aimed at either.
    store_redis_ = Connect(store_faults_);
    outbox_redis_ = Connect(outbox_faults_);
    ASSERT_NE(store_redis_, nullptr);
    ASSERT_NE(outbox_redis_, nullptr);
    senders_ = std::make_unique<SenderStore>(*store_redis_, SenderStoreOptions{});
    http_ = std::make_unique<CurlMulti>(io_);
    twilio_ = MakeProvider("twilio", {{"auth_token", std::string(kTwilioToken)}});
    vonage_ = MakeProvider("vonage", {{"signature_secret", std::string(kVonageSecret)}});
    Outbox::Adapters adapters{{"twilio", twilio_.get()}, {"vonage", vonage_.get()}};
    outbox_ = std::make_unique<Outbox>(*outbox_redis_, *http_, adapters, OutboxOptions{.consumer = "flow-test:0"});
    flow_ = std::make_unique<WebhookFlow>(
        Engine(), [this] { return directory_; }, *senders_, *outbox_, metrics_,
        WebhookFlowOptions{std::string(kSecret), std::string(kBase)});
  }

  void TearDown() override {
    flow_.reset();
    outbox_.reset();
    http_->Stop();
    store_redis_->Stop();
    outbox_redis_->Stop();
  }

  std::unique_ptr<redis::AsyncClient> Connect(const std::shared_ptr<redis::Faults>& faults) {
    redis::AsyncClient::Options options;
    options.faults = faults;
    return helpline::testing::ConnectOnLoop(io_, server_.Url(), std::move(options));
  }

  template <typename Pred>
  bool RunUntil(Pred pred) {
    return helpline::testing::RunLoopUntil(io_, pred);
  }

  // Hands `request` to the flow and waits for its answer.
  WebhookAnswer Send(const gateway::Provider& provider, const HttpRequest& request) {
    std::optional<WebhookAnswer> answer;
    int answers = 0;
    flow_->Handle(provider, request, [&](WebhookAnswer a) {
      ++answers;
      answer = std::move(a);
    });
    EXPECT_TRUE(RunUntil([&] { return answer.has_value(); }));
    EXPECT_EQ(answers, 1);
    return answer.value_or(WebhookAnswer{Text(599, "no answer"), "none", ""});
  }

  // A Twilio SMS from kNumber, signed as Twilio signs it.
  static HttpRequest Twilio(std::string_view sid, std::string_view body) {
    const gateway::FormParams params{{"MessageSid", std::string(sid)},
                                     {"From", std::string(kNumber)},
                                     {"To", "+16045550000"},
                                     {"Body", std::string(body)}};
    const std::string target = "/webhooks/twilio";
    const std::string signature = gateway::TwilioSignature(kTwilioToken, std::string(kBase) + target, params);
    return HttpRequest{"POST",
                       target,
                       {{"content-type", "application/x-www-form-urlencoded"}, {"x-twilio-signature", signature}},
                       gateway::FormEncode(params),
                       "req-1"};
  }

  // A Vonage SMS from kNumber (without the '+'), signed now.
  static HttpRequest Vonage(std::string_view id, std::string_view text) {
    gateway::FormParams params{{"msisdn", std::string(kNumber.substr(1))},
                               {"to", "16045550000"},
                               {"messageId", std::string(id)},
                               {"text", std::string(text)},
                               {"type", "text"},
                               {"timestamp", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                                std::chrono::system_clock::now().time_since_epoch())
                                                                .count())}};
    params.emplace_back("sig",
                        gateway::VonageSignature(gateway::VonageSignatureMethod::kMd5Hash, kVonageSecret, params));
    return HttpRequest{"POST",
                       "/webhooks/vonage",
                       {{"content-type", "application/x-www-form-urlencoded"}},
                       gateway::FormEncode(params),
                       "req-2"};
  }

  std::string Hash() const { return SenderHash(kSecret, kNumber); }

  std::string Metric(std::string_view outcome) const {
    const std::string text = metrics_.Render();
    const std::string series = "helpline_webhook_messages_total{outcome=\"" + std::string(outcome) + "\"} ";
    const auto at = text.find(series);
    if (at == std::string::npos) return "absent";
    return text.substr(at + series.size(), text.find('\n', at) - at - series.size());
  }

  RedisServer server_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  RawRedis raw_;
  std::shared_ptr<redis::Faults> store_faults_ = std::make_shared<redis::Faults>();
  std::shared_ptr<redis::Faults> outbox_faults_ = std::make_shared<redis::Faults>();
  std::unique_ptr<redis::AsyncClient> store_redis_;
  std::unique_ptr<redis::AsyncClient> outbox_redis_;
  std::unique_ptr<SenderStore> senders_;
  std::unique_ptr<CurlMulti> http_;
  std::unique_ptr<gateway::Provider> twilio_;
  std::unique_ptr<gateway::Provider> vonage_;
  std::unique_ptr<Outbox> outbox_;
  Metrics metrics_;
  std::shared_ptr<const directory::DirectoryIndex> directory_ = ShippedIndex();
  std::unique_ptr<WebhookFlow> flow_;
};

TEST_F(WebhookFlowTest, AGenuineStopIsStoredAndConfirmedInline) {
  const WebhookAnswer a = Send(*twilio_, Twilio("SM100", "STOP"));
  EXPECT_EQ(a.response.status, 200);
  EXPECT_EQ(a.outcome, "answered");
  EXPECT_EQ(a.sender, Hash());
  EXPECT_NE(a.response.body.find("<Response>"), std::string::npos) << a.response.body;
  EXPECT_EQ(raw_.Field("hl:sender:" + Hash(), "opted_out"), "1");
  // The reply is recorded for redeliveries ("=" + reply).
  EXPECT_TRUE(RunUntil([&] { return raw_.Str({"GET", "hl:msg:twilio:SM100"}).starts_with("="); }));
  EXPECT_EQ(Metric("answered"), "1");

  // Anything after it is answered as opted out.
  EXPECT_EQ(Send(*twilio_, Twilio("SM101", "naloxone")).outcome, "opted_out");
}

TEST_F(WebhookFlowTest, ARedeliveredIdGetsTheSameReplyAsADuplicate) {
  const WebhookAnswer first = Send(*twilio_, Twilio("SM200", "naloxone BC"));
  ASSERT_EQ(first.outcome, "answered");
  ASSERT_TRUE(RunUntil([&] { return raw_.Str({"GET", "hl:msg:twilio:SM200"}).starts_with("="); }));
  const WebhookAnswer again = Send(*twilio_, Twilio("SM200", "naloxone BC"));
  EXPECT_EQ(again.outcome, "duplicate");
  EXPECT_EQ(again.response.status, 200);
  EXPECT_EQ(again.response.body, first.response.body);
  EXPECT_EQ(raw_.Field("hl:sender:" + Hash(), "rate_count"), "1");  // counted once
  EXPECT_EQ(Metric("duplicate"), "1");
}

TEST_F(WebhookFlowTest, ASafetyMessageIsAnsweredWhileTheStoreDoesNotAnswer) {
  store_faults_->NoAnswer("EVALSHA");  // the admit script
  const WebhookAnswer a = Send(*twilio_, Twilio("SM300", "my friend overdosed and is not breathing"));
  EXPECT_EQ(a.response.status, 200);
  EXPECT_EQ(a.outcome, "redis_unavailable");
  const std::string& body = a.response.body;
  const auto message = body.find("<Message>");
  ASSERT_NE(message, std::string::npos) << body;
  const std::string first_line = body.substr(message, body.find('\n', message) - message);
  EXPECT_NE(first_line.find("911"), std::string::npos) << first_line;
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:sender:" + Hash()}), 0);  // nothing stored
  EXPECT_EQ(Metric("redis_unavailable"), "1");
}

TEST_F(WebhookFlowTest, AStopThatCannotBeStoredGets503NotAFalseConfirmation) {
  store_faults_->NoAnswer("EVALSHA");
  const WebhookAnswer a = Send(*twilio_, Twilio("SM400", "STOP"));
  EXPECT_EQ(a.response.status, 503);
  EXPECT_EQ(a.outcome, "state_not_stored");
  EXPECT_EQ(a.response.body, "state change could not be stored; retry later\n");
}

TEST_F(WebhookFlowTest, AnOutboxProviderIsAcknowledgedOnceTheReplyIsQueued) {
  const WebhookAnswer a = Send(*vonage_, Vonage("V500", "naloxone BC"));
  EXPECT_EQ(a.response.status, 200);
  EXPECT_EQ(a.outcome, "answered");
  EXPECT_EQ(raw_.Str({"GET", "hl:outbox:id:vonage:V500"}), "q");
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 1);
}

TEST_F(WebhookFlowTest, AnOutboxProviderGets503WhenTheReplyCannotBeQueued) {
  outbox_faults_->NoAnswer("EVALSHA");  // the enqueue script
  const WebhookAnswer a = Send(*vonage_, Vonage("V600", "naloxone BC"));
  EXPECT_EQ(a.response.status, 503);
  EXPECT_EQ(a.outcome, "queue_failed");
  EXPECT_EQ(a.response.body, "reply could not be queued; retry later\n");
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:outbox"}), 0);

  // The provider's redelivery is a duplicate and queues the same reply.
  const WebhookAnswer again = Send(*vonage_, Vonage("V600", "naloxone BC"));
  EXPECT_EQ(again.response.status, 200);
  EXPECT_EQ(again.outcome, "duplicate");
  EXPECT_EQ(raw_.Int({"XLEN", "hl:outbox"}), 1);
}

TEST_F(WebhookFlowTest, ABadSignatureIs403AndNothingIsStored) {
  HttpRequest request = Twilio("SM700", "naloxone");
  request.headers[1].second = "AAAA" + request.headers[1].second.substr(4);
  const WebhookAnswer a = Send(*twilio_, request);
  EXPECT_EQ(a.response.status, 403);
  EXPECT_EQ(a.outcome, "bad_signature");
  EXPECT_EQ(a.sender, "");
  EXPECT_TRUE(raw_.AllKeys().empty());
}

TEST_F(WebhookFlowTest, NoDirectoryYetIs503) {
  directory_ = nullptr;
  const WebhookAnswer a = Send(*twilio_, Twilio("SM800", "naloxone"));
  EXPECT_EQ(a.response.status, 503);
  EXPECT_EQ(a.outcome, "not_ready");
  EXPECT_TRUE(raw_.AllKeys().empty());
}

}  // namespace
}  // namespace helpline::daemon
