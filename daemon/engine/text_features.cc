#include "daemon/engine/text_features.h"

#include <algorithm>

namespace helpline::engine {

void WordAndPairFeatures(const std::vector<Token>& tokens, std::vector<std::string>& out) {
  out.clear();
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    out.push_back(tokens[i].text);
    if (i + 1 < tokens.size()) out.push_back(tokens[i].text + ' ' + tokens[i + 1].text);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

}  // namespace helpline::engine
