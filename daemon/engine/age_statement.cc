#include "daemon/engine/age_statement.h"

#include <array>
#include <charconv>

namespace helpline::engine {
namespace {

// "15" -> 15; "15yo", "15yrs", "15y" -> 15 (suffix_ok); anything else -> 0.
int AgeIn(std::string_view t, bool allow_suffix) {
  int value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end == t.data()) return 0;
  std::string_view rest(end, static_cast<std::size_t>(t.data() + t.size() - end));
  if (!rest.empty()) {
    constexpr std::array<std::string_view, 6> kSuffixes = {"yo", "y", "yrs", "yr", "ans", "anos"};
    bool known = false;
    for (auto s : kSuffixes) known = known || rest == s;
    if (!allow_suffix || !known) return 0;
  }
  return value >= kMinAge && value <= kMaxAge ? value : 0;
}

bool Is(const std::vector<Token>& tokens, std::size_t i, std::string_view word) {
  return i < tokens.size() && tokens[i].text == word;
}

// "im 15 minutes away", "i am 20 miles out": a number followed by a unit is
// not an age.
// "tengo 14 pastillas" and "tengo 15 dias sin usar" count the same way.
bool UnitFollows(const std::vector<Token>& tokens, std::size_t i) {
  constexpr std::string_view kUnits[] = {
      "minutes", "minute",   "mins",    "min",     "hours",    "hour",    "hrs",       "days",     "day",
      "weeks",   "months",   "miles",   "mi",      "km",       "blocks",  "percent",   "pills",    "away",
      "feet",    "ft",       "am",      "pm",      "dollars",  "bucks",   "pastillas", "pastilla", "pildoras",
      "dias",    "horas",    "minutos", "semanas", "meses",    "dolares", "pesos",     "cuadras",  "millas",
      "piasses", "piastres", "heures",  "jours",   "semaines", "mois"};
  if (i >= tokens.size()) return false;
  for (auto u : kUnits) {
    if (tokens[i].text == u) return true;
  }
  return false;
}

// An age said without the word for years ("chu 16", "soy de 14", "j'ai 15",
// "we are both 16") is read only where the number ends the message or a new
// clause starts right after it ("chu 16 pis jai besoin daide"): a number
// followed by anything else counts something ("j'ai 15 piasses", "chu 16 sur
// la liste").
bool ClauseEndsAt(const std::vector<Token>& tokens, std::size_t i) {
  constexpr std::string_view kClauseStarts[] = {
      // en
      "and", "n", "but", "so", "i", "im", "ive", "need", "pls", "please", "plz", "help", "can", "how", "what", "my",
      "me", "we", "too", "now", "here", "lol", "also",
      // es
      "y", "pero", "necesito", "ayuda", "quiero", "mi", "no", "como", "porfa", "ando", "estoy", "ya",
      // fr
      "pis", "pi", "et", "mais", "jai", "j", "je", "chu", "besoin", "aide", "mon", "ma", "mes", "svp", "stp", "jsuis"};
  if (i >= tokens.size()) return true;
  for (auto w : kClauseStarts) {
    if (tokens[i].text == w) return true;
  }
  return false;
}

// "me n my gf are both 16", "we are 15", "both of us r 17": "are" with the
// sender among its subjects (a "me", "we", "us" or "i" in the few words
// before it, with no verb of someone else's in between).
bool SenderAmongSubjects(const std::vector<Token>& tokens, std::size_t are) {
  constexpr std::size_t kLookBack = 6;
  for (std::size_t k = are; k > 0 && are - k < kLookBack; --k) {
    const std::string& w = tokens[k - 1].text;
    if (w == "me" || w == "we" || w == "us" || w == "i") return true;
    if (w == "is" || w == "are" || w == "r") return false;
  }
  return false;
}

// "my 19 yr old son", "her 15 year old", "a 16yo girl": an age said without
// "I am" is someone else's when a possessive or an article comes just
// before it, or a person's noun just after it.
bool SomeoneElses(const std::vector<Token>& tokens, std::size_t first, std::size_t end) {
  constexpr std::array<std::string_view, 15> kBefore = {"my", "our", "his", "her", "their", "a",   "the", "your",
                                                        "mi", "su",  "tu",  "mon", "ma",    "son", "sa"};
  constexpr std::array<std::string_view, 24> kAfter = {
      "son",  "sons",    "daughter",     "daughters", "kid",        "kids",   "child",    "boy",
      "girl", "brother", "sister",       "nephew",    "niece",      "cousin", "grandson", "granddaughter",
      "teen", "stepson", "stepdaughter", "boyfriend", "girlfriend", "friend", "student",  "patient"};
  if (first > 0) {
    for (auto w : kBefore) {
      if (tokens[first - 1].text == w) return true;
    }
  }
  if (end < tokens.size()) {
    for (auto w : kAfter) {
      if (tokens[end].text == w) return true;
    }
  }
  return false;
}

}  // namespace

