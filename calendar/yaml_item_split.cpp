// Cutting a calendar's `events:` list at certain item boundaries
// (calendar/yaml_item_split.hpp). A line scanner, not a YAML parser: it
// follows quotes, flow brackets and block scalars well enough to tell
// whether a line at the sequence's indentation starts an item, and says
// "do not cut" at anything it does not follow. Why: docs/PERFORMANCE.md
// "2026-12-03, night: parallel parse".

#include "calendar/yaml_item_split.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace herald {
namespace {

bool is_space_or_end(std::string_view line, std::size_t at) { return at >= line.size() || line[at] == ' '; }

bool blank_or_comment(std::string_view line, std::size_t indent) {
  return indent == line.size() || line[indent] == '#';
}

// Whether the whole text is plain enough to cut: no byte-order mark, no
// NUL, no tab, no CR but before an LF.
bool plain_bytes(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") return false;
  if (std::memchr(text.data(), '\0', text.size()) || std::memchr(text.data(), '\t', text.size())) return false;
  for (auto at = text.find('\r'); at != std::string_view::npos; at = text.find('\r', at + 1))
    if (at + 1 >= text.size() || text[at + 1] != '\n') return false;
  return true;
}

bool nothing_to_follow(std::string_view text);

// The state carried from line to line.
class line_scanner {
 public:
  bool doubt = false;

  // Whether the line starts inside a quoted scalar, a flow collection or
  // a block scalar's text (so its first characters mean nothing alone).
  bool inside_something(std::string_view line, std::size_t indent) {
    if (block_) {
      if (indent == line.size()) return true;  // blank lines belong to the block
      if (!block_indent_) {
        if (indent > block_parent_) {
          block_indent_ = indent;
          return true;
        }
        block_ = false;
      } else if (indent >= block_indent_) {
        return true;
      } else {
        block_ = false;
      }
    }
    return quote_ != 0 || flow_depth_ > 0;
  }

  // Follows the line's tokens from `from`: quotes, brackets, comments,
  // block scalar headers. `strict`: after `events:`, where anchors,
  // aliases and tags are doubts.
  void scan(std::string_view line, std::size_t indent, bool strict) {
    if (block_) return;  // inside_something() said the line is the block's text
    line_has_key_ = false;
    line_starts_scalar_ = quote_ != 0;
    scan_tokens(line, indent, strict);
    if (line_has_key_)
      unkeyed_scalar_ = false;
    else if (line_starts_scalar_)
      unkeyed_scalar_ = true;
  }

  bool all_closed() const { return quote_ == 0 && flow_depth_ == 0; }

  // Whether a line starting with a scalar (or a flow collection) and
  // holding no key's ":" came since the last line that held one. yaml-cpp
  // keeps such a scalar as a possible key (a plain scalar alone at a
  // mapping's indentation): the next key then fails in the whole file
  // ("illegal map value") but not in a piece that ends before it, so no
  // cut falls there.
  bool unkeyed_scalar() const { return unkeyed_scalar_; }

