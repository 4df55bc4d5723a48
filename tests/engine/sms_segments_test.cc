#include "daemon/engine/sms_segments.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/engine/gsm7.h"
#include "daemon/engine/unbreakable_spans.h"
#include "tests/engine/repeat_text.h"

namespace helpline::engine {
namespace {

// UTF-16 code units of UTF-8, counted independently of the unit under test:
// one per lead byte, two for a four-byte lead (exact for valid UTF-8 and for
// stray bytes 0xF5..0xFF, each one U+FFFD).
std::size_t Utf16Units(std::string_view s) {
  std::size_t units = 0;
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if ((b & 0xC0) != 0x80) units += b >= 0xF0 && b <= 0xF4 ? 2 : 1;
  }
  return units;
}

bool IsBreakSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool AllBreakSpace(std::string_view s) { return std::all_of(s.begin(), s.end(), IsBreakSpace); }

// Where each part sits in the text, checking that the text is exactly the
// parts separated by (dropped) whitespace. Empty on failure.
std::vector<std::size_t> PartOffsets(std::string_view text, const std::vector<std::string>& parts) {
  std::vector<std::size_t> offsets;
  std::size_t pos = 0;
  for (const std::string& part : parts) {
    const std::size_t at = text.find(part, pos);
    if (at == std::string_view::npos || !AllBreakSpace(text.substr(pos, at - pos))) return {};
    offsets.push_back(at);
    pos = at + part.size();
  }
  if (!AllBreakSpace(text.substr(pos))) return {};
  return offsets;
}

// Checks every promise SplitSegments makes; returns "" or what broke.
std::string CheckSplit(std::string_view text, const std::vector<Span>& spans, const std::vector<std::string>& parts) {
  if (parts.empty()) return "no parts";
  const SmsMeasure whole = MeasureSms(text);
  if (whole.segments == 1) {
    return parts.size() == 1 && parts[0] == text ? "" : "a one-segment text was cut";
  }
  const std::size_t limit = whole.encoding == SmsEncoding::kGsm7 ? 153 : 67;
  for (const std::string& part : parts) {
    if (part.empty()) return "empty part";
    const SmsMeasure m = MeasureSms(part);
    if (whole.encoding == SmsEncoding::kGsm7 && m.encoding != SmsEncoding::kGsm7) {
      return "UCS-2 part of a GSM-7 text: " + part;
    }
    const std::size_t units = whole.encoding == SmsEncoding::kGsm7 ? m.units : Utf16Units(part);
    if (units > limit) return "part over the limit (" + std::to_string(units) + "): " + part;
    if (m.segments != 1) return "part is not one segment: " + part;
  }
  const std::vector<std::size_t> offsets = PartOffsets(text, parts);
  if (offsets.size() != parts.size()) return "parts do not rejoin to the text";
  for (const Span& span : spans) {
    const std::string_view inside = text.substr(span.begin, span.end - span.begin);
    const std::size_t span_units = whole.encoding == SmsEncoding::kGsm7 ? MeasureSms(inside).units : Utf16Units(inside);
    if (span_units > limit) continue;  // cannot be kept whole
    bool whole_in_one = false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (span.begin >= offsets[i] && span.end <= offsets[i] + parts[i].size()) whole_in_one = true;
    }
    if (!whole_in_one) return "span cut: " + std::string(inside);
  }
  return "";
}

// ---------------------------------------------------------------------------
// SplitSegments

TEST(SmsSplit, ATextThatFitsOneSegmentIsOnePartEvenWithSpaces) {
  const std::string text = Repeat("word ", 31) + "abcde";  // 160
  ASSERT_EQ(MeasureSms(text).units, 160u);
  EXPECT_EQ(SplitSegments(text), std::vector<std::string>{text});
  EXPECT_EQ(SplitSegments(""), std::vector<std::string>{""});
}

