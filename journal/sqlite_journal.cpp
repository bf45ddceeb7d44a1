#include "journal/sqlite_journal.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include <fmt/format.h>
#include <sqlite3.h>

namespace herald {
namespace {

// Migration i takes the schema from version i to version i + 1. Append new
// ones; never edit one that has shipped, since files in the field hold it.
constexpr std::array<const char*, sqlite_journal::schema_version> migrations = {
    // 1: the posts table. Times are Unix seconds. WITHOUT ROWID: every write
    // looks a row up by key, so the key orders the table itself. The CHECK
    // keeps states to the words parse_post_state knows.
    R"sql(
      CREATE TABLE posts (
        key         TEXT PRIMARY KEY NOT NULL,
        event       TEXT NOT NULL,
        channel     TEXT NOT NULL,
        due         INTEGER NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'missed')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        interrupted INTEGER NOT NULL DEFAULT 0,
        next_try    INTEGER,
        last_error  TEXT,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        sent_at     INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX posts_by_state ON posts (state, due);
      CREATE INDEX posts_by_next_try ON posts (state, next_try);
      CREATE INDEX posts_by_updated ON posts (updated_at);
    )sql",
    // 2: operators (docs/service.md "Operating herald"): the state
    // 'skipped' and resent_at — SQLite cannot change a CHECK in place, so
    // the table is copied — the actions log and the paused channels.
    R"sql(
      CREATE TABLE posts_v2 (
        key TEXT PRIMARY KEY NOT NULL, event TEXT NOT NULL, channel TEXT NOT NULL, due INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'missed', 'skipped')),
        attempts INTEGER NOT NULL DEFAULT 0, interrupted INTEGER NOT NULL DEFAULT 0, next_try INTEGER,
        last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, sent_at INTEGER,
        resent_at INTEGER
      ) WITHOUT ROWID;
      INSERT INTO posts_v2 (key, event, channel, due, state, attempts, interrupted, next_try, last_error,
                            created_at, updated_at, sent_at)
        SELECT key, event, channel, due, state, attempts, interrupted, next_try, last_error,
               created_at, updated_at, sent_at FROM posts;
      DROP TABLE posts;
      ALTER TABLE posts_v2 RENAME TO posts;
      CREATE INDEX posts_by_state ON posts (state, due);
      CREATE INDEX posts_by_next_try ON posts (state, next_try);
      CREATE INDEX posts_by_updated ON posts (updated_at);
      CREATE TABLE operator_actions (
        id     INTEGER PRIMARY KEY,
        at     INTEGER NOT NULL,
        user   TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL
      );
      CREATE TABLE paused_channels (
        channel TEXT PRIMARY KEY NOT NULL,
        since   INTEGER NOT NULL,
        user    TEXT NOT NULL
      ) WITHOUT ROWID;
    )sql",
    // 3: the state 'unconfirmed' (docs/daemon.md "Delivery rules"); the
    // table is copied again, as in 2.
    R"sql(
      CREATE TABLE posts_v3 (
        key TEXT PRIMARY KEY NOT NULL, event TEXT NOT NULL, channel TEXT NOT NULL, due INTEGER NOT NULL,
        state TEXT NOT NULL
          CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'missed', 'skipped', 'unconfirmed')),
        attempts INTEGER NOT NULL DEFAULT 0, interrupted INTEGER NOT NULL DEFAULT 0, next_try INTEGER,
        last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, sent_at INTEGER,
        resent_at INTEGER
      ) WITHOUT ROWID;
      INSERT INTO posts_v3 SELECT * FROM posts;
      DROP TABLE posts;
      ALTER TABLE posts_v3 RENAME TO posts;
      CREATE INDEX posts_by_state ON posts (state, due);
      CREATE INDEX posts_by_next_try ON posts (state, next_try);
      CREATE INDEX posts_by_updated ON posts (updated_at);
    )sql",
};

// How long a call waits for another process's write lock (a `herald status`
// reader never takes one in WAL mode; a second writer would).
constexpr int busy_timeout_ms = 5000;

