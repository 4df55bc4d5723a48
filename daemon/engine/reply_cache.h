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
// It also remembers which reply MessageEngine::Answer settled on for given
// inputs (AnswerInputs: the text, the sender's country, the reply's language
// and region, the opt-out, the channel), so that a repeated message skips
// building the key (the emergency number, the fixed lines, the named
// resource): FindAnswer() before, RememberAnswer() after composing. An
// answer remembered is always still in the cache (both are emptied
// together), and FindAnswer() counts the hit Find() would have counted, so
// hits and misses read the same as without it.
//
// Thread-safety: not thread-safe: give each event loop its own. Lifetimes:
// entries point to resources of the index they were composed from; a
// pointer returned by Find() is valid until the next Find() or Insert().

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/string_map.h"

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

// Everything MessageEngine::Answer reads once the reply's language and
// region are settled, as one string (the text last, so no field can run into
// another). The Understanding is a function of the text and the sender's
// country (understanding_cache.h), so it needs no place of its own.
class AnswerInputs {
 public:
  AnswerInputs(std::string_view text, std::string_view sender_country, std::string_view language,
               std::string_view region, const std::vector<std::string>& candidate_regions, bool opted_out, bool sms);

  const std::string& str() const { return key_; }

 private:
  std::string key_;
};

class ReplyCache {
 public:
  // What Answer() settled on before for some AnswerInputs: the intent (a
  // named resource may have set it) and the reply, valid as Find()'s.
  struct Answered {
    Intent intent;
    const ComposedReply* reply;
  };

  // `remember_answers` false: FindAnswer() never finds and RememberAnswer()
  // keeps nothing (every Answer() builds its key, as before the shortcut;
  // tests compare the two).
  explicit ReplyCache(std::size_t max_entries = 4096, bool remember_answers = true)
      : max_entries_(max_entries), remember_answers_(remember_answers) {}

  // The reply composed before for `key` from `index`, or nullptr. Counts a
  // hit or a miss.
  const ComposedReply* Find(const directory::DirectoryIndex& index, const ReplyKey& key);
  // Keeps `reply` for `key`, after Find() missed it for the same index.
  // Returns the reply kept (valid as Find()'s).
  const ComposedReply* Insert(ReplyKey key, ComposedReply reply);

  // What Answer() settled on for `inputs` from `index`, or nullopt (then
  // Find() decides, and counts). A hit counts as Find()'s hit.
  std::optional<Answered> FindAnswer(const directory::DirectoryIndex& index, const AnswerInputs& inputs);
  // Remembers that Answer() settled on `intent` and `reply` (returned by
  // Find() or Insert() for the same index, just now) for `inputs`.
  void RememberAnswer(const AnswerInputs& inputs, Intent intent, const ComposedReply* reply);

  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }
  std::size_t size() const { return entries_.size(); }
  // Answers remembered (AnswerInputs held).
  std::size_t answers() const { return answers_.size(); }

 private:
  // Empties both maps when `index` is not the one they were filled from, or
  // when the replies reached max_entries.
  void Follow(const directory::DirectoryIndex& index);

  std::size_t max_entries_;
  bool remember_answers_;
  const directory::DirectoryIndex* index_ = nullptr;
  std::int64_t version_ = -1;
  std::unordered_map<std::string, ComposedReply> entries_;
  StringMap<Answered> answers_;  // AnswerInputs -> into entries_; emptied with it
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace helpline::engine
