#include "daemon/engine/keyword_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/engine/not_typo_memo.h"

namespace helpline::engine {
namespace {

const KeywordTable& Table() {
  static const KeywordTable table = [] {
    std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/data/engine/keywords.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto t = KeywordTable::Parse(ss.str());
    if (!t.ok()) {
      ADD_FAILURE() << t.status().ToString();
      std::abort();
    }
    return std::move(t).value();
  }();
  return table;
}

std::vector<KeywordHit> All(std::string_view text) {
  auto tokens = Tokenize(text);
  std::vector<bool> used(tokens.size());
  auto hits = Table().MatchExact(tokens, used);
  for (auto& h : Table().MatchTypos(tokens, used)) hits.push_back(h);
  return hits;
}

Intent First(std::string_view text) {
  auto hits = All(text);
  return hits.empty() ? Intent::kUnknown : hits.front().intent;
}

TEST(KeywordTable, ShippedTableParses) { EXPECT_GT(Table().size(), 300u); }

TEST(KeywordTable, CarrierWordsOnlyMatchAsTheWholeMessage) {
  EXPECT_EQ(Table().MatchCarrier(Tokenize("STOP"))->intent, Intent::kStop);
  EXPECT_EQ(Table().MatchCarrier(Tokenize("Stop."))->intent, Intent::kStop);
  EXPECT_EQ(Table().MatchCarrier(Tokenize("unsubscribe"))->intent, Intent::kStop);
  EXPECT_EQ(Table().MatchCarrier(Tokenize("ARRÊT"))->intent, Intent::kStop);
  EXPECT_EQ(Table().MatchCarrier(Tokenize("start"))->intent, Intent::kStart);
  EXPECT_EQ(Table().MatchCarrier(Tokenize("UNSTOP"))->intent, Intent::kStart);
  EXPECT_FALSE(Table().MatchCarrier(Tokenize("I want to quit drugs")));
  EXPECT_FALSE(Table().MatchCarrier(Tokenize("how do I stop using")));
  EXPECT_FALSE(Table().MatchCarrier(Tokenize("stp")));  // no typos for carrier words
  EXPECT_NE(First("I want to quit drugs"), Intent::kStop);
}

TEST(KeywordTable, FindsKeywordsInsideSentencesAndPhrasesFirst) {
  EXPECT_EQ(First("need narcan in BC please"), Intent::kNaloxone);
  EXPECT_EQ(First("my friend is not breathing"), Intent::kFamily);  // family, then overdose
  auto hits = All("my friend is not breathing");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[1].intent, Intent::kOverdose);
  EXPECT_EQ(hits[1].count, 2u);
  EXPECT_EQ(First("harm reduction supplies"), Intent::kHarm);
}

TEST(KeywordTable, ToleratesTyposByWordLength) {
  EXPECT_EQ(First("nalaxone"), Intent::kNaloxone);
  EXPECT_EQ(First("tretment"), Intent::kTreatment);
  EXPECT_EQ(First("overdoes"), Intent::kOverdose);
  EXPECT_EQ(First("detx"), Intent::kDetox);
  EXPECT_TRUE(All("detax").front().fuzzy);
  EXPECT_EQ(First("south"), Intent::kUnknown) << "a real word is not a typo of youth";
  EXPECT_EQ(First("xyzzy"), Intent::kUnknown);
}

TEST(KeywordTable, KeywordsCarryTheirLanguage) {
  auto hits = All("AYUDA");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].intent, Intent::kHelp);
  EXPECT_EQ(hits[0].lang, "es");
  EXPECT_EQ(All("aide")[0].lang, "fr");
  EXPECT_EQ(All("narcan")[0].lang, "*");
  EXPECT_EQ(All("ESPAÑOL")[0].intent, Intent::kLanguage);
  EXPECT_EQ(All("ESPAÑOL")[0].lang, "es");
  EXPECT_EQ(All("sobredosis")[0].intent, Intent::kOverdose);
  EXPECT_EQ(All("surdose")[0].lang, "fr");
}

TEST(KeywordTable, RejectsMalformedTables) {
  EXPECT_FALSE(KeywordTable::Parse("nope").ok());
  EXPECT_FALSE(KeywordTable::Parse(R"({"intents": [{"intent": "dance", "words": ["x"]}]})").ok());
  EXPECT_FALSE(KeywordTable::Parse(R"({"intents": [{"intent": "help", "words": ["!!!"]}]})").ok());
  EXPECT_TRUE(KeywordTable::Parse(R"({"intents": [{"intent": "help", "words": ["help"]}]})").ok());
  // The phrase lists: arrays of phrases with letters; relative_as_reason names its three lists.
  const std::string intents = R"("intents": [{"intent": "help", "words": ["help"]}])";
  EXPECT_FALSE(KeywordTable::Parse("{" + intents + R"(, "story_frames": "news"})").ok());
  EXPECT_FALSE(KeywordTable::Parse("{" + intents + R"(, "request_markers": ["?!"]})").ok());
  EXPECT_FALSE(KeywordTable::Parse("{" + intents + R"(, "relative_as_reason": {"before": ["for"]}})").ok());
  EXPECT_TRUE(KeywordTable::Parse("{" + intents + R"(, "story_frames": ["the news"], "laughter": ["lol"]})").ok());
}

