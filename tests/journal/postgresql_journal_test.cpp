// What the PostgreSQL journal adds to the contract (journal_contract_test.cpp
// runs that over both stores): replicas racing for a post, leases that
// lapse and are taken over, an outage of the database, and a URL that is
// never shown. A real PostgreSQL 15 (tests/support/pg_cluster.hpp): when
// it cannot run, these fail.
#include <catch2/catch.hpp>

#include <poll.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "journal/postgresql_journal.hpp"
#include "support/pg_cluster.hpp"

using namespace herald;
using test::pg_cluster;

namespace {

date::sys_seconds at(int minutes) {
  return date::sys_days{date::year{2025} / 3 / 8} + std::chrono::hours{9} + std::chrono::minutes{minutes};
}

template <class T>
T ok(result<T> result) {
  INFO((result.ok() ? "" : result.error()));
  REQUIRE(result.ok());
  return std::move(result.value());
}

std::unique_ptr<postgresql_journal> replica(const std::string& url, const std::string& name,
                                            std::chrono::milliseconds lease = std::chrono::seconds{60}) {
  return ok(postgresql_journal::open({url, name, lease}));
}

journal_change claim(journal& j, const std::string& key, int minute = 1) {
  return ok(j.begin_attempt(key, at(0), "slack", "iwd", at(minute)));
}

journal_entry row(journal& j, const std::string& key) {
  auto found = ok(j.find(key));
  REQUIRE(found);
  return *found;
}

// The database name at the end of a cluster URL (before its query).
std::string database_of(const std::string& url) {
  auto slash = url.rfind('/');
  return url.substr(slash + 1, url.find('?') - slash - 1);
}

}  // namespace

TEST_CASE("postgresql journal: of two replicas racing for each post, exactly one claims it", "[postgresql]") {
  auto url = pg_cluster::shared().fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  constexpr int posts = 200;
  std::vector<int> won_by_a(posts), won_by_b(posts);
  std::atomic<bool> go{false};
  auto race = [&](journal& j, std::vector<int>& won) {
    while (!go) std::this_thread::yield();
    for (int i = 0; i < posts; ++i) {
      auto began = j.begin_attempt(fmt::format("iwd/{}", i), at(0), "slack", "iwd", at(1));
      won[static_cast<std::size_t>(i)] = began.ok() && began.value() == journal_change::applied ? 1 : 0;
    }
  };
  std::thread ta(race, std::ref(*a), std::ref(won_by_a));
  std::thread tb(race, std::ref(*b), std::ref(won_by_b));
  go = true;
  ta.join();
  tb.join();
  for (int i = 0; i < posts; ++i) {
    INFO(i);
    CHECK(won_by_a[static_cast<std::size_t>(i)] + won_by_b[static_cast<std::size_t>(i)] == 1);
    auto r = row(*a, fmt::format("iwd/{}", i));
    CHECK(r.state == post_state::in_flight);
    CHECK(r.attempts == 1);
    CHECK(r.replica == (won_by_a[static_cast<std::size_t>(i)] ? "a" : "b"));
  }
}

