#pragma once
// Errors in user input, as values.
//
// A `parse_error` is what a parser of one scalar (a date, an `every:` rule,
// an RRULE, a template) returns: a message and the byte offset inside that
// scalar. The loader turns it into a `diagnostic` with the file, line and
// column of the scalar plus the offset. Nothing here throws.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace herald {

/// A failure inside one scalar's text.
struct parse_error {
  std::string message;
  std::size_t offset = 0;  ///< byte offset into the scalar where it went wrong
  std::string hint;        ///< optional one-line advice ("write times as HH:MM")
};

/// One position in a file, 1-based like compilers print it.
struct source_mark {
  int line = 0;
  int col = 0;
};

/// An error stops a file from loading; a warning (docs/calendar.md
/// "Warnings") is something that loads but is likely wrong.
enum class severity { error, warning };

/// One error or warning in a file: `FILE:LINE:COL: error: MESSAGE`.
struct diagnostic {
  std::string file;
  source_mark mark;
  std::string message;
  std::string hint;
  bool quote_source = true;  ///< false for a line that holds a secret
  herald::severity severity = severity::error;
  /// The hint to give in place of `hint` when the line is not quoted, if
  /// `hint` repeats text of the line ("quote the text: url: \"…\"").
  std::string hint_without_source = {};
};

/// Formats a diagnostic the way ninja and GCC do:
///
/// (`warning:` in place of `error:` for a warning)
///
///     calendar.yaml:12:5: error: unknown key 'mesage' (did you mean 'message'?)
///        12 |     mesage: "hi"
///           |     ^
///       hint: ...
///
/// `source` is the whole file's text (for the quoted line); it may be empty,
/// and then only the first line is printed.
std::string format_diagnostic(const diagnostic& d, std::string_view source);

/// Line `line` (1-based) of `source`, without its line break; "" past the end.
std::string_view source_line(std::string_view source, int line);

/// The closest of `candidates` to `word`, or "" when none is close enough to
/// be a plausible typo. Used for "did you mean ...?" hints.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

/// closest_match by edits alone: a candidate `word` is a misspelling of,
/// not one it merely begins with ("password hunter2" is no typo).
std::string closest_spelling(std::string_view word, const std::vector<std::string_view>& candidates);

/// " (did you mean 'X'?)" when a candidate is close, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace herald
