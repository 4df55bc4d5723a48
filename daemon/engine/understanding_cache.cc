#include "daemon/engine/understanding_cache.h"

namespace helpline::engine {

std::shared_ptr<const Understanding> UnderstandingCache::Find(const MessageEngine& engine, std::string_view text,
                                                              std::string_view country) {
  if (engine_ != &engine) {
    by_text_.clear();
    size_ = 0;
    not_typos_ = NotTypoMemo();
    engine_ = &engine;
  }
  if (const auto it = by_text_.find(text); it != by_text_.end()) {
    for (const auto& [c, understood] : it->second) {
      if (c == country) {
        ++hits_;
        return understood;
      }
    }
  }
  ++misses_;
  return nullptr;
}

void UnderstandingCache::Insert(std::string_view text, std::string_view country,
                                std::shared_ptr<const Understanding> understood) {
  if (text.size() > kMaxTextBytes) return;
  if (size_ >= max_entries_) {
    by_text_.clear();
    size_ = 0;
  }
  auto it = by_text_.find(text);
  if (it == by_text_.end()) it = by_text_.emplace(std::string(text), PerCountry{}).first;
  for (auto& [c, kept] : it->second) {
    if (c == country) {
      kept = std::move(understood);
      return;
    }
  }
  it->second.emplace_back(std::string(country), std::move(understood));
  ++size_;
}

}  // namespace helpline::engine