constexpr const char* interrupted_note =
    "herald stopped while this post was in flight; it may have reached the channel";

// The columns read_entry reads, in its order.
constexpr const char* entry_columns =
    "key, event, channel, due, state, attempts, interrupted, next_try, last_error, created_at, updated_at, sent_at, "
    "resent_at";

// Every change is one statement, so SQLite's implicit transaction around it
// is the "one transaction per state change"; the WHERE clauses are the
// transitions of journal.hpp's diagram, and a row they do not match is a
// refusal (no change). A resent row keeps its due instant in begin_attempt:
// the one given is where its new window opened (scheduled_action::window_from),
// and the daemon plans the post again from the calendar's.
constexpr const char* begin_attempt_sql = R"sql(
  INSERT INTO posts (key, event, channel, due, state, attempts, created_at, updated_at)
  VALUES (?1, ?2, ?3, ?4, 'in_flight', 1, ?5, ?5)
  ON CONFLICT (key) DO UPDATE SET state = 'in_flight', attempts = attempts + 1, next_try = NULL,
    event = excluded.event, channel = excluded.channel, updated_at = excluded.updated_at,
    due = CASE WHEN resent_at IS NULL THEN excluded.due ELSE due END
  WHERE state = 'pending')sql";
constexpr const char* record_sent_sql = R"sql(
  UPDATE posts SET state = 'sent', sent_at = ?2, updated_at = ?2, next_try = NULL, last_error = NULL
  WHERE key = ?1 AND state = 'in_flight')sql";
constexpr const char* record_failed_sql = R"sql(
  UPDATE posts SET state = 'failed', updated_at = ?2, last_error = ?3, next_try = NULL
  WHERE key = ?1 AND state IN ('in_flight', 'pending'))sql";
constexpr const char* record_retry_sql = R"sql(
  UPDATE posts SET state = 'pending', updated_at = ?2, next_try = ?3, last_error = ?4
  WHERE key = ?1 AND state IN ('in_flight', 'pending'))sql";
constexpr const char* record_unanswered_sql = R"sql(
  UPDATE posts SET updated_at = ?2, last_error = ?4, next_try = ?3,
    state = CASE WHEN ?3 IS NULL THEN 'unconfirmed' ELSE 'pending' END,
    interrupted = interrupted + (?3 IS NOT NULL)
  WHERE key = ?1 AND (state = 'in_flight' OR (state = 'pending' AND ?3 IS NULL)))sql";
constexpr const char* record_missed_sql = R"sql(
  INSERT INTO posts (key, event, channel, due, state, created_at, updated_at)
  VALUES (?1, ?2, ?3, ?4, 'missed', ?5, ?5)
  ON CONFLICT (key) DO UPDATE SET state = 'missed', next_try = NULL, updated_at = excluded.updated_at
  WHERE state = 'pending')sql";
constexpr const char* skip_sql = R"sql(
  INSERT INTO posts (key, event, channel, due, state, created_at, updated_at)
  VALUES (?1, ?2, ?3, ?4, 'skipped', ?5, ?5)
  ON CONFLICT (key) DO UPDATE SET state = 'skipped', next_try = NULL, updated_at = excluded.updated_at
  WHERE state = 'pending')sql";
// A clean start: the attempts and interruptions counted were for the
// window that closed; the new one is as long as catch_up from now.
constexpr const char* resend_sql = R"sql(
  UPDATE posts SET state = 'pending', attempts = 0, interrupted = 0, next_try = NULL, last_error = NULL,
    resent_at = ?2, updated_at = ?2
  WHERE key = ?1 AND state IN ('failed', 'missed', 'skipped', 'unconfirmed'))sql";
constexpr const char* pause_sql =
    "INSERT INTO paused_channels (channel, since, user) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
constexpr const char* resume_sql = "DELETE FROM paused_channels WHERE channel = ?1";
constexpr const char* log_action_sql =
    "INSERT INTO operator_actions (at, user, action, target) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* take_in_flight_sql = R"sql(
  UPDATE posts SET state = 'pending', interrupted = interrupted + 1, updated_at = ?1, last_error = ?2
  WHERE state = 'in_flight')sql";

struct connection_closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using connection = std::unique_ptr<sqlite3, connection_closer>;

struct statement_finalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using statement = std::unique_ptr<sqlite3_stmt, statement_finalizer>;

// SQLite's page cache takes its first 20 pages as one block (87 kB) that
// release_memory() cannot free (the daemon held three at READY); without
// it every cached page is its own allocation, which it can. Only possible
// before SQLite initialises itself, so on the first open; later calls are
// refused and change nothing.
void no_bulk_page_cache() {
  static const bool once = [] { return sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0) == SQLITE_OK; }();
  (void)once;
}

bool exec(sqlite3* db, const std::string& sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
}

// The first column of the first row of `sql` as text or integer, or
// nullopt on an error (sqlite3_errmsg says which).
template <class T>
std::optional<T> query_one(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) return std::nullopt;
  statement stmt(raw);
  if (sqlite3_step(raw) != SQLITE_ROW) return std::nullopt;
  if constexpr (std::is_same_v<T, std::string>) {
    auto text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    return std::string(text ? text : "");
  } else {
    return static_cast<T>(sqlite3_column_int64(raw, 0));
  }
}

// SQLite says only "unable to open database file"; errno says why.
std::string open_failure(sqlite3* db) {
  if (!db) return "out of memory";
  std::string message = sqlite3_errmsg(db);
  if (int code = sqlite3_system_errno(db)) message += " (" + std::generic_category().message(code) + ")";
  return message;
}

// Per-connection settings; "" when all took.
std::string configure(sqlite3* db) {
  // SQLite falls back to read-only when it cannot write the file; herald
  // would then fail at its first post, so say it now.
  if (sqlite3_db_readonly(db, "main") == 1) return "is read-only; herald must be able to write to it";
  sqlite3_busy_timeout(db, busy_timeout_ms);
  // WAL lets `herald status` read while the daemon writes. This is also the
  // first read of the file, so one that is not a database fails here.
  auto mode = query_one<std::string>(db, "PRAGMA journal_mode = WAL");
  if (!mode) return sqlite3_errmsg(db);
  if (*mode != "wal") return fmt::format("cannot use WAL mode here (got journal_mode {})", *mode);
  // FULL syncs the WAL at every commit: a change is on disk when the call
  // returns, which the daemon needs before it contacts a channel.
  if (!exec(db, "PRAGMA synchronous = FULL")) return sqlite3_errmsg(db);
  return {};
}

// Why the file's schema cannot be used as it is, or "": a newer one never
// (this herald does not understand it), an older one only when
// `older_ok` (the caller migrates it).
std::string check_version(sqlite3* db, bool older_ok) {
  auto version = query_one<std::int64_t>(db, "PRAGMA user_version");
  if (!version) return sqlite3_errmsg(db);
  if (*version > sqlite_journal::schema_version)
    return fmt::format("schema version {} is newer than this herald understands ({}); run a newer herald", *version,
                       sqlite_journal::schema_version);
  if (*version < 0) return fmt::format("schema version {} was not written by herald", *version);
  if (*version < sqlite_journal::schema_version && !older_ok) {
    if (*version == 0) return "has no herald schema yet; `herald run` creates it";
    return fmt::format("schema version {} is older than this herald's ({}); `herald run` brings it up to date",
                       *version, sqlite_journal::schema_version);
  }
  return {};
}

// The migrations the file lacks; "" when it is (now) at schema_version.
std::string apply_migrations(sqlite3* db) {
  if (auto problem = check_version(db, true); !problem.empty()) return problem;
  auto version = query_one<std::int64_t>(db, "PRAGMA user_version");
  if (!version) return sqlite3_errmsg(db);
  if (*version == sqlite_journal::schema_version) return {};
  for (auto v = *version; v < sqlite_journal::schema_version; ++v) {
    if (!exec(db, migrations[v])) return sqlite3_errmsg(db);
  }
  if (!exec(db, fmt::format("PRAGMA user_version = {}", sqlite_journal::schema_version))) return sqlite3_errmsg(db);
  return {};
}

