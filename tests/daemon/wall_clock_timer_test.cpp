// The wall-clock timer on the real CLOCK_REALTIME. Every wait runs the
// io_context with a deadline; nothing sleeps. One test sets the clock to its
// own value, which moves it by microseconds at most.

#include "daemon/wall_clock_timer.hpp"

#include <time.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

namespace herald {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using event = wall_clock_timer::event;

// Runs the loop, a few milliseconds at a time, until `done` or `limit`.
template <class Done>
bool run_until(asio::io_context& io, Done done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(5ms);
  }
  return true;
}

date::sys_seconds now_seconds() { return date::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// What a handler saw: each event, and the wall clock when it came.
struct record {
  std::vector<event> events;
  std::chrono::system_clock::time_point last_at{};

  wall_clock_timer::handler handler() {
    return [this](event e) {
      events.push_back(e);
      last_at = std::chrono::system_clock::now();
    };
  }
};

// Setting the clock to its own value is a set (TFD_TIMER_CANCEL_ON_SET
// fires) that moves it by the microseconds between the two calls only.
// False, with a loud warning, where this process may not set the clock
// (Catch2 2.13 has no SKIP).
bool set_clock_to_itself() {
  timespec now{};
  REQUIRE(::clock_gettime(CLOCK_REALTIME, &now) == 0);
  if (::clock_settime(CLOCK_REALTIME, &now) == 0) return true;
  const int error = errno;
  REQUIRE(error == EPERM);
  WARN("skipped: clock_settime(CLOCK_REALTIME) refused (" << std::strerror(error)
                                                          << "); this process lacks CAP_SYS_TIME");
  return false;
}

}  // namespace

TEST_CASE("wall_clock_timer: given an instant a second ahead, then it fires as reached, not before it",
          "[wall_clock_timer]") {
  asio::io_context io;
  wall_clock_timer timer(io);
  record got;
  const date::sys_seconds at = now_seconds() + 2s;  // 1 to 2 s ahead

  // Any process setting the clock meanwhile (the clock-set test below, when
  // ctest -j runs it beside this one) rightly ends a wait as clock_changed;
  // arm again for the same instant, a few times at most.
  for (int arming = 0; arming < 5 && (got.events.empty() || got.events.back() == event::clock_changed); ++arming) {
    timer.wait_until(at, got.handler());
    REQUIRE(run_until(io, [&, seen = got.events.size()] { return got.events.size() > seen; }));
  }
  CHECK(got.events.back() == event::reached);
  CHECK(got.last_at >= at);
  CHECK(got.last_at < at + 2s);  // generous: only "not minutes late"
}

TEST_CASE("wall_clock_timer: given an instant already past, then it fires at once as reached, on the loop",
          "[wall_clock_timer]") {
  asio::io_context io;
  wall_clock_timer timer(io);
  record got;
  timer.wait_until(now_seconds() - 1h, got.handler());
  CHECK(got.events.empty());  // never from inside wait_until

  io.run_for(10s);  // returns as soon as no work is left
  CHECK(got.events == std::vector{event::reached});
}

TEST_CASE("wall_clock_timer: given an instant before the epoch, then it fires at once as reached",
          "[wall_clock_timer]") {
  asio::io_context io;
  wall_clock_timer timer(io);
  record got;
  timer.wait_until(date::sys_seconds{-100s}, got.handler());
  io.run_for(10s);
  CHECK(got.events == std::vector{event::reached});
}

TEST_CASE("wall_clock_timer: given a second arming, then only its handler is called, once", "[wall_clock_timer]") {
  asio::io_context io;
  wall_clock_timer timer(io);
  record earlier, later;
  date::sys_seconds later_at{};  // set when not yet due

  SECTION("replacing a far instant with a past one") {
    timer.wait_until(now_seconds() + 1h, earlier.handler());
    timer.wait_until(now_seconds() - 1s, later.handler());
  }
  SECTION("replacing a past instant with a near one") {
    // The earlier expiry must not end the later wait early.
    timer.wait_until(now_seconds() - 1s, earlier.handler());
    later_at = now_seconds() + 1s;
    timer.wait_until(later_at, later.handler());
  }
  SECTION("re-arming from the loop after the earlier instant passed") {
    // The earlier wait has usually completed by the time the posted re-arm
    // runs, its handler queued: the generation must turn it away.
    timer.wait_until(now_seconds() - 1s, earlier.handler());
    asio::post(io, [&] { timer.wait_until(now_seconds() - 1s, later.handler()); });
  }

  io.run_for(10s);  // returns once the only wait left is done
  CHECK(earlier.events.empty());
  REQUIRE(later.events.size() == 1);
  // clock_changed only if another process set the clock during the wait.
  if (later.events[0] == event::reached) CHECK(later.last_at >= later_at);
}

