// ChatProvider: the helpline's own JSON chat webhook (protocol in
// gateway/chat/chat_provider.h). The expected signatures were computed with
// the OpenSSL CLI (command above each), independently of this code base.

#include "gateway/chat/chat_provider.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "gateway/chat/chat_signature.h"
#include "tests/gateway/provider_test_util.h"

namespace helpline::gateway {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::string_view kSecret = "chat-shared-secret-0123456789abcdef";
constexpr std::int64_t kTimestamp = 1717243200;
constexpr std::string_view kTimestampText = "1717243200";

// B='{"id":"m-7f3a9c","from":"user-1234","text":"need naloxone","lang":"es","region":"CA-BC"}'
constexpr std::string_view kBody =
    R"({"id":"m-7f3a9c","from":"user-1234","text":"need naloxone","lang":"es","region":"CA-BC"})";
// printf '%s' "1717243200.$B" | openssl dgst -sha256 -hmac chat-shared-secret-0123456789abcdef
constexpr std::string_view kBodySignature = "sha256=e6bf2ad688197490e4dc5985ca8e288e52ceda7c5a2255c5c0acb8cda291ec6d";

// B2='{"id":"m-2","from":"u-2"}'
constexpr std::string_view kMinimalBody = R"({"id":"m-2","from":"u-2"})";
// printf '%s' "1717243200.$B2" | openssl dgst -sha256 -hmac chat-shared-secret-0123456789abcdef
constexpr std::string_view kMinimalSignature =
    "sha256=95ec3ba455509b1dc2d0684ffd1f3210a18f402dbd1b17cd8526660b58114c49";

// A request's owned storage; request() views into it.
struct Req {
  std::string method = "POST";
  std::string content_type = "application/json";
  std::string body = std::string(kBody);
  std::string timestamp = std::string(kTimestampText);
  std::string signature = std::string(kBodySignature);

  WebhookRequest request() const {
    WebhookRequest r{method, "https://helpline.example.org/webhooks/chat", content_type, body, {}};
    if (!timestamp.empty()) r.headers.emplace_back("x-helpline-timestamp", timestamp);
    if (!signature.empty()) r.headers.emplace_back("x-helpline-signature", signature);
    return r;
  }
};

// A request for `body`, signed with ChatSignature (itself pinned to
// the OpenSSL vectors by SignatureMatchesTheOpensslCli).
Req Signed(std::string body, std::string timestamp = std::string(kTimestampText)) {
  Req req;
  req.signature = ChatSignature(kSecret, timestamp, body);
  req.body = std::move(body);
  req.timestamp = std::move(timestamp);
  return req;
}

ChatConfig Config() { return ChatConfig{.secret = std::string(kSecret)}; }

ParsedWebhook ParseWith(const ChatConfig& config, const Req& req, std::int64_t now = kTimestamp) {
  return ChatProvider(config).Parse(req.request(), At(now));
}

InboundMessage ParseMessage(const Req& req, std::int64_t now = kTimestamp) {
  ParsedWebhook parsed = ParseWith(Config(), req, now);
  if (const auto* error = std::get_if<WebhookError>(&parsed)) {
    ADD_FAILURE() << "refused: " << error->http_status << " " << error->reason;
    return {};
  }
  if (!std::holds_alternative<InboundEvent>(parsed)) {
    ADD_FAILURE() << "not a message (index " << parsed.index() << ")";
    return {};
  }
  EXPECT_FALSE(std::get<InboundEvent>(parsed).concat.has_value());
  return std::get<InboundEvent>(parsed).message;
}

WebhookError ParseError(const ChatConfig& config, const Req& req, std::int64_t now = kTimestamp) {
  ParsedWebhook parsed = ParseWith(config, req, now);
  if (const auto* error = std::get_if<WebhookError>(&parsed)) return *error;
  ADD_FAILURE() << "accepted (index " << parsed.index() << ")";
  return {0, ""};
}

WebhookError ParseError(const Req& req, std::int64_t now = kTimestamp) { return ParseError(Config(), req, now); }

// ---------------------------------------------------------------------------
// Signature and timestamp.

TEST(ChatProviderTest, SignatureMatchesTheOpensslCli) {
  EXPECT_EQ(ChatSignature(kSecret, kTimestampText, kBody), kBodySignature);
  EXPECT_EQ(ChatSignature(kSecret, kTimestampText, kMinimalBody), kMinimalSignature);
}

TEST(ChatProviderTest, AcceptsASignedMessage) {
  const InboundMessage m = ParseMessage(Req{});
  EXPECT_EQ(m.provider, "chat");
  EXPECT_EQ(m.channel, MessageChannel::kChat);
  EXPECT_EQ(m.id, "m-7f3a9c");
  EXPECT_EQ(m.from, "chat:user-1234");
  EXPECT_EQ(m.to, "");
  EXPECT_EQ(m.text, "need naloxone");
  EXPECT_EQ(m.from_country, "CA");
  EXPECT_EQ(m.from_state, "BC");
  EXPECT_EQ(m.language_hint, "es");
}

TEST(ChatProviderTest, AcceptsAMinimalMessage) {
  Req req;
  req.body = std::string(kMinimalBody);
  req.signature = std::string(kMinimalSignature);
  const InboundMessage m = ParseMessage(req);
  EXPECT_EQ(m.id, "m-2");
  EXPECT_EQ(m.from, "chat:u-2");
  EXPECT_EQ(m.text, "");
  EXPECT_EQ(m.from_country, "");
  EXPECT_EQ(m.from_state, "");
  EXPECT_EQ(m.language_hint, "");
}

TEST(ChatProviderTest, AcceptsUpperCaseHex) {
  Req req;
  req.signature = "sha256=E6BF2AD688197490E4DC5985CA8E288E52CEDA7C5A2255C5C0ACB8CDA291EC6D";
  EXPECT_EQ(ParseMessage(req).id, "m-7f3a9c");
}

TEST(ChatProviderTest, RefusesATamperedBody) {
  Req req;
  req.body = R"({"id":"m-7f3a9c","from":"user-1234","text":"need naloxone!","lang":"es","region":"CA-BC"})";
  const WebhookError e = ParseError(req);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "invalid X-Helpline-Signature");
}