TEST(KeywordTable, NamesOnlyWordsAreMarked) {
  struct Case {
    const char* text;
    Intent intent;
    bool names_only;
  };
  const Case cases[] = {
      // A relative, a drug, a greeting: names only; a typo keeps the mark of its word.
      {"my mom", Intent::kFamily, true},
      {"fentanyl", Intent::kTreatment, true},
      {"fentanil", Intent::kTreatment, true},
      {"hey", Intent::kHelp, true},
      // A request: not.
      {"worried about my son", Intent::kFamily, false},
      {"rehab", Intent::kTreatment, false},
      {"help", Intent::kHelp, false},
  };
  for (const Case& c : cases) {
    const auto hits = All(c.text);
    auto it = std::find_if(hits.begin(), hits.end(), [&](const KeywordHit& h) { return h.intent == c.intent; });
    ASSERT_NE(it, hits.end()) << c.text;
    EXPECT_EQ(it->names_only, c.names_only) << c.text;
  }
}

TEST(KeywordTable, PhraseListsSayHowAMessageAsks) {
  const KeywordTable& t = Table();
  EXPECT_TRUE(t.TellsAStory(Tokenize("saw on the news that overdoses went down")));
  EXPECT_TRUE(t.TellsAStory(Tokenize("c'est pour un travail d'école")));
  EXPECT_FALSE(t.TellsAStory(Tokenize("i need rehab")));
  EXPECT_TRUE(t.MakesARequest(Tokenize("whats the number for rehab")));
  EXPECT_TRUE(t.MakesARequest(Tokenize("donde hay tratamiento")));
  // "where" and "donde" as relative words ("the episode where", "la novela donde") ask for nothing.
  EXPECT_FALSE(t.MakesARequest(Tokenize("the episode where he ODs")));
  EXPECT_FALSE(t.MakesARequest(Tokenize("la novela donde se toma las pastillas")));
  EXPECT_TRUE(t.StartsAQuestion(Tokenize("can molly make you overheat")));
  EXPECT_TRUE(t.StartsAQuestion(Tokenize("est-ce que le speed c'est fort")));
  EXPECT_FALSE(t.StartsAQuestion(Tokenize("i wonder can molly do that")));  // only at the first word
  const auto kids = Tokenize("i want to get sober for my kids");
  EXPECT_TRUE(t.SaysOwnChange(kids));
  EXPECT_TRUE(t.ReasonBefore(kids, 6));   // "for" before "my kids"
  EXPECT_FALSE(t.ReasonBefore(kids, 0));  // nothing before the first word
  const auto mom = Tokenize("one year sober today and my mom cried");
  EXPECT_TRUE(t.ReactionAfter(mom, 7));
  const auto school = Tokenize("i used to cut in high school");
  EXPECT_TRUE(t.PastBefore(school, 5));
  EXPECT_FALSE(t.PastBefore(Tokenize("im in high school"), 2));
  EXPECT_TRUE(t.Laughs(Tokenize("that show is brutal lol")));
}

TEST(KeywordTable, ReadsAJokeUnlessItIsMeant) {
  const KeywordTable& t = Table();
  auto jokes = [&](std::string_view raw) { return t.Jokes(raw, Tokenize(raw)); };
  EXPECT_TRUE(jokes("this homework is killing me lol"));  // laughter
  EXPECT_TRUE(jokes("gonna jump off the roof jk"));       // a mark
  EXPECT_TRUE(jokes("me quiero morir es broma"));
  EXPECT_TRUE(jokes("ce cours va me tuer je niaise"));
  EXPECT_TRUE(jokes("mondays make me want to die \xF0\x9F\x98\x82"));  // 😂 in the raw text
  EXPECT_FALSE(jokes("mondays make me want to die"));
  EXPECT_FALSE(jokes("lol i want to die fr"));  // says it means it
  EXPECT_FALSE(jokes("haha im not joking i want to die"));
  EXPECT_FALSE(jokes("me quiero morir jaja no es broma"));
  EXPECT_FALSE(jokes("je veux mourir mdr pour vrai"));
  EXPECT_FALSE(jokes("i want to die \xF0\x9F\x92\x80"));  // 💀 alone is no laughter
}

