// Warnings (docs/calendar.md "Warnings"): the date checks count from the
// instant given to the loader, in the calendar's zone; none without one.
#include <catch2/catch.hpp>

#include <string>

#include "calendar/calendar_loader.hpp"

using namespace herald;

namespace {

std::string calendar_with(const std::string& zone, const std::string& event) {
  return "version: 1\ntimezone: " + zone + "\ndefaults: {channels: [staff]}\nevents:\n" + event;
}

std::vector<std::string> warnings_at(const std::string& yaml, date::sys_seconds now) {
  auto result = load_calendar(yaml, "c.yaml", {std::nullopt, now});
  REQUIRE(result.ok());
  std::vector<std::string> out;
  for (const auto& w : result.warnings) {
    CHECK(w.severity == severity::warning);
    out.push_back(format_diagnostic(w, yaml));
  }
  return out;
}

date::sys_seconds utc(date::year_month_day day, std::chrono::hours hour = std::chrono::hours{12}) {
  return date::sys_days{day} + hour;
}

const std::string running_out = "  - id: week\n    title: A week\n    dates: [2027-01-05, 2027-03-01..2027-03-07]\n";

}  // namespace

TEST_CASE("warnings: dates that run out within 90 days, counted from today in the calendar's zone", "[warnings]") {
  using namespace date::literals;
  auto yaml = calendar_with("Pacific/Auckland", running_out);
  // At 10:00 UTC on 2026-12-07 it is still the 7th in Auckland, 90 days before
  // 2027-03-07; at 12:00 UTC it is the 8th there, and the last date is within 90 days.
  CHECK(warnings_at(yaml, utc(2026_y / 12 / 7, std::chrono::hours{10})).empty());
  auto found = warnings_at(yaml, utc(2026_y / 12 / 7, std::chrono::hours{12}));
  REQUIRE(found.size() == 1);
  CHECK(found[0] ==
        "c.yaml:7:12: warning: the dates of event 'week' run out on 2027-03-07\n"
        " 7 |     dates: [2027-01-05, 2027-03-01..2027-03-07]\n"
        "   |            ^\n"
        "  hint: add next year's dates\n");
  // After the last date: nothing in the coming 365 days.
  auto past = warnings_at(yaml, utc(2027_y / 3 / 8));
  REQUIRE(past.size() == 1);
  CHECK(past[0].starts_with("c.yaml:5:9: warning: event 'week' has no occurrence in the coming 365 days\n"));
  CHECK(past[0].ends_with("  hint: its last date was 2027-03-07: add next year's dates, or remove the event\n"));
}

TEST_CASE("warnings: a rule that goes on, or a loader given no instant, warns of no dates", "[warnings]") {
  using namespace date::literals;
  auto yearly = calendar_with("Europe/London", "  - id: day\n    title: A day\n    every: March 1\n");
  CHECK(warnings_at(yearly, utc(2027_y / 2 / 1)).empty());
  auto result = load_calendar(calendar_with("Europe/London", running_out), "c.yaml");
  REQUIRE(result.ok());
  CHECK(result.warnings.empty());
}

TEST_CASE("warnings: a calendar with errors has no warnings, only errors", "[warnings]") {
  auto result = load_calendar(calendar_with("GMT", "  - id: Bad\n    title: x\n    every: June 1\n"), "c.yaml");
  CHECK_FALSE(result.ok());
  CHECK(result.warnings.empty());
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].severity == severity::error);
}

TEST_CASE("warnings: a quoted or block message keeps its '#' and is not warned about", "[warnings]") {
  using namespace date::literals;
  auto steps = [](const std::string& message) {
    return calendar_with("Europe/London",
                         "  - id: day\n    title: \"A #1 day\"\n    every: March 1\n    steps:\n"
                         "      - at: 0\n        message: " +
                             message + "\n");
  };
  CHECK(warnings_at(steps("\"Coffee # cake\""), utc(2027_y / 2 / 1)).empty());
  CHECK(warnings_at(steps("'Coffee # cake'"), utc(2027_y / 2 / 1)).empty());
  CHECK(warnings_at(steps("|\n          Coffee # cake"), utc(2027_y / 2 / 1)).empty());
  CHECK(warnings_at(steps("Coffee#cake"), utc(2027_y / 2 / 1)).empty());
  CHECK(warnings_at(steps("Coffee # cake"), utc(2027_y / 2 / 1)).size() == 1);
}

TEST_CASE("warnings: a plain message wholly in curly quotes is warned about and loads as written", "[warnings]") {
  using namespace date::literals;
  auto steps = [](const std::string& message) {
    return calendar_with("Europe/London",
                         "  - id: day\n    title: A day\n    every: March 1\n    steps:\n"
                         "      - at: 0\n        message: " +
                             message + "\n");
  };
  auto now = utc(2027_y / 2 / 1);
  CHECK(warnings_at(steps("\"\u201CINWED\u201D\""), now).empty());  // inside straight quotes: meant
  CHECK(warnings_at(steps("|\n          \u201CINWED\u201D"), now).empty());
  CHECK(warnings_at(steps("It is \u201CINWED\u201D today"), now).empty());
  CHECK(warnings_at(steps("\u201CINWED\u201D today"), now).empty());
  auto curly = steps("\u201CINWED\u201D");
  auto warned = warnings_at(curly, now);
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].starts_with(
      "c.yaml:10:18: warning: the text of 'message' is in curly quotes, which YAML keeps as part of the text"));
  auto loaded = load_calendar(curly, "c.yaml", {std::nullopt, now});
  REQUIRE(loaded.ok());
  CHECK(loaded.value->events.at(0).steps->at(0).message.text() == "\u201CINWED\u201D");
}
