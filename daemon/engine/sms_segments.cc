#include "daemon/engine/sms_segments.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

namespace helpline::engine {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxPhoneDigits = 15;  // E.164

// ---------------------------------------------------------------------------
// UTF-8

struct Decoded {
  char32_t cp = 0xFFFD;
  std::size_t len = 1;
  bool valid = false;
};

bool IsCont(unsigned char b) { return (b & 0xC0) == 0x80; }

// Strict decoding of the code point at s[i] (i < s.size()): overlong forms,
// surrogates and values above U+10FFFF are invalid; an invalid sequence
// consumes one byte.
Decoded Decode(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  const std::size_t left = s.size() - i;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (left >= 2 && IsCont(at(1))) return {char32_t((b0 & 0x1F) << 6 | (at(1) & 0x3F)), 2, true};
    return {};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3) return {};
    const unsigned char b1 = at(1);
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
    if (b1 < lo || b1 > hi || !IsCont(at(2))) return {};
    return {char32_t((b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | (at(2) & 0x3F)), 3, true};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4) return {};
    const unsigned char b1 = at(1);
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (b1 < lo || b1 > hi || !IsCont(at(2)) || !IsCont(at(3))) return {};
    return {char32_t((b0 & 0x07) << 18 | (b1 & 0x3F) << 12 | (at(2) & 0x3F) << 6 | (at(3) & 0x3F)),
            4, true};
  }
  return {};
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// ---------------------------------------------------------------------------
// GSM 03.38 tables

// Septets per ASCII byte: 1 basic table, 2 extension table, 0 not in GSM-7.
constexpr std::array<std::uint8_t, 128> MakeAsciiSeptets() {
  std::array<std::uint8_t, 128> t{};
  for (int c = 0x20; c < 0x7F; ++c) t[c] = 1;
  t['\n'] = 1;
  t['\r'] = 1;
  t['\f'] = 2;
  for (char c : {'^', '{', '}', '\\', '[', '~', ']', '|'}) t[static_cast<unsigned char>(c)] = 2;
  t['`'] = 0;  // 0x60 of the GSM table is ¿, there is no backtick
  return t;
}
constexpr std::array<std::uint8_t, 128> kAsciiSeptets = MakeAsciiSeptets();

// The basic table's letters from U+00A0..U+00FF: ¡ £ ¤ ¥ § ¿ Ä Å Æ Ç É Ñ Ö Ø
// Ü ß à ä å æ è é ì ñ ò ö ø ù ü (not ç: see the header).
constexpr std::array<bool, 96> MakeLatin1Gsm() {
  std::array<bool, 96> t{};
  for (int cp :
       {0xA1, 0xA3, 0xA4, 0xA5, 0xA7, 0xBF, 0xC4, 0xC5, 0xC6, 0xC7, 0xC9, 0xD1, 0xD6, 0xD8, 0xDC,
        0xDF, 0xE0, 0xE4, 0xE5, 0xE6, 0xE8, 0xE9, 0xEC, 0xF1, 0xF2, 0xF6, 0xF8, 0xF9, 0xFC}) {
    t[cp - 0xA0] = true;
  }
  return t;
}
constexpr std::array<bool, 96> kLatin1Gsm = MakeLatin1Gsm();

// Septets of a non-ASCII code point: 1, 2 (€), or 0 when not in GSM-7.
// clang-format off
unsigned GsmSeptets(char32_t cp) {
  if (cp >= 0xA0 && cp <= 0xFF) return kLatin1Gsm[cp - 0xA0] ? 1 : 0;
  switch (cp) {
    case 0x0393: case 0x0394: case 0x0398: case 0x039B: case 0x039E:  // Γ Δ Θ Λ Ξ
    case 0x03A0: case 0x03A3: case 0x03A6: case 0x03A8: case 0x03A9:  // Π Σ Φ Ψ Ω
      return 1;
    case 0x20AC:  // €
      return 2;
    default:
      return 0;
  }
}
// clang-format on

// One character of a text, measured both ways.
struct Char {
  std::size_t len = 1;   // bytes
  unsigned septets = 0;  // 0: not in GSM-7
  unsigned utf16 = 1;
};

[[gnu::noinline]] Char NextNonAsciiChar(std::string_view s, std::size_t i) {
  const Decoded d = Decode(s, i);
  if (!d.valid) return {1, 0, 1};  // U+FFFD
  return {d.len, GsmSeptets(d.cp), d.cp > 0xFFFF ? 2u : 1u};
}

