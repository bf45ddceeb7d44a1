// yaml-cpp's events to the compact node tree (calendar/yaml_document.hpp):
// duplicate keys, depth and alias budgets are checked as the events come.

#include "calendar/yaml_builder.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>

#include "calendar/yaml_errors.hpp"
#include "calendar/yaml_parallel_parse.hpp"
#include "calendar/yaml_positions.hpp"
#include "text/file.hpp"

namespace herald {
namespace {

// Thrown inside the event handler to stop yaml-cpp; caught in build_yaml_tree().
struct stop_reading {
  diagnostic error;
};

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

  std::vector<diagnostic> take_duplicates() { return std::move(duplicates_); }

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
      anchored_ = true;
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
    forget_before(index);
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

  // The text of the items before this one is read and done with: nodes
  // keep their marks, not the text. Not once an anchor was seen, as an
  // alias may bring an earlier node (and its text) back.
  void forget_before(std::uint32_t index) {
    if (!doc_.forget_ || anchored_) return;
    const auto& node = doc_.nodes_[index];
    auto at =
        offset_of_mark(doc_.source_, doc_.line_starts_, {static_cast<int>(node.line), static_cast<int>(node.col)});
    if (forgotten_from_ == 0) {  // the first item: the text before it is the root's
      forgotten_from_ = at;
      forgotten_from_line_ = node.line - 1;
    }
    // One call per 64 KiB read: what is read and not yet given back is on
    // top of the tree and the events built so far, at the end of the parse
    // where a reload peaks (docs/PERFORMANCE.md "2026-12-03, night: reload peak").
    constexpr std::size_t step = 64 << 10;
    if (at >= forgotten_to_ + step && at <= doc_.source_.size()) {
      // From a step back: only whole pages are given back, so the page
      // across the last call's end was kept then (one page a call, 6 % of
      // the text at this step), and is whole and done with now.
      doc_.forget_(std::max(forgotten_from_, forgotten_to_ > step ? forgotten_to_ - step : 0), at);
      forgotten_to_ = at;
      forget_line_starts(node.line - 1);
    }
  }

  // The line starts of the text forgotten are not looked at again either
  // (4 bytes a line: 0.5 MB of a 10 000-event calendar). Their pages are
  // given back the same way; a read that fails reads the file again,
  // whole, with its own (calendar/calendar_loader.cpp load_file).
  void forget_line_starts(std::size_t before_line) {
    const auto& starts = doc_.line_starts_;
    std::string_view bytes(reinterpret_cast<const char*>(starts.data()), starts.size() * sizeof starts[0]);
    forget_pages(bytes, forgotten_from_line_ * sizeof starts[0],
                 std::min(before_line, starts.size()) * sizeof starts[0]);
  }

  // Every duplicate key is kept as an error and reading goes on, so one
  // run shows them all. In a list item, the first key given again (a
  // second `id:`) most likely starts a new item whose '- ' was forgotten,
  // and the keys after it belong to that item: say so rather than "merge".
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
    std::uint32_t new_item = 0;  // the key that starts a forgotten item, if any
    std::string_view item = in_list_item() ? (open_[open_.size() - 2].streaming ? "event" : "list item") : "";
    for (std::size_t i = 1; i < keys.size() && !item.empty() && !new_item; ++i)
      if (keys[i].first == keys[0].first) new_item = keys[i].second;
    std::stable_sort(keys.begin(), keys.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (std::size_t i = 1; i < keys.size(); ++i) {
      if (keys[i].first != keys[i - 1].first) continue;
      const auto& first = doc_.nodes_[keys[i - 1].second];
      const auto& again = doc_.nodes_[keys[i].second];
      auto message = fmt::format("duplicate key '{}' (first given on line {})", keys[i].first, first.line);
      std::string hint = "YAML keeps only one of them; merge the two or remove one";
      if (new_item && keys[i].second == new_item) {
        message += fmt::format(": this looks like a new {} without its '- '", item);
        hint = fmt::format("start the {} with '- ' in the column of the other {}s' '- '", item, item);
      } else if (new_item && keys[i].second > new_item) {
        hint = fmt::format("it belongs to the {} that begins on line {}: add the '- ' there", item,
                           doc_.nodes_[new_item].line);
      }
      duplicates_.push_back({doc_.file_,
                             {static_cast<int>(again.line), static_cast<int>(again.col)},
                             std::move(message),
                             std::move(hint)});
    }
  }

  // The mapping being closed is an item of a list.
  bool in_list_item() const {
    return open_.size() >= 2 && doc_.nodes_[open_[open_.size() - 2].index].kind == yaml_ref::kind::sequence;
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
  std::vector<diagnostic> duplicates_;
  bool anchored_ = false;
  std::size_t forgotten_from_ = 0, forgotten_to_ = 0;
  std::size_t forgotten_from_line_ = 0;  // 0-based: the first line of the first item
};

std::vector<diagnostic> build_yaml_tree(yaml_document& doc, const yaml_limits& limits, std::string_view stream_key,
                                        const yaml_document::item_callback& on_item) {
  yaml_builder builder(doc, limits, stream_key, on_item);
  std::optional<diagnostic> stopped;
  try {
    // yaml-cpp tokenises on other threads, a large list in pieces; the
    // tree, the events and every check are built here, in yaml-cpp's order
    // (calendar/yaml_parallel_parse.hpp, calendar/yaml_event_pipe.hpp).
    parse_yaml_in_pieces(doc.source(), builder, yaml_pieces_for(doc.source()));
    builder.finish();
  } catch (const stop_reading& stop) {
    stopped = stop.error;
  } catch (const YAML::DeepRecursion& e) {
    stopped = diagnostic{doc.file(), {e.mark.line + 1, e.mark.column + 1}, "the YAML is nested too deeply", {}};
  } catch (const YAML::Exception& e) {
    stopped = explain_yaml_error(doc.file(), doc.source(), e);
  }
  auto errors = builder.take_duplicates();
  if (stopped) errors.push_back(std::move(*stopped));
  return errors;
}

}  // namespace herald
