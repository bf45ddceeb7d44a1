#pragma once
// Civil (proleptic Gregorian) date helpers shared by the rule parsers and the
// templates: ISO dates, month and weekday names, the long human date.
//
// Dates are `date::local_days`: a day in the calendar's zone, not an instant.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

namespace herald {

/// Parses exactly `YYYY-MM-DD` (a real date, year 1..9999).
std::optional<date::local_days> parse_iso_date(std::string_view text);

/// `2026-06-23`.
std::string format_iso_date(date::local_days day);
/// The same, appended to `out` (for writers that reuse one buffer).
void append_iso_date(std::string& out, date::local_days day);

/// `2026-06-23T09:30:00` (the caller adds a zone designator).
std::string format_iso_date_time(date::local_seconds time);

/// Appends `value` as exactly `width` decimal digits.
void append_digits(std::string& out, unsigned value, int width);

/// `Tuesday 23 June 2026` (no leading zero).
std::string format_long_date(date::local_days day);

/// `January`…`December` or `Jan`…`Dec`, any case. 0 when not a month.
unsigned parse_month_name(std::string_view word);

/// `Monday`…`Sunday` or `Mon`…`Sun`, any case.
std::optional<date::weekday> parse_weekday_name(std::string_view word);

/// `Monday`…`Sunday`, for "did you mean" hints.
std::vector<std::string_view> weekday_names();

/// `Mon`…`Sun` (for messages and tables).
std::string_view weekday_short_name(date::weekday wd);
std::string_view month_name(date::month m);
std::string_view weekday_name(date::weekday wd);

}  // namespace herald
