// The Chinese calendar: Lunar New Year and festival dates as published,
// and every day of lunar years 1901–2099 against Debian's python3-lunardate
// (a missing peer fails the test).
#include "calendar/chinese_date.hpp"

#include <cstdio>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace herald {
namespace {

using test::day;
using test::iso;

std::string lunar(int year, unsigned month, unsigned d) {
  auto got = chinese::to_days(year, month, d);
  return got ? iso(*got) : "none";
}

}  // namespace

TEST_CASE("chinese: Lunar New Year and Mid-Autumn as the Hong Kong Observatory publishes them", "[chinese]") {
  // Given published first days of lunar years across the table's range,
  // then herald's table gives each.
  const std::pair<int, const char*> new_years[] = {
      {1901, "1901-02-19"}, {1912, "1912-02-18"}, {1949, "1949-01-29"}, {1950, "1950-02-17"}, {1970, "1970-02-06"},
      {1985, "1985-02-20"}, {1996, "1996-02-19"}, {2000, "2000-02-05"}, {2001, "2001-01-24"}, {2008, "2008-02-07"},
      {2012, "2012-01-23"}, {2015, "2015-02-19"}, {2020, "2020-01-25"}, {2021, "2021-02-12"}, {2022, "2022-02-01"},
      {2023, "2023-01-22"}, {2024, "2024-02-10"}, {2025, "2025-01-29"}, {2026, "2026-02-17"}, {2027, "2027-02-06"},
      {2028, "2028-01-26"}, {2030, "2030-02-03"}, {2033, "2033-01-31"}, {2050, "2050-01-23"}, {2099, "2099-01-21"}};
  for (auto [year, expected] : new_years) {
    INFO(year);
    CHECK(lunar(year, 1, 1) == expected);
    CHECK(iso(*chinese::new_year(year)) == expected);
  }
  // Mid-Autumn, 8/15.
  CHECK(lunar(2023, 8, 15) == "2023-09-29");
  CHECK(lunar(2024, 8, 15) == "2024-09-17");
  CHECK(lunar(2025, 8, 15) == "2025-10-06");
  CHECK(lunar(2026, 8, 15) == "2026-09-25");
}

TEST_CASE("chinese: the regular month, not its leap copy, and day 30 only in a 30-day month", "[chinese]") {
  // Given 2023, whose second month has a leap copy (閏二月, from 22 March),
  // then "2/1" is the regular second month and the leap month follows it.
  CHECK(lunar(2023, 2, 1) == "2023-02-20");
  auto leap = chinese::from_days(day(2023, 3, 22));
  REQUIRE(leap);
  CHECK(leap->month == 2);
  CHECK(leap->leap);
  CHECK(leap->day == 1);
  CHECK(lunar(2023, 3, 1) == "2023-04-20");
  // Given a 29-day month, then its day 30 does not exist that year.
  int with_30 = 0, without = 0;
  for (unsigned month = 1; month <= 12; ++month) (chinese::to_days(2027, month, 30) ? with_30 : without)++;
  CHECK(with_30 > 0);
  CHECK(without > 0);
}

TEST_CASE("chinese: outside 1901-2099 there is no date", "[chinese]") {
  CHECK_FALSE(chinese::to_days(1900, 1, 1));
  CHECK_FALSE(chinese::to_days(2100, 1, 1));
  CHECK_FALSE(chinese::from_days(day(1901, 2, 18)));  // still lunar 1900
  CHECK(chinese::from_days(day(1901, 2, 19)));
  CHECK_FALSE(chinese::from_days(day(2100, 2, 9)));  // lunar 2100 begins
}

TEST_CASE("chinese: every day of lunar 1901-2099 as python3-lunardate gives it", "[chinese][oracle]") {
  // Given lunardate's lunar date for every Gregorian day from Lunar New
  // Year 1901 to the end of lunar 2099, then herald agrees both ways.
  std::string output;
  FILE* pipe = popen("/usr/bin/python3 '" HERALD_SOURCE_DIR "/tests/data/lunar_oracle.py' 2>&1", "r");
  REQUIRE(pipe);
  char buffer[1 << 16];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  int status = pclose(pipe);
  {
    INFO("tests/data/lunar_oracle.py failed; it needs /usr/bin/python3 with python3-lunardate. It printed:\n"
         << output.substr(0, 500));
    REQUIRE(status == 0);
  }
  std::istringstream lines(output);
  std::size_t compared = 0, mismatches = 0;
  std::string gregorian;
  int year, leap;
  unsigned month, d;
  auto expected_day = day(1901, 2, 19);
  while (lines >> gregorian >> year >> month >> leap >> d) {
    REQUIRE(gregorian == iso(expected_day));
    auto got = chinese::from_days(expected_day);
    bool same = got && got->year == year && got->month == month && got->leap == (leap == 1) && got->day == d;
    bool back = leap == 1 || chinese::to_days(year, month, d) == expected_day;
    if ((!same || !back) && ++mismatches <= 10) {
      FAIL_CHECK(gregorian << ": lunardate " << year << "/" << month << (leap ? " leap" : "") << "/" << d << ", herald "
                           << (got ? std::to_string(got->year) + "/" + std::to_string(got->month) + "/" +
                                         std::to_string(got->day)
                                   : std::string("none")));
    }
    ++compared;
    expected_day += date::days{1};
  }
  CHECK(iso(expected_day) == "2100-02-09");
  CHECK(compared > 72000);
  CHECK(mismatches == 0);
}

}  // namespace herald
