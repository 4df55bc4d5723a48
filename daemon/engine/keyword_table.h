#pragma once
// The keyword table: intents and their words per language, loaded from
// data/engine/keywords.json (keywords are data, not code).
//
//   auto table = KeywordTable::Parse(json_text);
//   auto tokens = Tokenize("need narcan in BC please");
//   std::vector<bool> used(tokens.size());
//   for (const KeywordHit& h : table->MatchExact(tokens, used)) ...   // naloxone at token 1
//
// Matching: exact words and multi-word phrases on folded tokens (longest
// phrase first), then, for tokens nothing matched, typo tolerance on single
// words: edit distance 1 for keywords of 5+ letters, 2 for 8+ ("nalaxone",
// "tretment"), two adjacent letters swapped for 4-letter ones ("hepl"),
// skipping real words listed in "not_typos". Carrier words (STOP, START...)
// only match as the whole message, never fuzzily; "carrier_fillers" around
// them are ignored ("please stop", "STOP thanks"); "opt_out_phrases" say
// the same in plain words (MatchOptOutPhrase). A phrase listed under
// several languages implies none ("rehab" is English and Spanish).
//
// Thread-safety: immutable after Parse(); concurrent Match() calls are safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "common/text_normalize.h"
#include "daemon/engine/intent.h"
#include "daemon/engine/not_typo_memo.h"

namespace helpline::engine {

struct KeywordHit {
  Intent intent = Intent::kUnknown;
  std::string_view lang;  // "en", "es", "fr", or "*" (implies no language)
  std::size_t first = 0;  // first token
  std::size_t count = 0;  // tokens covered
  bool fuzzy = false;     // matched with a typo
  // The word only names someone or something ("my mom", "fentanyl", "hi"):
  // from a "names_only" group of keywords.json. It is no request on its own
  // when the message says nothing more (MessageEngine::UnderstandText).
  bool names_only = false;
};

class KeywordTable {
 public:
  // InvalidArgument naming the problem if the JSON is not a keyword table.
  static Result<KeywordTable> Parse(std::string_view json);

  // A carrier word (STOP, START, ...) that is the whole message.
  std::optional<KeywordHit> MatchCarrier(const std::vector<Token>& tokens) const;

  // Keywords in the message, in token order, not overlapping, skipping
  // tokens already marked in `used` (and marking the ones it matches).
  // MatchExact finds words and phrases as written; MatchTypos then looks at
  // what is left for misspelled single words. The engine runs region
  // detection in between, so "Kansas" is never read as a typo of a keyword.
  std::vector<KeywordHit> MatchExact(const std::vector<Token>& tokens, std::vector<bool>& used) const;

  // An opt-out (or opt-in) said in plain words inside a short message
  // ("please stop texting me", "ya no me manden mensajes", "arrêtez de
  // m'écrire"): phrases from "opt_out_phrases", never single words, in a
  // message of at most kOptOutMaxTokens tokens, or of at most
  // kOptOutClosingMaxTokens when the phrase closes it (at most
  // kOptOutClosingTail words after it: "this phone is my nephew's, he does
  // not use it, please stop sending these messages"). The caller decides whether
  // the rest of the message asks for something else (then it is not an
  // opt-out). A phrase right after a word of "opt_out_others" "negators"
  // is someone else's doing ("my ex wont stop texting me", "mi ex no deja
  // de escribirme"), unless the message addresses us before it
  // ("addressees": "why wont you stop texting me"). "opt_out_pairs" say it
  // in more words than a list can hold: a verb of ending ("stop", "quit",
  // "no more", "dejen de", "arrêtez") followed, at most the group's "gap"
  // words later, by an object that is our messages or our list ("texts",
  // "mensajes", "textos", "la liste": "stop these texts please", "cancel
  // those messages", "paren de mandarme mensajes", "arrêtez les textos"),
  // with the same rule for someone else's doing; the whole phrase and what
  // is between count as the opt-out.
  std::optional<KeywordHit> MatchOptOutPhrase(const std::vector<Token>& tokens) const;
  // Whether `named` (a names_only keyword hit: "my son", "mi hija", "sa
  // mère") names whose phone the opt-out `phrase` is for, not a request: it
  // starts at most kOptOutObjectReach words after the phrase ("stop texting
  // my son", "arrêtez d'envoyer des textos à ma fille"), or it comes before
  // the phrase right after one of "opt_out_others" "owners" (at most one
  // word between: "this is his mom, stop texting this phone", "soy la mamá",
  // "c'est sa mère"). A relative before the phrase otherwise is its subject
  // ("my son needs to stop texting his dealer": a family request).
  bool NamesTheOptedOut(const std::vector<Token>& tokens, const KeywordHit& phrase, const KeywordHit& named) const;
  static constexpr std::size_t kOptOutObjectReach = 3;
  static constexpr std::size_t kOptOutMaxTokens = 12;
  static constexpr std::size_t kOptOutClosingMaxTokens = 20;
  static constexpr std::size_t kOptOutClosingTail = 3;
  // With a memo (not_typo_memo.h), words it holds are skipped and words
  // found to be no keyword's typo are added: the hits are the same.
  std::vector<KeywordHit> MatchTypos(const std::vector<Token>& tokens, std::vector<bool>& used,
                                     NotTypoMemo* memo = nullptr) const;

