// End-to-end tests of the `helpline` operator CLI: the real binary, a real
// redis-server, the shipped data, and the refresh-directory script.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace helpline::testing {
namespace {

namespace fs = std::filesystem;

const std::string kBin = HELPLINE_BIN;
const std::string kSource = HELPLINE_SOURCE_DIR;
const std::string kData = kSource + "/data/directory";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::trunc);
  out << text;
}

// Replaces the first occurrence of `from` in `file`; fails the test if absent.
void Edit(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = ReadFile(file);
  auto pos = text.find(from);
  ASSERT_NE(pos, std::string::npos) << from << " not in " << file;
  text.replace(pos, from.size(), to);
  WriteFile(file, text);
}

// A private copy of the shipped data that a test may break.
class DataCopy {
 public:
  DataCopy() {
    char tmpl[] = "/tmp/hl-data-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs::copy(kData, dir_);
  }
  ~DataCopy() { fs::remove_all(dir_); }
  fs::path operator/(const std::string& name) const { return dir_ / name; }
  std::string path() const { return dir_.string(); }

 private:
  fs::path dir_;
};

ProcessResult Helpline(std::vector<std::string> args, const std::string& redis_url = "") {
  args.insert(args.begin(), kBin);
  std::vector<std::string> env;
  if (!redis_url.empty()) env.push_back("HELPLINE_REDIS_URL=" + redis_url);
  return RunProcess(args, env);
}

int CountLines(const std::string& text, const std::string& needle) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

TEST(CliValidate, ShippedDataPassesWithOnlyUnconfirmedWarnings) {
  auto r = Helpline({"validate", kData});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(valid: \d+ files, \d+ resources)"))) << r.out;
  EXPECT_NE(r.out.find(" 0 errors"), std::string::npos) << r.out;
  // Every warning is an unconfirmed resource, and each says what to confirm.
  int warnings = CountLines(r.err, "warning:");
  EXPECT_GT(warnings, 0);
  EXPECT_EQ(warnings, CountLines(r.err, "is unconfirmed")) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"('[a-z0-9-]+' is unconfirmed: [A-Z])"))) << r.err;
}

TEST(CliValidate, BadPhoneNumberIsNamedWithFileAndPointer) {
  DataCopy data;
  Edit(data / "ca.json", "\"1-800-668-6868\"", "\"1-800-66-6868\"");
  auto r = Helpline({"validate", data.path()});
  EXPECT_EQ(r.exit_code, 1);
  std::regex expected(
      R"(ca\.json: /resources/\d+/channels/0/value: '1-800-66-6868' is not a valid phone number for CA)");
  EXPECT_TRUE(std::regex_search(r.err, expected)) << r.err;
  EXPECT_NE(r.out.find("invalid:"), std::string::npos);
}

TEST(CliValidate, UnknownCategoryIsNamed) {
  DataCopy data;
  Edit(data / "us.json", "\"harm_reduction\"", "\"harm_reductoin\"");
  auto r = Helpline({"validate", data.path()});
  EXPECT_EQ(r.exit_code, 1);
  std::regex expected(R"(us\.json: /resources/\d+/categories/\d+: 'harm_reductoin' is not a known category)");
  EXPECT_TRUE(std::regex_search(r.err, expected)) << r.err;
}

