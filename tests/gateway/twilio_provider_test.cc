#include "gateway/twilio/twilio_provider.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "gateway/form_urlencoded.h"
#include "gateway/twilio/twilio_signature.h"
#include "tests/gateway/provider_test_util.h"

namespace helpline::gateway {
namespace {

constexpr std::string_view kSid = "AC0123456789abcdef0123456789abcdef";
constexpr std::string_view kToken = "0123456789abcdef0123456789abcdef";
// printf %s 'AC0123456789abcdef0123456789abcdef:0123456789abcdef0123456789abcdef' | base64 -w0
constexpr std::string_view kBasicAuth =
    "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjowMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==";
constexpr std::string_view kUrl = "https://helpline.example.org/webhooks/twilio";
constexpr std::string_view kPerson = "+16045550123";
constexpr std::string_view kOurNumber = "+17785550100";
constexpr std::string_view kText = "need narcan near me";
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));

TwilioProvider Provider(std::string_view api_base = "https://api.twilio.com") {
  return TwilioProvider(TwilioConfig{std::string(kSid), std::string(kToken), std::string(api_base)});
}

// A request's owned storage; request() views into it.
struct Signed {
  std::string method = "POST";
  std::string url = std::string(kUrl);
  std::string content_type = "application/x-www-form-urlencoded";
  std::string signature;
  std::string body;

  WebhookRequest request() const { return {method, url, content_type, body, {{"x-twilio-signature", signature}}}; }
};

Signed Sign(const FormParams& params, std::string_view token = kToken, std::string_view url = kUrl) {
  Signed s;
  s.url = url;
  s.body = FormEncode(params);
  s.signature = TwilioSignature(token, url, params);
  return s;
}

FormParams InboundParams() {
  return {
      {"ToCountry", "CA"},
      {"ToState", "BC"},
      {"SmsMessageSid", "SM11111111111111111111111111111111"},
      {"NumMedia", "0"},
      {"FromZip", "V6B"},
      {"SmsSid", "SM11111111111111111111111111111111"},
      {"FromState", "BC"},
      {"SmsStatus", "received"},
      {"FromCity", "VANCOUVER"},
      {"Body", std::string(kText)},
      {"FromCountry", "CA"},
      {"To", std::string(kOurNumber)},
      {"NumSegments", "1"},
      {"MessageSid", "SM11111111111111111111111111111111"},
      {"AccountSid", std::string(kSid)},
      {"From", std::string(kPerson)},
      {"ApiVersion", "2010-04-01"},
  };
}

// What Twilio posts to a message's StatusCallback URL.
FormParams StatusParams(std::string_view status) {
  return {
      {"ApiVersion", "2010-04-01"},
      {"MessageStatus", std::string(status)},
      {"SmsSid", "SM22222222222222222222222222222222"},
      {"SmsStatus", std::string(status)},
      {"To", std::string(kPerson)},
      {"From", std::string(kOurNumber)},
      {"MessageSid", "SM22222222222222222222222222222222"},
      {"AccountSid", std::string(kSid)},
  };
}

ParsedWebhook Parse(const Signed& s) { return Provider().Parse(s.request(), kNow); }

InboundMessage ParseInbound(const Signed& s) {
  ParsedWebhook parsed = Parse(s);
  if (auto* event = std::get_if<InboundEvent>(&parsed)) {
    EXPECT_FALSE(event->concat.has_value());
    return event->message;
  }
  ADD_FAILURE() << "not an inbound message (variant index " << parsed.index() << ")";
  return {};
}

DeliveryStatus ParseStatus(const Signed& s) {
  ParsedWebhook parsed = Parse(s);
  if (auto* status = std::get_if<DeliveryStatus>(&parsed)) return *status;
  if (auto* error = std::get_if<WebhookError>(&parsed)) ADD_FAILURE() << error->http_status << " " << error->reason;
  ADD_FAILURE() << "not a delivery status (variant index " << parsed.index() << ")";
  return {};
}

WebhookError ParseError(const Signed& s) {
  ParsedWebhook parsed = Parse(s);
  if (auto* error = std::get_if<WebhookError>(&parsed)) {
    EXPECT_EQ(error->reason.find("6045550123"), std::string::npos) << error->reason;
    EXPECT_EQ(error->reason.find("narcan"), std::string::npos) << error->reason;
    EXPECT_EQ(error->reason.find(kToken), std::string::npos) << error->reason;
    return *error;
  }
  ADD_FAILURE() << "accepted (variant index " << parsed.index() << "), expected an error";
  return {0, ""};
}

OutboundMessage Reply(MessageChannel channel = MessageChannel::kSms) {
  return OutboundMessage{.id = "twilio:SM11111111111111111111111111111111",
                         .provider = "twilio",
                         .channel = channel,
                         .to = std::string(kPerson),
                         .from = std::string(kOurNumber),
                         .text = "Call 1-800-555-0199 & ask for naloxone"};
}

// --- Inbound messages ---------------------------------------------------------

TEST(TwilioProvider, IsNamedTwilioAndRepliesInline) {
  EXPECT_EQ(Provider().provider(), "twilio");
  EXPECT_TRUE(Provider().replies_inline());
}

TEST(TwilioProvider, ASignedSmsBecomesAnInboundEvent) {
  const InboundMessage m = ParseInbound(Sign(InboundParams()));
  EXPECT_EQ(m.provider, "twilio");
  EXPECT_EQ(m.channel, MessageChannel::kSms);
  EXPECT_EQ(m.from, kPerson);
  EXPECT_EQ(m.to, kOurNumber);
  EXPECT_EQ(m.text, kText);
  EXPECT_EQ(m.id, "SM11111111111111111111111111111111");
  EXPECT_EQ(m.from_state, "BC");
  EXPECT_EQ(m.from_zip, "V6B");
  EXPECT_EQ(m.from_country, "CA");
  EXPECT_EQ(m.from_city, "VANCOUVER");
}

TEST(TwilioProvider, AnInboundMessageWithoutAnyStatusIsStillAMessage) {
  const FormParams params = Without(Without(InboundParams(), "SmsStatus"), "MessageStatus");
  EXPECT_EQ(ParseInbound(Sign(params)).text, kText);
}

TEST(TwilioProvider, AWhatsAppMessageIsChatWithThePrefixStripped) {
  FormParams params = With(InboundParams(), "From", "whatsapp:+16045550123");
  params = With(params, "To", "whatsapp:+14155238886");
  const InboundMessage m = ParseInbound(Sign(params));
  EXPECT_EQ(m.channel, MessageChannel::kChat);
  EXPECT_EQ(m.from, kPerson);
  EXPECT_EQ(m.to, "+14155238886");
}

TEST(TwilioProvider, AcceptsTheSignatureOfTwiliosPublishedExampleAndThenWantsAMessageSid) {
  // The worked example of https://www.twilio.com/docs/usage/webhooks/webhooks-security
  // is a voice webhook: it passes verification and is then refused for lacking
  // a MessageSid (a wrong signature would be 403).
  const FormParams params = {{"CallSid", "CA1234567890ABCDE"},
                             {"Caller", "+14158675310"},
                             {"Digits", "1234"},
                             {"From", "+14158675310"},
                             {"To", "+18005551212"}};
  Signed s;
  s.url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  s.body = FormEncode(params);
  s.signature = "GvWf1cFY/Q7PnoempGyD5oXAezc=";
  const TwilioProvider docs(TwilioConfig{std::string(kSid), "12345"});
  auto parsed = docs.Parse(s.request(), kNow);
  ASSERT_TRUE(std::holds_alternative<WebhookError>(parsed));
  EXPECT_EQ(std::get<WebhookError>(parsed).http_status, 400);
  EXPECT_EQ(std::get<WebhookError>(parsed).reason, "missing MessageSid");

  s.body = FormEncode(With(params, "Digits", "1235"));
  parsed = docs.Parse(s.request(), kNow);
  ASSERT_TRUE(std::holds_alternative<WebhookError>(parsed));
  EXPECT_EQ(std::get<WebhookError>(parsed).http_status, 403);
}

