#include "gateway/telnyx/telnyx_provider.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <variant>

#include "common/crypto.h"
#include "tests/gateway/provider_test_util.h"

namespace helpline::gateway {
namespace {

using namespace std::chrono_literals;

// Every signed request below was signed independently of this code, with the
// OpenSSL 3.0 command line, under this fixed test key pair (never used anywhere
// else):
//   openssl genpkey -algorithm ed25519 -out telnyx_key.pem
//     -----BEGIN PRIVATE KEY-----
//     MC4CAQAwBQYDK2VwBCIEIKpizlrW5gV8FYXSHhI6q330S6g7LaZpZmlaQJOqBylF
//     -----END PRIVATE KEY-----
//   openssl pkey -in telnyx_key.pem -pubout -outform DER | tail -c 32 | base64        # kPublicKey
// and each body (written byte for byte to received.json, ...; the nested body
// is 30000 '[' then 30000 ']') at the fixed time kTimestamp:
//   printf '%s' "1700000000|$(cat received.json)" > received.signed
//   openssl pkeyutl -sign -inkey telnyx_key.pem -rawin -in received.signed | base64 -w0
// and checked back with
//   openssl pkey -in telnyx_key.pem -pubout -out telnyx_pub.pem
//   openssl pkeyutl -verify -pubin -inkey telnyx_pub.pem -rawin -in received.signed -sigfile <(base64 -d ...)
// A second, unrelated key pair (for "signed by someone else"):
//   openssl genpkey -algorithm ed25519 -out other_key.pem
//     -----BEGIN PRIVATE KEY-----
//     MC4CAQAwBQYDK2VwBCIEIKn6kEJHPa6iRMKuh1anqlQU7XebwxVIhJ9CCpxS6IEx
//     -----END PRIVATE KEY-----
//   openssl pkey -in other_key.pem -pubout -outform DER | tail -c 32 | base64     # kOtherPublicKey
constexpr std::string_view kPublicKey = "7K46/jTGHs4fWucVVzvckstRFLwL7PRxtOdyvtu2ojw=";
constexpr std::string_view kOtherPublicKey = "phuytwq/IIyALm7q0/DcXFUS5ViESsjU7mc0Wz78b2E=";
constexpr std::string_view kTimestamp = "1700000000";  // 2023-11-14T22:13:20Z
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));

constexpr std::string_view kReceivedBody =
    R"json({"data":{"event_type":"message.received","id":"bf6307bd-884d-4c1f-b6ea-c62b8c495d3c","occurred_at":")json"
    R"json(2023-11-14T22:13:19.574+00:00","payload":{"direction":"inbound","encoding":"GSM-7","from":{"carrier")json"
    R"json(:"T-MOBILE USA, INC.","line_type":"Wireless","phone_number":"+16045550123"},"id":"7ee4241c-f127-47e5)json"
    R"json(-9c34-3aac291f8058","media":[],"messaging_profile_id":"0f512bda-ae1e-4597-8e11-e5f5686b97d3","parts")json"
    R"json(:1,"record_type":"message","text":"need narcan near me","to":[{"carrier":"TELNYX LLC","line_type":"V)json"
    R"json(oIP","phone_number":"+17785550100","status":"webhook_delivered"}],"type":"SMS"},"record_type":"event)json"
    R"json("},"meta":{"attempt":1,"delivered_to":"https://helpline.example.org/webhooks/telnyx"}})json";
constexpr std::string_view kReceivedSignature =
    "UouGtAFr3X17ikoxkYGNpNKOBcNonb0BNuGjljslO8nS/FCHJpHJD43Ne9r77ywOvlGUhkgauAxLnqx10D2RDQ==";

