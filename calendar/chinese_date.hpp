#pragma once
// The Chinese calendar as published for China (UTC+8): lunar years of 12
// or 13 months of 29 or 30 days, a leap month repeating the month before
// it. There is no closed form (month starts follow the true new moons and
// solar terms), so herald keeps a packed table of lunar years 1901–2099 —
// each year's new-year day and its months' lengths and leap month — which is
// exact over that range. Outside it there is no date.

#include <optional>

#include <date/date.h>

namespace herald::chinese {

inline constexpr int first_year = 1901;
inline constexpr int last_year = 2099;

struct lunar_date {
  int year = 0;        ///< the Gregorian year in which the lunar year begins
  unsigned month = 1;  ///< 1–12
  bool leap = false;   ///< the leap month that repeats `month`
  unsigned day = 1;    ///< 1–30
};

/// The day of lunar `month`/`day` (the regular month, not its leap copy) of
/// lunar `year`: nullopt when the year is outside first_year..last_year or
/// the month has 29 days and `day` is 30.
/// REQUIRES: 1 <= month <= 12, 1 <= day <= 30.
std::optional<date::local_days> to_days(int year, unsigned month, unsigned day);

/// The lunar date of a Gregorian day; nullopt outside the table.
std::optional<lunar_date> from_days(date::local_days day);

/// The first day of lunar `year` (Lunar New Year); nullopt outside the table.
std::optional<date::local_days> new_year(int year);

}  // namespace herald::chinese
