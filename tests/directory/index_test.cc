#include "directory/index.h"

#include <gtest/gtest.h>

namespace helpline::directory {
namespace {

Resource Make(std::string id, std::string region, int priority, std::vector<std::string> langs = {"en"},
              Category c = Category::kNaloxone) {
  Resource r;
  r.id = std::move(id);
  r.regions = {std::move(region)};
  r.categories = {c};
  r.priority = priority;
  r.languages = std::move(langs);
  return r;
}

std::vector<std::string> Ids(const std::vector<const Resource*>& rs) {
  std::vector<std::string> out;
  for (const auto* r : rs) out.push_back(r->id);
  return out;
}

TEST(DirectoryIndex, ProvinceFallsBackToCountryThenEverywhereByPriority) {
  auto idx = DirectoryIndex::Build({Make("bc", "CA-BC", 70), Make("ca", "CA", 75), Make("world", "*", 30),
                                    Make("us", "US", 90), Make("on", "CA-ON", 99)},
                                   3);
  EXPECT_EQ(idx->version(), 3);
  EXPECT_EQ(Ids(idx->Lookup("CA-BC", Category::kNaloxone)), (std::vector<std::string>{"ca", "bc", "world"}));
  EXPECT_EQ(Ids(idx->Lookup("CA", Category::kNaloxone)), (std::vector<std::string>{"ca", "world"}));
  EXPECT_EQ(Ids(idx->Lookup("US-TX", Category::kNaloxone)), (std::vector<std::string>{"us", "world"}));
  EXPECT_EQ(Ids(idx->Lookup("*", Category::kNaloxone)), (std::vector<std::string>{"world"}));
  EXPECT_TRUE(idx->Lookup("CA-BC", Category::kDetox).empty());
}

TEST(DirectoryIndex, UnknownRegionIsLookedUpAsEverywhere) {
  auto idx = DirectoryIndex::Build({Make("ca", "CA", 75), Make("world", "*", 30)});
  EXPECT_EQ(Ids(idx->Lookup("ZZ-QQ", Category::kNaloxone)), (std::vector<std::string>{"world"}));
}

TEST(DirectoryIndex, EqualPriorityPrefersLanguageThenSpecificRegionThenId) {
  auto idx = DirectoryIndex::Build({Make("b-ca-en", "CA", 50), Make("a-ca-en", "CA", 50), Make("c-bc-en", "CA-BC", 50),
                                    Make("d-ca-fr", "CA", 50, {"fr", "en"})});
  EXPECT_EQ(Ids(idx->Lookup("CA-BC", Category::kNaloxone)),
            (std::vector<std::string>{"c-bc-en", "a-ca-en", "b-ca-en", "d-ca-fr"}));
  EXPECT_EQ(Ids(idx->Lookup("CA-BC", Category::kNaloxone, "fr")),
            (std::vector<std::string>{"d-ca-fr", "c-bc-en", "a-ca-en", "b-ca-en"}));
}

TEST(DirectoryIndex, LanguageNeverOutranksPriorityOrFiltersAnything) {
  auto idx = DirectoryIndex::Build({Make("911", "CA", 100, {"en"}), Make("fr-line", "CA", 70, {"fr"})});
  EXPECT_EQ(Ids(idx->Lookup("CA-QC", Category::kNaloxone, "fr")), (std::vector<std::string>{"911", "fr-line"}));
  EXPECT_EQ(Ids(idx->Lookup("CA-QC", Category::kNaloxone, "es")), (std::vector<std::string>{"911", "fr-line"}));
}

TEST(DirectoryIndex, ResourceListedAtSeveralLevelsAppearsOnce) {
  Resource r = Make("both", "CA", 60);
  r.regions = {"CA", "CA-BC"};
  auto idx = DirectoryIndex::Build({r});
  EXPECT_EQ(Ids(idx->Lookup("CA-BC", Category::kNaloxone)), (std::vector<std::string>{"both"}));
}

TEST(DirectoryIndex, RetiredResourcesAreFoundButNeverServed) {
  Resource old = Make("old", "CA", 99);
  old.status = ResourceStatus::kRetired;
  auto idx = DirectoryIndex::Build({old, Make("new", "CA", 10)});
  EXPECT_EQ(Ids(idx->Lookup("CA", Category::kNaloxone)), (std::vector<std::string>{"new"}));
  ASSERT_NE(idx->Find("old"), nullptr);
  EXPECT_EQ(idx->Find("missing"), nullptr);
  EXPECT_EQ(idx->Regions(), (std::vector<std::string>{"CA"}));
}

}  // namespace
}  // namespace helpline::directory

