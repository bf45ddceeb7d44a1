// decide() and after_failure(): the delivery rules of docs/daemon.md "Delivery rules" as functions of
// (posts, journal rows, now); and the window of dates to plan.
//
// The shell calls decide() on every wake-up with the whole plan (about 35
// days), so it stops reading as soon as no later post can bring the wake-up
// forward, and reads the journal only for the posts it reaches.

#include "scheduling/scheduler.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

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

daemon_plan plan_calendars(const std::vector<calendar>& calendars, date::sys_seconds now, std::chrono::seconds catch_up,
                           date::days horizon) {
  daemon_plan result{{}, date::sys_seconds::max(), date::sys_seconds::max()};
  std::vector<plan> plans;
  for (const auto& cal : calendars) {
    auto window = planning_window_at(*cal.zone, now, catch_up, horizon);
    plans.push_back(plan_window(cal, window.first, window.last));
    result.replan_at = std::min(result.replan_at, window.replan_at);
    result.covers_until = std::min(result.covers_until, cal.zone->to_sys(window.last, date::choose::earliest));
  }
  result.posts = merge_plans(std::move(plans)).posts;
  return result;
}

std::optional<planned_post> plan_one(const std::vector<calendar>& calendars, std::string_view event,
                                     std::string_view key, date::sys_seconds due) {
  for (const auto& cal : calendars) {
    // A workday move or a late step may date the post a day or two from
    // its due instant's local date.
    auto day = date::floor<date::days>(cal.zone->to_local(due));
    auto planned = plan_window(cal, day - date::days{3}, day + date::days{3}, plan_filter{{std::string(event)}, {}});
    for (const auto& post : planned.posts)
      if (post.key() == key) return post;
  }
  return std::nullopt;
}

namespace {

using action_kind = scheduled_action::kind;

// "1 attempt", "3 attempts".
std::string count_attempts(int attempts) { return fmt::format("{} attempt{}", attempts, attempts == 1 ? "" : "s"); }

// `text: error`, or `text` alone when there is no error to tell.
std::string with_error(std::string text, std::string_view error) {
  if (!error.empty()) fmt::format_to(std::back_inserter(text), ": {}", error);
  return text;
}

std::string_view last_error(const journal_entry& row) { return row.last_error ? *row.last_error : std::string_view{}; }

// Where the post's window opens: its due instant, or later when an
// operator resent it (its catch_up counts from the resend).
date::sys_seconds window_from(const planned_post& post, const journal_entry* row) {
  return row && row->resent_at ? std::max(post.due, *row->resent_at) : post.due;
}

// The first instant after the post's window (from <= now <= from + catch_up):
// a post not out by then is missed or failed.
date::sys_seconds window_closed_at(date::sys_seconds from, const schedule_policy& policy) {
  return from + policy.catch_up + std::chrono::seconds{1};
}

// Not after every attempt was used, nor after two interruptions: each may
// have reached the channel, and docs/daemon.md "Delivery rules" allows one copy more, never two.
bool may_attempt_again(const journal_entry& row, const schedule_policy& policy) {
  return row.interrupted < 2 && row.attempts < policy.attempts;
}

// REQUIRES: !may_attempt_again(row, policy)
std::string why_not_again(const journal_entry& row) {
  if (row.interrupted >= 2)
    return "interrupted twice while sending; not sent again, as it may already have gone out twice";
  return with_error("gave up after " + count_attempts(row.attempts), last_error(row));
}

void add_action(schedule& out, action_kind what, const planned_post& post, std::string key, date::sys_seconds from,
                std::string reason = {}) {
  out.actions.push_back({what, &post, std::move(key), std::move(reason), from});
}

void wake_no_later_than(schedule& out, date::sys_seconds when) {
  if (!out.wake || when < *out.wake) out.wake = when;
}

// A post whose due instant has come and whose row is absent or pending.
void decide_due(const planned_post& post, std::string key, const journal_entry* row, date::sys_seconds now,
                const schedule_policy& policy, schedule& out) {
  auto from = window_from(post, row);
  auto closed_at = window_closed_at(from, policy);
  if (now >= closed_at) {
    if (!row || row->attempts == 0) return add_action(out, action_kind::miss, post, std::move(key), from);
    auto reason = with_error("window closed after " + count_attempts(row->attempts), last_error(*row));
    // An attempt that went unanswered (or was cut off by a stop) may have
    // arrived: "failed" would say it did not (docs/daemon.md "Delivery rules").
    auto what = row->interrupted > 0 ? action_kind::unconfirm : action_kind::give_up;
    return add_action(out, what, post, std::move(key), from, std::move(reason));
  }
  if (row && !may_attempt_again(*row, policy))
    return add_action(out, action_kind::give_up, post, std::move(key), from, why_not_again(*row));
  // The window's end is a wake-up for a waiting post and for one sent now
  // alike: if it is still not out then (the retry falls later, or the shell
  // could not begin the attempt), it is given up or missed at that instant.
  if (row && row->next_try && *row->next_try > now) return wake_no_later_than(out, std::min(*row->next_try, closed_at));
  add_action(out, action_kind::send, post, std::move(key), from);
  wake_no_later_than(out, closed_at);
}

// When a post not yet due could first be acted on: its due instant, unless
// a retry recorded before the clock was set back (or before an edit moved
// the step's time) holds it until later.
date::sys_seconds first_chance(const planned_post& post, const journal_entry* row, const schedule_policy& policy) {
  if (!row || !row->next_try || *row->next_try <= post.due || !may_attempt_again(*row, policy)) return post.due;
  return std::min(*row->next_try, window_closed_at(window_from(post, row), policy));
}

}  // namespace

