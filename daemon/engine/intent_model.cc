#include "daemon/engine/intent_model.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "daemon/engine/text_features.h"

namespace helpline::engine {
namespace {

std::optional<std::size_t> ClassOf(Intent intent) {
  const auto it = std::find(IntentModel::kClasses.begin(), IntentModel::kClasses.end(), intent);
  if (it == IntentModel::kClasses.end()) return std::nullopt;
  return static_cast<std::size_t>(it - IntentModel::kClasses.begin());
}

}  // namespace

Result<IntentModel> IntentModel::Parse(std::string_view tsv) {
  // First every example as the ids of its features (by first sight), then
  // only the features seen often enough, renumbered in that order.
  StringMap<std::uint32_t> ids;
  std::vector<std::string_view> names;  // id -> feature (keys of `ids`, stable)
  std::vector<std::uint32_t> seen;      // id -> examples it is in
  std::vector<Row> rows;
  std::vector<std::string> feats;
  std::size_t line_no = 0;
  for (std::string_view rest = tsv; !rest.empty();) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t tab = line.find('\t');
    const auto intent = tab == std::string_view::npos ? std::nullopt : ParseIntent(line.substr(0, tab));
    const auto label = intent ? ClassOf(*intent) : std::nullopt;
    if (!label) {
      return InvalidArgument("line " + std::to_string(line_no) + ": not an intent the model learns, a tab and a text");
    }
    WordAndPairFeatures(Tokenize(line.substr(tab + 1)), feats);
    Row row{*label, {}};
    for (std::string& f : feats) {
      const auto [it, added] = ids.try_emplace(std::move(f), static_cast<std::uint32_t>(seen.size()));
      if (added) {
        names.push_back(it->first);
        seen.push_back(0);
      }
      ++seen[it->second];
      row.features.push_back(it->second);
    }
    rows.push_back(std::move(row));
  }
  IntentModel m;
  m.examples_ = rows.size();
  if (rows.empty()) return m;
  constexpr std::uint32_t kDropped = ~std::uint32_t{0};
  std::vector<std::uint32_t> kept(seen.size(), kDropped);
  for (std::uint32_t id = 0; id < seen.size(); ++id) {
    if (seen[id] < kMinSeen) continue;
    kept[id] = static_cast<std::uint32_t>(m.index_.size());
    m.index_.emplace(std::string(names[id]), kept[id]);
  }
  for (Row& row : rows) {
    std::erase_if(row.features, [&](std::uint32_t id) { return kept[id] == kDropped; });
    for (std::uint32_t& id : row.features) id = kept[id];
  }
  m.Fit(rows);
  return m;
}

// AdaGrad on the softmax's cross-entropy with an L2 penalty, in the
// examples' order (the same weights at every load).
void IntentModel::Fit(const std::vector<Row>& rows) {
  weight_.assign(index_.size() * kClassCount, 0.0f);
  std::vector<float> g2(weight_.size(), 1e-6f);
  Probabilities bias_g2;
  bias_g2.fill(1e-6);
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    for (const Row& row : rows) {
      Probabilities g = Softmax(row.features);  // the gradient of the loss in each logit
      g[row.label] -= 1.0;
      for (std::size_t c = 0; c < kClassCount; ++c) {
        bias_g2[c] += g[c] * g[c];
        bias_[c] -= kRate * g[c] / std::sqrt(bias_g2[c]);
      }
      for (std::uint32_t f : row.features) {  // a feature's classes side by side in weight_ and g2
        float* w = &weight_[f * kClassCount];
        float* acc = &g2[f * kClassCount];
        for (std::size_t c = 0; c < kClassCount; ++c) {
          const double gf = g[c] + kL2 * w[c];
          acc[c] += static_cast<float>(gf * gf);
          w[c] -= static_cast<float>(kRate * gf / std::sqrt(acc[c]));
        }
      }
    }
  }
}

IntentModel::Probabilities IntentModel::Softmax(const std::vector<std::uint32_t>& row) const {
  Probabilities z = bias_;
  for (std::uint32_t f : row) {
    for (std::size_t c = 0; c < kClassCount; ++c) z[c] += weight_[f * kClassCount + c];
  }
  const double top = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (double& v : z) sum += (v = std::exp(v - top));
  for (double& v : z) v /= sum;
  return z;
}

IntentModel::Probabilities IntentModel::Read(const std::vector<Token>& tokens) const {
  std::vector<std::string> feats;
  WordAndPairFeatures(tokens, feats);
  std::vector<std::uint32_t> row;
  for (const std::string& f : feats) {
    if (auto it = index_.find(std::string_view(f)); it != index_.end()) row.push_back(it->second);
  }
  if (examples_ == 0) {
    Probabilities uniform;
    uniform.fill(1.0 / kClassCount);
    return uniform;
  }
  return Softmax(row);
}

std::optional<Intent> IntentModel::SecondOpinion(const std::vector<Token>& tokens, const RulesSaid& rules) const {
  if (examples_ == 0 || rules.safety || rules.command || tokens.size() < gate_.min_tokens) return std::nullopt;
  if (!ClassOf(rules.intent)) return std::nullopt;  // safety, carrier words, info, language: the rules' alone
  const Probabilities p = Read(tokens);
  const std::size_t top = static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
  const Intent intent = kClasses[top];
  if (intent == rules.intent || p[top] < gate_.threshold) return std::nullopt;
  if (intent == Intent::kRegion && !rules.region_stated) return std::nullopt;
  return intent;
}

}  // namespace helpline::engine
