// Property tests of the message engine over generated messages and
// generated directories (fixed seeds, so failures reproduce):
//   - every SMS reply is non-empty and fits its segment budget;
//   - every reply that lists help carries at least one reachable line
//     (a phone number or short code) for the region;
//   - no segment cut falls inside a phone number, a "text X to Y"
//     instruction or a URL;
//   - safety words always put the emergency instruction first.

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "daemon/engine/message_engine.h"
#include "directory/regions.h"

namespace helpline::engine {
namespace {

using directory::Category;
using directory::ChannelKind;
using directory::Resource;

const MessageEngine& Engine(int segments) {
  static std::map<int, std::unique_ptr<MessageEngine>> engines;
  auto& e = engines[segments];
  if (!e) {
    EngineOptions options;
    options.sms_segments = segments;
    auto loaded = LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine", options);
    if (!loaded.ok()) std::abort();
    e = std::make_unique<MessageEngine>(std::move(loaded).value());
  }
  return *e;
}

// A directory with long names, many channels and every category, so replies
// must be trimmed hard to fit.
std::shared_ptr<const directory::DirectoryIndex> RandomDirectory(std::mt19937& rng) {
  std::vector<std::string> regions = {"US", "CA", "*"};
  for (const auto& r : directory::AllRegions()) {
    if (r.code.size() > 2) regions.emplace_back(r.code);
  }
  std::uniform_int_distribution<int> pick_region(0, static_cast<int>(regions.size()) - 1);
  std::uniform_int_distribution<int> pick_cat(0, static_cast<int>(directory::kCategoryCount) - 1);
  std::uniform_int_distribution<int> pct(0, 99);
  std::vector<Resource> resources;
  // Emergency lines for both countries, as the real directory has.
  for (const char* country : {"US", "CA"}) {
    Resource e;
    e.id = std::string("emergency-") + country;
    e.name = "Emergency";
    e.categories = {Category::kEmergency};
    e.regions = {country};
    e.languages = {"en", "es", "fr"};
    e.channels = {{ChannelKind::kVoice, "911", "", "", "", ""}};
    e.priority = 100;
    resources.push_back(e);
  }
  const int n = 40 + pct(rng);
  for (int i = 0; i < n; ++i) {
    Resource r;
    r.id = "r" + std::to_string(i);
    std::string region = regions[static_cast<std::size_t>(pick_region(rng))];
    r.regions = {region};
    std::string name = "Service";
    for (int k = pct(rng) % 8; k > 0; --k) name += " Ãccented Name Part";
    r.name = name + " " + std::to_string(i);
    r.categories = {static_cast<Category>(pick_cat(rng)), static_cast<Category>(pick_cat(rng))};
    r.languages = {pct(rng) < 50 ? "en" : "fr"};
    r.priority = pct(rng);
    if (region != "*") {
      for (int k = 1 + pct(rng) % 4; k > 0; --k) {
        int kind = pct(rng) % 3;
        char number[24];
        std::snprintf(number, sizeof number, "+1800%07d", 2000000 + pct(rng) * 10000 + i);
        if (kind == 0) r.channels.push_back({ChannelKind::kVoice, number, "", "", "", ""});
        if (kind == 1) r.channels.push_back({ChannelKind::kSms, "741741", "", "KEYWORD" + std::to_string(k), "", ""});
        if (kind == 2) r.channels.push_back({ChannelKind::kTty, number, "", "", "", ""});
      }
    }
    r.channels.push_back(
        {ChannelKind::kWeb, "https://example.org/a/very/long/path/" + std::to_string(i), "", "", "", ""});
    resources.push_back(std::move(r));
  }
  return directory::DirectoryIndex::Build(std::move(resources), 1);
}

// Random words, or (without_guard_words) without the words that make a
// safety word a deliberate non-emergency ("overdose info" asks for
// information: the golden look-alikes and risk_detector_test cover those).
std::string RandomMessage(std::mt19937& rng, bool without_guard_words = false) {
  static const std::vector<std::string> words = {"help",      "NALOXONE",
                                                 "narcan",    "nalaxone",
                                                 "treatment", "rehab",
                                                 "detox",     "crisis",
                                                 "HARM",      "text",
                                                 "chat",      "family",
                                                 "youth",     "indigenous",
                                                 "AYUDA",     "aide",
                                                 "ESPAÑOL",   "français",
                                                 "BC",        "TX",
                                                 "CA",        "ON",
                                                 "90210",     "V6B 1A1",
                                                 "Québec",    "new york",
                                                 "please",    "need",
                                                 "my",        "friend",
                                                 "is",        "not breathing",
                                                 "overdose",  "OD",
                                                 "suicide",   "🙏",
                                                 "!!!",       "¿",
                                                 "thanks",    "ok",
                                                 "info",      "menu",
                                                 "where",     "can",
                                                 "i",         "get",
                                                 "stop",      "start",
                                                 "asdf",      "Colombie-Britannique",
                                                 "\xff\xfe",  "€€€",
                                                 "{}",        "1-800-662-4357"};
  std::uniform_int_distribution<int> count(0, 12);
  std::uniform_int_distribution<int> pick(0, static_cast<int>(words.size()) - 1);
  std::string m;
  for (int k = count(rng); k > 0; --k) {
    const std::string& w = words[static_cast<std::size_t>(pick(rng))];
    if (without_guard_words && w == "info") continue;
    if (!m.empty()) m += ' ';
    m += w;
  }
  return m;
}

// Byte ranges the cut must not split: numbers, instructions, URLs.
std::vector<std::pair<std::size_t, std::size_t>> Protected(const std::string& text) {
  static const std::regex re(
      R"((text|texto|textez|envie) [A-Z0-9]+ (to|al|au) [0-9-]+|\+?1?-?\(?[0-9]{3}\)?[-. ][0-9]{3}[-. ][0-9]{4}|[0-9]{3,6}|[a-z0-9.-]+\.(org|gov|ca|com)(/[^ \n]*)?)");
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    spans.emplace_back(static_cast<std::size_t>(it->position()),
                       static_cast<std::size_t>(it->position() + it->length()));
  }
  return spans;
}

void CheckReply(const EngineReply& r, const std::string& message, int budget, ChannelType channel) {
  SCOPED_TRACE("message: " + message + "\nreply:\n" + r.text);
  ASSERT_FALSE(r.text.empty());
  ASSERT_FALSE(r.segments.empty());
  if (channel == ChannelType::kSms) {
    EXPECT_LE(r.segments.size(), static_cast<std::size_t>(budget));
    EXPECT_EQ(MeasureSms(r.text).encoding, r.encoding);
    for (const auto& s : r.segments) {
      // A part is sent in the encoding of the whole reply: a UCS-2 reply's
      // part counts UTF-16 units even if its own characters are all GSM-7.
      SmsMeasure m = MeasureSms(s);
      std::size_t units = m.units;
      if (r.encoding == SmsEncoding::kUcs2 && m.encoding == SmsEncoding::kGsm7) {
        units = 0;
        for (unsigned char ch : s) units += (ch & 0xC0) != 0x80 ? 1 : 0;  // GSM-7 characters are all in the BMP
      }
      if (r.encoding == SmsEncoding::kGsm7) {
        EXPECT_EQ(m.encoding, SmsEncoding::kGsm7);
      }
      std::size_t limit = r.segments.size() == 1 ? (r.encoding == SmsEncoding::kGsm7 ? 160 : 70)
                                                 : (r.encoding == SmsEncoding::kGsm7 ? 153 : 67);
      EXPECT_LE(units, limit) << "segment: " << s;
    }
    // Segment boundaries in the full text: every cut lies outside protected spans.
    std::size_t pos = 0;
    for (std::size_t i = 0; i + 1 < r.segments.size(); ++i) {
      pos = r.text.find(r.segments[i], pos);
      ASSERT_NE(pos, std::string::npos);
      std::size_t cut = pos + r.segments[i].size();
      for (const auto& [b, e] : Protected(r.text)) {
        EXPECT_FALSE(b < cut && cut < e) << "cut at " << cut << " splits '" << r.text.substr(b, e - b) << "'";
      }
      pos = cut;
    }
  }
  if (IsSafetyIntent(r.intent)) {
    EXPECT_NE(r.segments.front().find("911"), std::string::npos) << "safety replies start with the emergency line";
  }
  // A reachable line: any digit string of 3+ digits (911, 988, a number).
  EXPECT_TRUE(std::regex_search(r.text, std::regex("[0-9]{3}"))) << "no reachable line";
}

TEST(EngineProperties, RandomMessagesAgainstRandomDirectoriesFitAndNeverCut) {
  std::mt19937 rng(20261125);
  static const std::vector<std::string> senders = {"+16045550123", "+12125550123",  "+15145550123",
                                                   "+18005550123", "+447700900123", ""};
  int checked = 0;
  for (int d = 0; d < 10; ++d) {
    auto index = RandomDirectory(rng);
    for (int i = 0; i < 100; ++i) {
      const int budget = 1 + static_cast<int>(rng() % 4);
      std::string message = RandomMessage(rng);
      InboundMessage m;
      m.text = message;
      m.from = senders[rng() % senders.size()];
      m.channel = rng() % 5 == 0 ? ChannelType::kChat : ChannelType::kSms;
      SenderState s;
      s.language = std::vector<std::string>{"", "en", "es", "fr"}[rng() % 4];
      s.opted_out = rng() % 10 == 0;
      EngineReply r = Engine(budget).Handle(m, s, *index);
      CheckReply(r, message, budget, m.channel);
      ++checked;
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_EQ(checked, 1000);
}

// The daemon reads a message (Understand) before it knows the sender's state
// (the state is read and changed in one Redis script), then answers from the
// state as it was (Answer). The changes must not depend on the state, and
// applying them must leave the state Handle() would have left.
TEST(EngineProperties, UnderstandingFirstChangesTheStateAsHandleWouldWhateverTheState) {
  std::mt19937 rng(42);
  auto index = RandomDirectory(rng);
  static const std::vector<std::string> senders = {"+16045550123", "+12125550123", "tg:-1001234", "chat:web-42", ""};
  static const std::vector<std::string> extra = {"STOP",    "start",   "espanol",       "francais",
                                                 "BC",      "90210",   "ayuda",         "aide Quebec",
                                                 "help TX", "H3Z 2Y7", "english please"};
  int changed = 0;
  for (int i = 0; i < 600; ++i) {
    std::string message = i % 3 == 0 ? extra[rng() % extra.size()] : RandomMessage(rng);
    if (i % 3 == 1) message += " " + extra[rng() % extra.size()];
    InboundMessage m;
    m.text = message;
    m.from = senders[rng() % senders.size()];
    m.channel = rng() % 3 == 0 ? ChannelType::kChat : ChannelType::kSms;
    const Understanding u = Engine(3).Understand(m);
    SenderState s;
    s.language = std::vector<std::string>{"", "en", "es", "fr"}[rng() % 4];
    s.region = std::vector<std::string>{"", "CA-BC", "US-TX", "CA-QC"}[rng() % 4];
    s.opted_out = rng() % 4 == 0;
    SCOPED_TRACE("message: " + message + " from " + std::string(m.from));
    const EngineReply handled = Engine(3).Handle(m, s, *index);
    const EngineReply answered = Engine(3).Answer(m, u, s, *index);
    EXPECT_EQ(answered.text, handled.text);
    EXPECT_EQ(answered.intent, handled.intent);
    EXPECT_EQ(u.intent, handled.intent);
    auto apply = [](SenderState st, const StateChanges& c) {
      if (c.language) st.language = *c.language;
      if (c.region) st.region = *c.region;
      if (c.opted_out) st.opted_out = *c.opted_out;
      return st;
    };
    const SenderState via_understand = apply(s, u.changes);
    const SenderState via_handle = apply(s, handled.changes);
    EXPECT_EQ(via_understand.language, via_handle.language);
    EXPECT_EQ(via_understand.region, via_handle.region);
    EXPECT_EQ(via_understand.opted_out, via_handle.opted_out);
    EXPECT_EQ(u.always_honoured(), u.intent == Intent::kStop || u.intent == Intent::kStart);
    if (!u.changes.empty()) ++changed;
  }
  EXPECT_GT(changed, 100) << "the generated messages should change state often";
}

// A chat app's language ("es-MX" from Telegram) answers in that language
// until the person states one or one is remembered.
TEST(EngineProperties, TheAppLanguageIsAHintBelowStatedAndRememberedLanguages) {
  std::mt19937 rng(3);
  auto index = RandomDirectory(rng);
  InboundMessage m;
  m.text = "help";
  m.from = "tg:4242";
  m.channel = ChannelType::kChat;
  m.hints.language = "es-MX";
  EXPECT_EQ(Engine(3).Handle(m, SenderState{}, *index).language, "es");
  EXPECT_TRUE(Engine(3).Understand(m).changes.empty()) << "a hint is not remembered";
  SenderState remembered;
  remembered.language = "fr";
  EXPECT_EQ(Engine(3).Handle(m, remembered, *index).language, "fr");
  m.text = "help english";
  EXPECT_EQ(Engine(3).Handle(m, SenderState{}, *index).language, "en");
  m.text = "help";
  m.hints.language = "de";  // no catalogue: the default
  EXPECT_EQ(Engine(3).Handle(m, SenderState{}, *index).language, "en");
  m.hints.language = "FR_ca";
  EXPECT_EQ(Engine(3).Handle(m, SenderState{}, *index).language, "fr");
}

TEST(EngineProperties, OverdoseWordsPutTheEmergencyLineFirstWhateverElseIsSaid) {
  std::mt19937 rng(7);
  std::vector<Resource> none;
  auto empty_index = directory::DirectoryIndex::Build(none, 1);
  for (const char* safety : {"overdose", "not breathing", "OD", "sobredosis", "surdose", "unresponsive"}) {
    for (int i = 0; i < 30; ++i) {
      std::string message = RandomMessage(rng, true) + " " + safety + " " + RandomMessage(rng, true);
      InboundMessage m;
      m.text = message;
      m.from = "+16045550123";
      EngineReply r = Engine(3).Handle(m, SenderState{}, *empty_index);
      SCOPED_TRACE(message + "\n" + r.text);
      EXPECT_TRUE(r.intent == Intent::kOverdose || r.intent == Intent::kStop || r.intent == Intent::kStart);
      if (r.intent == Intent::kOverdose) {
        EXPECT_NE(r.text.substr(0, r.text.find('\n')).find("911"), std::string::npos);
      }
    }
  }
}

TEST(EngineProperties, EmptyAndHugeMessagesGetAMenu) {
  std::vector<Resource> none;
  auto index = directory::DirectoryIndex::Build(none, 1);
  InboundMessage m;
  m.from = "+16045550123";
  m.text = "";
  EngineReply r = Engine(3).Handle(m, SenderState{}, *index);
  EXPECT_EQ(r.intent, Intent::kUnknown);
  EXPECT_NE(r.text.find("NALOXONE"), std::string::npos);
  std::string huge(100000, 'x');
  m.text = huge;
  // Linear in the message: one 100 KB "word" must not cost seconds (the typo
  // index once tried every one-letter deletion of it: 12 s of CPU). The
  // bound is loose enough for a sanitizer build on a slow machine.
  const auto start = std::chrono::steady_clock::now();
  r = Engine(3).Handle(m, SenderState{}, *index);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(r.intent, Intent::kUnknown);
  EXPECT_LE(r.segments.size(), 3u);
}

}  // namespace
}  // namespace helpline::engine
