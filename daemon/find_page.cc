// The /find page (see find_page.h): one HTML document built by appending to a
// string. Every piece of text that is not a literal of this file goes through
// AppendEscaped; every href is built by one of the Append*Link helpers, which
// check the value first and fall back to plain text, so the only schemes that
// can appear in a link are http(s), tel, sms and mailto.

#include "daemon/find_page.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "common/ascii.h"
#include "daemon/engine/nearby_lines.h"
#include "daemon/nearby_api.h"
#include "directory/model.h"
#include "directory/regions.h"
#include "gateway/form_urlencoded.h"

namespace helpline::daemon {
namespace {

using directory::Category;
using directory::Channel;
using directory::ChannelKind;
using directory::Resource;

// ---------------------------------------------------------------------------
// The page's own words, one table per language. Category labels are indexed
// by the Category enum's value.

struct Labels {
  std::string_view code;  // <html lang>
  std::string_view title;
  std::string_view emergency;  // the banner; a tel:911 link
  std::string_view region;
  std::string_view category;
  std::string_view language;
  std::string_view choose;
  std::string_view submit;
  std::string_view bad_query;
  std::string_view missing_region;
  std::string_view bad_region;
  std::string_view missing_category;
  std::string_view bad_category;
  std::string_view not_loaded;
  std::string_view nothing_found;
  std::string_view search_country;  // button text, followed by the country's name
  std::string_view try_another;
  std::string_view call;
  std::string_view text_before;  // "Text " KEYWORD " to " NUMBER
  std::string_view text_to;
  std::string_view text_number;  // "Text " NUMBER (no keyword)
  std::string_view tty;
  std::string_view chat;
  std::string_view web;
  std::string_view email;
  std::string_view hours;
  std::string_view languages;
  std::string_view verified;
  std::string_view source;
  std::string_view unconfirmed;
  std::string_view learn_more;        // the link of an info resource's web channel
  std::string_view footer;            // followed by the directory version
  std::string_view near;              // the "near" field's label
  std::string_view near_hint;         // under the field: what it accepts
  std::string_view bad_near;          // a place we cannot find (the value is not echoed)
  std::string_view no_geo;            // no geographic data loaded
  std::string_view near_heading;      // CATEGORY + near_heading + PLACE
  std::string_view none_near_before;  // none_near_before DISTANCE none_near_of PLACE "."
  std::string_view none_near_of;
  std::string_view no_point;                       // a postal code with no point: followed by the region
  std::string_view ambiguous;                      // a shared city name: one button per candidate follows
  std::string_view map;                            // the maps link of a site
  std::array<std::string_view, 3> language_names;  // en, fr, es in this language
  std::array<std::string_view, directory::kCategoryCount> categories;
};

constexpr Labels kEnglish = {
    .code = "en",
    .title = "Find help",
    .emergency = "Overdose or emergency: call 911",
    .region = "Region",
    .category = "Kind of help",
    .language = "Language",
    .choose = "Choose\u2026",
    .submit = "Find help",
    .bad_query = "The address of this page is malformed. Choose again below.",
    .missing_region = "Choose a region, or enter a ZIP, postal code or city.",
    .bad_region = "Unknown region: choose one from the list (codes such as US, US-TX, CA-BC).",
    .missing_category = "Choose a kind of help.",
    .bad_category = "Unknown kind of help: choose one from the list.",
    .not_loaded = "Sorry: directory not loaded yet. Try again in a minute.",
    .nothing_found = "Nothing is listed for this region and kind of help.",
    .search_country = "Search country-wide: ",
    .try_another = "Try another kind of help.",
    .call = "Call ",
    .text_before = "Text ",
    .text_to = " to ",
    .text_number = "Text ",
    .tty = "TTY ",
    .chat = "Chat: ",
    .web = "Website: ",
    .email = "Email ",
    .hours = "Hours: ",
    .languages = "Languages: ",
    .verified = "verified ",
    .source = "Source: ",
    .unconfirmed = "Unconfirmed: these details have not been confirmed yet. Check before relying on them.",
    .learn_more = "Learn more",
    .footer = "No cookies, no tracking. Directory version ",
    .near = "Near: ZIP, postal code or city",
    .near_hint = "For example 60614, H2X 1Y4 or Portland, OR. Or choose a region below.",
    .bad_near =
        "We could not find that place. Enter a US ZIP code, a Canadian postal code or a city "
        "(for example 60614, H2X 1Y4, Portland, OR).",
    .no_geo = "Sorry: searching near a place is not available right now. Choose a region instead.",
    .near_heading = " near ",
    .none_near_before = "No listed site within ",
    .none_near_of = " of ",
    .no_point = "We have no map point for this postal code, so no distances. The lines below are for ",
    .ambiguous = "Several places have this name. Choose one, or enter a ZIP or postal code:",
    .map = "Map and directions",
    .language_names = {"English", "French", "Spanish"},
    .categories = {"Emergency", "Crisis line", "Treatment referral", "Detox",
                   "Medication treatment (methadone, buprenorphine)", "Harm reduction", "Naloxone",
                   "Overdose prevention", "Mental health", "Peer support", "Family and friends", "Youth", "Indigenous",
                   "Text lines", "Information"},
};

constexpr Labels kSpanish = {
    .code = "es",
    .title = "Encontrar ayuda",
    .emergency = "Sobredosis o emergencia: llame al 911",
    .region = "Región",
    .category = "Tipo de ayuda",
    .language = "Idioma",
    .choose = "Elija\u2026",
    .submit = "Buscar ayuda",
    .bad_query = "La dirección de esta página no es válida. Elija de nuevo abajo.",
    .missing_region = "Elija una región, o escriba un código postal o una ciudad.",
    .bad_region = "Región desconocida: elija una de la lista (códigos como US, US-TX, CA-BC).",
    .missing_category = "Elija un tipo de ayuda.",
    .bad_category = "Tipo de ayuda desconocido: elija uno de la lista.",
    .not_loaded = "Lo sentimos: el directorio aún no está cargado. Inténtelo de nuevo en un minuto.",
    .nothing_found = "No hay nada en la lista para esta región y este tipo de ayuda.",
    .search_country = "Buscar en todo el país: ",
    .try_another = "Pruebe otro tipo de ayuda.",
    .call = "Llamar al ",
    .text_before = "Envíe ",
    .text_to = " al ",
    .text_number = "Enviar un mensaje al ",
    .tty = "TTY ",
    .chat = "Chat: ",
    .web = "Sitio web: ",
    .email = "Correo: ",
    .hours = "Horario: ",
    .languages = "Idiomas: ",
    .verified = "verificado ",
    .source = "Fuente: ",
    .unconfirmed = "Sin confirmar: estos datos aún no se han confirmado. Verifíquelos antes de confiar en ellos.",
    .learn_more = "Más información",
    .footer = "Sin cookies, sin rastreo. Versión del directorio ",
    .near = "Cerca de: código postal o ciudad",
    .near_hint = "Por ejemplo 60614, H2X 1Y4 o Portland, OR. O elija una región abajo.",
    .bad_near =
        "No encontramos ese lugar. Escriba un código postal (ZIP) de EE. UU., un código postal "
        "de Canadá o una ciudad (por ejemplo 60614, H2X 1Y4, Portland, OR).",
    .no_geo = "Lo sentimos: la búsqueda cerca de un lugar no está disponible ahora. Elija una región.",
    .near_heading = " cerca de ",
    .none_near_before = "No hay ningún sitio en la lista a menos de ",
    .none_near_of = " de ",
    .no_point =
        "No tenemos un punto en el mapa para este código postal, así que no hay distancias. "
        "Las líneas de abajo son para ",
    .ambiguous = "Varios lugares tienen este nombre. Elija uno, o escriba un código postal:",
    .map = "Mapa y cómo llegar",
    .language_names = {"inglés", "francés", "español"},
    .categories = {"Emergencia", "Línea de crisis", "Derivación a tratamiento", "Desintoxicación",
                   "Tratamiento con medicamentos (metadona, buprenorfina)", "Reducción de daños", "Naloxona",
                   "Prevención de sobredosis", "Salud mental", "Apoyo entre pares", "Familia y amigos", "Jóvenes",
                   "Indígena", "Líneas de texto", "Información"},
};

constexpr Labels kFrench = {
    .code = "fr",
    .title = "Trouver de l'aide",
    .emergency = "Surdose ou urgence : appelez le 911",
    .region = "Région",
    .category = "Type d'aide",
    .language = "Langue",
    .choose = "Choisir\u2026",
    .submit = "Trouver de l'aide",
    .bad_query = "L'adresse de cette page est mal formée. Choisissez de nouveau ci-dessous.",
    .missing_region = "Choisissez une région, ou entrez un code postal ou une ville.",
    .bad_region = "Région inconnue : choisissez-en une dans la liste (codes comme US, US-TX, CA-BC).",
    .missing_category = "Choisissez un type d'aide.",
    .bad_category = "Type d'aide inconnu : choisissez-en un dans la liste.",
    .not_loaded = "Désolé : le répertoire n'est pas encore chargé. Réessayez dans une minute.",
    .nothing_found = "Rien n'est répertorié pour cette région et ce type d'aide.",
    .search_country = "Chercher dans tout le pays : ",
    .try_another = "Essayez un autre type d'aide.",
    .call = "Appeler le ",
    .text_before = "Textez ",
    .text_to = " au ",
    .text_number = "Textez au ",
    .tty = "ATS ",
    .chat = "Clavardage : ",
    .web = "Site web : ",
    .email = "Courriel : ",
    .hours = "Heures : ",
    .languages = "Langues : ",
    .verified = "vérifié le ",
    .source = "Source : ",
    .unconfirmed =
        "Non confirmé : ces renseignements n'ont pas encore été confirmés. Vérifiez-les avant de vous y fier.",
    .learn_more = "En savoir plus",
    .footer = "Aucun témoin, aucun suivi. Version du répertoire ",
    .near = "Près de : code postal, ZIP ou ville",
    .near_hint = "Par exemple H2X 1Y4, 60614 ou Portland, OR. Ou choisissez une région ci-dessous.",
    .bad_near =
        "Nous ne trouvons pas ce lieu. Entrez un code postal canadien, un code ZIP américain "
        "ou une ville (par exemple H2X 1Y4, 60614, Portland, OR).",
    .no_geo = "Désolé : la recherche près d'un lieu n'est pas disponible pour le moment. Choisissez une région.",
    .near_heading = " près de ",
    .none_near_before = "Aucun lieu répertorié à moins de ",
    .none_near_of = " de ",
    .no_point =
        "Nous n'avons pas de point sur la carte pour ce code postal, donc pas de distances. "
        "Les lignes ci-dessous sont pour : ",
    .ambiguous = "Plusieurs lieux portent ce nom. Choisissez-en un, ou entrez un code postal :",
    .map = "Carte et itinéraire",
    .language_names = {"anglais", "français", "espagnol"},
    .categories = {"Urgence", "Ligne de crise", "Orientation vers un traitement", "Désintoxication",
                   "Traitement par médicaments (méthadone, buprénorphine)", "Réduction des méfaits", "Naloxone",
                   "Prévention des surdoses", "Santé mentale", "Soutien par les pairs", "Famille et proches", "Jeunes",
                   "Autochtones", "Lignes texto", "Information"},
};

// The language selector lists each language in its own name.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kPageLanguages = {{
    {"en", "English"},
    {"es", "Español"},
    {"fr", "Français"},
}};

