// The risk model (daemon/engine/risk_model.h): parsing its examples, what it
// reads on a small set, and the shipped examples it is trained on.
#include "daemon/engine/risk_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/engine/keyword_table.h"
#include "daemon/engine/message_engine.h"
#include "tests/engine/shipped_world.h"

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
  // Without the words for people, "friend" is a word like any other.
  EXPECT_GT(model->Assess(Tokenize("friend zebra")).evidence_overdose, 2.0);
  model->set_person_words({"friend", "cousin"});
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

// The doubt line's gate (RiskModel::DoubtGate): the reading without the
// words for people must hold too. "friend" is only in the overdose examples
// here: with it the sum reads overdose, without it only the priors are left.
TEST(RiskModel, TheDoubtGateLeavesPeopleOut) {
  auto model = RiskModel::Parse(SmallSet());
  ASSERT_TRUE(model.ok());
  model->set_person_words({"friend"});
  const auto friend_only = model->Assess(Tokenize("friend zebra quantum lighthouse"));
  EXPECT_GT(friend_only.emergency(), 0.95);
  EXPECT_NEAR(friend_only.impersonal_emergency, 2.0 / 3, 1e-6);
  EXPECT_FALSE(model->Doubts(friend_only));
  const auto signs = model->Assess(Tokenize("my friend wont wake up, lips blue"));
  EXPECT_GT(signs.impersonal_emergency, 0.95);
  EXPECT_TRUE(model->Doubts(signs));
  // With the gate open to people, the sum alone decides (the rule before round 11).
  model->set_doubt_gate({.threshold = 0.95, .min_impersonal = 0});
  EXPECT_TRUE(model->Doubts(friend_only));
}

// Each token once (Scores::once_suicide): a name whose words and pair are
// seen only together ("jacques cartier", in 10 suicide examples) is one
// piece of evidence in the cover, three in the plain sum.
TEST(RiskModel, EachTokenOnceCountsAPairInPlaceOfItsWords) {
  std::string s = SmallSet();
  for (int i = 0; i < 10; ++i) s += "suicide\ton jacques cartier now " + std::to_string(i) + "\n";
  auto model = RiskModel::Parse(s);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const double w = std::log(10.5 / 21) - std::log(0.5 / 11);  // one feature's weight for suicide
  const auto r = model->Assess(Tokenize("jacques cartier"), /*each_token_once=*/true);
  const double once_other = 1 - r.once_overdose - r.once_suicide;
  EXPECT_NEAR(std::log(r.once_suicide / once_other), std::log(2.0) + w, 1e-4);  // priors 20:10, the pair
  EXPECT_NEAR(std::log(r.suicide / r.other), std::log(2.0) + 3 * w, 1e-4);      // the pair and both words
  // A word outside any known pair still counts: "rope" beside the name.
  const auto rope = model->Assess(Tokenize("jacques cartier rope"), /*each_token_once=*/true);
  EXPECT_GT(rope.once_suicide, r.once_suicide);
  // The sure gate reads the cover when told to.
  RiskModel::Scores scores;
  scores.suicide = 1.0, scores.once_suicide = 0.95, scores.fitted_suicide = 0.9, scores.evidence_suicide = 3;
  EXPECT_TRUE(model->Sure(scores, 1, false));
  EXPECT_FALSE(model->Sure(scores, 1, true));
}

// Times of day (RiskModel::Vocabulary::times): "tonight" is in the 20 suicide
// examples beside "rope", and in 5 everyday plans beside "party". As a
// plain word it weighs for suicide; read beside an anchor only, a plan
// without one reads as the priors, while "tonight" beside "rope" (an anchor:
// seen only in suicides) still adds its weight.
std::string TimesSet() {
  std::string s = SmallSet();
  for (int i = 0; i < 10; ++i) s += "suicide\tthe rope is ready tonight " + std::to_string(i) + "\n";
  for (int i = 0; i < 5; ++i) s += "other\tparty tonight at " + std::to_string(i) + "\n";
  return s;
}

