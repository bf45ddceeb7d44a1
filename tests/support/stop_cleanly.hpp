#pragma once
// SIGTERM is a clean stop, status 0 (docs/daemon.md): a herald killed by
// the signal, or one that failed on its way out, must not pass. Its log is
// shown when it does not.

#include <csignal>

#include <catch2/catch.hpp>

#include "support/hang_limit.hpp"
#include "support/herald_process.hpp"

namespace herald::test {

inline void stop_cleanly(herald_process& herald) {
  herald.signal(SIGTERM);
  auto stopped = herald.wait(hang_limit);  // the drain limit (10 s) and a loaded machine
  INFO(herald.err());
  REQUIRE(stopped);
  INFO(stopped->describe());
  CHECK(stopped->exited_with(0));
}

}  // namespace herald::test