// All migrations in one transaction, so a file is at one version or the
// next, never between. IMMEDIATE takes the write lock before user_version
// is read: two herald processes starting at once do not both migrate.
std::string migrate(sqlite3* db) {
  if (!exec(db, "BEGIN IMMEDIATE")) return sqlite3_errmsg(db);
  auto problem = apply_migrations(db);
  if (problem.empty() && exec(db, "COMMIT")) return {};
  if (problem.empty()) problem = sqlite3_errmsg(db);
  exec(db, "ROLLBACK");
  return problem;
}

// Opens `where` for reading only; nullptr and `problem` set on failure.
// SQLITE_OPEN_READONLY never creates the file. With a daemon running, the
// reader goes through the daemon's -wal and -shm (a WAL reader takes no
// lock the writer waits for).
connection open_for_reading(const std::string& where, std::string& problem) {
  no_bulk_page_cache();
  sqlite3* raw = nullptr;
  int result = sqlite3_open_v2(where.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  connection db(raw);
  if (result != SQLITE_OK) {
    problem = open_failure(db.get());
    return nullptr;
  }
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  return db;
}

// Copies the journal file `where` into the empty database `into` with the
// backup API: one read transaction on the file, so the copy is consistent
// even while a daemon writes it. "" or why not.
std::string copy_into(const std::string& where, sqlite3* into) {
  std::string problem;
  auto source = open_for_reading(where, problem);
  if (!source) return problem;
  // A newer schema is refused before anything is copied; an older one is
  // migrated in memory afterwards.
  if (problem = check_version(source.get(), true); !problem.empty()) return problem;
  sqlite3_backup* backup = sqlite3_backup_init(into, "main", source.get(), "main");
  if (!backup) return sqlite3_errmsg(into);
  int stepped = sqlite3_backup_step(backup, -1);  // -1: every page, in one go
  sqlite3_backup_finish(backup);                  // sets `into`'s error on failure
  if (stepped != SQLITE_DONE) return sqlite3_errmsg(into);
  return {};
}

std::string column_text(sqlite3_stmt* row, int column) {
  auto text = reinterpret_cast<const char*>(sqlite3_column_text(row, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(row, column))) : std::string();
}

std::optional<std::string> column_optional_text(sqlite3_stmt* row, int column) {
  if (sqlite3_column_type(row, column) == SQLITE_NULL) return std::nullopt;
  return column_text(row, column);
}

date::sys_seconds column_time(sqlite3_stmt* row, int column) {
  return date::sys_seconds{std::chrono::seconds{sqlite3_column_int64(row, column)}};
}

std::optional<date::sys_seconds> column_optional_time(sqlite3_stmt* row, int column) {
  if (sqlite3_column_type(row, column) == SQLITE_NULL) return std::nullopt;
  return column_time(row, column);
}

// A row of entry_columns; nullopt when its state is not one herald knows.
std::optional<journal_entry> read_entry(sqlite3_stmt* row) {
  auto state = parse_post_state(column_text(row, 4));
  if (!state) return std::nullopt;
  journal_entry entry;
  entry.key = column_text(row, 0);
  entry.event = column_text(row, 1);
  entry.channel = column_text(row, 2);
  entry.due = column_time(row, 3);
  entry.state = *state;
  entry.attempts = sqlite3_column_int(row, 5);
  entry.interrupted = sqlite3_column_int(row, 6);
  entry.next_try = column_optional_time(row, 7);
  entry.last_error = column_optional_text(row, 8);
  entry.created_at = column_time(row, 9);
  entry.updated_at = column_time(row, 10);
  entry.sent_at = column_optional_time(row, 11);
  entry.resent_at = column_optional_time(row, 12);
  return entry;
}

}  // namespace

