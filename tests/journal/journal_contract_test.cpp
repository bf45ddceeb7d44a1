// The journal's contract (journal/journal.hpp: its states and refusals),
// one body run over each store: the SQLite file and the PostgreSQL
// database replicas share (a throwaway cluster, tests/support/pg_cluster.hpp).
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "journal/postgresql_journal.hpp"
#include "journal/sqlite_journal.hpp"
#include "support/pg_cluster.hpp"
#include "support/temp_dir.hpp"

using namespace herald;

namespace {

date::sys_seconds at(int minutes) {
  return date::sys_days{date::year{2025} / 3 / 8} + std::chrono::hours{9} + std::chrono::minutes{minutes};
}

const std::string key_a = "iwd/2025-03-08/-1d@09:00/slack";
const std::string key_b = "iwd/2025-03-08/0d@09:00/slack";

template <class T>
T ok(result<T> result) {
  INFO((result.ok() ? "" : result.error()));
  REQUIRE(result.ok());
  return std::move(result.value());
}

// A fresh journal of the kind named: "sqlite" (a file in a temporary
// directory) or "postgresql" (a fresh database in the shared cluster).
class any_store {
 public:
  explicit any_store(const std::string& kind) {
    INFO(kind);
    if (kind == "sqlite") {
      dir_ = std::make_unique<test::temp_dir>("herald-contract");
      store_ = ok(sqlite_journal::open(dir_->path() / "journal.db"));
    } else {
      auto url = test::pg_cluster::shared().fresh_database();
      store_ = ok(postgresql_journal::open({url, "replica-a"}));
    }
  }
  journal& get() { return *store_; }

 private:
  std::unique_ptr<test::temp_dir> dir_;
  std::unique_ptr<journal> store_;
};

journal_entry find_ok(journal& j, const std::string& key) {
  auto found = j.find(key);
  INFO((found.ok() ? "" : found.error()));
  REQUIRE(found.ok());
  REQUIRE(found.value());
  return *found.value();
}

journal_change begin(journal& j, const std::string& key, date::sys_seconds now) {
  return ok(j.begin_attempt(key, at(0), "slack", "iwd", now));
}

std::vector<std::string> keys_of(const std::vector<journal_entry>& entries) {
  std::vector<std::string> keys;
  for (const auto& entry : entries) keys.push_back(entry.key);
  return keys;
}

}  // namespace