constexpr std::string_view kMmsBody =
    R"json({"data":{"event_type":"message.received","id":"0c4d1f5e-3b3a-4a61-9d0e-2f1c8b7a6e51","occurred_at":")json"
    R"json(2023-11-14T22:13:19.900+00:00","payload":{"direction":"inbound","from":{"phone_number":"+16045550123)json"
    R"json("},"id":"b3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d","media":[{"content_type":"image/jpeg","url":"https://)json"
    R"json(media.example.com/1.jpg"}],"record_type":"message","text":null,"to":[{"phone_number":"+17785550100",)json"
    R"json("status":"webhook_delivered"}],"type":"MMS"},"record_type":"event"},"meta":{"attempt":1}})json";
constexpr std::string_view kMmsSignature =
    "jZEJAl6pKCOSEZCXGcxro47oGdDNKDNPtWXKu7x+HUHlVtIxAQdx8faEq+xsjDHmyVapyeK1+WiyrlUozdVcCA==";

constexpr std::string_view kFinalizedBody =
    R"json({"data":{"event_type":"message.finalized","id":"4ee8c3a6-4995-4309-a3c6-38e3db9ea4be","occurred_at":)json"
    R"json("2023-11-14T22:13:14.148+00:00","payload":{"completed_at":"2023-11-14T22:13:14.148+00:00","direction)json"
    R"json(":"outbound","errors":[{"code":"40008","detail":"The message was not delivered to the handset.","tit)json"
    R"json(le":"Undeliverable"}],"from":{"phone_number":"+17785550100"},"id":"40385f64-5717-4562-b3fc-2c963f66a)json"
    R"json(fa6","record_type":"message","text":"Call 1-800-555-0199 for naloxone","to":[{"phone_number":"+16045)json"
    R"json(550123","status":"delivery_failed"}],"type":"SMS"},"record_type":"event"},"meta":{"attempt":1}})json";
constexpr std::string_view kFinalizedSignature =
    "YaaDLJmJQ4yar/GjpbpsMyaElRVJNmA5vRtHpDT1kBfP2vibt0xPZsYM4AHxl5WbqwmOXzjuZZr1R985LuqBBQ==";

constexpr std::string_view kSentBody =
    R"json({"data":{"event_type":"message.sent","id":"86f58db9-0e3c-4b4e-a5a7-6c84a1a1a1a1","occurred_at":"2023)json"
    R"json(-11-14T22:13:10.000+00:00","payload":{"direction":"outbound","errors":[],"from":{"phone_number":"+17)json"
    R"json(785550100"},"id":"40385f64-5717-4562-b3fc-2c963f66afa6","record_type":"message","text":"Call 1-800-5)json"
    R"json(55-0199 for naloxone","to":[{"phone_number":"+16045550123","status":"sent"}],"type":"SMS"},"record_t)json"
    R"json(ype":"event"},"meta":{"attempt":1}})json";
constexpr std::string_view kSentSignature =
    "hah6/2qgQp+Pcuktd3qbjHWj3wNoiYdbofx42kARVhv16uMMzWsWBwvnz67PEig1nZMzLbo8vMv/l0r9FDC7Bw==";

constexpr std::string_view kIgnoredBody =
    R"json({"data":{"event_type":"call.hangup","id":"2a1b3c4d-0000-4000-8000-000000000001","occurred_at":"2023-)json"
    R"json(11-14T22:13:00.000+00:00","payload":{},"record_type":"event"},"meta":{"attempt":1}})json";
constexpr std::string_view kIgnoredSignature =
    "zh9fy5i0mJyxowVfyktCsGkRG5ShlwbcZrHLgMQ0OtdzpWfvlSU5+qKHScyEBqn/Ox4eYntf5S81mm7jDuMaBQ==";

constexpr std::string_view kNoFromBody =
    R"json({"data":{"event_type":"message.received","id":"5d1e0a8e-1111-4111-8111-111111111111","payload":{"id")json"
    R"json(:"9c0d7f6e-2222-4222-8222-222222222222","text":"need narcan near me","to":[{"phone_number":"+1778555)json"
    R"json(0100"}],"type":"SMS"},"record_type":"event"}})json";
constexpr std::string_view kNoFromSignature =
    "LRJS2QNYqZPjy648AdOMykf5fklvyJMr3DhkfyueWlqd5wr4k3L7Fa7JGX2+mGBUFNtxZnnPosviJjgz9iIUBw==";

constexpr std::string_view kBadjsonBody =
    R"json({"data":{"event_type":"message.received","payload":{"text":"need narcan)json";
constexpr std::string_view kBadjsonSignature =
    "XXrIFTDR92/tO2/VT+FTs3wjbopVBEdYI4uyK35iz2rTqDQe8Hmn3TP/LU3AWiv7Jw/Dgut+O8T6vTSlPAAtDg==";

constexpr std::string_view kNestedSignature =
    "+JbAVbzvtC+yaIs6uJwKv4xwHMDixV8DfPEvGwaugeFKfFSPuQnWKQdNv9YRc3lPbZR/H1zkPmQ+GCZJCsE1Bw==";

