#include "daemon/engine/region_resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/text_normalize.h"
#include "daemon/engine/places.h"
#include "directory/regions.h"

namespace helpline::engine {
namespace {

// The region the message states ("" for none), for a US sender unless told.
std::string Stated(std::string_view text, std::string_view sender_country = "US") {
  const RegionResolver resolver("US");
  const std::vector<Token> tokens = Tokenize(text);
  std::vector<bool> used(tokens.size(), false);
  return resolver.FromMessage(tokens, used, sender_country).value_or("");
}

struct Case {
  std::string_view text;
  std::string_view region;  // "" = states no region
};

void ExpectAll(const std::vector<Case>& cases) {
  for (const Case& c : cases) EXPECT_EQ(Stated(c.text), c.region) << '"' << c.text << '"';
}

using directory::Jurisdictions;  // every US state, DC, Puerto Rico, every province and territory

TEST(RegionResolverNames, EveryJurisdictionIsFoundByItsNameInEnglishFrenchAndSpanish) {
  EXPECT_EQ(Jurisdictions().size(), 50u + 1u + 1u + 13u);
  for (const auto* r : Jurisdictions()) {
    for (std::string_view name : {r->name_en, r->name_fr, r->name_es}) {
      const std::string written(name);
      EXPECT_EQ(Stated("help in " + written), r->code) << written;
      EXPECT_EQ(Stated("necesito ayuda en " + written + " por favor"), r->code) << written;
      // Without accents, capitals or hyphens: "colombie britannique", "nuevo mexico".
      EXPECT_EQ(Stated("aide " + FoldText(written)), r->code) << FoldText(written);
    }
  }
}

// Codes that are everyday words ("me", "in", "or", "la"...) never count alone.
constexpr std::string_view kWordCodes[] = {"DE", "HI", "ID", "IN", "LA", "ME", "OH", "OK", "OR"};

TEST(RegionResolverNames, EveryJurisdictionWhoseCodeIsNoWordIsFoundByItsCodeInCapitals) {
  for (const auto* r : Jurisdictions()) {
    const std::string code(r->code.substr(3));
    if (std::find(std::begin(kWordCodes), std::end(kWordCodes), code) != std::end(kWordCodes)) continue;
    EXPECT_EQ(Stated("help " + code), r->code) << code;
    EXPECT_EQ(Stated("I need narcan in " + code + " please"), r->code) << code;
  }
}

TEST(RegionResolverNames, CodesThatAreWordsCountOnlyInCapitalsAfterACity) {
  ExpectAll({
      {"help DE", ""},
      {"help HI", ""},
      {"help ID", ""},
      {"help IN", ""},
      {"help LA", ""},
      {"help ME", ""},
      {"help OH", ""},
      {"help OK", ""},
      {"help OR", ""},
      {"Rehoboth Beach DE", "US-DE"},
      {"Honolulu HI", "US-HI"},
      {"Boise ID", "US-ID"},
      {"Indianapolis IN", "US-IN"},
      {"New Orleans LA", "US-LA"},
      {"Portland ME", "US-ME"},
      {"Columbus OH", "US-OH"},
      {"Tulsa OK", "US-OK"},
      {"Salem OR", "US-OR"},
  });
}

TEST(RegionResolverNames, NamesWithoutAccentsOrHyphensAreFound) {
  ExpectAll({
      {"Colombie Britannique", "CA-BC"},
      {"colombie-britannique", "CA-BC"},
      {"Nuevo Mexico", "US-NM"},
      {"nuevo méxico", "US-NM"},
      {"Terre Neuve", "CA-NL"},
      {"terre-neuve", "CA-NL"},
      {"Terre-Neuve-et-Labrador", "CA-NL"},
      {"ile du prince edouard", "CA-PE"},
      {"Nouvelle Ecosse", "CA-NS"},
      {"Quebec", "CA-QC"},
      {"Québec", "CA-QC"},
      {"Nouveau Brunswick", "CA-NB"},
      {"territoires du nord ouest", "CA-NT"},
      {"Virginie Occidentale", "US-WV"},
      {"Caroline du Nord", "US-NC"},
      {"Carolina del Sur", "US-SC"},
      {"Columbia Britanica", "CA-BC"},
      {"Oregon", "US-OR"},
      {"Hawai'i", "US-HI"},
      {"Pensilvania", "US-PA"},
      {"Misisipi", "US-MS"},
  });
}

TEST(RegionResolverNames, ShortFormsPeopleTextAreFound) {
  ExpectAll({
      {"PEI", "CA-PE"},
      {"pei", "CA-PE"},
      {"P.E.I.", "CA-PE"},
      {"Î.-P.-É.", "CA-PE"},
      {"NFLD", "CA-NL"},
      {"nfld", "CA-NL"},
      {"Newfoundland", "CA-NL"},
      {"Labrador", "CA-NL"},
      {"NWT", "CA-NT"},
      {"N.W.T.", "CA-NT"},
      {"TNO", "CA-NT"},
      {"Nvt", "CA-NU"},
      {"Calif.", "US-CA"},
      {"in cali", "US-CA"},
      {"Penna.", "US-PA"},
      {"help PENN", "US-PA"},
      {"Tenn.", "US-TN"},
      {"Mich.", "US-MI"},
      {"Minn.", "US-MN"},
      {"Wisc.", "US-WI"},
      {"Conn.", "US-CT"},
      {"Ariz.", "US-AZ"},
      {"Colo.", "US-CO"},
      {"Fla.", "US-FL"},
      {"Ind.", "US-IN"},
      {"Ky.", "US-KY"},
      {"Md.", "US-MD"},
      {"Neb.", "US-NE"},
      {"Nev.", "US-NV"},
      {"N.J.", "US-NJ"},
      {"N.M.", "US-NM"},
      {"N.Y.", "US-NY"},
      {"N.C.", "US-NC"},
      {"N.D.", "US-ND"},
      {"Okla.", "US-OK"},
      {"R.I.", "US-RI"},
      {"S.C.", "US-SC"},
      {"S.D.", "US-SD"},
      {"Vt.", "US-VT"},
      {"W.Va.", "US-WV"},
      {"WVa", "US-WV"},
      {"Wyo.", "US-WY"},
      {"Sask.", "CA-SK"},
      {"N.B.", "CA-NB"},
      {"N.S.", "CA-NS"},
      {"D.C.", "US-DC"},
      {"Washington, D.C.", "US-DC"},
      {"B.C.", "CA-BC"},
      {"help MASS", "US-MA"},
      {"help WASH", "US-WA"},
      {"help ORE", "US-OR"},
      {"help TEX", "US-TX"},
      {"help VA", "US-VA"},
      {"help MO", "US-MO"},
      {"help YUK", "CA-YT"},
      {"help MONT", "US-MT"},
      {"N Carolina", "US-NC"},
      {"s dakota", "US-SD"},
      {"Washington state", "US-WA"},
      {"EEUU", "US"},
      {"Newfoundland & Labrador", "CA-NL"},
  });
}

TEST(RegionResolverNames, ShortFormsThatAreEverydayWordsMoveNobody) {
  ExpectAll({
      {"I'm a man", ""},
      {"man I need help", ""},
      {"HELP MAN", ""},
      {"la la", ""},
      {"help la", ""},
      {"I'm ok", ""},
      {"I'M OK", ""},
      {"miss my mom", ""},
      {"I MISS HER", ""},
      {"mass", ""},
      {"there was a mass overdose", ""},
      {"I'm ill", ""},
      {"I'M ILL", ""},
      {"me", ""},
      {"help me", ""},
      {"HELP ME", ""},
      {"in or out", ""},
      {"hi", ""},
      {"oh no", ""},
      {"pa", ""},
      {"de nada", ""},
      {"que hago", ""},
      {"QUE HAGO", ""},
      {"qué hago", ""},
      {"me dieron de alta", ""},
      {"ME DIERON DE ALTA", ""},
      {"ils ont besoin d'aide", ""},
      {"ILS ONT BESOIN", ""},
      {"el hijo del vecino", ""},
      {"I need to wash my clothes", ""},
      {"Wash your hands", ""},
      {"tex me back", ""},
      {"ore", ""},
      {"yuk", ""},
      {"Mont Royal", ""},
      {"I looked everywhere", ""},
      {"partout", ""},
      {"en todas partes", ""},
      {"plan a or b", ""},
      {"I went to A.A. and N.A.", ""},
      {"he O.D.'d", ""},
      {"my son austin is using", ""},
      {"the mobile crisis team", ""},
      {"I'm in a bend", ""},
      {"alta", ""},
      {"I'M A MAN IN NEED OF HELP", ""},
      {"Cal", ""},
      {"I MISS MY MOM IN MASS", ""},
  });
}

TEST(RegionResolverNames, StreetsCountiesAndLakesAreNotWhereThePersonIs) {
  ExpectAll({
      {"I'm on Michigan Ave", ""},
      {"Georgia Avenue and 7th", ""},
      {"Montgomery County", ""},
      {"orange county", ""},
      {"Washington County", ""},
      {"Lake Erie", ""},
      {"rue Ontario", ""},
      {"calle Florida", ""},
      {"the Ohio River", ""},
      {"at Penn Station", ""},
      {"Lake Michigan", ""},
      // The county rule leaves the rest of the message alone.
      {"Washington County, Oregon", "US-OR"},
  });
}

// After an article or a possessive a two-letter code is a noun: "de la MD"
// is MDMA, "my MD" a doctor. A code read as a place still counts.
TEST(RegionResolverNames, ACodeAfterAnArticleOrAPossessiveIsANoun) {
  ExpectAll({
      {"ma copine a pris de la MD en soirée", ""},
      {"I need to see my MD about detox", ""},
      {"necesito un MD", ""},
      {"help in MD", "US-MD"},
      {"NARCAN MD", "US-MD"},
      {"detox near Baltimore MD", "US-MD"},
      {"the DC area", "US-DC"},
  });
}

TEST(RegionResolverCities, CitiesAreFoundInEnglishFrenchAndSpanish) {
  ExpectAll({
      {"narcan in vancouver", "CA-BC"},
      {"Montréal", "CA-QC"},
      {"aide à Montreal", "CA-QC"},
      {"ville de Québec", "CA-QC"},
      {"Quebec City", "CA-QC"},
      {"Trois-Rivières", "CA-QC"},
      {"trois rivieres", "CA-QC"},
      {"Saint-Jean-sur-Richelieu", "CA-QC"},
      {"St-Jérôme", "CA-QC"},
      {"Lévis", "CA-QC"},
      {"Val-d'Or", "CA-QC"},
      {"Gatineau", "CA-QC"},
      {"rehab near houston", "US-TX"},
      {"nueva orleans", "US-LA"},
      {"la Nouvelle-Orléans", "US-LA"},
      {"Filadelfia", "US-PA"},
      {"Los Ángeles", "US-CA"},
      {"L.A.", "US-CA"},
      {"new york city", "US-NY"},
      {"NYC", "US-NY"},
      {"the Bronx", "US-NY"},
      {"Coeur d'Alene", "US-ID"},
      {"Winston-Salem", "US-NC"},
      {"Sault Ste. Marie", "CA-ON"},
      {"St. Catharines", "CA-ON"},
      {"Iqaluit", "CA-NU"},
      {"Yellowknife", "CA-NT"},
      {"Whitehorse", "CA-YT"},
      {"Charlottetown", "CA-PE"},
      {"Halifax", "CA-NS"},
      {"San Juan", "US-PR"},
      {"Mayagüez", "US-PR"},
      {"Anchorage", "US-AK"},
  });
}

TEST(RegionResolverCities, StJohnsIsNewfoundlandAndSaintJohnIsNewBrunswick) {
  ExpectAll({
      {"St. John's", "CA-NL"},
      {"st johns", "CA-NL"},
      {"Saint John's", "CA-NL"},
      {"St John’s", "CA-NL"},
      {"Saint John", "CA-NB"},
      {"st. john", "CA-NB"},
      {"Saint John, NB", "CA-NB"},
      {"Saint-Jean", ""},
      {"Saint-Jean NB", "CA-NB"},
      {"Saint-Jean, Nouveau-Brunswick", "CA-NB"},
      {"Saint-Jean de Terre-Neuve", "CA-NL"},
  });
}

TEST(RegionResolverCities, ANameSeveralStatesShareGoesToTheLargestOrNowhere) {
  ExpectAll({
      {"portland", "US-OR"},
      {"columbus", "US-OH"},
      {"kansas city", "US-MO"},
      {"newark", "US-NJ"},
      {"burlington", "CA-ON"},
      {"springfield", ""},
      {"richmond", ""},
      {"london", ""},
      {"kingston", ""},
      {"wilmington", ""},
      {"rochester", ""},
      {"hamilton", ""},
  });
}

TEST(RegionResolverCities, AStateWrittenAfterACityIsTheOneMeant) {
  ExpectAll({
      {"Portland, Maine", "US-ME"},
      {"Portland ME", "US-ME"},
      {"Portland OR", "US-OR"},
      {"Vancouver WA", "US-WA"},
      {"Vancouver, Washington", "US-WA"},
      {"Kansas City, Kansas", "US-KS"},
      {"Kansas City KS", "US-KS"},
      {"Kansas City, Mo.", "US-MO"},
      {"Springfield IL", "US-IL"},
      {"springfield ill", "US-IL"},
      {"Springfield, Mass.", "US-MA"},
      {"Springfield MO", "US-MO"},
      {"Richmond VA", "US-VA"},
      {"Richmond, BC", "CA-BC"},
      {"London, Ont.", "CA-ON"},
      {"london ontario", "CA-ON"},
      {"Hamilton ON", "CA-ON"},
      {"Dover DE", "US-DE"},
      {"Wilmington, Delaware", "US-DE"},
      {"Victoria BC", "CA-BC"},
      {"Regina, Sask.", "CA-SK"},
      {"New Orleans LA", "US-LA"},
      {"Boise ID", "US-ID"},
      {"Honolulu HI", "US-HI"},
  });
}

TEST(RegionResolverCities, ALowerCaseWordAfterACityDoesNotMoveIt) {
  ExpectAll({
      {"in miami or tampa", "US-FL"},
      {"portland or", "US-OR"},
      {"portland me", "US-OR"},
      {"en houston mi hijo", "US-TX"},
      {"dallas in a shelter", "US-TX"},
      {"à montréal on a besoin", "CA-QC"},
      {"en dallas me ayudaron", "US-TX"},
      {"I LIVE IN DALLAS IN A CAR NOW", "US-TX"},
      // After a name that says nothing alone, the same: only capitals make a code.
      {"richmond va", ""},
      {"Dover de la ciudad", ""},
      {"kingston on a bus", ""},
      {"springfield mo", ""},
  });
}

TEST(RegionResolverCities, CitiesThatAreFirstNamesOrWordsAreNotPlaces) {
  ExpectAll({
      {"my son austin", ""},
      {"charlotte is using", ""},
      {"phoenix", ""},
      {"regina", ""},
      {"victoria", ""},
      {"madison", ""},
      {"mobile", ""},
      {"reading", ""},
  });
}

TEST(RegionResolverCodes, CaIsCanadaForACanadianSenderAndCaliforniaOtherwise) {
  EXPECT_EQ(Stated("HELP CA", "CA"), "CA");
  EXPECT_EQ(Stated("HELP CA", "US"), "US-CA");
  EXPECT_EQ(Stated("HELP CA", ""), "US-CA");
  EXPECT_EQ(Stated("help ca", "CA"), "");
}

TEST(RegionResolverCodes, InitialsCountOnlyInCapitals) {
  ExpectAll({{"N.B.", "CA-NB"}, {"n.b. I need help", ""}, {"N.Y.", "US-NY"}, {"O.K.", ""}, {"I.D.", ""}});
}

TEST(RegionResolverCodes, TheTokensARegionUsesAreMarked) {
  const RegionResolver resolver;
  const std::vector<Token> tokens = Tokenize("need narcan in Portland, Maine now");
  std::vector<bool> used(tokens.size(), false);
  EXPECT_EQ(resolver.FromMessage(tokens, used, "US"), "US-ME");
  EXPECT_EQ(used, (std::vector<bool>{false, false, false, true, true, false}));

  const std::vector<Token> shared = Tokenize("springfield help");
  std::vector<bool> unused(shared.size(), false);
  EXPECT_EQ(resolver.FromMessage(shared, unused, "US"), std::nullopt);
  EXPECT_EQ(unused, (std::vector<bool>{false, false}));  // "springfield" alone took nothing
}

// --- Fallback: what the number says when the message says nothing.

ResolvedRegion Fallback(std::string_view from, ProviderHints hints = {}, std::string_view remembered = "") {
  return RegionResolver("US").Fallback(remembered, from, hints);
}

using Regions = std::vector<std::string>;

TEST(RegionResolverFallback, ASharedAreaCodeGivesTheCountryAndTheCandidatesNeverAGuess) {
  struct Row {
    std::string_view from;
    ResolvedRegion expected;
  };
  const Row rows[] = {
      {"+19025550123", {"CA", RegionSource::kNumber, Regions{"CA-NS", "CA-PE"}}},
      {"+17825550123", {"CA", RegionSource::kNumber, Regions{"CA-NS", "CA-PE"}}},
      {"+18675550123", {"CA", RegionSource::kNumber, Regions{"CA-NT", "CA-NU", "CA-YT"}}},
      {"+15065550123", {"CA-NB", RegionSource::kNumber, Regions{}}},  // New Brunswick alone
      {"+17095550123", {"CA-NL", RegionSource::kNumber, Regions{}}},
      {"+14185550123", {"CA-QC", RegionSource::kNumber, Regions{}}},
      {"+15815550123", {"CA-QC", RegionSource::kNumber, Regions{}}},
      {"+16045550123", {"CA-BC", RegionSource::kNumber, Regions{}}},
      {"+12125550123", {"US-NY", RegionSource::kNumber, Regions{}}},
      {"+18005550123", {"US", RegionSource::kDefault, Regions{}}},
  };
  for (const Row& r : rows) EXPECT_EQ(Fallback(r.from), r.expected) << r.from;
}

ProviderHints Hints(std::string_view state, std::string_view zip, std::string_view country) {
  ProviderHints hints;
  hints.from_state = state;
  hints.from_zip = zip;
  hints.from_country = country;
  return hints;
}

TEST(RegionResolverFallback, AnythingMoreSpecificThanASharedCodeWins) {
  EXPECT_EQ(Fallback("+19025550123", {}, "CA-PE"), (ResolvedRegion{"CA-PE", RegionSource::kRemembered, {}}));
  EXPECT_EQ(Fallback("+19025550123", Hints("PE", "", "CA")),
            (ResolvedRegion{"CA-PE", RegionSource::kProviderHint, {}}));
  EXPECT_EQ(Fallback("+18675550123", Hints("", "X1A 2B3", "")),
            (ResolvedRegion{"CA-NT", RegionSource::kProviderHint, {}}));
  // A country hint says less than the number's candidates.
  EXPECT_EQ(Fallback("+19025550123", Hints("", "", "CA")),
            (ResolvedRegion{"CA", RegionSource::kNumber, Regions{"CA-NS", "CA-PE"}}));
}

TEST(RegionResolverFallback, TheSenderOfASharedCodeIsCanadian) {
  const RegionResolver resolver;
  EXPECT_EQ(resolver.SenderCountry("+19025550123", {}), "CA");
  EXPECT_EQ(resolver.SenderCountry("+18675550123", {}), "CA");
}

// Word-like cities (places.cc, rule 5): a place where the words around say so.
std::string StatedBesideKeyword(std::string_view text, std::size_t keyword_token) {
  const RegionResolver resolver("US");
  const std::vector<Token> tokens = Tokenize(text);
  std::vector<bool> used(tokens.size(), false);
  used.at(keyword_token) = true;  // as the engine marks a keyword it matched
  return resolver.FromMessage(tokens, used, "US").value_or("");
}

TEST(RegionResolverWordLikeCities, CountAfterAWordSayingWhere) {
  ExpectAll({
      {"where can i get narcan in phoenix", "US-AZ"},
      {"rehab near austin", "US-TX"},
      {"detox around orlando please", "US-FL"},
      {"i live in madison and need help", "US-WI"},
      {"necesito ayuda en phoenix", "US-AZ"},
      {"clinica cerca de austin", "US-TX"},
      {"aide près de victoria", "CA-BC"},
      {"un site d'injection près de regina", "CA-SK"},
      {"help in jackson", "US-MS"},
      {"in charlotte nc", "US-NC"},
      {"naloxone in lincoln ne", "US-NE"},
      // The state written after it wins, as after any city.
      {"in jackson tennessee", "US-TN"},
  });
}

TEST(RegionResolverWordLikeCities, NamesOfPeopleAndWordsStayThat) {
  ExpectAll({
      {"my son austin is using", ""},
      {"charlotte is my sister and she drinks", ""},
      {"talked to madison about rehab", ""},
      {"phoenix", ""},  // a name alone is not a request
      {"my friend jackson needs help", ""},
      {"rising like a phoenix", ""},
      {"a text from austin", ""},
      {"je parle à charlotte", ""},
  });
}

TEST(RegionResolverWordLikeCities, CountBesideNothingButKeywords) {
  EXPECT_EQ(StatedBesideKeyword("NARCAN PHOENIX", 0), "US-AZ");
  EXPECT_EQ(StatedBesideKeyword("help orlando", 0), "US-FL");
  EXPECT_EQ(StatedBesideKeyword("austin detox", 1), "US-TX");
  EXPECT_EQ(StatedBesideKeyword("help my son austin", 0), "");  // "my son" is not a keyword
}

TEST(RegionResolverWordLikeCities, EachIsLargeAndClearlyTheLargestNamesake) {
  // data/geo/cities.tsv: GeoNames places of 1,000 people or more in the US and Canada.
  std::ifstream in(std::string(HELPLINE_SOURCE_DIR) + "/data/geo/cities.tsv");
  ASSERT_TRUE(in) << "data/geo/cities.tsv";
  std::map<std::string, std::vector<std::pair<long, std::string>>> by_name;  // folded name -> (population, region)
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      f.push_back(line.substr(start, tab - start));
    }
    f.push_back(line.substr(start));
    ASSERT_EQ(f.size(), 5u) << line;
    by_name[FoldText(f[0])].emplace_back(std::stol(f[4]), f[1]);
  }
  ASSERT_FALSE(WordLikePlaces().empty());
  for (const Place& p : WordLikePlaces()) {
    auto it = by_name.find(std::string(p.name));
    ASSERT_NE(it, by_name.end()) << p.name;
    auto namesakes = it->second;
    std::sort(namesakes.rbegin(), namesakes.rend());
    EXPECT_EQ(namesakes[0].second, p.region) << p.name << " is largest in another region";
    EXPECT_GE(namesakes[0].first, 50000) << p.name;
    if (namesakes.size() > 1) {
      EXPECT_GE(namesakes[0].first, 2 * namesakes[1].first) << p.name;
    }
    EXPECT_FALSE(RegionForPlace(p.name)) << p.name << " counts anywhere already";
  }
}

