#pragma once
// The daemon's log (docs/daemon.md): one line per happening, to stderr. When
// stderr is the journal (JOURNAL_STREAM names stderr's device:inode, as
// systemd sets it), each line starts with a `<N>` syslog priority prefix
// and nothing else (the journal adds time and unit); otherwise with the
// UTC time and the level, for people at a terminal:
//
//   <6>sent inwed/2027-06-23/-28d/staff-slack to 'staff-slack'
//   2027-05-26T08:30:00Z info: sent inwed/2027-06-23/-28d/staff-slack to 'staff-slack'
//
// A message is kept on one line (newlines become spaces). Messages never
// hold secrets: callers log redacted URLs and outcome details only.

#include <chrono>
#include <functional>
#include <iosfwd>
#include <string_view>

namespace herald {

enum class log_level { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

class logger {
 public:
  /// `now` is the clock for the time stamp of terminal lines.
  logger(
      std::ostream& out, bool journal_prefixes,
      std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); });

  /// True when `journal_stream` (the value of JOURNAL_STREAM, may be null)
  /// is "<device>:<inode>" of the file descriptor `fd`.
  static bool is_journal_stream(const char* journal_stream, int fd);

  void log(log_level level, std::string_view message);
  void error(std::string_view message) { log(log_level::error, message); }
  void warning(std::string_view message) { log(log_level::warning, message); }
  void notice(std::string_view message) { log(log_level::notice, message); }
  void info(std::string_view message) { log(log_level::info, message); }

 private:
  std::ostream& out_;
  bool journal_prefixes_;
  std::function<std::chrono::system_clock::time_point()> now_;
};

}  // namespace herald