TEST(KeywordTable, FindsWordsInsideAFigureOfSpeech) {
  const KeywordTable& t = Table();
  const auto fright = Tokenize("j'ai failli mourir de peur quand le chien a jappé");  // jai failli mourir de peur...
  EXPECT_TRUE(t.InFigureOfSpeech(fright, 4));                                         // "peur"
  EXPECT_TRUE(t.InFigureOfSpeech(fright, 2));                                         // "mourir", its first word
  EXPECT_FALSE(t.InFigureOfSpeech(fright, 1));                                        // "failli", before it
  EXPECT_FALSE(t.InFigureOfSpeech(fright, 6));                                        // "le", after it
  EXPECT_TRUE(t.InFigureOfSpeech(Tokenize("you scared me to death lol"), 1));
  EXPECT_TRUE(t.InFigureOfSpeech(Tokenize("casi me muero de miedo"), 4));
  EXPECT_FALSE(t.InFigureOfSpeech(Tokenize("j'ai peur tout le temps"), 1));
  EXPECT_FALSE(t.InFigureOfSpeech(Tokenize("im so scared"), 2));
  EXPECT_FALSE(t.InFigureOfSpeech(Tokenize("mort"), 3)) << "past the end";
}

TEST(KeywordTable, NamesAnEmergencyOrItsServices) {
  const KeywordTable& t = Table();
  // Anywhere in the message: how short it must be is the engine's rule.
  for (const char* text :
       {"911??", "9-1-1", "EMERGENCY", "need an ambulance", "paramedics pls", "emergencia", "ambulancia por favor",
        "c'est une urgence", "une ambulance svp", "urgent", "the 911 line was busy"}) {
    EXPECT_TRUE(t.NamesAnEmergency(Tokenize(text))) << text;
  }
  for (const char* text : {"help", "where is detox", "ayuda", "aide svp", "i need narcan", "urgently", "9 11"}) {
    EXPECT_FALSE(t.NamesAnEmergency(Tokenize(text))) << text;
  }
}

TEST(KeywordTable, ReadsOnlyLastWordsAsTheWholeMessage) {
  const KeywordTable& t = Table();
  for (const char* text : {"im done", "I'm done.", "i give up", "ITS OVER", "me rindo", "se acabó", "c'est fini",
                           "j'abandonne", "hasta aquí"}) {
    EXPECT_TRUE(t.IsOnlyLastWords(Tokenize(text))) << text;
  }
  // A word before or after, or a phrase of the list inside a longer one.
  for (const char* text : {"", "done", "im done thanks", "thanks im done", "its over we won", "c'est fini le hockey",
                           "se acabó la leche", "no more texts please"}) {
    EXPECT_FALSE(t.IsOnlyLastWords(Tokenize(text))) << text;
  }
}

TEST(KeywordTable, ReadsAFarewellWithASadEmoji) {
  const KeywordTable& t = Table();
  for (const char* text : {"bye everyone 💔", "goodbye 🥀", "adiós a todos 😢", "adieu 😔", "salut tout le monde 😭"}) {
    EXPECT_TRUE(t.SadFarewell(text, Tokenize(text))) << text;
  }
  for (const char* text : {"bye everyone", "bye see u tmrw ❤️", "im so sad 💔", "goodbye 😂", "byebye"}) {
    EXPECT_FALSE(t.SadFarewell(text, Tokenize(text))) << text;
  }
}

TEST(KeywordTable, FindsAStudentWordInsideACourseOfStudy) {
  const KeywordTable& t = Table();
  const auto nurse = Tokenize("je suis étudiante en soins infirmiers, c'est quoi le fentanyl");
  EXPECT_TRUE(t.InStudyFrame(nurse, 2));   // "etudiante", the frame's first word
  EXPECT_TRUE(t.InStudyFrame(nurse, 4));   // "soins", inside it
  EXPECT_FALSE(t.InStudyFrame(nurse, 1));  // "suis", before it
  EXPECT_FALSE(t.InStudyFrame(nurse, 7));  // "cest", after it
  EXPECT_TRUE(t.InStudyFrame(Tokenize("nursing student here"), 1));
  EXPECT_FALSE(t.InStudyFrame(Tokenize("je suis étudiant au cégep"), 2));  // a student, no course named
  EXPECT_FALSE(t.InStudyFrame(Tokenize("étudiante"), 4)) << "past the end";
}

}  // namespace
}  // namespace helpline::engine

