#pragma once
// When a post is due: a local date and time in the calendar's zone, as an
// instant (docs/calendar.md "Due instants and daylight saving time", the RFC 5545 rule).

#include <chrono>

#include <date/tz.h>

namespace herald {

/// `day` at `time_of_day` in `zone`, as UTC. A time inside a spring-forward
/// gap moves forward by the gap (01:30 in London's 01:00→02:00 gap is 02:30
/// BST); an ambiguous autumn time is its first instant.
/// Note: date's `choose::earliest` would give 02:00 for the gap, which is
/// not what RFC 5545 says.
date::sys_seconds due_instant(const date::time_zone& zone, date::local_days day, std::chrono::minutes time_of_day);

}  // namespace herald
