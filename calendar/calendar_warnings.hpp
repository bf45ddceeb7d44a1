#pragma once
// What loads but is likely wrong (docs/calendar.md "Warnings"): text YAML
// cut at a comment, text in curly quotes, `{name}` where `{{name}}` was
// meant, a zone without daylight saving time, an event that will not occur
// or whose dates run out. Also the one zone mistake that is an error: an abbreviation such as
// BST or CET, which names half a year's clock and no place.
//
// Each check adds to a diagnostics_collector; none reads a clock: the date
// checks take the instant to count from. Internal to calendar/ (the loader).

#include <span>
#include <string_view>

#include <date/date.h>

#include "calendar/calendar.hpp"
#include "calendar/yaml_fields.hpp"

namespace herald {

/// A plain (unquoted) scalar followed by ` #` on its line: YAML made the
/// rest of the line a comment. `key` names the field ("message").
void warn_comment_in_plain_text(yaml_ref node, std::string_view key, diagnostics_collector& out);

/// A plain scalar that begins and ends with curly quotes (“…”, pasted
/// from a word processor): YAML keeps them as text. `key` names the field.
void warn_curly_quotes(yaml_ref node, std::string_view key, diagnostics_collector& out);

/// `{name}` in a template's text, where `{{name}}` was surely meant.
void warn_single_braces(yaml_ref node, diagnostics_collector& out);

/// A zone name written as an abbreviation (BST, CET, EST5EDT) is an error;
/// returns false then. A zone without daylight saving time (GMT, UTC,
/// Etc/*) is a warning. Whether the name exists is the resolver's check.
bool check_zone_name(std::string_view name, source_mark mark, diagnostics_collector& out);

/// Events with no occurrence in the 365 days from today, and events known
/// by `dates:` alone whose last date is within 90 days; "today" is the date
/// in the calendar's zone at `now`. `dates_marks` is parallel to
/// `cal.events`: where each event's `dates:` is (else its id).
/// REQUIRES: cal.zone is set.
void warn_dates_ahead(const calendar& cal, std::span<const source_mark> dates_marks, date::sys_seconds now,
                      diagnostics_collector& out);

}  // namespace herald