TEST(CliValidate, DuplicateIdNamesBothPlaces) {
  DataCopy data;
  Edit(data / "ca-ab.json", "\"id\": \"ca-ab-addiction-helpline\"", "\"id\": \"ca-bc-kelty-centre\"");
  auto r = Helpline({"validate", data.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("duplicate id 'ca-bc-kelty-centre' (first defined in"), std::string::npos) << r.err;
}

TEST(CliValidate, MalformedJsonGivesLineAndColumn) {
  DataCopy data;
  Edit(data / "global.json", "\"resources\": [", "\"resources\": [,");
  auto r = Helpline({"validate", data.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(global\.json: malformed JSON at line \d+, column \d+)"))) << r.err;
}

TEST(CliCoverage, ShippedDataHasEveryRouteEverywhereAndFitsAHundredColumns) {
  auto r = Helpline({"coverage"});  // the shipped data/directory by default
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(^Directory coverage: \d+ resources: \d+ active \()"))) << r.out;
  EXPECT_NE(r.out.find("\ngaps: none\n"), std::string::npos) << r.out;
  // One row per jurisdiction: every state, DC, Puerto Rico, every province and territory.
  std::map<std::string, int> rows;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    EXPECT_LE(line.size(), 100u) << line;
    if (line.size() > 6 && line[2] == '-' && line[5] == ' ') ++rows[line.substr(0, 5)];
  }
  EXPECT_EQ(rows.size(), 65u);
  for (const auto& [code, n] : rows) EXPECT_EQ(n, 1) << code;
  for (const char* code : {"US-AL", "US-DC", "US-PR", "US-WY", "CA-BC", "CA-NU", "CA-YT"}) {
    EXPECT_EQ(rows.count(code), 1u) << code;
  }
}

TEST(CliCoverage, GapsAreNamedAndExitWithOne) {
  // British Columbia's file alone: nothing serves the rest of the map.
  auto r = Helpline({"coverage", kData + "/ca-bc.json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("  US-OH Ohio lacks treatment_referral, naloxone, crisis\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("  CA-BC British Columbia lacks"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nCA-BC +[1-9])"))) << "BC has lines of its own";
}

TEST(CliCoverage, JsonIsOneStableObject) {
  auto r = Helpline({"coverage", kData, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"resources\":", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find(",\"gaps\":[],\"without_own_line\":["), std::string::npos) << r.out.substr(0, 300);
  EXPECT_NE(r.out.find("{\"code\":\"CA-YT\",\"name\":\"Yukon\","), std::string::npos);
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line";
}

TEST(CliCoverage, InvalidDataGivesNoReport) {
  DataCopy data;
  Edit(data / "us.json", "\"harm_reduction\"", "\"harm_reductoin\"");
  auto r = Helpline({"coverage", data.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("invalid: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Directory coverage"), std::string::npos);
  EXPECT_NE(r.err.find("'harm_reductoin' is not a known category"), std::string::npos) << r.err;
}

TEST(CliUsage, BadInvocationsExitWithTwo) {
  EXPECT_EQ(Helpline({}).exit_code, 2);
  EXPECT_EQ(Helpline({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(Helpline({"validate"}).exit_code, 2);
  EXPECT_EQ(Helpline({"coverage", "--bogus"}).exit_code, 2);
  EXPECT_EQ(Helpline({"load", kData, "--bogus"}).exit_code, 2);
  EXPECT_EQ(Helpline({"lookup", "--region", "CA-BC"}).exit_code, 2);
  EXPECT_EQ(Helpline({"lookup", "--region", "XX-YY", "--category", "naloxone"}).exit_code, 2);
  EXPECT_EQ(Helpline({"rollback", "abc"}).exit_code, 2);
  auto help = Helpline({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("exit codes: 0 ok, 1 invalid data"), std::string::npos);
}

TEST(CliRedis, UnreachableRedisExitsWithThree) {
  auto r = Helpline({"versions"}, "unix:///nonexistent/redis.sock");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("redis"), std::string::npos);
}

TEST(CliLoad, LoadUnchangedChangeDryRunAndRollbackTellTheStory) {
  RedisServer redis;
  DataCopy data;

  auto first = Helpline({"load", data.path()}, redis.Url());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("loaded version 1:"), std::string::npos) << first.out;

  auto again = Helpline({"load", data.path()}, redis.Url());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("unchanged: version 1"), std::string::npos) << again.out;

  Edit(data / "ca-ab.json", "\"priority\": 85", "\"priority\": 87");  // the first: the Addiction Helpline
  auto dry = Helpline({"load", data.path(), "--dry-run"}, redis.Url());
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("~ ca-ab-addiction-helpline: priority: 85 -> 87"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("0 added, 0 removed, 1 changed"), std::string::npos) << dry.out;
  EXPECT_EQ(CountLines(dry.out, "~ "), 1) << dry.out;

  auto versions_after_dry = Helpline({"versions"}, redis.Url());
  EXPECT_EQ(CountLines(versions_after_dry.out, "data-"), 1) << "a dry run must not create a version";

  auto second = Helpline({"load", data.path()}, redis.Url());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("loaded version 2:"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("(previous: 1)"), std::string::npos) << second.out;

  auto versions = Helpline({"versions"}, redis.Url());
  ASSERT_EQ(versions.exit_code, 0);
  EXPECT_TRUE(std::regex_search(versions.out, std::regex(R"(\n\* 2 +\d{4}-\d\d-\d\d)"))) << versions.out;
  EXPECT_TRUE(std::regex_search(versions.out, std::regex(R"(\n  1 +\d{4}-\d\d-\d\d)"))) << versions.out;

  auto rollback = Helpline({"rollback", "1"}, redis.Url());
  ASSERT_EQ(rollback.exit_code, 0) << rollback.err;
  EXPECT_NE(rollback.out.find("current version is now 1"), std::string::npos);
  auto after = Helpline({"versions"}, redis.Url());
  EXPECT_TRUE(std::regex_search(after.out, std::regex(R"(\n\* 1 +)"))) << after.out;

  auto missing = Helpline({"rollback", "9"}, redis.Url());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("not kept"), std::string::npos) << missing.err;
}

TEST(CliLoad, InvalidDataLoadsNothing) {
  RedisServer redis;
  DataCopy data;
  Edit(data / "ca.json", "\"1-800-668-6868\"", "\"1-800-66-6868\"");
  auto r = Helpline({"load", data.path()}, redis.Url());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("nothing loaded"), std::string::npos);
  auto versions = Helpline({"versions"}, redis.Url());
  EXPECT_NE(versions.out.find("no versions loaded yet"), std::string::npos) << versions.out;
}

TEST(CliLookup, ProvinceFallsBackToCanadaAndFormatsTextLines) {
  RedisServer redis;
  ASSERT_EQ(Helpline({"load", kData}, redis.Url()).exit_code, 0);
  auto r = Helpline({"lookup", "--region", "CA-BC", "--category", "youth"}, redis.Url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Kids Help Phone"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("text CONNECT to 686868"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("call 1-800-668-6868"), std::string::npos) << r.out;

  auto json = Helpline({"lookup", "--region", "US-TX", "--category", "treatment_referral", "--json"}, redis.Url());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"value\":\"+18006624357\""), std::string::npos) << json.out;
  EXPECT_EQ(json.out.find("ca-"), std::string::npos) << "a US lookup must not return Canadian resources";
}

TEST(RefreshDirectory, LoadsThenReportsUnchangedAndFailsCleanlyOnBadData) {
  RedisServer redis;
  DataCopy data;
  const std::string script = kSource + "/scripts/refresh-directory";
  std::vector<std::string> env = {"HELPLINE_BIN=" + kBin, "HELPLINE_REDIS_URL=" + redis.Url()};

  auto first = RunProcess({"/bin/bash", script, data.path()}, env);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  std::string last = first.out.substr(first.out.rfind("refresh-directory:"));
  EXPECT_NE(last.find("OK: loaded version 1"), std::string::npos) << first.out;

  auto again = RunProcess({"/bin/bash", script, data.path()}, env);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("refresh-directory: OK: unchanged"), std::string::npos) << again.out;

  Edit(data / "us.json", "\"1-800-662-4357\"", "\"1-800-662-43\"");
  auto bad = RunProcess({"/bin/bash", script, data.path()}, env);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("refresh-directory: FAILED (exit 1)"), std::string::npos) << bad.out;
  auto versions = Helpline({"versions", "--json"}, redis.Url());
  EXPECT_EQ(CountLines(versions.out, "\"version\":2"), 0) << versions.out;

  auto plain_http = RunProcess({"/bin/bash", script, "http://example.org/x.json"}, env);
  EXPECT_EQ(plain_http.exit_code, 2);
}

// --- hostile directory files: an error naming the path, never a crash ---

TEST(CliValidate, HostileFilesAreErrorsNamingThePathNeverACrash) {
  DataCopy data;
  fs::create_symlink("loop.json", data / "loop.json");
  fs::create_symlink("b.json", data / "a.json");
  fs::create_symlink("a.json", data / "b.json");
  fs::create_symlink("..", data / "up.json");  // a symlink to a directory above this one
  WriteFile(data / "deep.json", std::string(100000, '['));
  WriteFile(data / "deeper.json",
            "{\"jurisdiction\": \"CA\", \"resources\": [" + std::string(100000, '[') + std::string(100000, ']') + "]}");
  { std::ofstream create(data / "huge.json"); }
  fs::resize_file(data / "huge.json", std::uintmax_t{1} << 30);  // sparse
  for (const char* command : {"validate", "coverage", "load"}) {
    auto r = Helpline({command, data.path()}, "unix:///nonexistent/redis.sock");
    EXPECT_EQ(r.exit_code, 1) << command << " (not a signal): " << r.err;
    for (const std::string expected :
         {"loop.json: symlink loop (too many levels of symbolic links)", "a.json: symlink loop", "b.json: symlink loop",
          "up.json: is a directory, not a *.json file",
          "deep.json: malformed JSON at line 1, column 33: nested more than 32 levels deep",
          "deeper.json: malformed JSON at line 1, column 68: nested more than 32 levels",
          "huge.json: larger than 8 MiB, the limit for one directory file"}) {
      EXPECT_NE(r.err.find(data.path() + "/" + expected), std::string::npos) << command << ": " << expected << "\n"
                                                                             << r.err;
    }
  }
  auto direct = Helpline({"validate", (data / "loop.json").string()});
  EXPECT_EQ(direct.exit_code, 1) << direct.err;
  EXPECT_NE(direct.err.find("loop.json: cannot read the file: Too many levels of symbolic links"), std::string::npos)
      << direct.err;
  auto simulate = Helpline({"simulate", "--directory", data.path(), "HELP"});
  EXPECT_EQ(simulate.exit_code, 1) << simulate.err;
  EXPECT_NE(simulate.err.find("loop.json: symlink loop"), std::string::npos) << simulate.err;
}

TEST(CliValidate, InvalidUtf8AndNulInDirectoryTextAreNamedWithFileAndPointer) {
  DataCopy data;
  Edit(data / "ca.json", "\"name\": \"National Overdose Response Service (NORS)\"",
       "\"name\": \"National Overdose \xC3( Response Service\"");
  Edit(data / "us.json", "\"1-800-662-4357\"", "\"1-800-662-4357\\u0000\"");
  Edit(data / "us-oh.json", "\"name\": \"", "\"name\": \"\\u001b[31m");
  auto r = Helpline({"validate", data.path()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(
      std::regex_search(r.err, std::regex(R"(/ca\.json: /resources/\d+/name: is not valid UTF-8 \(at byte 19\)\n)")))
      << r.err;
  EXPECT_TRUE(std::regex_search(
      r.err,
      std::regex(R"(/us\.json: /resources/\d+/channels/\d+/value: contains a NUL character \(U\+0000\) at byte 15\n)")))
      << r.err;
  EXPECT_TRUE(std::regex_search(
      r.err, std::regex(R"(/us-oh\.json: /resources/0/name: contains the control character U\+001B at byte 1\n)")))
      << r.err;
  EXPECT_EQ(r.err.find('\xC3'), std::string::npos) << "errors never echo the invalid bytes";
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "nor control characters";
  EXPECT_NE(r.out.find("invalid: "), std::string::npos) << r.out;
}

// --- a load that would empty much of the directory needs --allow-removals ---

// Removes the directory's state files (us-*.json): most of its resources.
void RemoveStateFiles(const DataCopy& data) {
  for (const auto& entry : fs::directory_iterator(data.path())) {
    if (entry.path().filename().string().rfind("us-", 0) == 0) fs::remove(entry.path());
  }
}

TEST(CliLoad, ALoadRemovingMoreThanTheAllowedShareIsRefusedUnlessAllowed) {
  RedisServer redis;
  DataCopy data;
  ASSERT_EQ(Helpline({"load", data.path()}, redis.Url()).exit_code, 0);

  fs::remove(data / "us-ak.json");  // a small removal goes through as before
  auto small = Helpline({"load", data.path()}, redis.Url());
  ASSERT_EQ(small.exit_code, 0) << small.out << small.err;
  EXPECT_NE(small.out.find("loaded version 2:"), std::string::npos) << small.out;
  EXPECT_NE(small.out.find(", 2 removed,"), std::string::npos) << small.out;

  RemoveStateFiles(data);
  const std::regex refusal(
      R"(\nrefused: this version removes (\d+) of the (\d+) current resources \((\d+(\.\d+)?)%, more than the 20% )"
      R"(allowed by --max-removal-share\); nothing loaded\. Check the removals listed above; if they are intended, )"
      R"(run again with --allow-removals\n$)");
  auto refused = Helpline({"load", data.path()}, redis.Url());
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(refused.out, m, refusal)) << refused.out.substr(refused.out.size() - 400);
  const int removed = std::stoi(m[1]), current = std::stoi(m[2]);
  EXPECT_GT(removed * 5, current);
  EXPECT_EQ(CountLines(refused.out, "- us-"), removed) << "the diff lists what would go";
  auto versions = Helpline({"versions"}, redis.Url());
  EXPECT_TRUE(std::regex_search(versions.out, std::regex(R"(\n\* 2 +)"))) << "nothing loaded: " << versions.out;

  auto quiet = Helpline({"load", data.path(), "--quiet"}, redis.Url());
  EXPECT_EQ(quiet.exit_code, 1);
  EXPECT_NE(quiet.out.find("Check the removals with --dry-run;"), std::string::npos) << quiet.out;

  auto dry = Helpline({"load", data.path(), "--dry-run"}, redis.Url());
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(
      dry.out.find("\nnote: a load would be refused: this version removes " + std::to_string(removed) + " of the "),
      std::string::npos)
      << dry.out;

  auto still_too_many = Helpline({"load", data.path(), "--max-removal-share", "0.5"}, redis.Url());
  EXPECT_EQ(still_too_many.exit_code, 1);
  EXPECT_NE(still_too_many.out.find("more than the 50% allowed"), std::string::npos) << still_too_many.out;
  EXPECT_EQ(Helpline({"load", data.path(), "--max-removal-share", "150%"}, redis.Url()).exit_code, 2);
  EXPECT_EQ(Helpline({"load", data.path(), "--max-removal-share=half"}, redis.Url()).exit_code, 2);

  auto allowed = Helpline({"load", data.path(), "--allow-removals"}, redis.Url());
  ASSERT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_NE(allowed.out.find("loaded version 3: " + std::to_string(current - removed) + " resources, 0 added, " +
                             std::to_string(removed) + " removed"),
            std::string::npos)
      << allowed.out;

  // Restoring the state files adds, never removes: no guard.
  DataCopy full;
  EXPECT_EQ(Helpline({"load", full.path()}, redis.Url()).exit_code, 0);
}

TEST(RefreshDirectory, PassesTheRemovalGuardAndItsFlagsThrough) {
  RedisServer redis;
  DataCopy data;
  const std::string script = kSource + "/scripts/refresh-directory";
  std::vector<std::string> env = {"HELPLINE_BIN=" + kBin, "HELPLINE_REDIS_URL=" + redis.Url()};
  ASSERT_EQ(RunProcess({"/bin/bash", script, data.path()}, env).exit_code, 0);

  RemoveStateFiles(data);
  auto refused = RunProcess({"/bin/bash", script, data.path()}, env);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("refresh-directory: FAILED (exit 1): refused: this version removes "), std::string::npos)
      << refused.out;
  EXPECT_NE(refused.out.find("run again with --allow-removals\n"), std::string::npos) << refused.out;

  auto share = RunProcess({"/bin/bash", script, "--max-removal-share", "60%", data.path()}, env);
  EXPECT_EQ(share.exit_code, 1);
  EXPECT_NE(share.out.find("more than the 60% allowed"), std::string::npos) << share.out;

  auto allowed = RunProcess({"/bin/bash", script, "--allow-removals", data.path()}, env);
  ASSERT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_NE(allowed.out.find("refresh-directory: OK: loaded version 2"), std::string::npos) << allowed.out;
  auto versions = Helpline({"versions", "--json"}, redis.Url());
  EXPECT_NE(versions.out.find("\"source\":\"" + data.path() + "\""), std::string::npos)
      << "flags are not sources: " << versions.out;
}

}  // namespace
}  // namespace helpline::testing

namespace helpline::testing {
namespace {

TEST(CliSimulate, PrintsTheExactReplyAndWhatItWasBasedOn) {
  auto r = RunProcess({kBin, "simulate", "--from", "+16045550123", "--directory", kData, "NALOXONE"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("National Overdose Response Service (NORS): call 1-888-688-6677"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("encoding:  GSM-7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("intent:    naloxone"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("region:    CA-BC (from number)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("language:  en"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(segments:  [123] \(budget 3\))"))) << r.out;
}

TEST(CliSimulate, UsesTheCurrentVersionInRedis) {
  RedisServer redis;
  DataCopy data;
  Edit(data / "ca.json", "\"name\": \"National Overdose Response Service (NORS)\"", "\"name\": \"Naloxone Locator\"");
  ASSERT_EQ(Helpline({"load", data.path()}, redis.Url()).exit_code, 0);
  auto r = Helpline({"simulate", "--from", "+16045550123", "need narcan in BC"}, redis.Url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Naloxone Locator"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("directory: redis version 1"), std::string::npos) << r.out;
}

TEST(CliSimulate, JsonOutputCarriesIntentRegionAndSegments) {
  auto r = RunProcess({kBin, "simulate", "--json", "--from", "+15145550123", "--directory", kData, "AIDE"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"intent\":\"help\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"region\":\"CA-QC\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"language\":\"fr\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"changes\":\"language=fr\""), std::string::npos) << r.out;
}

TEST(CliSimulate, ASharedAreaCodeShowsTheCountryAndTheCandidates) {
  auto text = RunProcess({kBin, "simulate", "--from", "+19025550123", "--directory", kData, "HELP"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("region:    CA (from number; one of CA-NS, CA-PE)\n"), std::string::npos) << text.out;
  auto json = RunProcess({kBin, "simulate", "--json", "--from", "+18675550123", "--directory", kData, "HELP"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"region\":\"CA\",\"region_source\":\"number\","
                          "\"region_candidates\":[\"CA-NT\",\"CA-NU\",\"CA-YT\"]"),
            std::string::npos)
      << json.out;
  auto bc = RunProcess({kBin, "simulate", "--json", "--from", "+16045550123", "--directory", kData, "HELP"});
  EXPECT_NE(bc.out.find("\"region_candidates\":[]"), std::string::npos) << bc.out;
}

TEST(CliSimulate, MissingTextIsAUsageError) {
  EXPECT_EQ(RunProcess({kBin, "simulate", "--from", "+16045550123"}).exit_code, 2);
}

TEST(CliExportHsds, ExportsTheShippedDirectoryAndImportHsdsReadsItBack) {
  char tmpl[] = "/tmp/hl-hsds-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const ProcessResult exported = Helpline({"export-hsds", (dir / "il").string(), "--jurisdiction", "US-IL"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.err.find("exported: "), std::string::npos) << exported.err;
  EXPECT_NE(exported.err.find(" sites) to "), std::string::npos) << exported.err;
  EXPECT_TRUE(fs::exists(dir / "il" / "datapackage.json"));
  EXPECT_NE(ReadFile(dir / "il" / "addresses.csv").find(",Chicago,IL,"), std::string::npos);
  const ProcessResult imported = Helpline({"import-hsds", (dir / "il").string(), "--jurisdiction", "US-IL", "--trusted",
                                           "--out", (dir / "us-il-hsds.json").string()});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.err.find(" not mapped, 0 errors"), std::string::npos) << imported.err;
  // Usage errors: no OUTDIR, an unknown jurisdiction.
  EXPECT_EQ(Helpline({"export-hsds"}).exit_code, 2);
  EXPECT_EQ(Helpline({"export-hsds", (dir / "x").string(), "--jurisdiction", "XX-YY"}).exit_code, 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace helpline::testing
