#include "daemon/engine/unbreakable_spans.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace helpline::engine {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxPhoneDigits = 15;  // E.164

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || IsUpper(c); }
constexpr bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
constexpr char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether s[i..] starts with the lower-case `prefix`, ignoring the case of
// ASCII and of Latin-1 letters ("ENVÍE" matches "envíe").
bool StartsWithNoCase(std::string_view s, std::size_t i, std::string_view prefix) {
  if (s.size() - i < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    char c = Lower(s[i + k]);
    const auto u = static_cast<unsigned char>(c);
    if (k > 0 && prefix[k - 1] == '\xC3' && u >= 0x80 && u <= 0x9E && u != 0x97) {
      c = static_cast<char>(u | 0x20);  // À..Þ (not ×) -> à..þ
    }
    if (c != prefix[k]) return false;
  }
  return true;
}

// Length of the horizontal space at s[i] (space, tab, no-break space), or 0.
std::size_t InlineSpaceAt(std::string_view s, std::size_t i) {
  if (i >= s.size()) return 0;
  if (s[i] == ' ' || s[i] == '\t') return 1;
  if (s.substr(i, 2) == "\xC2\xA0") return 2;
  return 0;
}

std::size_t SkipInlineSpace(std::string_view s, std::size_t i) {
  while (std::size_t n = InlineSpaceAt(s, i)) i += n;
  return i;
}

// Digits of a group at s[i]: "604" or "(604)". Returns the end, or kNone.
std::size_t ScanDigitGroup(std::string_view s, std::size_t i, std::size_t& digits) {
  const bool paren = i < s.size() && s[i] == '(';
  std::size_t p = paren ? i + 1 : i;
  const std::size_t first = p;
  while (p < s.size() && IsDigit(s[p])) ++p;
  digits = p - first;
  if (digits == 0) return kNone;
  if (paren) {
    if (p >= s.size() || s[p] != ')' || digits > 4) return kNone;
    ++p;
  }
  return p;
}

// A phone number starting at s[i], as documented in the header; returns its
// end, or kNone. The caller checks that s[i] starts a word; the number must
// end a word too ("988lifeline" is not one), so a join that runs into a word
// ("247247 988lifeline.org") falls back to the groups before it.
std::size_t ScanPhone(std::string_view s, std::size_t i) {
  std::size_t p = i;
  if (p < s.size() && s[p] == '+') ++p;
  std::size_t group = 0;
  std::size_t end = ScanDigitGroup(s, p, group);
  if (end == kNone || group > kMaxPhoneDigits) return kNone;
  std::size_t total = group;
  std::size_t best = kNone;  // the longest number so far that ends a word
  std::size_t best_total = 0;
  auto note = [&] {
    if (end == s.size() || !IsAlnum(s[end])) {
      best = end;
      best_total = total;
    }
  };
  note();
  while (end < s.size()) {
    const char sep = s[end];
    std::size_t next = kNone;
    if (sep == '-' || sep == '.' || sep == ' ') {
      next = end + 1;
    } else if (s[end - 1] == ')' && IsDigit(sep)) {
      next = end;  // "(604)555-0123"
    } else {
      break;
    }
    // Vanity ending: 1-800-662-HELP, optionally followed by " (4357)".
    if (sep == '-' && total >= 6 && next < s.size() && IsUpper(s[next])) {
      std::size_t q = next;
      while (q < s.size() && IsUpper(s[q])) ++q;
      const std::size_t letters = q - next;
      if (letters >= 2 && letters <= 7 && (q == s.size() || !IsAlnum(s[q]))) {
        end = q;
        std::size_t d = 0;
        if (q + 1 < s.size() && s[q] == ' ' && s[q + 1] == '(') {
          const std::size_t suffix = ScanDigitGroup(s, q + 1, d);
          if (suffix != kNone && d >= 3) end = suffix;
        }
        note();
      }
      break;
    }
    const std::size_t group_end = ScanDigitGroup(s, next, group);
    if (group_end == kNone) break;
    // A space only joins groups of three or more digits ("988 24 hours" is
    // the number 988), and a dot only plain digits.
    if (sep == ' ' && group < 3 && s[next] != '(') break;
    if (sep == '.' && s[next] == '(') break;
    if (total + group > kMaxPhoneDigits) break;
    total += group;
    end = group_end;
    note();
  }
  if (best == kNone || best_total < 3) return kNone;
  return best;
}

