#pragma once
// The directory model: what a helpline resource is.
//
// A Resource is one service a person can reach (a phone line, a text line, a
// website). Resources are plain values; a directory version is a vector of
// them, sorted by id. Thread-safety: plain values.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helpline::directory {

// The closed list of categories. The order is the wire order of the schema.
enum class Category : std::uint8_t {
  kEmergency,
  kCrisis,
  kTreatmentReferral,
  kDetox,
  kMedicationTreatment,
  kHarmReduction,
  kNaloxone,
  kOverdosePrevention,
  kMentalHealth,
  kPeerSupport,
  kFamily,
  kYouth,
  kIndigenous,
  kTextLine,
  kInformation,
};
inline constexpr std::size_t kCategoryCount = 15;

// "treatment_referral" <-> Category::kTreatmentReferral.
std::string_view CategoryName(Category c);
std::optional<Category> ParseCategory(std::string_view name);
const std::array<Category, kCategoryCount>& AllCategories();

enum class ChannelKind : std::uint8_t { kVoice, kSms, kTty, kChat, kEmail, kWeb };
std::string_view ChannelKindName(ChannelKind k);
std::optional<ChannelKind> ParseChannelKind(std::string_view name);
// Voice, SMS and TTY channels carry a phone number (or a short code).
inline bool IsPhoneKind(ChannelKind k) {
  return k == ChannelKind::kVoice || k == ChannelKind::kSms || k == ChannelKind::kTty;
}

enum class ResourceStatus : std::uint8_t { kActive, kUnconfirmed, kRetired };
std::string_view ResourceStatusName(ResourceStatus s);
std::optional<ResourceStatus> ParseResourceStatus(std::string_view name);

// A service is something a person reaches (a line, a text number, a site):
// it has at least one channel. An info resource is a fact worth texting
// ("naloxone is free at pharmacies in Quebec, no prescription"): its
// description is the sentence sent, and its channels (if any) say where to
// learn more. A site is a place a person walks into (a naloxone pickup, a
// supervised consumption site, a detox centre): it has an address and
// coordinates, is found by distance (directory/nearby_index.h) rather than
// by region, and may have no channel (walk-in) and no hours (call ahead).
enum class ResourceKind : std::uint8_t { kService, kInfo, kSite };
std::string_view ResourceKindName(ResourceKind k);
std::optional<ResourceKind> ParseResourceKind(std::string_view name);

// One way to reach a resource.
struct Channel {
  ChannelKind kind = ChannelKind::kVoice;
  // Phone kinds: E.164 ("+18006624357") or a short code's digits ("988").
  // chat/web: an https URL. email: an address.
  std::string value;
  std::string vanity;   // optional spelled form as published, "1-800-662-HELP"
  std::string keyword;  // optional text keyword: "CONNEX" in "text CONNEX to 247247"
  std::string label;    // optional, "Veterans", "report a bad batch"
  std::string hours;    // optional, overrides the resource's hours
  // optional, the label in other languages by ISO 639 code: {"es": "veteranos"}
  std::map<std::string, std::string> label_translations = {};

  bool operator==(const Channel&) const = default;
};

// How a site's point was obtained: geocoded from its street address by an
// official source, the ZIP / postal-code centroid, or the city centre.
// Replies show a distance only for address and postal precision.
enum class CoordinatePrecision : std::uint8_t { kAddress, kPostal, kCity };
std::string_view CoordinatePrecisionName(CoordinatePrecision p);
std::optional<CoordinatePrecision> ParseCoordinatePrecision(std::string_view name);

// Days since 1970-01-01 of a real calendar date "YYYY-MM-DD" (a resource's
// `verified`), or nullopt.
std::optional<long> DaysFromDate(std::string_view s);

struct Coordinates {
  double lat = 0;
  double lon = 0;
  CoordinatePrecision precision = CoordinatePrecision::kAddress;
  bool operator==(const Coordinates&) const = default;
};

// A site's postal address. street and postal_code are optional.
struct Address {
  std::string street;       // "1234 W Example Ave"
  std::string city;         // "Chicago"
  std::string region;       // ISO 3166-2: "US-IL"
  std::string postal_code;  // "60614", "H2X 1Y4"
  std::string country;      // ISO 3166-1 alpha-2: "US"
  bool operator==(const Address&) const = default;
};

// Name and description in another language than the resource's own.
struct Translation {
  std::string name;
  std::string description;
  bool operator==(const Translation&) const = default;
};

struct Resource {
  std::string id;  // stable, unique across the directory: [a-z0-9][a-z0-9-]*
  ResourceKind kind = ResourceKind::kService;
  std::string name;
  std::string description;  // short, one sentence
  std::vector<Category> categories;
  std::vector<std::string> regions;    // ISO 3166-2 ("US", "US-TX", "CA-BC") or "*"
  std::vector<std::string> languages;  // ISO 639 codes: "en", "es", "fr", "cr"
  std::vector<Channel> channels;       // in the order they should be offered
  std::string hours;                   // "24/7" or free text; optional for sites only
  int priority = 50;                   // 0..100, higher is offered first
  std::string source;                  // URL or document the facts come from
  std::string verified;                // YYYY-MM-DD the facts were last checked
  ResourceStatus status = ResourceStatus::kActive;
  std::optional<Address> address;                   // sites: required
  std::optional<Coordinates> coordinates;           // sites: required
  std::string notes;                                // operator notes, never sent to people
  std::map<std::string, Translation> translations;  // by language code
  // Names people use for the resource, by language code, as a person would
  // text them ("poison control", "ligne de surdose"): a message naming one
  // is answered with this resource first.
  std::map<std::string, std::vector<std::string>> aliases;

  bool operator==(const Resource&) const = default;
  bool HasCategory(Category c) const;
  bool IsInfo() const { return kind == ResourceKind::kInfo; }
  bool IsSite() const { return kind == ResourceKind::kSite; }
  bool ServesLanguage(std::string_view lang) const;
};

}  // namespace helpline::directory
