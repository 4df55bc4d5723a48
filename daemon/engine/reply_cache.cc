#include "daemon/engine/reply_cache.h"

#include <utility>

namespace helpline::engine {

ReplyKey::ReplyKey(std::string_view kind, Intent intent, std::string_view language, std::string_view region,
                   std::string_view reader_country, bool sms) {
  key_.reserve(64);
  key_.append(kind).append("|").append(IntentName(intent)).append("|").append(language);
  key_.append("|").append(region).append("|").append(reader_country);
  key_.append(sms ? "|sms" : "|chat");
}

void ReplyKey::AddHeadLine(std::string_view text) { key_.append("|").append(text); }

void ReplyKey::AddNamedResource(std::string_view id) { key_.append("|named=").append(id); }

void ReplyKey::AddCandidateRegion(std::string_view code) { key_.append("|?").append(code); }

const ComposedReply* ReplyCache::Find(const directory::DirectoryIndex& index, const ReplyKey& key) {
  if (index_ != &index || version_ != index.version() || entries_.size() >= max_entries_) {
    entries_.clear();
    index_ = &index;
    version_ = index.version();
  }
  if (auto it = entries_.find(key.str()); it != entries_.end()) {
    ++hits_;
    return &it->second;
  }
  ++misses_;
  return nullptr;
}

void ReplyCache::Insert(ReplyKey key, ComposedReply reply) {
  entries_.emplace(std::move(key).Release(), std::move(reply));
}

}  // namespace helpline::engine
