// The intent model (daemon/engine/intent_model.h): parsing its examples,
// deterministic training, what it fits, its gate, and the cross-validation
// its gate was tuned by (IntentModelCrossValidation, on the in-sample
// evaluation files only: a file whose header says HELD OUT is never read
// past its header).
#include "daemon/engine/intent_model.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/engine/message_engine.h"
#include "tests/engine/eval_messages.h"
#include "tests/engine/shipped_world.h"

namespace helpline::engine {
namespace {

// Ten examples of each of four intents.
std::string SmallSet() {
  std::string s = "# a comment\n\n";
  for (int i = 0; i < 10; ++i) {
    const std::string n = " " + std::to_string(i);
    s += "detox\twhere can i detox from fent" + n + "\n";
    s += "unknown\ti watched a movie about rehab last night" + n + "\n";
    s += "family\tmy son is using again how do i help him" + n + "\n";
    s += "naloxone\twhere do i get narcan kits" + n + "\n";
  }
  return s;
}

std::size_t ClassIndex(Intent i) {
  for (std::size_t c = 0; c < IntentModel::kClassCount; ++c) {
    if (IntentModel::kClasses[c] == i) return c;
  }
  return IntentModel::kClassCount;
}

TEST(IntentModel, FitsTheIntentsOfItsExamples) {
  auto model = IntentModel::Parse(SmallSet());
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->examples(), 40u);
  EXPECT_GT(model->Read(Tokenize("where can i detox from fent"))[ClassIndex(Intent::kDetox)], 0.9);
  EXPECT_GT(model->Read(Tokenize("watched a movie about rehab"))[ClassIndex(Intent::kUnknown)], 0.9);
  EXPECT_GT(model->Read(Tokenize("my son is using again"))[ClassIndex(Intent::kFamily)], 0.9);
  EXPECT_GT(model->Read(Tokenize("get narcan kits"))[ClassIndex(Intent::kNaloxone)], 0.9);
}

TEST(IntentModel, ProbabilitiesSumToOne) {
  auto model = IntentModel::Parse(SmallSet());
  ASSERT_TRUE(model.ok());
  for (const char* text : {"where can i detox", "zzz qqq", "", "my son narcan movie"}) {
    const auto p = model->Read(Tokenize(text));
    EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-9) << text;
  }
  const auto empty = IntentModel().Read(Tokenize("where can i detox"));
  EXPECT_NEAR(empty[0], 1.0 / IntentModel::kClassCount, 1e-12);
}

TEST(IntentModel, TrainsTheSameWeightsEveryTime) {
  auto a = IntentModel::Parse(SmallSet());
  auto b = IntentModel::Parse(SmallSet());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->features(), b->features());
  for (const char* text : {"where can i detox", "my son watched a movie", "narcan"}) {
    EXPECT_EQ(a->Read(Tokenize(text)), b->Read(Tokenize(text))) << text;
  }
}

TEST(IntentModel, RefusesALabelItDoesNotLearn) {
  for (const char* bad : {"overdose\tmy friend wont wake up\n", "suicide\ti want to die\n", "stop\tstop texting me\n",
                          "detox no tab here\n", "nonsense\tsome text\n"}) {
    auto model = IntentModel::Parse(std::string("unknown\thello there\n") + bad);
    ASSERT_FALSE(model.ok()) << bad;
    EXPECT_NE(model.status().message().find("line 2"), std::string::npos) << model.status().message();
  }
}

