#include "gateway/twilio/twilio_provider.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>

#include "gateway/form_urlencoded.h"
#include "gateway/twilio/twilio_signature.h"
#include "tests/gateway/provider_test_util.h"

namespace helpline::gateway {
namespace {

constexpr std::string_view kToken = "0123456789abcdef0123456789abcdef";
constexpr std::string_view kUrl = "https://helpline.example.org/webhooks/twilio?region=CA-BC";
constexpr std::string_view kFrom = "+16045550123";
constexpr std::string_view kText = "need narcan near me";

// A request's owned storage; request() views into it.
struct Signed {
  std::string method = "POST";
  std::string url = std::string(kUrl);
  std::string content_type = "application/x-www-form-urlencoded";
  std::string signature;
  std::string body;

  WebhookRequest request() const { return {method, url, content_type, body, {{"x-twilio-signature", signature}}}; }
};

FormParams SmsParams() {
  return {
      {"ToCountry", "CA"},
      {"ToState", "BC"},
      {"SmsMessageSid", "SM0123456789abcdef0123456789abcdef"},
      {"NumMedia", "0"},
      {"ToCity", "VANCOUVER"},
      {"FromZip", "V6B"},
      {"SmsSid", "SM0123456789abcdef0123456789abcdef"},
      {"FromState", "BC"},
      {"SmsStatus", "received"},
      {"FromCity", "VANCOUVER"},
      {"Body", std::string(kText)},
      {"FromCountry", "CA"},
      {"To", "+17785550100"},
      {"MessagingServiceSid", "MG0123456789abcdef0123456789abcdef"},
      {"ToZip", ""},
      {"NumSegments", "1"},
      {"MessageSid", "SM0123456789abcdef0123456789abcdef"},
      {"AccountSid", "AC0123456789abcdef0123456789abcdef"},
      {"From", std::string(kFrom)},
      {"ApiVersion", "2010-04-01"},
  };
}

// Signs `params` for `sign_url` (the request URL by default), as Twilio would.
Signed Sign(const FormParams& params, std::string_view sign_url = kUrl) {
  Signed s;
  s.body = FormEncode(params);
  s.signature = TwilioSignature(kToken, sign_url, params);
  return s;
}

// The inbound-message side of TwilioProvider (status callbacks are in
// twilio_provider_test.cc).
ParsedWebhook Parse(const Signed& s, std::string_view token) {
  const TwilioProvider twilio(TwilioConfig{"", std::string(token)});
  return twilio.Parse(s.request(), std::chrono::system_clock::now());
}

InboundMessage ParseOk(const Signed& s) {
  auto result = Parse(s, kToken);
  if (const auto* error = std::get_if<WebhookError>(&result)) {
    ADD_FAILURE() << "refused: " << error->http_status << " " << error->reason;
    return {};
  }
  if (!std::holds_alternative<InboundEvent>(result)) {
    ADD_FAILURE() << "not an inbound message";
    return {};
  }
  return std::get<InboundEvent>(std::move(result)).message;
}

WebhookError ParseError(const Signed& s, std::string_view token = kToken) {
  auto result = Parse(s, token);
  if (!std::holds_alternative<WebhookError>(result)) {
    ADD_FAILURE() << "accepted, expected an error";
    return {0, ""};
  }
  const WebhookError error = std::get<WebhookError>(result);
  // Whatever went wrong, the reason is safe to log and to send.
  EXPECT_EQ(error.reason.find("6045550123"), std::string::npos) << error.reason;
  EXPECT_EQ(error.reason.find("narcan"), std::string::npos) << error.reason;
  return error;
}

TEST(TwilioInbound, ASignedSmsBecomesAnInboundMessage) {
  const InboundMessage m = ParseOk(Sign(SmsParams()));
  EXPECT_EQ(m.provider, "twilio");
  EXPECT_EQ(m.channel, MessageChannel::kSms);
  EXPECT_EQ(m.from, kFrom);
  EXPECT_EQ(m.to, "+17785550100");
  EXPECT_EQ(m.text, kText);
  EXPECT_EQ(m.id, "SM0123456789abcdef0123456789abcdef");
}

TEST(TwilioInbound, CopiesTwiliosLocationHints) {
  const InboundMessage m = ParseOk(Sign(SmsParams()));
  EXPECT_EQ(m.from_state, "BC");
  EXPECT_EQ(m.from_zip, "V6B");
  EXPECT_EQ(m.from_country, "CA");
  EXPECT_EQ(m.from_city, "VANCOUVER");
}

TEST(TwilioInbound, MissingHintsAreEmpty) {
  FormParams params = SmsParams();
  for (const char* hint : {"FromState", "FromZip", "FromCountry", "FromCity"}) params = Without(params, hint);
  const InboundMessage m = ParseOk(Sign(params));
  EXPECT_EQ(m.from_state, "");
  EXPECT_EQ(m.from_zip, "");
  EXPECT_EQ(m.from_country, "");
  EXPECT_EQ(m.from_city, "");
}

TEST(TwilioInbound, AcceptsAnEmptyOrAbsentBody) {
  EXPECT_EQ(ParseOk(Sign(With(SmsParams(), "Body", ""))).text, "");
  EXPECT_EQ(ParseOk(Sign(Without(SmsParams(), "Body"))).text, "");
}

TEST(TwilioInbound, KeepsUnicodeAndFormDelimitersInTheBody) {
  const std::string text = "Ayuda 🚑 a+b=c & 100% sûr\nok";
  EXPECT_EQ(ParseOk(Sign(With(SmsParams(), "Body", text))).text, text);
}

TEST(TwilioInbound, AWhatsAppSenderIsChatWithThePrefixStripped) {
  FormParams params = With(SmsParams(), "From", "whatsapp:+16045550123");
  params = With(params, "To", "whatsapp:+14155238886");
  const InboundMessage m = ParseOk(Sign(params));
  EXPECT_EQ(m.channel, MessageChannel::kChat);
  EXPECT_EQ(m.from, kFrom);
  EXPECT_EQ(m.to, "+14155238886");
}

TEST(TwilioInbound, AWhatsAppRecipientAloneMakesItChat) {
  const InboundMessage m = ParseOk(Sign(With(SmsParams(), "To", "whatsapp:+14155238886")));
  EXPECT_EQ(m.channel, MessageChannel::kChat);
  EXPECT_EQ(m.from, kFrom);
  EXPECT_EQ(m.to, "+14155238886");
}

TEST(TwilioInbound, AMessengerSenderIsChatWithThePrefixStripped) {
  const InboundMessage m = ParseOk(Sign(With(SmsParams(), "From", "messenger:4242424242")));
  EXPECT_EQ(m.channel, MessageChannel::kChat);
  EXPECT_EQ(m.from, "4242424242");
}

TEST(TwilioInbound, FallsBackToSmsSidForTheMessageId) {
  const InboundMessage m = ParseOk(Sign(Without(SmsParams(), "MessageSid")));
  EXPECT_EQ(m.id, "SM0123456789abcdef0123456789abcdef");
}

TEST(TwilioInbound, AcceptsFormContentTypesWithParametersAndAnyCase) {
  for (const char* type : {"application/x-www-form-urlencoded; charset=utf-8", "Application/X-WWW-Form-Urlencoded",
                           " application/x-www-form-urlencoded ;charset=UTF-8", "application/x-www-form-urlencoded;"}) {
    Signed s = Sign(SmsParams());
    s.content_type = type;
    EXPECT_EQ(ParseOk(s).from, kFrom) << type;
  }
}

TEST(TwilioInbound, AcceptsASignatureOverTheUrlWithTheDefaultPort) {
  const Signed s = Sign(SmsParams(), "https://helpline.example.org:443/webhooks/twilio?region=CA-BC");
  EXPECT_EQ(ParseOk(s).from, kFrom);
}

TEST(TwilioInbound, AcceptsABodyOfExactlyTheLimit) {
  const std::size_t base = FormEncode(With(SmsParams(), "Body", "")).size();
  const FormParams params = With(SmsParams(), "Body", std::string(TwilioProvider::kMaxBodyBytes - base, 'a'));
  const Signed s = Sign(params);
  ASSERT_EQ(s.body.size(), TwilioProvider::kMaxBodyBytes);
  EXPECT_EQ(ParseOk(s).text.size(), TwilioProvider::kMaxBodyBytes - base);
}

TEST(TwilioInbound, RefusesOtherMethodsWith405) {
  for (const char* method : {"GET", "PUT", "HEAD", "post", ""}) {
    Signed s = Sign(SmsParams());
    s.method = method;
    const WebhookError e = ParseError(s);
    EXPECT_EQ(e.http_status, 405) << method;
    EXPECT_EQ(e.reason, "use POST");
  }
}

TEST(TwilioInbound, RefusesOtherContentTypesWith415) {
  for (const char* type : {"application/json", "text/plain", "multipart/form-data; boundary=x", "",
                           "application/x-www-form-urlencodedx", "application/x-www-form"}) {
    Signed s = Sign(SmsParams());
    s.content_type = type;
    const WebhookError e = ParseError(s);
    EXPECT_EQ(e.http_status, 415) << type;
    EXPECT_EQ(e.reason, "expected application/x-www-form-urlencoded");
  }
}

TEST(TwilioInbound, RefusesABodyOverTheLimitWith413) {
  const std::size_t base = FormEncode(With(SmsParams(), "Body", "")).size();
  const Signed s = Sign(With(SmsParams(), "Body", std::string(TwilioProvider::kMaxBodyBytes - base + 1, 'a')));
  const WebhookError e = ParseError(s);
  EXPECT_EQ(e.http_status, 413);
  EXPECT_EQ(e.reason, "body larger than 65536 bytes");
}

TEST(TwilioInbound, RefusesAMissingSignatureWith403) {
  Signed s = Sign(SmsParams());
  s.signature.clear();
  const WebhookError e = ParseError(s);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "missing X-Twilio-Signature");
}

TEST(TwilioInbound, RefusesAWrongSignatureWith403) {
  Signed s = Sign(SmsParams());
  s.signature[3] = s.signature[3] == 'A' ? 'B' : 'A';
  const WebhookError e = ParseError(s);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "invalid X-Twilio-Signature");
}