inline Char NextChar(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return {1, kAsciiSeptets[b], 1};
  return NextNonAsciiChar(s, i);
}

// ---------------------------------------------------------------------------
// Eight bytes at a time (SWAR) for the common case, plain ASCII text.

constexpr bool kSwar = std::endian::native == std::endian::little;
constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

std::uint64_t Load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// High bit of each byte of `w` (all bytes < 0x80) that is >= c (c <= 0x80).
constexpr std::uint64_t BytesAtLeast(std::uint64_t w, unsigned c) {
  return (w + kOnes * (0x80 - c)) & kHighBits;
}

// True when all eight bytes are one septet and one UTF-16 unit each and not
// line breaks: space to Z or a to z (the GSM basic table's ASCII core).
bool PlainAscii8(std::uint64_t w) {
  if (w & kHighBits) return false;
  const std::uint64_t upper_block = BytesAtLeast(w, 0x20) & ~BytesAtLeast(w, 0x5B);
  const std::uint64_t lower_block = BytesAtLeast(w, 0x61) & ~BytesAtLeast(w, 0x7B);
  return (upper_block | lower_block) == kHighBits;
}

// High bit of each byte of `w` (all bytes < 0x80) that is a space.
std::uint64_t SpaceBytes(std::uint64_t w) {
  const std::uint64_t t = w ^ (kOnes * 0x20);
  return ~(t + kOnes * 0x7F) & kHighBits;
}

unsigned UnitsIn(SmsEncoding encoding, const Char& c) {
  return encoding == SmsEncoding::kGsm7 ? c.septets : c.utf16;
}

std::size_t PartLimit(SmsEncoding encoding) {
  return encoding == SmsEncoding::kGsm7 ? kGsm7PartSeptets : kUcs2PartUnits;
}

// Parts a gateway needs for `s` when a character never straddles two parts.
std::size_t PackedParts(std::string_view s, SmsEncoding encoding) {
  const std::size_t limit = PartLimit(encoding);
  std::size_t parts = 1;
  std::size_t fill = 0;
  for (std::size_t i = 0; i < s.size();) {
    const Char c = NextChar(s, i);
    const unsigned u = UnitsIn(encoding, c);
    if (fill + u > limit) {
      ++parts;
      fill = 0;
    }
    fill += u;
    i += c.len;
  }
  return parts;
}

// ---------------------------------------------------------------------------
// Segmentation helpers

constexpr bool IsBreakSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
constexpr bool IsNewline(char c) { return c == '\n' || c == '\r'; }

