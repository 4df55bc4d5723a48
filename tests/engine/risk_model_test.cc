// The risk model (daemon/engine/risk_model.h): parsing its examples, what it
// reads on a small set, and the shipped examples it is trained on.
#include "daemon/engine/risk_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace helpline::engine {
namespace {

// Ten examples of each class, so Parse accepts them.
std::string SmallSet() {
  std::string s = "# a comment\n\n";
  for (int i = 0; i < 10; ++i) {
    s += "overdose\tmy friend wont wake up and his lips are blue " + std::to_string(i) + "\n";
    s += "suicide\ti have the rope and i want to end it tonight " + std::to_string(i) + "\n";
    s += "other\twhere can i get narcan near me " + std::to_string(i) + "\n";
  }
  return s;
}

TEST(RiskModel, ReadsTheClassesOfItsExamples) {
  auto model = RiskModel::Parse(SmallSet());
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->examples(), 30u);
  const auto od = model->Assess(Tokenize("he wont wake up, lips blue"));
  EXPECT_GT(od.overdose, 0.9);
  const auto su = model->Assess(Tokenize("got the rope, end it tonight"));
  EXPECT_GT(su.suicide, 0.9);
  const auto other = model->Assess(Tokenize("narcan near me please"));
  EXPECT_GT(other.other, 0.9);
  EXPECT_NEAR(od.overdose + od.suicide + od.other, 1.0, 1e-9);
}

TEST(RiskModel, WordsItNeverSawLeaveThePriors) {
  auto model = RiskModel::Parse(SmallSet());
  ASSERT_TRUE(model.ok());
  const auto s = model->Assess(Tokenize("zebra quantum lighthouse"));
  EXPECT_NEAR(s.overdose, 1.0 / 3, 1e-6);
  EXPECT_NEAR(s.other, 1.0 / 3, 1e-6);
}

// The strongest word's weight as evidence (Scores::evidence_overdose): a
// word for a person ("friend", seen only in overdoses here) is not one, nor is
// a pair; a sign ("blue") is.
TEST(RiskModel, EvidenceIsAWordThatIsNotAPerson) {
  auto model = RiskModel::Parse(SmallSet());
  ASSERT_TRUE(model.ok());
  const auto friend_only = model->Assess(Tokenize("friend zebra"));
  EXPECT_GT(friend_only.overdose, 0.9);            // the sum reads overdose ...
  EXPECT_EQ(friend_only.evidence_overdose, -1e9);  // ... with no word of evidence
  const auto blue = model->Assess(Tokenize("my friend is blue"));
  EXPECT_NEAR(blue.evidence_overdose, std::log(10.5 / 11) - std::log(0.5 / 11), 1e-5);
  const auto rope = model->Assess(Tokenize("the rope"));
  EXPECT_GT(rope.evidence_suicide, 2.0);
  EXPECT_LE(rope.evidence_overdose, 0.0);  // seen in no overdose, as often as in "other"
  // The Explain tool's list: pairs and people too, strongest first.
  const auto listed = model->Evidence(Tokenize("my friend is blue"), 0);
  ASSERT_FALSE(listed.empty());
  EXPECT_GE(listed.front().second, listed.back().second);
}

TEST(RiskModel, AnEmptyModelReadsNothing) {
  RiskModel empty;
  const auto s = empty.Assess(Tokenize("he is not breathing"));
  EXPECT_EQ(s.other, 1.0);
  EXPECT_EQ(s.emergency(), 0.0);
}

TEST(RiskModel, RejectsABadLabelALineWithoutATabAndTooFewExamples) {
  auto bad_label = RiskModel::Parse(SmallSet() + "danger\tsomething\n");
  ASSERT_FALSE(bad_label.ok());
  EXPECT_NE(bad_label.status().message().find("line 33"), std::string::npos) << bad_label.status().message();
  EXPECT_NE(bad_label.status().message().find("danger"), std::string::npos);
  auto no_tab = RiskModel::Parse(SmallSet() + "overdose no tab here\n");
  ASSERT_FALSE(no_tab.ok());
  EXPECT_NE(no_tab.status().message().find("no tab"), std::string::npos);
  EXPECT_FALSE(RiskModel::Parse("overdose\ta\nsuicide\tb\nother\tc\n").ok());
}

