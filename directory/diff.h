#pragma once
// What changes between two directory versions, resource by resource and
// field by field (fields compared in their canonical JSON form).
//
//   DirectoryDiff d = DiffDirectories(current, candidate);
//   std::cout << FormatDiff(d);   // "+ added ...", "- removed ...", "~ changed ..."
//
// Thread-safety: free functions on values.

#include <string>
#include <vector>

#include "directory/model.h"

namespace helpline::directory {

struct FieldChange {
  std::string field;   // "channels", "priority"
  std::string before;  // compact JSON, "" if absent
  std::string after;
};

struct ResourceChange {
  std::string id;
  std::vector<FieldChange> fields;
};

struct DirectoryDiff {
  std::vector<std::string> added;    // ids, sorted
  std::vector<std::string> removed;  // ids, sorted
  std::vector<ResourceChange> changed;
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

// Both inputs sorted by id with unique ids.
DirectoryDiff DiffDirectories(const std::vector<Resource>& before, const std::vector<Resource>& after);

// Human-readable, one line per added/removed resource and per changed field:
//   + us-new-line
//   - ca-old-line
//   ~ ca-naloxone-finder: priority: 70 -> 75
// followed by "3 added, 1 removed, 2 changed" ("no changes" when empty).
std::string FormatDiff(const DirectoryDiff& diff);

}  // namespace helpline::directory
