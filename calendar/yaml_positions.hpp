#pragma once
// Positions in a YAML source, for diagnostics: a byte offset as a 1-based
// line and column and back. Columns count code points, as yaml-cpp does.
// Internal to the calendar library (yaml_document, yaml_builder).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "calendar/diagnostic.hpp"

namespace herald {

/// The line and column of byte `offset` in `text`.
source_mark mark_of_offset(std::string_view text, std::size_t offset);

/// The byte offset of `mark`; `line_starts` holds each line's first byte.
std::size_t offset_of_mark(std::string_view text, const std::vector<std::uint32_t>& line_starts, source_mark mark);

}  // namespace herald