TEST(TwilioInbound, RefusesASignatureMadeWithAnotherToken) {
  const WebhookError e = ParseError(Sign(SmsParams()), "fedcba9876543210fedcba9876543210");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "invalid X-Twilio-Signature");
}

TEST(TwilioInbound, RefusesASignatureComputedOverADifferentUrl) {
  for (const char* other : {"https://helpline.example.org/webhooks/twilio",               // no query
                            "https://helpline.example.org/webhooks/twilio?region=CA-AB",  // other query
                            "http://helpline.example.org/webhooks/twilio?region=CA-BC",   // other scheme
                            "https://evil.example.org/webhooks/twilio?region=CA-BC",      // other host
                            "https://helpline.example.org/webhooks/vonage?region=CA-BC",  // other path
                            "https://helpline.example.org/webhooks/twilio/?region=CA-BC"}) {
    const WebhookError e = ParseError(Sign(SmsParams(), other));
    EXPECT_EQ(e.http_status, 403) << other;
    EXPECT_EQ(e.reason, "invalid X-Twilio-Signature") << other;
  }
}

TEST(TwilioInbound, RefusesABodyChangedAfterSigning) {
  Signed s = Sign(SmsParams());
  s.body = FormEncode(With(SmsParams(), "Body", "STOP"));
  EXPECT_EQ(ParseError(s).http_status, 403);
  s.body = FormEncode(SmsParams()) + "&Extra=1";
  EXPECT_EQ(ParseError(s).http_status, 403);
}

