// VonageProvider and the Vonage signature. Every expected signature below was
// computed outside this code base, with the command in the comment above it
// (coreutils md5sum, OpenSSL's dgst), or copied from the official SDKs' own
// tests, so a self-consistent mistake (wrong sort, wrong escaping, wrong
// concatenation, wrong key order) cannot pass.

#include "gateway/vonage/vonage_provider.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <variant>

#include "gateway/form_urlencoded.h"
#include "gateway/vonage/vonage_signature.h"
#include "tests/gateway/provider_test_util.h"

namespace helpline::gateway {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using Method = VonageSignatureMethod;

constexpr std::string_view kSecret = "s3cr3t-signature";
constexpr std::string_view kUrl = "https://helpline.example.org/webhooks/vonage";
constexpr std::int64_t kTimestamp = 1717243200;  // the requests' `timestamp`

// An inbound SMS as Vonage sends it, without `sig`. Its text holds '&' and '='
// so that the '_' substitution is exercised. Signed string (sorted by name):
// S='&api-key=abcd1234&keyword=NEED&message-timestamp=2024-06-01
// 12:00:00&messageId=0A0000000123ABCD1&msisdn=447700900001&nonce=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&text=Need
// naloxone _ help_now&timestamp=1717243200&to=447700900000&type=text'
FormParams InboundParams() {
  return {
      {"msisdn", "447700900001"},
      {"to", "447700900000"},
      {"messageId", "0A0000000123ABCD1"},
      {"text", "Need naloxone & help=now"},
      {"type", "text"},
      {"keyword", "NEED"},
      {"api-key", "abcd1234"},
      {"message-timestamp", "2024-06-01 12:00:00"},
      {"timestamp", "1717243200"},
      {"nonce", "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"},
  };
}

// printf '%s' "${S}s3cr3t-signature" | md5sum
constexpr std::string_view kInboundMd5Hash = "11bf28516f486041c7432419712903fa";
// printf '%s' "$S" | openssl dgst -md5 -hmac s3cr3t-signature
constexpr std::string_view kInboundMd5Hmac = "967df20018c56fbc8e7a1c18a89229fc";
// printf '%s' "$S" | openssl dgst -sha1 -hmac s3cr3t-signature
constexpr std::string_view kInboundSha1Hmac = "73cdae6856f794b5f53eb6984549745f6223c003";
// printf '%s' "$S" | openssl dgst -sha256 -hmac s3cr3t-signature
constexpr std::string_view kInboundSha256Hmac = "bfda463ccbd6a84d291f4f1d26d938bf3825812ec1d0d528d695cfeeb8189479";
// printf '%s' "$S" | openssl dgst -sha512 -hmac s3cr3t-signature
constexpr std::string_view kInboundSha512Hmac =
    "cbf793422601d20545dea874cf1c89997a295cebcfed2db3ecba7486fd2d8b19b62ead4b214b70095610fc1f5131fc966ae15dc5a5a2e28d81"
    "176b661b10a9b1";

// A delivery receipt. Signed string:
// D='&api-key=abcd1234&client-ref=vonage:0A0000000123ABCD1&err-code=0&message-timestamp=2024-06-01
// 12:00:05&messageId=0B00000012345678&msisdn=447700900001&network-code=23410&nonce=bbbbbbbb-cccc-dddd-eeee-0123456789ab&price=0.03330000&scts=2406011200&status=delivered&timestamp=1717243205&to=447700900000'
FormParams ReceiptParams() {
  return {
      {"msisdn", "447700900001"},
      {"to", "447700900000"},
      {"network-code", "23410"},
      {"messageId", "0B00000012345678"},
      {"price", "0.03330000"},
      {"status", "delivered"},
      {"scts", "2406011200"},
      {"err-code", "0"},
      {"api-key", "abcd1234"},
      {"client-ref", "vonage:0A0000000123ABCD1"},
      {"message-timestamp", "2024-06-01 12:00:05"},
      {"timestamp", "1717243205"},
      {"nonce", "bbbbbbbb-cccc-dddd-eeee-0123456789ab"},
  };
}
// printf '%s' "${D}s3cr3t-signature" | md5sum
constexpr std::string_view kReceiptMd5Hash = "42bc7501917adffa63b64b49b176608f";

// Part 2 of 3 of a concatenated SMS. "concat" sorts before "concat-part" (a
// prefix sorts first). Signed string:
// C='&concat=true&concat-part=2&concat-ref=AB12&concat-total=3&messageId=0A0000000123ABCD2&msisdn=447700900001&text=part
// two&timestamp=1717243200&to=447700900000&type=text'
FormParams ConcatParams() {
  return {
      {"msisdn", "447700900001"}, {"to", "447700900000"}, {"messageId", "0A0000000123ABCD2"},
      {"text", "part two"},       {"type", "text"},       {"timestamp", "1717243200"},
      {"concat", "true"},         {"concat-ref", "AB12"}, {"concat-total", "3"},
      {"concat-part", "2"},
  };
}
// printf '%s' "$C" | openssl dgst -sha256 -hmac s3cr3t-signature
constexpr std::string_view kConcatSha256Hmac = "eba1680d148ab4af0e9691e1d1d65ba906b4d77d6126d10bb4429a8bc76d1407";

// A request's owned storage; request() views into it.
struct Req {
  std::string method = "POST";
  std::string url = std::string(kUrl);
  std::string content_type = "application/x-www-form-urlencoded";
  std::string body;

