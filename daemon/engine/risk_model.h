#pragma once
// A learned second opinion beside the risk detector's rules: a naive Bayes
// model of words and word pairs, trained when the engine loads from labelled
// messages (data/engine/risk_examples.tsv: the evaluation sets' texts with
// their class, made by scripts/risk-examples). The rules decide when they
// have an opinion; this model only reads the messages they have none on, and
// the engine then puts one "when in doubt" safety line first (911 and 988)
// when its reading passes the DoubtGate (below: the reading with the words
// for people left out must hold too), without changing what else the reply
// says (MessageEngine::UnderstandText).
//
//   auto model = RiskModel::Parse("overdose\tmy friend wont wake up\nother\twhere is narcan\n");
//   double p = model->Assess(Tokenize("my cousin is grey on the couch")).emergency();
//
// Why a model: each blind batch of texts written by testers who had not seen
// the rules found new wordings of the same emergencies (13-30 of 102 missed
// before rules were fitted to it), while the words of the examples carry
// over: trained without a batch, the model flags 1,206 of that batch's
// 1,212 emergencies across twelve batches (docs/ARCHITECTURE.md, "Safety").
//
// Features: each folded token (Tokenize) and each pair of neighbouring
// tokens, present or not (WordAndPairFeatures, text_features.h); a feature
// seen in fewer than 2 examples, or a function word (FunctionWords: in more
// than 1 in 20 of the emergency examples; they mostly tell the language),
// is dropped. Score: log prior + sum of log((count + 0.5) / (examples + 1))
// over the message's known features, per class, normalised.
//
// Times of day ("tonight", "esta noche", "ce soir", "at midnight", "demain
// matin": Vocabulary::times) can be read as evidence only beside an anchor:
// a word of the message that is evidence itself (its weight for overdose or
// suicide against "other" at least Vocabulary::time_anchor; at 2.5, in
// practice a means, a farewell or a death wish: "despierta", "vivre",
// "bye"), never a time word nor a word for a person. Without an anchor, a
// feature holding a time word (the word, or a pair with it) is left out,
// when the model learns (its counts; a time's likelihood is then counted on
// the examples with an anchor) and when it reads (every Scores field); or,
// with Vocabulary::time_cap, kept but adding at most that much evidence.
// "party tonight at marcus's" then reads as "party at marcus's", while
// "tonight i take all the pills" keeps "tonight" beside "pills". Shipped
// off (keywords.json "times_of_day" gives the words, no anchor): measured by
// RiskModelCrossValidation (others with a safety line first 776 -> 755 of
// 6,668 at 2.5, every emergency kept) but the held-out summary line lost an emergency
// at every anchor from 1.0 up (0.5 kept it and moved little: docs/
// ARCHITECTURE.md, "Times of day beside a means").
//
// Thread-safety: immutable after Parse; Assess is const and thread-safe.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/string_map.h"
#include "common/text_normalize.h"

namespace helpline::engine {

class RiskModel {
 public:
  struct Scores {
    double overdose = 0, suicide = 0, other = 1;  // probabilities, summing to 1
    // The same classes by logistic regression (below): it fits the examples
    // the naive Bayes sum cannot (a look-alike whose words are mostly
    // emergency words), so it is the second opinion for answering as one.
    double fitted_overdose = 0, fitted_suicide = 0;
    // The strongest single word's naive Bayes weight for overdose and for
    // suicide against "other" (the log of its likelihood ratio), leaving out
    // pairs and words for people ("cousin", "roommate", "primo", "chum":
    // third-person reports make them overdose evidence): the engine's sure
    // reading needs one such word, not a sum of weak ones ("yo my cousin
    // said yall do trivia": cousin 2.3, said 0.5). -1e9 when none is known.
    double evidence_overdose = -1e9, evidence_suicide = -1e9;
    // overdose + suicide by the same naive Bayes sum with the words for
    // people, and the pairs that hold one, left out ("my dad is an alcoholic
    // and i dont know what to do": 0.99 with them, 0.5 without): the doubt
    // line's DoubtGate::min_impersonal.
    double impersonal_emergency = 0;
    // The same naive Bayes readings with each token counted once, by the
    // most specific known feature that holds it (a greedy cover of the
    // message, left to right: a known pair of neighbours, else the word):
    // a pair and its own words are not independent evidence, so a name or a
    // place ("jacques cartier": the pair and both its words weigh 4.1 for
    // suicide) is one piece of evidence, not three. The gates below read
    // these when their `each_token_once` is set; Assess computes them only
    // then, or when asked (0 otherwise: a second pass over the message that
    // the shipped gates do not read).
    double once_overdose = 0, once_suicide = 0, once_impersonal_emergency = 0;
    double emergency() const { return overdose + suicide; }
    double once_emergency() const { return once_overdose + once_suicide; }
  };

  // Which features are function words, dropped from both readings: those
  // seen in more than 1 in `share_denominator` examples (only from
  // kMinExamplesForShare examples on, when such shares mean something),
  // counted on `counted_on`:
  //  - kEmergencies (the default): the overdose and suicide examples alone,
  //    more than 1 in 20 of them. Learning more "other" texts then moves no
  //    feature in or out: counted on every example, 660 everyday texts
  //    pushed "tu" (in 5 emergencies, 185 others) over the cut and a
  //    look-alike lost its -4 against suicide ("tu vas pu me revoir au gym,
  //    je déménage"). Words common only in requests ("where", "donde",
  //    "need") now weigh for "other".
  //  - kAllExamples: every example, more than 1 in 50 (the rule until
  //    round 14; for measuring).
  // Chosen by RiskModelCrossValidation (docs/ARCHITECTURE.md, "Function
  // words counted on the emergencies").
  struct FunctionWords {
    enum class CountedOn { kEmergencies, kAllExamples };
    CountedOn counted_on = CountedOn::kEmergencies;
    std::size_t share_denominator = 20;
  };

  // The words the model reads apart, from keywords.json (the engine gives
  // them; empty by default, when every word counts as itself):
  //  - people: the words for people ("cousin", "primo", "chum"), as
  //    set_person_words (below); never an anchor for a time.
  //  - times: the words naming a time of day, folded, one word each
  //    ("tonight", "noche", "soir", "minuit", "demain"): a feature holding
  //    one counts only in a message with an anchor, a word (not a pair, not a
  //    time, not a person) whose naive Bayes weight for overdose or suicide
  //    against "other" (the log of its likelihood ratio, counted on every
  //    example) is at least `time_anchor`. Empty (the default, and the
  //    engine's while keywords.json gives no anchor): every time is a plain
  //    word. Measured by RiskModelCrossValidation (HELPLINE_RISK_CV_TIMES;
  //    docs/ARCHITECTURE.md, "Times of day beside a means").
  //  - time_conditional: a time's likelihood is counted on the examples with
  //    an anchor (how much more it says beside a word of evidence); off, on
  //    every example (it then weighs more beside one, as the everyday texts
  //    that held it no longer count).
  //  - time_cap: when finite, a time without an anchor is not left out but
  //    adds at most this much evidence for each emergency against "other"
  //    (the examples are then counted as plain words).
  struct Vocabulary {
    std::vector<std::string> people;
    std::vector<std::string> times;
    double time_anchor = 1.5;
    bool time_conditional = true;
    double time_cap = -std::numeric_limits<double>::infinity();
  };

  // One example per line: "overdose", "suicide" or "other", a tab, the
  // text. Blank lines and lines starting with '#' are skipped. Examples
  // after the line kFitOnlyMarker train the logistic regression alone (the
  // golden corpus's hand-made look-alikes: minimal pairs that would tilt the
  // naive Bayes counts, whose threshold was measured without them).
  // InvalidArgument (with the line number) for another label, a line
  // without a tab, or fewer than 10 examples of a class.
  static Result<RiskModel> Parse(std::string_view tsv, FunctionWords function_words, Vocabulary vocabulary);
  static Result<RiskModel> Parse(std::string_view tsv, FunctionWords function_words) {
    return Parse(tsv, function_words, Vocabulary{});
  }
  static Result<RiskModel> Parse(std::string_view tsv) { return Parse(tsv, FunctionWords{}, Vocabulary{}); }

