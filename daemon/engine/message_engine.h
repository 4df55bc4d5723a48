#pragma once
// The message engine: what a person reads on their phone. No I/O: given the
// message, the sender, their remembered state and a directory snapshot, it
// returns the reply and the state changes to store.
//
//   MessageEngine engine(keywords, catalog, EngineOptions{});
//   EngineReply r = engine.Handle({.text = "need narcan in BC please", .from = "+16045550123"},
//                                 SenderState{}, *index);
//   // r.intent == Intent::kNaloxone, r.region.code == "CA-BC", r.segments fit 3 SMS segments
//
// Rules, in order:
//   1. Carrier words as the whole message (STOP, START...) are answered with
//      one confirmation and change the opt-out state.
//   2. Safety words (overdose, not breathing, suicide...) put the emergency
//      instruction first, then the overdose or crisis lines, whatever else the
//      message says.
//   3. Otherwise the most specific intent wins ("help with detox" is detox);
//      a lone region ("BC", "90210") gets the main lines there; unknown text
//      gets a menu in the sender's language, never silence.
//   4. HELP and INFO always carry the program name and the CTIA footer
//      ("Reply STOP to opt out. Msg&data rates may apply.").
//   5. Every reply says which region it used and how to ask for another.
//      A resource the message names by one of its aliases ("the poison
//      line", "ConnexOntario") comes first; a message that asks for nothing
//      else is answered with that resource's topic.
//   6. SMS replies fit the segment budget (GSM-7 when possible, reply_fitter.h); resources
//      are chosen by priority and dropped whole, never cut; chat replies are
//      longer and carry the structured resources.
//
// Thread-safety: immutable after construction; Handle() is const and safe to
// call from any number of threads. The index must outlive the returned reply
// (it points into it).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/engine/catalog.h"
#include "daemon/engine/gsm7.h"
#include "daemon/engine/intent.h"
#include "daemon/engine/intent_model.h"
#include "daemon/engine/keyword_table.h"
#include "daemon/engine/language_id.h"
#include "daemon/engine/nearby_lines.h"
#include "daemon/engine/region_resolver.h"
#include "daemon/engine/reply_cache.h"
#include "daemon/engine/risk_detector.h"
#include "daemon/engine/risk_model.h"
#include "daemon/engine/understanding_cache.h"
#include "daemon/engine/word_split.h"
#include "directory/index.h"
#include "directory/phone.h"

