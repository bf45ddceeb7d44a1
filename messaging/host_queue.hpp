#pragma once
// Transfers wait here, per host, until the host has a free connection, so
// that libcurl never holds more transfers than it has connections to give
// them. *Why:* libcurl counts a transfer's timeout from when it is handed
// the transfer, its own queue included, so many posts to one slow host
// timed out while they waited (docs/decisions.md "Channels and secrets");
// a transfer queued inside libcurl also costs CPU on each of its turns.
//
// Pure bookkeeping, no I/O: admit() says whether an item starts now,
// release() which waiting item starts when one to the same host ends.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace herald {

/// What a URL's transfers share connections by: the scheme and
/// authority, lowercased, without the userinfo ("http://example.org:8080").
/// The whole text when it has no "://".
std::string host_of(std::string_view url);

template <class Item>
class host_queue {
 public:
  explicit host_queue(std::size_t per_host) : per_host_(per_host) {}

  /// `item` to start now (counted as started), or nothing: it waits.
  std::optional<Item> admit(const std::string& host, Item item) {
    auto& line = lines_[host];
    if (line.started < per_host_) {
      ++line.started;
      return item;
    }
    line.waiting.push_back(std::move(item));
    ++waiting_;
    return std::nullopt;
  }

  /// A started item of `host` ended: the next to start in its place (still
  /// counted as started), or nothing.
  std::optional<Item> release(const std::string& host) {
    auto at = lines_.find(host);
    if (at == lines_.end()) return std::nullopt;
    auto& line = at->second;
    if (!line.waiting.empty()) {
      Item next = std::move(line.waiting.front());
      line.waiting.pop_front();
      --waiting_;
      return next;
    }
    if (--line.started == 0) lines_.erase(at);
    return std::nullopt;
  }

  std::size_t waiting() const { return waiting_; }

 private:
  struct line {
    std::size_t started = 0;
    std::deque<Item> waiting;
  };
  std::size_t per_host_;
  std::size_t waiting_ = 0;
  std::unordered_map<std::string, line> lines_;
};

}  // namespace herald
