// The wall-clock timer: one CLOCK_REALTIME timerfd, armed at an absolute
// instant with TFD_TIMER_CANCEL_ON_SET, and one Asio wait on it at a time.
//
// - An arming is known by its generation. wait_until() and cancel() start a
//   new one and cancel the descriptor's wait, so the wait of an older arming
//   ends with operation_aborted, or, when it had already completed and its
//   handler is queued, finds a generation that is no longer current. Either
//   way it calls nothing: a replaced handler is never called.
// - Readiness is only a hint. The timerfd is read non-blocking: 8 bytes (the
//   expiry count) mean the instant was reached, ECANCELED means the clock was
//   set while armed, EAGAIN means a stale wake-up (say, from before a
//   re-arm), so we wait again.
// - Asio handlers hold a weak_ptr to the impl and do nothing once it is gone:
//   closing the descriptor on destruction queues an operation_aborted, and a
//   wait that completed just before may still be queued with success.
//
// Everything runs on the io_context's one thread: no locks.

#include "daemon/wall_clock_timer.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <system_error>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

namespace herald {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

int open_timerfd() {
  const int fd = ::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "timerfd_create");
  return fd;
}

// The kernel refuses negative times; any instant before the epoch is long
// past anyway, so it fires at once like every other past instant.
itimerspec absolute(date::sys_seconds at) {
  itimerspec spec{};
  const auto seconds = at.time_since_epoch().count();
  spec.it_value.tv_sec = seconds > 0 ? static_cast<time_t>(seconds) : 0;
  // it_value of zero would disarm; one nanosecond after the epoch is as past.
  if (spec.it_value.tv_sec == 0) spec.it_value.tv_nsec = 1;
  return spec;
}

}  // namespace

struct wall_clock_timer::impl {
  explicit impl(asio::io_context& io) : fd_(io, open_timerfd()) {}

  void wait_until(date::sys_seconds at, handler done);
  void cancel();

 private:
  void disarm();
  void start_wait();
  void on_ready(std::uint64_t generation);
  void finish(event what);

  asio::posix::stream_descriptor fd_;
  std::uint64_t generation_ = 0;                                  ///< of the current arming
  handler done_;                                                  ///< empty when disarmed
  std::shared_ptr<impl*> alive_ = std::make_shared<impl*>(this);  ///< handlers hold a weak_ptr
};

void wall_clock_timer::impl::wait_until(date::sys_seconds at, handler done) {
  cancel();
  const itimerspec spec = absolute(at);
  if (::timerfd_settime(fd_.native_handle(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr) != 0) {
    // ECANCELED: the clock was set while the previous arming was unread
    // (timerfd_create(2), NOTES). The kernel armed this one all the same,
    // but the set would go unreported: report it now, on the loop, as a
    // read would have. Anything else is a broken fd: a bug, not a state.
    if (errno != ECANCELED) throw std::system_error(errno, std::generic_category(), "timerfd_settime");
    done_ = std::move(done);
    asio::post(fd_.get_executor(), [life = std::weak_ptr(alive_), generation = generation_] {
      auto alive = life.lock();
      if (!alive) return;
      impl& self = **alive;
      if (generation == self.generation_ && self.done_) self.finish(event::clock_changed);
    });
    return;
  }
  done_ = std::move(done);
  start_wait();
}

void wall_clock_timer::impl::cancel() {
  ++generation_;
  done_ = nullptr;
  disarm();
  error_code ignored;
  fd_.cancel(ignored);
}

// Disarming also forgets an expiry not read yet, so it cannot wake a later
// arming's wait as "reached" (that wait would read EAGAIN and wait again).
void wall_clock_timer::impl::disarm() {
  const itimerspec zero{};
  ::timerfd_settime(fd_.native_handle(), 0, &zero, nullptr);
}

void wall_clock_timer::impl::start_wait() {
  fd_.async_wait(asio::posix::stream_descriptor::wait_read,
                 [life = std::weak_ptr(alive_), generation = generation_](error_code ec) {
                   if (ec == asio::error::operation_aborted) return;
                   if (auto alive = life.lock()) (*alive)->on_ready(generation);
                 });
}

void wall_clock_timer::impl::on_ready(std::uint64_t generation) {
  if (generation != generation_ || !done_) return;
  std::uint64_t expirations = 0;
  const ssize_t n = ::read(fd_.native_handle(), &expirations, sizeof expirations);
  if (n == static_cast<ssize_t>(sizeof expirations)) return finish(event::reached);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return start_wait();
  // ECANCELED: the clock was set. Any other failure is unexpected, and the
  // daemon's answer to either is the same: re-plan from the clock now.
  finish(event::clock_changed);
}

// The handler is moved out first: it usually arms the timer again, and may
// even destroy it, so nothing of *this is touched after the call.
void wall_clock_timer::impl::finish(event what) {
  handler done = std::move(done_);
  done_ = nullptr;
  ++generation_;
  disarm();
  done(what);
}

wall_clock_timer::wall_clock_timer(asio::io_context& io) : impl_(std::make_unique<impl>(io)) {}

wall_clock_timer::~wall_clock_timer() = default;

void wall_clock_timer::wait_until(date::sys_seconds at, handler done) { impl_->wait_until(at, std::move(done)); }

void wall_clock_timer::cancel() { impl_->cancel(); }

}  // namespace herald