std::optional<StatedAge> FindStatedAge(const std::vector<Token>& tokens) {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    // English: "im 15", "i am 15", "i m 15", "iam 15" (+ "years old"/"yo").
    std::size_t after = 0;
    if (Is(tokens, i, "im") || Is(tokens, i, "iam")) after = i + 1;
    if (Is(tokens, i, "i") && (Is(tokens, i + 1, "am") || Is(tokens, i + 1, "m"))) after = i + 2;
    if (after != 0) {
      if (int age = AgeIn(after < tokens.size() ? tokens[after].text : "", true);
          age != 0 && !UnitFollows(tokens, after + 1)) {
        return StatedAge{age, "en", i, after + 1 - i};
      }
      if (Is(tokens, after, "only") || Is(tokens, after, "just") || Is(tokens, after, "like")) {
        if (int age = AgeIn(after + 1 < tokens.size() ? tokens[after + 1].text : "", true);
            age != 0 && !UnitFollows(tokens, after + 2)) {
          return StatedAge{age, "en", i, after + 2 - i};
        }
      }
    }
    // "15 years old", "15 yo", "15 y o", "15yo", "15yrs".
    if (int age = AgeIn(tokens[i].text, false)) {
      if ((Is(tokens, i + 1, "years") || Is(tokens, i + 1, "yrs") || Is(tokens, i + 1, "yr")) &&
          Is(tokens, i + 2, "old") && !SomeoneElses(tokens, i, i + 3)) {
        return StatedAge{age, "en", i, 3};
      }
      if (Is(tokens, i + 1, "yo") && !SomeoneElses(tokens, i, i + 2)) return StatedAge{age, "en", i, 2};
      if (Is(tokens, i + 1, "y") && Is(tokens, i + 2, "o") && !SomeoneElses(tokens, i, i + 3)) {
        return StatedAge{age, "en", i, 3};
      }
    } else if (!tokens[i].digits && tokens[i].text.find('y') != std::string::npos) {
      if (int with_suffix = AgeIn(tokens[i].text, true); with_suffix != 0 && !SomeoneElses(tokens, i, i + 1)) {
        return StatedAge{with_suffix, "en", i, 1};
      }
    }
    // "me n my gf are both 16", "we are 15": the sender among several.
    if ((Is(tokens, i, "are") || Is(tokens, i, "r")) && SenderAmongSubjects(tokens, i)) {
      std::size_t at = i + 1;
      if (Is(tokens, at, "both") || Is(tokens, at, "all") || Is(tokens, at, "only") || Is(tokens, at, "just")) ++at;
      if (int age = AgeIn(at < tokens.size() ? tokens[at].text : "", true);
          age != 0 && (!tokens[at].digits || ClauseEndsAt(tokens, at + 1) || Is(tokens, at + 1, "years") ||
                       Is(tokens, at + 1, "yrs") || Is(tokens, at + 1, "yo"))) {
        return StatedAge{age, "en", i, at + 1 - i};
      }
    }
    // Spanish: "tengo 15", "tengo 15 anos" (años folded), "tengo solo 15",
    // "tngo 16" (the vowel dropped, as texted).
    if ((Is(tokens, i, "tengo") || Is(tokens, i, "tngo")) && i + 1 < tokens.size()) {
      const std::size_t at =
          (Is(tokens, i + 1, "solo") || Is(tokens, i + 1, "apenas") || Is(tokens, i + 1, "nomas")) ? i + 2 : i + 1;
      if (int age = AgeIn(at < tokens.size() ? tokens[at].text : "", true);
          age != 0 && !UnitFollows(tokens, at + 1) && !Is(tokens, at + 1, "hijos") && !Is(tokens, at + 1, "dias")) {
        return StatedAge{age, "es", i, at + 1 - i + (Is(tokens, at + 1, "anos") ? 1 : 0)};
      }
    }
    // "soy de 14 anos", or "soy de 14" where a clause ends ("soy de 1990" is
    // a year: no age is over kMaxAge).
    if (Is(tokens, i, "soy") && Is(tokens, i + 1, "de") && i + 2 < tokens.size()) {
      const bool anos = Is(tokens, i + 3, "anos");
      if (int age = AgeIn(tokens[i + 2].text, false); age != 0 && (anos || ClauseEndsAt(tokens, i + 3))) {
        return StatedAge{age, "es", i, anos ? 4u : 3u};
      }
    }
    // French: "j'ai 15 ans" (folded "jai 15 ans" or "j ai 15 ans"), "jai
    // 15ans", "chu 16 ans" (Québec "chu", "chui", "jsuis": je suis), and
    // without "ans" where a clause ends ("j'ai 15", "chu 16 pis ...").
    std::size_t fr = 0;
    if (Is(tokens, i, "jai") || Is(tokens, i, "chu") || Is(tokens, i, "chui") || Is(tokens, i, "jsuis")) fr = i + 1;
    if (Is(tokens, i, "j") && Is(tokens, i + 1, "ai")) fr = i + 2;
    if (fr != 0 && fr < tokens.size()) {
      const bool ans = Is(tokens, fr + 1, "ans");
      if (int age = AgeIn(tokens[fr].text, !ans);
          age != 0 && (ans || !tokens[fr].digits || ClauseEndsAt(tokens, fr + 1))) {
        return StatedAge{age, "fr", i, fr + (ans ? 2 : 1) - i};
      }
    }
  }
  return std::nullopt;
}

}  // namespace helpline::engine
