#pragma once
// Private to directory/: decoding a RapidJSON value into a Resource. Kept out
// of the public headers so RapidJSON never leaks into other components.

#include <rapidjson/document.h>

#include "directory/model.h"

namespace helpline::directory::internal {

// Decodes a value that passed the resource schema. Fields of the wrong type
// are left at their defaults (the schema has already reported them).
Resource DecodeResource(const rapidjson::Value& v);

}  // namespace helpline::directory::internal