const Labels& LabelsFor(std::string_view lang) {
  if (lang == "es") return kSpanish;
  if (lang == "fr") return kFrench;
  return kEnglish;
}

std::string_view CategoryLabel(const Labels& l, Category c) { return l.categories[static_cast<std::size_t>(c)]; }

std::string_view RegionName(const Labels& l, std::string_view code) {
  const directory::RegionInfo* info = directory::FindRegion(code);
  if (info == nullptr) return code;
  if (l.code == "fr") return info->name_fr;
  if (l.code == "es") return info->name_es;
  return info->name_en;
}

// A resource's language code as a word of the page's language; other codes
// ("cr", "iu") are shown as they are.
std::string_view LanguageName(const Labels& l, std::string_view code) {
  if (code == "en") return l.language_names[0];
  if (code == "fr") return l.language_names[1];
  if (code == "es") return l.language_names[2];
  return code;
}

// ---------------------------------------------------------------------------
// Escaping and links.

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

using ascii::IsAlnum;
using ascii::IsDigit;

// E.164 or a short code: an optional '+' and 1 to 15 digits.
bool IsDialable(std::string_view v) {
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  return !v.empty() && v.size() <= 15 && std::all_of(v.begin(), v.end(), IsDigit);
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// An absolute http(s) URL with a host and no spaces or control bytes.
bool IsWebUrl(std::string_view v) {
  std::size_t scheme = 0;
  if (StartsWithNoCase(v, "https://"))
    scheme = 8;
  else if (StartsWithNoCase(v, "http://"))
    scheme = 7;
  else
    return false;
  if (v.size() == scheme || !IsAlnum(v[scheme])) return false;
  return std::none_of(v.begin(), v.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F;
  });
}

