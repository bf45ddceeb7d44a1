#include "calendar/yaml_errors.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/exceptions.h>

#include "calendar/yaml_positions.hpp"
#include "text/utf8.hpp"

namespace herald {
namespace {

// The first byte that is not valid UTF-8 (text/utf8.hpp: overlongs,
// surrogates and cut sequences too), or a control character YAML text has
// no business holding; npos when the text is clean.
std::size_t find_bad_byte(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
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
