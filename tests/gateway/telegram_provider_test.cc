#include "gateway/telegram/telegram_provider.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <variant>

#include "tests/gateway/provider_test_util.h"

namespace helpline::gateway {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kSecretToken = "webhook-secret_0123456789";
constexpr std::string_view kBotToken = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr";

// An update as Telegram sends it for a private-chat text message.
constexpr std::string_view kTextUpdate = R"({
  "update_id": 918273645,
  "message": {
    "message_id": 42,
    "from": {"id": 555000111, "is_bot": false, "first_name": "A", "language_code": "en"},
    "chat": {"id": 555000111, "first_name": "A", "type": "private"},
    "date": 1717243200,
    "text": "where can I get naloxone"
  }
})";

// A request's owned storage; request() views into it.
struct Req {
  std::string method = "POST";
  std::string content_type = "application/json";
  std::string body = std::string(kTextUpdate);
  std::string token = std::string(kSecretToken);
  bool send_token = true;

  WebhookRequest request() const {
    WebhookRequest r{method, "https://helpline.example.org/webhooks/telegram", content_type, body, {}};
    r.headers.emplace_back("content-type", content_type);
    if (send_token) r.headers.emplace_back("x-telegram-bot-api-secret-token", token);
    return r;
  }
};

TelegramConfig Config() {
  return TelegramConfig{.bot_token = std::string(kBotToken), .secret_token = std::string(kSecretToken)};
}

ParsedWebhook ParseWith(const TelegramConfig& config, const Req& req) {
  return TelegramProvider(config).Parse(req.request(), system_clock::now());
}

InboundMessage ParseMessage(const Req& req) {
  ParsedWebhook parsed = ParseWith(Config(), req);
  if (const auto* error = std::get_if<WebhookError>(&parsed)) {
    ADD_FAILURE() << "refused: " << error->http_status << " " << error->reason;
    return {};
  }
  if (!std::holds_alternative<InboundEvent>(parsed)) {
    ADD_FAILURE() << "not a message (index " << parsed.index() << ")";
    return {};
  }
  return std::get<InboundEvent>(parsed).message;
}

WebhookError ParseError(const TelegramConfig& config, const Req& req) {
  ParsedWebhook parsed = ParseWith(config, req);
  if (const auto* error = std::get_if<WebhookError>(&parsed)) return *error;
  ADD_FAILURE() << "accepted (index " << parsed.index() << ")";
  return {0, ""};
}

WebhookError ParseError(const Req& req) { return ParseError(Config(), req); }

bool IsIgnored(const Req& req) { return std::holds_alternative<Ignored>(ParseWith(Config(), req)); }

// True when `s` is valid UTF-8 (what RapidJSON's validating parser accepts).
bool IsValidUtf8(const std::string& s) {
  rapidjson::Document d;
  const std::string json = "\"" + s + "\"";
  d.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str(), json.size());
  return !d.HasParseError();
}

// Length of `s` in UTF-16 code units (s is valid UTF-8).
std::size_t Utf16Units(const std::string& s) {
  std::size_t units = 0;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte
    units += b >= 0xF0 ? 2 : 1;
  }
  return units;
}

// ---------------------------------------------------------------------------
// The secret token.

TEST(TelegramProviderTest, AcceptsTheRightSecretToken) {
  const InboundMessage m = ParseMessage(Req{});
  EXPECT_EQ(m.provider, "telegram");
  EXPECT_EQ(m.channel, MessageChannel::kChat);
  EXPECT_EQ(m.id, "918273645");
  EXPECT_EQ(m.from, "tg:555000111");
  EXPECT_EQ(m.to, "");
  EXPECT_EQ(m.text, "where can I get naloxone");
  EXPECT_EQ(m.language_hint, "en");  // from.language_code
}

TEST(TelegramProviderTest, RefusesAWrongSecretToken) {
  Req req;
  req.token = "webhook-secret_0123456788";
  const WebhookError e = ParseError(req);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "invalid X-Telegram-Bot-Api-Secret-Token");
  req.token = std::string(kSecretToken) + "x";  // a longer token with the right prefix
  EXPECT_EQ(ParseError(req).http_status, 403);
}

TEST(TelegramProviderTest, RefusesAMissingSecretToken) {
  Req req;
  req.send_token = false;
  const WebhookError e = ParseError(req);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "missing X-Telegram-Bot-Api-Secret-Token");
  req.send_token = true;
  req.token = "";
  EXPECT_EQ(ParseError(req).reason, "missing X-Telegram-Bot-Api-Secret-Token");
}

TEST(TelegramProviderTest, FailsClosedWithoutAConfiguredSecret) {
  TelegramConfig config = Config();
  config.secret_token.clear();
  Req req;
  req.token = "";
  const WebhookError e = ParseError(config, req);
  EXPECT_EQ(e.http_status, 500);
  EXPECT_EQ(e.reason, "telegram secret token not configured");
}

