#pragma once
// Small helpers shared by the tests.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <date/date.h>

#include "calendar/calendar_loader.hpp"
#include "text/civil.hpp"

namespace herald::test {

inline date::local_days day(int y, unsigned m, unsigned d) {
  return date::local_days{date::year{y} / date::month{m} / date::day{d}};
}

inline std::string iso(date::local_days d) { return format_iso_date(d); }

/// The calendar of docs/calendar.md, word for word.
extern const std::string spec_example;

/// A week-ahead digest (Mondays, channel `staff`) over 30 observances on
/// June 22, each listing its 60 tags twice: about 32 KiB an item, so the
/// week of 2027-06-21 is past a post's size limit and is cut.
std::string oversized_digest_calendar();

/// Loads a calendar from YAML text; fails the test with the errors if any.
calendar load_ok(const std::string& yaml, const calendar_options& options = {});

/// The formatted errors of a calendar that must not load.
std::string load_errors(const std::string& yaml, const calendar_options& options = {});

struct cli_result {
  int status;
  std::string out, err;
};

/// Runs `herald ARGS…` in-process with a fixed clock and environment.
cli_result run_herald(std::vector<std::string> args, std::chrono::system_clock::time_point now,
                      std::function<const char*(const char*)> getenv);

}  // namespace herald::test