TEST(RiskModel, ATimeCountsBesideAMeansAndNotAlone) {
  auto plain = RiskModel::Parse(TimesSet());
  auto times = RiskModel::Parse(TimesSet(), {}, {.people = {}, .times = {"tonight"}});
  ASSERT_TRUE(plain.ok() && times.ok());
  EXPECT_EQ(times->time_words(), std::vector<std::string>{"tonight"});
  // Alone: a plain word of evidence, but nothing once it needs an anchor.
  const std::vector<Token> alone = Tokenize("tonight");
  EXPECT_GT(plain->Assess(alone).suicide, 0.5);
  EXPECT_GT(plain->Evidence(alone, 1).front().second, 0.5);
  const auto read_alone = times->Assess(alone);
  EXPECT_NEAR(read_alone.suicide, 20.0 / 45, 1e-6);  // the priors: 20 suicides of 45 examples
  EXPECT_TRUE(times->Evidence(alone, 1).empty());
  // Beside "rope", "tonight" counts, weighed on the examples that have an
  // anchor (all 20 suicides, the 10 overdoses by "blue", no other text): how
  // much more a time says beside a word of evidence.
  const std::vector<Token> rope_tonight = Tokenize("rope tonight");
  const auto beside = times->Evidence(rope_tonight, 1);
  const auto tonight = std::find_if(beside.begin(), beside.end(), [](const auto& e) { return e.first == "tonight"; });
  ASSERT_NE(tonight, beside.end());
  EXPECT_NEAR(tonight->second, std::log(20.5 / 21) - std::log(0.5 / 1), 1e-5);  // in 20 of 20 suicides, 0 of 0 others
  EXPECT_GT(times->Assess(rope_tonight).suicide, times->Assess(Tokenize("rope")).suicide);
  // A pair holding a time is a time too: "party tonight" weighs nothing alone.
  EXPECT_NEAR(times->Assess(Tokenize("party tonight")).other, plain->Assess(Tokenize("party")).other, 1e-6);
}

// With a cap (Vocabulary::time_cap), a time without an anchor is read as a
// plain word whose evidence for an emergency is at most the cap; beside an
// anchor it counts in full.
TEST(RiskModel, ACappedTimeAddsAtMostItsCapAlone) {
  auto plain = RiskModel::Parse(TimesSet());
  auto capped = RiskModel::Parse(TimesSet(), {}, {.people = {}, .times = {"tonight"}, .time_cap = 0.5});
  ASSERT_TRUE(plain.ok() && capped.ok());
  EXPECT_TRUE(capped->time_capped());
  const auto alone = capped->Assess(Tokenize("tonight"));
  EXPECT_NEAR(std::log(alone.suicide / alone.other), std::log(20.0 / 15) + 0.5, 1e-5);  // 1.04 capped to 0.5
  EXPECT_LT(alone.suicide, plain->Assess(Tokenize("tonight")).suicide);
  const std::vector<Token> beside = Tokenize("rope tonight");
  EXPECT_NEAR(capped->Assess(beside).suicide, plain->Assess(beside).suicide, 1e-9);
}

// A word for a person is no anchor, even when it weighs for an emergency:
// "friend" is only in the overdose examples here.
TEST(RiskModel, APersonIsNoAnchorForATime) {
  std::string s = TimesSet();
  for (int i = 0; i < 3; ++i) s += "overdose\tmy friend wont wake up tonight " + std::to_string(i) + "\n";
  auto model = RiskModel::Parse(s, {}, {.people = {"friend"}, .times = {"tonight"}});
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->person_words(), std::vector<std::string>{"friend"});
  const auto listed = model->Evidence(Tokenize("friend tonight"), 1);
  EXPECT_TRUE(std::none_of(listed.begin(), listed.end(), [](const auto& e) { return e.first == "tonight"; }));
  const auto with_blue = model->Evidence(Tokenize("blue tonight"), 0);
  EXPECT_TRUE(std::any_of(with_blue.begin(), with_blue.end(), [](const auto& e) { return e.first == "tonight"; }));
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

