#include "directory/validator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/directory/validation_text.h"

namespace helpline::directory {
namespace {

// A valid one-resource file; tests replace pieces of it.
std::string File(const std::string& jurisdiction = "CA", const std::string& resource_fields = "") {
  return R"({"jurisdiction": ")" + jurisdiction + R"(", "resources": [{
    "id": "ca-line", "name": "Canada line", "description": "Help.",
    "categories": ["treatment_referral"], "regions": [")" +
         jurisdiction + R"("], "languages": ["en"],
    "channels": [{"kind": "voice", "value": "1-800-668-6868"}, {"kind": "sms", "value": "686868"}],
    "hours": "24/7", "priority": 90, "source": "https://example.ca", "verified": "2026-11-24",
    "status": "active")" +
         resource_fields + "}]}";
}

ValidationReport Check(const std::vector<std::pair<std::string, std::string>>& files, int max_age_days = 365) {
  return testing::CheckTexts(files, max_age_days);
}

std::string All(const ValidationReport& r) { return testing::AllDiagnostics(r); }

TEST(Validator, ValidFileNormalizesPhoneNumbers) {
  auto r = Check({{"ca.json", File()}});
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.WarningCount(), 0u) << All(r);
  ASSERT_EQ(r.resources.size(), 1u);
  EXPECT_EQ(r.resources[0].channels[0].value, "+18006686868");
  EXPECT_EQ(r.resources[0].channels[1].value, "686868");
  EXPECT_EQ(r.origins[0].file, "ca.json");
  EXPECT_EQ(r.origins[0].pointer, "/resources/0");
}

TEST(Validator, VanityNumberNormalizes) {
  std::string text = File();
  text.replace(text.find("1-800-668-6868"), 14, "1-800-662-HELP");
  auto r = Check({{"ca.json", text}});
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.resources[0].channels[0].value, "+18006624357");
}

TEST(Validator, BadPhoneNumberNamesFilePointerAndCountry) {
  std::string text = File();
  text.replace(text.find("1-800-668-6868"), 14, "1-800-66-6868");
  auto r = Check({{"data/ca.json", text}});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(
      All(r).find("data/ca.json: /resources/0/channels/0/value: '1-800-66-6868' is not a valid phone number for CA"),
      std::string::npos)
      << All(r);
}

TEST(Validator, SchemaErrorsSayWhatIsWrongAndWhere) {
  struct Case {
    std::string from, to, expected;
  };
  const Case cases[] = {
      {"\"treatment_referral\"", "\"treatment\"", "/resources/0/categories/0: 'treatment' is not a known category"},
      {"\"kind\": \"voice\"", "\"kind\": \"fax\"", "/resources/0/channels/0/kind: 'fax' is not a known channel kind"},
      {"\"priority\": 90", "\"priority\": 900", "/resources/0/priority: 900 is out of range (0 to 100)"},
      {"\"priority\": 90", "\"priority\": \"high\"", "/resources/0/priority: 'high' has the wrong type"},
      {"\"id\": \"ca-line\"", "\"id\": \"CA Line\"", "/resources/0/id: 'CA Line' is not a valid id"},
      {"\"verified\": \"2026-11-24\"", "\"verified\": \"24/11/2026\"", "is not a date in the form YYYY-MM-DD"},
      {"\"hours\": \"24/7\", ", "", "/resources/0: missing required field hours"},
      {"\"hours\": \"24/7\"", "\"hours\": \"24/7\", \"phone\": \"x\"", "/resources/0/phone: unknown field 'phone'"},
      {"\"languages\": [\"en\"]", "\"languages\": []", "/resources/0/languages: must not be empty"},
  };
  for (const auto& c : cases) {
    std::string text = File();
    auto pos = text.find(c.from);
    ASSERT_NE(pos, std::string::npos) << c.from;
    text.replace(pos, c.from.size(), c.to);
    auto r = Check({{"ca.json", text}});
    EXPECT_FALSE(r.ok()) << c.to;
    EXPECT_NE(All(r).find(c.expected), std::string::npos) << "for " << c.to << " got:\n" << All(r);
  }
}