  WebhookRequest request() const { return {method, url, content_type, body, {}}; }
};

Req Form(const FormParams& params) { return Req{.body = FormEncode(params)}; }

Req Get(const FormParams& params) {
  return Req{.method = "GET", .url = std::string(kUrl) + "?" + FormEncode(params), .content_type = "", .body = ""};
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Req Json(const FormParams& params) {
  std::string body = "{";
  for (const auto& [name, value] : params) {
    if (body.size() > 1) body += ',';
    body += JsonString(name) + ":" + JsonString(value);
  }
  return Req{.content_type = "application/json", .body = body + "}"};
}

VonageConfig Config(Method method = Method::kMd5Hash) {
  return VonageConfig{.api_key = "abcd1234",
                      .api_secret = "api-secret-value",
                      .signature_secret = std::string(kSecret),
                      .method = method};
}

ParsedWebhook ParseWith(const VonageConfig& config, const Req& req, std::int64_t now = kTimestamp) {
  return VonageProvider(config).Parse(req.request(), At(now));
}

InboundEvent ParseInbound(const VonageConfig& config, const Req& req, std::int64_t now = kTimestamp) {
  ParsedWebhook parsed = ParseWith(config, req, now);
  if (const auto* error = std::get_if<WebhookError>(&parsed)) {
    ADD_FAILURE() << "refused: " << error->http_status << " " << error->reason;
    return {};
  }
  if (!std::holds_alternative<InboundEvent>(parsed)) {
    ADD_FAILURE() << "not an inbound message (index " << parsed.index() << ")";
    return {};
  }
  return std::get<InboundEvent>(parsed);
}

WebhookError ParseError(const VonageConfig& config, const Req& req, std::int64_t now = kTimestamp) {
  ParsedWebhook parsed = ParseWith(config, req, now);
  if (const auto* error = std::get_if<WebhookError>(&parsed)) return *error;
  ADD_FAILURE() << "accepted (index " << parsed.index() << ")";
  return {0, ""};
}

// ---------------------------------------------------------------------------
// The signature itself.

TEST(VonageSignatureTest, SignedStringSortsByNameAndReplacesAmpersandAndEquals) {
  EXPECT_EQ(VonageSignedString(InboundParams()),
            "&api-key=abcd1234&keyword=NEED&message-timestamp=2024-06-01 12:00:00&messageId=0A0000000123ABCD1"
            "&msisdn=447700900001&nonce=aaaaaaaa-bbbb-cccc-dddd-0123456789ab&text=Need naloxone _ help_now"
            "&timestamp=1717243200&to=447700900000&type=text");
}

TEST(VonageSignatureTest, SignedStringSkipsSig) {
  EXPECT_EQ(VonageSignedString({{"b", "2"}, {"sig", "x"}, {"a", "1"}}), "&a=1&b=2");
}

TEST(VonageSignatureTest, EveryMethodMatchesTheOpensslCli) {
  const FormParams p = InboundParams();
  EXPECT_EQ(VonageSignature(Method::kMd5Hash, kSecret, p), kInboundMd5Hash);
  EXPECT_EQ(VonageSignature(Method::kMd5Hmac, kSecret, p), kInboundMd5Hmac);
  EXPECT_EQ(VonageSignature(Method::kSha1Hmac, kSecret, p), kInboundSha1Hmac);
  EXPECT_EQ(VonageSignature(Method::kSha256Hmac, kSecret, p), kInboundSha256Hmac);
  EXPECT_EQ(VonageSignature(Method::kSha512Hmac, kSecret, p), kInboundSha512Hmac);
}

// Vectors from the official SDKs' tests: vonage-python-sdk tests/test_signature.py
// (v2/v3, md5hash) and http_client/tests/test_auth.py (v4, HMACs).
TEST(VonageSignatureTest, MatchesTheOfficialPythonSdkVectors) {
  EXPECT_EQ(VonageSignature(Method::kMd5Hash, "secret", {{"a", "1"}, {"b", "2"}, {"timestamp", "1461605396"}}),
            "6af838ef94998832dbfc29020b564830");
  const FormParams p = {{"param1", "value1"}, {"param2", "value2"}, {"timestamp", "1234567890"}};
  EXPECT_EQ(VonageSignature(Method::kMd5Hmac, "signature_secret", p), "724c2bf6ca423c36e20631b11d1c5753");
  EXPECT_EQ(VonageSignature(Method::kSha256Hmac, "signature_secret", p),
            "280c4320703dbc98bfa22db676655ed2acfbfe8792b062ff7622e67f1183c287");
  EXPECT_EQ(VonageSignature(Method::kMd5Hmac, "signature_secret",
                            {{"param1", "value&1"}, {"param2", "value=2"}, {"timestamp", "1234567890"}}),
            "2bbf0abafb2c55e5af6231513896a2ac");
  EXPECT_TRUE(VerifyVonageSignature(Method::kMd5Hmac, "signature_secret",
                                    {{"param", "value"}, {"timestamp", "1234567890"}},
                                    "655a4d0b7f064dff438defc52b012cf5"));
}

TEST(VonageSignatureTest, VerificationIgnoresHexCase) {
  EXPECT_TRUE(VerifyVonageSignature(Method::kMd5Hash, kSecret, InboundParams(), "11BF28516F486041C7432419712903FA"));
}

TEST(VonageSignatureTest, WrongSecretMethodOrEmptyInputsNeverVerify) {
  const FormParams p = InboundParams();
  EXPECT_FALSE(VerifyVonageSignature(Method::kMd5Hash, "other-secret", p, kInboundMd5Hash));
  EXPECT_FALSE(VerifyVonageSignature(Method::kMd5Hmac, kSecret, p, kInboundMd5Hash));
  EXPECT_FALSE(VerifyVonageSignature(Method::kMd5Hash, kSecret, p, ""));
  EXPECT_FALSE(VerifyVonageSignature(Method::kMd5Hash, "", p, kInboundMd5Hash));
}

// A blank `keyword`: the Java SDK leaves it out of the signed string, the Node
// and Python SDKs keep "&keyword=". Both are accepted.
// J='&messageId=0A0000000123ABCD3&msisdn=447700900001&text=hi&timestamp=1717243200&to=447700900000&type=text'
// N='&keyword=&messageId=0A0000000123ABCD3&msisdn=447700900001&text=hi&timestamp=1717243200&to=447700900000&type=text'
TEST(VonageSignatureTest, BlankValuesVerifyWithOrWithoutThem) {
  const FormParams p = {
      {"msisdn", "447700900001"}, {"to", "447700900000"}, {"messageId", "0A0000000123ABCD3"}, {"text", "hi"},
      {"type", "text"},           {"keyword", ""},        {"timestamp", "1717243200"}};
  // printf '%s' "${J}s3cr3t-signature" | md5sum
  EXPECT_TRUE(VerifyVonageSignature(Method::kMd5Hash, kSecret, p, "202d6beeff220f9c23c2bb3ba06298e3"));
  // printf '%s' "${N}s3cr3t-signature" | md5sum
  EXPECT_TRUE(VerifyVonageSignature(Method::kMd5Hash, kSecret, p, "021cbb7a500a9011618128ecb71fe6e7"));
}

// ---------------------------------------------------------------------------
// Inbound messages over the three transports.

TEST(VonageProviderTest, AcceptsASignedFormPost) {
  const InboundEvent event = ParseInbound(Config(), Form(With(InboundParams(), "sig", kInboundMd5Hash)));
  const InboundMessage& m = event.message;
  EXPECT_EQ(m.provider, "vonage");
  EXPECT_EQ(m.channel, MessageChannel::kSms);
  EXPECT_EQ(m.id, "0A0000000123ABCD1");
  EXPECT_EQ(m.from, "+447700900001");
  EXPECT_EQ(m.to, "+447700900000");
  EXPECT_EQ(m.text, "Need naloxone & help=now");
  EXPECT_FALSE(event.concat.has_value());
}

TEST(VonageProviderTest, AcceptsASignedGetQuery) {
  const InboundEvent event = ParseInbound(Config(), Get(With(InboundParams(), "sig", kInboundMd5Hash)));
  EXPECT_EQ(event.message.id, "0A0000000123ABCD1");
  EXPECT_EQ(event.message.text, "Need naloxone & help=now");
}

TEST(VonageProviderTest, AcceptsASignedJsonPost) {
  Req req = Json(With(InboundParams(), "sig", kInboundMd5Hash));
  req.content_type = "application/json; charset=utf-8";
  const InboundEvent event = ParseInbound(Config(), req);
  EXPECT_EQ(event.message.from, "+447700900001");
  EXPECT_EQ(event.message.text, "Need naloxone & help=now");
}

TEST(VonageProviderTest, JsonNumbersAreSignedAsTheirTextAndNullsAreAbsent) {
  // The same fields as InboundParams, `timestamp` a JSON number, plus a null.
  Req req = Json(Without(With(InboundParams(), "sig", kInboundMd5Hash), "timestamp"));
  req.body.pop_back();
  req.body += R"(,"timestamp":1717243200,"udh":null})";
  EXPECT_EQ(ParseInbound(Config(), req).message.id, "0A0000000123ABCD1");
}

TEST(VonageProviderTest, EveryHmacMethodVerifies) {
  const std::pair<Method, std::string_view> cases[] = {{Method::kMd5Hmac, kInboundMd5Hmac},
                                                       {Method::kSha1Hmac, kInboundSha1Hmac},
                                                       {Method::kSha256Hmac, kInboundSha256Hmac},
                                                       {Method::kSha512Hmac, kInboundSha512Hmac}};
  for (const auto& [method, sig] : cases) {
    EXPECT_EQ(ParseInbound(Config(method), Form(With(InboundParams(), "sig", sig))).message.id, "0A0000000123ABCD1");
    // ...and only with its own method.
    EXPECT_EQ(ParseError(Config(Method::kMd5Hash), Form(With(InboundParams(), "sig", sig))).reason, "invalid sig");
  }
}

TEST(VonageProviderTest, UnicodeTextIsSignedAsUtf8) {
  // U="&messageId=0A0000000123ABCD4&msisdn=33612345678&text=besoin d'aide
  // \xc3\xa9&timestamp=1717243200&to=33700000000&type=unicode" printf '%s' "${U}s3cr3t-signature" | md5sum
  const FormParams p = {{"msisdn", "33612345678"},
                        {"to", "33700000000"},
                        {"messageId", "0A0000000123ABCD4"},
                        {"text", "besoin d'aide \xC3\xA9"},
                        {"type", "unicode"},
                        {"timestamp", "1717243200"},
                        {"sig", "9056823695bcadbf00f3c33dd1c4a0c8"}};
  EXPECT_EQ(ParseInbound(Config(), Form(p)).message.text, "besoin d'aide \xC3\xA9");
}

// ---------------------------------------------------------------------------
// Refusals.

TEST(VonageProviderTest, RefusesAForgedSignature) {
  EXPECT_EQ(ParseError(Config(), Form(With(InboundParams(), "sig", "00000000000000000000000000000000"))).http_status,
            403);
}

TEST(VonageProviderTest, RefusesATamperedText) {
  const WebhookError e =
      ParseError(Config(), Form(With(With(InboundParams(), "sig", kInboundMd5Hash), "text", "Need naloxone now")));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "invalid sig");
}

TEST(VonageProviderTest, RefusesAMissingSignature) {
  const WebhookError e = ParseError(Config(), Form(InboundParams()));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "missing sig");
}

