#pragma once
// Which language is a message written in? English, Spanish or French (the
// languages are data: data/engine/language.json), from evidence spread over
// the whole message, or "" when the message does not say.
//
//   auto id = LanguageIdentifier::Parse(json_text);
//   std::string_view text = "mi amigo no despierta help";
//   LanguageGuess g = id->Identify(text, Tokenize(text));
//   // g.lang == "es", g.confidence ~0.75
//   id->Identify("naloxone", Tokenize("naloxone")).lang == ""   // unsure: the caller falls back
//
// Evidence, all from the data file:
//   - words and phrases on folded tokens (Tokenize), each with a weight per
//     language: function words, very common and crisis words, SMS
//     abbreviations, Quebec colloquial forms. A word shared by languages
//     ("no", "de", "que") carries a small or split weight; names of places
//     and drugs are listed as "not evidence" (also for their accents:
//     "Montréal" says nothing about French). The longest phrase starting at
//     a word adds its weights on top of the word's ("no puedo" is more
//     Spanish than "no" and "puedo" apart), except a not-evidence phrase,
//     which hides its words ("Los Angeles", "Trois-Rivières"). Each entry
//     counts once per message, however often it is repeated ("no no no").
//   - for a word no entry knows: the same word with stretched letters
//     squeezed ("pleaseeee" -> "please"), the word after a French elision
//     ("d'aide" -> "aide"), else a telling ending ("-ción", "-ing").
//   - characters of the raw text: "ñ", "¿", "ç", "è"..., and French
//     elisions at the start of a word the table does not know ("qu'",
//     "j'", "c'"; "c'mon" is listed as English). Within one word the
//     strongest cue per language counts once.
//   Digits are never evidence, nor are the tokens the caller flags as not
//   evidence (places the region resolver recognised in this message).
//   LanguageGuess::evidence says whether anything at all spoke for a
//   language, so a caller can tell "no words but a place" ("Sept-Îles",
//   "Chicoutimi?") from "words that lean nowhere" ("im in montreal").
//
// Places: "region_languages" in the data file names the language most
// people write in a region where that is not English (Québec: French;
// Puerto Rico: Spanish). RegionLanguage() reads it; the engine uses it only
// for a message with no evidence at all and no remembered language
// (MessageEngine::UnderstandText, docs/ARCHITECTURE.md). "place_spellings"
// list cities in their Spanish or French form ("nueva orleans", "la
// nouvelle orleans"): PlaceSpellingLanguage() reads them, under the same
// condition, before the region's language.
//
// Decision (the margin rule; numbers from "decision" in the data file,
// shipped values in brackets): each language's evidence is added up and
// multiplied by its "scale" (English 0.7: people who write Spanish or French
// here mix in English words far more often than the other way round, so
// "mi amigo is not breathing ayuda" is Spanish). With s1 the top score and
// s2 the runner-up's, the top language wins when
//   s1 >= min_score (1.5),
//   s1 - s2 >= min_margin (1), and
//   s1 - s2 >= min_lead_share (0.25) * s1 (a long mixed message must lean
//   clearly one way);
// otherwise lang is "". confidence = (s1 - s2) / (s1 + confidence_softness
// (2)), in [0, 1): the same lead on little evidence is less sure than on much.
// One shipped word of weight 2 decides ("ayuda", "bonjour"); an English one
// (2 x 0.7) does not ("what"), and English is the usual default anyway.
// So a text of one to three words is decided by one word of weight 1.5 or
// more that only one language uses ("ya me rindo", "adieu", "jajaja",
// "ganamos": the data lists them, and the endings only Spanish verbs have),
// never by a shared word or a loan ("info", "hospital", "ok"). A language's
// name is evidence of the language it is written in, whichever it names
// ("no sabemos inglés" is Spanish, "je parle pas anglais" French).
//
// Thread-safety: immutable after Parse(); concurrent Identify() calls are
// safe. Identify() does not allocate. LanguageGuess::lang points into the
// identifier: it stays valid while the identifier lives (moves included).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/string_map.h"
#include "common/text_normalize.h"

namespace helpline::engine {

struct LanguageGuess {
  std::string_view lang;  // "en", "es", "fr"...; "" when unsure
  double confidence = 0;  // in [0, 1); 0 when lang is ""
  bool evidence = false;  // some word or character weighed for a language (even when lang is "")
};

class LanguageIdentifier {
 public:
  // At most this many languages in one data file.
  static constexpr std::size_t kMaxLanguages = 8;

