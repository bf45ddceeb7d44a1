#include "text/terminal.hpp"

#include <unistd.h>

namespace herald {

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

// An empty NO_COLOR counts as unset: no-color.org says "set and not empty".
bool colour_wanted(bool out_is_terminal, const char* no_color) {
  return out_is_terminal && !(no_color != nullptr && *no_color != '\0');
}

}  // namespace herald
