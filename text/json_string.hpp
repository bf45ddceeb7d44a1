#pragma once
// JSON string literals written straight into a buffer, escaped exactly as
// boost::json::serialize escapes them, so a document written by hand is
// byte for byte the one boost would write (docs/PERFORMANCE.md "2026-12-03,
// afternoon: preview JSON written directly").

#include <string>
#include <string_view>

namespace herald {

/// Appends `text` quoted: `"` and `\` escaped, \b \f \n \r \t by name, other
/// bytes below 0x20 as \u00xx (lowercase hex); every other byte, invalid
/// UTF-8 too, as it is.
void append_json_string(std::string& out, std::string_view text);

}  // namespace herald
