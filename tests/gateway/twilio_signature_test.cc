#include "gateway/twilio/twilio_signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "common/base64.h"
#include "common/crypto.h"

namespace helpline::gateway {
namespace {

// The worked example of Twilio's webhook security documentation
// (https://www.twilio.com/docs/usage/webhooks/webhooks-security, earlier at
// https://www.twilio.com/docs/usage/security#validating-requests).
constexpr std::string_view kDocsToken = "12345";
constexpr std::string_view kDocsUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
const FormParams kDocsParams = {
    {"CallSid", "CA1234567890ABCDE"}, {"Caller", "+14158675310"}, {"Digits", "1234"},
    {"From", "+14158675310"},         {"To", "+18005551212"},
};
constexpr std::string_view kDocsSignature = "GvWf1cFY/Q7PnoempGyD5oXAezc=";

// The same request as twilio-python's own test suite signs it
// (tests/unit/test_request_validator.py: Caller/From +14158675309), with the
// expected signatures that suite asserts.
const FormParams kLibParams = {
    {"CallSid", "CA1234567890ABCDE"}, {"Digits", "1234"},         {"From", "+14158675309"},
    {"To", "+18005551212"},           {"Caller", "+14158675309"},
};
constexpr std::string_view kLibSignature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

TEST(TwilioSignature, ReproducesTheExampleInTwiliosDocumentation) {
  EXPECT_EQ(TwilioSignature(kDocsToken, kDocsUrl, kDocsParams), kDocsSignature);
  EXPECT_TRUE(VerifyTwilioSignature(kDocsToken, kDocsUrl, kDocsParams, kDocsSignature));
}

TEST(TwilioSignature, ReproducesTheVectorOfTwilioPythonsTestSuite) {
  EXPECT_EQ(TwilioSignature(kDocsToken, kDocsUrl, kLibParams), kLibSignature);
}

TEST(TwilioSignature, DoesNotDependOnTheOrderParametersArrivedIn) {
  FormParams reversed(kDocsParams.rbegin(), kDocsParams.rend());
  EXPECT_EQ(TwilioSignature(kDocsToken, kDocsUrl, reversed), kDocsSignature);
}

TEST(TwilioSignature, SortsRepeatedNamesByValueAsTwilioPythonDoes) {
  // twilio-python's test_compute_signature_duplicate_multi_dict: "Sid" sorts
  // before "SidAccount", and Digits 1234 before 5678 whatever the body order.
  const FormParams params{{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"}, {"Digits", "1234"}};
  EXPECT_EQ(TwilioSignature(kDocsToken, kDocsUrl, params), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

TEST(TwilioSignature, WithoutParametersSignsTheUrlAlone) {
  // Computed independently: printf %s URL | openssl sha1 -hmac 12345 -binary | base64
  EXPECT_EQ(TwilioSignature(kDocsToken, kDocsUrl, {}), "zYQTYrRWXE7LtzbG4PfP7/bkkGo=");
}

TEST(TwilioSignature, RejectsAnythingThatChanged) {
  EXPECT_FALSE(VerifyTwilioSignature("54321", kDocsUrl, kDocsParams, kDocsSignature));
  EXPECT_FALSE(
      VerifyTwilioSignature(kDocsToken, "https://mycompany.com/myapp.php?foo=1&bar=3", kDocsParams, kDocsSignature));
  EXPECT_FALSE(
      VerifyTwilioSignature(kDocsToken, "http://mycompany.com/myapp.php?foo=1&bar=2", kDocsParams, kDocsSignature));
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, "https://mycompany.com/myapp.php", kDocsParams, kDocsSignature));
  FormParams tampered = kDocsParams;
  tampered[2].second = "9999";
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, kDocsUrl, tampered, kDocsSignature));
  FormParams extra = kDocsParams;
  extra.emplace_back("Body", "");
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, kDocsUrl, extra, kDocsSignature));
}

