#include "daemon/engine/message_engine.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "daemon/engine/age_statement.h"
#include "daemon/engine/reply_fitter.h"
#include "daemon/engine/sms_segments.h"
#include "daemon/engine/unbreakable_spans.h"
#include "directory/regions.h"

namespace helpline::engine {
namespace {

using directory::Category;
using directory::ChannelKind;
using directory::Resource;

// A message naming only a relative is a family request up to this many
// words ("my son", "my teenage daughter"); in a longer one the relative
// needs more said about use, help or a service.
constexpr std::size_t kRelativeAloneMaxTokens = 3;
// The risk model reads messages of at least this many words; a sure reading
// (below) needs its emergency reading at least kDoubtThreshold. When it puts
// the "when in doubt" line first is RiskModel::DoubtGate (risk_model.h).
// Measured on the held-out blind batches 18 and 20 and by leaving each
// fitted batch out of training in turn (docs/ARCHITECTURE.md).
constexpr std::size_t kDoubtMinTokens = 4;
constexpr double kDoubtThreshold = 0.95;
// Sure of one class (Understanding::model_read): RiskModel::SureGate
// (risk_model.h) and its measures in docs/ARCHITECTURE.md, "When sure".
// A message naming only a place is a region request up to this many words.
constexpr std::size_t kRegionOnlyMaxTokens = 6;
// A message naming an emergency ("911??", "need an ambulance") with nothing
// else understood gets the doubt line first up to this many words
// (keywords.json "emergency_calls"); the risk model reads from
// kDoubtMinTokens words on, so the shortest texts had no safety line.
constexpr std::size_t kEmergencyCallMaxWords = 5;
// Likewise a farewell with a sad emoji ("bye everyone 💔"), up to this many
// words (keywords.json "sad_farewells").
constexpr std::size_t kSadFarewellMaxWords = 6;

// Resources looked at per category: more than a reply can hold (12 on chat),
// so that lines skipped for their kind or language still leave enough.
constexpr std::size_t kLookupLimit = 24;

// Answer() remembers which reply it settled on for texts up to this long
// (as the UnderstandingCache keeps them: longer texts seldom repeat).
constexpr std::size_t kMaxRememberedTextBytes = UnderstandingCache::kMaxTextBytes;

// The composed parts of `reply`, copied from a cached reply.
void CopyComposed(EngineReply& reply, const ComposedReply& composed) {
  reply.text = composed.text;
  reply.segments = composed.segments;
  reply.encoding = composed.encoding;
  reply.resources = composed.resources;
}

// Categories to look up for an intent, most relevant first. Later ones fill
// in when the region lists nothing (or little) in the first.
std::vector<Category> CategoriesFor(Intent intent) {
  switch (intent) {
    case Intent::kOverdose: return {Category::kOverdosePrevention, Category::kNaloxone};
    case Intent::kSuicide: return {Category::kCrisis, Category::kMentalHealth};
    case Intent::kNaloxone: return {Category::kNaloxone, Category::kHarmReduction, Category::kOverdosePrevention};
    case Intent::kCrisis: return {Category::kCrisis, Category::kMentalHealth};
    case Intent::kTreatment: return {Category::kTreatmentReferral, Category::kMedicationTreatment, Category::kDetox};
    case Intent::kDetox: return {Category::kDetox, Category::kMedicationTreatment, Category::kTreatmentReferral};
    case Intent::kHarm: return {Category::kHarmReduction, Category::kOverdosePrevention, Category::kNaloxone};
    case Intent::kText: return {Category::kTextLine};
    case Intent::kChat: return {Category::kCrisis, Category::kMentalHealth, Category::kTreatmentReferral};
    case Intent::kFamily: return {Category::kFamily, Category::kTreatmentReferral};
    case Intent::kYouth: return {Category::kYouth, Category::kCrisis};
    case Intent::kIndigenous: return {Category::kIndigenous, Category::kCrisis};
    default: return {Category::kTreatmentReferral, Category::kCrisis, Category::kOverdosePrevention};
  }
}

// Among specific intents, which one a message is answered with when it
// names several (lower first): naloxone (one thing to get, now), then who
// is asking or for whom (a young person, a family member: their lines know
// the rest), then what to get or do (harm reduction, detox), then how to
// reach (a chat, named only by those who want one, then text: "hay un chat
// en línea? prefiero escribir"), then the broad ones (treatment, crisis). "Where can I
// get clean needles" is harm reduction, "narcan for my son" is naloxone,
// "my son is using and needs detox" is family.
int SpecificRank(Intent i) {
  switch (i) {
    case Intent::kNaloxone: return 1;
    case Intent::kYouth: return 2;
    case Intent::kFamily: return 3;
    case Intent::kHarm: return 4;
    case Intent::kDetox: return 5;
    case Intent::kIndigenous: return 6;
    case Intent::kChat: return 7;
    case Intent::kText: return 8;
    case Intent::kTreatment: return 9;
    case Intent::kCrisis: return 10;
    default: return 20;
  }
}

// Whether hit `a` is the more specific request than `b`: words as written
// before typos, then SpecificRank; but Indigenous words as written beat a
// family word ("Navajo Nation ... need native help for my uncle drinking":
// the community's own services are for the relative too).
bool Outranks(const KeywordHit& a, const KeywordHit& b) {
  if (!a.fuzzy && a.intent == Intent::kIndigenous && b.intent == Intent::kFamily) return true;
  if (!b.fuzzy && b.intent == Intent::kIndigenous && a.intent == Intent::kFamily) return false;
  return std::make_pair(a.fuzzy, SpecificRank(a.intent)) < std::make_pair(b.fuzzy, SpecificRank(b.intent));
}

// "Colombie-Britannique", "Nuevo México": a region written by its French or
// Spanish name (where that differs from the English one) says the language
// the person writes in; "" when the name says nothing.
std::string LanguageOfRegionName(std::string_view code, const std::vector<Token>& tokens) {
  const directory::RegionInfo* r = directory::FindRegion(code);
  if (r == nullptr) return {};
  std::string text = " ";  // the folded words, each between spaces
  for (const Token& t : tokens) text.append(t.text).append(" ");
  const std::string en = FoldText(r->name_en);
  for (auto [lang, name] : {std::pair<const char*, std::string_view>{"fr", r->name_fr}, {"es", r->name_es}}) {
    const std::string folded = FoldText(name);
    if (folded == en || folded.empty()) continue;
    if (text.find(" " + folded + " ") != std::string::npos) return lang;
  }
  return {};
}

// The topic a resource answers when a message names it and nothing else.
Intent IntentOfCategory(Category c) {
  switch (c) {
    case Category::kCrisis:
    case Category::kMentalHealth: return Intent::kCrisis;
    case Category::kTreatmentReferral:
    case Category::kMedicationTreatment:
    case Category::kPeerSupport: return Intent::kTreatment;
    case Category::kDetox: return Intent::kDetox;
    case Category::kHarmReduction:
    case Category::kOverdosePrevention: return Intent::kHarm;
    case Category::kNaloxone: return Intent::kNaloxone;
    case Category::kFamily: return Intent::kFamily;
    case Category::kYouth: return Intent::kYouth;
    case Category::kIndigenous: return Intent::kIndigenous;
    case Category::kTextLine: return Intent::kText;
    case Category::kEmergency:
    case Category::kInformation: return Intent::kHelp;
  }
  return Intent::kHelp;
}

std::string_view RegionName(std::string_view code, const LanguageCatalog& cat) {
  const auto* r = directory::FindRegion(code);
  if (r == nullptr) return code;
  if (cat.region_name_field == "name_fr") return r->name_fr;
  if (cat.region_name_field == "name_es") return r->name_es;
  return r->name_en;
}

std::string ReadFile(const std::string& path, Status* status) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *status = InvalidArgument(path + ": cannot read the file");
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// Each line of a reply has a rank: when a reply does not fit (a small
// budget), the lowest ranks go first (reply_fitter.h), and the safety or
// carrier line is never dropped.
namespace rank {
constexpr int kFallbackNote = 20;   // "No naloxone line listed there..."
constexpr int kMoreResources = 25;  // resource lines after the first
constexpr int kNearbyNotice = 26;   // "No exact location for K1A 0B1: lines for Ontario." (nearby_lines.h)
constexpr int kOtherRegion = 27;    // "Text HELP + your state..." (every reply says how to ask for another)
constexpr int kHeading = 30;        // "Naloxone (British Columbia):" (says which region was used)
constexpr int kMenu = 40;
constexpr int kNotice = 45;     // "Sorry, we did not understand." / "OK, English"
constexpr int kHelpIntro = 50;  // "Helpline: free, confidential help."
constexpr int kFirstResource = 55;
constexpr int kHelpFooter = 60;        // CTIA: STOP and rates
constexpr int kNever = kNeverDropped;  // safety instruction, carrier confirmation
}  // namespace rank

// What a reply is composed from: its fixed lines and how to choose its
// resource lines (Compose), also the reply cache's key (ComposeOrReuse).
struct MessageEngine::Composition {
  Intent intent = Intent::kUnknown;
  const LanguageCatalog* cat = nullptr;
  ChannelType channel = ChannelType::kSms;
  std::string region;
  std::string reader_country;  // how phone numbers are formatted
  std::string emergency;       // the region's emergency number, formatted
  std::vector<ReplyLine> head;
  std::vector<ReplyLine> tail;
  std::size_t max_resources = 4;  // SMS; chat gets more
  bool resources_wanted = true;
  const Resource* named = nullptr;  // a resource the message names: first
  NearbyAnswer nearby;              // sites near a place the message names (nearby_lines.h)
};

MessageEngine::MessageEngine(KeywordTable keywords, Catalog catalog, RiskDetector risk, LanguageIdentifier language_id,
                             EngineOptions options)
    : keywords_(std::move(keywords)),
      catalog_(std::move(catalog)),
      risk_(std::move(risk)),
      language_id_(std::move(language_id)),
      options_(std::move(options)),
      regions_(options_.default_region) {}

namespace {

// The region of a city the curated list lacks (RegionResolver::FromCityList),
// from the geographic reference's cities (GeoNames, 1,000 people or more):
// none of its words is one people text (the splitter's known words, and so
// every keyword: "normal", "spring", "reading" and "crystal" are towns too),
// its largest namesake at least twice the size of every namesake in another
// region (places.h's rule), and, named alone, a city of at least
// kAloneCityPopulation ("Compton", "Inglewood"; not a hamlet that shares a
// first name).
constexpr std::int64_t kAloneCityPopulation = 50000;
std::optional<std::string> GazetteerRegion(const directory::GeoReference& geo, const WordSplitter& words,
                                           std::string_view name, bool alone) {
  for (std::size_t start = 0; start < name.size();) {
    const std::size_t space = std::min(name.find(' ', start), name.size());
    if (words.Known(name.substr(start, space - start))) return std::nullopt;
    start = space + 1;
  }
  const std::vector<const directory::City*> cities = geo.Cities(name);
  if (cities.empty()) return std::nullopt;
  const directory::City& top = *cities.front();
  for (std::size_t k = 1; k < cities.size(); ++k) {
    if (cities[k]->region != top.region && top.population < 2 * cities[k]->population) return std::nullopt;
  }
  if (alone && top.population < kAloneCityPopulation) return std::nullopt;
  return top.region;
}

// A channel's label in `lang`: the English label for English, a translation
// from the data for other languages, or "" when the data has none.
std::string_view LabelIn(const directory::Channel& ch, std::string_view lang) {
  if (ch.label.empty()) return {};
  if (lang == "en") return ch.label;
  const auto it = ch.label_translations.find(std::string(lang));
  return it == ch.label_translations.end() ? std::string_view() : std::string_view(it->second);
}

struct RenderedChannels {
  std::string text;        // "call 1-800-668-6868 or text 686868"
  bool reachable = false;  // a number to call or text is in it
};

// How to reach a resource, in the reader's language. The short form (for a
// tight budget) is the single best channel: what the person asked for (text
// or chat), else a call or text, else TTY, else a link.
RenderedChannels ChannelsText(const Resource& r, const LanguageCatalog& cat, const directory::PhoneBook& phones,
                              std::string_view country, Intent intent, bool chat, bool first_only) {
  const bool has_phone = std::any_of(r.channels.begin(), r.channels.end(),
                                     [](const directory::Channel& c) { return directory::IsPhoneKind(c.kind); });
  auto tier = [&](const directory::Channel* c) {
    if ((intent == Intent::kText && c->kind == ChannelKind::kSms) ||
        (intent == Intent::kChat && c->kind == ChannelKind::kChat)) {
      return 0;
    }
    if (c->kind == ChannelKind::kVoice || c->kind == ChannelKind::kSms) return 1;
    if (c->kind == ChannelKind::kTty) return first_only ? 2 : 1;
    return first_only ? 3 : 1;
  };
  std::vector<const directory::Channel*> order;
  for (const auto& ch : r.channels) order.push_back(&ch);
  std::stable_sort(order.begin(), order.end(), [&](const auto* a, const auto* b) { return tier(a) < tier(b); });

  RenderedChannels out;
  std::vector<std::string> parts;
  const directory::Channel* previous = nullptr;
  // A number that takes both calls and texts reads "call or text 988".
  auto twin = [&](const directory::Channel* ch) -> const directory::Channel* {
    if (ch->kind != ChannelKind::kVoice && ch->kind != ChannelKind::kSms) return nullptr;
    for (const auto* other : order) {
      if (other != ch && other->value == ch->value && other->keyword.empty() && ch->keyword.empty() &&
          other->kind != ch->kind && (other->kind == ChannelKind::kVoice || other->kind == ChannelKind::kSms)) {
        return other;
      }
    }
    return nullptr;
  };
  std::vector<const directory::Channel*> done;
  for (const auto* ch : order) {
    if (std::find(done.begin(), done.end(), ch) != done.end()) continue;
    // Channels for a particular audience ("Veterans") are only shown where
    // their label can be read (English, or translated in the data) or when
    // they are the only way.
    if (!ch->label.empty() && LabelIn(*ch, cat.lang).empty() && !parts.empty()) continue;
    std::string part;
    const std::string number = directory::IsPhoneKind(ch->kind) ? phones.FormatFor(ch->value, country) : "";
    if (const auto* other = twin(ch)) {
      done.push_back(other);
      part = Fill(cat.call_or_text, {{"number", number}});
      if (const std::string_view l = LabelIn(*other, cat.lang); !l.empty() && ch->label.empty() && !first_only) {
        part.append(" (").append(l).append(")");
      }
      if (const std::string_view l = LabelIn(*ch, cat.lang); !l.empty() && !first_only) {
        part.append(" (").append(l).append(")");
      }
      out.reachable = true;
      parts.push_back(std::move(part));
      previous = ch;
      if (first_only) break;
      continue;
    }
    switch (ch->kind) {
      case ChannelKind::kVoice:
        // "call A or B", not "call A or call B".
        part = previous != nullptr && previous->kind == ChannelKind::kVoice && previous->label.empty()
                   ? number
                   : Fill(cat.call, {{"number", number}});
        break;
      case ChannelKind::kSms:
        part = ch->keyword.empty() ? Fill(cat.text, {{"number", number}})
                                   : Fill(cat.text_keyword, {{"keyword", ch->keyword}, {"number", number}});
        break;
      case ChannelKind::kTty: part = Fill(cat.tty, {{"number", number}}); break;
      case ChannelKind::kChat:
      case ChannelKind::kWeb:
      case ChannelKind::kEmail: {
        // SMS shows links only for resources with nothing to call or text,
        // or the chat link a person asked for.
        const bool asked_for = intent == Intent::kChat && ch->kind == ChannelKind::kChat;
        if (!chat && has_phone && !asked_for) continue;
        std::string_view v = ch->value;
        for (std::string_view scheme : {"https://", "http://"}) {
          if (v.substr(0, scheme.size()) == scheme) v.remove_prefix(scheme.size());
        }
        if (v.substr(0, 4) == "www.") v.remove_prefix(4);
        if (!v.empty() && v.back() == '/') v.remove_suffix(1);
        part = std::string(v);
        break;
      }
    }
    if (const std::string_view l = LabelIn(*ch, cat.lang); !l.empty() && !first_only) {
      part.append(" (").append(l).append(")");
    }
    out.reachable = out.reachable || directory::IsPhoneKind(ch->kind);
    parts.push_back(std::move(part));
    previous = ch;
    if (first_only) break;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.text += i + 1 == parts.size() ? cat.or_word : ", ";
    out.text += parts[i];
  }
  return out;
}

// "- Naloxone Finder: call 1-855-662-6605 or text CONNEX to 247247"
RenderedChannels ResourceLine(const Resource& r, const LanguageCatalog& cat, const directory::PhoneBook& phones,
                              std::string_view country, Intent intent, bool chat, bool first_only) {
  std::string_view name = r.name;
  std::string_view desc = r.description;
  if (auto it = r.translations.find(cat.lang); it != r.translations.end()) {
    if (!it->second.name.empty()) name = it->second.name;
    if (!it->second.description.empty()) desc = it->second.description;
  }
  RenderedChannels how = ChannelsText(r, cat, phones, country, intent, chat, first_only);
  if (r.IsInfo()) {
    // A fact: its sentence is the line, then where to learn more. In an SMS
    // a long link costs more than it helps: the sentence stands alone.
    std::string_view sentence = desc;
    while (!sentence.empty() && (sentence.back() == '.' || sentence.back() == ' ')) sentence.remove_suffix(1);
    RenderedChannels line{"- " + std::string(sentence), how.reachable};
    constexpr std::size_t kMaxSmsLink = 40;
    const bool said = !how.text.empty() && sentence.find(how.text) != std::string_view::npos;
    if (!how.text.empty() && !said && (chat || how.reachable || how.text.size() <= kMaxSmsLink)) {
      line.text += ": " + how.text;
    }
    return line;
  }
  RenderedChannels line{"- " + std::string(name), how.reachable};
  if (!how.text.empty()) line.text += ": " + how.text;
  if (chat) {
    if (!desc.empty()) line.text += ". " + std::string(desc);
    if (!r.hours.empty()) line.text += " (" + r.hours + ")";
  }
  return line;
}

}  // namespace

// The resources a reply may list, best first.
struct MessageEngine::Candidates {
  std::vector<const Resource*> resources;
  // The region lists nothing in the intent's own category: the reply says
  // so before the general lines that stand in.
  bool general_instead = false;
};

MessageEngine::Candidates MessageEngine::FindCandidates(const Composition& c,
                                                        const directory::DirectoryIndex& index) const {
  Candidates out;
  // Candidates: every category of the intent, deduplicated, in order;
  // when the region lists none of them, the general lines.
  const bool generic = c.intent == Intent::kHelp || c.intent == Intent::kRegion || c.intent == Intent::kUnknown ||
                       c.intent == Intent::kInfo || c.intent == Intent::kLanguage;
  std::vector<const Resource*>& candidates = out.resources;
  auto add = [&](Intent intent) {
    for (Category category : CategoriesFor(intent)) {
      for (const Resource* r : index.Lookup(c.region, category, c.cat->lang, kLookupLimit)) {
        if (!Textable(*r)) continue;
        // Lines for one community wait for that community's keyword.
        if (c.intent != Intent::kIndigenous && r->HasCategory(Category::kIndigenous)) continue;
        if (r->HasCategory(Category::kEmergency) && !r->channels.empty() &&
            directory::IsPhoneKind(r->channels.front().kind) && IsSafetyIntent(c.intent)) {
          continue;  // the safety line already says to call it
        }
        if (intent == Intent::kChat &&
            std::none_of(r->channels.begin(), r->channels.end(),
                         [](const directory::Channel& ch) { return ch.kind == ChannelKind::kChat; })) {
          continue;
        }
        if (std::find(candidates.begin(), candidates.end(), r) == candidates.end()) candidates.push_back(r);
      }
    }
  };
  add(c.intent);
  const bool first_category_empty = index.Lookup(c.region, CategoriesFor(c.intent).front(), {}, 1).empty();
  if (candidates.empty() && !generic) add(Intent::kHelp);
  if (generic) {
    // General help mixes referral, crisis and overdose lines by priority.
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Resource* a, const Resource* b) { return a->priority > b->priority; });
  }
  if (!IsSafetyIntent(c.intent) && directory::CountryOf(c.region) != c.region) {
    // The place's own best line comes second at the latest: national
    // lines lead by priority, but a person in Ohio should read Ohio's line
    // before a fourth national one pushes it out of the reply.
    auto local = std::find_if(candidates.begin(), candidates.end(), [&](const Resource* r) {
      return std::find(r->regions.begin(), r->regions.end(), c.region) != r->regions.end();
    });
    if (local != candidates.end() && local - candidates.begin() > 1) {
      std::rotate(candidates.begin() + 1, local, local + 1);
    }
  }
  if (c.named != nullptr) {
    candidates.erase(std::remove(candidates.begin(), candidates.end(), c.named), candidates.end());
    candidates.insert(candidates.begin(), c.named);
  }
  if (c.intent == Intent::kOverdose) {
    // During an overdose, response lines come before referral lines.
    std::stable_partition(candidates.begin(), candidates.end(),
                          [](const Resource* r) { return !r->HasCategory(Category::kTreatmentReferral); });
  }
  out.general_instead = first_category_empty && !candidates.empty() && !generic;
  return out;
}

