// Fuzz target: ResourceFromJson (directory/json_codec.h), which reads
// resources back from Redis and from the daemon's disk snapshot: a tampered
// store must give an error, never a crash, and nothing invalid to serve.
//
// Input: the JSON text of one resource. Invariants: an accepted resource's
// text fields are valid UTF-8; its canonical JSON is valid UTF-8 and reads
// back to the same resource and the same text; FieldsAsJson names each field
// once.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "directory/json_codec.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/resource_checks.h"

namespace dir = helpline::directory;
using helpline::fuzz::IsUtf8;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = dir::ResourceFromJson(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(IsUtf8(parsed.status().message()));
    return 0;
  }
  const dir::Resource& r = *parsed;
  FUZZ_CHECK(IsUtf8(r.id) && IsUtf8(r.name) && IsUtf8(r.description) && IsUtf8(r.hours) && IsUtf8(r.notes));
  for (const auto& c : r.channels) FUZZ_CHECK(IsUtf8(c.value) && IsUtf8(c.label));
  helpline::fuzz::CheckCanonicalRoundTrip(r);
  std::set<std::string> names;
  for (const auto& [name, value] : dir::FieldsAsJson(r)) FUZZ_CHECK(names.insert(name).second);
  return 0;
}
