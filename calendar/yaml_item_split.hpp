#pragma once
// Where a calendar's `events:` list can be cut so that each piece parses
// alone exactly as it parses within the whole file: at items of the root
// key's block sequence that are certain. Internal to the calendar library
// (calendar/yaml_parallel_parse.hpp uses it).

#include <cstddef>
#include <string_view>
#include <vector>

namespace herald {

/// A line that starts an item of the `events:` sequence.
struct yaml_item_start {
  std::size_t offset = 0;  ///< the line's first byte
  std::size_t line = 0;    ///< 0-based, as yaml-cpp counts
};

/// The cuts of `text` into about `parts` pieces of similar size, in file
/// order; the first piece holds everything before the first cut, so at
/// least the `events:` key and its first item. Empty when the file is not
/// one to cut with certainty: no root `events:` block sequence reaching the
/// end of the file, or anything in doubt — several documents or
/// directives, tabs, a lone CR, a NUL, a byte-order mark, anchors,
/// aliases or tags after `events:`, a block scalar with an indentation
/// indicator, odd indentation, a key after the list. A line is a cut only
/// at the sequence's own indentation, starting with "- ", and outside
/// block scalars, quoted scalars and flow collections.
std::vector<yaml_item_start> find_item_cuts(std::string_view text, std::size_t parts);

/// The `events:` sequence's indentation (columns before its "- "), once
/// find_item_cuts() found cuts in `text`.
std::size_t item_indent(std::string_view text, const yaml_item_start& cut);

}  // namespace herald