TEST(TelegramProviderTest, RefusesOtherMethodsContentTypesAndHugeBodies) {
  Req get;
  get.method = "GET";
  EXPECT_EQ(ParseError(get).http_status, 405);
  Req form;
  form.content_type = "application/x-www-form-urlencoded";
  EXPECT_EQ(ParseError(form).http_status, 415);
  Req big;
  big.body = std::string(TelegramProvider::kMaxBodyBytes + 1, ' ');
  EXPECT_EQ(ParseError(big).http_status, 413);
  Req with_charset;
  with_charset.content_type = "Application/JSON; charset=utf-8";
  EXPECT_EQ(ParseMessage(with_charset).id, "918273645");
}

// ---------------------------------------------------------------------------
// Updates.

TEST(TelegramProviderTest, GroupChatsHaveNegativeIds) {
  Req req;
  req.body = R"({"update_id":7,"message":{"message_id":1,"from":{"id":555000111},)"
             R"("chat":{"id":-1001234567890,"type":"supergroup","title":"g"},"date":1,"text":"help"}})";
  EXPECT_EQ(ParseMessage(req).from, "tg:-1001234567890");
}

TEST(TelegramProviderTest, IgnoresEditedMessages) {
  Req req;
  req.body = R"({"update_id":8,"edited_message":{"message_id":1,"chat":{"id":5,"type":"private"},)"
             R"("date":1,"edit_date":2,"text":"edited"}})";
  const ParsedWebhook parsed = ParseWith(Config(), req);
  ASSERT_TRUE(std::holds_alternative<Ignored>(parsed));
  EXPECT_EQ(std::get<Ignored>(parsed).why, "telegram edited message");
}

TEST(TelegramProviderTest, IgnoresUpdatesWithoutText) {
  const std::string bodies[] = {
      // a sticker
      R"({"update_id":9,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"date":1,)"
      R"("sticker":{"file_id":"x","width":512,"height":512}}})",
      // a photo with a caption
      R"({"update_id":10,"message":{"message_id":2,"chat":{"id":5,"type":"private"},"date":1,)"
      R"("photo":[{"file_id":"y","width":90,"height":90}],"caption":"look"}})",
      // a callback query
      R"({"update_id":11,"callback_query":{"id":"1","from":{"id":5},"data":"x"}})",
      // the bot added to a chat
      R"({"update_id":12,"my_chat_member":{"chat":{"id":5},"from":{"id":5},"date":1}})",
      // text of the wrong type
      R"({"update_id":13,"message":{"message_id":3,"chat":{"id":5},"date":1,"text":17}})",
  };
  for (const std::string& body : bodies) {
    Req req;
    req.body = body;
    EXPECT_TRUE(IsIgnored(req)) << body;
  }
}

TEST(TelegramProviderTest, TheStartCommandBecomesAnEmptyText) {
  for (const std::string start : {"/start", "/start@HelplineBot", "/start campaign-7"}) {
    Req req;
    req.body = R"({"update_id":14,"message":{"message_id":1,"chat":{"id":5},"date":1,"text":")" + start + "\"}}";
    EXPECT_EQ(ParseMessage(req).text, "") << start;
  }
  Req not_start;
  not_start.body = R"({"update_id":15,"message":{"message_id":1,"chat":{"id":5},"date":1,"text":"/startle"}})";
  EXPECT_EQ(ParseMessage(not_start).text, "/startle");
}

TEST(TelegramProviderTest, RefusesMalformedUpdates) {
  const std::string bodies[] = {
      "",
      "not json",
      "[]",
      R"({"message":{"chat":{"id":5},"text":"hi"}})",                            // no update_id
      R"({"update_id":"16","message":{"chat":{"id":5},"text":"hi"}})",           // update_id a string
      R"({"update_id":1.5,"message":{"chat":{"id":5},"text":"hi"}})",            // not an integer
      "{\"update_id\":17,\"message\":{\"chat\":{\"id\":5},\"text\":\"\xC3\"}}",  // invalid UTF-8
  };
  for (const std::string& body : bodies) {
    Req req;
    req.body = body;
    const WebhookError e = ParseError(req);
    EXPECT_EQ(e.http_status, 400) << body;
    EXPECT_EQ(e.reason, "malformed update") << body;
  }
  for (const std::string body :
       {R"({"update_id":18,"message":{"text":"hi"}})", R"({"update_id":19,"message":{"chat":{"id":"5"},"text":"hi"}})",
        R"({"update_id":20,"message":{"chat":5,"text":"hi"}})"}) {
    Req req;
    req.body = body;
    EXPECT_EQ(ParseError(req).reason, "malformed message") << body;
  }
}