// kReceivedBody signed at other times: printf '%s' "<ts>|$(cat received.json)" | ... as above.
constexpr std::string_view kReceivedAtMinus301 =  // 1699999699
    "OyzIbc8JmYsJuDwSYooisKE3CPwRHtt+ipSUfnp3mqUMnDxAI3UegDM417HxOCTQDJOrm6P4zwNoN2wU+yKKAQ==";
constexpr std::string_view kReceivedAtMinus300 =  // 1699999700
    "OV2ddGe/43tgNsyM4rpEmJYnjvBwK9Gi/wCHynt6lCXibK3tLAWMB82z3aW6SRKhW32TqXMg+f7momE+04qpAg==";
constexpr std::string_view kReceivedAtPlus300 =  // 1700000300
    "zlgFMiZM6o1SeTEpkDPP7pe+0ri0n4FIaRogNv+cumf9dMeXIxgZIllw2xCvB0oWnf5cKeFYXulFVTy1hmg7Aw==";
constexpr std::string_view kReceivedAtPlus301 =  // 1700000301
    "NMrmG4DaR1OdSJ+XrAYaPX32ceL27DHJIuLDCL4UkGbs4YnSKf+cMq5WO+GnOBHfV5fm3HbdKfVkmWIWO3wTDA==";

// A request's owned storage; view() points into it.
struct Request {
  std::string method = "POST";
  std::string url = "https://helpline.example.org/webhooks/telnyx";
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  WebhookRequest view() const {
    WebhookRequest r{method, url, content_type, body, {}};
    for (const auto& [name, value] : headers) r.headers.emplace_back(name, value);
    return r;
  }
  void Erase(std::string_view name) {
    std::erase_if(headers, [&](const auto& h) { return h.first == name; });
  }
  void Set(std::string_view name, std::string_view value) {
    Erase(name);
    headers.emplace_back(name, value);
  }
};

Request Signed(std::string_view body, std::string_view signature, std::string_view timestamp = kTimestamp) {
  Request r;
  r.body = body;
  r.headers = {{"host", "helpline.example.org"},
               {"content-type", "application/json"},
               {"telnyx-signature-ed25519", std::string(signature)},
               {"telnyx-timestamp", std::string(timestamp)},
               {"user-agent", "telnyx-webhooks"}};
  return r;
}

TelnyxConfig Config(std::string_view public_key = kPublicKey) {
  return TelnyxConfig{.api_key = "KEY0123456789ABCDEF_secret",
                      .public_key_base64 = std::string(public_key),
                      .api_base = "https://api.telnyx.com"};
}

ParsedWebhook Parse(const Request& r, TelnyxConfig config = Config(),
                    std::chrono::system_clock::time_point now = kNow) {
  return TelnyxProvider(std::move(config)).Parse(r.view(), now);
}

InboundMessage ParseInbound(const Request& r) {
  ParsedWebhook parsed = Parse(r);
  if (auto* event = std::get_if<InboundEvent>(&parsed)) {
    EXPECT_FALSE(event->concat.has_value());
    return event->message;
  }
  if (auto* error = std::get_if<WebhookError>(&parsed)) ADD_FAILURE() << error->http_status << " " << error->reason;
  ADD_FAILURE() << "not an inbound message (variant index " << parsed.index() << ")";
  return {};
}

DeliveryStatus ParseStatus(const Request& r) {
  ParsedWebhook parsed = Parse(r);
  if (auto* status = std::get_if<DeliveryStatus>(&parsed)) return *status;
  if (auto* error = std::get_if<WebhookError>(&parsed)) ADD_FAILURE() << error->http_status << " " << error->reason;
  ADD_FAILURE() << "not a delivery status (variant index " << parsed.index() << ")";
  return {};
}

WebhookError ParseError(const Request& r, TelnyxConfig config = Config(),
                        std::chrono::system_clock::time_point now = kNow) {
  ParsedWebhook parsed = Parse(r, config, now);
  if (auto* error = std::get_if<WebhookError>(&parsed)) {
    // Whatever went wrong, the reason is safe to log and to send back.
    EXPECT_EQ(error->reason.find("6045550123"), std::string::npos) << error->reason;
    EXPECT_EQ(error->reason.find("narcan"), std::string::npos) << error->reason;
    EXPECT_EQ(error->reason.find("secret"), std::string::npos) << error->reason;
    return *error;
  }
  ADD_FAILURE() << "accepted (variant index " << parsed.index() << "), expected an error";
  return {0, ""};
}

