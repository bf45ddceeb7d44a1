// The arithmetic of the fixed Hebrew calendar, after Dershowitz and
// Reingold's "Calendrical Calculations" (the molad of each month in parts of
// an hour, and the dehiyyot that move Rosh Hashanah off Sunday, Wednesday
// and Friday and keep every year 353–355 or 383–385 days long).
#include "calendar/hebrew_date.hpp"

namespace herald::hebrew {
namespace {

// 1 Tishrei AM 1 (7 October 3761 BCE, Julian) as days from 1970-01-01:
// fixed date -1373427 in Calendrical Calculations, whose day 1 is
// 0001-01-01 (Gregorian), which is day -719162 here.
constexpr long epoch = -1373427 - 719163;

constexpr long floor_div(long a, long b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days from the epoch to the molad-determined new year, after the first
// postponement (molad zaken and the Sunday/Wednesday/Friday rule, folded
// into one test of 3·(d+1) mod 7).
long elapsed_days(int year) {
  long months = floor_div(235L * year - 234, 19);
  long parts = 12084 + 13753 * months;
  long days = 29 * months + floor_div(parts, 25920);
  return (3 * (days + 1)) % 7 < 3 ? days + 1 : days;
}

// The two remaining postponements, which keep a year's length legal.
long year_length_correction(int year) {
  long before = elapsed_days(year - 1), now = elapsed_days(year), after = elapsed_days(year + 1);
  if (after - now == 356) return 2;
  if (now - before == 382) return 1;
  return 0;
}

long new_year_number(int year) { return epoch + elapsed_days(year) + year_length_correction(year); }

}  // namespace

bool is_leap_year(int year) { return ((7L * year + 1) % 19 + 19) % 19 < 7; }

int days_in_year(int year) { return static_cast<int>(new_year_number(year + 1) - new_year_number(year)); }

date::local_days new_year(int year) { return date::local_days{date::days{new_year_number(year)}}; }

unsigned days_in_month(int year, month m) {
  switch (m) {
    case month::cheshvan:
      return days_in_year(year) % 10 == 5 ? 30 : 29;  // a "complete" year: 355 or 385
    case month::kislev:
      return days_in_year(year) % 10 == 3 ? 29 : 30;  // a "deficient" year: 353 or 383
    case month::adar_i:
      return is_leap_year(year) ? 30 : 0;
    case month::tevet:
    case month::adar:
    case month::iyar:
    case month::tammuz:
    case month::elul:
      return 29;
    default:
      return 30;
  }
}

bool year_month_day::ok() const {
  auto length = days_in_month(year, month);
  return month >= month::tishrei && month <= month::elul && day >= 1 && day <= length;
}

date::local_days year_month_day::to_days() const {
  auto days = new_year(year);
  for (unsigned m = 1; m < static_cast<unsigned>(month); ++m) days += date::days{days_in_month(year, hebrew::month{m})};
  return days + date::days{day - 1};
}

year_month_day year_month_day::from_days(date::local_days day) {
  // The Hebrew year begins in September or October of Gregorian year
  // y - 3761 + 1, so start from the year of the Gregorian date and step.
  int year = static_cast<int>(date::year_month_day{day}.year()) + 3761;
  while (new_year(year) > day) --year;
  while (new_year(year + 1) <= day) ++year;
  auto start = new_year(year);
  unsigned m = 1;
  for (;; ++m) {
    auto length = date::days{days_in_month(year, hebrew::month{m})};
    if (day < start + length) break;
    start += length;
  }
  return {year, hebrew::month{m}, static_cast<unsigned>((day - start).count()) + 1};
}

}  // namespace herald::hebrew