  std::size_t size() const { return entries_.size(); }

  // Phrase lists of keywords.json that say how a message asks, not what
  // (all matched on folded tokens, anywhere unless said otherwise):
  // "story_frames": the words are about a story, the news, a show or song,
  //   or schoolwork ("saw on the news", "school project", "un reportage");
  bool TellsAStory(const std::vector<Token>& tokens) const { return Contains(story_frames_, tokens); }
  // "study_frames": the sender asks to learn, with nobody using: a class, a
  //   training, a paper, curiosity ("for my EMT class", "solo curiosidad",
  //   "pour un travail");
  bool AsksToStudy(const std::vector<Token>& tokens) const { return Contains(study_frames_, tokens); }
  // Whether token `at` lies inside a study frame ("nursing student",
  //   "étudiante en soins infirmiers"): the youth word in it names a
  //   course of study, not a young sender asking for youth services.
  bool InStudyFrame(const std::vector<Token>& tokens, std::size_t at) const;
  // "asking_for_a_friend": the idiom for a question one would rather not own
  //   ("asking for a friend", "pregunto por un amigo", "demande pour une
  //   amie"); MarkAskingForAFriend marks its tokens in `used`, so the friend
  //   named in it is no family keyword;
  void MarkAskingForAFriend(const std::vector<Token>& tokens, std::vector<bool>& used) const;
  // "relative_wants": a relative wants a service himself ("now he finally
  //   wants rehab", "quiere ir a rehabilitación", "y veut entrer en
  //   thérapie"): one of "phrases" ends at most kWantsReach words before
  //   token `at`, with no "negators" word just before or after it ("no
  //   quiere", "y veut pas");
  bool RelativeWantsBefore(const std::vector<Token>& tokens, std::size_t at) const;
  static constexpr std::size_t kWantsReach = 3;
  // "gives_back": "phrases" to help others or to thank ("quiero ayudar a
  //   otros", "give back", "merci pour votre aide"); "past_attempts" tell
  //   of a past suicide attempt or past self-harm in words no risk rule
  //   reads ("j'ai fait une tentative l'an passé", "I used to cut in high
  //   school");
  bool GivesBack(const std::vector<Token>& tokens) const { return Contains(gives_back_, tokens); }
  bool TellsOfAnAttempt(const std::vector<Token>& tokens) const { return Contains(past_attempts_, tokens); }
  // "request_markers": the sender asks for something ("where", "the number
  //   for", "necesito", "j'ai besoin");
  bool MakesARequest(const std::vector<Token>& tokens) const { return Contains(request_markers_, tokens); }
  // "question_starts": the message opens as a question ("can", "is it",
  //   "how much", "es", "est-ce que"): only at the first token;
  bool StartsAQuestion(const std::vector<Token>& tokens) const { return StartsAt(question_starts_, tokens, 0); }
  // "relative_as_reason": a relative named as the reason for, or a witness
  //   of, the sender's own change ("get sober for my kids", "por mis hijos",
  //   "my mom cried"): "before" words just before the relative, "after"
  //   words up to three words after it, "own_change" words the change needs.
  bool ReasonBefore(const std::vector<Token>& tokens, std::size_t at) const {
    return at > 0 && StartsAt(reason_before_, tokens, at - 1);
  }
  bool ReactionAfter(const std::vector<Token>& tokens, std::size_t end) const;
  // "relative_as_reason" "presence": a word within four words after token
  //   `end` says where the relative is or that they can hear ("my parents
  //   are home", "mis papás me escuchan"): a circumstance, not a request.
  bool PresenceAfter(const std::vector<Token>& tokens, std::size_t end) const;
  // "persons" "possessive": token `at` is "my", "mis", "mes" (a youth
  //   keyword that names the sender's parents, not the sender).
  bool PossessiveAt(const std::vector<Token>& tokens, std::size_t at) const {
    return StartsAt(possessive_, tokens, at);
  }
  // "thanks": a "words" phrase, then a "for" word, then at most one word
  //   before token `at` ("thanks for the info", "thank you for the info",
  //   "gracias por la información"): the info word is what we are thanked for.
  bool ThankedFor(const std::vector<Token>& tokens, std::size_t at) const;