 private:
  void scan_tokens(std::string_view line, std::size_t indent, bool strict) {
    if (quote_ == 0 && flow_depth_ == 0 && nothing_to_follow(line.substr(indent))) {
      // No quote, comment or bracket: a ": " is a key's.
      line_has_key_ = line.find(": ", indent) != std::string_view::npos || line.back() == ':';
      line_starts_scalar_ = !((line[indent] == '-' || line[indent] == '?') && is_space_or_end(line, indent + 1));
      return;
    }
    std::size_t at = 0;
    node_column_ = indent;
    bool indicator_seen = false;  // a "-", "?" or ":" on this line
    // Where the properties (tags, anchors) right before the token at hand
    // began: yaml-cpp starts a node, a key's mapping too, at its first
    // property.
    auto properties_at = std::string_view::npos;
    if (quote_ != 0) {
      at = close_quote(line, 0);
      if (quote_ != 0) return;
    } else {
      at = indent;
    }
    bool first_token = quote_ == 0;
    while (!doubt) {
      while (at < line.size() && line[at] == ' ') ++at;
      if (at >= line.size()) return;
      char c = line[at];
      if (c == '#') return;
      if (first_token && !((c == '-' || c == '?') && is_space_or_end(line, at + 1))) line_starts_scalar_ = true;
      first_token = false;
      auto node_at = std::min(at, properties_at);
      properties_at = std::string_view::npos;
      if (c == '"' || c == '\'') {
        node_column_ = node_at;
        quote_ = c;
        at = close_quote(line, at + 1);
        if (quote_ != 0) return;
        continue;
      }
      if (c == '[' || c == '{') {
        ++flow_depth_;
        ++at;
        continue;
      }
      if (c == ']' || c == '}') {
        if (flow_depth_ == 0) doubt = true;
        --flow_depth_;
        ++at;
        continue;
      }
      if (c == ',' && flow_depth_ > 0) {
        ++at;
        continue;
      }
      if ((c == '-' || c == '?' || c == ':') && is_space_or_end(line, at + 1)) {
        if (c != ':') node_column_ = at;
        if (c == ':' && flow_depth_ == 0) line_has_key_ = true;
        indicator_seen = true;
        ++at;
        continue;
      }
      if (c == '%' || c == '@' || c == '`' || (strict && (c == '&' || c == '*' || c == '!'))) {
        doubt = true;
        return;
      }
      if (c == '&' || c == '*' || c == '!') {
        // Before `events:`: a property or an alias, a token up to a space;
        // what follows it (a quote, a flow collection, a block scalar) is
        // followed as any node. One holding a quote, a flow indicator or a
        // "#" is a doubt: where yaml-cpp ends it is its own to say.
        auto end = std::min(line.find(' ', at), line.size());
        if (line.substr(at, end - at).find_first_of("\"'[]{},#|>") != std::string_view::npos) {
          doubt = true;
          return;
        }
        if (c != '*') properties_at = node_at;
        at = end;
        continue;
      }
      if ((c == '|' || c == '>') && flow_depth_ == 0) {
        // Its text lies deeper than the node it belongs to, known here
        // only after a "-", "?" or ":" on its own line.
        if (!indicator_seen) {
          doubt = true;
          return;
        }
        block_header(line, at + 1, node_column_);
        return;
      }
      node_column_ = node_at;
      at = end_of_plain(line, at);
    }
  }

  // From `at`, inside a quote: past its closing quote, or line.size() with
  // the quote still open.
  std::size_t close_quote(std::string_view line, std::size_t at) {
    for (; at < line.size(); ++at) {
      if (quote_ == '"' && line[at] == '\\') {
        ++at;
        continue;
      }
      if (line[at] != quote_) continue;
      if (quote_ == '\'' && at + 1 < line.size() && line[at + 1] == '\'') {
        ++at;
        continue;
      }
      quote_ = 0;
      return at + 1;
    }
    return line.size();
  }

  // A plain scalar from `at`: to ": ", " #", the line's end, or in a flow
  // collection a flow indicator.
  std::size_t end_of_plain(std::string_view line, std::size_t at) const {
    for (++at; at < line.size(); ++at) {
      char c = line[at];
      if (c == ':' && (is_space_or_end(line, at + 1) || (flow_depth_ > 0 && std::strchr(",[]{}", line[at + 1]))))
        return at;
      if (c == '#' && line[at - 1] == ' ') return at;
      if (flow_depth_ > 0 && std::strchr(",[]{}", c)) return at;
    }
    return at;
  }

  // "|" or ">" and what follows on its line: chomping only (an indentation
  // indicator is a doubt), then nothing or a comment.
  void block_header(std::string_view line, std::size_t at, std::size_t parent) {
    for (; at < line.size() && line[at] != ' '; ++at) {
      if (line[at] != '+' && line[at] != '-') {
        doubt = true;
        return;
      }
    }
    while (at < line.size() && line[at] == ' ') ++at;
    if (at < line.size() && line[at] != '#') {
      doubt = true;
      return;
    }
    // Its text lies deeper than the node it belongs to (the key, or the
    // "-" of its item); the first such line sets the depth, and yaml-cpp
    // ends the block at a shallower one.
    block_ = true;
    block_parent_ = parent;
    block_indent_ = 0;
  }

