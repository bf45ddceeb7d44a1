#pragma once
// What `--config FILE | --calendar FILE` selects: the config (when given)
// and its calendars, loaded and checked against each other.

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "calendar/calendar.hpp"
#include "calendar/diagnostic.hpp"
#include "settings/config.hpp"

namespace herald {

struct calendar_sources {
  std::optional<config> cfg;
  std::vector<calendar> calendars;
};

/// Exactly one of `config_path` and `calendar_path` is non-empty. Prints
/// every error to `err` and returns nullopt when anything is wrong, with
/// `status` 2 for invalid input or 1 when a file could not be read.
std::optional<calendar_sources> load_sources(const std::string& config_path, const std::string& calendar_path,
                                             std::ostream& err, int& status);

/// Prints diagnostics with the quoted source line (re-reading each file).
void print_diagnostics(const std::vector<diagnostic>& errors, std::ostream& err);

}  // namespace herald