// A plain address: local@domain with conservative characters, so that
// nothing in it can add mailto headers ('?', '&') or leave the scheme.
bool IsPlainEmail(std::string_view v) {
  const std::size_t at = v.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= v.size()) return false;
  const auto local_ok = [](char c) { return IsAlnum(c) || c == '.' || c == '-' || c == '_' || c == '+'; };
  const auto domain_ok = [](char c) { return IsAlnum(c) || c == '.' || c == '-'; };
  const std::string_view local = v.substr(0, at), domain = v.substr(at + 1);
  return std::all_of(local.begin(), local.end(), local_ok) && std::all_of(domain.begin(), domain.end(), domain_ok);
}

// The first http(s) URL inside free text ("BC CDC; https://www.phsa.ca"), or "".
std::string_view FindUrl(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!StartsWithNoCase(text.substr(i), "http://") && !StartsWithNoCase(text.substr(i), "https://")) continue;
    std::size_t end = i;
    while (end < text.size() && static_cast<unsigned char>(text[end]) > 0x20 && text[end] != ';' && text[end] != ',' &&
           text[end] != ')')
      ++end;
    std::string_view url = text.substr(i, end - i);
    while (!url.empty() && url.back() == '.') url.remove_suffix(1);
    return IsWebUrl(url) ? url : std::string_view{};
  }
  return {};
}