TEST(TwilioInbound, RefusesAMalformedFormBodyWith400) {
  Signed s = Sign(SmsParams());
  s.body += "&Body=%ZZ";
  const WebhookError e = ParseError(s);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.reason, "malformed form body");
}

TEST(TwilioInbound, RefusesAMissingOrEmptyFromWith400) {
  for (const FormParams& params :
       {Without(SmsParams(), "From"), With(SmsParams(), "From", ""), With(SmsParams(), "From", "whatsapp:")}) {
    const WebhookError e = ParseError(Sign(params));
    EXPECT_EQ(e.http_status, 400);
    EXPECT_EQ(e.reason, "missing From");
  }
}

TEST(TwilioInbound, RefusesAMissingMessageSidWith400) {
  for (const FormParams& params : {Without(Without(SmsParams(), "MessageSid"), "SmsSid"),
                                   With(With(SmsParams(), "MessageSid", ""), "SmsSid", "")}) {
    const WebhookError e = ParseError(Sign(params));
    EXPECT_EQ(e.http_status, 400);
    EXPECT_EQ(e.reason, "missing MessageSid");
  }
}

TEST(TwilioInbound, ChecksTheSignatureBeforeTheFields) {
  Signed s = Sign(SmsParams());
  s.body = FormEncode(Without(SmsParams(), "From"));  // unsigned and incomplete
  EXPECT_EQ(ParseError(s).http_status, 403);
}

