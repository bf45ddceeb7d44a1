// Operators against the real binary (docs/service.md "Operating herald"):
// `herald skip`, `resend`, `pause` and `resume` as processes beside a
// running `herald run`, a local HTTP sink as the channel, `herald status`
// reading it all back. Every wait is on a condition with a deadline; the
// time from a command's exit to its effect (one second, promised) is
// measured and printed, the deadline only bounds a hang.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <boost/json.hpp>

#include "journal/sqlite_journal.hpp"
#include "support/hang_limit.hpp"
#include "support/herald_process.hpp"
#include "support/http_test_server.hpp"
#include "support/temp_dir.hpp"

using namespace herald;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

date::sys_days yesterday() { return date::floor<date::days>(std::chrono::system_clock::now()) - date::days{1}; }

struct command_result {
  test::process_exit exit;
  std::string out, err;
};

struct operator_fixture {
  test::temp_dir dir{"herald-operator-run"};
  test::http_test_server sink;
  fs::path config = dir / "herald.yaml";
  fs::path logs = dir / "logs";
  int commands = 0;

  explicit operator_fixture(const std::vector<std::string>& ids) {
    fs::create_directories(logs);
    std::ofstream(config) << fmt::format(
        "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\n"
        "channels:\n  hook: {{type: webhook, url: \"{}\"}}\n",
        (dir / "state").string(), sink.url("/hook"));
    std::string yaml = "version: 1\ntimezone: UTC\ndefaults: {channels: [hook]}\nevents:\n";
    for (const auto& id : ids)
      yaml += fmt::format(
          "  - id: {0}\n    title: Event {0}\n    dates: [{1}]\n    steps:\n      - at: 0\n        time: \"12:00\"\n"
          "        message: \"{0} is on {{{{date}}}}.\"\n",
          id, date::format("%F", yesterday()));
    std::ofstream(dir / "calendar.yaml") << yaml;
  }

  std::string key(const std::string& id) const {
    return fmt::format("{}/{}/0d/hook", id, date::format("%F", yesterday()));
  }

  /// `herald ARGS… --config herald.yaml`, run to its end, as the operator "ops-tester" behind sudo.
  command_result run(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config.string());
    ++commands;
    auto out = logs / fmt::format("command-{}.out", commands), err = logs / fmt::format("command-{}.err", commands);
    auto process = test::herald_process::start(args, {{"SUDO_USER", "ops-tester"}}, out, err);
    auto exit = process.wait(20s);
    REQUIRE(exit);
    return {*exit, process.out(), process.err()};
  }

  test::herald_process start_daemon() {
    return test::herald_process::start({"run", "--config", config.string()}, {}, logs / "daemon.out",
                                       logs / "daemon.err");
  }

  int arrivals(const std::string& id) const {
    int n = 0;
    for (const auto& r : sink.requests()) n += r.header("Idempotency-Key") == key(id);
    return n;
  }

  post_state state_of(const std::string& id) {
    auto opened = sqlite_journal::open_read_only(dir / "state" / "journal.db");
    REQUIRE(opened.ok());
    auto row = opened.value()->find(key(id));
    REQUIRE(row.ok());
    REQUIRE(row.value());
    return row.value()->state;
  }
};

// Waits for `condition` for at most `limit` after `from`, returns how long it took (or -1 ms).
template <class Condition>
std::chrono::milliseconds took(std::chrono::steady_clock::time_point from, std::chrono::milliseconds limit,
                               Condition&& condition) {
  auto left = limit - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - from);
  if (!test::eventually(condition, std::max(left, 0ms))) return -1ms;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - from);
}

// The promise is one second to take an action in (measured: some 25 ms,
// printed by each check). The deadline only bounds a hang: a loaded machine
// can miss any fixed bound, and a daemon that did not hear the command
// would never act on it (nothing else wakes it to look), however long the
// test waited.
constexpr std::chrono::milliseconds effect_deadline = test::hang_limit;

}  // namespace

TEST_CASE("operators: a post skipped before the daemon starts is never sent", "[daemon_process][operator]") {
  operator_fixture f({"skipped", "control"});
  auto skip = f.run({"skip", f.key("skipped")});
  INFO(skip.err);
  REQUIRE(skip.exit.exited_with(0));
  CHECK(skip.out.find("No daemon is running") != std::string::npos);
  auto daemon = f.start_daemon();
  REQUIRE(f.sink.wait_for_requests(1));
  CHECK(f.arrivals("control") == 1);
  daemon.signal(SIGTERM);
  auto stopped = daemon.wait(test::hang_limit);
  REQUIRE(stopped);
  INFO(stopped->describe());
  CHECK(stopped->exited_with(0));
  CHECK(f.arrivals("skipped") == 0);
  CHECK(f.state_of("skipped") == post_state::skipped);
}

