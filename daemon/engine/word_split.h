#pragma once
// Run-together words spaced out: a person typing in a hurry, on a broken
// screen or through a voice-to-text slip sends "myfriendwontwakeup",
// "iwannakillmyself", "miamigonorespira" or "jeveuxmourir", one token that
// no rule, keyword or model knows. WordSplitter learns how often each word
// occurs in the engine's own labelled examples (risk_examples.tsv and
// intent_examples.tsv, en/es/fr) and cuts such a token into the most
// likely sequence of known words (a unigram model, as in Norvig's
// "segment": the product of the pieces' frequencies, best by dynamic
// programming).
//
//   WordSplitter s;
//   s.Learn(risk_examples_tsv);                                 // "label\ttext" lines
//   s.LearnWords(keywords_json);                                // the rules' own words
//   s.Cuts("myfriendwontwakeup");                               // {2, 8, 12, 16}
//   s.SpaceOut("myfriendwontwakeup!!", Tokenize(...));          // "my friend wont wake up!!"
//
// A token is cut only when it is not a known word itself, holds at least
// kMinLetters characters, and every piece is a known word (seen at least
// kMinCount times; a one-letter piece only if it is a word on its own in
// en/es/fr: i, a, y, o, e, u; digits stand for themselves), at most half of
// them two letters or fewer, and two pieces only from kMinTwoPieceLetters
// letters or beside a number (a compound such as "deadline" or "hangover"
// stays whole when the examples lack it). MessageEngine reads the spaced-out text only
// when the text as written was understood as nothing, and takes that reading
// only when its rules or keywords find something (docs/ARCHITECTURE.md,
// "Run-together words"): a word the examples lack may fall apart into short
// known ones ("vieilles" -> "vie il les"), which must not move a learned
// model's reading alone.
//
// Thread-safety: Learn before sharing; the const methods are safe to call
// from any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/text_normalize.h"

namespace helpline::engine {

class WordSplitter {
 public:
  static constexpr std::size_t kMinLetters = 6;           // shorter tokens stay as written ("hesod")
  static constexpr std::size_t kMaxLetters = 48;          // longer ones too (the work stays bounded)
  static constexpr std::size_t kMaxPiece = 20;            // the longest word a piece may be
  static constexpr std::uint32_t kMinCount = 2;           // a word seen once may be a typo
  static constexpr std::size_t kMinTwoPieceLetters = 12;  // shorter two-word tokens are compounds ("deadline")

  // Counts the folded words of every "label<TAB>text" line (lines starting
  // with '#' and lines without a tab are skipped); a text seen before, in
  // this file or an earlier one, counts once.
  void Learn(std::string_view examples_tsv);

  // Every word of a rules table (keywords.json, risk.json, language.json as
  // text: phrases, patterns and notes alike) is a word: never cut, and a
  // piece as likely as the rarest known word. A word the rules read ("mes
  // vieilles pilules") must reach them whole.
  void LearnWords(std::string_view text);

  // Whether `word` (folded) was seen at least kMinCount times, or in a table.
  bool Known(std::string_view word) const;

  // The offsets in `word` (folded, as Tokenize gives it) where a space goes,
  // ascending; empty when it stays whole.
  std::vector<std::size_t> Cuts(std::string_view word) const;

  // `text` with a space at each cut of each token that splits (`tokens` is
  // Tokenize(text)), everything else byte for byte; nullopt when none does.
  std::optional<std::string> SpaceOut(std::string_view text, const std::vector<Token>& tokens) const;

 private:
  std::unordered_map<std::string, std::uint32_t> counts_;
  std::uint64_t total_ = 0;
  std::unordered_set<std::size_t> seen_;  // hashes of the texts counted
};

}  // namespace helpline::engine
