#include "directory/phone.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace helpline::directory {
namespace {

constexpr ChannelKind kVoice = ChannelKind::kVoice;
constexpr ChannelKind kSms = ChannelKind::kSms;
constexpr ChannelKind kTty = ChannelKind::kTty;

// The normalized value, or "error: <message>".
std::string Norm(std::string_view raw, std::string_view country, ChannelKind kind = kVoice) {
  PhoneBook phones;
  Result<NormalizedPhone> r = phones.Normalize(raw, country, kind);
  if (!r.ok()) return "error: " + r.status().message();
  return r->value;
}

bool IsShortCode(std::string_view raw, std::string_view country, ChannelKind kind) {
  PhoneBook phones;
  Result<NormalizedPhone> r = phones.Normalize(raw, country, kind);
  return r.ok() && r->short_code;
}

TEST(PhoneBook, VanityNumberNormalizesToE164) {
  EXPECT_EQ(Norm("1-800-662-HELP", "US"), "+18006624357");
  EXPECT_EQ(Norm("1-888-688-NORS", "CA"), "+18886886677");
  EXPECT_EQ(Norm("1-800-GAMBLER", "US"), "+18004262537");
  EXPECT_EQ(Norm("1 (800) 273-talk", "US"), "+18002738255");
}

TEST(PhoneBook, NationalInternationalDottedAndParenthesisedFormsAgree) {
  for (std::string_view raw :
       {"1-800-662-4357", "800-662-4357", "18006624357", "+18006624357", "+1 800 662 4357", "+1 (800) 662-4357",
        "(800) 662-4357", "1.800.662.4357", "800.662.4357", "1 800 662 4357"}) {
    EXPECT_EQ(Norm(raw, "US"), "+18006624357") << raw;
  }
  EXPECT_EQ(Norm("(604) 681-2000", "CA"), "+16046812000");
  EXPECT_EQ(Norm("+44 20 7946 0958", "GB"), "+442079460958");
  EXPECT_EQ(Norm("020 7946 0958", "GB"), "+442079460958");
}

TEST(PhoneBook, NormalNumbersAreNotShortCodes) {
  PhoneBook phones;
  Result<NormalizedPhone> r = phones.Normalize("1-800-668-6868", "CA", kVoice);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->short_code);
}

TEST(PhoneBook, TollFreeNumbersAreValidForBothUsAndCanada) {
  for (std::string_view raw : {"1-800-668-6868", "1-888-273-8255", "1-877-330-6366", "1-866-531-2600", "1-855-242-3310",
                               "1-844-493-8255", "1-833-456-4566"}) {
    for (std::string_view country : {"US", "CA"}) {
      EXPECT_EQ(Norm(raw, country).substr(0, 2), "+1") << raw << " for " << country;
    }
  }
}

TEST(PhoneBook, GeographicNumbersMustBelongToTheCountry) {
  EXPECT_EQ(Norm("1-902-470-8888", "CA"), "+19024708888");
  EXPECT_EQ(Norm("212-555-0100", "US"), "+12125550100");
  EXPECT_EQ(Norm("212-555-0100", "CA"), "error: '212-555-0100' is not a valid phone number for CA");
  EXPECT_EQ(Norm("604-681-2000", "US"), "error: '604-681-2000' is not a valid phone number for US");
  EXPECT_EQ(Norm("+44 20 7946 0958", "US"), "error: '+44 20 7946 0958' is not a valid phone number for US");
}

TEST(PhoneBook, UsTerritoryNumbersAreValidForUs) {
  EXPECT_EQ(Norm("787-723-2121", "US"), "+17877232121");     // Puerto Rico
  EXPECT_EQ(Norm("+1 340 776 2121", "US"), "+13407762121");  // US Virgin Islands
  EXPECT_EQ(Norm("671-475-1000", "US"), "+16714751000");     // Guam
  EXPECT_EQ(Norm("876-922-1000", "US"),                      // Jamaica is not US
            "error: '876-922-1000' is not a valid phone number for US");
}

