#include "daemon/find_page.h"

#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "directory/geo.h"
#include "directory/index.h"
#include "directory/phone.h"
#include "directory/regions.h"
#include "directory/validator.h"

namespace helpline::daemon {
namespace {

using directory::Category;
using directory::Channel;
using directory::ChannelKind;
using directory::DirectoryIndex;
using directory::Resource;

bool Has(const std::string& html, const std::string& needle) { return html.find(needle) != std::string::npos; }

int CountOf(const std::string& html, const std::string& needle) {
  int n = 0;
  for (std::size_t at = html.find(needle); at != std::string::npos; at = html.find(needle, at + 1)) ++n;
  return n;
}

// Every href, src and action value inside the page's tags (escaped text
// such as "&lt;img src=x" is not a tag): whitespace, the name in any case,
// optional whitespace around '=', then a quoted or bare value. A plain
// scanner rather than std::regex: the shipped-directory test below checks
// thousands of pages, and the regex took most of its 17 CPU-seconds.
std::vector<std::string> Hrefs(const std::string& html) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  std::vector<std::string> out;
  for (std::size_t open = html.find('<'); open != std::string::npos; open = html.find('<', open + 1)) {
    const std::size_t close = html.find('>', open);
    if (close == std::string::npos) break;
    const std::string_view tag(html.data() + open, close - open + 1);
    for (std::size_t i = 0; i < tag.size(); ++i) {
      if (!space(tag[i])) continue;
      std::size_t j = i + 1;
      std::string name;
      while (j < tag.size() && std::isalpha(static_cast<unsigned char>(tag[j]))) name += lower(tag[j++]);
      if (name != "href" && name != "src" && name != "action") continue;
      while (j < tag.size() && space(tag[j])) ++j;
      if (j >= tag.size() || tag[j] != '=') continue;
      ++j;
      while (j < tag.size() && space(tag[j])) ++j;
      std::size_t end = j;
      const bool quoted = j < tag.size() && (tag[j] == '"' || tag[j] == '\'');
      if (quoted && tag.find(tag[j], j + 1) != std::string_view::npos) {
        end = tag.find(tag[j], j + 1);
        out.emplace_back(tag.substr(j + 1, end - j - 1));
      } else {
        // A bare value (or an unterminated quote: the value up to a space, its
        // first and last characters dropped, as quoted values lose theirs).
        while (end < tag.size() && !space(tag[end]) && tag[end] != '>') ++end;
        std::string_view v = tag.substr(j, end - j);
        if (quoted) v = v.size() >= 2 ? v.substr(1, v.size() - 2) : std::string_view{};
        out.emplace_back(v);
      }
      i = end;
    }
    open = close;
  }
  return out;
}

// http(s)://, tel:, sms: or mailto: (any case), with no '<', '>', '"' or '\''.
void ExpectOnlyAllowedSchemes(const std::string& html) {
  for (const auto& href : Hrefs(html)) {
    std::string head = href.substr(0, 8);
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool scheme = head.rfind("http://", 0) == 0 || head.rfind("https://", 0) == 0 || head.rfind("tel:", 0) == 0 ||
                        head.rfind("sms:", 0) == 0 || head.rfind("mailto:", 0) == 0;
    EXPECT_TRUE(scheme && href.find_first_of("<>\"'") == std::string::npos) << href;
  }
}

Channel Ch(ChannelKind kind, std::string value) {
  Channel c;
  c.kind = kind;
  c.value = std::move(value);
  return c;
}

Resource Make(std::string id, std::string region, Category c, int priority) {
  Resource r;
  r.id = std::move(id);
  r.name = "Line " + r.id;
  r.description = "Description of " + r.id + ".";
  r.regions = {std::move(region)};
  r.categories = {c};
  r.languages = {"en"};
  r.priority = priority;
  r.hours = "24/7";
  r.verified = "2026-11-24";
  r.source = "https://example.org/source";
  return r;
}

// A small directory: a BC naloxone line with every kind of channel, a
// Canada-wide crisis line, an unconfirmed US line, and hostile data.
std::shared_ptr<const DirectoryIndex> SmallIndex() {
  std::vector<Resource> rs;

  Resource bc = Make("bc-naloxone", "CA-BC", Category::kNaloxone, 80);
  bc.name = "BC Naloxone";
  bc.translations["es"] = {"Naloxona en BC", "Dónde conseguir naloxona en BC."};
  bc.translations["fr"] = {"Naloxone en C.-B.", "Où trouver de la naloxone en C.-B."};
  Channel voice = Ch(ChannelKind::kVoice, "+18006624357");
  voice.vanity = "1-800-662-HELP";
  Channel sms = Ch(ChannelKind::kSms, "247247");
  sms.keyword = "CONNEX";
  Channel tty = Ch(ChannelKind::kTty, "+18005551234");
  Channel chat = Ch(ChannelKind::kChat, "https://chat.example.org/start?x=1&y=2");
  Channel web = Ch(ChannelKind::kWeb, "https://example.org/naloxone");
  web.label = "map of pharmacies";
  Channel email = Ch(ChannelKind::kEmail, "help@example.org");
  bc.channels = {voice, sms, tty, chat, web, email};
  rs.push_back(bc);

  Resource ca = Make("ca-crisis", "CA", Category::kCrisis, 90);
  ca.channels = {Ch(ChannelKind::kVoice, "988")};
  rs.push_back(ca);

  Resource us = Make("us-naloxone", "US", Category::kNaloxone, 70);
  us.status = directory::ResourceStatus::kUnconfirmed;
  us.channels = {Ch(ChannelKind::kVoice, "+18556626605")};
  rs.push_back(us);

  Resource evil = Make("evil", "CA-ON", Category::kHarmReduction, 60);
  evil.name = "<script>alert('x')</script> & \"friends\"";
  evil.description = "<img src=x onerror=alert(1)>";
  evil.hours = "<b>always</b>";
  evil.source = "javascript:alert(1)";
  Channel bad_web = Ch(ChannelKind::kWeb, "javascript:alert(1)");
  Channel bad_chat = Ch(ChannelKind::kChat, "data:text/html,<script>alert(1)</script>");
  Channel quoted_web = Ch(ChannelKind::kWeb, "https://example.org/\"onmouseover=\"alert(1)");
  Channel bad_mail = Ch(ChannelKind::kEmail, "a@b.org?bcc=victim@example.org");
  Channel bad_phone = Ch(ChannelKind::kVoice, "javascript:alert(1)");
  Channel bad_sms = Ch(ChannelKind::kSms, "741741");
  bad_sms.keyword = "\"><script>&";
  evil.channels = {bad_web, bad_chat, quoted_web, bad_mail, bad_phone, bad_sms};
  rs.push_back(evil);

  Resource fact = Make("qc-naloxone-fact", "CA-QC", Category::kNaloxone, 80);
  fact.kind = directory::ResourceKind::kInfo;
  fact.name = "Naloxone in Quebec";
  fact.description = "In Quebec, naloxone is free at every pharmacy, no prescription.";
  fact.hours = "see website";
  fact.translations["fr"] = {"La naloxone au Québec", "Au Québec, la naloxone est gratuite en pharmacie."};
  fact.channels = {Ch(ChannelKind::kWeb, "https://www.example.qc.ca/naloxone/map")};
  rs.push_back(fact);

  Resource rumour = Make("qc-unconfirmed-fact", "CA-QC", Category::kNaloxone, 60);
  rumour.kind = directory::ResourceKind::kInfo;
  rumour.description = "Some community groups in Quebec hand out kits.";
  rumour.status = directory::ResourceStatus::kUnconfirmed;
  rs.push_back(rumour);

  return DirectoryIndex::Build(std::move(rs), 7);
}

std::shared_ptr<const DirectoryIndex> ShippedIndex() {
  static const std::shared_ptr<const DirectoryIndex> index = [] {
    directory::Validator validator;
    auto report = validator.ValidatePaths({std::string(HELPLINE_SOURCE_DIR) + "/data/directory"});
    EXPECT_TRUE(report.ok());
    return DirectoryIndex::Build(std::move(report.resources), 1);
  }();
  return index;
}

class FindPageTest : public ::testing::Test {
 protected:
  FindPage Render(std::string_view query) { return RenderFindPage(index_.get(), query, phones_); }

