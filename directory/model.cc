#include "directory/model.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace helpline::directory {
namespace {

constexpr std::array<std::string_view, kCategoryCount> kCategoryNames = {
    "emergency",      "crisis",   "treatment_referral",  "detox",         "medication_treatment",
    "harm_reduction", "naloxone", "overdose_prevention", "mental_health", "peer_support",
    "family",         "youth",    "indigenous",          "text_line",     "information",
};
constexpr std::array<std::string_view, 6> kChannelKindNames = {"voice", "sms", "tty", "chat", "email", "web"};
constexpr std::array<std::string_view, 3> kStatusNames = {"active", "unconfirmed", "retired"};
constexpr std::array<std::string_view, 3> kKindNames = {"service", "info", "site"};
constexpr std::array<std::string_view, 3> kPrecisionNames = {"address", "postal", "city"};

template <typename Enum, std::size_t N>
std::optional<Enum> ParseName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view CategoryName(Category c) { return kCategoryNames[static_cast<std::size_t>(c)]; }
std::optional<Category> ParseCategory(std::string_view name) { return ParseName<Category>(kCategoryNames, name); }

const std::array<Category, kCategoryCount>& AllCategories() {
  static const std::array<Category, kCategoryCount> all = [] {
    std::array<Category, kCategoryCount> a{};
    for (std::size_t i = 0; i < kCategoryCount; ++i) a[i] = static_cast<Category>(i);
    return a;
  }();
  return all;
}

std::string_view ChannelKindName(ChannelKind k) { return kChannelKindNames[static_cast<std::size_t>(k)]; }
std::optional<ChannelKind> ParseChannelKind(std::string_view name) {
  return ParseName<ChannelKind>(kChannelKindNames, name);
}

std::string_view ResourceStatusName(ResourceStatus s) { return kStatusNames[static_cast<std::size_t>(s)]; }
std::optional<ResourceStatus> ParseResourceStatus(std::string_view name) {
  return ParseName<ResourceStatus>(kStatusNames, name);
}

std::string_view ResourceKindName(ResourceKind k) { return kKindNames[static_cast<std::size_t>(k)]; }
std::optional<ResourceKind> ParseResourceKind(std::string_view name) {
  return ParseName<ResourceKind>(kKindNames, name);
}

std::string_view CoordinatePrecisionName(CoordinatePrecision p) { return kPrecisionNames[static_cast<std::size_t>(p)]; }
std::optional<CoordinatePrecision> ParseCoordinatePrecision(std::string_view name) {
  return ParseName<CoordinatePrecision>(kPrecisionNames, name);
}

bool Resource::HasCategory(Category c) const {
  return std::find(categories.begin(), categories.end(), c) != categories.end();
}

bool Resource::ServesLanguage(std::string_view lang) const {
  return std::find(languages.begin(), languages.end(), lang) != languages.end();
}

std::optional<long> DaysFromDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (std::sscanf(std::string(s).c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

}  // namespace helpline::directory