TEST(RiskModel, FunctionWordsWeighNothing) {
  // 600 examples, each with a word of its own; "the" is in every overdose
  // example (more than 1 in 50), so it is dropped, and a message of "the"
  // alone reads as the priors. "blue" is in 10 (under 1 in 50) and counts.
  std::string s;
  for (int i = 0; i < 200; ++i) {
    s += "overdose\tthe w" + std::to_string(i) + (i < 10 ? " blue" : "") + "\n";
    s += "suicide\tx" + std::to_string(i) + "\n";
    s += "other\ty" + std::to_string(i) + "\n";
  }
  auto model = RiskModel::Parse(s);
  ASSERT_TRUE(model.ok());
  EXPECT_NEAR(model->Assess(Tokenize("the")).overdose, 1.0 / 3, 1e-6);
  EXPECT_GT(model->Assess(Tokenize("blue")).overdose, 0.9);
}

TEST(RiskModel, TheFittedReadingLearnsALookAlikeTheSumsCannot) {
  // The look-alike shares most of its words with the suicide examples: the
  // naive Bayes sum still reads it as one, the logistic regression, fitted
  // to every example, does not; and both read the emergency itself.
  std::string s = SmallSet();
  for (int i = 0; i < 10; ++i) s += "suicide\ti will jump off the bridge tonight " + std::to_string(i) + "\n";
  for (int i = 0; i < 3; ++i) s += "other\twe jump off the bridge every summer " + std::to_string(i) + "\n";
  auto model = RiskModel::Parse(s);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const auto look_alike = model->Assess(Tokenize("we jump off the bridge every summer"));
  EXPECT_LT(look_alike.fitted_suicide, 0.5);
  const auto emergency = model->Assess(Tokenize("i will jump off the bridge tonight"));
  EXPECT_GT(emergency.suicide, 0.9);
  EXPECT_GT(emergency.fitted_suicide, 0.5);
  EXPECT_LE(emergency.fitted_overdose + emergency.fitted_suicide, 1.0 + 1e-9);
}

TEST(RiskModel, FitOnlyExamplesTrainTheRegressionAlone) {
  auto plain = RiskModel::Parse(SmallSet());
  std::string s = SmallSet() + std::string(RiskModel::kFitOnlyMarker) + "\n";
  for (int i = 0; i < 5; ++i) s += "other\tmy friend wont wake up from his nap, lazy day\n";
  auto with = RiskModel::Parse(s);
  ASSERT_TRUE(plain.ok() && with.ok());
  EXPECT_EQ(with->examples(), plain->examples());
  const std::vector<Token> text = Tokenize("my friend wont wake up");
  EXPECT_DOUBLE_EQ(with->Assess(text).overdose, plain->Assess(text).overdose);
  EXPECT_LT(with->Assess(text).fitted_overdose, plain->Assess(text).fitted_overdose);
}

TEST(RiskModel, TrainsOnTheShippedExamples) {
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/data/engine/risk_examples.tsv");
  ASSERT_TRUE(in) << "data/engine/risk_examples.tsv";
  std::stringstream text;
  text << in.rdbuf();
  auto model = RiskModel::Parse(text.str());
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_GT(model->examples(), 4000u);
  EXPECT_GT(model->features(), 10000u);
  // Not the texts of the examples: new wordings of their situations.
  EXPECT_GT(model->Assess(Tokenize("my uncle is slumped grey in his truck and barely breathing")).emergency(), 0.95);
  EXPECT_LT(model->Assess(Tokenize("where can i pick up a free naloxone kit in denver")).emergency(), 0.5);
}

// A tool, not a check: HELPLINE_RISK_EXPLAIN=FILE and
// --gtest_also_run_disabled_tests --gtest_filter='*Explain*' print, beside
// the detector's reading of each line (risk_detector_test.cc), the shipped
// model's: naive Bayes overdose and suicide, then the regression's.
TEST(RiskModel, DISABLED_ExplainEachLineOfAFile) {
  const char* path = std::getenv("HELPLINE_RISK_EXPLAIN");
  ASSERT_NE(path, nullptr) << "set HELPLINE_RISK_EXPLAIN to a file of messages, one per line";
  std::ifstream examples(std::string(HELPLINE_SOURCE_DIR) + "/data/engine/risk_examples.tsv");
  std::stringstream text;
  text << examples.rdbuf();
  auto model = RiskModel::Parse(text.str());
  ASSERT_TRUE(model.ok()) << model.status().message();
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const RiskModel::Scores s = model->Assess(Tokenize(line));
    std::printf("\"%s\" -> model overdose=%.3f suicide=%.3f fitted overdose=%.3f suicide=%.3f\n", line.c_str(),
                s.overdose, s.suicide, s.fitted_overdose, s.fitted_suicide);
    for (int c = 0; c < 2; ++c) {
      std::printf("  %s evidence:", c == 0 ? "overdose" : "suicide");
      for (const auto& [feature, weight] : model->Evidence(Tokenize(line), c)) {
        std::printf(" %s=%.1f", feature.c_str(), weight);
      }
      std::printf("\n");
    }
  }
}

}  // namespace
}  // namespace helpline::engine