  // "persons" "people": the words for people ("cousin", "primo", "chum"), as
  // listed (folded); the engine gives them to its risk model
  // (RiskModel::set_person_words).
  const std::vector<std::string>& PeopleWords() const { return people_; }
  // "times_of_day" "words": the words that name a time of day ("tonight",
  // "noche", "soir", "minuit"), folded, one word each; the engine gives them
  // to its risk model, which reads them as evidence only beside a word that
  // is evidence itself (RiskModel::Vocabulary).
  const std::vector<std::string>& TimeWords() const { return times_; }
  // "times_of_day" "anchor": the weight of a word that anchors a time
  // (RiskModel::Vocabulary::time_anchor); none when not given (as shipped:
  // the engine's risk model then reads the times as plain words).
  std::optional<double> TimeAnchor() const { return time_anchor_; }
  // "times_of_day" "cap": RiskModel::Vocabulary::time_cap, when given.
  std::optional<double> TimeCap() const { return time_cap_; }
  bool SaysOwnChange(const std::vector<Token>& tokens) const { return Contains(own_change_, tokens); }
  // Whether an "own_change" word starts at token `at` ("quit", "arrêter"):
  //   quitting is no service a relative wants (RelativeWantsBefore).
  bool OwnChangeAt(const std::vector<Token>& tokens, std::size_t at) const { return StartsAt(own_change_, tokens, at); }
  // "past_markers": the words just before token `at` (six at most) put it
  //   in the sender's past ("i used to cut in high school").
  bool PastBefore(const std::vector<Token>& tokens, std::size_t at) const;
  // "persons": who the words just before token `at` speak for, walking
  //   back at most `words` words (and never before token `floor`): the
  //   first "first" or "third" word found decides ("i need", "quiero",
  //   "j'aimerais": kFirst; "he wants", "him", "quiere", "y veut": kThird);
  //   kNone when neither is. FirstPersonBefore: the sender's own request.
  enum class Person { kNone, kFirst, kThird };
  Person PersonBefore(const std::vector<Token>& tokens, std::size_t at, std::size_t floor = 0,
                      std::size_t words = 4) const;
  bool FirstPersonBefore(const std::vector<Token>& tokens, std::size_t at) const {
    return PersonBefore(tokens, at) == Person::kFirst;
  }
  // "laughter": the message laughs ("lol", "jaja", "mdr").
  bool Laughs(const std::vector<Token>& tokens) const { return Contains(laughter_, tokens); }
  // "joking": the message says it jokes ("marks": "jk", "es broma", "je
  //   niaise"; or laughs: "laughter" above, or one of the "emoji" in the raw
  //   text, "😂") and does not also say it means it ("serious": "for real",
  //   "not joking", "no es broma", "pas une joke").
  bool Jokes(std::string_view raw, const std::vector<Token>& tokens) const;
  // "emergency_calls": the message names an emergency or its services
  //   ("911", "emergency", "ambulance", "emergencia", "urgence").
  bool NamesAnEmergency(const std::vector<Token>& tokens) const { return Contains(emergency_calls_, tokens); }
  // "last_words": the whole message is one of these phrases of giving up or
  //   of an end ("im done", "i give up", "its over", "me rindo", "se acabó",
  //   "c'est fini", "j'abandonne"), nothing before or after.
  bool IsOnlyLastWords(const std::vector<Token>& tokens) const;
  // "sad_farewells": a farewell ("words": "bye", "adiós", "adieu") said with
  //   one of the sad "emoji" found in the raw text ("bye everyone 💔").
  bool SadFarewell(std::string_view raw, const std::vector<Token>& tokens) const;
  // "story_frights": the story frightened the sender ("it scared me", "me
  //   dio miedo", "ça m'a fait peur"): in a story frame, its fear words are
  //   part of the story, like laughter.
  bool FrightOfAStory(const std::vector<Token>& tokens) const { return Contains(story_frights_, tokens); }
  // "figures_of_speech": token `at` is inside one ("mourir de peur",
  //   "scared me to death", "me muero de miedo", "mort de rire"): a phrase
  //   starting at most kFigureReach words before it and running past it.
  //   A crisis word said in one is no request (MessageEngine).
  bool InFigureOfSpeech(const std::vector<Token>& tokens, std::size_t at) const;
  static constexpr std::size_t kFigureReach = 5;
  // "language_of_others": whose language the language keyword at tokens
  //   [first, first + count) names. kSomeoneElse: said of a third person
  //   ("ma mère parle espagnol", "mi abuela solo habla inglés", "where they
  //   speak spanish": a "speak" word at most kSpeakReach words before it
  //   with no other language word between, or its own first word, with a
  //   "persons" "people" word or an "others"
  //   pronoun the nearest person before that word, at most kPersonReach
  //   words back), of a service's staff ("staff": "donde hablan", "qui
  //   parle", unless an "askers" word is just before: "quelqu'un qui parle
  //   français"; the same list holds a language studied: "clases de
  //   inglés"), or for someone ("for" right after it and no "self" word
  //   next, "para mí" only at the end or before a "polite" word; or "for"
  //   at most kForAfter words after it or kForBefore before it followed by
  //   a person: "is there a counselor who speaks French for my wife").
  //   kSender: the nearest person before the "speak" word is a "self" word
  //   ("i speak french", "je parle français"), or, with no "speak" word,
  //   a "self" word is within kSpeakReach words before it ("text me in
  //   spanish"). kSenderLacks: that "self" word with a "not" word between
  //   it and the keyword ("je parle pas anglais", "i dont speak english"),
  //   or, with no one named, a "not" word at most two words before the
  //   "speak" word or between it and the keyword ("no sabemos inglés", "we
  //   cant read spanish", "on comprend pas l'anglais", "je lis mal
  //   l'anglais"), or a "not" word right before a one-word keyword and no
  //   "polite" word after it ("no english", "poco inglés"): a language the
  //   sender does not speak. kMentioned: a
  //   one-word keyword (a language's name) in none of these frames and in
  //   no frame of a request: not after a "speak" word or an "ask" word
  //   ("in", "en", "prefiero"), not before a "polite" word, in a message of
  //   more than kAskOthers other words ("my kid's spanish teacher", "el
  //   inglés de mi hijo es malo"); or one of two languages offered, an
  //   "or" word between them ("puede ser en inglés o español"). kUnsaid:
  //   none of these (the keyword switches, as it always has).
  enum class LanguageOwner { kUnsaid, kSender, kSenderLacks, kSomeoneElse, kMentioned };
  LanguageOwner LanguageOwnerAt(const std::vector<Token>& tokens, std::size_t first, std::size_t count) const;
  static constexpr std::size_t kSpeakReach = 3;
  static constexpr std::size_t kPersonReach = 4;
  static constexpr std::size_t kForAfter = 3;
  static constexpr std::size_t kForBefore = 5;
  static constexpr std::size_t kAskOthers = 2;
  // The language a one-word language keyword names ("spanish", "anglais":
  //   its "lang"), empty for any other word: what a keyword that implies no
  //   language ("only speaks spanish") names.
  std::string_view LanguageOfWord(std::string_view word) const;