// <a class="..." href="HREF">TEXT</a>; `href` must already be checked.
void AppendLink(std::string& out, std::string_view css_class, std::string_view href, std::string_view text) {
  out += "<a class=\"";
  out += css_class;
  out += "\" href=\"";
  AppendEscaped(out, href);
  out += "\">";
  AppendEscaped(out, text);
  out += "</a>";
}

void AppendSpan(std::string& out, std::string_view css_class, std::string_view text) {
  out += " <span class=\"";
  out += css_class;
  out += "\">";
  AppendEscaped(out, text);
  out += "</span>";
}

// ---------------------------------------------------------------------------
// Page parts.

struct Request {
  std::string region;
  std::string category_name;
  std::optional<Category> category;
  const Labels* labels = &kEnglish;
  std::string near;                          // as typed: looked up, never echoed
  std::optional<directory::Location> place;  // what `near` names (kNone: nothing we know)
};

// The two-letter tail of a region code ("US-OR" -> "OR"), or the code.
std::string_view RegionTail(std::string_view code) {
  const std::size_t dash = code.find('-');
  return dash == std::string_view::npos ? code : code.substr(dash + 1);
}

// What the "near" field shows after a search: the place as understood, in a
// form that finds the same place again ("Portland, OR"), never the raw input.
std::string PlaceText(const directory::Location& place) {
  if (place.kind == directory::LocationKind::kCity) return place.label + ", " + std::string(RegionTail(place.region));
  if (place.kind == directory::LocationKind::kNone || place.kind == directory::LocationKind::kAmbiguous) return "";
  return place.label;
}

constexpr std::string_view kStyle =
    "body{margin:0;font:18px/1.5 system-ui,sans-serif;color:#111;background:#fff}"
    "main{max-width:40rem;margin:0 auto;padding:0 1rem 2rem}"
    ".sos{position:sticky;top:0;margin:0;background:#b00020;text-align:center;font-weight:bold}"
    ".sos a{display:block;padding:.8rem;color:#fff;text-decoration:none}"
    "label{display:block;margin-top:.8rem;font-weight:bold}"
    "select,button,input{width:100%;box-sizing:border-box;min-height:48px;font-size:18px;margin-top:.3rem}"
    ".hint{margin:.2rem 0 0;font-size:16px;color:#444}"
    ".dist{font-weight:bold}.addr{margin:.2rem 0}"
    "button{margin-top:1rem;background:#0b57d0;color:#fff;border:0;border-radius:6px}"
    ".msg{padding:.8rem;border-radius:6px;background:#fff4ce}"
    ".error{background:#fde7e9;border:2px solid #b00020}"
    ".card{border:1px solid #ccc;border-radius:8px;padding:.2rem 1rem 1rem;margin:1rem 0}"
    ".card h3{margin:.6rem 0 .3rem}"
    ".fact{font-size:20px;font-weight:bold}"
    ".unconfirmed{font-weight:bold;color:#7a4b00}"
    ".ch{list-style:none;padding:0}.ch li{margin:.5rem 0}"
    ".btn{display:inline-block;box-sizing:border-box;min-height:48px;padding:.7rem 1rem;border-radius:6px;"
    "background:#e8f0fe;color:#0b57d0;font-weight:bold;text-decoration:none;overflow-wrap:anywhere}"
    ".meta{font-size:16px;color:#444}footer{font-size:16px;color:#555}"
    // The source link is a tap target too (48 px, tests/js/find_browser_test.mjs);
    // a long URL wraps instead of running off a phone's screen.
    ".src{display:inline-block;box-sizing:border-box;min-height:48px;max-width:100%;padding:.7rem 0;"
    "overflow-wrap:anywhere}";

void AppendHead(std::string& out, const Labels& l) {
  out += "<!doctype html>\n<html lang=\"";
  out += l.code;
  out +=
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>";
  AppendEscaped(out, l.title);
  out += "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<p class=\"sos\" role=\"alert\">";
  AppendLink(out, "sos-call", "tel:911", l.emergency);
  out += "</p>\n<main>\n<h1>";
  AppendEscaped(out, l.title);
  out += "</h1>\n";
}

void AppendMessage(std::string& out, std::string_view css_class, std::string_view text) {
  out += "<p class=\"";
  out += css_class;
  out += css_class.find("error") == std::string_view::npos ? "\" role=\"status\">" : "\" role=\"alert\">";
  AppendEscaped(out, text);
  out += "</p>\n";
}

void AppendOption(std::string& out, std::string_view value, std::string_view text, bool selected) {
  out += "<option value=\"";
  AppendEscaped(out, value);
  out += selected ? "\" selected>" : "\">";
  AppendEscaped(out, text);
  out += "</option>\n";
}