// --- Verification -------------------------------------------------------------

TEST(TelnyxProvider, IsNamedTelnyxAndRepliesThroughTheOutbox) {
  const TelnyxProvider telnyx(Config());
  EXPECT_EQ(telnyx.provider(), "telnyx");
  EXPECT_FALSE(telnyx.replies_inline());
}

TEST(TelnyxProvider, AcceptsAMessageReceivedSignedWithTheOpensslCommandLine) {
  const InboundMessage m = ParseInbound(Signed(kReceivedBody, kReceivedSignature));
  EXPECT_EQ(m.provider, "telnyx");
  EXPECT_EQ(m.channel, MessageChannel::kSms);
  EXPECT_EQ(m.id, "7ee4241c-f127-47e5-9c34-3aac291f8058");
  EXPECT_EQ(m.from, "+16045550123");
  EXPECT_EQ(m.to, "+17785550100");
  EXPECT_EQ(m.text, "need narcan near me");
  EXPECT_EQ(m.from_state, "");
  EXPECT_EQ(m.from_country, "");
}

TEST(TelnyxProvider, APictureOnlyMmsIsAnSmsWithEmptyText) {
  const InboundMessage m = ParseInbound(Signed(kMmsBody, kMmsSignature));
  EXPECT_EQ(m.channel, MessageChannel::kSms);
  EXPECT_EQ(m.id, "b3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
  EXPECT_EQ(m.text, "");
}

TEST(TelnyxProvider, AcceptsJsonContentTypesWithParametersAndAnyCase) {
  for (const char* type : {"application/json; charset=utf-8", "Application/JSON", " application/json ;charset=UTF-8"}) {
    Request r = Signed(kReceivedBody, kReceivedSignature);
    r.content_type = type;
    EXPECT_EQ(ParseInbound(r).id, "7ee4241c-f127-47e5-9c34-3aac291f8058") << type;
  }
}

TEST(TelnyxProvider, RefusesAForgedSignature) {
  // A well-formed signature, but of another body.
  const WebhookError e = ParseError(Signed(kReceivedBody, kFinalizedSignature));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "invalid telnyx-signature-ed25519");
}

TEST(TelnyxProvider, RefusesASignatureByAnotherKey) {
  const WebhookError e = ParseError(Signed(kReceivedBody, kReceivedSignature), Config(kOtherPublicKey));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "invalid telnyx-signature-ed25519");
}

TEST(TelnyxProvider, RefusesATamperedBody) {
  std::string body(kReceivedBody);
  body.replace(body.find("narcan"), 6, "narcam");
  EXPECT_EQ(ParseError(Signed(body, kReceivedSignature)).reason, "invalid telnyx-signature-ed25519");
  EXPECT_EQ(ParseError(Signed(std::string(kReceivedBody) + "\n", kReceivedSignature)).reason,
            "invalid telnyx-signature-ed25519");
}

TEST(TelnyxProvider, TheTimestampIsPartOfWhatIsSigned) {
  // Within tolerance, but not the time that was signed.
  EXPECT_EQ(ParseError(Signed(kReceivedBody, kReceivedSignature, "1700000001")).reason,
            "invalid telnyx-signature-ed25519");
}

TEST(TelnyxProvider, RefusesATimestampMoreThanTheToleranceInThePast) {
  const WebhookError e = ParseError(Signed(kReceivedBody, kReceivedAtMinus301, "1699999699"));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "stale telnyx-timestamp");
}

TEST(TelnyxProvider, RefusesATimestampMoreThanTheToleranceInTheFuture) {
  const WebhookError e = ParseError(Signed(kReceivedBody, kReceivedAtPlus301, "1700000301"));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "stale telnyx-timestamp");
}

TEST(TelnyxProvider, AcceptsATimestampExactlyAtTheTolerance) {
  EXPECT_EQ(ParseInbound(Signed(kReceivedBody, kReceivedAtMinus300, "1699999700")).text, "need narcan near me");
  EXPECT_EQ(ParseInbound(Signed(kReceivedBody, kReceivedAtPlus300, "1700000300")).text, "need narcan near me");
}

