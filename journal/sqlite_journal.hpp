#pragma once
// The journal in an SQLite file (docs/architecture.md: the default store, for one
// host; replicas share a PostgreSQL one, postgresql_journal.hpp). The table `posts` holds one row per post key;
// `operator_actions` the operators' log and `paused_channels` the channels
// paused (docs/service.md "Operating herald").
//
// Each change is one SQL statement in its own transaction, committed with
// synchronous=FULL in WAL mode: when a call returns, the change is on disk.
// Readers in other processes (`herald status`) do not block the daemon.
//
// The schema's version is the file's `PRAGMA user_version`; open() brings an
// older file up to date in code and refuses a newer one, so an older herald
// never writes to a journal it does not understand.
//
// Three ways to open one:
// - open(): the daemon's journal, read and written.
// - open_read_only(): for `herald status`. Never creates the journal or
//   changes it, and reads while a daemon holds the same file in WAL mode;
//   every change is an error. Reading a WAL-mode file needs its -wal and
//   -shm beside it: when the file was closed cleanly they are gone, and
//   SQLite makes them again, empty, with the journal's owner and mode (so
//   a `herald status` run as root leaves nothing the service cannot open).
// - open_snapshot(): for `herald run --dry-run`. An in-memory copy of the
//   file taken with SQLite's backup API: it reads and writes like the real
//   journal, and nothing it records reaches the file.
//
// Owns its connection; not copyable or movable (statements point into it).
// Thread-safety: one thread, as journal.hpp says.

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "journal/journal.hpp"

struct sqlite3;

namespace herald {

class sqlite_journal final : public operated_journal {
 public:
  /// The schema version this herald writes and understands.
  static constexpr int schema_version = 3;

  /// Opens the journal at `path`, creating the file (not its directory) when
  /// absent, and migrates it to schema_version. An error names the path:
  /// "journal /x/journal.db: file is not a database".
  static result<std::unique_ptr<sqlite_journal>> open(const std::filesystem::path& path);

  /// Opens the journal at `path` for reading only: no migration, and a
  /// missing journal is not created but an error ("unable to open database file (No
  /// such file or directory)"), as is a schema other than schema_version —
  /// newer ("run a newer herald") or older (`herald run` migrates it first).
  /// The changes of journal.hpp come back as errors ("attempt to write a
  /// readonly database"). Works while another process writes the file.
  static result<std::unique_ptr<sqlite_journal>> open_read_only(const std::filesystem::path& path);

  /// An in-memory copy of the journal at `path` as it is now (a consistent
  /// snapshot, even while another process writes it), migrated to
  /// schema_version in memory. A missing file gives an empty journal, and is
  /// not created. A newer schema is refused, as open() refuses it. Errors
  /// name "PATH (in-memory copy)".
  static result<std::unique_ptr<sqlite_journal>> open_snapshot(const std::filesystem::path& path);

  ~sqlite_journal() override;
  sqlite_journal(const sqlite_journal&) = delete;
  sqlite_journal& operator=(const sqlite_journal&) = delete;

  result<std::optional<journal_entry>> find(std::string_view key) override;
  result<journal_change> begin_attempt(std::string_view key, date::sys_seconds due, std::string_view channel,
                                       std::string_view event, date::sys_seconds now) override;
  result<journal_change> record_sent(std::string_view key, date::sys_seconds now) override;
  result<journal_change> record_failed(std::string_view key, date::sys_seconds now, std::string_view error) override;
  result<journal_change> record_retry(std::string_view key, date::sys_seconds now, date::sys_seconds next_try,
                                      std::string_view error) override;
  result<journal_change> record_unanswered(std::string_view key, date::sys_seconds now,
                                           std::optional<date::sys_seconds> next_try, std::string_view error) override;
  result<void> begin_changes() override;
  result<void> commit_changes() override;
  result<journal_change> record_missed(std::string_view key, date::sys_seconds due, std::string_view channel,
                                       std::string_view event, date::sys_seconds now) override;
  result<std::vector<journal_entry>> take_in_flight(date::sys_seconds now) override;
  result<std::vector<journal_entry>> entries_in(post_state state) override;
  result<std::vector<journal_entry>> recent(std::size_t limit) override;
  result<std::vector<journal_entry>> due_retries(date::sys_seconds until) override;

  /// One query over the state index, however long the history.
  result<std::map<post_state, std::size_t>> count_by_state() override;
  result<std::vector<channel_pause>> paused_channels() override;
  result<std::vector<operator_action>> actions(std::size_t limit) override;
  /// One lookup at the end of the log's rowid tree: cheap enough to ask every second.
  result<std::int64_t> last_action_id() override;

  // The operators' changes (journal.hpp, operated_journal).
  result<journal_change> skip(std::string_view key, date::sys_seconds due, std::string_view channel,
                              std::string_view event, const operator_action& who) override;
  result<journal_change> resend(std::string_view key, const operator_action& who) override;
  result<journal_change> pause_channel(const operator_action& who) override;
  result<journal_change> resume_channel(const operator_action& who) override;
  /// The page cache keeps every page the start touched (a first start's
  /// missed rows: 0.3 MB at 10 000 events) until the connection closes.
  void release_memory() override;

 private:
  struct statements;    // the prepared statements, reused for every call
  class statement_use;  // one call's use of one of them

  sqlite_journal(std::string path, sqlite3* db, std::unique_ptr<statements> prepared);
  /// Takes ownership of `db` (closed on failure) and prepares the statements;
  /// `label` names the journal in errors.
  static result<std::unique_ptr<sqlite_journal>> adopt(std::string label, sqlite3* db);
  result<journal_change> change(statement_use& use) const;
  /// `use` and the log line of `who`, in one transaction.
  result<journal_change> operate(statement_use& use, const operator_action& who);
  result<std::vector<journal_entry>> entries(statement_use& use) const;
  failure error(std::string_view what) const;  // "journal PATH: what"
  failure sqlite_error() const;                // error() with SQLite's message about the last call

  std::string path_;
  sqlite3* db_;
  std::unique_ptr<statements> statements_;
};

}  // namespace herald