// The reply's fixed lines, then resource lines while the budget holds, then
// lines dropped by rank until it fits, keeping a number to call or text.
ComposedReply MessageEngine::Compose(Composition&& c, const directory::DirectoryIndex& index) const {
  const bool chat = c.channel == ChannelType::kChat;
  ReplyFitter fitter(ReplyBudget{.sms = !chat,
                                 .sms_segments = static_cast<std::size_t>(options_.sms_segments),
                                 .chat_chars = options_.chat_chars},
                     std::move(c.head), std::move(c.tail));
  if (c.resources_wanted) {
    const Candidates candidates = FindCandidates(c, index);
    if (candidates.general_instead) {
      fitter.AppendHeadLineAsIs({Fill(c.cat->fallback, {{"topic", c.cat->Topic(c.intent)}}), rank::kFallbackNote});
    }
    std::size_t max_lines = chat ? 12 : c.max_resources;
    const std::vector<const Resource*> offered =
        c.nearby.sites.empty() ? candidates.resources : WithSites(candidates.resources, c.nearby, chat, &max_lines);
    const BodyFill fill{.max_lines = max_lines, .first_rank = rank::kFirstResource, .later_rank = rank::kMoreResources};
    fitter.FillBody(offered, fill, [&](const Resource& r, bool short_form, int line_rank) {
      if (r.IsSite())
        return NearbySiteLine(r, c.nearby, *c.cat, phones_, c.reader_country, chat, short_form, line_rank);
      RenderedChannels line = ResourceLine(r, *c.cat, phones_, c.reader_country, c.intent, chat, short_form);
      return ReplyLine(std::move(line.text), line_rank, &r, line.reachable);
    });
  }
  fitter.DropLowestUntilFits();
  // Every reply that offers help keeps a line a person can call or text (a
  // safety reply's first line says to call the emergency number).
  if (c.resources_wanted && !IsSafetyIntent(c.intent)) {
    fitter.KeepANumber([&] {
      return ReplyLine(Fill(c.cat->emergency_line, {{"emergency", c.emergency}}), rank::kNever, nullptr, true);
    });
  }
  return std::move(fitter).Finish();
}