// End of "PREPOSITION NUMBER" at s[p] (after the verb or the keyword), or
// kNone.
std::size_t ScanToNumber(std::string_view s, std::size_t p, std::string_view preposition) {
  if (!StartsWithNoCase(s, p, preposition)) return kNone;
  p += preposition.size();
  if (!InlineSpaceAt(s, p)) return kNone;
  return ScanPhone(s, SkipInlineSpace(s, p));
}

// "text WORD to NUMBER" and its Spanish and French forms ("envíe WORD al
// NUMBER", "textez WORD au NUMBER"), the WORD optional ("textez le 988"),
// starting at s[i]: returns its end, or kNone.
std::size_t ScanInstruction(std::string_view s, std::size_t i) {
  struct Form {
    std::string_view verb;  // lower case
    std::string_view preposition;
  };
  constexpr Form kForms[] = {
      {"textez", "au"}, {"textez", "le"}, {"texto", "al"}, {"text", "to"},
      {"envie", "al"},  {"envíe", "al"},  {"envia", "al"}, {"envía", "al"},
  };
  constexpr std::size_t kMaxWordBytes = 40;
  // Quick rejection of "the", "to", "every"...: every verb starts te-x or en-v.
  if (s.size() - i < 5) return kNone;
  const char second = Lower(s[i + 1]);
  const char third = Lower(s[i + 2]);
  if (!((second == 'e' && third == 'x') || (second == 'n' && third == 'v'))) return kNone;
  for (const Form& form : kForms) {
    if (!StartsWithNoCase(s, i, form.verb)) continue;
    std::size_t p = i + form.verb.size();
    if (!InlineSpaceAt(s, p)) continue;
    p = SkipInlineSpace(s, p);
    std::size_t end = ScanToNumber(s, p, form.preposition);
    if (end == kNone) {
      const std::size_t word = p;
      while (p < s.size() && !IsBreakSpace(s[p]) && !InlineSpaceAt(s, p)) ++p;
      if (p == word || p - word > kMaxWordBytes || !InlineSpaceAt(s, p)) continue;
      end = ScanToNumber(s, SkipInlineSpace(s, p), form.preposition);
    }
    if (end != kNone) return end;
  }
  return kNone;
}

// Punctuation around a URL that is not part of it: ASCII brackets and
// quotes, and the UTF-8 quotes “ ‘ « ¿ ¡ before, ” ’ » after.
constexpr std::string_view kOpeners[] = {"\u201C", "\u2018", "\u00AB", "\u00BF", "\u00A1"};
constexpr std::string_view kClosers[] = {"\u201D", "\u2019", "\u00BB"};

// clang-format off
std::size_t OpenerLength(std::string_view t) {
  if (t.empty()) return 0;
  switch (t[0]) {
    case '(': case '[': case '{': case '<': case '"': case '\'':
      return 1;
    default:
      break;
  }
  if (static_cast<unsigned char>(t[0]) < 0x80) return 0;
  for (std::string_view u : kOpeners) {
    if (t.starts_with(u)) return u.size();
  }
  return 0;
}
// clang-format on

// clang-format off
std::size_t CloserLength(std::string_view t) {
  if (t.empty()) return 0;
  switch (t.back()) {
    case ')':  // kept when balanced: a URL's own
      return t.find('(') == std::string_view::npos ? 1 : 0;
    case '.': case ',': case ';': case ':': case '!': case '?': case ']': case '}': case '>':
    case '"': case '\'':
      return 1;
    default:
      break;
  }
  if (static_cast<unsigned char>(t.back()) < 0x80) return 0;
  for (std::string_view u : kClosers) {
    if (t.ends_with(u)) return u.size();
  }
  return 0;
}
// clang-format on

