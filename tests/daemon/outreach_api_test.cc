#include "daemon/outreach_api.h"

#include <gtest/gtest.h>

#include "common/sha256.h"

namespace helpline::daemon {
namespace {

TEST(OutreachApi, ABearerKeyIsAcceptedOnlyWhenItsDigestIsConfigured) {
  const std::set<std::string> keys = {Sha256Hex("partner-key")};
  EXPECT_TRUE(HasApiKey("Bearer partner-key", keys));
  EXPECT_TRUE(HasApiKey("bEARER partner-key", keys)) << "the scheme in any case";
  EXPECT_FALSE(HasApiKey("Bearer other-key", keys));
  EXPECT_FALSE(HasApiKey("Bearer  partner-key", keys));
  EXPECT_FALSE(HasApiKey("Basic partner-key", keys));
  EXPECT_FALSE(HasApiKey("Bearer ", keys));
  EXPECT_FALSE(HasApiKey("", keys));
  EXPECT_FALSE(HasApiKey("Bearer partner-key", {}));
}

TEST(OutreachApi, UnauthorizedAsksForABearerKey) {
  const ApiAnswer a = Unauthorized();
  EXPECT_EQ(a.response.status, 401);
  EXPECT_EQ(a.outcome, "unauthorized");
  EXPECT_EQ(a.response.body.rfind("{\"error\":{\"code\":\"unauthorized\",\"message\":", 0), 0u) << a.response.body;
  ASSERT_EQ(a.response.headers.size(), 1u);
  EXPECT_EQ(a.response.headers[0].second, "Bearer");
}

TEST(OutreachApi, AKeyGrantsOnlyItsListsScope) {
  const ApiKeys keys{.lookup = {Sha256Hex("lookup-key"), Sha256Hex("both-key")},
                     .alerts = {Sha256Hex("alerts-key"), Sha256Hex("both-key")}};
  EXPECT_FALSE(CheckApiKey("Bearer lookup-key", keys, ApiScope::kLookup).has_value());
  EXPECT_FALSE(CheckApiKey("Bearer alerts-key", keys, ApiScope::kAlerts).has_value());
  EXPECT_FALSE(CheckApiKey("Bearer both-key", keys, ApiScope::kAlerts).has_value());
  EXPECT_FALSE(CheckApiKey("Bearer both-key", keys, ApiScope::kLookup).has_value());
  auto a = CheckApiKey("Bearer lookup-key", keys, ApiScope::kAlerts);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->response.status, 403);
  EXPECT_EQ(a->outcome, "forbidden");
  EXPECT_NE(a->response.body.find("\"code\":\"forbidden\""), std::string::npos) << a->response.body;
  a = CheckApiKey("Bearer alerts-key", keys, ApiScope::kLookup);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->response.status, 403);
  for (const char* auth : {"", "Bearer nobody", "Basic alerts-key"}) {
    a = CheckApiKey(auth, keys, ApiScope::kAlerts);
    ASSERT_TRUE(a.has_value()) << auth;
    EXPECT_EQ(a->response.status, 401) << auth;
  }
}

TEST(OutreachApi, BadParametersAreNamedNeverEchoedAndCheckedBeforeTheDirectory) {
  ApiAnswer a = LookupAnswer(nullptr, "region=XX-SECRET&category=naloxone");
  EXPECT_EQ(a.response.status, 400);
  EXPECT_EQ(a.outcome, "bad_request");
  EXPECT_EQ(a.response.body.find("SECRET"), std::string::npos);
  a = LookupAnswer(nullptr, "region=CA-BC&category=nal0xone-SECRET");
  EXPECT_EQ(a.response.status, 400);
  EXPECT_NE(a.response.body.find("category is missing or unknown; one of: "), std::string::npos);
  EXPECT_EQ(a.response.body.find("SECRET"), std::string::npos);
  a = LookupAnswer(nullptr, "region=%zz");
  EXPECT_EQ(a.response.body, "{\"error\":{\"code\":\"bad_request\",\"message\":\"malformed query string\"}}\n");
  a = LookupAnswer(nullptr, "region=CA-BC&category=naloxone");
  EXPECT_EQ(a.response.status, 503);
  EXPECT_EQ(a.outcome, "not_ready");
  EXPECT_NE(a.response.body.find("\"code\":\"not_ready\""), std::string::npos) << a.response.body;
  EXPECT_EQ(RegionsAnswer(nullptr).response.status, 503);
  EXPECT_EQ(a.response.content_type, "application/json");
}

}  // namespace
}  // namespace helpline::daemon
