// Why a timer and not inotify on the journal: the daemon's own writes
// change the same files every time it records a post, so a watch would wake
// it for its own work and still need a query to tell the operator's apart;
// a once-a-second query of one number is simpler and costs about as little
// (docs/decisions.md "Operators reach the daemon through the journal").
#include "daemon/operator_watch.hpp"

#include <utility>

namespace herald {

operator_watch::operator_watch(journal_guard& guard, env& environment, boost::asio::io_context& io, handler acted)
    : guard_(guard), env_(environment), acted_(std::move(acted)), timer_(environment.make_steady_timer(io)) {
  if (auto id = guard_.store().last_action_id(); id.ok()) seen_ = id.value();
  arm();
}

void operator_watch::arm() {
  timer_->wait_until(env_.steady_now() + interval, [this] { check(); });
}

void operator_watch::check() {
  arm();
  if (guard_.paused()) return;
  auto id = guard_.store().last_action_id();
  if (!id.ok()) return guard_.failed("reading the operators' actions", id.error());
  if (id.value() == seen_) return;
  if (acted_(seen_)) seen_ = id.value();
}

}  // namespace herald
