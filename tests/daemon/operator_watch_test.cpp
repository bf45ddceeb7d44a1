// Operators against the loop in-process (docs/service.md "Operating
// herald"): skip, resend, pause and resume written by another connection to
// the journal and closed, as the commands do, reach the loop through its
// inotify watch within a second of real time (the loop's clocks are manual
// and stand still meanwhile); what was decided before the start is honoured.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <boost/asio/io_context.hpp>

#include "daemon/daemon_loop.hpp"
#include "journal/sqlite_journal.hpp"
#include "support/faulty_journal.hpp"
#include "support/manual_env.hpp"
#include "support/temp_dir.hpp"

using namespace herald;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr date::sys_days day{date::year{2030} / 3 / 4};

date::sys_seconds at(std::chrono::hours h, std::chrono::minutes m) { return day + h + m; }

struct post_spec {
  std::string id;
  date::sys_days on = day;
  std::string key() const { return fmt::format("{}/{}/0d/out", id, date::format("%F", on)); }
};

// A console channel `out`, catch_up 3 days, posts at 12:00 UTC; the clock at 11:59.
struct operator_fixture {
  test::temp_dir dir{"herald-operator-loop"};
  fs::path config = dir / "herald.yaml";
  fs::path journal_file = dir / "state" / "journal.db";
  test::manual_env env{at(11h, 59min)};
  std::ostringstream log_text, console;
  logger log{log_text, false, [this] { return env.wall_now(); }};
  service_notifier notifier;
  test::faulty_journal* store = nullptr;
  std::optional<daemon_loop> loop;

  explicit operator_fixture(const std::vector<post_spec>& posts) {
    std::ofstream(config) << fmt::format(
        "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\nchannels:\n  out: {{type: console}}\n",
        (dir / "state").string());
    std::string yaml = "version: 1\ntimezone: UTC\nevents:\n";
    for (const auto& p : posts)
      yaml += fmt::format(
          "  - id: {0}\n    title: Event {0}\n    dates: [{1}]\n    steps:\n      - at: 0\n        time: \"12:00\"\n"
          "        channels: [out]\n        message: \"{0} today.\"\n",
          p.id, date::format("%F", p.on));
    std::ofstream(dir / "calendar.yaml") << yaml;
    fs::create_directories(dir / "state");
  }

  void start() {
    daemon_options options{config.string(), false, &console,
                           [this](const fs::path& path, bool) -> result<std::unique_ptr<journal>> {
                             auto opened = test::faulty_journal::open(path, env);
                             if (!opened.ok()) return failure{opened.error()};
                             store = opened.value().get();
                             return std::unique_ptr<journal>(std::move(opened.value()));
                           }};
    loop.emplace(std::move(options), env, log, notifier);
    auto status = loop->start();
    INFO(log_text.str());
    REQUIRE(status == 0);
    loop->io().poll();
  }
  void pass(std::chrono::seconds how_long) {
    for (auto s = 0s; s < how_long; s += 1s) {
      env.advance(1s);
      loop->io().poll();
    }
  }
  /// Runs the loop in real time until `done` holds; false after a second.
  bool within_a_second(const std::function<bool()>& done) {
    auto limit = std::chrono::steady_clock::now() + 1s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > limit) return false;
      loop->io().run_for(5ms);
    }
    return true;
  }
  // The operator's own connection, as `herald skip` opens it.
  std::unique_ptr<sqlite_journal> operator_journal() {
    auto opened = sqlite_journal::open(journal_file);
    REQUIRE(opened.ok());
    return std::move(opened.value());
  }
  operator_action by(std::string action, std::string target) {
    return {0, env.now_seconds(), "alice", std::move(action), std::move(target)};
  }
  int printed(const std::string& key) const {
    int count = 0;
    std::istringstream lines(console.str());
    for (std::string line; std::getline(lines, line);)
      if (line.find(fmt::format("\"{}\"", key)) != std::string::npos) ++count;
    return count;
  }
  std::optional<post_state> state_of(const std::string& key) {
    auto found = store->real().find(key);
    REQUIRE(found.ok());
    return found.value() ? std::optional(found.value()->state) : std::nullopt;
  }
  bool logged(std::string_view text) const { return log_text.str().find(text) != std::string::npos; }
};

}  // namespace

