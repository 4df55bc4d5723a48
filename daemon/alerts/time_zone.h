#pragma once
// TimeZone: a region's UTC offset at an instant, read from the system's
// compiled tz database (TZif files under /usr/share/zoneinfo). libstdc++ 12
// has no std::chrono::tzdb (it came in GCC 13), so we read the files here.
//
//   auto tz = TimeZone::Load("America/Vancouver");
//   int off = tz->OffsetAt(1767225600);   // -28800 (PST) in January
//
// TZif versions 2 and 3 (RFC 8536): the 64-bit transition table, then the
// footer's POSIX TZ rule ("PST8PDT,M3.2.0,M11.1.0") for instants after the
// last transition (Debian ships "slim" files: the rule carries every year
// after 2007). Rules in the Mm.w.d form, which every North American zone
// uses; a Julian-day rule (Jn, n) makes Load fail.
//
// Thread-safety: immutable after Load; OffsetAt is const and safe from any
// thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace helpline::daemon::alerts {

class TimeZone {
 public:
  // Reads `dir`/`name`. InvalidArgument for a name with "..", a leading '/'
  // or characters outside [A-Za-z0-9/_+-]; NotFound when the file cannot be
  // read; InvalidArgument when it is not a TZif v2+ file or its rule is not
  // understood.
  static Result<TimeZone> Load(std::string_view name, const std::string& dir = "/usr/share/zoneinfo");
  // Parses a TZif image (the bytes of a file).
  static Result<TimeZone> Parse(std::string_view name, std::string_view tzif);

  // Seconds east of UTC at unix time `t` (-28800 for PST).
  int OffsetAt(std::int64_t t) const;
  const std::string& name() const { return name_; }

  // The POSIX TZ rule of the footer, parsed. Exposed for tests.
  struct Rule {
    int std_offset = 0, dst_offset = 0;  // seconds east of UTC
    bool has_dst = false;
    // Mm.w.d/time, twice: month 1-12, week 1-5 (5 = last), weekday 0-6
    // (Sunday 0), local time of the change in seconds.
    int start_month = 0, start_week = 0, start_day = 0, start_time = 7200;
    int end_month = 0, end_week = 0, end_day = 0, end_time = 7200;
  };
  static Result<Rule> ParseRule(std::string_view posix);
  static int RuleOffsetAt(const Rule& rule, std::int64_t t);

 private:
  std::string name_;
  std::vector<std::int64_t> transitions_;  // ascending unix times
  std::vector<int> offsets_;               // offset in force from transitions_[i]
  int initial_offset_ = 0;                 // before the first transition
  bool has_rule_ = false;
  Rule rule_;
};

}  // namespace helpline::daemon::alerts
