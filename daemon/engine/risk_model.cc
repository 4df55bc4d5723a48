#include "daemon/engine/risk_model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace helpline::engine {
namespace {

// Every feature of a message once: its tokens and its pairs ("wont wake").
void Features(const std::vector<Token>& tokens, std::vector<std::string>& out) {
  out.clear();
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    out.push_back(tokens[i].text);
    if (i + 1 < tokens.size()) out.push_back(tokens[i].text + ' ' + tokens[i + 1].text);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

}  // namespace

Result<RiskModel> RiskModel::Parse(std::string_view tsv) {
  RiskModel m;
  std::array<std::size_t, kClasses> n{};
  StringMap<std::array<std::uint32_t, kClasses>> counts;
  std::vector<std::string> feats;
  std::size_t line_no = 0;
  while (!tsv.empty()) {
    const std::size_t end = tsv.find('\n');
    std::string_view line = tsv.substr(0, end);
    tsv = end == std::string_view::npos ? std::string_view() : tsv.substr(end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
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
    ++n[c];
    Features(Tokenize(line.substr(tab + 1)), feats);
    for (std::string& f : feats) ++counts[std::move(f)][c];
  }
  for (int c = 0; c < kClasses; ++c) {
    if (n[c] < 10) return InvalidArgument("fewer than 10 examples of a class");
  }
  m.examples_ = n[0] + n[1] + n[2];
  for (int c = 0; c < kClasses; ++c) m.log_prior_[c] = std::log(static_cast<double>(n[c]) / m.examples_);
  m.log_likelihood_.reserve(counts.size());
  for (const auto& [feature, k] : counts) {
    const std::size_t seen = k[0] + k[1] + k[2];
    // Too rare to weigh, or so common it is a function word ("the", "que",
    // "je", "my"): those tell a language apart more than an emergency.
    if (seen < 2 || (m.examples_ >= kMinExamplesForShare && seen * kMaxShareDenominator > m.examples_)) continue;
    std::array<float, kClasses> ll{};
    for (int c = 0; c < kClasses; ++c) ll[c] = static_cast<float>(std::log((k[c] + 0.5) / (n[c] + 1.0)));
    m.log_likelihood_.emplace(feature, ll);
  }
  return m;
}

RiskModel::Scores RiskModel::Assess(const std::vector<Token>& tokens) const {
  if (examples_ == 0 || tokens.empty()) return {};
  std::array<double, kClasses> s = log_prior_;
  std::vector<std::string> feats;
  Features(tokens, feats);
  for (const std::string& f : feats) {
    if (auto it = log_likelihood_.find(std::string_view(f)); it != log_likelihood_.end()) {
      for (int c = 0; c < kClasses; ++c) s[c] += it->second[c];
    }
  }
  const double top = std::max({s[0], s[1], s[2]});
  double z = 0;
  for (double& v : s) z += (v = std::exp(v - top));
  return {s[0] / z, s[1] / z, s[2] / z};
}

}  // namespace helpline::engine
