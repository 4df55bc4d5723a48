#pragma once
// Directory validation: JSON syntax, the JSON Schema (data/schema/
// directory.schema.json, compiled into the binary) and the semantic rules the
// schema cannot express:
//   - phone channels parse with libphonenumber for the resource's country
//     (vanity letters and short codes accepted, see PhoneBook), and are
//     normalized (the returned resources carry E.164 values);
//   - ids are unique across all files; regions are known ISO 3166-2 codes
//     inside the file's jurisdiction; text keywords only on sms channels;
//   - chat/web values are well-formed https URLs, email values addresses;
//   - `verified` is a real date, not in the future; older than
//     max_age_days it is reported as stale (a warning);
//   - `unconfirmed` resources are reported (a warning), so nothing
//     unconfirmed is silent.
// Hostile files get errors, never a crash or unbounded work: a file larger
// than kMaxDirectoryFileBytes is refused unread; JSON nested deeper than 32
// levels is refused while parsing; every string (values and field names)
// must be valid UTF-8 without control characters (C0, DEL, C1; tab and
// newline only in the file's `description` and a resource's `notes`, which
// nobody is texted); a *.json entry of a directory that is a symlink loop, a
// broken symlink, a directory or anything but a regular file is an error.
// Every diagnostic names the file and the JSON pointer:
//   data/ca.json: /resources/3/channels/0/value: '1-800-66-6868' is not a valid phone number for CA
//
//   Validator v;
//   ValidationReport report = v.ValidatePaths({"data"});
//   for (const auto& d : report.diagnostics) std::cerr << d.ToString() << "\n";
//   if (report.ok()) Load(report.resources);
//
// Thread-safety: a Validator is immutable after construction; ValidatePaths
// may be called concurrently.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "directory/model.h"

namespace helpline::directory {

// The largest directory file read, in bytes (8 MiB; the shipped files are
// tens of KiB). A larger file is an error, and no more of it is read.
inline constexpr std::size_t kMaxDirectoryFileBytes = std::size_t{8} << 20;

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;     // as given: "data/ca.json"
  std::string pointer;  // JSON pointer: "/resources/3/channels/0/value"; empty for the whole file
  std::string message;
  // "data/ca.json: /resources/3/id: duplicate id ..." (warnings prefixed "warning: ").
  std::string ToString() const;
};

struct ValidatorOptions {
  // `verified` older than this many days is reported as stale. Default 365.
  int max_age_days = 365;
  // "YYYY-MM-DD" to validate against; empty means today (UTC). For tests.
  std::string today;
};

// Where a resource was defined.
struct ResourceOrigin {
  std::string file;
  std::string pointer;  // "/resources/3"
};

struct ValidationReport {
  std::vector<std::string> files;       // every file read, in order
  std::vector<Resource> resources;      // all resources that passed the schema, normalized, sorted by id
  std::vector<ResourceOrigin> origins;  // origins[i] is where resources[i] was defined
  std::vector<Diagnostic> diagnostics;  // in file order

  bool ok() const { return ErrorCount() == 0; }
  std::size_t ErrorCount() const;
  std::size_t WarningCount() const;
};

class Validator {
 public:
  explicit Validator(ValidatorOptions options = {});
  ~Validator();
  Validator(Validator&&) noexcept;

  // Validates files and directories (a directory contributes its *.json
  // files, sorted, not recursing). A path that cannot be read (missing,
  // unreadable, a symlink loop, too large) is an error diagnostic naming it,
  // not a Status: the report always says what happened.
  ValidationReport ValidatePaths(const std::vector<std::string>& paths) const;

  // Validates one document's text as if read from `file` and adds to `report`.
  // Call Finish() after the last document (sorts and checks cross-file rules).
  void ValidateText(std::string_view file, std::string_view text, ValidationReport* report) const;
  void Finish(ValidationReport* report) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The JSON Schema the validator enforces (the text of data/schema/directory.schema.json).
std::string_view DirectorySchemaText();

}  // namespace helpline::directory
