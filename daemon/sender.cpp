// The send loop: queue → journal → channel → journal. Its order is the
// exactly-once guard of docs/daemon.md "Delivery rules".
#include "daemon/sender.hpp"

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <utility>

#include "scheduling/delivery_defaults.hpp"
#include "text/instant_format.hpp"

namespace herald {

sender::sender(boost::asio::io_context& io, env& environment, logger& log, journal_guard& guard,
               curl_transport& transport, settings how, hooks to_loop)
    : io_(io),
      env_(environment),
      log_(log),
      guard_(guard),
      transport_(transport),
      settings_(how),
      hooks_(std::move(to_loop)),
      queue_(how.rate_per_second, delivery_defaults::in_flight_per_channel, how.burst),
      pacing_(environment.make_steady_timer(io)),
      renewal_(environment.make_steady_timer(io)),
      random_(environment.random_seed()),
      flush_deadline_(io) {}

void sender::use(std::shared_ptr<const loaded_sources> sources, const schedule_policy& policy) {
  sources_ = std::move(sources);
  policy_ = policy;
}

void sender::enqueue(send_queue::job job) {
  if (!queue_.contains(job.content.key)) queue_.push(std::move(job));
}

void sender::drop_waiting() { queue_.drop_waiting(); }

std::size_t sender::stop() {
  stopping_ = true;
  queue_.drop_waiting();
  pacing_->cancel();
  if (!outcomes_.empty()) record_outcomes_soon();
  return queue_.in_flight();
}

std::size_t sender::in_flight() const { return queue_.in_flight(); }

void sender::request_dispatch() {
  if (dispatch_posted_) return;
  dispatch_posted_ = true;
  boost::asio::post(io_, [this] {
    dispatch_posted_ = false;
    dispatch();
  });
}

// The journal first, then the channel: once begin_attempt has returned the
// attempt is on disk, so a crash after this point can only cause one more
// copy, never a lost record (docs/daemon.md "Delivery rules"). The round's
// attempts are one transaction, committed before any request leaves: one
// sync to disk for a burst instead of one per post (docs/PERFORMANCE.md "2026-12-03").
void sender::dispatch() {
  if (stopping_) return;
  auto ready = queue_.take_ready(env_.steady_now());
  auto& store = guard_.store();
  auto claimed_from = env_.steady_now();  // a shared journal's leases run from no earlier than this
  bool batched = ready.start.size() > 1 && !guard_.paused() && store.begin_changes().ok();
  auto round = begin(std::move(ready.start));
  if (batched)
    if (auto committed = store.commit_changes(); !committed.ok()) {
      // Rolled back: none of these attempts is on disk, so none may go out; the next tick queues them again.
      for (const auto& post : round) queue_.finished(post.a.key);
      round.clear();
      guard_.failed("recording attempts", committed.error());
    }
  for (auto& post : round) {
    if (lease_lapsed(claimed_from, post)) continue;
    deliver(std::move(post));
  }
  // This round may have filled a channel whose answers are waiting: they
  // free its places, so they are recorded now rather than at the deadline.
  if (!outcomes_.empty() && !may_defer_outcomes()) record_outcomes_soon();
  renew_leases_later();
  if (!ready.next) return;
  pacing_->wait_until(*ready.next, [this] { dispatch(); });
}

// The round's claims in one call: a shared journal makes them one
// statement (docs/PERFORMANCE.md "2026-12-03, evening: replicas claim round").
std::vector<sender::begun> sender::begin(std::vector<send_queue::job> jobs) {
  auto now = env_.now_seconds();
  std::vector<send_queue::job> wanted;
  for (auto& job : jobs) {
    if (now > job.due + policy_.catch_up) {  // it waited in the queue past its window
      queue_.finished(job.content.key);
      hooks_.want_tick();
    } else if (!guard_.file_intact() || guard_.paused()) {  // the tick after the pause queues it again
      queue_.finished(job.content.key);
    } else {
      wanted.push_back(std::move(job));
    }
  }
  std::vector<attempt_claim> claims;
  for (const auto& job : wanted) claims.push_back({job.content.key, job.due, job.content.channel, job.content.event});
  auto changes = guard_.store().begin_attempts(claims, now);
  std::vector<begun> round;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    const auto& content = wanted[i].content;
    attempt a{content.key, content.channel, content.event, wanted[i].due};
    if (i >= changes.size()) {  // not tried: the journal failed before it
      queue_.finished(a.key);
      continue;
    }
    const auto& began = changes[i];
    if (!began.ok() || began.value() == journal_change::refused) {
      queue_.finished(a.key);
      if (!began.ok()) guard_.failed("recording an attempt", began.error());
      // Another replica holds it: not this one's now. The tick this asks for
      // sees its row in flight, sends nothing, and sets the timer for when
      // that claim lapses (daemon_loop's watch_leases), should its holder die.
      else if (guard_.store().lease().count() > 0)
        hooks_.want_tick();
      continue;
    }
    round.push_back(begun{std::move(wanted[i]), std::move(a), now});
  }
  return round;
}

