#include "daemon/engine/risk_model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "daemon/engine/text_features.h"

namespace helpline::engine {

bool RiskModel::HoldsATime(std::string_view feature) const {
  if (time_words_.empty()) return false;
  const std::size_t space = feature.find(' ');
  if (space == std::string_view::npos) return IsTimeWord(feature);
  return IsTimeWord(feature.substr(0, space)) || IsTimeWord(feature.substr(space + 1));
}

Result<RiskModel> RiskModel::Parse(std::string_view tsv, FunctionWords function_words, Vocabulary vocabulary) {
  RiskModel m;
  m.set_person_words(std::move(vocabulary.people));
  std::sort(vocabulary.times.begin(), vocabulary.times.end());
  m.time_words_ = std::move(vocabulary.times);
  m.time_anchor_ = vocabulary.time_anchor;
  m.time_conditional_ = vocabulary.time_conditional;
  m.time_cap_ = vocabulary.time_cap;
  std::array<std::size_t, kClasses> n{};
  // Each feature once, by the id of its first sight; its count per class
  // (examples past kFitOnlyMarker count for the regression alone).
  StringMap<std::uint32_t> ids;
  std::vector<std::array<std::uint32_t, kClasses>> counts;
  std::vector<std::string> feats;
  std::vector<Row> rows;
  std::vector<bool> row_fit_only;
  std::vector<std::string> names;  // id -> the feature, when times are read apart
  const bool keep_names = !m.time_words_.empty();
  bool fit_only = false;
  std::size_t line_no = 0;
  while (!tsv.empty()) {
    const std::size_t end = tsv.find('\n');
    std::string_view line = tsv.substr(0, end);
    tsv = end == std::string_view::npos ? std::string_view() : tsv.substr(end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == kFitOnlyMarker) fit_only = true;
    if (line.empty() || line.front() == '#') continue;
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return InvalidArgument("line " + std::to_string(line_no) + ": no tab between the label and the text");
    }
    const std::string_view label = line.substr(0, tab);
    int c = label == "overdose" ? 0 : label == "suicide" ? 1 : label == "other" ? 2 : -1;
    if (c < 0) {
      return InvalidArgument("line " + std::to_string(line_no) + ": label '" + std::string(label) +
                             "' is not overdose, suicide or other");
    }
    if (!fit_only) ++n[c];
    WordAndPairFeatures(Tokenize(line.substr(tab + 1)), feats);
    Row row{c, {}};
    row.features.reserve(feats.size());
    for (std::string& f : feats) {
      // The feature's text is kept (names) only when times are read apart.
      const auto [it, added] =
          ids.try_emplace(keep_names ? std::string(f) : std::move(f), static_cast<std::uint32_t>(counts.size()));
      if (added) {
        counts.push_back({});
        if (keep_names) names.push_back(std::move(f));
      }
      if (!fit_only) ++counts[it->second][c];
      row.features.push_back(it->second);
    }
    rows.push_back(std::move(row));
    row_fit_only.push_back(fit_only);
  }
  for (int c = 0; c < kClasses; ++c) {
    if (n[c] < 10) return InvalidArgument("fewer than 10 examples of a class");
  }
  m.examples_ = n[0] + n[1] + n[2];
  for (int c = 0; c < kClasses; ++c) m.log_prior_[c] = std::log(static_cast<double>(n[c]) / m.examples_);
  constexpr std::uint32_t kDropped = ~std::uint32_t{0};
  std::vector<std::uint32_t> kept(counts.size(), kDropped);  // id -> the feature's row, or kDropped
  m.index_.reserve(ids.size());
  // A function word ("the", "que", "je", "my") tells a language apart more
  // than an emergency: its share of the examples FunctionWords counts on.
  const bool count_others = function_words.counted_on == FunctionWords::CountedOn::kAllExamples;
  const std::size_t counted = n[0] + n[1] + (count_others ? n[2] : 0);
  // Too rare to weigh, or a function word.
  auto dropped = [&](const std::array<std::uint32_t, kClasses>& k) {
    const std::size_t seen = k[0] + k[1] + k[2];
    const std::size_t seen_counted = k[0] + k[1] + (count_others ? k[2] : 0);
    return seen < 2 ||
           (m.examples_ >= kMinExamplesForShare && seen_counted * function_words.share_denominator > counted);
  };
  auto log_likelihoods = [&](const std::array<std::uint32_t, kClasses>& k,
                             const std::array<std::size_t, kClasses>& of) {
    std::array<float, kClasses> ll{};
    for (int c = 0; c < kClasses; ++c) ll[c] = static_cast<float>(std::log((k[c] + 0.5) / (of[c] + 1.0)));
    return ll;
  };
  // A time's likelihood is counted on the examples with an anchor (it is
  // read only beside one): how much more likely the time makes an emergency
  // of a message that already has a word of evidence.
  std::array<std::size_t, kClasses> anchored = n;
  // Times of day (Vocabulary::times): each feature's kind, the anchors
  // weighed on every example; then an example without an anchor loses its
  // features holding a time, in its counts and its row.
  std::vector<std::uint8_t> kind(counts.size(), kPlain);
  if (!m.time_words_.empty()) {
    for (std::uint32_t id = 0; id < counts.size(); ++id) {
      const std::string& f = names[id];
      if (m.HoldsATime(f)) {
        kind[id] = kTime;
      } else if (f.find(' ') == std::string::npos && !m.IsPersonWord(f) && !dropped(counts[id])) {
        const auto ll = log_likelihoods(counts[id], n);
        if (std::max(ll[0], ll[1]) - ll[2] >= m.time_anchor_) kind[id] = kAnchor;
      }
    }
    anchored = {};
    for (std::size_t r = 0; r < rows.size() && !m.time_capped(); ++r) {
      std::vector<std::uint32_t>& f = rows[r].features;
      if (std::any_of(f.begin(), f.end(), [&](std::uint32_t id) { return kind[id] == kAnchor; })) {
        if (!row_fit_only[r]) ++anchored[rows[r].label];
        continue;
      }
      if (!row_fit_only[r]) {
        for (std::uint32_t id : f) {
          if (kind[id] == kTime) --counts[id][rows[r].label];
        }
      }
      std::erase_if(f, [&](std::uint32_t id) { return kind[id] == kTime; });
    }
  }
  for (const auto& [feature, id] : ids) {
    if (dropped(counts[id])) continue;
    kept[id] = static_cast<std::uint32_t>(m.log_likelihood_.size());
    m.index_.emplace(feature, kept[id]);
    const bool conditional = kind[id] == kTime && m.time_conditional_ && !m.time_capped();
    m.log_likelihood_.push_back(log_likelihoods(counts[id], conditional ? anchored : n));
    m.kind_.push_back(kind[id]);
  }
  // The examples' features as rows of the kept ones, in the examples' order.
  for (Row& row : rows) {
    std::vector<std::uint32_t> known;
    known.reserve(row.features.size());
    for (std::uint32_t id : row.features) {
      if (kept[id] != kDropped) known.push_back(kept[id]);
    }
    row.features = std::move(known);
  }
  m.Fit(rows);
  return m;
}