TEST(SmsSplit, PartsBreakAtTheLastSpaceAndDropIt) {
  const std::string text = Repeat("word ", 40);  // 200 septets
  const auto parts = SplitSegments(text);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], Repeat("word ", 29) + "word");  // one more word would pass 153
  EXPECT_EQ(parts[0].size(), 149u);
  EXPECT_EQ(parts[1], Repeat("word ", 10));  // the space at the cut is dropped
  EXPECT_EQ(CheckSplit(text, {}, parts), "");
}

TEST(SmsSplit, ANewlineIsPreferredOnlyWhenThePartIsNearlyFull) {
  // Phones reassemble the parts, so a part is filled rather than ended early.
  const std::string text = std::string(140, 'x') + "\n" + Repeat("word ", 30);
  auto parts = SplitSegments(text);
  ASSERT_GE(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(140, 'x'));  // 140 of 153: nearly full, the newline wins
  // A newline at 100 of 153 is not worth a third of a message.
  const std::string early = std::string(100, 'x') + "\n" + Repeat("word ", 40);
  parts = SplitSegments(early);
  EXPECT_GT(parts[0].size(), 140u);
  EXPECT_EQ(CheckSplit(early, {}, parts), "");
}

TEST(SmsSplit, ACrLfAtTheCutIsDroppedWhole) {
  const std::string text = std::string(140, 'x') + " \r\n" + Repeat("word ", 30);
  const auto parts = SplitSegments(text);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(140, 'x'));
  EXPECT_EQ(parts[1].substr(0, 4), "word");
}

TEST(SmsSplit, NoBreakSpacesAreNotCutPoints) {
  // "988\u00A0Lifeline" must stay together; only ASCII spaces are cuts.
  std::string text;
  for (int i = 0; i < 12; ++i) text += "call 988\u00A0Lifeline ";
  const auto parts = SplitSegments(text);
  ASSERT_GT(parts.size(), 1u);
  for (const auto& part : parts) {
    EXPECT_FALSE(part.ends_with("988") || part.ends_with("\u00A0")) << part;
    EXPECT_FALSE(part.starts_with("Lifeline") || part.starts_with("\u00A0")) << part;
  }
  EXPECT_EQ(CheckSplit(text, {}, parts), "");
}

TEST(SmsSplit, AnInstructionStraddlingTheCutMovesWholeToTheNextPart) {
  const std::string text = Repeat("word ", 28) + "text CONNEX to 247247 for support, " + Repeat("more ", 10);
  // Septets 140..160 hold the instruction; without spans the cut falls inside.
  const auto naive = SplitSegments(text);
  EXPECT_EQ(naive[0].substr(naive[0].size() - 6), "CONNEX");
  const auto spans = FindUnbreakableSpans(text);
  const auto parts = SplitSegments(text, spans);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], Repeat("word ", 27) + "word");
  EXPECT_EQ(parts[1].substr(0, 21), "text CONNEX to 247247");
  EXPECT_EQ(CheckSplit(text, spans, parts), "");
}

TEST(SmsSplit, APhoneNumberStraddlingTheCutMovesWholeToTheNextPart) {
  for (std::string_view number : {"(604) 555-0123", "+1 604 555 0123", "1 800 662 4357"}) {
    const std::string text = Repeat("call ", 29) + std::string(number) + " " + Repeat("now ", 10);
    const auto spans = FindUnbreakableSpans(text);
    const auto parts = SplitSegments(text, spans);
    ASSERT_EQ(parts.size(), 2u) << number;
    EXPECT_EQ(parts[1].substr(0, number.size()), number);
    EXPECT_EQ(CheckSplit(text, spans, parts), "") << number;
  }
}

TEST(SmsSplit, AWordLongerThanAPartIsCutHardButNeverInsideAUrl) {
  const std::string url = "https://findtreatment.gov/locator?q=naloxone";
  const std::string text = std::string(140, 'z') + url + std::string(100, 'y');
  const std::vector<Span> keep = {{140, 140 + url.size()}};
  const auto parts = SplitSegments(text, keep);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(140, 'z'));
  EXPECT_EQ(parts[1].substr(0, url.size()), url);
  EXPECT_EQ(CheckSplit(text, keep, parts), "");
  // Without the span: a plain hard cut at 153 septets.
  EXPECT_EQ(SplitSegments(text)[0].size(), 153u);
}

