#include "daemon/engine/nearby_lines.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "directory/regions.h"

namespace helpline::engine {
namespace {

using directory::Category;
using directory::LocationKind;
using directory::Resource;

struct Sentences {
  std::string_view lang;
  std::string_view no_point;    // "{place}", "{region}"
  std::string_view ambiguous;   // "{place}", "{regions}"
  std::string_view none_near;   // "{place}", "{distance}"
  std::string_view hours;       // "{hours}"
  std::string_view call_ahead;  // no hours listed
};

constexpr Sentences kSentences[] = {
    {"en", "No exact location for {place}: lines for {region}.",
     "{place} is in several places ({regions}): text your ZIP or postal code for sites near you.",
     "No listed site within {distance} of {place}.", "hours {hours}", "call ahead for hours"},
    {"es", "No encontramos {place} con exactitud: líneas de {region}.",
     "{place} está en varios lugares ({regions}): envíe su código postal para ver sitios cercanos.",
     "Ningún sitio registrado a menos de {distance} de {place}.", "horario {hours}", "llame antes para el horario"},
    {"fr", "Emplacement exact introuvable pour {place} : lignes pour {region}.",
     "{place} existe à plusieurs endroits ({regions}) : envoyez votre code postal pour les sites proches.",
     "Aucun site répertorié à moins de {distance} de {place}.", "heures {hours}", "appelez pour les heures"},
};

const Sentences& SentencesFor(std::string_view lang) {
  for (const Sentences& s : kSentences) {
    if (s.lang == lang) return s;
  }
  return kSentences[0];
}

std::string RegionNameIn(std::string_view code, std::string_view lang) {
  const directory::RegionInfo* r = directory::FindRegion(code);
  if (r == nullptr) return std::string(code);
  return std::string(lang == "fr" ? r->name_fr : lang == "es" ? r->name_es : r->name_en);
}

std::string NameIn(const Resource& r, std::string_view lang) {
  if (auto it = r.translations.find(std::string(lang)); it != r.translations.end() && !it->second.name.empty()) {
    return it->second.name;
  }
  return r.name;
}

}  // namespace

std::vector<Category> SiteCategoriesFor(Intent intent) {
  switch (intent) {
    case Intent::kNaloxone: return {Category::kNaloxone};
    case Intent::kHarm: return {Category::kHarmReduction, Category::kOverdosePrevention, Category::kNaloxone};
    case Intent::kDetox: return {Category::kDetox};
    case Intent::kTreatment: return {Category::kTreatmentReferral, Category::kMedicationTreatment, Category::kDetox};
    default: return {};
  }
}

std::string FormatDistance(double km, bool miles, bool approximate) {
  const double d = miles ? km / directory::kKmPerMile : km;
  const char* unit = miles ? "mi" : "km";
  char buf[32];
  if (approximate && d < 1)
    std::snprintf(buf, sizeof buf, "<1 %s", unit);
  else if (!approximate && d < 0.05)
    std::snprintf(buf, sizeof buf, "<0.1 %s", unit);
  else if (!approximate && d < 10)
    std::snprintf(buf, sizeof buf, "%.1f %s", d, unit);
  else
    std::snprintf(buf, sizeof buf, "%.0f %s", d, unit);
  return buf;
}

NearbyAnswer NearbyFinder::Find(std::string_view text, Intent intent, std::string_view lang,
                                const directory::DirectoryIndex& index, std::size_t max_sites) const {
  NearbyAnswer out;
  const std::vector<Category> categories = SiteCategoriesFor(intent);
  if (geo_ == nullptr || categories.empty() || index.nearby().size() == 0) return out;
  out.location = geo_->Locate(text);
  const directory::Location& loc = out.location;
  const Sentences& s = SentencesFor(lang);
  switch (loc.kind) {
    case LocationKind::kNone: return out;
    case LocationKind::kAmbiguous: {
      std::string regions;
      for (const auto& c : loc.candidates) {
        if (!regions.empty()) regions += ", ";
        regions += RegionNameIn(c.region, lang);
      }
      out.notice = Fill(s.ambiguous, {{"place", loc.label}, {"regions", regions}});
      return out;
    }
    case LocationKind::kRegion:
      out.notice = Fill(s.no_point, {{"place", loc.label}, {"region", RegionNameIn(loc.region, lang)}});
      return out;
    default: break;
  }
  out.miles = directory::CountryOf(loc.region) != "CA";
  // Nearest first across the intent's categories, each site once.
  std::vector<directory::NearbyHit> hits;
  for (Category c : categories) {
    for (const auto& h : index.nearby().Nearest(*loc.point, c, max_sites, kNearbyRadiusKm)) {
      if (std::none_of(hits.begin(), hits.end(), [&](const auto& k) { return k.id == h.id; })) hits.push_back(h);
    }
  }
  std::sort(hits.begin(), hits.end(),
            [](const auto& a, const auto& b) { return a.km < b.km || (a.km == b.km && a.id < b.id); });
  if (hits.size() > max_sites) hits.resize(max_sites);
  for (const auto& h : hits) out.sites.push_back({&index.resources()[h.id], h.km});
  if (out.sites.empty()) {
    out.notice = Fill(s.none_near, {{"place", loc.label}, {"distance", FormatDistance(kNearbyRadiusKm, out.miles)}});
  }
  return out;
}

ReplyLine SiteLine(const Resource& site, double km, bool miles, bool show_distance, const LanguageCatalog& cat,
                   const directory::PhoneBook& phones, std::string_view reader_country, bool chat, bool short_form,
                   int rank) {
  const Sentences& s = SentencesFor(cat.lang);
  std::string line = "- " + NameIn(site, cat.lang);
  if (site.address && !short_form) {
    const std::string& where = site.address->street.empty() ? site.address->city : site.address->street;
    line += ", " + where;
    if (chat && !site.address->street.empty()) line += ", " + site.address->city;
  }
  std::vector<std::string> parts;
  const bool distance =
      show_distance && site.coordinates && site.coordinates->precision != directory::CoordinatePrecision::kCity;
  if (distance) {
    parts.push_back(FormatDistance(km, miles, site.coordinates->precision == directory::CoordinatePrecision::kPostal));
  }
  bool reachable = false;
  for (const auto& ch : site.channels) {
    if (ch.kind != directory::ChannelKind::kVoice) continue;
    parts.push_back(Fill(cat.call, {{"number", phones.FormatFor(ch.value, reader_country)}}));
    reachable = true;
    break;
  }
  if (!site.hours.empty() && (chat || !reachable)) {
    parts.push_back(Fill(s.hours, {{"hours", site.hours}}));
  } else if (site.hours.empty() && chat && reachable) {
    parts.push_back(std::string(s.call_ahead));
  }
  for (std::size_t i = 0; i < parts.size(); ++i) line += (i == 0 ? ": " : ", ") + parts[i];
  if (chat && !site.description.empty()) {
    std::string_view desc = site.description;
    if (auto it = site.translations.find(cat.lang); it != site.translations.end() && !it->second.description.empty()) {
      desc = it->second.description;
    }
    line += ". " + std::string(desc);
  }
  return ReplyLine(std::move(line), rank, &site, reachable);
}

std::vector<const Resource*> WithSites(const std::vector<const Resource*>& lines, const NearbyAnswer& nearby, bool chat,
                                       std::size_t* max_lines) {
  const std::size_t national = std::min<std::size_t>(lines.size(), chat ? 6 : 2);
  // In an SMS the nearest site comes before the second national line: a
  // tight reply ("NALOXONE 63134" in Missouri, whose lines are long) keeps
  // the place the person asked for rather than a second national fact.
  const std::size_t before_sites = chat ? national : std::min<std::size_t>(national, 1);
  std::vector<const Resource*> out(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(before_sites));
  for (const NearbySite& s : nearby.sites) out.push_back(s.site);
  out.insert(out.end(), lines.begin() + static_cast<std::ptrdiff_t>(before_sites),
             lines.begin() + static_cast<std::ptrdiff_t>(national));
  *max_lines = out.size();
  return out;
}

ReplyLine NearbySiteLine(const Resource& site, const NearbyAnswer& nearby, const LanguageCatalog& cat,
                         const directory::PhoneBook& phones, std::string_view reader_country, bool chat,
                         bool short_form, int rank) {
  double km = 0;
  for (const NearbySite& s : nearby.sites) {
    if (s.site == &site) km = s.km;
  }
  // A distance from a city centre or a postal-code centroid to a site is
  // still a distance; from a city centre it is shown, the site's own
  // precision decides (SiteLine).
  return SiteLine(site, km, nearby.miles, true, cat, phones, reader_country, chat, short_form, rank);
}

std::shared_ptr<const directory::GeoReference> LoadGeoBeside(const std::string& engine_dir) {
  std::filesystem::path engine = std::filesystem::path(engine_dir);
  if (engine.filename().empty()) engine = engine.parent_path();  // "data/engine/"
  const std::filesystem::path dir = engine.parent_path() / "geo";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return nullptr;
  auto geo = directory::GeoReference::LoadDir(dir.string());
  if (!geo.ok()) {
    std::fprintf(stderr, "warning: %s; replies will not list nearby sites\n", geo.status().ToString().c_str());
    return nullptr;
  }
  return std::make_shared<const directory::GeoReference>(*std::move(geo));
}

}  // namespace helpline::engine