TEST_CASE("operators: pause, skip, resume and resend reach a running daemon within a second and show in status",
          "[daemon_process][operator]") {
  operator_fixture f({"first", "second"});
  REQUIRE(f.run({"pause", "--channel", "hook"}).exit.exited_with(0));
  auto daemon = f.start_daemon();
  REQUIRE(daemon.wait_for_err("channel 'hook' is paused (by ops-tester)"));
  REQUIRE(daemon.wait_for_err("started"));

  // Paused: both posts wait, and status says so, with the daemon running.
  auto json_status = f.run({"status", "--format", "json"});
  REQUIRE(json_status.exit.exited_with(0));
  auto doc = boost::json::parse(json_status.out);
  CHECK(doc.at("daemon").at("running") == true);
  CHECK(doc.at("daemon").at("pid") == daemon.pid());
  CHECK(doc.at("paused_channels").at(0).at("channel") == "hook");
  REQUIRE(doc.at("overdue").as_array().size() == 2);
  CHECK(doc.at("overdue").at(0).at("state") == "paused");
  CHECK(f.sink.requests().empty());

  // Skip the first while paused; resume: the second goes out within a second.
  auto skip = f.run({"skip", f.key("first")});
  REQUIRE(skip.exit.exited_with(0));
  CHECK(skip.out.find(fmt::format("The running daemon (pid {}) takes this in within a second.", daemon.pid())) !=
        std::string::npos);
  REQUIRE(f.run({"resume", "--channel", "hook"}).exit.exited_with(0));
  auto resumed_at = std::chrono::steady_clock::now();
  auto resume_took = took(resumed_at, effect_deadline, [&] { return f.arrivals("second") == 1; });
  CHECK(resume_took >= 0ms);
  WARN("resume to delivery: " << resume_took.count() << " ms");
  CHECK(f.arrivals("first") == 0);
  CHECK(f.state_of("first") == post_state::skipped);

  // Resend the skipped one: it goes out within a second, once.
  REQUIRE(f.run({"resend", f.key("first")}).exit.exited_with(0));
  auto resent_at = std::chrono::steady_clock::now();
  auto resend_took = took(resent_at, effect_deadline, [&] { return f.arrivals("first") == 1; });
  CHECK(resend_took >= 0ms);
  WARN("resend to delivery: " << resend_took.count() << " ms");
  CHECK(test::eventually([&] { return f.state_of("first") == post_state::sent; }, test::hang_limit));
  auto again = f.run({"resend", f.key("first")});
  CHECK(again.exit.exited_with(2));
  CHECK(again.err.find("herald never sends a post twice") != std::string::npos);

  // A pause while it runs is heard within a second too.
  REQUIRE(f.run({"pause", "--channel", "hook"}).exit.exited_with(0));
  auto paused_at = std::chrono::steady_clock::now();
  CHECK(took(paused_at, effect_deadline,
             [&] { return daemon.err().find("pause by ops-tester: hook") != std::string::npos; }) >= 0ms);

  auto text = f.run({"status"});
  REQUIRE(text.exit.exited_with(0));
  CHECK(text.out.find(fmt::format("  daemon:   running (pid {})", daemon.pid())) != std::string::npos);
  CHECK(text.out.find("\nOperator actions\n") != std::string::npos);
  CHECK(test::count_of(text.out, "ops-tester") >= 5);
  CHECK(text.out.find("Event first") != std::string::npos);  // titles, not only keys

  daemon.signal(SIGTERM);
  auto stopped = daemon.wait(test::hang_limit);
  REQUIRE(stopped);
  INFO(stopped->describe());
  CHECK(stopped->exited_with(0));
  CHECK(f.arrivals("first") == 1);
  CHECK(f.arrivals("second") == 1);

  // With the calendar broken, status still lists the journal, then exits 2.
  std::ofstream(f.dir / "calendar.yaml", std::ios::app) << "  - id: [\n";
  auto broken = f.run({"status"});
  CHECK(broken.exit.exited_with(2));
  CHECK(broken.err.find("calendar.yaml:") != std::string::npos);
  CHECK(broken.out.find("  calendar: invalid") != std::string::npos);
  CHECK(broken.out.find(f.key("second")) != std::string::npos);
  CHECK(broken.out.find("  daemon:   not running") != std::string::npos);
}