namespace helpline::engine {
namespace {

std::optional<KeywordHit> Carrier(std::string_view text) { return Table().MatchCarrier(Tokenize(text)); }
std::optional<KeywordHit> OptOut(std::string_view text) { return Table().MatchOptOutPhrase(Tokenize(text)); }

TEST(KeywordTable, PolitenessAroundACarrierWordIsIgnored) {
  for (const char* text : {"please stop", "STOP thank you", "stop pls", "svp arretez", "ok stop", "baja por favor"}) {
    auto hit = Carrier(text);
    ASSERT_TRUE(hit.has_value()) << text;
    EXPECT_EQ(hit->intent, Intent::kStop) << text;
  }
  EXPECT_FALSE(Carrier("please").has_value()) << "fillers alone are not a carrier word";
  EXPECT_FALSE(Carrier("please stop using").has_value()) << "a sentence with a carrier word in it is not one";
}

TEST(KeywordTable, PlainWordOptOutsAreFoundInShortMessagesOnly) {
  for (const char* text :
       {"please stop texting me", "don't text this number again", "I want to opt out", "ya no me manden mensajes",
        "no me escriban mas", "arrêtez de m'écrire", "enlevez mon numéro de votre liste", "textez-moi pus"}) {
    auto hit = OptOut(text);
    ASSERT_TRUE(hit.has_value()) << text;
    EXPECT_EQ(hit->intent, Intent::kStop) << text;
  }
  for (const char* text : {"resubscribe me please", "quiero volver a recibir mensajes", "réabonnez-moi svp"}) {
    auto hit = OptOut(text);
    if (!hit) hit = Carrier(text);
    ASSERT_TRUE(hit.has_value()) << text;
    EXPECT_EQ(hit->intent, Intent::kStart) << text;
  }
  EXPECT_FALSE(OptOut("my son keeps asking me to stop texting his friends who sell him pills every single night "
                      "and i do not know what to do anymore")
                   .has_value())
      << "a long message is a story, not an opt-out";
  EXPECT_FALSE(OptOut("stop").has_value()) << "single words are carrier words, matched only as the whole message";
}

TEST(KeywordTable, AnOptOutPhraseAfterANegatorIsSomeoneElsesDoing) {
  // Someone else who will not stop is no opt-out of ours...
  for (const char* text :
       {"my ex wont stop texting me", "my ex won't stop messaging me, what do i do", "he never stop texting me",
        "please dont stop texting me", "mi ex no deja de escribirme", "mi novio nunca deja de mandarme mensajes"}) {
    EXPECT_FALSE(OptOut(text).has_value()) << text;
  }
  // ...unless we are the ones addressed before it.
  for (const char* text : {"why wont you stop texting me", "you guys wont stop texting me, stop texting me",
                           "stop texting me", "no me manden mensajes", "ya no me manden mensajes"}) {
    auto hit = OptOut(text);
    ASSERT_TRUE(hit.has_value()) << text;
    EXPECT_EQ(hit->intent, Intent::kStop) << text;
  }
}

TEST(KeywordTable, AVerbOfEndingThenOurMessagesIsAnOptOut) {
  // opt_out_pairs: a verb of ending, then (a few words later at most) our
  // messages or our list; the hit covers both and what is between.
  for (const char* text :
       {"stop these texts please", "enough with the texts", "cancel those messages", "i want off this list",
        "paren de mandarme mensajes", "ya basta de mensajes", "no me textees mas", "no quiero que me escriban",
        "arrêtez les textos", "cessez de m'écrire", "je veux pus de messages", "m'envoyez plus rien"}) {
    auto hit = OptOut(text);
    ASSERT_TRUE(hit.has_value()) << text;
    EXPECT_EQ(hit->intent, Intent::kStop) << text;
  }
  auto hit = OptOut("enough with the texts");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->first, 0u);
  EXPECT_EQ(hit->count, 4u) << "the verb, the words between and the object";
  // Too far apart, someone else's messages, or no messages of ours at all.
  for (const char* text : {"stop, my friend always texts me", "i cant stop texting my ex", "how do i stop the cravings",
                           "ya no me manda mensajes mi novio", "no quiero escribir mucho", "je veux plus rien",
                           "je veux plus voir ses messages"}) {
    EXPECT_FALSE(OptOut(text).has_value()) << text;
  }
}

TEST(KeywordTable, ARelativeAfterAnOptOutOrAfterItsOwnerNamesWhosePhoneItIs) {
  const KeywordTable& t = Table();
  const auto names = [&](std::string_view text) {
    const std::vector<Token> tokens = Tokenize(text);
    const auto phrase = t.MatchOptOutPhrase(tokens);
    EXPECT_TRUE(phrase.has_value()) << text;
    if (!phrase) return false;
    std::vector<bool> used(tokens.size(), false);
    for (std::size_t k = 0; k < phrase->count; ++k) used[phrase->first + k] = true;
    for (const KeywordHit& h : t.MatchExact(tokens, used)) {
      if (h.intent == Intent::kFamily) return t.NamesTheOptedOut(tokens, *phrase, h);
    }
    ADD_FAILURE() << "no relative in " << text;
    return false;
  };
  EXPECT_TRUE(names("stop texting my son"));
  EXPECT_TRUE(names("arrêtez de texter mon fils"));
  EXPECT_TRUE(names("soy la mamá, no vuelvan a escribir a este número"));
  EXPECT_TRUE(names("c'est sa mère, arrêtez d'écrire à ce numéro"));
  EXPECT_TRUE(names("this is his mom, stop texting this phone")) << "an owner of two words, a possessive between";
  EXPECT_FALSE(names("my son needs to stop texting his dealer")) << "the relative is the phrase's subject";
  EXPECT_FALSE(names("stop texting, so tired of it and my son is asleep")) << "too far after the phrase";
}

TEST(KeywordTable, ALongerMessageOptsOutOnlyWhenThePhraseClosesIt) {
  // 16 words: past the short-message limit, but the opt-out is its close.
  auto closing = OptOut("this is not my phone, it belongs to my nephew, please stop sending these messages");
  ASSERT_TRUE(closing.has_value());
  EXPECT_EQ(closing->intent, Intent::kStop);
  EXPECT_TRUE(OptOut("este teléfono es de mi hijo, él ya no lo usa, por favor dejen de mandar mensajes").has_value());
  // The same length with the phrase in the middle is a story.
  EXPECT_FALSE(
      OptOut("i told him to stop texting me and now he sends pictures of his new place every day").has_value());
}

TEST(KeywordTable, OptOutPairsAreForStopWithABoundedGap) {
  auto start = KeywordTable::Parse(
      R"({"intents": [], "opt_out_pairs": [{"intent": "start", "verbs": ["send"], "objects": ["texts"]}]})");
  ASSERT_FALSE(start.ok());
  EXPECT_NE(start.status().message().find("opt-out pairs are for stop"), std::string::npos);
  auto wide = KeywordTable::Parse(
      R"({"intents": [], "opt_out_pairs": [{"intent": "stop", "gap": 9, "verbs": ["stop"], "objects": ["texts"]}]})");
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.status().message().find("/gap"), std::string::npos) << wide.status().ToString();
  auto bare = KeywordTable::Parse(R"({"intents": [], "opt_out_pairs": [{"intent": "stop", "verbs": ["stop"]}]})");
  EXPECT_FALSE(bare.ok()) << "a pair needs its objects";
}