struct sqlite_journal::statements {
  statement find, begin_attempt, record_sent, record_failed, record_retry, record_unanswered, record_missed;
  statement take_in_flight, entries_in, recent, due_retries, count_by_state;
  statement skip, resend, pause, resume, log_action, paused_channels, actions, last_action_id;

  // Prepares them all at open, so a problem with the schema shows there;
  // nullptr on failure (sqlite3_errmsg says why).
  static std::unique_ptr<statements> prepare(sqlite3* db) {
    auto select = [](const char* rest) { return fmt::format("SELECT {} FROM posts {}", entry_columns, rest); };
    const std::pair<statement statements::*, std::string> sources[] = {
        {&statements::find, select("WHERE key = ?1")},
        {&statements::begin_attempt, begin_attempt_sql},
        {&statements::record_sent, record_sent_sql},
        {&statements::record_failed, record_failed_sql},
        {&statements::record_retry, record_retry_sql},
        {&statements::record_unanswered, record_unanswered_sql},
        {&statements::record_missed, record_missed_sql},
        {&statements::take_in_flight, fmt::format("{} RETURNING {}", take_in_flight_sql, entry_columns)},
        {&statements::entries_in, select("WHERE state = ?1 ORDER BY due, key")},
        {&statements::recent, select("ORDER BY updated_at DESC, key LIMIT ?1")},
        {&statements::due_retries, select("WHERE state = 'pending' AND next_try <= ?1 ORDER BY next_try, key")},
        {&statements::count_by_state, "SELECT state, count(*) FROM posts GROUP BY state"},
        {&statements::skip, skip_sql},
        {&statements::resend, resend_sql},
        {&statements::pause, pause_sql},
        {&statements::resume, resume_sql},
        {&statements::log_action, log_action_sql},
        {&statements::paused_channels, "SELECT channel, since, user FROM paused_channels ORDER BY channel"},
        {&statements::actions, "SELECT id, at, user, action, target FROM operator_actions ORDER BY id DESC LIMIT ?1"},
        {&statements::last_action_id, "SELECT coalesce(max(id), 0) FROM operator_actions"},
    };
    auto all = std::make_unique<statements>();
    for (const auto& [member, sql] : sources) {
      if (!prepare_one(db, (*all).*member, sql)) return nullptr;
    }
    return all;
  }

  static bool prepare_one(sqlite3* db, statement& into, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    // PERSISTENT: these live as long as the connection and are reused.
    int rc = sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    into.reset(raw);
    return rc == SQLITE_OK;
  }
};

// One call's use of a prepared statement: binds parameters (never formats
// them into SQL), steps, and on scope exit resets the statement, which ends
// its implicit transaction and readies it for the next call.
class sqlite_journal::statement_use {
 public:
  explicit statement_use(const statement& stmt) : stmt_(stmt.get()) {}
  ~statement_use() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  statement_use(const statement_use&) = delete;
  statement_use& operator=(const statement_use&) = delete;