TEST(SmsSplit, AnExtensionCharacterIsNotSplitAcrossParts) {
  const std::string text = std::string(152, 'a') + "€" + std::string(100, 'b');
  const auto parts = SplitSegments(text);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(152, 'a'));
  EXPECT_EQ(parts[1], "€" + std::string(100, 'b'));
}

TEST(SmsSplit, AnEmojiIsNotSplitAcrossParts) {
  const std::string text = std::string(66, 'a') + "🙏" + std::string(30, 'b');
  const auto parts = SplitSegments(text);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(66, 'a'));
  EXPECT_EQ(parts[1], "🙏" + std::string(30, 'b'));
}

TEST(SmsSplit, HardCutsFallOnUtf8Boundaries) {
  const std::string text = Repeat("é", 200);  // GSM-7, two bytes each
  auto parts = SplitSegments(text);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], Repeat("é", 153));
  const std::string ucs2 = Repeat("ê", 100);
  parts = SplitSegments(ucs2);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], Repeat("ê", 67));
  EXPECT_EQ(CheckSplit(ucs2, {}, parts), "");
}

TEST(SmsSplit, EveryPartUsesTheLimitOfTheWholeTextsEncoding) {
  // One emoji makes the whole text UCS-2: plain ASCII parts hold 67, not 153.
  const std::string text = "🙏 " + Repeat("help ", 60);
  const auto parts = SplitSegments(text);
  for (const auto& part : parts) EXPECT_LE(Utf16Units(part), 67u) << part;
  EXPECT_EQ(CheckSplit(text, {}, parts), "");
}

TEST(SmsSplit, ASpanLongerThanAPartIsCutOnlyWhereItMust) {
  const std::string text = Repeat("a ", 100) + "b";
  const std::vector<Span> all = {{0, text.size()}};
  const auto parts = SplitSegments(text, all);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].size(), 153u);
  EXPECT_EQ(parts[0] + parts[1], text);
}

TEST(SmsSplit, BadSpansAndInvalidUtf8DoNotCrash) {
  const std::string text = std::string(300, '\xFF') + " ok";
  const auto parts = SplitSegments(text, {{5000, 6000}, {10, 5}, {250, 100000}, {0, 0}});
  EXPECT_EQ(CheckSplit(text, {{250, 303}}, parts), "");
}

// ---------------------------------------------------------------------------
// Properties over pseudo-random replies

struct Generated {
  std::string text;
  std::vector<Span> items;  // instructions, phone numbers and URLs inserted
};

Generated RandomReply(std::mt19937& rng) {
  static const std::vector<std::string> kWords = {
      "call",
      "the",
      "helpline",
      "naloxone",
      "free",
      "confidential",
      "support",
      "detox",
      "treatment",
      "línea",
      "ayuda",
      "gratuita",
      "niño",
      "über",
      "Santé",
      "coûte",
      "français",
      "ça",
      "c’est",
      "“help”",
      "—",
      "…",
      "🙏",
      "❤️",
      "€5",
      "[open]",
      "{24/7}",
      "~",
      "a|b",
      "Überdosis",
      "señal",
      "àpres",
      "Ç",
      "supercalifragilisticexpialidocious-and-then-some-more-"
      "letters-without-any-space-at-all-to-force-a-hard-cut-somewhere-in-the-middle-of-it-ok"};
  static const std::vector<std::string> kItems = {"988",
                                                  "911",
                                                  "247247",
                                                  "1-800-662-4357",
                                                  "(604) 555-0123",
                                                  "+1 604 555 0123",
                                                  "1-800-662-HELP (4357)",
                                                  "text CONNEX to 247247",
                                                  "envíe HOLA al 741741",
                                                  "envie texto al 988",
                                                  "textez le 988",
                                                  "Text HOME to 741741",
                                                  "texto AYUDA al 741741",
                                                  "textez PARLER au 686868",
                                                  "https://findtreatment.gov/locator",
                                                  "findtreatment.gov",
                                                  "988lifeline.org/chat",
                                                  "https://www.samhsa.gov/find-help/national-helpline"};
  static const std::vector<std::string> kSeparators = {" ", " ", " ", " ", "\n", ", ", ". ", "  ", "\r\n", "\n\n"};

  Generated g;
  const std::size_t target = std::uniform_int_distribution<std::size_t>(0, 1200)(rng);
  while (true) {
    const bool item = std::uniform_int_distribution<int>(0, 5)(rng) == 0;
    const auto& pool = item ? kItems : kWords;
    const std::string& piece = pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
    const std::string& sep = kSeparators[std::uniform_int_distribution<std::size_t>(0, kSeparators.size() - 1)(rng)];
    const std::size_t add = (g.text.empty() ? 0 : sep.size()) + piece.size();
    if (g.text.size() + add > target) break;
    if (!g.text.empty()) g.text += sep;
    if (item) g.items.push_back({g.text.size(), g.text.size() + piece.size()});
    g.text += piece;
  }
  return g;
}

