#include <catch2/catch.hpp>

#include "calendar/every_rule.hpp"
#include "test_support.hpp"

using namespace herald;
using herald::test::day;
using herald::test::iso;

namespace {

every_rule rule(std::string_view text) {
  auto parsed = parse_every(text);
  if (auto* e = std::get_if<parse_error>(&parsed)) FAIL("'" << text << "': " << e->message);
  return std::get<every_rule>(parsed);
}

parse_error rule_error(std::string_view text) {
  auto parsed = parse_every(text);
  REQUIRE(std::holds_alternative<parse_error>(parsed));
  return std::get<parse_error>(parsed);
}

std::vector<std::string> starts(std::string_view text, int year, int lasts = 1) {
  std::vector<day_span> spans;
  every_rule_spans(rule(text), year, date::days{lasts}, spans);
  std::vector<std::string> out;
  for (auto& s : spans) out.push_back(iso(s.start) + (s.end != s.start ? ".." + iso(s.end) : ""));
  return out;
}

// Calendrical Calculations (Reingold & Dershowitz), fixed-from-islamic: an
// independent statement of the tabular civil calendar.
date::local_days islamic_reference(int year, int month, int d) {
  long fixed = 227015 - 1 + (year - 1) * 354L + (3 + 11L * year) / 30 + 29L * (month - 1) + month / 2 + d;
  return day(1, 1, 1) + date::days{fixed - 1};
}

}  // namespace

TEST_CASE("every: Western Easter matches the published table", "[every]") {
  // Dates from the tables of Easter Sunday (e.g. the Astronomical Society of South Australia).
  std::vector<std::pair<int, std::string>> table = {
      {1818, "1818-03-22"}, {1943, "1943-04-25"}, {2000, "2000-04-23"}, {2008, "2008-03-23"}, {2011, "2011-04-24"},
      {2019, "2019-04-21"}, {2024, "2024-03-31"}, {2025, "2025-04-20"}, {2026, "2026-04-05"}, {2027, "2027-03-28"},
      {2028, "2028-04-16"}, {2038, "2038-04-25"}, {2285, "2285-03-22"}};
  for (auto& [year, expected] : table) CHECK(iso(western_easter(year)) == expected);
}

TEST_CASE("every: Orthodox Easter matches the published table", "[every]") {
  std::vector<std::pair<int, std::string>> table = {{2008, "2008-04-27"}, {2010, "2010-04-04"}, {2011, "2011-04-24"},
                                                    {2019, "2019-04-28"}, {2020, "2020-04-19"}, {2021, "2021-05-02"},
                                                    {2022, "2022-04-24"}, {2023, "2023-04-16"}, {2024, "2024-05-05"},
                                                    {2025, "2025-04-20"}, {2026, "2026-04-12"}, {2027, "2027-05-02"}};
  for (auto& [year, expected] : table) CHECK(iso(orthodox_easter(year)) == expected);
}

TEST_CASE("every: fixed dates in both orders, any case, February 29 only in leap years", "[every]") {
  CHECK(starts("June 23", 2026) == std::vector<std::string>{"2026-06-23"});
  CHECK(starts("23 Jun", 2026) == std::vector<std::string>{"2026-06-23"});
  CHECK(starts("23rd JUNE", 2027) == std::vector<std::string>{"2027-06-23"});
  CHECK(starts("February 29", 2028) == std::vector<std::string>{"2028-02-29"});
  CHECK(starts("February 29", 2027).empty());
  CHECK(starts("February 29", 2100).empty());  // not a leap year
  CHECK(starts("June 23", 2026, 7) == std::vector<std::string>{"2026-06-23..2026-06-29"});
}

TEST_CASE("every: nth weekday of a month, with and without a fifth", "[every]") {
  CHECK(starts("second Tuesday of October", 2026) == std::vector<std::string>{"2026-10-13"});  // Ada Lovelace Day
  CHECK(starts("2nd tue of oct", 2027) == std::vector<std::string>{"2027-10-12"});
  CHECK(starts("last Monday of May", 2026) == std::vector<std::string>{"2026-05-25"});  // UK bank holiday
  CHECK(starts("first Monday of May", 2027) == std::vector<std::string>{"2027-05-03"});
  // October 2026 has five Saturdays (3, 10, 17, 24, 31); October 2028 only four (7, 14, 21, 28).
  CHECK(starts("fifth Saturday of October", 2026) == std::vector<std::string>{"2026-10-31"});
  CHECK(starts("5th Saturday of October", 2028).empty());
}