TEST(TwilioInbound, FailsClosedWithoutAnAuthToken) {
  Signed s;
  s.body = FormEncode(SmsParams());
  s.signature = TwilioSignature("", kUrl, SmsParams());  // what anyone could compute
  const WebhookError e = ParseError(s, "");
  EXPECT_EQ(e.http_status, 500);
  EXPECT_EQ(e.reason, "twilio auth token not configured");
}

TEST(Twiml, WrapsTheMessageInAResponse) {
  EXPECT_EQ(TwilioProvider::Twiml("Call 988"),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>Call 988</Message></Response>)");
}

TEST(Twiml, AnEmptyMessageIsAnEmptyResponse) {
  EXPECT_EQ(TwilioProvider::Twiml(""), R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)");
  EXPECT_EQ(TwilioProvider::Twiml("\x01\x02\x1F"), R"(<?xml version="1.0" encoding="UTF-8"?><Response/>)");
}

TEST(Twiml, EscapesMarkupCharacters) {
  EXPECT_EQ(TwilioProvider::Twiml(R"(Text <HELP> & "NALOXONE" to Tom's line)"),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>)"
            R"(Text &lt;HELP&gt; &amp; &quot;NALOXONE&quot; to Tom&apos;s line</Message></Response>)");
  EXPECT_EQ(TwilioProvider::Twiml("&amp;"),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>&amp;amp;</Message></Response>)");
}

TEST(Twiml, StripsCharactersXmlForbidsButKeepsTabsAndLineBreaks) {
  static constexpr char kIn[] =
      "a\x00"
      "b\x01\x08\x0B\x0C\x1B"
      "c\t\n\rd";
  const std::string in(kIn, sizeof kIn - 1);
  EXPECT_EQ(TwilioProvider::Twiml(in),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>abc\t\n\rd</Message></Response>");
  // U+FFFE and U+FFFF are not XML characters either.
  EXPECT_EQ(TwilioProvider::Twiml("x\xEF\xBF\xBEy\xEF\xBF\xBFz"),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>xyz</Message></Response>)");
}

TEST(Twiml, KeepsEmojiAndOtherScripts) {
  const std::string text = "🚑 Línea de ayuda 24/7 · 日本語 · مساعدة · 👩🏽‍⚕️";
  EXPECT_EQ(TwilioProvider::Twiml(text),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>)" + text + "</Message></Response>");
}

TEST(Twiml, ReplacesInvalidUtf8WithTheReplacementCharacter) {
  // A lone continuation byte, a truncated sequence, an overlong '/', and a
  // UTF-16 surrogate encoded in UTF-8.
  EXPECT_EQ(TwilioProvider::Twiml("a\x80"
                                  "b\xE2\x82"
                                  "c\xC0\xAF"
                                  "d\xED\xA0\x80"
                                  "e"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>"
            "a\uFFFDb\uFFFD\uFFFDc\uFFFD\uFFFDd\uFFFD\uFFFD\uFFFDe</Message></Response>");
}

TEST(Twiml, AMessageThatGrowsWhenEscapedIsWrittenWhole) {
  // Every character escaped (5 or 6 bytes for 1): well past the room reserved.
  const std::string text(500, '&');
  std::string expected;
  for (int i = 0; i < 500; ++i) expected += "&amp;";
  EXPECT_EQ(TwilioProvider::Twiml(text),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>)" + expected + "</Message></Response>");
  EXPECT_EQ(TwilioProvider::Twiml("\x01<"),
            R"(<?xml version="1.0" encoding="UTF-8"?><Response><Message>&lt;</Message></Response>)");
}

TEST(Twiml, HasAnXmlContentType) { EXPECT_EQ(TwilioProvider::kTwimlContentType, "text/xml; charset=utf-8"); }

}  // namespace
}  // namespace helpline::gateway