// The regions offered: every jurisdiction (each state, DC, Puerto Rico,
// province and territory: a place without lines of its own still finds its
// country's), the two countries, any other region with resources ("*", the
// smaller US territories), and the requested one if it is known. Grouped by
// country, the country first, then by name in the page language.
std::vector<std::string_view> RegionChoices(const std::vector<std::string>& with_resources, std::string_view current,
                                            const Labels& l) {
  std::vector<std::string_view> codes = {"US", "CA"};
  for (const directory::RegionInfo* r : directory::Jurisdictions()) codes.push_back(r->code);
  codes.insert(codes.end(), with_resources.begin(), with_resources.end());
  if (directory::IsKnownRegion(current)) codes.push_back(current);
  const auto key = [&l](std::string_view code) {
    const std::string_view country = directory::CountryOf(code);
    return std::make_tuple(country != directory::kEverywhere, country, code != country, RegionName(l, code), code);
  };
  // Each code's key is computed once (computing it in the comparison looked
  // regions up O(n log n) times per page: most of a page's rendering time).
  std::vector<decltype(key(std::string_view{}))> keyed;
  keyed.reserve(codes.size());
  for (std::string_view code : codes) keyed.push_back(key(code));
  std::sort(keyed.begin(), keyed.end());
  keyed.erase(std::unique(keyed.begin(), keyed.end()), keyed.end());
  codes.clear();
  for (const auto& k : keyed) codes.push_back(std::get<4>(k));
  return codes;
}

void AppendForm(std::string& out, const directory::DirectoryIndex& index, const Request& req) {
  const Labels& l = *req.labels;
  out += "<form method=\"get\">\n<label for=\"near\">";
  AppendEscaped(out, l.near);
  out +=
      "</label>\n<input id=\"near\" name=\"near\" type=\"text\" maxlength=\"100\" autocomplete=\"postal-code\" "
      "aria-describedby=\"near-hint\" value=\"";
  if (req.place) AppendEscaped(out, PlaceText(*req.place));
  out += "\">\n<p class=\"hint\" id=\"near-hint\">";
  AppendEscaped(out, l.near_hint);
  out += "</p>\n<label for=\"region\">";
  AppendEscaped(out, l.region);
  // Not `required`: a place in "near" is enough (checked on the server).
  out += "</label>\n<select id=\"region\" name=\"region\">\n";
  AppendOption(out, "", l.choose, false);
  const std::vector<std::string> with_resources = index.Regions();  // RegionChoices views into it
  for (std::string_view code : RegionChoices(with_resources, req.region, l)) {
    AppendOption(out, code, RegionName(l, code), code == req.region);
  }
  out += "</select>\n<label for=\"category\">";
  AppendEscaped(out, l.category);
  out += "</label>\n<select id=\"category\" name=\"category\" required>\n";
  AppendOption(out, "", l.choose, false);
  for (Category c : directory::AllCategories()) {
    AppendOption(out, directory::CategoryName(c), CategoryLabel(l, c), req.category == c);
  }
  out += "</select>\n<label for=\"lang\">";
  AppendEscaped(out, l.language);
  out += "</label>\n<select id=\"lang\" name=\"lang\">\n";
  for (const auto& [code, name] : kPageLanguages) AppendOption(out, code, name, code == l.code);
  out += "</select>\n<button type=\"submit\">";
  AppendEscaped(out, l.submit);
  out += "</button>\n</form>\n";
}

void AppendPhoneChannel(std::string& out, const Channel& ch, std::string_view country, const Labels& l,
                        const directory::PhoneBook& phones) {
  const std::string shown = phones.FormatFor(ch.value, country);
  std::string text, href;
  if (ch.kind == ChannelKind::kSms) {
    href = "sms:" + ch.value;
    if (!ch.keyword.empty()) {
      // "?&body=" rather than "?body=": iOS reads the former, Android both.
      href += "?&body=" + PercentEncode(ch.keyword);
      text = std::string(l.text_before) + ch.keyword + std::string(l.text_to) + shown;
    } else {
      text = std::string(l.text_number) + shown;
    }
  } else {
    href = "tel:" + ch.value;
    text = std::string(ch.kind == ChannelKind::kTty ? l.tty : l.call) + shown;
  }
  if (IsDialable(ch.value)) {
    AppendLink(out, "btn", href, text);
  } else {
    AppendEscaped(out, text);
  }
  if (!ch.vanity.empty()) AppendSpan(out, "vanity", ch.vanity);
}

