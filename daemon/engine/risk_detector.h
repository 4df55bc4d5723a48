#pragma once
// Safety signals in a message: an overdose happening now, suicide or
// self-harm risk, or distress without either. The patterns are data
// (data/engine/risk.json), per language (en, es, fr), matched on folded
// tokens; this file only knows how to match them.
//
//   auto risk = RiskDetector::Parse(json_text);               // once, at start
//   RiskAssessment a = risk->Assess(Tokenize("my bf wont wake up his lips are blue"));
//   // a.overdose == true, a.lang == "en", a.rule == "en_blue_body"
//   a = risk->Assess(Tokenize("my brother overdosed last year, how do I help him stay clean"));
//   // a.overdose == false, a.guard == "en_past_after"
//
// The data (see the "description" in risk.json for the full format):
//   * concepts: named word sets. "respir*" matches every word starting with
//     "respir" (respire, respira, respirando); "passed out" is a phrase of
//     consecutive words; "#" matches any number, "##" one of 2+ digits
//     ("took 30 oxys", not "took 2 advil"). A concept may tolerate one
//     typo in its words of 6+ letters ("fuzzy": breathign, unresponsve) and
//     French elisions ("elide": s'réveille, j'veux, m'tuer).
//   * emoji: a term may be an emoji ("💀", "💊", "⚰️"); in the message it is a
//     word of its own (Assess(raw_utf8, tokens)). Which emoji count as
//     evidence of what is decided in the data, with its reasons.
//   * rules: a sequence of concepts (or inline "a|b|c" alternatives, which
//     may name concepts: "@en_want|@en_going|rather") with at most `gap`
//     words between neighbours, optionally in any order, each with a class
//     (overdose, suicide, distress, guard) and a language. The deciding rule
//     of a class is the first in file order, strong rules before guardable.
//   * guards: rules for deliberate non-emergencies that sit next to a
//     safety word: past events ("overdosed last year", "hace dos años"),
//     the self negated ("not suicidal", "pas suicidaire"), questions for
//     information ("what are the signs of an overdose"), training and
//     prevention ("overdose prevention site"), and idioms ("dying to get
//     into rehab"). A guard only silences rules marked "guardable" (a word
//     that names the event without saying it is happening now: "overdosed",
//     "suicidal"), only near it (`reach` words, on the side it names).
//     Strong present-tense signs (not breathing, blue lips, won't wake up,
//     kill myself) are never guardable, so "he overdosed last year and now
//     he's not breathing" is an overdose. A few guards are "strong": a
//     harmless cause or subject right next to the words ("my lips are blue
//     from the cold", "my phone is about to die") silences even those. When in doubt the data flags:
//     a missed overdose costs more than an extra 911 line.
//     A guard is scoped: it silences only rules of its classes ("guards"),
//     of its languages ("langs", default its own "lang"; a "*" rule belongs
//     to every language) and, when it lists them, only the rules it names
//     ("silences": rule ids). So "last year" never hides "se está muriendo",
//     and "from the cold" hides blue lips, not "not breathing".
//
// Matching is linear in the message: each token walks a trie built at
// Parse(), a phrase is looked up by its first two words (so a common first
// word costs one lookup, not one check per phrase), typos are found through
// a deletion index (no edit-distance scan over the vocabulary), and only
// rules whose first concept occurs are tried. No regex, no allocation beyond
// a few small vectors per call: about 1.5 us for a 20-word message
// (RelWithDebInfo, one core).
//
// Thread-safety: immutable after Parse(); concurrent Assess() calls are safe.
// Lifetimes: the string_views in a RiskAssessment point into the detector,
// which must outlive them.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "common/text_normalize.h"

