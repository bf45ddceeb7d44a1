#include "calendar/yaml_errors.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/exceptions.h>

#include "calendar/yaml_positions.hpp"
#include "text/utf8.hpp"

namespace herald {
namespace {

// Whether the eight bytes at `p` are all in 0x20..0x7E or line feeds (a
// SWAR test, exact for each byte): the check runs over the whole file
// before the parse can start, so a byte at a time was on the preview's
// critical path (docs/PERFORMANCE.md "2026-12-03, last session: preview time").
bool printable_ascii(const char* p) {
  constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u, lows = ~highs;
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if (w & highs) return false;  // not ASCII
  // With the high bits clear, adding 0x80 - n sets a byte's high bit exactly
  // when it is >= n, and carries into no other byte.
  auto at_least = [&](std::uint64_t x, unsigned n) { return (x + ones * (0x80 - n)) & highs; };
  auto zero = [&](std::uint64_t x) { return ~(((x & lows) + lows) | x) & highs; };
  auto control = ~at_least(w, 0x20) & highs;
  return (control & ~zero(w ^ (ones * '\n'))) == 0 && zero(w ^ (ones * 0x7f)) == 0;
}

// The first byte that is not valid UTF-8 (text/utf8.hpp: overlongs,
// surrogates and cut sequences too), or a control character YAML text has
// no business holding; npos when the text is clean.
std::size_t find_bad_byte(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    if (at + 8 <= text.size() && printable_ascii(text.data() + at)) {
      at += 8;  // the common case, checked eight bytes at a time
      continue;
    }
    auto c = static_cast<unsigned char>(text[at]);
    if (c >= 0x80) {
      auto sequence = decode_utf8(text, at);
      if (!sequence.valid()) return at;
      at += sequence.length;
    } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      return at;
    } else {
      ++at;
    }
  }
  return std::string_view::npos;
}

// The last `open` bracket before `end` that no `close` matches (quoted
// text skipped), or npos: yaml-cpp reports an unclosed flow where it gave
// up, often the end of the file.
std::size_t unclosed_bracket(std::string_view text, std::size_t end, char open, char close) {
  std::vector<std::size_t> opened;
  char quote = 0;
  for (std::size_t i = 0; i < std::min(end, text.size()); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n')) {
      while (i < text.size() && text[i] != '\n') ++i;  // a comment
    } else if (c == open) {
      opened.push_back(i);
    } else if (c == close && !opened.empty()) {
      opened.pop_back();
    }
  }
  return opened.empty() ? std::string_view::npos : opened.back();
}

// A byte offset in `line` as a column (code points, 1-based), and back.
int column_of(std::string_view line, std::size_t offset) {
  int col = 1;
  for (std::size_t i = 0; i < offset && i < line.size(); ++i)
    if (!is_utf8_continuation(line[i])) ++col;
  return col;
}
std::size_t offset_of(std::string_view line, int col) {
  std::size_t i = 0;
  for (int c = 1; c < col && i < line.size(); ++c)
    for (++i; i < line.size() && is_utf8_continuation(line[i]);) ++i;
  return i;
}

}  // namespace

std::string double_quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) out += c == '"' || c == '\\' ? std::string{'\\', c} : std::string{c};
  return out + "\"";
}

bool starts_with_curly_quote(std::string_view text) {
  for (std::string_view quote : {"\u201C", "\u201D", "\u2018", "\u2019", "\u201E"})
    if (text.starts_with(quote)) return true;
  return false;
}

bool ends_with_curly_quote(std::string_view text) {
  for (std::string_view quote : {"\u201C", "\u201D", "\u2018", "\u2019"})
    if (text.ends_with(quote)) return true;
  return false;
}

std::string_view without_curly_quotes(std::string_view text) {
  if (starts_with_curly_quote(text)) text.remove_prefix(3);
  for (std::string_view quote : {"\u201C", "\u201D", "\u2018", "\u2019"})
    if (text.ends_with(quote)) text.remove_suffix(3);
  return text;
}

