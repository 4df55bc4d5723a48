#pragma once
// The canonical-JSON round trip both directory harnesses check
// (directory_file_fuzz.cc on what the validator accepted,
// resource_json_fuzz.cc on what ResourceFromJson accepted).
//
// Thread-safety: a free function; harnesses are single-threaded.

#include <string>

#include "directory/json_codec.h"
#include "fuzz/fuzz_support.h"

namespace helpline::fuzz {

// `r`'s canonical JSON is valid UTF-8 and reads back to the same resource and
// the same text.
inline void CheckCanonicalRoundTrip(const directory::Resource& r) {
  const std::string canonical = directory::ToCanonicalJson(r);
  FUZZ_CHECK(IsUtf8(canonical));
  auto back = directory::ResourceFromJson(canonical);
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(directory::ToCanonicalJson(*back) == canonical);
  FUZZ_CHECK(*back == r);
}

}  // namespace helpline::fuzz
