#include "calendar/workdays.hpp"

#include <algorithm>

namespace herald {

workday_calendar::workday_calendar()
    : workday_calendar({date::Monday, date::Tuesday, date::Wednesday, date::Thursday, date::Friday}, {}) {}

workday_calendar::workday_calendar(std::vector<date::weekday> weekdays, std::vector<date::local_days> holidays)
    : holidays_(std::move(holidays)) {
  for (auto wd : weekdays) weekday_mask_ |= 1u << wd.c_encoding();
  std::sort(holidays_.begin(), holidays_.end());
  holidays_.erase(std::unique(holidays_.begin(), holidays_.end()), holidays_.end());
  // The longest run of non-workdays: a week's own (at most six days) or a
  // run through holidays, measured from each holiday that starts one. With
  // centuries of bank holidays named by set, "a week plus every holiday"
  // would widen every plan by years.
  if (weekday_mask_ == 0) return;
  int longest = 0;
  for (auto day : holidays_) {
    auto first = day;
    while (!is_workday(first - date::days{1}) && day - first < date::days{400}) first -= date::days{1};
    int run = 0;
    for (auto d = first; !is_workday(d) && run <= 800; d += date::days{1}) ++run;
    longest = std::max(longest, run);
  }
  max_move_ = date::days{std::max(7, longest + 1)};
}

date::local_days workday_calendar::add_workdays(date::local_days from, int count) const {
  auto step = date::days{count < 0 ? -1 : 1};
  for (int left = count < 0 ? -count : count; left > 0;) {
    from += step;
    if (is_workday(from)) --left;
  }
  return from;
}

bool workday_calendar::is_workday(date::local_days day) const {
  if (!(weekday_mask_ & (1u << date::weekday{day}.c_encoding()))) return false;
  return !std::binary_search(holidays_.begin(), holidays_.end(), day);
}

std::optional<date::local_days> workday_calendar::move(date::local_days day, not_workday_policy policy) const {
  if (policy == not_workday_policy::keep || is_workday(day)) return day;
  if (policy == not_workday_policy::skip || weekday_mask_ == 0) return std::nullopt;
  auto step = date::days{policy == not_workday_policy::previous ? -1 : 1};
  // Terminates: at least one weekday is a workday and holidays are finite.
  do day += step;
  while (!is_workday(day));
  return day;
}

}  // namespace herald