TEST(IntentModel, GateLeavesSafetyCommandsAndShortMessagesToTheRules) {
  auto model = IntentModel::Parse(SmallSet());
  ASSERT_TRUE(model.ok());
  model->set_gate({.threshold = 0.9, .min_tokens = 4});
  const auto tokens = Tokenize("where can i detox from fent please");
  // A weak rule reading: the model answers.
  EXPECT_EQ(model->SecondOpinion(tokens, {Intent::kUnknown}), Intent::kDetox);
  // Never over a safety finding, the doubt line or a carrier word.
  EXPECT_EQ(model->SecondOpinion(tokens, {Intent::kUnknown, false, true}), std::nullopt);
  for (Intent rules :
       {Intent::kOverdose, Intent::kSuicide, Intent::kStop, Intent::kStart, Intent::kInfo, Intent::kLanguage}) {
    EXPECT_EQ(model->SecondOpinion(tokens, {rules}), std::nullopt) << IntentName(rules);
  }
  // Never over an exact keyword as the first word ("DETOX ...", "NALOXONE ...").
  EXPECT_EQ(model->SecondOpinion(tokens, {Intent::kNaloxone, true}), std::nullopt);
  // Never on fewer than min_tokens words.
  EXPECT_EQ(model->SecondOpinion(Tokenize("detox fent"), {Intent::kUnknown}), std::nullopt);
  // Never when not sure enough.
  model->set_gate({.threshold = 1.0, .min_tokens = 4});
  EXPECT_EQ(model->SecondOpinion(tokens, {Intent::kUnknown}), std::nullopt);
  // An empty model never answers.
  EXPECT_EQ(IntentModel().SecondOpinion(tokens, {Intent::kUnknown}), std::nullopt);
}

TEST(IntentModel, ShippedExamplesTrainInBoundedTime) {
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/data/engine/intent_examples.tsv");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto start = std::chrono::steady_clock::now();
  auto model = IntentModel::Parse(ss.str());
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(model.ok()) << model.status().message();
  std::printf("intent model: %zu examples, %zu features, trained in %.1f ms\n", model->examples(), model->features(),
              ms);
  EXPECT_GT(model->examples(), 2000u);
  EXPECT_LT(ms, 2000.0);  // a loose bound for sanitizer builds; Release is reported in ARCHITECTURE
}

// ---- Cross-validation on the in-sample evaluation files: each file left
// out of the model's examples in turn, its rows answered by the shipped
// rules alone and with the model, at the shipped gate (and, with
// HELPLINE_INTENT_CV_SWEEP=1, a grid of gates: how the shipped one was
// chosen).

struct Fold {
  std::string name;
  std::vector<EvalRow> rows;
};

std::vector<Fold> InSampleFolds() {
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(std::string(HELPLINE_SOURCE_DIR) + "/tests/engine/eval")) {
    if (e.path().extension() == ".tsv") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Fold> folds;
  for (const std::string& path : paths) {
    EvalFile file = ReadEvalFile(path, /*skip_held_out=*/true);  // a held-out file is never read further
    if (file.held_out) continue;
    EXPECT_TRUE(file.problems.empty()) << path << ": " << (file.problems.empty() ? "" : file.problems[0]);
    folds.push_back({std::filesystem::path(path).filename().string(), std::move(file.rows)});
  }
  return folds;
}

// The shipped examples without the lines whose text is in `fold`.
std::string ExamplesWithout(const std::string& examples, const Fold& fold) {
  std::set<std::string> texts;
  for (const EvalRow& r : fold.rows) texts.insert(r.text);
  std::string out;
  std::stringstream ss(examples);
  for (std::string line; std::getline(ss, line);) {
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos && texts.count(line.substr(tab + 1)) != 0) continue;
    out += line + '\n';
  }
  return out;
}

// Rows answered with their expected intent; `got` (when given) receives each row's answer.
std::size_t Correct(const MessageEngine& engine, const directory::DirectoryIndex& index, const Fold& fold,
                    std::vector<std::string>* got = nullptr) {
  std::size_t n = 0;
  if (got != nullptr) got->clear();
  for (const EvalRow& r : fold.rows) {
    InboundMessage m;
    m.text = r.text;
    m.from = r.from;
    m.channel = ChannelType::kSms;
    const std::string_view intent = IntentName(engine.Handle(m, SenderState{}, index).intent);
    if (intent == r.intent) ++n;
    if (got != nullptr) got->emplace_back(intent);
  }
  return n;
}

