// The wake-up timer, clock steps and the look-back (docs/daemon.md "Catch-up").
#include "daemon/clock_watch.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace herald {

using std::chrono::seconds;

clock_watch::clock_watch(env& environment, boost::asio::io_context& io, logger& log, woken handler)
    : env_(environment), log_(log), woken_(std::move(handler)), timer_(environment.make_wall_timer(io)) {}

void clock_watch::arm(std::optional<date::sys_seconds> wake, date::sys_seconds replan_at, date::sys_seconds now) {
  auto at = std::min(wake.value_or(date::sys_seconds::max()), replan_at);
  at = std::max(at, now + seconds{1});  // never a busy loop, whatever the core says
  offset_ = offset();
  timer_->wait_until(
      at, [this](wall_timer::event event) { woken_(event == wall_timer::event::clock_changed && stepped()); });
}

void clock_watch::cancel() { timer_->cancel(); }

std::chrono::system_clock::duration clock_watch::offset() const {
  return env_.wall_now().time_since_epoch() - env_.steady_now().time_since_epoch();
}

// The kernel reports every setting of the clock, also the tiny steps some
// hypervisors and NTP make many times an hour: only a step of a second or
// more (or a resume, which moves the wall clock against the monotonic one)
// is worth a new plan and a log line.
bool clock_watch::stepped() {
  auto step = offset() - offset_;
  if (step < seconds{1} && step > -seconds{1}) return false;
  log_.notice(fmt::format("the wall clock moved {:+.1f} s (set, or the machine resumed); planning again",
                          std::chrono::duration<double>(step).count()));
  return true;
}

seconds clock_watch::back_after_step(date::sys_seconds now, seconds catch_up) const {
  auto since_last = now > last_tick_ ? std::chrono::duration_cast<seconds>(now - last_tick_) : seconds{0};
  return std::min(catch_up + since_last, std::chrono::duration_cast<seconds>(longest_look_back));
}

namespace {

// The earliest pause (from the operators' log) of a channel resumed at or
// after `after`, or nullopt. A resume whose pause has left the log's last
// 200 lines reaches back as far as a start ever does.
std::optional<date::sys_seconds> pause_resumed_since(journal& store, date::sys_seconds after) {
  auto logged = store.actions(200);
  if (!logged.ok()) return std::nullopt;  // the start goes on; its journal errors show elsewhere
  const auto& actions = logged.value();   // newest first
  std::optional<date::sys_seconds> earliest;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    if (actions[i].action != "resume" || actions[i].at < after) continue;
    std::optional<date::sys_seconds> paused;
    for (std::size_t j = i + 1; j < actions.size() && !paused; ++j)
      if (actions[j].action == "pause" && actions[j].target == actions[i].target) paused = actions[j].at;
    auto from = paused ? *paused : actions[i].at - clock_watch::longest_look_back;
    if (!earliest || from < *earliest) earliest = from;
  }
  return earliest;
}

}  // namespace

// Posts that came due while herald was down and are past catch_up are
// recorded missed (docs/daemon.md "Delivery rules"), so the first plan reaches back to when herald
// last changed the journal: every post between then and now that is not
// final was never handled. A fresh journal looks back a week beyond
// catch_up, so a first start says what it came too late for.
//
// A channel paused while herald ran and resumed while it was stopped had
// posts that came due during the pause and have no row: the start reaches
// back to that pause (the operators' log says when), so those past catch_up
// are recorded missed and the others sent, as a resume seen by a running
// herald would judge them (docs/service.md "Operating herald").
seconds clock_watch::back_on_start(journal& store, logger& log, date::sys_seconds now, seconds catch_up) {
  auto newest = store.recent(1);
  if (!newest.ok() || newest.value().empty()) return catch_up + date::days{7};
  auto last_change = newest.value().front().updated_at;
  auto since = now - last_change;
  if (auto paused_from = pause_resumed_since(store, last_change)) since = std::max(since, now - *paused_from);
  auto longest = std::chrono::duration_cast<seconds>(longest_look_back);
  if (since > longest)
    log.notice(fmt::format("herald last worked {} days ago; posts due before the last {} days are not listed as missed",
                           std::chrono::duration_cast<date::days>(since).count(), longest_look_back.count()));
  return std::clamp(since, catch_up, std::max(catch_up, longest));
}

}  // namespace herald
