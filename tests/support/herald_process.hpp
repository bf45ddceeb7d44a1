#pragma once
// The real `herald` binary as a child process, for the daemon tests
// (docs/architecture.md "Testing and measuring": restart it, kill -9 it, send SIGHUP…).
//
// start() forks and execs HERALD_BINARY (or another program) with the
// test's environment minus the variables through which a service manager
// talks to a process (NOTIFY_SOCKET, WATCHDOG_*, JOURNAL_STREAM, LISTEN_*,
// STATE_DIRECTORY, CREDENTIALS_DIRECTORY, HERALD_CONFIG), plus the ones the
// test sets. stdin is /dev/null; stdout and stderr go to files the test
// reads while the process runs. The child gets no other descriptor of the
// test process, and dies with it (PR_SET_PDEATHSIG).
//
// Every wait has a deadline and polls a condition every few milliseconds.
// Destroying a process that still runs kills it (SIGKILL) and reaps it.
//
// Used from one thread. Not copyable.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <sys/types.h>

#include "support/hang_limit.hpp"

namespace herald::test {

/// How a child process ended.
struct process_exit {
  bool exited = false;  ///< by exit(): `code` is its status
  int code = 0;
  int signal = 0;  ///< killed by this signal (when !exited)

  bool exited_with(int status) const { return exited && code == status; }
  bool killed_by(int sig) const { return !exited && signal == sig; }
  /// "exit 2", "signal 9".
  std::string describe() const;
};

class herald_process {
 public:
  using environment = std::vector<std::pair<std::string, std::string>>;

  /// Runs `program` with `args` (argv[1…]) and `env` added to the cleaned
  /// environment; stdout to `out_file`, stderr to `err_file` (truncated).
  /// Throws std::system_error when fork or exec fails.
  static herald_process start(const std::filesystem::path& program, const std::vector<std::string>& args,
                              const environment& env, const std::filesystem::path& out_file,
                              const std::filesystem::path& err_file);
  /// The same with HERALD_BINARY as the program.
  static herald_process start(const std::vector<std::string>& args, const environment& env,
                              const std::filesystem::path& out_file, const std::filesystem::path& err_file);

  herald_process(herald_process&& other) noexcept;
  herald_process& operator=(herald_process&&) = delete;
  herald_process(const herald_process&) = delete;
  ~herald_process();

  pid_t pid() const { return pid_; }

  /// Sends `sig` (SIGTERM, SIGHUP, SIGKILL…). REQUIRES: not reaped yet.
  void signal(int sig) const;
  /// SIGKILL, then waits until it is gone (at most `limit`).
  process_exit kill9(std::chrono::milliseconds limit = hang_limit);

  /// True while the process has not exited (reaps it when it has).
  bool running();
  /// Waits for the process to end; nullopt when `limit` passes first.
  std::optional<process_exit> wait(std::chrono::milliseconds limit);

  /// What the process wrote to stderr / stdout so far.
  std::string err() const;
  std::string out() const;

  /// Waits until stderr holds `text`; false when `limit` passes first.
  bool wait_for_err(std::string_view text, std::chrono::milliseconds limit = hang_limit) const;
  /// Waits until `text` occurs at least `count` times in stderr.
  bool wait_for_err_count(std::string_view text, std::size_t count, std::chrono::milliseconds limit = hang_limit) const;

 private:
  herald_process(pid_t pid, std::filesystem::path out_file, std::filesystem::path err_file)
      : pid_(pid), out_file_(std::move(out_file)), err_file_(std::move(err_file)) {}

  pid_t pid_ = -1;
  std::optional<process_exit> exit_;
  std::filesystem::path out_file_;
  std::filesystem::path err_file_;
};

/// Polls `condition` every few milliseconds until it holds or `limit`
/// passes; returns its last value.
template <class Condition>
bool eventually(Condition&& condition, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});  // between looks at the condition
  }
}

/// Occurrences of `needle` in `text`.
std::size_t count_of(std::string_view text, std::string_view needle);

}  // namespace herald::test
