#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "journal/sqlite_journal.hpp"

using namespace herald;
namespace fs = std::filesystem;

namespace {

// A fresh directory for one test's journal, removed with everything in it
// (the -wal and -shm files too) when the test ends, passed or failed.
struct temp_dir {
  fs::path path;

  temp_dir() {
    static int made = 0;
    path = fs::temp_directory_path() / fmt::format("herald-journal-{}-{}", ::getpid(), ++made);
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path db() const { return path / "journal.db"; }
};

// Minutes after a fixed instant, so the tests never read a clock.
date::sys_seconds at(int minutes) {
  return date::sys_days{date::year{2025} / 3 / 8} + std::chrono::hours{9} + std::chrono::minutes{minutes};
}

const std::string key_a = "iwd/2025-03-08/-1d@09:00/slack";
const std::string key_b = "iwd/2025-03-08/0d@09:00/slack";

std::unique_ptr<sqlite_journal> open_ok(const fs::path& db) {
  auto opened = sqlite_journal::open(db);
  INFO((opened.ok() ? "" : opened.error()));
  REQUIRE(opened.ok());
  return std::move(opened.value());
}

std::string open_error(const fs::path& db) {
  auto opened = sqlite_journal::open(db);
  REQUIRE_FALSE(opened.ok());
  return opened.error();
}

journal_entry find_ok(journal& j, const std::string& key) {
  auto found = j.find(key);
  REQUIRE(found.ok());
  REQUIRE(found.value());
  return *found.value();
}

// begin_attempt for a post of event "iwd" on channel "slack", due at(0).
journal_change begin(journal& j, const std::string& key, date::sys_seconds now) {
  auto result = j.begin_attempt(key, at(0), "slack", "iwd", now);
  REQUIRE(result.ok());
  return result.value();
}

template <class T>
T ok(result<T> result) {
  INFO((result.ok() ? "" : result.error()));
  REQUIRE(result.ok());
  return std::move(result.value());
}

std::vector<std::string> keys_of(const std::vector<journal_entry>& entries) {
  std::vector<std::string> keys;
  for (const auto& entry : entries) keys.push_back(entry.key);
  return keys;
}

void set_user_version(const fs::path& db, int version) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
  auto sql = fmt::format("PRAGMA user_version = {}", version);
  CHECK(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
}

int user_version(const fs::path& db) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  int version = -1;
  if (sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  return version;
}

}  // namespace

TEST_CASE("journal: state survives closing and reopening the file", "[journal]") {
  temp_dir dir;
  {
    auto j = open_ok(dir.db());
    begin(*j, key_a, at(1));
    (void)ok(j->record_sent(key_a, at(2)));
    begin(*j, key_b, at(1));
    (void)ok(j->record_retry(key_b, at(2), at(5), "HTTP 429"));
    CHECK(fs::exists(dir.path / "journal.db-wal"));  // WAL mode
  }
  auto j = open_ok(dir.db());
  auto a = find_ok(*j, key_a);
  CHECK(a.state == post_state::sent);
  CHECK(a.sent_at == at(2));
  auto b = find_ok(*j, key_b);
  CHECK(b.state == post_state::pending);
  CHECK(b.next_try == at(5));
  CHECK(b.last_error == "HTTP 429");
  CHECK(begin(*j, key_a, at(6)) == journal_change::refused);
}

TEST_CASE("journal: posts left in flight are handed back once on reopen", "[journal]") {
  // Given herald stopped with a post in flight, then on start take_in_flight
  // returns it as pending with the interruption counted, and only once.
  temp_dir dir;
  {
    auto j = open_ok(dir.db());
    begin(*j, key_b, at(1));
    begin(*j, key_a, at(1));
    begin(*j, "done", at(1));
    (void)ok(j->record_sent("done", at(2)));
  }
  auto j = open_ok(dir.db());
  CHECK(keys_of(ok(j->entries_in(post_state::in_flight))) == std::vector{key_a, key_b});
  auto taken = ok(j->take_in_flight(at(10)));
  REQUIRE(keys_of(taken) == std::vector{key_a, key_b});
  CHECK(taken[0].state == post_state::pending);
  CHECK(taken[0].interrupted == 1);
  CHECK(taken[0].attempts == 1);
  CHECK(taken[0].updated_at == at(10));
  CHECK(taken[0].last_error == "herald stopped while this post was in flight; it may have reached the channel");
  CHECK(taken[0] == find_ok(*j, key_a));
  CHECK(ok(j->take_in_flight(at(11))).empty());

  // The caller may send it once more; if that is interrupted too, the count says so.
  CHECK(begin(*j, key_a, at(12)) == journal_change::applied);
  auto again = ok(j->take_in_flight(at(13)));
  REQUIRE(again.size() == 1);
  CHECK(again[0].interrupted == 2);
  CHECK(again[0].attempts == 2);
}

TEST_CASE("journal: an empty file is migrated to the current schema", "[journal]") {
  temp_dir dir;
  std::ofstream(dir.db()).close();
  REQUIRE(fs::file_size(dir.db()) == 0);
  {
    auto j = open_ok(dir.db());
    begin(*j, key_a, at(1));
  }
  CHECK(user_version(dir.db()) == sqlite_journal::schema_version);
  auto j = open_ok(dir.db());  // already current: nothing to migrate
  CHECK(find_ok(*j, key_a).state == post_state::in_flight);
}

TEST_CASE("journal: a journal from a newer herald is refused", "[journal]") {
  temp_dir dir;
  { open_ok(dir.db()); }
  set_user_version(dir.db(), sqlite_journal::schema_version + 1);
  CHECK(open_error(dir.db()) ==
        fmt::format("journal {}: schema version {} is newer than this herald understands ({}); run a newer herald",
                    dir.db().string(), sqlite_journal::schema_version + 1, sqlite_journal::schema_version));
  CHECK(user_version(dir.db()) == sqlite_journal::schema_version + 1);  // left as it was
}

TEST_CASE("journal: a file that is not a database is an error, not a crash", "[journal]") {
  temp_dir dir;
  std::mt19937 random(20250308);
  std::string bytes(64 * 1024, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random());
  std::ofstream(dir.db(), std::ios::binary) << bytes;
  CHECK(open_error(dir.db()) == fmt::format("journal {}: file is not a database", dir.db().string()));
}

TEST_CASE("journal: a location herald cannot write is an error", "[journal]") {
  // Root may write anywhere on disk, but not into /proc.
  CHECK(open_error("/proc/herald-journal.db") ==
        "journal /proc/herald-journal.db: unable to open database file (No such file or directory)");
  temp_dir dir;
  auto missing = dir.path / "no-such-dir" / "journal.db";
  CHECK(open_error(missing) ==
        fmt::format("journal {}: unable to open database file (No such file or directory)", missing.string()));
}

TEST_CASE("journal: a store failure after open comes back as an error value", "[journal]") {
  // Given an open journal whose table another process dropped, then every
  // call reports SQLite's message with the path, and nothing throws.
  temp_dir dir;
  auto j = open_ok(dir.db());
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(dir.db().c_str(), &raw) == SQLITE_OK);
  CHECK(sqlite3_exec(raw, "DROP TABLE posts", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);

  auto expected = fmt::format("journal {}: no such table: posts", dir.db().string());
  auto found = j->find(key_a);
  REQUIRE_FALSE(found.ok());
  CHECK(found.error() == expected);
  auto began = j->begin_attempt(key_a, at(0), "slack", "iwd", at(1));
  REQUIRE_FALSE(began.ok());
  CHECK(began.error() == expected);
  auto taken = j->take_in_flight(at(1));
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.error() == expected);
}