TEST(ChatProviderTest, RefusesATamperedTimestamp) {
  // The body's signature with a fresh timestamp: the timestamp is signed too.
  Req req;
  req.timestamp = "1717243260";
  EXPECT_EQ(ParseError(req, kTimestamp + 60).reason, "invalid X-Helpline-Signature");
}

TEST(ChatProviderTest, RefusesAWrongSecretOrMalformedSignature) {
  ChatConfig other = Config();
  other.secret = "another-secret";
  EXPECT_EQ(ParseError(other, Req{}).reason, "invalid X-Helpline-Signature");
  const std::string hex(kBodySignature.substr(7));
  for (const std::string& sig : std::vector<std::string>{hex, "sha1=" + hex, "SHA256=" + hex, "sha256=" + hex + "00",
                                                         "sha256=", "sha256=" + hex.substr(0, 63)}) {
    Req req;
    req.signature = sig;
    EXPECT_EQ(ParseError(req).reason, "invalid X-Helpline-Signature") << sig;
  }
}

TEST(ChatProviderTest, RefusesMissingHeaders) {
  Req no_sig;
  no_sig.signature = "";
  EXPECT_EQ(ParseError(no_sig).reason, "missing X-Helpline-Signature");
  Req no_ts;
  no_ts.timestamp = "";
  EXPECT_EQ(ParseError(no_ts).reason, "missing X-Helpline-Timestamp");
  for (const std::string ts : {"-1717243200", "1717243200.5", " 1717243200", "17172432OO", "1234567890123456789"}) {
    Req bad_ts = Signed(std::string(kBody), ts);
    const WebhookError e = ParseError(bad_ts);
    EXPECT_EQ(e.http_status, 403) << ts;
    EXPECT_EQ(e.reason, "invalid X-Helpline-Timestamp") << ts;
  }
}

TEST(ChatProviderTest, RefusesStaleAndFutureTimestamps) {
  const Req req;  // signed at kTimestamp
  EXPECT_EQ(ParseError(req, kTimestamp + 301).reason, "stale timestamp");
  EXPECT_EQ(ParseError(req, kTimestamp - 301).reason, "stale timestamp");
  EXPECT_EQ(ParseError(req, kTimestamp + 301).http_status, 403);
  EXPECT_EQ(ParseMessage(req, kTimestamp + 300).id, "m-7f3a9c");
  EXPECT_EQ(ParseMessage(req, kTimestamp - 300).id, "m-7f3a9c");
  ChatConfig strict = Config();
  strict.tolerance = seconds(10);
  EXPECT_EQ(ParseError(strict, req, kTimestamp + 11).reason, "stale timestamp");
}