  directory::PhoneBook phones_;
  std::shared_ptr<const DirectoryIndex> index_ = SmallIndex();
};

TEST_F(FindPageTest, ResultsShowEveryChannelAsATappableLink) {
  FindPage p = Render("region=CA-BC&category=naloxone");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "<h3>BC Naloxone</h3>"));
  EXPECT_TRUE(Has(p.html, "Description of bc-naloxone."));
  // Voice: tel: with the E.164 value, shown NANP-style, vanity beside it.
  EXPECT_TRUE(Has(p.html, "href=\"tel:+18006624357\">Call 1-800-662-4357</a>"));
  EXPECT_TRUE(Has(p.html, "<span class=\"vanity\">1-800-662-HELP</span>"));
  // SMS: the keyword in the body and in the words.
  EXPECT_TRUE(Has(p.html, "href=\"sms:247247?&amp;body=CONNEX\">Text CONNEX to 247247</a>"));
  EXPECT_TRUE(Has(p.html, "href=\"tel:+18005551234\">TTY 1-800-555-1234</a>"));
  EXPECT_TRUE(
      Has(p.html, "href=\"https://chat.example.org/start?x=1&amp;y=2\">Chat: chat.example.org/start?x=1&amp;y=2"));
  EXPECT_TRUE(Has(p.html, "href=\"https://example.org/naloxone\">Website: example.org/naloxone</a>"));
  EXPECT_TRUE(Has(p.html, "<span class=\"label\">map of pharmacies</span>"));
  EXPECT_TRUE(Has(p.html, "href=\"mailto:help@example.org\">Email help@example.org</a>"));
  EXPECT_TRUE(Has(p.html, "Hours: 24/7"));
  EXPECT_TRUE(Has(p.html, "Languages: English"));
  EXPECT_TRUE(Has(p.html, "verified 2026-11-24"));
  EXPECT_TRUE(Has(p.html, "Source: <a class=\"src\" href=\"https://example.org/source\">"));
  EXPECT_TRUE(Has(p.html, "<footer>No cookies, no tracking. Directory version 7</footer>"));
  ExpectOnlyAllowedSchemes(p.html);
}

TEST_F(FindPageTest, ResultsIncludeTheCountryAsLookupDoes) {
  FindPage p = Render("region=CA-BC&category=crisis");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "<h3>Line ca-crisis</h3>"));
  EXPECT_TRUE(Has(p.html, "href=\"tel:988\">Call 988</a>"));
}