// A shared journal's claim holds for its lease from the claim on, by the
// database's clock; the claim's round trip (or a stalled link) may have
// eaten most of it. A post is handed to the network only while this
// process's steady clock says a third of the lease is still left: past
// that, another replica may be taking it over (docs/service.md "Replicas").
// The post was not sent, so it goes back to pending for a retry now.
bool sender::lease_lapsed(std::chrono::steady_clock::time_point claimed_from, const begun& post) {
  auto lease = guard_.store().lease();
  if (lease.count() == 0 || env_.steady_now() < claimed_from + lease - lease / 3) return false;
  log_.warning(
      fmt::format("{} to '{}' is not sent now: its claim took too long to be recorded, and may lapse; "
                  "it is tried again",
                  post.a.key, post.a.channel));
  auto released = guard_.store().record_retry(post.a.key, env_.now_seconds(), env_.now_seconds(),
                                              "the claim took too long to be recorded; not sent");
  if (!released.ok()) guard_.failed("releasing a claim", released.error());
  queue_.finished(post.a.key);
  hooks_.want_tick();
  return true;
}

// While posts are in flight their claims are renewed every third of the
// lease, so no other replica takes over a post that is still being sent.
// Also while the journal is paused: the pause (30 s) outlasts a lease, and
// one failed call (a restart, a lock timeout) must not let the claims of
// posts the channel may already have taken lapse while this replica lives
// (docs/service.md "Replicas"). A failed renewal is logged and tried again
// a third of the lease later.
void sender::renew_leases_later() {
  auto lease = guard_.store().lease();
  if (lease.count() == 0 || renewing_ || queue_.in_flight() == 0) return;
  renewing_ = true;
  renewal_->wait_until(env_.steady_now() + lease / 3, [this] {
    renewing_ = false;
    if (queue_.in_flight() == 0) return;
    if (!guard_.file_lost())
      if (auto renewed = guard_.store().renew_leases(queue_.in_flight_keys()); !renewed.ok())
        guard_.failed("renewing the claims of posts in flight", renewed.error());
    renew_leases_later();
  });
}

void sender::deliver(begun post) {
  const auto& a = post.a;
  auto channel = sources_->channels.find(a.channel);
  if (channel == sources_->channels.end()) {  // load_sources checks every step's channel; kept as a guard
    finished(a, {delivery_outcome::kind::permanent, std::nullopt, "no such channel in the config"});
    return;
  }
  if (settings_.dry_run) {
    log_.info(fmt::format("dry run: would send {} to '{}' ({})", a.key, a.channel, channel->second.describe()));
    finished(a, {delivery_outcome::kind::sent, std::nullopt, "dry run"});
    return;
  }
  channel->second.deliver(post.job.content, transport_, *settings_.console, settings_.console_format, post.now,
                          [this, a, keep = sources_](const delivery_outcome& outcome) { finished(a, outcome); });
}

// Outcomes wait for the end of the loop turn and are recorded together, in
// one journal transaction: one sync to disk for the answers of a burst
// instead of one per post (docs/PERFORMANCE.md "The remaining goals (2026-12-03)"). A post's key
// stays in flight until its outcome is committed, so it is not started
// again meanwhile; a crash before the commit leaves it in flight, which a
// restart treats as possibly sent (docs/daemon.md "Delivery rules").
//
// While other posts of a burst are still in flight, answers wait a little
// longer, up to `outcome_wait`: each commit is a sync to disk that holds up
// the loop, and with it the requests still to go out (a burst went out at
// about 8 posts per sync; docs/PERFORMANCE.md
// "2026-12-03, afternoon: bursts and transport throughput"). They are
// recorded at once when nothing else is in flight, when a stop is
// draining, or when a post waits for a place in flight that only a
// recorded outcome frees. A crash meanwhile leaves them in flight, as
// above: sent once more at most.
constexpr std::chrono::milliseconds outcome_wait{100};

