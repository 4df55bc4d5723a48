#include "daemon/engine/reply_fitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/engine/gsm7.h"

namespace helpline::engine {
namespace {

using directory::Resource;

constexpr int kFirst = 55;
constexpr int kLater = 25;

Resource Named(std::string id) {
  Resource r;
  r.id = std::move(id);
  return r;
}

// Each resource renders as "- <id>: <long or short>", reachable when asked.
struct Renderer {
  std::string long_form;
  std::string short_form;
  bool reachable = true;
  int calls = 0;

  RenderResourceLine Get() {
    return [this](const Resource& r, bool short_one, int rank) {
      ++calls;
      return ReplyLine("- " + r.id + ": " + (short_one ? short_form : long_form), rank, &r, reachable);
    };
  }
};

std::vector<std::string> Ids(const ComposedReply& reply) {
  std::vector<std::string> ids;
  for (const Resource* r : reply.resources) ids.push_back(r->id);
  return ids;
}

ReplyBudget Sms(std::size_t segments) { return ReplyBudget{.sms = true, .sms_segments = segments}; }

TEST(ReplyFitter, ResourceLinesThatFitAreKeptInTheirLongFormBetweenHeadAndTail) {
  const Resource a = Named("a"), b = Named("b");
  Renderer render{.long_form = "call 1-800-662-4357 or text 988", .short_form = "call 988"};
  ReplyFitter fitter(Sms(3), {ReplyLine("Naloxone (Ohio):", 30)}, {ReplyLine("Text HELP + your state.", 27)});
  fitter.FillBody({&a, &b}, {.max_lines = 4, .first_rank = kFirst, .later_rank = kLater}, render.Get());
  fitter.DropLowestUntilFits();
  const ComposedReply reply = std::move(fitter).Finish();
  EXPECT_EQ(reply.text,
            "Naloxone (Ohio):\n- a: call 1-800-662-4357 or text 988\n- b: call 1-800-662-4357 or text 988\n"
            "Text HELP + your state.");
  EXPECT_EQ(Ids(reply), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reply.segments, std::vector<std::string>{reply.text});
  EXPECT_EQ(reply.encoding, SmsEncoding::kGsm7);
}

TEST(ReplyFitter, TheShortFormIsUsedWhenTheLongOneDoesNotFit) {
  const Resource a = Named("a");
  Renderer render{.long_form = std::string(200, 'x'), .short_form = "call 988"};
  ReplyFitter fitter(Sms(1), {}, {});
  fitter.FillBody({&a}, {.max_lines = 4, .first_rank = kFirst, .later_rank = kLater}, render.Get());
  EXPECT_EQ(std::move(fitter).Finish().text, "- a: call 988");
}

TEST(ReplyFitter, TwoMissesInARowEndTheBodyAndMaxLinesCapsIt) {
  const Resource a = Named("a"), big1 = Named("big1"), big2 = Named("big2"), c = Named("c");
  Renderer render{.long_form = "call 988", .short_form = "call 988"};
  auto fill = [&](std::size_t max_lines, std::vector<const Resource*> candidates) {
    ReplyFitter fitter(Sms(1), {}, {});
    fitter.FillBody(candidates, {.max_lines = max_lines, .first_rank = kFirst, .later_rank = kLater},
                    [&](const Resource& r, bool short_one, int rank) {
                      if (r.id.starts_with("big")) return ReplyLine(std::string(170, 'y'), rank, &r, true);
                      return render.Get()(r, short_one, rank);
                    });
    return Ids(std::move(fitter).Finish());
  };
  // After two lines that fit in neither form, "c" is not even tried.
  EXPECT_EQ(fill(4, {&a, &big1, &big2, &c}), std::vector<std::string>{"a"});
  // One miss is not enough to stop.
  EXPECT_EQ(fill(4, {&a, &big1, &c}), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(fill(1, {&a, &c}), std::vector<std::string>{"a"});
}

TEST(ReplyFitter, TheLowestRankIsDroppedFirstAndNeverDroppedLinesStay) {
  const Resource a = Named("a");
  Renderer render{.long_form = std::string(55, 'r'), .short_form = std::string(55, 'r')};
  const std::string safety = "Call 911 now. " + std::string(73, 's');  // 87 septets
  ReplyFitter fitter(Sms(1), {ReplyLine(safety, kNeverDropped), ReplyLine("Heading:", 30)},
                     {ReplyLine("Text HELP + your state to hear of more.", 27)});
  // 87 + 8 + 60 + 39 + 3 newlines: over 160, yet the first resource line is wanted.
  fitter.FillBody({&a}, {.max_lines = 4, .first_rank = kFirst, .later_rank = kLater}, render.Get());
  fitter.DropLowestUntilFits();
  const ComposedReply reply = std::move(fitter).Finish();
  EXPECT_EQ(reply.text, safety + "\nHeading:\n- a: " + std::string(55, 'r'));
  EXPECT_EQ(MeasureSms(reply.text).segments, 1u);
}

TEST(ReplyFitter, OnlyNeverDroppedLinesAreLeftWhenNothingElseFits) {
  ReplyFitter fitter(Sms(1), {ReplyLine(std::string(170, 's'), kNeverDropped), ReplyLine("Heading:", 30)}, {});
  fitter.DropLowestUntilFits();
  const ComposedReply reply = std::move(fitter).Finish();
  EXPECT_EQ(reply.text, std::string(170, 's'));
  EXPECT_EQ(reply.segments.size(), 2u);  // over budget, but never dropped
}

TEST(ReplyFitter, AReplyWithoutANumberGetsTheEmergencyLineAndKeepsIt) {
  const Resource web = Named("web");
  Renderer render{.long_form = "findtreatment.gov", .short_form = "findtreatment.gov", .reachable = false};
  ReplyFitter fitter(Sms(3), {ReplyLine("Treatment (Ohio):", 30)}, {});
  fitter.FillBody({&web}, {.max_lines = 4, .first_rank = kFirst, .later_rank = kLater}, render.Get());
  fitter.DropLowestUntilFits();
  int asked = 0;
  fitter.KeepANumber([&] {
    ++asked;
    return ReplyLine("In an emergency call 911.", 0);
  });
  const ComposedReply reply = std::move(fitter).Finish();
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(reply.text, "Treatment (Ohio):\n- web: findtreatment.gov\nIn an emergency call 911.");
  EXPECT_EQ(Ids(reply), std::vector<std::string>{"web"});
}

TEST(ReplyFitter, AReplyWithANumberIsLeftAsItIs) {
  const Resource a = Named("a");
  Renderer render{.long_form = "call 988", .short_form = "call 988"};
  ReplyFitter fitter(Sms(3), {}, {});
  fitter.FillBody({&a}, {.max_lines = 4, .first_rank = kFirst, .later_rank = kLater}, render.Get());
  bool asked = false;
  fitter.KeepANumber([&] {
    asked = true;
    return ReplyLine("In an emergency call 911.", 0);
  });
  EXPECT_FALSE(asked);
  EXPECT_EQ(std::move(fitter).Finish().text, "- a: call 988");
}

TEST(ReplyFitter, SmsLinesAreMadeGsmFriendlyWithAccentsFolded) {
  ReplyFitter fitter(Sms(3), {ReplyLine("Ligne “Info-Santé” – gratuite, même la nuit…", 30)}, {});
  const ComposedReply reply = std::move(fitter).Finish();
  EXPECT_EQ(reply.text, "Ligne \"Info-Santé\" - gratuite, meme la nuit...");
  EXPECT_EQ(reply.encoding, SmsEncoding::kGsm7);
}

TEST(ReplyFitter, AHeadLineAppendedAsItIsIsNeitherFoldedNorMeasured) {
  ReplyFitter fitter(Sms(3), {ReplyLine("Heading:", 30)}, {});
  fitter.AppendHeadLineAsIs(ReplyLine("Aucune ligne – aide générale :", 20));
  const ComposedReply reply = std::move(fitter).Finish();
  EXPECT_EQ(reply.text, "Heading:\nAucune ligne – aide générale :");
  EXPECT_EQ(reply.encoding, SmsEncoding::kUcs2);
}

TEST(ReplyFitter, ChatRepliesAreHeldToCharactersAndAreOnePartUnchanged) {
  const Resource a = Named("a"), b = Named("b");
  Renderer render{.long_form = "call 988 – any time", .short_form = "call 988"};
  ReplyFitter fitter(ReplyBudget{.sms = false, .chat_chars = 50}, {ReplyLine("Crisis:", 30)}, {});
  fitter.FillBody({&a, &b}, {.max_lines = 12, .first_rank = kFirst, .later_rank = kLater}, render.Get());
  fitter.DropLowestUntilFits();
  const ComposedReply reply = std::move(fitter).Finish();
  // 7 + 1 + 26 bytes, then the second line fits only in its short form (1 + 13): 48 of 50.
  EXPECT_EQ(reply.text, "Crisis:\n- a: call 988 – any time\n- b: call 988");
  EXPECT_LE(reply.text.size(), 50u);
  EXPECT_EQ(reply.segments, std::vector<std::string>{reply.text});
}

TEST(ReplyFitter, AnInstructionNearASegmentCutStaysWholeInOnePart) {
  const Resource a = Named("a");
  Renderer render{.long_form = "text CONNEX to 247247 for support", .short_form = "call 988"};
  ReplyFitter fitter(Sms(3), {ReplyLine(std::string(135, 'w') + " words", 30)}, {});
  fitter.FillBody({&a}, {.max_lines = 4, .first_rank = kFirst, .later_rank = kLater}, render.Get());
  const ComposedReply reply = std::move(fitter).Finish();
  ASSERT_EQ(reply.segments.size(), 2u);
  EXPECT_TRUE(reply.segments[1].find("text CONNEX to 247247") != std::string::npos) << reply.segments[1];
}

}  // namespace
}  // namespace helpline::engine