TEST(SmsProperties, RandomRepliesSplitIntoFittingPartsThatRejoinAndKeepSpansWhole) {
  std::mt19937 rng(20240611);
  std::size_t multi_part = 0;
  std::size_t ucs2 = 0;
  for (int i = 0; i < 2000; ++i) {
    const Generated g = RandomReply(rng);
    ASSERT_LE(g.text.size(), 1200u);
    const auto spans = FindUnbreakableSpans(g.text);
    // Every inserted item lies inside one found span.
    for (const Span& item : g.items) {
      const bool covered = std::any_of(spans.begin(), spans.end(),
                                       [&](const Span& s) { return s.begin <= item.begin && item.end <= s.end; });
      ASSERT_TRUE(covered) << g.text.substr(item.begin, item.end - item.begin) << "\nin: " << g.text;
    }
    const auto parts = SplitSegments(g.text, spans);
    ASSERT_EQ(CheckSplit(g.text, spans, parts), "") << g.text;
    const SmsMeasure m = MeasureSms(g.text);
    // Dropped whitespace can save a segment; cutting at words and around
    // spans can cost some, never many.
    EXPECT_LE(parts.size(), 2 * m.segments) << g.text;
    multi_part += parts.size() > 1;
    ucs2 += m.encoding == SmsEncoding::kUcs2;
  }
  // The generator exercises what it should.
  EXPECT_GT(multi_part, 1000u);
  EXPECT_GT(ucs2, 1000u);
  EXPECT_LT(ucs2, 2000u);
}

TEST(SmsProperties, GsmFriendlyRepliesStillSplitCleanly) {
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    const std::string text = ToGsmFriendly(RandomReply(rng).text, {.fold_accents = true});
    const auto spans = FindUnbreakableSpans(text);
    ASSERT_EQ(CheckSplit(text, spans, SplitSegments(text, spans)), "") << text;
  }
}

TEST(SmsProperties, RandomBytesNeverCrashAndStillRejoin) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 1000; ++i) {
    std::string text(std::uniform_int_distribution<std::size_t>(0, 600)(rng), '\0');
    for (char& c : text) {
      const int b = byte(rng);
      c = static_cast<char>(b < 40 ? ' ' : b);  // plenty of spaces to break at
    }
    const auto spans = FindUnbreakableSpans(text);
    const auto parts = SplitSegments(text, spans);
    ASSERT_FALSE(parts.empty());
    const std::vector<std::size_t> offsets = PartOffsets(text, parts);
    ASSERT_EQ(offsets.size(), parts.size());
    for (const auto& part : parts) {
      if (parts.size() > 1) {
        EXPECT_LE(MeasureSms(part).units, 153u);
      }
    }
    (void)ToGsmFriendly(text);
    (void)IsGsm7(text);
  }
}

}  // namespace
}  // namespace helpline::engine