TEST_F(FindPageTest, ResourceTextIsEscapedEverywhere) {
  FindPage p = Render("region=CA-ON&category=harm_reduction");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "<h3>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;friends&quot;</h3>"));
  EXPECT_TRUE(Has(p.html, "&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_TRUE(Has(p.html, "&lt;b&gt;always&lt;/b&gt;"));
  EXPECT_FALSE(Has(p.html, "<script"));
  EXPECT_FALSE(Has(p.html, "<img"));
  EXPECT_FALSE(Has(p.html, "<b>"));
  EXPECT_FALSE(Has(p.html, "javascript:alert(1)\""));
  // Hostile links are shown as text, never as links.
  EXPECT_FALSE(Has(p.html, "href=\"javascript"));
  EXPECT_FALSE(Has(p.html, "href=\"data"));
  EXPECT_TRUE(Has(p.html, "Website: javascript:alert(1)"));
  EXPECT_TRUE(Has(p.html, "Email a@b.org?bcc=victim@example.org"));
  EXPECT_FALSE(Has(p.html, "mailto:a@b.org"));
  // A quote inside a URL stays inside the attribute.
  EXPECT_FALSE(Has(p.html, "\"onmouseover"));
  EXPECT_TRUE(Has(p.html, "&quot;onmouseover=&quot;alert(1)"));
  // An SMS keyword is percent-encoded in the URL and escaped in the words.
  EXPECT_TRUE(Has(p.html, "href=\"sms:741741?&amp;body=%22%3E%3Cscript%3E%26\""));
  EXPECT_TRUE(Has(p.html, "Text &quot;&gt;&lt;script&gt;&amp; to 741741"));
  ExpectOnlyAllowedSchemes(p.html);
}

TEST_F(FindPageTest, InjectedQueryValueIsNeverEchoedAndGives400) {
  for (const char* query : {"region=%3Cscript%3Ealert(1)%3C%2Fscript%3E&category=naloxone",
                            "region=<script>alert(1)</script>&category=naloxone",
                            "region=CA-BC&category=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                            "region=CA-BC&category=naloxone&lang=%22%3E%3Cscript%3E"}) {
    SCOPED_TRACE(query);
    FindPage p = Render(query);
    EXPECT_FALSE(Has(p.html, "<script")) << p.html;
    EXPECT_FALSE(Has(p.html, "alert(1)")) << p.html;
    EXPECT_FALSE(Has(p.html, "&lt;script")) << "query values are not echoed at all";
  }
  FindPage region = Render("region=%3Cscript%3E&category=naloxone");
  EXPECT_EQ(region.status, 400);
  EXPECT_TRUE(Has(region.html, "Unknown region"));
  EXPECT_TRUE(Has(region.html, "<form method=\"get\">"));
  FindPage category = Render("region=CA-BC&category=%3Cscript%3E");
  EXPECT_EQ(category.status, 400);
  EXPECT_TRUE(Has(category.html, "Unknown kind of help"));
  // The valid half stays selected.
  EXPECT_TRUE(Has(category.html, "<option value=\"CA-BC\" selected>British Columbia</option>"));
  // An unknown language is English, not an error.
  EXPECT_EQ(Render("region=CA-BC&category=naloxone&lang=%22%3E%3Cscript%3E").status, 200);
}

TEST_F(FindPageTest, HalfASearchIsAPreselectedFormAndMalformedParametersSayWhatIsWrong) {
  // A bookmarked link with one half: the form, preselected, asks for the other (not an error).
  FindPage no_category = Render("region=CA-BC");
  EXPECT_EQ(no_category.status, 200);
  EXPECT_TRUE(Has(no_category.html, "Choose a kind of help."));
  EXPECT_TRUE(Has(no_category.html, "<option value=\"CA-BC\" selected>"));
  EXPECT_FALSE(Has(no_category.html, "class=\"msg error\""));
  EXPECT_FALSE(Has(no_category.html, "<section>"));
  FindPage no_region = Render("category=naloxone");
  EXPECT_EQ(no_region.status, 200);
  EXPECT_TRUE(Has(no_region.html, "Choose a region, or enter a ZIP, postal code or city."));
  EXPECT_TRUE(Has(no_region.html, "<option value=\"naloxone\" selected>Naloxone</option>"));
  FindPage bad_half = Render("region=XX-YY");
  EXPECT_EQ(bad_half.status, 400);
  FindPage malformed = Render("region=%ZZ&category=naloxone");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_TRUE(Has(malformed.html, "malformed"));
}

TEST_F(FindPageTest, EmptyQueryShowsOnlyTheForm) {
  for (const char* query : {"", "lang=fr"}) {
    FindPage p = Render(query);
    EXPECT_EQ(p.status, 200);
    EXPECT_TRUE(Has(p.html, "<form method=\"get\">"));
    EXPECT_FALSE(Has(p.html, "<section>"));
    EXPECT_FALSE(Has(p.html, "class=\"msg error\""));
  }
}

TEST_F(FindPageTest, SpanishPageHasSpanishLabelsAndTranslatedResources) {
  FindPage p = Render("region=CA-BC&category=naloxone&lang=es");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "<html lang=\"es\">"));
  EXPECT_TRUE(Has(p.html, "<title>Encontrar ayuda</title>"));
  EXPECT_TRUE(Has(p.html, "Sobredosis o emergencia: llame al 911"));
  EXPECT_TRUE(Has(p.html, "<label for=\"region\">Región</label>"));
  EXPECT_TRUE(Has(p.html, "<button type=\"submit\">Buscar ayuda</button>"));
  EXPECT_TRUE(Has(p.html, "<option value=\"naloxone\" selected>Naloxona</option>"));
  EXPECT_TRUE(Has(p.html, "<option value=\"es\" selected>Español</option>"));
  EXPECT_TRUE(Has(p.html, "<h3>Naloxona en BC</h3>"));
  EXPECT_TRUE(Has(p.html, "Dónde conseguir naloxona en BC."));
  EXPECT_TRUE(Has(p.html, "Envíe CONNEX al 247247"));
  EXPECT_TRUE(Has(p.html, "Llamar al 1-800-662-4357"));
  EXPECT_TRUE(Has(p.html, "Horario: 24/7"));
  EXPECT_TRUE(Has(p.html, "Idiomas: inglés"));
  EXPECT_TRUE(Has(p.html, "verificado 2026-11-24"));
  EXPECT_FALSE(Has(p.html, "Find help"));
}