TEST_CASE("wall_clock_timer: given a handler that re-arms, then the new arming fires too", "[wall_clock_timer]") {
  asio::io_context io;
  wall_clock_timer timer(io);
  int calls = 0;
  timer.wait_until(now_seconds() - 1s, [&](event) {
    ++calls;
    timer.wait_until(now_seconds() - 1s, [&](event) { ++calls; });
  });
  io.run_for(10s);
  CHECK(calls == 2);
}

TEST_CASE("wall_clock_timer: given cancel, then the handler is never called", "[wall_clock_timer]") {
  asio::io_context io;
  wall_clock_timer timer(io);
  record got;

  SECTION("before the loop ran") {
    timer.wait_until(now_seconds() - 1s, got.handler());
    timer.cancel();
  }
  SECTION("from the loop after the instant passed") {
    timer.wait_until(now_seconds() - 1s, got.handler());
    asio::post(io, [&] { timer.cancel(); });
  }

  // With the wait cancelled no work is left, so the loop stops at once; a
  // wait still queued would hold it until the deadline, not stopped.
  io.run_for(10s);
  CHECK(io.stopped());
  CHECK(got.events.empty());
}

TEST_CASE("wall_clock_timer: given a wait pending, then destroying the timer is safe and calls nothing",
          "[wall_clock_timer]") {
  asio::io_context io;
  auto timer = std::make_unique<wall_clock_timer>(io);
  record got;

  SECTION("a far instant") {
    timer->wait_until(now_seconds() + 1h, got.handler());
    timer.reset();
  }
  SECTION("a past instant, destroyed from the loop") {
    timer->wait_until(now_seconds() - 1s, got.handler());
    asio::post(io, [&] { timer.reset(); });
  }

  io.run_for(10s);
  CHECK(io.stopped());  // no wait outlives the timer
  CHECK(got.events.empty());
  CHECK(timer == nullptr);
}

TEST_CASE("wall_clock_timer: given the clock is set while armed, then it reports clock_changed",
          "[.][wall_clock_timer][clock_set]") {
  asio::io_context io;
  wall_clock_timer timer(io);
  record got;
  const date::sys_seconds at = now_seconds() + 1h;
  timer.wait_until(at, got.handler());

  if (!set_clock_to_itself()) return;

  REQUIRE(run_until(io, [&] { return !got.events.empty(); }));
  CHECK(got.events == std::vector{event::clock_changed});
  CHECK(got.last_at < at);

  // One-shot: the arming is over, so the loop has nothing left to wait for.
  io.restart();
  io.run_for(10s);
  CHECK(io.stopped());
  CHECK(got.events.size() == 1);
}

// The kernel's answer when a set clock goes unread and the timer is armed
// again (a reload re-plans before the loop reads the fd): timerfd_settime
// fails with ECANCELED yet arms. The daemon once died of it; now the new
// arming reports the set.
TEST_CASE(
    "wall_clock_timer: given the clock is set and the timer re-armed before a read, then the new arming reports "
    "clock_changed",
    "[.][wall_clock_timer][clock_set]") {
  asio::io_context io;
  wall_clock_timer timer(io);
  record first;
  record second;
  const date::sys_seconds at = now_seconds() + 1h;
  timer.wait_until(at, first.handler());

  if (!set_clock_to_itself()) return;

  REQUIRE_NOTHROW(timer.wait_until(at, second.handler()));
  REQUIRE(run_until(io, [&] { return !second.events.empty(); }));
  CHECK(second.events == std::vector{event::clock_changed});
  CHECK(first.events.empty());
}

}  // namespace herald