// 600 examples, each with a word of its own; "the" is in every overdose
// example (more than 1 in 20 of the emergencies), so it is dropped, and a
// message of "the" alone reads as the priors. "blue" is in 10 (1 in 40) and
// counts.
std::string SixHundredExamples() {
  std::string s;
  for (int i = 0; i < 200; ++i) {
    s += "overdose\tthe w" + std::to_string(i) + (i < 10 ? " blue" : "") + "\n";
    s += "suicide\tx" + std::to_string(i) + "\n";
    s += "other\ty" + std::to_string(i) + "\n";
  }
  return s;
}

TEST(RiskModel, FunctionWordsWeighNothing) {
  auto model = RiskModel::Parse(SixHundredExamples());
  ASSERT_TRUE(model.ok());
  EXPECT_NEAR(model->Assess(Tokenize("the")).overdose, 1.0 / 3, 1e-6);
  EXPECT_GT(model->Assess(Tokenize("blue")).overdose, 0.9);
}

// The function words are counted on the emergencies (FunctionWords::kEmergencies):
// 400 everyday texts with "tu" in them, added as "other", leave it a word
// that weighs for "other" (counted on every example, it would be in 1 in 3
// and dropped), and they drop nothing that was kept: "blue" still counts.
TEST(RiskModel, MoreOtherExamplesMoveNoFunctionWord) {
  std::string s = SixHundredExamples();
  for (int i = 0; i < 400; ++i) s += "other\ttu viens z" + std::to_string(i) + "\n";
  auto model = RiskModel::Parse(s);
  ASSERT_TRUE(model.ok());
  EXPECT_GT(model->Assess(Tokenize("tu")).other, 0.9);
  EXPECT_GT(model->Assess(Tokenize("blue")).overdose, 0.9);
  EXPECT_NEAR(model->Assess(Tokenize("the")).overdose, 200.0 / 1000, 1e-6);  // the priors: 200 of 1,000
  auto all =
      RiskModel::Parse(s, {.counted_on = RiskModel::FunctionWords::CountedOn::kAllExamples, .share_denominator = 50});
  ASSERT_TRUE(all.ok());
  EXPECT_NEAR(all->Assess(Tokenize("tu")).other, 600.0 / 1000, 1e-6);  // dropped: the priors
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

// HELPLINE_RISK_CV_FUNCTION_WORDS="emergencies 25" or "all 50": the models
// of a run drop their function words by that rule (RiskModel::FunctionWords)
// instead of the shipped one.
RiskModel::FunctionWords CvFunctionWords() {
  RiskModel::FunctionWords rule;
  if (const char* env = std::getenv("HELPLINE_RISK_CV_FUNCTION_WORDS")) {
    std::istringstream in(env);
    std::string counted;
    in >> counted >> rule.share_denominator;
    using CountedOn = RiskModel::FunctionWords::CountedOn;
    rule.counted_on = counted == "all" ? CountedOn::kAllExamples : CountedOn::kEmergencies;
  }
  return rule;
}

// HELPLINE_RISK_CV_TIMES="off", or an anchor with how the times are read
// ("2.5": left out without an anchor, counted on the anchored examples;
// "2.5 plain": counted on every example; "2.5 cap 0": kept without an anchor
// but adding at most that much evidence): the models of a run read
// keywords.json's times of day so (RiskModel::Vocabulary) instead of as the
// shipped engine does. The words for people are the shipped engine's.
RiskModel::Vocabulary CvVocabulary() {
  const RiskModel& shipped = TheShippedWorld().engine->risk_model();
  RiskModel::Vocabulary v{.people = shipped.person_words(),
                          .times = shipped.time_words(),
                          .time_anchor = shipped.time_anchor(),
                          .time_conditional = shipped.time_conditional(),
                          .time_cap = shipped.time_cap()};
  if (const char* env = std::getenv("HELPLINE_RISK_CV_TIMES")) {
    if (std::string(env) == "off") {
      v.times.clear();
    } else {
      // keywords.json's words, even when it gives no anchor (shipped off).
      std::ifstream in_keywords(std::filesystem::path(HELPLINE_SOURCE_DIR) / "data/engine/keywords.json");
      auto keywords = KeywordTable::Parse(
          std::string(std::istreambuf_iterator<char>(in_keywords), std::istreambuf_iterator<char>()));
      if (keywords.ok()) v.times = keywords->TimeWords();
      std::istringstream in(env);
      in >> v.time_anchor;
      if (std::string how; in >> how) {
        v.time_conditional = how != "plain";
        if (how == "cap") in >> v.time_cap;
      }
    }
  }
  return v;
}

// A tool, not a check: HELPLINE_RISK_EXPLAIN=FILE and
// --gtest_also_run_disabled_tests --gtest_filter='*Explain*' print, beside
// the detector's reading of each line (risk_detector_test.cc), the shipped
// model's: naive Bayes overdose and suicide, the same without the words for
// people and whether the doubt gate passes, then the regression's
// (HELPLINE_RISK_CV_FUNCTION_WORDS, above: with that rule for function words).
TEST(RiskModel, DISABLED_ExplainEachLineOfAFile) {
  const char* path = std::getenv("HELPLINE_RISK_EXPLAIN");
  ASSERT_NE(path, nullptr) << "set HELPLINE_RISK_EXPLAIN to a file of messages, one per line";
  std::ifstream examples(std::string(HELPLINE_SOURCE_DIR) + "/data/engine/risk_examples.tsv");
  std::stringstream text;
  text << examples.rdbuf();
  auto model = RiskModel::Parse(text.str(), CvFunctionWords(), CvVocabulary());
  ASSERT_TRUE(model.ok()) << model.status().message();
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const RiskModel::Scores s = model->Assess(Tokenize(line), /*each_token_once=*/true);
    std::printf(
        "\"%s\" -> model overdose=%.3f suicide=%.3f without people %.3f (doubt gate: %s) fitted overdose=%.3f "
        "suicide=%.3f; each token once overdose=%.3f suicide=%.3f (sure: %s)\n",
        line.c_str(), s.overdose, s.suicide, s.impersonal_emergency, model->Doubts(s) ? "passes" : "closed",
        s.fitted_overdose, s.fitted_suicide, s.once_overdose, s.once_suicide,
        model->Sure(s, 1)   ? "suicide"
        : model->Sure(s, 0) ? "overdose"
                            : "no");
    for (int c = 0; c < 2; ++c) {
      std::printf("  %s evidence:", c == 0 ? "overdose" : "suicide");
      for (const auto& [feature, weight] : model->Evidence(Tokenize(line), c)) {
        std::printf(" %s=%.1f", feature.c_str(), weight);
      }
      std::printf("\n");
    }
  }
}

