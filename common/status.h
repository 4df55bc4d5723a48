#pragma once
// Status and Result<T>: the project's error values (no exceptions cross a
// public API). Modelled on absl::Status: a code with a documented meaning and
// a human message that names the place and says what is wrong.
//
//   Result<Config> r = ParseConfig(text);
//   if (!r.ok()) return r.status();
//   Use(r.value());
//
// Thread-safety: plain values; safe to copy between threads.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace helpline {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the input is wrong; retrying will not help
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // nothing to do: the state already holds (e.g. "unchanged")
  kFailedPrecondition,  // the system is not in a state to do this
  kAborted,             // lost a race; retry the whole operation
  kUnavailable,         // a dependency (Redis, a provider) is unreachable: retry with backoff
  kInternal,            // a broken invariant or an unexpected failure
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "UNAVAILABLE: redis 127.0.0.1:6379: Connection refused"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the Status that explains its absence. Never holds an OK status
// without a value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Internal("Result constructed from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace helpline

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define HL_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::helpline::Status hl_status_ = (expr);  \
    if (!hl_status_.ok()) return hl_status_; \
  } while (0)