TEST(VonageProviderTest, RefusesATimestampMoreThanToleranceOld) {
  const Req req = Form(With(InboundParams(), "sig", kInboundMd5Hash));
  const WebhookError e = ParseError(Config(), req, kTimestamp + 301);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, "stale timestamp");
  // At the edge of the window it is still fresh.
  EXPECT_EQ(ParseInbound(Config(), req, kTimestamp + 300).message.id, "0A0000000123ABCD1");
}

TEST(VonageProviderTest, RefusesATimestampMoreThanToleranceAhead) {
  const Req req = Form(With(InboundParams(), "sig", kInboundMd5Hash));
  EXPECT_EQ(ParseError(Config(), req, kTimestamp - 301).reason, "stale timestamp");
  EXPECT_EQ(ParseInbound(Config(), req, kTimestamp - 300).message.id, "0A0000000123ABCD1");
}

TEST(VonageProviderTest, HonoursAConfiguredTolerance) {
  VonageConfig config = Config();
  config.tolerance = seconds(30);
  EXPECT_EQ(ParseError(config, Form(With(InboundParams(), "sig", kInboundMd5Hash)), kTimestamp + 31).reason,
            "stale timestamp");
}

TEST(VonageProviderTest, RefusesASignedRequestWithoutATimestamp) {
  // Signed correctly, but with no timestamp to bound a replay.
  FormParams p = Without(InboundParams(), "timestamp");
  p.emplace_back("sig", VonageSignature(Method::kMd5Hash, kSecret, p));
  EXPECT_EQ(ParseError(Config(), Form(p)).reason, "missing timestamp");
}

