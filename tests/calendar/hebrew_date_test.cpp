// The Hebrew calendar against two independent implementations, every day
// of 1900–2200: hebcal (C, Debian's hebcal) and convertdate (Python, Debian's
// python3-convertdate). Neither is optional: a missing peer fails the test.
#include "calendar/hebrew_date.hpp"

#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace herald {
namespace {

using test::day;
using test::iso;

// Runs a shell command; returns its exit status, its output in `output`.
int run(const std::string& command, std::string& output) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buffer[1 << 16];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  return pclose(pipe);
}

hebrew::year_month_day hdate(int y, hebrew::month m, unsigned d) { return {y, m, d}; }

std::string describe(const hebrew::year_month_day& h) {
  return std::to_string(h.day) + "/" + std::to_string(static_cast<unsigned>(h.month)) + "/" + std::to_string(h.year);
}

// hebcal's month names, as `hebcal -d` prints them.
std::optional<hebrew::month> hebcal_month(const std::string& name, int year) {
  static const std::map<std::string, hebrew::month> names = {
      {"Tishrei", hebrew::month::tishrei}, {"Cheshvan", hebrew::month::cheshvan}, {"Kislev", hebrew::month::kislev},
      {"Tevet", hebrew::month::tevet},     {"Sh'vat", hebrew::month::shevat},     {"Adar I", hebrew::month::adar_i},
      {"Adar II", hebrew::month::adar},    {"Nisan", hebrew::month::nisan},       {"Iyyar", hebrew::month::iyar},
      {"Sivan", hebrew::month::sivan},     {"Tamuz", hebrew::month::tammuz},      {"Av", hebrew::month::av},
      {"Elul", hebrew::month::elul}};
  if (name == "Adar") return hebrew::is_leap_year(year) ? std::nullopt : std::optional{hebrew::month::adar};
  auto found = names.find(name);
  return found == names.end() ? std::nullopt : std::optional{found->second};
}

}  // namespace

TEST_CASE("hebrew: dates published for 2026-2027 (Passover, Rosh Hashanah, Yom Kippur, Hanukkah, Purim)", "[hebrew]") {
  // Given the first days (daytime) of festivals as published by hebcal.com
  // and the Board of Deputies' calendar, then herald's arithmetic agrees.
  CHECK(iso(hdate(5786, hebrew::month::nisan, 15).to_days()) == "2026-04-02");
  CHECK(iso(hdate(5787, hebrew::month::tishrei, 1).to_days()) == "2026-09-12");
  CHECK(iso(hdate(5787, hebrew::month::tishrei, 10).to_days()) == "2026-09-21");
  CHECK(iso(hdate(5787, hebrew::month::kislev, 25).to_days()) == "2026-12-05");
  CHECK(iso(hdate(5787, hebrew::month::adar, 14).to_days()) == "2027-03-23");  // a leap year: Purim in Adar II
  CHECK(iso(hdate(5787, hebrew::month::nisan, 15).to_days()) == "2027-04-22");
  CHECK(iso(hebrew::new_year(5788)) == "2027-10-02");
}

TEST_CASE("hebrew: year lengths and the months that vary", "[hebrew]") {
  // Given years of each kind, then their lengths are legal and Cheshvan,
  // Kislev and Adar I follow them.
  for (int year = 5600; year <= 6000; ++year) {
    auto length = hebrew::days_in_year(year);
    INFO(year << " has " << length << " days");
    CHECK(((length >= 353 && length <= 355) || (length >= 383 && length <= 385)));
    CHECK(hebrew::is_leap_year(year) == (length > 380));
    CHECK((hebrew::days_in_month(year, hebrew::month::cheshvan) == 30) == (length % 10 == 5));
    CHECK((hebrew::days_in_month(year, hebrew::month::kislev) == 29) == (length % 10 == 3));
    CHECK(hebrew::year_month_day{year, hebrew::month::adar_i, 1}.ok() == hebrew::is_leap_year(year));
  }
  CHECK_FALSE(hdate(5787, hebrew::month::tevet, 30).ok());
  CHECK_FALSE(hdate(5787, hebrew::month::elul, 0).ok());
}

TEST_CASE("hebrew: every day of 1900-2200 as hebcal gives it", "[hebrew][oracle]") {
  // Given hebcal's Hebrew date for every Gregorian day of 1900–2200, then
  // herald converts each day both ways to the same date.
  std::string output;
  int status = run("for y in $(seq 1900 2200); do hebcal -d -h -g $y || exit 1; done 2>&1", output);
  {
    INFO("hebcal failed; scripts/setup installs it (Debian's hebcal). Its output begins:\n" << output.substr(0, 500));
    REQUIRE(status == 0);
  }
  std::istringstream lines(output);
  std::size_t compared = 0, mismatches = 0;
  auto expected_day = day(1900, 1, 1);
  for (std::string line; std::getline(lines, line);) {
    // 2027-02-08 1st of Adar I, 5787
    auto of = line.find(" of "), comma = line.rfind(", ");
    REQUIRE(of != std::string::npos);
    REQUIRE(comma != std::string::npos);
    int year = std::stoi(line.substr(comma + 2));
    auto month = hebcal_month(line.substr(of + 4, comma - of - 4), year);
    INFO(line);
    REQUIRE(month);
    hebrew::year_month_day want{year, *month, static_cast<unsigned>(std::stoul(line.substr(11)))};
    REQUIRE(line.substr(0, 10) == iso(expected_day));
    auto got = hebrew::year_month_day::from_days(expected_day);
    bool same = got.year == want.year && got.month == want.month && got.day == want.day;
    if (!same || want.to_days() != expected_day || !want.ok()) {
      if (++mismatches <= 10)
        FAIL_CHECK(line << ": herald reads " << describe(got) << ", gives " << iso(want.to_days()));
    }
    ++compared;
    expected_day += date::days{1};
  }
  CHECK(iso(expected_day) == "2201-01-01");
  CHECK(compared == 109938);
  CHECK(mismatches == 0);
}

TEST_CASE("hebrew: every day of the years 5660-5961 as convertdate gives it", "[hebrew][oracle]") {
  // Given python3-convertdate's Gregorian day for every Hebrew date of the
  // years 5660–5961 (1899–2201), then herald gives the same day.
  std::string output;
  int status = run("/usr/bin/python3 '" HERALD_SOURCE_DIR "/tests/data/hebrew_oracle.py' 5660 5961 2>&1", output);
  {
    INFO("tests/data/hebrew_oracle.py failed; it needs /usr/bin/python3 with python3-convertdate. It printed:\n"
         << output.substr(0, 500));
    REQUIRE(status == 0);
  }
  std::istringstream lines(output);
  std::size_t compared = 0, mismatches = 0;
  int year;
  unsigned month, d;
  std::string gregorian;
  while (lines >> year >> month >> d >> gregorian) {
    hebrew::year_month_day h{year, hebrew::month{month}, d};
    if (!h.ok() || iso(h.to_days()) != gregorian) {
      if (++mismatches <= 10)
        FAIL_CHECK(describe(h) << ": convertdate " << gregorian << ", herald " << iso(h.to_days()));
    }
    ++compared;
  }
  CHECK(compared > 110000);
  CHECK(mismatches == 0);
}

}  // namespace herald
