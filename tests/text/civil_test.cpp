// Dates as people read them, written by hand (text/civil.cpp): the same
// text fmt gave before, for every day of a wide range.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "text/civil.hpp"

using namespace herald;

TEST_CASE("civil: a long date is weekday, day, month and year, for every day from 1583 to 10000", "[civil]") {
  auto first = date::local_days{date::year{1583} / 1 / 1}, last = date::local_days{date::year{10000} / 12 / 31};
  std::size_t differ = 0;
  for (auto day = first; day <= last; day += date::days{1}) {
    date::year_month_day ymd{day};
    auto expected = fmt::format("{} {} {} {}", weekday_name(date::weekday{day}), static_cast<unsigned>(ymd.day()),
                                month_name(ymd.month()), static_cast<int>(ymd.year()));
    if (format_long_date(day) != expected && ++differ < 5) CHECK(format_long_date(day) == expected);
  }
  CHECK(differ == 0);
  CHECK(format_long_date(date::local_days{date::year{2026} / 2 / 1}) == "Sunday 1 February 2026");
  CHECK(format_long_date(date::local_days{date::year{2027} / 6 / 23}) == "Wednesday 23 June 2027");
}
