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

AnswerInputs::AnswerInputs(std::string_view text, std::string_view sender_country, std::string_view language,
                           std::string_view region, const std::vector<std::string>& candidate_regions, bool opted_out,
                           bool sms) {
  key_.reserve(32 + text.size());
  key_.append(sms ? "sms|" : "chat|").append(opted_out ? "out|" : "in|").append(language).append("|");
  key_.append(region).append("|");
  for (const std::string& code : candidate_regions) key_.append(code).append(",");
  key_.append("|").append(sender_country).append("|").append(text);
}

void ReplyCache::Follow(const directory::DirectoryIndex& index) {
  if (index_ != &index || version_ != index.version() || entries_.size() >= max_entries_) {
    entries_.clear();
    answers_.clear();
    index_ = &index;
    version_ = index.version();
  }
}

const ComposedReply* ReplyCache::Find(const directory::DirectoryIndex& index, const ReplyKey& key) {
  Follow(index);
  if (auto it = entries_.find(key.str()); it != entries_.end()) {
    ++hits_;
    return &it->second;
  }
  ++misses_;
  return nullptr;
}

const ComposedReply* ReplyCache::Insert(ReplyKey key, ComposedReply reply) {
  return &entries_.emplace(std::move(key).Release(), std::move(reply)).first->second;
}

std::optional<ReplyCache::Answered> ReplyCache::FindAnswer(const directory::DirectoryIndex& index,
                                                           const AnswerInputs& inputs) {
  Follow(index);
  if (!remember_answers_) return std::nullopt;
  const auto it = answers_.find(inputs.str());
  if (it == answers_.end()) return std::nullopt;
  ++hits_;
  return it->second;
}

void ReplyCache::RememberAnswer(const AnswerInputs& inputs, Intent intent, const ComposedReply* reply) {
  if (!remember_answers_) return;
  if (answers_.size() >= max_entries_) answers_.clear();  // the replies stay; only the shortcut goes
  answers_.insert_or_assign(inputs.str(), Answered{intent, reply});
}

}  // namespace helpline::engine
