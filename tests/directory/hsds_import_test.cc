#include "directory/hsds_import.h"

#include <gtest/gtest.h>

#include <optional>

#include "directory/json_codec.h"
#include "tests/directory/validation_text.h"

namespace helpline::directory {
namespace {

const std::string kDir = std::string(HELPLINE_SOURCE_DIR) + "/tests/directory/fixtures/hsds/";

HsdsOptions Ontario() { return HsdsOptions{"CA-ON", false, "2026-11-25"}; }

std::string Lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

const Resource* Named(const ValidationReport& r, std::string_view prefix) {
  for (const auto& res : r.resources) {
    if (res.name.rfind(prefix, 0) == 0) return &res;
  }
  return nullptr;
}

// Imports an Ontario package that must read and validate, with `services`
// read and `resources` written; nullopt (after saying why) otherwise.
std::optional<HsdsImport> ImportValid(const std::string& path, std::size_t services, std::size_t resources) {
  auto im = ImportHsds(path, Ontario());
  if (!im.ok()) {
    ADD_FAILURE() << im.status().ToString();
    return std::nullopt;
  }
  EXPECT_EQ(im->services, services);
  EXPECT_TRUE(im->validation.ok()) << testing::AllDiagnostics(im->validation);
  if (im->resources != resources) {
    ADD_FAILURE() << im->resources << " resources, not " << resources << "\n" << Lines(im->unmapped);
    return std::nullopt;
  }
  return std::move(*im);
}

TEST(HsdsImport, JsonServicesBecomeSitesAndServicesAndTheRestIsReported) {
  auto imported = ImportHsds(kDir + "services.json", Ontario());
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  const HsdsImport& im = *imported;
  EXPECT_EQ(im.services, 4u);
  EXPECT_EQ(im.resources, 3u) << Lines(im.unmapped);
  EXPECT_TRUE(im.validation.ok()) << testing::AllDiagnostics(im.validation) << im.json;

  const Resource* site = Named(im.validation, "Take-home naloxone (Queen West)");
  ASSERT_NE(site, nullptr) << im.json;
  EXPECT_TRUE(site->IsSite());
  EXPECT_EQ(site->categories, std::vector<Category>{Category::kNaloxone});
  EXPECT_EQ(site->status, ResourceStatus::kUnconfirmed) << "a feed's word alone is not a confirmation";
  EXPECT_EQ(site->address->postal_code, "M5H 2N2");
  EXPECT_EQ(site->address->region, "CA-ON");
  EXPECT_EQ(site->coordinates->precision, CoordinatePrecision::kAddress);
  EXPECT_EQ(site->hours, "Mo,Tu,We,Th,Fr 09:00-17:00");
  ASSERT_EQ(site->channels.size(), 1u) << "the fax is not mapped";
  EXPECT_EQ(site->channels[0].value, "+14165550142");
  EXPECT_EQ(site->languages, (std::vector<std::string>{"en", "fr"}));
  EXPECT_EQ(site->verified, "2026-11-20");
  EXPECT_EQ(site->description, "Free naloxone kits and training, no appointment.");
  EXPECT_EQ(site->id.rfind("ca-on-hsds-take-home-naloxone-", 0), 0u) << site->id;

  const Resource* line = Named(im.validation, "Withdrawal management line");
  ASSERT_NE(line, nullptr);
  EXPECT_FALSE(line->IsSite());
  EXPECT_EQ(line->categories, std::vector<Category>{Category::kDetox});
  EXPECT_EQ(line->hours, "24/7");

  const Resource* old = Named(im.validation, "Old harm reduction site");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->status, ResourceStatus::kRetired);
  EXPECT_EQ(old->address->region, "CA-ON") << "'Ontario' read as a name";

  const std::string unmapped = Lines(im.unmapped);
  EXPECT_NE(unmapped.find("services.json: /0/service_at_locations/0/phones/1: phone type 'fax' not mapped"),
            std::string::npos)
      << unmapped;
  EXPECT_NE(unmapped.find("services.json: /0/service_at_locations/1/location: location of 'Take-home naloxone' has "
                          "no coordinates"),
            std::string::npos)
      << unmapped;
  EXPECT_NE(unmapped.find("services.json: /2: service 'Community food bank' not mapped: no category we serve"),
            std::string::npos)
      << unmapped;

  // Stable: the same feed gives the same file.
  auto again = ImportHsds(kDir + "services.json", Ontario());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->json, im.json);
}

