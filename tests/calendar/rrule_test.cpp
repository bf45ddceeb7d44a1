#include "calendar/rrule.hpp"

#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace herald {
namespace {

using date::local_days;

local_days day(int y, unsigned m, unsigned d) { return local_days{date::year{y} / date::month{m} / date::day{d}}; }

std::string iso(local_days d) { return date::format("%F", d); }

std::vector<std::string> iso_list(const std::vector<local_days>& days) {
  std::vector<std::string> out;
  for (auto d : days) out.push_back(iso(d));
  return out;
}

rrule parsed(std::string_view text) {
  auto result = parse_rrule(text);
  if (auto* error = std::get_if<parse_error>(&result)) FAIL("'" << text << "': " << error->message);
  return std::get<rrule>(result);
}

// Occurrences of `text` with DTSTART `start` in [from, to], as YYYY-MM-DD.
std::vector<std::string> dates(std::string_view text, local_days start, local_days from, local_days to) {
  return iso_list(rrule_dates(parsed(text), start, from, to));
}

std::vector<std::string> dates(std::string_view text, local_days start, local_days to) {
  return dates(text, start, start, to);
}

parse_error error_of(std::string_view text) {
  auto result = parse_rrule(text);
  if (std::holds_alternative<rrule>(result)) FAIL("'" << text << "' parsed, expected an error");
  return std::get<parse_error>(result);
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("rrule: parses parts, names and values in any case, with an RRULE: prefix", "[rrule]") {
  auto rule = parsed(
      "RRULE:freq=Monthly;INTERVAL=2;byday=2TU,-1fr,+3we,SU;COUNT=10;BYMONTH=1,12;"
      "BYMONTHDAY=-1,15;BYSETPOS=-1,+2;WKST=su");
  CHECK(rule.freq == rrule::frequency::monthly);
  CHECK(rule.interval == 2);
  CHECK(rule.count == 10);
  CHECK_FALSE(rule.until);
  CHECK(rule.by_month == std::vector<unsigned>{1, 12});
  CHECK(rule.by_month_day == std::vector<int>{-1, 15});
  REQUIRE(rule.by_day.size() == 4);
  CHECK((rule.by_day[0].day == date::Tuesday && rule.by_day[0].n == 2));
  CHECK((rule.by_day[1].day == date::Friday && rule.by_day[1].n == -1));
  CHECK((rule.by_day[2].day == date::Wednesday && rule.by_day[2].n == 3));
  CHECK((rule.by_day[3].day == date::Sunday && rule.by_day[3].n == 0));
  CHECK(rule.by_set_pos == std::vector<int>{-1, 2});
  CHECK(rule.week_start == date::Sunday);
}

TEST_CASE("rrule: UNTIL is a date, ISO date or date-time of which the date counts", "[rrule]") {
  for (auto text : {"FREQ=DAILY;UNTIL=20240115", "FREQ=DAILY;UNTIL=2024-01-15", "FREQ=DAILY;UNTIL=20240115T120000Z",
                    "FREQ=DAILY;UNTIL=20240115t235959"}) {
    INFO(text);
    CHECK(parsed(text).until == day(2024, 1, 15));
  }
}

TEST_CASE("rrule: parse errors name the part and point at it", "[rrule]") {
  struct expected {
    std::string text, message;
    std::size_t offset;
  };
  const std::string supported =
      "supported parts: FREQ, INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS, WKST";
  const std::vector<expected> cases = {
      {"FREQ=DAILY;BYHOURS=9", "unknown RRULE part 'BYHOURS'", 11},
      {"FREQ=DAILY;BYMONTHDAYS=1", "unknown RRULE part 'BYMONTHDAYS' (did you mean 'BYMONTHDAY'?)", 11},
      {"FREQ=YEARLY;BYWEEKNO=20", "BYWEEKNO is not supported; " + supported, 12},
      {"RRULE:FREQ=DAILY;byhour=9", "BYHOUR is not supported; " + supported, 17},
      {"FREQ=YEARLY;BYYEARDAY=100", "BYYEARDAY is not supported; " + supported, 12},
      {"FREQ=HOURLY", "FREQ=HOURLY is not supported; supported frequencies: YEARLY, MONTHLY, WEEKLY, DAILY", 5},
      {"FREQ=secondly", "FREQ=SECONDLY is not supported; supported frequencies: YEARLY, MONTHLY, WEEKLY, DAILY", 5},
      {"FREQ=MONTLY", "unknown FREQ 'MONTLY' (did you mean 'MONTHLY'?)", 5},
      {"FREQ=DAILY;COUNT=3;FREQ=WEEKLY", "duplicate RRULE part 'FREQ'", 19},
      {"BYMONTH=6;BYDAY=MO", "missing FREQ (one of YEARLY, MONTHLY, WEEKLY, DAILY)", 0},
      {"", "missing FREQ (one of YEARLY, MONTHLY, WEEKLY, DAILY)", 0},
      {"FREQ=DAILY;COUNT=3;UNTIL=20240101", "COUNT and UNTIL cannot be used together", 19},
      {"UNTIL=20240101;FREQ=DAILY;COUNT=3", "COUNT and UNTIL cannot be used together", 26},
      {"FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number of at least 1, not '0'", 20},
      {"FREQ=DAILY;COUNT=-2", "COUNT must be a whole number of at least 1, not '-2'", 17},
      {"FREQ=DAILY;COUNT=99999999999", "COUNT must be a whole number of at least 1, not '99999999999'", 17},
      {"FREQ=YEARLY;BYMONTH=6,13", "BYMONTH value '13' is not a month 1..12", 22},
      {"FREQ=MONTHLY;BYMONTHDAY=1,0", "BYMONTHDAY value '0' is not a day 1..31 or -31..-1", 26},
      {"FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY value '-32' is not a day 1..31 or -31..-1", 24},
      {"FREQ=MONTHLY;BYSETPOS=0", "BYSETPOS value '0' is not a position 1..366 or -366..-1", 22},
      {"FREQ=MONTHLY;BYDAY=MO,XX",
       "invalid BYDAY value 'XX' (write MO..SU, optionally with an ordinal like 2TU or -1FR)", 22},
      {"FREQ=MONTHLY;BYDAY=0MO", "BYDAY ordinal in '0MO' must be 1..53 or -53..-1", 19},
      {"FREQ=YEARLY;BYDAY=54MO", "BYDAY ordinal in '54MO' must be 1..53 or -53..-1", 18},
      {"FREQ=WEEKLY;BYDAY=MO,2TU", "BYDAY ordinal in '2TU' needs FREQ=MONTHLY or FREQ=YEARLY", 21},
      {"BYDAY=-1FR;FREQ=DAILY", "BYDAY ordinal in '-1FR' needs FREQ=MONTHLY or FREQ=YEARLY", 6},
      {"FREQ=DAILY;UNTIL=20240230", "invalid UNTIL date '20240230' (write YYYYMMDD)", 17},
      {"FREQ=DAILY;UNTIL=20240101T250000", "invalid UNTIL date '20240101T250000' (write YYYYMMDD)", 17},
      {"FREQ=DAILY;WKST=XY", "invalid WKST 'XY' (one of MO, TU, WE, TH, FR, SA, SU)", 16},
      {"DTSTART:20240101", "unknown property 'DTSTART' (only an 'RRULE:' prefix may precede the rule)", 0},
      {"FREQ=DAILY;;COUNT=2", "empty RRULE part", 11},
      {"FREQ=DAILY;COUNT", "RRULE part 'COUNT' has no value (write COUNT=...)", 11},
      {"FREQ=DAILY;COUNT=", "empty value for COUNT", 17},
      {"FREQ=DAILY;BYMONTH=1,,2", "empty item in BYMONTH", 21},
      {"FREQ=DAILY;=3", "RRULE part without a name (write NAME=VALUE)", 11},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto error = error_of(c.text);
    CHECK(error.message == c.message);
    CHECK(error.offset == c.offset);
  }
}

TEST_CASE("rrule: a trailing semicolon and spaces around parts are accepted", "[rrule]") {
  CHECK(parsed("FREQ=YEARLY; BYMONTH = 6 ;").by_month == std::vector<unsigned>{6});
}

TEST_CASE("rrule: US Thanksgiving is the fourth Thursday of November", "[rrule]") {
  CHECK(dates("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", day(2020, 11, 26), day(2024, 12, 31)) ==
        strings{"2020-11-26", "2021-11-25", "2022-11-24", "2023-11-23", "2024-11-28"});
}

TEST_CASE("rrule: the last Friday of each month", "[rrule]") {
  CHECK(dates("FREQ=MONTHLY;BYDAY=-1FR", day(2024, 1, 1), day(2024, 6, 30)) ==
        strings{"2024-01-26", "2024-02-23", "2024-03-29", "2024-04-26", "2024-05-31", "2024-06-28"});
}

TEST_CASE("rrule: every other week depends on WKST (RFC 5545's example)", "[rrule]") {
  auto start = day(1997, 8, 5);
  CHECK(dates("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", start, day(1997, 12, 31)) ==
        strings{"1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"});
  CHECK(dates("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", start, day(1997, 12, 31)) ==
        strings{"1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"});
}

TEST_CASE("rrule: BYSETPOS=-1 picks the last workday of each month", "[rrule]") {
  CHECK(dates("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", day(2024, 1, 1), day(2024, 6, 30)) ==
        strings{"2024-01-31", "2024-02-29", "2024-03-29", "2024-04-30", "2024-05-31", "2024-06-28"});
}

TEST_CASE("rrule: a yearly rule started on February 29 occurs in leap years only", "[rrule]") {
  CHECK(dates("FREQ=YEARLY", day(2024, 2, 29), day(2033, 1, 1)) == strings{"2024-02-29", "2028-02-29", "2032-02-29"});
  CHECK(dates("FREQ=YEARLY", day(2024, 2, 29), day(2096, 1, 1), day(2104, 12, 31)) ==
        strings{"2096-02-29", "2104-02-29"});
}

TEST_CASE("rrule: BYMONTHDAY=-1 is the last day of each month", "[rrule]") {
  CHECK(dates("FREQ=MONTHLY;BYMONTHDAY=-1", day(2023, 12, 15), day(2024, 3, 31)) ==
        strings{"2023-12-31", "2024-01-31", "2024-02-29", "2024-03-31"});
}

TEST_CASE("rrule: a monthly rule started on the 31st skips shorter months", "[rrule]") {
  CHECK(dates("FREQ=MONTHLY;COUNT=4", day(2014, 12, 31), day(2016, 1, 1)) ==
        strings{"2014-12-31", "2015-01-31", "2015-03-31", "2015-05-31"});
}

TEST_CASE("rrule: COUNT is counted from the start, not from the window", "[rrule]") {
  CHECK(dates("FREQ=DAILY;COUNT=10", day(2024, 1, 1), day(2024, 1, 8), day(2024, 12, 31)) ==
        strings{"2024-01-08", "2024-01-09", "2024-01-10"});
}

TEST_CASE("rrule: UNTIL is included", "[rrule]") {
  CHECK(dates("FREQ=WEEKLY;UNTIL=20240115", day(2024, 1, 1), day(2024, 12, 31)) ==
        strings{"2024-01-01", "2024-01-08", "2024-01-15"});
}

TEST_CASE("rrule: a start the rule does not match is no occurrence and does not count", "[rrule]") {
  CHECK(dates("FREQ=MONTHLY;BYDAY=1MO;COUNT=3", day(2024, 1, 3), day(2024, 12, 31)) ==
        strings{"2024-02-05", "2024-03-04", "2024-04-01"});
  CHECK(dates("FREQ=YEARLY;BYDAY=1MO;BYMONTH=1,9", day(2024, 1, 15), day(2025, 12, 31)) ==
        strings{"2024-09-02", "2025-01-06", "2025-09-01"});
}

TEST_CASE("rrule: rules without BYxxx take the missing parts from the start", "[rrule]") {
  CHECK(dates("FREQ=YEARLY;BYMONTH=3,6", day(2024, 1, 15), day(2025, 3, 31)) ==
        strings{"2024-03-15", "2024-06-15", "2025-03-15"});
  CHECK(dates("FREQ=WEEKLY;INTERVAL=2", day(2024, 1, 3), day(2024, 1, 31)) ==
        strings{"2024-01-03", "2024-01-17", "2024-01-31"});
  // BYMONTHDAY alone under YEARLY means that day of every month (dateutil).
  CHECK(dates("FREQ=YEARLY;BYMONTHDAY=15", day(2024, 1, 20), day(2024, 4, 30)) ==
        strings{"2024-02-15", "2024-03-15", "2024-04-15"});
}

TEST_CASE("rrule: yearly BYDAY ordinals count within the year without BYMONTH", "[rrule]") {
  CHECK(dates("FREQ=YEARLY;BYDAY=20MO,-1SU", day(2024, 1, 1), day(2025, 12, 31)) ==
        strings{"2024-05-13", "2024-12-29", "2025-05-19", "2025-12-28"});
}

TEST_CASE("rrule: BYMONTHDAY and BYDAY together mean both (Friday the 13th)", "[rrule]") {
  CHECK(dates("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", day(2024, 1, 1), day(2025, 12, 31)) ==
        strings{"2024-09-13", "2024-12-13", "2025-06-13"});
}

TEST_CASE("rrule: dateutil quirks are kept", "[rrule]") {
  SECTION("plain and ordinal BYDAY entries in one rule must both match") {
    CHECK(dates("FREQ=MONTHLY;BYDAY=FR,1FR", day(2024, 1, 1), day(2024, 3, 31)) ==
          strings{"2024-01-05", "2024-02-02", "2024-03-01"});
    CHECK(dates("FREQ=MONTHLY;BYDAY=MO,1FR", day(2024, 1, 1), day(2024, 12, 31)).empty());
  }
  SECTION("the first WEEKLY period starts at the start, so BYSETPOS counts from it") {
    CHECK(dates("FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=1", day(2024, 1, 3), day(2024, 1, 15)) ==
          strings{"2024-01-03", "2024-01-08", "2024-01-15"});
  }
}

TEST_CASE("rrule: a window decades after the start is reached without walking there", "[rrule]") {
  CHECK(dates("FREQ=DAILY;INTERVAL=3", day(1990, 1, 1), day(2026, 1, 1), day(2026, 1, 10)) ==
        strings{"2026-01-01", "2026-01-04", "2026-01-07", "2026-01-10"});
  auto rule = parsed("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,TH;WKST=SU");
  auto whole = rrule_dates(rule, day(1990, 5, 17), day(1990, 5, 17), day(2027, 12, 31));
  auto window = rrule_dates(rule, day(1990, 5, 17), day(2026, 1, 1), day(2027, 12, 31));
  std::erase_if(whole, [](local_days d) { return d < day(2026, 1, 1); });
  CHECK(iso_list(window) == iso_list(whole));

  // 10 000 events asking for a far window must not take long either.
  auto began = std::chrono::steady_clock::now();
  std::size_t found = 0;
  for (int i = 0; i < 10000; ++i)
    found += rrule_dates(parsed("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"), day(1990, 1, 1) + date::days{i % 400},
                         day(2026, 1, 1), day(2027, 12, 31))
                 .size();
  CHECK(found == 10000 * 24);
  CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(10));
}

TEST_CASE("rrule: a rule that can never match ends", "[rrule]") {
  for (auto text :
       {"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=WEEKLY;INTERVAL=4;BYMONTH=4;BYMONTHDAY=31", "FREQ=MONTHLY;BYDAY=MO;BYMONTHDAY=1;BYSETPOS=2"}) {
    INFO(text);
    CHECK(dates(text, day(1, 1, 1), day(9999, 12, 31)).empty());
  }
  CHECK(dates("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3", day(1, 1, 1), day(9999, 12, 31)) ==
        strings{"0004-02-29", "0008-02-29", "0012-02-29"});
}

TEST_CASE("rrule: dates stay within years 1..9999", "[rrule]") {
  CHECK(dates("FREQ=YEARLY", day(9998, 6, 1), day(9999, 12, 31)) == strings{"9998-06-01", "9999-06-01"});
  CHECK(dates("FREQ=DAILY;INTERVAL=2147483647", day(9998, 6, 1), day(9999, 12, 31)) == strings{"9998-06-01"});
  CHECK(dates("FREQ=WEEKLY;BYDAY=SU", day(9999, 12, 30), day(9999, 12, 31)).empty());
}

// ------------------------------------------------------ differential oracle

namespace {

struct oracle_case {
  std::string line, rule;
  local_days start, from, to;
  std::vector<local_days> expected;
};

std::optional<local_days> iso_day(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d-%u-%u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  auto ymd = date::year{y} / date::month{m} / date::day{d};
  return ymd.ok() ? std::optional<local_days>{local_days{ymd}} : std::nullopt;
}

// `RULE \t START \t FROM \t TO \t DATES`, as rrule_oracle.py prints it.
std::optional<oracle_case> parse_oracle_line(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, '\t');) fields.push_back(field);
  if (line.ends_with('\t')) fields.emplace_back();
  if (fields.size() != 5) return std::nullopt;
  auto start = iso_day(fields[1]), from = iso_day(fields[2]), to = iso_day(fields[3]);
  if (!start || !from || !to) return std::nullopt;
  oracle_case c{line, fields[0], *start, *from, *to, {}};
  std::stringstream days(fields[4]);
  for (std::string text; days >> text;) {
    auto d = iso_day(text);
    if (!d) return std::nullopt;
    c.expected.push_back(*d);
  }
  return c;
}

