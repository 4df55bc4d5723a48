#include "directory/diff.h"

#include "directory/json_codec.h"

namespace helpline::directory {
namespace {

ResourceChange CompareFields(const Resource& a, const Resource& b) {
  ResourceChange change{a.id, {}};
  auto before = FieldsAsJson(a);
  auto after = FieldsAsJson(b);
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (before[i].second != after[i].second) {
      change.fields.push_back({before[i].first, before[i].second, after[i].second});
    }
  }
  return change;
}

}  // namespace

DirectoryDiff DiffDirectories(const std::vector<Resource>& before, const std::vector<Resource>& after) {
  DirectoryDiff diff;
  std::size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() || (i < before.size() && before[i].id < after[j].id)) {
      diff.removed.push_back(before[i++].id);
    } else if (i == before.size() || after[j].id < before[i].id) {
      diff.added.push_back(after[j++].id);
    } else {
      if (!(before[i] == after[j])) diff.changed.push_back(CompareFields(before[i], after[j]));
      ++i;
      ++j;
    }
  }
  return diff;
}

std::string FormatDiff(const DirectoryDiff& diff) {
  std::string out;
  for (const auto& id : diff.added) out += "+ " + id + "\n";
  for (const auto& id : diff.removed) out += "- " + id + "\n";
  for (const auto& c : diff.changed) {
    for (const auto& f : c.fields) {
      out += "~ " + c.id + ": " + f.field + ": " + (f.before.empty() ? "(none)" : f.before) + " -> " +
             (f.after.empty() ? "(none)" : f.after) + "\n";
    }
  }
  if (diff.empty()) {
    out += "no changes\n";
  } else {
    out += std::to_string(diff.added.size()) + " added, " + std::to_string(diff.removed.size()) + " removed, " +
           std::to_string(diff.changed.size()) + " changed\n";
  }
  return out;
}

}  // namespace helpline::directory
