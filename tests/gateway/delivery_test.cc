#include "gateway/delivery.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace helpline::gateway {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;
using namespace std::chrono_literals;

// Sun, 06 Nov 1994 08:49:37 GMT, the example date of RFC 9110 section 5.6.7.
const system_clock::time_point kRfcDate =
    std::chrono::sys_days(std::chrono::year(1994) / std::chrono::November / 6) + 8h + 49min + 37s;

HttpResult Response(long status, HttpHeaders headers = {}, std::string body = "") {
  HttpResult r;
  r.transport_ok = true;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

TEST(ParseRetryAfter, ReadsDeltaSecondsAsMilliseconds) {
  EXPECT_EQ(ParseRetryAfter("7", kRfcDate), milliseconds(7000));
  EXPECT_EQ(ParseRetryAfter("0", kRfcDate), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("120", kRfcDate), milliseconds(120000));
}

TEST(ParseRetryAfter, IgnoresSurroundingWhitespace) {
  EXPECT_EQ(ParseRetryAfter("  7\t", kRfcDate), milliseconds(7000));
}

TEST(ParseRetryAfter, SaturatesHugeDeltaSecondsInsteadOfOverflowing) {
  const auto expected = milliseconds(seconds(std::int64_t{1} << 31));
  EXPECT_EQ(ParseRetryAfter("2147483648", kRfcDate), expected);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999999999", kRfcDate), expected);
}

TEST(ParseRetryAfter, ReadsAnImfFixdateRelativeToNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcDate - 90s), milliseconds(90000));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", kRfcDate), milliseconds(30000));
}

TEST(ParseRetryAfter, RoundsAFractionalWaitUpToTheNextMillisecond) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcDate - 1500us), milliseconds(2));
}

TEST(ParseRetryAfter, ADateInThePastMeansRetryNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcDate + 1h), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kRfcDate), milliseconds(0));
}

TEST(ParseRetryAfter, ReadsTheObsoleteRfc850AndAsctimeForms) {
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", kRfcDate - 5s), milliseconds(5000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", kRfcDate - 5s), milliseconds(5000));
  EXPECT_EQ(ParseRetryAfter("Sun Nov 06 08:49:37 1994", kRfcDate - 5s), milliseconds(5000));
}

TEST(ParseRetryAfter, ATwoDigitYearFarInTheFutureIsInThePastCentury) {
  // From 2030, "94" is 1994 (2094 is more than 50 years ahead), so it has passed.
  const system_clock::time_point in_2030 = std::chrono::sys_days(std::chrono::year(2030) / 1 / 1);
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", in_2030), milliseconds(0));
  // From 2030, "31" is 2031: a year ahead.
  const auto wait = ParseRetryAfter("Wednesday, 01-Jan-31 00:00:00 GMT", in_2030);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, std::chrono::duration_cast<milliseconds>(std::chrono::days(365)));
}

TEST(ParseRetryAfter, GarbageIsNullopt) {
  for (const char* value : {"",
                            "   ",
                            "soon",
                            "-7",
                            "+7",
                            "7.5",
                            "7s",
                            "0x10",
                            "1e3",
                            "7 8",
                            "Sun, 06 Nov 1994 08:49:37 UTC",  // must be GMT
                            "Sun, 06 Nov 1994 08:49:37",      // no zone
                            "Sun, 6 Nov 1994 08:49:37 GMT",   // day must be two digits
                            "Sun, 06 nov 1994 08:49:37 GMT",  // month names are case-sensitive
                            "Sun, 31 Nov 1994 08:49:37 GMT",  // no such day
                            "Sun, 29 Feb 1995 08:49:37 GMT",  // not a leap year
                            "Sun, 06 Nov 1994 24:00:00 GMT",  // no such hour
                            "Sun, 06 Nov 1994 08:60:00 GMT",  // no such minute
                            "Xyz, 06 Nov 1994 08:49:37 GMT",  // no such day name
                            "Sun, 06 Nov 1994 08:49:37 GMT extra",
                            "Sunday, 06-Nov-1994 08:49:37 GMT",
                            "Sun Nov 6 08:49:37 1994"}) {
    EXPECT_EQ(ParseRetryAfter(value, kRfcDate), std::nullopt) << value;
  }
}

TEST(ParseRetryAfter, AcceptsALeapSecondAndLeapDay) {
  EXPECT_EQ(ParseRetryAfter("Thu, 29 Feb 1996 00:00:00 GMT", kRfcDate).has_value(), true);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:60 GMT", kRfcDate), milliseconds(23000));
}

