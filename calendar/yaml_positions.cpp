// Where in the source a node, or a byte inside a scalar, stands
// (docs/calendar.md "Errors").

#include "calendar/yaml_positions.hpp"

#include <algorithm>

#include "calendar/yaml_document.hpp"
#include "text/utf8.hpp"

namespace herald {

source_mark mark_of_offset(std::string_view text, std::size_t offset) {
  source_mark mark{1, 1};
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++mark.line;
      mark.col = 1;
    } else if (!is_utf8_continuation(text[i])) {
      ++mark.col;
    }
  }
  return mark;
}

// Byte offset of a 1-based line and column (columns count code points, as
// yaml-cpp does).
std::size_t offset_of_mark(std::string_view text, const std::vector<std::uint32_t>& line_starts, source_mark mark) {
  auto line = static_cast<std::size_t>(std::max(mark.line, 1) - 1);
  std::size_t i = line < line_starts.size() ? line_starts[line] : text.size();
  for (int col = 1; col < mark.col && i < text.size() && text[i] != '\n'; ++col) {
    ++i;
    while (i < text.size() && is_utf8_continuation(text[i])) ++i;
  }
  return i;
}

source_mark yaml_ref::mark_at(std::size_t offset) const {
  auto start = mark();
  auto source = doc_->source_;
  auto at = offset_of_mark(source, doc_->line_starts_, start);
  if (at < source.size() && (source[at] == '"' || source[at] == '\'')) {
    ++at;
    ++start.col;
  } else if (at < source.size() && source[at] == '|') {
    return literal_block_mark(start, offset);
  } else if (at < source.size() && source[at] == '>') {
    return search_mark(start, at, offset);  // folded: lines are joined
  }
  auto line_end = source.find('\n', at);
  auto rest = source.substr(at, line_end == std::string_view::npos ? std::string_view::npos : line_end - at);
  // Only trust the offset when the scalar's text is what the line shows.
  auto text = scalar();
  if (offset > text.size() || rest.substr(0, offset) != text.substr(0, offset)) return search_mark(start, at, offset);
  auto mark = start;
  for (std::size_t i = 0; i < offset; ++i)
    if (!is_utf8_continuation(text[i])) ++mark.col;
  return mark;
}

std::string_view yaml_ref::source_from_mark() const {
  auto source = doc_->source_;
  auto at = std::min(offset_of_mark(source, doc_->line_starts_, mark()), source.size());
  auto line_end = source.find('\n', at);
  auto rest = source.substr(at, line_end == std::string_view::npos ? std::string_view::npos : line_end - at);
  if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
  return rest;
}

std::string_view yaml_ref::source_to_end() const {
  auto source = doc_->source_;
  return source.substr(std::min(offset_of_mark(source, doc_->line_starts_, mark()), source.size()));
}

// In a literal block (`|`) each line of the text is a line of the source,
// indented like the block's first non-empty line.
source_mark yaml_ref::literal_block_mark(source_mark header, std::size_t offset) const {
  auto text = scalar();
  if (offset > text.size()) return header;
  const auto& starts = doc_->line_starts_;
  auto first_line = static_cast<std::size_t>(header.line);  // 0-based index of the line after the header
  std::size_t indent = 0;
  for (auto line = first_line; line < starts.size() && indent == 0; ++line) {
    auto rest = doc_->source_.substr(starts[line]);
    auto spaces = rest.find_first_not_of(' ');
    if (spaces != std::string_view::npos && rest[spaces] != '\n' && rest[spaces] != '\r') indent = spaces;
  }
  auto before = text.substr(0, offset);
  auto newlines = static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  auto line_start = before.rfind('\n');
  auto in_line = before.substr(line_start == std::string_view::npos ? 0 : line_start + 1);
  int col = static_cast<int>(indent) + 1;
  for (char c : in_line)
    if (!is_utf8_continuation(c)) ++col;
  return {header.line + 1 + newlines, col};
}

// Where line breaks were folded or escapes decoded, the text no longer maps
// to the source by offset: find the same occurrence of the word at `offset`
// in the source after the scalar's start instead.
source_mark yaml_ref::search_mark(source_mark start, std::size_t at, std::size_t offset) const {
  auto text = scalar();
  if (offset >= text.size()) return start;
  auto end = text.find_first_of(" \n\t", offset);
  auto word = text.substr(offset, end == std::string_view::npos ? std::string_view::npos : end - offset);
  std::size_t nth = 0;
  for (auto p = text.find(word); p != std::string_view::npos && p < offset; p = text.find(word, p + 1)) ++nth;
  auto source = doc_->source_;
  auto found = source.find(word, at);
  for (; found != std::string_view::npos && nth > 0; --nth) found = source.find(word, found + 1);
  // Give up past the scalar's plausible extent rather than point elsewhere.
  if (found == std::string_view::npos || found - at > text.size() * 2 + 256) return start;
  const auto& starts = doc_->line_starts_;
  auto line = std::upper_bound(starts.begin(), starts.end(), static_cast<std::uint32_t>(found)) - starts.begin();
  int col = 1;
  for (auto i = starts[static_cast<std::size_t>(line - 1)]; i < found; ++i)
    if (!is_utf8_continuation(source[i])) ++col;
  return {static_cast<int>(line), col};
}

}  // namespace herald