TEST(Validator, OneBadResourceDoesNotHideTheOthers) {
  std::string two = File();
  std::string second = two.substr(two.find("{\n    \"id\""));
  second = second.substr(0, second.rfind("]}"));
  two.insert(two.rfind("]}"), ", " + second);
  two.replace(two.rfind("\"ca-line\""), 9, "\"ca-two\"");
  two.replace(two.find("\"priority\": 90"), 14, "\"priority\": -1");
  two.replace(two.rfind("1-800-668-6868"), 14, "1-800-66-6868");
  auto r = Check({{"ca.json", two}});
  EXPECT_EQ(r.ErrorCount(), 2u) << All(r);
  EXPECT_NE(All(r).find("/resources/0/priority"), std::string::npos);
  EXPECT_NE(All(r).find("/resources/1/channels/0/value"), std::string::npos);
}

TEST(Validator, DuplicateIdsAcrossFilesAreErrors) {
  auto r = Check({{"a.json", File()}, {"b.json", File()}});
  EXPECT_NE(All(r).find("b.json: /resources/0/id: duplicate id 'ca-line' (first defined in a.json: /resources/0)"),
            std::string::npos)
      << All(r);
}

TEST(Validator, UnknownOrForeignRegionsAreErrors) {
  std::string text = File();
  text.replace(text.find("\"regions\": [\"CA\"]"), 17, "\"regions\": [\"CA-XX\", \"US-TX\"]");
  auto r = Check({{"ca.json", text}});
  EXPECT_NE(All(r).find("/resources/0/regions/0: unknown region 'CA-XX'"), std::string::npos) << All(r);
  EXPECT_NE(All(r).find("/resources/0/regions/1: region 'US-TX' is outside this file's jurisdiction 'CA'"),
            std::string::npos)
      << All(r);
}

TEST(Validator, ShortCodeForVoiceAndKeywordOnVoiceAreErrors) {
  std::string text = File();
  const std::string from = "{\"kind\": \"voice\", \"value\": \"1-800-668-6868\"}";
  text.replace(text.find(from), from.size(), "{\"kind\": \"voice\", \"value\": \"686868\", \"keyword\": \"HI\"}");
  auto r = Check({{"ca.json", text}});
  EXPECT_NE(All(r).find("/resources/0/channels/0/keyword: a text keyword only makes sense on an sms channel"),
            std::string::npos)
      << All(r);
  EXPECT_NE(All(r).find("/resources/0/channels/0/value: '686868'"), std::string::npos) << All(r);
}

TEST(Validator, UrlsAndEmailsMustBeWellFormed) {
  auto r = Check({{"ca.json", File("CA", R"(, "notes": "x")")}});
  ASSERT_TRUE(r.ok());
  std::string text = File();
  const std::string sms = "{\"kind\": \"sms\", \"value\": \"686868\"}";
  text.replace(text.find(sms), sms.size(),
               "{\"kind\": \"web\", \"value\": \"www.example.ca\"}, {\"kind\": \"email\", \"value\": \"help@\"}, "
               "{\"kind\": \"chat\", \"value\": \"http://chat.example.ca/x\"}");
  r = Check({{"ca.json", text}});
  EXPECT_NE(All(r).find("channels/1/value: 'www.example.ca' is not a valid URL"), std::string::npos) << All(r);
  EXPECT_NE(All(r).find("channels/2/value: 'help@' is not a valid email address"), std::string::npos) << All(r);
  EXPECT_NE(All(r).find("warning: /resources/0/channels/3/value: 'http://chat.example.ca/x' is not https"),
            std::string::npos)
      << All(r);
}

TEST(Validator, StaleVerifiedDateIsAWarningAndFutureOrImpossibleDatesAreErrors) {
  std::string stale = File();
  stale.replace(stale.find("2026-11-24"), 10, "2025-10-01");
  auto r = Check({{"ca.json", stale}});
  EXPECT_TRUE(r.ok()) << All(r);
  EXPECT_NE(All(r).find("warning: /resources/0/verified: stale: verified 2025-10-01 is 420 days old (more than 365)"),
            std::string::npos)
      << All(r);
  r = Check({{"ca.json", stale}}, 500);
  EXPECT_EQ(r.WarningCount(), 0u) << "max age is configurable";

  std::string future = File();
  future.replace(future.find("2026-11-24"), 10, "2027-01-01");
  EXPECT_NE(All(Check({{"ca.json", future}})).find("'2027-01-01' is in the future"), std::string::npos);
  std::string impossible = File();
  impossible.replace(impossible.find("2026-11-24"), 10, "2026-02-30");
  EXPECT_NE(All(Check({{"ca.json", impossible}})).find("'2026-02-30' is not a real date"), std::string::npos);
}

