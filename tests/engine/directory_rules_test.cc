// How the engine treats what the directory says about a resource: its
// status (unconfirmed lines are not texted unless configured), its kind
// (an info resource is texted as its sentence) and where it serves (the
// place's own line is not pushed out by national ones). Small hand-made
// directories, so each rule is seen on its own.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/engine/message_engine.h"

namespace helpline::engine {
namespace {

using directory::Category;
using directory::ChannelKind;
using directory::Resource;
using directory::ResourceKind;
using directory::ResourceStatus;

directory::Channel Ch(ChannelKind kind, std::string value) {
  directory::Channel ch;
  ch.kind = kind;
  ch.value = std::move(value);
  return ch;
}

Resource Line(std::string id, std::vector<Category> categories, std::string region, int priority, std::string number) {
  Resource r;
  r.id = id;
  r.name = "Line " + id;
  r.description = "A line.";
  r.categories = std::move(categories);
  r.regions = {std::move(region)};
  r.languages = {"en"};
  r.channels = {Ch(ChannelKind::kVoice, std::move(number))};
  r.hours = "24/7";
  r.priority = priority;
  r.source = "https://example.org";
  r.verified = "2026-12-01";
  return r;
}

MessageEngine Engine(bool include_unconfirmed = false) {
  EngineOptions options;
  options.include_unconfirmed = include_unconfirmed;
  auto loaded = LoadMessageEngine(std::string(HELPLINE_SOURCE_DIR) + "/data/engine", options);
  if (!loaded.ok()) std::abort();
  return std::move(loaded).value();
}

EngineReply Ask(const MessageEngine& engine, const std::vector<Resource>& resources, std::string_view text,
                ChannelType channel = ChannelType::kSms) {
  static std::vector<std::shared_ptr<const directory::DirectoryIndex>> keep;  // replies point into the index
  keep.push_back(directory::DirectoryIndex::Build(resources, 1));
  InboundMessage m;
  m.text = text;
  m.from = "+16145550143";  // Ohio
  m.channel = channel;
  return engine.Handle(m, SenderState{}, *keep.back());
}

bool Includes(const EngineReply& r, std::string_view id) {
  for (const auto* res : r.resources) {
    if (res->id == id) return true;
  }
  return false;
}

TEST(DirectoryRules, UnconfirmedLinesAreNotTextedByDefault) {
  Resource checked = Line("checked", {Category::kTreatmentReferral}, "US-OH", 80, "+18007209616");
  Resource unchecked = Line("unchecked", {Category::kTreatmentReferral}, "US-OH", 90, "+18005550100");
  unchecked.status = ResourceStatus::kUnconfirmed;
  EngineReply r = Ask(Engine(), {checked, unchecked}, "treatment");
  EXPECT_TRUE(Includes(r, "checked")) << r.text;
  EXPECT_FALSE(Includes(r, "unchecked")) << r.text;
  EXPECT_EQ(r.text.find("555-0100"), std::string::npos) << r.text;
}

TEST(DirectoryRules, UnconfirmedLinesAreTextedWhenTheSettingSaysSo) {
  Resource unchecked = Line("unchecked", {Category::kTreatmentReferral}, "US-OH", 90, "+18005550100");
  unchecked.status = ResourceStatus::kUnconfirmed;
  EngineReply r = Ask(Engine(/*include_unconfirmed=*/true), {unchecked}, "treatment");
  EXPECT_TRUE(Includes(r, "unchecked")) << r.text;
}

TEST(DirectoryRules, RetiredLinesAreNeverTexted) {
  Resource retired = Line("retired", {Category::kNaloxone}, "US-OH", 90, "+18005550100");
  retired.status = ResourceStatus::kRetired;
  EngineReply r = Ask(Engine(true), {retired}, "naloxone");
  EXPECT_FALSE(Includes(r, "retired")) << r.text;
}

TEST(DirectoryRules, AnInfoResourceIsTextedAsItsSentenceWithAShortLink) {
  Resource info = Line("oh-naloxone", {Category::kNaloxone}, "US-OH", 80, "");
  info.kind = ResourceKind::kInfo;
  info.description = "Naloxone is free at Ohio health departments.";
  info.channels = {Ch(ChannelKind::kWeb, "https://naloxone.ohio.gov")};
  EngineReply r = Ask(Engine(), {info}, "naloxone");
  EXPECT_NE(r.text.find("- Naloxone is free at Ohio health departments: naloxone.ohio.gov\n"), std::string::npos)
      << r.text;
  EXPECT_EQ(r.text.find("Line oh-naloxone"), std::string::npos) << "the name is for /find, not the SMS: " << r.text;
}

TEST(DirectoryRules, AnInfoResourceSkipsALongLinkInAnSmsButNotInAChat) {
  Resource info = Line("oh-naloxone", {Category::kNaloxone}, "US-OH", 80, "");
  info.kind = ResourceKind::kInfo;
  info.description = "Naloxone is sold over the counter.";
  info.channels = {Ch(ChannelKind::kWeb, "https://www.example.gov/a/very/long/path/that/costs/an/sms/line/to/send")};
  EngineReply sms = Ask(Engine(), {info}, "naloxone");
  EXPECT_NE(sms.text.find("- Naloxone is sold over the counter\n"), std::string::npos) << sms.text;
  EXPECT_EQ(sms.text.find("example.gov"), std::string::npos) << sms.text;
  EngineReply chat = Ask(Engine(), {info}, "naloxone", ChannelType::kChat);
  EXPECT_NE(chat.text.find("example.gov/a/very/long"), std::string::npos) << chat.text;
}

TEST(DirectoryRules, AnInfoResourceDoesNotRepeatALinkItsSentenceGives) {
  Resource info = Line("oh-naloxone", {Category::kNaloxone}, "US-OH", 80, "");
  info.kind = ResourceKind::kInfo;
  info.description = "Order free naloxone at naloxone.ohio.gov.";
  info.channels = {Ch(ChannelKind::kWeb, "https://naloxone.ohio.gov")};
  EngineReply r = Ask(Engine(), {info}, "naloxone");
  EXPECT_NE(r.text.find("- Order free naloxone at naloxone.ohio.gov\n"), std::string::npos) << r.text;
}

TEST(DirectoryRules, ThePlacesOwnLineComesSecondAtTheLatest) {
  std::vector<Resource> dir = {
      Line("national-a", {Category::kTreatmentReferral}, "US", 95, "+18006624357"),
      Line("national-b", {Category::kCrisis}, "US", 94, "+18002738255"),
      Line("national-c", {Category::kOverdosePrevention}, "US", 93, "+18004843731"),
      Line("national-d", {Category::kTreatmentReferral}, "US", 92, "+18002221222"),
      Line("ohio", {Category::kTreatmentReferral}, "US-OH", 60, "+18007209616"),
  };
  EngineReply r = Ask(Engine(), dir, "HELP");
  ASSERT_GE(r.resources.size(), 2u) << r.text;
  EXPECT_EQ(r.resources[0]->id, "national-a") << r.text;
  EXPECT_EQ(r.resources[1]->id, "ohio") << r.text;
}

TEST(DirectoryRules, SafetyRepliesKeepTheirOrder) {
  std::vector<Resource> dir = {
      Line("national-a", {Category::kOverdosePrevention}, "US", 95, "+18004843731"),
      Line("national-b", {Category::kOverdosePrevention}, "US", 94, "+18002221222"),
      Line("ohio", {Category::kOverdosePrevention}, "US-OH", 60, "+18007209616"),
  };
  EngineReply r = Ask(Engine(), dir, "overdose");
  ASSERT_GE(r.resources.size(), 2u) << r.text;
  EXPECT_EQ(r.resources[1]->id, "national-b") << r.text;
}

TEST(DirectoryRules, AResourceNamedInTheMessageComesFirst) {
  Resource poison = Line("poison", {Category::kOverdosePrevention, Category::kInformation}, "US", 60, "+18002221222");
  poison.aliases = {{"en", {"poison control", "poison line"}}};
  std::vector<Resource> dir = {
      Line("national", {Category::kTreatmentReferral, Category::kOverdosePrevention}, "US", 95, "+18006624357"),
      poison};
  EngineReply r = Ask(Engine(), dir, "what's the number for poison control");
  ASSERT_FALSE(r.resources.empty()) << r.text;
  EXPECT_EQ(r.resources[0]->id, "poison") << r.text;
  EXPECT_EQ(r.intent, Intent::kHarm) << "nothing else asked: the named line's topic";
  EngineReply naloxone = Ask(Engine(), dir, "naloxone or the poison line?");
  EXPECT_EQ(naloxone.intent, Intent::kNaloxone) << "a request in the message keeps its intent";
  ASSERT_FALSE(naloxone.resources.empty()) << naloxone.text;
  EXPECT_EQ(naloxone.resources[0]->id, "poison") << naloxone.text;
}

TEST(DirectoryRules, ANamedLineThatDoesNotServeThePlaceIsNotOffered) {
  Resource us_only = Line("us-spotting", {Category::kOverdosePrevention}, "US", 80, "+18004843731");
  us_only.aliases = {{"en", {"spotting line"}}};
  Resource ca_line = Line("ca-spotting", {Category::kOverdosePrevention}, "CA", 80, "+18886886677");
  auto keep = directory::DirectoryIndex::Build({us_only, ca_line}, 1);
  InboundMessage m;
  m.text = "spotting line";
  m.from = "+14165550143";  // Toronto
  EngineReply r = Engine().Handle(m, SenderState{}, *keep);
  EXPECT_EQ(r.intent, Intent::kHarm) << r.text;
  for (const auto* res : r.resources) EXPECT_NE(res->id, "us-spotting") << r.text;
  EXPECT_NE(r.text.find("1-888-688-6677"), std::string::npos) << r.text;
}

TEST(DirectoryRules, SafetyAnswersKeepTheirFirstLineWhenALineIsNamed) {
  Resource poison = Line("poison", {Category::kOverdosePrevention}, "US", 60, "+18002221222");
  poison.aliases = {{"en", {"poison control"}}};
  EngineReply r = Ask(Engine(), {poison}, "he is not breathing, poison control?");
  EXPECT_EQ(r.intent, Intent::kOverdose) << r.text;
  EXPECT_EQ(r.text.rfind("OVERDOSE: call 911", 0), 0u) << r.text;
}

}  // namespace
}  // namespace helpline::engine
