#pragma once
// Reading a whole file as text.

#include <string>

#include "text/result.hpp"

namespace herald {

/// The bytes of the file at `path`, or "cannot read 'PATH': REASON".
result<std::string> read_text_file(const std::string& path);

}  // namespace herald
