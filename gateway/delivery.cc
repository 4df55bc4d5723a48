#include "gateway/delivery.h"

#include <array>
#include <cstdint>

#include "common/ascii.h"
#include "gateway/http_util.h"

namespace helpline::gateway {
namespace {

using ascii::IsDigit;

using std::chrono::system_clock;

constexpr std::array<std::string_view, 7> kDayNames = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDayNames = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                           "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
// RFC 9110 caches clamp delta-seconds here; so do we, so no arithmetic overflows.
constexpr std::int64_t kMaxDeltaSeconds = std::int64_t{1} << 31;

// A left-to-right reader over an HTTP-date; every method consumes only on success.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool AtEnd() const { return s_.empty(); }

  bool Literal(std::string_view literal) {
    if (!s_.starts_with(literal)) return false;
    s_.remove_prefix(literal.size());
    return true;
  }

  // Exactly `count` digits.
  bool Digits(std::size_t count, int& out) {
    if (s_.size() < count) return false;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (!IsDigit(s_[i])) return false;
      value = value * 10 + (s_[i] - '0');
    }
    s_.remove_prefix(count);
    out = value;
    return true;
  }

  // One of `names` (case-sensitive, as RFC 9110 specifies); its index.
  template <std::size_t N>
  bool OneOf(const std::array<std::string_view, N>& names, int& index) {
    for (std::size_t i = 0; i < N; ++i) {
      // Longest names are not prefixes of one another within a table.
      if (Literal(names[i])) {
        index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }

  // "HH:MM:SS" with HH <= 23, MM <= 59, SS <= 60 (a leap second).
  bool TimeOfDay(std::chrono::seconds& out) {
    Cursor copy = *this;
    int h = 0, m = 0, sec = 0;
    if (!copy.Digits(2, h) || !copy.Literal(":") || !copy.Digits(2, m) || !copy.Literal(":") || !copy.Digits(2, sec) ||
        h > 23 || m > 59 || sec > 60) {
      return false;
    }
    *this = copy;
    out = std::chrono::hours(h) + std::chrono::minutes(m) + std::chrono::seconds(sec);
    return true;
  }

 private:
  std::string_view s_;
};

std::optional<system_clock::time_point> MakeTime(int year, int month_index, int day, std::chrono::seconds time) {
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month_index + 1)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return system_clock::time_point(std::chrono::sys_days(ymd)) + time;
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<system_clock::time_point> ParseImfFixdate(std::string_view s) {
  Cursor c(s);
  int ignored = 0, day = 0, month = 0, year = 0;
  std::chrono::seconds time{};
  if (c.OneOf(kDayNames, ignored) && c.Literal(", ") && c.Digits(2, day) && c.Literal(" ") &&
      c.OneOf(kMonthNames, month) && c.Literal(" ") && c.Digits(4, year) && c.Literal(" ") && c.TimeOfDay(time) &&
      c.Literal(" GMT") && c.AtEnd()) {
    return MakeTime(year, month, day, time);
  }
  return std::nullopt;
}

// RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT". A two-digit year more than 50
// years ahead of `now` is the most recent past year with those digits.
std::optional<system_clock::time_point> ParseRfc850(std::string_view s, system_clock::time_point now) {
  Cursor c(s);
  int ignored = 0, day = 0, month = 0, yy = 0;
  std::chrono::seconds time{};
  if (c.OneOf(kLongDayNames, ignored) && c.Literal(", ") && c.Digits(2, day) && c.Literal("-") &&
      c.OneOf(kMonthNames, month) && c.Literal("-") && c.Digits(2, yy) && c.Literal(" ") && c.TimeOfDay(time) &&
      c.Literal(" GMT") && c.AtEnd()) {
    const int now_year =
        static_cast<int>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)).year());
    int year = now_year / 100 * 100 + yy;
    if (year > now_year + 50) year -= 100;
    return MakeTime(year, month, day, time);
  }
  return std::nullopt;
}

// asctime: "Sun Nov  6 08:49:37 1994" (the day padded with a space or a zero).
std::optional<system_clock::time_point> ParseAsctime(std::string_view s) {
  Cursor c(s);
  int ignored = 0, day = 0, month = 0, year = 0;
  std::chrono::seconds time{};
  if (!c.OneOf(kDayNames, ignored) || !c.Literal(" ") || !c.OneOf(kMonthNames, month) || !c.Literal(" ")) {
    return std::nullopt;
  }
  if (!(c.Literal(" ") ? c.Digits(1, day) : c.Digits(2, day))) return std::nullopt;
  if (c.Literal(" ") && c.TimeOfDay(time) && c.Literal(" ") && c.Digits(4, year) && c.AtEnd()) {
    return MakeTime(year, month, day, time);
  }
  return std::nullopt;
}

}  // namespace

DeliveryDecision ClassifyHttp(const HttpResult& result, std::string_view provider, system_clock::time_point now) {
  DeliveryDecision decision;
  if (!result.transport_ok) {
    decision.verdict = DeliveryVerdict::kRetry;
    decision.reason = std::string(provider) + " transport error";
    if (!result.error.empty()) decision.reason += ": " + result.error;
    return decision;
  }
  decision.reason = std::string(provider) + " " + std::to_string(result.status);
  if (result.status >= 200 && result.status <= 299) {
    decision.verdict = DeliveryVerdict::kSent;
  } else if (result.status == 429 || (result.status >= 500 && result.status <= 599)) {
    decision.verdict = DeliveryVerdict::kRetry;
    const std::string_view retry_after = FindHeader(result.headers, "Retry-After");
    if (!retry_after.empty()) decision.retry_after = ParseRetryAfter(retry_after, now);
  } else {
    decision.verdict = DeliveryVerdict::kFail;
  }
  return decision;
}

void MarkMalformedSuccess(DeliveryDecision& decision) {
  decision.verdict = DeliveryVerdict::kFail;
  decision.provider_message_id.clear();
  decision.retry_after.reset();
  decision.reason += " malformed";
}

std::string_view SafeErrorCode(std::string_view code) {
  if (code.empty() || code.size() > 32) return {};
  for (const char c : code) {
    const bool ok = ascii::IsAlnum(c) || c == '.' || c == '_' || c == '-';
    if (!ok) return {};
  }
  return code;
}

void AppendErrorCode(DeliveryDecision& decision, std::string_view code) {
  const std::string_view safe = SafeErrorCode(code);
  if (safe.empty()) return;
  decision.reason += " code ";
  decision.reason += safe;
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, system_clock::time_point now) {
  value = TrimOws(value);
  if (value.empty()) return std::nullopt;
  if (IsDigit(value.front())) {
    std::int64_t seconds = 0;
    for (const char c : value) {
      if (!IsDigit(c)) return std::nullopt;
      if (seconds < kMaxDeltaSeconds) seconds = seconds * 10 + (c - '0');
    }
    if (seconds > kMaxDeltaSeconds) seconds = kMaxDeltaSeconds;
    return std::chrono::seconds(seconds);
  }
  std::optional<system_clock::time_point> when = ParseImfFixdate(value);
  if (!when) when = ParseRfc850(value, now);
  if (!when) when = ParseAsctime(value);
  if (!when) return std::nullopt;
  if (*when <= now) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(*when - now);
}

std::string_view FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (ascii::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

}  // namespace helpline::gateway