  static constexpr std::string_view kFitOnlyMarker = "# --- fit only";

  // An empty model (no examples): every message scores other = 1.
  RiskModel() = default;

  // `each_token_once`: compute Scores::once_* even when no gate reads them
  // (the Explain tool, tests).
  Scores Assess(const std::vector<Token>& tokens, bool each_token_once = false) const;

  // The message's features with the naive Bayes weight of each as evidence
  // of class `c` (0 overdose, 1 suicide) against "other": log of the ratio
  // of their likelihoods; strongest first. For the Explain tool and tests.
  std::vector<std::pair<std::string, double>> Evidence(const std::vector<Token>& tokens, int c) const;

  // When the model's reading puts the "when in doubt" line first
  // (Understanding::doubt): naive Bayes overdose + suicide at least
  // `threshold`, and still at least `min_impersonal` with the words for
  // people left out (Scores::impersonal_emergency): a relative beside one
  // ambiguous word is no doubt ("mi hermano es adicto al cristal y nos
  // roba"). Chosen by leaving each in-sample evaluation file out in turn
  // (RiskModelCrossValidation in tests/engine/risk_model_test.cc;
  // docs/ARCHITECTURE.md, "When in doubt").
  struct DoubtGate {
    double threshold = 0.98;
    double min_impersonal = 0.9;
    bool each_token_once = false;  // read Scores::once_* (each token counted once)
  };
  void set_doubt_gate(DoubtGate gate) { doubt_gate_ = gate; }
  const DoubtGate& doubt_gate() const { return doubt_gate_; }
  bool Doubts(const Scores& s) const {
    const bool once = doubt_gate_.each_token_once;
    return (once ? s.once_emergency() : s.emergency()) >= doubt_gate_.threshold &&
           (once ? s.once_impersonal_emergency : s.impersonal_emergency) >= doubt_gate_.min_impersonal;
  }

  // When the model is sure of one emergency (the engine answers the message
  // as that emergency, Understanding::model_read): the naive Bayes reading of
  // class `c` (0 overdose, 1 suicide) at least `reads`, the regression's at
  // least `fitted` (it fits the look-alikes whose words are mostly emergency
  // words), and one word of the message, not a pair nor a person, weighing at
  // least `evidence` for it (Scores::evidence_overdose: a sum of weak words
  // is no sure reading). With `each_token_once`, the naive Bayes reading is
  // Scores::once_* (a name or a place is one piece of evidence, not three).
  // The engine still puts the doubt line first on a message this gate turns
  // away that it would pass with each_token_once off (never nothing where a
  // full emergency reply was). each_token_once is off in both gates: measured
  // by RiskModelCrossValidation (12 of 21 sure readings on other texts gone
  // at 0.985) but it cost held-out intents (docs/ARCHITECTURE.md, "Each
  // token once").
  struct SureGate {
    double reads = 0.99;
    double fitted = 0.5;
    double evidence = 1.5;
    bool each_token_once = false;
  };
  void set_sure_gate(SureGate gate) { sure_gate_ = gate; }
  const SureGate& sure_gate() const { return sure_gate_; }
  bool Sure(const Scores& s, int c) const { return Sure(s, c, sure_gate_.each_token_once); }
  bool Sure(const Scores& s, int c, bool each_token_once) const {
    const double read =
        c == 0 ? (each_token_once ? s.once_overdose : s.overdose) : (each_token_once ? s.once_suicide : s.suicide);
    const double fitted = c == 0 ? s.fitted_overdose : s.fitted_suicide;
    const double evidence = c == 0 ? s.evidence_overdose : s.evidence_suicide;
    return read >= sure_gate_.reads && fitted >= sure_gate_.fitted && evidence >= sure_gate_.evidence;
  }

