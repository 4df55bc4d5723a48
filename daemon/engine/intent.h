#pragma once
// What a message asks for. Thread-safety: plain values.

#include <optional>
#include <string_view>

namespace helpline::engine {

enum class Intent {
  kStop,      // carrier opt-out word, the whole message
  kStart,     // carrier opt-in word, the whole message
  kOverdose,  // safety: an overdose may be happening now
  kSuicide,   // safety: suicide risk
  kNaloxone,
  kCrisis,
  kTreatment,
  kDetox,
  kHarm,  // harm reduction
  kText,  // text lines
  kChat,  // chat lines
  kFamily,
  kYouth,
  kIndigenous,
  kHelp,      // HELP: program info plus the main lines (CTIA)
  kInfo,      // INFO / MENU: program info and the keyword menu
  kLanguage,  // ENGLISH / ESPAÑOL / FRANÇAIS
  kRegion,    // only a region ("BC", "90210"): the main lines there
  kUnknown,   // nothing recognised: a menu, never silence
};

std::string_view IntentName(Intent i);  // "naloxone", "stop", ...
std::optional<Intent> ParseIntent(std::string_view name);

// Safety intents outrank everything else in a message.
inline bool IsSafetyIntent(Intent i) { return i == Intent::kOverdose || i == Intent::kSuicide; }
// Generic intents yield to any specific one ("help with detox" is detox).
inline bool IsGenericIntent(Intent i) { return i == Intent::kHelp || i == Intent::kInfo || i == Intent::kLanguage; }

}  // namespace helpline::engine