TEST(VonageProviderTest, FailsClosedWithoutASignatureSecret) {
  VonageConfig config = Config();
  config.signature_secret.clear();
  const WebhookError e = ParseError(config, Form(With(InboundParams(), "sig", kInboundMd5Hash)));
  EXPECT_EQ(e.http_status, 500);
  EXPECT_EQ(e.reason, "vonage signature secret not configured");
}

TEST(VonageProviderTest, WithoutRequiredSignaturesAcceptsUnsignedButStillChecksSigned) {
  VonageConfig config = Config();
  config.require_signature = false;
  EXPECT_EQ(ParseInbound(config, Form(InboundParams())).message.id, "0A0000000123ABCD1");
  EXPECT_EQ(ParseError(config, Form(With(InboundParams(), "sig", kInboundMd5Hmac))).reason, "invalid sig");
}

TEST(VonageProviderTest, RefusesOtherMethodsAndContentTypes) {
  Req put = Form(InboundParams());
  put.method = "PUT";
  EXPECT_EQ(ParseError(Config(), put).http_status, 405);
  Req xml = Form(InboundParams());
  xml.content_type = "text/xml";
  EXPECT_EQ(ParseError(Config(), xml).http_status, 415);
}

TEST(VonageProviderTest, RefusesBodiesAndQueriesOver64KiB) {
  Req big = Form(With(InboundParams(), "text", std::string(VonageProvider::kMaxBodyBytes, 'a')));
  EXPECT_EQ(ParseError(Config(), big).http_status, 413);
  Req big_get = Get(With(InboundParams(), "text", std::string(VonageProvider::kMaxBodyBytes, 'a')));
  EXPECT_EQ(ParseError(Config(), big_get).http_status, 413);
}