TEST(KeywordTable, OptOutPhrasesMustHaveTwoWords) {
  auto t = KeywordTable::Parse(R"({"intents": [], "opt_out_phrases": [{"intent": "stop", "words": ["enough"]}]})");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("'enough' is one word"), std::string::npos) << t.status().ToString();
  auto bad = KeywordTable::Parse(R"({"intents": [], "opt_out_phrases": [{"intent": "detox", "words": ["a b"]}]})");
  EXPECT_FALSE(bad.ok());
}

TEST(KeywordTable, AnOptOutPhraseIsNeverAlsoAnOptIn) {
  auto both = KeywordTable::Parse(
      R"({"intents": [], "opt_out_phrases": [{"intent": "stop", "lang": "es", "words": ["dejen de enviarme"]},
                                           {"intent": "start", "lang": "es", "words": ["dejen de enviarme"]}]})");
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("listed for both stop and start"), std::string::npos)
      << both.status().ToString();
  // The shipped phrases: each opt-out phrase opts out, each opt-in opts in.
  EXPECT_EQ(OptOut("remove me from this list")->intent, Intent::kStop);
  EXPECT_EQ(OptOut("dejen de enviarme")->intent, Intent::kStop);
  EXPECT_EQ(OptOut("retirez moi de la liste")->intent, Intent::kStop);
  EXPECT_EQ(OptOut("subscribe me again")->intent, Intent::kStart);
  EXPECT_EQ(OptOut("suscribirme otra vez")->intent, Intent::kStart);
  EXPECT_EQ(OptOut("me reabonner")->intent, Intent::kStart);
}