TEST(TelnyxProvider, HonoursAConfiguredTolerance) {
  TelnyxConfig wide = Config();
  wide.tolerance = 600s;
  EXPECT_TRUE(
      std::holds_alternative<InboundEvent>(Parse(Signed(kReceivedBody, kReceivedAtMinus301, "1699999699"), wide)));
  TelnyxConfig narrow = Config();
  narrow.tolerance = 10s;
  EXPECT_EQ(ParseError(Signed(kReceivedBody, kReceivedSignature), narrow, kNow + 11s).reason, "stale telnyx-timestamp");
}

TEST(TelnyxProvider, ChecksTheTimestampAgainstTheGivenClockNotTheSystemClock) {
  // kNow is in 2023: against the real clock every vector here would be stale.
  EXPECT_EQ(ParseError(Signed(kReceivedBody, kReceivedSignature), Config(), kNow + 24h).reason,
            "stale telnyx-timestamp");
}

TEST(TelnyxProvider, RefusesMissingSignatureHeaders) {
  Request r = Signed(kReceivedBody, kReceivedSignature);
  r.Erase("telnyx-signature-ed25519");
  EXPECT_EQ(ParseError(r).http_status, 403);
  EXPECT_EQ(ParseError(r).reason, "missing telnyx-signature-ed25519");

  r = Signed(kReceivedBody, kReceivedSignature);
  r.Erase("telnyx-timestamp");
  EXPECT_EQ(ParseError(r).http_status, 403);
  EXPECT_EQ(ParseError(r).reason, "missing telnyx-timestamp");

  EXPECT_EQ(ParseError(Signed(kReceivedBody, "")).reason, "missing telnyx-signature-ed25519");
  EXPECT_EQ(ParseError(Signed(kReceivedBody, kReceivedSignature, "")).reason, "missing telnyx-timestamp");
}

TEST(TelnyxProvider, RefusesAMalformedTimestamp) {
  for (const char* ts :
       {"1700000000.0", "-1700000000", "+1700000000", " 1700000000", "17e8", "now", "1234567890123456789"}) {
    const WebhookError e = ParseError(Signed(kReceivedBody, kReceivedSignature, ts));
    EXPECT_EQ(e.http_status, 403) << ts;
    EXPECT_EQ(e.reason, "malformed telnyx-timestamp") << ts;
  }
}

TEST(TelnyxProvider, RefusesAMalformedSignature) {
  const std::string sig(kReceivedSignature);
  for (const std::string& bad : {std::string("not base64!"), sig.substr(0, sig.size() - 4), sig.substr(4), sig + "AAAA",
                                 std::string(88, '='), sig.substr(0, 86) + "=A", "-" + sig.substr(1)}) {
    const WebhookError e = ParseError(Signed(kReceivedBody, bad));
    EXPECT_EQ(e.http_status, 403) << bad;
    EXPECT_EQ(e.reason, "malformed telnyx-signature-ed25519") << bad;
  }
}

TEST(TelnyxProvider, RefusesAnAllZeroSignatureAsInvalid) {
  // Well-formed (base64 of 64 bytes), so it reaches the Ed25519 check.
  EXPECT_EQ(ParseError(Signed(kReceivedBody, std::string(86, 'A') + "==")).reason, "invalid telnyx-signature-ed25519");
}

TEST(TelnyxProvider, RefusesOtherMethods) {
  Request r = Signed(kReceivedBody, kReceivedSignature);
  r.method = "GET";
  EXPECT_EQ(ParseError(r).http_status, 405);
  EXPECT_EQ(ParseError(r).reason, "use POST");
}

TEST(TelnyxProvider, RefusesOtherContentTypesWith415) {
  for (const char* type :
       {"application/x-www-form-urlencoded", "text/plain", "", "application/jsonx", "application/json-patch+json"}) {
    Request r = Signed(kReceivedBody, kReceivedSignature);
    r.content_type = type;
    const WebhookError e = ParseError(r);
    EXPECT_EQ(e.http_status, 415) << type;
    EXPECT_EQ(e.reason, "expected application/json") << type;
  }
}

TEST(TelnyxProvider, RefusesABodyOverTheLimitWith413) {
  const WebhookError e = ParseError(Signed(std::string(TelnyxProvider::kMaxBodyBytes + 1, ' '), kReceivedSignature));
  EXPECT_EQ(e.http_status, 413);
  EXPECT_EQ(e.reason, "body larger than 65536 bytes");
}

