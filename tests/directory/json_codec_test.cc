#include "directory/json_codec.h"

#include <gtest/gtest.h>

namespace helpline::directory {
namespace {

Resource Sample() {
  Resource r;
  r.id = "ca-naloxone-finder";
  r.name = "Naloxone Finder";
  r.description = "Find a pharmacy with \"naloxone\".";
  r.categories = {Category::kNaloxone, Category::kTextLine};
  r.regions = {"CA"};
  r.languages = {"en", "fr"};
  r.channels = {{ChannelKind::kVoice, "+18556626605", "", "", "", ""},
                {ChannelKind::kSms, "247247", "", "CONNEX", "pharmacies", "24/7"}};
  r.hours = "24/7";
  r.priority = 75;
  r.source = "doc";
  r.verified = "2026-11-24";
  r.status = ResourceStatus::kUnconfirmed;
  r.notes = "confirm scope";
  r.translations["fr"] = {"Trouver de la naloxone", ""};
  r.channels[1].label_translations = {{"fr", "pharmacies"}, {"es", "farmacias"}};
  return r;
}

TEST(JsonCodec, CanonicalJsonRoundTripsEveryField) {
  Resource r = Sample();
  r.coordinates = Coordinates{49.28, -123.12, CoordinatePrecision::kCity};
  r.address = Address{"1 Main St", "Vancouver", "CA-BC", "V6B 1A1", "CA"};
  r.kind = ResourceKind::kInfo;
  r.aliases = {{"en", {"naloxone finder", "narcan finder"}}, {"fr", {"trouver naloxone"}}};
  auto back = ResourceFromJson(ToCanonicalJson(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
}

TEST(JsonCodec, LabelTranslationsAreWrittenSortedByLanguageAndOnlyWhenPresent) {
  const std::string json = ToCanonicalJson(Sample());
  EXPECT_NE(json.find(R"("label":"pharmacies","label_translations":{"es":"farmacias","fr":"pharmacies"},"hours")"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("label_translations", json.find("label_translations") + 1), std::string::npos)
      << "only the channel that has them: " << json;
}

TEST(JsonCodec, CanonicalJsonHasFixedFieldOrderAndOmitsEmptyOptionals) {
  Resource r = Sample();
  r.notes.clear();
  r.translations.clear();
  r.channels[1].label_translations.clear();
  std::string json = ToCanonicalJson(r);
  EXPECT_EQ(json.rfind("{\"id\":\"ca-naloxone-finder\",\"name\":", 0), 0u) << json;
  EXPECT_EQ(json.find("notes"), std::string::npos);
  EXPECT_EQ(json.find("translations"), std::string::npos);
  EXPECT_EQ(json.find("coordinates"), std::string::npos);
  EXPECT_NE(json.find("\\\"naloxone\\\""), std::string::npos) << "quotes must be escaped: " << json;
  EXPECT_EQ(json.find(R"("kind":"service")"), std::string::npos) << "a service is the default kind: " << json;
  EXPECT_EQ(json.find("aliases"), std::string::npos);
}

TEST(JsonCodec, InfoKindAndAliasesAreWrittenInTheirPlaceSortedByLanguage) {
  Resource r = Sample();
  r.kind = ResourceKind::kInfo;
  r.aliases = {{"fr", {"trouver naloxone"}}, {"en", {"naloxone finder"}}};
  const std::string json = ToCanonicalJson(r);
  EXPECT_EQ(json.rfind(R"({"id":"ca-naloxone-finder","kind":"info","name":)", 0), 0u) << json;
  EXPECT_NE(json.find(R"("aliases":{"en":["naloxone finder"],"fr":["trouver naloxone"]}})"), std::string::npos)
      << "aliases come last, by language: " << json;
}

TEST(JsonCodec, DigestDependsOnContentOnly) {
  std::vector<Resource> a = {Sample()};
  std::vector<Resource> b = {Sample()};
  EXPECT_EQ(ContentDigest(a), ContentDigest(b));
  EXPECT_EQ(ContentDigest(a).size(), 64u);
  b[0].priority = 76;
  EXPECT_NE(ContentDigest(a), ContentDigest(b));
}

TEST(JsonCodec, FieldsAsJsonListsEveryFieldInOrder) {
  auto fields = FieldsAsJson(Sample());
  ASSERT_EQ(fields.size(), 18u);
  EXPECT_EQ(fields[0].first, "id");
  EXPECT_EQ(fields[1].first, "kind");
  EXPECT_EQ(fields[1].second, "");
  EXPECT_EQ(fields[9].first, "priority");
  EXPECT_EQ(fields[9].second, "75");
  EXPECT_EQ(fields[13].first, "address");
  EXPECT_EQ(fields[14].first, "coordinates");
  EXPECT_EQ(fields[14].second, "");
  EXPECT_EQ(fields[17].first, "aliases");
}

TEST(JsonCodec, RejectsTextThatIsNotAResource) {
  EXPECT_FALSE(ResourceFromJson("not json").ok());
  EXPECT_FALSE(ResourceFromJson("[1,2]").ok());
  EXPECT_FALSE(ResourceFromJson("{\"name\":\"no id\"}").ok());
}

TEST(JsonCodec, DeeplyNestedStoredTextIsAnErrorNotAStackOverflow) {
  EXPECT_FALSE(ResourceFromJson(std::string(100000, '[')).ok());
  auto deep = ResourceFromJson("{\"id\":\"x\",\"notes\":" + std::string(100000, '[') + std::string(100000, ']') + "}");
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("nested more than 32 levels deep"), std::string::npos)
      << deep.status().message();
}

TEST(JsonCodec, StoredTextThatIsNotUtf8IsRefused) {
  EXPECT_FALSE(ResourceFromJson("{\"id\":\"x\",\"name\":\"a\xC3(b\"}").ok());
  EXPECT_FALSE(ResourceFromJson("{\"id\":\"x\",\"name\":\"\\udc00\"}").ok());
  auto fine = ResourceFromJson(
      "{\"id\":\"x\",\"name\":\"Aide m\xC3\xA9"
      "dicale \xF0\x9F\x9A\x91\"}");
  ASSERT_TRUE(fine.ok()) << fine.status().message();
  EXPECT_EQ(fine->name,
            "Aide m\xC3\xA9"
            "dicale \xF0\x9F\x9A\x91");
}

}  // namespace
}  // namespace helpline::directory