TEST_F(FindPageTest, FrenchPageUsesFrenchTranslationsAndRegionNames) {
  FindPage p = Render("region=CA-BC&category=naloxone&lang=fr");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "<html lang=\"fr\">"));
  EXPECT_TRUE(Has(p.html, "<h3>Naloxone en C.-B.</h3>"));
  EXPECT_TRUE(Has(p.html, "<option value=\"CA-BC\" selected>Colombie-Britannique</option>"));
  EXPECT_TRUE(Has(p.html, "Surdose ou urgence : appelez le 911"));
}

TEST_F(FindPageTest, EveryPageStartsWithTheEmergencyBanner) {
  for (const char* query :
       {"", "region=CA-BC&category=naloxone", "region=CA-BC&category=mental_health", "region=XX&category=naloxone"}) {
    SCOPED_TRACE(query);
    FindPage p = Render(query);
    const auto banner = p.html.find("<a class=\"sos-call\" href=\"tel:911\">Overdose or emergency: call 911</a>");
    ASSERT_NE(banner, std::string::npos);
    EXPECT_LT(banner, p.html.find("<h1>"));
  }
  EXPECT_TRUE(Has(RenderFindPage(nullptr, "", phones_).html, "call 911"));
}

TEST_F(FindPageTest, FormListsEveryJurisdictionByName) {
  FindPage p = Render("");
  EXPECT_TRUE(Has(p.html, "<option value=\"CA\">Canada</option>"));
  EXPECT_TRUE(Has(p.html, "<option value=\"CA-BC\">British Columbia</option>"));
  EXPECT_TRUE(Has(p.html, "<option value=\"CA-ON\">Ontario</option>"));
  EXPECT_TRUE(Has(p.html, "<option value=\"US\">United States</option>"));
  // Every state, DC, Puerto Rico, province and territory, with lines of its own or not.
  for (const directory::RegionInfo* r : directory::Jurisdictions()) {
    const std::string option =
        "<option value=\"" + std::string(r->code) + "\">" + std::string(r->name_en) + "</option>";
    EXPECT_EQ(CountOf(p.html, option), 1) << option;
  }
  EXPECT_FALSE(Has(p.html, "value=\"US-GU\"")) << "a small territory with no resources";
  // Countries first, then their provinces by name.
  EXPECT_LT(p.html.find("value=\"CA\""), p.html.find("value=\"CA-BC\""));
  EXPECT_LT(p.html.find("value=\"CA-BC\""), p.html.find("value=\"CA-ON\""));
  EXPECT_LT(p.html.find("value=\"CA-ON\""), p.html.find("value=\"US\""));
  EXPECT_LT(p.html.find("value=\"US\""), p.html.find("value=\"US-AL\""));
  EXPECT_LT(p.html.find("value=\"US-AL\""), p.html.find("value=\"US-AK\"")) << "Alabama, then Alaska";
  // Every category, with a readable label; every page language.
  for (Category c : directory::AllCategories()) {
    EXPECT_TRUE(Has(p.html, "<option value=\"" + std::string(directory::CategoryName(c)) + "\">"));
  }
  EXPECT_TRUE(Has(p.html, "<option value=\"treatment_referral\">Treatment referral</option>"));
  EXPECT_TRUE(Has(p.html, "<option value=\"fr\">Français</option>"));
  // A region without its own lines can be searched, finds its country's, and stays selected.
  FindPage tx = Render("region=US-TX&category=naloxone");
  EXPECT_EQ(tx.status, 200);
  EXPECT_TRUE(Has(tx.html, "<option value=\"US-TX\" selected>Texas</option>"));
  EXPECT_EQ(CountOf(tx.html, "value=\"US-TX\""), 1);
  EXPECT_TRUE(Has(tx.html, "<h3>Line us-naloxone</h3>"));
  // In French, by their French names.
  FindPage fr = Render("lang=fr");
  EXPECT_TRUE(Has(fr.html, "<option value=\"CA-NL\">Terre-Neuve-et-Labrador</option>"));
}