bool MessageEngine::Textable(const Resource& r) const {
  // Texters get only what was checked (a setting can include the rest).
  return r.status != directory::ResourceStatus::kUnconfirmed || options_.include_unconfirmed;
}

namespace {

// Whether a texting word is a promise to text someone later ("ill text u
// later", "je te texte plus tard", "te escribo luego"), not a request for a
// text line: said after "ill"/"will"/"te", or followed by "later"/"back".
// A text that is someone's message ("my last text tonight", "ur text",
// "avec ton texto", "me muero de risa con tus mensajes") is not one either.
bool TextIsAPromise(const std::vector<Token>& tokens, const KeywordHit& h) {
  static const std::unordered_set<std::string_view> kBefore = {"ill", "will", "gonna", "te",    "lo",    "la",
                                                               "les", "last", "ur",    "your",  "ton",   "tes",
                                                               "vos", "tus",  "sus",   "their", "ultimo"};
  static const std::unordered_set<std::string_view> kAfter = {"later", "back",    "tmrw",   "tomorrow", "tard",
                                                              "luego", "despues", "demain", "manana"};
  if (h.count == 0) return false;
  if (h.first > 0 && kBefore.count(tokens[h.first - 1].text) != 0) return true;
  const std::size_t end = h.first + h.count;
  for (std::size_t i = end; i < tokens.size() && i < end + 3; ++i) {
    if (kAfter.count(tokens[i].text) != 0) return true;
  }
  return false;
}

// Whether a one-word youth keyword names someone's children, not the
// sender's youth: after a possessive, an article or a number ("our kids",
// "the kids", "3 kids", "los jóvenes", "mes ados").
bool NamesChildren(const std::vector<Token>& tokens, const KeywordHit& h) {
  static const std::unordered_set<std::string_view> kBefore = {"my",   "our", "the", "his", "her",      "their",
                                                               "your", "mis", "los", "las", "nuestros", "sus",
                                                               "mes",  "nos", "les", "ses"};
  if (h.intent != Intent::kYouth || h.count != 1 || h.first == 0) return false;
  const Token& before = tokens[h.first - 1];
  return before.digits || kBefore.count(before.text) != 0;
}

// Whether the message asks where: a place to go ("where can he go to
// detox", "¿dónde lo pueden desintoxicar?", "une désintox où?"). French
// "où" folds to "ou" ("or"): only as the last word or before a verb or a
// pronoun that asks ("où on peut", "où il peut aller").
bool AsksWhere(const std::vector<Token>& tokens) {
  static const std::unordered_set<std::string_view> kWhere = {"where", "wheres", "whered", "donde", "adonde"};
  static const std::unordered_set<std::string_view> kAfterOu = {"on",   "je",   "il", "elle", "est", "trouver", "aller",
                                                                "peut", "peux", "y",  "ya",   "vas", "va"};
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string_view w = tokens[i].text;
    if (kWhere.count(w) != 0) return true;
    if (w == "ou" && (i + 1 == tokens.size() || kAfterOu.count(tokens[i + 1].text) != 0)) return true;
  }
  return false;
}

// Which language keywords of the message name someone else's language
// (KeywordTable::LanguageOwnerAt: "ma mère parle espagnol", "where they
// speak spanish", "anything in spanish for my mom", "is there a counselor
// who speaks French for my wife"), by hit. A language once named as
// someone else's is theirs everywhere in the message ("ma mère parle
// espagnol, est-ce qu'il y a de l'aide en espagnol?"), unless said as the
// sender's own there ("my mom only speaks spanish, can you text me in
// spanish"). The language a keyword names is that of its language word
// (KeywordTable::LanguageOfWord): "habla inglés" is Spanish words naming
// English, "only speaks spanish" implies no language and names Spanish.
// A language the sender says they do not speak ("no sabemos inglés", "je
// parle pas anglais") is not switched to: its hit's language is put in
// `lacks` (else empty), for the caller to ask the text's other languages. A
// language merely mentioned ("el inglés de mi hijo") is put in `mentioned`,
// for the caller to keep only as the first or last word of a text written
// in it ("ESPAÑOL mi hijo está tomando mucho": the keyword typed before the
// message).
std::vector<bool> LanguagesForSomeoneElse(const KeywordTable& keywords, const std::vector<Token>& tokens,
                                          const std::vector<KeywordHit>& hits, std::vector<std::string_view>& lacks,
                                          std::vector<std::string_view>& mentioned) {
  using Owner = KeywordTable::LanguageOwner;
  std::vector<bool> theirs(hits.size(), false);
  lacks.assign(hits.size(), {});
  mentioned.assign(hits.size(), {});
  if (std::none_of(hits.begin(), hits.end(), [](const KeywordHit& h) { return h.intent == Intent::kLanguage; })) {
    return theirs;
  }
  std::vector<Owner> owner(hits.size(), Owner::kUnsaid);
  std::vector<std::string_view> named;  // languages named as someone else's
  // A misspelt keyword ("l'anglais" folds to "langlais") names its own language.
  auto names = [&](const KeywordHit& h, auto&& each) {
    bool any = false;
    for (std::size_t k = h.first; k < h.first + h.count && k < tokens.size(); ++k) {
      const std::string_view lang = keywords.LanguageOfWord(tokens[k].text);
      if (!lang.empty()) each(lang);
      any = any || !lang.empty();
    }
    if (!any && h.lang != "*") each(h.lang);
  };
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const KeywordHit& h = hits[i];
    if (h.intent != Intent::kLanguage) continue;
    owner[i] = keywords.LanguageOwnerAt(tokens, h.first, h.count);
    // A language the sender says they do not speak ("je parle pas
    // anglais") is not switched to either, and names no one else's; nor is
    // a language merely mentioned.
    theirs[i] = owner[i] == Owner::kSomeoneElse || owner[i] == Owner::kSenderLacks || owner[i] == Owner::kMentioned;
    if (owner[i] == Owner::kSenderLacks || owner[i] == Owner::kMentioned) {
      std::string_view& out = owner[i] == Owner::kSenderLacks ? lacks[i] : mentioned[i];
      names(h, [&](std::string_view lang) {
        if (out.empty()) out = lang;
      });
    }
    if (owner[i] != Owner::kSomeoneElse) continue;
    names(h, [&](std::string_view lang) { named.push_back(lang); });
  }
  for (std::size_t i = 0; i < hits.size() && !named.empty(); ++i) {
    if (owner[i] != Owner::kUnsaid || hits[i].intent != Intent::kLanguage) continue;
    names(hits[i], [&](std::string_view lang) {
      theirs[i] = theirs[i] || std::find(named.begin(), named.end(), lang) != named.end();
    });
  }
  return theirs;
}

// Whether a "chat" keyword is the French word for a cat ("mon chat a mangé
// un comprimé", "la vidéo du chat qui tombe"): after a possessive or "du",
// or followed by "qui". "un chat en ligne", "hay chat?" stay chat requests.
bool ChatIsAPet(const std::vector<Token>& tokens, const KeywordHit& h) {
  static const std::unordered_set<std::string_view> kBefore = {"mon", "ton", "son", "notre", "votre", "leur",
                                                               "du",  "mes", "tes", "ses",   "nos",   "vos"};
  if (h.intent != Intent::kChat || h.count != 1 || tokens[h.first].text != "chat") return false;
  if (h.first > 0 && kBefore.count(tokens[h.first - 1].text) != 0) return true;
  return h.first + 1 < tokens.size() && tokens[h.first + 1].text == "qui";
}

}  // namespace

Understanding MessageEngine::Understand(const InboundMessage& message) const {
  return UnderstandSpacedOut(message.text, regions_.SenderCountry(message.from, message.hints), nullptr);
}

std::shared_ptr<const Understanding> MessageEngine::Understand(const InboundMessage& message,
                                                               UnderstandingCache& cache) const {
  const std::string_view country = regions_.SenderCountry(message.from, message.hints);
  if (auto hit = cache.Find(*this, message.text, country)) return hit;
  auto understood =
      std::make_shared<const Understanding>(UnderstandSpacedOut(message.text, country, &cache.not_typos()));
  cache.Insert(message.text, country, understood);
  return understood;
}

// A person typing in a hurry runs words together ("myfriendwontwakeup",
// "iwannakillmyself", "HESNOTBREATHING help"): read as written, nothing is
// understood (or only "help"), and the reply would open with "Sorry, we did
// not understand". Only then is the text read again with those words spaced
// out, and that reading is taken when it finds more: an emergency,
// distress, another intent named by a keyword, a region or a carrier word
// (not a learned model's doubt or intent alone: below). A text
// understood as written is never read again, so a word the examples lack
// ("therapist" is not "the rapist") cannot change a reading that worked.
Understanding MessageEngine::UnderstandSpacedOut(std::string_view text, std::string_view sender_country,
                                                 NotTypoMemo* memo) const {
  Understanding u = UnderstandText(text, sender_country, memo);
  const bool nothing = !u.carrier && !u.doubt && !u.distress && !u.asks_nothing && !u.stated_region &&
                       (u.intent == Intent::kUnknown || u.intent == Intent::kHelp);
  if (!nothing) return u;
  const std::optional<std::string> spaced = splitter_.SpaceOut(text, u.tokens);
  if (!spaced) return u;
  Understanding v = UnderstandText(*spaced, sender_country, memo);
  // What the spaced-out text finds must come from the rules or a keyword,
  // or be an emergency: an unknown word cut into short known ones ("vieilles"
  // -> "vie il les") can tip a learned reading of an intent or of doubt.
  const bool keyword = std::any_of(v.hits.begin(), v.hits.end(), [&](const KeywordHit& h) {
    return !IsGenericIntent(h.intent) && h.intent != Intent::kUnknown && h.intent == v.intent;
  });
  const bool more =
      v.carrier || v.distress || v.stated_region || IsSafetyIntent(v.intent) || (keyword && v.intent != u.intent);
  return more ? v : u;
}

