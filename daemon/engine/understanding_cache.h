#pragma once
// What MessageEngine::Understand made of a text, for reuse. Understand reads
// nothing but the text and the sender's country (from the number and the
// provider's hints); not the sender's remembered state, not the directory.
// So for one engine, (text, country) decides the Understanding, and a
// repeated text ("HELP", "NALOXONE", "STOP") from anyone in the same country
// is understood once per event loop.
//
//   UnderstandingCache cache;  // one per event loop
//   std::shared_ptr<const Understanding> u = engine.Understand(message, cache);
//   EngineReply r = engine.Answer(message, *u, state, index);
//
// The key is the text exactly as received: Understand reads the raw text
// (the risk detector, the language identifier, upper-case tokens), so texts
// that fold alike may still be understood differently. Texts longer than
// kMaxTextBytes are understood every time and not kept (long texts seldom
// repeat and would make entries large). Bounded: when it holds max_entries,
// the next Insert() empties it first. It also holds the loop's NotTypoMemo
// (not_typo_memo.h), for the texts it has not seen.
//
// The cache belongs to one engine at a time: Find() with another engine
// forgets every entry and the memo first. A new directory snapshot changes
// nothing here (the reply cache, reply_cache.h, is the one that follows it).
//
// Thread-safety: not thread-safe: give each event loop its own. Lifetimes:
// an Understanding returned stays valid while it is held (shared), and
// points into its engine's tables (keyword languages), so the engine must
// outlive it.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/string_map.h"
#include "daemon/engine/not_typo_memo.h"

namespace helpline::engine {

class MessageEngine;
struct Understanding;

class UnderstandingCache {
 public:
  static constexpr std::size_t kMaxTextBytes = 64;

  explicit UnderstandingCache(std::size_t max_entries = 4096) : max_entries_(max_entries) {}

  // What `engine` understood of `text` from a sender in `country`, or null.
  // Counts a hit or a miss. Allocates nothing.
  std::shared_ptr<const Understanding> Find(const MessageEngine& engine, std::string_view text,
                                            std::string_view country);
  // Keeps `understood` for (text, country), after Find() missed it for the
  // same engine. A text longer than kMaxTextBytes is not kept.
  void Insert(std::string_view text, std::string_view country, std::shared_ptr<const Understanding> understood);

  // The memo of words that are no keyword's typo, for this cache's engine.
  NotTypoMemo& not_typos() { return not_typos_; }

  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }
  std::size_t size() const { return size_; }

 private:
  using PerCountry = std::vector<std::pair<std::string, std::shared_ptr<const Understanding>>>;

  std::size_t max_entries_;
  const MessageEngine* engine_ = nullptr;
  StringMap<PerCountry> by_text_;  // text -> (country, understanding), a country at most once
  std::size_t size_ = 0;           // (text, country) pairs held
  NotTypoMemo not_typos_;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace helpline::engine
