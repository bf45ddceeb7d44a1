#pragma once
// What the console channel prints for one post (docs/channels.md "By type"):
// the JSON line of post_json() when standard output is a file or a pipe,
// which scripts read; for a person at a terminal, a few readable lines:
//
//   09:30 [general] Spring meeting — The spring meeting is on 2027-05-26.
//         Bring your notes.
//         https://example.org/spring
//
// the time the post went out (in `zone`), the channel, the subject (the
// title when there is none), then the text, its further lines and the url
// indented under it. Every piece goes through terminal_line(), so nothing in a
// calendar can act on the terminal. Pure: the caller gives the instant.

#include <string>

#include <date/date.h>
#include <date/tz.h>

#include "messaging/post_content.hpp"

namespace herald {

struct console_style {
  bool readable = false;  ///< standard output is a terminal: lines for a person
  bool colour = false;    ///< colour_wanted() (text/terminal.hpp): bold subject, dim time, channel in colour
  /// The zone of the time shown; nullptr: UTC.
  const date::time_zone* zone = nullptr;
};

/// What the console prints for `post`, sent at `now`, ending with a line break.
std::string console_text(const post_content& post, date::sys_seconds now, const console_style& style);

}  // namespace herald