void sender::finished(const attempt& a, const delivery_outcome& outcome) {
  outcomes_.emplace_back(a, outcome);
  if (!may_defer_outcomes()) return record_outcomes_soon();
  if (flush_deadline_armed_) return;
  flush_deadline_armed_ = true;
  flush_deadline_.expires_after(outcome_wait);
  flush_deadline_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: recorded meanwhile (or the sender is gone)
    flush_deadline_armed_ = false;
    record_outcomes();
  });
}

bool sender::may_defer_outcomes() const {
  return !stopping_ && transport_.in_flight() > 0 && !queue_.held_by_in_flight();
}

void sender::record_outcomes_soon() {
  if (flush_posted_) return;
  flush_posted_ = true;
  boost::asio::post(io_, [this] {
    flush_posted_ = false;
    record_outcomes();
  });
}

void sender::record_outcomes() {
  if (outcomes_.empty()) return;
  if (std::exchange(flush_deadline_armed_, false)) flush_deadline_.cancel();
  auto batch = std::exchange(outcomes_, {});
  auto& store = guard_.store();
  // While the journal is paused, trying would only wait out SQLite's busy
  // timeout again, with the loop blocked: keep the outcomes for the retry.
  batching_ = batch.size() > 1 && !guard_.paused() && store.begin_changes().ok();
  // The successes in one call: a shared journal records them in one
  // statement (docs/PERFORMANCE.md "2026-12-03, evening: replicas claim round").
  auto now = env_.now_seconds();
  std::vector<std::size_t> successes;
  std::vector<std::string_view> sent_keys;
  for (std::size_t i = 0; i < batch.size() && !guard_.paused(); ++i)
    if (batch[i].second.sent()) {
      successes.push_back(i);
      sent_keys.push_back(batch[i].first.key);
    }
  auto sent_changes = store.record_sent_all(sent_keys, now);
  std::vector<const result<journal_change>*> sent_change(batch.size(), nullptr);  // none: not tried
  for (std::size_t j = 0; j < sent_changes.size(); ++j) sent_change[successes[j]] = &sent_changes[j];
  std::vector<std::size_t> recorded;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& [a, outcome] = batch[i];
    bool done = outcome.sent() ? sent_change[i] && record_sent(a, outcome, *sent_change[i], now)
                               : !guard_.paused() && record_failure(a, outcome, env_.now_seconds());
    if (done)
      recorded.push_back(i);
    else
      guard_.keep(a, outcome);  // its key stays in flight until recorded
  }
  if (std::exchange(batching_, false)) {
    if (auto committed = store.commit_changes(); !committed.ok()) {
      // Rolled back: none of them is on disk; the journal guard keeps them all.
      for (auto i : recorded) guard_.keep(batch[i].first, batch[i].second);
      recorded.clear();
      after_commit_.clear();
      guard_.failed("recording outcomes", committed.error());
    }
    for (auto& effect : std::exchange(after_commit_, {})) effect();
  }
  for (auto i : recorded) queue_.finished(batch[i].first.key);
  if (recorded.empty()) return;
  if (stopping_ && queue_.in_flight() == 0) {
    hooks_.drained();
    return;
  }
  request_dispatch();
}

// Runs `effect` (a log line, a hook) now, or after the commit of the
// outcomes being recorded together: nothing is said about a change before
// it is on disk.
void sender::once_recorded(std::function<void()> effect) {
  if (batching_)
    after_commit_.push_back(std::move(effect));
  else
    effect();
}

// What the journal did with a success; false when it failed to take it
// (logged; try again later).
bool sender::record_sent(const attempt& a, const delivery_outcome& outcome, const result<journal_change>& recorded,
                         date::sys_seconds now) {
  if (!recorded.ok()) {
    guard_.failed(fmt::format("recording that {} was sent", a.key), recorded.error());
    return false;
  }
  if (recorded.value() == journal_change::refused) {
    // Its claim lapsed and another replica took the post over (docs/service.md "Replicas"):
    // that replica's outcome stands.
    once_recorded([this, line = fmt::format("sent {} to '{}' ({}), but another replica took the post over "
                                            "meanwhile: it may have gone out twice",
                                            a.key, a.channel, outcome.detail)] { log_.warning(line); });
  } else if (!settings_.dry_run) {
    once_recorded(
        [this, line = fmt::format("sent {} to '{}': {}", a.key, a.channel, outcome.detail)] { log_.info(line); });
  }
  tell_recorded(a, outcome, false, now);
  return true;
}

