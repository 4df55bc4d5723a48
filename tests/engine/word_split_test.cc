#include "daemon/engine/word_split.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tests/engine/eval_messages.h"
#include "tests/engine/shipped_world.h"

namespace helpline::engine {
namespace {

// A small labelled corpus: every word below twice or more, except "fentanil".
WordSplitter Small() {
  WordSplitter s;
  const std::string lines =
      "# a comment line: not counted\n"
      "overdose\tmy friend wont wake up\n"
      "overdose\tmy friend wont wake up and his lips are blue\n"
      "suicide\ti wanna kill myself\n"
      "suicide\ti wanna kill myself tonight\n"
      "overdose\tmi amigo no respira\n"
      "overdose\tmi amigo no respira ayuda\n"
      "suicide\tje veux mourir\n"
      "suicide\tje veux mourir ce soir\n"
      "other\ttherapist near me\n"
      "other\ttherapist near me please\n"
      "other\tthe rapist was caught\n"
      "other\tthe rapist\n"
      "other\ta a a a a a a a\n"
      "other\tfentanil\n"
      "no tab on this line\n";
  s.Learn(lines);
  return s;
}

std::string Spaced(const WordSplitter& s, const std::string& text) {
  return s.SpaceOut(text, Tokenize(text)).value_or("(unchanged)");
}

TEST(WordSplitter, CutsARunTogetherTextIntoKnownWords) {
  const WordSplitter s = Small();
  EXPECT_EQ(s.Cuts("myfriendwontwakeup"), (std::vector<std::size_t>{2, 8, 12, 16}));
  EXPECT_EQ(Spaced(s, "myfriendwontwakeup"), "my friend wont wake up");
  EXPECT_EQ(Spaced(s, "iwannakillmyself!!"), "i wanna kill myself!!");
  EXPECT_EQ(Spaced(s, "MIAMIGONORESPIRA 😭"), "MI AMIGO NO RESPIRA 😭");
  EXPECT_EQ(Spaced(s, "jeveuxmourir ce soir"), "je veux mourir ce soir");
  EXPECT_EQ(Spaced(s, "call911now"), "(unchanged)");  // "call" and "now" are not in this corpus
}

TEST(WordSplitter, KeepsKnownShortAndUnknownWordsWhole) {
  const WordSplitter s = Small();
  EXPECT_TRUE(s.Cuts("therapist").empty());  // a known word is never cut ("the rapist")
  EXPECT_TRUE(s.Cuts("myself").empty());
  EXPECT_TRUE(s.Cuts("mywake").empty());  // two pieces: a compound unless kMinTwoPieceLetters long
  EXPECT_EQ(s.Cuts("therapistwake"), (std::vector<std::size_t>{9}));
  EXPECT_TRUE(s.Cuts("myfr").empty());             // shorter than kMinLetters
  EXPECT_TRUE(s.Cuts("myfriendwontzzz").empty());  // a piece no example has
  EXPECT_TRUE(s.Cuts("myfentanil").empty());       // seen once: maybe a typo, not a word
  EXPECT_TRUE(s.Cuts("aaaaaaaa").empty());         // mostly one-letter pieces
  EXPECT_TRUE(s.Cuts("123456789").empty());        // a number is not a run-together text
  EXPECT_TRUE(s.Cuts(std::string(WordSplitter::kMaxLetters + 2, 'a')).empty());
  EXPECT_EQ(Spaced(s, "my friend wont wake up"), "(unchanged)");
}

TEST(WordSplitter, ATextInSeveralFilesCountsOnce) {
  WordSplitter s;
  s.Learn("overdose\tmy friend\n");
  s.Learn("overdose\tmy friend\n");
  EXPECT_FALSE(s.Known("friend"));
  s.Learn("other\tthat friend of mine\n");
  EXPECT_TRUE(s.Known("friend"));
}

TEST(WordSplitter, ALetterOnItsOwnIsAPieceOnlyWhenItIsAWord) {
  WordSplitter s;
  s.Learn("x\tyou x ray x ray you\n");
  EXPECT_TRUE(s.Cuts("youxray").empty());  // "x" is not a word of en/es/fr
  s.Learn("x\ti see u i see u\n");
  EXPECT_EQ(s.Cuts("iseeuyou"), (std::vector<std::size_t>{1, 4, 5}));
}

// The shipped engine reads the run-together texts of a person typing in a
// hurry as it reads them spaced (golden_messages.txt has more).
TEST(WordSplitter, TheShippedEngineReadsRunTogetherEmergencies) {
  const ShippedWorld& w = TheShippedWorld();
  auto first_line = [&](const std::string& text) {
    InboundMessage m;
    m.from = "+12155550123";
    m.text = text;
    const EngineReply r = w.engine->Handle(m, SenderState{}, *w.index);
    return r.text.substr(0, r.text.find('\n'));
  };
  EXPECT_NE(first_line("myfriendwontwakeup").find("911"), std::string::npos);
  EXPECT_NE(first_line("iwannakillmyself").find("988"), std::string::npos);
  EXPECT_NE(first_line("miamigonorespira").find("911"), std::string::npos);
  EXPECT_NE(first_line("jeveuxmourir").find("988"), std::string::npos);
  // Not read again when understood as written.
  EXPECT_EQ(first_line("Saskatoon").find("911"), std::string::npos);
}

// A diagnostic, run by hand: for each row of the TSV files named in
// HELPLINE_SPLIT_DIFF (space-separated paths, the evaluation format), the
// intent and first line with and without the splitter, printed when they
// differ (HELPLINE_SPLIT_DIFF_COUNTS_ONLY=1 prints only how many changed:
// for held-out files, whose texts are not to be read).
TEST(WordSplitter, DISABLED_DiffOnFiles) {
  const char* files = std::getenv("HELPLINE_SPLIT_DIFF");
  if (files == nullptr) GTEST_SKIP();
  const bool counts_only = std::getenv("HELPLINE_SPLIT_DIFF_COUNTS_ONLY") != nullptr;
  const ShippedWorld& w = TheShippedWorld();
  auto plain = LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine");
  ASSERT_TRUE(plain.ok());
  plain->SetWordSplitter(WordSplitter{});
  std::istringstream paths(files);
  std::size_t changed = 0, rows = 0;
  for (std::string path; paths >> path;) {
    const EvalFile file = ReadEvalFile(path);
    EXPECT_TRUE(file.problems.empty()) << path << ": " << (file.problems.empty() ? "" : file.problems[0]);
    for (const EvalRow& row : file.rows) {
      ++rows;
      InboundMessage m;
      m.from = row.from;
      m.text = row.text;
      const EngineReply a = plain->Handle(m, SenderState{}, *w.index);
      const EngineReply b = w.engine->Handle(m, SenderState{}, *w.index);
      const std::string la = a.text.substr(0, a.text.find('\n')), lb = b.text.substr(0, b.text.find('\n'));
      if (a.intent == b.intent && la == lb) continue;
      ++changed;
      if (!counts_only) {
        std::printf("%s expected %s: %s -> %s | %s -> %s | %s\n", row.id.c_str(), row.intent.c_str(),
                    std::string(IntentName(a.intent)).c_str(), std::string(IntentName(b.intent)).c_str(), la.c_str(),
                    lb.c_str(), row.text.c_str());
      }
    }
  }
  std::printf("%zu of %zu rows read differently with the splitter\n", changed, rows);
}

}  // namespace
}  // namespace helpline::engine