// Clamped, sorted, merged, non-empty spans.
std::vector<Span> NormalizeSpans(const std::vector<Span>& in, std::size_t size) {
  std::vector<Span> spans;
  spans.reserve(in.size());
  for (Span s : in) {
    s.end = std::min(s.end, size);
    if (s.begin < s.end) spans.push_back(s);
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::size_t out = 0;
  for (const Span& s : spans) {
    if (out > 0 && s.begin < spans[out - 1].end) {
      spans[out - 1].end = std::max(spans[out - 1].end, s.end);
    } else {
      spans[out++] = s;
    }
  }
  spans.resize(out);
  return spans;
}

// Whether byte `x` lies in one of the (normalized) spans.
bool ByteInSpan(const std::vector<Span>& spans, std::size_t x) {
  auto it =
      std::partition_point(spans.begin(), spans.end(), [x](const Span& s) { return s.end <= x; });
  return it != spans.end() && it->begin <= x;
}

// ---------------------------------------------------------------------------
// Unbreakable spans

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
[[gnu::noinline]] void FindSpanAt(std::string_view text, std::size_t i, std::uint8_t cls,
                                  std::size_t& urls_done, std::vector<Span>& found) {
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
// GSM-friendly replacements

// Replacement for a code point that forces UCS-2 while a GSM-7 spelling with
// the same meaning exists ("" removes an invisible character).
// clang-format off
std::optional<std::string_view> Replacement(char32_t cp) {
  switch (cp) {
    case 0x00A0: case 0x2000: case 0x2001: case 0x2002: case 0x2003: case 0x2004:
    case 0x2005: case 0x2006: case 0x2007: case 0x2008: case 0x2009: case 0x200A:
    case 0x202F: case 0x205F: case 0x3000:
      return " ";
    case 0x00AD: case 0x200B: case 0x2060: case 0xFEFF:
      return "";
    case 0x00B4: case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
    case 0x2039: case 0x203A:
      return "'";
    case 0x00AB: case 0x00BB: case 0x201C: case 0x201D: case 0x201E: case 0x201F:
    case 0x2033:
      return "\"";
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
    case 0x2212: case 0x2022: case 0x2023: case 0x2043: case 0x25E6:
      return "-";
    case 0x2026:
      return "...";
    default:
      return std::nullopt;
  }
}
// clang-format on

// Base letters of U+00C0..U+00FF; '\0' where the letter is in GSM-7 or is
// not a Latin letter with a base (× ÷ Þ þ).
// clang-format off
constexpr char kFoldLatin1Chars[] =
    "AAAA\0\0\0\0E\0EEIIII"   // À..Ï
    "D\0OOOO\0\0\0UUU\0Y\0\0"  // Ð..ß
    "\0aaa\0\0\0c\0\0ee\0iii"  // à..ï
    "d\0\0ooo\0\0\0\0uu\0y\0y"; // ð..ÿ
constexpr std::string_view kFoldLatin1(kFoldLatin1Chars, sizeof(kFoldLatin1Chars) - 1);
static_assert(kFoldLatin1.size() == 0x40);

// Base letters of Latin Extended-A, U+0100..U+017F ('?' for the ligatures,
// handled apart).
constexpr std::string_view kFoldLatinA =
    "AaAaAaCcCcCcCcDd"
    "DdEeEeEeEeEeGgGg"
    "GgGgHhHhIiIiIiIi"
    "Ii??JjKkkLlLlLlL"
    "lLlNnNnNn?NnOoOo"
    "Oo??RrRrRrSsSsSs"
    "SsTtTtTtUuUuUuUu"
    "UuUuWwYyYZzZzZzs";
static_assert(kFoldLatinA.size() == 0x80);
// clang-format on

std::optional<std::string_view> Fold(char32_t cp) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    const std::string_view c = kFoldLatin1.substr(cp - 0xC0, 1);
    if (c[0] == '\0') return std::nullopt;
    return c;
  }
  switch (cp) {
    case 0x0132:
      return "IJ";
    case 0x0133:
      return "ij";
    case 0x0149:
      return "'n";
    case 0x0152:
      return "OE";
    case 0x0153:
      return "oe";
    case 0x0218:
      return "S";
    case 0x0219:
      return "s";
    case 0x021A:
      return "T";
    case 0x021B:
      return "t";
    default:
      break;
  }
  if (cp >= 0x0100 && cp <= 0x017F) return kFoldLatinA.substr(cp - 0x0100, 1);
  return std::nullopt;
}

// A base letter and a combining accent that compose to a GSM-7 letter.
char32_t ComposeGsm(char base, char32_t mark) {
  struct Composition {
    char base;
    char32_t mark;
    char32_t result;
  };
  static constexpr Composition kTable[] = {
      {'a', 0x0300, 0xE0}, {'e', 0x0300, 0xE8}, {'i', 0x0300, 0xEC}, {'o', 0x0300, 0xF2},
      {'u', 0x0300, 0xF9}, {'e', 0x0301, 0xE9}, {'E', 0x0301, 0xC9}, {'n', 0x0303, 0xF1},
      {'N', 0x0303, 0xD1}, {'a', 0x0308, 0xE4}, {'o', 0x0308, 0xF6}, {'u', 0x0308, 0xFC},
      {'A', 0x0308, 0xC4}, {'O', 0x0308, 0xD6}, {'U', 0x0308, 0xDC}, {'a', 0x030A, 0xE5},
      {'A', 0x030A, 0xC5}, {'C', 0x0327, 0xC7},
  };
  for (const Composition& c : kTable) {
    if (c.base == base && c.mark == mark) return c.result;
  }
  return 0;
}

}  // namespace