TEST_CASE("postgresql journal: of two replicas claiming the same rounds at once, each post goes to exactly one",
          "[postgresql]") {
  // Each round in one statement, the two replicas' in opposite orders: the
  // rows are locked in one order whatever the round's, so neither deadlocks.
  auto url = pg_cluster::shared().fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  constexpr int rounds = 20, per_round = 20;
  std::vector<std::string> keys;
  for (int i = 0; i < rounds * per_round; ++i) keys.push_back(fmt::format("iwd/{:03}", i));
  std::vector<int> won_by_a(keys.size()), won_by_b(keys.size()), errors(2);
  std::atomic<bool> go{false};
  auto race = [&](journal& j, std::vector<int>& won, int& failed, bool backwards) {
    while (!go) std::this_thread::yield();
    for (int r = 0; r < rounds; ++r) {
      std::vector<std::size_t> round;
      for (int i = 0; i < per_round; ++i)
        round.push_back(static_cast<std::size_t>(r * per_round + (backwards ? per_round - 1 - i : i)));
      std::vector<attempt_claim> claims;
      for (auto i : round) claims.push_back({keys[i], at(0), "slack", "iwd"});
      auto changes = j.begin_attempts(claims, at(1));
      if (changes.size() != round.size() || !changes.back().ok()) {
        ++failed;
        continue;
      }
      for (std::size_t i = 0; i < round.size(); ++i)
        won[round[i]] = changes[i].ok() && changes[i].value() == journal_change::applied ? 1 : 0;
    }
  };
  std::thread ta(race, std::ref(*a), std::ref(won_by_a), std::ref(errors[0]), false);
  std::thread tb(race, std::ref(*b), std::ref(won_by_b), std::ref(errors[1]), true);
  go = true;
  ta.join();
  tb.join();
  CHECK(errors == std::vector<int>{0, 0});
  for (std::size_t i = 0; i < keys.size(); ++i) {
    INFO(keys[i]);
    CHECK(won_by_a[i] + won_by_b[i] == 1);
    auto r = row(*a, keys[i]);
    CHECK(r.state == post_state::in_flight);
    CHECK(r.attempts == 1);
    CHECK(r.replica == (won_by_a[i] ? "a" : "b"));
  }
}

