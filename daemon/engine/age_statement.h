#pragma once
// Age statements in a message: "I'm 15", "im 16 yrs old", "15yo", "tengo 14
// años", "j'ai 15 ans". A young age is a youth request whatever else the
// message says (except safety): a 15-year-old asking about rehab should read
// the lines made for young people first.
//
//   auto age = FindStatedAge(Tokenize("im 15 and my mom drinks"));
//   // age->years == 15, age->lang == "en", age->first == 0
//
// Only first-person statements count ("my son is 15" is a parent writing),
// or the sender among several ("me n my gf are both 16", "we are 15"). An
// age said without the word for years ("chu 16", "soy de 14", "j'ai 15",
// "tngo 16") counts only where the number ends the message or a clause
// starts after it ("chu 16 pis jai besoin daide"); a number followed by
// anything else counts something ("j'ai 15 piasses", "chu 16 sur la liste").
// Thread-safety: a pure function.

#include <optional>
#include <string_view>
#include <vector>

#include "common/text_normalize.h"

namespace helpline::engine {

struct StatedAge {
  int years = 0;
  std::string_view lang;  // "en", "es", "fr" (the form it was stated in)
  std::size_t first = 0;  // first token of the statement
  std::size_t count = 0;  // tokens covered
};

// The first first-person age statement among `tokens`, if any. Numbers
// outside kMinAge..kMaxAge ("soy de 1990"), or followed by a unit ("im 15
// minutes away", "tengo 14 pastillas", "im 16 days clean"), are not ages.
std::optional<StatedAge> FindStatedAge(const std::vector<Token>& tokens);

inline constexpr int kMinAge = 10;
inline constexpr int kMaxAge = 99;
// Ages up to this are answered as youth.
inline constexpr int kYouthMaxAge = 19;

}  // namespace helpline::engine