TEST_CASE("every: weekday on or after / on or before a date", "[every]") {
  CHECK(starts("Monday on or after September 20", 2026) == std::vector<std::string>{"2026-09-21"});
  CHECK(starts("Sunday on or after September 20", 2026) == std::vector<std::string>{"2026-09-20"});
  CHECK(starts("Friday on or before 1 May", 2026) == std::vector<std::string>{"2026-05-01"});
  CHECK(starts("Thursday on or before 1 May", 2026) == std::vector<std::string>{"2026-04-30"});
}

TEST_CASE("every: a whole month lasts the month whatever 'lasts' says", "[every]") {
  CHECK(starts("October", 2026, 3) == std::vector<std::string>{"2026-10-01..2026-10-31"});
  CHECK(starts("feb", 2028) == std::vector<std::string>{"2028-02-01..2028-02-29"});
}

TEST_CASE("every: Easter offsets in days and weeks", "[every]") {
  CHECK(starts("easter -2 days", 2026) == std::vector<std::string>{"2026-04-03"});   // Good Friday
  CHECK(starts("Easter + 1 day", 2027) == std::vector<std::string>{"2027-03-29"});   // Easter Monday
  CHECK(starts("easter +7 weeks", 2026) == std::vector<std::string>{"2026-05-24"});  // Pentecost
  CHECK(starts("orthodox easter", 2026) == std::vector<std::string>{"2026-04-12"});
  CHECK(starts("orthodox easter -2 days", 2027) == std::vector<std::string>{"2027-04-30"});
  // One sign: "+-2" was read as -2 before text/strings.hpp's parse_integer.
  CHECK(rule_error("easter +-2 days").message == "expected an offset such as '-2 days' or '+1 week' after 'easter'");
}

TEST_CASE("every: the tabular Islamic calendar agrees with Calendrical Calculations", "[every]") {
  for (int year = 1440; year <= 1470; ++year)
    for (int month : {1, 9, 10, 12}) {
      auto expected = islamic_reference(year, month, 1);
      std::vector<day_span> spans;
      every_rule_spans(every_rule{every_rule::form::islamic, static_cast<unsigned>(month), 1},
                       static_cast<int>(date::year_month_day{expected}.year()), date::days{1}, spans);
      INFO(year << "/" << month);
      CHECK(std::find_if(spans.begin(), spans.end(), [&](auto& s) { return s.start == expected; }) != spans.end());
    }
}

TEST_CASE("every: some Gregorian years hold two occurrences of an Islamic date", "[every]") {
  // 1 Muharram 1429 and 1430 both fall in 2008.
  CHECK(starts("1 Muharram", 2008) == std::vector<std::string>{"2008-01-10", "2008-12-29"});
  CHECK(starts("1 Shawwal", 2026) == std::vector<std::string>{iso(islamic_reference(1447, 10, 1))});
  CHECK(starts("10 Dhu al-Hijjah", 2027).size() == 1);
}

TEST_CASE("every: day 30 of a 29-day Islamic month has no occurrence that year", "[every]") {
  // Ramadan has 30 days in the tabular calendar; Shawwal (month 10) 29.
  CHECK(starts("30 Shawwal", 2026).empty());
  CHECK(starts("30 Ramadan", 2026).size() == 1);
}

TEST_CASE("every: errors say what is wrong and where", "[every]") {
  auto e = rule_error("April 31");
  CHECK(e.message == "April has only 30 days");
  CHECK(e.offset == 6);
  CHECK(rule_error("February 30").message == "February has only 29 days");
  e = rule_error("Jnue 23");
  CHECK(e.message == "unknown month 'Jnue' (did you mean 'June'?)");
  CHECK(e.offset == 0);
  e = rule_error("sixth Monday of May");
  CHECK(e.message == "unknown ordinal 'sixth'");
  e = rule_error("1 Shawal");
  CHECK(e.message == "unknown month 'Shawal' (did you mean 'Shawwal'?)");
  CHECK(e.offset == 2);
  CHECK(rule_error("easter -2 fortnights").message == "unknown unit 'fortnights'");
  CHECK(rule_error("every day").message == "'every day' is not a rule herald knows");
}

