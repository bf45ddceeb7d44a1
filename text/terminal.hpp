#pragma once
// Whether output goes to a terminal, and whether to colour it.

namespace herald {

/// True when `fd` is a terminal (isatty).
bool is_terminal(int fd);

/// Colour only on a terminal, and not when NO_COLOR is set and non-empty
/// (no-color.org). `no_color` is getenv("NO_COLOR"), possibly null.
bool colour_wanted(bool out_is_terminal, const char* no_color);

}  // namespace herald
