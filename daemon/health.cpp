// A channel is judged on whole posts, not attempts: one post retried eight
// times against a dead webhook is one post, and a burst that meets a single
// outage is not mistaken for a broken channel until three posts each had
// nothing but failures.
#include "daemon/health.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "text/instant_format.hpp"

namespace herald {

void health::reloaded(date::sys_seconds at, const std::vector<std::string>& channels) {
  last_reload_ = at;
  reload_problem_.reset();
  copy_problem_.reset();
  copy_saved_at_.reset();
  std::erase_if(channels_, [&](const auto& entry) {
    return std::find(channels.begin(), channels.end(), entry.first) == channels.end();
  });
}

void health::reload_failed(date::sys_seconds at, std::string problem) {
  last_reload_ = at;
  reload_problem_ = std::move(problem);
}

void health::started_from_copy(date::sys_seconds at, date::sys_seconds saved_at, std::string problem) {
  last_reload_ = at;
  reload_problem_ = std::move(problem);
  copy_saved_at_ = saved_at;
}

void health::attempt_ended(std::string_view channel, std::string_view key, bool sent) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) it = channels_.emplace(std::string(channel), std::deque<post_record>{}).first;
  auto& posts = it->second;
  auto same = std::find_if(posts.begin(), posts.end(), [&](const post_record& p) { return p.key == key; });
  if (same != posts.end()) {
    same->sent = same->sent || sent;
    return;
  }
  posts.push_back({std::string(key), sent});
  if (posts.size() > failing_posts) posts.pop_front();
}

std::vector<std::string> health::reasons(const std::optional<std::string>& journal_problem) const {
  std::vector<std::string> out;
  if (reload_problem_ && copy_saved_at_)
    out.push_back(fmt::format("running the last good copy (since {}, copied {}): the files are invalid ({})",
                              format_utc_instant(*last_reload_), format_utc_instant(*copy_saved_at_),
                              *reload_problem_));
  else if (reload_problem_ && copy_problem_)
    out.push_back(fmt::format(
        "reload failed ({}) and the last good copy does not load either ({}): no post is planned until a reload "
        "succeeds",
        *reload_problem_, *copy_problem_));
  else if (reload_problem_)
    out.push_back(fmt::format("reload failed ({}); the old schedule keeps running", *reload_problem_));
  if (lost_journal_)
    out.push_back(fmt::format("the journal file was deleted or replaced ({}): nothing is sent until herald restarts",
                              *lost_journal_));
  if (endpoint_problem_)
    out.push_back(fmt::format("the status endpoint is down ({}): herald keeps trying, and tries at once on a reload",
                              *endpoint_problem_));
  if (journal_problem) out.push_back(fmt::format("journal paused ({})", *journal_problem));
  for (const auto& [channel, posts] : channels_)
    if (posts.size() == failing_posts && std::none_of(posts.begin(), posts.end(), [](auto& p) { return p.sent; }))
      out.push_back(fmt::format("channel '{}' failed every attempt of its last {} posts", channel, failing_posts));
  return out;
}

std::string status_line(const std::vector<std::string>& reasons, const std::string& status) {
  if (reasons.empty()) return status;
  return fmt::format("degraded: {}; {}", fmt::join(reasons, "; "), status);
}

}  // namespace herald
