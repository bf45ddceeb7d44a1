#pragma once
// When an event occurs: the union of its `every`, `rrule` and `dates` rules,
// with `lasts`, `from`, `until` and `except` applied (docs/calendar.md "When an event occurs").

#include <memory>
#include <optional>
#include <vector>

#include <date/date.h>

#include "calendar/every_rule.hpp"
#include "calendar/rrule.hpp"

namespace herald {

struct recurrence {
  std::vector<every_rule> every;
  std::shared_ptr<const rrule> rule;  ///< rare, so kept out of line
  date::local_days rule_start{};      ///< the RRULE's DTSTART
  std::vector<day_span> dates;        ///< explicit dates and ranges
  date::days lasts{1};                ///< length of `every` / `rrule` occurrences
  std::optional<date::local_days> from, until;
  std::vector<date::local_days> except;  ///< sorted

  /// The longest any one occurrence can last, for planning windows.
  date::days longest() const;
};

/// The occurrences whose start falls in [first, last], sorted by start; two
/// with the same start are one, with the later end.
std::vector<day_span> occurrences_starting(const recurrence& when, date::local_days first, date::local_days last);

}  // namespace herald
