#include "daemon/alerts/time_zone.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>

namespace helpline::daemon::alerts {
namespace {

std::uint32_t Be32(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

std::int64_t Be64(std::string_view b, std::size_t at) {
  return static_cast<std::int64_t>((static_cast<std::uint64_t>(Be32(b, at)) << 32) | Be32(b, at + 4));
}

// A reader over the POSIX TZ string.
struct RuleReader {
  std::string_view s;
  std::size_t i = 0;
  bool Done() const { return i >= s.size(); }
  char Peek() const { return Done() ? '\0' : s[i]; }

  // "PST" or "<-03>"; false when there is none.
  bool Name() {
    if (Peek() == '<') {
      const auto close = s.find('>', i);
      if (close == std::string_view::npos) return false;
      i = close + 1;
      return true;
    }
    const std::size_t from = i;
    while (!Done() && ((Peek() >= 'A' && Peek() <= 'Z') || (Peek() >= 'a' && Peek() <= 'z'))) ++i;
    return i - from >= 3;
  }
  // [+-]hh[:mm[:ss]] in seconds; nullopt when malformed.
  std::optional<int> Time(int max_hours) {
    int sign = 1;
    if (Peek() == '+' || Peek() == '-') sign = s[i++] == '-' ? -1 : 1;
    int parts[3] = {0, 0, 0};
    for (int p = 0; p < 3; ++p) {
      if (p > 0) {
        if (Peek() != ':') break;
        ++i;
      }
      int n = 0, digits = 0;
      while (!Done() && Peek() >= '0' && Peek() <= '9' && digits < 3) n = n * 10 + (s[i++] - '0'), ++digits;
      if (digits == 0) return std::nullopt;
      parts[p] = n;
    }
    if (parts[0] > max_hours || parts[1] > 59 || parts[2] > 59) return std::nullopt;
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  }
  int Number() {
    int n = 0, digits = 0;
    while (!Done() && Peek() >= '0' && Peek() <= '9' && digits < 3) n = n * 10 + (s[i++] - '0'), ++digits;
    return digits == 0 ? -1 : n;
  }
  // ",Mm.w.d[/time]"
  bool Change(int* month, int* week, int* day, int* time) {
    if (Peek() != ',') return false;
    ++i;
    if (Peek() != 'M') return false;  // Jn and n: not used by the zones we serve
    ++i;
    *month = Number();
    if (Peek() != '.') return false;
    ++i;
    *week = Number();
    if (Peek() != '.') return false;
    ++i;
    *day = Number();
    if (*month < 1 || *month > 12 || *week < 1 || *week > 5 || *day < 0 || *day > 6) return false;
    if (Peek() == '/') {
      ++i;
      auto t = Time(167);
      if (!t) return false;
      *time = *t;
    }
    return true;
  }
};

// Unix time of local midnight starting the day of rule change `month.week.day` in `year`.
std::int64_t ChangeDay(int year, int month, int week, int day) {
  using namespace std::chrono;
  const auto ym = std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(month)};
  const weekday wd{static_cast<unsigned>(day)};
  const sys_days d = week == 5 ? sys_days{ym / wd[last]} : sys_days{ym / wd[static_cast<unsigned>(week)]};
  return d.time_since_epoch().count() * std::int64_t{86400};
}

}  // namespace

Result<TimeZone::Rule> TimeZone::ParseRule(std::string_view posix) {
  RuleReader r{posix};
  Rule rule;
  if (!r.Name()) return InvalidArgument("tz rule: no standard time name");
  auto std_off = r.Time(24);
  if (!std_off) return InvalidArgument("tz rule: bad standard offset");
  rule.std_offset = -*std_off;  // POSIX counts west of UTC
  if (r.Done()) return rule;
  if (!r.Name()) return InvalidArgument("tz rule: bad daylight time name");
  rule.has_dst = true;
  rule.dst_offset = rule.std_offset + 3600;
  if (r.Peek() != ',' && !r.Done()) {
    auto dst_off = r.Time(24);
    if (!dst_off) return InvalidArgument("tz rule: bad daylight offset");
    rule.dst_offset = -*dst_off;
  }
  if (!r.Change(&rule.start_month, &rule.start_week, &rule.start_day, &rule.start_time) ||
      !r.Change(&rule.end_month, &rule.end_week, &rule.end_day, &rule.end_time) || !r.Done()) {
    return InvalidArgument("tz rule: only Mm.w.d change rules are understood");
  }
  return rule;
}

int TimeZone::RuleOffsetAt(const Rule& rule, std::int64_t t) {
  if (!rule.has_dst) return rule.std_offset;
  using namespace std::chrono;
  const sys_days day{days{static_cast<int>((t + rule.std_offset) / 86400 - ((t + rule.std_offset) % 86400 < 0))}};
  const int year = static_cast<int>(year_month_day{day}.year());
  // The change to daylight time happens at local standard time, back at local daylight time.
  const std::int64_t start =
      ChangeDay(year, rule.start_month, rule.start_week, rule.start_day) + rule.start_time - rule.std_offset;
  const std::int64_t end =
      ChangeDay(year, rule.end_month, rule.end_week, rule.end_day) + rule.end_time - rule.dst_offset;
  const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? rule.dst_offset : rule.std_offset;
}

Result<TimeZone> TimeZone::Load(std::string_view name, const std::string& dir) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos ||
      !std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
               c == '+' || c == '-';
      })) {
    return InvalidArgument("time zone '" + std::string(name) + "': not a zone name");
  }
  std::ifstream in(dir + "/" + std::string(name), std::ios::binary);
  if (!in) return NotFound("time zone '" + std::string(name) + "': not in " + dir);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return Parse(name, bytes.str());
}

