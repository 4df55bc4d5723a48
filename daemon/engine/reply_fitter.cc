#include "daemon/engine/reply_fitter.h"

#include <utility>

#include "daemon/engine/sms_segments.h"
#include "daemon/engine/unbreakable_spans.h"

namespace helpline::engine {

ReplyFitter::ReplyFitter(ReplyBudget budget, std::vector<ReplyLine> head, std::vector<ReplyLine> tail)
    : budget_(budget), head_(std::move(head)), tail_(std::move(tail)) {
  for (auto* part : {&head_, &tail_}) {
    for (ReplyLine& l : *part) Prepare(l);
  }
}

void ReplyFitter::AppendHeadLineAsIs(ReplyLine line) { head_.push_back(std::move(line)); }

// SMS lines are made GSM-7 friendly once and measured once; Fits() adds up
// line measures instead of re-measuring the reply.
void ReplyFitter::Prepare(ReplyLine& l) const {
  if (!budget_.sms) return;
  l.text = ToGsmFriendly(l.text, GsmFriendlyOptions{.fold_accents = true});
  SmsMeasure m = MeasureSms(l.text);
  l.gsm = m.encoding == SmsEncoding::kGsm7;
  l.utf16 = 0;
  for (unsigned char ch : l.text) {
    if ((ch & 0xC0) != 0x80) l.utf16 += ch >= 0xF0 ? 2 : 1;  // one unit per code point, two outside the BMP
  }
  l.septets = l.gsm ? m.units : 0;
  l.spans = FindUnbreakableSpans(l.text);
}

std::string ReplyFitter::Join() const {
  std::string out;
  for (const auto* part : {&head_, &body_, &tail_}) {
    for (const auto& line : *part) {
      if (!out.empty()) out += '\n';
      out += line.text;
    }
  }
  return out;
}

// Exact: the reply as it will be cut (the cut is kept for the reply). The
// lines' own spans, shifted to their offsets, are the reply's spans.
bool ReplyFitter::FitsExactly() {
  std::string text = Join();
  if (!budget_.sms) return text.size() <= budget_.chat_chars;
  if (MeasureSms(text).segments > budget_.sms_segments) return false;
  std::vector<Span> spans;
  std::size_t offset = 0;
  for (const auto* part : {&head_, &body_, &tail_}) {
    for (const auto& l : *part) {
      for (const Span& sp : l.spans) spans.push_back({offset + sp.begin, offset + sp.end});
      offset += l.text.size() + 1;
    }
  }
  segments_ = SplitSegments(text, spans);
  segmented_ = std::move(text);
  return segments_.size() <= budget_.sms_segments;
}

// Fast: sums of line measures. A cut at whitespace can waste up to an
// unbreakable span's length per segment (kCutSlack); only replies within
// that margin of the limit are measured exactly.
bool ReplyFitter::Fits() {
  constexpr std::size_t kCutSlack = 40;
  std::size_t lines = 0, bytes = 0, septets = 0, utf16 = 0;
  bool gsm = true;
  for (const auto* part : {&head_, &body_, &tail_}) {
    for (const auto& l : *part) {
      ++lines;
      bytes += l.text.size();
      septets += l.septets;
      utf16 += l.utf16;
      gsm = gsm && l.gsm;
    }
  }
  const std::size_t newlines = lines > 0 ? lines - 1 : 0;
  if (!budget_.sms) return bytes + newlines <= budget_.chat_chars;
  const std::size_t budget = budget_.sms_segments;
  const std::size_t units = (gsm ? septets : utf16) + newlines;
  const std::size_t single = gsm ? kGsm7SingleSeptets : kUcs2SingleUnits;
  const std::size_t part = gsm ? kGsm7PartSeptets : kUcs2PartUnits;
  if (units <= single) return true;
  if (budget <= 1 || units > budget * part) return false;
  if (units + (budget - 1) * kCutSlack <= budget * part) return true;
  return FitsExactly();
}

void ReplyFitter::FillBody(const std::vector<const directory::Resource*>& candidates, const BodyFill& fill,
                           const RenderResourceLine& render) {
  // A later, shorter line may still fill the space a longer one could not,
  // but after a few misses in a row the reply is full.
  constexpr int kMaxMisses = 2;
  int misses = 0;
  for (const directory::Resource* r : candidates) {
    if (body_.size() >= fill.max_lines || misses >= kMaxMisses) break;
    const int rank = body_.empty() ? fill.first_rank : fill.later_rank;
    bool added = false;
    for (bool short_form : {false, true}) {
      body_.push_back(render(*r, short_form, rank));
      Prepare(body_.back());
      if (Fits()) {
        added = true;
        break;
      }
      body_.pop_back();
    }
    misses = added ? 0 : misses + 1;
    // The first line is wanted even if it only fits once lesser lines are dropped.
    if (!added && body_.empty()) {
      body_.push_back(render(*r, true, rank));
      Prepare(body_.back());
    }
  }
}

void ReplyFitter::DropLowestUntilFits() {
  while (!FitsExactly()) {
    std::vector<ReplyLine>* where = nullptr;
    std::size_t at = 0;
    int lowest = kNeverDropped;
    for (auto* part : {&head_, &body_, &tail_}) {
      for (std::size_t i = 0; i < part->size(); ++i) {
        if ((*part)[i].rank <= lowest && (*part)[i].rank < kNeverDropped) {
          lowest = (*part)[i].rank;
          where = part;
          at = i;
        }
      }
    }
    if (where == nullptr) break;  // only lines that are never dropped are left
    where->erase(where->begin() + static_cast<std::ptrdiff_t>(at));
  }
}

void ReplyFitter::KeepANumber(const std::function<ReplyLine()>& number_line) {
  for (const ReplyLine& l : body_) {
    if (l.reachable) return;
  }
  body_.push_back(number_line());
  body_.back().rank = kNeverDropped;
  body_.back().reachable = true;
  Prepare(body_.back());
  DropLowestUntilFits();
}

ComposedReply ReplyFitter::Finish() && {
  ComposedReply reply;
  for (const ReplyLine& l : body_) {
    if (l.resource != nullptr) reply.resources.push_back(l.resource);
  }
  reply.text = Join();
  reply.encoding = MeasureSms(reply.text).encoding;
  if (!budget_.sms) {
    reply.segments = {reply.text};
  } else if (segmented_ == reply.text) {
    reply.segments = std::move(segments_);  // the last exact check has usually cut exactly this text
  } else {
    reply.segments = SplitSegments(reply.text, FindUnbreakableSpans(reply.text));
  }
  return reply;
}

}  // namespace helpline::engine