namespace helpline::engine {

enum class ChannelType { kSms, kChat };

struct InboundMessage {
  std::string_view text;
  std::string_view from;  // E.164 sender, "+16045550123" (may be empty for chat users)
  ChannelType channel = ChannelType::kSms;
  ProviderHints hints;
};

// What the daemon remembers per sender (under a keyed hash of the number).
struct SenderState {
  std::string language;  // "", "en", "es", "fr"
  std::string region;    // "", "CA-BC"
  bool opted_out = false;
};

struct StateChanges {
  std::optional<std::string> language = std::nullopt;
  std::optional<std::string> region = std::nullopt;
  std::optional<bool> opted_out = std::nullopt;
  bool empty() const { return !language && !region && !opted_out; }
};

struct EngineReply {
  Intent intent = Intent::kUnknown;
  std::string language;               // of the reply
  ResolvedRegion region;              // used for the lookup
  std::string text;                   // the whole reply
  std::vector<std::string> segments;  // SMS: the parts (each within one segment); chat: one part
  SmsEncoding encoding = SmsEncoding::kGsm7;
  std::vector<const directory::Resource*> resources;  // included, in order
  StateChanges changes;
};

struct EngineOptions {
  // Segment budget of an SMS reply. Default 3 (459 GSM-7 or 201 UCS-2 characters).
  int sms_segments = 3;
  // Character budget of a chat reply. Default 1500.
  std::size_t chat_chars = 1500;
  // Region when nothing else tells. Default "US".
  std::string default_region = "US";
  // Language when nothing else tells. Default "en".
  std::string default_language = "en";
  // Resources with status "unconfirmed" are left out of replies unless this
  // is set: a person in trouble gets only lines whose facts were checked.
  bool include_unconfirmed = false;
};

// What a message says, before anything about its sender is known: the
// daemon reads it first, so the sender's state can be changed in the same
// Redis round trip that reads it (see MessageEngine::Understand).
struct Understanding {
  std::optional<KeywordHit> carrier;         // the whole message is a carrier word (STOP, START...)
  std::vector<KeywordHit> hits;              // keywords, in token order
  std::optional<std::string> stated_region;  // a region the message names
  std::string stated_language;               // a language the message asks for or is written in, else ""
  std::string sender_country;                // from the number and the provider's hints
  Intent intent = Intent::kUnknown;          // STOP/START for carrier words, else the primary intent
  std::vector<Token> tokens;                 // the message, folded (resources named in it are found in Answer)
  bool distress = false;                     // distress words without a safety signal: 988 goes first
  bool suicide_too = false;                  // an overdose with suicide risk: 911 and 988 in the first line
  // The rules found nothing and set nothing aside, but the risk model reads
  // an emergency (RiskModel::DoubtGate, or a reading SureGate turns away): the "when in doubt" line (911
  // and 988) goes first; the intent and the rest of the reply are unchanged.
  bool doubt = false;
  // The rules found nothing and set nothing aside, and the risk model is
  // sure of one emergency (RiskModel::SureGate): the intent is that
  // emergency, with its own first line (an overdose's also carries 988).
  bool model_read = false;
  // The rules set the message's words aside as asking for nothing (a story,
  // the news or a show, a question to study, a past attempt told to help
  // others): the intent stays unknown even when a resource is named in it
  // ("doing a school project on the opioid crisis": no crisis line's topic).
  bool asks_nothing = false;
  std::string detected_language;  // the message's language when not stated: answers it, never remembered
  // What to remember of this message, whatever the sender's state: the
  // opt-out for a carrier word, a stated language, a stated region.
  StateChanges changes;
  // STOP and START are honoured even when the sender is rate-limited.
  bool always_honoured() const { return carrier.has_value(); }
};

class MessageEngine {
 public:
  MessageEngine(KeywordTable keywords, Catalog catalog, RiskDetector risk, LanguageIdentifier language_id,
                EngineOptions options = {});

  // With a cache (reply_cache.h), a reply composed before for the same key
  // is reused (the state changes are still computed for this message).
  EngineReply Handle(const InboundMessage& message, const SenderState& state, const directory::DirectoryIndex& index,
                     ReplyCache* cache = nullptr) const;

  // Handle() in two steps, for callers that must know a message's state
  // changes before they can read the sender's state (the daemon applies them
  // in the same atomic Redis script): Answer(m, Understand(m), state, ...)
  // is exactly Handle(m, state, ...). `message` must be the same in both:
  // with a cache, Answer reuses the reply it settled on before for the same
  // text, sender's country, language, region, opt-out and channel
  // (AnswerInputs, reply_cache.h), which holds only if `understood` is what
  // Understand(message) gives.
  Understanding Understand(const InboundMessage& message) const;
  // The same, kept in and reused from `cache` (understanding_cache.h): a
  // text this loop has understood before for a sender in the same country
  // is not read again. The result is the same as Understand(message).
  std::shared_ptr<const Understanding> Understand(const InboundMessage& message, UnderstandingCache& cache) const;
  EngineReply Answer(const InboundMessage& message, const Understanding& understood, const SenderState& state,
                     const directory::DirectoryIndex& index, ReplyCache* cache = nullptr) const;

  const EngineOptions& options() const { return options_; }