// Multinomial logistic regression on the same features, by AdaGrad with an
// L2 penalty, in the examples' order (the same weights at every load).
void RiskModel::Fit(const std::vector<Row>& rows) {
  weight_.assign(log_likelihood_.size(), {});
  std::vector<std::array<float, kClasses>> g2(log_likelihood_.size(), {1e-6f, 1e-6f, 1e-6f});
  std::array<double, kClasses> bias_g2{1e-6, 1e-6, 1e-6};
  for (int epoch = 0; epoch < kFitEpochs; ++epoch) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::array<double, kClasses> p = FittedLogits(rows[i].features);
      Softmax(p);
      for (int c = 0; c < kClasses; ++c) {
        const double g = p[c] - (rows[i].label == c ? 1.0 : 0.0);
        bias_g2[c] += g * g;
        bias_[c] -= kFitRate * g / std::sqrt(bias_g2[c]);
        for (std::uint32_t f : rows[i].features) {
          const double gf = g + kFitL2 * weight_[f][c];
          g2[f][c] += static_cast<float>(gf * gf);
          weight_[f][c] -= static_cast<float>(kFitRate * gf / std::sqrt(g2[f][c]));
        }
      }
    }
  }
}

std::array<double, RiskModel::kClasses> RiskModel::FittedLogits(const std::vector<std::uint32_t>& row) const {
  std::array<double, kClasses> z = bias_;
  for (std::uint32_t f : row) {
    for (int c = 0; c < kClasses; ++c) z[c] += weight_[f][c];
  }
  return z;
}

void RiskModel::Softmax(std::array<double, kClasses>& s) {
  const double top = std::max({s[0], s[1], s[2]});
  double z = 0;
  for (double& v : s) z += (v = std::exp(v - top));
  for (double& v : s) v /= z;
}

std::vector<std::pair<std::uint32_t, std::string>> RiskModel::Known(const std::vector<Token>& tokens,
                                                                    bool* anchored_out) const {
  std::vector<std::string> feats;
  WordAndPairFeatures(tokens, feats);
  std::vector<std::pair<std::uint32_t, std::string>> known;
  bool anchored = false;
  for (std::string& f : feats) {
    if (auto it = index_.find(std::string_view(f)); it != index_.end()) {
      anchored = anchored || kind_[it->second] == kAnchor;
      known.emplace_back(it->second, std::move(f));
    }
  }
  if (!anchored && !time_capped()) std::erase_if(known, [&](const auto& k) { return kind_[k.first] == kTime; });
  if (anchored_out != nullptr) *anchored_out = anchored;
  return known;
}

