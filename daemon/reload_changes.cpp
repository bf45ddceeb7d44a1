// What a reload changed (daemon/reload_changes.hpp).
#include "daemon/reload_changes.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "settings/secrets.hpp"

namespace herald {
namespace {

std::string some(const std::vector<std::string_view>& ids) {
  constexpr std::size_t shown = 5;
  if (ids.size() <= shown) return fmt::format("{}", fmt::join(ids, ", "));
  return fmt::format("{} and {} more", fmt::join(ids.begin(), ids.begin() + shown, ", "), ids.size() - shown);
}

std::vector<std::string_view> sorted_ids(const std::vector<calendar>& calendars) {
  std::vector<std::string_view> ids;
  for (const auto& cal : calendars)
    for (const auto& e : cal.events) ids.push_back(e.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::vector<std::string_view> split_ids(std::string_view block) {
  std::vector<std::string_view> ids;
  for (std::size_t at = 0; at < block.size();) {
    auto end = block.find('\0', at);
    ids.push_back(block.substr(at, end - at));
    at = end + 1;
  }
  return ids;
}

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
  std::size_t size = 0;
  for (auto id : ids) size += id.size() + 1;
  std::string block;
  block.reserve(size);
  for (auto id : ids) (block += id) += '\0';
  return block;
}

std::string event_changes(std::string_view running, const std::vector<calendar>& loaded) {
  auto was = split_ids(running), now = sorted_ids(loaded);
  std::vector<std::string_view> added, removed;
  std::set_difference(now.begin(), now.end(), was.begin(), was.end(), std::back_inserter(added));
  std::set_difference(was.begin(), was.end(), now.begin(), now.end(), std::back_inserter(removed));
  std::string out;
  if (!added.empty()) out += "; events added: " + some(added);
  if (!removed.empty()) out += (added.empty() ? "; events removed: " : "; removed: ") + some(removed);
  return out;
}

}  // namespace herald