TEST(TwilioProvider, RefusesInboundMessagesExactlyAsTheWebhookDoes) {
  Signed s = Sign(InboundParams());
  s.method = "GET";
  EXPECT_EQ(ParseError(s).http_status, 405);

  s = Sign(InboundParams());
  s.content_type = "application/json";
  EXPECT_EQ(ParseError(s).reason, "expected application/x-www-form-urlencoded");

  s = Sign(With(InboundParams(), "Body", std::string(TwilioProvider::kMaxBodyBytes, 'a')));
  EXPECT_EQ(ParseError(s).http_status, 413);

  s = Sign(InboundParams());
  s.signature.clear();
  EXPECT_EQ(ParseError(s).reason, "missing X-Twilio-Signature");

  s = Sign(InboundParams(), "another-token");
  EXPECT_EQ(ParseError(s).reason, "invalid X-Twilio-Signature");

  s = Sign(InboundParams());
  s.body += "%zz";
  EXPECT_EQ(ParseError(s).reason, "malformed form body");

  EXPECT_EQ(ParseError(Sign(Without(InboundParams(), "From"))).reason, "missing From");
  EXPECT_EQ(ParseError(Sign(Without(Without(InboundParams(), "MessageSid"), "SmsSid"))).reason, "missing MessageSid");
}

TEST(TwilioProvider, FailsClosedWithoutAnAuthToken) {
  const TwilioProvider unconfigured(TwilioConfig{std::string(kSid), ""});
  auto parsed = unconfigured.Parse(Sign(InboundParams(), "").request(), kNow);
  ASSERT_TRUE(std::holds_alternative<WebhookError>(parsed));
  EXPECT_EQ(std::get<WebhookError>(parsed).http_status, 500);
}

TEST(TwilioProvider, ATamperedInboundBodyIsRefused) {
  Signed s = Sign(InboundParams());
  s.body = FormEncode(With(InboundParams(), "Body", "need narcan near m3"));
  EXPECT_EQ(ParseError(s).http_status, 403);
}

// --- Status callbacks ---------------------------------------------------------

TEST(TwilioProvider, AStatusCallbackBecomesADeliveryStatus) {
  const DeliveryStatus st = ParseStatus(Sign(StatusParams("delivered")));
  EXPECT_EQ(st.provider, "twilio");
  EXPECT_EQ(st.provider_message_id, "SM22222222222222222222222222222222");
  EXPECT_EQ(st.state, "delivered");
  EXPECT_EQ(st.client_ref, "");
  EXPECT_EQ(st.error_code, "");
}

TEST(TwilioProvider, NormalizesEveryDocumentedMessageStatus) {
  const std::pair<const char*, const char*> cases[] = {
      {"queued", "queued"},
      {"accepted", "queued"},
      {"scheduled", "queued"},
      {"sending", "queued"},
      {"sent", "sent"},
      {"delivered", "delivered"},
      {"read", "delivered"},
      {"failed", "failed"},
      {"canceled", "failed"},
      {"undelivered", "undelivered"},
      {"partially_delivered", "unknown"},
      {"brand-new", "unknown"},
      {"DELIVERED", "delivered"},
  };
  for (const auto& [twilio, normalized] : cases) {
    EXPECT_EQ(ParseStatus(Sign(StatusParams(twilio))).state, normalized) << twilio;
  }
}

TEST(TwilioProvider, CarriesTheErrorCodeOfAFailedMessage) {
  const DeliveryStatus st = ParseStatus(Sign(With(StatusParams("undelivered"), "ErrorCode", "30003")));
  EXPECT_EQ(st.state, "undelivered");
  EXPECT_EQ(st.error_code, "30003");
}

TEST(TwilioProvider, DropsAnErrorCodeThatIsNotAPlainToken) {
  const DeliveryStatus st = ParseStatus(Sign(With(StatusParams("failed"), "ErrorCode", "30003 +16045550123")));
  EXPECT_EQ(st.error_code, "");
}