  char quote_ = 0;
  long flow_depth_ = 0;
  bool line_has_key_ = false, line_starts_scalar_ = false, unkeyed_scalar_ = false;
  bool block_ = false;
  std::size_t block_parent_ = 0, block_indent_ = 0;  // block_indent_ 0: not seen yet
  std::size_t node_column_ = 0;                      // where the line's last key, scalar or "-" began
};

// The bytes that can open or close something, or make a doubt: most
// lines of a calendar hold none and need no closer look.
constexpr std::array<bool, 256> notable_bytes = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : std::string_view("\"'[]{}#|>&*!%@`")) table[c] = true;
  return table;
}();

bool is_events_key(std::string_view line) {
  if (line.substr(0, 7) != "events:") return false;
  auto rest = line.find_first_not_of(' ', 7);
  return rest == std::string_view::npos || line[rest] == '#';
}

bool starts_item(std::string_view line, std::size_t indent) {
  return indent + 1 < line.size() && line[indent] == '-' && line[indent + 1] == ' ';
}

bool nothing_to_follow(std::string_view text) {
  // Eight bytes at a time: a word none of whose bytes is in 0x21-0x2A,
  // 0x3E-0x40, 0x5B-0x60 or 0x7B-0x7D (a superset of the notable bytes)
  // needs no look-up.
  std::size_t at = 0;
  for (; at + 8 <= text.size(); at += 8) {
    std::uint64_t x;
    std::memcpy(&x, text.data() + at, 8);
    constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    auto between = [&](std::uint64_t lo, std::uint64_t hi) {  // lo < byte < hi, for bytes below 0x80
      return ((ones * (127 + hi) - (x & ones * 127)) & ~x & ((x & ones * 127) + ones * (127 - lo))) & high;
    };
    if ((between(0x20, 0x2B) | between(0x3D, 0x41) | between(0x5A, 0x61) | between(0x7A, 0x7E)) == 0) continue;
    for (std::size_t i = at; i < at + 8; ++i)
      if (notable_bytes[static_cast<unsigned char>(text[i])]) return false;
  }
  for (; at < text.size(); ++at)
    if (notable_bytes[static_cast<unsigned char>(text[at])]) return false;
  return true;
}

}  // namespace

std::vector<yaml_item_start> find_item_cuts(std::string_view text, std::size_t parts) {
  std::vector<yaml_item_start> cuts;
  if (parts < 2 || text.empty() || !plain_bytes(text)) return cuts;
  enum class region { header, before_first_item, items } where = region::header;
  line_scanner scanner;
  std::size_t item_indent = 0;
  auto target = [&](std::size_t k) { return text.size() * k / parts; };
  std::size_t next_target = 1;
  std::size_t line_number = 0;
  bool root_seen = false;
  for (std::size_t start = 0; start < text.size(); ++line_number) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos) indent = line.size();
    auto offset = start;
    start = end + 1;

    if (scanner.inside_something(line, indent)) {
      scanner.scan(line, indent, where != region::header);
      if (scanner.doubt) return {};
      continue;
    }
    if (blank_or_comment(line, indent)) continue;
    if (indent == 0 && (line[0] == '%' || line.substr(0, 3) == "---" || line.substr(0, 3) == "...")) return {};
    switch (where) {
      case region::header:
        if (!root_seen && indent != 0) return {};  // the root mapping stands at column 0
        root_seen = true;
        if (is_events_key(line)) {
          where = region::before_first_item;
          continue;
        }
        break;
      case region::before_first_item:
        if (!starts_item(line, indent)) return {};
        item_indent = indent;
        where = region::items;
        break;
      case region::items:
        if (indent < item_indent) return {};  // a key after the list, or odd indentation
        if (indent == item_indent) {
          if (line[indent] != '-' || !is_space_or_end(line, indent + 1)) return {};
          if (!starts_item(line, indent)) break;
          if (next_target < parts && offset >= target(next_target) && !scanner.unkeyed_scalar()) {
            cuts.push_back({offset, line_number});
            while (next_target < parts && offset >= target(next_target)) ++next_target;
          }
        }
        break;
    }
    scanner.scan(line, indent, where != region::header);
    if (scanner.doubt) return {};
  }
  if (where != region::items || !scanner.all_closed()) return {};
  return cuts;
}

std::size_t item_indent(std::string_view text, const yaml_item_start& cut) {
  auto line = text.substr(cut.offset);
  return line.find_first_not_of(' ');
}

}  // namespace herald