TEST(VonageProviderTest, RefusesMalformedBodies) {
  Req bad_form = Form(InboundParams());
  bad_form.body += "&x=%zz";
  EXPECT_EQ(ParseError(Config(), bad_form).reason, "malformed form body");
  Req bad_query = Get(InboundParams());
  bad_query.url += "&x=%4";
  EXPECT_EQ(ParseError(Config(), bad_query).reason, "malformed query");
  for (const std::string body : {"", "[]", "{", R"({"text":{"nested":"x"}})", R"({"a":[1]})", "{\"t\":\"\xff\"}"}) {
    Req bad_json{.content_type = "application/json", .body = body};
    const WebhookError e = ParseError(Config(), bad_json);
    EXPECT_EQ(e.http_status, 400) << body;
    EXPECT_EQ(e.reason, "malformed JSON body") << body;
  }
}

TEST(VonageProviderTest, RefusesARepeatedParameter) {
  // Which `text` was signed? Neither is trusted.
  FormParams p = With(InboundParams(), "sig", kInboundMd5Hash);
  p.emplace_back("text", "something else");
  EXPECT_EQ(ParseError(Config(), Form(p)).reason, "repeated parameter");
}

TEST(VonageProviderTest, RefusesMissingMsisdnOrMessageId) {
  for (const std::string_view field : {"msisdn", "messageId"}) {
    FormParams p = Without(InboundParams(), field);
    p.emplace_back("sig", VonageSignature(Method::kMd5Hash, kSecret, p));
    const WebhookError e = ParseError(Config(), Form(p));
    EXPECT_EQ(e.http_status, 400);
    EXPECT_EQ(e.reason, "missing " + std::string(field));
  }
}

TEST(VonageProviderTest, ReasonsNeverQuoteTheNumberTextOrSecret) {
  const Req requests[] = {Form(InboundParams()), Form(With(InboundParams(), "sig", "bad")),
                          Form(With(InboundParams(), "sig", kInboundMd5Hash))};
  for (const Req& req : requests) {
    const ParsedWebhook parsed = ParseWith(Config(), req, kTimestamp + 1000);
    ASSERT_TRUE(std::holds_alternative<WebhookError>(parsed));
    const std::string& reason = std::get<WebhookError>(parsed).reason;
    EXPECT_EQ(reason.find("447700900001"), std::string::npos);
    EXPECT_EQ(reason.find("naloxone"), std::string::npos);
    EXPECT_EQ(reason.find(kSecret), std::string::npos);
  }
}