TEST(KeywordTable, ThanksPresenceAndPossessivesComeFromTheData) {
  // "thanks": a thanks phrase of one or two words, "for", at most one word.
  auto thanks = Tokenize("thanks for the info");
  EXPECT_TRUE(Table().ThankedFor(thanks, 3));
  EXPECT_TRUE(Table().ThankedFor(Tokenize("thank you for info"), 3));
  EXPECT_TRUE(Table().ThankedFor(Tokenize("gracias por la informacion"), 3));
  EXPECT_TRUE(Table().ThankedFor(Tokenize("merci pour les renseignements"), 3));
  EXPECT_FALSE(Table().ThankedFor(Tokenize("thanks can you send the info"), 4)) << "no 'for' before it";
  EXPECT_FALSE(Table().ThankedFor(Tokenize("thanks for all of the info"), 5)) << "two words between";
  EXPECT_FALSE(Table().ThankedFor(Tokenize("looking for info"), 2)) << "'for' without thanks";
  // "presence": within four words after the relative.
  auto home = Tokenize("my parents are home");
  EXPECT_TRUE(Table().PresenceAfter(home, 2));
  EXPECT_TRUE(Table().PresenceAfter(Tokenize("mis papas me escuchan siempre"), 2));
  EXPECT_FALSE(Table().PresenceAfter(Tokenize("my parents drink a lot every night at home"), 2)) << "too far";
  // "possessive" in "persons".
  EXPECT_TRUE(Table().PossessiveAt(Tokenize("mis papas"), 0));
  EXPECT_FALSE(Table().PossessiveAt(Tokenize("los papas"), 0));
  // "people" in "persons": folded, for the risk model.
  const auto& people = Table().PeopleWords();
  for (const char* w : {"cousin", "primo", "chum", "coloc", "frere"}) {
    EXPECT_TRUE(std::binary_search(people.begin(), people.end(), std::string(w))) << w;
  }
  EXPECT_FALSE(std::binary_search(people.begin(), people.end(), std::string("blue")));
  auto two_words = KeywordTable::Parse(R"({"intents": [], "persons": {"people": ["best friend"]}})");
  EXPECT_FALSE(two_words.ok());
  // Parsed from the file, not built in: a table without them has none.
  auto bare = KeywordTable::Parse(R"({"intents": []})");
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_TRUE(bare.value().PeopleWords().empty());
  EXPECT_FALSE(bare.value().ThankedFor(thanks, 3));
  EXPECT_FALSE(bare.value().PresenceAfter(home, 2));
}

// Whose language each language keyword of `text` names, in message order.
std::vector<KeywordTable::LanguageOwner> LanguageOwners(std::string_view text, const KeywordTable& table = Table()) {
  const auto tokens = Tokenize(text);
  std::vector<bool> used(tokens.size());
  auto hits = table.MatchExact(tokens, used);
  for (const KeywordHit& h : table.MatchTypos(tokens, used)) hits.push_back(h);  // "l'anglais" folds to "langlais"
  std::sort(hits.begin(), hits.end(), [](const KeywordHit& a, const KeywordHit& b) { return a.first < b.first; });
  std::vector<KeywordTable::LanguageOwner> owners;
  for (const KeywordHit& h : hits) {
    if (h.intent == Intent::kLanguage) owners.push_back(table.LanguageOwnerAt(tokens, h.first, h.count));
  }
  return owners;
}