TEST(IntentModelCrossValidation, LeavingEachEvalFileOutTheModelHelpsTheRules) {
  const ShippedWorld& w = TheShippedWorld();
  auto loaded = LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine");
  ASSERT_TRUE(loaded.ok());
  MessageEngine engine = std::move(loaded).value();
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/data/engine/intent_examples.tsv");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string examples = ss.str();
  const bool sweep = std::getenv("HELPLINE_INTENT_CV_SWEEP") != nullptr;
  const bool verbose = std::getenv("HELPLINE_INTENT_CV_VERBOSE") != nullptr;  // each row the model changes
  std::vector<std::string> by_rules, by_model;
  std::vector<IntentModel::Gate> gates = {IntentModel::Gate{}};
  if (sweep) {
    for (double t : {0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995}) {
      for (std::size_t min_tokens : {4u, 6u, 8u}) gates.push_back({t, min_tokens});
    }
  }
  std::size_t rows = 0, rules_total = 0;
  std::vector<std::size_t> with_total(gates.size(), 0), with_blind(gates.size(), 0);
  std::size_t rules_blind = 0;  // the blind batches (round_b*.tsv): texts written by testers who had not seen the rules
  // Under AddressSanitizer every kEvalStride-th file only (the whole took
  // 149 s there in CI, the longest test; 10 s in Release).
  const std::vector<Fold> folds = InSampleFolds();
  for (std::size_t f = 0; f < folds.size(); f += kEvalStride) {
    const Fold& fold = folds[f];
    engine.SetIntentModel(IntentModel());
    const std::size_t rules = Correct(engine, *w.index, fold, &by_rules);
    auto model = IntentModel::Parse(ExamplesWithout(examples, fold));
    ASSERT_TRUE(model.ok());
    std::string line;
    for (std::size_t g = 0; g < gates.size(); ++g) {
      model->set_gate(gates[g]);
      engine.SetIntentModel(*model);
      const std::size_t with = Correct(engine, *w.index, fold, g == 0 ? &by_model : nullptr);
      with_total[g] += with;
      if (fold.name.rfind("round_b", 0) == 0) with_blind[g] += with;
      if (g == 0) line = std::to_string(with);
    }
    for (std::size_t i = 0; verbose && i < fold.rows.size(); ++i) {
      if (by_rules[i] == by_model[i]) continue;
      const EvalRow& r = fold.rows[i];
      std::printf("  %s %s: expected %s, rules %s, model %s: %s\n",
                  r.intent == by_model[i]   ? "+"
                  : r.intent == by_rules[i] ? "-"
                                            : "~",
                  fold.name.c_str(), r.intent.c_str(), by_rules[i].c_str(), by_model[i].c_str(), r.text.c_str());
    }
    rows += fold.rows.size();
    rules_total += rules;
    if (fold.name.rfind("round_b", 0) == 0) rules_blind += rules;
    std::printf("fold %-18s rows %4zu  rules %4zu  rules+model %s\n", fold.name.c_str(), fold.rows.size(), rules,
                line.c_str());
  }
  std::printf("all folds: rows %zu  rules alone %zu  rules+model (T %.2f, >= %zu words) %zu\n", rows, rules_total,
              gates[0].threshold, gates[0].min_tokens, with_total[0]);
  std::printf("blind batches: rules alone %zu  rules+model %zu\n", rules_blind, with_blind[0]);
  for (std::size_t g = 1; g < gates.size(); ++g) {
    std::printf("  sweep T %.2f  >= %zu words: all %+ld  blind %+ld\n", gates[g].threshold, gates[g].min_tokens,
                static_cast<long>(with_total[g]) - static_cast<long>(rules_total),
                static_cast<long>(with_blind[g]) - static_cast<long>(rules_blind));
  }
  EXPECT_GT(rows * kEvalStride, 5000u);
  // What the model is for: texts written by people who had not seen the
  // rules. There it must help (3,151 -> 3,157 with round 10's intent rules).
  // The hand-written files, whose rules were fitted to their exact texts,
  // may lose a few rows to it (all files: 6,006 -> 6,002), never more than
  // 0.1% of the rows.
  EXPECT_GT(with_blind[0], rules_blind);
  EXPECT_GE(with_total[0] + rows / 1000, rules_total);
}

}  // namespace
}  // namespace helpline::engine