TEST(HsdsImport, TrustedFeedsStayActive) {
  HsdsOptions o = Ontario();
  o.trusted = true;
  auto im = ImportHsds(kDir + "services.json", o);
  ASSERT_TRUE(im.ok());
  EXPECT_EQ(Named(im->validation, "Take-home naloxone")->status, ResourceStatus::kActive);
}

TEST(HsdsImport, TabularPackageWithQuotedCsv) {
  auto im = ImportValid(kDir + "tabular", 2, 1);
  ASSERT_TRUE(im);
  const Resource& r = im->validation.resources[0];
  EXPECT_EQ(r.description, "Supervised consumption, naloxone and referrals, \"walk in\"");
  EXPECT_EQ(r.categories, (std::vector<Category>{Category::kNaloxone, Category::kOverdosePrevention}));
  ASSERT_EQ(r.channels.size(), 2u);
  EXPECT_EQ(r.channels[1].kind, ChannelKind::kSms);
  EXPECT_EQ(r.hours, "Mo,Tu,We,Th,Fr,Sa,Su 10:00-22:00");
  EXPECT_EQ(r.address->street, "277 Victoria St");
  EXPECT_NE(Lines(im->unmapped).find("services.csv:3: service 'Youth drop-in' not mapped: no category we serve"),
            std::string::npos)
      << Lines(im->unmapped);
  // The same package through its datapackage.json.
  auto same = ImportHsds(kDir + "tabular/datapackage.json", Ontario());
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->json, im->json);
}

// The CSV reader unquotes fields in place (rows are views into the text):
// CRLF, a quoted newline (later rows keep their own line numbers), a blank
// line, text after a closing quote, a stray carriage return, quotes inside
// an unquoted field, and a column named twice (the later value wins).
TEST(HsdsImport, CsvEdgesReadAsTheyAreWritten) {
  auto im = ImportValid(kDir + "tabular-edges", 3, 2);
  ASSERT_TRUE(im);

  const Resource* kits = Named(im->validation, "Naloxone \"kits\"");
  ASSERT_NE(kits, nullptr) << im->json;
  EXPECT_EQ(kits->name, "Naloxone \"kits\" (Queen St)") << "the second 'name' column wins";
  EXPECT_EQ(kits->description, kits->name) << "no description: the name stands in";
  EXPECT_EQ(kits->source, "HSDS feed: services.csv:2");
  EXPECT_EQ(kits->address->postal_code, "M5B 1W2");
  ASSERT_EQ(kits->channels.size(), 1u);
  EXPECT_EQ(kits->channels[0].value, "+14165550150");

  const Resource* van = Named(im->validation, "Harm reduction van");
  ASSERT_NE(van, nullptr) << im->json;
  EXPECT_EQ(van->description, "Needles, sharps");
  EXPECT_EQ(van->source, "HSDS feed: services.csv:6") << "after a quoted newline and a blank line";
  EXPECT_EQ(van->address->region, "CA-ON");
  EXPECT_EQ(van->address->country, "CA");
  ASSERT_EQ(van->channels.size(), 1u);
  EXPECT_EQ(van->channels[0].kind, ChannelKind::kVoice);

  EXPECT_EQ(Lines(im->unmapped), "services.csv:5: service 'Drop\"\"in' not mapped: no category we serve\n");
}

TEST(HsdsImport, BrokenInputsAreErrorsNamingFileAndPlace) {
  auto json = ImportHsds(kDir + "broken.json", Ontario());
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("broken.json: malformed JSON"), std::string::npos) << json.status().ToString();
  auto csv = ImportHsds(kDir + "broken-csv", Ontario());
  ASSERT_FALSE(csv.ok());
  EXPECT_NE(csv.status().message().find("services.csv:2: a quoted field is never closed"), std::string::npos)
      << csv.status().ToString();
  EXPECT_FALSE(ImportHsds(kDir + "missing.json", Ontario()).ok());
  EXPECT_FALSE(ImportHsds(kDir + "services.json", HsdsOptions{"CA-XX", false, ""}).ok());
}

TEST(HsdsImport, ValuesTheValidatorRefusesAreReportedWithTheirPointer) {
  auto im = ImportHsds(kDir + "swapped.json", Ontario());
  ASSERT_TRUE(im.ok()) << im.status().ToString();
  EXPECT_FALSE(im->validation.ok());
  EXPECT_NE(testing::AllDiagnostics(im->validation)
                .find("ca-on-hsds.json: /resources/0/coordinates: (-79.390000, "
                      "43.640000) is not in CA"),
            std::string::npos)
      << testing::AllDiagnostics(im->validation);
}

}  // namespace
}  // namespace helpline::directory
