// The test's way of starting herald (tests/support/herald_process.hpp): a
// signal sent at once after the start reaches a process that acts on it
// as a fresh one does, never with a handler of the test's.

#include "support/herald_process.hpp"

#include <chrono>
#include <csignal>

#include <unistd.h>
#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using herald::test::herald_process;

namespace {

constexpr int ran_the_tests_handler = 99;

// Stands for the handler a test process has (Catch's reports a fatal error
// and, in a forked copy of a test with other threads, could hang on a lock
// one of them held at the fork): in the child it ends it with a status of
// its own, so the check below sees it ran.
extern "C" void tests_handler(int) { ::_exit(ran_the_tests_handler); }

// Puts `handler` on SIGTERM for the scope, then the one before (Catch's).
struct sigterm_handler {
  struct sigaction before {};
  explicit sigterm_handler(void (*handler)(int)) {
    struct sigaction wanted {};
    wanted.sa_handler = handler;
    ::sigemptyset(&wanted.sa_mask);
    ::sigaction(SIGTERM, &wanted, &before);
  }
  ~sigterm_handler() { ::sigaction(SIGTERM, &before, nullptr); }
  sigterm_handler(const sigterm_handler&) = delete;
  sigterm_handler& operator=(const sigterm_handler&) = delete;
};

}  // namespace

TEST_CASE("herald_process: a SIGTERM sent at once after the start ends the process, not in the test's handler",
          "[daemon_process]") {
  // The restart after kill -9 in run_process_test stopped herald as soon as
  // it was started. The signal reached the forked child before it had
  // become herald or reset its handlers, and ran Catch's there: on a loaded
  // machine it hung on a lock, and the stop timed out; or, a moment later,
  // the default action killed herald before it had its own handler.
  // Here the signal comes as early: the child must end by SIGTERM's
  // default action (or as herald, had the signal come after herald's own
  // handler), never in the test's.
  herald::test::temp_dir dir{"herald-process"};
  sigterm_handler installed(tests_handler);
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    auto started = herald_process::start({"--version"}, {}, dir / "out", dir / "err");
    started.signal(SIGTERM);
    auto exit = started.wait(10s);
    REQUIRE(exit);
    INFO(exit->describe());
    CHECK((exit->killed_by(SIGTERM) || exit->exited_with(0)));
  }
}
