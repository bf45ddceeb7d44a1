#pragma once
// The daemon's hold on the journal (docs/daemon.md "When the journal itself
// fails"): the journal interface, the pause after a failure, and the
// outcomes the journal could not take yet.
//
// - failed() logs a failed journal call and pauses the journal for `pause`
//   (30 s on the env's monotonic clock). While paused, callers do not touch
//   the journal: each failing call may wait out SQLite's busy timeout, with
//   the loop blocked. When the pause ends, the resume handler runs: it
//   writes the kept outcomes and decides again.
// - lookup() is decide()'s view of the journal: a row it cannot read (or a
//   paused journal) answers "in flight", so nothing that might have been
//   sent is sent.
// - watch_file() remembers the journal file's identity (st_dev, st_ino);
//   file_intact() compares the path's against it, before each batch of
//   journal writes and on inotify's news of the file (operator_watch). A
//   journal deleted or replaced under the daemon would take its writes
//   into a file no one can read, and a restart would send again every post
//   within catch_up: the first time the file is not the one opened, the
//   journal stays paused for good (nothing is sent), it is logged once and
//   `lost` runs (docs/daemon.md "A deleted journal").
// - keep() holds an outcome that could not be recorded (a sent post must
//   reach the journal, or a restart would send it again); its key stays in
//   flight in the send queue until take_unrecorded() hands it back.
//
// Used from the io_context's thread only. Not copyable.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/env.hpp"
#include "daemon/logger.hpp"
#include "journal/journal.hpp"
#include "messaging/delivery_outcome.hpp"

namespace herald {

/// One attempt in flight: what its outcome needs to be recorded.
struct attempt {
  std::string key, channel, event;
  date::sys_seconds due;
};

class journal_guard {
 public:
  /// How long to wait before trying again when the journal itself failed.
  static constexpr std::chrono::seconds pause{30};

  using unrecorded_outcome = std::pair<attempt, delivery_outcome>;

  /// `resumed` runs on the io_context when a pause ends.
  journal_guard(journal& store, env& environment, boost::asio::io_context& io, logger& log,
                std::function<void()> resumed);

  /// `paused` runs each time a pause begins, on failed()'s caller's stack:
  /// the loop's health changes then, wherever the failure came from.
  void on_pause(std::function<void()> paused) { paused_handler_ = std::move(paused); }

  journal& store() { return store_; }
  /// Paused after a failure, or for good: the journal file was lost.
  bool paused() const { return paused_ || lost_; }
  /// The latest failure ("reading a post: database is locked"), "" before any.
  const std::string& last_problem() const { return last_problem_; }
  /// How many journal calls have failed since the start (for /metrics).
  std::uint64_t failures() const { return failures_; }

  /// Logs "`what`: `error`; trying again in 30 s" and pauses the journal
  /// (unless it is paused already).
  void failed(std::string_view what, const std::string& error);
  /// Remembers the identity of `file`, the journal just opened (nothing
  /// is watched when it cannot be read: a dry run's missing journal);
  /// `lost` runs once, when file_intact() first finds another file.
  void watch_file(std::filesystem::path file, std::function<void()> lost);
  /// False when the journal file was deleted or replaced since
  /// watch_file(); the first time, logs it and pauses the journal for good.
  bool file_intact();
  bool file_lost() const { return lost_; }

  /// Ends a pause now, without the resume handler (the last try of a stop).
  void resume_now();

  /// The row for `key`, null when herald never saw it, or an in_flight
  /// stand-in when the journal is paused or cannot be read. Valid until the
  /// next lookup.
  const journal_entry* lookup(std::string_view key);

  /// Reads the rows of `keys` in one call: lookup() answers for them from
  /// what was read until forget_read_ahead() (one pass of decisions).
  void read_ahead(const std::vector<std::string>& keys);
  void forget_read_ahead() { read_ahead_.clear(); }

  /// Keeps an outcome the journal did not take, to be written again.
  void keep(attempt a, delivery_outcome outcome);
  /// The kept outcomes, oldest first; none are kept after this.
  std::vector<unrecorded_outcome> take_unrecorded();
  std::size_t unrecorded() const { return unrecorded_.size(); }

 private:
  journal& store_;
  env& env_;
  logger& log_;
  std::function<void()> resumed_;
  std::function<void()> paused_handler_;
  std::unique_ptr<steady_timer> timer_;
  bool paused_ = false;
  bool lost_ = false;
  std::filesystem::path file_;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> identity_;  // st_dev, st_ino at watch_file()
  std::function<void()> lost_handler_;
  std::string last_problem_;
  std::uint64_t failures_ = 0;
  std::optional<journal_entry> looked_up_;
  std::map<std::string, std::optional<journal_entry>, std::less<>> read_ahead_;  // by key; nullopt: never seen
  std::vector<unrecorded_outcome> unrecorded_;
};

}  // namespace herald