TEST(TwilioSignature, RejectsEmptyAndAlmostRightSignatures) {
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, kDocsUrl, kDocsParams, ""));
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, kDocsUrl, kDocsParams, std::string(kDocsSignature) + " "));
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, kDocsUrl, kDocsParams, kDocsSignature.substr(0, 27)));
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, kDocsUrl, kDocsParams, "gvwf1cfy/q7pnoempgyd5oxaezc="));
}

// The provider's form: the auth token's key made ready once, used for many
// requests, accepts and refuses exactly what the token form does.
TEST(TwilioSignature, AKeyMadeReadyOnceAcceptsAndRefusesAsTheTokenDoes) {
  const HmacKey key(Digest::kSha1, kDocsToken);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(VerifyTwilioSignature(key, kDocsUrl, kDocsParams, kDocsSignature));
    EXPECT_TRUE(VerifyTwilioSignature(key, kDocsUrl, kLibParams, "kvajT1Ptam85bY51eRf/AJRuM3w="));  // :443 added
    EXPECT_TRUE(
        VerifyTwilioSignature(key, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", kLibParams, kLibSignature));
    EXPECT_FALSE(VerifyTwilioSignature(key, kDocsUrl, kDocsParams, ""));
    EXPECT_FALSE(VerifyTwilioSignature(key, kDocsUrl, kDocsParams, kLibSignature));
    EXPECT_FALSE(VerifyTwilioSignature(key, kDocsUrl, kDocsParams, "gvwf1cfy/q7pnoempgyd5oxaezc="));
  }
  EXPECT_FALSE(VerifyTwilioSignature(HmacKey(Digest::kSha1, "54321"), kDocsUrl, kDocsParams, kDocsSignature));
}

// Port leniency, with the expected signatures of twilio-python's test suite
// (test_validation_{removes,adds}_port_on_{https,http}).
TEST(TwilioSignature, AcceptsASignatureOverTheUrlWithItsPortRemoved) {
  EXPECT_TRUE(
      VerifyTwilioSignature(kDocsToken, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", kLibParams, kLibSignature));
}

TEST(TwilioSignature, AcceptsASignatureOverTheUrlWithItsExplicitPort) {
  EXPECT_TRUE(VerifyTwilioSignature(kDocsToken, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", kLibParams,
                                    "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="));
}

TEST(TwilioSignature, AcceptsASignatureOverTheUrlWithTheDefaultHttpsPortAdded) {
  EXPECT_TRUE(VerifyTwilioSignature(kDocsToken, kDocsUrl, kLibParams, "kvajT1Ptam85bY51eRf/AJRuM3w="));
  EXPECT_EQ(TwilioSignature(kDocsToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", kLibParams),
            "kvajT1Ptam85bY51eRf/AJRuM3w=");
}

TEST(TwilioSignature, AcceptsASignatureOverTheUrlWithTheDefaultHttpPortAdded) {
  EXPECT_TRUE(VerifyTwilioSignature(kDocsToken, "http://mycompany.com/myapp.php?foo=1&bar=2", kLibParams,
                                    "0ZXoZLH/DfblKGATFgpif+LLRf4="));
}

TEST(TwilioSignature, DoesNotAcceptTheWrongDefaultPortForTheScheme) {
  const std::string over_80 = TwilioSignature(kDocsToken, "https://mycompany.com:80/myapp.php?foo=1&bar=2", kLibParams);
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, kDocsUrl, kLibParams, over_80));
}

TEST(TwilioPortVariants, RemovesAnExplicitPortAndAddsTheSchemesDefault) {
  struct Case {
    std::string_view url, without, with;
  };
  const Case cases[] = {
      {"https://a.example/sms", "https://a.example/sms", "https://a.example:443/sms"},
      {"http://a.example/sms", "http://a.example/sms", "http://a.example:80/sms"},
      {"HTTPS://a.example/sms", "HTTPS://a.example/sms", "HTTPS://a.example:443/sms"},
      {"https://a.example", "https://a.example", "https://a.example:443"},
      {"https://a.example?x=1:2", "https://a.example?x=1:2", "https://a.example:443?x=1:2"},
      {"https://a.example#f", "https://a.example#f", "https://a.example:443#f"},
      {"https://a.example:8443/sms?a=b", "https://a.example/sms?a=b", "https://a.example:8443/sms?a=b"},
      {"https://a.example:443/sms", "https://a.example/sms", "https://a.example:443/sms"},
      // Where twilio-python's remove_port (netloc.split(':')[0]) would cut
      // the URL short, the port alone is removed.
      {"https://user:pw@a.example:8443/sms", "https://user:pw@a.example/sms", "https://user:pw@a.example:8443/sms"},
      {"https://user:pw@a.example/sms", "https://user:pw@a.example/sms", "https://user:pw@a.example:443/sms"},
      {"https://[2001:db8::1]:8443/sms", "https://[2001:db8::1]/sms", "https://[2001:db8::1]:8443/sms"},
      {"https://[2001:db8::1]/sms", "https://[2001:db8::1]/sms", "https://[2001:db8::1]:443/sms"},
      // Not splittable: used as given.
      {"a.example/sms", "a.example/sms", "a.example/sms"},
      {"https://a.example:https/sms", "https://a.example:https/sms", "https://a.example:https/sms"},
      {"https://a.example:/sms", "https://a.example:/sms", "https://a.example:/sms"},
      {"https://[::1/sms", "https://[::1/sms", "https://[::1/sms"},
  };
  for (const Case& c : cases) {
    const TwilioUrlVariants v = TwilioPortVariants(c.url);
    EXPECT_EQ(v.without_port, c.without) << c.url;
    EXPECT_EQ(v.with_port, c.with) << c.url;
  }
}

// The signed string built whole, as the helper libraries do: the URL, then
// every name and value sorted as std::string pairs (bytes as unsigned char).
std::string SignatureOfWholeString(std::string_view token, std::string_view url, FormParams params) {
  std::sort(params.begin(), params.end());
  std::string data(url);
  for (const auto& [name, value] : params) data.append(name).append(value);
  return Base64Encode(Hmac(Digest::kSha1, token, data));
}

TEST(TwilioSignature, EqualsTheSignatureOfTheSignedStringBuiltWhole) {
  const FormParams cases[] = {
      {},
      {{"", ""}},
      {{"Body", ""}, {"", "x"}},
      // A repeated name: by value, a value before the longer one it starts.
      {{"a", "ab"}, {"a", "a"}, {"a", ""}, {"ab", ""}},
      // Bytes above 0x7F sort after ASCII (UTF-8 code point order).
      {{"Body", "\xC3\xA9"}, {"Body", "z"}, {"\xC3\xA9", "1"}, {"Z", "2"}},
      {{"Body", std::string("nul\0inside", 10)}, {"From", "+16045550123"}},
      // A realistic inbound SMS: twenty parameters.
      {{"ToCountry", "US"},
       {"ToState", "DC"},
       {"SmsMessageSid", "SM1"},
       {"NumMedia", "0"},
       {"ToCity", "WASHINGTON"},
       {"FromZip", "20001"},
       {"SmsSid", "SM1"},
       {"FromState", "DC"},
       {"SmsStatus", "received"},
       {"FromCity", "DC"},
       {"Body", "need narcan"},
       {"FromCountry", "US"},
       {"To", "+12025550100"},
       {"ToZip", "20001"},
       {"NumSegments", "1"},
       {"MessageSid", "SM1"},
       {"AccountSid", "AC1"},
       {"From", "+12025550143"},
       {"ApiVersion", "2010-04-01"},
       {"MessagingServiceSid", "MG1"}},
  };
  for (const FormParams& params : cases) {
    for (const std::string_view url :
         {std::string_view(kDocsUrl), std::string_view("https://a.example:8443/sms"), std::string_view("not a url")}) {
      const std::string expected = SignatureOfWholeString(kDocsToken, url, params);
      EXPECT_EQ(TwilioSignature(kDocsToken, url, params), expected) << url;
      EXPECT_TRUE(VerifyTwilioSignature(kDocsToken, url, params, expected)) << url;
    }
  }
}

TEST(TwilioSignature, AUrlThatCannotBeSplitIsCheckedAsGivenOnly) {
  const std::string good = TwilioSignature(kDocsToken, "a.example/sms", kLibParams);
  EXPECT_TRUE(VerifyTwilioSignature(kDocsToken, "a.example/sms", kLibParams, good));
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, "a.example:443/sms", kLibParams, good));
  const std::string bad_port = TwilioSignature(kDocsToken, "https://a.example:x/sms", kLibParams);
  EXPECT_TRUE(VerifyTwilioSignature(kDocsToken, "https://a.example:x/sms", kLibParams, bad_port));
  EXPECT_FALSE(VerifyTwilioSignature(kDocsToken, "https://a.example/sms", kLibParams, bad_port));
}