// ---------------------------------------------------------------------------
// Concatenated parts, binary messages, delivery receipts.

TEST(VonageProviderTest, ReturnsOnePartOfAConcatenatedMessage) {
  const InboundEvent event =
      ParseInbound(Config(Method::kSha256Hmac), Form(With(ConcatParams(), "sig", kConcatSha256Hmac)));
  ASSERT_TRUE(event.concat.has_value());
  EXPECT_EQ(event.concat->ref, "AB12");
  EXPECT_EQ(event.concat->total, 3);
  EXPECT_EQ(event.concat->part, 2);
  EXPECT_EQ(event.message.text, "part two");
  EXPECT_EQ(event.message.id, "0A0000000123ABCD2");
}

TEST(VonageProviderTest, RefusesInconsistentConcatParameters) {
  const std::pair<std::string_view, std::string_view> bad[] = {
      {"concat-total", "1"}, {"concat-total", "256"}, {"concat-total", "x"}, {"concat-part", "0"},
      {"concat-part", "4"},  {"concat-ref", ""},      {"concat-part", "-1"}, {"concat-total", ""},
  };
  for (const auto& [name, value] : bad) {
    FormParams p = With(ConcatParams(), name, value);
    p.emplace_back("sig", VonageSignature(Method::kSha256Hmac, kSecret, p));
    const WebhookError e = ParseError(Config(Method::kSha256Hmac), Form(p));
    EXPECT_EQ(e.http_status, 400) << name << "=" << value;
    EXPECT_EQ(e.reason, "inconsistent concat parameters") << name << "=" << value;
  }
  FormParams no_part = Without(ConcatParams(), "concat-part");
  no_part.emplace_back("sig", VonageSignature(Method::kSha256Hmac, kSecret, no_part));
  EXPECT_EQ(ParseError(Config(Method::kSha256Hmac), Form(no_part)).reason, "inconsistent concat parameters");
}

TEST(VonageProviderTest, IgnoresBinaryMessages) {
  FormParams p = Without(With(InboundParams(), "type", "binary"), "text");
  p.emplace_back("data", "0102");
  p.emplace_back("udh", "050003CC0201");
  p.emplace_back("sig", VonageSignature(Method::kMd5Hash, kSecret, p));
  EXPECT_TRUE(std::holds_alternative<Ignored>(ParseWith(Config(), Form(p))));
}

TEST(VonageProviderTest, ParsesASignedDeliveryReceipt) {
  const ParsedWebhook parsed = ParseWith(Config(), Get(With(ReceiptParams(), "sig", kReceiptMd5Hash)));
  ASSERT_TRUE(std::holds_alternative<DeliveryStatus>(parsed)) << parsed.index();
  const DeliveryStatus& st = std::get<DeliveryStatus>(parsed);
  EXPECT_EQ(st.provider, "vonage");
  EXPECT_EQ(st.provider_message_id, "0B00000012345678");
  EXPECT_EQ(st.client_ref, "vonage:0A0000000123ABCD1");
  EXPECT_EQ(st.state, "delivered");
  EXPECT_EQ(st.error_code, "0");
}

TEST(VonageProviderTest, DeliveryReceiptsNeedASignatureToo) {
  EXPECT_EQ(ParseError(Config(), Get(ReceiptParams())).reason, "missing sig");
  EXPECT_EQ(ParseError(Config(), Get(With(ReceiptParams(), "sig", kInboundMd5Hash))).reason, "invalid sig");
}

TEST(VonageProviderTest, MapsEveryReceiptStatus) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"delivered", "delivered"}, {"accepted", "sent"},   {"buffered", "sent"},   {"expired", "undelivered"},
      {"failed", "undelivered"},  {"rejected", "failed"}, {"unknown", "unknown"}, {"something-new", "unknown"},
  };
  for (const auto& [status, state] : cases) {
    FormParams p = With(ReceiptParams(), "status", status);
    p.emplace_back("sig", VonageSignature(Method::kMd5Hash, kSecret, p));
    const ParsedWebhook parsed = ParseWith(Config(), Form(p));
    ASSERT_TRUE(std::holds_alternative<DeliveryStatus>(parsed)) << status;
    EXPECT_EQ(std::get<DeliveryStatus>(parsed).state, state) << status;
  }
}

