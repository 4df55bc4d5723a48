#include "common/text_normalize.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/utf8.h"

namespace helpline {
namespace {

// Decodes one UTF-8 code point at s[i], advancing i; malformed bytes yield
// U+FFFD. Lenient (common/utf8.h): an overlong or surrogate form still reads
// as the letter it spells.
char32_t Next(std::string_view s, std::size_t& i) {
  const Utf8Char c = DecodeUtf8At(s, i, Utf8Mode::kLenient);
  i += c.len;
  return c.cp;
}

// Latin-1 Supplement letters U+00C0..U+00FF folded to ASCII lower case
// ('\0' for the two non-letters × and ÷). Index = cp - 0xC0.
// (A sized literal: the embedded '\0's must not end it.)
constexpr char kLatin1Chars[] =
    "aaaaaaaceeeeiiii"    // À..Ï (Æ -> a, its second letter is added below)
    "dnooooo\0ouuuuyts"   // Ð..ß (ß -> s, second letter added below)
    "aaaaaaaceeeeiiii"    // à..ï
    "dnooooo\0ouuuuyty";  // ð..ÿ
constexpr std::string_view kLatin1(kLatin1Chars, sizeof(kLatin1Chars) - 1);
static_assert(kLatin1.size() == 0x40);

struct Folded {
  char first = 0;   // 0: not a letter or digit
  char second = 0;  // for ligatures: æ -> ae, œ -> oe, ß -> ss
  bool upper = false;
  bool apostrophe = false;  // joins the word: won't -> wont
};

Folded Fold(char32_t cp) {
  Folded f;
  if (cp < 0x80) {
    char c = static_cast<char>(cp);
    if (c >= 'a' && c <= 'z')
      f.first = c;
    else if (c >= 'A' && c <= 'Z')
      f.first = static_cast<char>(c - 'A' + 'a'), f.upper = true;
    else if (c >= '0' && c <= '9')
      f.first = c;
    else if (c == '\'')
      f.apostrophe = true;
    return f;
  }
  if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC) {  // ’ ‘ ʼ
    f.apostrophe = true;
    return f;
  }
  if (cp >= 0xC0 && cp <= 0xFF) {
    f.first = kLatin1[cp - 0xC0];
    f.upper = cp < 0xE0 && cp != 0xDF;
    if (cp == 0xC6 || cp == 0xE6) f.second = 'e';  // Æ æ
    if (cp == 0xDF) f.second = 's';                // ß
    return f;
  }
  if (cp >= 0x100 && cp <= 0x17F) {  // Latin Extended-A (Polish, Czech, Turkish, ... letters)
    static constexpr std::string_view kExtA =
        "aaaaaa"
        "cccccccc"
        "dddd"
        "eeeeeeeeee"
        "gggggggg"
        "hhhh"
        "iiiiiiiiii"
        "ii"
        "jj"
        "kkk"
        "llllllllll"
        "nnnnnnnnn"
        "oooooo"
        "oo"
        "rrrrrr"
        "ssssssss"
        "tttttt"
        "uuuuuuuuuuuu"
        "ww"
        "yyy"
        "zzzzzz"
        "s";
    static_assert(kExtA.size() == 0x80);
    f.first = kExtA[cp - 0x100];
    if (cp == 0x132 || cp == 0x133) f.second = 'j';  // Ĳ ĳ
    if (cp == 0x152 || cp == 0x153) f.second = 'e';  // Œ œ
    // Upper and lower case alternate; the parity flips between U+0139 and U+0148.
    f.upper = cp == 0x178 || ((cp >= 0x139 && cp <= 0x148) ? cp % 2 == 1 : cp % 2 == 0);
    return f;
  }
  return f;  // emoji, symbols, other scripts: separators
}

}  // namespace

std::vector<Token> Tokenize(std::string_view s, std::size_t max_tokens) {
  std::vector<Token> tokens;
  Token cur;
  bool any_lower = false;
  bool any_letter = false;
  bool all_digits = true;
  auto flush = [&] {
    if (!cur.text.empty()) {
      cur.upper = any_letter && !any_lower;
      cur.digits = all_digits;
      tokens.push_back(std::move(cur));
    }
    cur = Token{};
    any_lower = any_letter = false;
    all_digits = true;
  };
  for (std::size_t i = 0; i < s.size() && tokens.size() < max_tokens;) {
    Folded f = Fold(Next(s, i));
    if (f.apostrophe) continue;
    if (f.first == 0) {
      flush();
      continue;
    }
    bool letter = f.first < '0' || f.first > '9';
    if (letter) {
      any_letter = true;
      all_digits = false;
      if (!f.upper) any_lower = true;
    }
    cur.text.push_back(f.first);
    if (f.second != 0) cur.text.push_back(f.second);
  }
  if (tokens.size() < max_tokens) flush();
  return tokens;
}

std::string FoldText(std::string_view utf8) {
  std::string out;
  for (const auto& t : Tokenize(utf8, 1024)) {
    if (!out.empty()) out.push_back(' ');
    out += t.text;
  }
  return out;
}

std::string InsertSpacesInTokens(std::string_view s, const std::vector<std::pair<std::size_t, std::size_t>>& cuts) {
  std::string out;
  out.reserve(s.size() + cuts.size());
  std::size_t next = 0;   // the first cut not yet placed
  std::size_t token = 0;  // the index of the token being read, or the next one
  std::size_t offset = 0;
  bool in_token = false;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const Folded f = Fold(Next(s, i));
    if (!f.apostrophe && f.first == 0 && in_token) {
      ++token;
      in_token = false;
    } else if (f.first != 0) {
      if (!in_token) in_token = true, offset = 0;
      while (next < cuts.size() &&
             (cuts[next].first < token || (cuts[next].first == token && cuts[next].second < offset))) {
        ++next;  // fell inside a ligature
      }
      if (next < cuts.size() && cuts[next] == std::make_pair(token, offset)) {
        out.push_back(' ');
        ++next;
      }
      offset += f.second != 0 ? 2 : 1;
    }
    out.append(s.substr(start, i - start));
  }
  return out;
}

int BoundedEditDistance(std::string_view a, std::string_view b, int max_distance) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (std::abs(n - m) > max_distance) return max_distance + 1;
  if (n > 30 || m > 30) return a == b ? 0 : max_distance + 1;
  std::array<int, 32> prev2{}, prev{}, cur{};
  for (int j = 0; j <= m; ++j) prev[static_cast<std::size_t>(j)] = j;
  for (int i = 1; i <= n; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= m; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      int cost = a[static_cast<std::size_t>(i - 1)] == b[uj - 1] ? 0 : 1;
      int v = std::min({prev[uj] + 1, cur[uj - 1] + 1, prev[uj - 1] + cost});
      if (i > 1 && j > 1 && a[static_cast<std::size_t>(i - 1)] == b[uj - 2] &&
          a[static_cast<std::size_t>(i - 2)] == b[uj - 1]) {
        v = std::min(v, prev2[uj - 2] + 1);
      }
      cur[uj] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > max_distance) return max_distance + 1;
    prev2 = prev;
    prev = cur;
  }
  return std::min(prev[static_cast<std::size_t>(m)], max_distance + 1);
}

}  // namespace helpline