TEST(ChatProviderTest, FailsClosedWithoutASecret) {
  ChatConfig none = Config();
  none.secret.clear();
  const WebhookError e = ParseError(none, Req{});
  EXPECT_EQ(e.http_status, 500);
  EXPECT_EQ(e.reason, "chat secret not configured");
}

TEST(ChatProviderTest, RefusesOtherMethodsContentTypesAndHugeBodies) {
  Req get;
  get.method = "GET";
  EXPECT_EQ(ParseError(get).http_status, 405);
  Req form;
  form.content_type = "application/x-www-form-urlencoded";
  EXPECT_EQ(ParseError(form).http_status, 415);
  const Req big = Signed(std::string(ChatProvider::kMaxBodyBytes + 1, ' '));
  EXPECT_EQ(ParseError(big).http_status, 413);
  Req charset;
  charset.content_type = "application/json; charset=utf-8";
  EXPECT_EQ(ParseMessage(charset).id, "m-7f3a9c");
}

// ---------------------------------------------------------------------------
// The body (all correctly signed).

TEST(ChatProviderTest, RefusesBadJson) {
  for (const std::string body : {"", "not json", "[]", "\"id\"", R"({"id":"m-1","from":"u-1")",
                                 "{\"id\":\"m-1\",\"from\":\"u-1\",\"text\":\"\xC3\x28\"}"}) {
    const WebhookError e = ParseError(Signed(body));
    EXPECT_EQ(e.http_status, 400) << body;
    EXPECT_EQ(e.reason, "malformed JSON body") << body;
  }
}

TEST(ChatProviderTest, RefusesMissingIdOrFrom) {
  EXPECT_EQ(ParseError(Signed(R"({"from":"u-1","text":"hi"})")).reason, "missing id");
  EXPECT_EQ(ParseError(Signed(R"({"id":"","from":"u-1"})")).reason, "missing id");
  EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","text":"hi"})")).reason, "missing from");
  EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":""})")).reason, "missing from");
}

TEST(ChatProviderTest, RefusesOversizedOrOddIdsAndSenders) {
  const std::string at_limit(ChatProvider::kMaxIdChars, 'a');
  const std::string over_limit(ChatProvider::kMaxIdChars + 1, 'a');
  EXPECT_EQ(ParseMessage(Signed(R"({"id":")" + at_limit + R"(","from":")" + at_limit + R"("})")).from,
            "chat:" + at_limit);
  EXPECT_EQ(ParseError(Signed(R"({"id":")" + over_limit + R"(","from":"u-1"})")).reason, "invalid id");
  EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":")" + over_limit + R"("})")).reason, "invalid from");
  EXPECT_EQ(ParseError(Signed(R"({"id":"m 1","from":"u-1"})")).reason, "invalid id");
  EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":"u\n1"})")).reason, "invalid from");
  EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":"\u00e9"})")).reason, "invalid from");
  EXPECT_EQ(ParseError(Signed(R"({"id":7,"from":"u-1"})")).reason, "invalid id");
  EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":null})")).reason, "invalid from");
}

TEST(ChatProviderTest, RefusesOversizedOrMistypedText) {
  const std::string at_limit(ChatProvider::kMaxTextBytes, 'a');
  EXPECT_EQ(ParseMessage(Signed(R"({"id":"m-1","from":"u-1","text":")" + at_limit + R"("})")).text, at_limit);
  EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":"u-1","text":")" + at_limit + R"(a"})")).reason, "invalid text");
  EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":"u-1","text":["hi"]})")).reason, "invalid text");
}

TEST(ChatProviderTest, RegionHintsFillCountryAndState) {
  const InboundMessage country = ParseMessage(Signed(R"({"id":"m-1","from":"u-1","region":"US"})"));
  EXPECT_EQ(country.from_country, "US");
  EXPECT_EQ(country.from_state, "");
  const InboundMessage state = ParseMessage(Signed(R"({"id":"m-1","from":"u-1","region":"US-WA"})"));
  EXPECT_EQ(state.from_country, "US");
  EXPECT_EQ(state.from_state, "WA");
  for (const std::string region : {"", "C", "ca-bc", "CA-", "CA-BCDE", "CA_BC", "CAN", "CA-B C"}) {
    EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":"u-1","region":")" + region + R"("})")).reason, "invalid region")
        << region;
  }
}

