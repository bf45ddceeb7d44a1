#include "daemon/scheduler.hpp"

#include <algorithm>

namespace herald {

planning_window planning_window_at(const date::time_zone& zone, date::sys_seconds now, std::chrono::seconds catch_up,
                                   date::days horizon) {
  auto today = date::floor<date::days>(zone.to_local(now));
  // A post dated the day before the oldest instant catch_up reaches may be
  // due after midnight of that day only through DST or a late time, so one
  // spare day keeps every post still inside the window.
  auto oldest = date::floor<date::days>(zone.to_local(now - catch_up));
  planning_window window{oldest - date::days{1}, today + horizon, {}};
  // Plan again a week before the window's end comes into reach: a post
  // dated up to `horizon` days ahead is always planned before it is due.
  auto replan_day = today + std::max(horizon - date::days{7}, date::days{1});
  window.replan_at = zone.to_sys(replan_day, date::choose::earliest);
  return window;
}

daemon_plan plan_calendars(const std::vector<calendar>& calendars, date::sys_seconds now,
                           std::chrono::seconds catch_up, date::days horizon) {
  daemon_plan result{{}, date::sys_seconds::max()};
  for (const auto& cal : calendars) {
    auto window = planning_window_at(*cal.zone, now, catch_up, horizon);
    auto planned = plan_window(cal, window.first, window.last);
    result.posts.insert(result.posts.end(), planned.posts.begin(), planned.posts.end());
    result.replan_at = std::min(result.replan_at, window.replan_at);
  }
  if (calendars.size() > 1) sort_posts(result.posts);
  return result;
}

}  // namespace herald