// "findtreatment.gov", "988lifeline.org": two or more labels, the last one
// letters only.
bool LooksLikeHost(std::string_view host) {
  if (const std::size_t at = host.rfind('@'); at != std::string_view::npos) {
    host.remove_prefix(at + 1);
  }
  if (const std::size_t colon = host.find(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::size_t labels = 0;
  std::string_view last;
  while (true) {
    const std::size_t dot = host.find('.');
    const std::string_view label = host.substr(0, dot);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  if (labels < 2 || last.size() < 2 || last.size() > 24) return false;
  return std::all_of(last.begin(), last.end(), IsAlpha);
}

// The URL in the whitespace-delimited token s[begin, end), without the
// punctuation around it; an empty span when the token is not a URL.
Span UrlInToken(std::string_view s, std::size_t begin, std::size_t end) {
  constexpr std::string_view kSchemes[] = {"http://", "https://", "www."};
  while (std::size_t n = OpenerLength(s.substr(begin, end - begin))) begin += n;
  while (std::size_t n = CloserLength(s.substr(begin, end - begin))) end -= n;
  if (begin >= end) return {};
  const std::string_view token = s.substr(begin, end - begin);
  for (std::string_view scheme : kSchemes) {
    if (token.size() > scheme.size() && StartsWithNoCase(token, 0, scheme)) return {begin, end};
  }
  if (LooksLikeHost(token.substr(0, token.find_first_of("/?#")))) return {begin, end};
  return {};
}

// What the single pass of FindUnbreakableSpans looks at, per byte.
constexpr std::uint8_t kWordByte = 1;    // ASCII letter or digit: the next byte starts no word
constexpr std::uint8_t kPhoneStart = 2;  // digit, + or (
constexpr std::uint8_t kVerbStart = 4;   // t or e, either case: "text", "textez", "envíe"...
constexpr std::uint8_t kTokenEnd = 8;    // ASCII whitespace: ends a URL candidate
constexpr std::uint8_t kDot = 16;        // every URL we accept has one; most words do not

constexpr std::array<std::uint8_t, 256> MakeByteClasses() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (IsAlnum(ch)) t[c] |= kWordByte;
    if (IsDigit(ch) || ch == '+' || ch == '(') t[c] |= kPhoneStart;
    if (ch == 't' || ch == 'T' || ch == 'e' || ch == 'E') t[c] |= kVerbStart;
    if (IsBreakSpace(ch) || ch == '\f' || ch == '\v') t[c] |= kTokenEnd;
    if (ch == '.') t[c] |= kDot;
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> kByteClasses = MakeByteClasses();

// What starts at text[i], a dot or the start of a word that may be a phone
// number or an instruction, added to `found`.
[[gnu::noinline]] void FindSpanAt(std::string_view text, std::size_t i, std::uint8_t cls, std::size_t& urls_done,
                                  std::vector<Span>& found) {
  auto cls_at = [&](std::size_t k) { return kByteClasses[static_cast<unsigned char>(text[k])]; };
  if (cls & kDot) {
    // A URL's dots are followed by a label: "now." ends a sentence.
    if (i < urls_done || i + 1 == text.size() || !(cls_at(i + 1) & kWordByte)) return;
    std::size_t begin = i;
    while (begin > 0 && !(cls_at(begin - 1) & kTokenEnd)) --begin;
    std::size_t end = i;
    while (end < text.size() && !(cls_at(end) & kTokenEnd)) ++end;
    urls_done = end;
    if (const Span url = UrlInToken(text, begin, end); url.begin < url.end) found.push_back(url);
    return;
  }
  // Every word start is tried, even inside a number already found: the
  // 15-digit cap can stop a greedy join ("247247 (604) 555-0123") in the
  // middle of the next number, which its own scan then covers.
  const std::size_t end = cls & kPhoneStart ? ScanPhone(text, i) : ScanInstruction(text, i);
  if (end != kNone) found.push_back({i, end});
}

// ---------------------------------------------------------------------------

}  // namespace

std::vector<Span> FindUnbreakableSpans(std::string_view text) {
  std::vector<Span> found;
  std::size_t urls_done = 0;  // tokens before this offset were checked for a URL
  std::uint8_t previous = kTokenEnd;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::uint8_t cls = kByteClasses[static_cast<unsigned char>(text[i])];
    const bool word_start = !(previous & kWordByte);
    previous = cls;
    // One table look-up per byte; the rare candidates are handled out of line.
    if ((cls & kDot) || ((cls & (kPhoneStart | kVerbStart)) && word_start)) {
      FindSpanAt(text, i, cls, urls_done, found);
    }
  }
  return NormalizeSpans(found, text.size());
}

}  // namespace helpline::engine
