#pragma once
// RFC 5545 recurrence rules, the subset docs/calendar.md "When an event occurs" supports, expanded exactly
// as python-dateutil's `rrule` does (the test oracle).
//
// Supported parts: FREQ (YEARLY, MONTHLY, WEEKLY, DAILY), INTERVAL, COUNT,
// UNTIL (a date), BYMONTH, BYMONTHDAY (negative too), BYDAY (±n ordinals
// under MONTHLY/YEARLY only), BYSETPOS, WKST. Anything else is an error.
//
// Like dateutil, a DTSTART that the rule itself does not match is not an
// occurrence (and does not count towards COUNT).

#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include <date/date.h>

#include "calendar/diagnostic.hpp"

namespace herald {

struct rrule {
  enum class frequency { yearly, monthly, weekly, daily };
  struct weekday_ordinal {
    date::weekday day;
    int n = 0;  ///< 0: every such weekday; ±1..±53: the nth from the start / end
  };

  frequency freq = frequency::yearly;
  int interval = 1;
  std::optional<int> count;
  std::optional<date::local_days> until;
  std::vector<unsigned> by_month;  ///< 1..12
  std::vector<int> by_month_day;   ///< ±1..±31
  std::vector<weekday_ordinal> by_day;
  std::vector<int> by_set_pos;  ///< ±1..±366
  date::weekday week_start = date::Monday;
};

/// Parses `FREQ=YEARLY;BYMONTH=6;BYDAY=-1FR` (an optional leading `RRULE:`
/// is allowed; names are case-insensitive). Errors carry the offset of the
/// offending part.
std::variant<rrule, parse_error> parse_rrule(std::string_view text);

/// The occurrence dates of `rule` with DTSTART `start` that fall within
/// [from, to] (both included), ascending. COUNT is counted from `start`.
std::vector<date::local_days> rrule_dates(const rrule& rule, date::local_days start, date::local_days from,
                                          date::local_days to);

}  // namespace herald