TEST(PhoneBook, ServiceCodesAreShortCodesForVoiceSmsAndTty) {
  for (std::string_view country : {"US", "CA"}) {
    for (ChannelKind kind : {kVoice, kSms, kTty}) {
      for (std::string_view code : {"988", "911", "211", "811"}) {
        EXPECT_EQ(Norm(code, country, kind), code) << code << " for " << country;
        EXPECT_TRUE(IsShortCode(code, country, kind)) << code << " for " << country;
      }
    }
  }
  EXPECT_EQ(Norm("9-1-1", "CA"), "911");
}

TEST(PhoneBook, CommonShortCodesAreShortCodesForSms) {
  for (std::string_view country : {"US", "CA"}) {
    for (std::string_view code : {"686868", "741741", "247247", "435748", "253787", "838255", "22222"}) {
      EXPECT_EQ(Norm(code, country, kSms), code) << code << " for " << country;
      EXPECT_TRUE(IsShortCode(code, country, kSms)) << code << " for " << country;
    }
  }
  EXPECT_EQ(Norm("741 741", "US", kSms), "741741");
}

TEST(PhoneBook, CommonShortCodesAreRejectedForVoiceAndTty) {
  for (std::string_view code : {"686868", "741741", "247247", "435748", "253787"}) {
    EXPECT_EQ(Norm(code, "CA", kVoice), "error: '" + std::string(code) +
                                            "' is a short code; short codes of CA like it only take text messages, not "
                                            "voice calls");
    EXPECT_NE(Norm(code, "US", kTty).find("only take text messages, not TTY calls"), std::string::npos) << code;
  }
}

TEST(PhoneBook, SpelledShortCodeNormalizesToItsDigits) {
  EXPECT_EQ(Norm("ALERTS", "CA", kSms), "253787");
  EXPECT_EQ(Norm("HELP4U", "US", kSms), "435748");
}

TEST(PhoneBook, ShortCodesStartingWithZeroOrOneAreNotCommonShortCodes) {
  EXPECT_EQ(Norm("012345", "US", kSms), "error: '012345' is not a valid phone number for US");
  EXPECT_EQ(Norm("01234", "CA", kSms), "error: '01234' is not a valid phone number for CA");
}

TEST(PhoneBook, TooShortNumberIsRejectedWithTheRawTextAndCountry) {
  EXPECT_EQ(Norm("1-800-66-6868", "CA"), "error: '1-800-66-6868' is not a valid phone number for CA");
  PhoneBook phones;
  Result<NormalizedPhone> r = phones.Normalize("1-800-66-6868", "CA", kVoice);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(PhoneBook, LettersOnlyTextIsRejected) {
  EXPECT_EQ(Norm("HELP", "US"), "error: 'HELP' is not a valid phone number for US");
  EXPECT_EQ(Norm("HELPLINE", "CA"), "error: 'HELPLINE' is not a valid phone number for CA");
  EXPECT_EQ(Norm("call now", "US", kSms), "error: 'call now' is not a valid phone number for US");
}

TEST(PhoneBook, TextAroundANumberIsRejected) {
  EXPECT_EQ(Norm("call 1-800-662-4357", "US"), "error: 'call 1-800-662-4357' is not a valid phone number for US");
  EXPECT_EQ(Norm("1-800-662-4357 (English)", "US"),
            "error: '1-800-662-4357 (English)' is not a valid phone number for US");
}

TEST(PhoneBook, EmptyInputIsRejected) {
  EXPECT_EQ(Norm("", "US"), "error: '' is not a valid phone number for US");
  EXPECT_EQ(Norm("   ", "CA"), "error: '   ' is not a valid phone number for CA");
}

TEST(PhoneBook, SevenDigitAndOtherImpossibleNumbersAreRejected) {
  EXPECT_EQ(Norm("555-0100", "US"), "error: '555-0100' is not a valid phone number for US");
  EXPECT_EQ(Norm("1-800-662-HELPME", "US"), "error: '1-800-662-HELPME' is not a valid phone number for US");
  EXPECT_EQ(Norm("1-800-662-4357-12", "US"), "error: '1-800-662-4357-12' is not a valid phone number for US");
  EXPECT_EQ(Norm("999", "US"), "error: '999' is not a valid phone number for US");
}

TEST(PhoneBook, NumberWithAnExtensionIsRejected) {
  const std::string error = Norm("1-800-662-4357 ext 5", "US");
  EXPECT_EQ(error.rfind("error: '1-800-662-4357 ext 5' has an extension", 0), 0u) << error;
}

TEST(PhoneBook, OverlongInputIsRejected) {
  const std::string error = Norm(std::string(500, '1'), "US");
  EXPECT_NE(error.find("too long to be a phone number"), std::string::npos);
  EXPECT_LT(error.size(), 200u);
}

TEST(PhoneBook, UnknownCountryIsRejectedByName) {
  for (std::string_view country : {"XX", "ZZ", "us", "USA", "", "001"}) {
    PhoneBook phones;
    Result<NormalizedPhone> r = phones.Normalize("1-800-662-4357", country, kVoice);
    ASSERT_FALSE(r.ok()) << country;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("'" + std::string(country) + "' is not a country", 0), 0u)
        << r.status().message();
  }
}