  // Geographic data for nearby sites in replies (nearby_lines.h); without
  // it (the default) replies list no sites. LoadMessageEngine sets it from
  // data/geo beside the engine's data when there is one.
  void SetGeoReference(std::shared_ptr<const directory::GeoReference> geo) { nearby_ = NearbyFinder(std::move(geo)); }
  // The learned second opinion on safety (risk_model.h); without one (the
  // default), only the rules decide.
  void SetRiskModel(RiskModel model) { model_ = std::move(model); }
  const RiskModel& risk_model() const { return model_; }
  // The learned second opinion on non-safety intents where the rules are
  // weak (intent_model.h); without one (the default), only the rules decide.
  void SetIntentModel(IntentModel model) { intent_model_ = std::move(model); }
  // Words run together ("myfriendwontwakeup") spaced out when the text as
  // written is understood as nothing (word_split.h); without one (the
  // default), texts are read only as written.
  void SetWordSplitter(WordSplitter splitter) { splitter_ = std::move(splitter); }
  const directory::GeoReference* geo() const { return nearby_.geo(); }

  // The one polite notice a sender gets when they pass the rate limit, in
  // their language, fitted like any reply.
  EngineReply RateLimitNotice(const SenderState& state, ChannelType channel) const;

 private:
  // Answer's steps, in message_engine.cc.
  struct Composition;
  struct Candidates;
  struct NamedResource {
    const directory::Resource* serving = nullptr;  // named, and serves the person's place: listed first
    const directory::Resource* topic = nullptr;    // named: says what the person wants
  };
  // Understand() given what it reads of the message: the text and the
  // sender's country. With a memo, words known not to be typos are skipped.
  Understanding UnderstandText(std::string_view text, std::string_view sender_country, NotTypoMemo* memo) const;
  // UnderstandText, then, when that understood nothing, the same text with
  // its run-together words spaced out (word_split.h), if that understands more.
  Understanding UnderstandSpacedOut(std::string_view text, std::string_view sender_country, NotTypoMemo* memo) const;
  std::string FallbackLanguage(const InboundMessage& message, const Understanding& u, const SenderState& state) const;
  EngineReply AnswerCarrierWord(const InboundMessage& message, const KeywordHit& carrier, const SenderState& state,
                                const std::string& fallback_lang, const directory::DirectoryIndex& index,
                                ReplyCache* cache) const;
  NamedResource FindNamedResource(const std::vector<Token>& tokens, std::string_view region,
                                  const directory::DirectoryIndex& index) const;
  std::string EmergencyNumber(std::string_view region, std::string_view language, std::string_view reader_country,
                              const directory::DirectoryIndex& index) const;
  void AddFixedLines(Composition& c, const EngineReply& reply, const Understanding& u) const;
  void ComposeInto(EngineReply& reply, Composition&& c, std::string_view kind, const directory::DirectoryIndex& index,
                   ReplyCache* cache, const AnswerInputs* inputs = nullptr) const;
  ComposedReply Compose(Composition&& c, const directory::DirectoryIndex& index) const;
  Candidates FindCandidates(const Composition& c, const directory::DirectoryIndex& index) const;
  // Whether `r` may be texted: not unconfirmed, unless include_unconfirmed.
  bool Textable(const directory::Resource& r) const;

  KeywordTable keywords_;
  Catalog catalog_;
  RiskDetector risk_;
  RiskModel model_;
  IntentModel intent_model_;
  WordSplitter splitter_;
  LanguageIdentifier language_id_;
  EngineOptions options_;
  RegionResolver regions_;
  directory::PhoneBook phones_;
  NearbyFinder nearby_;
};

// Loads data/engine/keywords.json, messages.json, risk.json,
// risk_examples.tsv (the risk model is trained on it here, about 40 ms),
// intent_examples.tsv (the intent model, about 30 ms of CPU in Release) and
// language.json from `dir` (the only I/O of the engine, done once at start).
// InvalidArgument names the bad file.
Result<MessageEngine> LoadMessageEngine(const std::string& dir, EngineOptions options = {});

}  // namespace helpline::engine