namespace helpline::directory {
namespace {

TEST(DirectoryIndex, LimitedLookupIsThePrefixOfTheFullLookup) {
  std::vector<Resource> rs;
  const char* regions[] = {"CA", "CA-BC", "*", "CA-ON"};
  const char* langs[] = {"en", "fr"};
  for (int i = 0; i < 300; ++i) {
    Resource r = Make("r" + std::to_string(1000 + i), regions[i % 4], (i * 37) % 11, {langs[i % 2]});
    if (i % 17 == 0) r.regions.push_back("CA");  // listed at two levels
    if (i % 5 == 0) r.categories.push_back(Category::kCrisis);
    rs.push_back(r);
  }
  auto idx = DirectoryIndex::Build(rs);
  for (const char* lang : {"", "en", "fr"}) {
    for (Category c : {Category::kNaloxone, Category::kCrisis}) {
      auto full = idx->Lookup("CA-BC", c, lang);
      for (std::size_t limit : {1u, 2u, 5u, 24u, 500u}) {
        auto part = idx->Lookup("CA-BC", c, lang, limit);
        ASSERT_EQ(part.size(), std::min(limit, full.size()));
        for (std::size_t i = 0; i < part.size(); ++i) EXPECT_EQ(part[i], full[i]) << lang << " limit " << limit;
      }
    }
  }
}

TEST(DirectoryIndex, AliasesNameResourcesByTheLongestMatchInAnyLanguage) {
  Resource poison = Make("poison", "US", 80);
  poison.aliases = {{"en", {"poison control", "poison control center"}}, {"es", {"línea de envenenamiento"}}};
  Resource nors = Make("nors", "CA", 80);
  nors.aliases = {{"en", {"NORS", "spotting line"}}, {"fr", {"ligne d'écoute de surdose"}}};
  Resource retired = Make("old", "CA", 80);
  retired.status = ResourceStatus::kRetired;
  retired.aliases = {{"en", {"naloxone finder"}}};
  auto idx = DirectoryIndex::Build({poison, nors, retired});
  auto find = [&](std::string_view text) {
    std::vector<std::string> out;
    for (const auto& m : idx->FindAliases(Tokenize(text))) {
      out.push_back(m.resource->id + "@" + std::to_string(m.first) + "+" + std::to_string(m.count));
    }
    return out;
  };
  EXPECT_EQ(find("call the Poison Control Center now"), (std::vector<std::string>{"poison@2+3"}));
  EXPECT_EQ(find("poison control or nors?"), (std::vector<std::string>{"poison@0+2", "nors@3+1"}));
  EXPECT_EQ(find("la linea de envenenamiento"), (std::vector<std::string>{"poison@1+3"})) << "accents are folded";
  EXPECT_EQ(find("ligne decoute de surdose svp"), (std::vector<std::string>{"nors@0+4"})) << "apostrophes too";
  EXPECT_TRUE(find("naloxone finder").empty()) << "retired resources are never named";
  EXPECT_TRUE(find("control poison").empty());
}

TEST(DirectoryIndex, AnAliasSharedBySeveralResourcesNamesEachOfThem) {
  Resource bc = Make("bc-811", "CA-BC", 80);
  bc.aliases = {{"en", {"811"}}};
  Resource on = Make("on-811", "CA-ON", 80);
  on.aliases = {{"en", {"811"}}};
  auto idx = DirectoryIndex::Build({bc, on});
  EXPECT_EQ(idx->FindAliases(Tokenize("811")).size(), 2u);
}

}  // namespace
}  // namespace helpline::directory
