// Reading a YAML document (calendar/yaml_document.hpp) and walking it. The
// tree is built in yaml_builder.cpp, positions are yaml_positions.cpp's,
// and yaml-cpp's errors are explained in yaml_errors.cpp.

#include "calendar/yaml_document.hpp"

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
  // memchr, not a byte at a time: this too runs before the parse starts.
  for (auto at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1))
    doc.line_starts_.push_back(static_cast<std::uint32_t>(at + 1));
  if (!on_item) stream_key = {};
  auto errors = build_yaml_tree(doc, limits, stream_key, on_item);
  doc.forget_ = {};
  if (!errors.empty()) return errors;
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