TEST(VonageProviderTest, AcknowledgesWithAnEmpty200AndNeverRepliesInline) {
  const VonageProvider vonage(Config());
  EXPECT_FALSE(vonage.replies_inline());
  EXPECT_EQ(vonage.provider(), "vonage");
  const WebhookResponse ack = vonage.RenderAcknowledge();
  EXPECT_EQ(ack.status, 200);
  EXPECT_EQ(ack.body, "");
  const WebhookResponse inline_reply = vonage.RenderInline(InboundMessage{}, InlineReply{"text", "[]"});
  EXPECT_EQ(inline_reply.status, 200);
  EXPECT_EQ(inline_reply.body, "");
}

// ---------------------------------------------------------------------------
// Sending.

FormParams SentParams(const Result<OutboundRequest>& req) {
  EXPECT_TRUE(req.ok()) << req.status().ToString();
  if (!req.ok()) return {};
  Result<FormParams> params = ParseFormUrlencoded(req->body);
  EXPECT_TRUE(params.ok());
  return params.ok() ? *params : FormParams{};
}

std::string ValueOf(const FormParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return "<absent>";
}

OutboundMessage Reply(std::string text = "Naloxone kits: 604-555-0199") {
  return OutboundMessage{.id = "vonage:0A0000000123ABCD1",
                         .provider = "vonage",
                         .to = "+447700900001",
                         .from = "+447700900000",
                         .text = std::move(text)};
}

TEST(VonageProviderTest, BuildsAFormPostToSmsJson) {
  VonageConfig config = Config();
  config.api_base = "http://127.0.0.1:8080/";
  const Result<OutboundRequest> req = VonageProvider(config).BuildSend(Reply());
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->method, "POST");
  EXPECT_EQ(req->url, "http://127.0.0.1:8080/sms/json");
  bool form = false;
  for (const auto& [name, value] : req->headers) {
    if (name == "Content-Type") form = value == "application/x-www-form-urlencoded";
  }
  EXPECT_TRUE(form);
  const FormParams p = SentParams(req);
  EXPECT_EQ(ValueOf(p, "api_key"), "abcd1234");
  EXPECT_EQ(ValueOf(p, "api_secret"), "api-secret-value");
  EXPECT_EQ(ValueOf(p, "to"), "447700900001");
  EXPECT_EQ(ValueOf(p, "from"), "447700900000");
  EXPECT_EQ(ValueOf(p, "text"), "Naloxone kits: 604-555-0199");
  EXPECT_EQ(ValueOf(p, "type"), "<absent>");
  EXPECT_EQ(ValueOf(p, "client-ref"), "vonage:0A0000000123ABCD1");
}

TEST(VonageProviderTest, DefaultsToTheProductionApi) {
  EXPECT_EQ(VonageProvider(Config()).BuildSend(Reply())->url, "https://rest.nexmo.com/sms/json");
}

TEST(VonageProviderTest, SendsNonAsciiTextAsUnicode) {
  const FormParams p =
      SentParams(VonageProvider(Config()).BuildSend(Reply("Trousse de naloxone: pharmacie \xC3\xA0 2 km")));
  EXPECT_EQ(ValueOf(p, "type"), "unicode");
  EXPECT_EQ(ValueOf(p, "text"), "Trousse de naloxone: pharmacie \xC3\xA0 2 km");
}

TEST(VonageProviderTest, KeepsAnAlphanumericSenderAsIs) {
  OutboundMessage m = Reply();
  m.from = "Helpline";
  EXPECT_EQ(ValueOf(SentParams(VonageProvider(Config()).BuildSend(m)), "from"), "Helpline");
}

TEST(VonageProviderTest, LongClientRefsBecomeAStable40CharDigest) {
  // printf '%s' 'chat:0123456789abcdef0123456789abcdef0123456789abcdef' | sha256sum | cut -c1-40
  const std::string long_id = "chat:0123456789abcdef0123456789abcdef0123456789abcdef";
  EXPECT_EQ(VonageProvider::ClientRef(long_id), "38b1794979c21cd5f07680325544ae0615026d00");
  OutboundMessage m = Reply();
  m.id = long_id;
  const std::string ref = ValueOf(SentParams(VonageProvider(Config()).BuildSend(m)), "client-ref");
  EXPECT_EQ(ref, "38b1794979c21cd5f07680325544ae0615026d00");
  EXPECT_EQ(ValueOf(SentParams(VonageProvider(Config()).BuildSend(m)), "client-ref"), ref);  // stable
  EXPECT_EQ(VonageProvider::ClientRef(std::string(40, 'x')), std::string(40, 'x'));          // 40 fits as is
  EXPECT_EQ(VonageProvider::ClientRef(std::string(41, 'x')).size(), 40u);
}