namespace helpline::engine {

struct RiskAssessment {
  bool overdose = false;   // an overdose may be happening now
  bool suicide = false;    // suicide or self-harm risk, stated or clearly implied
  bool distress = false;   // distress words and neither of the above (the engine adds 988)
  std::string_view lang;   // language of the rule that decided ("en", "es", "fr"), "" if none or shared
  std::string_view rule;   // id of that rule (overdose first, then suicide, then distress), "" if none
  std::string_view guard;  // id of a guard that silenced a rule in this message, "" if none
  // A rule of the class matched and was deliberately set aside (a guard
  // near it, or another finding that outranks it): the message is about
  // that subject but is not that emergency.
  bool overdose_silenced = false;
  bool suicide_silenced = false;
  // The "topic" of the first guard that silenced a rule, "" if none or it has
  // none: "harm" for questions about overdoses ("what happens if you take
  // too much"), which the engine answers as harm reduction; "idiom" for a
  // figure of speech or a harmless cause ("I overdosed on netflix", "my
  // phone is about to die"), answered as if the words were not there.
  std::string_view guard_topic;
  // A "... kill me" idiom guard (topic "idiom", guarding suicide alone)
  // matched anywhere, silencing or not ("ma mère va me tuer", "my mom is
  // gonna murder me for being late"): a relative named in it is not a
  // family request.
  bool idiom = false;
};

class RiskDetector {
 public:
  // InvalidArgument naming the place ("risk: /rules/12 (en_blue_lips): ...")
  // when the JSON is malformed, a rule names an unknown concept or class, a
  // prefix is shorter than 3 letters, an id repeats, or a limit is exceeded.
  static Result<RiskDetector> Parse(std::string_view json);

  // Tokens from Tokenize() (folded: lower-case ASCII, no accents, no
  // apostrophes). An apostrophe typed as a space is read as one ("don t",
  // "i m", "j ai", "qu il", "d hier" read as "dont", "im", "jai", "quil",
  // "dhier"). Only the first kMaxTokens are read. Never fails.
  RiskAssessment Assess(const std::vector<Token>& tokens) const;

  // The same for a message as received: `tokens` must be Tokenize(raw_utf8).
  // Tokenize drops emoji; here each emoji that a term of risk.json names
  // ("💀", "💊") is a token of its own where it stands (a run of the same
  // emoji is one token), so "i wanna 💀" and "took a bunch of 💊" read as
  // the words would. Every other emoji stays a separator. A message with no
  // listed emoji is assessed on `tokens` as they are (no copy).
  RiskAssessment Assess(std::string_view raw_utf8, const std::vector<Token>& tokens) const;

  static constexpr std::size_t kMaxTokens = 128;

 private:
  // Assess on tokens whose apostrophes typed as spaces are already joined.
  RiskAssessment AssessJoined(const std::vector<Token>& tokens) const;

 public:
  std::size_t rule_count() const { return rules_.size(); }
  std::size_t concept_count() const { return concept_names_.size(); }

 private:
  enum class Class : std::uint8_t { kOverdose, kSuicide, kDistress, kGuard };
  enum class Side : std::uint8_t {
    kEither,
    kBefore,
    kAfter,
    kOverlap
  };  // kOverlap: the guard shares a word with the match

  // One word of a term: exact, a prefix ("respir*"), or a number ("#": any,
  // "##": 2+ digits, min_digits says which).
  struct Word {
    std::string text;
    bool prefix = false;
    bool number = false;
    std::uint8_t min_digits = 1;
  };
  // A multi-word term; single words live in the trie alone.
  struct Phrase {
    std::vector<Word> rest;  // the words after the first
    std::uint16_t concept_id = 0;
  };
  // What a trie node (or a number, or a typo) yields: a concept, directly
  // (phrase == kSingle) or once the phrase's remaining words follow.
  struct Payload {
    std::uint16_t concept_id = 0;
    std::uint32_t phrase = 0;
  };
  static constexpr std::uint32_t kSingle = 0xFFFFFFFF;

  // Trie over folded letters, flattened after Parse: node i's children are
  // edge_label_/edge_target_[edge_begin, edge_begin + edge_count), its
  // payloads payloads_[exact_begin, exact_end) when the word ends there and
  // payloads_[prefix_begin, prefix_end) for any word that goes on.
  // A phrase whose second word is a plain word is not listed at its first
  // word's node but in phrase_by_next_, under (node, exact or prefix, second
  // word): a common first word ("me", "no", "i") then costs one lookup, not a
  // check of every phrase starting with it. exact_next/prefix_next say
  // whether the node has any.
  struct Node {
    std::uint32_t edge_begin = 0;
    std::uint32_t edge_count = 0;
    std::uint32_t exact_begin = 0, exact_end = 0;
    std::uint32_t prefix_begin = 0, prefix_end = 0;
    bool exact_next = false, prefix_next = false;
  };

