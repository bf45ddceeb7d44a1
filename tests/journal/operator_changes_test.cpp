// The operators' changes to the journal (docs/service.md "Operating
// herald"): skip, resend, pause and resume, their refusals, the actions log,
// and the migration from a schema version 1 file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <sqlite3.h>

#include "journal/sqlite_journal.hpp"
#include "support/temp_dir.hpp"

using namespace herald;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  test::temp_dir dir{"herald-operator"};
  fs::path db() const { return dir / "journal.db"; }
};

date::sys_seconds at(int minutes) {
  return date::sys_days{date::year{2025} / 3 / 8} + std::chrono::hours{9} + std::chrono::minutes{minutes};
}

const std::string key_a = "iwd/2025-03-08/-1d@09:00/slack";

template <class T>
T ok(result<T> result) {
  INFO((result.ok() ? "" : result.error()));
  REQUIRE(result.ok());
  return std::move(result.value());
}

std::unique_ptr<sqlite_journal> open_ok(const fs::path& db) { return ok(sqlite_journal::open(db)); }

operator_action by(std::string action, std::string target, int minute) {
  return {0, at(minute), "alice", std::move(action), std::move(target)};
}

post_state state_of(journal& j, const std::string& key) {
  auto row = ok(j.find(key));
  REQUIRE(row);
  return row->state;
}

journal_change skip(sqlite_journal& j, int minute) {
  return ok(j.skip(key_a, at(0), "slack", "iwd", by("skip", key_a, minute)));
}

