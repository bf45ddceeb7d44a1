#pragma once
// An env (daemon/env.hpp) whose clocks the test holds: they stand still
// until the test advances them, and its timers fire when the test moves a
// clock past their deadline (ninja's VirtualFileSystem::Tick() is the
// model). A firing posts the handler to the timer's io_context, so the test
// runs it with io.poll()/run_for(); nothing ever sleeps for real time.
//
// - advance(d) moves the wall and the monotonic clock together: armed
//   timers whose deadline is reached fire (a wall timer as `reached`).
// - set_wall(t) steps the wall clock alone, as `date -s` or a resume does:
//   every armed wall timer fires as `clock_changed` (TFD_TIMER_CANCEL_ON_SET).
// - Environment variables are the test's (set_variable); none by default.
// - The random seed is fixed, so retry times are the same on every run.
//
// A handler replaced or cancelled after its firing was posted is not
// called. One thread; the env outlives the timers it makes.

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "daemon/env.hpp"

namespace herald::test {

class manual_env final : public env {
 public:
  explicit manual_env(date::sys_seconds wall_start);
  ~manual_env() override;
  manual_env(const manual_env&) = delete;
  manual_env& operator=(const manual_env&) = delete;

  std::chrono::system_clock::time_point wall_now() override { return wall_; }
  std::chrono::steady_clock::time_point steady_now() override { return steady_; }
  const char* getenv(const char* name) override;
  std::uint64_t random_seed() override { return 20240601; }
  std::unique_ptr<wall_timer> make_wall_timer(boost::asio::io_context& io) override;
  std::unique_ptr<steady_timer> make_steady_timer(boost::asio::io_context& io) override;

  /// Moves both clocks forward by `d` (>= 0) and fires what came due.
  void advance(std::chrono::system_clock::duration d);
  /// Steps the wall clock to `t`; the monotonic clock stays.
  void set_wall(std::chrono::system_clock::time_point t);
  void set_variable(const std::string& name, const std::string& value) { variables_[name] = value; }

  class manual_wall_timer;
  class manual_steady_timer;

 private:
  friend class manual_wall_timer;
  friend class manual_steady_timer;
  void fire_due();

  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point steady_{};
  std::map<std::string, std::string> variables_;
  std::set<manual_wall_timer*> wall_timers_;
  std::set<manual_steady_timer*> steady_timers_;
};

}  // namespace herald::test