TEST(VonageProviderTest, RefusesToBuildUnsendableMessages) {
  const VonageProvider vonage(Config());
  OutboundMessage no_to = Reply();
  no_to.to = "";
  EXPECT_EQ(vonage.BuildSend(no_to).status().code(), StatusCode::kInvalidArgument);
  OutboundMessage chat_to = Reply();
  chat_to.to = "tg:12345";
  EXPECT_EQ(vonage.BuildSend(chat_to).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vonage.BuildSend(chat_to).status().message().find("12345"), std::string::npos);
  OutboundMessage no_from = Reply();
  no_from.from = "";
  EXPECT_EQ(vonage.BuildSend(no_from).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(vonage.BuildSend(Reply("")).status().code(), StatusCode::kInvalidArgument);

  VonageConfig no_credentials = Config();
  no_credentials.api_secret.clear();
  EXPECT_EQ(VonageProvider(no_credentials).BuildSend(Reply()).status().code(), StatusCode::kFailedPrecondition);
}

TEST(VonageProviderTest, Status0IsSentWithTheMessageId) {
  const DeliveryDecision d = VonageProvider(Config()).ClassifySend(Response(
      200, R"({"message-count":"1","messages":[{"to":"447700900001","message-id":"0C000000ABCDEF01","status":"0",)"
           R"("remaining-balance":"3.14","message-price":"0.0333","network":"23410"}]})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kSent);
  EXPECT_EQ(d.provider_message_id, "0C000000ABCDEF01");
}

TEST(VonageProviderTest, EveryPartSentIsSentWithTheFirstId) {
  const DeliveryDecision d = VonageProvider(Config()).ClassifySend(
      Response(200, R"({"message-count":"2","messages":[{"status":"0","message-id":"A1"},)"
                    R"({"status":"0","message-id":"A2"}]})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kSent);
  EXPECT_EQ(d.provider_message_id, "A1");
}

TEST(VonageProviderTest, Status1ThrottledIsRetried) {
  const DeliveryDecision d = VonageProvider(Config()).ClassifySend(
      Response(200, R"({"message-count":"1","messages":[{"status":"1","error-text":"Throughput Rate Exceeded"}]})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.reason, "vonage status 1");
}

TEST(VonageProviderTest, Status4IsAFailureThatQuotesOnlyTheCode) {
  const DeliveryDecision d = VonageProvider(Config()).ClassifySend(Response(
      200, R"({"message-count":"1","messages":[{"status":"4","error-text":"Bad Credentials for 447700900001"}]})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kFail);
  EXPECT_EQ(d.reason, "vonage status 4");
}

TEST(VonageProviderTest, APartialSendFailsRatherThanRepeatingTheSentParts) {
  const DeliveryDecision d = VonageProvider(Config()).ClassifySend(
      Response(200, R"({"message-count":"2","messages":[{"status":"0","message-id":"A1"},{"status":"1"}]})"));
  EXPECT_EQ(d.verdict, DeliveryVerdict::kFail);
  EXPECT_EQ(d.reason, "vonage status 1 partial");
}

TEST(VonageProviderTest, HttpErrorsFollowTheSharedRule) {
  const VonageProvider vonage(Config());
  const DeliveryDecision server = vonage.ClassifySend(Response(500, "oops", {{"Retry-After", "7"}}));
  EXPECT_EQ(server.verdict, DeliveryVerdict::kRetry);
  ASSERT_TRUE(server.retry_after.has_value());
  EXPECT_EQ(*server.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(vonage.ClassifySend(Response(429, "")).verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(vonage.ClassifySend(Response(401, "")).verdict, DeliveryVerdict::kFail);
  EXPECT_EQ(
      vonage.ClassifySend(HttpResult{.transport_ok = false, .status = 0, .headers = {}, .body = "", .error = "timeout"})
          .verdict,
      DeliveryVerdict::kRetry);
}

TEST(VonageProviderTest, AMalformedSuccessIsAFailure) {
  const VonageProvider vonage(Config());
  for (const std::string body : {"", "not json", "{}", R"({"messages":[]})", R"({"messages":[{"status":"0"}]})",
                                 R"({"messages":[{"status":"zero"}]})", R"({"messages":["x"]})"}) {
    const DeliveryDecision d = vonage.ClassifySend(Response(200, body));
    EXPECT_EQ(d.verdict, DeliveryVerdict::kFail) << body;
    EXPECT_EQ(d.reason, "vonage 200 malformed") << body;
  }
}

}  // namespace
}  // namespace helpline::gateway
