#pragma once
// Composed replies, for reuse. Within one directory snapshot the reply to
// (kind, intent, language, region, reader's country, channel, head lines,
// named resource, regions to ask about) is always the same text, so
// composing it once serves every later message that resolves to it ("HELP"
// from any Vancouver number). A hit rate of 99.99% on the benchmark's mix.
//
//   ReplyCache cache;  // one per event loop
//   ReplyKey key("reply", Intent::kHelp, "en", "CA-BC", "CA", /*sms=*/true);
//   key.AddHeadLine("Helpline: free, confidential help.");
//   if (const ComposedReply* hit = cache.Find(index, key)) {
//     reply = *hit;
//   } else {
//     reply = Compose(...);
//     cache.Insert(std::move(key), reply);
//   }
//
// The cache belongs to one snapshot at a time: Find() with another index
// (another object, or the same one at another version) forgets every entry
// first. Bounded: when it holds max_entries, the next Find() empties it.
//
// Thread-safety: not thread-safe: give each event loop its own. Lifetimes:
// entries point to resources of the index they were composed from; a
// pointer returned by Find() is valid until the next Find() or Insert().

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "daemon/engine/intent.h"
#include "daemon/engine/reply_fitter.h"
#include "directory/index.h"

namespace helpline::engine {

// What a composed reply depends on, within one snapshot, as one string:
// the constructor's fields, then whatever is added, in the order added.
class ReplyKey {
 public:
  // `kind` tells apart replies with the same fields ("reply", "carrier",
  // "opted_out").
  ReplyKey(std::string_view kind, Intent intent, std::string_view language, std::string_view region,
           std::string_view reader_country, bool sms);
  // A head line's text before it was made GSM-7 friendly (carrier and notice texts differ by kind).
  void AddHeadLine(std::string_view text);
  // The resource the message names, which comes first.
  void AddNamedResource(std::string_view id);
  // A region the reply asks the person to choose from (a shared area code).
  void AddCandidateRegion(std::string_view code);

  const std::string& str() const { return key_; }
  std::string Release() && { return std::move(key_); }

 private:
  std::string key_;
};

class ReplyCache {
 public:
  explicit ReplyCache(std::size_t max_entries = 4096) : max_entries_(max_entries) {}

  // The reply composed before for `key` from `index`, or nullptr. Counts a
  // hit or a miss.
  const ComposedReply* Find(const directory::DirectoryIndex& index, const ReplyKey& key);
  // Keeps `reply` for `key`, after Find() missed it for the same index.
  void Insert(ReplyKey key, ComposedReply reply);

  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }
  std::size_t size() const { return entries_.size(); }

 private:
  std::size_t max_entries_;
  const directory::DirectoryIndex* index_ = nullptr;
  std::int64_t version_ = -1;
  std::unordered_map<std::string, ComposedReply> entries_;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace helpline::engine
