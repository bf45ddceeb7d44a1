#pragma once
// What `--config FILE | --calendar FILE` selects: the config (when given)
// and its calendars, loaded and checked against each other. Loading prints
// nothing: the caller (a command, the daemon's reload) prints the errors.

#include <functional>
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

/// The sources, or every error found (in the order found) and the exit
/// status they call for: 2 for invalid input, 1 when a file could not be
/// read (a diagnostic without a line).
struct sources_load_result {
  std::optional<calendar_sources> value;
  std::vector<diagnostic> errors;
  std::vector<diagnostic> warnings;  ///< docs/calendar.md "Warnings", of the calendars that loaded
  int status = 0;
  bool ok() const { return value.has_value(); }
};

/// Where to read the file named `path` from: the daemon's last good copy
/// (daemon/last_good.hpp) hands the copy's path, while every error and
/// every path resolved against the config still names `path`.
using source_reader = std::function<std::string(const std::string& path)>;

/// Exactly one of `config_path` and `calendar_path` is non-empty. `now`:
/// the instant the calendars' date warnings count from; none without it.
/// Each file is read where `read_from` says (empty: the file itself).
sources_load_result load_sources(const std::string& config_path, const std::string& calendar_path,
                                 std::optional<date::sys_seconds> now = std::nullopt,
                                 const source_reader& read_from = {});

/// Prints diagnostics with the quoted source line, reading each file only
/// as far as the last line quoted; after a file's errors that reached the
/// loaders' limit, says so.
void print_diagnostics(const std::vector<diagnostic>& errors, std::ostream& err);

/// Prints a failed load's errors to `err`; returns its exit status.
int report_failure(const sources_load_result& loaded, std::ostream& err);

}  // namespace herald
