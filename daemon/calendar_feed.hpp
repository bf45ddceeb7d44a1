#pragma once
// The published calendar (docs/cli.md "herald export"), made the same way
// by `herald export` and the daemon's GET /calendar.ics, so the same files
// and window give the same bytes: the name is the config's (or the lone
// calendar's) file name without its extension, and DTSTAMP the newest
// modification time of the calendar files.
//
// Reads the files' modification times; nothing else.

#include <chrono>
#include <string>
#include <vector>

#include "calendar/icalendar_export.hpp"

namespace herald {

/// The name, PRODID and stamp of the feed of `calendars`, loaded from
/// `source_file` (a config, or a calendar given alone). A file that cannot
/// be read counts as changed at the epoch.
export_identity feed_identity(const std::string& source_file, const std::vector<calendar>& calendars);

/// Today in the first calendar's zone. REQUIRES: `calendars` is not empty.
date::local_days feed_today(const std::vector<calendar>& calendars, std::chrono::system_clock::time_point now);

/// The whole iCalendar text of the calendars' occurrences in `window`.
std::string calendar_feed(const std::string& source_file, const std::vector<calendar>& calendars,
                          const export_window& window, const std::vector<std::string>& events = {});

}  // namespace herald
