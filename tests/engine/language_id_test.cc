#include "daemon/engine/language_id.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace helpline::engine {
namespace {

const LanguageIdentifier& Shipped() {
  static const LanguageIdentifier id = [] {
    std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/data/engine/language.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = LanguageIdentifier::Parse(ss.str());
    if (!parsed.ok()) {
      ADD_FAILURE() << parsed.status().ToString();
      std::abort();
    }
    return std::move(parsed).value();
  }();
  return id;
}

LanguageGuess Guess(std::string_view text) { return Shipped().Identify(text, Tokenize(text)); }
std::string Lang(std::string_view text) { return std::string(Guess(text).lang); }

// Texts as people send them: accents or none, typos, capitals, SMS spelling.
constexpr const char* kEnglish[] = {
    "my friend is not breathing",
    "MY FRIEND IS NOT BREATHING",
    "i think my brother overdosed what do i do",
    "where can i get narcan near me",
    "need narcan in BC please",
    "how do i find a detox in houston",
    "can u help me",
    "pls help my bf wont wake up",
    "im scared i took too many pills",
    "my mom is using again and i dont know what to do",
    "is there a free rehab near 90210",
    "i want to quit drinking",
    "hey is anyone there",
    "what is naloxone",
    "where do i get fentanyl test strips",
    "I relapsed last night",
    "my son is addicted to meth",
    "ive been clean 30 days but im struggling",
    "idk what to do rn",
    "can someone talk to me",
    "i dont want to live anymore",
    "hes turning blue",
    "she's not responding",
    "need help asap",
    "how do i use narcan",
    "where is the nearest needle exchange",
    "u there?",
    "plz help my friend od'd",
    "overdose at my house",
    "my husband drank too much and passed out",
    "is it safe to mix xanax and alcohol",
    "can you send me treatment options in toronto",
    "whats the number for the crisis line",
    "thank you so much",
    "I need a counselor",
    "my daughter is shooting heroin",
    "looking for suboxone doctor",
    "i cant stop using",
    "He took something and won't wake up",
    "Thx for the info",
    "i'm feeling really depressed",
    "Where can I get free naloxone kits in Vancouver?",
    "someone overdosed in the bathroom at work",
    "my girlfriend is having a seizure after taking pills",
    "we need an ambulance",
    "help me please",
    "my roommate is dope sick what can i do",
    "how much does rehab cost",
    "does insurance cover detox",
    "im in montreal and need help",
    "is there a meeting tonight",
    "wya i need to talk",
    "my cousin od on fent",
    "Please help, my dad is unresponsive",
    "i keep thinking about killing myself",
    "Withdrawals are killing me",
    "where can i get clean needles in seattle",
    "Can I text this number for help?",
    "how do i help a friend who is using",
    "HELP MY FRIEND IS OVERDOSING",
    "my bro took a perc and hes not waking up",
    "hi i need help with my addiction",
    "where r u located",
    "i need help with my drinking problem",
    "not breathing!!!",
    "pleaseeee helpppp",
    "hes not breathng",
    "frend overdosed at my place, what do i do??",
    "ma friend is nt breathing",
    "my sister took a bunch of pills",
};

// Spanish, including Spanglish ("mi amigo no despierta help" is Spanish).
constexpr const char* kSpanish[] = {
    "mi amigo no despierta help",
    "ayuda por favor mi hermano no respira",
    "AYUDA MI AMIGO NO RESPIRA",
    "necesito ayuda",
    "nesesito ayuda urgente",
    "donde consigo naloxona",
    "dónde puedo conseguir narcan en Los Angeles",
    "mi hijo tomó muchas pastillas",
    "¿Hay un centro de tratamiento cerca?",
    "¡Ayúdame!",
    "q hago mi novio no reacciona",
    "xq no contestan",
    "mi esposo esta usando drogas otra vez",
    "tengo miedo",
    "no puedo dejar de tomar",
    "quiero dejar las drogas",
    "mi mamá tiene una adicción al alcohol",
    "necesito hablar con alguien",
    "me quiero morir",
    "ya no quiero vivir",
    "porfa ayudenme",
    "mi amiga esta morada y no respira",
    "hola necesito informacion sobre tratamiento",
    "hay alguien ahí",
    "cómo uso el narcan",
    "donde hay un detox en houston",
    "mi primo se desmayó",
    "estoy en el paso y necesito ayuda",
    "my amigo took fentanyl y no despierta",
    "mi friend no responde",
    "ayuda mi bro overdosed",
    "tmb necesito ayuda pa mi hermano",
    "gracias por la info",
    "mi hija se inyecta heroina",
    "Estoy muy deprimido",
    "no se que hacer",
    "ayudaaa",
    "Mi papá está borracho y se cayó",
    "dónde consigo tiras para detectar fentanilo",
    "necesito un doctor",
    "tengo ansiedad y no puedo dormir",
    "necesito rehab para mi hijo",
    "que onda, necesito ayuda",
    "mi novia tomo muchas pastillas y no despierta",
    "POR FAVOR AYUDA",
    "hay tratamiento gratis en texas?",
    "quiero hablar con alguien en español",
    "mi esposa no responde, está fría",
    "Estoy pensando en suicidarme",
    "mi hermano esta en sobredosis",
    "Hola, ¿me pueden ayudar?",
    "k onda wey necesito ayuda",
    "ayuda urgente",
    "no respira",
    "Tengo un amigo que usa fentanilo",
    "llamen a una ambulancia",
    "mi hijo esta drogado y no se despierta",
    "necesito narcan",
    "mija no responde help",
    "la policía me va a arrestar si llamo al 911?",
    "donde puedo encontrar ayuda para mi adiccion",
    "ella no despierta",
    "toy solo y tengo miedo",
    "Hola",
    "gracias",
    "AYUDENME MI HIJO NO RESPIRA",
    "nesesito narcan para mi sobrino",
    "mi tio esta tirado en el baño",
    "porfavor alguien",
    "sí",
};

// French, with Quebec colloquial forms and SMS spelling.
constexpr const char* kFrench[] = {
    "mon ami respire pas",
    "j'ai besoin d'aide",
    "jai besoin daide",
    "aidez-moi svp",
    "AIDE MOI MON CHUM RESPIRE PLUS",
    "chu pu capable",
    "mon chum a pris trop de pilules pis y se réveille pas",
    "y'é pas correct, il respire pas",
    "où trouver de la naloxone à Montréal",
    "ou trouver naloxone montreal",
    "je veux arrêter de consommer",
    "ma blonde fait une surdose",
    "c'est urgent",
    "jsp quoi faire",
    "stp aide moi",
    "est-ce qu'il y a une désintox près de chez moi",
    "je me sens pas bien",
    "j'ai peur",
    "mon frère consomme du fentanyl",
    "il faut appeler le 911?",
    "tsé, j'en peux pus",
    "faque je fais quoi",
    "pantoute, ça va pas",
    "j'suis tanné de vivre",
    "je veux mourir",
    "mon fils est accro à la drogue",
    "y a tu quelqu'un",
    "bonjour j'ai besoin d'aide pour ma fille",
    "quel est le numéro pour parler à quelqu'un",
    "ma mère boit trop",
    "mon ami est bleu",
    "icitte à Québec y'a pas de services",
    "chui gelé ben raide",
    "svp répondez",
    "merci beaucoup",
    "c quoi le numero",
    "mon coloc a fait une overdose",
    "elle répond pas",
    "il est inconscient",
    "je suis seul et j'ai peur",
    "je cherche un traitement",
    "ya personne qui m'écoute",
    "JE SUIS EN SURDOSE",
    "qqn peut m'aider",
    "mon chum fait une od",
    "pis là il bouge pas",
    "je pense que mon ami fait une surdose",
    "c'est pour mon frère",
    "as-tu de l'info sur la naloxone",
    "ma soeur se drogue",
    "kestu fais quand quelqu'un respire pas",
    "je sais pas quoi faire",
    "j'ai rechuté",
    "bonjour",
    "aide",
    "besoin aide",
    "au secours",
    "ça va pas pantoute",
    "J'AI BESOIN DE NALOXONE",
    "je bois trop depuis que je suis seule",
    "mon père est mort d'une surdose et jsuis pas bien",
    "il a fumé du crack pis il capote",
    "tabarnak il respire pu",
    "on est à Trois-Rivières, mon ami est en overdose",
    "c'est où la clinique",
    "MON AMI RESPIRE PAS VITE",
    "jai besoin de narcan",
    "mon chum respire pu, faque jfais quoi",
    "chu toute seule icitte",
    "non",
};

// Too short or too shared to say anything: the engine keeps the remembered
// or default language.
constexpr const char* kUnsure[] = {
    "help", "BC", "90210", "naloxone", "ok", "hi", "narcan", "fentanyl", "Montréal", "Québec", "no", "911",
    "V6B 1A1", "?", "", "😢", "...", "Los Angeles", "Las Vegas", "El Paso", "Toronto", "detox", "info", "OK OK",
    "help help help", "NARCAN BC", "naloxone 90210", "Trois-Rivières", "xanax", "me", "si", "sos", "a", "la", "k",
    "HELP!!!", "narcan?", "fentanyl 911", "Sept-Îles", "San Antonio TX", "!!!", "STOP", "H3Z 2Y7", "+1 604 555 0123",
};

TEST(LanguageIdentifier, ShippedTableParses) {
  EXPECT_GT(Shipped().size(), 1000u);
  EXPECT_EQ(Shipped().languages(), (std::vector<std::string>{"en", "es", "fr"}));
}

TEST(LanguageIdentifier, RecognisesEnglishAsPeopleTextIt) {
  EXPECT_GE(std::size(kEnglish), 60u);
  for (const char* text : kEnglish) EXPECT_EQ(Lang(text), "en") << text;
}

TEST(LanguageIdentifier, RecognisesSpanishAndSpanglish) {
  EXPECT_GE(std::size(kSpanish), 60u);
  for (const char* text : kSpanish) EXPECT_EQ(Lang(text), "es") << text;
}

TEST(LanguageIdentifier, RecognisesFrenchAndQuebecFrench) {
  EXPECT_GE(std::size(kFrench), 60u);
  for (const char* text : kFrench) EXPECT_EQ(Lang(text), "fr") << text;
}

TEST(LanguageIdentifier, IsUnsureOfShortOrSharedTexts) {
  EXPECT_GE(std::size(kUnsure), 30u);
  for (const char* text : kUnsure) {
    const LanguageGuess g = Guess(text);
    EXPECT_EQ(g.lang, "") << text;
    EXPECT_EQ(g.confidence, 0) << text;
  }
}

}  // namespace
}  // namespace helpline::engine