TEST(TelnyxProvider, FailsClosedWhenThePublicKeyIsNotConfigured) {
  for (const char* key :
       {"", "7K46/jTGHs4fWucVVzvckstRFLwL7PRxtOdyvtu2ojw", "7K46/jTGHs4fWucVVzvckstRFLwL7PRx", "not a key"}) {
    const WebhookError e = ParseError(Signed(kReceivedBody, kReceivedSignature), Config(key));
    EXPECT_EQ(e.http_status, 500) << key;
    EXPECT_EQ(e.reason, "telnyx public key not configured") << key;
  }
}

TEST(TelnyxProvider, RefusesSignedBadJsonWith400) {
  const WebhookError e = ParseError(Signed(kBadjsonBody, kBadjsonSignature));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.reason, "malformed JSON");
}

TEST(TelnyxProvider, SurvivesDeeplyNestedSignedJson) {
  const std::string nested = std::string(30000, '[') + std::string(30000, ']');
  const WebhookError e = ParseError(Signed(nested, kNestedSignature));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.reason, "missing data.event_type");
}

TEST(TelnyxProvider, RefusesAMessageWithoutASender) {
  const WebhookError e = ParseError(Signed(kNoFromBody, kNoFromSignature));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.reason, "missing data.payload.from.phone_number");
}

// --- Events -------------------------------------------------------------------

TEST(TelnyxProvider, AMessageFinalizedBecomesADeliveryStatusWithTheErrorCode) {
  const DeliveryStatus st = ParseStatus(Signed(kFinalizedBody, kFinalizedSignature));
  EXPECT_EQ(st.provider, "telnyx");
  EXPECT_EQ(st.provider_message_id, "40385f64-5717-4562-b3fc-2c963f66afa6");
  EXPECT_EQ(st.state, "undelivered");  // delivery_failed
  EXPECT_EQ(st.error_code, "40008");
  EXPECT_EQ(st.client_ref, "");
}

TEST(TelnyxProvider, AMessageSentBecomesADeliveryStatus) {
  const DeliveryStatus st = ParseStatus(Signed(kSentBody, kSentSignature));
  EXPECT_EQ(st.provider_message_id, "40385f64-5717-4562-b3fc-2c963f66afa6");
  EXPECT_EQ(st.state, "sent");
  EXPECT_EQ(st.error_code, "");
}

TEST(TelnyxProvider, IgnoresOtherEventTypes) {
  const ParsedWebhook parsed = Parse(Signed(kIgnoredBody, kIgnoredSignature));
  ASSERT_TRUE(std::holds_alternative<Ignored>(parsed));
  EXPECT_EQ(std::get<Ignored>(parsed).why, "telnyx event call.hangup");
}

TEST(TelnyxProvider, AcknowledgesWithAnEmpty200) {
  const TelnyxProvider telnyx(Config());
  for (const WebhookResponse& r : {telnyx.RenderAcknowledge(), telnyx.RenderInline(InboundMessage{}, {"hi", "[]"})}) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "");
    EXPECT_EQ(r.body, "");
  }
}

// --- Configuration ------------------------------------------------------------

TEST(TelnyxProvider, ValidatesItsConfigurationWithoutQuotingSecrets) {
  EXPECT_TRUE(TelnyxProvider::ValidateConfig(Config()).ok());
  TelnyxConfig c = Config();
  c.api_key = "";
  EXPECT_EQ(TelnyxProvider::ValidateConfig(c).code(), StatusCode::kInvalidArgument);
  c = Config();
  c.api_key = "KEY\r\nX-Injected: 1";
  EXPECT_EQ(TelnyxProvider::ValidateConfig(c).message().find("KEY"), std::string::npos);
  EXPECT_FALSE(TelnyxProvider::ValidateConfig(c).ok());
  EXPECT_FALSE(TelnyxProvider::ValidateConfig(Config("AAAA")).ok());
  c = Config();
  c.tolerance = 0s;
  EXPECT_FALSE(TelnyxProvider::ValidateConfig(c).ok());
}

// --- BuildSend ----------------------------------------------------------------

OutboundMessage Reply() {
  return OutboundMessage{.id = "telnyx:7ee4241c-f127-47e5-9c34-3aac291f8058",
                         .provider = "telnyx",
                         .to = "+16045550123",
                         .from = "+17785550100",
                         .text = "Call \"1-800-555-0199\"\nnaloxone \xC3\xA0 c\xC3\xB4t\xC3\xA9 \\ 🚑"};
}

