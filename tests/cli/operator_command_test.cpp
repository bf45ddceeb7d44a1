// herald skip, resend, pause and resume in-process (docs/service.md
// "Operating herald"): what they write to the journal, who they say did it,
// and their refusals and hints.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include "journal/sqlite_journal.hpp"
#include "support/temp_dir.hpp"
#include "test_support.hpp"

using namespace herald;
namespace fs = std::filesystem;
using std::chrono::hours;

namespace {

// Monday 7 June 2027, 12:00 UTC. Windrush Day is on the 22nd.
const date::sys_seconds now = date::sys_days{date::year{2027} / 6 / 7} + hours{12};

const char* calendar_yaml = R"(version: 1
timezone: Europe/London
defaults: {time: "09:30", channels: [staff]}
events:
  - id: windrush-day
    title: Windrush Day
    every: June 22
    steps: [{at: 0, message: "Today is {{title}}."}]
)";

const std::string next_key = "windrush-day/2027-06-22/0d/staff";
const std::string last_year = "windrush-day/2026-06-22/0d/staff";

struct fixture {
  test::temp_dir dir{"herald-operator-cli"};
  std::string sudo_user;

  fixture() {
    std::ofstream(dir / "calendar.yaml") << calendar_yaml;
    std::ofstream(dir / "herald.yaml") << "version: 1\ncalendar: calendar.yaml\nstate_dir: state\n"
                                       << "channels:\n  staff: {type: console}\n  team: {type: console}\n";
  }
  fs::path journal_file() const { return dir / "state" / "journal.db"; }

  test::cli_result run(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back((dir / "herald.yaml").string());
    return test::run_herald(std::move(args), std::chrono::system_clock::time_point{now},
                            [this](const char* name) -> const char* {
                              if (std::string_view(name) == "SUDO_USER" && !sudo_user.empty()) return sudo_user.c_str();
                              return nullptr;
                            });
  }
  std::unique_ptr<sqlite_journal> journal() {
    fs::create_directories(journal_file().parent_path());
    auto opened = sqlite_journal::open(journal_file());
    REQUIRE(opened.ok());
    return std::move(opened.value());
  }
};

}  // namespace

TEST_CASE("operator commands: a future post is skipped before herald ever ran, by the sudo user", "[cli][operator]") {
  fixture f;
  f.sudo_user = "alice";
  auto r = f.run({"skip", next_key});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out ==
        "skipped windrush-day/2027-06-22/0d/staff (Windrush Day, due 2027-06-22T09:30:00+01:00): it will not be "
        "sent\nNo daemon is running on " +
            (f.dir / "state").string() + "; `herald run` honours this when it starts.\n");
  auto j = f.journal();
  auto row = j->find(next_key).value();
  REQUIRE(row);
  CHECK(row->state == post_state::skipped);
  auto log = j->actions(5).value();
  REQUIRE(log.size() == 1);
  CHECK(log[0].user == "alice");
  CHECK(log[0].action == "skip");
  CHECK(log[0].at == now);
  // Twice is no error: it is skipped.
  CHECK(f.run({"skip", next_key}).status == 0);
}

TEST_CASE("operator commands: an unknown key or channel exits 2 with a did-you-mean hint", "[cli][operator]") {
  fixture f;
  auto key = f.run({"skip", "windrush-day/2027-06-22/0d/staf"});
  CHECK(key.status == 2);
  CHECK(key.err ==
        "herald: error: unknown post key 'windrush-day/2027-06-22/0d/staf' (did you mean "
        "'windrush-day/2027-06-22/0d/staff'?)\n"
        "  hint: `herald status` lists the journal's keys, `herald preview --format json` the planned ones\n");
  auto channel = f.run({"pause", "--channel", "staf"});
  CHECK(channel.status == 2);
  CHECK(channel.err == "herald: error: unknown channel 'staf' (did you mean 'staff'?)\n");
  CHECK(f.journal()->actions(5).value().empty());
}

TEST_CASE("operator commands: resend reopens a missed post and refuses a sent or unsent one", "[cli][operator]") {
  fixture f;
  {
    auto j = f.journal();
    REQUIRE(j->record_missed(last_year, now - hours{24 * 350}, "staff", "windrush-day", now - hours{24 * 300}).ok());
    REQUIRE(j->begin_attempt("windrush-day/2025-06-22/0d/staff", now - hours{24 * 700}, "staff", "windrush-day",
                             now - hours{24 * 700})
                .ok());
    REQUIRE(j->record_sent("windrush-day/2025-06-22/0d/staff", now - hours{24 * 700}).ok());
  }
  auto sent = f.run({"resend", "windrush-day/2025-06-22/0d/staff"});
  CHECK(sent.status == 2);
  CHECK(sent.err.find("herald never sends a post twice") != std::string::npos);
  CHECK(sent.err.find("herald send-test --event windrush-day --channel staff --mark") != std::string::npos);
  auto unsent = f.run({"resend", next_key});
  CHECK(unsent.status == 2);
  CHECK(unsent.err.find("has not been sent yet") != std::string::npos);
  auto missed = f.run({"resend", last_year});
  INFO(missed.err);
  CHECK(missed.status == 0);
  CHECK(missed.out.find("resending " + last_year + " (Windrush Day)") == 0);
  auto row = f.journal()->find(last_year).value();
  REQUIRE(row);
  CHECK(row->state == post_state::pending);
  CHECK(row->resent_at == now);
}

TEST_CASE("operator commands: pause and resume a channel, each once", "[cli][operator]") {
  fixture f;
  auto paused = f.run({"pause", "--channel", "team"});
  CHECK(paused.status == 0);
  CHECK(paused.out.find("paused channel 'team'") == 0);
  CHECK(f.run({"pause", "--channel", "team"}).out.find("channel 'team' is paused already") == 0);
  CHECK(f.journal()->paused_channels().value().size() == 1);
  auto resumed = f.run({"resume", "--channel", "team"});
  CHECK(resumed.status == 0);
  CHECK(resumed.out.find("resumed channel 'team'") == 0);
  CHECK(f.journal()->paused_channels().value().empty());
  CHECK(f.journal()->actions(5).value().size() == 2);
}
