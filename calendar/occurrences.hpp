#pragma once
// When an event occurs: the union of its `every`, `rrule` and `dates` rules,
// with `lasts`, `from`, `until` and `except` applied (docs/calendar.md "When an event occurs").

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <date/date.h>

#include "calendar/every_rule.hpp"
#include "calendar/rrule.hpp"

namespace herald {

struct recurrence {
  /// The parts most events do without, kept out of line so that an event
  /// of one `every:` rule stays small (docs/PERFORMANCE.md "2026-12-03,
  /// afternoon: calendar and preview memory").
  struct rarely_set {
    std::optional<herald::rrule> rule;
    date::local_days rule_start{};  ///< the RRULE's DTSTART
    std::vector<day_span> dates;    ///< explicit dates and ranges
    std::optional<date::local_days> from, until;
    std::vector<date::local_days> except;  ///< sorted
    bool empty() const {
      return !rule && rule_start == date::local_days{} && dates.empty() && !from && !until && except.empty();
    }
  };

  std::span<const every_rule> every;       ///< in the calendar's calendar_text
  date::days lasts{1};                     ///< length of `every` / `rrule` occurrences
  std::shared_ptr<const rarely_set> rare;  ///< null when none of them is set

  const herald::rrule* rule() const { return rare && rare->rule ? &*rare->rule : nullptr; }
  date::local_days rule_start() const { return rare ? rare->rule_start : date::local_days{}; }
  std::span<const day_span> dates() const { return rare ? std::span(rare->dates) : std::span<const day_span>(); }
  std::optional<date::local_days> from() const { return rare ? rare->from : std::nullopt; }
  std::optional<date::local_days> until() const { return rare ? rare->until : std::nullopt; }
  std::span<const date::local_days> except() const {
    return rare ? std::span(rare->except) : std::span<const date::local_days>();
  }

  /// The longest any one occurrence can last, for planning windows.
  date::days longest() const;
};

/// The occurrences whose start falls in [first, last], sorted by start; two
/// with the same start are one, with the later end.
std::vector<day_span> occurrences_starting(const recurrence& when, date::local_days first, date::local_days last);

}  // namespace herald
