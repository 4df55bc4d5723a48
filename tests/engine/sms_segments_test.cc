#include "daemon/engine/sms_segments.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace helpline::engine {
namespace {

std::string Repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

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
std::string CheckSplit(std::string_view text, const std::vector<Span>& spans,
                       const std::vector<std::string>& parts) {
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
    const std::size_t span_units =
        whole.encoding == SmsEncoding::kGsm7 ? MeasureSms(inside).units : Utf16Units(inside);
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
// MeasureSms

TEST(SmsMeasure, AnEmptyTextIsOneGsmSegmentOfZeroUnits) {
  const SmsMeasure m = MeasureSms("");
  EXPECT_EQ(m.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(m.units, 0u);
  EXPECT_EQ(m.segments, 1u);
  EXPECT_EQ(m.chars_per_segment, 160u);
}

TEST(SmsMeasure, OneHundredSixtyGsmCharactersAreOneSegmentAndOneMoreMakesTwo) {
  SmsMeasure m = MeasureSms(std::string(160, 'a'));
  EXPECT_EQ(m.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(m.units, 160u);
  EXPECT_EQ(m.segments, 1u);
  EXPECT_EQ(m.chars_per_segment, 160u);
  m = MeasureSms(std::string(161, 'a'));
  EXPECT_EQ(m.units, 161u);
  EXPECT_EQ(m.segments, 2u);
  EXPECT_EQ(m.chars_per_segment, 153u);
}

TEST(SmsMeasure, GsmPartsHoldOneHundredFiftyThreeSeptets) {
  EXPECT_EQ(MeasureSms(std::string(306, 'a')).segments, 2u);
  EXPECT_EQ(MeasureSms(std::string(307, 'a')).segments, 3u);
  EXPECT_EQ(MeasureSms(std::string(459, 'a')).segments, 3u);
  EXPECT_EQ(MeasureSms(std::string(460, 'a')).segments, 4u);
}

TEST(SmsMeasure, SeventyUcs2UnitsAreOneSegmentAndOneMoreMakesTwo) {
  SmsMeasure m = MeasureSms(std::string(69, 'a') + "á");
  EXPECT_EQ(m.encoding, SmsEncoding::kUcs2);
  EXPECT_EQ(m.units, 70u);
  EXPECT_EQ(m.segments, 1u);
  EXPECT_EQ(m.chars_per_segment, 70u);
  m = MeasureSms(std::string(70, 'a') + "á");
  EXPECT_EQ(m.units, 71u);
  EXPECT_EQ(m.segments, 2u);
  EXPECT_EQ(m.chars_per_segment, 67u);
}

TEST(SmsMeasure, Ucs2PartsHoldSixtySevenUnits) {
  EXPECT_EQ(MeasureSms(std::string(133, 'a') + "á").segments, 2u);  // 134
  EXPECT_EQ(MeasureSms(std::string(134, 'a') + "á").segments, 3u);  // 135
  EXPECT_EQ(MeasureSms(Repeat("á", 134)).segments, 2u);
  EXPECT_EQ(MeasureSms(Repeat("á", 135)).segments, 3u);
}

TEST(SmsMeasure, ExtensionCharactersCountTwoSeptets) {
  SmsMeasure m = MeasureSms(std::string(159, 'a') + "€");
  EXPECT_EQ(m.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(m.units, 161u);
  EXPECT_EQ(m.segments, 2u);
  m = MeasureSms(std::string(80, '{'));
  EXPECT_EQ(m.units, 160u);
  EXPECT_EQ(m.segments, 1u);
  EXPECT_EQ(MeasureSms(std::string(81, '{')).segments, 2u);
  for (std::string_view c : {"^", "{", "}", "\\", "[", "~", "]", "|", "€", "\f"}) {
    m = MeasureSms(c);
    EXPECT_EQ(m.encoding, SmsEncoding::kGsm7) << c;
    EXPECT_EQ(m.units, 2u) << c;
  }
}

TEST(SmsMeasure, AnExtensionCharacterNeverStraddlesTwoSegments) {
  // 306 septets, but the € cannot take septets 153 and 154: it starts part 2.
  const std::string text = std::string(152, 'a') + "€" + std::string(152, 'b');
  const SmsMeasure m = MeasureSms(text);
  EXPECT_EQ(m.units, 306u);
  EXPECT_EQ(m.segments, 3u);
}

TEST(SmsMeasure, AnEmojiCountsTwoUtf16UnitsAndNeverStraddlesTwoSegments) {
  SmsMeasure m = MeasureSms("🙏");
  EXPECT_EQ(m.encoding, SmsEncoding::kUcs2);
  EXPECT_EQ(m.units, 2u);
  m = MeasureSms(std::string(68, 'a') + "🙏");
  EXPECT_EQ(m.units, 70u);
  EXPECT_EQ(m.segments, 1u);
  m = MeasureSms(std::string(66, 'a') + "🙏" + std::string(66, 'b'));
  EXPECT_EQ(m.units, 134u);
  EXPECT_EQ(m.segments, 3u);
}

TEST(SmsMeasure, OneAccentOrCurlyQuoteOutsideGsmForcesUcs2) {
  for (std::string_view c : {"á", "’", "“", "—", "…", "ç", "ê", "`", "\t", "🙏", "\u00A0"}) {
    const std::string text = "Call 988 now " + std::string(c);
    EXPECT_EQ(MeasureSms(text).encoding, SmsEncoding::kUcs2) << c;
    EXPECT_FALSE(IsGsm7(text)) << c;
  }
}

TEST(SmsMeasure, TheWholeGsmBasicTableStaysGsm7) {
  std::string table =
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
      "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const SmsMeasure m = MeasureSms(table);
  EXPECT_EQ(m.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(m.units, 127u);  // 128 minus the escape
  EXPECT_TRUE(IsGsm7(table));
  EXPECT_FALSE(IsGsm7("Llame al 988, señor. Ça va très bien, à bientôt?"));  // ô
  EXPECT_TRUE(IsGsm7("é à ñ ü è ù ì ò Ç"));
}

TEST(SmsMeasure, CapitalCCedillaIsGsm7ButSmallCCedillaIsNot) {
  EXPECT_TRUE(IsGsm7("Ç"));
  EXPECT_FALSE(IsGsm7("ç"));
}

TEST(SmsMeasure, InvalidUtf8CountsEachBadByteAsOneUcs2Unit) {
  struct Case {
    std::string_view bytes;
    std::size_t units;
  };
  for (const Case& c :
       {Case{"\xFF", 1}, Case{"ab\xC3", 3}, Case{"\xC0\xAF", 2}, Case{"\xED\xA0\x80", 3},
        Case{"\xF4\x90\x80\x80", 4}, Case{"\xE2\x82", 2}, Case{"\x80\x80", 2}}) {
    const SmsMeasure m = MeasureSms(c.bytes);
    EXPECT_EQ(m.encoding, SmsEncoding::kUcs2);
    EXPECT_EQ(m.units, c.units);
    EXPECT_FALSE(IsGsm7(c.bytes));
  }
  EXPECT_EQ(MeasureSms(std::string(200, '\xFF')).segments, 3u);
}

TEST(SmsMeasure, ControlCharactersOtherThanNewlinesForceUcs2) {
  EXPECT_FALSE(IsGsm7(std::string_view("a\0b", 3)));
  EXPECT_FALSE(IsGsm7("\x1B"));
  EXPECT_FALSE(IsGsm7("\x7F"));
  EXPECT_TRUE(IsGsm7("line\r\nline"));
}

// ---------------------------------------------------------------------------
// ToGsmFriendly

TEST(SmsGsmFriendly, ACatalogueSentenceWithTypographyBecomesGsm7) {
  const std::string text =
      "SAMHSA’s National Helpline — free, confidential, 24/7… Call 1‑800‑662‑4357 or "
      "text “CONNEX” to 247247 • naloxone: ‘ask any pharmacist’ – it’s free";
  EXPECT_FALSE(IsGsm7(text));
  const std::string friendly = ToGsmFriendly(text);
  EXPECT_EQ(friendly,
            "SAMHSA's National Helpline - free, confidential, 24/7... Call 1-800-662-4357 or "
            "text \"CONNEX\" to 247247 - naloxone: 'ask any pharmacist' - it's free");
  EXPECT_TRUE(IsGsm7(friendly));
}

TEST(SmsGsmFriendly, AccentsAreKeptUnlessFoldingIsAsked) {
  const std::string text = "Appelez le 811 – c’est gratuit. Ça ne coûte rien, même en français";
  EXPECT_EQ(ToGsmFriendly(text),
            "Appelez le 811 - c'est gratuit. Ça ne coûte rien, même en français");
  EXPECT_FALSE(IsGsm7(ToGsmFriendly(text)));
  const std::string folded = ToGsmFriendly(text, {.fold_accents = true});
  EXPECT_EQ(folded, "Appelez le 811 - c'est gratuit. Ça ne coute rien, meme en francais");
  EXPECT_TRUE(IsGsm7(folded));
}

TEST(SmsGsmFriendly, FoldingTurnsLettersGsm7LacksIntoTheirBaseLetters) {
  const GsmFriendlyOptions fold{.fold_accents = true};
  EXPECT_EQ(ToGsmFriendly("á â ã ç ê ë í î ï ó ô õ ú û ý ÿ œ", fold),
            "a a a c e e i i i o o o u u y y oe");
  EXPECT_EQ(ToGsmFriendly("À Á È Ê Ì Í Ò Ó Ù Ú Œ Łódź Šťastný ș", fold),
            "A A E E I I O O U U OE Lodz Stastny s");
  // Letters GSM-7 has are never touched.
  EXPECT_EQ(ToGsmFriendly("é è à ù ì ò ñ ü ä ö Ç É Ñ Ü Ä Ö Å å ø Ø æ Æ ß", fold),
            "é è à ù ì ò ñ ü ä ö Ç É Ñ Ü Ä Ö Å å ø Ø æ Æ ß");
}

TEST(SmsGsmFriendly, SpacesDashesAndInvisibleCharactersAreNormalized) {
  EXPECT_EQ(ToGsmFriendly("988\u00A0now\u202Fplease\tok"), "988 now please ok");
  EXPECT_EQ(ToGsmFriendly("\uFEFFzero\u200Bwidth\u00ADsoft"), "zerowidthsoft");
  EXPECT_EQ(ToGsmFriendly("a\u2010b\u2011c\u2012d\u2013e\u2014f\u2015g\u2212h"), "a-b-c-d-e-f-g-h");
  EXPECT_EQ(ToGsmFriendly("« Info-Santé » ‹x› `y´ „z‟"), "\" Info-Santé \" 'x' 'y' \"z\"");
}

TEST(SmsGsmFriendly, CombiningAccentsComposeIntoGsmLettersOrFoldAway) {
  EXPECT_EQ(ToGsmFriendly("Sante\u0301 nin\u0303o"), "Santé niño");
  EXPECT_TRUE(IsGsm7(ToGsmFriendly("Sante\u0301")));
  EXPECT_EQ(ToGsmFriendly("a\u0301"), "a\u0301");
  EXPECT_EQ(ToGsmFriendly("a\u0301", {.fold_accents = true}), "a");
}

TEST(SmsGsmFriendly, EverythingElseIsLeftUnchanged) {
  for (std::string_view text :
       {"Need help 🙏", "Привет", "中文", "plain text 988", "bad \xFF bytes \xE2\x82", ""}) {
    EXPECT_EQ(ToGsmFriendly(text), text);
    EXPECT_EQ(ToGsmFriendly(text, {.fold_accents = true}), text);
  }
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
  const std::string text =
      Repeat("word ", 28) + "text CONNEX to 247247 for support, " + Repeat("more ", 10);
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
       {"988", "911", "247247", "1-800-662-4357", "(604) 555-0123", "+1 604 555 0123",
        "1.800.662.4357", "1 800 662 4357", "604-555-0123", "(604)555-0123",
        "1-800-662-HELP (4357)", "1-800-273-TALK"}) {
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
  EXPECT_EQ(SpanTexts("Or text CONNEX to 247247."),
            std::vector<std::string>{"text CONNEX to 247247"});
  EXPECT_EQ(SpanTexts("TEXT home TO 741741"), std::vector<std::string>{"TEXT home TO 741741"});
  EXPECT_EQ(SpanTexts("O texto AYUDA al 741741 hoy"),
            std::vector<std::string>{"texto AYUDA al 741741"});
  EXPECT_EQ(SpanTexts("Textez PARLER au 686868!"),
            std::vector<std::string>{"Textez PARLER au 686868"});
  EXPECT_EQ(SpanTexts("text \"HELLO\" to 1-800-662-4357"),
            std::vector<std::string>{"text \"HELLO\" to 1-800-662-4357"});
  EXPECT_EQ(SpanTexts("Llame o envie texto al 988, 24/7."),
            std::vector<std::string>{"envie texto al 988"});
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
  static const std::vector<std::string> kItems = {
      "988",
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
  static const std::vector<std::string> kSeparators = {" ",  " ",  " ",  " ",    "\n",
                                                       ", ", ". ", "  ", "\r\n", "\n\n"};

  Generated g;
  const std::size_t target = std::uniform_int_distribution<std::size_t>(0, 1200)(rng);
  while (true) {
    const bool item = std::uniform_int_distribution<int>(0, 5)(rng) == 0;
    const auto& pool = item ? kItems : kWords;
    const std::string& piece =
        pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
    const std::string& sep =
        kSeparators[std::uniform_int_distribution<std::size_t>(0, kSeparators.size() - 1)(rng)];
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
      const bool covered = std::any_of(spans.begin(), spans.end(), [&](const Span& s) {
        return s.begin <= item.begin && item.end <= s.end;
      });
      ASSERT_TRUE(covered) << g.text.substr(item.begin, item.end - item.begin)
                           << "\nin: " << g.text;
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
