// Which intent and language MessageEngine::UnderstandText settles on when a
// message names a relative and asks for something else, uses a word with two
// meanings, or says little more than a place (round 9: the kinds of misses
// blind batches kept showing). The golden corpus holds the same rules as
// whole replies; these tests check the Understanding itself.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "daemon/engine/message_engine.h"
#include "tests/engine/shipped_world.h"

namespace helpline::engine {
namespace {

constexpr std::string_view kUs = "+13125550143";       // Chicago
constexpr std::string_view kFlorida = "+13055550143";  // Miami
constexpr std::string_view kQuebec = "+15145550143";   // Montréal
constexpr std::string_view kDc = "+12025550143";       // Washington DC

Understanding Read(std::string_view from, std::string_view text) {
  return TheShippedWorld().engine->Understand(InboundMessage{.text = text, .from = from});
}

struct Case {
  std::string_view from;
  std::string_view text;
  std::string_view intent;
  bool is = true;  // false: any intent but this one
};
constexpr bool kNot = false;

// Each kind of message with the intent it must get, and look-alikes that must not change.
const Case kCases[] = {
    // A relative only named yields to the sender's own ask for a way to reach someone.
    {kUs, "my friend attempted last month, is there a number she can text", "text"},
    {kUs, "my wife left me, I just need someone to talk to", "crisis"},
    {kUs, "i cant talk on the phone, my roommates can hear. is there somewhere i can text", "text"},
    {kQuebec, "ma blonde m'a laissé pis j'ai besoin de jaser", "crisis"},
    {kFlorida, "mi hijo se fue de la casa, necesito hablar con alguien", "crisis"},
    // Look-alikes: the relative is the one in need, or uses.
    {kUs, "my wife is depressed", "family"},
    {kUs, "my son drinks every night and I need someone to talk to", "family"},
    {kUs, "found needles in my son's backpack, how do I talk to him", "family"},
    {kFlorida, "mi esposo toma todos los días y no acepta que tiene un problema, qué hago yo?", "family"},
    // A detox asked for outright wins over a relative unless the relative is its subject.
    {kUs, "my sister uses pills. where's the closest detox that takes medicaid", "detox"},
    {kQuebec, "mon père boit trop, y a-tu une désintox à Moncton?", "detox"},
    {kUs, "my son is using and needs detox", "family"},
    // A relative who uses is no part of an idiom beside it.
    {kQuebec, "le CH me tue cette année lol. mais sérieux, ma blonde boit tous les soirs pis je sais pus quoi faire",
     "family"},
    {kFlorida, "mi esposo se droga todos los dias y yo ya no se que hacer con los niños", "family"},
    // The relative in the idiom itself is still no family request.
    {kQuebec, "ma mère va me tuer si elle voit mes notes", "family", kNot},
    // Naloxone asked for after the sender's own recovery stays the request.
    {kUs, "I OD'd in March and a stranger narcan'd me. I'm 4 months clean now and want to carry narcan myself",
     "naloxone"},
    {kUs, "my brother overdosed on fentanyl last year and survived. how do i get narcan to keep in the house",
     "naloxone"},
    {kUs, "they hit me with narcan last year, I want to get clean now", "treatment"},
    // Someone's children named beside a relative are no youth request.
    {kUs, "my husband keeps relapsing on heroin and I have 3 kids. where do families like mine get support", "family"},
    {kUs, "my wife relapsed on meth again and the kids are asking questions, i need support for me", "family"},
    {kUs, "is there a program for kids who vape", "youth"},
    // Harm-reduction supplies asked for outright beat a relative only named, unless asked for the relative.
    {kFlorida, "¿tienen tiras para detectar fentanilo? mi amigo va a usar de todas formas", "harm"},
    {kUs, "my friend wants to know where to get clean needles, he's not ready to quit", "harm"},
    {kUs, "where can i get clean needles for my son", "family"},
    // A family phrase is a request of its own beside an idiom.
    {kQuebec, "Je meurs d'envie de partir en vacances. Y a-t-il des services pour les familles de toxicomanes ?",
     "family"},
    {kFlorida, "mi hijo se va a morir de vergüenza si le hablo de drogas pero quiero saber cómo hablarle", "family"},
    // French "chat" after a possessive or "du", or before "qui", is a cat.
    {kQuebec, "mon chat a mangé un comprimé", "unknown"},
    {kQuebec, "t'as vu la vidéo du chat qui tombe dans le bain", "unknown"},
    {kQuebec, "avez-vous un chat en ligne?", "chat"},
    {kUs, "chat", "chat"},
    // A chat asked for outranks texting.
    {kUs, "do you have an online chat? i dont like texting on this phone", "chat"},
    {kFlorida, "hay un chat en linea en español? prefiero escribir", "chat"},
    {kUs, "can i text you instead", "text"},
    // Asking whether anyone is there is a greeting; asking how to stop the texts is an opt-out.
    {kUs, "anyone there?", "help"},
    {kFlorida, "buenas, alguien ahí?", "help"},
    {kQuebec, "y'a quelqu'un?", "help"},
    {kUs, "is anyone there, my son is using again", "family"},
    {kUs, "how do I stop getting your texts", "stop"},
    {kQuebec, "comment on arrête de recevoir vos textos", "stop"},
    {kFlorida, "cómo dejo de recibir sus mensajes", "stop"},
    {kUs, "how do I stop getting cravings", "stop", kNot},
    {kUs, "how do i stop getting your texts, i need detox", "detox"},
};

TEST(IntentRanking, EachMessageGetsTheIntentOfWhatItAsksFor) {
  for (const Case& c : kCases) {
    const std::string got(IntentName(Read(c.from, c.text).intent));
    if (c.is) {
      EXPECT_EQ(got, c.intent) << c.text;
    } else {
      EXPECT_NE(got, c.intent) << c.text;
    }
  }
}

TEST(IntentRanking, APlaceAloneIsReadInTheLanguageOfItsRegionWhenNoWordSpeaks) {
  for (std::string_view place : {"Sept-Îles", "Chicoutimi?", "Rouyn-Noranda"}) {
    const Understanding u = Read(kDc, place);
    EXPECT_EQ(u.stated_region.value_or(""), "CA-QC") << place;
    EXPECT_EQ(u.detected_language, "fr") << place;
    EXPECT_EQ(u.stated_language, "") << place << ": detected, never remembered";
  }
  EXPECT_EQ(Read(kDc, "im in montreal").detected_language, "en") << "English words speak";
  EXPECT_EQ(Read(kDc, "in montreal").detected_language, "") << "an English word leans, too little to decide";
  EXPECT_EQ(Read(kDc, "Moncton").detected_language, "") << "New Brunswick has no region language";
  EXPECT_EQ(Read(kDc, "hay chat?").detected_language, "es");
  EXPECT_EQ(Read(kDc, "vivo en Pilsen").detected_language, "es");
}

}  // namespace
}  // namespace helpline::engine
