#pragma once
// The daemon's ear for operators (docs/service.md "Operating herald"):
// `herald skip`, `resend`, `pause` and `resume` write the journal from
// another process, and each adds a line to its actions log. An inotify
// watch (file_watcher) on the journal's file and its -wal sees the command
// close them after its commit; then this asks the journal for the id of
// the latest line — one lookup at the end of a small table, not a scan of
// the posts — and calls `acted` when it changed. So an action reaches the
// daemon within a second (in practice some 20 ms of settling), and an idle
// daemon is never woken to look. The daemon's own connection stays open,
// so its own writes wake nothing.
//
// A shared journal (PostgreSQL, docs/service.md "Replicas") has no file:
// there the operators' commands and the other replicas' records are
// notifications on the journal's listening connection, whose socket is
// waited on in the io_context (change_descriptor). Any news checks the
// actions id as above and calls `posts_changed`, so a replica decides
// again at once when another recorded a post (a retry it must now wait
// for, a post it lost the claim for and that is now sent). When the
// listening connection alone fails (its backend was ended, a proxy dropped
// it), the journal is not paused: the connection is made again by itself,
// after 1 s, then 2, 4 … up to 30 s between tries (a timer, no busy loop),
// and once it listens again the replica decides again once, since news may
// have come meanwhile. While the journal is paused, the guard's resume
// calls check(), which listens again too.
//
// It does not ask while the journal is paused after a failure
// (journal_guard); the loop calls check() when the pause ends. A failed ask
// goes to the guard. Used from the io_context's thread only. Not copyable.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <memory>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "daemon/env.hpp"
#include "daemon/file_watcher.hpp"
#include "daemon/journal_guard.hpp"
#include "daemon/logger.hpp"

namespace herald {

class operator_watch {
 public:
  /// How long a burst of closes (the database, its -wal, its -shm) settles.
  static constexpr std::chrono::milliseconds settle{20};
  /// The first and the longest wait before listening again after the listening connection failed.
  static constexpr std::chrono::milliseconds first_relisten{1'000};
  static constexpr std::chrono::milliseconds longest_relisten{30'000};

  /// `acted(seen)` gets the id seen before; it returns false when it could
  /// not take the news in (the journal failed): it is told again next time.
  using handler = std::function<bool(std::int64_t seen)>;

  /// Reads the id now, so actions taken before the start (which the loop
  /// reads as it starts) are not news, and watches `journal_file`. Throws
  /// std::system_error when the kernel refuses an inotify instance.
  operator_watch(journal_guard& guard, env& environment, logger& log, boost::asio::io_context& io,
                 const std::filesystem::path& journal_file, handler acted, std::function<void()> posts_changed = {});
  ~operator_watch();
  operator_watch(const operator_watch&) = delete;
  operator_watch& operator=(const operator_watch&) = delete;

  /// Why the journal's folder could not be watched ("" when it is): then
  /// actions reach the daemon only with its next restart.
  const std::vector<std::string>& problems() const { return problems_; }

  /// Asks the journal now (a watched file changed, or a journal pause ended).
  void check();

 private:
  void listen();
  void heard();
  void relisten_later();
  void relisten();

  journal_guard& guard_;
  env& env_;
  logger& log_;
  boost::asio::io_context& io_;
  handler acted_;
  std::function<void()> posts_changed_;
  std::int64_t seen_ = 0;
  file_watcher watcher_;
  std::vector<std::string> problems_;
  bool shared_ = false;
  std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;  // a dup of the journal's, waited on
  std::unique_ptr<steady_timer> relisten_;                         // armed while the listener is lost
  bool relisten_armed_ = false;
  std::chrono::milliseconds relisten_wait_{0};  // the latest wait; zero while listening
};

}  // namespace herald