TEST(TelegramProviderTest, ReasonsNeverQuoteTheTextOrSecrets) {
  Req wrong;
  wrong.token = "nope";
  Req bad;
  bad.body = R"({"update_id":21,"message":{"chat":{"id":"x"},"text":"where can I get naloxone"}})";
  for (const Req& req : {wrong, bad}) {
    const WebhookError e = ParseError(req);
    EXPECT_EQ(e.reason.find("naloxone"), std::string::npos);
    EXPECT_EQ(e.reason.find(kSecretToken), std::string::npos);
  }
}

// ---------------------------------------------------------------------------
// Inline replies.

InboundMessage From(std::string from) {
  InboundMessage m;
  m.provider = "telegram";
  m.from = std::move(from);
  return m;
}

TEST(TelegramProviderTest, RendersASendMessageCall) {
  const TelegramProvider telegram(Config());
  EXPECT_TRUE(telegram.replies_inline());
  const WebhookResponse r =
      telegram.RenderInline(From("tg:-1001234567890"), InlineReply{"Naloxone: \"Main St\" pharmacy\n\u00e9 \\", "[]"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  const rapidjson::Document d = ParseJson(r.body);
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["method"].GetString(), "sendMessage");
  ASSERT_TRUE(d["chat_id"].IsInt64());  // a JSON number, not a string
  EXPECT_EQ(d["chat_id"].GetInt64(), -1001234567890);
  EXPECT_EQ(std::string(d["text"].GetString(), d["text"].GetStringLength()),
            "Naloxone: \"Main St\" pharmacy\n\u00e9 \\");
}

TEST(TelegramProviderTest, AnEmptyReplyOrUnknownChatSendsNothing) {
  const TelegramProvider telegram(Config());
  const WebhookResponse empty = telegram.RenderInline(From("tg:5"), InlineReply{"", "[]"});
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "");
  for (const std::string from : {"+16045550123", "tg:", "tg:12a", "tg:-", "tg:1234567890123456789", ""}) {
    const WebhookResponse r = telegram.RenderInline(From(from), InlineReply{"hello", "[]"});
    EXPECT_EQ(r.status, 200) << from;
    EXPECT_EQ(r.body, "") << from;
  }
  const WebhookResponse ack = telegram.RenderAcknowledge();
  EXPECT_EQ(ack.status, 200);
  EXPECT_EQ(ack.body, "");
}

TEST(TelegramProviderTest, CutsALongReplyAtALineBreak) {
  std::string lines;
  while (lines.size() < 4000) lines += "A resource line, with spaces in it.\n";
  // The 4096th character falls inside the long word; the cut goes back to
  // the line break before it (not to a space in the word's line).
  const std::string text = lines + "Tail line " + std::string(200, 'x') + "\nmore";
  const WebhookResponse r = TelegramProvider(Config()).RenderInline(From("tg:5"), InlineReply{text, "[]"});
  const rapidjson::Document d = ParseJson(r.body);
  const std::string sent(d["text"].GetString(), d["text"].GetStringLength());
  EXPECT_LE(sent.size(), TelegramProvider::kMaxTextUnits);
  EXPECT_EQ(sent, lines.substr(0, lines.size() - 1));  // without the trailing line break
}

TEST(TelegramProviderTest, CutsMultibyteTextAtACodePointBoundary) {
  // 3000 × "é" (2 bytes, 1 UTF-16 unit) + 600 × "😀" (4 bytes, 2 units): 4200 units, no spaces.
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "\xC3\xA9";
  for (int i = 0; i < 600; ++i) text += "\xF0\x9F\x98\x80";
  const std::string cut = TelegramProvider::FitText(text);
  EXPECT_TRUE(IsValidUtf8(cut));
  EXPECT_EQ(Utf16Units(cut), 4096u);  // 3000 + 548 × 2
  EXPECT_EQ(cut, text.substr(0, 3000 * 2 + 548 * 4));
}

TEST(TelegramProviderTest, FitTextRepairsInvalidUtf8AndKeepsShortTextsWhole) {
  EXPECT_EQ(TelegramProvider::FitText("ok \xFF end"), "ok \xEF\xBF\xBD end");
  EXPECT_EQ(TelegramProvider::FitText(std::string(4096, 'a')), std::string(4096, 'a'));
  EXPECT_EQ(TelegramProvider::FitText(std::string(4097, 'a')), std::string(4096, 'a'));
  // A space in the last quarter is the next best cut.
  const std::string words = std::string(4000, 'a') + " " + std::string(200, 'b');
  EXPECT_EQ(TelegramProvider::FitText(words), std::string(4000, 'a'));
}

// ---------------------------------------------------------------------------
// Sending.

