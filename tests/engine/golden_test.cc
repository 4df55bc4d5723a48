// The golden corpus: realistic messages and what their replies must be,
// read from tests/engine/golden_messages.txt (one case per line, see the
// file's header). The engine runs against the shipped directory.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/engine/message_engine.h"
#include "directory/validator.h"
#include "tests/engine/shipped_world.h"

namespace helpline::engine {
namespace {

struct GoldenCase {
  int line = 0;
  std::string message;
  std::map<std::string, std::string> options;               // from=, lang=, region=, chat, ...
  std::vector<std::pair<std::string, std::string>> expect;  // key, value (keys may repeat)
};

// Splits "a=1 has=\"two words\" flag" into tokens, honouring double quotes.
std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char ch : s) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ' ' && !quoted) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// How a case shows in test names and failures: its line and message.
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << "line " << c.line << ": " << c.message; }

std::pair<std::string, std::string> KeyValue(const std::string& word) {
  auto eq = word.find('=');
  if (eq == std::string::npos) return {word, ""};
  return {word.substr(0, eq), word.substr(eq + 1)};
}

std::vector<GoldenCase> LoadCases() {
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/tests/engine/golden_messages.txt");
  std::vector<GoldenCase> cases;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    GoldenCase c;
    c.line = n;
    auto arrow = line.find(" => ");
    if (arrow == std::string::npos) {
      ADD_FAILURE() << "golden_messages.txt:" << n << ": no ' => '";
      continue;
    }
    std::string left = line.substr(0, arrow);
    if (!left.empty() && left[0] == '[') {
      auto close = left.find("] ");
      for (const auto& w : Words(left.substr(1, close - 1))) c.options.insert(KeyValue(w));
      left = left.substr(close + 2);
    }
    c.message = left;
    for (const auto& w : Words(line.substr(arrow + 4))) c.expect.push_back(KeyValue(w));
    cases.push_back(std::move(c));
  }
  return cases;
}

const ShippedWorld& TheWorld() { return TheShippedWorld(); }

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, ReplyHasTheExpectedProperties) {
  const GoldenCase& c = GetParam();
  const ShippedWorld& w = TheWorld();
  InboundMessage m;
  m.text = c.message;
  std::string from = c.options.count("from") ? c.options.at("from") : "+12025550143";
  m.from = from;
  if (c.options.count("chat")) m.channel = ChannelType::kChat;
  if (c.options.count("state")) m.hints.from_state = c.options.at("state");
  if (c.options.count("country")) m.hints.from_country = c.options.at("country");
  if (c.options.count("zip")) m.hints.from_zip = c.options.at("zip");
  SenderState s;
  if (c.options.count("lang")) s.language = c.options.at("lang");
  if (c.options.count("region")) s.region = c.options.at("region");
  s.opted_out = c.options.count("opted_out") != 0;

  EngineReply r = w.engine->Handle(m, s, *w.index);
  SCOPED_TRACE("golden_messages.txt:" + std::to_string(c.line) + ": " + c.message + "\n--- reply ---\n" + r.text);

  // Every reply: never empty, within budget.
  ASSERT_FALSE(r.text.empty());
  if (m.channel == ChannelType::kSms) {
    EXPECT_LE(r.segments.size(), 3u);
  }

  std::string changes;
  if (r.changes.language) changes += ",language:" + *r.changes.language;
  if (r.changes.region) changes += ",region:" + *r.changes.region;
  if (r.changes.opted_out) changes += std::string(",opted_out:") + (*r.changes.opted_out ? "yes" : "no");
  changes = changes.empty() ? "none" : changes.substr(1);

  for (const auto& [key, value] : c.expect) {
    if (key == "intent")
      EXPECT_EQ(IntentName(r.intent), value);
    else if (key == "region")
      EXPECT_EQ(r.region.code, value);
    else if (key == "source")
      EXPECT_EQ(RegionSourceName(r.region.source), value);
    else if (key == "lang")
      EXPECT_EQ(r.language, value);
    else if (key == "has")
      EXPECT_NE(r.text.find(value), std::string::npos) << "missing: " << value;
    else if (key == "lacks")
      EXPECT_EQ(r.text.find(value), std::string::npos) << "unexpected: " << value;
    else if (key == "starts")
      EXPECT_EQ(r.text.rfind(value, 0), 0u) << "should start with: " << value;
    else if (key == "changes")
      EXPECT_EQ(changes, value);
    else if (key == "encoding")
      EXPECT_EQ(r.encoding == SmsEncoding::kGsm7 ? "GSM-7" : "UCS-2", value);
    else if (key == "resource" || key == "no_resource") {
      bool found = false;
      for (const auto* res : r.resources) found = found || res->id == value;
      EXPECT_EQ(found, key == "resource") << value;
    } else {
      ADD_FAILURE() << "golden_messages.txt:" << c.line << ": unknown expectation '" << key << "'";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, Golden, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return "line_" + std::to_string(info.param.line);
                         });

TEST(GoldenCorpus, HasAtLeast150Cases) { EXPECT_GE(LoadCases().size(), 150u); }

// A reply cache must never change a reply: every case, handled twice through
// one shared cache (the second time from the cache), equals the uncached reply.
TEST(GoldenCorpus, CachedRepliesEqualFreshOnes) {
  const ShippedWorld& w = TheWorld();
  ReplyCache cache;
  for (int round = 0; round < 2; ++round) {
    for (const GoldenCase& c : LoadCases()) {
      InboundMessage m;
      m.text = c.message;
      std::string from = c.options.count("from") ? c.options.at("from") : "+12025550143";
      m.from = from;
      if (c.options.count("chat")) m.channel = ChannelType::kChat;
      SenderState s;
      if (c.options.count("lang")) s.language = c.options.at("lang");
      if (c.options.count("region")) s.region = c.options.at("region");
      s.opted_out = c.options.count("opted_out") != 0;
      EngineReply fresh = w.engine->Handle(m, s, *w.index);
      EngineReply cached = w.engine->Handle(m, s, *w.index, &cache);
      EXPECT_EQ(cached.text, fresh.text) << "line " << c.line;
      EXPECT_EQ(cached.segments, fresh.segments) << "line " << c.line;
      EXPECT_EQ(cached.resources, fresh.resources) << "line " << c.line;
      EXPECT_EQ(cached.intent, fresh.intent) << "line " << c.line;
      EXPECT_EQ(cached.changes.language, fresh.changes.language) << "line " << c.line;
      EXPECT_EQ(cached.changes.region, fresh.changes.region) << "line " << c.line;
      EXPECT_EQ(cached.changes.opted_out, fresh.changes.opted_out) << "line " << c.line;
    }
  }
  EXPECT_GT(cache.hits(), LoadCases().size()) << "the second round is served from the cache";
}

}  // namespace
}  // namespace helpline::engine
