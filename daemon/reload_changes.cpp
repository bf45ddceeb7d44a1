// What a reload changed (daemon/reload_changes.hpp).
#include "daemon/reload_changes.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "settings/secrets.hpp"

namespace herald {
namespace {

std::set<std::string> event_ids(const loaded_sources& sources) {
  std::set<std::string> ids;
  for (const auto& cal : sources.calendars)
    for (const auto& e : cal.events) ids.emplace(e.id);
  return ids;
}

std::string some(const std::vector<std::string>& ids) {
  constexpr std::size_t shown = 5;
  if (ids.size() <= shown) return fmt::format("{}", fmt::join(ids, ", "));
  return fmt::format("{} and {} more", fmt::join(ids.begin(), ids.begin() + shown, ", "), ids.size() - shown);
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

std::string event_changes(const loaded_sources& running, const loaded_sources& loaded) {
  auto was = event_ids(running), now = event_ids(loaded);
  std::vector<std::string> added, removed;
  std::set_difference(now.begin(), now.end(), was.begin(), was.end(), std::back_inserter(added));
  std::set_difference(was.begin(), was.end(), now.begin(), now.end(), std::back_inserter(removed));
  std::string out;
  if (!added.empty()) out += "; events added: " + some(added);
  if (!removed.empty()) out += (added.empty() ? "; events removed: " : "; removed: ") + some(removed);
  return out;
}

}  // namespace herald
