#pragma once
// AlertConversation: the words of the alerts conversation and its replies,
// from data/engine/alerts.json. Pure functions of the text: no I/O after
// Load(), no Redis. The daemon (alert_desk.h) decides what to do with them.
//
//   auto conv = AlertConversation::Load(data_dir + "/alerts.json");
//   AlertCommand c = conv->Parse("JOIN 98101");   // kSubscribe, language "en", rest "98101"
//   conv->Text("en", "ask_confirm", "Washington"); // the reply, {region} filled in
//
// Commands:
//   kSubscribe  a subscribe word starts the message (ALERTS, JOIN, ALERTAS,
//               ALERTES), optionally followed by a region ("JOIN 98101").
//   kConfirm    the whole message is a confirm word (YES, SI, OUI): only
//               meaningful with a pending subscription.
//   kLeave      the whole message is a leave word (LEAVE, SALIR, QUITTER).
//   kReport     a report word starts the message (REPORT, BAD BATCH,
//               REPORTE, SIGNALEMENT...); "OD" only with text after it.
//
// Thread-safety: immutable after Load(); safe from any thread.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/text_normalize.h"

namespace helpline::daemon::alerts {

enum class AlertCommandKind { kNone, kSubscribe, kConfirm, kLeave, kReport };

struct AlertCommand {
  AlertCommandKind kind = AlertCommandKind::kNone;
  std::string language;         // the keyword's language ("en", "es", "fr")
  std::size_t rest_tokens = 0;  // folded tokens after the keyword
  std::string report_text;      // kReport: the text after the keyword, raw (not yet scrubbed)
};

class AlertConversation {
 public:
  static Result<AlertConversation> FromJson(std::string_view json);
  static Result<AlertConversation> Load(const std::string& path);

  AlertCommand Parse(std::string_view text) const;
  // The same, from the text's tokens made already: `tokens` must be
  // Tokenize(text) (an engine Understanding's tokens are), so the text is
  // not read twice on the webhook path.
  AlertCommand Parse(std::string_view text, const std::vector<Token>& tokens) const;
  // The reply `key` in `language` (English when missing), {region} and
  // {emergency} filled in.
  std::string Text(std::string_view language, std::string_view key, std::string_view region = {},
                   std::string_view emergency = "911") const;

 private:
  struct Phrase {
    std::vector<std::string> tokens;
    std::string language;
  };
  std::vector<Phrase> subscribe_, confirm_, leave_, report_, report_with_text_;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> messages_;
};

// The report text stripped of what could identify someone: phone numbers
// (7+ digits with separators) become "[number]", emails "[email]"; control
// characters become spaces; cut to at most `max_bytes` at a UTF-8 boundary.
std::string ScrubReport(std::string_view text, std::size_t max_bytes = 1000);

// The region's name in `language` ("CA-BC" -> "British Columbia" /
// "Colombie-Britannique"); the code itself when unknown.
std::string RegionName(std::string_view code, std::string_view language);

}  // namespace helpline::daemon::alerts
