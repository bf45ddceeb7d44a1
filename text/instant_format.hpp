#pragma once
// Instants as RFC 3339 text: in a zone with its offset, or in UTC.

#include <string>

#include <date/tz.h>

namespace herald {

/// `2027-05-26T09:30:00+01:00`: the instant in the zone, with its offset.
std::string format_local_instant(const date::time_zone& zone, date::sys_seconds instant);

/// `2027-05-26T08:30:00Z`.
std::string format_utc_instant(date::sys_seconds instant);

}  // namespace herald
