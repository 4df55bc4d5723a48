#pragma once
// Nearby sites in replies: "NALOXONE 60614", "naloxone near H2X 1Y4",
// "detox chicago" get the first national line, then up to 3 nearest active
// sites offering what was asked, then the second national line (name, short address,
// distance in miles in the US and km in Canada, a phone or the hours); chat
// replies show more of each site. City-precision sites show no distance.
// A postal code with no point in data/geo falls back to its province and
// the reply says so; a city name several states share asks for a ZIP.
//
//   NearbyFinder finder(geo);  // directory/geo.h, loaded from data/geo
//   NearbyAnswer a = finder.Find(text, Intent::kNaloxone, "en", index, 3);
//   a.sites[0].site->name, a.sites[0].km; a.notice (may be empty)
//   ReplyLine line = SiteLine(*a.sites[0].site, a.sites[0].km, a.miles, cat, phones, "US", false, false, rank);
//
// The sentences are here (en, es, fr) rather than in messages.json so the
// engine's catalog format did not change while others edit it.
//
// Thread-safety: immutable; any number of threads.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/engine/catalog.h"
#include "daemon/engine/intent.h"
#include "daemon/engine/reply_fitter.h"
#include "directory/geo.h"
#include "directory/index.h"
#include "directory/phone.h"

namespace helpline::engine {

// The site categories an intent asks for (empty: the intent gets no sites).
std::vector<directory::Category> SiteCategoriesFor(Intent intent);

struct NearbySite {
  const directory::Resource* site = nullptr;
  double km = 0;
};

struct NearbyAnswer {
  directory::Location location;   // what the message named
  std::vector<NearbySite> sites;  // nearest first
  std::string notice;             // a line to show before the sites ("" for none)
  bool miles = true;              // the US: miles; Canada: km
  bool empty() const { return sites.empty() && notice.empty(); }
};

// Sites are looked for within this distance of the person.
inline constexpr double kNearbyRadiusKm = 80;

class NearbyFinder {
 public:
  explicit NearbyFinder(std::shared_ptr<const directory::GeoReference> geo = nullptr) : geo_(std::move(geo)) {}

  // Nothing (empty) when there is no geographic data, the intent asks for
  // no sites, the directory has none, or the text names no place.
  NearbyAnswer Find(std::string_view text, Intent intent, std::string_view lang, const directory::DirectoryIndex& index,
                    std::size_t max_sites) const;

  const directory::GeoReference* geo() const { return geo_.get(); }

 private:
  std::shared_ptr<const directory::GeoReference> geo_;
};

// "- Example Center, 1234 W Example Ave: 0.4 mi, call 312-555-0142".
// The short form (a tight SMS) keeps the name, the distance and one way to
// reach it; chat adds the city, the description and the hours.
ReplyLine SiteLine(const directory::Resource& site, double km, bool miles, bool show_distance,
                   const LanguageCatalog& cat, const directory::PhoneBook& phones, std::string_view reader_country,
                   bool chat, bool short_form, int rank);

// The body a reply offers when it has sites. In an SMS: the first national
// line, the sites, then the second national line (a tight reply keeps the
// place asked for); in chat: 6 national lines, then the sites. `max_lines`
// is set to fit them.
std::vector<const directory::Resource*> WithSites(const std::vector<const directory::Resource*>& lines,
                                                  const NearbyAnswer& nearby, bool chat, std::size_t* max_lines);

// SiteLine for a site of `nearby` (its distance looked up there).
ReplyLine NearbySiteLine(const directory::Resource& site, const NearbyAnswer& nearby, const LanguageCatalog& cat,
                         const directory::PhoneBook& phones, std::string_view reader_country, bool chat,
                         bool short_form, int rank);

// "0.4 mi", "12 km"; "<0.1 mi" rather than "0.0 mi". An `approximate`
// distance (a site known only by its postal code's centroid, which may lie a
// few km from its door) is shown in whole units, "<1 mi" under one: a site in
// the person's own ZIP would otherwise read "0.0 mi".
std::string FormatDistance(double km, bool miles, bool approximate = false);

// Loads data/geo beside an engine data directory ("data/engine" -> "data/geo");
// nullptr (no sites in replies) when it is not there or does not load.
std::shared_ptr<const directory::GeoReference> LoadGeoBeside(const std::string& engine_dir);

}  // namespace helpline::engine