TEST_CASE("journal: 10 000 posts are recorded and found", "[journal]") {
  temp_dir dir;
  auto j = open_ok(dir.db());
  auto key = [](int i) { return fmt::format("event-{}/2025-03-08/0d@09:00/slack", i); };
  for (int i = 0; i < 10'000; ++i) {
    auto result = j->begin_attempt(key(i), at(i), "slack", fmt::format("event-{}", i), at(0));
    REQUIRE(result.ok());
    REQUIRE(result.value() == journal_change::applied);
  }
  for (int i = 0; i < 10'000; ++i) {
    auto found = j->find(key(i));
    REQUIRE(found.ok());
    REQUIRE(found.value());
    REQUIRE(found.value()->due == at(i));
  }
  CHECK(ok(j->entries_in(post_state::in_flight)).size() == 10'000);
}

TEST_CASE("journal: release_memory frees the pages SQLite cached, and the journal reads and writes on", "[journal]") {
  temp_dir dir;
  auto j = open_ok(dir.db());
  auto key = [](int i) { return fmt::format("event-{}/2025-03-08/0d@09:00/slack", i); };
  REQUIRE(j->begin_changes().ok());  // one sync for all, as a first start records its missed posts
  for (int i = 0; i < 2'000; ++i)
    REQUIRE(ok(j->record_missed(key(i), at(i), "slack", fmt::format("event-{}", i), at(0))) == journal_change::applied);
  REQUIRE(j->commit_changes().ok());
  auto cached = sqlite3_memory_used();
  j->release_memory();
  auto released = sqlite3_memory_used();
  INFO(fmt::format("SQLite's memory: {} bytes before, {} after", cached, released));
  // 2 000 rows and their index fill far more than 100 KiB of pages.
  CHECK(cached - released > 100 * 1024);
  auto found = j->find(key(1'234));
  REQUIRE(found.ok());
  REQUIRE(found.value());
  CHECK(found.value()->due == at(1'234));
  CHECK(ok(j->begin_attempt(key_a, at(0), "slack", "iwd", at(1))) == journal_change::applied);
  CHECK(ok(j->entries_in(post_state::missed)).size() == 2'000);
}

namespace {

// The child of the kill test: records A as sent and B as in flight, tells
// the parent both calls returned ('k', or 'e' if one failed), then waits,
// journal still open, to be killed.
[[noreturn]] void record_then_wait(const fs::path& db, int report) {
  char status = 'e';
  try {
    auto opened = sqlite_journal::open(db);
    if (opened.ok()) {
      auto& j = *opened.value();
      auto a = j.begin_attempt(key_a, at(0), "slack", "iwd", at(1));
      auto a_sent = j.record_sent(key_a, at(2));
      auto b = j.begin_attempt(key_b, at(0), "slack", "iwd", at(3));
      bool applied = a.ok() && a.value() == journal_change::applied && a_sent.ok() &&
                     a_sent.value() == journal_change::applied && b.ok() && b.value() == journal_change::applied;
      if (applied) status = 'k';
      if (::write(report, &status, 1) != 1) ::_exit(1);
      for (;;) ::pause();
    }
  } catch (...) {
  }
  if (::write(report, &status, 1) != 1) ::_exit(1);
  ::_exit(1);
}

}  // namespace

TEST_CASE("journal: kill -9 right after the calls return loses none of them", "[journal]") {
  // Given a process that recorded A sent and B in flight and is then killed
  // with SIGKILL, then a new open sees exactly that. (A kill leaves the OS's
  // page cache intact; power loss is what synchronous=FULL is for.)
  temp_dir dir;
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    record_then_wait(dir.db(), pipe_fds[1]);
  }
  ::close(pipe_fds[1]);
  char status = 0;
  ssize_t got;
  do {
    got = ::read(pipe_fds[0], &status, 1);  // EOF if the child died first
  } while (got < 0 && errno == EINTR);
  ::close(pipe_fds[0]);
  ::kill(child, SIGKILL);
  int wait_status = 0;
  REQUIRE(::waitpid(child, &wait_status, 0) == child);
  REQUIRE(got == 1);
  REQUIRE(status == 'k');
  CHECK(WIFSIGNALED(wait_status));
  CHECK(WTERMSIG(wait_status) == SIGKILL);

  auto j = open_ok(dir.db());
  CHECK(find_ok(*j, key_a).state == post_state::sent);
  CHECK(find_ok(*j, key_b).state == post_state::in_flight);
  CHECK(keys_of(ok(j->take_in_flight(at(4)))) == std::vector{key_b});
}

namespace {

std::unique_ptr<sqlite_journal> open_read_only_ok(const fs::path& db) {
  auto opened = sqlite_journal::open_read_only(db);
  INFO((opened.ok() ? "" : opened.error()));
  REQUIRE(opened.ok());
  return std::move(opened.value());
}

std::string open_read_only_error(const fs::path& db) {
  auto opened = sqlite_journal::open_read_only(db);
  REQUIRE_FALSE(opened.ok());
  return opened.error();
}

std::unique_ptr<sqlite_journal> open_snapshot_ok(const fs::path& db) {
  auto opened = sqlite_journal::open_snapshot(db);
  INFO((opened.ok() ? "" : opened.error()));
  REQUIRE(opened.ok());
  return std::move(opened.value());
}

std::string open_snapshot_error(const fs::path& db) {
  auto opened = sqlite_journal::open_snapshot(db);
  REQUIRE_FALSE(opened.ok());
  return opened.error();
}

// Every file in `dir` with its bytes, to show a reader left it as it was.
std::map<std::string, std::string> files_in(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& item : fs::directory_iterator(dir)) {
    std::ifstream in(item.path(), std::ios::binary);
    files[item.path().filename().string()] =
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return files;
}

}  // namespace

TEST_CASE("journal: a read-only journal reads what a daemon holding the file has written", "[journal]") {
  // Given a writer that keeps the file open in WAL mode (as `herald run`
  // does), then a read-only journal sees its committed rows, and its later
  // ones too, while every change through the reader is an error.
  temp_dir dir;
  auto writer = open_ok(dir.db());
  begin(*writer, key_a, at(1));
  (void)ok(writer->record_sent(key_a, at(2)));
  begin(*writer, key_b, at(1));
  (void)ok(writer->record_retry(key_b, at(2), at(5), "HTTP 503"));
  REQUIRE(fs::exists(dir.path / "journal.db-wal"));

  auto reader = open_read_only_ok(dir.db());
  CHECK(find_ok(*reader, key_a).state == post_state::sent);
  CHECK(find_ok(*reader, key_b).next_try == at(5));
  CHECK(keys_of(ok(reader->entries_in(post_state::pending))) == std::vector{key_b});

  (void)ok(writer->record_missed("later", at(3), "slack", "iwd", at(4)));
  CHECK(find_ok(*reader, "later").state == post_state::missed);
  CHECK(keys_of(ok(reader->recent(1))) == std::vector<std::string>{"later"});

  auto began = reader->begin_attempt(key_b, at(0), "slack", "iwd", at(6));
  REQUIRE_FALSE(began.ok());
  CHECK(began.error() == fmt::format("journal {}: attempt to write a readonly database", dir.db().string()));
  CHECK_FALSE(reader->take_in_flight(at(6)).ok());
  CHECK(find_ok(*writer, key_b).state == post_state::pending);
  CHECK(begin(*writer, key_b, at(6)) == journal_change::applied);  // the writer is not blocked by the reader
}

TEST_CASE("journal: reading a journal that was closed cleanly changes nothing in it", "[journal]") {
  // Given a journal whose daemon stopped (its last close folded the WAL into
  // the file), then reading leaves the file's bytes as they were; the -wal
  // SQLite needs beside it to read is empty, and a daemon opens it after.
  temp_dir dir;
  {
    auto writer = open_ok(dir.db());
    begin(*writer, key_a, at(1));
    (void)ok(writer->record_sent(key_a, at(2)));
  }
  auto before = files_in(dir.path);
  REQUIRE(before.size() == 1);
  {
    auto reader = open_read_only_ok(dir.db());
    CHECK(find_ok(*reader, key_a).sent_at == at(2));
    CHECK(ok(reader->recent(10)).size() == 1);
  }
  auto after = files_in(dir.path);
  CHECK(after["journal.db"] == before["journal.db"]);
  CHECK(after["journal.db-wal"].empty());
  auto writer = open_ok(dir.db());
  CHECK(begin(*writer, key_b, at(3)) == journal_change::applied);
}

TEST_CASE("journal: read-only open of a missing, foreign or other-version file is an error", "[journal]") {
  temp_dir dir;
  SECTION("missing: nothing is created") {
    CHECK(open_read_only_error(dir.db()) ==
          fmt::format("journal {}: unable to open database file (No such file or directory)", dir.db().string()));
    CHECK(fs::is_empty(dir.path));
  }
  SECTION("newer: refused, left as it was") {
    { open_ok(dir.db()); }
    set_user_version(dir.db(), sqlite_journal::schema_version + 1);
    CHECK(open_read_only_error(dir.db()) ==
          fmt::format("journal {}: schema version {} is newer than this herald understands ({}); run a newer herald",
                      dir.db().string(), sqlite_journal::schema_version + 1, sqlite_journal::schema_version));
    CHECK(user_version(dir.db()) == sqlite_journal::schema_version + 1);
  }
  SECTION("never migrated: refused, not migrated") {
    std::ofstream(dir.db()).close();
    CHECK(open_read_only_error(dir.db()) ==
          fmt::format("journal {}: has no herald schema yet; `herald run` creates it", dir.db().string()));
    CHECK(fs::file_size(dir.db()) == 0);
  }
  SECTION("not a database") {
    std::ofstream(dir.db(), std::ios::binary) << std::string(4096, 'x');
    CHECK(open_read_only_error(dir.db()) == fmt::format("journal {}: file is not a database", dir.db().string()));
  }
}

TEST_CASE("journal: a snapshot is a copy: its changes never reach the file, nor the file's later ones it",
          "[journal]") {
  // Given a daemon's journal with rows still in its WAL, then the snapshot
  // holds them; what a dry run records goes to the copy only.
  temp_dir dir;
  auto writer = open_ok(dir.db());
  begin(*writer, key_a, at(1));
  (void)ok(writer->record_sent(key_a, at(2)));
  begin(*writer, key_b, at(1));
  (void)ok(writer->record_retry(key_b, at(2), at(5), "HTTP 503"));

  auto copy = open_snapshot_ok(dir.db());
  CHECK(find_ok(*copy, key_a) == find_ok(*writer, key_a));
  CHECK(find_ok(*copy, key_b) == find_ok(*writer, key_b));
  CHECK(begin(*copy, key_a, at(6)) == journal_change::refused);  // sent stays sent in the copy too

  CHECK(begin(*copy, key_b, at(6)) == journal_change::applied);
  CHECK(ok(copy->record_sent(key_b, at(7))) == journal_change::applied);
  CHECK(ok(copy->record_missed("copy-only", at(3), "slack", "iwd", at(7))) == journal_change::applied);
  CHECK(find_ok(*copy, key_b).state == post_state::sent);

  CHECK(find_ok(*writer, key_b).state == post_state::pending);
  CHECK_FALSE(ok(writer->find("copy-only")));
  (void)ok(writer->record_missed("file-only", at(3), "slack", "iwd", at(8)));
  CHECK_FALSE(ok(copy->find("file-only")));
  writer.reset();
  CHECK(user_version(dir.db()) == sqlite_journal::schema_version);
  CHECK(find_ok(*open_read_only_ok(dir.db()), key_b).state == post_state::pending);
}

TEST_CASE("journal: a snapshot of a missing file is an empty journal, and creates nothing", "[journal]") {
  temp_dir dir;
  auto copy = open_snapshot_ok(dir.db());
  CHECK(ok(copy->recent(10)).empty());
  CHECK(begin(*copy, key_a, at(1)) == journal_change::applied);
  CHECK(find_ok(*copy, key_a).state == post_state::in_flight);
  CHECK(fs::is_empty(dir.path));
}

TEST_CASE("journal: a snapshot migrates an older file in memory and refuses a newer one", "[journal]") {
  temp_dir dir;
  SECTION("older (never migrated): the copy is current, the file untouched") {
    std::ofstream(dir.db()).close();
    auto copy = open_snapshot_ok(dir.db());
    CHECK(begin(*copy, key_a, at(1)) == journal_change::applied);
    CHECK(fs::file_size(dir.db()) == 0);
  }
  SECTION("newer") {
    { open_ok(dir.db()); }
    set_user_version(dir.db(), sqlite_journal::schema_version + 1);
    CHECK(open_snapshot_error(dir.db()) ==
          fmt::format("journal {} (in-memory copy): schema version {} is newer than this herald understands ({}); "
                      "run a newer herald",
                      dir.db().string(), sqlite_journal::schema_version + 1, sqlite_journal::schema_version));
  }
  SECTION("not a database") {
    std::ofstream(dir.db(), std::ios::binary) << std::string(4096, 'x');
    CHECK(open_snapshot_error(dir.db()) ==
          fmt::format("journal {} (in-memory copy): file is not a database", dir.db().string()));
  }
}

namespace {

// open_read_only's error in a child process that is not root (as root, the
// child becomes nobody; root may write anywhere).
std::string read_only_error_as_user(const fs::path& db) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string message = "could not drop root";
    if (::geteuid() != 0 || (::setgid(65534) == 0 && ::setuid(65534) == 0)) {
      auto opened = sqlite_journal::open_read_only(db);
      message = opened.ok() ? "opened" : opened.error();
    }
    auto written = ::write(pipe_fds[1], message.data(), message.size());
    ::_exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  ssize_t got;
  while ((got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0 || (got < 0 && errno == EINTR))
    if (got > 0) message.append(buffer, static_cast<std::size_t>(got));
  ::close(pipe_fds[0]);
  int wait_status = 0;
  REQUIRE(::waitpid(child, &wait_status, 0) == child);
  return message;
}

}  // namespace

TEST_CASE("journal: a reader who may not write the journal's directory is told why it cannot read", "[journal]") {
  // Given a journal closed cleanly (no -wal beside it) in a directory the
  // reader may read but not write, then SQLite cannot make the -wal it
  // needs, and the error says so instead of "attempt to write a readonly
  // database".
  temp_dir dir;
  {
    auto writer = open_ok(dir.db());
    begin(*writer, key_a, at(1));
  }
  REQUIRE_FALSE(fs::exists(dir.path / "journal.db-wal"));
  using p = fs::perms;
  auto readable = p::owner_read | p::group_read | p::others_read;
  auto traversable = p::owner_exec | p::group_exec | p::others_exec;
  fs::permissions(dir.db(), readable);
  fs::permissions(dir.path, readable | traversable);
  auto message = read_only_error_as_user(dir.db());
  fs::permissions(dir.path, p::owner_write, fs::perm_options::add);  // so the directory can be removed
  CHECK(message == fmt::format("journal {}: cannot be read without write access to its directory (SQLite makes its "
                               "-wal file there); run as root or as the service's user",
                               dir.db().string()));
}