TEST_F(FindPageTest, AnInfoResourceShowsItsFactAsTheMainTextAndALearnMoreLink) {
  FindPage p = Render("region=CA-QC&category=naloxone");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html,
                  "<article class=\"card info\">\n<h3>Naloxone in Quebec</h3>\n"
                  "<p class=\"fact\">In Quebec, naloxone is free at every pharmacy, no prescription.</p>"))
      << p.html;
  EXPECT_TRUE(Has(p.html,
                  "<a class=\"btn\" href=\"https://www.example.qc.ca/naloxone/map\">Learn more</a> "
                  "<span class=\"site\">www.example.qc.ca</span>"));
  EXPECT_FALSE(Has(p.html, "Hours: see website")) << "a fact has no hours";
  EXPECT_FALSE(Has(p.html, "Website: www.example.qc.ca"));
  ExpectOnlyAllowedSchemes(p.html);
  // Services keep their card.
  EXPECT_TRUE(Has(Render("region=CA-BC&category=naloxone").html, "<article class=\"card\">\n<h3>BC Naloxone</h3>"));
  // In the page's language.
  FindPage fr = Render("region=CA-QC&category=naloxone&lang=fr");
  EXPECT_TRUE(Has(fr.html, "<p class=\"fact\">Au Québec, la naloxone est gratuite en pharmacie.</p>"));
  EXPECT_TRUE(Has(fr.html, ">En savoir plus</a>"));
  EXPECT_TRUE(Has(Render("region=CA-QC&category=naloxone&lang=es").html, ">Más información</a>"));
}

TEST_F(FindPageTest, AnUnconfirmedInfoResourceKeepsTheMarkAndNeedsNoChannel) {
  FindPage p = Render("region=CA-QC&category=naloxone");
  ASSERT_EQ(p.status, 200);
  const std::size_t card = p.html.find("<h3>Line qc-unconfirmed-fact</h3>");
  ASSERT_NE(card, std::string::npos);
  const std::string rest = p.html.substr(card, p.html.find("</article>", card) - card);
  EXPECT_TRUE(Has(rest, "<p class=\"unconfirmed\" role=\"status\">Unconfirmed: "));
  EXPECT_TRUE(Has(rest, "<p class=\"fact\">Some community groups in Quebec hand out kits.</p>"));
  EXPECT_FALSE(Has(rest, "<ul class=\"ch\">")) << "no channels, no empty list";
}

TEST_F(FindPageTest, UnconfirmedResourcesCarryAVisibleNote) {
  FindPage us = Render("region=US&category=naloxone");
  ASSERT_EQ(us.status, 200);
  EXPECT_TRUE(Has(us.html, "<p class=\"unconfirmed\" role=\"status\">Unconfirmed: "));
  FindPage bc = Render("region=CA-BC&category=naloxone");
  EXPECT_FALSE(Has(bc.html, "class=\"unconfirmed\""));
}

TEST_F(FindPageTest, EmptyResultSuggestsTheCountryWideSearch) {
  FindPage p = Render("region=CA-BC&category=detox&lang=fr");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "Rien n&#39;est répertorié"));
  EXPECT_TRUE(Has(p.html, "<input type=\"hidden\" name=\"region\" value=\"CA\">"));
  EXPECT_TRUE(Has(p.html, "<input type=\"hidden\" name=\"category\" value=\"detox\">"));
  EXPECT_TRUE(Has(p.html, "<input type=\"hidden\" name=\"lang\" value=\"fr\">"));
  EXPECT_TRUE(Has(p.html, "Chercher dans tout le pays : Canada</button>"));
  // Already country-wide: nothing wider to suggest.
  FindPage ca = Render("region=CA&category=detox");
  EXPECT_EQ(ca.status, 200);
  EXPECT_TRUE(Has(ca.html, "Try another kind of help."));
  EXPECT_FALSE(Has(ca.html, "type=\"hidden\""));
}

TEST_F(FindPageTest, NoIndexIsServiceUnavailable) {
  FindPage p = RenderFindPage(nullptr, "region=CA-BC&category=naloxone", phones_);
  EXPECT_EQ(p.status, 503);
  EXPECT_TRUE(Has(p.html, "directory not loaded yet"));
  EXPECT_TRUE(Has(p.html, "</html>"));
}

TEST_F(FindPageTest, PageIsSelfContainedAndPhoneSized) {
  FindPage p = Render("region=CA-BC&category=naloxone");
  EXPECT_EQ(p.html.rfind("<!doctype html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_TRUE(Has(p.html, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
  EXPECT_TRUE(Has(p.html, "<meta charset=\"utf-8\">"));
  EXPECT_TRUE(Has(p.html, "font:18px"));
  EXPECT_FALSE(Has(p.html, "<script"));
  EXPECT_FALSE(Has(p.html, "<link"));
  EXPECT_FALSE(Has(p.html, "src="));
  EXPECT_FALSE(Has(p.html, "@import"));
  EXPECT_FALSE(Has(p.html, "url("));
}

// --- Sites near a place ("near").

Resource Site(std::string id, std::string region, double lat, double lon, directory::CoordinatePrecision p,
              directory::ResourceStatus status = directory::ResourceStatus::kActive) {
  Resource r = Make(std::move(id), region, Category::kNaloxone, 50);
  r.kind = directory::ResourceKind::kSite;
  r.name = "Site " + r.id;
  r.hours = "Mon-Fri 9-5";
  r.status = status;
  const std::string country = region.substr(0, 2);
  r.address = directory::Address{"1 Main St", "Town", region, country == "CA" ? "H2X 1Y4" : "60614", country};
  r.coordinates = directory::Coordinates{lat, lon, p};
  r.channels = {Ch(ChannelKind::kVoice, "+13125550142")};
  return r;
}

// Chicago sites (one precise, one at its city's centre, one unconfirmed), a
// Montreal site, Illinois and Ontario lines, and a site with hostile text.
std::shared_ptr<const DirectoryIndex> SitesIndex() {
  std::vector<Resource> rs;
  rs.push_back(Site("near", "US-IL", 41.9214, -87.6513, directory::CoordinatePrecision::kAddress));
  rs.push_back(Site("city", "US-IL", 41.85, -87.65, directory::CoordinatePrecision::kCity));
  rs.push_back(Site("unconfirmed", "US-IL", 41.9227, -87.6533, directory::CoordinatePrecision::kAddress,
                    directory::ResourceStatus::kUnconfirmed));
  Resource mtl = Site("mtl", "CA-QC", 45.5150, -73.5700, directory::CoordinatePrecision::kAddress);
  mtl.translations["fr"] = {"Site de Montréal", "Naloxone gratuite."};
  rs.push_back(mtl);
  Resource evil = Site("evil", "US-IL", 41.9300, -87.6600, directory::CoordinatePrecision::kAddress);
  evil.name = "<script>alert(1)</script>";
  evil.address->street = "\"><img src=x>";
  rs.push_back(evil);
  rs.push_back(Make("il-line", "US-IL", Category::kNaloxone, 80));
  rs.push_back(Make("on-line", "CA-ON", Category::kNaloxone, 80));
  return DirectoryIndex::Build(std::move(rs), 9);
}

class FindPageNearTest : public ::testing::Test {
 protected:
  FindPage Render(std::string_view query) { return RenderFindPage(index_.get(), query, phones_, &geo_); }

  directory::PhoneBook phones_;
  std::shared_ptr<const DirectoryIndex> index_ = SitesIndex();
  directory::GeoReference geo_ = [] {
    auto g = directory::GeoReference::LoadDir(std::string(HELPLINE_SOURCE_DIR) + "/tests/directory/fixtures/geo");
    EXPECT_TRUE(g.ok());
    return g.ok() ? *std::move(g) : directory::GeoReference{};
  }();
};

TEST_F(FindPageNearTest, AZipGivesSiteCardsNearestFirstThenTheRegionsLines) {
  FindPage p = Render("near=60614&category=naloxone");
  ASSERT_EQ(p.status, 200) << p.html;
  EXPECT_TRUE(Has(p.html, "<section class=\"near\">\n<h2>Naloxone near 60614</h2>"));
  const auto near = p.html.find("<h3>Site near</h3>"), city = p.html.find("<h3>Site city</h3>");
  ASSERT_NE(near, std::string::npos) << p.html;
  ASSERT_NE(city, std::string::npos);
  EXPECT_LT(near, city) << "nearest first";
  EXPECT_FALSE(Has(p.html, "Site unconfirmed")) << "unconfirmed sites are never offered";
  EXPECT_FALSE(Has(p.html, "Site mtl")) << "1,200 km away";
  // Distance in miles, the address, the phone and the map as links, the hours.
  EXPECT_TRUE(Has(p.html,
                  "<h3>Site near</h3>\n<p class=\"dist\">0.1 mi</p>\n"
                  "<p class=\"addr\">1 Main St, Town, IL 60614</p>"))
      << p.html;
  EXPECT_TRUE(Has(p.html, "<a class=\"btn\" href=\"tel:+13125550142\">Call "));
  EXPECT_TRUE(Has(p.html,
                  "<a class=\"btn map\" href=\"https://www.openstreetmap.org/?mlat=41.9214&amp;mlon=-87.6513"
                  "#map=17/41.9214/-87.6513\">Map and directions</a>"));
  EXPECT_TRUE(Has(p.html, "Hours: Mon-Fri 9-5"));
  // A city-precision point shows no distance.
  EXPECT_TRUE(Has(p.html, "<h3>Site city</h3>\n<p class=\"addr\">"));
  // The place as understood stays in the field; Illinois' lines follow the sites.
  EXPECT_TRUE(Has(p.html,
                  "name=\"near\" type=\"text\" maxlength=\"100\" autocomplete=\"postal-code\" "
                  "aria-describedby=\"near-hint\" value=\"60614\">"));
  const auto lines = p.html.find("<section>\n<h2>Naloxone \u2014 Illinois</h2>");
  ASSERT_NE(lines, std::string::npos);
  EXPECT_LT(city, lines);
  EXPECT_TRUE(Has(p.html, "<h3>Line il-line</h3>"));
  EXPECT_EQ(CountOf(p.html, "<article class=\"card site\">"), 3);  // near, city, evil
  ExpectOnlyAllowedSchemes(p.html);
}

TEST_F(FindPageNearTest, AChosenRegionKeepsItsLinesBesideThePlacesSites) {
  FindPage p = Render("near=60614&region=CA-ON&category=naloxone");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "<h3>Site near</h3>"));
  EXPECT_TRUE(Has(p.html, "<h3>Line on-line</h3>"));
  EXPECT_FALSE(Has(p.html, "<h3>Line il-line</h3>"));
}

TEST_F(FindPageNearTest, CanadaIsInKilometresAndTheFrenchPageTranslates) {
  FindPage p = Render("near=h2x&category=naloxone&lang=fr");
  ASSERT_EQ(p.status, 200) << p.html;
  EXPECT_TRUE(Has(p.html, "<h2>Naloxone près de H2X</h2>"));
  EXPECT_TRUE(Has(p.html, "<h3>Site de Montréal</h3>\n<p class=\"dist\">0.2 km</p>")) << p.html;
  EXPECT_TRUE(Has(p.html, "Carte et itinéraire</a>"));
  EXPECT_TRUE(Has(p.html, "<label for=\"near\">Près de : code postal, ZIP ou ville</label>"));
  FindPage es = Render("near=60614&category=naloxone&lang=es");
  EXPECT_TRUE(Has(es.html, "<h2>Naloxona cerca de 60614</h2>"));
  EXPECT_TRUE(Has(es.html, "mi</p>"));
  EXPECT_TRUE(Has(es.html, "Mapa y cómo llegar</a>"));
}

TEST_F(FindPageNearTest, NoSiteWithinTheRadiusSaysSoAndTheLinesFollow) {
  FindPage p = Render("near=10001&category=naloxone");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "No listed site within 50 mi of 10001.")) << p.html;
  EXPECT_FALSE(Has(p.html, "class=\"card site\""));
  EXPECT_TRUE(Has(p.html, "<h2>Naloxone \u2014 New York</h2>"));
}

TEST_F(FindPageNearTest, APostalCodeWithNoPointGivesItsProvincesLines) {
  FindPage p = Render("near=K1A+0B1&category=naloxone");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(
      Has(p.html, "We have no map point for this postal code, so no distances. The lines below are for Ontario."))
      << p.html;
  EXPECT_TRUE(Has(p.html, "<h3>Line on-line</h3>"));
}

TEST_F(FindPageNearTest, ASharedCityNameOffersOneButtonPerPlace) {
  FindPage p = Render("near=springfield&category=naloxone");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "Several places have this name."));
  EXPECT_TRUE(Has(p.html, "<input type=\"hidden\" name=\"near\" value=\"Springfield, MA\">"));
  EXPECT_TRUE(Has(p.html, "<input type=\"hidden\" name=\"near\" value=\"Springfield, IL\">"));
  EXPECT_TRUE(Has(p.html, "Springfield, Illinois</button>"));
  EXPECT_FALSE(Has(p.html, "<section>")) << "no lines until a place is chosen";
  // The button's value finds that one place.
  FindPage ma = Render("near=Springfield%2C+MA&category=naloxone");
  EXPECT_EQ(ma.status, 200);
  EXPECT_TRUE(Has(ma.html, "<h2>Naloxone \u2014 Massachusetts</h2>"));
  EXPECT_TRUE(Has(ma.html, "value=\"Springfield, MA\">"));
}

TEST_F(FindPageNearTest, ACityIsShownWithItsRegionSoTheFormFindsItAgain) {
  FindPage p = Render("near=portland&category=naloxone");
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "value=\"Portland, OR\">"));
  EXPECT_TRUE(Has(p.html, "<h2>Naloxone near Portland</h2>"));
  EXPECT_TRUE(Has(p.html, "No listed site within 50 mi of Portland."));
}

TEST_F(FindPageNearTest, AnUnknownPlaceIs400AndIsNeverEchoed) {
  for (const char* query :
       {"near=atlantis&category=naloxone", "near=%3Cscript%3Ealert(1)&category=naloxone",
        "near="
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "&category=naloxone"}) {
    SCOPED_TRACE(query);
    FindPage p = Render(query);
    EXPECT_EQ(p.status, 400);
    EXPECT_TRUE(Has(p.html, "We could not find that place."));
    EXPECT_FALSE(Has(p.html, "atlantis"));
    EXPECT_FALSE(Has(p.html, "script"));
    EXPECT_FALSE(Has(p.html, "aaaaaaaaaa"));
    EXPECT_TRUE(Has(p.html, "aria-describedby=\"near-hint\" value=\"\">"));
  }
}

TEST_F(FindPageNearTest, HalfASearchWithAPlaceAsksForTheKindOfHelp) {
  FindPage p = Render("near=60614");
  EXPECT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "Choose a kind of help."));
  EXPECT_TRUE(Has(p.html, "value=\"60614\">"));
  EXPECT_FALSE(Has(p.html, "<section"));
  // A blank field (the form always sends it) is no place.
  FindPage blank = Render("near=+&region=&category=naloxone");
  EXPECT_EQ(blank.status, 200);
  EXPECT_TRUE(Has(blank.html, "Choose a region, or enter a ZIP, postal code or city."));
  // The region list no longer forces a choice: a place is enough.
  EXPECT_TRUE(Has(blank.html, "<select id=\"region\" name=\"region\">"));
}

TEST_F(FindPageNearTest, SiteTextIsEscaped) {
  FindPage p = Render("near=60614&category=naloxone");
  EXPECT_TRUE(Has(p.html, "<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>"));
  EXPECT_TRUE(Has(p.html, "<p class=\"addr\">&quot;&gt;&lt;img src=x&gt;, Town, IL 60614</p>"));
  EXPECT_FALSE(Has(p.html, "<script"));
  EXPECT_FALSE(Has(p.html, "<img"));
}