  // The naive Bayes class priors (overdose, suicide, other; each > 0, any
  // scale), in place of the examples' class shares that Parse sets. For
  // measuring (the cross-validation); the regression is not affected.
  void set_priors(const std::array<double, 3>& p) {
    const double sum = p[0] + p[1] + p[2];
    for (int c = 0; c < kClasses; ++c) log_prior_[c] = std::log(p[c] / sum);
  }

  // The words for people, folded ("cousin", "primo", "chum", "coloc"):
  // not evidence of an emergency by themselves (Scores::evidence_overdose),
  // and left out of Scores::impersonal_emergency with the pairs holding one.
  // The engine gives them to Parse from keywords.json ("persons" "people",
  // Vocabulary::people); set here after Parse, they change the readings but
  // not which words anchor a time. Without them (the default) every word
  // counts.
  void set_person_words(std::vector<std::string> words) {
    std::sort(words.begin(), words.end());
    person_words_ = std::move(words);
  }
  const std::vector<std::string>& person_words() const { return person_words_; }
  bool IsPersonWord(std::string_view w) const {
    return std::binary_search(person_words_.begin(), person_words_.end(), w, std::less<>());
  }

  // Vocabulary::times and time_anchor as given to Parse (times sorted).
  const std::vector<std::string>& time_words() const { return time_words_; }
  double time_anchor() const { return time_anchor_; }
  bool time_conditional() const { return time_conditional_; }
  double time_cap() const { return time_cap_; }
  bool time_capped() const { return time_cap_ > -1e9; }
  bool IsTimeWord(std::string_view w) const {
    return std::binary_search(time_words_.begin(), time_words_.end(), w, std::less<>());
  }

  std::size_t examples() const { return examples_; }
  std::size_t features() const { return log_likelihood_.size(); }

 private:
  static constexpr int kClasses = 3;                        // overdose, suicide, other
  static constexpr std::size_t kMinExamplesForShare = 500;  // FunctionWords apply from this many examples on
  static constexpr int kFitEpochs = 6;                      // logistic regression: passes over the examples
  static constexpr double kFitRate = 0.5;                   // ... AdaGrad's step
  static constexpr double kFitL2 = 1e-4;                    // ... and its L2 penalty

  struct Row {
    int label;                            // 0 overdose, 1 suicide, 2 other
    std::vector<std::uint32_t> features;  // the rows of log_likelihood_ and weight_ it has
  };
  void Fit(const std::vector<Row>& rows);
  // A feature (a word, or two words and a space) holding a time word.
  bool HoldsATime(std::string_view feature) const;
  // The message's known features (rows of log_likelihood_) with their text,
  // leaving out those holding a time word when no known word anchors it.
  std::vector<std::pair<std::uint32_t, std::string>> Known(const std::vector<Token>& tokens,
                                                           bool* anchored = nullptr) const;
  // Whether a known feature counts in this message's cover (Scores::once_*;
  // `anchored` as Known): a time without an anchor does not, with or without
  // a cap (the cover reads no cap).
  bool Counts(std::uint32_t row, bool anchored) const { return anchored || kind_[row] != kTime; }
  std::array<double, kClasses> FittedLogits(const std::vector<std::uint32_t>& row) const;
  static void Softmax(std::array<double, kClasses>& s);

  std::array<double, kClasses> log_prior_{};
  StringMap<std::uint32_t> index_;                           // feature -> its row below
  std::vector<std::array<float, kClasses>> log_likelihood_;  // naive Bayes, per feature
  std::vector<std::array<float, kClasses>> weight_;          // logistic regression, per feature
  std::array<double, kClasses> bias_{};
  std::size_t examples_ = 0;
  DoubtGate doubt_gate_;
  std::vector<std::string> person_words_;  // sorted
  SureGate sure_gate_;
  std::vector<std::string> time_words_;  // sorted
  double time_anchor_ = 1.5;
  bool time_conditional_ = true;
  double time_cap_ = -std::numeric_limits<double>::infinity();
  static constexpr std::uint8_t kPlain = 0, kTime = 1, kAnchor = 2;
  std::vector<std::uint8_t> kind_;  // per row of log_likelihood_: kPlain, kTime or kAnchor
};

}  // namespace helpline::engine
