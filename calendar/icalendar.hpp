#pragma once
// The iCalendar (RFC 5545) form of a calendar's occurrences, for `herald
// export --format ics` and the daemon's /calendar.ics (docs/cli.md, "herald
// export"): one all-day, transparent VEVENT per occurrence, which Outlook,
// Google Calendar and Apple Calendar subscribe to.
//
// Pure: the same input gives the same bytes. Lines end in CRLF and are
// folded at 75 octets, never inside a UTF-8 character; TEXT values are
// escaped (`\`, `;`, `,`, newlines).

#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

namespace herald {

struct ics_occurrence {
  std::string event_id;
  date::local_days start, end;  ///< both included
  std::string title;
  std::string description;
  std::string url;
  std::vector<std::string> tags;
  bool begins_evening = false;  ///< the observance begins at sunset the evening before `start`
};

struct ics_calendar {
  std::string name;         ///< X-WR-CALNAME, and the UIDs' domain part
  std::string product;      ///< PRODID, e.g. `-//herald//herald 0.2.0//EN`
  date::sys_seconds stamp;  ///< DTSTAMP of every event: when the calendar file last changed
  std::vector<ics_occurrence> occurrences;
};

/// The whole VCALENDAR.
std::string write_icalendar(const ics_calendar& calendar);

/// `value` as an RFC 5545 TEXT: `\` `;` `,` escaped, a newline as `\n`.
std::string ics_escape_text(std::string_view value);

/// Appends `line` (without its end) to `out`, folded at 75 octets with CRLF
/// and a space, and ends it with CRLF.
void ics_append_folded(std::string& out, std::string_view line);

/// `inwed-2027-06-23@inclusion-calendar`: stable across runs and edits of
/// everything but the event's id and the occurrence's start.
std::string ics_uid(const ics_occurrence& occurrence, std::string_view calendar_name);

}  // namespace herald