namespace {

// One line's `key: value`, the value as the file shows it.
struct key_value {
  std::string_view key, value;
  std::size_t value_at = 0;  // byte offset of the value in the line
};

std::optional<key_value> split_key_value(std::string_view line) {
  auto start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) return std::nullopt;
  if (line.substr(start).starts_with("- ")) start = line.find_first_not_of(' ', start + 2);
  auto colon = line.find(": ", start);
  if (start == std::string_view::npos || colon == std::string_view::npos) return std::nullopt;
  auto key = line.substr(start, colon - start);
  if (key.empty() || key.find_first_of(" \"'#{[") != std::string_view::npos) return std::nullopt;
  auto value_at = line.find_first_not_of(' ', colon + 1);
  if (value_at == std::string_view::npos) return std::nullopt;
  return key_value{key, line.substr(value_at), value_at};
}

// "a key and value are not allowed here" after the key's own ': ': the
// value holds ': ' (message: Reminder: coffee) or Word's curly quotes.
std::optional<diagnostic> explain_colon_in_value(const std::string& file, std::string_view line, source_mark mark) {
  auto pair = split_key_value(line);
  if (!pair || offset_of(line, mark.col) <= pair->value_at) return std::nullopt;
  if (starts_with_curly_quote(pair->value)) {
    diagnostic d{file,
                 {mark.line, column_of(line, pair->value_at)},
                 fmt::format("the text of '{}' is in curly quotes, which YAML does not read as quotes", pair->key),
                 fmt::format("quote the text with straight quotes: {}: {}", pair->key,
                             double_quoted(without_curly_quotes(pair->value)))};
    d.hint_without_source = "quote the text with straight quotes (\")";
    return d;
  }
  if (pair->value.front() == '"' || pair->value.front() == '\'') return std::nullopt;
  diagnostic d{file, mark, fmt::format("the text of '{}' holds ': ', which YAML reads as another key", pair->key),
               fmt::format("quote the text: {}: {}", pair->key, double_quoted(pair->value))};
  d.hint_without_source = "quote the text with double quotes";
  return d;
}

// "end of map not found" just after a single-quoted text closed early:
// 'the department's day'.
std::optional<diagnostic> explain_apostrophe(const std::string& file, std::string_view line, source_mark mark) {
  auto pair = split_key_value(line);
  auto at = offset_of(line, mark.col);
  if (!pair || pair->value.front() != '\'' || at == 0 || at <= pair->value_at + 1 || line[at - 1] != '\'')
    return std::nullopt;
  auto text = pair->value.substr(1);
  if (text.ends_with('\'')) text.remove_suffix(1);
  std::string unescaped;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unescaped += text[i];
    if (text[i] == '\'' && i + 1 < text.size() && text[i + 1] == '\'') ++i;
  }
  diagnostic d{file,
               {mark.line, column_of(line, at - 1)},
               "this apostrophe ends the text quoted with ' before it",
               fmt::format("quote the text with double quotes: {}: {} (or write the apostrophe twice: '')", pair->key,
                           double_quoted(unescaped))};
  d.hint_without_source = "quote the text with double quotes (or write the apostrophe twice: '')";
  return d;
}

// "end of map/sequence not found" otherwise: a line indented like nothing
// above it. Names the line above and its column.
diagnostic explain_indentation(const std::string& file, std::string_view source, source_mark mark) {
  std::string hint = "the keys of one mapping start in the same column, and so do the '- ' of one list's items";
  auto line = source_line(source, mark.line);
  auto start = line.find_first_not_of(' ');
  // A list item is compared with the item above it, a key with the line above.
  bool item = start != std::string_view::npos && line.substr(start).starts_with("- ");
  for (int above = mark.line - 1; above > 0; --above) {
    auto text = source_line(source, above);
    auto first = text.find_first_not_of(' ');
    if (first == std::string_view::npos || text[first] == '#' || (item && !text.substr(first).starts_with("- ")))
      continue;
    hint = fmt::format("line {} starts in column {}; {}", above, first + 1, hint);
    break;
  }
  return {file,
          {mark.line, start == std::string_view::npos ? mark.col : static_cast<int>(start) + 1},
          "this line is indented like no line above it",
          hint};
}