 private:
  struct Entry {
    std::vector<std::string> words;  // folded tokens of the phrase
    Intent intent;
    std::string lang;
    bool carrier;
    bool names_only = false;
  };
  std::vector<Entry> entries_;
  // First word -> entries starting with it, longest phrase first.
  std::unordered_map<std::string, std::vector<std::size_t>> by_first_;
  // Single-word, non-carrier keywords of 5+ letters, for typo matching,
  // bucketed by length (a typo changes the length by at most 2).
  std::vector<std::vector<std::size_t>> fuzzy_by_length_;
  // Per entry, the set of letters of its single word (bit per a-z, 0-9 in
  // one bit): an edit changes the set by at most two letters, so a word
  // whose set differs by more than 2 x the allowed edits is skipped before
  // the edit distance is computed.
  std::vector<std::uint32_t> letters_;
  std::unordered_set<std::string> not_typos_;
  // Single 4-letter keywords: typo tolerance is one swap of adjacent letters.
  static constexpr std::size_t kSwapOnlyLength = 4;
  std::vector<std::size_t> swap_only_;
  // Opt-out phrases, by first word (longest first).
  std::vector<Entry> opt_out_;
  std::unordered_map<std::string, std::vector<std::size_t>> opt_out_by_first_;
  // Opt-out pairs: a verb phrase, then an object phrase at most `gap` words later.
  struct OptOutPair {
    Intent intent;
    std::string lang;
    std::size_t gap = 0;
    std::unordered_map<std::string, std::vector<std::vector<std::string>>> verbs, objects;
  };
  std::vector<OptOutPair> opt_out_pairs_;
  static constexpr std::size_t kOptOutMaxGap = 3;
  // Words of politeness that may surround a carrier word ("please", "svp").
  std::unordered_set<std::string> fillers_;
  // Phrases by first word (the phrase lists above).
  using PhraseList = std::unordered_map<std::string, std::vector<std::vector<std::string>>>;
  // The number of tokens of the longest phrase of `list` starting at token i, 0 when none does.
  static std::size_t MatchLength(const PhraseList& list, const std::vector<Token>& tokens, std::size_t i);
  static bool StartsAt(const PhraseList& list, const std::vector<Token>& tokens, std::size_t i);
  static bool Contains(const PhraseList& list, const std::vector<Token>& tokens);
  // Whether a phrase of `list` starting at most kFigureReach words before
  // token `at` runs over it (a figure of speech, a study frame).
  static bool Covers(const PhraseList& list, const std::vector<Token>& tokens, std::size_t at);
  // Whether one of `emoji` (UTF-8) is in the raw text.
  static bool AnyIn(std::string_view raw, const std::vector<std::string>& emoji);
  PhraseList story_frames_, request_markers_, question_starts_, reason_before_, reaction_after_, own_change_,
      past_markers_, laughter_, figures_of_speech_, opt_out_negators_, opt_out_addressees_, opt_out_owners_,
      study_frames_, asking_for_a_friend_, relative_wants_, wants_negators_, gives_back_, past_attempts_,
      story_frights_, first_person_, third_person_, joke_marks_, joke_serious_, presence_, possessive_, thanks_words_,
      thanks_for_, lang_speak_, lang_others_, lang_self_, lang_not_, lang_staff_, lang_askers_, lang_for_, lang_polite_,
      lang_ask_, lang_or_, emergency_calls_, farewell_words_, last_words_;
  // Whether token i is a word for a person ("persons" "people") or an
  // "others" pronoun; whether it is a "self" word.
  bool IsSomeoneElse(const std::vector<Token>& tokens, std::size_t i) const;
  bool IsSelf(const std::vector<Token>& tokens, std::size_t i) const { return StartsAt(lang_self_, tokens, i); }
  // Whether an "askers" phrase ("anyone", "quelqu un") ends at token `at`.
  bool AskerEndsAt(const std::vector<Token>& tokens, std::size_t at) const;
  std::vector<std::string> joke_emoji_;      // as UTF-8, found in the raw text
  std::vector<std::string> farewell_emoji_;  // likewise ("sad_farewells" "emoji")
  std::vector<std::string> people_;          // "persons" "people", folded
  std::vector<std::string> times_;           // "times_of_day" "words", folded
  std::optional<double> time_anchor_;        // "times_of_day" "anchor"
  std::optional<double> time_cap_;           // "times_of_day" "cap"
};

}  // namespace helpline::engine
