#include "daemon/cli.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/json_escape.h"
#include "daemon/alerts/alert_cli.h"  // [alerts] issue 13
#include "daemon/data_dir.h"
#include "daemon/engine/message_engine.h"
#include "daemon/serve.h"
#include "directory/coverage.h"
#include "directory/diff.h"
#include "directory/hsds_export.h"
#include "directory/hsds_import.h"
#include "directory/index.h"
#include "directory/json_codec.h"
#include "directory/phone.h"
#include "directory/redis_store.h"
#include "directory/regions.h"
#include "directory/snapshot.h"
#include "directory/validator.h"

namespace helpline::cli {
namespace {

using namespace helpline::directory;

constexpr const char* kUsage = R"(usage: helpline <command> [options]

commands:
  serve [--config FILE] [--port N] [--listen ADDR] [--check-config]
                               run the daemon: webhooks, outreach API, /healthz, /readyz, /metrics
                               (secrets from the environment: HELPLINE_SENDER_SECRET,
                               HELPLINE_TWILIO_AUTH_TOKEN, HELPLINE_API_KEY_SHA256)
  validate PATH...             check directory files (a directory means its *.json files)
  coverage [PATH...] [--json]  validate, then show what the directory offers every state, DC,
                               Puerto Rico, province and territory, per category, and its gaps
                               (no treatment referral, naloxone or crisis route: exit 1). Default
                               PATH: the shipped data/directory
  load PATH... [--dry-run] [--allow-removals] [--max-removal-share S]
                               validate, show the diff against the current version, and load
                               as a new version (--dry-run: only validate and show the diff).
                               A version that removes more than the share S of the current
                               resources (default 20%) is refused (exit 1) unless
                               --allow-removals is given
  import-hsds PATH --jurisdiction R [--out FILE] [--trusted]
                               convert an Open Referral HSDS 3.0 feed (a JSON file, or a folder
                               or datapackage.json of CSVs) into a directory file (stdout, or
                               FILE), validate it and list what could not be mapped (stderr).
                               Imported resources are unconfirmed unless --trusted (an official
                               source); exit 1 if the result does not validate
  export-hsds OUTDIR [--jurisdiction R] [--directory PATH]
                               write the directory (default DATA/directory) as Open Referral
                               HSDS 3.0 CSV tables + datapackage.json, and services.json (the
                               JSON form), into OUTDIR: active
                               services and sites (of R only with --jurisdiction); facts,
                               unconfirmed and retired resources are left out and counted
  versions [--json]            list the kept versions, newest first (* marks the current one)
  rollback N                   make kept version N the current one
  lookup --region R --category C [--lang L] [--json]
                               what the current version offers for a region and category
  simulate [--from +1NNN...] [--chat] TEXT
                               the exact reply a person would get: text, encoding, segments,
                               intent, region and language. Sender state: --lang L,
                               --remembered-region R, --opted-out; provider hints:
                               --from-state S, --from-zip Z, --from-country C; --segments N.
                               Uses the current version in Redis, or the shipped files
                               (--directory PATH, default DATA/directory) if Redis has none.
  alert send --region R [--text-en FILE] [--text-fr FILE] [--text-es FILE] [--id ID]
             [--dry-run] [--urgent] [--quiet-hours HH:MM-HH:MM|off] [--json]
                               drug alert: count the confirmed subscribers of R (a state,
                               province or country) per region and language, then queue one
                               message each, held during the region's quiet hours (default
                               22:00-08:00 local) unless --urgent (same --id again: nothing
                               twice; needs HELPLINE_ALERTS_KEY)
  alert status ID [--json]     held, waiting, sent, failed, cancelled per alert
  alert cancel ID              stop what of an alert is not sent yet
  alert reseal                 after a key rotation: every subscriber's number sealed again under
                               HELPLINE_ALERTS_KEY (old keys read from HELPLINE_ALERTS_OLD_KEYS)
  reports [--since WHEN] [--region R] [--limit N] [--json]
                               anonymous bad-batch reports, newest first (WHEN: unix seconds,
                               30m, 24h, 7d or YYYY-MM-DD)

options:
  --redis URL          redis://[[user]:password@]host:port/db or unix:///path.sock
                       (default: $HELPLINE_REDIS_URL, else redis://127.0.0.1:6379/0)
  --prefix P           key prefix in Redis (default: $HELPLINE_REDIS_PREFIX, else hl:)
  --keep K             versions kept for rollback (load; default 5)
  --max-age-days N     report resources verified longer ago than this as stale (default 365)
  --source TEXT        what to record as the version's source (load; default: the paths)
  --max-removal-share S  the largest share of the current resources a load may remove:
                       a fraction (0.2) or a percentage (20%); default 20%
  --allow-removals     load even if more than that share would be removed
  --quiet              print only errors and the summary line
  --data DIR           data (engine/*.json, directory/*.json); default: $HELPLINE_DATA_DIR, else
                       ../share/helpline beside the binary when installed (/usr/share/helpline),
                       else the compiled-in directory (the source tree's data/)

exit codes: 0 ok, 1 invalid data or request (coverage: or a gap), 2 usage, 3 Redis unreachable
or not serving now (LOADING, OOM, READONLY...: retry later), 4 internal error
)";

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --name -> value
  std::set<std::string> flags;                 // --name

  std::string Get(const std::string& name, std::string fallback = {}) const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
  bool Has(const std::string& flag) const { return flags.count(flag) != 0; }
};

const std::set<std::string> kValueOptions = {"--redis",
                                             "--prefix",
                                             "--keep",
                                             "--max-age-days",
                                             "--source",
                                             "--region",
                                             "--category",
                                             "--lang",
                                             "--from",
                                             "--from-state",
                                             "--from-zip",
                                             "--from-country",
                                             "--remembered-region",
                                             "--segments",
                                             "--directory",
                                             "--data",
                                             "--config",
                                             "--port",
                                             "--listen",
                                             "--max-removal-share",
                                             "--jurisdiction",
                                             "--out",
                                             "--text-en",
                                             "--text-fr",
                                             "--text-es",
                                             "--id",
                                             "--since",
                                             "--limit",
                                             "--quiet-hours"};  // [alerts] the last line
const std::set<std::string> kFlagOptions = {"--dry-run", "--json",      "--quiet",        "--help",
                                            "--chat",    "--opted-out", "--check-config", "--allow-removals",
                                            "--trusted", "--urgent"};  // [alerts] --urgent

// A load may remove at most this share of the current resources unless
// --allow-removals: a source that lost half its entries (a truncated
// download, a wrong path) must not silently empty the directory.
constexpr double kDefaultMaxRemovalShare = 0.2;

// Parses argv; returns an error message for the usage line, or nullopt.
std::optional<std::string> ParseArgs(int argc, const char* const* argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      std::string value;
      bool has_inline_value = false;
      if (auto eq = a.find('='); eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_inline_value = true;
      }
      if (kFlagOptions.count(a) != 0 && !has_inline_value) {
        args->flags.insert(a);
      } else if (kValueOptions.count(a) != 0) {
        if (!has_inline_value) {
          if (i + 1 >= argc) return "option " + a + " needs a value";
          value = argv[++i];
        }
        args->options[a] = value;
      } else {
        return "unknown option " + a;
      }
    } else if (args->command.empty()) {
      args->command = a;
    } else {
      args->positional.push_back(a);
    }
  }
  return std::nullopt;
}

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable: return kExitRedis;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kFailedPrecondition: return kExitInvalid;
    default: return kExitInternal;
  }
}

class Cli {
 public:
  Cli(const Args& args, std::ostream& out, std::ostream& err, bool tty)
      : args_(args), out_(out), err_(err), tty_(tty) {}

  int Run() {
    const std::string& c = args_.command;
    if (c == "validate") return Validate();
    if (c == "coverage") return Coverage();
    if (c == "load") return Load();
    if (c == "import-hsds") return ImportHsdsFeed();
    if (c == "export-hsds") return ExportHsdsFeed();
    if (c == "versions") return Versions();
    if (c == "rollback") return Rollback();
    if (c == "lookup") return Lookup();
    if (c == "simulate") return Simulate();
    if (c == "serve") return Serve();
    if (c == "alert" || c == "reports") {  // [alerts] issue 13: daemon/alerts/alert_cli.h
      return daemon::alerts::RunAlertsCli(c, {args_.positional, args_.options, args_.flags}, out_, err_, tty_);
    }
    return Usage("unknown command '" + c + "'");
  }

 private:
  int Usage(const std::string& why) {
    err_ << "helpline: " << why << "\n\n" << kUsage;
    return kExitUsage;
  }

  int Fail(const Status& s) {
    err_ << "helpline " << args_.command << ": " << s.message() << "\n";
    return ExitCodeFor(s);
  }

  // Parses a non-negative integer option; nullopt (after a usage message) if malformed.
  std::optional<long> IntOption(const std::string& name, long fallback, long min, long max) {
    std::string v = args_.Get(name);
    if (v.empty()) return fallback;
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (end == v.c_str() || *end != '\0' || n < min || n > max) {
      err_ << "helpline: " << name << " must be a whole number from " << min << " to " << max << ", not '" << v
           << "'\n";
      return std::nullopt;
    }
    return n;
  }

  // Parses a share option: a fraction from 0 to 1 ("0.2") or a percentage
  // ("20%"); nullopt (after a usage message) if malformed.
  std::optional<double> ShareOption(const std::string& name, double fallback) {
    std::string v = args_.Get(name);
    if (v.empty()) return fallback;
    const bool percent = v.back() == '%';
    const std::string number = percent ? v.substr(0, v.size() - 1) : v;
    char* end = nullptr;
    double x = std::strtod(number.c_str(), &end);
    if (percent) x /= 100;
    if (number.empty() || end != number.c_str() + number.size() || !(x >= 0 && x <= 1)) {
      err_ << "helpline: " << name << " must be a fraction from 0 to 1 (0.2) or a percentage (20%), not '" << v
           << "'\n";
      return std::nullopt;
    }
    return x;
  }

  static std::string Percent(double share) {
    std::ostringstream s;
    s << std::setprecision(3) << share * 100 << "%";
    return s.str();
  }

  Result<std::unique_ptr<RedisStore>> ConnectStore(int keep) {
    std::string url = args_.Get("--redis");
    if (url.empty()) {
      const char* env = std::getenv("HELPLINE_REDIS_URL");
      url = env != nullptr && *env != '\0' ? env : std::string(redis::kDefaultUrl);
    }
    auto parsed = redis::ParseUrl(url);
    if (!parsed.ok()) return parsed.status();
    StoreOptions options;
    std::string prefix = args_.Get("--prefix");
    if (prefix.empty()) {
      const char* env = std::getenv("HELPLINE_REDIS_PREFIX");
      if (env != nullptr && *env != '\0') prefix = env;
    }
    if (!prefix.empty()) options.prefix = prefix;
    options.keep_versions = keep;
    return RedisStore::Connect(*parsed, options);
  }

  // Validates `paths` (default: the positional ones), printing diagnostics.
  // nullopt on usage errors.
  std::optional<ValidationReport> RunValidation(std::optional<std::vector<std::string>> given = std::nullopt) {
    const std::vector<std::string>& paths = given ? *given : args_.positional;
    if (paths.empty()) {
      Usage(args_.command + " needs at least one PATH (a file or a directory of *.json files)");
      return std::nullopt;
    }
    auto max_age = IntOption("--max-age-days", 365, 1, 36500);
    if (!max_age) return std::nullopt;
    ValidatorOptions options;
    options.max_age_days = static_cast<int>(*max_age);
    Validator validator(options);
    ValidationReport report = validator.ValidatePaths(paths);
    for (const auto& d : report.diagnostics) {
      if (d.severity == Severity::kError || !args_.Has("--quiet")) err_ << d.ToString() << "\n";
    }
    return report;
  }

  std::string Summary(const ValidationReport& report) {
    return std::to_string(report.files.size()) + " file" + (report.files.size() == 1 ? "" : "s") + ", " +
           std::to_string(report.resources.size()) + " resources, " + std::to_string(report.ErrorCount()) + " error" +
           (report.ErrorCount() == 1 ? "" : "s") + ", " + std::to_string(report.WarningCount()) + " warning" +
           (report.WarningCount() == 1 ? "" : "s");
  }

  int Validate() {
    auto report = RunValidation();
    if (!report) return kExitUsage;
    out_ << (report->ok() ? "valid: " : "invalid: ") << Summary(*report) << "\n";
    return report->ok() ? kExitOk : kExitInvalid;
  }

  // import-hsds: an HSDS feed -> a directory file, validated (directory/hsds_import.h).
  int ImportHsdsFeed() {
    if (args_.positional.size() != 1) return Usage("import-hsds needs exactly one PATH (a .json file or a folder)");
    if (args_.Get("--jurisdiction").empty()) return Usage("import-hsds needs --jurisdiction (such as CA-ON)");
    HsdsOptions options;
    options.jurisdiction = args_.Get("--jurisdiction");
    options.trusted = args_.Has("--trusted");
    const auto started = std::chrono::steady_clock::now();
    auto imported = ImportHsds(args_.positional[0], options);
    if (!imported.ok()) {
      err_ << "helpline: " << imported.status().message() << "\n";
      return ExitCodeFor(imported.status());
    }
    for (const auto& line : imported->unmapped) {
      if (!args_.Has("--quiet")) err_ << "not mapped: " << line << "\n";
    }
    for (const auto& d : imported->validation.diagnostics) {
      if (d.severity == Severity::kError || !args_.Has("--quiet")) err_ << d.ToString() << "\n";
    }
    const std::string out_path = args_.Get("--out");
    if (out_path.empty()) {
      out_ << imported->json;
    } else {
      std::ofstream file(out_path, std::ios::binary | std::ios::trunc);
      file << imported->json;
      if (!file.flush()) {
        err_ << "helpline: cannot write " << out_path << "\n";
        return kExitInvalid;
      }
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    err_ << (imported->validation.ok() ? "imported: " : "invalid: ") << imported->services << " services read, "
         << imported->resources << " resources written, " << imported->unmapped.size() << " not mapped, "
         << imported->validation.ErrorCount() << " errors, " << imported->validation.WarningCount() << " warnings ("
         << ms.count() << " ms)\n";
    return imported->validation.ok() ? kExitOk : kExitInvalid;
  }

  // export-hsds: the directory's files -> HSDS 3.0 tables (directory/hsds_export.h).
  int ExportHsdsFeed() {
    if (args_.positional.size() != 1) return Usage("export-hsds needs exactly one OUTDIR");
    const std::string jurisdiction = args_.Get("--jurisdiction");
    if (!jurisdiction.empty() && !IsKnownRegion(jurisdiction)) {
      return Usage("--jurisdiction '" + jurisdiction + "' is not a known region such as CA-ON or US-IL");
    }
    auto report = RunValidation(std::vector<std::string>{args_.Get("--directory", DataDir() + "/directory")});
    if (!report) return kExitUsage;
    if (!report->ok()) {
      err_ << "invalid: " << Summary(*report) << ": nothing exported\n";
      return kExitInvalid;
    }
    auto exported = ExportHsds(report->resources, HsdsExportOptions{jurisdiction});
    Status written = exported.ok() ? WriteHsds(*exported, args_.positional[0]) : exported.status();
    if (!written.ok()) {
      err_ << "helpline: " << written.message() << "\n";
      return ExitCodeFor(written);
    }
    err_ << "exported: " << exported->services << " services (" << exported->sites << " sites) to "
         << args_.positional[0] << "; left out: " << exported->left_out_unconfirmed << " unconfirmed, "
         << exported->left_out_retired << " retired, " << exported->left_out_info << " facts\n";
    return kExitOk;
  }

  // Validation as `validate` does it, then the coverage report (directory/coverage.h).
  int Coverage() {
    std::vector<std::string> paths = args_.positional;
    if (paths.empty()) paths.push_back(DataDir() + "/directory");
    auto report = RunValidation(paths);
    if (!report) return kExitUsage;
    if (!report->ok()) {
      out_ << "invalid: " << Summary(*report) << "; no coverage report\n";
      return kExitInvalid;
    }
    const CoverageReport coverage = ComputeCoverage(report->resources);
    out_ << (args_.Has("--json") ? FormatCoverageJson(coverage) : FormatCoverageText(coverage));
    return coverage.HasGaps() ? kExitInvalid : kExitOk;
  }

  int Load() {
    auto keep = IntOption("--keep", 5, 1, 1000);
    if (!keep) return kExitUsage;
    auto max_removal_share = ShareOption("--max-removal-share", kDefaultMaxRemovalShare);
    if (!max_removal_share) return kExitUsage;
    auto report = RunValidation();
    if (!report) return kExitUsage;
    if (!report->ok()) {
      out_ << "invalid: " << Summary(*report) << "; nothing loaded\n";
      return kExitInvalid;
    }
    auto store = ConnectStore(static_cast<int>(*keep));
    if (!store.ok()) return Fail(store.status());

    auto current = (*store)->Current();
    if (!current.ok()) return Fail(current.status());
    std::vector<Resource> before;
    if (current->has_value()) {
      auto r = ReadResources(**store, **current);
      if (!r.ok()) return Fail(r.status());
      before = std::move(r).value();
    }
    DirectoryDiff diff = DiffDirectories(before, report->resources);
    const bool quiet = args_.Has("--quiet");
    if (!quiet || args_.Has("--dry-run")) {
      out_ << "diff against " << (current->has_value() ? "version " + std::to_string(**current) : "an empty store")
           << ":\n"
           << FormatDiff(diff);
    }
    // More than the share: at 20%, 20 of 100 removed is allowed, 21 is not.
    const std::size_t removed = diff.removed.size();
    const bool too_many_removed =
        !before.empty() && static_cast<double>(removed) > *max_removal_share * static_cast<double>(before.size());
    std::string removal_problem;
    if (too_many_removed) {
      removal_problem = "this version removes " + std::to_string(removed) + " of the " + std::to_string(before.size()) +
                        " current resources (" +
                        Percent(static_cast<double>(removed) / static_cast<double>(before.size())) +
                        ", more than the " + Percent(*max_removal_share) + " allowed by --max-removal-share)";
    }
    if (args_.Has("--dry-run")) {
      if (too_many_removed) {
        out_ << "note: a load would be refused: " << removal_problem << "; --allow-removals loads it anyway\n";
      }
      out_ << "dry run: " << Summary(*report) << "; nothing loaded\n";
      return kExitOk;
    }
    if (too_many_removed && !args_.Has("--allow-removals")) {
      out_ << "refused: " << removal_problem << "; nothing loaded. Check the removals "
           << (quiet ? "with --dry-run" : "listed above") << "; if they are intended, run again with "
           << "--allow-removals\n";
      return kExitInvalid;
    }

    std::string source = args_.Get("--source");
    if (source.empty()) {
      for (const auto& p : args_.positional) source += (source.empty() ? "" : " ") + p;
    }
    ProgressFn progress;
    if (tty_) {
      progress = [this](std::size_t done, std::size_t total) {
        err_ << "\rwriting " << done << "/" << total << " resources" << std::flush;
        if (done == total) err_ << "\n";
      };
    }
    auto outcome = (*store)->Load(ToStored(report->resources), MakeVersionMeta(report->resources, source), progress);
    if (!outcome.ok()) return Fail(outcome.status());
    if (outcome->result == LoadResult::kUnchanged) {
      out_ << "unchanged: version " << outcome->version.number << " already has this content ("
           << report->resources.size() << " resources)\n";
      return kExitOk;
    }
    out_ << "loaded version " << outcome->version.number << ": " << report->resources.size() << " resources, "
         << diff.added.size() << " added, " << diff.removed.size() << " removed, " << diff.changed.size()
         << " changed, " << report->WarningCount()
         << " warnings (previous: " << (outcome->previous ? std::to_string(*outcome->previous) : "none") << ")\n";
    return kExitOk;
  }

  static std::string FormatTime(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
  }

  int Versions() {
    if (!args_.positional.empty()) return Usage("versions takes no arguments");
    auto store = ConnectStore(5);
    if (!store.ok()) return Fail(store.status());
    auto versions = (*store)->Versions();
    if (!versions.ok()) return Fail(versions.status());
    if (args_.Has("--json")) {
      out_ << "[";
      for (std::size_t i = 0; i < versions->size(); ++i) {
        const auto& v = (*versions)[i];
        out_ << (i ? "," : "") << "{\"version\":" << v.number << ",\"current\":" << (v.current ? "true" : "false")
             << ",\"loaded_at_ms\":" << v.loaded_at_ms << ",\"resources\":" << v.resources
             << ",\"digest\":" << JsonQuote(v.digest) << ",\"source\":" << JsonQuote(v.source)
             << ",\"counts\":" << (v.counts_json.empty() ? "{}" : v.counts_json) << "}";
      }
      out_ << "]\n";
      return kExitOk;
    }
    if (versions->empty()) {
      out_ << "no versions loaded yet\n";
      return kExitOk;
    }
    out_ << "  VERSION  LOADED (UTC)         RESOURCES  DIGEST        SOURCE\n";
    for (const auto& v : *versions) {
      out_ << (v.current ? "* " : "  ") << std::left << std::setw(9) << v.number << std::setw(21)
           << FormatTime(v.loaded_at_ms) << std::setw(11) << v.resources << std::setw(14) << v.digest.substr(0, 12)
           << v.source << "\n";
    }
    return kExitOk;
  }

  int Rollback() {
    if (args_.positional.size() != 1) return Usage("rollback needs exactly one version number");
    char* end = nullptr;
    const std::string& v = args_.positional[0];
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (end == v.c_str() || *end != '\0' || n <= 0) return Usage("'" + v + "' is not a version number");
    auto store = ConnectStore(5);
    if (!store.ok()) return Fail(store.status());
    auto before = (*store)->Current();
    if (!before.ok()) return Fail(before.status());
    auto info = (*store)->Rollback(n);
    if (!info.ok()) return Fail(info.status());
    out_ << "current version is now " << info->number << " (" << info->resources << " resources, loaded "
         << FormatTime(info->loaded_at_ms) << " UTC; was " << (before->has_value() ? std::to_string(**before) : "none")
         << ")\n";
    return kExitOk;
  }

  int Lookup() {
    const std::string region = args_.Get("--region");
    const std::string category_name = args_.Get("--category");
    const std::string lang = args_.Get("--lang");
    if (region.empty() || category_name.empty()) return Usage("lookup needs --region and --category");
    if (!IsKnownRegion(region)) return Usage("unknown region '" + region + "' (use ISO 3166-2: US, US-TX, CA-BC, *)");
    auto category = ParseCategory(category_name);
    if (!category) {
      std::string names;
      for (Category c : AllCategories()) names += (names.empty() ? "" : ", ") + std::string(CategoryName(c));
      return Usage("unknown category '" + category_name + "' (one of: " + names + ")");
    }
    auto store = ConnectStore(5);
    if (!store.ok()) return Fail(store.status());
    auto index = LoadCurrentIndex(**store);
    if (!index.ok()) return Fail(index.status());
    auto hits = (*index)->Lookup(region, *category, lang);

    if (args_.Has("--json")) {
      out_ << "{\"version\":" << (*index)->version() << ",\"region\":" << JsonQuote(region)
           << ",\"category\":" << JsonQuote(category_name) << ",\"lang\":" << JsonQuote(lang) << ",\"resources\":[";
      for (std::size_t i = 0; i < hits.size(); ++i) out_ << (i ? "," : "") << ToCanonicalJson(*hits[i]);
      out_ << "]}\n";
      return kExitOk;
    }
    out_ << region << " / " << category_name << (lang.empty() ? "" : " / " + lang) << " (version "
         << (*index)->version() << "): " << hits.size() << " resource" << (hits.size() == 1 ? "" : "s") << "\n";
    PhoneBook phones;
    const std::string country(CountryOf(region));
    int n = 0;
    for (const Resource* r : hits) {
      out_ << ++n << ". " << r->name << (r->status == ResourceStatus::kUnconfirmed ? " [unconfirmed]" : "") << "  ("
           << r->regions.front() << ", priority " << r->priority << ", " << r->hours << ")\n";
      for (const auto& ch : r->channels) {
        std::string how;
        if (IsPhoneKind(ch.kind)) {
          std::string number = phones.FormatFor(ch.value, country);
          if (ch.kind == ChannelKind::kSms) {
            how = ch.keyword.empty() ? "text " + number : "text " + ch.keyword + " to " + number;
          } else {
            how = std::string(ch.kind == ChannelKind::kTty ? "TTY " : "call ") + number;
          }
        } else {
          how = std::string(ChannelKindName(ch.kind)) + " " + ch.value;
        }
        if (!ch.label.empty()) how += " (" + ch.label + ")";
        out_ << "   " << how << "\n";
      }
    }
    return kExitOk;
  }

  int Serve() {
    if (!args_.positional.empty()) return Usage("serve takes no arguments");
    daemon::ServeFlags flags;
    flags.config_path = args_.Get("--config");
    flags.port = args_.Get("--port");
    flags.listen = args_.Get("--listen");
    flags.redis_url = args_.Get("--redis");
    flags.data_dir = args_.Get("--data");
    flags.check_config = args_.Has("--check-config");
    return daemon::RunServe(flags, out_, err_);
  }

  // The data directory: --data, else $HELPLINE_DATA_DIR, else the installed
  // or compiled-in one (daemon/data_dir.h).
  std::string DataDir() const {
    std::string dir = args_.Get("--data");
    if (dir.empty()) {
      const char* env = std::getenv("HELPLINE_DATA_DIR");
      dir = env != nullptr && *env != '\0' ? env : daemon::DefaultDataDir();
    }
    return dir;
  }

  // The index to simulate against: Redis's current version, else the files.
  std::shared_ptr<const DirectoryIndex> SimulationIndex(std::string* from) {
    if (args_.Get("--directory").empty()) {
      auto store = ConnectStore(5);
      if (store.ok()) {
        auto index = LoadCurrentIndex(**store);
        if (index.ok()) {
          *from = "redis version " + std::to_string((*index)->version());
          return *index;
        }
      }
    }
    std::string path = args_.Get("--directory", DataDir() + "/directory");
    Validator validator;
    ValidationReport report = validator.ValidatePaths({path});
    if (!report.ok()) {
      for (const auto& d : report.diagnostics) {
        if (d.severity == Severity::kError) err_ << d.ToString() << "\n";
      }
      return nullptr;
    }
    *from = "files " + path;
    return DirectoryIndex::Build(std::move(report.resources), 0);
  }

  // "; one of CA-NS, CA-PE" when the number's area code is shared, else "".
  static std::string RegionCandidates(const engine::ResolvedRegion& region) {
    std::string text;
    for (const auto& code : region.candidates) text += (text.empty() ? "; one of " : ", ") + code;
    return text;
  }

  int Simulate() {
    if (args_.positional.empty()) return Usage("simulate needs the message TEXT");
    std::string text;
    for (const auto& p : args_.positional) text += (text.empty() ? "" : " ") + p;
    auto segments = IntOption("--segments", 3, 1, 10);
    if (!segments) return kExitUsage;
    const std::string data_dir = DataDir();
    engine::EngineOptions options;
    options.sms_segments = static_cast<int>(*segments);
    auto engine = engine::LoadMessageEngine(data_dir + "/engine", options);
    if (!engine.ok()) return Fail(engine.status());
    std::string index_from;
    auto index = SimulationIndex(&index_from);
    if (index == nullptr) return kExitInvalid;

    engine::InboundMessage message;
    const std::string from = args_.Get("--from");
    message.text = text;
    message.from = from;
    message.channel = args_.Has("--chat") ? engine::ChannelType::kChat : engine::ChannelType::kSms;
    message.hints.from_state = args_.Get("--from-state");
    message.hints.from_zip = args_.Get("--from-zip");
    message.hints.from_country = args_.Get("--from-country");
    engine::SenderState state;
    state.language = args_.Get("--lang");
    state.region = args_.Get("--remembered-region");
    state.opted_out = args_.Has("--opted-out");
    engine::EngineReply r = engine->Handle(message, state, *index);
    engine::SmsMeasure m = engine::MeasureSms(r.text);
    const char* encoding = r.encoding == engine::SmsEncoding::kGsm7 ? "GSM-7" : "UCS-2";

    std::string changes;
    if (r.changes.language) changes += " language=" + *r.changes.language;
    if (r.changes.region) changes += " region=" + *r.changes.region;
    if (r.changes.opted_out) changes += std::string(" opted_out=") + (*r.changes.opted_out ? "yes" : "no");
    if (args_.Has("--json")) {
      out_ << "{\"text\":" << JsonQuote(r.text) << ",\"segments\":[";
      for (std::size_t i = 0; i < r.segments.size(); ++i) out_ << (i ? "," : "") << JsonQuote(r.segments[i]);
      out_ << "],\"encoding\":\"" << encoding << "\",\"units\":" << m.units << ",\"intent\":\""
           << engine::IntentName(r.intent) << "\",\"region\":" << JsonQuote(r.region.code) << ",\"region_source\":\""
           << engine::RegionSourceName(r.region.source) << "\",\"region_candidates\":[";
      for (std::size_t i = 0; i < r.region.candidates.size(); ++i) {
        out_ << (i ? "," : "") << JsonQuote(r.region.candidates[i]);
      }
      out_ << "],\"language\":\"" << r.language << "\",\"resources\":[";
      for (std::size_t i = 0; i < r.resources.size(); ++i) out_ << (i ? "," : "") << JsonQuote(r.resources[i]->id);
      out_ << "],\"changes\":" << JsonQuote(changes.empty() ? "" : changes.substr(1)) << "}\n";
      return kExitOk;
    }
    out_ << r.text << "\n"
         << "----\n"
         << "channel:   " << (message.channel == engine::ChannelType::kChat ? "chat" : "sms") << "\n"
         << "encoding:  " << encoding << " (" << m.units
         << (r.encoding == engine::SmsEncoding::kGsm7 ? " septets" : " UTF-16 units") << ")\n"
         << "segments:  " << r.segments.size() << " (budget " << *segments << ")\n"
         << "intent:    " << engine::IntentName(r.intent) << "\n"
         << "region:    " << r.region.code << " (from " << engine::RegionSourceName(r.region.source)
         << RegionCandidates(r.region) << ")\n"
         << "language:  " << r.language << "\n"
         << "resources:";
    for (const auto* res : r.resources) out_ << " " << res->id;
    out_ << "\n"
         << "state:    " << (changes.empty() ? " unchanged" : changes) << "\n"
         << "directory: " << index_from << "\n";
    return kExitOk;
  }

  const Args& args_;
  std::ostream& out_;
  std::ostream& err_;
  bool tty_;
};

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err, bool err_is_terminal) {
  Args args;
  if (auto problem = ParseArgs(argc, argv, &args)) {
    err << "helpline: " << *problem << "\n\n" << kUsage;
    return kExitUsage;
  }
  if (args.Has("--help") || args.command == "help") {
    out << kUsage;
    return kExitOk;
  }
  if (args.command.empty()) {
    err << kUsage;
    return kExitUsage;
  }
  return Cli(args, out, err, err_is_terminal).Run();
}

}  // namespace helpline::cli
