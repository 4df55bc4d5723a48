// The evaluation set of the message engine: how well it understands texts
// written the way people in crisis write them (typos, slang, no keyword,
// Spanglish, Quebec French, emoji), in en, es and fr.
//
// The set is tests/engine/eval/messages.tsv, written independently of the
// rules in data/engine. Every row is answered by the shipped engine
// (data/engine, directory data/directory) as a first SMS from that sender:
// SMS channel, empty SenderState. A plain TSV, one row per text, the first
// line naming the columns (lines starting with # would be skipped):
//   id               unique: od su nx cr tr dx hr tx ch fa yo in he if la rg st
//                    sa un by intent, lk for look-alikes, then language, number
//   from             the sender, E.164 (fictional 555-01xx numbers; the area
//                    code matches the place a text names)
//   expected_intent  an intent name (intent.h), as a careful human decides: an
//                    overdose described without the word is overdose; suicide
//                    risk plus a treatment request is suicide (safety first);
//                    an ingestion that already happened is overdose even with a
//                    wish to die (as in the golden corpus); a past overdose is
//                    not an overdose
//   expected_lang    en, es or fr: the language the text is written in (for a
//                    language switch, the language asked for)
//   first_line       case-insensitive text the reply's first line must hold, -
//                    for none: "911" for every overdose, "988" for every suicide
//   note             the phenomenon tested; "lookalike: ..." for a
//                    non-emergency that reads like one
//   text             the message, last, no tabs
//
// Run (the tests are eval.SetRowsAreWellFormed, eval.SetHasTheRequiredCoverage,
// eval.EngineMeetsTheThresholds, which prints the table, and
// eval.BlindRoundsKeepEverySafetyLine, which reads round_b7.tsv .. round_b17.tsv and round_b19.tsv):
//   cmake --build build --target eval_test -j2
//   ctest --test-dir build -R eval --output-on-failure
//   build/tests/eval_test --gtest_filter=eval.Engine*   (the table is printed either way)
//   HELPLINE_EVAL_VERBOSE=1 build/tests/eval_test        (also every reply's first line)
//   HELPLINE_EVAL_SET=/abs/batch.tsv build/tests/eval_test --gtest_filter=eval.Engine*
//                                                      (a fresh batch in the same format, before it joins the set)
//   HELPLINE_EVAL_COUNTS_ONLY=1 ...                    (no id, text or reply printed: the tables and how
//                                                      many rows went from each expected intent to each
//                                                      other one; for held-out files, whose texts are
//                                                      not to be read)
//
// Reading the table:
//   - "intent" rows: n = rows expecting that intent; tp = answered with it;
//     precision = tp / all rows answered with it; recall = tp / n.
//     The overdose and suicide rows must have recall 1.000.
//     Every other intent must have recall >= 0.97.
//   - "intent lang" rows: the same per intent and the language the text is
//     written in.
//   - "language" rows: the same for the reply's language against the
//     language the text is written in, plus the intent accuracy on the rows
//     written in that language.
//   - first line: rows with a first_line expectation whose reply's first line
//     contains it (case-insensitive): "911" for an overdose, "988" for suicide.
//   - safety misses: overdose/suicide rows whose reply is not of that intent
//     or whose first line lacks the expected text. Each one is a person in
//     danger who did not get the emergency instruction first.
//   - false alarms: other rows answered as overdose or suicide (costly, but
//     not dangerous), counted and listed.
//   - misses: every row whose intent or language is wrong, or whose first
//     line fails: id, expected intent/lang, got intent/lang, the text;
//     SAFETY marks a safety miss, ALARM a false alarm, [first line] a reply
//     whose first line lacks first_line (that line is printed below it).
// The thresholds are the constants just below.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "daemon/engine/message_engine.h"
#include "directory/validator.h"
#include "tests/engine/eval_messages.h"
#include "tests/engine/shipped_world.h"