std::optional<diagnostic> explain_in_words(const std::string& file, std::string_view source, source_mark mark,
                                           const YAML::Exception& e) {
  auto line = source_line(source, mark.line);
  if (e.msg == YAML::ErrorMsg::MAP_VALUE) return explain_colon_in_value(file, line, mark);
  if (e.msg == YAML::ErrorMsg::END_OF_MAP || e.msg == YAML::ErrorMsg::END_OF_SEQ) {
    if (auto apostrophe = explain_apostrophe(file, line, mark)) return apostrophe;
    return explain_indentation(file, source, mark);
  }
  return std::nullopt;
}

}  // namespace

std::optional<diagnostic> check_bytes(std::string_view text, const std::string& file) {
  auto body = text.substr(text.starts_with("\xEF\xBB\xBF") ? 3 : 0);
  auto bad = find_bad_byte(body);
  if (bad == std::string_view::npos) return std::nullopt;
  auto mark = mark_of_offset(text, bad + (text.size() - body.size()));
  auto byte = static_cast<unsigned char>(body[bad]);
  if (byte >= 0x80)
    return diagnostic{file, mark, fmt::format("invalid UTF-8 byte 0x{:02X}", byte), "save the file as UTF-8"};
  return diagnostic{file, mark, fmt::format("control character 0x{:02X} in the text", byte),
                    "remove it; YAML text may hold tabs and line breaks only"};
}

diagnostic explain_yaml_error(std::string file, std::string_view source, const YAML::Exception& e) {
  source_mark mark{e.mark.line + 1, e.mark.column + 1};
  bool list = e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW;
  if (list || e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW)
    if (auto at = unclosed_bracket(source, source.size(), list ? '[' : '{', list ? ']' : '}');
        at != std::string_view::npos)
      mark = mark_of_offset(source, at);
  if (auto explained = explain_in_words(file, source, mark, e)) return *explained;
  struct explanation {
    std::string_view yaml_cpp, message, hint;
  };
  static const explanation table[] = {
      {YAML::ErrorMsg::MAP_VALUE, "a key and value are not allowed here",
       "check this line's indentation: the keys of one mapping start in the same column"},
      {YAML::ErrorMsg::END_OF_SEQ_FLOW, "a list opened with '[' is never closed", "close it with ']'"},
      {YAML::ErrorMsg::END_OF_MAP_FLOW, "a mapping opened with '{' is never closed", "close it with '}'"},
      {YAML::ErrorMsg::EOF_IN_SCALAR, "a quoted text is never closed", "add the closing quote"},
      {YAML::ErrorMsg::BLOCK_ENTRY, "a list item ('- ') is not allowed here", "check this line's indentation"},
      {YAML::ErrorMsg::TAB_IN_INDENTATION, "a tab in the indentation",
       "indent with spaces; YAML does not allow tabs there"},
      {YAML::ErrorMsg::UNKNOWN_ANCHOR, "an alias (*name) refers to no anchor (&name)",
       "define the anchor before using it"},
  };
  for (const auto& entry : table)
    if (e.msg == entry.yaml_cpp) return {std::move(file), mark, std::string(entry.message), std::string(entry.hint)};
  return {std::move(file), mark, fmt::format("invalid YAML: {}", e.msg), {}};
}

std::size_t unclosed_quote_at_end(std::string_view text, std::size_t quote) {
  for (auto i = quote + 1; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == '"')
      return std::string_view::npos;
  }
  return quote;
}

}  // namespace herald