TEST_F(FindPageNearTest, NoGeographicDataIs503WithTheForm) {
  FindPage p = RenderFindPage(index_.get(), "near=60614&category=naloxone", phones_, nullptr);
  EXPECT_EQ(p.status, 503);
  EXPECT_TRUE(Has(p.html, "searching near a place is not available"));
  EXPECT_TRUE(Has(p.html, "<form method=\"get\">"));
  // A search by region still works without it.
  EXPECT_EQ(RenderFindPage(index_.get(), "region=US-IL&category=naloxone", phones_, nullptr).status, 200);
}

// --- The shipped directory.

TEST(FindPageShipped, CaBcYouthListsKidsHelpPhoneWithLinks) {
  directory::PhoneBook phones;
  FindPage p = RenderFindPage(ShippedIndex().get(), "region=CA-BC&category=youth", phones);
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "<h3>Kids Help Phone</h3>"));
  EXPECT_TRUE(Has(p.html, "href=\"tel:+18006686868\">Call 1-800-668-6868</a>"));
  EXPECT_TRUE(Has(p.html, "href=\"sms:686868?&amp;body=CONNECT\">Text CONNECT to 686868</a>"));
  EXPECT_TRUE(Has(p.html, "<option value=\"CA-BC\" selected>British Columbia</option>"));
  ExpectOnlyAllowedSchemes(p.html);
}

TEST(FindPageShipped, RetiredSeedEntriesAreNeverListed) {
  directory::PhoneBook phones;
  for (const char* query : {"region=CA-BC&category=naloxone", "region=CA-NS&category=harm_reduction"}) {
    FindPage p = RenderFindPage(ShippedIndex().get(), query, phones);
    ASSERT_EQ(p.status, 200) << query;
    EXPECT_FALSE(Has(p.html, "Naloxone Finder")) << query;
    EXPECT_FALSE(Has(p.html, "18556626605")) << query;
    EXPECT_FALSE(Has(p.html, "19024708888")) << query;
  }
}

TEST(FindPageShipped, ChannelLabelsAreInThePagesLanguageWhenTheDataTranslatesThem) {
  directory::PhoneBook phones;
  FindPage en = RenderFindPage(ShippedIndex().get(), "region=US-TX&category=treatment_referral", phones);
  ASSERT_EQ(en.status, 200);
  EXPECT_TRUE(Has(en.html, "text your 5-digit ZIP code")) << en.html;
  FindPage es = RenderFindPage(ShippedIndex().get(), "region=US-TX&category=treatment_referral&lang=es", phones);
  ASSERT_EQ(es.status, 200);
  EXPECT_TRUE(Has(es.html, "envíe su código postal de 5 dígitos")) << es.html;
  EXPECT_FALSE(Has(es.html, "text your 5-digit ZIP code"));
}

TEST(FindPageShipped, QuebecNaloxoneIsAFactWithALearnMoreLink) {
  directory::PhoneBook phones;
  FindPage p = RenderFindPage(ShippedIndex().get(), "region=CA-QC&category=naloxone&lang=fr", phones);
  ASSERT_EQ(p.status, 200);
  EXPECT_TRUE(Has(p.html, "<p class=\"fact\">Au Québec, la naloxone est gratuite dans toute pharmacie")) << p.html;
  EXPECT_TRUE(Has(p.html,
                  "href=\"https://www.inspq.qc.ca/sites/default/files/cartes/naloxone/index.html\">"
                  "En savoir plus</a>"));
  ExpectOnlyAllowedSchemes(p.html);
}

TEST(FindPageShipped, EveryJurisdictionCanBeChosenAndFindsACrisisLine) {
  directory::PhoneBook phones;
  const FindPage form = RenderFindPage(ShippedIndex().get(), "", phones);
  for (const directory::RegionInfo* r : directory::Jurisdictions()) {
    const std::string code(r->code);
    EXPECT_TRUE(Has(form.html, "<option value=\"" + code + "\">")) << code;
    const FindPage crisis = RenderFindPage(ShippedIndex().get(), "region=" + code + "&category=crisis", phones);
    EXPECT_EQ(crisis.status, 200) << code;
    EXPECT_TRUE(Has(crisis.html, "<article class=\"card\">")) << code;
  }
}

TEST(FindPageShipped, EveryPageIsSmallAndLinksOnlyAllowedSchemes) {
  directory::PhoneBook phones;
  auto index = ShippedIndex();
  // Every region with lines and every jurisdiction, once each (the two lists
  // mostly overlap; rendering each twice doubled the test's time under ASan).
  std::set<std::string> regions;
  for (const std::string& code : index->Regions()) regions.insert(code);
  for (const directory::RegionInfo* r : directory::Jurisdictions()) regions.emplace(r->code);
  std::size_t largest = 0;
  for (const auto& region : regions) {
    for (Category c : directory::AllCategories()) {
      for (const char* lang : {"en", "es", "fr"}) {
        const std::string query =
            "region=" + region + "&category=" + std::string(directory::CategoryName(c)) + "&lang=" + lang;
        FindPage p = RenderFindPage(index.get(), query, phones);
        SCOPED_TRACE(query);
        EXPECT_EQ(p.status, 200);
        ExpectOnlyAllowedSchemes(p.html);
        EXPECT_FALSE(Has(p.html, "<script"));
        largest = std::max(largest, p.html.size());
      }
    }
  }
  EXPECT_LT(largest, 50u * 1024) << "largest page: " << largest << " bytes";
}

}  // namespace
}  // namespace helpline::daemon
