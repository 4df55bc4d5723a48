// The alerts conversation: the words (data/engine/alerts.json), the report
// scrubber, and AlertDesk against a real redis-server with the real engine's
// understanding (risk detector first): JOIN -> YES -> LEAVE / STOP, reports
// stored anonymously, safety replies untouched.

#include "daemon/alerts/alert_desk.h"

#include "daemon/sender_store.h"
#include "tests/daemon/alerts_redis_fixture.h"

namespace helpline::daemon::alerts {
namespace {

const std::string kDataDir = std::string(HELPLINE_SOURCE_DIR) + "/data/engine";
constexpr std::string_view kKey = "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kNumber = "+12065550123";

const AlertConversation& Conv() {
  static const AlertConversation conv = [] {
    auto c = AlertConversation::Load(kDataDir + "/alerts.json");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(*c);
  }();
  return conv;
}

const engine::MessageEngine& Engine() {
  static const engine::MessageEngine e = [] {
    auto loaded = engine::LoadMessageEngine(kDataDir);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return std::move(*loaded);
  }();
  return e;
}

// ---- The words -----------------------------------------------------------------

TEST(AlertConversationTest, SubscribeWordsStartTheMessageInEachLanguage) {
  struct Case {
    const char* text;
    const char* lang;
    std::size_t rest;
  } cases[] = {{"JOIN", "en", 0},    {"join 98101", "en", 1},      {"Alerts BC", "en", 1},
               {"ALERTAS", "es", 0}, {"alertes H2X 1Y4", "fr", 2}, {"Alertes Québec", "fr", 1}};
  for (const Case& c : cases) {
    AlertCommand cmd = Conv().Parse(c.text);
    EXPECT_EQ(cmd.kind, AlertCommandKind::kSubscribe) << c.text;
    EXPECT_EQ(cmd.language, c.lang) << c.text;
    EXPECT_EQ(cmd.rest_tokens, c.rest) << c.text;
  }
}

TEST(AlertConversationTest, ConfirmAndLeaveOnlyAsTheWholeMessage) {
  EXPECT_EQ(Conv().Parse("YES").kind, AlertCommandKind::kConfirm);
  EXPECT_EQ(Conv().Parse("Sí").kind, AlertCommandKind::kConfirm);
  EXPECT_EQ(Conv().Parse("oui!").kind, AlertCommandKind::kConfirm);
  EXPECT_EQ(Conv().Parse("yes I need naloxone").kind, AlertCommandKind::kNone);
  EXPECT_EQ(Conv().Parse("LEAVE").kind, AlertCommandKind::kLeave);
  EXPECT_EQ(Conv().Parse("salir").language, "es");
  EXPECT_EQ(Conv().Parse("Quitter").language, "fr");
  EXPECT_EQ(Conv().Parse("I want to leave my house").kind, AlertCommandKind::kNone);
}

TEST(AlertConversationTest, ReportsKeepTheTextAfterTheKeywordAndABareOdIsNoReport) {
  AlertCommand c = Conv().Parse("BAD BATCH: blue pills at Main St");
  EXPECT_EQ(c.kind, AlertCommandKind::kReport);
  EXPECT_EQ(c.report_text, "blue pills at Main St");
  c = Conv().Parse("Report - purple fent, people falling out fast");
  EXPECT_EQ(c.kind, AlertCommandKind::kReport);
  EXPECT_EQ(c.report_text, "purple fent, people falling out fast");
  EXPECT_EQ(Conv().Parse("REPORTE pastillas azules").language, "es");
  EXPECT_EQ(Conv().Parse("signalement comprimés bleus").language, "fr");
  EXPECT_EQ(Conv().Parse("OD").kind, AlertCommandKind::kNone) << "a bare OD is an overdose, not a report";
  c = Conv().Parse("OD bad dope on 5th street");
  EXPECT_EQ(c.kind, AlertCommandKind::kReport);
  EXPECT_EQ(c.report_text, "bad dope on 5th street");
  EXPECT_EQ(Conv().Parse("REPORT").rest_tokens, 0u);
}

// The desk parses from the engine's tokens (the Understanding's): the same
// command, language, count and report text as parsing the text itself.
TEST(AlertConversationTest, ParsingTheEnginesTokensGivesTheSameCommandAsTheText) {
  const char* texts[] = {"JOIN",
                         "join 98101",
                         "Alertes Québec",
                         "ALERTAS",
                         "YES",
                         "Sí",
                         "oui!",
                         "LEAVE",
                         "salir",
                         "yes I need naloxone",
                         "REPORT: blue pills at Main St",
                         "Report - purple fent, people falling out fast",
                         "OD",
                         "od bad dope on 5th street",
                         "bad batch downtown",
                         "need narcan in BC",
                         "",
                         "  ",
                         "STOP"};
  for (const char* text : texts) {
    const engine::Understanding u = Engine().Understand(engine::InboundMessage{.text = text, .from = kNumber});
    const AlertCommand plain = Conv().Parse(text);
    const AlertCommand from_tokens = Conv().Parse(text, u.tokens);
    EXPECT_EQ(from_tokens.kind, plain.kind) << text;
    EXPECT_EQ(from_tokens.language, plain.language) << text;
    EXPECT_EQ(from_tokens.rest_tokens, plain.rest_tokens) << text;
    EXPECT_EQ(from_tokens.report_text, plain.report_text) << text;
  }
}

TEST(AlertConversationTest, TextsFillTheRegionAndFallBackToEnglish) {
  EXPECT_NE(Conv().Text("en", "ask_confirm", "Washington").find("Washington"), std::string::npos);
  EXPECT_NE(Conv().Text("fr", "ask_confirm", "Québec").find("OUI"), std::string::npos);
  EXPECT_EQ(Conv().Text("de", "left"), Conv().Text("en", "left"));
  EXPECT_TRUE(Conv().Text("en", "report_safety").starts_with("If someone is overdosing: call 911"));
  EXPECT_EQ(RegionName("CA-QC", "fr"), "Québec");
  EXPECT_EQ(RegionName("US-WA", "en"), "Washington");
}

TEST(AlertConversationTest, BrokenDataIsRefusedWithAReason) {
  EXPECT_FALSE(AlertConversation::FromJson("[]").ok());
  EXPECT_FALSE(AlertConversation::FromJson(R"({"subscribe": {}})").ok());
  EXPECT_FALSE(AlertConversation::Load("/nonexistent/alerts.json").ok());
}

TEST(ScrubReportTest, RemovesNumbersAndEmailsAndKeepsTheRest) {
  EXPECT_EQ(ScrubReport("call me 604-555-0199 or +1 (604) 555 0123"), "call me [number] or [number]");
  EXPECT_EQ(ScrubReport("mail jo.doe+x@example.org now"), "mail [email] now");
  EXPECT_EQ(ScrubReport("2 blue pills at 5th and Main, $20"), "2 blue pills at 5th and Main, $20");
  EXPECT_EQ(ScrubReport("line1\nline2\x1f"), "line1 line2");
  EXPECT_EQ(ScrubReport("@ alone and a@b"), "@ alone and a@b");
  std::string longer(2000, 'a');
  EXPECT_EQ(ScrubReport(longer).size(), 1000u);
  EXPECT_EQ(ScrubReport(std::string(999, 'b') + "é").size(), 999u) << "never cut inside a character";
}

// ---- The desk --------------------------------------------------------------------

class AlertDeskTest : public AlertsRedisTest {
 protected:
  AlertDeskTest() : cipher_(*NumberCipher::Parse(kKey)), desk_(*redis_, &cipher_, Conv(), "hl:") {}

