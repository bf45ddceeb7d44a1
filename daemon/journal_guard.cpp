// The journal pause and the outcomes kept through it (docs/daemon.md "When
// the journal itself fails").
#include "daemon/journal_guard.hpp"

#include <fmt/format.h>

namespace herald {

journal_guard::journal_guard(journal& store, env& environment, boost::asio::io_context& io, logger& log,
                             std::function<void()> resumed)
    : store_(store),
      env_(environment),
      log_(log),
      resumed_(std::move(resumed)),
      timer_(environment.make_steady_timer(io)) {}

// A journal that fails (locked by another process, disk full) is tried
// again after the pause: then the outcomes it could not take are written,
// and the loop decides again what it could not read.
void journal_guard::failed(std::string_view what, const std::string& error) {
  log_.error(fmt::format("{}: {}; trying again in {} s", what, error, pause.count()));
  last_problem_ = fmt::format("{}: {}", what, error);
  ++failures_;
  if (paused_) return;
  paused_ = true;
  timer_->wait_until(env_.steady_now() + pause, [this] {
    paused_ = false;
    resumed_();
  });
}

void journal_guard::resume_now() {
  paused_ = false;
  timer_->cancel();
}

// A journal that cannot be read answers "in flight": nothing is sent that
// might have been sent already; the loop looks again after the pause.
const journal_entry* journal_guard::lookup(std::string_view key) {
  // Each failing call may wait out SQLite's busy timeout: after one failure
  // the rest of the pass answers at once (and the watchdog stays fed).
  if (!paused_) {
    auto found = store_.find(key);
    if (found.ok()) {
      looked_up_ = std::move(found.value());
      return looked_up_ ? &*looked_up_ : nullptr;
    }
    failed("reading a post", found.error());
  }
  looked_up_.emplace();
  looked_up_->key = key;
  looked_up_->state = post_state::in_flight;
  return &*looked_up_;
}

void journal_guard::keep(attempt a, delivery_outcome outcome) { unrecorded_.emplace_back(std::move(a), outcome); }

std::vector<journal_guard::unrecorded_outcome> journal_guard::take_unrecorded() {
  auto waiting = std::move(unrecorded_);
  unrecorded_.clear();
  return waiting;
}

}  // namespace herald
