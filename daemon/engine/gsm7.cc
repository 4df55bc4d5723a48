#include "daemon/engine/gsm7.h"

#include <array>
#include <cstdint>
#include <optional>

#include "common/utf8.h"
#include "daemon/engine/gsm7_chars.h"

namespace helpline::engine {
namespace {

// ---------------------------------------------------------------------------
// UTF-8, strictly (common/utf8.h): an invalid sequence is one byte, U+FFFD.

Utf8Char Decode(std::string_view s, std::size_t i) { return DecodeUtf8At(s, i, Utf8Mode::kStrict); }

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
// GSM 03.38 tables (the ASCII one is in gsm7_chars.h)

// The basic table's letters from U+00A0..U+00FF: ¡ £ ¤ ¥ § ¿ Ä Å Æ Ç É Ñ Ö Ø
// Ü ß à ä å æ è é ì ñ ò ö ø ù ü (not ç: see the header).
constexpr std::array<bool, 96> MakeLatin1Gsm() {
  std::array<bool, 96> t{};
  for (int cp : {0xA1, 0xA3, 0xA4, 0xA5, 0xA7, 0xBF, 0xC4, 0xC5, 0xC6, 0xC7, 0xC9, 0xD1, 0xD6, 0xD8, 0xDC,
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

// Parts a gateway needs for `s` when a character never straddles two parts.
std::size_t PackedParts(std::string_view s, SmsEncoding encoding) {
  const std::size_t limit = PartLimit(encoding);
  std::size_t parts = 1;
  std::size_t fill = 0;
  for (std::size_t i = 0; i < s.size();) {
    const SmsChar c = NextSmsChar(s, i);
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
    case 0x0132: return "IJ";
    case 0x0133: return "ij";
    case 0x0149: return "'n";
    case 0x0152: return "OE";
    case 0x0153: return "oe";
    case 0x0218: return "S";
    case 0x0219: return "s";
    case 0x021A: return "T";
    case 0x021B: return "t";
    default: break;
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
      {'a', 0x0300, 0xE0}, {'e', 0x0300, 0xE8}, {'i', 0x0300, 0xEC}, {'o', 0x0300, 0xF2}, {'u', 0x0300, 0xF9},
      {'e', 0x0301, 0xE9}, {'E', 0x0301, 0xC9}, {'n', 0x0303, 0xF1}, {'N', 0x0303, 0xD1}, {'a', 0x0308, 0xE4},
      {'o', 0x0308, 0xF6}, {'u', 0x0308, 0xFC}, {'A', 0x0308, 0xC4}, {'O', 0x0308, 0xD6}, {'U', 0x0308, 0xDC},
      {'a', 0x030A, 0xE5}, {'A', 0x030A, 0xC5}, {'C', 0x0327, 0xC7},
  };
  for (const Composition& c : kTable) {
    if (c.base == base && c.mark == mark) return c.result;
  }
  return 0;
}

}  // namespace

[[gnu::noinline]] SmsChar NextNonAsciiSmsChar(std::string_view s, std::size_t i) {
  const Utf8Char d = Decode(s, i);
  if (!d.valid) return {1, 0, 1};  // U+FFFD
  return {d.len, GsmSeptets(d.cp), d.cp > 0xFFFF ? 2u : 1u};
}

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
      const SmsChar c = NextSmsChar(utf8, i);
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
    const SmsChar c = NextSmsChar(utf8, i);
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
    const SmsChar c = NextSmsChar(utf8, i);
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
    while (run < utf8.size() && static_cast<unsigned char>(utf8[run]) < 0x80 && utf8[run] != '`' && utf8[run] != '\t') {
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
    const Utf8Char d = Decode(utf8, i);
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

}  // namespace helpline::engine