// ---- A tool, not a check: how the doubt line's gate and the priors were
// chosen (docs/ARCHITECTURE.md, "When in doubt"). Each in-sample evaluation
// file (a header saying HELD OUT: never read past it) is left out of the
// risk model's examples in turn and its rows answered by the shipped engine
// with that model: its emergencies with their line first (911 or 988, as the
// row expects) and its other texts with a safety line ("911") first.
// HELPLINE_RISK_CV_SWEEP=1 adds a grid (priors, the INTENTS ONLY files
// learned as "other", DoubtGate threshold and min_impersonal) beside the
// shipped setting; HELPLINE_RISK_CV_VERBOSE=1 prints each row a setting
// answers differently from the shipped one. Run (one line):
//   HELPLINE_RISK_CV_SWEEP=1 ./tests/engine_tests --gtest_also_run_disabled_tests
//   --gtest_filter='RiskModelCrossValidation.*'

// data/engine/risk_examples.tsv, as the engine loads it.
std::string ShippedExamples() {
  std::ifstream in(std::filesystem::path(HELPLINE_SOURCE_DIR) / "data/engine/risk_examples.tsv");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct CvRow {
  std::string from, intent, first_line, text;
};

struct CvFile {
  std::string name;
  bool intents_only = false;
  std::vector<CvRow> rows;
};

// A file's header (its first three lines) says whether it is HELD OUT
// (never read further here) or INTENTS ONLY.
std::vector<CvFile> InSampleEvalFiles() {
  const std::filesystem::path dir = std::filesystem::path(HELPLINE_SOURCE_DIR) / "tests/engine/eval";
  std::vector<std::filesystem::path> tsvs(std::filesystem::directory_iterator(dir), {});
  std::erase_if(tsvs, [](const std::filesystem::path& p) { return p.extension() != ".tsv"; });
  std::sort(tsvs.begin(), tsvs.end());
  std::vector<CvFile> files;
  for (const std::filesystem::path& tsv : tsvs) {
    std::ifstream in(tsv);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      lines.push_back(std::move(line));
      if (lines.size() == 3 && (lines[0] + lines[1] + lines[2]).find("HELD OUT") != std::string::npos) break;
    }
    const std::string head = lines.size() >= 3 ? lines[0] + lines[1] + lines[2] : std::string();
    if (head.find("HELD OUT") != std::string::npos) continue;
    CvFile file{tsv.filename().string(), head.find("INTENTS ONLY") != std::string::npos, {}};
    for (const std::string& line : lines) {
      if (line.empty() || line[0] == '#' || line.rfind("id\t", 0) == 0) continue;
      std::vector<std::string> f;  // id, from, intent, lang, first_line, note; then the text
      std::size_t at = 0;
      for (std::size_t tab; f.size() < 6 && (tab = line.find('\t', at)) != std::string::npos; at = tab + 1) {
        f.push_back(line.substr(at, tab - at));
      }
      if (f.size() == 6 && at < line.size()) file.rows.push_back({f[1], f[2], f[4], line.substr(at)});
    }
    files.push_back(std::move(file));
  }
  return files;
}