  // The text must outlive the use (SQLITE_STATIC: SQLite does not copy it).
  // An empty view may have no data, which SQLite would bind as NULL.
  statement_use& bind(int index, std::string_view text) {
    const char* data = text.empty() ? "" : text.data();
    return keep(sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  statement_use& bind(int index, std::int64_t value) { return keep(sqlite3_bind_int64(stmt_, index, value)); }
  statement_use& bind(int index, date::sys_seconds time) {
    return bind(index, std::int64_t{time.time_since_epoch().count()});
  }

  /// SQLITE_ROW, SQLITE_DONE, or an error code (a failed bind's first).
  int step() { return bind_result_ != SQLITE_OK ? bind_result_ : sqlite3_step(stmt_); }
  sqlite3_stmt* row() const { return stmt_; }

 private:
  statement_use& keep(int result) {
    if (bind_result_ == SQLITE_OK) bind_result_ = result;
    return *this;
  }

  sqlite3_stmt* stmt_;
  int bind_result_ = SQLITE_OK;
};

result<std::unique_ptr<sqlite_journal>> sqlite_journal::open(const std::filesystem::path& path) {
  auto where = path.string();
  auto fail = [&](std::string_view what) { return failure{fmt::format("journal {}: {}", where, what)}; };
  no_bulk_page_cache();
  sqlite3* raw = nullptr;
  // NOMUTEX: one thread uses the connection (journal.hpp), so SQLite's own
  // locking of it would be wasted.
  int result =
      sqlite3_open_v2(where.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  connection db(raw);
  if (result != SQLITE_OK) return fail(open_failure(db.get()));
  if (auto problem = configure(db.get()); !problem.empty()) return fail(problem);
  if (auto problem = migrate(db.get()); !problem.empty()) return fail(problem);
  return adopt(std::move(where), db.release());
}

result<std::unique_ptr<sqlite_journal>> sqlite_journal::open_read_only(const std::filesystem::path& path) {
  auto where = path.string();
  auto fail = [&](std::string_view what) { return failure{fmt::format("journal {}: {}", where, what)}; };
  std::string problem;
  auto db = open_for_reading(where, problem);
  if (!db) return fail(problem);
  // No migration: reading must not change the file, so only the schema
  // this herald writes can be read. (The first read of the file is here,
  // so one that is not a database fails here too.)
  if (problem = check_version(db.get(), false); !problem.empty()) {
    // A WAL file closed cleanly has no -wal beside it, and SQLite must make
    // one to read it: a user who may read the file but not write its
    // directory cannot.
    if (sqlite3_extended_errcode(db.get()) == SQLITE_READONLY_DIRECTORY)
      problem =
          "cannot be read without write access to its directory (SQLite makes its -wal file there); "
          "run as root or as the service's user";
    return fail(problem);
  }
  return adopt(std::move(where), db.release());
}

result<std::unique_ptr<sqlite_journal>> sqlite_journal::open_snapshot(const std::filesystem::path& path) {
  auto label = path.string() + " (in-memory copy)";
  auto fail = [&](std::string_view what) { return failure{fmt::format("journal {}: {}", label, what)}; };
  no_bulk_page_cache();
  sqlite3* raw = nullptr;
  int result =
      sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  connection db(raw);
  if (result != SQLITE_OK) return fail(open_failure(db.get()));
  // A file that is not there is an empty journal (herald run has not run);
  // one that cannot even be looked at is left to SQLite to explain.
  std::error_code looked;
  if (std::filesystem::exists(path, looked) || looked) {
    if (auto problem = copy_into(path.string(), db.get()); !problem.empty()) return fail(problem);
  }
  if (auto problem = migrate(db.get()); !problem.empty()) return fail(problem);
  return adopt(std::move(label), db.release());
}

result<std::unique_ptr<sqlite_journal>> sqlite_journal::adopt(std::string label, sqlite3* raw) {
  connection db(raw);
  auto prepared = statements::prepare(db.get());
  if (!prepared) return failure{fmt::format("journal {}: {}", label, sqlite3_errmsg(db.get()))};
  return std::unique_ptr<sqlite_journal>(new sqlite_journal(std::move(label), db.release(), std::move(prepared)));
}

sqlite_journal::sqlite_journal(std::string path, sqlite3* db, std::unique_ptr<statements> prepared)
    : path_(std::move(path)), db_(db), statements_(std::move(prepared)) {}

sqlite_journal::~sqlite_journal() {
  statements_.reset();  // finalized before the connection closes
  sqlite3_close_v2(db_);
}

failure sqlite_journal::error(std::string_view what) const {
  return failure{fmt::format("journal {}: {}", path_, what)};
}

failure sqlite_journal::sqlite_error() const { return error(sqlite3_errmsg(db_)); }

void sqlite_journal::release_memory() { sqlite3_db_release_memory(db_); }

result<journal_change> sqlite_journal::change(statement_use& use) const {
  if (use.step() != SQLITE_DONE) return sqlite_error();
  return sqlite3_changes(db_) > 0 ? journal_change::applied : journal_change::refused;
}

// Steps to the end even past a bad row: with RETURNING, the commit happens
// at the last step, and its failure must not go unseen.
result<std::vector<journal_entry>> sqlite_journal::entries(statement_use& use) const {
  std::vector<journal_entry> found;
  bool unknown_state = false;
  int result;
  while ((result = use.step()) == SQLITE_ROW) {
    if (auto entry = read_entry(use.row())) {
      found.push_back(std::move(*entry));
    } else {
      unknown_state = true;
    }
  }
  if (result != SQLITE_DONE) return sqlite_error();
  if (unknown_state) return error("a row has a state this herald does not know");
  return found;
}

result<std::optional<journal_entry>> sqlite_journal::find(std::string_view key) {
  statement_use use(statements_->find);
  auto found = entries(use.bind(1, key));
  if (!found.ok()) return failure{found.error()};
  if (found.value().empty()) return std::optional<journal_entry>();
  return std::optional<journal_entry>(std::move(found.value().front()));
}

result<journal_change> sqlite_journal::begin_attempt(std::string_view key, date::sys_seconds due,
                                                     std::string_view channel, std::string_view event,
                                                     date::sys_seconds now) {
  statement_use use(statements_->begin_attempt);
  return change(use.bind(1, key).bind(2, event).bind(3, channel).bind(4, due).bind(5, now));
}

result<journal_change> sqlite_journal::record_sent(std::string_view key, date::sys_seconds now) {
  statement_use use(statements_->record_sent);
  return change(use.bind(1, key).bind(2, now));
}

result<journal_change> sqlite_journal::record_failed(std::string_view key, date::sys_seconds now,
                                                     std::string_view error) {
  statement_use use(statements_->record_failed);
  return change(use.bind(1, key).bind(2, now).bind(3, error));
}

result<journal_change> sqlite_journal::record_retry(std::string_view key, date::sys_seconds now,
                                                    date::sys_seconds next_try, std::string_view error) {
  statement_use use(statements_->record_retry);
  return change(use.bind(1, key).bind(2, now).bind(3, next_try).bind(4, error));
}

result<journal_change> sqlite_journal::record_unanswered(std::string_view key, date::sys_seconds now,
                                                         std::optional<date::sys_seconds> next_try,
                                                         std::string_view error) {
  statement_use use(statements_->record_unanswered);
  use.bind(1, key).bind(2, now).bind(4, error);
  if (next_try) use.bind(3, *next_try);  // unbound: NULL
  return change(use);
}

result<journal_change> sqlite_journal::record_missed(std::string_view key, date::sys_seconds due,
                                                     std::string_view channel, std::string_view event,
                                                     date::sys_seconds now) {
  statement_use use(statements_->record_missed);
  return change(use.bind(1, key).bind(2, event).bind(3, channel).bind(4, due).bind(5, now));
}

// BEGIN IMMEDIATE, like operate(): the write lock is taken once, for the
// whole batch, so an operator's command waits for the batch, not between its rows.
result<void> sqlite_journal::begin_changes() {
  if (!exec(db_, "BEGIN IMMEDIATE")) return sqlite_error();
  return {};
}

result<void> sqlite_journal::commit_changes() {
  if (exec(db_, "COMMIT")) return {};
  auto failed = sqlite_error();
  exec(db_, "ROLLBACK");
  return failed;
}

result<std::vector<journal_entry>> sqlite_journal::take_in_flight(date::sys_seconds now) {
  statement_use use(statements_->take_in_flight);
  auto taken = entries(use.bind(1, now).bind(2, interrupted_note));
  // RETURNING gives no order; callers get the one entries_in uses.
  if (taken.ok()) {
    std::sort(taken.value().begin(), taken.value().end(), [](const journal_entry& a, const journal_entry& b) {
      return std::tie(a.due, a.key) < std::tie(b.due, b.key);
    });
  }
  return taken;
}

result<std::vector<journal_entry>> sqlite_journal::entries_in(post_state state) {
  statement_use use(statements_->entries_in);
  return entries(use.bind(1, to_string(state)));
}

result<std::vector<journal_entry>> sqlite_journal::recent(std::size_t limit) {
  statement_use use(statements_->recent);
  auto capped = std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max());
  return entries(use.bind(1, static_cast<std::int64_t>(capped)));
}

result<std::vector<journal_entry>> sqlite_journal::due_retries(date::sys_seconds until) {
  statement_use use(statements_->due_retries);
  return entries(use.bind(1, until));
}

result<std::map<post_state, std::size_t>> sqlite_journal::count_by_state() {
  statement_use use(statements_->count_by_state);
  std::map<post_state, std::size_t> counts;
  bool unknown_state = false;
  int result;
  while ((result = use.step()) == SQLITE_ROW) {
    if (auto state = parse_post_state(column_text(use.row(), 0)))
      counts[*state] = static_cast<std::size_t>(sqlite3_column_int64(use.row(), 1));
    else
      unknown_state = true;
  }
  if (result != SQLITE_DONE) return sqlite_error();
  if (unknown_state) return error("a row has a state this herald does not know");
  return counts;
}

result<std::vector<channel_pause>> sqlite_journal::paused_channels() {
  statement_use use(statements_->paused_channels);
  std::vector<channel_pause> paused;
  int result;
  while ((result = use.step()) == SQLITE_ROW)
    paused.push_back({column_text(use.row(), 0), column_time(use.row(), 1), column_text(use.row(), 2)});
  if (result != SQLITE_DONE) return sqlite_error();
  return paused;
}

result<std::vector<operator_action>> sqlite_journal::actions(std::size_t limit) {
  statement_use use(statements_->actions);
  auto capped = std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max());
  use.bind(1, static_cast<std::int64_t>(capped));
  std::vector<operator_action> found;
  int result;
  while ((result = use.step()) == SQLITE_ROW) {
    auto* row = use.row();
    found.push_back({sqlite3_column_int64(row, 0), column_time(row, 1), column_text(row, 2), column_text(row, 3),
                     column_text(row, 4)});
  }
  if (result != SQLITE_DONE) return sqlite_error();
  return found;
}

result<std::int64_t> sqlite_journal::last_action_id() {
  statement_use use(statements_->last_action_id);
  if (use.step() != SQLITE_ROW) return sqlite_error();
  return std::int64_t{sqlite3_column_int64(use.row(), 0)};
}

// BEGIN IMMEDIATE takes the write lock first (waiting out the busy timeout
// while the daemon writes), so the change and its log line commit together.
result<journal_change> sqlite_journal::operate(statement_use& use, const operator_action& who) {
  if (!exec(db_, "BEGIN IMMEDIATE")) return sqlite_error();
  auto changed = change(use);
  if (changed.ok() && changed.value() == journal_change::applied) {
    statement_use log(statements_->log_action);
    if (log.bind(1, who.at).bind(2, who.user).bind(3, who.action).bind(4, who.target).step() != SQLITE_DONE)
      changed = sqlite_error();
  }
  if (changed.ok() && exec(db_, "COMMIT")) return changed;
  if (changed.ok()) changed = sqlite_error();
  exec(db_, "ROLLBACK");
  return changed;
}

result<journal_change> sqlite_journal::skip(std::string_view key, date::sys_seconds due, std::string_view channel,
                                            std::string_view event, const operator_action& who) {
  statement_use use(statements_->skip);
  return operate(use.bind(1, key).bind(2, event).bind(3, channel).bind(4, due).bind(5, who.at), who);
}

result<journal_change> sqlite_journal::resend(std::string_view key, const operator_action& who) {
  statement_use use(statements_->resend);
  return operate(use.bind(1, key).bind(2, who.at), who);
}

result<journal_change> sqlite_journal::pause_channel(const operator_action& who) {
  statement_use use(statements_->pause);
  return operate(use.bind(1, who.target).bind(2, who.at).bind(3, who.user), who);
}

result<journal_change> sqlite_journal::resume_channel(const operator_action& who) {
  statement_use use(statements_->resume);
  return operate(use.bind(1, who.target), who);
}

}  // namespace herald
