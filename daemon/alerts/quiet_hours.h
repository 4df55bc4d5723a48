#pragma once
// Quiet hours: alerts are held during a region's local night and go out when
// it ends, unless the alert is urgent (a batch that is killing people now).
//
//   auto zones = RegionTimeZones::Load(data_dir + "/engine/alert_time_zones.json");
//   auto quiet = QuietHours::Parse("22:00-08:00");
//   std::int64_t due_s = quiet->ReleaseAt(*zones->Find("CA-BC"), now_s);  // now_s, or 08:00 Vancouver time
//
// The window is local wall-clock time in the region's zone (one zone per
// region: data/engine/alert_time_zones.json names it and why); it may wrap
// midnight (22:00-08:00) or not (01:00-06:00). "off" holds nothing. A
// window's end that falls in a daylight-saving gap or overlap resolves to
// the offset in force just before it (at 08:00 that never happens in North
// America: changes are at 02:00).
//
// Thread-safety: immutable after construction; safe from any thread.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "daemon/alerts/time_zone.h"

namespace helpline::daemon::alerts {

struct QuietHours {
  int start_min = 22 * 60;  // minutes after local midnight the window opens
  int end_min = 8 * 60;     // and closes
  bool off = false;

  // "HH:MM-HH:MM" (24-hour, start != end) or "off". InvalidArgument otherwise.
  static Result<QuietHours> Parse(std::string_view spec);
  // True when local time in `tz` at unix time `now_s` is inside the window.
  bool Quiet(const TimeZone& tz, std::int64_t now_s) const;
  // `now_s` when not quiet; else the unix time the window ends (local end_min
  // on the day it ends).
  std::int64_t ReleaseAt(const TimeZone& tz, std::int64_t now_s) const;
  std::string ToString() const;  // "22:00-08:00" or "off"
};

// Region code -> its time zone, every zone loaded at start.
class RegionTimeZones {
 public:
  // Reads the JSON table ({"zones": {"CA-BC": "America/Vancouver", ...}}) and
  // every zone it names from `zoneinfo_dir`. InvalidArgument for a malformed
  // table; NotFound (naming the zone) when a zone file is missing.
  static Result<RegionTimeZones> Load(const std::string& path, const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
  // The region's zone, or nullptr for a region the table does not list.
  const TimeZone* Find(std::string_view region) const;
  std::size_t size() const { return zones_.size(); }

 private:
  std::map<std::string, TimeZone, std::less<>> zones_;
};

}  // namespace helpline::daemon::alerts