void AppendChannel(std::string& out, const Channel& ch, std::string_view country, const Labels& l,
                   const directory::PhoneBook& phones) {
  out += "<li>";
  switch (ch.kind) {
    case ChannelKind::kVoice:
    case ChannelKind::kSms:
    case ChannelKind::kTty: AppendPhoneChannel(out, ch, country, l, phones); break;
    case ChannelKind::kChat:
    case ChannelKind::kWeb: {
      std::string_view shown = ch.value;
      if (StartsWithNoCase(shown, "https://"))
        shown.remove_prefix(8);
      else if (StartsWithNoCase(shown, "http://"))
        shown.remove_prefix(7);
      const std::string text = std::string(ch.kind == ChannelKind::kChat ? l.chat : l.web) + std::string(shown);
      if (IsWebUrl(ch.value))
        AppendLink(out, "btn", ch.value, text);
      else
        AppendEscaped(out, text);
      break;
    }
    case ChannelKind::kEmail: {
      const std::string text = std::string(l.email) + ch.value;
      if (IsPlainEmail(ch.value))
        AppendLink(out, "btn", "mailto:" + ch.value, text);
      else
        AppendEscaped(out, text);
      break;
    }
  }
  if (!ch.label.empty()) {
    // The page's language when the data translates the label, else the English one.
    const auto it = ch.label_translations.find(std::string(l.code));
    AppendSpan(out, "label", it != ch.label_translations.end() ? it->second : ch.label);
  }
  if (!ch.hours.empty()) AppendSpan(out, "hours", std::string(l.hours) + ch.hours);
  out += "</li>\n";
}

// An info resource's web channel: a "Learn more" button and where it leads.
void AppendLearnMore(std::string& out, const Channel& ch, const Labels& l) {
  out += "<li>";
  if (IsWebUrl(ch.value)) {
    AppendLink(out, "btn", ch.value, l.learn_more);
  } else {
    AppendEscaped(out, l.learn_more);
  }
  std::string_view site = ch.value;
  if (StartsWithNoCase(site, "https://"))
    site.remove_prefix(8);
  else if (StartsWithNoCase(site, "http://"))
    site.remove_prefix(7);
  site = site.substr(0, site.find('/'));
  AppendSpan(out, "site", site);
  out += "</li>\n";
}

// A resource's name and description in the page's language when the data
// translates them, else its own.
std::pair<std::string_view, std::string_view> NameAndDescription(const Resource& r, const Labels& l) {
  std::string_view name = r.name, description = r.description;
  if (auto t = r.translations.find(std::string(l.code)); t != r.translations.end()) {
    if (!t->second.name.empty()) name = t->second.name;
    if (!t->second.description.empty()) description = t->second.description;
  }
  return {name, description};
}

// The small print under a card: hours (not for an info resource),
// languages, when it was verified and its source (a link when it has a URL).
void AppendMeta(std::string& out, const Resource& r, const Labels& l) {
  out += "<p class=\"meta\">";
  bool first = true;
  const auto separator = [&out, &first] {
    if (!first) out += " \u00b7 ";
    first = false;
  };
  if (!r.hours.empty() && !r.IsInfo()) {
    separator();
    AppendEscaped(out, l.hours);
    AppendEscaped(out, r.hours);
  }
  if (!r.languages.empty()) {
    separator();
    AppendEscaped(out, l.languages);
    for (std::size_t i = 0; i < r.languages.size(); ++i) {
      if (i > 0) out += ", ";
      AppendEscaped(out, LanguageName(l, r.languages[i]));
    }
  }
  if (!r.verified.empty()) {
    separator();
    AppendEscaped(out, l.verified);
    AppendEscaped(out, r.verified);
  }
  if (!r.source.empty()) {
    separator();
    AppendEscaped(out, l.source);
    if (std::string_view url = FindUrl(r.source); !url.empty())
      AppendLink(out, "src", url, r.source);
    else
      AppendEscaped(out, r.source);
  }
  out += "</p>\n";
}

// A service's card: its name, description and every way to reach it. An
// info resource's card: its description (the fact) as the main text, a
// "Learn more" button for a web channel, its other channels as for a
// service, and no hours.
void AppendCard(std::string& out, const Resource& r, std::string_view country, const Labels& l,
                const directory::PhoneBook& phones) {
  const auto [name, description] = NameAndDescription(r, l);
  out += r.IsInfo() ? "<article class=\"card info\">\n<h3>" : "<article class=\"card\">\n<h3>";
  AppendEscaped(out, name);
  out += "</h3>\n";
  if (r.status == directory::ResourceStatus::kUnconfirmed) AppendMessage(out, "unconfirmed", l.unconfirmed);
  if (!description.empty()) {
    out += r.IsInfo() ? "<p class=\"fact\">" : "<p>";
    AppendEscaped(out, description);
    out += "</p>\n";
  }
  if (!r.channels.empty()) {
    out += "<ul class=\"ch\">\n";
    for (const Channel& ch : r.channels) {
      if (r.IsInfo() && ch.kind == ChannelKind::kWeb) {
        AppendLearnMore(out, ch, l);
      } else {
        AppendChannel(out, ch, country, l, phones);
      }
    }
    out += "</ul>\n";
  }
  AppendMeta(out, r, l);
  out += "</article>\n";
}

// "1234 W Example Ave, Chicago, IL 60614": the parts the site has.
std::string ShortAddress(const directory::Address& a) {
  std::string out = a.street;
  const auto add = [&out](std::string_view part, std::string_view separator) {
    if (part.empty()) return;
    if (!out.empty()) out += separator;
    out += part;
  };
  add(a.city, ", ");
  add(RegionTail(a.region), ", ");
  add(a.postal_code, " ");
  return out;
}