TEST_CASE("every: Hebrew dates, one a Hebrew year, on the day hebcal gives", "[every][hebrew]") {
  // Given festivals by their Hebrew dates, then each falls on its published day.
  CHECK(starts("15 Nisan", 2026) == std::vector<std::string>{"2026-04-02"});  // Passover
  CHECK(starts("15 Nisan", 2027) == std::vector<std::string>{"2027-04-22"});
  CHECK(starts("1 Tishrei", 2026) == std::vector<std::string>{"2026-09-12"});  // Rosh Hashanah
  CHECK(starts("10 tishri", 2026) == std::vector<std::string>{"2026-09-21"});  // Yom Kippur, another spelling
  CHECK(starts("25 Kislev", 2026, 8) == std::vector<std::string>{"2026-12-05..2026-12-12"});  // Hanukkah
  CHECK(starts("14 Adar", 2027) == std::vector<std::string>{"2027-03-23"});     // Purim in Adar II of a leap year
  CHECK(starts("14 Adar II", 2026) == std::vector<std::string>{"2026-03-03"});  // a common year: Adar itself
  CHECK(starts("14 Adar I", 2026).empty());                                     // no Adar I in 5786
  CHECK(starts("14 Adar I", 2027) == std::vector<std::string>{"2027-02-21"});   // Purim Katan
  // Day 30 of Cheshvan only in a year where it has 30 days (hebcal: 5786, in 2025, has 29).
  CHECK(starts("30 Cheshvan", 2025).empty());
  CHECK(starts("30 Cheshvan", 2024) == std::vector<std::string>{"2024-12-01"});
  CHECK(starts("30 Cheshvan", 2026) == std::vector<std::string>{"2026-11-10"});
  CHECK(rule_error("30 Tevet").message == "Tevet has 29 days");
  CHECK(rule_error("31 Nisan").message == "Nisan has 30 days");
}

TEST_CASE("every: the Chinese lunar calendar", "[every][chinese]") {
  CHECK(starts("lunar new year", 2027) == std::vector<std::string>{"2027-02-06"});
  CHECK(starts("Lunar 1/1", 2026) == std::vector<std::string>{"2026-02-17"});
  CHECK(starts("lunar 8/15", 2026) == std::vector<std::string>{"2026-09-25"});  // Mid-Autumn
  CHECK(starts("lunar 5/5", 2027) == std::vector<std::string>{"2027-06-09"});   // Dragon Boat
  CHECK(starts("lunar new year", 2100).empty());                                // beyond the table
  CHECK(rule_error("lunar 13/1").message == "'13/1' is not a lunar month/day");
  CHECK(rule_error("lunar festival").message == "'festival' is not a lunar month/day");
  CHECK(rule_error("lunar spring festival").message == "expected 'new year' or a month/day after 'lunar'");
}

TEST_CASE("every: monthly and weekly rules", "[every]") {
  CHECK(starts("third Thursday of every month", 2027) ==
        std::vector<std::string>{"2027-01-21", "2027-02-18", "2027-03-18", "2027-04-15", "2027-05-20", "2027-06-17",
                                 "2027-07-15", "2027-08-19", "2027-09-16", "2027-10-21", "2027-11-18", "2027-12-16"});
  auto fifth = starts("fifth Friday of every month", 2027);
  CHECK(fifth == std::vector<std::string>{"2027-01-29", "2027-04-30", "2027-07-30", "2027-10-29", "2027-12-31"});
  CHECK(starts("last Friday of every month", 2027).size() == 12);
  auto mondays = starts("every Monday", 2027);
  REQUIRE(mondays.size() == 52);
  CHECK(mondays.front() == "2027-01-04");
  CHECK(mondays.back() == "2027-12-27");
  CHECK(rule_error("every Mondy").message == "unknown weekday 'Mondy' (did you mean 'Monday'?)");
}

TEST_CASE("every: what people write instead of a rule gets a hint that fixes it", "[every]") {
  auto swapped = rule_error("Shawwal 1");
  CHECK(swapped.message == "'Shawwal 1' has the day after the month");
  CHECK(swapped.hint == "write '1 Shawwal'");
  CHECK(rule_error("Nisan 15").hint == "write '15 Nisan'");
  auto monthly = rule_error("3rd Thu");
  CHECK(monthly.message == "'3rd Thu' needs a month");
  CHECK(monthly.hint == "write 'third Thursday of every month' (monthly) or 'third Thursday of October' (yearly)");
  auto iso_date = rule_error("2027-02-11");
  CHECK(iso_date.message == "'2027-02-11' is a date, not a rule");
  CHECK(iso_date.hint == "list dates under 'dates:', e.g. dates: [2027-02-11]");
  auto diwali = rule_error("Diwali");
  CHECK(diwali.message == "herald does not know 'Diwali' by name");
  CHECK(diwali.hint == "herald has no Hindu calendar: write its dates with 'dates:'");
  CHECK(rule_error("Yom Kippur").hint == "write '10 Tishrei' (with begins: evening)");
  // A Gregorian date with the day last is right as it is, and a typo still gets its own hint.
  CHECK(starts("June 23", 2027) == std::vector<std::string>{"2027-06-23"});
  CHECK(rule_error("Jnue 23").message == "unknown month 'Jnue' (did you mean 'June'?)");
}
