#pragma once
// A failure of the machine, as a value: a file that cannot be read, a
// journal that cannot write, a socket that cannot bind, a lock held by
// another process. Errors in the user's files are not this: they are
// diagnostics with FILE:LINE:COL (calendar/diagnostic.hpp).
//
// `result<T>` holds a T or a `failure` (a message for people and logs,
// "cannot read 'herald.yaml': No such file or directory"); `result<void>`
// holds nothing or a failure. Nothing here throws except value() and
// error() called on the wrong side, which is a bug in the caller.

#include <string>
#include <utility>
#include <variant>

namespace herald {

/// Why an operation of the machine did not succeed, in words.
struct failure {
  std::string message;
};

/// A value, or the failure that prevented it.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : value_(std::in_place_index<0>, std::move(value)) {}
  result(failure error) : value_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return value_.index() == 0; }
  /// REQUIRES: ok()
  T& value() & { return std::get<0>(value_); }
  const T& value() const& { return std::get<0>(value_); }
  T&& value() && { return std::get<0>(std::move(value_)); }
  /// REQUIRES: !ok()
  const std::string& error() const { return std::get<1>(value_).message; }

 private:
  std::variant<T, failure> value_;
};

/// Success, or the failure that prevented it.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(failure error) : error_(std::move(error.message)), ok_(false) {}

  bool ok() const { return ok_; }
  /// REQUIRES: !ok()
  const std::string& error() const { return error_; }

 private:
  std::string error_;
  bool ok_ = true;
};

}  // namespace herald
