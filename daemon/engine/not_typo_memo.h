#pragma once
// Folded words known not to be a misspelled keyword, remembered so that
// KeywordTable::MatchTypos does not measure them against every keyword of a
// similar length again ("please", "need", "my", "friend" come back in message
// after message). Whether a word is a typo of a keyword depends only on the
// word and the keyword table, so a word remembered here is skipped with the
// same outcome as measuring it again.
//
//   NotTypoMemo memo;                                   // one per event loop
//   auto hits = keywords.MatchTypos(tokens, used, &memo);  // fills and reads it
//
// Bounded: at most max_words words of at most kMaxWordBytes bytes each
// (longer words are measured every time); when it is full, the next Add()
// empties it first, and the words in use come back within a few messages.
// It belongs to one keyword table: give a new table a new memo.
//
// Thread-safety: not thread-safe: give each event loop its own.

#include <cstddef>
#include <string_view>

#include "common/string_map.h"

namespace helpline::engine {

class NotTypoMemo {
 public:
  static constexpr std::size_t kMaxWordBytes = 32;

  explicit NotTypoMemo(std::size_t max_words = 4096) : max_words_(max_words) {}

  // Whether `word` was added (and not forgotten since). Allocates nothing.
  bool Contains(std::string_view word) const { return words_.find(word) != words_.end(); }
  // Remembers that `word` is no keyword's typo; a word longer than
  // kMaxWordBytes is not kept.
  void Add(std::string_view word) {
    if (word.size() > kMaxWordBytes) return;
    if (words_.size() >= max_words_) words_.clear();
    words_.emplace(word);
  }

  std::size_t size() const { return words_.size(); }

 private:
  std::size_t max_words_;
  StringSet words_;
};

}  // namespace helpline::engine