TEST(KeywordTable, ALanguageSaidOfAThirdPersonIsTheirs) {
  using O = KeywordTable::LanguageOwner;
  // A relative or a pronoun, then speak, understand, read or only, in the three languages.
  EXPECT_EQ(LanguageOwners("ma mère parle espagnol, est-ce qu'il y a de l'aide en espagnol pour elle?"),
            (std::vector<O>{O::kSomeoneElse, O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("my dad only speaks spanish, is there a detox where they speak spanish").back(),
            O::kSomeoneElse);
  EXPECT_EQ(LanguageOwners("mi abuela solo habla inglés y necesita ayuda"), (std::vector<O>{O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("mon chum comprend juste l'anglais"), (std::vector<O>{O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("mi papa no entiende el ingles"), (std::vector<O>{O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("my grandma speaks only a little english"), (std::vector<O>{O::kSomeoneElse}));
  // A service's staff, but not someone the sender asks for.
  EXPECT_EQ(LanguageOwners("hay un centro donde hablan ingles"), (std::vector<O>{O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("un intervenant qui parle anglais"), (std::vector<O>{O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("y a-t-il quelqu'un qui parle anglais"), (std::vector<O>{O::kUnsaid}));
  EXPECT_EQ(LanguageOwners("is there anyone who speaks spanish"), (std::vector<O>{O::kUnsaid}));
  // For someone, right after or near it.
  EXPECT_EQ(LanguageOwners("is there a counselor who speaks French for my wife"), (std::vector<O>{O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("for my mom, anything in spanish?"), (std::vector<O>{O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("algo en inglés para mi hijo"), (std::vector<O>{O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("español para mí"), (std::vector<O>{O::kUnsaid}));
  EXPECT_EQ(LanguageOwners("español para mí por favor"), (std::vector<O>{O::kUnsaid}));
  EXPECT_EQ(LanguageOwners("english for me please"), (std::vector<O>{O::kUnsaid}));
}

// Every way of saying one does not speak or read a language, in the three
// languages, with or without a pronoun: the language is lacked, not asked for.
TEST(KeywordTable, ALanguageTheSenderCannotReadIsLacked) {
  using O = KeywordTable::LanguageOwner;
  for (const char* text :
       {"no sabemos ingles", "no sé leer inglés", "yo no sé nada de inglés", "no entendemos el inglés", "no leo inglés",
        "casi no leo inglés", "nosotros no hablamos inglés", "on comprend pas l'anglais", "je lis mal l'anglais",
        "on parle pas anglais", "je sais pas lire l'anglais", "we cant read spanish", "i don't know spanish",
        "we don't speak french", "i barely speak spanish", "i speak a little spanish", "no english", "poco inglés",
        "pas anglais, désolé"}) {
    EXPECT_EQ(LanguageOwners(text), (std::vector<O>{O::kSenderLacks})) << text;
  }
  // Someone else's lack stays theirs.
  EXPECT_EQ(LanguageOwners("mi mamá no habla inglés"), (std::vector<O>{O::kSomeoneElse}));
  EXPECT_EQ(LanguageOwners("mi esposo no sabe inglés"), (std::vector<O>{O::kSomeoneElse}));
}

// A language's name inside a sentence that asks for no switch is merely
// mentioned; a request to switch is still one.
TEST(KeywordTable, ALanguageMerelyMentionedIsNoRequest) {
  using O = KeywordTable::LanguageOwner;
  for (const char* text : {"my kid's spanish teacher called me about his drinking", "el inglés de mi hijo es malo",
                           "mi hijo reprobó inglés otra vez y ya no sé qué hacer",
                           "ma fille trouve l'anglais difficile depuis qu'elle consomme",
                           "puede ser en inglés o español", "inglés o francés, lo que sea más rápido"}) {
    const auto owners = LanguageOwners(text);
    ASSERT_FALSE(owners.empty()) << text;
    EXPECT_EQ(owners.front(), O::kMentioned) << text;
  }
  for (const char* text : {"ENGLISH", "spanish please", "no, spanish please", "ingles por favor", "français svp",
                           "espanol?", "can you reply in french", "do you speak english", "prefiero español, gracias",
                           "is there anyone who speaks spanish", "busco a alguien que hable español"}) {
    EXPECT_EQ(LanguageOwners(text), (std::vector<O>{O::kUnsaid})) << text;
  }
}

TEST(KeywordTable, TheSendersOwnLanguageStaysTheirs) {
  using O = KeywordTable::LanguageOwner;
  EXPECT_EQ(LanguageOwners("i speak french"), (std::vector<O>{O::kSender}));
  EXPECT_EQ(LanguageOwners("je parle français"), (std::vector<O>{O::kSender}));
  // A language the sender says they do not speak.
  EXPECT_EQ(LanguageOwners("je parle pas anglais"), (std::vector<O>{O::kSenderLacks}));
  EXPECT_EQ(LanguageOwners("je ne parle pas l'anglais"), (std::vector<O>{O::kSenderLacks}));
  EXPECT_EQ(LanguageOwners("i dont speak english"), (std::vector<O>{O::kSenderLacks}));
  EXPECT_EQ(LanguageOwners("je comprends pas l'anglais"), (std::vector<O>{O::kSenderLacks}));
  EXPECT_EQ(LanguageOwners("no entiendo bien el inglés"), (std::vector<O>{O::kSenderLacks}));
  EXPECT_EQ(LanguageOwners("no, i speak spanish"), (std::vector<O>{O::kSender}));
  EXPECT_EQ(LanguageOwners("i dont speak french, english please"), (std::vector<O>{O::kSenderLacks, O::kUnsaid}));
  EXPECT_EQ(LanguageOwners("can you text me in spanish"), (std::vector<O>{O::kSender}));
  EXPECT_EQ(LanguageOwners("i only speak spanish"), (std::vector<O>{O::kSender}));
  EXPECT_EQ(LanguageOwners("hablo poco inglés"), (std::vector<O>{O::kSender}));
  // Said as a keyword of its own, with no one named: unsaid, and it switches.
  EXPECT_EQ(LanguageOwners("en español por favor"), (std::vector<O>{O::kUnsaid}));
  EXPECT_EQ(LanguageOwners("parlez-vous français?"), (std::vector<O>{O::kUnsaid}));
  EXPECT_EQ(LanguageOwners("puedo escribir en español?"), (std::vector<O>{O::kUnsaid}));
  EXPECT_EQ(LanguageOwners("¿hablan inglés?"), (std::vector<O>{O::kUnsaid}));
  // The words are data: a table without "language_of_others" says nothing of whose it is.
  auto bare = KeywordTable::Parse(
      R"({"intents": [{"intent": "language", "lang": "es", "words": ["spanish"]}],
          "persons": {"possessive": ["my"], "people": ["mom"], "first": ["i"], "third": ["he"]}})");
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_EQ(LanguageOwners("my mom speaks spanish", bare.value()), (std::vector<O>{O::kUnsaid}));
  EXPECT_EQ(bare.value().LanguageOfWord("spanish"), "es");
  EXPECT_EQ(bare.value().LanguageOfWord("mom"), "");
}

TEST(KeywordTable, FourLetterKeywordsForgiveOneSwapOfAdjacentLetters) {
  EXPECT_EQ(First("hepl"), Intent::kHelp);
  EXPECT_EQ(First("txet"), Intent::kText);
  EXPECT_EQ(First("inof"), Intent::kInfo);
  EXPECT_EQ(First("hemp"), Intent::kUnknown) << "a substitution is not forgiven in a short word";
  EXPECT_EQ(First("hel"), Intent::kUnknown);
}

TEST(KeywordTable, AWordListedInSeveralLanguagesImpliesNone) {
  auto t = KeywordTable::Parse(R"({"intents": [
      {"intent": "treatment", "lang": "en", "words": ["rehab", "treatment"]},
      {"intent": "treatment", "lang": "es", "words": ["rehab", "tratamiento"]}]})");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto hits = [&](std::string_view text) {
    auto tokens = Tokenize(text);
    std::vector<bool> used(tokens.size());
    return t->MatchExact(tokens, used);
  };
  EXPECT_EQ(hits("rehab").at(0).lang, "*");
  EXPECT_EQ(hits("tratamiento").at(0).lang, "es");
  EXPECT_EQ(hits("treatment").at(0).lang, "en");
}

// NotTypoMemo (not_typo_memo.h): words MatchTypos found no keyword for.

// The typo hits of `text` (after exact matches), as "intent/first" strings.
std::vector<std::string> Typos(std::string_view text, NotTypoMemo* memo) {
  const auto tokens = Tokenize(text);
  std::vector<bool> used(tokens.size());
  (void)Table().MatchExact(tokens, used);
  std::vector<std::string> out;
  for (const KeywordHit& h : Table().MatchTypos(tokens, used, memo)) {
    out.push_back(std::string(IntentName(h.intent)) + "/" + std::to_string(h.first));
  }
  return out;
}

TEST(NotTypoMemo, RemembersWordsThatAreNoKeywordsTypo) {
  NotTypoMemo memo;
  EXPECT_TRUE(Typos("my quokka ate a giraffe", &memo).empty());
  EXPECT_TRUE(memo.Contains("quokka"));
  EXPECT_TRUE(memo.Contains("giraffe"));
  EXPECT_FALSE(memo.Contains("my"));  // shorter than any typo, never measured
  EXPECT_FALSE(memo.Contains("quokka ate"));
}

TEST(NotTypoMemo, NeverHoldsATypoOfAKeyword) {
  NotTypoMemo memo;
  EXPECT_EQ(Typos("naloxne", &memo), std::vector<std::string>{"naloxone/0"});
  EXPECT_FALSE(memo.Contains("naloxne"));
  EXPECT_EQ(Typos("naloxne", &memo), std::vector<std::string>{"naloxone/0"});
}

TEST(NotTypoMemo, LongWordsAreNotKept) {
  NotTypoMemo memo;
  const std::string word(NotTypoMemo::kMaxWordBytes + 1, 'q');
  memo.Add(word);
  EXPECT_FALSE(memo.Contains(word));
  memo.Add(std::string(NotTypoMemo::kMaxWordBytes, 'q'));
  EXPECT_EQ(memo.size(), 1u);
}

TEST(NotTypoMemo, IsBoundedAndEmptiesWhenFull) {
  NotTypoMemo memo(/*max_words=*/2);
  memo.Add("alpha");
  memo.Add("bravo");
  EXPECT_EQ(memo.size(), 2u);
  memo.Add("charlie");
  EXPECT_EQ(memo.size(), 1u);
  EXPECT_TRUE(memo.Contains("charlie"));
  EXPECT_FALSE(memo.Contains("alpha"));
}

TEST(NotTypoMemo, TheHitsAreTheSameWithAndWithoutIt) {
  // The evaluation set's texts, twice through one small memo (it fills and
  // empties), against no memo at all.
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/tests/engine/eval/messages.tsv");
  std::vector<std::string> texts;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) texts.push_back(line.substr(line.rfind('\t') + 1));
  ASSERT_GT(texts.size(), 1000u);
  texts.push_back("naloxne hepl detxo plese");
  NotTypoMemo memo(/*max_words=*/211);
  std::size_t typos = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& text : texts) {
      const auto plain = Typos(text, nullptr);
      ASSERT_EQ(Typos(text, &memo), plain) << text;
      typos += plain.size();
    }
  }
  EXPECT_GT(typos, 0u);
  EXPECT_GT(memo.size(), 0u);
}

}  // namespace
}  // namespace helpline::engine
