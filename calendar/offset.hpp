#pragma once
// A step's `at`: a number of days, or of working days, from an occurrence's
// start or end.

#include <string>
#include <string_view>
#include <variant>

#include <date/date.h>

#include "calendar/diagnostic.hpp"

namespace herald {

struct key_offset;  // text/post_key.hpp

struct step_offset {
  enum class anchor { start, end };
  anchor from = anchor::start;
  int days = 0;
  bool workdays = false;  ///< `days` counts working days (`-5wd`): the date is always a workday

  /// The post-key form (docs/calendar.md "Post keys"): `0d`, `-28d`, `+1d`, `end`, `end+1d`, `end-2d`,
  /// `-5wd`, `end+2wd`, as text/post_key.hpp writes it.
  std::string key() const;
  key_offset key_form() const;
  /// The day the step counts from.
  date::local_days anchor_day(date::local_days start, date::local_days end) const {
    return from == anchor::start ? start : end;
  }
  /// The step's date for an occurrence. REQUIRES: !workdays (those need the
  /// calendar's workdays: workday_calendar::add_workdays).
  date::local_days apply(date::local_days start, date::local_days end) const {
    return anchor_day(start, end) + date::days{days};
  }
  friend bool operator==(const step_offset&, const step_offset&) = default;
};

/// Parses `0`, `-4w`, `-3d`, `+1d`, `end`, `end+1d`, `end-2d`, `-5wd`, `end+2wd`.
std::variant<step_offset, parse_error> parse_offset(std::string_view text);

/// Parses `HH:MM` (24 h) into minutes after midnight.
std::variant<std::chrono::minutes, parse_error> parse_time_of_day(std::string_view text);

/// Parses a length: `7 days`, `1 day`, `2 weeks`, `7d`, `2w` (at least a day).
std::variant<date::days, parse_error> parse_length(std::string_view text);

}  // namespace herald
