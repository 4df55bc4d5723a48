// Fuzz target: one directory file through the validator
// (directory/validator.h): the depth-limited iterative JSON parse, the UTF-8
// and control-character checks, the schema (file shell, then each resource),
// the semantic rules (phones, regions, dates, URLs), then the canonical codec
// and the index on what passed.
//
// Input: the file's text. Invariants: every diagnostic is valid UTF-8 with a
// JSON pointer; every resource that passed has canonical JSON that is valid
// UTF-8 and reads back to the same resource and the same text; the index
// builds from them.

#include <cstddef>
#include <cstdint>
#include <string>

#include "directory/index.h"
#include "directory/json_codec.h"
#include "directory/validator.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/resource_checks.h"

namespace dir = helpline::directory;
using helpline::fuzz::IsUtf8;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const dir::Validator validator(dir::ValidatorOptions{.max_age_days = 365, .today = "2026-12-01"});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  dir::ValidationReport report;
  validator.ValidateText("fuzz/us-fuzz.json", text, &report);
  validator.Finish(&report);
  for (const dir::Diagnostic& d : report.diagnostics) {
    FUZZ_CHECK(d.file == "fuzz/us-fuzz.json");
    FUZZ_CHECK(d.pointer.empty() || d.pointer.front() == '/');
    FUZZ_CHECK(IsUtf8(d.pointer));
    FUZZ_CHECK(!d.message.empty());
    FUZZ_CHECK(IsUtf8(d.message));
  }
  FUZZ_CHECK(report.origins.size() == report.resources.size());
  for (const dir::Resource& r : report.resources) helpline::fuzz::CheckCanonicalRoundTrip(r);
  if (report.ok()) {
    auto index = dir::DirectoryIndex::Build(report.resources, 1);
    FUZZ_CHECK(index != nullptr);
  }
  return 0;
}
