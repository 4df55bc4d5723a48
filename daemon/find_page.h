#pragma once
// GET /find: the plain web page outreach workers use on a phone to look up
// helplines by region and category, and sites near a place, server-rendered,
// with no JavaScript, no external assets, no cookies and no tracking.
//
//   directory::PhoneBook phones;
//   FindPage page = RenderFindPage(index.get(), "region=CA-BC&category=naloxone&lang=es", phones, geo);
//   // page.status == 200; page.html is a whole text/html; charset=utf-8 document
//
// Query parameters (the first occurrence of each counts):
//   near      a US ZIP, a Canadian postal code (full or its first three characters) or a
//             city, with its state or province if need be ("Portland, OR"), as
//             GeoReference::Locate reads it (at most 100 bytes). Stands in for a region.
//   region    an ISO 3166-2 code the directory knows: "CA-BC", "US-TX", "US", "CA", "*"
//   category  a directory category name as ParseCategory accepts: "naloxone", "treatment_referral"
//   lang      "en" (default), "es" or "fr": the page's labels, the translations used for
//             resource names and descriptions, and the language preference of the lookup.
//             Any other value reads as "en".
//
// The form offers every jurisdiction (each US state, DC, Puerto Rico, province and
// territory: directory::Jurisdictions()), the two countries, and any other region with
// resources.
//
// Results:
//   200  the form; with a region and a category, the resources Lookup() gives (ancestry
//        included), or a suggestion to search country-wide when there are none. A region or
//        a category alone only preselects the form (links can prefill it).
//        With a place and a category: first up to 10 active sites offering the category within
//        80 km, nearest first, as site cards (name, distance in mi in the US and km in Canada,
//        none for a city-precision point; address; every channel, a phone as a tel: link; an
//        https map link (MapsUrl); hours), or a line saying none is that close; then the lines
//        of the chosen region, else of the place's region. A postal code with no point says
//        so and shows its province's lines; a city name several regions share offers one
//        button per candidate. The field then shows the place as understood ("60614",
//        "Portland, OR"), never the text as typed.
//   400  the form and a message saying which parameter is wrong: a malformed query string,
//        an unknown region, an unknown category, a place we cannot find. Query values are
//        never echoed.
//   503  `index` is null: "directory not loaded yet"; or a place was asked for and `geo`
//        is null (no data/geo).
// Every page starts with the localized "Overdose or emergency: call 911" banner. A service's
// card gives its name, description and every channel as a tappable link; an info resource's
// card gives its description (the fact) as the main text and a "Learn more" link for a web
// channel. Unconfirmed resources of either kind carry a visible note.
//
// Everything from the directory is HTML-escaped (attributes and URLs included) and only
// http(s), tel, sms and mailto links are emitted; a value that would make any other link
// is shown as text.
//
// Thread-safety: a pure function of its arguments; safe to call concurrently.
// Lifetimes: nothing is retained after the call.

#include <string>
#include <string_view>

#include "directory/geo.h"
#include "directory/index.h"
#include "directory/phone.h"

namespace helpline::daemon {

struct FindPage {
  int status = 200;
  std::string html;  // served as "text/html; charset=utf-8"
};

// `index` may be null (no directory loaded yet); `query` is the raw query
// string after '?', possibly empty; `geo` (data/geo) may be null: then only
// a search by region works.
FindPage RenderFindPage(const directory::DirectoryIndex* index, std::string_view query,
                        const directory::PhoneBook& phones, const directory::GeoReference* geo = nullptr);

}  // namespace helpline::daemon