TEST_CASE("postgresql journal: a round's claim locks its rows in key order, so two replicas' rounds never deadlock",
          "[postgresql]") {
  // Given replica a inside a round's transaction holding "k0", when b
  // claims a round given backwards, then b waits at "k0" before it holds
  // any other row: a's claim of the rest goes through (in b's order, b
  // would hold them and the two would deadlock), and b is refused all.
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  REQUIRE(a->begin_changes().ok());
  REQUIRE(claim(*a, "k0") == journal_change::applied);
  std::vector<result<journal_change>> by_b;
  std::thread tb([&] {
    by_b = b->begin_attempts(
        {{"k2", at(0), "slack", "iwd"}, {"k1", at(0), "slack", "iwd"}, {"k0", at(0), "slack", "iwd"}}, at(1));
  });
  auto waiting = [&] {
    return cluster.psql(database_of(url),
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'herald b' AND "
                        "wait_event_type = 'Lock'") == "1\n";
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  bool b_waits = false;
  while (!(b_waits = waiting()) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  CHECK(b_waits);  // a CHECK: the thread must be joined
  auto by_a = a->begin_attempts({{"k1", at(0), "slack", "iwd"}, {"k2", at(0), "slack", "iwd"}}, at(1));
  auto committed = a->commit_changes();
  tb.join();
  CHECK(committed.ok());
  std::vector<journal_change> got_a, got_b;
  for (auto& change : by_a) got_a.push_back(ok(std::move(change)));
  for (auto& change : by_b) got_b.push_back(ok(std::move(change)));
  using enum journal_change;
  CHECK(got_a == std::vector{applied, applied});
  CHECK(got_b == std::vector{refused, refused, refused});
  for (const std::string key : {"k0", "k1", "k2"}) CHECK(row(*b, key).replica == "a");
}

TEST_CASE("postgresql journal: a round's claim takes the free, pending and taken-over posts, never a held or sent one",
          "[postgresql]") {
  // Given posts held by another replica's live lease, one whose lease
  // lapsed and was taken back, one whose lease lapsed but is not taken
  // back yet, one sent, one pending and one never seen, when replica c
  // claims them in one round, then it holds exactly the free ones, each
  // interrupted as often as before, and only it records their outcomes.
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  auto c = replica(url, "c");
  REQUIRE(claim(*a, "held") == journal_change::applied);
  REQUIRE(claim(*b, "taken-over") == journal_change::applied);
  cluster.psql(database_of(url), "UPDATE posts SET lease_until = now() - interval '1 second' WHERE key = 'taken-over'");
  REQUIRE(ok(a->take_lapsed(at(2))).size() == 1);
  REQUIRE(claim(*b, "lapsed") == journal_change::applied);
  cluster.psql(database_of(url), "UPDATE posts SET lease_until = now() - interval '1 second' WHERE key = 'lapsed'");
  REQUIRE(claim(*a, "sent") == journal_change::applied);
  REQUIRE(ok(a->record_sent("sent", at(2))) == journal_change::applied);
  REQUIRE(claim(*a, "pending") == journal_change::applied);
  REQUIRE(ok(a->record_retry("pending", at(2), at(3), "HTTP 503")) == journal_change::applied);

  auto changes = c->begin_attempts({{"held", at(0), "slack", "iwd"},
                                    {"taken-over", at(0), "slack", "iwd"},
                                    {"lapsed", at(0), "slack", "iwd"},
                                    {"sent", at(0), "slack", "iwd"},
                                    {"pending", at(0), "slack", "iwd"},
                                    {"free", at(0), "slack", "iwd"}},
                                   at(4));
  std::vector<journal_change> got;
  for (auto& change : changes) got.push_back(ok(std::move(change)));
  using enum journal_change;
  CHECK(got == std::vector{refused, applied, refused, refused, applied, applied});

  struct expected {
    std::string key, replica;
    post_state state;
    int attempts, interrupted;
  };
  for (const auto& want :
       {expected{"held", "a", post_state::in_flight, 1, 0}, expected{"taken-over", "c", post_state::in_flight, 2, 1},
        expected{"lapsed", "b", post_state::in_flight, 1, 0}, expected{"sent", "a", post_state::sent, 1, 0},
        expected{"pending", "c", post_state::in_flight, 2, 0}, expected{"free", "c", post_state::in_flight, 1, 0}}) {
    INFO(want.key);
    auto r = row(*c, want.key);
    CHECK(r.replica == want.replica);
    CHECK(r.state == want.state);
    CHECK(r.attempts == want.attempts);
    CHECK(r.interrupted == want.interrupted);
  }
  // The claims hold for c's lease: none lapsed, and only c records their outcomes.
  auto lapse = ok(c->next_lapse());
  REQUIRE(lapse);
  CHECK(*lapse == std::chrono::milliseconds{0});  // b's "lapsed", not yet taken back
  CHECK(ok(a->take_lapsed(at(5))).size() == 1);
  CHECK(ok(c->next_lapse()) > std::chrono::seconds{30});
  CHECK(ok(b->record_sent("taken-over", at(5))) == journal_change::refused);
  CHECK(ok(a->record_sent("pending", at(5))) == journal_change::refused);
  std::vector<journal_change> recorded;
  for (auto& change : c->record_sent_all({"held", "taken-over", "pending", "lapsed", "free"}, at(5)))
    recorded.push_back(ok(std::move(change)));
  CHECK(recorded == std::vector{refused, applied, applied, refused, applied});
  CHECK(row(*a, "held").state == post_state::in_flight);
  CHECK(row(*a, "lapsed").state == post_state::pending);
  CHECK(row(*a, "free").state == post_state::sent);
  CHECK(row(*a, "free").sent_at == at(5));
}

TEST_CASE("postgresql journal: only the claim's holder records its outcome", "[postgresql]") {
  auto url = pg_cluster::shared().fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  REQUIRE(claim(*a, "p") == journal_change::applied);
  CHECK(claim(*b, "p") == journal_change::refused);
  CHECK(ok(b->record_sent("p", at(2))) == journal_change::refused);
  CHECK(ok(b->record_retry("p", at(2), at(3), "x")) == journal_change::refused);
  CHECK(ok(b->record_failed("p", at(2), "x")) == journal_change::refused);
  CHECK(ok(b->record_unanswered("p", at(2), at(3), "x")) == journal_change::refused);
  CHECK(row(*a, "p").state == post_state::in_flight);
  CHECK(ok(a->record_sent("p", at(2))) == journal_change::applied);
  auto sent = row(*b, "p");
  CHECK(sent.state == post_state::sent);
  CHECK(sent.replica == "a");
}

TEST_CASE("postgresql journal: a live lease is not taken over, a lapsed one is, once more", "[postgresql]") {
  auto url = pg_cluster::shared().fresh_database();
  auto a = replica(url, "a", std::chrono::milliseconds{300});
  auto b = replica(url, "b");
  REQUIRE(claim(*a, "p") == journal_change::applied);
  CHECK(ok(b->take_lapsed(at(2))).empty());
  auto lapse = ok(b->next_lapse());
  REQUIRE(lapse);
  CHECK(*lapse <= std::chrono::milliseconds{300});
  CHECK(claim(*b, "p") == journal_change::refused);

  // A stops renewing: its lease lapses by the database's clock.
  std::vector<journal_entry> taken;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (taken.empty() && std::chrono::steady_clock::now() < deadline) {
    taken = ok(b->take_lapsed(at(3)));
    if (taken.empty()) std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].key == "p");
  CHECK(taken[0].state == post_state::pending);
  CHECK(taken[0].interrupted == 1);
  CHECK_FALSE(ok(b->next_lapse()));
  // B claims it again (the one more copy); A's late outcome is not recorded over B's claim.
  CHECK(claim(*b, "p", 5) == journal_change::applied);
  CHECK(ok(a->record_sent("p", at(4))) == journal_change::refused);
  CHECK(row(*a, "p").state == post_state::in_flight);
  CHECK(ok(b->record_sent("p", at(6))) == journal_change::applied);
  auto sent = row(*a, "p");
  CHECK(sent.replica == "b");
  CHECK(sent.attempts == 2);
  CHECK(sent.interrupted == 1);
}

TEST_CASE("postgresql journal: a late success of a lapsed claim is recorded while no replica claimed the post since",
          "[postgresql]") {
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  REQUIRE(claim(*a, "p") == journal_change::applied);
  cluster.psql(database_of(url), "UPDATE posts SET lease_until = now() - interval '1 second'");
  REQUIRE(ok(b->take_lapsed(at(2))).size() == 1);
  REQUIRE(row(*b, "p").state == post_state::pending);
  // Another replica's success is no late success of its own claim.
  CHECK(ok(b->record_sent("p", at(3))) == journal_change::refused);
  // A's slow channel took it after all: recorded, and B sends no copy.
  CHECK(ok(a->record_sent("p", at(3))) == journal_change::applied);
  auto sent = row(*b, "p");
  CHECK(sent.state == post_state::sent);
  CHECK(sent.replica == "a");
  CHECK(sent.attempts == 1);
  CHECK(sent.sent_at == at(3));
  CHECK_FALSE(sent.last_error);
  CHECK(claim(*b, "p", 4) == journal_change::refused);
}

TEST_CASE("postgresql journal: a late success is refused once another replica claimed the post, even after its retry",
          "[postgresql]") {
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  REQUIRE(claim(*a, "p") == journal_change::applied);
  cluster.psql(database_of(url), "UPDATE posts SET lease_until = now() - interval '1 second'");
  REQUIRE(ok(b->take_lapsed(at(2))).size() == 1);
  REQUIRE(claim(*b, "p", 3) == journal_change::applied);
  REQUIRE(ok(b->record_retry("p", at(4), at(9), "HTTP 503")) == journal_change::applied);
  // Pending again, but B claimed it last: A's late success is not recorded.
  CHECK(ok(a->record_sent("p", at(5))) == journal_change::refused);
  auto r = row(*a, "p");
  CHECK(r.state == post_state::pending);
  CHECK(r.replica == "b");
  CHECK(r.next_try == at(9));
}

TEST_CASE("postgresql journal: renewing keeps a claim from lapsing", "[postgresql]") {
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto a = replica(url, "a", std::chrono::seconds{60});
  auto b = replica(url, "b");
  REQUIRE(claim(*a, "p") == journal_change::applied);
  cluster.psql(database_of(url), "UPDATE posts SET lease_until = now() - interval '1 second'");
  REQUIRE(a->renew_leases({"p"}).ok());
  CHECK(ok(b->take_lapsed(at(2))).empty());
  CHECK(row(*b, "p").state == post_state::in_flight);
}

TEST_CASE("postgresql journal: only the posts a replica still has in flight are renewed, its orphaned claim lapses",
          "[postgresql]") {
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto a = replica(url, "a");
  // "orphan": claimed, but the commit's answer was lost, so a does not know it holds it.
  REQUIRE(claim(*a, "orphan") == journal_change::applied);
  REQUIRE(claim(*a, "held \"quoted\", too") == journal_change::applied);
  cluster.psql(database_of(url), "UPDATE posts SET lease_until = now() - interval '1 second'");
  REQUIRE(a->renew_leases({"held \"quoted\", too"}).ok());
  CHECK(ok(a->next_lapse()) == std::chrono::milliseconds{0});
  // Taken over, by a itself when it is alone: it is decided again, once more.
  auto taken = ok(a->take_lapsed(at(2)));
  REQUIRE(taken.size() == 1);
  CHECK(taken.front().key == "orphan");
  CHECK(row(*a, "orphan").state == post_state::pending);
  CHECK(row(*a, "orphan").interrupted == 1);
  CHECK(row(*a, "held \"quoted\", too").state == post_state::in_flight);
}

TEST_CASE("postgresql journal: on start a replica takes back its own and lapsed rows, never a live replica's",
          "[postgresql]") {
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  REQUIRE(claim(*a, "of-a") == journal_change::applied);
  REQUIRE(claim(*b, "of-b") == journal_change::applied);
  REQUIRE(claim(*b, "of-b-lapsed") == journal_change::applied);
  cluster.psql(database_of(url),
               "UPDATE posts SET lease_until = now() - interval '1 second' WHERE key = 'of-b-lapsed'");

  auto a_again = replica(url, "a");  // a restarted
  auto taken = ok(a_again->take_in_flight(at(5)));
  std::vector<std::string> keys;
  for (const auto& r : taken) keys.push_back(r.key);
  CHECK(keys == std::vector<std::string>{"of-a", "of-b-lapsed"});
  CHECK(row(*a, "of-a").interrupted == 1);
  CHECK(row(*a, "of-b").state == post_state::in_flight);
}

TEST_CASE("postgresql journal: an operator's change reaches the other replicas through the descriptor",
          "[postgresql]") {
  auto url = pg_cluster::shared().fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  int fd = b->change_descriptor();
  REQUIRE(fd >= 0);
  CHECK_FALSE(ok(b->take_changes()));
  REQUIRE(ok(a->pause_channel({0, at(1), "ops", "pause", "slack"})) == journal_change::applied);
  pollfd ready{fd, POLLIN, 0};
  REQUIRE(::poll(&ready, 1, 10'000) == 1);
  CHECK(ok(b->take_changes()));
  CHECK(ok(b->paused_channels()).size() == 1);
  CHECK(ok(b->last_action_id()) == 1);

  // Its own records are not news to a replica; another's are.
  REQUIRE(claim(*b, "p") == journal_change::applied);
  REQUIRE(ok(b->record_sent("p", at(2))) == journal_change::applied);
  REQUIRE(claim(*a, "q") == journal_change::applied);
  REQUIRE(ok(a->record_sent("q", at(2))) == journal_change::applied);
  // b's own notification may come first, alone: it is not news; a's is.
  bool news = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!news && std::chrono::steady_clock::now() < deadline) {
    ready = {b->change_descriptor(), POLLIN, 0};
    if (::poll(&ready, 1, 1'000) == 1) news = ok(b->take_changes());
  }
  CHECK(news);
}

TEST_CASE("postgresql journal: a stopped database gives errors as values, and it reconnects after the restart",
          "[postgresql][outage]") {
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto a = replica(url, "a");
  REQUIRE(claim(*a, "p") == journal_change::applied);
  cluster.stop();
  auto failed = a->record_sent("p", at(2));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().find(url) == std::string::npos);
  CHECK(failed.error().find(fmt::format("journal postgresql 127.0.0.1:{}", cluster.port())) == 0);
  auto again = a->find("p");
  REQUIRE_FALSE(again.ok());
  CHECK_FALSE(a->begin_changes().ok());
  cluster.start();
  CHECK(ok(a->record_sent("p", at(3))) == journal_change::applied);
  CHECK(row(*a, "p").state == post_state::sent);
}

TEST_CASE("postgresql journal: a transaction whose connection broke partway fails to commit, and none of it is kept",
          "[postgresql]") {
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto a = replica(url, "a");
  auto b = replica(url, "b");
  REQUIRE(a->begin_changes().ok());
  REQUIRE(claim(*a, "p1") == journal_change::applied);
  cluster.psql(database_of(url), fmt::format("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                             "application_name = 'herald a' AND datname = '{}'",
                                             database_of(url)));
  CHECK_FALSE(a->begin_attempt("p2", at(0), "slack", "iwd", at(1)).ok());
  // Every call fails until the transaction ends: none runs on a new session.
  CHECK_FALSE(a->find("p1").ok());
  CHECK_FALSE(a->commit_changes().ok());
  CHECK_FALSE(ok(b->find("p1")));
  CHECK_FALSE(ok(b->find("p2")));
  // After it, the journal connects again.
  CHECK(claim(*a, "p1") == journal_change::applied);
  CHECK(row(*b, "p1").replica == "a");
}

TEST_CASE("postgresql journal: a second daemon of one replica name is refused while the first is connected",
          "[postgresql]") {
  auto url = pg_cluster::shared().fresh_database();
  auto daemon = [&](const std::string& name) {
    postgresql_journal::options how{url, name};
    how.hold_name = true;
    return postgresql_journal::open(std::move(how));
  };
  auto first = ok(daemon("a"));
  auto second = daemon("a");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().find("another herald runs as replica 'a'") != std::string::npos);
  CHECK(second.error().find(url) == std::string::npos);
  // An operator's command names no replica of its own: not refused.
  CHECK(postgresql_journal::open({url, "a"}).ok());
  CHECK(daemon("b").ok());
  first.reset();  // the first one stopped: the name is free
  CHECK(daemon("a").ok());
}

TEST_CASE("postgresql journal: a password in the URL never reaches an error", "[postgresql]") {
  auto& cluster = pg_cluster::shared();
  const std::string password = "pw-Xq81-secret";
  for (const auto& url : {fmt::format("postgresql://postgres:{}@127.0.0.1:{}/no_such_database?connect_timeout=3",
                                      password, cluster.port()),
                          fmt::format("postgresql://herald:{}@127.0.0.1:1/herald?connect_timeout=3", password),
                          fmt::format("host=127.0.0.1 port={} user=postgres password={} dbname=absent_{}",
                                      cluster.port(), password, password)}) {
    auto opened = postgresql_journal::open({url, "a"});
    REQUIRE_FALSE(opened.ok());
    INFO(opened.error());
    CHECK(opened.error().find(password) == std::string::npos);
    CHECK(opened.error().find(url) == std::string::npos);
    CHECK(opened.error().find("journal postgresql") == 0);
  }
  // libpq's message about a URL that does not parse quotes pieces of it.
  for (const auto& url : {fmt::format("postgresql://postgres@127.0.0.1:{}/herald?SECRETkey=1", cluster.port()),
                          fmt::format("postgresql://postgres@[SECRET:{}/herald", cluster.port())}) {
    auto opened = postgresql_journal::open({url, "a"});
    REQUIRE_FALSE(opened.ok());
    INFO(opened.error());
    CHECK(opened.error().find("SECRET") == std::string::npos);
    CHECK(opened.error().find("the journal's URL does not parse") != std::string::npos);
  }
}

TEST_CASE("postgresql journal: the schema is created once, and a newer one is refused", "[postgresql]") {
  auto& cluster = pg_cluster::shared();
  auto url = cluster.fresh_database();
  auto first = replica(url, "a");
  auto second = replica(url, "b");  // finds it made
  CHECK(cluster.psql(database_of(url), "SELECT version FROM herald_schema") == "1\n");
  CHECK(ok(postgresql_journal::open({url, "status", {}, true})) != nullptr);
  cluster.psql(database_of(url), "UPDATE herald_schema SET version = 99");
  auto newer = postgresql_journal::open({url, "c"});
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.error().find("newer") != std::string::npos);
}