TEST(ClassifyHttp, EveryTwoHundredIsSentWithoutAnIdOfItsOwn) {
  for (const long status : {200L, 201L, 202L, 204L, 299L}) {
    const DeliveryDecision d = ClassifyHttp(Response(status), "acme", kRfcDate);
    EXPECT_EQ(d.verdict, DeliveryVerdict::kSent) << status;
    EXPECT_EQ(d.provider_message_id, "");
    EXPECT_EQ(d.reason, "acme " + std::to_string(status));
  }
}

TEST(ClassifyHttp, TooManyRequestsIsRetriedAfterRetryAfterSeconds) {
  const DeliveryDecision d = ClassifyHttp(Response(429, {{"Retry-After", "7"}}), "acme", kRfcDate);
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.retry_after, milliseconds(7000));
  EXPECT_EQ(d.reason, "acme 429");
}

TEST(ClassifyHttp, FindsRetryAfterInAnyCase) {
  const DeliveryDecision d = ClassifyHttp(Response(503, {{"x-other", "1"}, {"retry-after", "3"}}), "acme", kRfcDate);
  EXPECT_EQ(d.retry_after, milliseconds(3000));
}

TEST(ClassifyHttp, HonoursARetryAfterDate) {
  const DeliveryDecision d =
      ClassifyHttp(Response(503, {{"Retry-After", "Sun, 06 Nov 1994 08:50:37 GMT"}}), "acme", kRfcDate);
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.retry_after, milliseconds(60000));
}

TEST(ClassifyHttp, ServerErrorsAreRetriedWithoutADelayWhenNoneIsGiven) {
  for (const long status : {500L, 502L, 503L, 504L, 599L}) {
    const DeliveryDecision d = ClassifyHttp(Response(status), "acme", kRfcDate);
    EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry) << status;
    EXPECT_EQ(d.retry_after, std::nullopt);
  }
}

TEST(ClassifyHttp, AnUnreadableRetryAfterStillRetries) {
  const DeliveryDecision d = ClassifyHttp(Response(429, {{"Retry-After", "later"}}), "acme", kRfcDate);
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.retry_after, std::nullopt);
}

TEST(ClassifyHttp, TransportFailuresAreRetriedWithTheClientsError) {
  HttpResult r;
  r.transport_ok = false;
  r.error = "Connection timed out after 10001 milliseconds";
  const DeliveryDecision d = ClassifyHttp(r, "acme", kRfcDate);
  EXPECT_EQ(d.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(d.reason, "acme transport error: Connection timed out after 10001 milliseconds");
  r.error.clear();
  EXPECT_EQ(ClassifyHttp(r, "acme", kRfcDate).reason, "acme transport error");
}

TEST(ClassifyHttp, OtherStatusesFailForGoodAndIgnoreRetryAfter) {
  for (const long status : {100L, 301L, 304L, 400L, 401L, 403L, 404L, 408L, 413L, 422L, 499L, 600L}) {
    const DeliveryDecision d = ClassifyHttp(Response(status, {{"Retry-After", "7"}}), "acme", kRfcDate);
    EXPECT_EQ(d.verdict, DeliveryVerdict::kFail) << status;
    EXPECT_EQ(d.retry_after, std::nullopt) << status;
    EXPECT_EQ(d.reason, "acme " + std::to_string(status));
  }
}

TEST(ClassifyHttp, NeverCopiesTheBodyOrHeaderValuesIntoTheReason) {
  const DeliveryDecision d =
      ClassifyHttp(Response(400, {{"X-Echo", "+16045550123"}}, R"({"to":"+16045550123"})"), "acme", kRfcDate);
  EXPECT_EQ(d.reason.find("6045550123"), std::string::npos);
}

TEST(MarkMalformedSuccess, TurnsASendIntoAPermanentFailure) {
  DeliveryDecision d = ClassifyHttp(Response(201), "acme", kRfcDate);
  d.provider_message_id = "half-read";
  MarkMalformedSuccess(d);
  EXPECT_EQ(d.verdict, DeliveryVerdict::kFail);
  EXPECT_EQ(d.reason, "acme 201 malformed");
  EXPECT_EQ(d.provider_message_id, "");
}

TEST(FindHeader, MatchesNamesInAnyCaseAndReturnsTheFirst) {
  const HttpHeaders headers = {{"Content-Type", "a"}, {"content-type", "b"}};
  EXPECT_EQ(FindHeader(headers, "CONTENT-TYPE"), "a");
  EXPECT_EQ(FindHeader(headers, "content-length"), "");
}

}  // namespace
}  // namespace helpline::gateway
