#include "daemon/engine/risk_model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "daemon/engine/text_features.h"

namespace helpline::engine {

Result<RiskModel> RiskModel::Parse(std::string_view tsv, FunctionWords function_words) {
  RiskModel m;
  std::array<std::size_t, kClasses> n{};
  // Each feature once, by the id of its first sight; its count per class
  // (examples past kFitOnlyMarker count for the regression alone).
  StringMap<std::uint32_t> ids;
  std::vector<std::array<std::uint32_t, kClasses>> counts;
  std::vector<std::string> feats;
  std::vector<Row> rows;
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
      const auto [it, added] = ids.try_emplace(std::move(f), static_cast<std::uint32_t>(counts.size()));
      if (added) counts.push_back({});
      if (!fit_only) ++counts[it->second][c];
      row.features.push_back(it->second);
    }
    rows.push_back(std::move(row));
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
  for (const auto& [feature, id] : ids) {
    const auto& k = counts[id];
    const std::size_t seen = k[0] + k[1] + k[2];
    const std::size_t seen_counted = k[0] + k[1] + (count_others ? k[2] : 0);
    // Too rare to weigh, or a function word.
    if (seen < 2 ||
        (m.examples_ >= kMinExamplesForShare && seen_counted * function_words.share_denominator > counted)) {
      continue;
    }
    std::array<float, kClasses> ll{};
    for (int c = 0; c < kClasses; ++c) ll[c] = static_cast<float>(std::log((k[c] + 0.5) / (n[c] + 1.0)));
    kept[id] = static_cast<std::uint32_t>(m.log_likelihood_.size());
    m.index_.emplace(feature, kept[id]);
    m.log_likelihood_.push_back(ll);
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

RiskModel::Scores RiskModel::Assess(const std::vector<Token>& tokens, bool each_token_once) const {
  if (examples_ == 0 || tokens.empty()) return {};
  std::array<double, kClasses> s = log_prior_;
  std::array<double, kClasses> impersonal = log_prior_;
  std::vector<std::string> feats;
  WordAndPairFeatures(tokens, feats);
  std::vector<std::uint32_t> row;
  Scores out;
  for (const std::string& f : feats) {
    if (auto it = index_.find(std::string_view(f)); it != index_.end()) {
      row.push_back(it->second);
      const auto& ll = log_likelihood_[it->second];
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
  }
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
        if (auto it = index_.find(std::string_view(pair)); it != index_.end()) {
          count_once(it->second, IsPersonWord(tokens[i].text) || IsPersonWord(tokens[i + 1].text));
          ++i;  // the pair holds the next token too
          continue;
        }
      }
      if (auto it = index_.find(std::string_view(tokens[i].text)); it != index_.end()) {
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
  std::vector<std::string> feats;
  WordAndPairFeatures(tokens, feats);
  for (std::string& f : feats) {
    if (auto it = index_.find(std::string_view(f)); it != index_.end()) {
      const auto& ll = log_likelihood_[it->second];
      out.emplace_back(std::move(f), static_cast<double>(ll[c]) - ll[2]);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

}  // namespace helpline::engine
