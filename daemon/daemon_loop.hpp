#pragma once
// `herald run` (docs/daemon.md): the one object that owns the daemon's loop.
//
// It is the imperative shell around the scheduler's decisions
// (daemon/scheduler.hpp): it plans the calendars, asks decide() what to do
// now, carries the actions out (journal first, then the channel), feeds the
// outcomes back, and sleeps on a single wall-clock timer until the next
// wake-up. Around that: reloads (SIGHUP, file changes), a graceful stop
// (SIGTERM/SIGINT), clock changes, and the systemd notify protocol.
//
// Everything runs on one io_context on the calling thread.

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "daemon/logger.hpp"
#include "daemon/service_notifier.hpp"

namespace herald {

struct daemon_options {
  std::string config_path;
  bool dry_run = false;
  std::ostream* console = nullptr;  ///< where console channels print (stdout)
  std::function<const char*(const char*)> getenv;
  std::function<std::chrono::system_clock::time_point()> now;
};

class daemon_loop {
 public:
  daemon_loop(daemon_options options, logger& log, service_notifier& notifier);
  ~daemon_loop();
  daemon_loop(const daemon_loop&) = delete;
  daemon_loop& operator=(const daemon_loop&) = delete;

  /// Loads, starts and runs until SIGTERM/SIGINT. Returns the exit status:
  /// 0 after a clean stop, 2 when the config or a calendar is invalid at
  /// start, 1 for any other failure to start (journal, lock, a secret).
  int run();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald
