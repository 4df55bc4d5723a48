#pragma once
// Turning what a person typed into comparable tokens: case, accents,
// punctuation and emoji are folded away ("¡AYÚDAME!" -> "ayudame",
// "won't" -> "wont", "need narcan 🙏 in BC" -> need narcan in bc).
//
//   Tokens t = Tokenize("Need NARCAN in BC, please!");
//   // t[1].text == "narcan", t[3].text == "bc", t[3].upper == true
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helpline {

struct Token {
  std::string text;     // folded: ASCII lower-case letters and digits only
  bool upper = false;   // every letter was upper-case in the original
  bool digits = false;  // only digits
};

// At most `max_tokens` tokens are produced (longer texts are cut: a person's
// SMS is short, and the bound keeps the work per message bounded).
std::vector<Token> Tokenize(std::string_view utf8, std::size_t max_tokens = 64);

// Folds one UTF-8 string the same way (tokens joined by single spaces).
std::string FoldText(std::string_view utf8);

// `utf8` with a space put before the character at which each cut falls, a
// cut being (token index as Tokenize numbers them, offset in that token's
// folded text); every other byte is kept. `cuts` ascending; a cut inside a
// ligature's two letters (æ -> ae) or past its token is dropped.
//   InsertSpacesInTokens("¡Quieromorir!", {{0, 6}}) == "¡Quiero morir!"
std::string InsertSpacesInTokens(std::string_view utf8, const std::vector<std::pair<std::size_t, std::size_t>>& cuts);

// Edit distance with adjacent transpositions (optimal string alignment),
// giving up early: returns max_distance + 1 once the distance exceeds it.
int BoundedEditDistance(std::string_view a, std::string_view b, int max_distance);

}  // namespace helpline
