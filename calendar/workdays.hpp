#pragma once
// Which days are workdays, and where a step on another day moves to.

#include <optional>
#include <vector>

#include <date/date.h>

namespace herald {

/// What a step does when its date is not a workday (docs/calendar.md "Post keys").
enum class not_workday_policy { keep, previous, next, skip };

class workday_calendar {
 public:
  /// Mon–Fri, no holidays.
  workday_calendar();
  /// REQUIRES: `weekdays` names at least one day.
  workday_calendar(std::vector<date::weekday> weekdays, std::vector<date::local_days> holidays);

  bool is_workday(date::local_days day) const;
  /// `day` moved by `policy`; nullopt when the post is skipped.
  std::optional<date::local_days> move(date::local_days day, not_workday_policy policy) const;
  /// An upper bound on how far `move` can carry a date: a week plus every holiday.
  date::days max_move() const { return date::days{7 + static_cast<int>(holidays_.size())}; }

 private:
  unsigned weekday_mask_ = 0;               // bit c_encoding() set for workdays
  std::vector<date::local_days> holidays_;  // sorted, unique
};

}  // namespace herald