TEST(TelnyxProvider, BuildsAPostToV2MessagesWithBearerAuthAndAnIdempotencyKey) {
  const Result<OutboundRequest> r = TelnyxProvider(Config()).BuildSend(Reply());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url, "https://api.telnyx.com/v2/messages");
  EXPECT_EQ(HeaderOf(*r, "Authorization"), "Bearer KEY0123456789ABCDEF_secret");
  EXPECT_EQ(HeaderOf(*r, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(*r, "Idempotency-Key"), "telnyx:7ee4241c-f127-47e5-9c34-3aac291f8058");
}

TEST(TelnyxProvider, SendsFromToAndTextAsJson) {
  const OutboundMessage m = Reply();
  const Result<OutboundRequest> r = TelnyxProvider(Config()).BuildSend(m);
  ASSERT_TRUE(r.ok());
  rapidjson::Document json;
  json.Parse(r->body.data(), r->body.size());
  ASSERT_FALSE(json.HasParseError()) << r->body;
  ASSERT_TRUE(json.IsObject());
  EXPECT_EQ(json.MemberCount(), 3u);
  ASSERT_TRUE(json.HasMember("from") && json["from"].IsString());
  ASSERT_TRUE(json.HasMember("to") && json["to"].IsString());
  ASSERT_TRUE(json.HasMember("text") && json["text"].IsString());
  EXPECT_EQ(std::string(json["from"].GetString()), m.from);
  EXPECT_EQ(std::string(json["to"].GetString()), m.to);
  EXPECT_EQ(std::string(json["text"].GetString(), json["text"].GetStringLength()), m.text);
}

TEST(TelnyxProvider, UsesTheConfiguredApiBaseWithoutADoubleSlash) {
  TelnyxConfig c = Config();
  c.api_base = "http://127.0.0.1:8082/";
  const Result<OutboundRequest> r = TelnyxProvider(c).BuildSend(Reply());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, "http://127.0.0.1:8082/v2/messages");
}

TEST(TelnyxProvider, UsesAnIdOfTheDocumentedShapeAsTheIdempotencyKey) {
  for (const std::string& id : {std::string("telnyx:7ee4241c-f127-47e5-9c34-3aac291f8058"), std::string("a"),
                                std::string("A_b:c-9"), std::string(255, 'x')}) {
    const Result<std::string> key = TelnyxProvider::IdempotencyKey(id);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(*key, id);
  }
}

TEST(TelnyxProvider, HashesAnyOtherIdIntoAStableIdempotencyKey) {
  // printf %s 'telnyx:a b/c' | sha256sum
  EXPECT_EQ(TelnyxProvider::IdempotencyKey("telnyx:a b/c").value(),
            "sha256:a3d8fedaa7188a14574a7d01127749149cc238050b57b407abbd4afa78f44f76");
  // An id that looks like a hashed key is hashed too, so no two ids share a key.
  // printf %s 'sha256:abc' | sha256sum
  EXPECT_EQ(TelnyxProvider::IdempotencyKey("sha256:abc").value(),
            "sha256:67e9bc3cfd2163c2978358dfe00d2f912cd4ee0c99f077c3583b39b48aebb124");
  // 256 characters is one too many: python3 -c "import hashlib; print(hashlib.sha256(b'x'*256).hexdigest())"
  EXPECT_EQ(TelnyxProvider::IdempotencyKey(std::string(256, 'x')).value(),
            "sha256:85e62acd750c4eb56b7b6a1d66dca5bfaac5f062608a1a893410d0288936c09a");

  OutboundMessage m = Reply();
  m.id = "telnyx:a b/c";
  const Result<OutboundRequest> r = TelnyxProvider(Config()).BuildSend(m);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(HeaderOf(*r, "Idempotency-Key"), "sha256:a3d8fedaa7188a14574a7d01127749149cc238050b57b407abbd4afa78f44f76");
}

TEST(TelnyxProvider, RefusesAnEmptyId) {
  EXPECT_EQ(TelnyxProvider::IdempotencyKey("").status().code(), StatusCode::kInvalidArgument);
  OutboundMessage m = Reply();
  m.id = "";
  EXPECT_EQ(TelnyxProvider(Config()).BuildSend(m).status().code(), StatusCode::kInvalidArgument);
}

