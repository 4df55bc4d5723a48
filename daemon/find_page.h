#pragma once
// GET /find: the plain web page outreach workers use on a phone to look up
// helplines by region and category, server-rendered, with no JavaScript,
// no external assets, no cookies and no tracking.
//
//   directory::PhoneBook phones;
//   FindPage page = RenderFindPage(index.get(), "region=CA-BC&category=naloxone&lang=es", phones);
//   // page.status == 200; page.html is a whole text/html; charset=utf-8 document
//
// Query parameters (the first occurrence of each counts):
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
//   400  the form and a message saying which parameter is wrong: a malformed query string,
//        an unknown region, an unknown category. Query values are never echoed.
//   503  `index` is null: "directory not loaded yet".
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

#include "directory/index.h"
#include "directory/phone.h"

namespace helpline::daemon {

struct FindPage {
  int status = 200;
  std::string html;  // served as "text/html; charset=utf-8"
};

// `index` may be null (no directory loaded yet); `query` is the raw query
// string after '?', possibly empty.
FindPage RenderFindPage(const directory::DirectoryIndex* index, std::string_view query,
                        const directory::PhoneBook& phones);

}  // namespace helpline::daemon