TEST_CASE("operators: a post skipped while the daemon runs is never sent", "[daemon_loop][operator]") {
  post_spec post{"e1"};
  operator_fixture f({post});
  f.start();
  auto ops = f.operator_journal();
  REQUIRE(ops->skip(post.key(), at(12h, 0min), "out", "e1", f.by("skip", post.key())).ok());
  ops.reset();  // the command ends
  CHECK(f.within_a_second([&] { return f.logged("skip by alice: " + post.key()); }));
  f.pass(5min);
  CHECK(f.printed(post.key()) == 0);
  CHECK(f.state_of(post.key()) == post_state::skipped);
}

TEST_CASE("operators: a skip and a pause written before the start are honoured", "[daemon_loop][operator]") {
  post_spec skipped{"e1"}, paused{"e2"};
  operator_fixture f({skipped, paused});
  {
    auto ops = f.operator_journal();
    REQUIRE(ops->skip(skipped.key(), at(12h, 0min), "out", "e1", f.by("skip", skipped.key())).ok());
    REQUIRE(ops->pause_channel(f.by("pause", "out")).ok());
  }
  f.start();
  f.pass(5min);
  CHECK(f.printed(skipped.key()) == 0);
  CHECK(f.printed(paused.key()) == 0);
  CHECK_FALSE(f.state_of(paused.key()));
  CHECK(f.logged("channel 'out' is paused (by alice)"));
}

TEST_CASE("operators: a paused channel's posts wait, and on resume those within catch_up go out within a second",
          "[daemon_loop][operator]") {
  post_spec first{"e1"}, later{"e2", day + date::days{4}};
  operator_fixture f({first, later});
  f.start();
  auto ops = f.operator_journal();
  REQUIRE(ops->pause_channel(f.by("pause", "out")).ok());
  ops.reset();
  CHECK(f.within_a_second([&] { return f.logged("channel 'out' is paused"); }));
  f.pass(2min);
  CHECK(f.printed(first.key()) == 0);
  CHECK_FALSE(f.state_of(first.key()));
  SECTION("resumed within catch_up: it goes out") {
    REQUIRE(f.operator_journal()->resume_channel(f.by("resume", "out")).ok());
    CHECK(f.within_a_second([&] { return f.printed(first.key()) == 1; }));
    CHECK(f.state_of(first.key()) == post_state::sent);
  }
  SECTION("resumed 4 days later: the old post is recorded missed, the one due today goes out") {
    f.env.advance(std::chrono::hours{24 * 4} + 5min);
    f.loop->io().poll();
    CHECK(f.printed(later.key()) == 0);
    REQUIRE(f.operator_journal()->resume_channel(f.by("resume", "out")).ok());
    CHECK(f.within_a_second([&] { return f.printed(later.key()) == 1; }));
    CHECK(f.printed(first.key()) == 0);
    CHECK(f.state_of(first.key()) == post_state::missed);
    CHECK(f.printed(later.key()) == 1);
    CHECK(f.logged("channel 'out' resumed"));
  }
}

TEST_CASE("operators: a missed post resent goes out within a second, once", "[daemon_loop][operator]") {
  post_spec old{"old", day - date::days{5}};
  operator_fixture f({old});
  f.start();
  REQUIRE(f.state_of(old.key()) == post_state::missed);
  auto resent = f.operator_journal()->resend(old.key(), f.by("resend", old.key()));
  REQUIRE(resent.ok());
  REQUIRE(resent.value() == journal_change::applied);
  CHECK(f.within_a_second([&] { return f.printed(old.key()) == 1; }));
  CHECK(f.state_of(old.key()) == post_state::sent);
  f.pass(1min);
  CHECK(f.printed(old.key()) == 1);
}
