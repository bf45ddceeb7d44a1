#include "calendar/yaml_document.hpp"

#include <algorithm>
#include <istream>
#include <streambuf>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

namespace herald {
namespace {

// Reads a string_view as an istream without copying it.
class view_buffer : public std::streambuf {
 public:
  explicit view_buffer(std::string_view text) {
    auto* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

// Thrown inside the event handler to stop yaml-cpp; caught in read().
struct stop_reading {
  diagnostic error;
};

// The first byte that is not valid UTF-8, or a control character YAML text
// has no business holding; npos when the text is clean.
std::size_t find_bad_byte(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
      if (c == 0x7f) return i;
      ++i;
      continue;
    }
    std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (length == 0 || c > 0xf4 || i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return i;
    auto c1 = static_cast<unsigned char>(text[i + 1]);
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f))
      return i;
    i += length;
  }
  return std::string_view::npos;
}

source_mark mark_of_offset(std::string_view text, std::size_t offset);

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

// yaml-cpp's messages in words a calendar editor knows, with a hint.
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

// yaml-cpp accepts a double-quoted scalar left open at the end of the file;
// returns the offset of such an opening quote, or npos.
std::size_t unclosed_quote_at_end(std::string_view text, std::size_t quote) {
  for (auto i = quote + 1; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == '"')
      return std::string_view::npos;
  }
  return quote;
}

source_mark mark_of_offset(std::string_view text, std::size_t offset) {
  source_mark mark{1, 1};
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++mark.line;
      mark.col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) {
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
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xc0) == 0x80) ++i;
  }
  return i;
}

}  // namespace

