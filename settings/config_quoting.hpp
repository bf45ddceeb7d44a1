#pragma once
// Which lines of herald.yaml an error may quote (docs/cli.md "The config
// file"). A line that may hold a secret is never shown: neither under an
// error nor in a hint that repeats it.
//
// The rule reads the raw text, line by line, and needs no YAML: errors
// raised while the YAML is read (a duplicate key, a syntax error, a tab,
// bad UTF-8) must keep the promise too, and then there is no tree. It fails
// closed: whatever it cannot place is hidden. Pure functions.

#include <string>
#include <string_view>
#include <vector>

namespace herald {

/// The lines (1-based, ascending) of herald.yaml `text` that an error must
/// not quote: the block of `channels` or of a top-level key that is not one
/// of herald's (nor a misspelling of one), the block of any `url`,
/// `password` or `headers` key, each line of a quote or bracket left open
/// on such a line, and any line naming such a key or holding `://`. A block
/// is the key's line and the lines below it indented deeper.
std::vector<int> config_lines_not_quoted(std::string_view text);

/// `text` (a message or hint) with each URL that also appears in `source`
/// cut to scheme, host and port (settings/secrets.hpp `redact_url`).
std::string redact_source_urls(std::string_view text, std::string_view source);

}  // namespace herald
