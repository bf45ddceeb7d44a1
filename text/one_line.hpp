#pragma once
// Text from outside (a service's answer, an error) made safe to show as
// one line. A line break inside a log message or an sd_notify STATUS= value
// would start a false record; a terminal escape in `herald status` would
// act on the user's terminal.

#include <string>
#include <string_view>

namespace herald {

/// C0 controls, DEL and C1 controls (U+0080–U+009F, which some terminals
/// obey as escapes).
constexpr bool is_control(char32_t point) { return point < 0x20 || (point >= 0x7f && point < 0xa0); }

/// `text` with each CR and LF as a space: one record of a line-based log
/// or protocol. Nothing else changes.
std::string one_line(std::string_view text);

/// `text` for a terminal, on one line: CR, LF and tab become a space,
/// other C0 controls and DEL become `\xNN` (lower-case hex) and C1 controls
/// `\uNNNN`, so an escape shows instead of acting.
std::string terminal_line(std::string_view text);

}  // namespace herald