// Runs the oracle; returns its exit status and everything it printed.
int run_oracle(std::string& output) {
  const std::string command = "/usr/bin/python3 '" HERALD_SOURCE_DIR "/tests/data/rrule_oracle.py' 3000 5545 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  return pclose(pipe);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

}  // namespace

TEST_CASE("rrule: matches python-dateutil on thousands of random rules", "[rrule][oracle]") {
  std::string output;
  int status = run_oracle(output);
  {
    INFO(
        "tests/data/rrule_oracle.py failed; it needs /usr/bin/python3 with python3-dateutil "
        "(apt install python3-dateutil). Its output (first 2000 bytes):\n"
        << output.substr(0, 2000));
    REQUIRE(status == 0);
  }

  std::size_t compared = 0, mismatches = 0;
  bool saw_summary = false;
  std::stringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# rules=")) {
      saw_summary = true;
      continue;
    }
    auto c = parse_oracle_line(line);
    if (!c) FAIL("unreadable oracle line: " << line);
    auto rule = parse_rrule(c->rule);
    auto* error = std::get_if<parse_error>(&rule);
    if (error) FAIL_CHECK("'" << c->rule << "' does not parse: " << error->message);
    ++compared;
    auto got = error ? std::vector<local_days>{} : rrule_dates(std::get<rrule>(rule), c->start, c->from, c->to);
    if (error || got == c->expected) continue;
    if (++mismatches <= 10)
      FAIL_CHECK(c->rule << " start " << iso(c->start) << " window " << iso(c->from) << ".." << iso(c->to)
                         << "\n  dateutil: " << join(iso_list(c->expected)) << "\n  herald:   " << join(iso_list(got)));
  }
  CHECK(saw_summary);
  CHECK(compared >= 2000);
  CHECK(mismatches == 0);
}

}  // namespace herald
