#pragma once
// A learned second opinion on the non-safety intents: a multinomial logistic
// regression over the words and word pairs of a message (text_features.h,
// the risk model's features), trained when the engine loads from labelled
// messages (data/engine/intent_examples.tsv: the evaluation sets' texts and
// the golden corpus's `intent=` cases with their intent, made by
// scripts/risk-examples; held-out batches are never learned from).
//
//   auto model = IntentModel::Parse("detox\twhere can i detox from fent\nunknown\tmovie about rehab\n...");
//   IntentModel::RulesSaid rules{.intent = Intent::kTreatment};
//   if (auto second = model->SecondOpinion(Tokenize(text), rules)) intent = *second;
//
// Why: the rules answer a specific intent where a tester expected unknown (a
// question for information, a class, a film) or the reverse, in wordings no
// keyword lists. Where it may decide (SecondOpinion, the gate): only when
// the rules are weak (their intent is one of Classes(), no exact keyword is
// the message's first word, the message has at least Gate::min_tokens
// words, and nothing about safety was found: no emergency, doubt or carrier
// word) and the model gives another intent a probability of at least
// Gate::threshold. It never decides overdose, suicide, stop or start, and
// never changes a safety line: MessageEngine::UnderstandText asks it after
// every safety decision is made. The gate's figures were tuned by leaving
// one evaluation file out at a time (docs/ARCHITECTURE.md, "The intent
// model").
//
// Training: AdaGrad with an L2 penalty, kEpochs passes over the examples in
// their order, so the same file gives the same weights at every load; a
// feature seen in fewer than 2 examples is dropped.
//
// Thread-safety: immutable after Parse (and set_gate); the const methods are
// thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/string_map.h"
#include "common/text_normalize.h"
#include "daemon/engine/intent.h"

namespace helpline::engine {

class IntentModel {
 public:
  // The intents it learns, in the order of Probabilities().
  static constexpr std::array<Intent, 13> kClasses = {
      Intent::kUnknown,    Intent::kFamily, Intent::kTreatment, Intent::kDetox, Intent::kNaloxone,
      Intent::kHarm,       Intent::kYouth,  Intent::kText,      Intent::kChat,  Intent::kRegion,
      Intent::kIndigenous, Intent::kCrisis, Intent::kHelp};
  static constexpr std::size_t kClassCount = kClasses.size();
  using Probabilities = std::array<double, kClassCount>;

  // Where the model may change the rules' intent (SecondOpinion).
  struct Gate {
    double threshold = 0.99;     // the model's intent needs at least this probability
    std::size_t min_tokens = 8;  // and the message at least this many words
  };

  // What the rules decided, as the gate reads it.
  struct RulesSaid {
    Intent intent = Intent::kUnknown;
    bool command = false;        // an exact keyword is the message's first word ("NALOXONE near me", "BC please")
    bool safety = false;         // an emergency, the doubt line or a carrier word: never changed
    bool region_stated = false;  // the message names a place (the model may answer region only then)
  };

  // One example per line: an intent of kClasses (IntentName), a tab, the
  // text; blank lines and lines starting with '#' are skipped.
  // InvalidArgument (with the line number) for another intent or a line
  // without a tab; an empty model for no examples.
  static Result<IntentModel> Parse(std::string_view tsv);

  // An empty model (no examples): SecondOpinion never answers.
  IntentModel() = default;

  // Per kClasses, summing to 1 (uniform for an empty model or message).
  Probabilities Read(const std::vector<Token>& tokens) const;

  // The intent the model would answer instead of `rules.intent`, or none:
  // see the gate above.
  std::optional<Intent> SecondOpinion(const std::vector<Token>& tokens, const RulesSaid& rules) const;

  void set_gate(Gate gate) { gate_ = gate; }
  const Gate& gate() const { return gate_; }
  std::size_t examples() const { return examples_; }
  std::size_t features() const { return index_.size(); }

 private:
  static constexpr int kEpochs = 8;           // passes over the examples
  static constexpr double kRate = 0.5;        // AdaGrad's step
  static constexpr double kL2 = 1e-4;         // the L2 penalty
  static constexpr std::size_t kMinSeen = 2;  // examples a feature must be in

  struct Row {
    std::size_t label;                    // index in kClasses
    std::vector<std::uint32_t> features;  // kept features' rows
  };
  void Fit(const std::vector<Row>& rows);
  Probabilities Softmax(const std::vector<std::uint32_t>& row) const;

  StringMap<std::uint32_t> index_;  // feature -> its row of weight_
  std::vector<float> weight_;       // kClassCount per feature, row-major
  Probabilities bias_{};
  std::size_t examples_ = 0;
  Gate gate_;
};

}  // namespace helpline::engine
