#pragma once
// What the daemon's loop takes from the world outside its io_context: the
// two clocks, the environment variables, a seed for its randomness, and the
// timers that wake it. The shape is leveldb's Env: the daemon asks for
// these here and nowhere else, so a test hands it a manual one (its clocks
// set and advanced by the test, its timers firing when the test moves them
// past their deadline) and runs the whole loop without sleeping.
//
// system_env is the real one: system_clock, steady_clock, getenv, a
// random_device seed, a CLOCK_REALTIME timerfd (wall_clock_timer) and
// asio::steady_timer.
//
// Timers are one-shot, run their handler on the io_context they were made
// for, and never call a handler that was replaced (by a new wait_until) or
// cancelled. Everything is used from the io_context's thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <date/date.h>

namespace boost::asio {
class io_context;
}

namespace herald {

/// A one-shot timer at a wall-clock instant that also reports a setting of
/// the wall clock (docs/daemon.md "Delivery rules": herald sleeps until the
/// next due instant; it does not poll).
class wall_timer {
 public:
  enum class event {
    reached,        ///< the wall clock reached the instant
    clock_changed,  ///< the wall clock was set (or the machine resumed) before that
  };
  using handler = std::function<void(event)>;

  virtual ~wall_timer() = default;
  /// Arms the timer for `at`, replacing an earlier arming, and calls `done`
  /// once on the io_context. An instant already past fires at once (as reached).
  virtual void wait_until(date::sys_seconds at, handler done) = 0;
  /// Disarms; the pending handler is never called.
  virtual void cancel() = 0;
};

/// A one-shot timer on the monotonic clock: pauses, pacing, the drain.
class steady_timer {
 public:
  using handler = std::function<void()>;

  virtual ~steady_timer() = default;
  /// Arms the timer for `at`, replacing an earlier arming, and calls `done`
  /// once on the io_context when the monotonic clock reaches it.
  virtual void wait_until(std::chrono::steady_clock::time_point at, handler done) = 0;
  /// Disarms; the pending handler is never called.
  virtual void cancel() = 0;
};

class env {
 public:
  virtual ~env() = default;

  /// The wall clock: what due instants and the journal's times are read on.
  virtual std::chrono::system_clock::time_point wall_now() = 0;
  /// The monotonic clock: what pauses and rates are measured on.
  virtual std::chrono::steady_clock::time_point steady_now() = 0;
  /// The environment variable `name`, or null.
  virtual const char* getenv(const char* name) = 0;
  /// A seed for the retry jitter.
  virtual std::uint64_t random_seed() = 0;

  /// Throws std::system_error when the system refuses one.
  virtual std::unique_ptr<wall_timer> make_wall_timer(boost::asio::io_context& io) = 0;
  virtual std::unique_ptr<steady_timer> make_steady_timer(boost::asio::io_context& io) = 0;

  /// wall_now() to the second, as the scheduler and the journal count.
  date::sys_seconds now_seconds() { return date::floor<std::chrono::seconds>(wall_now()); }
  /// getenv() as the std::function that settings and secrets take.
  std::function<const char*(const char*)> getenv_function() {
    return [this](const char* name) { return getenv(name); };
  }
};

/// The real clocks, environment and timers.
class system_env final : public env {
 public:
  std::chrono::system_clock::time_point wall_now() override;
  std::chrono::steady_clock::time_point steady_now() override;
  const char* getenv(const char* name) override;
  std::uint64_t random_seed() override;
  std::unique_ptr<wall_timer> make_wall_timer(boost::asio::io_context& io) override;
  std::unique_ptr<steady_timer> make_steady_timer(boost::asio::io_context& io) override;
};

}  // namespace herald
