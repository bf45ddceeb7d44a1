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
  /// The `count`th workday after `from` (before it when negative), `from`
  /// itself not counted: `-5wd`. REQUIRES: count != 0.
  date::local_days add_workdays(date::local_days from, int count) const;
  /// An upper bound on how far `move` can carry a date: one more than the
  /// longest run of days that are not workdays.
  date::days max_move() const { return max_move_; }
  /// An upper bound on how far add_workdays(from, count) lands from `from`.
  date::days max_workday_reach(int count) const {
    auto n = count < 0 ? -count : count;
    return date::days{n * 7} + max_move_ * (n / 5 + 1);
  }

 private:
  unsigned weekday_mask_ = 0;               // bit c_encoding() set for workdays
  std::vector<date::local_days> holidays_;  // sorted, unique
  date::days max_move_{7};
};

}  // namespace herald
