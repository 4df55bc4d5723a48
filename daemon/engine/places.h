#pragma once
// Major cities people name instead of their state or province ("help in
// vancouver", "rehab near houston"), mapped to their ISO 3166-2 region.
// Only names that are not ambiguous across the US and Canada are listed
// (no Richmond, Victoria-the-state, Portland, Kingston...). Input is folded
// text (lower-case ASCII words separated by single spaces, see FoldText).
//
// Thread-safety: a static table; thread-safe.

#include <optional>
#include <string_view>

namespace helpline::engine {

std::optional<std::string_view> RegionForPlace(std::string_view folded_name);

}  // namespace helpline::engine