RiskModel::Scores RiskModel::Assess(const std::vector<Token>& tokens, bool each_token_once) const {
  if (examples_ == 0 || tokens.empty()) return {};
  std::array<double, kClasses> s = log_prior_;
  std::array<double, kClasses> impersonal = log_prior_;
  bool anchored = false;
  const std::vector<std::pair<std::uint32_t, std::string>> known = Known(tokens, &anchored);
  // With a cap (Vocabulary::time_cap), the times of a message without an
  // anchor are summed apart, then added with their evidence for each
  // emergency against "other" capped.
  const bool capped = time_capped() && !anchored;
  std::array<double, kClasses> times{}, impersonal_times{};
  auto add_capped = [&](std::array<double, kClasses>& sum, const std::array<double, kClasses>& t) {
    sum[2] += t[2];
    for (int c = 0; c < 2; ++c) sum[c] += t[2] + std::min(t[c] - t[2], time_cap_);
  };
  std::vector<std::uint32_t> row;
  Scores out;
  for (const auto& [id, f] : known) {
    row.push_back(id);
    const auto& ll = log_likelihood_[id];
    if (capped && kind_[id] == kTime) {
      const bool person =
          f.find(' ') != std::string::npos && (IsPersonWord(std::string_view(f).substr(0, f.find(' '))) ||
                                               IsPersonWord(std::string_view(f).substr(f.find(' ') + 1)));
      for (int c = 0; c < kClasses; ++c) {
        times[c] += ll[c];
        if (!person) impersonal_times[c] += ll[c];
      }
      if (f.find(' ') == std::string::npos) {
        out.evidence_overdose =
            std::max(out.evidence_overdose, std::min(static_cast<double>(ll[0]) - ll[2], time_cap_));
        out.evidence_suicide = std::max(out.evidence_suicide, std::min(static_cast<double>(ll[1]) - ll[2], time_cap_));
      }
      continue;
    }
    for (int c = 0; c < kClasses; ++c) s[c] += ll[c];
    const std::size_t space = f.find(' ');
    const std::string_view fv(f);
    const bool names_a_person = space == std::string::npos
                                    ? IsPersonWord(fv)
                                    : IsPersonWord(fv.substr(0, space)) || IsPersonWord(fv.substr(space + 1));
    if (space == std::string::npos && !names_a_person) {
      out.evidence_overdose = std::max(out.evidence_overdose, static_cast<double>(ll[0]) - ll[2]);
      out.evidence_suicide = std::max(out.evidence_suicide, static_cast<double>(ll[1]) - ll[2]);
    }
    if (!names_a_person) {
      for (int c = 0; c < kClasses; ++c) impersonal[c] += ll[c];
    }
  }
  if (capped) add_capped(s, times), add_capped(impersonal, impersonal_times);
  if (each_token_once || sure_gate_.each_token_once || doubt_gate_.each_token_once) {
    // Each token once (Scores::once_overdose): a greedy cover, left to right,
    // by a known pair of neighbours, else the known word; a feature twice in
    // the message counts once, as above.
    std::array<double, kClasses> once = log_prior_;
    std::array<double, kClasses> once_impersonal = log_prior_;
    std::vector<std::uint32_t> counted;
    auto count_once = [&](std::uint32_t id, bool names_a_person) {
      if (std::find(counted.begin(), counted.end(), id) != counted.end()) return;
      counted.push_back(id);
      const auto& ll = log_likelihood_[id];
      for (int c = 0; c < kClasses; ++c) once[c] += ll[c];
      if (!names_a_person) {
        for (int c = 0; c < kClasses; ++c) once_impersonal[c] += ll[c];
      }
    };
    std::string pair;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (i + 1 < tokens.size()) {
        pair.assign(tokens[i].text).append(1, ' ').append(tokens[i + 1].text);
        if (auto it = index_.find(std::string_view(pair)); it != index_.end() && Counts(it->second, anchored)) {
          count_once(it->second, IsPersonWord(tokens[i].text) || IsPersonWord(tokens[i + 1].text));
          ++i;  // the pair holds the next token too
          continue;
        }
      }
      if (auto it = index_.find(std::string_view(tokens[i].text)); it != index_.end() && Counts(it->second, anchored)) {
        count_once(it->second, IsPersonWord(tokens[i].text));
      }
    }
    Softmax(once);
    Softmax(once_impersonal);
    out.once_overdose = once[0], out.once_suicide = once[1];
    out.once_impersonal_emergency = once_impersonal[0] + once_impersonal[1];
  }
  Softmax(s);
  Softmax(impersonal);
  out.impersonal_emergency = impersonal[0] + impersonal[1];
  std::array<double, kClasses> fit = FittedLogits(row);
  Softmax(fit);
  out.overdose = s[0], out.suicide = s[1], out.other = s[2];
  out.fitted_overdose = fit[0], out.fitted_suicide = fit[1];
  return out;
}

std::vector<std::pair<std::string, double>> RiskModel::Evidence(const std::vector<Token>& tokens, int c) const {
  std::vector<std::pair<std::string, double>> out;
  if (examples_ == 0 || c < 0 || c >= 2) return out;
  for (auto& [id, f] : Known(tokens)) {
    const auto& ll = log_likelihood_[id];
    out.emplace_back(std::move(f), static_cast<double>(ll[c]) - ll[2]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

}  // namespace helpline::engine
