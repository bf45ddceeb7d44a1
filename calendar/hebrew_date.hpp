#pragma once
// The Hebrew calendar: the fixed, arithmetic calendar (the molad and the
// four postponements of Rosh Hashanah), in the style of date's
// `islamic.h`: a year_month_day that converts to and from `local_days`.
// It gives the Gregorian day of a Hebrew date's daytime (sunset-to-sunset
// days begin the evening before; that is `begins: evening`'s business).
//
// Months are numbered from Tishrei, as the year is counted: Tishrei 1,
// Cheshvan 2, Kislev 3, Tevet 4, Shevat 5, Adar I 6 (leap years only),
// Adar 7 (Adar II in a leap year), Nisan 8 … Elul 13. So a common year has
// no month 6, and dates compare in order within a year.
//
// Exact for any year the proleptic Gregorian calendar can hold; herald's
// tests check it against hebcal for every day of 1900–2200.

#include <date/date.h>

namespace herald::hebrew {

enum class month : unsigned {
  tishrei = 1,
  cheshvan,
  kislev,
  tevet,
  shevat,
  adar_i,  ///< the leap month, before Adar
  adar,    ///< Adar of a common year; Adar II of a leap year
  nisan,
  iyar,
  sivan,
  tammuz,
  av,
  elul,
};

/// Year of the world (AM): 5787 began in September 2026.
bool is_leap_year(int year);

/// 353, 354, 355, 383, 384 or 385.
int days_in_year(int year);

/// 29 or 30; 0 for Adar I in a common year.
unsigned days_in_month(int year, month m);

/// 1 Tishrei of `year`: Rosh Hashanah.
date::local_days new_year(int year);

struct year_month_day {
  int year = 0;
  hebrew::month month = month::tishrei;
  unsigned day = 1;

  /// The Hebrew date of a Gregorian day.
  static year_month_day from_days(date::local_days day);

  /// A real date of the Hebrew calendar (Adar I only in a leap year, day
  /// within its month's length).
  bool ok() const;

  /// REQUIRES: ok().
  date::local_days to_days() const;
};

}  // namespace herald::hebrew