// Reads only `text` and `sender_country` (and the engine's own tables):
// UnderstandingCache relies on it.
Understanding MessageEngine::UnderstandText(std::string_view text, std::string_view sender_country,
                                            NotTypoMemo* memo) const {
  Understanding u;
  u.tokens = Tokenize(text);
  const std::vector<Token>& tokens = u.tokens;
  std::vector<bool> used(tokens.size(), false);
  u.sender_country = std::string(sender_country);

  // 0. Safety signals, before anything else: an overdose or suicide risk
  // described in the person's own words ("his lips are blue", "quiero
  // desaparecer"), or deliberately not one ("he overdosed last year").
  const RiskAssessment risk = risk_.Assess(text, tokens);
  // When the rules found no emergency and set none aside (no guard, no
  // outranking), the model trained on the labelled examples reads the
  // message ("my cousin has gone real quiet and grey on the couch"); not a
  // word or three (keywords, greetings). Sure of one class, it answers as
  // that emergency; sure only that it is one, it puts the "when in doubt"
  // line first (below). It also reads an overdose the rules found: sure of
  // suicide ("how many of my antidepressants so I never wake up", "si me
  // inyecto toda la insulina, cuánto tardo en morirme"), 988 joins 911 in
  // the first line.
  const bool rules_silent =
      !risk.overdose && !risk.suicide && !risk.overdose_silenced && !risk.suicide_silenced && risk.guard.empty();
  const bool rules_overdose_only = risk.overdose && !risk.suicide;
  // A death wish the rules found in a message that says it jokes ("this
  // homework is killing me lol me quiero morir jk", "im gonna jump off the
  // roof 😂") and does not say it means it.
  const bool jokes = keywords_.Jokes(text, tokens);
  const bool rules_suicide_joking = risk.suicide && !risk.overdose && jokes;
  RiskModel::Scores model;
  if ((rules_silent || rules_overdose_only || rules_suicide_joking) && tokens.size() >= kDoubtMinTokens) {
    model = model_.Assess(tokens);
  }
  // Sure of one class: both readings agree (RiskModel::SureGate).
  // The joke is taken at its word, under the doubt line (988 still in the
  // first line), unless the regression reads suicide all the same (it
  // learned both the jokes and the people in danger who laugh: "i cant get
  // him out of my head lol i want to die").
  const bool joke =
      rules_suicide_joking && tokens.size() >= kDoubtMinTokens && model.fitted_suicide < model_.sure_gate().fitted;
  // A message that jokes ("lol", "jaja", "mdr", "jk", "😂") keeps a model's reading to the doubt line;
  // distress the rules read keeps an overdose reading there ("i feel like im
  // losing it, my heart is racing": panic reads as overdose to the model; the
  // doubt line carries 988 beside 911).
  const bool model_sure = rules_silent && model.emergency() >= kDoubtThreshold && !jokes;
  const bool model_suicide = model_sure && model_.Sure(model, 1);
  const bool model_overdose = model_sure && !model_suicide && !risk.distress && model_.Sure(model, 0);
  const bool danger = risk.overdose || (risk.suicide && !joke) || model_overdose || model_suicide;
  const bool model_suicide_too = rules_overdose_only && model_.Sure(model, 1);
  // A message the gate would be sure of with every feature counted (a word
  // and the pairs that hold it apiece) keeps at least the doubt line: the
  // stricter count never leaves nothing where a full emergency reply was.
  const bool sure_counting_all =
      model_sure && (model_.Sure(model, 1, false) || (!risk.distress && model_.Sure(model, 0, false)));

  // 1. Carrier words: the whole message, or said in plain words in a short
  // message that asks for nothing else ("please stop texting me"); never a
  // message that signals danger.
  if (!danger) u.carrier = keywords_.MatchCarrier(tokens);
  if (!u.carrier && !danger) {
    if (auto phrase = keywords_.MatchOptOutPhrase(tokens)) {
      std::vector<bool> taken(tokens.size(), false);
      for (std::size_t k = 0; k < phrase->count; ++k) taken[phrase->first + k] = true;
      bool asks_more = false;
      // A relative named as whose phone it is ("stop texting my son", "soy
      // la mamá, no le manden mensajes") asks for nothing more.
      for (const KeywordHit& h : keywords_.MatchExact(tokens, taken)) {
        asks_more = asks_more || (!IsGenericIntent(h.intent) && h.intent != Intent::kText &&
                                  h.intent != Intent::kChat && h.intent != Intent::kStop &&
                                  h.intent != Intent::kStart && !keywords_.NamesTheOptedOut(tokens, *phrase, h));
      }
      if (!asks_more) u.carrier = phrase;
    }
  }
  if (u.carrier) {
    u.intent = u.carrier->intent;
    u.changes.opted_out = u.carrier->intent == Intent::kStop;
    return u;
  }

  // 2. Keywords as written, then a stated region, then typos in what is left.
  // The friend of "asking for a friend" ("pregunto por un amigo", "demande
  // pour une amie") is the idiom for a question one would rather not own,
  // not a relative: the service asked for is the request.
  keywords_.MarkAskingForAFriend(tokens, used);
  u.hits = keywords_.MatchExact(tokens, used);
  const std::vector<bool> before_region = used;
  u.stated_region = regions_.FromMessage(tokens, used, u.sender_country);
  if (!u.stated_region && geo() != nullptr) {
    u.stated_region = regions_.FromCityList(tokens, used, [&](std::string_view name, bool alone) {
      return GazetteerRegion(*geo(), splitter_, name, alone);
    });
  }
  // The tokens of the place it found are not evidence of a language ("naloxone Richmond VA").
  std::vector<bool> place_tokens(tokens.size(), false);
  for (std::size_t i = 0; i < tokens.size(); ++i) place_tokens[i] = used[i] && !before_region[i];
  // Nor are those of a place written in its Spanish or French form ("la
  // Nouvelle-Orléans": the article too); that form gives the language below.
  const std::string_view place_spelling_lang = language_id_.PlaceSpellingLanguage(tokens, &place_tokens);
  for (const KeywordHit& h : keywords_.MatchTypos(tokens, used, memo)) u.hits.push_back(h);

  // The detector decides safety when it has an opinion: a class it set
  // aside (a guard: "my brother overdosed last year", "not suicidal, just
  // want detox"; or an outranking finding: "not going to kill myself")
  // silences that class's keywords; its findings stand even with no
  // keyword. With no opinion, safety keywords stand (when in doubt, the
  // safety line goes first).
  bool silenced = false;
  // Whether a silenced keyword named the subject itself ("overdosed"), not
  // only a sign that has other causes ("passed out", "se desmayó": a
  // names_only group): a story of fainting in the heat is not about drugs.
  bool silenced_subject = false;
  if (risk.overdose_silenced || risk.suicide_silenced) {
    const std::size_t before = u.hits.size();
    u.hits.erase(std::remove_if(u.hits.begin(), u.hits.end(),
                                [&](const KeywordHit& h) {
                                  const bool gone =
                                      (h.intent == Intent::kOverdose && risk.overdose_silenced && !risk.overdose) ||
                                      (h.intent == Intent::kSuicide && risk.suicide_silenced && !risk.suicide);
                                  silenced_subject = silenced_subject || (gone && !h.names_only);
                                  return gone;
                                }),
                 u.hits.end());
    silenced = u.hits.size() != before;
  }
  // A joking death wish is answered under the doubt line, not as suicide:
  // its keyword hits go with the rules' finding.
  if (joke) {
    u.hits.erase(
        std::remove_if(u.hits.begin(), u.hits.end(), [](const KeywordHit& h) { return h.intent == Intent::kSuicide; }),
        u.hits.end());
  }
  if (risk.overdose) u.hits.push_back({Intent::kOverdose, risk.lang.empty() ? "*" : risk.lang, 0, 0, false});
  if (risk.suicide && !joke) u.hits.push_back({Intent::kSuicide, risk.lang.empty() ? "*" : risk.lang, 0, 0, false});
  if (model_overdose) u.hits.push_back({Intent::kOverdose, "*", 0, 0, false});
  if (model_suicide) u.hits.push_back({Intent::kSuicide, "*", 0, 0, false});
  u.model_read = model_overdose || model_suicide;
  u.distress = risk.distress && !danger;
  // When in doubt, the safety line goes first: the model reads an
  // emergency but not which one.
  u.doubt = !danger && (joke || sure_counting_all || model_.Doubts(model));

  // A young age stated in the first person is a youth request.
  std::size_t young_age_at = tokens.size();  // where a young age is stated, if one is
  const auto age = FindStatedAge(tokens);
  // A youth word in the sender's past ("i used to cut in high school"), or
  // beside an adult age of theirs ("I'm 30 now"), is no youth request; nor
  // is one that names someone's children beside a relative named ("my
  // husband keeps relapsing and I have 3 kids", "the kids are asking
  // questions": NamesChildren), nor one inside a study frame, a course of
  // study ("nursing student", "étudiante en soins infirmiers").
  // A crisis word inside a figure of speech ("j'ai failli mourir de peur",
  // "scared me to death haha", "casi me muero de miedo") is no request. Nor
  // is a language named as someone else's ("anything in spanish for my
  // mother in law", "mi abuela solo habla inglés", "ma mère parle
  // espagnol", "a detox where they speak spanish"): the sender's own
  // language is neither switched nor remembered (LanguagesForSomeoneElse).
  // A language the sender says they do not speak ("no sabemos inglés, estamos
  // en la granja", "we cant read spanish") asks for the text's own language:
  // the identifier's, when it is sure and it is another; when it is unsure,
  // its reading with that language excluded (the name of a language is no
  // evidence it is read). A text in the very language it says it lacks
  // ("hablo poco español, ¿hay alguien que hable mixteco?") asks for none,
  // nor does a text that says nothing. A language merely mentioned is a
  // request only as the first or last word of a text written in it (the
  // identifier sure of it: "ESPAÑOL mi hijo está tomando mucho"; not
  // "writing a paper for english 101").
  {
    std::vector<std::string_view> lacks, mentioned;
    const std::vector<bool> theirs = LanguagesForSomeoneElse(keywords_, tokens, u.hits, lacks, mentioned);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < u.hits.size(); ++i) {
      KeywordHit h = u.hits[i];
      if (!mentioned[i].empty()) {
        const bool at_an_end = h.first == 0 || h.first + h.count == tokens.size();
        if (!at_an_end || language_id_.Identify(text, tokens, &place_tokens).lang != mentioned[i]) continue;
      } else if (!lacks[i].empty()) {
        LanguageGuess other = language_id_.Identify(text, tokens, &place_tokens);
        if (other.lang.empty()) other = language_id_.Identify(text, tokens, &place_tokens, lacks[i]);
        if (other.lang.empty() || other.lang == lacks[i] || !catalog_.Has(other.lang)) continue;
        h.lang = other.lang;
      } else if (theirs[i] || (h.intent == Intent::kCrisis && keywords_.InFigureOfSpeech(tokens, h.first))) {
        continue;
      }
      u.hits[kept++] = h;
    }
    u.hits.resize(kept);
  }
  const bool relative_named =
      std::any_of(u.hits.begin(), u.hits.end(), [](const KeywordHit& h) { return h.intent == Intent::kFamily; });
  u.hits.erase(std::remove_if(u.hits.begin(), u.hits.end(),
                              [&](const KeywordHit& h) {
                                return h.intent == Intent::kYouth &&
                                       ((age && age->years > kYouthMaxAge) || keywords_.PastBefore(tokens, h.first) ||
                                        keywords_.InStudyFrame(tokens, h.first) ||
                                        (relative_named && NamesChildren(tokens, h)));
                              }),
               u.hits.end());
  if (age && age->years <= kYouthMaxAge) {
    u.hits.push_back({Intent::kYouth, age->lang, age->first, age->count, false});
    young_age_at = age->first;
  }
  // In message order (keywords as written, typos, the detector's findings and ages were added apart).
  std::sort(u.hits.begin(), u.hits.end(), [](const KeywordHit& a, const KeywordHit& b) { return a.first < b.first; });

  // 3. The intent: safety first, then the most specific one (words as
  // written before typos, then SpecificRank, then the first in the
  // message), then generic ones.
  const KeywordHit* primary = nullptr;
  for (Intent safety : {Intent::kOverdose, Intent::kSuicide}) {
    for (const auto& h : u.hits) {
      if (primary == nullptr && h.intent == safety) primary = &h;
    }
  }
  // A past overdose or a death in the family told as the story behind a
  // request ("my brother overdosed last year and needs rehab", "my son died
  // of an overdose, I need someone to talk to"): the request is answered,
  // not the family member.
  // A treatment or detox word counts as the person's own request only when
  // said in the first person ("and I need rehab"); "now he wants to go to
  // rehab" is still about the family member (FirstPersonBefore).
  // An idiom ("ma mère va me tuer", "I overdosed on netflix") is neither a
  // story nor a question: the words are ignored, and a relative or a young
  // person named in it ("kids overdosed on halloween candy lol") is not a
  // family or youth request.
  const bool idiom = (silenced && risk.guard_topic == "idiom") || (risk.idiom && !danger);
  // A relative followed within three words by a word of use (a names_only
  // treatment or detox word: a drug, drinking, a sign; "mi esposo se
  // droga", "ma blonde boit tous les soirs", "my dad drinks every night") is
  // the subject of a family request, not of the idiom beside it ("le CH me
  // tue cette année lol. mais sérieux, ma blonde boit...").
  // With `any_word`, any treatment or detox word counts ("my son just
  // started using": the relative who uses, uses_after below).
  auto relative_uses = [&](const KeywordHit& family, bool any_word = false) {
    const std::size_t end = family.first + family.count;
    return family.intent == Intent::kFamily && std::any_of(u.hits.begin(), u.hits.end(), [&](const KeywordHit& h) {
             return (h.intent == Intent::kTreatment || h.intent == Intent::kDetox) && (any_word || h.names_only) &&
                    h.first >= end && h.first <= end + 3;
           });
  };
  // A relative who wants the service himself ("now he finally wants rehab",
  // "mi hermano ahora quiere ir a rehabilitación", "là y veut entrer en
  // thérapie") asks for that service; the sender wanting to get him in
  // ("how do I get my son into treatment", "my son needs detox") stays a
  // family request, and so does his wish to quit ("mon fils veut arrêter
  // la boisson, il va en désintox ou en thérapie?": no service wanted).
  auto relative_wants = [&](const KeywordHit& h) {
    return (h.intent == Intent::kTreatment || h.intent == Intent::kDetox) && !h.names_only && !h.fuzzy &&
           !keywords_.OwnChangeAt(tokens, h.first) && keywords_.RelativeWantsBefore(tokens, h.first);
  };
  // A story is one whether the guard removed a keyword ("overdosed last
  // year") or only set a rule aside ("they hit me with narcan last year").
  const bool story_silenced =
      silenced || (risk.overdose_silenced && !risk.overdose) || (risk.suicide_silenced && !risk.suicide);
  const bool past_story = story_silenced && risk.guard_topic != "idiom" && risk.guard_topic != "harm";
  const bool other_request = std::any_of(u.hits.begin(), u.hits.end(), [&](const KeywordHit& h) {
    if (IsGenericIntent(h.intent) || IsSafetyIntent(h.intent) || h.intent == Intent::kFamily) return false;
    if (h.intent == Intent::kTreatment || h.intent == Intent::kDetox) {
      return keywords_.FirstPersonBefore(tokens, h.first) || relative_wants(h);
    }
    return true;
  });
  // In a past story, the sender's own treatment request also outranks the
  // naloxone that was part of the story, told before it ("they hit me with
  // narcan last year, I want to get clean now"); naloxone asked for after it
  // stays the request ("a stranger narcan'd me. I'm 4 months clean now and
  // want to carry narcan myself"). A drug named after "my" ("my brother
  // overdosed on fentanyl") is no request of the sender's.
  std::size_t own_request_at = tokens.size();  // the first such request, if any
  if (past_story) {
    for (const KeywordHit& h : u.hits) {
      if ((h.intent == Intent::kTreatment || h.intent == Intent::kDetox) && !h.names_only &&
          keywords_.FirstPersonBefore(tokens, h.first)) {
        own_request_at = std::min(own_request_at, h.first);
      }
    }
  }
  const bool own_request = own_request_at < tokens.size();
  // A relative named while the message says nothing about use, help or a
  // service ("my kid has the flu", "its over with my girlfriend", "my mom is
  // gonna kill me lol") is no family request: a "names_only" family word
  // counts only in a message of a few words ("my son") or beside another keyword (not a greeting), a safety or
  // distress signal, or a safety keyword naming the subject that the
  // detector set aside ("my brother overdosed last year"). Nor is a relative named as the reason
  // for, or a witness of, the sender's own change ("i want to get sober for
  // my kids", "quiero dejar el cristal por mis hijos", "one year sober today
  // and my mom cried"): the treatment is the request.
  const bool says_more = danger || risk.distress || silenced_subject || tokens.size() <= kRelativeAloneMaxTokens ||
                         std::any_of(u.hits.begin(), u.hits.end(), [](const KeywordHit& h) {
                           return h.intent != Intent::kFamily && h.intent != Intent::kYouth &&
                                  !(h.names_only && IsGenericIntent(h.intent));
                         });
  // (Supplies asked for someone, "clean needles for my brother", are for
  // that someone: no own change with a harm-reduction or naloxone word.)
  const bool own_change =
      keywords_.SaysOwnChange(tokens) &&
      std::any_of(u.hits.begin(), u.hits.end(),
                  [](const KeywordHit& h) { return h.intent == Intent::kTreatment || h.intent == Intent::kDetox; }) &&
      std::none_of(u.hits.begin(), u.hits.end(),
                   [](const KeywordHit& h) { return h.intent == Intent::kHarm || h.intent == Intent::kNaloxone; });
  // A sign of withdrawal ("me tiemblan las manos", "des sueurs") is detox
  // only beside a treatment word (a drug, drinking, quitting); "me tiemblan
  // las manos de los nervios" is not.
  const bool treatment_named =
      std::any_of(u.hits.begin(), u.hits.end(), [](const KeywordHit& h) { return h.intent == Intent::kTreatment; });
  auto named_in_passing = [&](const KeywordHit& h) {
    if (h.intent == Intent::kDetox) return h.names_only && !treatment_named;
    if (h.intent != Intent::kFamily) return false;
    if (h.names_only && !says_more) return true;
    return own_change &&
           (keywords_.ReasonBefore(tokens, h.first) || keywords_.ReactionAfter(tokens, h.first + h.count));
  };
  // A relative only named ("my wife", "mi hijo", "ma famille": a names_only
  // or one-word family keyword) beside the sender's own ask for a way to
  // reach someone is the story behind that ask when nothing in the message
  // is about anyone's use (no drug, drinking, treatment, detox, harm-
  // reduction or naloxone word): "my wife left me, I just need someone to
  // talk to", "my friend attempted last month, is there a number she can
  // text". A text or chat line counts in any person; someone to talk to
  // (crisis) only asked in the first person after the relative ("I need",
  // "j'ai besoin de"), so "my wife is depressed" stays a family request.
  // A detox asked for outright ("where's the closest detox", "¿hay
  // desintoxicación en Houston?": a request marker or a question mark) wins
  // over a relative even beside use words, unless the relative is its
  // subject ("he needs detox") and no place is asked for ("where can he go
  // to detox" is detox: AsksWhere); so do harm-reduction supplies asked for
  // outright ("¿tienen tiras para detectar fentanilo? mi amigo va a usar"),
  // unless asked for the relative ("clean needles for my brother"). Family
  // stays for help for a relative who uses ("my dad drinks every night,
  // what do I do", "how do I talk to him"). A family phrase ("how can I
  // help him", "para familias") is a request of its own and never yields.
  const bool use_named = std::any_of(u.hits.begin(), u.hits.end(), [](const KeywordHit& h) {
    return h.intent == Intent::kTreatment || h.intent == Intent::kDetox || h.intent == Intent::kHarm ||
           h.intent == Intent::kNaloxone;
  });
  auto yields_to_own_ask = [&](const KeywordHit& family) {
    if (family.intent != Intent::kFamily || !(family.names_only || family.count == 1)) return false;
    const std::size_t family_end = family.first + family.count;
    const bool asks = keywords_.MakesARequest(tokens) || text.find('?') != std::string_view::npos;
    // Supplies asked for the relative ("clean needles for my brother") are a family request.
    static const std::unordered_set<std::string_view> kFor = {"for", "para", "pour", "por"};
    const bool for_relative = family.first > 0 && kFor.count(tokens[family.first - 1].text) != 0;
    return std::any_of(u.hits.begin(), u.hits.end(), [&](const KeywordHit& h) {
      if (h.fuzzy) return false;
      switch (h.intent) {
        case Intent::kText:
        case Intent::kChat: return !use_named && !TextIsAPromise(tokens, h);
        case Intent::kCrisis:  // its own first word counts ("necesito hablar"), six words back ("i just want to talk")
          return !use_named && h.first >= family_end &&
                 keywords_.PersonBefore(tokens, h.first + 1, family_end, 6) == KeywordTable::Person::kFirst;
        case Intent::kDetox:  // a place asked for wins even for the relative ("where can he go to detox")
          return (!h.names_only && asks &&
                  (keywords_.PersonBefore(tokens, h.first) != KeywordTable::Person::kThird || AsksWhere(tokens))) ||
                 relative_wants(h);
        case Intent::kTreatment: return relative_wants(h);
        case Intent::kHarm: return !h.names_only && asks && !for_relative;
        default: return false;
      }
    });
  };
  for (const auto& h : u.hits) {
    if (IsGenericIntent(h.intent) || (primary != nullptr && IsSafetyIntent(primary->intent))) continue;
    if (yields_to_own_ask(h)) continue;
    // (A family request in the sender's words, "how can i help him", still
    // stands beside the story.)
    if (((past_story && other_request && h.names_only) || (idiom && h.names_only && !relative_uses(h))) &&
        h.intent == Intent::kFamily) {
      continue;
    }
    if (named_in_passing(h)) continue;
    if (idiom && h.intent == Intent::kYouth && h.first != young_age_at) continue;
    if (own_request && h.intent == Intent::kNaloxone && h.first < own_request_at) continue;
    if (h.intent == Intent::kText && TextIsAPromise(tokens, h)) continue;
    if (ChatIsAPet(tokens, h)) continue;
    // "can i just text someone, my parents are home": the texting request.
    // A young sender's parents as a youth word ("mis papás me escuchan,
    // prefiero escribir") yield to it the same way.
    if ((h.intent == Intent::kFamily ||
         (h.intent == Intent::kYouth && h.count >= 2 && keywords_.PossessiveAt(tokens, h.first))) &&
        keywords_.PresenceAfter(tokens, h.first + h.count) &&
        std::any_of(u.hits.begin(), u.hits.end(), [](const KeywordHit& t) { return t.intent == Intent::kText; })) {
      continue;
    }
    if (primary == nullptr || Outranks(h, *primary)) primary = &h;
  }
  for (const auto& h : u.hits) {
    const bool named_in_idiom = idiom && ((h.intent == Intent::kFamily && h.names_only && !relative_uses(h)) ||
                                          (h.intent == Intent::kYouth && h.first != young_age_at));
    const bool promise = (h.intent == Intent::kText && TextIsAPromise(tokens, h)) || ChatIsAPet(tokens, h) ||
                         (h.intent == Intent::kInfo && keywords_.ThankedFor(tokens, h.first));
    if (primary == nullptr && !named_in_idiom && !promise && !named_in_passing(h) && !yields_to_own_ask(h)) {
      primary = &h;
    }
  }
  // A place alone is a region request in a short message ("im in alberta",
  // "je suis a trois-rivieres"); named in a longer one that asks for nothing
  // ("gave away my furniture since im moving to denver next week", "me
  // muero de calor aqui en phoenix jaja") it is the unknown reply, for that
  // region all the same.
  const bool region_only = u.stated_region && tokens.size() <= kRegionOnlyMaxTokens;
  u.intent = primary != nullptr ? primary->intent : region_only ? Intent::kRegion : Intent::kUnknown;
  // A message about overdoses that is deliberately not an emergency ("what
  // does an overdose look like", "can you overdose on weed") and asks for
  // nothing more specific is a harm-reduction question; a question (guard
  // topic "harm") is one even when it names a drug, naloxone or a relative
  // ("what happens if you take too much suboxone": a treatment word; "what
  // do I do if my friend overdoses": a family word).
  // A question that asks for nothing else is one even when the overdose it
  // asks about is in words no keyword lists ("que hago si alguien se pasa
  // con la fenta").
  const bool nothing_else = primary == nullptr || IsGenericIntent(primary->intent);
  // Words that only name a drug ("con la fenta") ask for nothing either.
  const bool asks_about_overdose = risk.overdose_silenced && !risk.overdose && risk.guard_topic == "harm" &&
                                   (nothing_else || std::all_of(u.hits.begin(), u.hits.end(), [](const KeywordHit& h) {
                                      return h.names_only || IsGenericIntent(h.intent);
                                    }));
  // Naloxone asked for in so many words ("donde consigo naloxona para
  // practicar", "je veux avoir du narcan chez nous") stays naloxone.
  // So does naloxone asked about in a training ("how much narcan do you
  // give someone who overdosed? doing a CPR class": learning to give it).
  const bool naloxone_asked = primary != nullptr && primary->intent == Intent::kNaloxone &&
                              (keywords_.MakesARequest(tokens) || keywords_.AsksToStudy(tokens));
  // Only signs silenced, with no drug named ("my grandpa passed out from the
  // heat last summer, he's ok now"): not an overdose story.
  const bool about_drugs = silenced_subject || std::any_of(u.hits.begin(), u.hits.end(), [](const KeywordHit& h) {
                             return h.intent == Intent::kTreatment || h.intent == Intent::kDetox ||
                                    h.intent == Intent::kHarm || h.intent == Intent::kNaloxone;
                           });
  // A relative who uses ("what are the signs somebody's overdosing? my son
  // just started using", "mon gars consomme pis j'ai peur": a treatment or
  // detox word within three words after the relative) makes the same
  // question a family request.
  auto uses_after = [&](const KeywordHit& family) { return relative_uses(family, true); };
  const bool relative_who_uses = primary != nullptr && uses_after(*primary);
  if (!relative_who_uses &&
      ((silenced && about_drugs && risk.overdose_silenced && risk.guard_topic != "idiom" &&
        (nothing_else || (risk.guard_topic == "harm" &&
                          ((primary->intent == Intent::kNaloxone && !naloxone_asked) ||
                           primary->intent == Intent::kTreatment || primary->intent == Intent::kFamily)))) ||
       (asks_about_overdose && !naloxone_asked))) {
    u.intent = Intent::kHarm;
  }
  // A question about a drug that asks for nothing else ("can molly make you
  // overheat", "how much fentanyl is too much", "is rat poison in street
  // drugs a real thing"): the message opens as a question, every keyword
  // only names a drug (or is a harm-reduction one), and nothing is asked
  // for. Harm reduction answers it.
  if (!danger && u.intent == Intent::kTreatment && keywords_.StartsAQuestion(tokens) &&
      !keywords_.MakesARequest(tokens) && std::all_of(u.hits.begin(), u.hits.end(), [](const KeywordHit& h) {
        return h.names_only || h.intent == Intent::kHarm;
      })) {
    u.intent = Intent::kHarm;
  }
  // Words about a story, the news, a show or a song, or schoolwork, with
  // nothing asked for ("saw on the news that overdose deaths went down",
  // "doing a school project about rehab centers", "j'ai vu un reportage
  // sur le fentanyl", "my uncle went to rehab back in the 90s"): no
  // treatment, family or harm-reduction request, so the unknown reply,
  // which always carries the national helpline, the emergency line and how
  // to ask for more (and 988 with distress words). Never a safety finding;
  // youth is kept, and so are crisis words said in the first person ("i
  // feel so depressed"), unless laughing about the story ("i was crying so
  // hard lol that show is brutal") or frightened by it ("lo escuché en las
  // noticias y me dio miedo"), harm reduction asked for by its own
  // words ("a bad batch"), naloxone, and detox said in the first person.
  // Detox only named in it ("just finished watching Dopesick") asks for
  // nothing. A one-word keyword sent as the message's first word ("DETOX i
  // watched a documentary ...") is a request all the same, here and below.
  auto is_command = [](const KeywordHit& h) { return h.first == 0 && h.count == 1 && !h.fuzzy && !h.names_only; };
  if (!danger &&
      (u.intent == Intent::kTreatment || u.intent == Intent::kFamily || u.intent == Intent::kHarm ||
       u.intent == Intent::kCrisis || u.intent == Intent::kDetox) &&
      keywords_.TellsAStory(tokens) && !keywords_.MakesARequest(tokens) &&
      std::none_of(u.hits.begin(), u.hits.end(),
                   [&, laughs = keywords_.Laughs(tokens) || keywords_.FrightOfAStory(tokens)](const KeywordHit& h) {
                     return is_command(h) || h.intent == Intent::kHarm || h.intent == Intent::kText ||
                            (h.intent == Intent::kHelp && !h.names_only) || h.intent == Intent::kNaloxone ||
                            (h.intent == Intent::kDetox && keywords_.FirstPersonBefore(tokens, h.first)) ||
                            (h.intent == Intent::kCrisis && !laughs && keywords_.FirstPersonBefore(tokens, h.first));
                   })) {
    u.intent = Intent::kUnknown;
    u.asks_nothing = true;
  }
  // A question for information with nobody using: a class, a training, a
  // paper, curiosity ("signs of an opioid overdose for my EMT class", "qué
  // pasa si mezclas alcohol con clonazepam? solo curiosidad", "pour un
  // travail, c'est quoi les signes d'une surdose"): the unknown reply, even
  // when it asks for material. A relative or friend who uses ("my son just
  // started using"), a family phrase ("how do I help him"), the sender's
  // own ask for a service ("I need detox") and naloxone ("how much narcan
  // do you give, doing a CPR class") keep their request.
  if (!danger &&
      (u.intent == Intent::kTreatment || u.intent == Intent::kFamily || u.intent == Intent::kHarm ||
       u.intent == Intent::kDetox) &&
      keywords_.AsksToStudy(tokens) && std::none_of(u.hits.begin(), u.hits.end(), [&](const KeywordHit& h) {
        if (is_command(h)) return true;
        switch (h.intent) {
          case Intent::kFamily: return !h.names_only || uses_after(h);
          case Intent::kNaloxone: return true;
          case Intent::kTreatment:
          case Intent::kDetox:
          case Intent::kHarm: return !h.names_only && keywords_.FirstPersonBefore(tokens, h.first);
          default: return false;
        }
      })) {
    u.intent = Intent::kUnknown;
    u.asks_nothing = true;
  }
  // A past attempt told with being well now, to help others or to thank
  // ("hace dos años intenté suicidarme, ahora estoy bien y quiero ayudar a
  // otros", "j'ai fait une tentative l'an passé, aujourd'hui je vais mieux,
  // merci"): no help or crisis request, the unknown reply (it carries the
  // lines all the same).
  if (!danger && ((past_story && risk.suicide_silenced) || keywords_.TellsOfAnAttempt(tokens)) &&
      keywords_.GivesBack(tokens) &&
      (u.intent == Intent::kHelp || u.intent == Intent::kCrisis || u.intent == Intent::kInfo)) {
    u.intent = Intent::kUnknown;
    u.asks_nothing = true;
  }
  // An overdose with suicide risk ("I took all my pills, I want to die")
  // gets both in its first line: 911 now, and 988.
  // So does an overdose only the model read: it is less sure than a rule
  // of which emergency it is ("he texted goodbye and his pills are with him").
  u.suicide_too =
      u.intent == Intent::kOverdose &&
      (model_overdose || model_suicide_too ||
       std::any_of(u.hits.begin(), u.hits.end(), [](const KeywordHit& h) { return h.intent == Intent::kSuicide; }));
  // The intent model's second opinion, where the rules are weak (intent_model.h):
  // never on a safety finding, the doubt line, or an exact keyword or place as the first word.
  const bool command = (!tokens.empty() && place_tokens[0]) ||
                       std::any_of(u.hits.begin(), u.hits.end(),
                                   [](const KeywordHit& h) { return h.first == 0 && !h.fuzzy && !h.names_only; });
  const IntentModel::RulesSaid rules{u.intent, command, danger || u.doubt, u.stated_region.has_value()};
  if (const auto second = intent_model_.SecondOpinion(tokens, rules)) u.intent = *second;
  // A short message that names an emergency or its services and asks
  // nothing else we understand ("911??", "EMERGENCY", "need an ambulance",
  // "une ambulance svp", or "help" beside it) gets the doubt line first, 911
  // and 988, not "we did not understand" (keywords.json "emergency_calls");
  // so does a short farewell with a sad emoji ("bye everyone 💔", "adiós 🥀":
  // "sad_farewells"), which may be a last one, unless the rules read it as
  // distress (the 988 line first: "🥀 bye"); so does a message that is only
  // words of giving up or of an end ("im done", "its over", "me rindo",
  // "c'est fini": "last_words"), which the risk model, reading from
  // kDoubtMinTokens words, never sees.
  if (!danger && !u.doubt && !u.distress && (u.intent == Intent::kUnknown || u.intent == Intent::kHelp) &&
      ((tokens.size() <= kEmergencyCallMaxWords && keywords_.NamesAnEmergency(tokens)) ||
       (tokens.size() <= kSadFarewellMaxWords && keywords_.SadFarewell(text, tokens)) ||
       keywords_.IsOnlyLastWords(tokens))) {
    u.doubt = true;
  }

  // 4. The language. An explicit switch ("ESPAÑOL") is stated and
  // remembered. Otherwise the whole message is read (LanguageIdentifier):
  // when a Spanish or French keyword agrees with it, that is stated too;
  // when it is sure on its own, it answers this message (detected: below a
  // remembered language, above the app's); a lone non-English keyword the
  // identifier cannot weigh ("AYUDA") is stated as before; a safety
  // pattern's language is the next clue, then a place: its name in French
  // or Spanish, or, when nothing else in the message weighs for any
  // language, the language of its region (LanguageIdentifier::RegionLanguage).
  for (const auto& h : u.hits) {
    if (h.intent == Intent::kLanguage && catalog_.Has(h.lang)) u.stated_language = std::string(h.lang);
  }
  if (u.stated_language.empty()) {
    std::string keyword_lang;
    if (primary != nullptr && primary->lang != "en" && catalog_.Has(primary->lang)) keyword_lang = primary->lang;
    for (const auto& h : u.hits) {
      if (keyword_lang.empty() && h.lang != "en" && catalog_.Has(h.lang)) keyword_lang = std::string(h.lang);
    }
    // Nor are the letters of an age ("15 y/o", "17 yo": Spanish "y", "o"
    // and "yo"; language.json "age_letters").
    std::vector<bool> with_age;  // filled only when an age's letters are words of another language
    if (age) {
      for (std::size_t k = age->first; k < age->first + age->count && k < tokens.size(); ++k) {
        if (!language_id_.IsAgeLetter(age->lang, tokens[k].text)) continue;
        if (with_age.empty()) with_age = place_tokens;
        with_age[k] = true;
      }
    }
    const LanguageGuess guess = language_id_.Identify(text, tokens, with_age.empty() ? &place_tokens : &with_age);
    if (!guess.lang.empty() && catalog_.Has(guess.lang)) {
      if (keyword_lang == guess.lang) {
        u.stated_language = keyword_lang;
      } else {
        u.detected_language = std::string(guess.lang);
      }
    } else if (!keyword_lang.empty()) {
      u.stated_language = keyword_lang;
    } else if (!risk.lang.empty() && risk.lang != "en" && catalog_.Has(risk.lang)) {
      u.detected_language = std::string(risk.lang);
    } else if (u.stated_region) {
      u.detected_language = LanguageOfRegionName(*u.stated_region, tokens);
      // A city written in its Spanish or French form ("Nueva Orleans", "la
      // Nouvelle-Orléans") when nothing else weighs for a language.
      if (u.detected_language.empty() && !guess.evidence) u.detected_language = std::string(place_spelling_lang);
      // A place and nothing else that speaks for a language ("Sept-Îles",
      // "Chicoutimi?"): the language most people write there, when the
      // data names one (Québec: French). Detected, so a remembered
      // language still wins; "im in montreal" has English evidence and
      // stays with the fallback.
      if (u.detected_language.empty() && !guess.evidence) {
        u.detected_language = std::string(language_id_.RegionLanguage(*u.stated_region));
      }
    }
  }
  if (!u.stated_language.empty()) u.changes.language = u.stated_language;
  if (u.stated_region) u.changes.region = *u.stated_region;
  return u;
}

