#pragma once
// Result<T>: a T or an Error, for failures that are normal traffic (bad input, unknown id, a busy
// database). Member names follow std::expected so that moving to C++23 is a one-line alias.
// Exceptions are for bugs only: value() on an error, or error() on a value, throws logic_error.

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace chophien {

enum class ErrorCode {
  invalid_input,
  not_found,
  conflict,
  forbidden,
  password_change_required,  // signed in, but must choose its own password first (403)
  unauthenticated,
  too_large,
  rate_limited,
  unavailable,
  internal
};

// One error type for the whole project. `message` is safe to show a client; `field` names the
// input at fault when there is one.
struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::string field;
};

// Stable lower-case name of a code, as used in API error bodies ("invalid_input").
const char* error_code_name(ErrorCode code);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    check_value();
    return std::get<0>(v_);
  }
  const T& value() const& {
    check_value();
    return std::get<0>(v_);
  }
  T&& value() && {
    check_value();
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    if (has_value()) throw std::logic_error("Result::error() called on a value");
    return std::get<1>(v_);
  }

 private:
  void check_value() const {
    if (!has_value())
      throw std::logic_error("Result::value() called on error: " + std::get<1>(v_).message);
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {
    if (!ok_) throw std::logic_error("Result::value() called on error: " + error_.message);
  }
  const Error& error() const {
    if (ok_) throw std::logic_error("Result::error() called on a value");
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Error invalid_input(std::string message, std::string field = {}) {
  return Error{ErrorCode::invalid_input, std::move(message), std::move(field)};
}
inline Error not_found(std::string message) {
  return Error{ErrorCode::not_found, std::move(message), {}};
}
inline Error conflict(std::string message) {
  return Error{ErrorCode::conflict, std::move(message), {}};
}

}  // namespace chophien
