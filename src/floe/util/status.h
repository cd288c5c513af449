// Status and Result<T>: floe's errors as values.
//
// Library code never throws; a function that can fail returns a Status, or a
// Result<T> holding either a T or a non-OK Status. Messages are written for the
// person reading the error: they name the thing (file, table, record) and the
// fault, e.g. "data.parquet: footer length 9000 exceeds file size 120".
#pragma once

#include <fmt/format.h>

#include <cassert>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace floe {

enum class StatusCode : unsigned char {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong (bad config, bad expression, bad name)
  kNotFound,          // a named thing does not exist
  kAlreadyExists,     // a thing to create exists already
  kCorruption,        // stored bytes are malformed (files, records, metadata)
  kIOError,           // the operating system or a remote store failed
  kNotSupported,      // valid, but floe does not handle it (yet)
  kConflict,          // an optimistic commit lost a race; retrying may succeed
  kOutOfRange,        // a value or index past what is allowed
  kPermissionDenied,  // the principal may not do this
  kUnavailable,       // a service is down or timed out; retrying may succeed
  kInternal,          // a bug in floe
  // An operation that may or may not have taken effect (a commit whose
  // answer was lost, a database connection that broke during COMMIT). A
  // caller must treat it as possibly applied: never clean up what it wrote,
  // never report that nothing happened; look at the outcome instead.
  kCommitStateUnknown,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status carries no allocation, so returning OK is as cheap as a bool.
  Status() = default;
  Status(StatusCode code, std::string message);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }

#define FLOE_STATUS_FACTORY(Name, Code)                                                \
  template <typename... Args>                                                          \
  static Status Name(fmt::format_string<Args...> format, Args&&... args) {             \
    return Status(StatusCode::Code, fmt::format(format, std::forward<Args>(args)...)); \
  }
  FLOE_STATUS_FACTORY(InvalidArgument, kInvalidArgument)
  FLOE_STATUS_FACTORY(NotFound, kNotFound)
  FLOE_STATUS_FACTORY(AlreadyExists, kAlreadyExists)
  FLOE_STATUS_FACTORY(Corruption, kCorruption)
  FLOE_STATUS_FACTORY(IOError, kIOError)
  FLOE_STATUS_FACTORY(NotSupported, kNotSupported)
  FLOE_STATUS_FACTORY(Conflict, kConflict)
  FLOE_STATUS_FACTORY(OutOfRange, kOutOfRange)
  FLOE_STATUS_FACTORY(PermissionDenied, kPermissionDenied)
  FLOE_STATUS_FACTORY(Unavailable, kUnavailable)
  FLOE_STATUS_FACTORY(Internal, kInternal)
  FLOE_STATUS_FACTORY(CommitStateUnknown, kCommitStateUnknown)
#undef FLOE_STATUS_FACTORY

  bool ok() const {
    return state_ == nullptr;
  }
  StatusCode code() const {
    return ok() ? StatusCode::kOk : state_->code;
  }
  // The message without the code; empty for OK.
  std::string_view message() const {
    return ok() ? std::string_view() : state_->message;
  }

  // "Corruption: data.parquet: bad magic"; "OK" for OK.
  std::string ToString() const;

  // Returns this status with "context: " put before the message, so errors
  // gather where they happened as they travel up ("table edc.audit: file x: ...").
  // OK stays OK.
  Status WithContext(std::string_view context) const&;
  Status WithContext(std::string_view context) && {
    if (!ok()) AddContext(context);  // inline: OK is the common case, per value in decoders
    return std::move(*this);
  }

  bool operator==(const Status& other) const {
    return code() == other.code() && message() == other.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  // REQUIRES: !ok().
  void AddContext(std::string_view context);
  std::unique_ptr<State> state_;
};

// Either a value or an error. Access to the value of an error Result is a bug
// (asserted in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result constructed from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  // OK when a value is held.
  Status status() const& { return ok() ? Status::OK() : std::get<Status>(data_); }
  Status status() && { return ok() ? Status::OK() : std::move(std::get<Status>(data_)); }

  // REQUIRES: ok()
  const T& value() const& { return Checked(); }
  T& value() & { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  const T& operator*() const& { return Checked(); }
  T& operator*() & { return Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  const T* operator->() const { return &Checked(); }
  T* operator->() { return &Checked(); }

  T value_or(T fallback) const& { return ok() ? std::get<T>(data_) : std::move(fallback); }

 private:
  T& Checked() {
    assert(ok() && "value() of an error Result");
    return std::get<T>(data_);
  }
  const T& Checked() const {
    assert(ok() && "value() of an error Result");
    return std::get<T>(data_);
  }

  std::variant<T, Status> data_;
};

namespace internal {
inline Status ToStatus(const Status& s) {
  return s;
}
inline Status ToStatus(Status&& s) {
  return std::move(s);
}
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
template <typename T>
Status ToStatus(Result<T>&& r) {
  return std::move(r).status();
}
}  // namespace internal

}  // namespace floe

#define FLOE_CONCAT_IMPL(a, b) a##b
#define FLOE_CONCAT(a, b) FLOE_CONCAT_IMPL(a, b)

// Returns from the current function when `expr` (a Status or Result) is an error.
// The variable is numbered so that the macro nests (an expression holding a
// lambda that uses it) without shadowing.
#define FLOE_RETURN_IF_ERROR(expr) \
  FLOE_RETURN_IF_ERROR_IMPL(FLOE_CONCAT(floe_status_, __COUNTER__), expr)
#define FLOE_RETURN_IF_ERROR_IMPL(status, expr)                             \
  do {                                                                      \
    auto&& status = (expr);                                                 \
    if (!status.ok()) return ::floe::internal::ToStatus(std::move(status)); \
  } while (false)

// `FLOE_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from the value of a
// Result, or returns its error from the current function.
#define FLOE_ASSIGN_OR_RETURN(lhs, expr) \
  FLOE_ASSIGN_OR_RETURN_IMPL(FLOE_CONCAT(floe_result_, __LINE__), lhs, expr)
#define FLOE_ASSIGN_OR_RETURN_IMPL(result, lhs, expr)  \
  auto result = (expr);                                \
  if (!result.ok()) return std::move(result).status(); \
  lhs = std::move(result).value()