EngineReply MessageEngine::Handle(const InboundMessage& message, const SenderState& state,
                                  const directory::DirectoryIndex& index, ReplyCache* cache) const {
  return Answer(message, Understand(message), state, index, cache);
}

EngineReply MessageEngine::Answer(const InboundMessage& message, const Understanding& u, const SenderState& state,
                                  const directory::DirectoryIndex& index, ReplyCache* cache) const {
  const std::string fallback_lang = FallbackLanguage(message, u, state);
  // 1. Carrier words: the whole message.
  if (u.carrier) return AnswerCarrierWord(message, *u.carrier, state, fallback_lang, index, cache);

  // 2-3. Keywords, the stated region and the intent come from Understand().
  EngineReply reply;
  reply.intent = u.intent;

  // 4. The language: the stated one (and remembered), else the fallback.
  const bool language_stated = !u.stated_language.empty();
  reply.language = language_stated ? u.stated_language : fallback_lang;
  if (language_stated && reply.language != state.language) reply.changes.language = reply.language;

  // 5. The region: stated in the message (and remembered), or the fallbacks.
  if (u.stated_region) {
    reply.region = {*u.stated_region, RegionSource::kMessage};
    if (*u.stated_region != state.region) reply.changes.region = *u.stated_region;
  } else {
    reply.region = regions_.Fallback(state.region, message.from, message.hints);
  }

  // What follows depends on nothing else (the Understanding is a function
  // of the text and the sender's country), so a repeated message takes the
  // reply settled on before, without building its key again.
  std::optional<AnswerInputs> inputs;
  if (cache != nullptr && message.text.size() <= kMaxRememberedTextBytes) {
    inputs.emplace(message.text, u.sender_country, reply.language, reply.region.code, reply.region.candidates,
                   state.opted_out, message.channel == ChannelType::kSms);
    if (const std::optional<ReplyCache::Answered> answered = cache->FindAnswer(index, *inputs)) {
      reply.intent = answered->intent;
      CopyComposed(reply, *answered->reply);
      return reply;
    }
  }

  // 6. A resource named in the message comes first; a message that asks for
  // nothing else gets that resource's topic (not one the rules set aside as
  // asking for nothing: Understanding::asks_nothing). Safety answers keep their own
  // order (the named line still appears if the reply has room for it).
  const Resource* named = nullptr;
  if (!IsSafetyIntent(reply.intent)) {
    const NamedResource found = FindNamedResource(u.tokens, reply.region.code, index);
    named = found.serving;
    if (found.topic != nullptr && !u.asks_nothing &&
        (reply.intent == Intent::kUnknown || reply.intent == Intent::kRegion || IsGenericIntent(reply.intent))) {
      reply.intent = IntentOfCategory(found.topic->categories.front());
    }
  }

  // 7. The reply's lines, then its resources within the budget.
  Composition c;
  c.intent = reply.intent;
  c.named = named;
  c.cat = &catalog_.For(reply.language);
  c.channel = message.channel;
  c.region = reply.region.code;
  c.reader_country =
      !u.sender_country.empty() ? u.sender_country : std::string(directory::CountryOf(reply.region.code));
  // An opted-out sender gets HELP and safety answers (CTIA allows HELP; a
  // life may depend on the rest) and otherwise one line on how to come back.
  const bool help = reply.intent == Intent::kHelp || reply.intent == Intent::kInfo;
  if (state.opted_out && !IsSafetyIntent(reply.intent) && !help) {
    c.resources_wanted = false;
    // In doubt, the safety line still goes first (Understanding::doubt).
    if (u.doubt) {
      c.emergency = EmergencyNumber(reply.region.code, reply.language, c.reader_country, index);
      c.head.push_back({Fill(c.cat->doubt_first, {{"emergency", c.emergency}}), rank::kNever});
    }
    c.head.push_back({Fill(c.cat->opted_out, {{"program", catalog_.program()}}), rank::kNever});
    ComposeInto(reply, std::move(c), "opted_out", index, cache, inputs ? &*inputs : nullptr);
    return reply;
  }
  c.emergency = EmergencyNumber(reply.region.code, reply.language, c.reader_country, index);
  AddFixedLines(c, reply, u);
  c.nearby =
      nearby_.Find(message.text, reply.intent, reply.language, index, message.channel == ChannelType::kChat ? 6 : 3);
  if (!c.nearby.notice.empty()) {
    // "No exact location for K1A: lines for Ontario." explains the heading, so
    // it leads; "No listed site within 50 mi of Phoenix." follows the lines
    // the person can still use (sites are listed in few places so far).
    const bool none_near = c.nearby.sites.empty() && c.nearby.location.has_point();
    ReplyLine notice{c.nearby.notice, rank::kNearbyNotice};
    if (none_near)
      c.tail.insert(c.tail.begin(), std::move(notice));
    else
      c.head.push_back(std::move(notice));
  }
  if (!c.nearby.empty()) cache = nullptr;  // the reply depends on the place named, not only the region
  ComposeInto(reply, std::move(c), "reply", index, cache, inputs ? &*inputs : nullptr);
  return reply;
}

