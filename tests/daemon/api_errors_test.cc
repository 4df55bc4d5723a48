#include "daemon/api_errors.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace helpline::daemon {
namespace {

TEST(ApiErrors, EveryCodeIsUniqueSnakeCaseAndAnHttpError) {
  std::set<std::string_view> codes;
  std::set<int> statuses;
  for (const ApiErrorInfo& row : kApiErrors) {
    EXPECT_TRUE(codes.insert(row.code).second) << row.code;
    EXPECT_TRUE(statuses.insert(row.status).second)
        << "one error per status, so a server answer maps back: " << row.status;
    EXPECT_GE(row.status, 400);
    EXPECT_LT(row.status, 600);
    for (char c : row.code) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << row.code;
    EXPECT_EQ(&InfoOf(row.error), &row);
    EXPECT_EQ(ApiErrorOfStatus(row.status), row.error);
  }
  EXPECT_EQ(ApiErrorOfStatus(200), std::nullopt);
}

TEST(ApiErrors, TheBodyCarriesTheCodeAndTheMessageAsJson) {
  EXPECT_EQ(ApiErrorJson(ApiError::kBadRequest, "region \"x\" is\nbad"),
            "{\"error\":{\"code\":\"bad_request\",\"message\":\"region \\\"x\\\" is\\nbad\"}}\n");
  const HttpResponse r = ApiErrorResponse(ApiError::kNotFound, "no such route");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"error\":{\"code\":\"not_found\",\"message\":\"no such route\"}}\n");
}

TEST(ApiErrors, OnlyV1PathsAreApiPaths) {
  EXPECT_TRUE(IsApiPath("/v1"));
  EXPECT_TRUE(IsApiPath("/v1/lookup"));
  EXPECT_TRUE(IsApiPath("/v1/nope"));
  EXPECT_FALSE(IsApiPath("/v10/lookup"));
  EXPECT_FALSE(IsApiPath("/find"));
  EXPECT_FALSE(IsApiPath("/webhooks/chat"));
}

// docs/openapi.yaml's Error schema lists the codes as an enum on one line
// ("enum: [bad_request, ...]" under "x-source: daemon/api_errors.h"); it must be this table.
TEST(ApiErrors, TheOpenApiContractListsExactlyTheseCodes) {
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/docs/openapi.yaml");
  ASSERT_TRUE(in) << "docs/openapi.yaml";
  std::string line;
  bool in_code = false;
  std::string listed;
  while (std::getline(in, line)) {
    if (line.find("x-source: daemon/api_errors.h") != std::string::npos) in_code = true;
    if (in_code && line.find("enum: [") != std::string::npos) {
      listed = line.substr(line.find('[') + 1, line.find(']') - line.find('[') - 1);
      break;
    }
  }
  ASSERT_FALSE(listed.empty()) << "no enum after x-source in docs/openapi.yaml";
  std::set<std::string> documented;
  std::stringstream items(listed);
  for (std::string item; std::getline(items, item, ',');) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    documented.insert(item);
  }
  std::set<std::string> table;
  for (const ApiErrorInfo& row : kApiErrors) table.insert(std::string(row.code));
  EXPECT_EQ(documented, table);
}

}  // namespace
}  // namespace helpline::daemon
