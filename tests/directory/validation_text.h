#pragma once
// Test helpers: validating texts as files, and a report's diagnostics as text.

#include <string>
#include <utility>
#include <vector>

#include "directory/validator.h"

namespace helpline::directory::testing {

// Validates (name, text) pairs as if read from files named so, today being 2026-11-25.
inline ValidationReport CheckTexts(const std::vector<std::pair<std::string, std::string>>& files,
                                   int max_age_days = 365) {
  Validator v(ValidatorOptions{max_age_days, "2026-11-25"});
  ValidationReport report;
  for (const auto& [name, text] : files) v.ValidateText(name, text, &report);
  v.Finish(&report);
  return report;
}

// Every diagnostic, one per line.
inline std::string AllDiagnostics(const ValidationReport& r) {
  std::string s;
  for (const auto& d : r.diagnostics) s += d.ToString() + "\n";
  return s;
}

}  // namespace helpline::directory::testing
