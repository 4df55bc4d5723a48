#include "daemon/alerts/quiet_hours.h"

#include <rapidjson/document.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "directory/regions.h"

namespace helpline::daemon::alerts {
namespace {

// "HH:MM" -> minutes after midnight; -1 when malformed.
int Minutes(std::string_view hm) {
  if (hm.size() != 5 || hm[2] != ':') return -1;
  for (std::size_t i : {0, 1, 3, 4}) {
    if (hm[i] < '0' || hm[i] > '9') return -1;
  }
  const int h = (hm[0] - '0') * 10 + (hm[1] - '0'), m = (hm[3] - '0') * 10 + (hm[4] - '0');
  return h > 23 || m > 59 ? -1 : h * 60 + m;
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

Result<QuietHours> QuietHours::Parse(std::string_view spec) {
  QuietHours q;
  if (spec == "off") {
    q.off = true;
    return q;
  }
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return InvalidArgument("quiet hours: expected HH:MM-HH:MM or off");
  q.start_min = Minutes(spec.substr(0, dash));
  q.end_min = Minutes(spec.substr(dash + 1));
  if (q.start_min < 0 || q.end_min < 0) return InvalidArgument("quiet hours: expected HH:MM-HH:MM or off");
  if (q.start_min == q.end_min) return InvalidArgument("quiet hours: start and end are the same time");
  return q;
}

std::string QuietHours::ToString() const {
  if (off) return "off";
  char b[48];
  std::snprintf(b, sizeof b, "%02d:%02d-%02d:%02d", start_min / 60, start_min % 60, end_min / 60, end_min % 60);
  return b;
}

bool QuietHours::Quiet(const TimeZone& tz, std::int64_t now_s) const {
  if (off) return false;
  const std::int64_t local = now_s + tz.OffsetAt(now_s);
  const int minute = static_cast<int>(FloorDiv(local, 60) - FloorDiv(local, 86400) * 1440);
  return start_min < end_min ? (minute >= start_min && minute < end_min) : (minute >= start_min || minute < end_min);
}

std::int64_t QuietHours::ReleaseAt(const TimeZone& tz, std::int64_t now_s) const {
  if (!Quiet(tz, now_s)) return now_s;
  const std::int64_t local = now_s + tz.OffsetAt(now_s);
  const std::int64_t day = FloorDiv(local, 86400) * 86400;
  const int minute = static_cast<int>((local - day) / 60);
  // The end is today when we are before it, else tomorrow (inside a
  // wrapping window, after its start).
  const std::int64_t end_local = day + std::int64_t{end_min} * 60 + (minute < end_min ? 0 : 86400);
  // Local -> UTC: a first guess with the offset of now (an hour off when
  // the clocks change overnight), then the offset in force at that guess,
  // which is the end's own (changes happen hours before it).
  const std::int64_t guess = end_local - tz.OffsetAt(now_s);
  return end_local - tz.OffsetAt(guess);
}

Result<RegionTimeZones> RegionTimeZones::Load(const std::string& path, const std::string& zoneinfo_dir) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot read");
  std::ostringstream s;
  s << in.rdbuf();
  const std::string json = s.str();
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("zones") || !d["zones"].IsObject()) {
    return InvalidArgument(path + ": expected an object with a \"zones\" object");
  }
  RegionTimeZones out;
  for (const auto& z : d["zones"].GetObject()) {
    const std::string region = z.name.GetString();
    if (!z.value.IsString()) return InvalidArgument(path + ": /zones/" + region + ": expected a zone name");
    if (!directory::IsKnownRegion(region)) return InvalidArgument(path + ": /zones/" + region + ": unknown region");
    auto tz = TimeZone::Load(z.value.GetString(), zoneinfo_dir);
    if (!tz.ok()) return tz.status();
    out.zones_.emplace(region, std::move(*tz));
  }
  return out;
}

const TimeZone* RegionTimeZones::Find(std::string_view region) const {
  auto it = zones_.find(region);
  return it == zones_.end() ? nullptr : &it->second;
}

}  // namespace helpline::daemon::alerts