TEST(TwilioProvider, ALegacyCallbackWithOnlySmsStatusIsAStatus) {
  const DeliveryStatus st = ParseStatus(Sign(Without(StatusParams("sent"), "MessageStatus")));
  EXPECT_EQ(st.state, "sent");
}

TEST(TwilioProvider, MessageStatusWinsOverSmsStatus) {
  const FormParams params = With(StatusParams("read"), "SmsStatus", "sent");
  EXPECT_EQ(ParseStatus(Sign(params)).state, "delivered");
}

TEST(TwilioProvider, AStatusCallbackFallsBackToSmsSid) {
  EXPECT_EQ(ParseStatus(Sign(Without(StatusParams("sent"), "MessageSid"))).provider_message_id,
            "SM22222222222222222222222222222222");
}

TEST(TwilioProvider, AStatusCallbackNeedsNoFromOrBody) {
  const FormParams params = Without(Without(StatusParams("delivered"), "From"), "To");
  EXPECT_EQ(ParseStatus(Sign(params)).state, "delivered");
}

TEST(TwilioProvider, RefusesAStatusCallbackWithoutAMessageSid) {
  const FormParams params = Without(Without(StatusParams("delivered"), "MessageSid"), "SmsSid");
  const WebhookError e = ParseError(Sign(params));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.reason, "missing MessageSid");
}

TEST(TwilioProvider, VerifiesAStatusCallbacksSignatureLikeAnInboundOne) {
  Signed s = Sign(StatusParams("delivered"), "another-token");
  EXPECT_EQ(ParseError(s).reason, "invalid X-Twilio-Signature");

  s = Sign(StatusParams("delivered"));
  s.body = FormEncode(StatusParams("failed"));
  EXPECT_EQ(ParseError(s).reason, "invalid X-Twilio-Signature");

  s = Sign(StatusParams("delivered"));
  s.signature.clear();
  EXPECT_EQ(ParseError(s).reason, "missing X-Twilio-Signature");

  s = Sign(StatusParams("delivered"));
  s.content_type = "text/plain";
  EXPECT_EQ(ParseError(s).http_status, 415);
}

TEST(TwilioProvider, AStatusCallbackAtOurPerSendUrlCarriesOurOutboundId) {
  const std::string url = TwilioProvider::StatusCallbackUrl(kUrl, "alert:a1:0f3e");
  EXPECT_EQ(url, std::string(kUrl) + "?outbound_id=alert%3Aa1%3A0f3e");
  const DeliveryStatus st = ParseStatus(Sign(StatusParams("sent"), kToken, url));
  EXPECT_EQ(st.provider_message_id, "SM22222222222222222222222222222222");
  EXPECT_EQ(st.state, "sent");
  EXPECT_EQ(st.client_ref, "alert:a1:0f3e");
  // The id is part of the signed URL: another id in the same request is refused.
  Signed forged = Sign(StatusParams("sent"), kToken, url);
  forged.url = TwilioProvider::StatusCallbackUrl(kUrl, "alert:a1:ffff");
  EXPECT_EQ(ParseError(forged).reason, "invalid X-Twilio-Signature");
  // A base URL with a query of its own gets '&'.
  EXPECT_EQ(TwilioProvider::StatusCallbackUrl("https://h.example/t?x=1", "twilio:SM1"),
            "https://h.example/t?x=1&outbound_id=twilio%3ASM1");
}

// --- Rendering ----------------------------------------------------------------