// Builds the node tree from yaml-cpp's events.
class yaml_builder : public YAML::EventHandler {
 public:
  yaml_builder(yaml_document& doc, const yaml_limits& limits, std::string_view stream_key,
               const yaml_document::item_callback& on_item)
      : doc_(doc), limits_(limits), stream_key_(stream_key), on_item_(on_item) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_++ > 0) fail(mark, "a file holds one YAML document; remove the second '---'");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto index = add(yaml_ref::kind::null, mark, anchor);
    // yaml-cpp places an empty value at the next token, often the next
    // line; the key it belongs to is where a person looks.
    if (!open_.empty() && doc_.nodes_[open_.back().index].kind == yaml_ref::kind::mapping &&
        doc_.nodes_[open_.back().index].count % 2 == 0 && open_.back().last_child == index) {
      auto key = previous_sibling(index);
      if (key) {
        doc_.nodes_[index].line = doc_.nodes_[key].line;
        doc_.nodes_[index].col = doc_.nodes_[key].col;
      }
    }
    complete(index);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor == 0 || anchor > anchors_.size()) fail(mark, "unknown alias");
    auto target = anchors_[anchor - 1];
    auto index = add(yaml_ref::kind::alias, mark, 0);
    auto& node = doc_.nodes_[index];
    node.first = target;
    node.weight = doc_.nodes_[target].weight;
    alias_nodes_ += node.weight;
    if (alias_nodes_ > limits_.max_alias_nodes)
      fail(mark, "aliases expand to too many nodes",
           fmt::format("the limit is {} nodes reached through aliases", limits_.max_alias_nodes));
    complete(index);
  }

  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    auto at = offset_of_mark(doc_.source_, doc_.line_starts_, {mark.line + 1, mark.column + 1});
    if (at < doc_.source_.size() && doc_.source_[at] == '"' &&
        unclosed_quote_at_end(doc_.source_, at) != std::string_view::npos)
      fail(mark, "a quoted text is never closed", "add the closing '\"'");
    auto index = add(yaml_ref::kind::scalar, mark, anchor);
    auto& node = doc_.nodes_[index];
    node.first = static_cast<std::uint32_t>(doc_.arena_.size());
    node.length = static_cast<std::uint32_t>(value.size());
    doc_.arena_ += value;
    complete(index);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(add(yaml_ref::kind::sequence, mark, anchor), mark);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(add(yaml_ref::kind::mapping, mark, anchor), mark);
  }
  void OnMapEnd() override {
    check_keys(open_.back().index);
    close();
  }

  void finish() {
    if (doc_.nodes_.empty()) doc_.nodes_.push_back({yaml_ref::kind::null, 1, 1});
  }

  [[noreturn]] void fail(const YAML::Mark& mark, std::string message, std::string hint = {}) {
    fail(source_mark{mark.line + 1, mark.column + 1}, std::move(message), std::move(hint));
  }
  [[noreturn]] void fail(source_mark mark, std::string message, std::string hint = {}) {
    throw stop_reading{diagnostic{doc_.file_, mark, std::move(message), std::move(hint)}};
  }

 private:
  struct open_container {
    std::uint32_t index;
    std::uint32_t last_child = 0;
    bool streaming = false;  // the sequence whose items go to on_item_
  };

  std::uint32_t add(yaml_ref::kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    auto index = static_cast<std::uint32_t>(doc_.nodes_.size());
    doc_.nodes_.push_back(
        {kind, static_cast<std::uint32_t>(mark.line + 1), static_cast<std::uint32_t>(mark.column + 1)});
    if (anchor != 0) {
      anchors_.resize(std::max<std::size_t>(anchors_.size(), anchor));
      anchors_[anchor - 1] = index;
      last_anchor_ = index;
    }
    if (!open_.empty()) {
      auto& parent = open_.back();
      auto& parent_node = doc_.nodes_[parent.index];
      if (parent.last_child == 0)
        parent_node.first = index;
      else
        doc_.nodes_[parent.last_child].next = index;
      parent.last_child = index;
      ++parent_node.count;
    }
    return index;
  }

  std::uint32_t previous_sibling(std::uint32_t index) const {
    const auto& parent = doc_.nodes_[open_.back().index];
    for (auto child = parent.count ? parent.first : 0; child != 0; child = doc_.nodes_[child].next)
      if (doc_.nodes_[child].next == index) return child;
    return 0;
  }

  void open(std::uint32_t index, const YAML::Mark& mark) {
    if (static_cast<int>(open_.size()) >= limits_.max_depth)
      fail(mark, "the YAML is nested too deeply", fmt::format("the limit is {} levels", limits_.max_depth));
    open_.push_back({index, 0, starts_stream(index)});
  }

  // The value under the root mapping's `stream_key_`, when it is a sequence.
  bool starts_stream(std::uint32_t index) const {
    if (stream_key_.empty() || open_.size() != 1) return false;
    const auto& root = doc_.nodes_[open_[0].index];
    if (root.kind != yaml_ref::kind::mapping || root.count % 2 != 0) return false;
    const auto& key = doc_.nodes_[index - 1];
    return doc_.nodes_[index].kind == yaml_ref::kind::sequence && key.kind == yaml_ref::kind::scalar &&
           std::string_view(doc_.arena_).substr(key.first, key.length) == stream_key_;
  }

  void close() {
    auto index = open_.back().index;
    auto& node = doc_.nodes_[index];
    node.length = static_cast<std::uint32_t>(doc_.nodes_.size() - index);
    std::uint64_t weight = 1;
    for (auto child = node.count ? node.first : 0; child != 0; child = doc_.nodes_[child].next)
      weight += doc_.nodes_[child].weight;
    node.weight = static_cast<std::uint32_t>(std::min<std::uint64_t>(weight, UINT32_MAX));
    open_.pop_back();
    complete(index);
  }

  // A node and everything in it has been read.
  void complete(std::uint32_t index) {
    if (open_.empty() || !open_.back().streaming) return;
    on_item_(yaml_ref(doc_, index));
    ++doc_.streamed_;
    // Drop the item unless an alias may still point into it.
    if (last_anchor_ >= index) return;
    auto& parent = open_.back();
    auto arena_end = doc_.arena_.size();
    for (auto i = index; i < doc_.nodes_.size(); ++i)
      if (doc_.nodes_[i].kind == yaml_ref::kind::scalar) {
        arena_end = doc_.nodes_[i].first;
        break;
      }
    doc_.nodes_.resize(index);
    doc_.arena_.resize(arena_end);
    parent.last_child = 0;
    doc_.nodes_[parent.index].count = 0;
    doc_.nodes_[parent.index].first = 0;
  }

  void check_keys(std::uint32_t map_index) {
    std::vector<std::pair<std::string_view, std::uint32_t>> keys;
    const auto& map = doc_.nodes_[map_index];
    bool is_key = true;
    for (auto child = map.count ? map.first : 0; child != 0; child = doc_.nodes_[child].next, is_key = !is_key) {
      if (!is_key) continue;
      const auto& key = doc_.nodes_[child];
      if (key.kind != yaml_ref::kind::scalar)
        fail(source_mark{static_cast<int>(key.line), static_cast<int>(key.col)}, "a key must be a plain word");
      keys.emplace_back(std::string_view(doc_.arena_).substr(key.first, key.length), child);
    }
    std::stable_sort(keys.begin(), keys.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (std::size_t i = 1; i < keys.size(); ++i) {
      if (keys[i].first != keys[i - 1].first) continue;
      const auto& first = doc_.nodes_[keys[i - 1].second];
      const auto& again = doc_.nodes_[keys[i].second];
      fail(source_mark{static_cast<int>(again.line), static_cast<int>(again.col)},
           fmt::format("duplicate key '{}' (first given on line {})", keys[i].first, first.line),
           "YAML keeps only one of them; merge the two or remove one");
    }
  }

  yaml_document& doc_;
  const yaml_limits& limits_;
  std::string_view stream_key_;
  const yaml_document::item_callback& on_item_;
  std::vector<open_container> open_;
  std::vector<std::uint32_t> anchors_;
  std::uint32_t last_anchor_ = 0;
  std::uint64_t alias_nodes_ = 0;
  int documents_ = 0;
};

