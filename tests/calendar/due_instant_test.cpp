#include <catch2/catch.hpp>

#include "calendar/due_instant.hpp"
#include "test_support.hpp"
#include "text/instant_format.hpp"

using namespace herald;
using herald::test::day;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

std::string due_utc(const char* zone, date::local_days d, minutes time) {
  return format_utc_instant(due_instant(*date::locate_zone(zone), d, time));
}

constexpr auto at = [](int h, int m) { return hours{h} + minutes{m}; };

}  // namespace

// Transition dates from the IANA tz database: London 2026-03-29 01:00 GMT ->
// 02:00 BST and 2026-10-25 02:00 BST -> 01:00 GMT.
TEST_CASE("due: Europe/London either side of both 2026 transitions", "[due]") {
  CHECK(due_utc("Europe/London", day(2026, 3, 28), at(9, 0)) == "2026-03-28T09:00:00Z");
  CHECK(due_utc("Europe/London", day(2026, 3, 29), at(9, 0)) == "2026-03-29T08:00:00Z");
  CHECK(due_utc("Europe/London", day(2026, 10, 24), at(9, 0)) == "2026-10-24T08:00:00Z");
  CHECK(due_utc("Europe/London", day(2026, 10, 25), at(9, 0)) == "2026-10-25T09:00:00Z");
}

TEST_CASE("due: a time in London's spring gap moves forward by the gap (RFC 5545)", "[due]") {
  // 01:30 does not exist on 2026-03-29; it is 02:30 BST = 01:30 UTC, not
  // 02:00 BST as date's choose::earliest would give.
  auto due = due_instant(*date::locate_zone("Europe/London"), day(2026, 3, 29), at(1, 30));
  CHECK(format_utc_instant(due) == "2026-03-29T01:30:00Z");
  CHECK(format_local_instant(*date::locate_zone("Europe/London"), due) == "2026-03-29T02:30:00+01:00");
}

TEST_CASE("due: an ambiguous autumn time is its first instant", "[due]") {
  CHECK(due_utc("Europe/London", day(2026, 10, 25), at(1, 30)) == "2026-10-25T00:30:00Z");    // 01:30 BST
  CHECK(due_utc("America/New_York", day(2026, 11, 1), at(1, 30)) == "2026-11-01T05:30:00Z");  // 01:30 EDT
}

// New York: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
TEST_CASE("due: America/New_York transitions", "[due]") {
  CHECK(due_utc("America/New_York", day(2026, 3, 7), at(9, 0)) == "2026-03-07T14:00:00Z");
  CHECK(due_utc("America/New_York", day(2026, 3, 8), at(9, 0)) == "2026-03-08T13:00:00Z");
  CHECK(due_utc("America/New_York", day(2026, 3, 8), at(2, 30)) == "2026-03-08T07:30:00Z");  // 03:30 EDT
  CHECK(due_utc("America/New_York", day(2026, 11, 1), at(9, 0)) == "2026-11-01T14:00:00Z");
}

// Sydney (southern hemisphere): 2026-04-05 03:00 AEDT -> 02:00 AEST;
// 2026-10-04 02:00 AEST -> 03:00 AEDT.
TEST_CASE("due: Australia/Sydney transitions", "[due]") {
  CHECK(due_utc("Australia/Sydney", day(2026, 4, 4), at(9, 0)) == "2026-04-03T22:00:00Z");
  CHECK(due_utc("Australia/Sydney", day(2026, 4, 5), at(9, 0)) == "2026-04-04T23:00:00Z");
  CHECK(due_utc("Australia/Sydney", day(2026, 4, 5), at(2, 30)) == "2026-04-04T15:30:00Z");   // first: AEDT
  CHECK(due_utc("Australia/Sydney", day(2026, 10, 4), at(2, 30)) == "2026-10-03T16:30:00Z");  // gap: 03:30 AEDT
  CHECK(due_utc("Australia/Sydney", day(2026, 10, 4), at(9, 0)) == "2026-10-03T22:00:00Z");
}

TEST_CASE("due: local instants print their offset, +00:00 when zero", "[due]") {
  auto& london = *date::locate_zone("Europe/London");
  CHECK(format_local_instant(london, due_instant(london, day(2027, 1, 5), at(9, 30))) == "2027-01-05T09:30:00+00:00");
  auto& new_york = *date::locate_zone("America/New_York");
  CHECK(format_local_instant(new_york, due_instant(new_york, day(2027, 1, 5), at(9, 30))) ==
        "2027-01-05T09:30:00-05:00");
  auto& kolkata = *date::locate_zone("Asia/Kolkata");
  CHECK(format_local_instant(kolkata, due_instant(kolkata, day(2027, 1, 5), at(9, 30))) == "2027-01-05T09:30:00+05:30");
}