// Without a stated language: the remembered one, then the one the message
// is written in, then the app's (a Telegram or chat client's "es-MX" counts
// as "es"), then the default.
std::string MessageEngine::FallbackLanguage(const InboundMessage& message, const Understanding& u,
                                            const SenderState& state) const {
  if (!state.language.empty() && catalog_.Has(state.language)) return state.language;
  if (!u.detected_language.empty()) return u.detected_language;
  std::string hint = message.hints.language.substr(0, message.hints.language.find_first_of("-_"));
  for (char& ch : hint) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return catalog_.Has(hint) ? hint : options_.default_language;
}

// STOP, START...: one confirmation in the word's language, and the opt-out
// state it sets.
EngineReply MessageEngine::AnswerCarrierWord(const InboundMessage& message, const KeywordHit& carrier,
                                             const SenderState& state, const std::string& fallback_lang,
                                             const directory::DirectoryIndex& index, ReplyCache* cache) const {
  EngineReply reply;
  reply.intent = carrier.intent;
  reply.language = catalog_.Has(carrier.lang) ? std::string(carrier.lang) : fallback_lang;
  const LanguageCatalog& cat = catalog_.For(reply.language);
  reply.region = regions_.Fallback(state.region, message.from, message.hints);
  Composition c;
  c.cat = &cat;
  c.channel = message.channel;
  c.resources_wanted = false;
  c.head.push_back(
      {Fill(carrier.intent == Intent::kStop ? cat.stop : cat.start, {{"program", catalog_.program()}}), rank::kNever});
  ComposeInto(reply, std::move(c), "carrier", index, cache);
  reply.changes.opted_out = carrier.intent == Intent::kStop;
  return reply;
}