TEST_CASE("journal: a post goes in flight, then sent", "[journal][postgresql]") {
  // Given a fresh journal, when a post's attempt begins and succeeds,
  // then each step is recorded with its time.
  any_store store(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  auto* j = &store.get();
  CHECK_FALSE(ok(j->find(key_a)));

  CHECK(begin(*j, key_a, at(1)) == journal_change::applied);
  auto flying = find_ok(*j, key_a);
  CHECK(flying.state == post_state::in_flight);
  CHECK(flying.attempts == 1);
  CHECK(flying.event == "iwd");
  CHECK(flying.channel == "slack");
  CHECK(flying.due == at(0));
  CHECK(flying.created_at == at(1));
  CHECK(flying.updated_at == at(1));
  CHECK_FALSE(flying.sent_at);

  CHECK(ok(j->record_sent(key_a, at(2))) == journal_change::applied);
  auto sent = find_ok(*j, key_a);
  CHECK(sent.state == post_state::sent);
  CHECK(sent.attempts == 1);
  CHECK(sent.created_at == at(1));
  CHECK(sent.updated_at == at(2));
  CHECK(sent.sent_at == at(2));
  CHECK_FALSE(sent.last_error);
  CHECK_FALSE(sent.next_try);
}

TEST_CASE("journal: a retry goes back to pending with its next try, and the next attempt counts",
          "[journal][postgresql]") {
  any_store store(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  auto* j = &store.get();
  begin(*j, key_a, at(1));

  CHECK(ok(j->record_retry(key_a, at(2), at(3), "HTTP 503")) == journal_change::applied);
  auto pending = find_ok(*j, key_a);
  CHECK(pending.state == post_state::pending);
  CHECK(pending.attempts == 1);
  CHECK(pending.next_try == at(3));
  CHECK(pending.last_error == "HTTP 503");
  CHECK(keys_of(ok(j->due_retries(at(2)))).empty());
  CHECK(keys_of(ok(j->due_retries(at(3)))) == std::vector{key_a});

  CHECK(begin(*j, key_a, at(3)) == journal_change::applied);
  auto again = find_ok(*j, key_a);
  CHECK(again.state == post_state::in_flight);
  CHECK(again.attempts == 2);
  CHECK_FALSE(again.next_try);
  CHECK(again.last_error == "HTTP 503");  // until this attempt is recorded
  CHECK(keys_of(ok(j->due_retries(at(9)))).empty());

  CHECK(ok(j->record_sent(key_a, at(4))) == journal_change::applied);
  CHECK(find_ok(*j, key_a).attempts == 2);
}

TEST_CASE("journal: record_sent of a pending post is refused on one host, applied for a shared journal's last claimer",
          "[journal][postgresql]") {
  // The one difference journal.hpp's diagram allows: a shared journal
  // takes a late success of the replica that claimed the post last (its
  // claim lapsed and was handed back); a journal of one host never does.
  auto kind = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  any_store store(kind);
  auto* j = &store.get();
  begin(*j, key_a, at(1));
  REQUIRE(ok(j->record_retry(key_a, at(2), at(3), "HTTP 503")) == journal_change::applied);
  auto before = find_ok(*j, key_a);
  INFO(kind);
  if (kind == "sqlite") {
    CHECK(ok(j->record_sent(key_a, at(4))) == journal_change::refused);
    CHECK(find_ok(*j, key_a) == before);
  } else {
    CHECK(ok(j->record_sent(key_a, at(4))) == journal_change::applied);
    CHECK(find_ok(*j, key_a).state == post_state::sent);
  }
}

TEST_CASE("journal: an unanswered attempt goes back to pending once, interrupted, then unconfirmed",
          "[journal][unanswered][postgresql]") {
  any_store store(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  auto* j = &store.get();
  begin(*j, key_a, at(1));
  CHECK(ok(j->record_unanswered(key_a, at(2), at(3), "no answer")) == journal_change::applied);
  auto pending = find_ok(*j, key_a);
  CHECK(pending.state == post_state::pending);
  CHECK(pending.interrupted == 1);
  CHECK(pending.next_try == at(3));
  CHECK(pending.last_error == "no answer");
  // A pending row is not sent back to pending by it: only from in flight.
  CHECK(ok(j->record_unanswered(key_a, at(2), at(4), "no answer")) == journal_change::refused);
  CHECK(begin(*j, key_a, at(3)) == journal_change::applied);
  CHECK(ok(j->record_unanswered(key_a, at(4), std::nullopt, "no answer again")) == journal_change::applied);
  auto unconfirmed = find_ok(*j, key_a);
  CHECK(unconfirmed.state == post_state::unconfirmed);
  CHECK(is_final(unconfirmed.state));
  CHECK_FALSE(unconfirmed.next_try);
  CHECK(unconfirmed.last_error == "no answer again");
  CHECK(begin(*j, key_a, at(5)) == journal_change::refused);
  CHECK(ok(j->count_by_state()) == std::map<post_state, std::size_t>{{post_state::unconfirmed, 1}});
  CHECK(parse_post_state("unconfirmed") == post_state::unconfirmed);
}

TEST_CASE("journal: begin_attempt is refused for sent, failed, missed and in-flight posts", "[journal][postgresql]") {
  // Given one post in each state that must not be sent (again), then no
  // change starts an attempt on it, and each row stays as it was.
  any_store store(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  auto* j = &store.get();
  begin(*j, "sent", at(1));
  (void)ok(j->record_sent("sent", at(2)));
  begin(*j, "failed", at(1));
  (void)ok(j->record_failed("failed", at(2), "HTTP 404: channel_not_found"));
  (void)ok(j->record_missed("missed", at(0), "slack", "iwd", at(2)));
  begin(*j, "flying", at(1));

  for (const std::string key : {"sent", "failed", "missed", "flying"}) {
    INFO(key);
    auto before = find_ok(*j, key);
    CHECK(begin(*j, key, at(5)) == journal_change::refused);
    CHECK(find_ok(*j, key) == before);
  }
  for (const std::string key : {"sent", "failed", "missed"}) {
    INFO(key);
    auto before = find_ok(*j, key);
    CHECK(ok(j->record_sent(key, at(6))) == journal_change::refused);
    CHECK(ok(j->record_failed(key, at(6), "x")) == journal_change::refused);
    CHECK(ok(j->record_retry(key, at(6), at(7), "x")) == journal_change::refused);
    CHECK(find_ok(*j, key) == before);
  }
  CHECK(find_ok(*j, "failed").last_error == "HTTP 404: channel_not_found");
  CHECK(ok(j->record_sent("never-seen", at(6))) == journal_change::refused);
  CHECK_FALSE(ok(j->find("never-seen")));
}

TEST_CASE("journal: begin_attempts applies each post's begin_attempt, refusing what begin_attempt refuses",
          "[journal][postgresql]") {
  // Given one post in each state a round's claim may meet, when one call
  // claims them all, then exactly the absent and pending ones go in
  // flight, each counted as begin_attempt counts it, and the rest stay as they were.
  any_store store(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  auto* j = &store.get();
  CHECK(j->begin_attempts({}, at(1)).empty());
  begin(*j, "sent", at(1));
  (void)ok(j->record_sent("sent", at(2)));
  begin(*j, "failed", at(1));
  (void)ok(j->record_failed("failed", at(2), "HTTP 404"));
  begin(*j, "retry", at(1));
  (void)ok(j->record_retry("retry", at(2), at(3), "HTTP 503"));
  begin(*j, "unanswered", at(1));
  (void)ok(j->record_unanswered("unanswered", at(2), at(3), "no answer"));
  begin(*j, "flying", at(1));
  auto sent = find_ok(*j, "sent");
  auto failed = find_ok(*j, "failed");
  auto flying = find_ok(*j, "flying");

  auto changes = j->begin_attempts({{"new", at(0), "teams", "iwd"},
                                    {"sent", at(0), "slack", "iwd"},
                                    {"retry", at(0), "teams", "iwd"},
                                    {"flying", at(0), "slack", "iwd"},
                                    {"failed", at(0), "slack", "iwd"},
                                    {"unanswered", at(0), "slack", "iwd"},
                                    {"new", at(0), "slack", "iwd"}},
                                   at(4));
  std::vector<journal_change> got;
  for (auto& change : changes) got.push_back(ok(std::move(change)));
  using enum journal_change;
  CHECK(got == std::vector{applied, refused, applied, refused, refused, applied, refused});

  auto fresh = find_ok(*j, "new");
  CHECK(fresh.state == post_state::in_flight);
  CHECK(fresh.attempts == 1);
  CHECK(fresh.channel == "teams");  // the first time the key was given, not the refused second
  CHECK(fresh.created_at == at(4));
  auto retried = find_ok(*j, "retry");
  CHECK(retried.state == post_state::in_flight);
  CHECK(retried.attempts == 2);
  CHECK(retried.interrupted == 0);
  CHECK(retried.channel == "teams");
  CHECK_FALSE(retried.next_try);
  CHECK(retried.updated_at == at(4));
  auto once_more = find_ok(*j, "unanswered");
  CHECK(once_more.state == post_state::in_flight);
  CHECK(once_more.attempts == 2);
  CHECK(once_more.interrupted == 1);
  CHECK(find_ok(*j, "sent") == sent);
  CHECK(find_ok(*j, "failed") == failed);
  CHECK(find_ok(*j, "flying") == flying);
}

TEST_CASE("journal: record_sent_all applies each post's record_sent, refusing what record_sent refuses",
          "[journal][postgresql]") {
  any_store store(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  auto* j = &store.get();
  CHECK(j->record_sent_all({}, at(1)).empty());
  begin(*j, "flying", at(1));
  begin(*j, "also-flying", at(1));
  begin(*j, "failed", at(1));
  (void)ok(j->record_failed("failed", at(2), "HTTP 404"));
  auto failed = find_ok(*j, "failed");

  std::vector<journal_change> got;
  for (auto& change : j->record_sent_all({"flying", "failed", "never-seen", "also-flying", "flying"}, at(3)))
    got.push_back(ok(std::move(change)));
  using enum journal_change;
  CHECK(got == std::vector{applied, refused, refused, applied, refused});
  for (const std::string key : {"flying", "also-flying"}) {
    INFO(key);
    auto sent = find_ok(*j, key);
    CHECK(sent.state == post_state::sent);
    CHECK(sent.sent_at == at(3));
    CHECK(sent.updated_at == at(3));
  }
  CHECK(find_ok(*j, "failed") == failed);
  CHECK_FALSE(ok(j->find("never-seen")));
}

TEST_CASE("journal: find_all reads the rows of the keys herald has seen, as find does", "[journal][postgresql]") {
  any_store store(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  auto* j = &store.get();
  CHECK(ok(j->find_all({})).empty());
  begin(*j, "flying", at(1));
  begin(*j, "sent \"quoted\", too", at(1));
  (void)ok(j->record_sent("sent \"quoted\", too", at(2)));
  begin(*j, "not asked", at(1));
  auto rows = ok(j->find_all({"never-seen", "sent \"quoted\", too", "flying"}));
  std::map<std::string, journal_entry> by_key;
  for (auto& row : rows) by_key.emplace(row.key, std::move(row));
  CHECK(by_key.size() == 2);
  CHECK(by_key.at("flying") == find_ok(*j, "flying"));
  CHECK(by_key.at("sent \"quoted\", too") == find_ok(*j, "sent \"quoted\", too"));
}

TEST_CASE("journal: missed never overwrites sent or in flight", "[journal][postgresql]") {
  any_store store(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  auto* j = &store.get();
  begin(*j, key_a, at(1));
  CHECK(ok(j->record_missed(key_a, at(0), "slack", "iwd", at(2))) == journal_change::refused);
  (void)ok(j->record_sent(key_a, at(2)));
  CHECK(ok(j->record_missed(key_a, at(0), "slack", "iwd", at(3))) == journal_change::refused);
  CHECK(find_ok(*j, key_a).state == post_state::sent);

  SECTION("an unseen post is recorded as missed, without an attempt") {
    CHECK(ok(j->record_missed(key_b, at(0), "slack", "iwd", at(3))) == journal_change::applied);
    auto missed = find_ok(*j, key_b);
    CHECK(missed.state == post_state::missed);
    CHECK(missed.attempts == 0);
    CHECK(missed.created_at == at(3));
  }
  SECTION("a pending retry whose window closed becomes missed") {
    begin(*j, key_b, at(1));
    (void)ok(j->record_retry(key_b, at(2), at(4), "timeout"));
    CHECK(ok(j->record_missed(key_b, at(0), "slack", "iwd", at(9))) == journal_change::applied);
    auto missed = find_ok(*j, key_b);
    CHECK(missed.state == post_state::missed);
    CHECK(missed.attempts == 1);
    CHECK_FALSE(missed.next_try);
    CHECK(keys_of(ok(j->due_retries(at(9)))).empty());
  }
}

TEST_CASE("journal: recent and entries_in list rows in their orders", "[journal][postgresql]") {
  any_store store(GENERATE(as<std::string>{}, "sqlite", "postgresql"));
  auto* j = &store.get();
  (void)ok(j->record_missed("c", at(3), "slack", "iwd", at(1)));
  (void)ok(j->record_missed("b", at(1), "slack", "iwd", at(2)));
  (void)ok(j->record_missed("a", at(2), "slack", "iwd", at(2)));
  CHECK(keys_of(ok(j->entries_in(post_state::missed))) == std::vector<std::string>{"b", "a", "c"});
  CHECK(keys_of(ok(j->recent(2))) == std::vector<std::string>{"a", "b"});
  CHECK(ok(j->recent(100)).size() == 3);
  CHECK(ok(j->entries_in(post_state::sent)).empty());
}