void exec(const fs::path& db, const char* sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
  char* message = nullptr;
  int rc = sqlite3_exec(raw, sql, nullptr, nullptr, &message);
  INFO((message ? message : ""));
  sqlite3_free(message);
  sqlite3_close(raw);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("journal: a post never seen is skipped, and nothing sends it after", "[journal][operator]") {
  temp_dir dir;
  auto j = open_ok(dir.db());
  CHECK(skip(*j, 1) == journal_change::applied);
  CHECK(state_of(*j, key_a) == post_state::skipped);
  CHECK(is_final(post_state::skipped));
  CHECK(ok(j->begin_attempt(key_a, at(0), "slack", "iwd", at(2))) == journal_change::refused);
  CHECK(ok(j->record_missed(key_a, at(0), "slack", "iwd", at(2))) == journal_change::refused);
  CHECK(ok(j->record_failed(key_a, at(2), "x")) == journal_change::refused);
  CHECK(state_of(*j, key_a) == post_state::skipped);
  CHECK(ok(j->count_by_state()) == std::map<post_state, std::size_t>{{post_state::skipped, 1}});
}

TEST_CASE("journal: skip moves a pending post and refuses one in flight or final", "[journal][operator]") {
  temp_dir dir;
  auto j = open_ok(dir.db());
  REQUIRE(ok(j->begin_attempt(key_a, at(0), "slack", "iwd", at(1))) == journal_change::applied);
  CHECK(skip(*j, 2) == journal_change::refused);  // in flight: it may be reaching the channel
  REQUIRE(ok(j->record_retry(key_a, at(2), at(5), "HTTP 503")) == journal_change::applied);
  CHECK(skip(*j, 3) == journal_change::applied);
  CHECK(ok(j->find(key_a))->next_try == std::nullopt);
  CHECK(skip(*j, 4) == journal_change::refused);  // skipped already
  auto log = ok(j->actions(10));
  REQUIRE(log.size() == 1);  // refusals write no line
  CHECK(log[0].action == "skip");
  CHECK(log[0].user == "alice");
  CHECK(log[0].at == at(3));
}

TEST_CASE("journal: resend reopens failed, missed and skipped posts and refuses sent ones", "[journal][operator]") {
  temp_dir dir;
  auto j = open_ok(dir.db());
  SECTION("failed: attempts and interruptions start again, the window from now") {
    REQUIRE(ok(j->begin_attempt(key_a, at(0), "slack", "iwd", at(1))) == journal_change::applied);
    REQUIRE(ok(j->record_failed(key_a, at(2), "HTTP 404")) == journal_change::applied);
    CHECK(ok(j->resend(key_a, by("resend", key_a, 60))) == journal_change::applied);
    auto row = *ok(j->find(key_a));
    CHECK(row.state == post_state::pending);
    CHECK(row.attempts == 0);
    CHECK(row.resent_at == at(60));
    CHECK(row.due == at(0));
    CHECK(row.last_error == std::nullopt);
    CHECK(ok(j->begin_attempt(key_a, at(0), "slack", "iwd", at(61))) == journal_change::applied);
  }
  SECTION("missed") {
    REQUIRE(ok(j->record_missed(key_a, at(0), "slack", "iwd", at(1))) == journal_change::applied);
    CHECK(ok(j->resend(key_a, by("resend", key_a, 60))) == journal_change::applied);
    CHECK(state_of(*j, key_a) == post_state::pending);
  }
  SECTION("skipped") {
    REQUIRE(skip(*j, 1) == journal_change::applied);
    CHECK(ok(j->resend(key_a, by("resend", key_a, 60))) == journal_change::applied);
    CHECK(state_of(*j, key_a) == post_state::pending);
  }
  SECTION("sent, pending, in flight and unknown are refused") {
    CHECK(ok(j->resend(key_a, by("resend", key_a, 60))) == journal_change::refused);
    REQUIRE(ok(j->begin_attempt(key_a, at(0), "slack", "iwd", at(1))) == journal_change::applied);
    CHECK(ok(j->resend(key_a, by("resend", key_a, 60))) == journal_change::refused);
    REQUIRE(ok(j->record_sent(key_a, at(2))) == journal_change::applied);
    CHECK(ok(j->resend(key_a, by("resend", key_a, 60))) == journal_change::refused);
    CHECK(state_of(*j, key_a) == post_state::sent);
    CHECK(ok(j->actions(10)).empty());
  }
}

TEST_CASE("journal: channels are paused and resumed once each, every action logged in order", "[journal][operator]") {
  temp_dir dir;
  auto j = open_ok(dir.db());
  CHECK(ok(j->last_action_id()) == 0);
  CHECK(ok(j->pause_channel(by("pause", "slack", 1))) == journal_change::applied);
  CHECK(ok(j->pause_channel(by("pause", "slack", 2))) == journal_change::refused);
  CHECK(ok(j->paused_channels()) == std::vector<channel_pause>{{"slack", at(1), "alice"}});
  auto after_pause = ok(j->last_action_id());
  CHECK(after_pause > 0);
  CHECK(ok(j->resume_channel(by("resume", "teams", 3))) == journal_change::refused);
  CHECK(ok(j->resume_channel(by("resume", "slack", 4))) == journal_change::applied);
  CHECK(ok(j->paused_channels()).empty());
  CHECK(ok(j->last_action_id()) > after_pause);
  auto log = ok(j->actions(10));
  REQUIRE(log.size() == 2);
  CHECK(log[0].action == "resume");  // newest first
  CHECK(log[1].action == "pause");
  CHECK(log[1].target == "slack");
}

TEST_CASE("journal: an operator's change waits for the daemon's write lock and is seen by its connection",
          "[journal][operator]") {
  temp_dir dir;
  auto daemon = open_ok(dir.db());
  auto operator_side = open_ok(dir.db());
  auto before = ok(daemon->last_action_id());
  REQUIRE(ok(operator_side->pause_channel(by("pause", "slack", 1))) == journal_change::applied);
  CHECK(ok(daemon->last_action_id()) > before);
  CHECK(ok(daemon->paused_channels()).size() == 1);
}

TEST_CASE("journal: a schema version 1 journal is migrated and keeps its rows", "[journal][operator]") {
  temp_dir dir;
  // The version 1 schema as herald 1 shipped it, with one sent and one failed row.
  exec(dir.db(), R"sql(
    CREATE TABLE posts (
      key TEXT PRIMARY KEY NOT NULL, event TEXT NOT NULL, channel TEXT NOT NULL, due INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'missed')),
      attempts INTEGER NOT NULL DEFAULT 0, interrupted INTEGER NOT NULL DEFAULT 0, next_try INTEGER,
      last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, sent_at INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX posts_by_state ON posts (state, due);
    CREATE INDEX posts_by_next_try ON posts (state, next_try);
    CREATE INDEX posts_by_updated ON posts (updated_at);
    INSERT INTO posts VALUES ('iwd/2025-03-08/0d@09:00/slack', 'iwd', 'slack', 1741424400, 'sent', 1, 0, NULL,
                              NULL, 1741424400, 1741424401, 1741424401);
    INSERT INTO posts VALUES ('iwd/2025-03-08/-1d@09:00/slack', 'iwd', 'slack', 1741338000, 'failed', 3, 0, NULL,
                              'HTTP 404', 1741338000, 1741338100, NULL);
    PRAGMA journal_mode = WAL;
    PRAGMA user_version = 1;
  )sql");
  auto j = open_ok(dir.db());
  auto sent = *ok(j->find("iwd/2025-03-08/0d@09:00/slack"));
  CHECK(sent.state == post_state::sent);
  CHECK(sent.sent_at == date::sys_seconds{std::chrono::seconds{1741424401}});
  CHECK(sent.resent_at == std::nullopt);
  auto failed = *ok(j->find(key_a));
  CHECK(failed.attempts == 3);
  CHECK(failed.last_error == "HTTP 404");
  CHECK(ok(j->count_by_state()) == std::map<post_state, std::size_t>{{post_state::sent, 1}, {post_state::failed, 1}});
  CHECK(ok(j->resend(key_a, by("resend", key_a, 1))) == journal_change::applied);
  CHECK(ok(j->skip("iwd/2025-03-09/0d@09:00/slack", at(1440), "slack", "iwd", by("skip", "x", 2))) ==
        journal_change::applied);
  // Version 3's state: taken by the copied table, and resent like failed.
  const std::string slow = "iwd/2025-03-10/0d@09:00/slack";
  CHECK(ok(j->begin_attempt(slow, at(1500), "slack", "iwd", at(1500))) == journal_change::applied);
  CHECK(ok(j->record_unanswered(slow, at(1501), std::nullopt, "no answer")) == journal_change::applied);
  CHECK(ok(j->find(slow))->state == post_state::unconfirmed);
  CHECK(ok(j->resend(slow, by("resend", slow, 3))) == journal_change::applied);
  j.reset();
  auto reader = ok(sqlite_journal::open_read_only(dir.db()));
  CHECK(ok(reader->actions(10)).size() == 3);
}
