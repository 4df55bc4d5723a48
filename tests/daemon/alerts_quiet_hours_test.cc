// Quiet hours in the region's own time zone, read from the system's TZif
// files: fixed instants (no wall clock), both sides of daylight saving, a
// zone without it, a half-hour zone, and every region of the table.

#include "daemon/alerts/quiet_hours.h"

#include <gtest/gtest.h>

#include "directory/regions.h"

namespace helpline::daemon::alerts {
namespace {

const std::string kTable = std::string(HELPLINE_SOURCE_DIR) + "/data/engine/alert_time_zones.json";

// 2026-01-15 00:00 UTC and 2026-07-15 00:00 UTC.
constexpr std::int64_t kJan15 = 1768435200, kJul15 = 1784073600;

TimeZone Zone(const char* name) {
  auto tz = TimeZone::Load(name);
  EXPECT_TRUE(tz.ok()) << tz.status().message();
  return *tz;
}

TEST(TimeZone, OffsetsFollowDaylightSavingAndTheZonesWithoutIt) {
  EXPECT_EQ(Zone("America/Vancouver").OffsetAt(kJan15), -8 * 3600);
  EXPECT_EQ(Zone("America/Vancouver").OffsetAt(kJul15), -7 * 3600);
  EXPECT_EQ(Zone("America/Phoenix").OffsetAt(kJul15), -7 * 3600);
  EXPECT_EQ(Zone("America/Regina").OffsetAt(kJul15), -6 * 3600);
  EXPECT_EQ(Zone("America/St_Johns").OffsetAt(kJan15), -(3 * 3600 + 1800));
  EXPECT_EQ(Zone("America/St_Johns").OffsetAt(kJul15), -(2 * 3600 + 1800));
  EXPECT_EQ(Zone("Pacific/Honolulu").OffsetAt(kJul15), -10 * 3600);
  // 2026: DST from 8 March 10:00 UTC to 1 November 09:00 UTC in Vancouver.
  const TimeZone van = Zone("America/Vancouver");
  EXPECT_EQ(van.OffsetAt(1772964000 - 1), -8 * 3600);
  EXPECT_EQ(van.OffsetAt(1772964000), -7 * 3600);
  EXPECT_EQ(van.OffsetAt(1793523600 - 1), -7 * 3600);
  EXPECT_EQ(van.OffsetAt(1793523600), -8 * 3600);
  // Far in the past: the transition table, not the rule.
  EXPECT_EQ(Zone("America/New_York").OffsetAt(0), -5 * 3600);  // 1970-01-01: EST
}

TEST(TimeZone, RulesAndFilesThatAreNotUnderstoodAreRefused) {
  EXPECT_FALSE(TimeZone::Load("../etc/passwd").ok());
  EXPECT_FALSE(TimeZone::Load("/etc/passwd").ok());
  EXPECT_EQ(TimeZone::Load("Nowhere/Atlantis").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(TimeZone::Parse("x", "not a tz file at all, not at all, long enough to read").ok());
  EXPECT_FALSE(TimeZone::ParseRule("PST8PDT,J60,J300").ok());
  EXPECT_FALSE(TimeZone::ParseRule("8PDT").ok());
  auto r = TimeZone::ParseRule("<-03>3<-02>,M3.2.0/-2,M11.1.0/-1");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->std_offset, -3 * 3600);
  EXPECT_EQ(r->dst_offset, -2 * 3600);
  EXPECT_EQ(r->start_time, -2 * 3600);
}

TEST(QuietHours, AWindowIsParsedOrRefused) {
  EXPECT_EQ(QuietHours::Parse("22:00-08:00")->ToString(), "22:00-08:00");
  EXPECT_TRUE(QuietHours::Parse("off")->off);
  for (const char* bad : {"", "22-08", "25:00-08:00", "22:00-22:00", "22:00 - 08:00", "ab:cd-08:00"}) {
    EXPECT_FALSE(QuietHours::Parse(bad).ok()) << bad;
  }
}

TEST(QuietHours, ANightMessageWaitsForTheMorningInTheRegionsOwnZone) {
  const QuietHours q = *QuietHours::Parse("22:00-08:00");
  const TimeZone van = Zone("America/Vancouver"), tor = Zone("America/Toronto");
  // 2026-01-15 06:00 UTC = 22:00 PST the 14th (quiet) = 01:00 EST the 15th (quiet).
  const std::int64_t t = kJan15 + 6 * 3600;
  EXPECT_TRUE(q.Quiet(van, t));
  EXPECT_EQ(q.ReleaseAt(van, t), kJan15 + 16 * 3600) << "08:00 PST on the 15th is 16:00 UTC";
  EXPECT_EQ(q.ReleaseAt(tor, t), kJan15 + 13 * 3600) << "08:00 EST is 13:00 UTC";
  // 21:59 PST: not yet quiet; 08:00 PST: no longer.
  EXPECT_EQ(q.ReleaseAt(van, t - 60), t - 60);
  EXPECT_EQ(q.ReleaseAt(van, kJan15 + 16 * 3600), kJan15 + 16 * 3600);
  EXPECT_EQ(q.ReleaseAt(van, kJan15 + 16 * 3600 - 1), kJan15 + 16 * 3600);
  // Summer: 08:00 PDT is 15:00 UTC.
  EXPECT_EQ(q.ReleaseAt(van, kJul15 + 9 * 3600), kJul15 + 15 * 3600);
  // The night the clocks spring forward (8 March 2026, 02:00 PST -> 03:00 PDT):
  // 23:00 PST on the 7th waits for 08:00 PDT on the 8th (15:00 UTC).
  EXPECT_EQ(q.ReleaseAt(van, 1772949600), 1772982000);
  // A window that does not wrap midnight.
  const QuietHours early = *QuietHours::Parse("01:00-06:00");
  EXPECT_FALSE(early.Quiet(van, t)) << "22:00 is outside 01:00-06:00";
  EXPECT_EQ(early.ReleaseAt(van, t + 3 * 3600), kJan15 + 14 * 3600) << "01:00 PST waits for 06:00 PST";
  EXPECT_EQ(QuietHours::Parse("off")->ReleaseAt(van, t), t);
}

TEST(RegionTimeZones, EveryJurisdictionHasAZoneThatLoads) {
  auto zones = RegionTimeZones::Load(kTable);
  ASSERT_TRUE(zones.ok()) << zones.status().message();
  for (const directory::RegionInfo* r : directory::Jurisdictions()) {
    EXPECT_NE(zones->Find(r->code), nullptr) << r->code;
  }
  EXPECT_EQ(zones->Find("CA-BC")->name(), "America/Vancouver");
  EXPECT_EQ(zones->Find("US"), nullptr);
  EXPECT_FALSE(RegionTimeZones::Load("/nonexistent.json").ok());
}

}  // namespace
}  // namespace helpline::daemon::alerts