SmsMeasure MeasureSms(std::string_view utf8) {
  const std::size_t n = utf8.size();
  std::size_t septets = 0;
  std::size_t utf16 = 0;
  std::size_t chars = 0;
  std::size_t i = 0;
  bool gsm = true;
  bool astral = false;
  // GSM-7 pass: septets and UTF-16 units together, until a character
  // outside GSM-7 shows up.
  while (i < n) {
    if constexpr (kSwar) {
      if (i + 8 <= n && PlainAscii8(Load8(utf8.data() + i))) {
        i += 8;
        septets += 8;
        utf16 += 8;
        chars += 8;
        continue;
      }
    }
    const auto b = static_cast<unsigned char>(utf8[i]);
    unsigned s;
    if (b < 0x80) {
      s = kAsciiSeptets[b];
      ++i;
      ++utf16;
    } else {
      const Char c = NextChar(utf8, i);
      s = c.septets;
      i += c.len;
      utf16 += c.utf16;
      astral = c.utf16 == 2;  // GSM-7 is all BMP: only the character ending the pass can be
    }
    if (s == 0) {
      gsm = false;
      break;
    }
    septets += s;
    ++chars;
  }
  // UCS-2 pass over the rest.
  while (i < n) {
    if constexpr (kSwar) {
      if (i + 8 <= n && (Load8(utf8.data() + i) & kHighBits) == 0) {
        i += 8;
        utf16 += 8;
        continue;
      }
    }
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x80) {
      ++i;
      ++utf16;
      continue;
    }
    const Char c = NextChar(utf8, i);
    i += c.len;
    utf16 += c.utf16;
    astral |= c.utf16 == 2;
  }

  SmsMeasure m;
  m.encoding = gsm ? SmsEncoding::kGsm7 : SmsEncoding::kUcs2;
  m.units = gsm ? septets : utf16;
  const std::size_t single = gsm ? kGsm7SingleSeptets : kUcs2SingleUnits;
  const std::size_t part = PartLimit(m.encoding);
  if (m.units <= single) {
    m.segments = 1;
    m.chars_per_segment = single;
    return m;
  }
  m.chars_per_segment = part;
  // Only two-unit characters can make packing differ from plain division.
  const bool doubles = gsm ? septets != chars : astral;
  if (!doubles) {
    m.segments = (m.units + part - 1) / part;
  } else {
    m.segments = PackedParts(utf8, m.encoding);
  }
  return m;
}

bool IsGsm7(std::string_view utf8) {
  for (std::size_t i = 0; i < utf8.size();) {
    if constexpr (kSwar) {
      if (i + 8 <= utf8.size() && PlainAscii8(Load8(utf8.data() + i))) {
        i += 8;
        continue;
      }
    }
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x80) {
      if (kAsciiSeptets[b] == 0) return false;
      ++i;
      continue;
    }
    const Char c = NextChar(utf8, i);
    if (c.septets == 0) return false;
    i += c.len;
  }
  return true;
}

std::string ToGsmFriendly(std::string_view utf8, GsmFriendlyOptions options) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    // Copy the run of ASCII that needs nothing in one go.
    std::size_t run = i;
    while (run < utf8.size() && static_cast<unsigned char>(utf8[run]) < 0x80 && utf8[run] != '`' &&
           utf8[run] != '\t') {
      ++run;
    }
    out.append(utf8.substr(i, run - i));
    i = run;
    if (i == utf8.size()) break;
    const char b = utf8[i];
    if (static_cast<unsigned char>(b) < 0x80) {
      out += b == '`' ? '\'' : ' ';
      ++i;
      continue;
    }
    const Decoded d = Decode(utf8, i);
    if (!d.valid) {
      out += b;  // invalid bytes are not ours to fix
      ++i;
      continue;
    }
    const std::string_view original = utf8.substr(i, d.len);
    i += d.len;
    if (const auto r = Replacement(d.cp)) {
      out += *r;
      continue;
    }
    if (d.cp >= 0x0300 && d.cp <= 0x036F) {  // combining accent
      if (!out.empty()) {
        if (const char32_t composed = ComposeGsm(out.back(), d.cp)) {
          out.pop_back();
          AppendUtf8(out, composed);
          continue;
        }
      }
      if (options.fold_accents) continue;
      out += original;
      continue;
    }
    if (options.fold_accents) {
      if (const auto f = Fold(d.cp)) {
        out += *f;
        continue;
      }
    }
    out += original;
  }
  return out;
}