// A site's card: its name, how far it is (none for a city-precision point:
// that distance would mislead), its address, a description, every way to
// reach it (a phone is a tel: link), a map link (an https URL with the
// coordinates: any phone's browser or maps app opens it) and the small print
// with the hours.
void AppendSiteCard(std::string& out, const Resource& r, double km, bool miles, std::string_view country,
                    const Labels& l, const directory::PhoneBook& phones) {
  const auto [name, description] = NameAndDescription(r, l);
  out += "<article class=\"card site\">\n<h3>";
  AppendEscaped(out, name);
  out += "</h3>\n";
  if (r.status == directory::ResourceStatus::kUnconfirmed) AppendMessage(out, "unconfirmed", l.unconfirmed);
  const bool precise = r.coordinates && r.coordinates->precision != directory::CoordinatePrecision::kCity;
  if (precise) {
    out += "<p class=\"dist\">";
    AppendEscaped(
        out, engine::FormatDistance(km, miles, r.coordinates->precision == directory::CoordinatePrecision::kPostal));
    out += "</p>\n";
  }
  if (r.address) {
    out += "<p class=\"addr\">";
    AppendEscaped(out, ShortAddress(*r.address));
    out += "</p>\n";
  }
  if (!description.empty()) {
    out += "<p>";
    AppendEscaped(out, description);
    out += "</p>\n";
  }
  out += "<ul class=\"ch\">\n";
  for (const Channel& ch : r.channels) AppendChannel(out, ch, country, l, phones);
  if (r.coordinates) {
    out += "<li>";
    AppendLink(out, "btn map", MapsUrl(r.coordinates->lat, r.coordinates->lon), l.map);
    out += "</li>\n";
  }
  out += "</ul>\n";
  AppendMeta(out, r, l);
  out += "</article>\n";
}

// A form of one button that submits `hidden` (no link to build, and no
// JavaScript).
void AppendButtonForm(std::string& out, const std::vector<std::pair<std::string_view, std::string_view>>& hidden,
                      std::string_view button) {
  out += "<form method=\"get\">\n";
  for (const auto& [name, value] : hidden) {
    out += "<input type=\"hidden\" name=\"";
    out += name;
    out += "\" value=\"";
    AppendEscaped(out, value);
    out += "\">\n";
  }
  out += "<button type=\"submit\">";
  AppendEscaped(out, button);
  out += "</button>\n</form>\n";
}

// No results: offer the same search for the whole country.
void AppendNothingFound(std::string& out, const Request& req) {
  const Labels& l = *req.labels;
  AppendMessage(out, "msg", l.nothing_found);
  const std::string_view country = directory::CountryOf(req.region);
  if (country.empty() || country == directory::kEverywhere || country == req.region) {
    AppendMessage(out, "msg", l.try_another);
    return;
  }
  AppendButtonForm(out, {{"region", country}, {"category", req.category_name}, {"lang", l.code}},
                   std::string(l.search_country) + std::string(RegionName(l, country)));
}

void AppendResults(std::string& out, const directory::DirectoryIndex& index, const Request& req,
                   const directory::PhoneBook& phones) {
  const Labels& l = *req.labels;
  out += "<section>\n<h2>";
  AppendEscaped(out, CategoryLabel(l, *req.category));
  out += " \u2014 ";
  AppendEscaped(out, RegionName(l, req.region));
  out += "</h2>\n";
  const std::vector<const Resource*> found = index.Lookup(req.region, *req.category, l.code);
  if (found.empty()) {
    AppendNothingFound(out, req);
  } else {
    const std::string_view country = directory::CountryOf(req.region);
    for (const Resource* r : found) AppendCard(out, *r, country, l, phones);
  }
  out += "</section>\n";
}

// The sites near `req.place`, nearest first: a place with a point gets up
// to kMaxSites cards within engine::kNearbyRadiusKm (or says none is that
// close); a postal code with no point says its region's lines follow; a
// shared city name offers one button per candidate.
constexpr std::size_t kMaxSites = 10;
constexpr std::size_t kMaxNearBytes = 100;  // as /v1/nearby

