#pragma once
// Named sets of public holidays a calendar can name in `holidays:`
// (docs/calendar.md, "Workdays and holidays"), computed from their rules so
// that no one types next year's bank holidays: today the UK's three,
// `uk/england-and-wales`, `uk/scotland` and `uk/northern-ireland`.
//
// Each set is the statutory pattern (fixed days, Easter, first/last Mondays,
// substitute weekdays when a holiday falls on a weekend) plus every one-off
// change GOV.UK has published since 1995 (moved May holidays, jubilees,
// royal weddings, the state funeral, the coronation). Years before 1995 use
// the pattern alone.

#include <optional>
#include <string_view>
#include <vector>

#include <date/date.h>

namespace herald {

enum class holiday_set { england_and_wales, scotland, northern_ireland };

/// The set called `name` (`uk/england-and-wales`, …), or nullopt.
std::optional<holiday_set> find_holiday_set(std::string_view name);

/// Every name find_holiday_set() knows, for hints.
std::vector<std::string_view> holiday_set_names();

/// The set's holidays in `year`, in date order.
std::vector<date::local_days> holidays_in_year(holiday_set set, int year);

}  // namespace herald