std::vector<std::string> SplitSegments(std::string_view utf8,
                                       const std::vector<Span>& keep_together) {
  const SmsMeasure whole = MeasureSms(utf8);
  if (whole.segments == 1) return {std::string(utf8)};

  const SmsEncoding encoding = whole.encoding;
  const std::size_t limit = PartLimit(encoding);
  const std::size_t n = utf8.size();
  const std::vector<Span> spans = NormalizeSpans(keep_together, n);
  const std::size_t span_count = spans.size();

  std::vector<std::string> parts;
  parts.reserve(whole.segments + 1);
  std::size_t start = 0;
  std::size_t first_span = 0;  // first span ending after `start`
  while (start < n) {
    while (first_span < span_count && spans[first_span].end <= start) ++first_span;

    // Walk forward as far as one part goes, remembering where it could end.
    std::size_t pos = start;
    std::size_t used = 0;
    std::size_t k = first_span;
    std::size_t newline = kNone;
    std::size_t newline_used = 0;
    std::size_t space = kNone;
    std::size_t hard = kNone;  // farthest character boundary outside spans
    while (pos < n) {
      while (k < span_count && spans[k].end <= pos) ++k;
      if constexpr (kSwar) {
        // Up to eight plain ASCII bytes (one unit each) at once, stopping at
        // the next span boundary: outside spans the last space among them is
        // a candidate cut and their end a possible hard cut; inside a span
        // neither is, except the span's end.
        if (pos + 8 <= n) {
          const bool inside = k < span_count && spans[k].begin <= pos;
          const std::size_t boundary = k == span_count ? n : inside ? spans[k].end : spans[k].begin;
          const std::size_t len = std::min({std::size_t{8}, boundary - pos, limit - used});
          if (len > 0) {
            const std::uint64_t keep = len == 8 ? ~0ull : (1ull << (8 * len)) - 1;
            const std::uint64_t w = Load8(utf8.data() + pos);
            if (PlainAscii8((w & keep) | (kOnes * 'a' & ~keep))) {
              if (!inside) {
                std::uint64_t sp = SpaceBytes(w) & keep;
                if (pos == start) sp &= ~0x80ull;  // a part never starts with its cut
                if (sp) space = pos + static_cast<std::size_t>(63 - std::countl_zero(sp)) / 8;
              }
              used += len;
              pos += len;
              if (!inside || pos == spans[k].end) hard = pos;
              continue;
            }
          }
        }
      }
      const Char c = NextChar(utf8, pos);
      const bool char_in_span = k < span_count && spans[k].begin < pos + c.len;
      if (pos > start && IsBreakSpace(utf8[pos]) && !char_in_span) {
        if (IsNewline(utf8[pos])) {
          newline = pos;
          newline_used = used;
        } else {
          space = pos;
        }
      }
      const unsigned u = UnitsIn(encoding, c);
      if (used + u > limit) break;
      used += u;
      pos += c.len;
      while (k < span_count && spans[k].end <= pos) ++k;
      if (!(k < span_count && spans[k].begin < pos)) hard = pos;
    }
    if (pos == n) {
      parts.emplace_back(utf8.substr(start));
      break;
    }

    std::size_t end = kNone;
    std::size_t next = kNone;
    std::size_t ws = kNone;
    // Phones reassemble concatenated parts, so filling parts beats ending
    // them at newlines: a newline wins only when the part is nearly full.
    if (newline != kNone && newline_used * 10 >= limit * 9) {
      ws = newline;
    } else if (space != kNone) {
      ws = space;
    } else {
      ws = newline;
    }
    if (ws != kNone) {
      // Drop the whole whitespace run around the cut.
      std::size_t gap_begin = ws;
      while (gap_begin > start + 1 && IsBreakSpace(utf8[gap_begin - 1]) &&
             !ByteInSpan(spans, gap_begin - 1)) {
        --gap_begin;
      }
      std::size_t gap_end = ws + 1;
      while (gap_end < n && IsBreakSpace(utf8[gap_end]) && !ByteInSpan(spans, gap_end)) ++gap_end;
      end = gap_begin;
      next = gap_end;
      // If what follows the gap cannot fit a part on its own, it will be cut
      // anyway: fill this part instead of sending a short one.
      if (hard != kNone && hard > gap_end) {
        std::size_t units = 0;
        std::size_t q = gap_end;
        while (q < n && units <= limit) {
          if (IsBreakSpace(utf8[q]) && !ByteInSpan(spans, q)) break;
          const Char c = NextChar(utf8, q);
          units += UnitsIn(encoding, c);
          q += c.len;
        }
        if (units > limit) end = next = hard;
      }
    } else {
      end = next = hard != kNone ? hard : pos;
    }
    parts.emplace_back(utf8.substr(start, end - start));
    start = next;
  }
  return parts;
}

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