  struct Answer {
    bool taken = false;
    std::optional<std::string> text;
  };

  // Runs the engine's understanding and the desk on `text`. `known_region`
  // stands for what the engine resolved from memory or hints.
  Answer Say(std::string_view text, std::string known_region = "", std::string lang = "en") {
    engine::InboundMessage in{.text = text, .from = kNumber};
    understood_ = Engine().Understand(in);
    engine::EngineReply r;
    r.language = understood_.stated_language.empty() ? lang : understood_.stated_language;
    r.region = known_region.empty() ? engine::ResolvedRegion{"US", engine::RegionSource::kDefault}
                                    : engine::ResolvedRegion{known_region, engine::RegionSource::kRemembered};
    if (understood_.stated_region) r.region = {*understood_.stated_region, engine::RegionSource::kMessage};
    Answer a;
    std::optional<std::optional<std::string>> out;
    a.taken = desk_.Take(
        AlertInput{text, hash_, kNumber, "twilio", gateway::MessageChannel::kSms, "+15005550006", &understood_}, r,
        [&](std::optional<std::string> t) { out.emplace(std::move(t)); });
    if (a.taken) {
      EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
      if (out) a.text = *out;
    } else {
      io_.run_for(std::chrono::milliseconds(50));  // let a report Add land
      EXPECT_FALSE(out.has_value());
    }
    return a;
  }

