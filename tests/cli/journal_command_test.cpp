// herald journal copy, and the commands that read or change a shared
// journal (status, the operators'), over a real PostgreSQL (tests/support/pg_cluster.hpp).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include "journal/postgresql_journal.hpp"
#include "journal/sqlite_journal.hpp"
#include "support/pg_cluster.hpp"
#include "support/temp_dir.hpp"
#include "test_support.hpp"

using namespace herald;
namespace fs = std::filesystem;

namespace {

const date::sys_seconds now = date::sys_days{date::year{2027} / 6 / 7} + std::chrono::hours{12};

struct fixture {
  test::temp_dir dir{"herald-journal-cli"};
  std::string url = test::pg_cluster::shared().fresh_database();

  fixture() {
    std::ofstream(dir / "calendar.yaml")
        << "version: 1\ntimezone: Europe/London\nevents:\n"
           "  - id: windrush-day\n    title: Windrush Day\n    every: June 22\n"
           "    steps: [{at: 0, channels: [staff], message: \"Today is {{title}}.\"}]\n";
    std::ofstream(dir / "herald.yaml") << "version: 1\ncalendar: calendar.yaml\nstate_dir: state\n"
                                       << "journal: {postgresql: {env: HERALD_JOURNAL_URL}, replica: web-1}\n"
                                       << "channels:\n  staff: {type: console}\n  team: {type: console}\n";
  }

  test::cli_result run(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back((dir / "herald.yaml").string());
    return test::run_herald(std::move(args), std::chrono::system_clock::time_point{now},
                            [this](const char* name) -> const char* {
                              return std::string_view(name) == "HERALD_JOURNAL_URL" ? url.c_str() : nullptr;
                            });
  }

  std::unique_ptr<postgresql_journal> shared() {
    auto opened = postgresql_journal::open({url, "test"});
    INFO((opened.ok() ? "" : opened.error()));
    REQUIRE(opened.ok());
    return std::move(opened.value());
  }
};

date::sys_seconds at(int minutes) { return now + std::chrono::minutes{minutes}; }

}  // namespace

TEST_CASE("journal copy: a host's SQLite history moves into the shared journal once", "[cli][postgresql]") {
  fixture f;
  {
    fs::create_directories(f.dir / "state");
    auto local = sqlite_journal::open(f.dir / "state" / "journal.db");
    REQUIRE(local.ok());
    auto& j = *local.value();
    REQUIRE(j.begin_attempt("sent-one", at(-60), "staff", "windrush-day", at(-60)).ok());
    REQUIRE(j.record_sent("sent-one", at(-59)).ok());
    REQUIRE(j.begin_attempt("flying", at(-2), "staff", "windrush-day", at(-1)).ok());
    REQUIRE(j.record_missed("missed-one", at(-900), "staff", "windrush-day", at(-5)).ok());
    REQUIRE(j.pause_channel({0, at(-3), "alice", "pause", "team"}).ok());
  }
  auto copied = f.run({"journal", "copy", "--to", "postgresql"});
  INFO(copied.err);
  REQUIRE(copied.status == 0);
  CHECK(copied.out.find("Copied 3 post(s), 1 operator action(s) and 1 paused channel(s)") == 0);
  CHECK(copied.out.find(f.url) == std::string::npos);

  auto shared = f.shared();
  auto sent = shared->find("sent-one").value();
  REQUIRE(sent);
  CHECK(sent->state == post_state::sent);
  CHECK(sent->sent_at == at(-59));
  CHECK(shared->find("missed-one").value()->state == post_state::missed);
  CHECK(shared->paused_channels().value().size() == 1);
  CHECK(shared->last_action_id().value() == 1);
  // The post that was in flight on the old host is handed back on the first start, once.
  auto taken = shared->take_in_flight(at(1));
  REQUIRE(taken.ok());
  REQUIRE(taken.value().size() == 1);
  CHECK(taken.value()[0].interrupted == 1);

  auto again = f.run({"journal", "copy", "--to", "postgresql"});
  CHECK(again.status == 1);
  CHECK(again.err.find("holds posts already") != std::string::npos);
}

TEST_CASE("shared journal: status and the operators' commands work from any replica's config", "[cli][postgresql]") {
  fixture f;
  auto paused = f.run({"pause", "--channel", "team"});
  INFO(paused.err);
  REQUIRE(paused.status == 0);
  CHECK(paused.out.find("Every running replica takes this in within a second") != std::string::npos);
  {
    auto j = f.shared();
    REQUIRE(j->paused_channels().value().size() == 1);
    auto other = postgresql_journal::open({f.url, "web-2"});
    REQUIRE(other.ok());
    REQUIRE(other.value()
                ->begin_attempt("windrush-day/2027-06-06/0d/staff", at(-10), "staff", "windrush-day", at(-10))
                .ok());
    REQUIRE(other.value()->record_sent("windrush-day/2027-06-06/0d/staff", at(-9)).ok());
  }
  auto status = f.run({"status", "--format", "json"});
  INFO(status.err);
  REQUIRE(status.status == 0);
  CHECK(status.out.find("\"replica\":\"web-1\"") != std::string::npos);  // this replica
  CHECK(status.out.find("\"replica\":\"web-2\"") != std::string::npos);  // who sent the post
  CHECK(status.out.find(f.url) == std::string::npos);
  auto text = f.run({"status"});
  CHECK(text.out.find("(by web-2)") != std::string::npos);
  CHECK(text.out.find("shared; this replica: web-1") != std::string::npos);
}

TEST_CASE("shared journal: a URL that cannot be used is an error that does not show it", "[cli][postgresql]") {
  fixture f;
  f.url = fmt::format("postgresql://herald:hunter2-secret@127.0.0.1:{}/absent?connect_timeout=3",
                      test::pg_cluster::shared().port());
  auto status = f.run({"status"});
  CHECK(status.status == 1);
  CHECK(status.err.find("hunter2-secret") == std::string::npos);
  CHECK(status.err.find("journal postgresql 127.0.0.1:") != std::string::npos);
}