TEST(ChatProviderTest, LanguageHintsAreValidated) {
  EXPECT_EQ(ParseMessage(Signed(R"({"id":"m-1","from":"u-1","lang":"fr-CA"})")).id, "m-1");
  for (const std::string& lang :
       std::vector<std::string>{R"("")", R"("en US")", R"("e\"n")", "3", R"(")" + std::string(36, 'a') + R"(")"}) {
    EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":"u-1","lang":)" + lang + "}")).reason, "invalid lang") << lang;
  }
}

TEST(ChatProviderTest, RefusesRepeatedMembersAndIgnoresUnknownOnes) {
  EXPECT_EQ(ParseError(Signed(R"({"id":"m-1","from":"u-1","from":"u-2"})")).reason, "repeated member");
  EXPECT_EQ(ParseMessage(Signed(R"({"id":"m-1","from":"u-1","client":{"v":2},"extra":[1,2]})")).id, "m-1");
}

TEST(ChatProviderTest, ReasonsNeverQuoteTheBodyOrSecret) {
  const Req requests[] = {Signed(R"({"id":"m-1","from":"+1 604 555 0123","text":"naloxone"})"),
                          Signed(R"({"id":"m-1","from":"u-1","text":"naloxone","region":"+16045550123"})")};
  for (const Req& req : requests) {
    const WebhookError e = ParseError(req);
    EXPECT_EQ(e.reason.find("555"), std::string::npos) << e.reason;
    EXPECT_EQ(e.reason.find("naloxone"), std::string::npos) << e.reason;
    EXPECT_EQ(e.reason.find(kSecret), std::string::npos) << e.reason;
  }
}

// ---------------------------------------------------------------------------
// Responses and the (absent) outbound path.

TEST(ChatProviderTest, RendersTheReplyWithResourcesPassedThrough) {
  const ChatProvider chat(Config());
  EXPECT_TRUE(chat.replies_inline());
  InboundMessage m;
  m.id = "m-\"7f3a9c\"";
  const std::string resources =
      R"([{"id":"r1","name":"Main St Pharmacy","phone":"+16045550199","tags":["naloxone"]},{"id":"r2"}])";
  const WebhookResponse r = chat.RenderInline(m, InlineReply{"Naloxone:\n\u00e9 \"Main St\"", resources});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  const rapidjson::Document d = ParseJson(r.body);
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["id"].GetString(), "m-\"7f3a9c\"");
  EXPECT_STREQ(d["reply"].GetString(), "Naloxone:\n\u00e9 \"Main St\"");
  ASSERT_TRUE(d["resources"].IsArray());
  ASSERT_EQ(d["resources"].Size(), 2u);
  EXPECT_STREQ(d["resources"][0]["name"].GetString(), "Main St Pharmacy");
  EXPECT_STREQ(d["resources"][0]["tags"][0].GetString(), "naloxone");
  EXPECT_NE(r.body.find(resources), std::string::npos);  // verbatim
}

TEST(ChatProviderTest, EmptyResourcesBecomeAnEmptyArray) {
  InboundMessage m;
  m.id = "m-1";
  const rapidjson::Document d = ParseJson(ChatProvider(Config()).RenderInline(m, InlineReply{"", ""}).body);
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["reply"].GetString(), "");
  ASSERT_TRUE(d["resources"].IsArray());
  EXPECT_EQ(d["resources"].Size(), 0u);
}

TEST(ChatProviderTest, AcknowledgesWithOkTrue) {
  const WebhookResponse ack = ChatProvider(Config()).RenderAcknowledge();
  EXPECT_EQ(ack.status, 200);
  EXPECT_EQ(ack.content_type, "application/json");
  const rapidjson::Document d = ParseJson(ack.body);
  ASSERT_TRUE(d.IsObject());
  EXPECT_TRUE(d["ok"].GetBool());
}

TEST(ChatProviderTest, HasNoOutboundPath) {
  const ChatProvider chat(Config());
  EXPECT_EQ(chat.provider(), "chat");
  const Result<OutboundRequest> req = chat.BuildSend(OutboundMessage{.id = "chat:m-1",
                                                                     .provider = "chat",
                                                                     .channel = MessageChannel::kChat,
                                                                     .to = "chat:u-1",
                                                                     .from = "",
                                                                     .text = "hi"});
  EXPECT_EQ(req.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(req.status().message(), "chat replies are inline only");
  EXPECT_EQ(chat.ClassifySend(HttpResult{.transport_ok = true, .status = 200, .headers = {}, .body = "", .error = ""})
                .verdict,
            DeliveryVerdict::kFail);
}

}  // namespace
}  // namespace helpline::gateway
