// herald run, the loop's work: plan the calendars, ask the scheduler what
// is due, carry it out (sends go to the sender, daemon/sender.hpp), and
// sleep on the wall-clock timer (daemon/clock_watch.hpp). Lifecycle:
// daemon_loop.cpp.
#include <algorithm>
#include <set>
#include <span>

#include <boost/asio/post.hpp>

#include "daemon/daemon_loop_impl.hpp"
#include "daemon/operator_watch.hpp"
#include "scheduling/post_builder.hpp"
#include "text/instant_format.hpp"

namespace herald {

// `back`: how far before now posts are planned; catch_up normally, longer
// after a start, a suspend or a clock step, so what came due meanwhile is
// recorded missed (docs/daemon.md "Delivery rules") rather than silently left out.
void daemon_loop::impl::replan(date::sys_seconds now, std::chrono::seconds back) {
  planned_at = now;
  planned_back = std::max(back, policy.catch_up);
  plan = plan_calendars(calendars, planned_at, planned_back);
  give_up_unplanned(now);
}

// A pending row (waiting for a retry, or interrupted) that the plan no
// longer holds was removed from the calendar by an edit, or its window
// closed: decide() never sees it again, so it is given up here rather than
// left pending for ever. History stays; the post is not sent.
void daemon_loop::impl::give_up_unplanned(date::sys_seconds now) {
  if (calendars.empty()) return;  // no schedule (a failed reload's copy did not load): nothing is known to be gone
  auto pending = store->entries_in(post_state::pending);
  if (!pending.ok()) return guard->failed("reading pending posts", pending.error());
  if (pending.value().empty()) return;
  std::set<std::string, std::less<>> planned;
  for (const auto& post : plan.posts) planned.insert(post.key());
  std::size_t planned_before = plan.posts.size();
  for (const auto& row : pending.value()) {
    // A row due after the plan's reach (a clock far behind) may be planned later.
    if (planned.contains(row.key) || row.due >= plan.covers_until) continue;
    // A resent post may be older than the plan reaches: planned on its own.
    if (auto post = row.resent_at ? plan_one(calendars, row.event, row.key, row.due) : std::nullopt) {
      plan.posts.push_back(*post);
      continue;
    }
    auto reason = row.due + policy.catch_up < now ? "its window closed" : "it is no longer in the calendar";
    auto recorded = store->record_failed(row.key, now, fmt::format("{}; not sent", reason));
    if (!recorded.ok()) return guard->failed("recording a post given up", recorded.error());
    log.notice(fmt::format("gave up {} to '{}': {}", row.key, row.channel, reason));
  }
  if (plan.posts.size() != planned_before) sort_posts(plan.posts);
}

void daemon_loop::impl::request_tick() {
  if (tick_posted || stopping) return;
  tick_posted = true;
  boost::asio::post(io, [this] { tick(); });
}

// The heart of the loop: decide what is due, carry it out, sleep until the
// next instant anything can change.
void daemon_loop::impl::tick() {
  tick_posted = false;
  if (stopping) return;
  auto now = current_time();
  if (now >= plan.replan_at) replan(now, policy.catch_up);
  clock->ticked(now);
  guard->file_intact();              // a lost journal answers "in flight": nothing is sent
  if (store->lease().count() > 0) {  // a shared journal: the rows of the posts due in one round trip
    std::vector<std::string> due;
    for (const auto& post : plan.posts) {
      if (post.due > now) break;
      due.push_back(post.key());
    }
    guard->read_ahead(due);
  }
  auto decided = decide(
      plan.posts, [this](std::string_view key) { return guard->lookup(key); }, now, policy);
  guard->forget_read_ahead();
  carry_out_all(decided.actions, now);
  out->dispatch();
  clock->arm(decided.wake, plan.replan_at, now);
  watch_leases();
  update_status(now);
}

// A shared journal (docs/service.md "Replicas"): another replica's claim
// that lapses means it died or lost the database with the post in flight.
// The timer is set for the first lapse the database knows of, asked after
// each decision (which is when this replica sees posts others hold), so an
// idle replica with nothing in flight elsewhere is never woken.
void daemon_loop::impl::watch_leases() {
  if (store->lease().count() == 0 || guard->paused() || stopping) return;
  auto next = store->next_lapse();
  if (!next.ok()) return guard->failed("reading the other replicas' claims", next.error());
  if (!next.value()) return lapse->cancel();
  // A little after the lapse, so the database's now() has passed it too.
  lapse->wait_until(environment.steady_now() + *next.value() + std::chrono::milliseconds{200},
                    [this] { take_lapsed(); });
}

// Each taken post goes back to pending, interrupted once more: decide()
// sends it once more, or gives it up after a second interruption, as on a
// restart (docs/daemon.md "Delivery rules").
void daemon_loop::impl::take_lapsed() {
  if (stopping || guard->paused()) return;
  auto taken = store->take_lapsed(current_time());
  if (!taken.ok()) return guard->failed("taking over lapsed claims", taken.error());
  for (const auto& row : taken.value())
    log.warning(
        fmt::format("took over {} to '{}' from replica {}: its claim lapsed while it was in flight, so it "
                    "may have gone out{}",
                    row.key, row.channel, row.replica.empty() ? "?" : row.replica,
                    row.interrupted > 1 ? " (for the second time): it is not sent again" : ""));
  report_cache.reset();
  tick();
}

// Many posts missed at once (a first start looks back a week beyond
// catch_up; a long stop) are recorded in one journal transaction, one sync
// to disk instead of one per post, and summed up in one log line past the
// first few (docs/PERFORMANCE.md "2026-12-03"); `herald status` lists them all.
void daemon_loop::impl::carry_out_all(const std::vector<scheduled_action>& actions, date::sys_seconds now) {
  constexpr std::ptrdiff_t listed_misses = 10;
  auto is_miss = [](const scheduled_action& a) { return a.what == scheduled_action::kind::miss; };
  auto misses = std::count_if(actions.begin(), actions.end(), is_miss);
  // Without a transaction each change still commits on its own: slower, not wrong.
  bool batched = misses > 1 && store->begin_changes().ok();
  for (const auto& action : actions) carry_out(action, now, misses <= listed_misses);
  if (batched)
    if (auto committed = store->commit_changes(); !committed.ok())
      return guard->failed("recording missed posts", committed.error());
  if (misses <= listed_misses) return;
  date::sys_seconds first = date::sys_seconds::max(), last = date::sys_seconds::min();
  for (const auto& action : actions)
    if (is_miss(action)) first = std::min(first, action.post->due), last = std::max(last, action.post->due);
  log.warning(
      fmt::format("missed {} posts due from {} to {}, longer ago than catch_up allows; they are not sent "
                  "(`herald status` lists them)",
                  misses, format_utc_instant(first), format_utc_instant(last)));
}

void daemon_loop::impl::carry_out(const scheduled_action& action, date::sys_seconds now, bool log_miss) {
  const auto& post = *action.post;
  const auto& channel = post.cal->channels[post.channel];
  const auto& event = post.cal->events[post.event].id;
  switch (action.what) {
    case scheduled_action::kind::send:
      out->enqueue({make_post_content(post), action.window_from});
      break;
    case scheduled_action::kind::miss: {
      auto recorded = store->record_missed(action.key, post.due, channel, event, now);
      if (!recorded.ok()) return guard->failed("recording a missed post", recorded.error());
      if (log_miss)
        log.warning(fmt::format("missed {}: it was due at {}, longer ago than catch_up allows; it is not sent",
                                action.key, format_utc_instant(post.due)));
      break;
    }
    case scheduled_action::kind::give_up: {
      auto recorded = store->record_failed(action.key, now, action.reason);
      if (!recorded.ok()) return guard->failed("recording a failed post", recorded.error());
      log.error(fmt::format("failed {} to '{}': {}", action.key, channel, action.reason));
      break;
    }
    case scheduled_action::kind::unconfirm: {
      auto recorded = store->record_unanswered(action.key, now, std::nullopt, action.reason);
      if (!recorded.ok()) return guard->failed("recording an unconfirmed post", recorded.error());
      log.error(fmt::format("unconfirmed {} to '{}': {}; it may have arrived, and is not sent again", action.key,
                            channel, action.reason));
      break;
    }
  }
}

// The wake-up: a clock step of a second or more plans again first, reaching
// back over what the step skipped.
void daemon_loop::impl::woke(bool clock_stepped) {
  if (clock_stepped) {
    auto now = current_time();
    replan(now, clock->back_after_step(now, policy.catch_up));
  }
  tick();
}

// STATUS= names the next post (docs/daemon.md), for `systemctl status herald`,
// after the reasons when the daemon is degraded; the health file follows
// the same reasons (publish_health).
// Sent only when it changes, which sends do not: sd_notify blocks when
// systemd's socket queue is full, so one message per post would be a risk.
void daemon_loop::impl::update_status(date::sys_seconds now) {
  std::string status = "no post planned in the coming weeks";
  next_due.reset();
  auto first_future = std::upper_bound(plan.posts.begin(), plan.posts.end(), now,
                                       [](date::sys_seconds t, const planned_post& post) { return t < post.due; });
  // A paused journal is not touched: a database that is away could hold
  // the loop for its connect timeout. The first planned post is named then.
  const bool journal_readable = !guard || !guard->paused();
  for (const auto& post : std::span(first_future, plan.posts.end())) {
    auto key = post.key();
    if (journal_readable) {
      auto row = store->find(key);
      if (row.ok() && row.value() && is_final(row.value()->state)) continue;
    }
    if (policy.paused.contains(post.cal->channels[post.channel])) continue;  // waits for a resume
    status = fmt::format("next: {} at {}", key, format_local_instant(*post.cal->zone, post.due));
    next_due = post.due;
    break;
  }
  auto reasons = degraded_reasons();
  publish_health(reasons, now);
  status = status_line(reasons, status);
  if (status == last_status) return;
  last_status = status;
  notifier.status(status);
}

// The health file for `herald status` (docs/daemon.md "Health"), written
// only when the reasons change: this runs on every tick, the write does
// not. A write that fails does not stop the daemon: logged once, tried
// again at the next change.
void daemon_loop::impl::publish_health(const std::vector<std::string>& reasons, date::sys_seconds now) {
  if (!published) return;
  if (auto problem = published->update(reasons, now))
    log.warning(fmt::format("{}; `herald status` shows the health as unknown until a write succeeds", *problem));
}

// The config's policy, with the channels an operator paused.
schedule_policy daemon_loop::impl::policy_of(const config& cfg) const {
  schedule_policy made{cfg.catch_up, cfg.delivery.attempts, {}};
  for (const auto& [channel, since] : paused_since) made.paused.insert(channel);
  return made;
}

// The paused channels as the journal has them now. Returns how far back a
// plan must reach for the posts of channels resumed since the last read:
// to when each was paused (docs/service.md "Operating herald": those still
// inside catch_up go out, older ones are recorded missed).
result<std::chrono::seconds> daemon_loop::impl::read_paused(date::sys_seconds now) {
  auto paused = store->paused_channels();
  if (!paused.ok()) return failure{paused.error()};
  std::map<std::string, date::sys_seconds, std::less<>> now_paused;
  for (const auto& pause : paused.value()) {
    if (!paused_since.contains(pause.channel))
      log.notice(
          fmt::format("channel '{}' is paused (by {}): its posts wait for `herald resume`", pause.channel, pause.user));
    now_paused.emplace(pause.channel, pause.since);
  }
  std::chrono::seconds back{0};
  for (const auto& [channel, since] : paused_since) {
    if (now_paused.contains(channel)) continue;
    log.notice(
        fmt::format("channel '{}' resumed: its posts due since {} go out if still within catch_up, older "
                    "ones are recorded missed",
                    channel, format_utc_instant(since)));
    back = std::max(back, std::chrono::duration_cast<std::chrono::seconds>(now - since));
  }
  paused_since = std::move(now_paused);
  return back;
}

// An operator skipped, resent, paused or resumed (operator_watch): log who
// did what, read the paused channels again, and decide again from a fresh
// plan (a resent post is planned again; a resumed channel's posts since
// its pause). False when the journal failed: the watch asks again.
bool daemon_loop::impl::operators_acted(std::int64_t seen) {
  if (stopping) return true;
  auto now = current_time();
  auto logged = store->actions(20);
  if (!logged.ok()) return guard->failed("reading the operators' actions", logged.error()), false;
  for (auto it = logged.value().rbegin(); it != logged.value().rend(); ++it)
    if (it->id > seen) log.notice(fmt::format("{} by {}: {}", it->action, it->user, it->target));
  auto back = read_paused(now);
  if (!back.ok()) return guard->failed("reading the paused channels", back.error()), false;
  policy = policy_of(sources->cfg);
  out->use(sources, policy);
  out->drop_waiting();  // a skipped post or a paused channel's waits no more; decide() queues the rest
  report_cache.reset();
  replan(now, std::min<std::chrono::seconds>(std::max(back.value(), policy.catch_up), clock_watch::longest_look_back));
  tick();
  return true;
}

}  // namespace herald