MessageEngine::NamedResource MessageEngine::FindNamedResource(const std::vector<Token>& tokens, std::string_view region,
                                                              const directory::DirectoryIndex& index) const {
  const std::vector<std::string_view> chain = directory::Ancestry(region);
  auto serves_here = [&](const Resource* r) {
    return std::any_of(r->regions.begin(), r->regions.end(), [&](const std::string& code) {
      return std::find(chain.begin(), chain.end(), code) != chain.end();
    });
  };
  // A line that does not serve the person's place (the US poison line
  // named from Toronto) is not offered, but still says what they want.
  NamedResource found;
  for (const auto& m : index.FindAliases(tokens)) {
    const Resource* r = m.resource;
    if (r->HasCategory(Category::kEmergency) || r->categories.empty()) continue;
    if (!Textable(*r)) continue;
    if (found.topic == nullptr) found.topic = r;
    if (found.serving == nullptr && serves_here(r)) found.serving = r;
  }
  if (found.serving != nullptr) found.topic = found.serving;
  return found;
}

// The directory's emergency line for the region when it lists one, else 911
// (US and Canada), formatted for the reader.
std::string MessageEngine::EmergencyNumber(std::string_view region, std::string_view language,
                                           std::string_view reader_country,
                                           const directory::DirectoryIndex& index) const {
  for (const Resource* r : index.Lookup(region, Category::kEmergency, language, 2)) {
    if (!r->channels.empty() && directory::IsPhoneKind(r->channels.front().kind)) {
      return phones_.FormatFor(r->channels.front().value, reader_country);
    }
  }
  return "911";
}

