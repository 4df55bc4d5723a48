#pragma once
// The shipped data/engine/risk.json, read and parsed once per test binary
// (Parse() builds the typo index), for the risk detector's tests.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/engine/risk_detector.h"

namespace helpline::engine {

inline std::string ReadShippedRiskData() {
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/data/engine/risk.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Aborts with the parse error: every test of the file would fail anyway.
inline const RiskDetector& ShippedRiskDetector() {
  static const RiskDetector detector = [] {
    auto parsed = RiskDetector::Parse(ReadShippedRiskData());
    if (!parsed.ok()) {
      std::fprintf(stderr, "data/engine/risk.json: %s\n", parsed.status().ToString().c_str());
      std::abort();
    }
    return std::move(parsed).value();
  }();
  return detector;
}

}  // namespace helpline::engine