// twilio-python's test_validation_of_body_succeeds: a JSON body signed via
// bodySHA256 in the query string.
TEST(TwilioBodySignature, AcceptsTwilioPythonsJsonBodyVector) {
  const std::string body = R"({"property": "value", "boolean": true})";
  const std::string url =
      std::string(kDocsUrl) + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  EXPECT_TRUE(VerifyTwilioBodySignature(kDocsToken, url, body, "a9nBmqA0ju/hNViExpshrM61xv4="));
  EXPECT_FALSE(VerifyTwilioBodySignature(kDocsToken, url, body + " ", "a9nBmqA0ju/hNViExpshrM61xv4="));
  EXPECT_FALSE(VerifyTwilioBodySignature(kDocsToken, url, body, "b9nBmqA0ju/hNViExpshrM61xv4="));
  EXPECT_FALSE(VerifyTwilioBodySignature(kDocsToken, url, body, ""));
}

TEST(TwilioBodySignature, RejectsAUrlWithoutBodySha256) {
  const std::string signature = TwilioSignature(kDocsToken, kDocsUrl, {});
  EXPECT_FALSE(VerifyTwilioBodySignature(kDocsToken, kDocsUrl, "{}", signature));
  EXPECT_FALSE(VerifyTwilioBodySignature(kDocsToken, "https://mycompany.com/x", "{}", signature));
}