TEST(Validator, UnconfirmedResourcesAreListedAsWarnings) {
  std::string text = File("CA", R"(, "notes": "confirm scope")");
  text.replace(text.find("\"status\": \"active\""), 18, "\"status\": \"unconfirmed\"");
  auto r = Check({{"ca.json", text}});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.WarningCount(), 1u);
  EXPECT_NE(All(r).find("warning: /resources/0/status: 'ca-line' is unconfirmed: confirm scope"), std::string::npos)
      << All(r);
}

TEST(Validator, TranslationKeysMustBeLanguageCodes) {
  auto r = Check({{"ca.json", File("CA", R"(, "translations": {"French": {"name": "x"}, "fr": {"name": "Ligne"}})")}});
  EXPECT_EQ(r.ErrorCount(), 1u) << All(r);
  EXPECT_NE(All(r).find("/resources/0/translations/French: 'French' is not an ISO 639 language code"),
            std::string::npos)
      << All(r);
  r = Check({{"ca.json", File("CA", R"(, "translations": {"fr": {"nom": "x"}})")}});
  EXPECT_NE(All(r).find("/resources/0/translations/fr/nom: unknown field 'nom'"), std::string::npos) << All(r);
}

TEST(Validator, LabelTranslationsNeedALabelLanguageCodesAndText) {
  auto with_channel = [](const std::string& channel) {
    return R"({"jurisdiction": "CA", "resources": [{
      "id": "ca-line", "name": "Canada line", "description": "Help.",
      "categories": ["treatment_referral"], "regions": ["CA"], "languages": ["en"],
      "channels": [)" +
           channel + R"(],
      "hours": "24/7", "priority": 90, "source": "https://example.ca", "verified": "2026-11-24",
      "status": "active"}]})";
  };
  auto ok = Check({{"ca.json", with_channel(R"({"kind": "sms", "value": "686868", "label": "drug alerts",
                                               "label_translations": {"es": "alertas", "fr": "alertes"}})")}});
  EXPECT_EQ(ok.ErrorCount(), 0u) << All(ok);
  auto bad_code = Check({{"ca.json", with_channel(R"({"kind": "sms", "value": "686868", "label": "x",
                                                     "label_translations": {"Spanish": "y"}})")}});
  EXPECT_NE(All(bad_code).find("/resources/0/channels/0/label_translations/Spanish: 'Spanish' is not an ISO 639"),
            std::string::npos)
      << All(bad_code);
  auto no_label = Check({{"ca.json", with_channel(R"({"kind": "sms", "value": "686868",
                                                     "label_translations": {"es": "y"}})")}});
  EXPECT_NE(All(no_label).find("/resources/0/channels/0/label_translations: translations of a label"),
            std::string::npos)
      << All(no_label);
  auto not_text = Check({{"ca.json", with_channel(R"({"kind": "sms", "value": "686868", "label": "x",
                                                     "label_translations": {"es": 5}})")}});
  EXPECT_GE(not_text.ErrorCount(), 1u) << All(not_text);
}

TEST(Validator, InfoResourcesMayHaveNoChannelButServicesNeedOne) {
  auto no_channel = [](const std::string& kind) {
    std::string text = File("CA", kind);
    const std::string from =
        R"("channels": [{"kind": "voice", "value": "1-800-668-6868"}, {"kind": "sms", "value": "686868"}])";
    text.replace(text.find(from), from.size(), R"("channels": [])");
    return text;
  };
  auto info = Check({{"ca.json", no_channel(R"(, "kind": "info")")}});
  EXPECT_TRUE(info.ok()) << All(info);
  ASSERT_EQ(info.resources.size(), 1u);
  EXPECT_EQ(info.resources[0].kind, ResourceKind::kInfo);
  auto service = Check({{"ca.json", no_channel("")}});
  EXPECT_FALSE(service.ok());
  EXPECT_NE(All(service).find("ca.json: /resources/0/channels: a service needs at least one channel"),
            std::string::npos)
      << All(service);
  auto bad_kind = Check({{"ca.json", File("CA", R"(, "kind": "fact")")}});
  EXPECT_FALSE(bad_kind.ok());
  EXPECT_NE(All(bad_kind).find("/resources/0/kind"), std::string::npos) << All(bad_kind);
}

TEST(Validator, LongInfoSentencesAreWarnedAbout) {
  const std::string long_text(200, 'x');
  auto r = Check({{"ca.json", File("CA", R"(, "kind": "info")")}});
  EXPECT_EQ(r.WarningCount(), 0u) << All(r);
  std::string text = File("CA", R"(, "kind": "info")");
  text.replace(text.find(R"("Help.")"), 7, "\"" + long_text + "\"");
  auto warned = Check({{"ca.json", text}});
  EXPECT_TRUE(warned.ok()) << All(warned);
  EXPECT_NE(All(warned).find("/resources/0/description: an info resource's description is texted as is"),
            std::string::npos)
      << All(warned);
}

TEST(Validator, AliasesAreListsOfNamesByLanguageCode) {
  auto ok = Check({{"ca.json", File("CA", R"(, "aliases": {"en": ["canada line"], "fr": ["ligne canada"]})")}});
  EXPECT_TRUE(ok.ok()) << All(ok);
  ASSERT_EQ(ok.resources.size(), 1u);
  EXPECT_EQ(ok.resources[0].aliases.at("fr"), std::vector<std::string>{"ligne canada"});
  auto bad_code = Check({{"ca.json", File("CA", R"(, "aliases": {"French": ["ligne canada"]})")}});
  EXPECT_FALSE(bad_code.ok());
  EXPECT_NE(All(bad_code).find("/resources/0/aliases/French: 'French' is not an ISO 639 language code"),
            std::string::npos)
      << All(bad_code);
  auto not_list = Check({{"ca.json", File("CA", R"(, "aliases": {"en": "canada line"})")}});
  EXPECT_FALSE(not_list.ok());
  auto empty_name = Check({{"ca.json", File("CA", R"(, "aliases": {"en": [""]})")}});
  EXPECT_FALSE(empty_name.ok());
}

TEST(Validator, ActiveResourcesWithoutASourceUrlAreWarnedAbout) {
  std::string text = File();
  text.replace(text.find("https://example.ca"), 18, "a leaflet");
  auto r = Check({{"ca.json", text}});
  EXPECT_TRUE(r.ok()) << All(r);
  EXPECT_NE(All(r).find("/resources/0/source: an active resource should name the page"), std::string::npos) << All(r);
}

TEST(Validator, MalformedJsonReportsLineAndColumn) {
  auto r = Check({{"x.json", "{\n  \"jurisdiction\": \"CA\",\n  \"resources\": [,]\n}"}});
  ASSERT_EQ(r.ErrorCount(), 1u);
  EXPECT_NE(All(r).find("x.json: malformed JSON at line 3, column 17"), std::string::npos) << All(r);
}

TEST(Validator, EverywhereResourcesCannotHavePhoneNumbers) {
  std::string text = File("*");
  auto r = Check({{"global.json", text}});
  EXPECT_NE(All(r).find("a resource for '*' has no country"), std::string::npos) << All(r);
}

TEST(Validator, MissingPathIsReportedNotThrown) {
  Validator v;
  auto r = v.ValidatePaths({"/nonexistent/dir/file.json"});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(All(r).find("/nonexistent/dir/file.json: cannot read the file"), std::string::npos);
}

// --- hostile input: never a crash, always an error naming the file and place ---

// `text` with the first `from` replaced by `to`.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(Validator, DeeplyNestedJsonIsAnErrorNotAStackOverflow) {
  auto open = Check({{"deep.json", std::string(100000, '[')}});
  ASSERT_EQ(open.ErrorCount(), 1u) << All(open);
  EXPECT_NE(All(open).find("deep.json: malformed JSON at line 1, column 33: nested more than 32 levels deep"),
            std::string::npos)
      << All(open);

  auto closed = Check({{"deep.json", std::string(100000, '[') + std::string(100000, ']')}});
  EXPECT_NE(All(closed).find("nested more than 32 levels deep"), std::string::npos) << All(closed);

  std::string nested = File();  // deep inside a resource, where the schema would walk it
  nested = Replace(nested, "\"hours\": \"24/7\"",
                   "\"hours\": \"24/7\", \"x\": " + std::string(50000, '[') + std::string(50000, ']'));
  auto inner = Check({{"ca.json", nested}});
  EXPECT_FALSE(inner.ok());
  EXPECT_NE(All(inner).find("nested more than 32 levels deep"), std::string::npos) << All(inner);
}

TEST(Validator, NestingADirectoryFileNeedsIsAccepted) {
  std::string text = Replace(File(), "\"value\": \"686868\"",
                             "\"value\": \"686868\", \"label\": \"x\", \"label_translations\": {\"fr\": \"y\"}");
  auto r = Check({{"ca.json", text}});
  EXPECT_TRUE(r.ok()) << All(r);
}

TEST(Validator, InvalidUtf8IsNamedWithFileAndPointerAndHidesNoOtherResource) {
  std::string text = Replace(File(), "\"Canada line\"", "\"Canada \xC3( line\"");
  text = Replace(text, "}]}", R"(}, {"id": "ca-two", "name": "Two", "description": "Help.",
    "categories": ["crisis"], "regions": ["CA"], "languages": ["en"],
    "channels": [{"kind": "voice", "value": "1-800-66-6868"}], "hours": "24/7", "priority": 90,
    "source": "https://example.ca", "verified": "2026-11-24", "status": "active"}]})");
  auto r = Check({{"data/ca.json", text}});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(All(r).find("data/ca.json: /resources/0/name: is not valid UTF-8 (at byte 8)\n"), std::string::npos)
      << All(r);
  EXPECT_NE(All(r).find("data/ca.json: /resources/1/channels/0/value: '1-800-66-6868' is not a valid phone"),
            std::string::npos)
      << "the other resource is still checked: " << All(r);
  ASSERT_EQ(r.resources.size(), 1u) << "a resource with invalid text is never kept";
  EXPECT_EQ(r.resources[0].id, "ca-two");
  EXPECT_EQ(All(r).find('\xC3'), std::string::npos) << "diagnostics never echo invalid bytes";
}

TEST(Validator, EveryKindOfInvalidUtf8IsRefused) {
  for (const std::string bad :
       {"\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\xE2\x82", "\\udc00"}) {
    auto r = Check({{"ca.json", Replace(File(), "\"Help.\"", "\"Help" + bad + ".\"")}});
    EXPECT_NE(All(r).find("ca.json: /resources/0/description: is not valid UTF-8 (at byte 5)"), std::string::npos)
        << All(r);
  }
  auto ok =
      Check({{"ca.json", Replace(File(), "\"Help.\"", "\"Aide \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\x91 \\u00e9.\"")}});
  EXPECT_TRUE(ok.ok()) << All(ok);
}

TEST(Validator, NulAndControlCharactersAreErrorsWithTheirPlace) {
  auto nul = Check({{"ca.json", Replace(File(), "\"Help.\"", "\"Help\\u0000.\"")}});
  EXPECT_NE(All(nul).find("ca.json: /resources/0/description: contains a NUL character (U+0000) at byte 5"),
            std::string::npos)
      << All(nul);
  EXPECT_TRUE(nul.resources.empty());

  auto escape = Check({{"ca.json", Replace(File(), "\"686868\"}", "\"686868\", \"label\": \"a\\u001bb\"}")}});
  EXPECT_NE(All(escape).find("/resources/0/channels/1/label: contains the control character U+001B at byte 2"),
            std::string::npos)
      << All(escape);
  auto del = Check({{"ca.json", Replace(File(), "\"24/7\"", "\"24/7\\u007f\"")}});
  EXPECT_NE(All(del).find("/resources/0/hours: contains the control character U+007F at byte 5"), std::string::npos)
      << All(del);
  auto c1 = Check({{"ca.json", Replace(File(), "\"24/7\"", "\"24/7\\u0085\"")}});
  EXPECT_NE(All(c1).find("/resources/0/hours: contains the control character U+0085"), std::string::npos) << All(c1);
  auto id = Check({{"ca.json", Replace(File(), "\"ca-line\"", "\"ca-line\\u0000\"")}});
  EXPECT_NE(All(id).find("/resources/0/id: contains a NUL character"), std::string::npos) << All(id);
  // A raw control byte in JSON text is already a syntax error.
  auto raw = Check({{"ca.json", Replace(File(), "\"Help.\"", std::string("\"Help\x01.\""))}});
  EXPECT_NE(All(raw).find("ca.json: malformed JSON at line 2"), std::string::npos) << All(raw);
}

TEST(Validator, TabsAndNewlinesOnlyInNotesAndTheFileDescription) {
  auto name = Check({{"ca.json", Replace(File(), "\"Canada line\"", "\"Canada\\nline\"")}});
  EXPECT_NE(All(name).find("/resources/0/name: contains a newline (U+000A) at byte 7; tabs and newlines are "
                           "allowed only in notes and the file's description"),
            std::string::npos)
      << All(name);
  auto tab = Check({{"ca.json", Replace(File(), "\"Help.\"", "\"Help\\t.\"")}});
  EXPECT_NE(All(tab).find("/resources/0/description: contains a tab (U+0009)"), std::string::npos) << All(tab);
  auto cr = Check({{"ca.json", File("CA", ", \"notes\": \"a\\r\\nb\"")}});
  EXPECT_NE(All(cr).find("/resources/0/notes: contains a carriage return (U+000D)"), std::string::npos) << All(cr);

  std::string free_text = File("CA", ", \"notes\": \"checked:\\n\\t- the number\\n\\t- the hours\"");
  free_text =
      Replace(free_text, "{\"jurisdiction\"", "{\"description\": \"Canada\\nnational lines\", \"jurisdiction\"");
  auto ok = Check({{"ca.json", free_text}});
  EXPECT_TRUE(ok.ok()) << All(ok);
  ASSERT_EQ(ok.resources.size(), 1u);
  EXPECT_EQ(ok.resources[0].notes, "checked:\n\t- the number\n\t- the hours");
}

TEST(Validator, BadFieldNamesAndTextOutsideResourcesStopTheFile) {
  auto key = Check({{"ca.json", Replace(File(), "\"hours\": \"24/7\", \"priority\"",
                                        "\"hours\": \"24/7\", \"ho\xFFurs\": 1, \"priority\"")}});
  EXPECT_NE(All(key).find("ca.json: /resources/0: a field name is not valid UTF-8 (at byte 3)\n"), std::string::npos)
      << All(key);
  EXPECT_EQ(key.ErrorCount(), 1u) << "no schema message repeats the bad name: " << All(key);

  auto jurisdiction =
      Check({{"ca.json", Replace(File(), "{\"jurisdiction\": \"CA\"", "{\"jurisdiction\": \"C\\u0000A\"")}});
  EXPECT_EQ(jurisdiction.ErrorCount(), 1u) << All(jurisdiction);
  EXPECT_NE(All(jurisdiction).find("ca.json: /jurisdiction: contains a NUL character"), std::string::npos)
      << All(jurisdiction);
  EXPECT_TRUE(jurisdiction.resources.empty());

  auto top_key = Check({{"ca.json", Replace(File(), "{\"jurisdiction\"", "{\"a\\u0000\": 1, \"jurisdiction\"")}});
  EXPECT_NE(All(top_key).find("ca.json: a field name contains a NUL character"), std::string::npos) << All(top_key);
}

TEST(Validator, AFileOfBadStringsGetsBoundedDiagnostics) {
  std::string text = "{\"jurisdiction\": \"CA\", \"resources\": [";
  for (int i = 0; i < 1000; ++i) text += std::string(i ? "," : "") + "{\"name\": \"\\u0000\"}";
  text += "]}";
  auto r = Check({{"ca.json", text}});
  EXPECT_EQ(r.ErrorCount(), 51u);
  EXPECT_NE(All(r).find("ca.json: and 950 more strings that are not valid UTF-8 or hold control characters"),
            std::string::npos)
      << All(r).substr(0, 300);
}

TEST(Validator, TooLargeTextIsRefusedUnparsed) {
  auto r = Check({{"big.json", std::string(kMaxDirectoryFileBytes + 1, ' ')}});
  ASSERT_EQ(r.ErrorCount(), 1u);
  EXPECT_NE(All(r).find("big.json: larger than 8 MiB, the limit for one directory file"), std::string::npos) << All(r);
}

// A temporary directory that tests fill with files and symlinks.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/hl-validator-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  std::string operator/(const std::string& name) const { return (dir_ / name).string(); }
  std::string path() const { return dir_.string(); }
  void Write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }
  void Link(const std::string& name, const std::string& target) const {
    std::filesystem::create_symlink(target, dir_ / name);
  }

 private:
  std::filesystem::path dir_;
};

TEST(Validator, SymlinkLoopsAndEntriesThatAreNotFilesAreNamedNotThrown) {
  TempDir dir;
  dir.Write("ca.json", File());
  dir.Link("loop.json", "loop.json");
  dir.Link("a.json", "b.json");
  dir.Link("b.json", "a.json");
  dir.Link("gone.json", "nowhere.json");
  dir.Link("up.json", "..");  // a symlink to a directory that contains this one
  std::filesystem::create_directory(dir / "sub.json");
  dir.Link("ignored", "ignored");  // not *.json: not read, as before
  Validator v(ValidatorOptions{365, "2026-11-25"});
  auto r = v.ValidatePaths({dir.path()});
  const std::string all = All(r);
  EXPECT_NE(all.find((dir / "loop.json") + ": symlink loop (too many levels of symbolic links)"), std::string::npos)
      << all;
  EXPECT_NE(all.find((dir / "a.json") + ": symlink loop"), std::string::npos) << all;
  EXPECT_NE(all.find((dir / "b.json") + ": symlink loop"), std::string::npos) << all;
  EXPECT_NE(all.find((dir / "gone.json") + ": broken symlink"), std::string::npos) << all;
  EXPECT_NE(all.find((dir / "up.json") + ": is a directory, not a *.json file"), std::string::npos) << all;
  EXPECT_NE(all.find((dir / "sub.json") + ": is a directory"), std::string::npos) << all;
  EXPECT_EQ(all.find("ignored"), std::string::npos) << all;
  EXPECT_EQ(r.ErrorCount(), 6u) << all;
  ASSERT_EQ(r.resources.size(), 1u) << "the good file is still read";

  // A loop given as the path itself.
  auto direct = v.ValidatePaths({dir / "loop.json"});
  EXPECT_NE(All(direct).find((dir / "loop.json") + ": cannot read the file: Too many levels of symbolic links"),
            std::string::npos)
      << All(direct);
}

TEST(Validator, HugeFilesAreNotReadWhole) {
  TempDir dir;
  { std::ofstream(dir / "huge.json"); }
  std::filesystem::resize_file(dir / "huge.json", std::uintmax_t{1} << 32);  // 4 GiB, sparse
  Validator v;
  auto r = v.ValidatePaths({dir.path()});
  ASSERT_EQ(r.ErrorCount(), 1u) << All(r);
  EXPECT_NE(All(r).find((dir / "huge.json") + ": larger than 8 MiB"), std::string::npos) << All(r);
  // Devices that never end are bounded too.
  auto zero = v.ValidatePaths({"/dev/zero"});
  EXPECT_NE(All(zero).find("/dev/zero: larger than 8 MiB"), std::string::npos) << All(zero);
}

TEST(Validator, ShippedDirectoryIsValid) {
  Validator v;
  auto r = v.ValidatePaths({std::string(HELPLINE_SOURCE_DIR) + "/data/directory"});
  EXPECT_TRUE(r.ok()) << All(r);
  EXPECT_GE(r.files.size(), 7u);
  EXPECT_GE(r.resources.size(), 20u);
  for (const auto& d : r.diagnostics) {
    EXPECT_NE(d.message.find("is unconfirmed"), std::string::npos)
        << "only unconfirmed warnings expected: " << d.ToString();
  }
}

}  // namespace
}  // namespace helpline::directory