std::variant<yaml_document, diagnostic> yaml_document::read(std::string_view text, std::string file,
                                                            const yaml_limits& limits, std::string_view stream_key,
                                                            const item_callback& on_item) {
  yaml_document doc;
  doc.file_ = std::move(file);
  doc.source_ = text;
  if (text.size() > limits.max_bytes)
    return diagnostic{
        doc.file_,
        {1, 1},
        fmt::format("the file is too large ({} MiB; the limit is {} MiB)", text.size() >> 20, limits.max_bytes >> 20),
        "split the calendar into several files"};
  auto body = text.substr(text.starts_with("\xEF\xBB\xBF") ? 3 : 0);
  if (auto bad = find_bad_byte(body); bad != std::string_view::npos) {
    auto mark = mark_of_offset(text, bad + (text.size() - body.size()));
    auto byte = static_cast<unsigned char>(body[bad]);
    if (byte >= 0x80)
      return diagnostic{doc.file_, mark, fmt::format("invalid UTF-8 byte 0x{:02X}", byte), "save the file as UTF-8"};
    return diagnostic{doc.file_, mark, fmt::format("control character 0x{:02X} in the text", byte),
                      "remove it; YAML text may hold tabs and line breaks only"};
  }
  doc.line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') doc.line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  if (!on_item) stream_key = {};
  yaml_builder builder(doc, limits, stream_key, on_item);
  try {
    view_buffer buffer(text);
    std::istream stream(&buffer);
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(builder)) {
    }
    builder.finish();
  } catch (const stop_reading& stop) {
    return stop.error;
  } catch (const YAML::DeepRecursion& e) {
    return diagnostic{doc.file_, {e.mark.line + 1, e.mark.column + 1}, "the YAML is nested too deeply", {}};
  } catch (const YAML::Exception& e) {
    return explain_yaml_error(doc.file_, text, e);
  }
  return doc;
}

// --- yaml_ref ---------------------------------------------------------------

yaml_ref::yaml_ref(const yaml_document& doc, std::uint32_t index) : doc_(&doc), index_(index) {
  if (doc.at(index).kind == kind::alias) index_ = doc.at(index).first;
}

yaml_ref::kind yaml_ref::type() const { return doc_->at(index_).kind; }

std::string_view yaml_ref::type_name() const {
  switch (type()) {
    case kind::null:
      return "nothing";
    case kind::scalar:
      return "a single value";
    case kind::sequence:
      return "a list";
    case kind::mapping:
      return "a mapping";
    case kind::alias:
      break;
  }
  return "an alias";
}

std::string_view yaml_ref::scalar() const {
  const auto& node = doc_->at(index_);
  if (node.kind != kind::scalar) return {};
  return std::string_view(doc_->arena_).substr(node.first, node.length);
}

source_mark yaml_ref::mark() const {
  const auto& node = doc_->at(index_);
  return {static_cast<int>(node.line), static_cast<int>(node.col)};
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
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) ++mark.col;
  return mark;
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
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++col;
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
    if ((static_cast<unsigned char>(source[i]) & 0xc0) != 0x80) ++col;
  return {static_cast<int>(line), col};
}

std::size_t yaml_ref::size() const {
  const auto& node = doc_->at(index_);
  if (node.kind == kind::mapping) return node.count / 2;
  if (node.kind == kind::sequence) return node.count;
  return 0;
}

std::vector<yaml_ref> yaml_ref::items() const {
  std::vector<yaml_ref> out;
  const auto& node = doc_->at(index_);
  if (node.kind != kind::sequence && node.kind != kind::mapping) return out;
  out.reserve(node.count);
  for (auto child = node.count ? node.first : 0; child != 0; child = doc_->at(child).next)
    out.emplace_back(*doc_, child);
  return out;
}

std::vector<std::pair<yaml_ref, yaml_ref>> yaml_ref::entries() const {
  std::vector<std::pair<yaml_ref, yaml_ref>> out;
  if (!is_mapping()) return out;
  auto children = items();
  for (std::size_t i = 0; i + 1 < children.size(); i += 2) out.emplace_back(children[i], children[i + 1]);
  return out;
}

std::optional<yaml_ref> yaml_ref::find(std::string_view key) const {
  const auto& node = doc_->at(index_);
  if (node.kind != kind::mapping || node.count == 0) return std::nullopt;
  for (auto k = node.first; k != 0;) {
    const auto& key_node = doc_->at(k);
    auto value = key_node.next;
    if (value == 0) break;
    if (key_node.kind == kind::scalar && std::string_view(doc_->arena_).substr(key_node.first, key_node.length) == key)
      return yaml_ref(*doc_, value);
    k = doc_->at(value).next;
  }
  return std::nullopt;
}

}  // namespace herald