  // InvalidArgument naming the problem (and the place in the JSON) when the
  // text is not a language table: malformed JSON, a weight for an unlisted
  // language (or a region language not listed), a negative weight, a word listed twice, a word with no
  // letters, a character cue that is neither one character nor an elision.
  static Result<LanguageIdentifier> Parse(std::string_view json);

  // The language of `raw_utf8`. `tokens` must be Tokenize(raw_utf8) (the
  // character cues are assigned to tokens by walking the raw text the same
  // way); only the first 64 tokens are read. Never fails: any input,
  // including invalid UTF-8, gets a guess. `not_evidence`, when given, has
  // one flag per token: a flagged token is skipped, words and character cues
  // alike (the caller's region resolver found a place there: "Richmond VA",
  // "PHOENIX", "Regina" say nothing about the language the person writes).
  // `exclude`, when given, is a language the text cannot be in (one the
  // sender says they do not speak: "no sabemos inglés"): its score is set
  // to zero before the margin rule, so the text's other languages decide.
  LanguageGuess Identify(std::string_view raw_utf8, const std::vector<Token>& tokens,
                         const std::vector<bool>* not_evidence = nullptr, std::string_view exclude = {}) const;

  // The language most people write in region `code` ("CA-QC" -> "fr") from
  // "region_languages", or "" when the data names none (English regions).
  std::string_view RegionLanguage(std::string_view code) const;

  // The language of a place written in its Spanish or French form
  // ("place_spellings": "nueva orleans" -> "es", "la nouvelle orleans" ->
  // "fr") found in `tokens`, or "" when none is; with `mark`, its tokens
  // (an article included) are marked there, as not evidence for Identify.
  // The engine uses it, like RegionLanguage, only for a message with no
  // other evidence.
  std::string_view PlaceSpellingLanguage(const std::vector<Token>& tokens, std::vector<bool>* mark = nullptr) const;

  // Whether `folded_word` is one of the letters an age is written with in
  // `lang` ("age_letters": English "15 y/o", "17 yo" hold the Spanish words
  // "y", "o" and "yo"): the engine flags them as not evidence inside an age
  // statement of that language (age_statement.h).
  bool IsAgeLetter(std::string_view lang, std::string_view folded_word) const;

  // The languages of the data file, in its order.
  const std::vector<std::string>& languages() const { return languages_; }
  // Words and phrases in the table.
  std::size_t size() const { return entries_.size(); }

 private:
  using Weights = std::array<float, kMaxLanguages>;

  struct Entry {
    std::vector<std::string> words;  // folded tokens of the phrase
    Weights weights{};               // all zero: listed as not evidence
    bool neutral = false;
  };
  struct Ending {
    Weights weights{};
    std::size_t min_stem = 3;  // letters that must come before the ending
  };
  using WordMap = StringMap<std::vector<std::uint32_t>>;
  using EndingMap = StringMap<Ending>;

  // The single-word entry for `word`, or nullptr.
  const Entry* FindWord(std::string_view word) const;
  // Evidence for a word no entry knows (see "for a word no entry knows").
  const Weights* UnknownWordEvidence(std::string_view word, std::size_t elision) const;

  std::vector<std::string> languages_;
  // "region_languages": region code -> language, a handful of rows.
  std::vector<std::pair<std::string, std::string>> region_languages_;
  // "age_letters": language -> the folded letters of its age statements.
  std::vector<std::pair<std::string, std::vector<std::string>>> age_letters_;
  // "place_spellings": folded words of a city's Spanish or French form -> its language.
  std::vector<std::pair<std::vector<std::string>, std::string>> place_spellings_;
  std::vector<Entry> entries_;
  // First word -> entries starting with it, longest phrase first.
  WordMap by_first_;
  EndingMap endings_;
  std::size_t longest_ending_ = 0;
  // Character cues: code point (below U+0180) -> index into cue_weights_ + 1 (0: none).
  std::array<std::uint8_t, 0x180> cue_by_char_{};
  // Elision cues ("qu'", "j'"): the letters before the apostrophe -> weights.
  std::vector<std::pair<std::string, Weights>> elisions_;
  std::vector<Weights> cue_weights_;
  float min_score_ = 1.5f;
  float min_margin_ = 1.0f;
  float min_lead_share_ = 0.25f;
  float confidence_softness_ = 2.0f;
  Weights scale_{1, 1, 1, 1, 1, 1, 1, 1};  // per language, applied to the final score
};

}  // namespace helpline::engine