void AppendNearby(std::string& out, const directory::DirectoryIndex& index, const Request& req,
                  const directory::PhoneBook& phones) {
  const Labels& l = *req.labels;
  const directory::Location& place = *req.place;
  out += "<section class=\"near\">\n<h2>";
  AppendEscaped(out, CategoryLabel(l, *req.category));
  AppendEscaped(out, l.near_heading);
  AppendEscaped(out, place.label);
  out += "</h2>\n";
  if (place.kind == directory::LocationKind::kAmbiguous) {
    AppendMessage(out, "msg", l.ambiguous);
    for (const directory::City& c : place.candidates) {
      const std::string where = c.name + ", " + std::string(RegionTail(c.region));
      AppendButtonForm(out, {{"near", where}, {"category", req.category_name}, {"lang", l.code}},
                       c.name + ", " + std::string(RegionName(l, c.region)));
    }
  } else if (!place.point) {
    AppendMessage(out, "msg", std::string(l.no_point) + std::string(RegionName(l, place.region)) + ".");
  } else {
    const bool miles = directory::CountryOf(place.region) != "CA";
    const auto hits = index.nearby().Nearest(*place.point, *req.category, kMaxSites, engine::kNearbyRadiusKm);
    if (hits.empty()) {
      AppendMessage(out, "msg",
                    std::string(l.none_near_before) + engine::FormatDistance(engine::kNearbyRadiusKm, miles) +
                        std::string(l.none_near_of) + place.label + ".");
    }
    const std::string_view country = directory::CountryOf(place.region);
    for (const auto& hit : hits) AppendSiteCard(out, index.resources()[hit.id], hit.km, miles, country, l, phones);
  }
  out += "</section>\n";
}

void AppendTail(std::string& out, const Labels& l, const directory::DirectoryIndex* index) {
  if (index != nullptr) {
    out += "<footer>";
    AppendEscaped(out, l.footer);
    out += std::to_string(index->version());
    out += "</footer>\n";
  }
  out += "</main>\n</body>\n</html>\n";
}

}  // namespace

FindPage RenderFindPage(const directory::DirectoryIndex* index, std::string_view query,
                        const directory::PhoneBook& phones, const directory::GeoReference* geo) {
  Request req;
  std::string_view error;
  int error_status = 400;
  bool have_region = false, have_category = false, have_lang = false, have_near = false;
  auto params = gateway::ParseFormUrlencoded(query);
  if (params.ok()) {
    // The first occurrence of each parameter counts.
    for (const auto& [name, value] : params.value()) {
      if (name == "region" && !have_region) {
        req.region = value;
        have_region = true;
      } else if (name == "category" && !have_category) {
        req.category_name = value;
        have_category = true;
      } else if (name == "lang" && !have_lang) {
        req.labels = &LabelsFor(value);
        have_lang = true;
      } else if (name == "near" && !have_near) {
        req.near = value;
        have_near = true;
      }
    }
  }
  const Labels& l = *req.labels;
  if (!params.ok()) error = l.bad_query;
  // An empty or blank "near" (the form always sends the field) is no place.
  const bool near_given = std::any_of(req.near.begin(), req.near.end(), [](char c) { return c != ' ' && c != '\t'; });

  // Only a valid region, category or place is kept for the form's
  // preselection. A link with one half (a bookmarked "/find?region=CA-BC")
  // is a fine start: the form, preselected, asks for the other half (200,
  // not an error). A place ("near") stands in for a region.
  bool searching = !req.region.empty() || !req.category_name.empty() || near_given;
  std::string_view prompt;
  if (error.empty() && searching) {
    req.category = directory::ParseCategory(req.category_name);
    if (!req.region.empty() && !directory::IsKnownRegion(req.region)) {
      error = l.bad_region;
    } else if (!req.category_name.empty() && !req.category) {
      error = l.bad_category;
    } else if (near_given) {
      if (req.near.size() > kMaxNearBytes) {
        error = l.bad_near;
      } else if (geo == nullptr) {
        error = l.no_geo;
        error_status = 503;
      } else if (directory::Location place = geo->Locate(req.near); place.kind == directory::LocationKind::kNone) {
        error = l.bad_near;
      } else {
        req.place = std::move(place);
      }
    }
    if (error.empty() && req.region.empty() && !req.place)
      prompt = l.missing_region;
    else if (error.empty() && req.category_name.empty())
      prompt = l.missing_category;
    if (!prompt.empty()) searching = false;
  }
  if (!directory::IsKnownRegion(req.region)) req.region.clear();
  if (!req.category) req.category_name.clear();

  FindPage page;
  page.html.reserve(16 * 1024);
  AppendHead(page.html, l);
  if (index == nullptr) {
    page.status = 503;
    AppendMessage(page.html, "msg error", l.not_loaded);
  } else if (!error.empty()) {
    page.status = error_status;
    AppendMessage(page.html, "msg error", error);
    AppendForm(page.html, *index, req);
  } else {
    page.status = 200;
    if (!prompt.empty()) AppendMessage(page.html, "msg", prompt);
    AppendForm(page.html, *index, req);
    if (searching) {
      if (req.place) AppendNearby(page.html, *index, req, phones);
      // The lines follow: the chosen region's, else the place's (none for a
      // shared city name until one is chosen).
      Request lines = req;
      if (lines.region.empty() && req.place) lines.region = req.place->region;
      if (directory::IsKnownRegion(lines.region)) AppendResults(page.html, *index, lines, phones);
    }
  }
  AppendTail(page.html, l, index);
  return page;
}

}  // namespace helpline::daemon