TEST(RegionResolverCityList, ReadsACityOnlyAfterALocativeWordOrAlone) {
  const RegionResolver resolver("US");
  std::vector<std::string> asked;
  const RegionResolver::CityLookup lookup = [&](std::string_view name, bool alone) -> std::optional<std::string> {
    asked.push_back(std::string(name) + (alone ? " (alone)" : ""));
    if (name == "compton") return std::string("US-CA");
    if (name == "east palo alto") return std::string("US-CA");
    return std::nullopt;
  };
  const auto read = [&](std::string_view text) {
    const std::vector<Token> tokens = Tokenize(text);
    std::vector<bool> used(tokens.size(), false);
    return resolver.FromCityList(tokens, used, lookup);
  };
  EXPECT_EQ(read("narcan in compton"), "US-CA");
  EXPECT_EQ(read("Compton"), "US-CA");
  EXPECT_EQ(read("ayuda cerca de East Palo Alto"), "US-CA") << "the longest name first";
  asked.clear();
  EXPECT_EQ(read("my cousin compton is using"), std::nullopt) << "no locative word: a name, not a place";
  EXPECT_TRUE(asked.empty()) << "nothing is looked up where no place is meant";
  EXPECT_EQ(read("in compton street"), std::nullopt) << "a street named after it";
  asked.clear();
  EXPECT_EQ(read("compton"), "US-CA");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], "compton (alone)");
}

}  // namespace
}  // namespace helpline::engine
