// What a reload changed (daemon/reload_changes.hpp).
#include "daemon/reload_changes.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "settings/secrets.hpp"

namespace herald {
namespace {

// The first few ids of a list and how many there are, as the log names them.
struct some_ids {
  static constexpr std::size_t shown = 5;
  std::vector<std::string> first;
  std::size_t count = 0;

  void add(std::string_view id) {
    if (count++ < shown) first.emplace_back(id);
  }
  std::string text() const {
    if (count <= shown) return fmt::format("{}", fmt::join(first, ", "));
    return fmt::format("{} and {} more", fmt::join(first, ", "), count - shown);
  }
};

// The ids of `calendars`, sorted, without repeats: pointers to them, half
// the size of views, since this list is made while a whole calendar is in
// memory (the old one, or the new one beside what is kept of the old).
std::vector<const std::string_view*> sorted_ids(const std::vector<calendar>& calendars) {
  std::size_t count = 0;
  for (const auto& cal : calendars) count += cal.events.size();
  std::vector<const std::string_view*> ids;
  ids.reserve(count);
  for (const auto& cal : calendars)
    for (const auto& e : cal.events) ids.push_back(&e.id);
  auto by_text = [](const std::string_view* a, const std::string_view* b) { return *a < *b; };
  auto same_text = [](const std::string_view* a, const std::string_view* b) { return *a == *b; };
  std::sort(ids.begin(), ids.end(), by_text);
  ids.erase(std::unique(ids.begin(), ids.end(), same_text), ids.end());
  return ids;
}

constexpr std::size_t longest_shared = 255;  // what one byte says

std::size_t shared_prefix(std::string_view a, std::string_view b) {
  auto most = std::min({a.size(), b.size(), longest_shared});
  return static_cast<std::size_t>(std::mismatch(a.begin(), a.begin() + most, b.begin()).first - a.begin());
}

// Reads event_ids' block one id at a time, in order, through a small
// buffer: the block may be a file the reload kept it in.
class id_reader {
 public:
  explicit id_reader(const block_reader& block) : block_(block) { next(); }
  bool done() const { return done_; }
  std::string_view id() const { return id_; }
  void next() {
    int shared = get();
    if (shared < 0) {
      done_ = true;
      return;
    }
    id_.resize(static_cast<std::size_t>(shared));
    for (int c = get(); c > 0; c = get()) id_ += static_cast<char>(c);  // up to its NUL
  }

 private:
  // The next byte, -1 at the end.
  int get() {
    if (at_ == filled_) {
      read_ += filled_;
      filled_ = block_(read_, buffer_);
      at_ = 0;
      if (filled_ == 0) return -1;
    }
    return static_cast<unsigned char>(buffer_[at_++]);
  }

  const block_reader& block_;
  std::array<char, 4096> buffer_{};
  std::size_t read_ = 0, filled_ = 0, at_ = 0;
  std::string id_;
  bool done_ = false;
};

}  // namespace

std::string restart_only_changes(const config& running, const config& loaded) {
  std::vector<std::string> changed;
  auto add = [&](std::string_view name, const std::string& was, const std::string& now) {
    if (was != now) changed.push_back(fmt::format("{} ({} → {})", name, was, now));
  };
  add("state_dir", running.state_dir, loaded.state_dir);
  add("delivery.timeout", fmt::format("{}s", running.delivery.timeout.count()),
      fmt::format("{}s", loaded.delivery.timeout.count()));
  add("delivery.rate", fmt::format("{:g}/s", running.delivery.rate_per_second),
      fmt::format("{:g}/s", loaded.delivery.rate_per_second));
  add("delivery.burst", std::to_string(running.delivery.burst), std::to_string(loaded.delivery.burst));
  add("http.listen", running.http_listen.value_or("none"), loaded.http_listen.value_or("none"));
  // Where the URL comes from, never the URL (a secret).
  auto journal_of = [](const config& c) {
    return c.journal.postgresql ? "postgresql " + describe_secret(*c.journal.postgresql) : std::string("sqlite");
  };
  add("journal", journal_of(running), journal_of(loaded));
  add("journal.replica", running.journal.replica, loaded.journal.replica);
  add("journal.lease", fmt::format("{}s", running.journal.lease.count()),
      fmt::format("{}s", loaded.journal.lease.count()));
  return fmt::format("{}", fmt::join(changed, ", "));
}

std::string event_ids(const std::vector<calendar>& calendars) {
  auto ids = sorted_ids(calendars);
  std::string_view before;
  std::size_t size = 0;
  for (const auto* id : ids) {
    size += 2 + id->size() - shared_prefix(before, *id);
    before = *id;
  }
  std::string block;
  block.reserve(size);
  before = {};
  for (const auto* id : ids) {
    auto shared = shared_prefix(before, *id);
    block += static_cast<char>(shared);
    (block += id->substr(shared)) += '\0';
    before = *id;
  }
  return block;
}

std::string event_changes(std::string_view running, const std::vector<calendar>& loaded) {
  return event_changes(
      [running](std::size_t offset, std::span<char> buffer) {
        return offset >= running.size() ? 0 : running.copy(buffer.data(), buffer.size(), offset);
      },
      loaded);
}

std::string event_changes(const block_reader& running, const std::vector<calendar>& loaded) {
  auto now = sorted_ids(loaded);
  some_ids added, removed;
  id_reader was(running);
  auto is_now = now.begin();
  while (!was.done() || is_now != now.end()) {
    if (is_now == now.end() || (!was.done() && was.id() < **is_now)) {
      removed.add(was.id());
      was.next();
    } else if (was.done() || **is_now < was.id()) {
      added.add(**is_now++);
    } else {
      was.next();
      ++is_now;
    }
  }
  std::string out;
  if (added.count > 0) out += fmt::format("; events added: {}", added.text());
  if (removed.count > 0)
    out += fmt::format("; {}: {}", added.count == 0 ? "events removed" : "removed", removed.text());
  return out;
}

}  // namespace herald
