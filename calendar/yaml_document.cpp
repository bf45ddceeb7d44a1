// Reading a YAML document (calendar/yaml_document.hpp) and walking it. The
// tree is built in yaml_builder.cpp, positions are yaml_positions.cpp's,
// and yaml-cpp's errors are explained in yaml_errors.cpp.

#include "calendar/yaml_document.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "calendar/yaml_builder.hpp"
#include "calendar/yaml_errors.hpp"

namespace herald {

std::variant<yaml_document, diagnostic> yaml_document::read(std::string_view text, std::string file,
                                                            const yaml_limits& limits, std::string_view stream_key,
                                                            const item_callback& on_item) {
  auto result = read_all(text, std::move(file), limits, stream_key, on_item);
  if (auto* errors = std::get_if<std::vector<diagnostic>>(&result)) return std::move(errors->front());
  return std::get<yaml_document>(std::move(result));
}

std::variant<yaml_document, std::vector<diagnostic>> yaml_document::read_all(std::string_view text, std::string file,
                                                                             const yaml_limits& limits,
                                                                             std::string_view stream_key,
                                                                             const item_callback& on_item,
                                                                             const forget_callback& forget) {
  yaml_document doc;
  doc.file_ = std::move(file);
  doc.source_ = text;
  doc.forget_ = forget;
  if (text.size() > limits.max_bytes)
    return std::vector<diagnostic>{
        {doc.file_,
         {1, 1},
         fmt::format("the file is too large ({} MiB; the limit is {} MiB)", text.size() >> 20, limits.max_bytes >> 20),
         "split the calendar into several files"}};
  if (auto bad = check_bytes(text, doc.file_)) return std::vector<diagnostic>{*bad};
  doc.line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') doc.line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  if (!on_item) stream_key = {};
  auto errors = build_yaml_tree(doc, limits, stream_key, on_item);
  doc.forget_ = {};
  if (!errors.empty()) return errors;
  return doc;
}

namespace {

bool blank_or_comment(std::string_view rest) {
  auto first = rest.find_first_not_of(" \t\r");
  return first == std::string_view::npos || rest[first] == '#';
}

}  // namespace

// A line-based split needs no YAML parser: a line at column 0 is a root
// key, and below the stream key a line at the items' indentation is an item
// or the end of the list (docs/PERFORMANCE.md "The remaining goals (2026-12-03)").
// Anything less regular (flow style, a later root key, a second key of the
// same name) is not split.
std::optional<yaml_document::stream_split> yaml_document::split_stream(std::string_view text,
                                                                       std::string_view stream_key) {
  constexpr auto npos = std::string_view::npos;
  std::size_t items_from = npos;
  for (std::size_t at = 0; at < text.size();) {
    auto end = std::min(text.find('\n', at), text.size());
    auto line = text.substr(at, end - at);
    if (line.size() > stream_key.size() && line.starts_with(stream_key) && line[stream_key.size()] == ':') {
      if (items_from != npos || !blank_or_comment(line.substr(stream_key.size() + 1))) return std::nullopt;
      items_from = end + 1;
    }
    at = end + 1;
  }
  if (items_from >= text.size()) return std::nullopt;
  std::vector<std::size_t> items;
  std::size_t indent = npos;
  for (std::size_t at = items_from; at < text.size();) {
    auto end = std::min(text.find('\n', at), text.size());
    auto line = text.substr(at, end - at);
    auto spaces = std::min(line.find_first_not_of(' '), line.size());
    if (!blank_or_comment(line)) {
      bool item =
          line[spaces] == '-' && (spaces + 1 == line.size() || line[spaces + 1] == ' ' || line[spaces + 1] == '\r');
      if (indent == npos) {
        if (!item) return std::nullopt;
        indent = spaces;
      }
      if (spaces < indent || (spaces == indent && !item)) return std::nullopt;
      if (spaces == indent) items.push_back(at);
    }
    at = end + 1;
  }
  if (items.size() < 2) return std::nullopt;
  auto middle = std::lower_bound(items.begin() + 1, items.end(), text.size() / 2);
  if (middle == items.end()) --middle;
  auto before = static_cast<std::size_t>(middle - items.begin());
  return stream_split{*middle, before, items.size() - before};
}

std::variant<yaml_document, std::vector<diagnostic>> yaml_document::read_tail(std::string_view text, std::size_t from,
                                                                              std::string file,
                                                                              const yaml_limits& limits,
                                                                              std::string_view stream_key,
                                                                              const item_callback& on_item) {
  yaml_document doc;
  doc.file_ = std::move(file);
  doc.source_ = text;
  auto body = text.substr(from);
  if (auto bad = check_bytes(body, doc.file_)) return std::vector<diagnostic>{*bad};
  doc.line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') doc.line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  // `from` starts a line; the prefix is the line before it.
  auto line = std::lower_bound(doc.line_starts_.begin(), doc.line_starts_.end(), from) - doc.line_starts_.begin() + 1;
  std::string prefix(stream_key);
  prefix += ":\n";
  if (auto errors = build_yaml_tree(doc, limits, stream_key, on_item, prefix, body, static_cast<int>(line) - 2);
      !errors.empty())
    return errors;
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