bool IsEmergency(const std::string& intent) { return intent == "overdose" || intent == "suicide"; }

std::string LowerCase(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The model's examples without `left_out`'s texts; with `add` (the INTENTS
// ONLY files' rows, as "other" unless an emergency) before the fit-only part.
std::string CvExamples(const std::string& shipped, const CvFile& left_out, const std::vector<CvFile>* add) {
  std::set<std::string> out_texts;
  for (const CvRow& r : left_out.rows) out_texts.insert(r.text);
  std::string added;
  for (std::size_t i = 0; add != nullptr && i < add->size(); ++i) {
    if (!(*add)[i].intents_only || (*add)[i].name == left_out.name) continue;
    for (const CvRow& r : (*add)[i].rows) added += (IsEmergency(r.intent) ? r.intent : "other") + "\t" + r.text + "\n";
  }
  std::string out;
  std::stringstream ss(shipped);
  for (std::string line; std::getline(ss, line);) {
    if (line == RiskModel::kFitOnlyMarker) out += added, added.clear();
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos && out_texts.count(line.substr(tab + 1)) != 0) continue;
    out += line + '\n';
  }
  return out + added;
}

struct CvSetting {
  bool learn_intents_only = false;
  bool equal_priors = false;
  RiskModel::DoubtGate gate;
  RiskModel::SureGate sure;
};

struct CvCount {
  std::size_t emergencies = 0, kept = 0, others = 0, safety_first = 0;
  // The emergencies of 4 words or more (what the engine lets the model
  // read), and those whose model reading alone passes the doubt gate: the
  // margin left where the rules, fitted to these files, would miss.
  std::size_t read = 0, model_alone = 0;
  // Other texts answered as an emergency by a sure reading of the model
  // (Understanding::model_read: a full overdose or suicide reply), and those
  // with the doubt line first; emergencies whose reply names their class
  // (its intent) and those the model's sure reading answered.
  std::size_t others_sure = 0, others_doubt = 0, intent_right = 0, emergencies_sure = 0;
  void Add(const CvCount& o) {
    emergencies += o.emergencies, kept += o.kept, others += o.others, safety_first += o.safety_first;
    read += o.read, model_alone += o.model_alone;
    others_sure += o.others_sure, others_doubt += o.others_doubt, intent_right += o.intent_right;
    emergencies_sure += o.emergencies_sure;
  }
};

TEST(RiskModelCrossValidation, DISABLED_DoubtLineLeavingEachEvalFileOut) {
  const std::string shipped = ShippedExamples();
  const RiskModel::FunctionWords function_words = CvFunctionWords();
  const RiskModel::Vocabulary vocabulary = CvVocabulary();
  auto shipped_model = RiskModel::Parse(shipped, function_words, vocabulary);
  ASSERT_TRUE(shipped_model.ok());
  const bool verbose = std::getenv("HELPLINE_RISK_CV_VERBOSE") != nullptr;
  const ShippedWorld& w = TheShippedWorld();
  auto loaded = LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine");
  ASSERT_TRUE(loaded.ok());
  MessageEngine engine = std::move(loaded).value();
  std::vector<CvSetting> settings = {CvSetting{false, false, shipped_model->doubt_gate(), shipped_model->sure_gate()}};
  // HELPLINE_RISK_CV_TRY="LEARN EQUAL T I [DOUBT_ONCE [SURE_ONCE [READS FITTED EVIDENCE]]]; ..."
  // (e.g. "1 0 0.99 0.8", "0 0 0.95 0.9 0 0": every feature counted apiece) adds these
  // settings; what is not given is the shipped gate's.
  if (const char* t = std::getenv("HELPLINE_RISK_CV_TRY")) {
    std::stringstream all_tries(t);
    for (std::string one; std::getline(all_tries, one, ';');) {
      int learn = 0, equal = 0;
      RiskModel::DoubtGate gate = shipped_model->doubt_gate();
      RiskModel::SureGate sure = shipped_model->sure_gate();
      std::istringstream in(one);
      in >> learn >> equal >> gate.threshold >> gate.min_impersonal;
      if (int once = 0; in >> once) gate.each_token_once = once != 0;
      if (int once = 0; in >> once) sure.each_token_once = once != 0;
      in >> sure.reads >> sure.fitted >> sure.evidence;
      settings.push_back({learn != 0, equal != 0, gate, sure});
    }
  }
  if (std::getenv("HELPLINE_RISK_CV_SWEEP") != nullptr) {
    for (bool learn : {false, true}) {
      for (bool equal : {false, true}) {
        for (double t : {0.95, 0.98, 0.99}) {
          for (double i : {0.0, 0.5, 0.8, 0.9, 0.95, 0.99}) {
            settings.push_back({learn, equal, {t, i}, shipped_model->sure_gate()});
          }
        }
      }
    }
  }
  const std::vector<CvFile> files = InSampleEvalFiles();
  std::vector<CvCount> all(settings.size()), blind(settings.size());
  for (const CvFile& file : files) {
    std::vector<CvCount> here(settings.size());
    std::vector<std::string> first_of_shipped(file.rows.size());
    for (bool learn : {false, true}) {
      auto model = RiskModel::Parse(CvExamples(shipped, file, learn ? &files : nullptr), function_words, vocabulary);
      ASSERT_TRUE(model.ok()) << model.status().message();
      for (std::size_t g = 0; g < settings.size(); ++g) {
        if (settings[g].learn_intents_only != learn) continue;
        RiskModel m = *model;
        if (settings[g].equal_priors) m.set_priors({1, 1, 1});
        m.set_doubt_gate(settings[g].gate);
        m.set_sure_gate(settings[g].sure);
        for (const CvRow& r : file.rows) {
          const std::vector<Token> tokens = Tokenize(r.text);
          if (!IsEmergency(r.intent) || tokens.size() < 4) continue;
          ++here[g].read;
          const RiskModel::Scores sc = m.Assess(tokens);
          if (m.Doubts(sc)) {
            ++here[g].model_alone;
          } else if (verbose && g > 0) {
            std::printf("  setting %zu %s [%s] model alone %.4f: %s\n", g, file.name.c_str(), r.intent.c_str(),
                        sc.emergency(), r.text.c_str());
          }
        }
        engine.SetRiskModel(std::move(m));
        for (std::size_t i = 0; i < file.rows.size(); ++i) {
          const CvRow& r = file.rows[i];
          InboundMessage msg;
          msg.text = r.text;
          msg.from = r.from;
          msg.channel = ChannelType::kSms;
          const EngineReply reply = engine.Handle(msg, SenderState{}, *w.index);
          const Understanding u = engine.Understand(msg);
          const std::string first = LowerCase(reply.text.substr(0, reply.text.find('\n')));
          if (IsEmergency(r.intent)) {
            ++here[g].emergencies;
            if (first.find(LowerCase(r.first_line)) != std::string::npos) ++here[g].kept;
            if (IntentName(reply.intent) == r.intent) ++here[g].intent_right;
            if (u.model_read) ++here[g].emergencies_sure;
          } else {
            ++here[g].others;
            if (first.find("911") != std::string::npos) ++here[g].safety_first;
            if (u.model_read) ++here[g].others_sure;
            if (u.doubt) ++here[g].others_doubt;
          }
          if (g == 0) first_of_shipped[i] = first;
          if (verbose && g > 0 && first != first_of_shipped[i]) {
            std::printf("  setting %zu %s [%s]: %s\n    shipped: %s\n    this:    %s\n", g, file.name.c_str(),
                        r.intent.c_str(), r.text.c_str(), first_of_shipped[i].c_str(), first.c_str());
          }
        }
      }
    }
    for (std::size_t g = 0; g < settings.size(); ++g) {
      all[g].Add(here[g]);
      if (file.name.rfind("round_b", 0) == 0) blind[g].Add(here[g]);
    }
    std::printf(
        "file %-18s emergencies %4zu/%-4zu safety line first on %3zu of %4zu others (sure readings %zu, doubt lines "
        "%zu)\n",
        file.name.c_str(), here[0].kept, here[0].emergencies, here[0].safety_first, here[0].others, here[0].others_sure,
        here[0].others_doubt);
  }
  std::printf("times of day: %zu words, anchored by a word of weight %.2f, counted on %s, cap %.2f\n",
              vocabulary.times.size(), vocabulary.time_anchor,
              vocabulary.time_conditional ? "the anchored examples" : "every example", vocabulary.time_cap);
  std::printf("function words: counted on %s, more than 1 in %zu\n",
              function_words.counted_on == RiskModel::FunctionWords::CountedOn::kAllExamples ? "all examples"
                                                                                             : "the emergencies",
              function_words.share_denominator);
  for (std::size_t g = 0; g < settings.size(); ++g) {
    const CvSetting& s = settings[g];
    std::printf(
        "%s priors %-6s intents-only %-3s T %.2f impersonal %.2f once %d; sure %.3f %.2f %.1f once %d: "
        "emergencies %zu/%zu (model alone %zu/%zu; intent right %zu, sure readings %zu), others safety-first "
        "%zu/%zu (sure readings %zu, doubt lines %zu); blind batches %zu/%zu, %zu/%zu (sure %zu, doubt %zu)\n",
        g == 0 ? "SHIPPED" : "  sweep", s.equal_priors ? "equal" : "shares", s.learn_intents_only ? "yes" : "no",
        s.gate.threshold, s.gate.min_impersonal, s.gate.each_token_once ? 1 : 0, s.sure.reads, s.sure.fitted,
        s.sure.evidence, s.sure.each_token_once ? 1 : 0, all[g].kept, all[g].emergencies, all[g].model_alone,
        all[g].read, all[g].intent_right, all[g].emergencies_sure, all[g].safety_first, all[g].others,
        all[g].others_sure, all[g].others_doubt, blind[g].kept, blind[g].emergencies, blind[g].safety_first,
        blind[g].others, blind[g].others_sure, blind[g].others_doubt);
  }
  EXPECT_GT(all[0].emergencies, 3000u);
}

}  // namespace
}  // namespace helpline::engine
