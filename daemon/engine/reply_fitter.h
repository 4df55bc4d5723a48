#pragma once
// Fits a reply to its budget: SMS replies to a number of segments (GSM-7
// when possible), chat replies to a number of characters. A reply is lines:
// head lines (a safety instruction, a notice, a heading), resource lines
// offered in priority order, and tail lines (a menu, a footer). Each line
// has a rank; the fitter
//   1. fills the body greedily: each resource line in its long form (every
//      channel) if the reply still fits, else its short form (the best
//      channel), else not at all; two misses in a row and the reply is full;
//      the first resource line is kept even when only dropping lesser lines
//      makes room for it;
//   2. drops the lowest-ranked line (the last of equal ranks first) until the
//      reply fits, never a line ranked kNeverDropped or more;
//   3. keeps a number: a reply that offers help and has no line to call or
//      text gets one (the emergency line) and is fitted again.
// Resources are dropped whole, never cut. Lines are joined by newlines.
//
//   ReplyFitter fitter(ReplyBudget{.sms = true, .sms_segments = 3}, std::move(head), std::move(tail));
//   fitter.FillBody(candidates, {.max_lines = 4, .first_rank = 55, .later_rank = 25},
//                   [&](const Resource& r, bool short_form, int rank) { return RenderLine(r, short_form, rank); });
//   fitter.DropLowestUntilFits();
//   fitter.KeepANumber([&] { return ReplyLine(emergency_text, kNeverDropped, nullptr, true); });
//   ComposedReply reply = std::move(fitter).Finish();
//
// SMS lines are made GSM-7 friendly (accents folded) and measured once, when
// they are added; whether a reply fits is then mostly decided by adding up
// line measures, and only replies near the limit are joined and cut into
// segments (the last such cut is kept for the reply when it is of the final
// text).
//
// Thread-safety: one fitter per reply, used by one thread. Lifetimes: the
// resources named by lines must outlive the fitter and the ComposedReply
// (they point into a directory snapshot).

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/engine/gsm7.h"
#include "daemon/engine/text_span.h"
#include "directory/model.h"

namespace helpline::engine {

// Lines of this rank or above are never dropped (a safety instruction, a
// carrier confirmation, the emergency line that keeps a number).
inline constexpr int kNeverDropped = 100;

// One line of a reply.
struct ReplyLine {
  ReplyLine(std::string t, int r, const directory::Resource* res = nullptr, bool reach = false)
      : text(std::move(t)), rank(r), resource(res), reachable(reach) {}

  std::string text;
  int rank = 0;                                   // lower is dropped first
  const directory::Resource* resource = nullptr;  // body lines: the resource the line is about
  bool reachable = false;                         // carries a number to call or text
  // SMS measure of the line, set when the fitter takes it: GSM-7 septets if
  // the line is GSM-7, and UTF-16 units in any case.
  bool gsm = true;
  std::size_t septets = 0;
  std::size_t utf16 = 0;
  std::vector<Span> spans;  // unbreakable spans inside the line (no span crosses a newline)
};

struct ReplyBudget {
  bool sms = true;                // false: a chat reply
  std::size_t sms_segments = 3;   // SMS: at most this many segments
  std::size_t chat_chars = 1500;  // chat: at most this many bytes
};

// How FillBody offers resource lines.
struct BodyFill {
  std::size_t max_lines = 4;  // resource lines at most
  int first_rank = 0;         // rank of the first resource line
  int later_rank = 0;         // rank of the ones after it
};

// A resource's line, in its long form (every channel) or its short form
// (the one best channel), with the given rank.
using RenderResourceLine = std::function<ReplyLine(const directory::Resource&, bool short_form, int rank)>;

// A fitted reply: what the engine sends and what ReplyCache keeps.
struct ComposedReply {
  std::string text;                   // the whole reply
  std::vector<std::string> segments;  // SMS: the parts (each within one segment); chat: the text
  SmsEncoding encoding = SmsEncoding::kGsm7;
  std::vector<const directory::Resource*> resources;  // included, in order
};

class ReplyFitter {
 public:
  // Takes the lines before and after the resource lines (SMS: made GSM-7
  // friendly and measured now).
  ReplyFitter(ReplyBudget budget, std::vector<ReplyLine> head, std::vector<ReplyLine> tail);

  // Appends a head line exactly as given: not made GSM-7 friendly and not
  // measured, so only the exact check (a reply near the limit) counts it.
  // This is how the engine has always added the note "No naloxone line
  // listed there; general help:"; kept so that replies do not change.
  void AppendHeadLineAsIs(ReplyLine line);

  // Step 1: offers `candidates` in order (see the top of this file).
  void FillBody(const std::vector<const directory::Resource*>& candidates, const BodyFill& fill,
                const RenderResourceLine& render);

  // Step 2: drops the lowest-ranked line, the last of equal ranks first,
  // until the reply fits or only never-dropped lines are left.
  void DropLowestUntilFits();

  // Step 3: when no body line is reachable, appends `number_line()` (ranked
  // kNeverDropped) and drops lines again. `number_line` is called only then.
  void KeepANumber(const std::function<ReplyLine()>& number_line);

  // The reply: its text, its segments (SMS) and the resources it names.
  ComposedReply Finish() &&;

 private:
  void Prepare(ReplyLine& line) const;
  bool Fits();         // by line measures; exact only near the limit
  bool FitsExactly();  // joins and cuts the reply (SMS), keeps the cut
  std::string Join() const;

  ReplyBudget budget_;
  std::vector<ReplyLine> head_;
  std::vector<ReplyLine> body_;
  std::vector<ReplyLine> tail_;
  // The last exact cut and the text it cut.
  std::vector<std::string> segments_;
  std::string segmented_;
};

}  // namespace helpline::engine