schedule decide(std::span<const planned_post> posts, const journal_lookup& lookup, date::sys_seconds now,
                const schedule_policy& policy) {
  schedule out;
  for (const auto& post : posts) {
    // Sorted by due, and no post can be acted on before its due instant:
    // once past the wake-up found, no later post can bring it forward.
    if (post.due > now && out.wake && post.due >= *out.wake) break;
    auto key = post.key();
    const journal_entry* row = lookup(key);
    // A final row never changes. An in_flight row is this process's attempt,
    // whose end feeds back and calls decide() again: nothing to wake for.
    if (row && (is_final(row->state) || row->state == post_state::in_flight)) continue;
    // A paused channel's post waits for the resume, which decides again.
    if (!policy.paused.empty() && policy.paused.contains(post.cal->channels[post.channel])) continue;
    if (post.due <= now)
      decide_due(post, std::move(key), row, now, policy, out);
    else
      wake_no_later_than(out, first_chance(post, row, policy));
  }
  return out;
}

namespace {

std::chrono::seconds wait_before_retry(const delivery_outcome& outcome, int attempts, double random01) {
  // "Retry-After: 0" from a busy service would otherwise spend every
  // attempt at once; a second is what backoff() waits at least too.
  if (outcome.retry_after) return std::max(*outcome.retry_after, std::chrono::seconds{1});
  return backoff(attempts, random01);
}

}  // namespace

failure_decision after_failure(const delivery_outcome& outcome, int attempts, date::sys_seconds due,
                               std::chrono::system_clock::time_point now, const schedule_policy& policy,
                               double random01) {
  if (outcome.result != delivery_outcome::kind::transient) return {std::nullopt, outcome.detail};
  if (attempts >= policy.attempts)
    return {std::nullopt, with_error("gave up after " + count_attempts(attempts), outcome.detail)};
  // Rounded up from the precise now: from a now cut to the second,
  // "Retry-After: 3" came back as a second try 2.36 s later.
  auto next = date::ceil<std::chrono::seconds>(now + wait_before_retry(outcome, attempts, random01));
  if (next > due + policy.catch_up)
    return {std::nullopt, with_error("window closes before the next try", outcome.detail)};
  return {next, outcome.detail};
}

}  // namespace herald
