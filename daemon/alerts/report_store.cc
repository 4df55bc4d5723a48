#include "daemon/alerts/report_store.h"

#include <utility>  // before Asio (see STACK-NOTES)
// (a separate block on purpose: nothing may sort above it)

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <memory>
#include <sstream>

#include "common/json_escape.h"
#include "redis/errors.h"
#include "redis/script.h"

namespace helpline::daemon::alerts {
namespace {

constexpr char kSep = '\x1f';

// KEYS: 1 list, 2 seq. ARGV: 1 at, 2 region, 3 language, 4 text, 5 cap.
// Returns the new id.
constexpr std::string_view kAddScript = R"lua(
local id = redis.call('INCR', KEYS[2])
redis.call('LPUSH', KEYS[1], id .. '\31' .. ARGV[1] .. '\31' .. ARGV[2] .. '\31' .. ARGV[3] .. '\31' .. ARGV[4])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[5]) - 1)
return id
)lua";

const redis::Script& AddScript() {
  static const redis::Script script(kAddScript);
  return script;
}

std::string Clean(std::string s) {
  for (char& c : s) {
    if (c == kSep) c = ' ';
  }
  return s;
}

bool ParseReport(std::string_view line, Report* out) {
  std::string_view f[5];
  for (int i = 0; i < 4; ++i) {
    const std::size_t sep = line.find(kSep);
    if (sep == std::string_view::npos) return false;
    f[i] = line.substr(0, sep);
    line.remove_prefix(sep + 1);
  }
  f[4] = line;
  try {
    out->id = std::stoll(std::string(f[0]));
    out->at = std::stoll(std::string(f[1]));
  } catch (...) {
    return false;
  }
  out->region = std::string(f[2]);
  out->language = std::string(f[3]);
  out->text = std::string(f[4]);
  return true;
}

}  // namespace

std::optional<std::int64_t> ParseReportsSince(std::string_view v, std::int64_t now_s) {
  if (v.empty()) return 0;
  const std::string text(v);
  char* end = nullptr;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() && n >= 0) {
    const std::string unit(end);
    if (unit.empty()) return n;
    if (unit == "m") return now_s - n * 60;
    if (unit == "h") return now_s - n * 3600;
    if (unit == "d") return now_s - n * 86400;
  }
  std::tm tm{};
  std::istringstream s(text);
  s >> std::get_time(&tm, "%Y-%m-%d");
  if (!s.fail() && s.peek() == EOF) return static_cast<std::int64_t>(timegm(&tm));
  return std::nullopt;
}

std::string ReportJson(const Report& r) {
  return "{\"id\":" + std::to_string(r.id) + ",\"at\":" + std::to_string(r.at) + ",\"region\":" + JsonQuote(r.region) +
         ",\"language\":" + JsonQuote(r.language) + ",\"text\":" + JsonQuote(r.text) + "}";
}

std::string ReportsJson(const std::vector<Report>& reports) {
  std::string out = "[";
  for (const Report& r : reports) {
    if (out.size() > 1) out += ",";
    out += ReportJson(r);
  }
  return out + "]";
}

bool RegionMatches(std::string_view region, std::string_view filter) {
  if (filter.empty() || region == filter) return true;
  return filter.find('-') == std::string_view::npos && region.size() > filter.size() && region.starts_with(filter) &&
         region[filter.size()] == '-';
}

ReportStore::ReportStore(redis::AsyncClient& redis, ReportStoreOptions options)
    : redis_(redis), options_(std::move(options)) {}

void ReportStore::Add(Report report, std::function<void(Result<Report>)> done) {
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::int64_t g = options_.time_granularity_s > 0 ? options_.time_granularity_s : 1;
  report.at = now - now % g;
  report.region = Clean(std::move(report.region));
  report.language = Clean(std::move(report.language));
  report.text = Clean(std::move(report.text));
  // The arguments first: the callback below takes the report by move.
  std::vector<std::string> args = {"2",
                                   options_.prefix + "alert:reports",
                                   options_.prefix + "alert:reports:seq",
                                   std::to_string(report.at),
                                   report.region,
                                   report.language,
                                   report.text,
                                   std::to_string(options_.max_reports)};
  AddScript().Run(redis_, std::move(args),
                  [report = std::move(report), done = std::move(done)](Result<redis::Value> r) mutable {
                    if (!r.ok()) return done(r.status());
                    if (r->is_error()) return done(redis::ErrorStatus("reports: add", r->str));
                    report.id = r->integer;
                    done(std::move(report));
                  });
}

void ReportStore::List(ReportQuery query, std::function<void(Result<std::vector<Report>>)> done) {
  // Newest first; the list is capped, so one LRANGE of it is bounded.
  redis_.Command({"LRANGE", options_.prefix + "alert:reports", "0", "-1"},
                 [query = std::move(query), done = std::move(done)](Result<redis::Value> r) {
                   if (!r.ok()) return done(r.status());
                   if (r->is_error()) return done(Internal("reports: list: " + r->str));
                   std::vector<Report> out;
                   for (const redis::Value& e : r->elements) {
                     Report rep;
                     if (!ParseReport(e.str, &rep)) continue;
                     if (rep.at < query.since_s) break;  // newest first: the rest is older
                     if (!RegionMatches(rep.region, query.region)) continue;
                     out.push_back(std::move(rep));
                     if (out.size() >= query.limit) break;
                   }
                   done(std::move(out));
                 });
}

}  // namespace helpline::daemon::alerts
