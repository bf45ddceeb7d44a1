#pragma once
// A YAML document read through yaml-cpp's event API into a compact tree that
// remembers where every node came from.
//
// Why not YAML::Node: a node tree of a 10 000-event calendar costs ~90 MB,
// silently keeps the last of two duplicate keys, and accepts bytes that are
// not UTF-8. This reader stores nodes in one vector and scalar text in one
// arena, rejects duplicate keys, invalid UTF-8, control characters, nesting
// deeper than `max_depth` and alias fan-out past a budget, and can hand the
// items of one top-level sequence (a calendar's `events:`) to a callback as
// each completes, then drop them, so a huge file never lives as a tree.
//
// Aliases are references to the anchored node, never copies. Not thread-safe;
// refs are valid while the document lives and (for streamed items) only
// during the callback.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "calendar/diagnostic.hpp"

namespace herald {

class yaml_document;

/// A view of one node. Aliases are followed transparently.
class yaml_ref {
 public:
  enum class kind : std::uint8_t { null, scalar, sequence, mapping, alias };

  yaml_ref(const yaml_document& doc, std::uint32_t index);

  kind type() const;
  bool is_null() const { return type() == kind::null; }
  bool is_scalar() const { return type() == kind::scalar; }
  bool is_sequence() const { return type() == kind::sequence; }
  bool is_mapping() const { return type() == kind::mapping; }
  /// "a string", "a list", "a mapping", "nothing": for error messages.
  std::string_view type_name() const;

  /// Text of a scalar ("" for other kinds).
  std::string_view scalar() const;
  /// The position of the node's first character.
  source_mark mark() const;
  /// The position `offset` bytes into a scalar's text when that text stands
  /// on one line of the source (quotes skipped), else the scalar's mark.
  source_mark mark_at(std::size_t offset) const;
  /// The source from the node's first character to the end of that line:
  /// what the file shows, quotes and comments included.
  std::string_view source_from_mark() const;
  /// The source from the node's first character to the end of the file.
  std::string_view source_to_end() const;
  /// The root of the node's document. While items stream to a callback it
  /// holds what was read before: the root mapping's keys and values before
  /// the streamed sequence's key, and that key.
  yaml_ref document_root() const { return yaml_ref(*doc_, 0); }

  /// Number of items (sequence) or entries (mapping).
  std::size_t size() const;
  /// Items of a sequence, in order.
  std::vector<yaml_ref> items() const;
  /// Entries of a mapping as (key, value), in order. Keys are scalars.
  std::vector<std::pair<yaml_ref, yaml_ref>> entries() const;
  /// The value under `key` in a mapping, if present.
  std::optional<yaml_ref> find(std::string_view key) const;

 private:
  source_mark literal_block_mark(source_mark header, std::size_t offset) const;
  source_mark search_mark(source_mark start, std::size_t at, std::size_t offset) const;

  const yaml_document* doc_;
  std::uint32_t index_;
};

/// Limits that keep hostile input cheap.
struct yaml_limits {
  std::size_t max_bytes = 64u << 20;
  int max_depth = 32;
  std::size_t max_alias_nodes = 1u << 20;  ///< nodes reachable through aliases, in total
};

class yaml_document {
 public:
  /// Called with each item of the root mapping's sequence under the key
  /// given to `read`, as soon as the item is complete.
  using item_callback = std::function<void(yaml_ref item)>;
  /// Told, as streamed items are done with, that text[from, to) will not be
  /// looked at again (unless reading fails: an error may look back).
  using forget_callback = std::function<void(std::size_t from, std::size_t to)>;

  /// Parses `text` (named `file` in errors). On failure returns the first
  /// error. `stream_key`/`on_item`: see above; empty key streams nothing.
  static std::variant<yaml_document, diagnostic> read(std::string_view text, std::string file,
                                                      const yaml_limits& limits = {}, std::string_view stream_key = {},
                                                      const item_callback& on_item = {});
  /// As `read`, but on failure returns every error: each duplicate key
  /// (reading goes on past them) and the error that stopped reading.
  static std::variant<yaml_document, std::vector<diagnostic>> read_all(std::string_view text, std::string file,
                                                                       const yaml_limits& limits = {},
                                                                       std::string_view stream_key = {},
                                                                       const item_callback& on_item = {},
                                                                       const forget_callback& forget = {});

  /// The root node; a document with no content has a null root.
  yaml_ref root() const { return yaml_ref(*this, 0); }
  const std::string& file() const { return file_; }
  std::string_view source() const { return source_; }
  /// How many items were streamed to the callback.
  std::size_t streamed_items() const { return streamed_; }

 private:
  friend class yaml_ref;
  friend class yaml_builder;
  struct node {
    yaml_ref::kind kind;
    std::uint32_t line, col;   // 1-based
    std::uint32_t first = 0;   // scalar: offset in arena_; container: first child; alias: target
    std::uint32_t length = 0;  // scalar: text length; container: nodes in its subtree
    std::uint32_t next = 0;    // next sibling (0: none; node 0 is the root, never a sibling)
    std::uint32_t count = 0;   // container: children (a mapping: keys and values)
    std::uint32_t weight = 1;  // nodes it stands for once aliases are expanded (capped)
  };
  const node& at(std::uint32_t index) const { return nodes_[index]; }

  std::string file_;
  std::string_view source_;
  std::vector<node> nodes_;
  std::string arena_;
  std::vector<std::uint32_t> line_starts_;  // byte offset of each line, for columns -> offsets
  std::size_t streamed_ = 0;
  forget_callback forget_;  // while reading only
};

}  // namespace herald
