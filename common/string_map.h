#pragma once
// Hash maps and sets keyed by std::string that are searched with a
// std::string_view (or a C string) without building a std::string first: a
// transparent hash and equality (C++20 heterogeneous lookup), so a lookup on
// a request path allocates nothing.
//
//   StringMap<int> counts;
//   counts.emplace("answered", 0);
//   std::string_view outcome = "answered";
//   if (auto it = counts.find(outcome); it != counts.end()) ++it->second;  // no std::string built
//
// Only find(), count(), contains() and equal_range() take the view; insertion
// still needs the std::string key.
//
// Thread-safety: as std::unordered_map and std::unordered_set.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace helpline {

// std::hash<std::string_view> for every string type: a std::string and its
// view hash alike, as the containers require.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

}  // namespace helpline
