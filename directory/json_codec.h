#pragma once
// Resource <-> JSON. The canonical form is compact JSON with the fields in a
// fixed order (the schema's order) and optional fields omitted when empty;
// it is what the store keeps and what the content digest is computed over,
// so equal resources always have byte-identical canonical JSON.
//
// Thread-safety: free functions without shared state.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "directory/model.h"

namespace helpline::directory {

std::string ToCanonicalJson(const Resource& r);

// Parses canonical (or any schema-valid) resource JSON. InvalidArgument if the
// text is not a resource object.
Result<Resource> ResourceFromJson(std::string_view json);

// The resource's top-level fields as (name, compact JSON value) in canonical
// order, omitted optional fields included as "" so two resources compare
// field by field.
std::vector<std::pair<std::string, std::string>> FieldsAsJson(const Resource& r);

// SHA-256 hex over the canonical JSON of `resources` (which must be sorted by
// id), one resource per line.
std::string ContentDigest(const std::vector<Resource>& resources);

}  // namespace helpline::directory
