#pragma once
// A one-shot timer on the wall clock, for the daemon's single wake-up
// (docs/daemon.md "Delivery rules": herald sleeps until the next due instant; it does not poll).
//
// Why not asio::system_timer: Asio arms a relative CLOCK_MONOTONIC timerfd
// capped at 5 minutes, so a far-off wake-up costs a wake every 5 minutes,
// and after `date -s` it fires up to 5 minutes late with nothing reporting
// the jump. This is a CLOCK_REALTIME timerfd armed at the absolute instant
// with TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, read through an Asio
// posix::stream_descriptor: it fires at the wall-clock instant, costs no
// wake-up while idle, and reports a set clock (and a resume from suspend,
// which sets the clock) as clock_changed, so the daemon re-plans.
//
// It is system_env's wall_timer (daemon/env.hpp); tests drive a manual one.
//
// Used from the io_context's thread only. Not copyable.

#include <memory>

#include <date/date.h>

#include "daemon/env.hpp"

namespace herald {

class wall_clock_timer final : public wall_timer {
 public:
  /// Throws std::system_error when the kernel refuses a timerfd.
  explicit wall_clock_timer(boost::asio::io_context& io);
  ~wall_clock_timer() override;
  wall_clock_timer(const wall_clock_timer&) = delete;
  wall_clock_timer& operator=(const wall_clock_timer&) = delete;

  /// Arms the timer for `at`, replacing an earlier arming (whose handler is
  /// then never called), and calls `done` once on the io_context. An
  /// instant already past fires at once (as reached).
  void wait_until(date::sys_seconds at, handler done) override;
  /// Disarms; the pending handler is never called.
  void cancel() override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald
