#include "daemon/engine/gsm7.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "tests/engine/repeat_text.h"

namespace helpline::engine {
namespace {

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
  for (const Case& c : {Case{"\xFF", 1}, Case{"ab\xC3", 3}, Case{"\xC0\xAF", 2}, Case{"\xED\xA0\x80", 3},
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
  EXPECT_EQ(ToGsmFriendly(text), "Appelez le 811 - c'est gratuit. Ça ne coûte rien, même en français");
  EXPECT_FALSE(IsGsm7(ToGsmFriendly(text)));
  const std::string folded = ToGsmFriendly(text, {.fold_accents = true});
  EXPECT_EQ(folded, "Appelez le 811 - c'est gratuit. Ça ne coute rien, meme en francais");
  EXPECT_TRUE(IsGsm7(folded));
}

TEST(SmsGsmFriendly, FoldingTurnsLettersGsm7LacksIntoTheirBaseLetters) {
  const GsmFriendlyOptions fold{.fold_accents = true};
  EXPECT_EQ(ToGsmFriendly("á â ã ç ê ë í î ï ó ô õ ú û ý ÿ œ", fold), "a a a c e e i i i o o o u u y y oe");
  EXPECT_EQ(ToGsmFriendly("À Á È Ê Ì Í Ò Ó Ù Ú Œ Łódź Šťastný ș", fold), "A A E E I I O O U U OE Lodz Stastny s");
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
  for (std::string_view text : {"Need help 🙏", "Привет", "中文", "plain text 988", "bad \xFF bytes \xE2\x82", ""}) {
    EXPECT_EQ(ToGsmFriendly(text), text);
    EXPECT_EQ(ToGsmFriendly(text, {.fold_accents = true}), text);
  }
}

}  // namespace
}  // namespace helpline::engine