TEST(PhoneBook, NonPhoneChannelKindIsRejected) {
  PhoneBook phones;
  EXPECT_FALSE(phones.Normalize("1-800-662-4357", "US", ChannelKind::kChat).ok());
  EXPECT_FALSE(phones.Normalize("988", "US", ChannelKind::kWeb).ok());
}

TEST(PhoneBook, OtherCountriesUseLibphonenumberShortNumbers) {
  EXPECT_EQ(Norm("999", "GB"), "999");
  EXPECT_TRUE(IsShortCode("112", "FR", kVoice));
}

TEST(PhoneBook, FormatsNanpNumbersWithDashesForUsAndCanadianReaders) {
  PhoneBook phones;
  EXPECT_EQ(phones.FormatFor("+18006624357", "US"), "1-800-662-4357");
  EXPECT_EQ(phones.FormatFor("+18006624357", "CA"), "1-800-662-4357");
  EXPECT_EQ(phones.FormatFor("+16046812000", "CA"), "1-604-681-2000");
}

TEST(PhoneBook, FormatsInInternationalFormatOtherwise) {
  PhoneBook phones;
  EXPECT_EQ(phones.FormatFor("+442079460958", "US"), "+44 20 7946 0958");
  EXPECT_EQ(phones.FormatFor("+442079460958", "GB"), "+44 20 7946 0958");
  EXPECT_EQ(phones.FormatFor("+18006624357", "GB"), "+1 800-662-4357");
}

TEST(PhoneBook, FormatLeavesShortCodesAndUnparseableValuesUnchanged) {
  PhoneBook phones;
  EXPECT_EQ(phones.FormatFor("988", "US"), "988");
  EXPECT_EQ(phones.FormatFor("686868", "CA"), "686868");
  EXPECT_EQ(phones.FormatFor("", "CA"), "");
  EXPECT_EQ(phones.FormatFor("+", "CA"), "+");
  EXPECT_EQ(phones.FormatFor("not a number", "US"), "not a number");
}

TEST(PhoneBook, NormalizedValuesRoundTripThroughFormatFor) {
  PhoneBook phones;
  for (std::string_view raw : {"1-800-662-HELP", "1-888-688-NORS", "(604) 681-2000"}) {
    Result<NormalizedPhone> n = phones.Normalize(raw, "CA", kVoice);
    ASSERT_TRUE(n.ok()) << raw;
    Result<NormalizedPhone> again = phones.Normalize(phones.FormatFor(n->value, "CA"), "CA", kVoice);
    ASSERT_TRUE(again.ok()) << raw;
    EXPECT_EQ(again->value, n->value);
  }
}

}  // namespace
}  // namespace helpline::directory
