#pragma once
// The daemon's watch on the wall clock: the single wake-up timer (on the
// env's wall clock), the steps of that clock (set by hand or NTP, or a
// resume from suspend), and how far back a plan must reach to see what came
// due while herald was not looking (docs/daemon.md "Catch-up").
//
// The loop arms it after each tick with the next instant anything can
// change; it calls `woken` once then, with `stepped` true when the wall
// clock moved by a second or more against the monotonic one since the
// arming (logged here): the loop then plans again, reaching back by
// back_after_step(). Used from the io_context's thread only.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include <date/date.h>

#include "daemon/env.hpp"
#include "daemon/logger.hpp"
#include "journal/journal.hpp"

namespace herald {

class clock_watch {
 public:
  /// How far back a start or a clock step looks for posts that came due
  /// meanwhile, to record them missed: to the journal's last change, at most this.
  static constexpr date::days longest_look_back{92};

  using woken = std::function<void(bool stepped)>;

  /// Throws std::system_error when the system refuses a wall-clock timer.
  clock_watch(env& environment, boost::asio::io_context& io, logger& log, woken handler);

  /// Arms the wake-up at the earlier of `wake` and `replan_at`, and at
  /// least a second after `now` (never a busy loop).
  void arm(std::optional<date::sys_seconds> wake, date::sys_seconds replan_at, date::sys_seconds now);
  void cancel();

  /// A tick ran at `now`: a later clock step reaches back to here.
  void ticked(date::sys_seconds now) { last_tick_ = now; }
  /// How far back to plan after a clock step: catch_up plus the time since
  /// the last tick (what a jump forward skipped), at most longest_look_back.
  std::chrono::seconds back_after_step(date::sys_seconds now, std::chrono::seconds catch_up) const;
  /// How far back the first plan of a start reaches: to the journal's last
  /// change (when herald last worked), between catch_up and
  /// longest_look_back; a week beyond catch_up on a fresh journal. Further,
  /// to its pause, for a channel resumed since that change (while herald
  /// was stopped): its posts due meanwhile have no row. Call before
  /// take_in_flight changes rows.
  static std::chrono::seconds back_on_start(journal& store, logger& log, date::sys_seconds now,
                                            std::chrono::seconds catch_up);

 private:
  std::chrono::system_clock::duration offset() const;
  bool stepped();

  env& env_;
  logger& log_;
  woken woken_;
  std::unique_ptr<wall_timer> timer_;
  date::sys_seconds last_tick_;
  std::chrono::system_clock::duration offset_{};  // wall minus monotonic at the last arming
};

}  // namespace herald