TEST(TwilioProvider, RendersAnInlineReplyAsTwiml) {
  const WebhookResponse r = Provider().RenderInline(InboundMessage{}, InlineReply{"Naloxone & help: <call>", "[]"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml; charset=utf-8");
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>Naloxone &amp; help: &lt;call&gt;</Message></Response>)");
}

TEST(TwilioProvider, AcknowledgesWithAnEmptyTwimlResponse) {
  const WebhookResponse r = Provider().RenderAcknowledge();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml; charset=utf-8");
  EXPECT_EQ(r.body, R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)");
}

// RenderInline renders through the thread's memo: the same text, asked
// again, gives the document Twiml() gives, whatever came between.
TEST(TwilioProvider, RendersARepeatedReplyAsTheFirstTime) {
  const TwilioProvider provider = Provider();
  const std::string texts[] = {"Naloxone & help: <call>",
                               "",
                               "\x01",
                               "caf\xC3\xA9 'x' \"y\"",
                               "bad \xFF byte",
                               std::string(TwimlMemo::kMaxTextBytes + 1, 'a')};
  for (int round = 0; round < 3; ++round) {
    for (const std::string& text : texts) {
      const WebhookResponse r = provider.RenderInline(InboundMessage{}, InlineReply{text, "[]"});
      EXPECT_EQ(r.body, TwilioProvider::Twiml(text)) << round << " " << text.size();
      EXPECT_EQ(r.content_type, "text/xml; charset=utf-8");
    }
  }
  EXPECT_EQ(provider.RenderInline(InboundMessage{}, InlineReply{"\x01", "[]"}).body,
            R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)");
}

// Long texts are hashed by samples: texts of one length that differ only
// between the samples share a bucket, and each still gets its own document.
TEST(TwimlMemo, TellsApartLongTextsThatDifferOnlyBetweenItsSamples) {
  TwimlMemo memo;
  const std::size_t n = 8 * TwimlMemo::kSampleBytes;
  std::vector<std::string> texts;
  for (const std::size_t at :
       {TwimlMemo::kSampleBytes + 3, n / 2 + TwimlMemo::kSampleBytes, n - TwimlMemo::kSampleBytes - 1}) {
    std::string text(n, 'a');
    text[at] = '<';
    texts.push_back(text);
  }
  texts.emplace_back(n, 'a');
  for (int round = 0; round < 2; ++round) {
    for (const std::string& text : texts) ASSERT_EQ(memo.Twiml(text), TwilioProvider::Twiml(text)) << round;
  }
  EXPECT_EQ(memo.size(), texts.size());
}

// The memo keeps at most kMaxEntries texts (emptied when full) and never one
// longer than kMaxTextBytes; every answer is still the text's own document.
TEST(TwimlMemo, StaysBoundedAndRightPastItsLimits) {
  TwimlMemo memo;
  for (std::size_t i = 0; i < 3 * TwimlMemo::kMaxEntries + 7; ++i) {
    const std::string text = "reply " + std::to_string(i) + " & <more>";
    ASSERT_EQ(memo.Twiml(text), TwilioProvider::Twiml(text)) << i;
    ASSERT_LE(memo.size(), TwimlMemo::kMaxEntries);
  }
  EXPECT_GT(memo.size(), 0u);
  const std::size_t before = memo.size();
  const std::string long_text(TwimlMemo::kMaxTextBytes + 1, 'x');
  EXPECT_EQ(memo.Twiml(long_text), TwilioProvider::Twiml(long_text));
  EXPECT_EQ(memo.size(), before);  // not kept
  const std::string limit_text(TwimlMemo::kMaxTextBytes, 'y');
  EXPECT_EQ(memo.Twiml(limit_text), TwilioProvider::Twiml(limit_text));
  EXPECT_EQ(memo.Twiml(limit_text), TwilioProvider::Twiml(limit_text));
  EXPECT_EQ(memo.size(), before + 1);  // kept once
}

// --- BuildSend ----------------------------------------------------------------

TEST(TwilioProvider, BuildsAPostToTheAccountsMessagesResource) {
  const Result<OutboundRequest> r = Provider().BuildSend(Reply());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url, "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
  EXPECT_EQ(HeaderOf(*r, "Authorization"), kBasicAuth);
  EXPECT_EQ(HeaderOf(*r, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(HeaderOf(*r, "Idempotency-Key"), "");  // Twilio has none: none invented
  EXPECT_EQ(HeaderOf(*r, "I-Twilio-Idempotency-Token"), "");
}

TEST(TwilioProvider, SendsToFromAndBodyAsAForm) {
  const Result<OutboundRequest> r = Provider().BuildSend(Reply());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "To=%2B16045550123&From=%2B17785550100&Body=Call+1-800-555-0199+%26+ask+for+naloxone");
  const Result<FormParams> form = ParseFormUrlencoded(r->body);
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(*form,
            (FormParams{
                {"To", "+16045550123"}, {"From", "+17785550100"}, {"Body", "Call 1-800-555-0199 & ask for naloxone"}}));
}

TEST(TwilioProvider, SendsAPerSendStatusCallbackWhenConfigured) {
  TwilioProvider twilio(TwilioConfig{std::string(kSid), std::string(kToken), "https://api.twilio.com",
                                     "https://helpline.example.org/webhooks/twilio"});
  const Result<OutboundRequest> r = twilio.BuildSend(Reply());
  ASSERT_TRUE(r.ok());
  const Result<FormParams> form = ParseFormUrlencoded(r->body);
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(ParamValue(*form, "StatusCallback"),
            "https://helpline.example.org/webhooks/twilio?outbound_id=twilio%3ASM11111111111111111111111111111111");
  // Without the setting, no StatusCallback (the account's default applies).
  const Result<OutboundRequest> plain = Provider().BuildSend(Reply());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->body.find("StatusCallback"), std::string::npos);
}

TEST(TwilioProvider, ChecksTheStatusCallbackUrlSetting) {
  EXPECT_TRUE(TwilioProvider::CheckSettings({}).ok());
  EXPECT_TRUE(TwilioProvider::CheckSettings({{"status_callback_url", "https://h.example/webhooks/twilio"}}).ok());
  EXPECT_FALSE(TwilioProvider::CheckSettings({{"status_callback_url", "h.example/webhooks/twilio"}}).ok());
  EXPECT_FALSE(TwilioProvider::CheckSettings({{"status_callback_url", "https://h.example/#x"}}).ok());
  EXPECT_FALSE(
      TwilioProvider::CheckSettings({{"status_callback_url", "https://h.example/" + std::string(3000, 'a')}}).ok());
}

TEST(TwilioProvider, PrefixesBothAddressesWithWhatsAppForChat) {
  const Result<OutboundRequest> r = Provider().BuildSend(Reply(MessageChannel::kChat));
  ASSERT_TRUE(r.ok());
  const Result<FormParams> form = ParseFormUrlencoded(r->body);
  ASSERT_TRUE(form.ok());
  EXPECT_EQ((*form)[0], (std::pair<std::string, std::string>{"To", "whatsapp:+16045550123"}));
  EXPECT_EQ((*form)[1], (std::pair<std::string, std::string>{"From", "whatsapp:+17785550100"}));
}

TEST(TwilioProvider, KeepsAChatPrefixThatIsAlreadyThere) {
  OutboundMessage m = Reply(MessageChannel::kChat);
  m.to = "messenger:4242424242";
  m.from = "WhatsApp:+17785550100";
  const Result<OutboundRequest> r = Provider().BuildSend(m);
  ASSERT_TRUE(r.ok());
  const Result<FormParams> form = ParseFormUrlencoded(r->body);
  ASSERT_TRUE(form.ok());
  EXPECT_EQ((*form)[0].second, "messenger:4242424242");
  EXPECT_EQ((*form)[1].second, "WhatsApp:+17785550100");
}

TEST(TwilioProvider, UsesTheConfiguredApiBaseWithoutADoubleSlash) {
  const Result<OutboundRequest> r = Provider("http://127.0.0.1:8081/").BuildSend(Reply());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, "http://127.0.0.1:8081/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
}

TEST(TwilioProvider, RefusesToBuildASendWithAnEmptyField) {
  for (const auto clear : {&OutboundMessage::to, &OutboundMessage::from, &OutboundMessage::text}) {
    OutboundMessage m = Reply();
    m.*clear = "";
    const Result<OutboundRequest> r = Provider().BuildSend(m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().find("6045550123"), std::string::npos);
    EXPECT_EQ(r.status().message().find("naloxone"), std::string::npos);
  }
}

TEST(TwilioProvider, RefusesToBuildASendWithoutCredentials) {
  const TwilioProvider no_token(TwilioConfig{std::string(kSid), ""});
  EXPECT_EQ(no_token.BuildSend(Reply()).status().code(), StatusCode::kFailedPrecondition);
  const TwilioProvider bad_sid(TwilioConfig{"AC../../x", std::string(kToken)});
  EXPECT_EQ(bad_sid.BuildSend(Reply()).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bad_sid.BuildSend(Reply()).status().message().find(kToken), std::string::npos);
}

// --- ClassifySend -------------------------------------------------------------

TEST(TwilioProvider, ACreatedMessageIsSentWithItsSid) {
  const DeliveryDecision d = Provider().ClassifySend(
      Response(201, R"({"account_sid":"AC0123456789abcdef0123456789abcdef","body":"Call","status":"queued",)"
                    R"("sid":"SM33333333333333333333333333333333","to":"+16045550123"})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kSent);
  EXPECT_EQ(d.provider_message_id, "SM33333333333333333333333333333333");
  EXPECT_EQ(d.reason, "twilio 201");
}

TEST(TwilioProvider, TooManyRequestsIsRetriedAfterRetryAfter) {
  const DeliveryDecision d = Provider().ClassifySend(
      Response(429, R"({"code":20429,"message":"Too Many Requests","status":429})", {{"Retry-After", "7"}}));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.retry_after, std::chrono::milliseconds(7000));
  EXPECT_EQ(d.reason, "twilio 429 code 20429");
}

TEST(TwilioProvider, AServiceUnavailableIsRetried) {
  const DeliveryDecision d = Provider().ClassifySend(Response(503, "<html>Service Unavailable</html>"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.retry_after, std::nullopt);
  EXPECT_EQ(d.reason, "twilio 503");
}

TEST(TwilioProvider, ABadRequestFailsWithTwiliosErrorCodeButNotItsMessage) {
  const DeliveryDecision d = Provider().ClassifySend(
      Response(400, R"({"code": 21211, "message": "The 'To' number +16045550123 is not a valid phone number.",)"
                    R"( "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kFail);
  EXPECT_EQ(d.reason, "twilio 400 code 21211");
  EXPECT_EQ(d.provider_message_id, "");
}

TEST(TwilioProvider, AnAuthenticationFailureFails) {
  const DeliveryDecision d = Provider().ClassifySend(Response(401, R"({"code":20003,"status":401})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kFail);
  EXPECT_EQ(d.reason, "twilio 401 code 20003");
}

TEST(TwilioProvider, AnErrorWithoutAReadableCodeStillFails) {
  for (const char* body : {"", "not json", "[]", R"({"code":"21211; DROP"})", R"({"code":1.5})", R"({"status":400})"}) {
    const DeliveryDecision d = Provider().ClassifySend(Response(400, body));
    EXPECT_EQ(d.verdict, DeliveryVerdict::kFail) << body;
    EXPECT_EQ(d.reason, "twilio 400") << body;
  }
}

TEST(TwilioProvider, ATransportFailureIsRetried) {
  HttpResult r;
  r.transport_ok = false;
  r.error = "Could not resolve host: api.twilio.com";
  const DeliveryDecision d = Provider().ClassifySend(r);
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.reason, "twilio transport error: Could not resolve host: api.twilio.com");
}

TEST(TwilioProvider, ASuccessWithoutASidIsMalformed) {
  for (const char* body : {"", "{", "[]", R"({"status":"queued"})", R"({"sid":""})", R"({"sid":42})"}) {
    const DeliveryDecision d = Provider().ClassifySend(Response(201, body));
    EXPECT_EQ(d.verdict, DeliveryVerdict::kFail) << body;
    EXPECT_EQ(d.reason, "twilio 201 malformed") << body;
    EXPECT_EQ(d.provider_message_id, "") << body;
  }
}

}  // namespace
}  // namespace helpline::gateway
