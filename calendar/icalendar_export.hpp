#pragma once
// What `herald export` and the daemon's /calendar.ics publish (docs/cli.md,
// "herald export"): the occurrences of some calendars within a window of
// local dates, as the iCalendar value that calendar/icalendar.hpp writes.
//
// Pure: calendars, window, name and stamp in; the same input gives the same
// occurrences in the same order (by start, then event id), so the same bytes.

#include <string>
#include <vector>

#include "calendar/icalendar.hpp"
#include "calendar/plan.hpp"

namespace herald {

/// The dates exported, both included.
struct export_window {
  date::local_days first, last;
};

/// A year back to two years ahead of `today` (29 February becomes 28
/// February in a year without one).
export_window default_export_window(date::local_days today);

/// The occurrences of `calendars` overlapping the window, by start, then
/// event id; only the events named in `events`, when it is not empty.
std::vector<planned_occurrence> export_occurrences(const std::vector<calendar>& calendars, const export_window& window,
                                                   const std::vector<std::string>& events = {});

/// Who is exporting: the calendar's name (X-WR-CALNAME, the UIDs' domain),
/// PRODID, and DTSTAMP (when the calendar files last changed).
struct export_identity {
  std::string name;
  std::string product;
  date::sys_seconds stamp;
};

/// The iCalendar value of `occurrences` (each pointing into its calendar).
ics_calendar icalendar_export(const std::vector<planned_occurrence>& occurrences, const export_identity& identity);

}  // namespace herald
