#pragma once
// ReportStore: anonymous bad-batch reports in Redis.
//
//   ReportStore reports(redis, {.prefix = "hl:"});
//   reports.Add({.region = "CA-BC", .language = "en", .text = ScrubReport(raw)}, done);
//   reports.List({.since_s = t, .region = "CA-BC", .limit = 100}, done);   // newest first
//
// Keys (prefix P, default "hl:"):
//   P alert:reports      list, newest first, capped at max_reports (LTRIM):
//                        "id US at US region US language US text" (US = \x1f).
//   P alert:reports:seq  INCR counter of report ids.
//
// What a report holds: an id, the time rounded down to time_granularity_s
// (10 minutes by default: the provider's own logs have the exact time and
// the sender's number, so an exact time would let anyone holding both find
// the sender), the region, the language and the scrubbed text. Never the
// sender, their hash or the message id.
//
// Thread-safety: like redis::AsyncClient (loop thread only).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "redis/async_client.h"

namespace helpline::daemon::alerts {

struct Report {
  std::int64_t id = 0;
  std::int64_t at = 0;  // unix seconds, rounded down
  std::string region;   // "" when unknown
  std::string language;
  std::string text;  // scrubbed (ScrubReport)
};

struct ReportStoreOptions {
  std::string prefix = "hl:";
  int time_granularity_s = 600;
  int max_reports = 100000;
};

struct ReportQuery {
  std::int64_t since_s = 0;  // reports at or after (unix seconds)
  std::string region;        // exact, or a country ("CA": every CA-*), "" for all
  std::size_t limit = 1000;
};

class ReportStore {
 public:
  ReportStore(redis::AsyncClient& redis, ReportStoreOptions options);
  // Stores the report (id and time assigned here); the stored report.
  void Add(Report report, std::function<void(Result<Report>)> done);
  // Reports matching the query, newest first.
  void List(ReportQuery query, std::function<void(Result<std::vector<Report>>)> done);
  boost::asio::io_context& redis_context() const { return redis_.context(); }

 private:
  redis::AsyncClient& redis_;
  ReportStoreOptions options_;
};

// A `since` as `helpline reports --since` and GET /v1/reports take it: unix
// seconds, "30m", "24h", "7d" (before `now_s`) or "YYYY-MM-DD" (UTC
// midnight); "" is 0. nullopt for anything else.
std::optional<std::int64_t> ParseReportsSince(std::string_view v, std::int64_t now_s);

// [{"id":N,"at":unix s,"region":"CA-BC","language":"en","text":"..."},...]:
// `helpline reports --json` and GET /v1/reports (never a sender: a report has none).
std::string ReportsJson(const std::vector<Report>& reports);
// One report: {"id","at","region","language","text"} (what is forwarded, report_forward.h).
std::string ReportJson(const Report& report);

// True when `region` matches a filter: equal, or the filter is its country.
bool RegionMatches(std::string_view region, std::string_view filter);

}  // namespace helpline::daemon::alerts
