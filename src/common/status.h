// Status and StatusOr<T>: the error currency at every module boundary in src/.
//
// Codes mirror the HTTP API's error codes (../shared/API.md); the mapping to HTTP status codes lives in exactly one
// place (src/http/errors.cc). gp/ and acquisition/ do not use this type: they report numerical trouble in their own
// result structs, and the strategy layer turns those into a Status where a request must fail.
//
// Thread safety: value types, safe to copy between threads.
#ifndef BAYESD_SRC_COMMON_STATUS_H_
#define BAYESD_SRC_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace bayesd {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // 400 invalid_argument
  kUnauthenticated,     // 401 unauthenticated
  kNotFound,            // 404 not_found
  kAlreadyExists,       // 409 already_exists
  kFailedPrecondition,  // 409 failed_precondition
  kPayloadTooLarge,     // 413 payload_too_large
  kUnavailable,         // 503 unavailable
  kInternal,            // 500 internal
};

// The API's snake_case name of a code ("invalid_argument", ...).
std::string_view StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // JSON path of the offending field ("parameters[1].low"), empty when no single field is at fault.
  const std::string& field() const { return field_; }

  // "invalid_argument: parameters[1].low must be < high (field parameters[1].low)"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgument(std::string msg, std::string field = {}) {
  return Status(StatusCode::kInvalidArgument, std::move(msg), std::move(field));
}
inline Status NotFound(std::string msg, std::string field = {}) {
  return Status(StatusCode::kNotFound, std::move(msg), std::move(field));
}
inline Status AlreadyExists(std::string msg, std::string field = {}) {
  return Status(StatusCode::kAlreadyExists, std::move(msg), std::move(field));
}
inline Status FailedPrecondition(std::string msg, std::string field = {}) {
  return Status(StatusCode::kFailedPrecondition, std::move(msg), std::move(field));
}
inline Status Unavailable(std::string msg) { return Status(StatusCode::kUnavailable, std::move(msg)); }
inline Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }

// Either a value or a non-OK Status.
template <typename T>
class StatusOr {
 public:
  StatusOr(const T& value) : v_(value) {}                  // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : v_(std::move(status)) {        // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "StatusOr constructed from an OK status");
    if (std::get<Status>(v_).ok()) v_ = Internal("StatusOr constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? OkStatus() : std::get<Status>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace bayesd

// Early-return helpers. RETURN_IF_ERROR(expr) returns expr's Status when it is not OK;
// ASSIGN_OR_RETURN(lhs, expr) unwraps a StatusOr or returns its Status.
#define BAYESD_CONCAT_INNER(a, b) a##b
#define BAYESD_CONCAT(a, b) BAYESD_CONCAT_INNER(a, b)
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::bayesd::Status bayesd_status_ = (expr);  \
    if (!bayesd_status_.ok()) return bayesd_status_; \
  } while (0)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(BAYESD_CONCAT(bayesd_sor_, __LINE__), lhs, expr)

#endif  // BAYESD_SRC_COMMON_STATUS_H_