TEST(TelnyxProvider, RefusesToBuildASendWithAnEmptyField) {
  for (const auto clear : {&OutboundMessage::to, &OutboundMessage::from, &OutboundMessage::text}) {
    OutboundMessage m = Reply();
    m.*clear = "";
    const Result<OutboundRequest> r = TelnyxProvider(Config()).BuildSend(m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().find("6045550123"), std::string::npos);
  }
}

TEST(TelnyxProvider, RefusesTextThatIsNotUtf8) {
  OutboundMessage m = Reply();
  m.text = "naloxone \xC3";
  const Result<OutboundRequest> r = TelnyxProvider(Config()).BuildSend(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().find("naloxone"), std::string::npos);
}

TEST(TelnyxProvider, RefusesToBuildASendWithoutAnApiKey) {
  TelnyxConfig c = Config();
  c.api_key = "";
  EXPECT_EQ(TelnyxProvider(c).BuildSend(Reply()).status().code(), StatusCode::kFailedPrecondition);
  c.api_key = "KEY\r\nX-Injected: 1";
  EXPECT_EQ(TelnyxProvider(c).BuildSend(Reply()).status().code(), StatusCode::kFailedPrecondition);
}

// --- ClassifySend -------------------------------------------------------------

TEST(TelnyxProvider, AnAcceptedMessageIsSentWithItsId) {
  const DeliveryDecision d = TelnyxProvider(Config()).ClassifySend(
      Response(200, R"({"data":{"record_type":"message","direction":"outbound",)"
                    R"("id":"40385f64-5717-4562-b3fc-2c963f66afa6","type":"SMS","to":[{"status":"queued"}]}})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kSent);
  EXPECT_EQ(d.provider_message_id, "40385f64-5717-4562-b3fc-2c963f66afa6");
  EXPECT_EQ(d.reason, "telnyx 200");
}

TEST(TelnyxProvider, ASuccessWithoutDataIdIsMalformed) {
  for (const char* body : {"", "{", R"({"id":"x"})", R"({"data":{}})", R"({"data":{"id":""}})", R"({"data":[]})"}) {
    const DeliveryDecision d = TelnyxProvider(Config()).ClassifySend(Response(200, body));
    EXPECT_EQ(d.verdict, DeliveryVerdict::kFail) << body;
    EXPECT_EQ(d.reason, "telnyx 200 malformed") << body;
  }
}

TEST(TelnyxProvider, ARefusalFailsWithTelnyxsErrorCodeButNotItsDetail) {
  const DeliveryDecision d = TelnyxProvider(Config()).ClassifySend(
      Response(403, R"({"errors":[{"code":"40300","title":"Forbidden","detail":"Cannot send to +16045550123."}]})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kFail);
  EXPECT_EQ(d.reason, "telnyx 403 code 40300");
}

TEST(TelnyxProvider, AcceptsANumericErrorCode) {
  const DeliveryDecision d =
      TelnyxProvider(Config()).ClassifySend(Response(422, R"({"errors":[{"code":40310,"title":"Invalid"}]})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kFail);
  EXPECT_EQ(d.reason, "telnyx 422 code 40310");
}

TEST(TelnyxProvider, RateLimitingIsRetriedAfterRetryAfter) {
  const DeliveryDecision d = TelnyxProvider(Config()).ClassifySend(
      Response(429, R"({"errors":[{"code":"10011","title":"Too many requests"}]})", {{"retry-after", "7"}}));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.retry_after, std::chrono::milliseconds(7000));
  EXPECT_EQ(d.reason, "telnyx 429 code 10011");
}

TEST(TelnyxProvider, ServerErrorsAndTransportFailuresAreRetried) {
  EXPECT_EQ(TelnyxProvider(Config()).ClassifySend(Response(502, "Bad Gateway")).verdict, DeliveryVerdict::kRetry);
  HttpResult r;
  r.transport_ok = false;
  r.error = "Operation timed out";
  const DeliveryDecision d = TelnyxProvider(Config()).ClassifySend(r);
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.reason, "telnyx transport error: Operation timed out");
}

TEST(TelnyxProvider, AnUnsafeErrorCodeIsLeftOut) {
  const DeliveryDecision d = TelnyxProvider(Config()).ClassifySend(
      Response(400, R"({"errors":[{"code":"+16045550123 is invalid","title":"Bad"}]})"));
  EXPECT_EQ(d.reason, "telnyx 400");
}

}  // namespace
}  // namespace helpline::gateway