Result<TimeZone> TimeZone::Parse(std::string_view name, std::string_view b) {
  const auto bad = [&](const char* why) { return InvalidArgument("time zone '" + std::string(name) + "': " + why); };
  constexpr std::size_t kHeader = 44;
  if (b.size() < kHeader || b.substr(0, 4) != "TZif") return bad("not a TZif file");
  if (b[4] < '2') return bad("TZif version 1 (no 64-bit data)");
  auto counts = [&](std::size_t at, std::uint32_t c[6]) {
    for (int k = 0; k < 6; ++k) c[k] = Be32(b, at + 20 + 4 * static_cast<std::size_t>(k));
  };
  std::uint32_t c[6];  // isut, isstd, leap, time, type, char
  counts(0, c);
  const std::size_t v1 = std::size_t{c[3]} * 5 + std::size_t{c[4]} * 6 + c[5] + std::size_t{c[2]} * 8 + c[1] + c[0];
  std::size_t at = kHeader + v1;
  if (b.size() < at + kHeader || b.substr(at, 4) != "TZif") return bad("no version 2 data");
  counts(at, c);
  at += kHeader;
  const std::size_t timecnt = c[3], typecnt = c[4];
  const std::size_t body = timecnt * 9 + typecnt * 6 + c[5] + std::size_t{c[2]} * 12 + c[1] + c[0];
  if (typecnt == 0 || b.size() < at + body) return bad("truncated");
  TimeZone tz;
  tz.name_ = std::string(name);
  const std::size_t idx_at = at + timecnt * 8, types_at = idx_at + timecnt;
  auto type_offset = [&](std::size_t t) {
    return static_cast<int>(static_cast<std::int32_t>(Be32(b, types_at + 6 * t)));
  };
  tz.initial_offset_ = type_offset(0);
  for (std::size_t k = 0; k < timecnt; ++k) {
    const auto type = static_cast<unsigned char>(b[idx_at + k]);
    if (type >= typecnt) return bad("transition to an unknown type");
    tz.transitions_.push_back(Be64(b, at + 8 * k));
    tz.offsets_.push_back(type_offset(type));
  }
  const std::string_view footer = b.substr(at + body);
  if (footer.size() >= 2 && footer.front() == '\n') {
    const auto end = footer.find('\n', 1);
    if (end == std::string_view::npos) return bad("unterminated footer");
    const std::string_view posix = footer.substr(1, end - 1);
    if (!posix.empty()) {
      auto rule = ParseRule(posix);
      if (!rule.ok()) return bad(rule.status().message().c_str());
      tz.rule_ = *rule;
      tz.has_rule_ = true;
    }
  }
  return tz;
}

int TimeZone::OffsetAt(std::int64_t t) const {
  if (transitions_.empty() || t < transitions_.front()) {
    return transitions_.empty() && has_rule_ ? RuleOffsetAt(rule_, t) : initial_offset_;
  }
  if (t >= transitions_.back() && has_rule_) return RuleOffsetAt(rule_, t);
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return offsets_[static_cast<std::size_t>(it - transitions_.begin()) - 1];
}

}  // namespace helpline::daemon::alerts
