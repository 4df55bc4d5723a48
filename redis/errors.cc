#include "redis/errors.h"

#include <array>
#include <string>
#include <utility>

namespace helpline::redis {
namespace {

struct Code {
  std::string_view word;
  ErrorKind kind;
};

constexpr std::array<Code, 12> kCodes = {{
    {"LOADING", ErrorKind::kTransient},
    {"BUSY", ErrorKind::kTransient},
    {"READONLY", ErrorKind::kTransient},
    {"OOM", ErrorKind::kTransient},
    {"MASTERDOWN", ErrorKind::kTransient},
    {"TRYAGAIN", ErrorKind::kTransient},
    {"CLUSTERDOWN", ErrorKind::kTransient},
    {"NOREPLICAS", ErrorKind::kTransient},
    {"NOAUTH", ErrorKind::kAccess},
    {"WRONGPASS", ErrorKind::kAccess},
    {"NOPERM", ErrorKind::kAccess},
    {"NOSCRIPT", ErrorKind::kNoScript},
}};

}  // namespace

ErrorKind ClassifyError(std::string_view error) {
  const std::string_view word = error.substr(0, error.find(' '));
  for (const Code& c : kCodes) {
    if (word == c.word) return c.kind;
  }
  return ErrorKind::kOther;
}

bool IsTransientError(std::string_view error) { return ClassifyError(error) == ErrorKind::kTransient; }

Status ErrorStatus(std::string_view what, std::string_view error) {
  std::string m(what);
  m += ": ";
  m += error;
  switch (ClassifyError(error)) {
    case ErrorKind::kTransient: return Unavailable(std::move(m));
    case ErrorKind::kAccess: return FailedPrecondition(std::move(m));
    default: return Internal(std::move(m));
  }
}

}  // namespace helpline::redis