TEST(ConstantTimeEquals, IsEqualityOfBytes) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals(kDocsSignature, std::string(kDocsSignature)));
  EXPECT_FALSE(ConstantTimeEquals(kDocsSignature, "GvWf1cFY/Q7PnoempGyD5oXAezd="));  // last byte
  EXPECT_FALSE(ConstantTimeEquals(kDocsSignature, "HvWf1cFY/Q7PnoempGyD5oXAezc="));  // first byte
  EXPECT_FALSE(ConstantTimeEquals(kDocsSignature, kDocsSignature.substr(1)));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

// Timing is not measured (that would be a flaky test); instead this pins the
// implementation: signature comparisons go through OpenSSL's CRYPTO_memcmp,
// and nothing in the file compares a computed signature with operator==.
TEST(ConstantTimeEquals, SignatureChecksUseCryptoMemcmp) {
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/gateway/twilio/twilio_signature.cc");
  ASSERT_TRUE(in) << "cannot read twilio_signature.cc";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string source = ss.str();
  std::ifstream crypto_in(std::string(HELPLINE_SOURCE_DIR) + "/common/crypto.cc");
  ASSERT_TRUE(crypto_in) << "cannot read crypto.cc";
  std::stringstream crypto;
  crypto << crypto_in.rdbuf();
  EXPECT_NE(crypto.str().find("CRYPTO_memcmp(a.data(), b.data(), a.size())"), std::string::npos);
  EXPECT_EQ(source.find("== signature"), std::string::npos);
  EXPECT_EQ(source.find("signature =="), std::string::npos);
  auto count = [&](std::string_view needle) {
    int n = 0;
    for (auto pos = source.find(needle); pos != std::string::npos; pos = source.find(needle, pos + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("memcmp("), count("CRYPTO_memcmp(")) << "a plain memcmp: is it constant-time?";
}

}  // namespace
}  // namespace helpline::gateway
