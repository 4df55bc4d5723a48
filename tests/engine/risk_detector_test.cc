#include "daemon/engine/risk_detector.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace helpline::engine {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(RiskDetector, ShippedDataParses) {
  auto risk = RiskDetector::Parse(ReadFile(std::string(HELPLINE_SOURCE_DIR) + "/data/engine/risk.json"));
  ASSERT_TRUE(risk.ok()) << risk.status().ToString();
  EXPECT_TRUE(risk->Assess(Tokenize("he is not breathing")).overdose);
}

}  // namespace
}  // namespace helpline::engine
