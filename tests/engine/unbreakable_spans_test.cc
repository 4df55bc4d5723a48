#include "daemon/engine/unbreakable_spans.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace helpline::engine {
namespace {

// ---------------------------------------------------------------------------
// FindUnbreakableSpans

std::vector<std::string> SpanTexts(std::string_view text) {
  std::vector<std::string> out;
  for (const Span& s : FindUnbreakableSpans(text)) {
    out.emplace_back(text.substr(s.begin, s.end - s.begin));
  }
  return out;
}

TEST(SmsSpans, PhoneNumbersInTheirUsualShapesAreFound) {
  for (std::string_view number :
       {"988", "911", "247247", "1-800-662-4357", "(604) 555-0123", "+1 604 555 0123", "1.800.662.4357",
        "1 800 662 4357", "604-555-0123", "(604)555-0123", "1-800-662-HELP (4357)", "1-800-273-TALK"}) {
    const std::string text = "Call " + std::string(number) + ", any time.";
    EXPECT_EQ(SpanTexts(text), std::vector<std::string>{std::string(number)}) << number;
  }
}

TEST(SmsSpans, NumbersThatAreNotPhoneNumbersAreLeftAlone) {
  EXPECT_EQ(SpanTexts("Open 24 hours, 7 days"), std::vector<std::string>{});
  EXPECT_EQ(SpanTexts("Call 988 24 hours a day"), std::vector<std::string>{"988"});
  EXPECT_EQ(SpanTexts("ID 1234567890123456789"), std::vector<std::string>{});
  EXPECT_EQ(SpanTexts("e.g. a.m. U.S.A. etc."), std::vector<std::string>{});
}

TEST(SmsSpans, TextInstructionsAreFoundInThreeLanguagesAnyCase) {
  EXPECT_EQ(SpanTexts("Or text CONNEX to 247247."), std::vector<std::string>{"text CONNEX to 247247"});
  EXPECT_EQ(SpanTexts("TEXT home TO 741741"), std::vector<std::string>{"TEXT home TO 741741"});
  EXPECT_EQ(SpanTexts("O texto AYUDA al 741741 hoy"), std::vector<std::string>{"texto AYUDA al 741741"});
  EXPECT_EQ(SpanTexts("Textez PARLER au 686868!"), std::vector<std::string>{"Textez PARLER au 686868"});
  EXPECT_EQ(SpanTexts("text \"HELLO\" to 1-800-662-4357"),
            std::vector<std::string>{"text \"HELLO\" to 1-800-662-4357"});
  EXPECT_EQ(SpanTexts("Llame o envie texto al 988, 24/7."), std::vector<std::string>{"envie texto al 988"});
  EXPECT_EQ(SpanTexts("ENVÍE HOLA AL 741741"), std::vector<std::string>{"ENVÍE HOLA AL 741741"});
  EXPECT_EQ(SpanTexts("Appelez ou textez le 988."), std::vector<std::string>{"textez le 988"});
  // Not an instruction: no number; the context word is not "text".
  EXPECT_EQ(SpanTexts("text your friend to say hi"), std::vector<std::string>{});
  EXPECT_EQ(SpanTexts("context X to 988"), std::vector<std::string>{"988"});
}

TEST(SmsSpans, UrlsAndBareDomainsAreFoundWithoutSurroundingPunctuation) {
  EXPECT_EQ(SpanTexts("See https://www.samhsa.gov/find-help/national-helpline."),
            std::vector<std::string>{"https://www.samhsa.gov/find-help/national-helpline"});
  EXPECT_EQ(SpanTexts("Visit findtreatment.gov or 988lifeline.org/chat!"),
            (std::vector<std::string>{"findtreatment.gov", "988lifeline.org/chat"}));
  EXPECT_EQ(SpanTexts("(www.naloxone.ca) “http://x.org/a(b)”"),
            (std::vector<std::string>{"www.naloxone.ca", "http://x.org/a(b)"}));
}

TEST(SmsSpans, OverlappingFindsAreMergedAndSorted) {
  const std::string text = "text CONNEX to 247247 or call 1-800-662-4357 or 988";
  const auto spans = FindUnbreakableSpans(text);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].begin, 0u);
  EXPECT_EQ(spans[0].end, 21u);
  EXPECT_LT(spans[1].end, spans[2].begin);
}

}  // namespace
}  // namespace helpline::engine