namespace helpline::engine {
namespace {

// ---- Thresholds the engine must meet on the set.
constexpr int kMaxSafetyMisses = 0;             // overdose and suicide recall 100%, first line included
constexpr double kMinIntentAccuracy = 0.97;     // all rows
constexpr double kMinOtherIntentRecall = 0.97;  // every intent but overdose and suicide (which need 1.0)
constexpr double kMinLanguageAccuracy = 0.97;   // all rows
// ---- What the set itself must hold (checked by eval.SetHasTheRequiredCoverage).
constexpr std::size_t kMinRows = 1000;
constexpr std::size_t kMinSafetyRowsPerClass = 150;
constexpr std::size_t kMinSafetyRowsPerClassAndLanguage = 45;
constexpr std::size_t kMinLookAlikes = 200;  // rows whose note starts with "lookalike"

const char* const kSetPath = "/tests/engine/eval/messages.tsv";
const std::vector<std::string> kLanguages = {"en", "es", "fr"};

using Row = EvalRow;

// HELPLINE_EVAL_SET=/abs/path.tsv evaluates another file of the same format
// (a fresh batch, before its rows join the set); the thresholds still apply.
std::string SetPath() {
  const char* other = std::getenv("HELPLINE_EVAL_SET");
  return other != nullptr && *other != '\0' ? std::string(other) : std::string(HELPLINE_SOURCE_DIR) + kSetPath;
}

std::vector<Row> LoadRowsFrom(const std::string& path) {
  EvalFile file = ReadEvalFile(path);
  for (const std::string& problem : file.problems) ADD_FAILURE() << path << ": " << problem;
  return std::move(file.rows);
}

std::vector<Row> LoadRows() { return LoadRowsFrom(SetPath()); }

const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = LoadRows();
  return rows;
}

const ShippedWorld& TheWorld() { return TheShippedWorld(); }

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

bool IsSafety(const std::string& intent) { return intent == "overdose" || intent == "suicide"; }

// A row answered by the shipped engine as a first SMS from its sender.
EngineReply AnswerAsFirstSms(const ShippedWorld& w, const Row& row) {
  InboundMessage m;
  m.text = row.text;
  m.from = row.from;
  m.channel = ChannelType::kSms;
  return w.engine->Handle(m, SenderState{}, *w.index);
}

double Ratio(std::size_t num, std::size_t den) { return den == 0 ? 1.0 : static_cast<double>(num) / den; }

// ---- The set is well formed and covers what it must.

TEST(eval, SetRowsAreWellFormed) {
  const auto& rows = Rows();
  ASSERT_FALSE(rows.empty());
  std::set<std::string> ids, texts;
  for (const Row& r : rows) {
    SCOPED_TRACE("messages.tsv:" + std::to_string(r.line) + " " + r.id);
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate id";
    EXPECT_TRUE(texts.insert(Lower(r.text)).second) << "duplicate text: " << r.text;
    EXPECT_TRUE(ParseIntent(r.intent).has_value()) << "unknown intent " << r.intent;
    EXPECT_TRUE(std::count(kLanguages.begin(), kLanguages.end(), r.lang)) << "unknown language " << r.lang;
    EXPECT_TRUE(r.from.size() >= 8 && r.from[0] == '+') << "sender is not E.164: " << r.from;
    EXPECT_FALSE(r.first_line.empty()) << "first_line: use - for none";
    EXPECT_FALSE(r.text.empty());
    EXPECT_EQ(r.text.find('\t'), std::string::npos);
    if (r.intent == "overdose") {
      EXPECT_EQ(r.first_line, "911");
    }
    if (r.intent == "suicide") {
      EXPECT_EQ(r.first_line, "988");
    }
  }
}

TEST(eval, SetHasTheRequiredCoverage) {
  const auto& rows = Rows();
  EXPECT_GE(rows.size(), kMinRows);
  std::map<std::string, std::size_t> per_intent;
  std::map<std::pair<std::string, std::string>, std::size_t> per_intent_lang;
  std::size_t lookalikes = 0;
  for (const Row& r : rows) {
    ++per_intent[r.intent];
    ++per_intent_lang[{r.intent, r.lang}];
    if (r.note.rfind("lookalike", 0) == 0) {
      ++lookalikes;
      EXPECT_FALSE(IsSafety(r.intent)) << r.id << ": a look-alike is not an emergency";
    }
  }
  EXPECT_GE(lookalikes, kMinLookAlikes);
  for (const std::string& safety : {std::string("overdose"), std::string("suicide")}) {
    EXPECT_GE(per_intent[safety], kMinSafetyRowsPerClass) << safety;
    for (const auto& lang : kLanguages) {
      EXPECT_GE((per_intent_lang[{safety, lang}]), kMinSafetyRowsPerClassAndLanguage) << safety << " " << lang;
    }
  }
  // Every other intent is covered in the three languages (language switches
  // and region names only where the language shows).
  for (const char* intent : {"naloxone", "crisis", "treatment", "detox", "harm", "text", "family", "youth", "help",
                             "stop", "unknown", "region"}) {
    for (const auto& lang : kLanguages) {
      EXPECT_GE((per_intent_lang[{intent, lang}]), 1u) << intent << " " << lang;
    }
  }
}

// ---- How the engine does on it.

struct Outcome {
  const Row* row;
  std::string intent, lang, first_line;
  bool first_line_ok = true;
};

// A reply's first line that sends to the emergency number: an emergency
// reply, or the risk model's "when in doubt" line.
bool IsSafetyLine(std::string_view first_line) { return first_line.find("911") != std::string_view::npos; }

// Whether a reply's first line holds the row's expected first line (case-insensitive).
bool HoldsItsFirstLine(const Row& row, std::string_view first_line) {
  return Lower(std::string(first_line)).find(Lower(row.first_line)) != std::string::npos;
}

struct Counts {
  std::size_t n = 0, tp = 0, predicted = 0;
};

TEST(eval, EngineMeetsTheThresholds) {
  const ShippedWorld& w = TheWorld();
  const auto& rows = Rows();
  ASSERT_FALSE(rows.empty());
  const bool counts_only = std::getenv("HELPLINE_EVAL_COUNTS_ONLY") != nullptr;
  const bool verbose = !counts_only && std::getenv("HELPLINE_EVAL_VERBOSE") != nullptr;

  std::vector<Outcome> outcomes;
  for (const Row& row : rows) {
    EngineReply r = AnswerAsFirstSms(w, row);
    Outcome o{&row, std::string(IntentName(r.intent)), r.language, FirstLine(r.text)};
    if (row.first_line != "-") o.first_line_ok = HoldsItsFirstLine(row, o.first_line);
    outcomes.push_back(std::move(o));
  }

  std::map<std::string, Counts> intents, langs;
  std::map<std::string, Counts> intent_by_lang;  // n rows in that language, tp = intent right
  std::size_t intent_ok = 0, lang_ok = 0, fl_n = 0, fl_ok = 0, safety_n = 0, safety_misses = 0, false_alarms = 0;
  std::vector<const Outcome*> misses;
  for (const Outcome& o : outcomes) {
    const Row& r = *o.row;
    bool iok = o.intent == r.intent, lok = o.lang == r.lang;
    ++intents[r.intent].n;
    ++intents[o.intent].predicted;
    if (iok) ++intents[r.intent].tp, ++intent_ok;
    ++langs[r.lang].n;
    ++langs[o.lang].predicted;
    if (lok) ++langs[r.lang].tp, ++lang_ok;
    ++intent_by_lang[r.lang].n;
    if (iok) ++intent_by_lang[r.lang].tp;
    if (r.first_line != "-") {
      ++fl_n;
      if (o.first_line_ok) ++fl_ok;
    }
    if (IsSafety(r.intent)) {
      ++safety_n;
      if (!iok || !o.first_line_ok) ++safety_misses;
    } else if (IsSafety(o.intent)) {
      ++false_alarms;
    }
    if (!iok || !lok || !o.first_line_ok) misses.push_back(&o);
  }

  std::printf("\n=== message engine evaluation: %zu texts (%s) ===\n", rows.size(), SetPath().c_str());
  std::printf("%-12s %5s %5s %6s %9s %7s\n", "intent", "n", "tp", "pred", "precision", "recall");
  std::vector<std::string> order;
  for (int i = 0; i <= static_cast<int>(Intent::kUnknown); ++i) order.emplace_back(IntentName(static_cast<Intent>(i)));
  for (const auto& name : order) {
    auto it = intents.find(name);
    if (it == intents.end()) continue;
    const Counts& c = it->second;
    std::printf("%-12s %5zu %5zu %6zu %9.3f %7.3f%s\n", name.c_str(), c.n, c.tp, c.predicted, Ratio(c.tp, c.predicted),
                Ratio(c.tp, c.n), IsSafety(name) ? "   <- safety" : "");
  }
  std::printf("\n%-12s %5s %5s %6s %9s %7s %11s\n", "language", "n", "tp", "pred", "precision", "recall", "intent acc");
  for (const auto& [name, c] : langs) {
    const Counts& ib = intent_by_lang[name];
    std::printf("%-12s %5zu %5zu %6zu %9.3f %7.3f %11.3f\n", name.c_str(), c.n, c.tp, c.predicted,
                Ratio(c.tp, c.predicted), Ratio(c.tp, c.n), Ratio(ib.tp, ib.n));
  }
  const double intent_acc = Ratio(intent_ok, rows.size()), lang_acc = Ratio(lang_ok, rows.size());
  std::printf("\nintent accuracy     %.3f (%zu/%zu)   threshold %.2f\n", intent_acc, intent_ok, rows.size(),
              kMinIntentAccuracy);
  std::printf("language accuracy   %.3f (%zu/%zu)   threshold %.2f\n", lang_acc, lang_ok, rows.size(),
              kMinLanguageAccuracy);
  std::printf("first-line accuracy %.3f (%zu/%zu)\n", Ratio(fl_ok, fl_n), fl_ok, fl_n);
  std::printf("safety misses       %zu of %zu overdose/suicide texts   threshold %d\n", safety_misses, safety_n,
              kMaxSafetyMisses);
  std::printf("false alarms        %zu of %zu other texts answered as overdose/suicide\n", false_alarms,
              rows.size() - safety_n);
  // What the person sees: other texts whose reply starts with 911 (an
  // emergency reply, or the "when in doubt" line of the risk model).
  std::size_t safety_first_others = 0;
  for (const Outcome& o : outcomes) {
    if (!IsSafety(o.row->intent) && IsSafetyLine(o.first_line)) ++safety_first_others;
  }
  std::printf("safety line first   %zu of %zu other texts (an emergency reply or the doubt line)\n",
              safety_first_others, rows.size() - safety_n);

  // Precision and recall per intent and language (the language the text is
  // written in): n rows expecting the intent in that language, tp answered
  // with it, pred rows in that language answered with it.
  std::map<std::pair<std::string, std::string>, Counts> by_intent_lang;
  for (const Outcome& o : outcomes) {
    const Row& r = *o.row;
    ++by_intent_lang[{r.intent, r.lang}].n;
    ++by_intent_lang[{o.intent, r.lang}].predicted;
    if (o.intent == r.intent) ++by_intent_lang[{r.intent, r.lang}].tp;
  }
  std::printf("\n%-12s %-4s %5s %5s %6s %9s %7s\n", "intent", "lang", "n", "tp", "pred", "precision", "recall");
  for (const auto& name : order) {
    for (const auto& lang : kLanguages) {
      auto it = by_intent_lang.find({name, lang});
      if (it == by_intent_lang.end()) continue;
      const Counts& c = it->second;
      std::printf("%-12s %-4s %5zu %5zu %6zu %9.3f %7.3f%s\n", name.c_str(), lang.c_str(), c.n, c.tp, c.predicted,
                  Ratio(c.tp, c.predicted), Ratio(c.tp, c.n), IsSafety(name) ? "   <- safety" : "");
    }
  }

  if (counts_only) {
    std::map<std::pair<std::string, std::string>, std::size_t> moved;  // (expected, answered) -> rows
    std::size_t first_line_misses = 0;
    for (const Outcome& o : outcomes) {
      if (o.intent != o.row->intent) ++moved[{o.row->intent, o.intent}];
      if (!o.first_line_ok) ++first_line_misses;
    }
    std::printf("\n--- rows answered with another intent: expected -> answered: rows ---\n");
    for (const auto& [pair, n] : moved) std::printf("%-12s -> %-12s %zu\n", pair.first.c_str(), pair.second.c_str(), n);
    std::printf("safety rows whose first line lacks its line: %zu\n", first_line_misses);
  } else {
    std::printf("\n--- false alarms on safety classes (%zu): id | expected -> answered as | text ---\n", false_alarms);
    for (const Outcome& o : outcomes) {
      if (!IsSafety(o.row->intent) && IsSafety(o.intent)) {
        std::printf("%-10s %9s -> %s | %s\n", o.row->id.c_str(), o.row->intent.c_str(), o.intent.c_str(),
                    o.row->text.c_str());
      }
    }

    std::printf(
        "\n--- misses (%zu): SAFETY = safety miss, ALARM = false alarm; id | expected intent/lang -> got | text ---\n",
        misses.size());
    for (const Outcome* o : misses) {
      const Row& r = *o->row;
      const bool safety_miss = IsSafety(r.intent) && (o->intent != r.intent || !o->first_line_ok);
      std::string flag = safety_miss ? "SAFETY " : (!IsSafety(r.intent) && IsSafety(o->intent) ? "ALARM  " : "       ");
      std::printf("%s%-10s %9s/%s -> %9s/%s%s | %s\n", flag.c_str(), r.id.c_str(), r.intent.c_str(), r.lang.c_str(),
                  o->intent.c_str(), o->lang.c_str(), o->first_line_ok ? "" : " [first line]", r.text.c_str());
      if (!o->first_line_ok)
        std::printf("           first line lacks \"%s\": %s\n", r.first_line.c_str(), o->first_line.c_str());
    }
  }
  if (verbose) {
    std::printf("\n--- every reply's first line ---\n");
    for (const Outcome& o : outcomes)
      std::printf("%-10s %-9s %s\n", o.row->id.c_str(), o.intent.c_str(), o.first_line.c_str());
  }
  std::fflush(stdout);

  EXPECT_LE(static_cast<int>(safety_misses), kMaxSafetyMisses) << "overdose/suicide texts without the emergency reply";
  EXPECT_EQ(Ratio(intents["overdose"].tp, intents["overdose"].n), 1.0) << "overdose recall";
  EXPECT_EQ(Ratio(intents["suicide"].tp, intents["suicide"].n), 1.0) << "suicide recall";
  for (const auto& [name, c] : intents) {
    if (IsSafety(name) || c.n == 0) continue;
    EXPECT_GE(Ratio(c.tp, c.n), kMinOtherIntentRecall) << name << " recall (" << c.tp << "/" << c.n << ")";
  }
  EXPECT_GE(intent_acc, kMinIntentAccuracy) << "overall intent accuracy";
  EXPECT_GE(lang_acc, kMinLanguageAccuracy) << "language accuracy";
}

// A blind batch of texts: tests/engine/eval/round_b<round>.tsv.
std::string BlindRoundPath(int round) {
  return std::string(HELPLINE_SOURCE_DIR) + "/tests/engine/eval/round_b" + std::to_string(round) + ".tsv";
}

// The blind batches of issue 10's rounds 7 to 13 (round_b7.tsv
// .. round_b17.tsv, round_b19.tsv, round_b22.tsv .. round_b25.tsv,
// round_b28.tsv .. round_b41.tsv): each was written by a tester who had not
// seen the rules, measured, and then had rules fitted to it. They are not
// in messages.tsv (their other intents are below the 0.97 recall there),
// but every emergency among them keeps its safety line first, and the
// look-alikes answered as an emergency may not grow (11 of 636 for rounds
// 7-14 when they were added; 11 of 948 with round 8's four; 25 of 1,260
// with round 9c's four, 22-25, mostly laughter beside a death wish; 12 of
// 1,416 with round 10's two, 28 and 29, once a joke beside a death wish got
// the doubt line; 13 of 1,728 with round 11's four, 30-33, held out for a
// session first; 42 of 2,040 with round 12's four, 34-37, also held out
// for a session first, and 10 once round 12 was fitted to them; 29 of
// 2,352 with round 13's four, 38-41, held out for the seventeenth session,
// and 11 once round 13 was fitted to them). round_b18.tsv, round_b20.tsv,
// round_b21.tsv, round_b26.tsv and round_b27.tsv are held
// out: no rule was fitted to them, and they are read only to measure
// (HeldOutRoundsMeasureTheEngine below). With 42-45 learned (nineteenth
// session): 36 of 2,664 (and one French emergency of b45 without its line),
// and 11 of 2,664 with every emergency kept once round 15 (rules fitted to
// 42-45 in each language) and the second set of everyday texts were learned.
// With 46-49 learned (twentieth session; held out during the nineteenth):
// 34 of 2,976 and three of their emergencies without their line; with
// round 16 (en) 20 and two, and with round 16 (fr) too 17 and none; with
// round 16 (es) too, 8 and none.
TEST(eval, BlindRoundsKeepEverySafetyLine) {
  const ShippedWorld& w = TheWorld();
  std::size_t emergencies = 0, missed = 0, others = 0, false_alarms = 0;
  for (int round : {7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 19, 22, 23, 24, 25, 28, 29, 30,
                    31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49}) {
    const std::vector<Row> rows = LoadRowsFrom(BlindRoundPath(round));
    EXPECT_GT(rows.size(), 150u) << BlindRoundPath(round);
    for (const Row& row : rows) {
      const EngineReply r = AnswerAsFirstSms(w, row);
      const std::string intent(IntentName(r.intent));
      if (IsSafety(row.intent)) {
        ++emergencies;
        if (!HoldsItsFirstLine(row, FirstLine(r.text))) {
          ++missed;
          ADD_FAILURE() << row.id << ": the first line lacks \"" << row.first_line << "\": " << FirstLine(r.text)
                        << " | " << row.text;
        }
      } else {
        ++others;
        if (IsSafety(intent)) ++false_alarms;
      }
    }
  }
  std::printf(
      "blind rounds 7-17, 19, 22-25 and 28-49: %zu/%zu emergencies with their safety line first, %zu of %zu others "
      "answered as an emergency\n",
      emergencies - missed, emergencies, false_alarms, others);
  EXPECT_GT(emergencies, 3000u);
  EXPECT_LE(false_alarms, 8u);
}

// The held-out blind batches (round_b18.tsv, round_b20.tsv, round_b21.tsv,
// round_b26.tsv, round_b27.tsv and round_b50.tsv .. round_b53.tsv): no
// rule was fitted to them and neither model learns from them
// (scripts/risk-examples leaves out files marked HELD OUT), so they measure
// what the engine does on texts it has never seen. Before the risk model
// (rules of rounds 8 and 8b only): 87/102 and 72/102 emergencies with their
// line first for 18 and 20; with it: 102/102 and 97/102. Batch 21 was
// written after all of it and measured once: 101/102 (96/102 on that
// session's starting main). Batches 26 and 27 were written after round 9
// and measured once: 203/204 first lines (201/204 on main a31293d), intents
// 326/360 (306/360). With round 9, the model's sure readings and batches
// 22-25 learned from, the five give 506/510 first lines, 820/900 intents
// and a safety line first on 44 of 390 other texts (main a31293d: 501/510,
// 735/900, 57 of 390); with round 10, the joke policy and the intent model
// (intent_model.h), 507/510, 836/900 and 43 of 390; 842/900 with the
// intent files; 847/900 once the models learned batches 30-33. Batches 30-33 were
// written at the start of the fifteenth session, before any of that
// session's changes, and measured on main cadc3d3: 406/408 first lines,
// 641/720 intents, a safety line first on 46 of 312 others; with round 10
// and the intent model, 406/408, 657/720, 45 of 312; from the sixteenth
// session on they are learned from. Batches 34-37 were written at the start
// of the sixteenth session and measured on integration 4f189ea, before its
// round 11: 408/408 first lines, 670/720 intents, a safety line first on 49
// of 312 others; with round 11 (rules and keywords fitted to 30-33 in each
// language, the doubt gate), 408/408, 674/720 and 47 of 312, and 18-27
// 507/510, 848/900, 43 of 390. From the seventeenth session on, 34-37 are
// learned from too (18-27 then: 507/510, 848/900, 44 of 390). Batches
// 38-41 were written at the start of the seventeenth session and measured
// on integration b368be6, before its round 12: 406/408 first lines, 665/720
// intents, a safety line first on 41 of 312 others; with round 12 and 12b
// (rules fitted to 34-37 and to the helpers' own texts on the weak spots
// these four showed in aggregate), 406/408, 668/720 and 38 of 312, and
// 18-27 507/510, 851/900, 39 of 390. From the eighteenth session on, 38-41
// are learned from too (18-27 then: 507/510, 854/900, 40 of 390). Batches
// 42-45 were written at the start of the eighteenth session and measured
// once on integration 76c5b5d, before its round 13: 405/408 first lines,
// 666/720 intents, a safety line first on 49 of 312 others. With round 13
// (rules fitted to 38-41 in each language) and round 14 (the risk model's
// function words counted on the emergencies, the doubt threshold 0.98, the
// first set of everyday texts learned): 18-27 507/510, 853/900, 37 of 390;
// 42-45 405/408, 662/720, 49 of 312 (round 13 alone: 665/720; the model's
// change cost three intents there and gained 43 on the third set of
// everyday texts, below); with round 14's places in ordinary texts
// (round_r14_places_*.tsv), 18-27 852/900, 42-45 663/720; with a short
// farewell beside a sad emoji put under the doubt line ("bye everyone 💔"),
// 42-45 406/408 first lines. From the nineteenth session on, 42-45 are
// learned from (18-27 then: 507/510, 853/900, 38 of 390). Batches 46-49
// were written at the start of the nineteenth session by two helpers who
// had not seen the rules (the US Northeast and Mid-Atlantic; the Midwest;
// Western and Northern Canada and the US West Coast; texts typed with
// difficulty anywhere: voice-to-text, no spaces, very short, danger buried
// in a long text) and measured once on integration 6233a5f, before its
// round 15: 398/408 first lines (b49, the hard-to-type batch, 94/102),
// intents 646/720, a safety line first on 46 of 312 others (25 answered as
// an emergency). With round 15 (rules fitted to 42-45 in each language),
// run-together words read again spaced out (word_split.h) and the second
// set of everyday texts learned: 46-49 403/408 (b49 99/102), 653/720, 47 of
// 312 (24 answered as an emergency); 18-27 507/510, 849/900, 38 of 390
// (learning set 2 cost four intents there: both models learn 660 more
// "unknown" texts; which, the held-out files do not say). The bounds
// hold those figures, less one intent each: a change to the examples
// retrains both models, which can move a held-out intent either way.
// From the twentieth session on, 46-49 are learned from (their last
// held-out figures are above). Batches 50-53 were written at the start of
// the twentieth session by two helpers who had not seen the rules (the US
// South, Southwest and Mountain West; Ontario and Quebec; people writing
// about someone else: bystanders, staff, coworkers, parents; how the words
// go: code-switching, negations, questions, follow-ups, 1-4 words) and
// measured once on integration 1d1d328 (46-49 learned, before round 16):
// 405/408 first lines (b50 102, b51 102, b52 101, b53 100 of 102), a
// safety line first on 43 of 312 others (23 answered as an emergency),
// intents 650/720 (b50 168, b51 173, b52 147, b53 162 of 180). With
// round 16 (en and fr): 18-27 506/510, 850/900, 37 of 390; 50-53
// 405/408, 652/720, 42 of 312 (22 answered as an emergency); round 16
// (es) moves none of these figures. 18-27's 507th emergency (a French
// overdose text answered as naloxone) lost its doubt line when 46-49 were
// learned; measured once, not learning them kept it but lost one of 50-53
// (404/408) and 6 everyday intents, so they stay learned. With the rest of
// round 16 (opt-outs in more words, naloxone asked in a hurry or beside
// someone not OK, the reply's language, emergencies told by a witness,
// half-negations and questions): 18-27 507/510, 851/900, 38 of 390 (12
// answered as an emergency); 50-53 405/408, 654/720, 41 of 312 (21). The
// bounds hold those figures, less one intent each.
struct HeldOutFigures {
  std::size_t emergencies = 0, first = 0, others = 0, safety_first = 0, rows = 0, intents = 0;
  std::size_t answered_as_emergency = 0;  // others whose reply is the full overdose or suicide reply
};

HeldOutFigures MeasureFiles(const std::vector<std::string>& paths, const char* name) {
  const ShippedWorld& w = TheWorld();
  HeldOutFigures f;
  for (const std::string& path : paths) {
    const std::vector<Row> rows = LoadRowsFrom(path);
    EXPECT_FALSE(rows.empty()) << path;
    for (const Row& row : rows) {
      const EngineReply reply = AnswerAsFirstSms(w, row);
      const std::string line = Lower(FirstLine(reply.text));
      ++f.rows;
      if (IntentName(reply.intent) == row.intent) ++f.intents;
      if (IsSafety(row.intent)) {
        ++f.emergencies;
        if (HoldsItsFirstLine(row, line)) ++f.first;
      } else {
        ++f.others;
        if (IsSafetyLine(line)) ++f.safety_first;
        if (IsSafety(std::string(IntentName(reply.intent)))) ++f.answered_as_emergency;
      }
    }
  }
  std::printf(
      "%s: %zu/%zu emergencies with their line first; a safety line first on %zu of %zu others (%zu answered as an "
      "emergency); intents %zu/%zu\n",
      name, f.first, f.emergencies, f.safety_first, f.others, f.answered_as_emergency, f.intents, f.rows);
  return f;
}

HeldOutFigures MeasureHeldOut(std::initializer_list<int> rounds, const char* name) {
  std::vector<std::string> paths;
  for (int round : rounds) paths.push_back(BlindRoundPath(round));
  return MeasureFiles(paths, (std::string("held-out rounds ") + name).c_str());
}

TEST(eval, HeldOutRoundsMeasureTheEngine) {
  const HeldOutFigures older = MeasureHeldOut({18, 20, 21, 26, 27}, "18, 20, 21, 26 and 27");
  EXPECT_EQ(older.emergencies, 510u);
  EXPECT_GE(older.first, 507u);
  EXPECT_LE(older.safety_first, 38u);
  EXPECT_GE(older.intents, 850u);
  const HeldOutFigures newest = MeasureHeldOut({50, 51, 52, 53}, "50 to 53");
  EXPECT_EQ(newest.emergencies, 408u);
  EXPECT_GE(newest.first, 405u);
  EXPECT_LE(newest.safety_first, 41u);
  EXPECT_GE(newest.intents, 653u);
}

// Everyday texts (round_ordinary_*.tsv, round_ordinary2_*.tsv: 1,320
// texts, 440 per language, written in the seventeenth session by six
// helpers told to write what people text a friend or a wrong number: family
// dinners, shifts, weather, sports, a plumber, a landlord; nothing about
// drugs, crisis or any service). Held out at first: measured on integration
// 2b13dc0, a safety line first on 636 of 1,320 (the doubt line on most; 88
// answered with the full overdose or suicide reply), intents 1,022/1,320:
// the risk model read the everyday words of emergency stories ("coming
// over", "tonight", "the car", "le pont") as evidence, because its "other"
// examples were mostly short requests. With batches 38-41 learned
// (eighteenth session): 645 of 1,320, 82 answered as an emergency, intents
// 1,028 (set 1: 334 of 660, 49, 524; set 2: 311, 33, 504). From round 14
// (eighteenth session) set 1 (round_ordinary_*) is learned by both models,
// with the risk model's function words counted on the emergencies and its
// doubt threshold at 0.98 (docs/ARCHITECTURE.md, "Function words counted on
// the emergencies"); set 2 (round_ordinary2_*) stays held out and is the
// honest measure. Measured then: set 1 (in-sample) 41 of 660 with a safety
// line first, 1 answered as an emergency, intents 645; set 2 (held out)
// 115, 16, 575. With round 14's places in ordinary texts learned
// (round_r14_places_*.tsv: a bridge closed tonight, tracks flooded, a roof
// repaired): set 1 39, 1, 646; set 2 110, 13, 578. The bounds hold those
// figures. From the nineteenth
// session set 2 is learned too (its header says so; the third set, below,
// measures both): on integration 6233a5f (batches 42-45 just learned) set 1
// 41, 1, 646 and set 2 112, 14, 576; with set 2 learned, set 1 31, 1, 647
// (one text in four fewer with a safety line first: set 2's everyday words
// are set 1's too) and set 2 (now in-sample) 30, 2, 640; with round 15
// too, set 1 30, 1, 648 and set 2 31, 2, 639. With 46-49 learned and
// round 16 (en and fr): set 1 27, 1, 648 and set 2 31, 1, 641; with all
// of round 16, set 1 27, 1, 650 and set 2 30, 1, 642. The bounds hold
// those figures, less one intent each.
std::vector<std::string> OrdinaryPaths(const char* set) {
  std::vector<std::string> paths;
  for (const char* lang : {"en", "es", "fr"}) {
    paths.push_back(std::string(HELPLINE_SOURCE_DIR) + "/tests/engine/eval/round_" + set + "_" + lang + ".tsv");
  }
  return paths;
}

TEST(eval, OrdinaryTextsMeasure) {
  const HeldOutFigures first = MeasureFiles(OrdinaryPaths("ordinary"), "everyday texts, set 1 (learned from)");
  EXPECT_EQ(first.others, 660u);
  EXPECT_LE(first.safety_first, 27u);
  EXPECT_LE(first.answered_as_emergency, 1u);
  EXPECT_GE(first.intents, 649u);
  const HeldOutFigures second = MeasureFiles(OrdinaryPaths("ordinary2"), "everyday texts, set 2 (learned from)");
  EXPECT_EQ(second.others, 660u);
  EXPECT_LE(second.safety_first, 30u);
  EXPECT_LE(second.answered_as_emergency, 1u);
  EXPECT_GE(second.intents, 641u);
}

// A third set of everyday texts (round_ordinary3_*.tsv: 360 texts, 120 per
// language, written in the eighteenth session by a helper who read neither
// the rules nor the first two sets; kids asleep in the car, a quiet fan
// after a loss, a move, a night at the bar for a birthday). HELD OUT and
// never used to choose anything: it measures whatever the first two sets
// teach. Measured on integration 9004226, before any of that: a safety line
// first on 205 of 360 (27 answered as an emergency), intents 278/360. With
// round 13 and round 14 (the first set learned, function words counted on
// the emergencies, the doubt threshold 0.98): 76 of 360, 10, 321/360; with
// round 14's places in ordinary texts, 75, 9, 321; on integration 6233a5f
// (batches 42-45 learned) 82, 12, 319; with the second set learned
// (nineteenth session) 54, 5, 333: the first measure of what set 2 taught;
// with round 15's rules too, 56, 7, 330; with 46-49 learned and round 16
// (fr) 56, 8, 333 (its rules alone: 56, 7, 334; retraining on its texts
// and golden cases moved one text to the full reply); with all of round
// 16 (twentieth session) 55, 7, 334.
TEST(eval, OrdinaryTextsThirdSetMeasure) {
  const HeldOutFigures f = MeasureFiles(OrdinaryPaths("ordinary3"), "everyday texts, third set (held out)");
  EXPECT_EQ(f.others, 360u);
  EXPECT_LE(f.safety_first, 55u);
  EXPECT_LE(f.answered_as_emergency, 7u);
  EXPECT_GE(f.intents, 333u);
}

}  // namespace

}  // namespace helpline::engine
