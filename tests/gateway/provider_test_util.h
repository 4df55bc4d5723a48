#pragma once
// Fixtures shared by the provider adapter tests (tests/gateway/*_test.cc):
// editing form parameters, a fixed clock, canned HTTP results for
// ClassifySend, and reading back what an adapter rendered. Test-only; each
// function is inline so that every test executable links on its own.
//
//   const FormParams p = With(Without(InboundParams(), "SmsStatus"), "Body", "");
//   const DeliveryDecision d = provider.ClassifySend(Response(429, "{}", {{"Retry-After", "7"}}));
//   EXPECT_EQ(HeaderOf(*built, "Content-Type"), "application/json");

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "gateway/form_urlencoded.h"
#include "gateway/outbound.h"

namespace helpline::gateway {

// The wall-clock instant `unix_seconds` after the epoch.
inline std::chrono::system_clock::time_point At(std::int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

// `params` with the first pair named `name` set to `value`, or with the pair
// appended when there is none.
inline FormParams With(FormParams params, std::string_view name, std::string_view value) {
  for (auto& p : params) {
    if (p.first == name) {
      p.second = value;
      return params;
    }
  }
  params.emplace_back(name, value);
  return params;
}

// `params` without any pair named `name`.
inline FormParams Without(FormParams params, std::string_view name) {
  std::erase_if(params, [&](const auto& p) { return p.first == name; });
  return params;
}

// The value of header `name` (compared exactly) in a built request, or "";
// a test failure when the header appears more than once.
inline std::string HeaderOf(const OutboundRequest& request, std::string_view name) {
  std::string found;
  int count = 0;
  for (const auto& [key, value] : request.headers) {
    if (key == name) {
      found = value;
      ++count;
    }
  }
  EXPECT_LE(count, 1) << name;
  return found;
}

// A completed HTTP exchange (transport_ok) with `status`, `body` and `headers`.
inline HttpResult Response(long status, std::string body, HttpHeaders headers = {}) {
  HttpResult r;
  r.transport_ok = true;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// `body` parsed as JSON (validating UTF-8); a test failure unless it is an object.
inline rapidjson::Document ParseJson(const std::string& body) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(body.c_str(), body.size());
  EXPECT_FALSE(d.HasParseError()) << body;
  EXPECT_TRUE(d.IsObject()) << body;
  return d;
}

}  // namespace helpline::gateway