bool sender::record_failure(const attempt& a, const delivery_outcome& outcome, date::sys_seconds now) {
  auto& store = guard_.store();
  auto row = store.find(a.key);
  if (!row.ok()) {
    guard_.failed("reading a post", row.error());
    return false;
  }
  int attempts = row.value() ? row.value()->attempts : 1;
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  auto decision = after_failure(outcome, attempts, a.due, env_.wall_now(), policy_, jitter(random_));
  bool interrupted_before = row.value() && row.value()->interrupted > 0;
  if (outcome.unanswered) return record_unanswered(a, outcome, decision, !interrupted_before, now);
  // The once-more of an earlier attempt that may have arrived, failing
  // transiently with no try left: that earlier copy may be there, so the
  // post is unconfirmed, not failed (docs/daemon.md "Delivery rules").
  if (interrupted_before && outcome.result == delivery_outcome::kind::transient && !decision.next_try)
    return record_unanswered(a, outcome, decision, false, now);
  if (decision.next_try) {
    auto recorded = store.record_retry(a.key, now, *decision.next_try, decision.reason);
    if (!recorded.ok()) {
      guard_.failed("recording a retry", recorded.error());
      return false;
    }
    once_recorded([this, line = fmt::format("{} to '{}' did not go out ({}); trying again at {} (attempt {} of {})",
                                            a.key, a.channel, decision.reason, format_utc_instant(*decision.next_try),
                                            attempts + 1, policy_.attempts)] { log_.warning(line); });
    tell_recorded(a, outcome, true, now);
    once_recorded([this] { hooks_.want_tick(); });  // the retry may come before the armed wake-up
    return true;
  }
  auto recorded = store.record_failed(a.key, now, decision.reason);
  if (!recorded.ok()) {
    guard_.failed("recording a failed post", recorded.error());
    return false;
  }
  once_recorded(
      [this, line = fmt::format("failed {} to '{}': {}", a.key, a.channel, decision.reason)] { log_.error(line); });
  tell_recorded(a, outcome, false, now);
  return true;
}

// A request sent whole and never answered may have arrived: sent once
// more at most (its retry counts as an interruption, so a stop during it
// does not send a third copy), then unconfirmed — never failed, which would
// say it did not arrive (docs/daemon.md "Delivery rules").
bool sender::record_unanswered(const attempt& a, const delivery_outcome& outcome, const failure_decision& decision,
                               bool first, date::sys_seconds now) {
  auto next_try = first ? decision.next_try : std::nullopt;
  auto recorded = guard_.store().record_unanswered(a.key, now, next_try, decision.reason);
  if (!recorded.ok()) {
    guard_.failed("recording an unanswered post", recorded.error());
    return false;
  }
  if (next_try)
    once_recorded([this, line = fmt::format("{} to '{}': {}; trying once more at {}", a.key, a.channel, outcome.detail,
                                            format_utc_instant(*next_try))] { log_.warning(line); });
  else
    once_recorded(
        [this, line = fmt::format("unconfirmed {} to '{}': {}; not sent again (`herald resend` sends it once more)",
                                  a.key, a.channel, decision.reason)] { log_.error(line); });
  tell_recorded(a, outcome, next_try.has_value(), now);
  if (next_try) once_recorded([this] { hooks_.want_tick(); });
  return true;
}

void sender::tell_recorded(const attempt& a, const delivery_outcome& outcome, bool retry, date::sys_seconds now) {
  if (hooks_.recorded) once_recorded([this, a, outcome, retry, now] { hooks_.recorded({a, outcome, retry, now}); });
}

// At once, not at the end of the turn: a stop's last try calls this just
// before the loop ends.
void sender::record_unrecorded() {
  for (auto& kept : guard_.take_unrecorded()) outcomes_.push_back(std::move(kept));
  record_outcomes();
}

}  // namespace herald
