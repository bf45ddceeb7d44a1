#pragma once
// The text of a loaded calendar's events (ids, titles, descriptions, URLs,
// tags, vars) and their `every:` rules in a few large blocks: an event
// holds views into it rather than a string or vector each, which saves
// their own size and the heap's overhead per allocation (docs/PERFORMANCE.md "2026-12-03, afternoon: calendar and
// preview memory").
//
// Only grows; nothing in it moves or is freed before the whole. The loader
// fills it, then the calendar shares it with its copies, read-only.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace herald {

class calendar_text {
 public:
  calendar_text() = default;
  calendar_text(const calendar_text&) = delete;  // views point into it
  calendar_text& operator=(const calendar_text&) = delete;

  /// A copy of `text` that lives as long as this.
  std::string_view add(std::string_view text) {
    if (text.empty()) return {};
    auto* at = static_cast<char*>(allocate(text.size(), 1));
    std::copy(text.begin(), text.end(), at);
    return {at, text.size()};
  }

  /// A copy of `items` that lives as long as this; the items (views,
  /// pairs of views) are never destroyed, so they must not need to be.
  template <class T>
  std::span<const T> add(std::span<const T> items) {
    static_assert(std::is_trivially_destructible_v<T>);
    if (items.empty()) return {};
    auto* at = static_cast<T*>(allocate(items.size_bytes(), alignof(T)));
    std::uninitialized_copy(items.begin(), items.end(), at);
    return {at, items.size()};
  }

 private:
  void* allocate(std::size_t size, std::size_t align);

  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::byte* next_ = nullptr;
  std::size_t left_ = 0;
};

}  // namespace herald
