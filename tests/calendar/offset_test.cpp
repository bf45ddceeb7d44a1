#include <catch2/catch.hpp>

#include "calendar/offset.hpp"
#include "calendar/workdays.hpp"
#include "test_support.hpp"

using namespace herald;
using herald::test::day;
using herald::test::iso;

namespace {

std::string key_of(std::string_view at) {
  auto parsed = parse_offset(at);
  if (auto* e = std::get_if<parse_error>(&parsed)) return "error: " + e->message;
  return std::get<step_offset>(parsed).key();
}

}  // namespace

TEST_CASE("offset: 'at' normalises to days in post keys", "[offset]") {
  CHECK(key_of("0") == "0d");
  CHECK(key_of("-4w") == "-28d");
  CHECK(key_of("-3d") == "-3d");
  CHECK(key_of("+1d") == "+1d");
  CHECK(key_of("+0d") == "0d");
  CHECK(key_of("end") == "end");
  CHECK(key_of("end+1d") == "end+1d");
  CHECK(key_of("end-2d") == "end-2d");
  CHECK(key_of("END+1W") == "end+7d");
  CHECK(key_of("end+0d") == "end");
}

TEST_CASE("offset: bad 'at' values are errors", "[offset]") {
  CHECK(key_of("4w") == "error: an offset needs a sign");
  CHECK(key_of("-4") == "error: missing unit (d or w)");
  CHECK(key_of("-4x") == "error: unknown unit 'x'");
  CHECK(key_of("end*2") == "error: expected + or - after 'end'");
  CHECK(key_of("-") == "error: expected a number of days or weeks");
}

TEST_CASE("offset: steps count from the start or the end of an occurrence", "[offset]") {
  auto start = day(2026, 10, 1), end = day(2026, 10, 31);
  CHECK(iso(std::get<step_offset>(parse_offset("-4w")).apply(start, end)) == "2026-09-03");
  CHECK(iso(std::get<step_offset>(parse_offset("end+1d")).apply(start, end)) == "2026-11-01");
}

TEST_CASE("offset: times of day are HH:MM on a 24-hour clock", "[offset]") {
  CHECK(std::get<std::chrono::minutes>(parse_time_of_day("09:30")).count() == 570);
  CHECK(std::get<std::chrono::minutes>(parse_time_of_day("9:05")).count() == 545);
  CHECK(std::get<std::chrono::minutes>(parse_time_of_day("23:59")).count() == 1439);
  for (auto bad : {"24:00", "09:60", "9.30", "0930", "09:3", "-1:00", "09:30pm", ""})
    CHECK(std::holds_alternative<parse_error>(parse_time_of_day(bad)));
}

TEST_CASE("offset: lengths in days and weeks, at least one day", "[offset]") {
  CHECK(std::get<date::days>(parse_length("7 days")).count() == 7);
  CHECK(std::get<date::days>(parse_length("1 day")).count() == 1);
  CHECK(std::get<date::days>(parse_length("2 weeks")).count() == 14);
  CHECK(std::get<date::days>(parse_length("7d")).count() == 7);
  CHECK(std::get<date::days>(parse_length("2w")).count() == 14);
  CHECK(std::get<parse_error>(parse_length("0 days")).message == "an occurrence lasts at least 1 day");
  CHECK(std::holds_alternative<parse_error>(parse_length("3 fortnights")));
}

TEST_CASE("workdays: moves off weekends and holidays, or skips", "[workdays]") {
  // 2026-12-25 (Fri) and 2026-12-28 (Mon, substitute Boxing Day) are UK bank holidays.
  workday_calendar uk({date::Monday, date::Tuesday, date::Wednesday, date::Thursday, date::Friday},
                      {day(2026, 12, 25), day(2026, 12, 28)});
  auto saturday = day(2026, 12, 26);
  CHECK_FALSE(uk.is_workday(saturday));
  CHECK(iso(*uk.move(saturday, not_workday_policy::previous)) == "2026-12-24");
  CHECK(iso(*uk.move(saturday, not_workday_policy::next)) == "2026-12-29");
  CHECK(iso(*uk.move(saturday, not_workday_policy::keep)) == "2026-12-26");
  CHECK_FALSE(uk.move(saturday, not_workday_policy::skip));
  CHECK(iso(*uk.move(day(2026, 12, 24), not_workday_policy::skip)) == "2026-12-24");
  workday_calendar weekends({date::Saturday, date::Sunday}, {});
  CHECK(iso(*weekends.move(day(2026, 12, 23), not_workday_policy::next)) == "2026-12-26");
}

TEST_CASE("offset: working days", "[offset]") {
  auto before = std::get<step_offset>(parse_offset("-5wd"));
  CHECK(before.workdays);
  CHECK(before.days == -5);
  CHECK(before.key() == "-5wd");
  auto after_end = std::get<step_offset>(parse_offset("end+2wd"));
  CHECK(after_end.from == step_offset::anchor::end);
  CHECK(after_end.key() == "end+2wd");
  // Counting: 2026-12-25 is a Friday; with Christmas and Boxing Day (observed Monday 28th) off,
  // the second workday after it is Wednesday 30th, and the fifth before it Friday 18th.
  workday_calendar uk({date::Monday, date::Tuesday, date::Wednesday, date::Thursday, date::Friday},
                      {day(2026, 12, 25), day(2026, 12, 28)});
  CHECK(iso(uk.add_workdays(day(2026, 12, 25), 2)) == "2026-12-30");
  CHECK(iso(uk.add_workdays(day(2026, 12, 25), -5)) == "2026-12-18");
  CHECK(uk.max_move() >= date::days{5});  // Friday 25th to Monday 28th is a run of four
  auto zero = std::get<parse_error>(parse_offset("0wd"));
  CHECK(zero.message == "0wd is no working day");
}

TEST_CASE("offset: words for units get a hint", "[offset]") {
  auto working = std::get<parse_error>(parse_offset("-5 working days"));
  CHECK(working.message == "unknown unit 'working days'");
  CHECK(working.hint == "write '-5wd' for working days");
  CHECK(std::get<parse_error>(parse_offset("end+3 days")).hint == "write 'end+3d'");
  CHECK(std::get<parse_error>(parse_offset("-2 weeks")).hint == "write '-2w'");
}