  struct Rule {
    std::string id;
    std::string topic;  // guards only: what a silenced message is about ("harm": a question; "idiom")
    std::string lang;   // "en" | "es" | "fr" | "*"
    // Bit per language (kLangBits): a rule's own language ("*": all); a
    // guard's "langs" (default its own), the languages whose rules it may
    // silence. A guard silences a rule only when their bits meet.
    std::uint8_t lang_bits = 0;
    // Guards only: the rules it may silence ("silences", indices into
    // rules_, sorted); empty means every rule of its classes and languages.
    std::vector<std::uint32_t> silences;
    Class cls = Class::kOverdose;
    std::vector<std::uint16_t> elements;  // concept ids, in order
    std::uint8_t gap = 0;                 // words allowed between neighbours
    bool any_order = false;               // each element within `gap` of the first, either side
    bool guardable = false;               // a guard nearby silences it
    // Guards: bit per Class it silences near it. Other rules ("outranks"):
    // bit per Class whose matches anywhere in the message it replaces; a
    // distress rule (a negation) replaces only the matches it overlaps.
    std::uint8_t guards_mask = 0;
    bool strong = false;        // guards only: also silences strong (non-guardable) rules
    std::uint8_t reach = 0;     // words between the guard and the silenced match
    Side side = Side::kEither;  // where the guard stands relative to the match
  };

  struct Occurrence {
    std::uint16_t concept_id;
    std::uint8_t start;
    std::uint8_t len;
  };
  struct Span {
    std::uint8_t start, end;  // [start, end) in tokens
  };

  class Builder;

  // Whether `guard` may silence `rule` at all (class, language, "silences"),
  // wherever the two stand.
  static bool InScope(const Rule& guard, std::uint32_t rule_index, const Rule& rule);

  void CollectOccurrences(const std::vector<Token>& tokens, std::size_t n, std::vector<Occurrence>& out) const;
  bool Complete(const Rule& rule, const std::vector<Occurrence>& occ, std::size_t k, Span anchor, Span* chosen,
                Span& whole) const;
  // A match of `rule` made of occurrences outside `excluded` (a negation
  // that outranks what it overlaps); `whole` is its span.
  bool CompleteOutside(const Rule& rule, const std::vector<Occurrence>& occ, Span excluded, Span& whole) const;
  // Tokenize(raw_utf8) with the listed emoji as tokens; false (out
  // untouched) when the text holds none.
  bool TokensWithEmoji(std::string_view raw_utf8, std::vector<Token>& out) const;
  static bool PhraseFollows(const Phrase& p, const std::vector<Token>& tokens, std::size_t n, std::size_t first);
  static bool WordMatches(const Word& w, const Token& t);
  static std::uint64_t WordHash(std::string_view word);
  static std::uint64_t WordHashWithout(std::string_view word, std::size_t skip);
  static std::uint64_t PhraseKey(std::uint32_t node, bool prefix, std::uint64_t next_word_hash);

  std::vector<std::string> concept_names_;
  std::vector<Rule> rules_;
  std::vector<std::vector<std::uint32_t>> rules_by_first_;  // concept id -> rules starting with it
  std::uint8_t strong_guarded_ = 0;                         // bit per Class some strong guard silences

  std::vector<Node> nodes_;  // [0] is the root
  std::vector<char> edge_label_;
  std::vector<std::uint32_t> edge_target_;
  std::vector<Payload> payloads_;
  std::vector<Payload> number_payloads_;       // "#" as a first word
  std::vector<Payload> long_number_payloads_;  // "##" as a first word
  std::vector<Phrase> phrases_;
  std::unordered_map<std::uint64_t, std::vector<Payload>> phrase_by_next_;  // PhraseKey() -> phrases

  // Typo index: the WordHash of a fuzzy word and of each of its one-letter
  // deletions -> the fuzzy words (fuzzy_words_) they come from; candidates
  // are confirmed by BoundedEditDistance (so 1 edit: insertion, deletion,
  // substitution, swap), which also makes a hash collision harmless.
  struct FuzzyWord {
    std::string text;
    std::uint16_t concept_id;
  };
  std::vector<FuzzyWord> fuzzy_words_;
  std::size_t max_fuzzy_length_ = 0;  // the longest of fuzzy_words_
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> fuzzy_index_;
  std::unordered_set<std::string> not_typos_;
  // The emoji that some term names, sorted: each one's token is EmojiToken(cp).
  std::vector<char32_t> emoji_;
};

}  // namespace helpline::engine
