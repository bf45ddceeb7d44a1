#pragma once
// Reading a whole file as text, within limits: a config, a calendar, a
// secret or the last good copy is small, and a huge file (a wrong path, a
// log named by mistake, a hostile file) must not take herald's memory.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "text/result.hpp"

namespace herald {

/// The largest file read whole: the calendar loader's limit too
/// (calendar/yaml_document.hpp yaml_limits::max_bytes; settings/calendar_sources.cpp
/// asserts they agree).
inline constexpr std::size_t max_text_file_bytes = std::size_t{64} << 20;
/// The longest line read_leading_lines keeps; the rest of it is skipped.
inline constexpr std::size_t max_leading_line_bytes = std::size_t{64} << 10;

/// The bytes of the file at `path`, or "cannot read 'PATH': REASON", or
/// "'PATH' is too large (N MiB; the limit is 64 MiB)" past `max_bytes`
/// (nothing beyond the limit is read, also from a pipe).
result<std::string> read_text_file(const std::string& path, std::size_t max_bytes = max_text_file_bytes);

/// Gives the whole pages inside text[from, to) back to the kernel: the
/// memory stays valid but reads as zero bytes afterwards. For the text of a
/// big file whose start has been read and is not looked at again
/// (docs/PERFORMANCE.md "The remaining goals (2026-12-03)"). Returns whether
/// any page was given back.
bool forget_pages(std::string_view text, std::size_t from, std::size_t to);

/// The first `count` lines of the file at `path`, each ended by '\n' (fewer
/// when the file has fewer), each cut to its first max_leading_line_bytes;
/// nothing after them is read. For quoting lines in diagnostics. With
/// `keep`, a line (numbered from 1) it rejects comes back empty: the lines
/// keep their numbers and a big file quoted near its end is not held whole
/// (docs/PERFORMANCE.md "The remaining goals (2026-12-03)").
result<std::string> read_leading_lines(const std::string& path, std::size_t count,
                                       const std::function<bool(std::size_t)>& keep = {});

}  // namespace herald
