#pragma once
// The daemon's ear for operators (docs/service.md "Operating herald"):
// `herald skip`, `resend`, `pause` and `resume` write the journal from
// another process, and each adds a line to its actions log. Once a second
// (on the env's monotonic clock) this asks the journal for the id of the
// latest line — one lookup at the end of a small table, not a scan of the
// posts — and calls `acted` when it changed, so an action reaches the
// daemon within a second. It does not ask while the journal is paused
// after a failure (journal_guard), and a failed ask goes to the guard.
//
// Used from the io_context's thread only. Not copyable.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "daemon/env.hpp"
#include "daemon/journal_guard.hpp"

namespace herald {

class operator_watch {
 public:
  /// How often the journal is asked.
  static constexpr std::chrono::seconds interval{1};

  /// Reads the id now, so actions taken before the start (which the loop
  /// reads as it starts) are not news. Throws std::system_error when the
  /// system refuses a timer.
  /// `acted(seen)` gets the id seen before; it returns false when it could
  /// not take the news in (the journal failed): it is told again next time.
  using handler = std::function<bool(std::int64_t seen)>;
  operator_watch(journal_guard& guard, env& environment, boost::asio::io_context& io, handler acted);
  operator_watch(const operator_watch&) = delete;
  operator_watch& operator=(const operator_watch&) = delete;

  /// Stops asking (a stop of the daemon).
  void cancel() { timer_->cancel(); }

 private:
  void arm();
  void check();

  journal_guard& guard_;
  env& env_;
  handler acted_;
  std::unique_ptr<steady_timer> timer_;
  std::int64_t seen_ = 0;
};

}  // namespace herald
