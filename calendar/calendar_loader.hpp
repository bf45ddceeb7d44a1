#pragma once
// Loads an inclusion calendar (docs/calendar.md) from YAML text, checking everything
// that can be checked before planning: keys, types, dates, rules, steps,
// templates, channels, duplicate ids and post keys.
//
// Errors come back as diagnostics with file, line and column, and so do the
// warnings of a calendar that loads (calendar/calendar_warnings.hpp);
// nothing throws.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/calendar.hpp"
#include "calendar/diagnostic.hpp"

namespace herald {

struct calendar_options {
  /// Channels the config defines. When set, a step naming another channel
  /// is an error; when not (`--calendar` alone), any name is accepted.
  std::optional<std::vector<std::string>> known_channels;
  /// The instant the date warnings count from (docs/calendar.md
  /// "Warnings"): today is its date in the calendar's zone. Unset, those
  /// checks do not run; the loader reads no clock.
  std::optional<date::sys_seconds> now;
};

struct calendar_load_result {
  std::optional<calendar> value;
  std::vector<diagnostic> errors;
  std::vector<diagnostic> warnings;  ///< of a calendar that loaded, in file order
  bool ok() const { return value.has_value(); }
};

/// Loads from text; `file` names it in errors.
calendar_load_result load_calendar(std::string_view text, std::string file, const calendar_options& options = {});

/// Reads `path` and loads it.
calendar_load_result load_calendar_file(const std::string& path, const calendar_options& options = {});

}  // namespace herald
