#include "daemon/engine/word_split.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

#include "common/ascii.h"

namespace helpline::engine {
namespace {

bool AllDigits(std::string_view w) { return !w.empty() && std::all_of(w.begin(), w.end(), ascii::IsDigit); }

// The one-letter words of en/es/fr ("i", "a", "y", "o", "e", "u" for you):
// any other single letter is a piece of a word, not a word.
bool OneLetterWord(std::string_view w) {
  return w.size() == 1 && std::string_view("iayoeu").find(w[0]) != std::string_view::npos;
}

}  // namespace

void WordSplitter::Learn(std::string_view tsv) {
  std::size_t pos = 0;
  while (pos < tsv.size()) {
    std::size_t end = tsv.find('\n', pos);
    if (end == std::string_view::npos) end = tsv.size();
    const std::string_view line = tsv.substr(pos, end - pos);
    pos = end + 1;
    const std::size_t tab = line.find('\t');
    if (line.empty() || line[0] == '#' || tab == std::string_view::npos) continue;
    // Both models' files hold most texts: each text counts once.
    if (!seen_.insert(std::hash<std::string_view>{}(line.substr(tab + 1))).second) continue;
    for (Token& t : Tokenize(line.substr(tab + 1), 1024)) {
      if (t.digits) continue;
      ++counts_[std::move(t.text)];
      ++total_;
    }
  }
}

void WordSplitter::LearnWords(std::string_view text) {
  for (Token& t : Tokenize(text, std::size_t(-1))) {
    if (t.digits) continue;
    std::uint32_t& count = counts_[std::move(t.text)];
    if (count < kMinCount) total_ += kMinCount - count, count = kMinCount;
  }
}

bool WordSplitter::Known(std::string_view word) const {
  const auto it = counts_.find(std::string(word));
  return it != counts_.end() && it->second >= kMinCount;
}

std::vector<std::size_t> WordSplitter::Cuts(std::string_view word) const {
  const std::size_t n = word.size();
  if (n < kMinLetters || n > kMaxLetters || total_ == 0 || AllDigits(word) || Known(word)) return {};
  // best[i]: the log-probability of the likeliest split of word[0, i) into
  // known pieces; from[i]: where its last piece starts.
  constexpr double kNone = -std::numeric_limits<double>::infinity();
  std::vector<double> best(n + 1, kNone);
  std::vector<std::size_t> from(n + 1, 0);
  best[0] = 0;
  const double log_total = std::log(static_cast<double>(total_));
  // A number in the middle ("took2pills", "call911now") stands for itself,
  // as likely as a common word.
  const double log_digits = std::log(100.0) - log_total;
  std::string piece;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = i > kMaxPiece ? i - kMaxPiece : 0; j < i; ++j) {
      if (best[j] == kNone) continue;
      const std::string_view p = word.substr(j, i - j);
      double lp;
      if (AllDigits(p)) {
        lp = log_digits;
      } else {
        if (p.size() == 1 && !OneLetterWord(p)) continue;
        piece.assign(p);
        const auto it = counts_.find(piece);
        if (it == counts_.end() || it->second < kMinCount) continue;
        lp = std::log(static_cast<double>(it->second)) - log_total;
      }
      if (best[j] + lp > best[i]) best[i] = best[j] + lp, from[i] = j;
    }
  }
  if (best[n] == kNone) return {};
  std::vector<std::size_t> cuts;
  std::size_t short_pieces = 0, pieces = 0;
  for (std::size_t i = n; i > 0; i = from[i]) {
    ++pieces;
    if (i - from[i] <= 2) ++short_pieces;
    if (from[i] > 0) cuts.insert(cuts.begin(), from[i]);
  }
  // Mostly one- and two-letter pieces is not a sentence run together
  // ("aaaaaa", "jajajaja" cut as "ja ja ja ja" changes nothing anyway).
  if (pieces < 2 || 2 * short_pieces > pieces) return {};
  // Two words make a compound as often as a hurried text ("deadline",
  // "hangover", "shotgun", "painkiller" may be missing from the examples
  // and must not become "dead line" or "hang over"): two pieces only from
  // kMinTwoPieceLetters letters ("quierodesaparecer", "necesitonaloxona"),
  // or beside a number ("help90210").
  const bool number = std::any_of(word.begin(), word.end(), ascii::IsDigit);
  if (pieces == 2 && n < kMinTwoPieceLetters && !number) return {};
  return cuts;
}

std::optional<std::string> WordSplitter::SpaceOut(std::string_view text, const std::vector<Token>& tokens) const {
  std::vector<std::pair<std::size_t, std::size_t>> cuts;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    for (std::size_t c : Cuts(tokens[t].text)) cuts.emplace_back(t, c);
  }
  if (cuts.empty()) return std::nullopt;
  return InsertSpacesInTokens(text, cuts);
}

}  // namespace helpline::engine
