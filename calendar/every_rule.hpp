#pragma once
// The rules of `every:` (docs/calendar.md "When an event occurs"): yearly —
// a fixed date, the nth weekday of a month, a weekday on or before/after a
// date, a whole month, (Orthodox) Easter with an offset, a day of the
// tabular Islamic calendar, of the Hebrew calendar or of the Chinese lunar
// calendar — and monthly (the nth weekday of every month) or weekly.

#include <string_view>
#include <variant>
#include <vector>

#include <date/date.h>

#include "calendar/diagnostic.hpp"

namespace herald {

struct every_rule {
  enum class form {
    month_day,
    nth_weekday,
    weekday_near,
    whole_month,
    easter,
    orthodox_easter,
    islamic,
    hebrew,           ///< `15 Nisan`: once a Hebrew year
    lunar,            ///< `lunar 8/15`: once a Chinese lunar year, in the regular (not leap) month
    monthly_weekday,  ///< `third Thursday of every month`
    weekly,           ///< `every Monday`
  };

  form kind = form::month_day;
  unsigned month = 0;       ///< Gregorian month; the Islamic, Hebrew (hebrew::month) or lunar one for those forms
  unsigned day = 0;         ///< day of that month (month_day, weekday_near, islamic, hebrew, lunar)
  date::weekday weekday{};  ///< nth_weekday, weekday_near, monthly_weekday, weekly
  int nth = 0;              ///< nth_weekday, monthly_weekday: 1..5, or -1 for last
  bool on_or_after = true;  ///< weekday_near: after (true) or before
  int offset_days = 0;      ///< easter forms
};

/// One occurrence's start and last day (inclusive).
struct day_span {
  date::local_days start;
  date::local_days end;
  friend bool operator==(const day_span&, const day_span&) = default;
};

/// Parses one `every:` string, case-insensitively.
std::variant<every_rule, parse_error> parse_every(std::string_view text);

/// Appends the rule's occurrences whose start falls in Gregorian `year`, in
/// order. `lasts` is the length of each (a whole month lasts its month).
void every_rule_spans(const every_rule& rule, int year, date::days lasts, std::vector<day_span>& out);

/// Western (Gregorian computus) Easter Sunday of `year`.
date::local_days western_easter(int year);
/// Orthodox (Julian computus) Easter Sunday of `year`, as a Gregorian date.
date::local_days orthodox_easter(int year);

}  // namespace herald