// The lines before the resource lines (safety first, the heading last) and
// after them (the menu, how to ask for another region, the HELP footer).
void MessageEngine::AddFixedLines(Composition& c, const EngineReply& reply, const Understanding& u) const {
  const bool distress = u.distress, suicide_too = u.suicide_too;
  const LanguageCatalog& cat = *c.cat;
  const bool safety = IsSafetyIntent(reply.intent);
  const bool help = reply.intent == Intent::kHelp || reply.intent == Intent::kInfo;
  // Safety first: one line that says what to do now. An overdose with
  // suicide risk gets both in that first line (911 now, and 988), so
  // neither waits behind the other on a small screen.
  if (safety) {
    const std::string& first = reply.intent == Intent::kSuicide ? cat.suicide_first
                               : suicide_too                    ? cat.overdose_suicide_first
                                                                : cat.overdose_first;
    c.head.push_back({Fill(first, {{"emergency", c.emergency}}), rank::kNever});
  }
  if (help) c.head.push_back({Fill(cat.help_intro, {{"program", catalog_.program()}}), rank::kHelpIntro});
  if (reply.intent == Intent::kLanguage) c.head.push_back({cat.language_set, rank::kNotice});
  // Not "we did not understand" under the doubt line: it answers the
  // message ("Someone in danger? ... Thoughts of suicide: call or text 988").
  if (reply.intent == Intent::kUnknown && !u.doubt) c.head.push_back({cat.unknown, rank::kNotice});
  // Distress ("I can't take it anymore", "not going to kill myself but..."):
  // 988 first, whatever else is asked.
  if (distress && !safety && !u.doubt) {
    c.head.insert(c.head.begin(), {cat.distress_first, rank::kNever});
  }
  // In doubt (Understanding::doubt): 911 and 988 first, whatever is asked.
  if (u.doubt && !safety) {
    c.head.insert(c.head.begin(), {Fill(cat.doubt_first, {{"emergency", c.emergency}}), rank::kNever});
  }

  if (reply.intent == Intent::kLanguage || reply.intent == Intent::kUnknown || reply.intent == Intent::kInfo) {
    c.tail.push_back({cat.menu, rank::kMenu});
    // Never a dead end: what we did not understand still gets the main line
    // of the person's country and the place's own (the menu says how to ask
    // for more and carries the emergency number).
    c.max_resources = reply.intent == Intent::kUnknown ? 2 : 1;
  }
  const std::string region_name(RegionName(reply.region.code, cat));
  c.head.push_back({Fill(cat.heading, {{"topic", cat.Topic(reply.intent)}, {"region", region_name}}), rank::kHeading});
  if (!reply.region.candidates.empty()) {
    // The number's area code spans several provinces or territories (902,
    // 867): the country's lines now, and a question instead of a guess.
    std::string names;
    for (const std::string& code : reply.region.candidates) {
      if (!names.empty()) names += ", ";
      names += RegionName(code, cat);
    }
    c.tail.push_back({Fill(cat.ask_region, {{"regions", names}}), rank::kOtherRegion});
  } else {
    c.tail.push_back({cat.other_region, rank::kOtherRegion});
  }
  if (help) c.tail.push_back({cat.help_footer, rank::kHelpFooter});
}

// Composes `c` into the reply, or reuses the reply composed before for the
// same key (the key is read before Compose consumes the lines). With
// `inputs`, the cache also remembers that Answer() settled on this reply for
// them.
void MessageEngine::ComposeInto(EngineReply& reply, Composition&& c, std::string_view kind,
                                const directory::DirectoryIndex& index, ReplyCache* cache,
                                const AnswerInputs* inputs) const {
  if (cache == nullptr) {
    ComposedReply composed = Compose(std::move(c), index);
    reply.text = std::move(composed.text);
    reply.segments = std::move(composed.segments);
    reply.encoding = composed.encoding;
    reply.resources = std::move(composed.resources);
    return;
  }
  ReplyKey key(kind, c.intent, c.cat->lang, c.region, c.reader_country, c.channel == ChannelType::kSms);
  for (const ReplyLine& l : c.head) key.AddHeadLine(l.text);
  if (c.named != nullptr) key.AddNamedResource(c.named->id);
  for (const std::string& code : reply.region.candidates) key.AddCandidateRegion(code);
  const ComposedReply* kept = cache->Find(index, key);
  if (kept == nullptr) kept = cache->Insert(std::move(key), Compose(std::move(c), index));
  if (inputs != nullptr) cache->RememberAnswer(*inputs, reply.intent, kept);
  CopyComposed(reply, *kept);
}

EngineReply MessageEngine::RateLimitNotice(const SenderState& state, ChannelType channel) const {
  EngineReply reply;
  reply.intent = Intent::kUnknown;
  reply.language = catalog_.Has(state.language) ? state.language : options_.default_language;
  const LanguageCatalog& cat = catalog_.For(reply.language);
  reply.text = Fill(cat.rate_limited, {{"program", catalog_.program()}});
  if (channel == ChannelType::kSms) reply.text = ToGsmFriendly(reply.text, GsmFriendlyOptions{.fold_accents = true});
  reply.encoding = MeasureSms(reply.text).encoding;
  reply.segments = channel == ChannelType::kSms ? SplitSegments(reply.text, FindUnbreakableSpans(reply.text))
                                                : std::vector<std::string>{reply.text};
  return reply;
}

Result<MessageEngine> LoadMessageEngine(const std::string& dir, EngineOptions options) {
  Status status;
  std::string keywords_text = ReadFile(dir + "/keywords.json", &status);
  if (!status.ok()) return status;
  std::string messages_text = ReadFile(dir + "/messages.json", &status);
  if (!status.ok()) return status;
  auto keywords = KeywordTable::Parse(keywords_text);
  if (!keywords.ok()) return InvalidArgument(dir + "/keywords.json: " + keywords.status().message());
  auto catalog = Catalog::Parse(messages_text);
  if (!catalog.ok()) return InvalidArgument(dir + "/messages.json: " + catalog.status().message());
  std::string risk_text = ReadFile(dir + "/risk.json", &status);
  if (!status.ok()) return status;
  auto risk = RiskDetector::Parse(risk_text);
  if (!risk.ok()) return InvalidArgument(dir + "/risk.json: " + risk.status().message());
  std::string language_text = ReadFile(dir + "/language.json", &status);
  if (!status.ok()) return status;
  auto language_id = LanguageIdentifier::Parse(language_text);
  if (!language_id.ok()) return InvalidArgument(dir + "/language.json: " + language_id.status().message());
  // For the risk model, below: the words it reads apart; the times of day
  // only when keywords.json gives their anchor.
  RiskModel::Vocabulary vocabulary{.people = keywords->PeopleWords()};
  if (keywords->TimeAnchor()) {
    vocabulary.times = keywords->TimeWords();
    vocabulary.time_anchor = *keywords->TimeAnchor();
    if (keywords->TimeCap()) vocabulary.time_cap = *keywords->TimeCap();
  }
  MessageEngine engine(std::move(keywords).value(), std::move(catalog).value(), std::move(risk).value(),
                       std::move(language_id).value(), std::move(options));
  engine.SetGeoReference(LoadGeoBeside(dir));
  std::string examples_text = ReadFile(dir + "/risk_examples.tsv", &status);
  if (!status.ok()) return status;
  auto model = RiskModel::Parse(examples_text, RiskModel::FunctionWords{}, std::move(vocabulary));
  if (!model.ok()) return InvalidArgument(dir + "/risk_examples.tsv: " + model.status().message());
  engine.SetRiskModel(std::move(model).value());
  std::string intent_examples = ReadFile(dir + "/intent_examples.tsv", &status);
  if (!status.ok()) return status;
  auto intent_model = IntentModel::Parse(intent_examples);
  if (!intent_model.ok()) return InvalidArgument(dir + "/intent_examples.tsv: " + intent_model.status().message());
  engine.SetIntentModel(std::move(intent_model).value());
  WordSplitter splitter;  // the words of both models' examples and of the rules
  splitter.Learn(examples_text);
  splitter.Learn(intent_examples);
  for (const std::string* table : {&keywords_text, &risk_text, &language_text}) splitter.LearnWords(*table);
  engine.SetWordSplitter(std::move(splitter));
  return engine;
}

}  // namespace helpline::engine