OutboundMessage Reply(std::string to = "tg:-1001234567890", std::string text = "Naloxone at Main St pharmacy") {
  return OutboundMessage{.id = "telegram:918273645",
                         .provider = "telegram",
                         .channel = MessageChannel::kChat,
                         .to = std::move(to),
                         .from = "",
                         .text = std::move(text)};
}

TEST(TelegramProviderTest, BuildsASendMessageRequest) {
  TelegramConfig config = Config();
  config.api_base = "http://127.0.0.1:9000/";
  const Result<OutboundRequest> req = TelegramProvider(config).BuildSend(Reply());
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->method, "POST");
  EXPECT_EQ(req->url, "http://127.0.0.1:9000/bot" + std::string(kBotToken) + "/sendMessage");
  ASSERT_EQ(req->headers.size(), 1u);
  EXPECT_EQ(req->headers[0].first, "Content-Type");
  EXPECT_EQ(req->headers[0].second, "application/json");
  const rapidjson::Document d = ParseJson(req->body);
  EXPECT_EQ(d["chat_id"].GetInt64(), -1001234567890);
  EXPECT_STREQ(d["text"].GetString(), "Naloxone at Main St pharmacy");
  EXPECT_FALSE(d.HasMember("method"));
  EXPECT_EQ(TelegramProvider(Config()).BuildSend(Reply())->url,
            "https://api.telegram.org/bot" + std::string(kBotToken) + "/sendMessage");
}

TEST(TelegramProviderTest, RefusesToBuildUnsendableMessages) {
  const TelegramProvider telegram(Config());
  EXPECT_EQ(telegram.BuildSend(Reply("+16045550123")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(telegram.BuildSend(Reply("+16045550123")).status().message().find("6045550123"), std::string::npos);
  EXPECT_EQ(telegram.BuildSend(Reply("tg:5", "")).status().code(), StatusCode::kInvalidArgument);
  TelegramConfig no_token = Config();
  no_token.bot_token.clear();
  EXPECT_EQ(TelegramProvider(no_token).BuildSend(Reply()).status().code(), StatusCode::kFailedPrecondition);
}

TEST(TelegramProviderTest, OkTrueIsSentWithTheMessageId) {
  const DeliveryDecision d = TelegramProvider(Config()).ClassifySend(
      Response(200, R"({"ok":true,"result":{"message_id":4711,"chat":{"id":5},"date":1,"text":"x"}})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kSent);
  EXPECT_EQ(d.provider_message_id, "4711");
}

TEST(TelegramProviderTest, A2xxWithoutOkTrueIsMalformed) {
  for (const std::string body : {"", "{}", R"({"ok":false,"error_code":400})", R"({"ok":true,"result":{}})",
                                 R"({"ok":"true","result":{"message_id":1}})"}) {
    const DeliveryDecision d = TelegramProvider(Config()).ClassifySend(Response(200, body));
    EXPECT_EQ(d.verdict, DeliveryVerdict::kFail) << body;
    EXPECT_EQ(d.reason, "telegram 200 malformed") << body;
  }
}

TEST(TelegramProviderTest, TooManyRequestsIsRetriedAfterTheBodysRetryAfter) {
  const DeliveryDecision d = TelegramProvider(Config()).ClassifySend(
      Response(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35",)"
                    R"("parameters":{"retry_after":35}})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  ASSERT_TRUE(d.retry_after.has_value());
  EXPECT_EQ(*d.retry_after, std::chrono::seconds(35));
  EXPECT_EQ(d.reason, "telegram 429 code 429");
}

TEST(TelegramProviderTest, ServerErrorsAreRetried) {
  const DeliveryDecision d =
      TelegramProvider(Config()).ClassifySend(Response(502, "<html>Bad Gateway</html>", {{"Retry-After", "3"}}));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  ASSERT_TRUE(d.retry_after.has_value());
  EXPECT_EQ(*d.retry_after, std::chrono::seconds(3));
}

TEST(TelegramProviderTest, OtherClientErrorsFailWithTheCodeOnly) {
  const DeliveryDecision d = TelegramProvider(Config()).ClassifySend(
      Response(403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kFail);
  EXPECT_EQ(d.reason, "telegram 403 code 403");
}

TEST(TelegramProviderTest, TransportErrorsAreRetriedAndNeverQuoteTheToken) {
  const DeliveryDecision d = TelegramProvider(Config()).ClassifySend(HttpResult{
      .transport_ok = false,
      .status = 0,
      .headers = {},
      .body = "",
      .error = "Failed to connect to https://api.telegram.org/bot" + std::string(kBotToken) + "/sendMessage"});
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.reason.find(kBotToken), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("/bot***/"), std::string::npos) << d.reason;
}

}  // namespace
}  // namespace helpline::gateway
