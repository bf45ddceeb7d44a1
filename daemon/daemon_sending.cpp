// herald run, the loop's work: plan the calendars, ask the scheduler what
// is due, carry it out (journal first, then the channel), record outcomes,
// and sleep on the wall-clock timer. Lifecycle: daemon_loop.cpp.
#include <algorithm>
#include <set>
#include <span>

#include <boost/asio/post.hpp>

#include "daemon/daemon_loop_impl.hpp"
#include "scheduling/post_builder.hpp"
#include "text/instant_format.hpp"

namespace herald {

// `back`: how far before now posts are planned; catch_up normally, longer
// after a start, a suspend or a clock step, so what came due meanwhile is
// recorded missed (docs/daemon.md "Delivery rules") rather than silently left out.
void daemon_loop::impl::replan(date::sys_seconds now, std::chrono::seconds back) {
  plan = plan_calendars(sources->calendars, now, std::max(back, policy.catch_up));
  give_up_unplanned(now);
}

// A pending row (waiting for a retry, or interrupted) that the plan no
// longer holds was removed from the calendar by an edit, or its window
// closed: decide() never sees it again, so it is given up here rather than
// left pending for ever. History stays; the post is not sent.
void daemon_loop::impl::give_up_unplanned(date::sys_seconds now) {
  auto pending = store->entries_in(post_state::pending);
  if (!pending.ok()) return journal_failed("reading pending posts", pending.error());
  if (pending.value().empty()) return;
  std::set<std::string, std::less<>> planned;
  for (const auto& post : plan.posts) planned.insert(post.key());
  for (const auto& row : pending.value()) {
    // A row due after the plan's reach (a clock far behind) may be planned later.
    if (planned.contains(row.key) || row.due >= plan.covers_until) continue;
    auto reason = row.due + policy.catch_up < now ? "its window closed" : "it is no longer in the calendar";
    auto recorded = store->record_failed(row.key, now, fmt::format("{}; not sent", reason));
    if (!recorded.ok()) return journal_failed("recording a post given up", recorded.error());
    log.notice(fmt::format("gave up {} to '{}': {}", row.key, row.channel, reason));
  }
}

// Posts that came due while herald was down and are past catch_up are
// recorded missed (docs/daemon.md "Delivery rules"), so the first plan reaches back to when herald
// last changed the journal: every post between then and now that is not
// final was never handled. A fresh journal looks back a week beyond
// catch_up, so a first start says what it came too late for.
std::chrono::seconds daemon_loop::impl::look_back(date::sys_seconds now) {
  auto newest = store->recent(1);
  if (!newest.ok() || newest.value().empty()) return policy.catch_up + date::days{7};
  auto since = now - newest.value().front().updated_at;
  auto longest = std::chrono::duration_cast<seconds>(longest_look_back);
  if (since > longest)
    log.notice(fmt::format("herald last worked {} days ago; posts due before the last {} days are not listed as missed",
                           std::chrono::duration_cast<date::days>(since).count(), longest_look_back.count()));
  return std::clamp(since, policy.catch_up, std::max(policy.catch_up, longest));
}

void daemon_loop::impl::request_tick() {
  if (tick_posted || stopping) return;
  tick_posted = true;
  asio::post(io, [this] { tick(); });
}

// The heart of the loop: decide what is due, carry it out, sleep until the
// next instant anything can change.
void daemon_loop::impl::tick() {
  tick_posted = false;
  if (stopping) return;
  auto now = current_time();
  if (now >= plan.replan_at) replan(now, policy.catch_up);
  last_tick = now;
  auto decided = decide(
      plan.posts, [this](std::string_view key) { return lookup(key); }, now, policy);
  for (const auto& action : decided.actions) carry_out(action, now);
  dispatch();
  arm_wake(decided.wake, now);
  update_status(now);
}

// A journal that cannot be read answers "in flight": nothing is sent that
// might have been sent already; the loop looks again after journal_pause.
const journal_entry* daemon_loop::impl::lookup(std::string_view key) {
  // Each failing call may wait out SQLite's busy timeout: after one failure
  // the rest of the pass answers at once (and the watchdog stays fed).
  if (!journal_paused) {
    auto found = store->find(key);
    if (found.ok()) {
      looked_up = std::move(found.value());
      return looked_up ? &*looked_up : nullptr;
    }
    journal_failed("reading a post", found.error());
  }
  looked_up.emplace();
  looked_up->key = key;
  looked_up->state = post_state::in_flight;
  return &*looked_up;
}

void daemon_loop::impl::carry_out(const scheduled_action& action, date::sys_seconds now) {
  const auto& post = *action.post;
  const auto& channel = post.cal->channels[post.channel];
  const auto& event = post.cal->events[post.event].id;
  switch (action.what) {
    case scheduled_action::kind::send:
      if (!queue->contains(action.key)) queue->push({make_post_content(post), post.due});
      break;
    case scheduled_action::kind::miss: {
      auto recorded = store->record_missed(action.key, post.due, channel, event, now);
      if (!recorded.ok()) return journal_failed("recording a missed post", recorded.error());
      log.warning(fmt::format("missed {}: it was due at {}, longer ago than catch_up allows; it is not sent",
                              action.key, format_utc_instant(post.due)));
      break;
    }
    case scheduled_action::kind::give_up: {
      auto recorded = store->record_failed(action.key, now, action.reason);
      if (!recorded.ok()) return journal_failed("recording a failed post", recorded.error());
      log.error(fmt::format("failed {} to '{}': {}", action.key, channel, action.reason));
      break;
    }
  }
}

void daemon_loop::impl::arm_wake(std::optional<date::sys_seconds> wake, date::sys_seconds now) {
  auto at = std::min(wake.value_or(date::sys_seconds::max()), plan.replan_at);
  at = std::max(at, now + seconds{1});  // never a busy loop, whatever the core says
  clock_offset =
      std::chrono::system_clock::now().time_since_epoch() - std::chrono::steady_clock::now().time_since_epoch();
  wake_timer->wait_until(at, [this](wall_clock_timer::event event) {
    if (event == wall_clock_timer::event::clock_changed) clock_changed();
    tick();
  });
}

// The kernel reports every setting of the clock, also the tiny steps some
// hypervisors and NTP make many times an hour: only a step of a second or
// more (or a resume, which moves the wall clock against the monotonic one)
// is worth a new plan and a log line.
void daemon_loop::impl::clock_changed() {
  auto offset =
      std::chrono::system_clock::now().time_since_epoch() - std::chrono::steady_clock::now().time_since_epoch();
  auto step = offset - clock_offset;
  if (step < seconds{1} && step > -seconds{1}) return;
  auto now = current_time();
  log.notice(fmt::format("the wall clock moved {:+.1f} s (set, or the machine resumed); planning again",
                         std::chrono::duration<double>(step).count()));
  auto since_last = now > last_tick ? std::chrono::duration_cast<seconds>(now - last_tick) : seconds{0};
  replan(now, std::min(policy.catch_up + since_last, std::chrono::duration_cast<seconds>(longest_look_back)));
}

// STATUS= names the next post (docs/daemon.md), for `systemctl status herald`.
// Sent only when it changes, which sends do not: sd_notify blocks when
// systemd's socket queue is full, so one message per post would be a risk.
void daemon_loop::impl::update_status(date::sys_seconds now) {
  std::string status = "no post planned in the coming weeks";
  auto first_future = std::upper_bound(plan.posts.begin(), plan.posts.end(), now,
                                       [](date::sys_seconds t, const planned_post& post) { return t < post.due; });
  for (const auto& post : std::span(first_future, plan.posts.end())) {
    auto key = post.key();
    auto row = store->find(key);
    if (row.ok() && row.value() && is_final(row.value()->state)) continue;
    status = fmt::format("next: {} at {}", key, format_local_instant(*post.cal->zone, post.due));
    break;
  }
  if (status == last_status) return;
  last_status = status;
  notifier.status(status);
}

void daemon_loop::impl::request_dispatch() {
  if (dispatch_posted) return;
  dispatch_posted = true;
  asio::post(io, [this] {
    dispatch_posted = false;
    dispatch();
  });
}

void daemon_loop::impl::dispatch() {
  if (stopping) return;
  auto ready = queue->take_ready(send_queue::clock::now());
  for (auto& job : ready.start) start(std::move(job));
  if (!ready.next) return;
  pacing.expires_at(*ready.next);
  pacing.async_wait([this](const boost::system::error_code& error) {
    if (!error) dispatch();
  });
}

// The journal first, then the channel: once begin_attempt has returned the
// attempt is on disk, so a crash after this point can only cause one more
// copy, never a lost record (docs/daemon.md "Delivery rules").
void daemon_loop::impl::start(send_queue::job job) {
  const auto& content = job.content;
  attempt a{content.key, content.channel, content.event, job.due};
  auto now = current_time();
  if (now > job.due + policy.catch_up) {  // it waited in the queue past its window
    queue->finished(a.key);
    request_tick();
    return;
  }
  if (journal_paused) {  // the tick after the pause queues it again
    queue->finished(a.key);
    return;
  }
  auto began = store->begin_attempt(a.key, a.due, a.channel, a.event, now);
  if (!began.ok() || began.value() == journal_change::refused) {
    queue->finished(a.key);
    if (!began.ok()) journal_failed("recording an attempt", began.error());
    return;
  }
  auto channel = sources->channels.find(a.channel);
  if (channel == sources->channels.end()) {  // load_sources checks every step's channel; kept as a guard
    finished(a, {delivery_outcome::kind::permanent, std::nullopt, "no such channel in the config"});
    return;
  }
  if (options.dry_run) {
    log.info(fmt::format("dry run: would send {} to '{}' ({})", a.key, a.channel, channel->second.describe()));
    finished(a, {delivery_outcome::kind::sent, std::nullopt, "dry run"});
    return;
  }
  channel->second.deliver(content, *transport, *options.console, now,
                          [this, a, keep = sources](const delivery_outcome& outcome) { finished(a, outcome); });
}

void daemon_loop::impl::finished(const attempt& a, const delivery_outcome& outcome) {
  // While the journal is paused, trying would only wait out SQLite's busy
  // timeout again, with the loop blocked: keep the outcome for the retry.
  if (journal_paused || !record_outcome(a, outcome)) {
    unrecorded.emplace_back(a, outcome);  // its key stays in flight until recorded
    return;
  }
  queue->finished(a.key);
  if (stopping && queue->in_flight() == 0) {
    io.stop();
    return;
  }
  request_dispatch();
}

// False when the journal refused to take it (logged; try again later).
bool daemon_loop::impl::record_outcome(const attempt& a, const delivery_outcome& outcome) {
  auto now = current_time();
  if (!outcome.sent()) return record_failure(a, outcome, now);
  auto recorded = store->record_sent(a.key, now);
  if (!recorded.ok()) {
    journal_failed(fmt::format("recording that {} was sent", a.key), recorded.error());
    return false;
  }
  if (!options.dry_run) log.info(fmt::format("sent {} to '{}': {}", a.key, a.channel, outcome.detail));
  return true;
}

bool daemon_loop::impl::record_failure(const attempt& a, const delivery_outcome& outcome, date::sys_seconds now) {
  auto row = store->find(a.key);
  if (!row.ok()) {
    journal_failed("reading a post", row.error());
    return false;
  }
  int attempts = row.value() ? row.value()->attempts : 1;
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  auto decision = after_failure(outcome, attempts, a.due, now, policy, jitter(random));
  if (decision.next_try) {
    auto recorded = store->record_retry(a.key, now, *decision.next_try, decision.reason);
    if (!recorded.ok()) {
      journal_failed("recording a retry", recorded.error());
      return false;
    }
    log.warning(fmt::format("{} to '{}' did not go out ({}); trying again at {} (attempt {} of {})", a.key, a.channel,
                            decision.reason, format_utc_instant(*decision.next_try), attempts + 1, policy.attempts));
    request_tick();  // the retry may come before the armed wake-up
    return true;
  }
  auto recorded = store->record_failed(a.key, now, decision.reason);
  if (!recorded.ok()) {
    journal_failed("recording a failed post", recorded.error());
    return false;
  }
  log.error(fmt::format("failed {} to '{}': {}", a.key, a.channel, decision.reason));
  return true;
}

void daemon_loop::impl::record_unrecorded() {
  auto waiting = std::move(unrecorded);
  unrecorded.clear();
  for (const auto& [a, outcome] : waiting) finished(a, outcome);
}

// A journal that fails (locked by another process, disk full) is tried
// again after journal_pause: then the outcomes it could not take are
// written, and the loop decides again what it could not read.
void daemon_loop::impl::journal_failed(std::string_view what, const std::string& error) {
  log.error(fmt::format("{}: {}; trying again in {} s", what, error, journal_pause.count()));
  if (journal_paused) return;
  journal_paused = true;
  journal_pause_timer.expires_after(journal_pause);
  journal_pause_timer.async_wait([this](const boost::system::error_code& failure) {
    if (failure) return;
    journal_paused = false;
    record_unrecorded();
    request_tick();
  });
}

}  // namespace herald
