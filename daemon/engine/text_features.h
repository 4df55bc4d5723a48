#pragma once
// The features the engine's learned models read in a message (risk_model.h,
// intent_model.h): each folded token (Tokenize) and each pair of
// neighbouring tokens ("wont wake"), each once.
//
//   std::vector<std::string> feats;
//   WordAndPairFeatures(Tokenize("he wont wake up"), feats);  // "he", "he wont", "up", "wake", ...
//
// Thread-safety: a plain function; `out` is the caller's.

#include <string>
#include <vector>

#include "common/text_normalize.h"

namespace helpline::engine {

// Replaces `out` with the message's features, sorted, without repeats.
void WordAndPairFeatures(const std::vector<Token>& tokens, std::vector<std::string>& out);

}  // namespace helpline::engine