  std::string Reports() { return DumpAll(); }

  NumberCipher cipher_;
  AlertDesk desk_;
  engine::Understanding understood_;
  const std::string hash_ = SenderHash("test-secret", kNumber);
};

TEST_F(AlertDeskTest, JoinWithAZipAsksForYesThenYesSubscribesAndLeaveStops) {
  Answer a = Say("JOIN 98101");
  ASSERT_TRUE(a.taken);
  ASSERT_TRUE(a.text.has_value());
  EXPECT_NE(a.text->find("Washington"), std::string::npos) << *a.text;
  EXPECT_NE(a.text->find("YES"), std::string::npos);
  EXPECT_NE(a.text->find("LEAVE"), std::string::npos);
  EXPECT_NE(a.text->find("STOP"), std::string::npos);
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:alert:pending:" + hash_}), 1);
  EXPECT_EQ(raw_.Int({"EXISTS", "hl:alert:sub:" + hash_}), 0);

  a = Say("YES");
  ASSERT_TRUE(a.taken);
  ASSERT_TRUE(a.text.has_value());
  EXPECT_NE(a.text->find("You will get drug alerts for Washington"), std::string::npos) << *a.text;
  EXPECT_EQ(raw_.Int({"SISMEMBER", "hl:alert:region:US-WA", hash_}), 1);
  const std::string all = DumpAll();
  for (std::string_view piece : {"12065550123", "2065550123", "206-555-0123"}) {
    EXPECT_EQ(all.find(piece), std::string::npos) << piece;
  }

  a = Say("LEAVE");
  ASSERT_TRUE(a.taken);
  EXPECT_NE(a.text->find("Drug alerts stopped"), std::string::npos);
  EXPECT_TRUE(raw_.AllKeys().empty()) << DumpAll();
  a = Say("LEAVE");
  EXPECT_NE(a.text->find("not getting"), std::string::npos);
}

TEST_F(AlertDeskTest, YesWithoutAPendingSubscriptionIsTheEnginesStart) {
  Answer a = Say("YES");
  ASSERT_TRUE(a.taken);
  EXPECT_FALSE(a.text.has_value()) << "nullopt: the engine's reply goes out";
  EXPECT_TRUE(raw_.AllKeys().empty());
}

TEST_F(AlertDeskTest, StopForgetsTheSubscription) {
  Say("ALERTS BC");
  Say("YES");
  ASSERT_EQ(raw_.Int({"SISMEMBER", "hl:alert:region:CA-BC", hash_}), 1);
  desk_.Forget(hash_);
  EXPECT_TRUE(RunUntil([&] { return raw_.AllKeys().empty(); }));
}

TEST_F(AlertDeskTest, JoinWithoutARegionUsesWhatWeKnowOrAsks) {
  Answer a = Say("JOIN");
  ASSERT_TRUE(a.taken);
  EXPECT_NE(a.text->find("JOIN + your ZIP"), std::string::npos) << *a.text;
  EXPECT_TRUE(raw_.AllKeys().empty());
  a = Say("alertas", "CA-BC", "es");
  ASSERT_TRUE(a.taken);
  EXPECT_NE(a.text->find("Columbia Británica"), std::string::npos) << *a.text;
  EXPECT_EQ(raw_.Field("hl:alert:pending:" + hash_, "lang"), "es");
  EXPECT_EQ(raw_.Field("hl:alert:pending:" + hash_, "region"), "CA-BC");
}

TEST_F(AlertDeskTest, AReportIsStoredWithoutTheSenderAndTheReplyStartsWithTheSafetyLine) {
  Answer a = Say("BAD BATCH grey fent at Hastings, call 604-555-0199 or jo@example.org", "CA-BC");
  ASSERT_TRUE(a.taken);
  ASSERT_TRUE(a.text.has_value());
  EXPECT_TRUE(a.text->starts_with("If someone is overdosing: call 911 now")) << *a.text;
  EXPECT_NE(a.text->find("Thank you"), std::string::npos);
  const std::string all = DumpAll();
  EXPECT_NE(all.find("grey fent at Hastings, call [number] or [email]"), std::string::npos) << all;
  EXPECT_NE(all.find("CA-BC"), std::string::npos);
  for (std::string_view piece : {hash_.c_str(), "2065550123", "604-555-0199", "jo@example.org"}) {
    EXPECT_EQ(all.find(piece), std::string::npos) << piece;
  }
  a = Say("REPORT");
  ASSERT_TRUE(a.taken);
  EXPECT_TRUE(a.text->starts_with("If someone is overdosing"));
  EXPECT_NE(a.text->find("REPORT + what you saw"), std::string::npos);
}

TEST_F(AlertDeskTest, SafetyFirstABareOdAndAnOverdoseInAReportKeepTheEnginesReply) {
  EXPECT_FALSE(Say("OD").taken);
  EXPECT_FALSE(Say("od").taken);
  Answer a = Say("REPORT my friend took bad pills and is not breathing");
  EXPECT_FALSE(a.taken) << "the engine's overdose reply goes out";
  EXPECT_TRUE(engine::IsSafetyIntent(understood_.intent));
  // The report is kept all the same.
  EXPECT_NE(DumpAll().find("my friend took bad pills"), std::string::npos);
  EXPECT_FALSE(Say("ALERTS I overdosed and can't breathe").taken);
  EXPECT_FALSE(Say("JOIN i want to kill myself").taken);
}

TEST_F(AlertDeskTest, WithoutAKeySubscriptionsAreOffButReportsWork) {
  AlertDesk off(*redis_, nullptr, Conv(), "hl:");
  engine::InboundMessage in{.text = "JOIN 98101", .from = kNumber};
  engine::Understanding u = Engine().Understand(in);
  engine::EngineReply r;
  EXPECT_FALSE(off.Take(AlertInput{"JOIN 98101", hash_, kNumber, "twilio", gateway::MessageChannel::kSms, "+1", &u}, r,
                        [](std::optional<std::string>) {}));
  in.text = "REPORT blue pills";
  u = Engine().Understand(in);
  std::optional<std::optional<std::string>> out;
  EXPECT_TRUE(
      off.Take(AlertInput{"REPORT blue pills", hash_, kNumber, "twilio", gateway::MessageChannel::kSms, "+1", &u}, r,
               [&](std::optional<std::string> t) { out.emplace(std::move(t)); }));
  EXPECT_TRUE(RunUntil([&] { return out.has_value(); }));
}

}  // namespace
}  // namespace helpline::daemon::alerts
