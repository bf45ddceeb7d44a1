#pragma once
// `herald run` (docs/daemon.md): the one object that owns the daemon's loop.
//
// It is the imperative shell around the scheduler's decisions
// (scheduling/scheduler.hpp): it plans the calendars, asks decide() what to
// do now, carries the actions out (journal first, then the channel), feeds
// the outcomes back, and sleeps on a single wall-clock timer until the next
// wake-up. Around that: reloads (SIGHUP, file changes), a graceful stop
// (SIGTERM/SIGINT), clock changes, and the systemd notify protocol.
//
// Its parts, each in its own file: journal_guard (the journal, its pause
// and the outcomes kept through it), sender (queue → channel → outcomes),
// clock_watch (the wake-up, clock steps, the look-back). The clocks, the
// environment, randomness and every timer come from an env (daemon/env.hpp),
// so a test runs the whole loop on a manual clock: start(), then steps of
// io().run_for()/poll(), then stop().
//
// Everything runs on one io_context on the calling thread.

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "daemon/env.hpp"
#include "daemon/logger.hpp"
#include "daemon/service_notifier.hpp"
#include "journal/journal.hpp"
#include "messaging/console_text.hpp"

namespace boost::asio {
class io_context;
}

namespace herald {

struct daemon_options {
  std::string config_path;
  bool dry_run = false;
  std::ostream* console = nullptr;  ///< where console channels print (stdout)
  /// Opens the journal at `path` (in the state directory, locked already
  /// unless `dry_run`). Empty: open_daemon_journal, the SQLite one. Tests
  /// pass one that injects faults.
  std::function<result<std::unique_ptr<journal>>(const std::filesystem::path& path, bool dry_run)> open_journal;
  /// How console channels print: JSON lines, or for a terminal lines for a person.
  console_style console_format{};
  /// Called when a reload has dropped the running calendars, before it
  /// loads the files. Tests damage the last good copy there, to see the
  /// daemon run on when that copy then fails to load.
  std::function<void()> calendars_dropped{};
};

/// The SQLite journal at `path`: read and written, or for a dry run an
/// in-memory copy that nothing reaches the file from.
result<std::unique_ptr<journal>> open_daemon_journal(const std::filesystem::path& path, bool dry_run);

class daemon_loop {
 public:
  /// `environment`, `log` and `notifier` outlive the loop.
  daemon_loop(daemon_options options, env& environment, logger& log, service_notifier& notifier);
  ~daemon_loop();
  daemon_loop(const daemon_loop&) = delete;
  daemon_loop& operator=(const daemon_loop&) = delete;

  /// start(), then runs until SIGTERM/SIGINT. Returns the exit status:
  /// 0 after a clean stop, 2 when the config or a calendar is invalid at
  /// start, 1 for any other failure to start (journal, lock, a secret).
  int run();

  /// Loads, opens the journal, plans and runs the first tick, and listens
  /// for signals; the io_context then runs the loop. Returns 0 when
  /// started, else run()'s exit status.
  int start();
  /// The io_context everything runs on; stopped once the loop has stopped.
  boost::asio::io_context& io();
  /// What SIGTERM does: stop starting posts, wait (at most 10 s) for those
  /// in flight and record them, then stop the io_context.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald
