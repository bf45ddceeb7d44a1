#pragma once
// Reading a whole file as text.

#include <cstddef>
#include <string>

#include "text/result.hpp"

namespace herald {

/// The bytes of the file at `path`, or "cannot read 'PATH': REASON".
result<std::string> read_text_file(const std::string& path);

/// The first `count` lines of the file at `path`, each ended by '\n' (fewer
/// when the file has fewer); nothing after them is read.
result<std::string> read_leading_lines(const std::string& path, std::size_t count);

}  // namespace herald
