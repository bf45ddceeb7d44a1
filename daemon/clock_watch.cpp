// The wake-up timer, clock steps and the look-back (docs/daemon.md "Catch-up").
#include "daemon/clock_watch.hpp"

#include <algorithm>

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

// Posts that came due while herald was down and are past catch_up are
// recorded missed (docs/daemon.md "Delivery rules"), so the first plan reaches back to when herald
// last changed the journal: every post between then and now that is not
// final was never handled. A fresh journal looks back a week beyond
// catch_up, so a first start says what it came too late for.
seconds clock_watch::back_on_start(journal& store, logger& log, date::sys_seconds now, seconds catch_up) {
  auto newest = store.recent(1);
  if (!newest.ok() || newest.value().empty()) return catch_up + date::days{7};
  auto since = now - newest.value().front().updated_at;
  auto longest = std::chrono::duration_cast<seconds>(longest_look_back);
  if (since > longest)
    log.notice(fmt::format("herald last worked {} days ago; posts due before the last {} days are not listed as missed",
                           std::chrono::duration_cast<date::days>(since).count(), longest_look_back.count()));
  return std::clamp(since, catch_up, std::max(catch_up, longest));
}

}  // namespace herald
