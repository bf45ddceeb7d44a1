#pragma once
// What can be wrong with a YAML file before and while yaml-cpp reads it,
// in words a calendar editor knows. Internal to the calendar library.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "calendar/diagnostic.hpp"

namespace YAML {
class Exception;
}

namespace herald {

/// The first byte that is not UTF-8, or a control character YAML text has
/// no business holding, as a diagnostic; nullopt when the text is clean.
/// `text` is the whole file (a byte order mark is allowed).
std::optional<diagnostic> check_bytes(std::string_view text, const std::string& file);

/// yaml-cpp's error as a diagnostic with a hint.
diagnostic explain_yaml_error(std::string file, std::string_view source, const YAML::Exception& e);

/// `text` as a double-quoted YAML scalar: "…", with `"` and `\` escaped.
std::string double_quoted(std::string_view text);

/// Word's curly quotes, which YAML reads as text: whether `text` begins
/// with one (“ ” ‘ ’ „) or ends with one (“ ” ‘ ’), and `text` without them.
bool starts_with_curly_quote(std::string_view text);
bool ends_with_curly_quote(std::string_view text);
std::string_view without_curly_quotes(std::string_view text);

/// yaml-cpp accepts a double-quoted scalar left open at the end of the file;
/// returns the offset of such an opening quote, or npos.
std::size_t unclosed_quote_at_end(std::string_view text, std::size_t quote);

}  // namespace herald
