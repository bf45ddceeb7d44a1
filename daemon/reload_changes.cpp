// What a reload changed (daemon/reload_changes.hpp).
#include "daemon/reload_changes.hpp"

#include <algorithm>
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

// Reads event_ids' block one id at a time, in order.
class id_reader {
 public:
  explicit id_reader(std::string_view block) : block_(block) { next(); }
  bool done() const { return done_; }
  std::string_view id() const { return id_; }
  void next() {
    if (at_ >= block_.size()) {
      done_ = true;
      return;
    }
    auto shared = static_cast<unsigned char>(block_[at_++]);
    auto end = block_.find('\0', at_);
    id_.resize(shared);
    id_.append(block_.substr(at_, end - at_));
    at_ = end + 1;
  }

 private:
  std::string_view block_;
  std::size_t at_ = 0;
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
