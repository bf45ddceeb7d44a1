// The daemon's loop in-process (docs/daemon.md): the whole loop on a
// manual clock (support/manual_env.hpp) and a journal that fails on cue
// (support/faulty_journal.hpp, the real SQLite journal underneath), so
// every path of "When the journal itself fails" runs without sleeping.
// Posts go to a console channel (printed into a string) or to a real HTTP
// peer on 127.0.0.1; waits for that peer are on a condition with a
// real-time deadline, never a fixed sleep.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
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
#include <boost/asio/ip/tcp.hpp>

#include "daemon/daemon_loop.hpp"
#include "daemon/health_file.hpp"
#include "journal/sqlite_journal.hpp"
#include "support/faulty_journal.hpp"
#include "support/http_test_server.hpp"
#include "support/manual_env.hpp"
#include "support/temp_dir.hpp"

using namespace herald;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using call = test::faulty_journal::call;

namespace {

constexpr date::sys_days day{date::year{2030} / 3 / 4};

date::sys_seconds at(std::chrono::hours h, std::chrono::minutes m, std::chrono::seconds s = 0s) {
  return day + h + m + s;
}

struct post_spec {
  std::string id;
  date::sys_days on = day;
  std::string time = "12:00";
  std::string channel = "out";

  std::string key() const { return fmt::format("{}/{}/0d/{}", id, date::format("%F", on), channel); }
};

std::string calendar_yaml(const std::vector<post_spec>& posts) {
  std::string yaml = "version: 1\ntimezone: UTC\nevents:\n";
  for (const auto& p : posts)
    yaml += fmt::format(
        "  - id: {}\n    title: Event {}\n    dates: [{}]\n"
        "    steps:\n      - at: 0\n        time: \"{}\"\n        channels: [{}]\n"
        "        message: \"{{{{title}}}} is on {{{{date}}}}.\"\n",
        p.id, p.id, date::format("%F", p.on), p.time, p.channel);
  return yaml;
}

/// herald.yaml, calendar.yaml and a state dir in a temporary directory; the
/// loop on a manual clock starting at 11:59 on `day`, with a console
/// channel `out` and a webhook channel `hook` to a local HTTP peer.
struct loop_fixture {
  test::temp_dir dir{"herald-loop"};
  test::http_test_server sink;
  fs::path config = dir / "herald.yaml";
  fs::path calendar = dir / "calendar.yaml";
  test::manual_env env{at(11h, 59min)};
  std::ostringstream log_text;
  std::ostringstream console;
  logger log{log_text, false, [this] { return env.wall_now(); }};
  service_notifier notifier;
  test::faulty_journal* store = nullptr;  // owned by the loop
  std::optional<daemon_loop> loop;
  std::function<void()> calendars_dropped;  // daemon_options::calendars_dropped

  explicit loop_fixture(const std::vector<post_spec>& posts, std::string_view delivery = "timeout: 10s, attempts: 3") {
    std::ofstream(config) << fmt::format(
        "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\n"
        "delivery: {{{}, rate: 100/s}}\n"
        "channels:\n  out: {{type: console}}\n  hook: {{type: webhook, url: \"{}\"}}\n",
        (dir / "state").string(), delivery, sink.url("/hook"));
    std::ofstream(calendar) << calendar_yaml(posts);
  }

  /// Starts the loop; REQUIREs that it started.
  void start() {
    daemon_options options{config.string(), false, &console,
                           [this](const fs::path& path, bool) -> result<std::unique_ptr<journal>> {
                             auto opened = test::faulty_journal::open(path, env);
                             if (!opened.ok()) return failure{opened.error()};
                             store = opened.value().get();
                             return std::unique_ptr<journal>(std::move(opened.value()));
                           }};
    options.calendars_dropped = [this] {
      if (calendars_dropped) calendars_dropped();
    };
    loop.emplace(std::move(options), env, log, notifier);
    auto status = loop->start();
    INFO(log_text.str());
    REQUIRE(status == 0);
  }

  boost::asio::io_context& io() { return loop->io(); }
  /// Runs what is ready now.
  void settle() { io().poll(); }
  /// The clock moves on by `how_long`, a second at a time, the loop
  /// handling each second as it comes.
  void pass(std::chrono::seconds how_long) {
    for (auto s = 0s; s < how_long; s += 1s) {
      env.advance(1s);
      settle();
    }
  }
  /// The clock moves to `instant` a second at a time.
  void pass_to(date::sys_seconds instant) { pass(instant - env.now_seconds()); }
  /// Runs the loop in real time until `done` holds (for the HTTP peer);
  /// false after 10 s.
  bool run_until(const std::function<bool()>& done) {
    auto limit = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (io().stopped() || std::chrono::steady_clock::now() > limit) return false;
      io().run_for(5ms);
    }
    return true;
  }

  /// The row for `key` as the real journal holds it.
  std::optional<journal_entry> row(const std::string& key) {
    auto found = store->real().find(key);
    REQUIRE(found.ok());
    return found.value();
  }
  post_state state_of(const std::string& key) {
    auto found = row(key);
    REQUIRE(found);
    return found->state;
  }
  /// How many times the console channel printed `key`.
  int printed(const std::string& key) const {
    int count = 0;
    std::istringstream lines(console.str());
    for (std::string line; std::getline(lines, line);)
      if (line.find(fmt::format("\"{}\"", key)) != std::string::npos) ++count;
    return count;
  }
  bool logged(std::string_view text) const { return log_text.str().find(text) != std::string::npos; }
};

}  // namespace

TEST_CASE("daemon_loop: a post goes out once, at its due instant", "[daemon_loop]") {
  // Given a post due at 12:00 and the clock at 11:59, then nothing goes out
  // before 12:00, it goes out at 12:00, recorded sent then, and never again.
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  CHECK(f.logged(fmt::format("next: {}", post.key())));
  f.pass(59s);
  CHECK(f.printed(post.key()) == 0);
  CHECK_FALSE(f.row(post.key()));
  f.pass(1s);
  CHECK(f.printed(post.key()) == 1);
  CHECK(f.state_of(post.key()) == post_state::sent);
  CHECK(f.row(post.key())->sent_at == at(12h, 0min));
  f.pass(10min);
  CHECK(f.printed(post.key()) == 1);
  CHECK(f.store->applied(call::begin_attempt) == 1);
}

TEST_CASE("daemon_loop: on start, posts due within catch_up go out and older ones are recorded missed",
          "[daemon_loop]") {
  // Given a fresh journal, a post due yesterday (inside catch_up, 3 days) and
  // one due 5 days ago (outside it), then the first goes out at start and
  // the second is recorded missed, never sent.
  post_spec recent{"recent", day - date::days{1}};
  post_spec old{"old", day - date::days{5}};
  loop_fixture f({recent, old});
  f.start();
  f.settle();
  CHECK(f.printed(recent.key()) == 1);
  CHECK(f.state_of(recent.key()) == post_state::sent);
  CHECK(f.printed(old.key()) == 0);
  CHECK(f.state_of(old.key()) == post_state::missed);
  CHECK(f.logged(fmt::format("missed {}", old.key())));
}

TEST_CASE("daemon_loop: many posts missed at once are recorded together and logged in one line", "[daemon_loop]") {
  // Given a fresh journal and 12 posts due 4 and 5 days ago (outside
  // catch_up, 3 days), then all are recorded missed and one line sums them
  // up instead of a line each (docs/PERFORMANCE.md "2026-12-03").
  std::vector<post_spec> old;
  for (int i = 0; i < 12; ++i) old.push_back({fmt::format("old{}", i), day - date::days{4 + i % 2}});
  loop_fixture f(old);
  f.start();
  f.settle();
  for (const auto& post : old) CHECK(f.state_of(post.key()) == post_state::missed);
  CHECK(f.logged("missed 12 posts due from"));
  CHECK_FALSE(f.logged(fmt::format("missed {}", old.front().key())));
}

TEST_CASE("daemon_loop: the answers of a burst are recorded together, each post once", "[daemon_loop]") {
  // Given 10 posts due at 12:00 on one channel with burst 10, which starts
  // them in one round (10 posts in flight per channel), then the round is
  // two transactions: the attempts, committed before any goes out, and the
  // outcomes (docs/PERFORMANCE.md "The remaining goals (2026-12-03)"), not
  // one per outcome; each post is sent, printed once and logged once.
  std::vector<post_spec> posts;
  for (int i = 0; i < 10; ++i) posts.push_back({fmt::format("b{}", i)});
  loop_fixture f(posts, "timeout: 10s, attempts: 3, burst: 10");
  f.start();
  int before = f.store->commits();
  f.pass_to(at(12h, 0min));
  for (const auto& post : posts) {
    CHECK(f.printed(post.key()) == 1);
    CHECK(f.state_of(post.key()) == post_state::sent);
    CHECK(f.logged(fmt::format("sent {} to 'out'", post.key())));
  }
  CHECK(f.store->commits() - before == 2);
  CHECK(f.store->applied(call::record_sent) == 10);
  f.pass(5min);
  for (const auto& post : posts) CHECK(f.printed(post.key()) == 1);
}

TEST_CASE("daemon_loop: record_sent fails inside a burst: the rest are recorded, the failed one after the pause",
          "[daemon_loop]") {
  // Given 3 posts due at 12:00 with burst 3 and the first record_sent
  // failing, then the journal pauses: the outcomes of the round are kept
  // in memory, their rows stay in flight, and after 30 s all three are
  // written sent, each post having gone out once.
  std::vector<post_spec> posts{{"c0"}, {"c1"}, {"c2"}};
  loop_fixture f(posts, "timeout: 10s, attempts: 3, burst: 3");
  f.start();
  f.store->fail_next(call::record_sent);
  f.pass_to(at(12h, 0min));
  for (const auto& post : posts) {
    CHECK(f.printed(post.key()) == 1);
    CHECK(f.state_of(post.key()) == post_state::in_flight);
  }
  f.pass(30s);
  for (const auto& post : posts) CHECK(f.state_of(post.key()) == post_state::sent);
  f.pass(5min);
  for (const auto& post : posts) CHECK(f.printed(post.key()) == 1);
  CHECK(f.store->applied(call::begin_attempt) == 3);
  CHECK(f.store->applied(call::record_sent) == 3);
}

TEST_CASE("daemon_loop: a step of the wall clock plans again and sends what came due", "[daemon_loop]") {
  // Given a post due at 14:00 and the clock at 11:59, when the wall clock is
  // set to 14:30, then the step is logged and the post goes out at once.
  post_spec post{"e1", day, "14:00"};
  loop_fixture f({post});
  f.start();
  f.pass(5s);
  CHECK(f.printed(post.key()) == 0);
  f.env.set_wall(at(14h, 30min));
  f.settle();
  CHECK(f.logged("the wall clock moved +9055.0 s"));
  CHECK(f.printed(post.key()) == 1);
  CHECK(f.state_of(post.key()) == post_state::sent);
}

// A clock set by microseconds (NTP, a hypervisor, the wall_clock_timer
// tests) fires TFD_TIMER_CANCEL_ON_SET: one just before a due instant wakes
// the loop early, and it must sleep again until that very instant, not a
// second later (docs/PERFORMANCE.md "2026-12-03, night: late wake-up").
TEST_CASE(
    "daemon_loop: a set of the clock by microseconds just before a due instant: the post goes out at that instant",
    "[daemon_loop]") {
  post_spec post{"e1", day, "12:00"};
  loop_fixture f({post});
  f.start();
  f.pass_to(at(11h, 59min, 59s));
  f.env.advance(600ms);
  f.settle();
  f.env.set_wall(f.env.wall_now() + 3us);  // woken early, as clock_changed
  f.settle();
  CHECK(f.printed(post.key()) == 0);
  CHECK_FALSE(f.logged("the wall clock moved"));    // not a step worth a new plan
  f.env.advance(at(12h, 0min) - f.env.wall_now());  // exactly the due instant
  f.settle();
  CHECK(f.printed(post.key()) == 1);
  CHECK(f.state_of(post.key()) == post_state::sent);
}

TEST_CASE("daemon_loop: begin_attempt fails: the post is not sent, and goes out after the pause", "[daemon_loop]") {
  // Given begin_attempt failing once at 12:00, then nothing is sent (nothing
  // goes out before its attempt is on disk), and after the 30 s pause the
  // post is decided again and goes out once.
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  f.store->fail_next(call::begin_attempt);
  f.pass_to(at(12h, 0min));
  CHECK(f.printed(post.key()) == 0);
  CHECK_FALSE(f.row(post.key()));
  CHECK(f.logged("recording an attempt: journal"));
  CHECK(f.logged("database is locked; trying again in 30 s"));
  f.pass(29s);
  CHECK(f.printed(post.key()) == 0);
  f.pass(1s);
  CHECK(f.printed(post.key()) == 1);
  CHECK(f.state_of(post.key()) == post_state::sent);
  CHECK(f.row(post.key())->attempts == 1);
}

TEST_CASE("daemon_loop: record_sent fails: the outcome is kept, written after the pause, never sent twice",
          "[daemon_loop]") {
  // Given record_sent failing once after the channel accepted the post, then
  // the row stays in flight through the pause (so no tick sends it again),
  // and after 30 s the kept outcome is written: sent, once.
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  f.store->fail_next(call::record_sent);
  f.pass_to(at(12h, 0min));
  CHECK(f.printed(post.key()) == 1);
  CHECK(f.state_of(post.key()) == post_state::in_flight);
  CHECK(f.logged(fmt::format("recording that {} was sent", post.key())));
  f.pass(29s);
  CHECK(f.state_of(post.key()) == post_state::in_flight);
  f.pass(1s);
  CHECK(f.state_of(post.key()) == post_state::sent);
  CHECK(f.row(post.key())->sent_at == at(12h, 0min, 30s));
  f.pass(5min);
  CHECK(f.printed(post.key()) == 1);
  CHECK(f.store->applied(call::begin_attempt) == 1);
  CHECK(f.store->applied(call::record_sent) == 1);
}

TEST_CASE("daemon_loop: a shared journal's claims in flight are renewed through a journal pause", "[daemon_loop]") {
  // Given a shared journal (lease 3 s) whose record_sent fails once after
  // the channel accepted the post, then while the journal is paused (30 s)
  // the claim of the post still in flight is renewed every second, so no
  // other replica takes it over and sends it again.
  post_spec post{"e1"};
  loop_fixture f({post}, "timeout: 1s, attempts: 3");
  f.start();
  f.store->share(std::chrono::seconds{3});
  f.store->fail_next(call::record_sent);
  f.pass_to(at(12h, 0min));
  CHECK(f.printed(post.key()) == 1);
  REQUIRE(f.state_of(post.key()) == post_state::in_flight);
  auto before = f.store->renewals();
  f.pass(10s);
  CHECK(f.state_of(post.key()) == post_state::in_flight);  // still paused
  CHECK(f.store->renewals() >= before + 3);
  CHECK(f.store->renewed() == std::vector<std::string>{post.key()});
  f.pass(20s);
  CHECK(f.state_of(post.key()) == post_state::sent);
  CHECK(f.printed(post.key()) == 1);
}

TEST_CASE("daemon_loop: record_retry fails: the retry is written after the pause and the post goes out once",
          "[daemon_loop]") {
  // Given the peer answering 503 once and record_retry failing once, then
  // the retry is recorded after the pause, and at its next_try the post is
  // sent again and recorded sent: two requests, one post.
  post_spec post{"e1", day, "12:00", "hook"};
  loop_fixture f({post});
  f.sink.respond({503, {}, "busy"});
  f.start();
  f.store->fail_next(call::record_retry);
  f.pass_to(at(12h, 0min));
  REQUIRE(f.run_until([&] { return f.logged("recording a retry: journal"); }));
  CHECK(f.state_of(post.key()) == post_state::in_flight);
  f.pass(30s);
  REQUIRE(f.state_of(post.key()) == post_state::pending);
  auto next_try = f.row(post.key())->next_try;
  REQUIRE(next_try);
  CHECK(*next_try > at(12h, 0min, 30s));
  f.pass_to(*next_try);
  REQUIRE(f.run_until([&] { return f.state_of(post.key()) == post_state::sent; }));
  CHECK(f.sink.requests().size() == 2);
  CHECK(f.row(post.key())->attempts == 2);
}

TEST_CASE("daemon_loop: record_failed fails: the failure is written after the pause", "[daemon_loop]") {
  // Given the peer refusing the post (400, permanent) and record_failed
  // failing once, then the post stays in flight through the pause, is
  // recorded failed after it, and is not sent again.
  post_spec post{"e1", day, "12:00", "hook"};
  loop_fixture f({post});
  f.sink.respond({400, {}, "no"});
  f.start();
  f.store->fail_next(call::record_failed);
  f.pass_to(at(12h, 0min));
  REQUIRE(f.run_until([&] { return f.logged("recording a failed post: journal"); }));
  CHECK(f.state_of(post.key()) == post_state::in_flight);
  f.pass(30s);
  CHECK(f.state_of(post.key()) == post_state::failed);
  f.pass(2min);
  CHECK(f.sink.requests().size() == 1);
}

TEST_CASE("daemon_loop: a journal locked for 95 s: nothing goes out until it is back, then once", "[daemon_loop]") {
  // Given the journal locked from 11:59:30 for 95 s, then the post due at
  // 12:00 is not sent while every call fails, and goes out once at the first
  // pause's end after 12:01:05.
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  f.pass(30s);
  f.store->lock_for(95s);
  f.pass_to(at(12h, 1min, 5s));
  CHECK(f.printed(post.key()) == 0);
  CHECK(f.logged("reading a post: journal"));
  f.pass(2min);
  CHECK(f.printed(post.key()) == 1);
  CHECK(f.state_of(post.key()) == post_state::sent);
  CHECK(*f.row(post.key())->sent_at <= at(12h, 1min, 35s));
}

TEST_CASE("daemon_loop: a journal that disappears: nothing goes out, the loop keeps trying", "[daemon_loop]") {
  // Given the journal failing every call (its disk gone) from 11:59:30, then
  // the post due at 12:00 is not sent for as long as it is gone, the loop
  // keeps running and trying, and once the journal is back the post goes out once.
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  f.pass(30s);
  f.store->disappear();
  f.pass(10min);
  CHECK(f.printed(post.key()) == 0);
  CHECK_FALSE(f.io().stopped());
  CHECK(f.logged("disk I/O error; trying again in 30 s"));
  auto failures = f.store->failures();
  f.pass(1min);
  CHECK(f.store->failures() > failures);  // tried again
  f.store->clear();
  f.pass(31s);
  CHECK(f.printed(post.key()) == 1);
  CHECK(f.state_of(post.key()) == post_state::sent);
}

TEST_CASE("daemon_loop: a stop while an outcome is unrecorded writes it once more before exit", "[daemon_loop]") {
  // Given the post sent at 12:00 and its record_sent failed (kept in memory),
  // when the loop is stopped (SIGTERM), then it waits for the drain, tries
  // the journal once more and stops: recorded sent when the journal takes
  // it; left in flight (sent at most once more on the next start) when not.
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  f.store->fail_next(call::record_sent);
  f.pass_to(at(12h, 0min));
  REQUIRE(f.state_of(post.key()) == post_state::in_flight);
  SECTION("the journal takes it at the drain") {
    f.loop->stop();
    f.settle();
    CHECK(f.logged("stopping on SIGTERM: 1 post(s) in flight"));
    CHECK_FALSE(f.io().stopped());
    f.pass(9s);
    CHECK_FALSE(f.io().stopped());
    f.pass(1s);
    CHECK(f.io().stopped());
    CHECK(f.state_of(post.key()) == post_state::sent);
    CHECK_FALSE(f.logged("still in flight"));
  }
  SECTION("the journal is still locked at the drain") {
    f.store->lock();
    f.loop->stop();
    f.pass(10s);
    CHECK(f.io().stopped());
    CHECK(f.logged("1 post(s) still in flight after 10 s; they go out once more on the next start"));
    CHECK(f.state_of(post.key()) == post_state::in_flight);
  }
  CHECK(f.printed(post.key()) == 1);
}

// --- the last good copy (docs/daemon.md "The last good copy") ---

namespace {

/// `yaml` with its first "message:" misspelt; `where` gets "LINE:COL".
std::string misspelt(std::string yaml, std::string& where) {
  auto pos = yaml.find("message:");
  yaml.replace(pos, 8, "mesage:");
  auto line = std::count(yaml.begin(), yaml.begin() + static_cast<std::ptrdiff_t>(pos), '\n') + 1;
  where = fmt::format("{}:{}", line, pos - yaml.rfind('\n', pos));
  return yaml;
}

std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

// --- operators (docs/service.md "Operating herald") ----------------------------------
// skip, resend, pause and resume written by another connection to the
// journal and closed, as the commands do, reach the loop through its inotify
// watch within a second of real time (the loop's clocks stand still
// meanwhile); what was decided before the start is honoured.

namespace {

/// The operator's own connection, as `herald skip` opens it.
std::unique_ptr<sqlite_journal> operator_journal(loop_fixture& f) {
  fs::create_directories(f.dir / "state");
  auto opened = sqlite_journal::open(f.dir / "state" / "journal.db");
  REQUIRE(opened.ok());
  return std::move(opened.value());
}

operator_action by(loop_fixture& f, std::string action, std::string target) {
  return {0, f.env.now_seconds(), "alice", std::move(action), std::move(target)};
}

/// Runs the loop in real time until `done` holds; false after a second.
bool within_a_second(loop_fixture& f, const std::function<bool()>& done) {
  auto limit = std::chrono::steady_clock::now() + 1s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > limit) return false;
    f.io().run_for(5ms);
  }
  return true;
}

}  // namespace

TEST_CASE("daemon_loop: a start on an invalid calendar runs the last good copy, degraded", "[daemon_loop][last_good]") {
  post_spec post{"e1"};
  {
    loop_fixture first({post});
    first.start();  // a good start keeps a copy in state/last-good
    CHECK(fs::exists(first.dir / "state" / "last-good" / "manifest"));
    first.loop->stop();
    first.loop.reset();
    std::string where;
    std::ofstream(first.calendar) << misspelt(calendar_yaml({post}), where);

    // The same files, broken: herald starts anyway on the copy, says why in
    // one entry naming the real file at LINE:COL, and is degraded.
    first.log_text.str("");
    first.start();
    auto log = first.log_text.str();
    INFO(log);
    CHECK(first.logged(fmt::format("{}:{}: error: unknown key 'mesage'", first.calendar.string(), where)));
    CHECK(count_of(log, "Z error: ") == 1);
    CHECK(first.logged("running the last good copy"));
    CHECK(first.logged("degraded: running the last good copy (since"));
    // The copy's schedule runs: the post goes out at 12:00.
    first.pass_to(at(12h, 0min));
    CHECK(first.printed(post.key()) == 1);

    // Fixed: the reload runs the files again and is no longer degraded.
    std::ofstream(first.calendar) << calendar_yaml({post});
    ::raise(SIGHUP);
    CHECK(first.run_until([&] { return first.logged("reloaded (SIGHUP)"); }));
  }
}

TEST_CASE("daemon_loop: a start on an invalid calendar with no last good copy fails with 2",
          "[daemon_loop][last_good]") {
  post_spec post{"e1"};
  loop_fixture f({post});
  std::string where;
  std::ofstream(f.calendar) << misspelt(calendar_yaml({post}), where);
  f.loop.emplace(daemon_options{f.config.string(), false, &f.console, {}}, f.env, f.log, f.notifier);
  CHECK(f.loop->start() == 2);
  CHECK(f.logged(fmt::format("{}:{}: error: unknown key 'mesage'", f.calendar.string(), where)));
  CHECK(f.logged("no last good copy"));
}

TEST_CASE("daemon_loop: a failed reload is one log entry", "[daemon_loop][last_good]") {
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  f.log_text.str("");
  std::string where;
  auto broken = misspelt(calendar_yaml({post}), where);
  broken.replace(broken.find("title:"), 6, "titel:");  // two errors, one entry
  std::ofstream(f.calendar) << broken;
  ::raise(SIGHUP);
  REQUIRE(f.run_until([&] { return f.logged("reload (SIGHUP) failed"); }));
  auto log = f.log_text.str();
  INFO(log);
  CHECK(count_of(log, "\n") == 1);
  CHECK(f.logged("unknown key 'titel'"));
  CHECK(f.logged(fmt::format("{}:{}: error: unknown key 'mesage'", f.calendar.string(), where)));
  CHECK(count_of(log, "herald: error") == 0);
}

/// The copy of the calendar in the last good copy (the file whose bytes are the calendar's).
fs::path calendar_copy(const loop_fixture& f) {
  auto text = [](const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  for (const auto& entry : fs::directory_iterator(f.dir / "state" / "last-good"))
    if (text(entry.path()) == text(f.calendar)) return entry.path();
  FAIL("no copy of " << f.calendar);
  return {};
}

/// Sends SIGHUP and runs the loop until the `n`th failed reload is logged.
bool failed_reload(loop_fixture& f, std::size_t n) {
  ::raise(SIGHUP);
  return f.run_until([&] { return count_of(f.log_text.str(), "reload (SIGHUP) failed") >= n; });
}

TEST_CASE("daemon_loop: a failed reload keeps every post of the old schedule going out once, on time",
          "[daemon_loop][last_good]") {
  // Given posts at 12:00 and 12:01 and the clock at 11:59, when an edit
  // breaks the calendar and herald reloads: the reload dropped the running
  // calendars before it loaded the file and, the load failing, made them
  // again from the last good copy. Both posts go out at their instants,
  // once each; a reload of the fixed file names what it added against the
  // events of the copy.
  post_spec first{"e1"}, second{"e2", day, "12:01"}, third{"e3", day, "12:05"};
  loop_fixture f({first, second});
  int dropped = 0;
  f.calendars_dropped = [&] { ++dropped; };
  f.start();
  std::string where;
  std::ofstream(f.calendar) << misspelt(calendar_yaml({first, second}), where);
  REQUIRE(failed_reload(f, 1));
  CHECK(f.logged(fmt::format("{}:{}: error: unknown key 'mesage'", f.calendar.string(), where)));
  CHECK(dropped >= 1);
  CHECK_FALSE(f.logged("last good copy"));  // whole and as saved: nothing to say of it

  f.pass_to(at(12h, 0min));
  CHECK(f.printed(first.key()) == 1);
  CHECK(f.printed(second.key()) == 0);
  f.pass_to(at(12h, 1min));
  CHECK(f.printed(second.key()) == 1);
  CHECK(f.state_of(first.key()) == post_state::sent);
  CHECK(f.state_of(second.key()) == post_state::sent);

  std::ofstream(f.calendar) << calendar_yaml({first, second, third});
  ::raise(SIGHUP);
  REQUIRE(f.run_until([&] { return f.logged("reloaded (SIGHUP)"); }));
  INFO(f.log_text.str());
  CHECK(f.logged("post(s) planned; events added: e3\n"));
  f.pass_to(at(12h, 5min));
  CHECK(f.printed(third.key()) == 1);
  CHECK(f.printed(first.key()) == 1);
  CHECK(f.printed(second.key()) == 1);
}

TEST_CASE("daemon_loop: a post in flight through a failed reload is sent and recorded once",
          "[daemon_loop][last_good]") {
  // Given a webhook post at 12:00 that the peer answers after 2 s and
  // another at 12:01, when a reload fails while the first is in flight (its
  // calendars dropped and made again from the copy): the first is recorded
  // sent from its one request, and the second goes out at 12:01.
  post_spec now{"e1", day, "12:00", "hook"}, next{"e2", day, "12:01", "hook"};
  loop_fixture f({now, next});
  f.sink.set_fallback({200, {}, "ok", 2s});
  int dropped = 0;
  f.calendars_dropped = [&] { ++dropped; };
  f.start();
  f.pass_to(at(12h, 0min));
  REQUIRE(f.run_until([&] { return f.sink.requests().size() == 1; }));
  REQUIRE(f.state_of(now.key()) == post_state::in_flight);
  std::string where;
  std::ofstream(f.calendar) << misspelt(calendar_yaml({now, next}), where);
  REQUIRE(failed_reload(f, 1));
  CHECK(dropped >= 1);
  REQUIRE(f.run_until([&] { return f.state_of(now.key()) == post_state::sent; }));
  f.pass_to(at(12h, 1min));
  REQUIRE(f.run_until([&] { return f.state_of(next.key()) == post_state::sent; }));
  CHECK(f.sink.requests().size() == 2);
  CHECK(f.row(now.key())->attempts == 1);
}

TEST_CASE("daemon_loop: a start on an invalid calendar does not run a last good copy changed since it was saved",
          "[daemon_loop][last_good]") {
  // Given a copy edited by hand (still a calendar that loads), when the
  // files are invalid at start: the copy is checked against the hash it was
  // saved under, as a reload checks it, and not run.
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  f.loop->stop();
  f.loop.reset();
  std::ofstream(calendar_copy(f), std::ios::app) << "# edited by hand\n";
  std::string where;
  std::ofstream(f.calendar) << misspelt(calendar_yaml({post}), where);
  f.log_text.str("");
  f.loop.emplace(daemon_options{f.config.string(), false, &f.console, {}}, f.env, f.log, f.notifier);
  CHECK(f.loop->start() == 2);
  INFO(f.log_text.str());
  CHECK(f.logged(fmt::format("{}:{}: error: unknown key 'mesage'", f.calendar.string(), where)));
  CHECK(f.logged("last-good is damaged: "));
  CHECK(f.logged("was changed since it was saved; it is not run instead"));
  CHECK_FALSE(f.logged("running the last good copy"));
}

TEST_CASE("daemon_loop: a reload of unchanged files leaves the last good copy as it is", "[daemon_loop][last_good]") {
  // Given a start that kept a copy, when the same files load again later:
  // nothing in last-good is written again (the same files, not new ones
  // renamed over them), and the copy still counts as the running one's: a
  // failed reload after it rebuilds from it, and the post goes out.
  post_spec post{"e1"};
  loop_fixture f({post});
  int dropped = 0;
  f.calendars_dropped = [&] { ++dropped; };
  f.start();
  auto inode_of = [](const fs::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_ino;
  };
  auto manifest = f.dir / "state" / "last-good" / "manifest";
  auto manifest_inode = inode_of(manifest);
  auto copy = calendar_copy(f);
  auto copy_inode = inode_of(copy);
  f.pass_to(at(11h, 59min, 30s));  // a new copy would be stamped later
  ::raise(SIGHUP);
  REQUIRE(f.run_until([&] { return f.logged("reloaded (SIGHUP)"); }));
  CHECK(inode_of(manifest) == manifest_inode);
  CHECK(inode_of(copy) == copy_inode);
  std::string where;
  std::ofstream(f.calendar) << misspelt(calendar_yaml({post}), where);
  REQUIRE(failed_reload(f, 1));
  INFO(f.log_text.str());
  CHECK(dropped == 2);
  CHECK_FALSE(f.logged("keep the running calendars in memory"));
  f.pass_to(at(12h, 0min));
  CHECK(f.printed(post.key()) == 1);
}

TEST_CASE("daemon_loop: a failed reload with the last good copy gone or changed keeps the running calendars",
          "[daemon_loop][last_good]") {
  // Given a copy deleted or edited by hand, when a reload fails: the reload
  // saw it before dropping anything, kept the calendars while the file
  // loaded, and said so once; the post still goes out at 12:00.
  post_spec post{"e1"};
  loop_fixture f({post});
  int dropped = 0;
  f.calendars_dropped = [&] { ++dropped; };
  f.start();
  std::string said;
  SECTION("gone") {
    fs::remove_all(f.dir / "state" / "last-good");
    said = "last-good is missing or not whole; this reload and the next ones keep the running calendars";
  }
  SECTION("changed") {
    std::ofstream(calendar_copy(f), std::ios::app) << "# edited by hand\n";
    said = "last-good is damaged: ";
  }
  std::string where;
  std::ofstream(f.calendar) << misspelt(calendar_yaml({post}), where);
  REQUIRE(failed_reload(f, 1));
  REQUIRE(failed_reload(f, 2));
  auto log = f.log_text.str();
  INFO(log);
  CHECK(count_of(log, said) == 1);
  CHECK(dropped == 0);
  f.pass_to(at(12h, 0min));
  CHECK(f.printed(post.key()) == 1);
}

TEST_CASE("daemon_loop: when the last good copy does not load after a failed reload, herald runs on without a schedule",
          "[daemon_loop][last_good]") {
  // Given a copy that breaks while the files load (after the reload looked
  // at it and dropped the calendars), when the load fails: herald says so,
  // stops nothing, plans no post (12:00 passes with nothing sent, and the
  // journal gives nothing up); a reload of the fixed file plans again, and
  // the post, still within catch_up, goes out.
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  auto copy = calendar_copy(f);
  f.calendars_dropped = [&] { std::ofstream(copy) << "version: 1\nevents: [\n"; };
  std::string where;
  std::ofstream(f.calendar) << misspelt(calendar_yaml({post}), where);
  REQUIRE(failed_reload(f, 1));
  f.calendars_dropped = {};
  INFO(f.log_text.str());
  CHECK(f.logged("does not load either; herald runs on without a schedule"));
  f.pass_to(at(12h, 1min));
  CHECK(f.printed(post.key()) == 0);
  CHECK_FALSE(f.row(post.key()));
  CHECK_FALSE(f.loop->io().stopped());

  std::ofstream(f.calendar) << calendar_yaml({post});
  ::raise(SIGHUP);
  REQUIRE(f.run_until([&] { return f.logged("reloaded (SIGHUP)"); }));
  f.settle();
  CHECK(f.printed(post.key()) == 1);
}

TEST_CASE("daemon_loop: a dry run writes no last good copy, and a failed reload keeps its calendars",
          "[daemon_loop][last_good]") {
  post_spec post{"e1"};
  loop_fixture f({post});
  int dropped = 0;
  daemon_options options{f.config.string(), true, &f.console, {}};
  options.calendars_dropped = [&] { ++dropped; };
  f.loop.emplace(std::move(options), f.env, f.log, f.notifier);
  REQUIRE(f.loop->start() == 0);
  CHECK_FALSE(fs::exists(f.dir / "state" / "last-good"));
  std::string where;
  std::ofstream(f.calendar) << misspelt(calendar_yaml({post}), where);
  REQUIRE(failed_reload(f, 1));
  INFO(f.log_text.str());
  CHECK_FALSE(f.logged("last good copy"));
  CHECK_FALSE(fs::exists(f.dir / "state" / "last-good"));
  CHECK(dropped == 0);  // the calendars stayed while the file loaded
  f.pass_to(at(12h, 0min));
  CHECK(count_of(f.log_text.str(), fmt::format("dry run: would send {}", post.key())) == 1);
}

TEST_CASE("daemon_loop: calendar warnings are logged as one entry at start and on reload", "[daemon_loop]") {
  loop_fixture f({{"a"}});
  f.start();
  auto entries = [&] {
    std::vector<std::string> found;
    std::istringstream lines(f.log_text.str());
    for (std::string line; std::getline(lines, line);)
      if (line.find("calendar warning(s)") != std::string::npos) found.push_back(line);
    return found;
  };
  // The fixture's calendar is in UTC, and its one date is today (the env's clock).
  auto at_start = entries();
  REQUIRE(at_start.size() == 1);
  CHECK(at_start[0].find("2 calendar warning(s)") != std::string::npos);
  CHECK(at_start[0].find("time zone 'UTC' has no daylight saving time") != std::string::npos);
  CHECK(at_start[0].find("the dates of event 'a' run out on 2030-03-04") != std::string::npos);

  auto yaml = calendar_yaml({{"a"}});
  yaml.replace(yaml.find("title: Event a"), 14, "title: Event # a");
  std::ofstream(f.calendar) << yaml;
  REQUIRE(f.run_until([&] { return f.logged("reloaded"); }));
  auto after = entries();
  REQUIRE(after.size() == 2);
  CHECK(after[1].find("3 calendar warning(s)") != std::string::npos);
  CHECK(after[1].find("'title' ends at 'Event'") != std::string::npos);
}

TEST_CASE("operators: a post skipped while the daemon runs is never sent", "[daemon_loop][operator]") {
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  f.settle();
  auto ops = operator_journal(f);
  REQUIRE(ops->skip(post.key(), at(12h, 0min), "out", "e1", by(f, "skip", post.key())).ok());
  ops.reset();  // the command ends
  CHECK(within_a_second(f, [&] { return f.logged("skip by alice: " + post.key()); }));
  f.pass(5min);
  CHECK(f.printed(post.key()) == 0);
  CHECK(f.state_of(post.key()) == post_state::skipped);
}

TEST_CASE("operators: a skip and a pause written before the start are honoured", "[daemon_loop][operator]") {
  post_spec skipped{"e1"}, paused{"e2"};
  loop_fixture f({skipped, paused});
  {
    auto ops = operator_journal(f);
    REQUIRE(ops->skip(skipped.key(), at(12h, 0min), "out", "e1", by(f, "skip", skipped.key())).ok());
    REQUIRE(ops->pause_channel(by(f, "pause", "out")).ok());
  }
  f.start();
  f.settle();
  f.pass(5min);
  CHECK(f.printed(skipped.key()) == 0);
  CHECK(f.printed(paused.key()) == 0);
  CHECK_FALSE(f.row(paused.key()));
  CHECK(f.logged("channel 'out' is paused (by alice)"));
  CHECK_FALSE(f.logged("next: " + paused.key()));  // STATUS= does not name a post that waits for a resume
}

TEST_CASE("operators: a paused channel's posts wait, and on resume those within catch_up go out within a second",
          "[daemon_loop][operator]") {
  post_spec first{"e1"}, later{"e2", day + date::days{4}};
  loop_fixture f({first, later});
  f.start();
  f.settle();
  auto ops = operator_journal(f);
  REQUIRE(ops->pause_channel(by(f, "pause", "out")).ok());
  ops.reset();
  CHECK(within_a_second(f, [&] { return f.logged("channel 'out' is paused"); }));
  f.pass(2min);
  CHECK(f.printed(first.key()) == 0);
  CHECK_FALSE(f.row(first.key()));
  SECTION("resumed within catch_up: it goes out") {
    REQUIRE(operator_journal(f)->resume_channel(by(f, "resume", "out")).ok());
    CHECK(within_a_second(f, [&] { return f.printed(first.key()) == 1; }));
    f.settle();  // outcomes are recorded at the end of the loop's turn
    CHECK(f.state_of(first.key()) == post_state::sent);
  }
  SECTION("resumed 4 days later: the old post is recorded missed, the one due today goes out") {
    f.env.advance(std::chrono::hours{24 * 4} + 5min);
    f.settle();
    CHECK(f.printed(later.key()) == 0);
    REQUIRE(operator_journal(f)->resume_channel(by(f, "resume", "out")).ok());
    CHECK(within_a_second(f, [&] { return f.printed(later.key()) == 1; }));
    CHECK(f.printed(first.key()) == 0);
    CHECK(f.state_of(first.key()) == post_state::missed);
    CHECK(f.printed(later.key()) == 1);
    CHECK(f.logged("channel 'out' resumed"));
  }
}

TEST_CASE("operators: a channel resumed while herald was stopped: its posts within catch_up go out, older are missed",
          "[daemon_loop][operator]") {
  // Given 'out' paused at 11:59 on day 0, its post due at 12:00 that day
  // waiting, the other channel's post going out on day 6 (the journal's last
  // change), herald stopped, and 'out' resumed while it was stopped; then
  // on start the post of day 0 (6 days ago, beyond catch_up: 3 days) is
  // recorded missed and the one due on day 6 goes out, as a resume in a
  // running herald would judge them.
  post_spec old{"old"}, recent{"recent", day + date::days{6}, "11:00"};
  post_spec other{"other", day + date::days{6}, "12:00", "hook"};
  loop_fixture f({old, recent, other});
  f.start();
  f.settle();
  REQUIRE(operator_journal(f)->pause_channel(by(f, "pause", "out")).ok());
  REQUIRE(within_a_second(f, [&] { return f.logged("channel 'out' is paused"); }));
  f.pass(2min);
  REQUIRE_FALSE(f.row(old.key()));
  f.env.advance(std::chrono::hours{24 * 6});
  f.settle();
  REQUIRE(f.run_until([&] { return f.row(other.key()) && f.state_of(other.key()) == post_state::sent; }));
  f.loop->stop();
  f.loop.reset();
  f.env.advance(5min);
  REQUIRE(operator_journal(f)->resume_channel(by(f, "resume", "out")).ok());
  f.env.advance(5min);
  f.log_text.str("");
  f.start();
  f.settle();
  INFO(f.log_text.str());
  CHECK(f.printed(recent.key()) == 1);
  REQUIRE(f.row(old.key()));
  CHECK(f.state_of(old.key()) == post_state::missed);
  CHECK(f.printed(old.key()) == 0);
}

TEST_CASE("operators: a missed post resent goes out within a second, once", "[daemon_loop][operator]") {
  post_spec old{"old", day - date::days{5}};
  loop_fixture f({old});
  f.start();
  f.settle();
  REQUIRE(f.state_of(old.key()) == post_state::missed);
  auto resent = operator_journal(f)->resend(old.key(), by(f, "resend", old.key()));
  REQUIRE(resent.ok());
  REQUIRE(resent.value() == journal_change::applied);
  CHECK(within_a_second(f, [&] { return f.printed(old.key()) == 1; }));
  f.settle();  // outcomes are recorded at the end of the loop's turn
  CHECK(f.state_of(old.key()) == post_state::sent);
  f.pass(1min);
  CHECK(f.printed(old.key()) == 1);
}

TEST_CASE("daemon_loop: a journal file deleted under the daemon: nothing goes out, logged once",
          "[daemon_loop][lost_journal]") {
  // Given the journal file deleted at 11:59:30 (SQLite would go on writing
  // into the unlinked file), then the post due at 12:00 is not sent and the
  // loss is logged once (the reason it gives: health_test.cpp).
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  f.pass(30s);
  fs::remove(f.dir / "state" / "journal.db");
  f.pass_to(at(12h, 5min));
  INFO(f.log_text.str());
  CHECK(f.printed(post.key()) == 0);
  CHECK_FALSE(f.io().stopped());
  CHECK(count_of(f.log_text.str(), "was deleted or replaced while herald runs") == 1);
  CHECK(f.logged("was deleted or replaced while herald runs"));
}

TEST_CASE("daemon_loop: a journal file replaced under the daemon: nothing goes out", "[daemon_loop][lost_journal]") {
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  auto file = f.dir / "state" / "journal.db";
  fs::copy_file(file, f.dir / "copy.db");
  fs::rename(f.dir / "copy.db", file);
  f.pass_to(at(12h, 5min));
  CHECK(f.printed(post.key()) == 0);
  CHECK(f.logged("was deleted or replaced while herald runs"));
}

TEST_CASE("daemon_loop: a window that closes while an unanswered post waits for its once-more leaves it unconfirmed",
          "[daemon_loop][unanswered]") {
  // Given a peer that answers later than delivery.timeout, the post's first
  // attempt goes unanswered and waits for its one more copy; herald stops
  // and starts again after catch_up (3 days). Then the post, which may have
  // arrived, is recorded unconfirmed, not failed, and not sent again.
  post_spec post{"e1", day, "12:00", "hook"};
  loop_fixture f({post}, "timeout: 1s, attempts: 5");
  test::http_test_server::response slow;
  slow.delay = 3s;
  f.sink.set_fallback(slow);
  f.start();
  f.pass_to(at(12h, 0min));
  REQUIRE(f.run_until([&] { return f.state_of(post.key()) == post_state::pending; }));
  REQUIRE(f.row(post.key())->interrupted == 1);
  f.loop->stop();
  f.loop.reset();
  f.env.advance(std::chrono::hours{24 * 4});
  f.start();
  f.settle();
  INFO(f.log_text.str());
  CHECK(f.state_of(post.key()) == post_state::unconfirmed);
  CHECK(f.row(post.key())->last_error ==
        "window closed after 1 attempt: no answer within 1 s after the whole request was sent: it may have arrived");
  CHECK(f.logged("unconfirmed e1/2030-03-04/0d/hook to 'hook': window closed after 1 attempt"));
  f.pass(1min);
  CHECK(f.sink.requests().size() == 1);
}

TEST_CASE("daemon_loop: the once-more of an unanswered post failing with no try left leaves it unconfirmed",
          "[daemon_loop][unanswered]") {
  // Given a first attempt unanswered within delivery.timeout and its one
  // more copy answered 503 with no attempt left, then the post is
  // unconfirmed: the first copy may have arrived.
  post_spec post{"e1", day, "12:00", "hook"};
  loop_fixture f({post}, "timeout: 1s, attempts: 2");
  test::http_test_server::response slow;
  slow.delay = 3s;
  f.sink.respond(slow);
  test::http_test_server::response busy;
  busy.status = 503;
  busy.body = "busy";
  f.sink.set_fallback(busy);
  f.start();
  f.pass_to(at(12h, 0min));
  REQUIRE(f.run_until([&] { return f.state_of(post.key()) == post_state::pending; }));
  auto row = f.row(post.key());
  REQUIRE(row->next_try);
  f.pass_to(*row->next_try);
  REQUIRE(f.run_until([&] { return is_final(f.state_of(post.key())); }));
  INFO(f.log_text.str());
  CHECK(f.state_of(post.key()) == post_state::unconfirmed);
  CHECK(f.sink.requests().size() == 2);
}

TEST_CASE("daemon_loop: an endpoint slower than delivery.timeout gets the post twice at most, then unconfirmed",
          "[daemon_loop][unanswered]") {
  // Given a peer that takes every request and answers 3 s later, and a
  // timeout of 1 s with 5 attempts, then the post is sent, retried once
  // (counted as an interruption), recorded unconfirmed, and never sent again.
  post_spec post{"e1", day, "12:00", "hook"};
  loop_fixture f({post}, "timeout: 1s, attempts: 5");
  test::http_test_server::response slow;
  slow.delay = 3s;
  f.sink.set_fallback(slow);
  f.start();
  f.pass_to(at(12h, 0min));
  REQUIRE(f.run_until([&] { return f.state_of(post.key()) == post_state::pending; }));
  auto row = f.row(post.key());
  CHECK(row->interrupted == 1);
  CHECK(row->last_error == "no answer within 1 s after the whole request was sent: it may have arrived");
  REQUIRE(row->next_try);
  f.pass_to(*row->next_try);
  REQUIRE(f.run_until([&] { return f.state_of(post.key()) == post_state::unconfirmed; }));
  CHECK(f.logged("unconfirmed e1/2030-03-04/0d/hook to 'hook': no answer within 1 s"));
  f.pass(10min);
  CHECK(f.sink.wait_for_requests(2));
  CHECK(f.sink.requests().size() == 2);
  CHECK(f.state_of(post.key()) == post_state::unconfirmed);
}

namespace {

// A port held by this test, as another process would hold it: bound and listening on 127.0.0.1.
struct held_port {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor{io, {boost::asio::ip::address_v4::loopback(), 0}};
  unsigned short port() const { return acceptor.local_endpoint().port(); }
  void release() { acceptor.close(); }
};

}  // namespace

TEST_CASE("daemon_loop: a status endpoint that cannot listen degrades the daemon, which runs on and listens later",
          "[daemon_loop][web]") {
  post_spec post{"e1"};
  loop_fixture f({post});
  held_port held;
  auto address = fmt::format("127.0.0.1:{}", held.port());
  std::ofstream(f.config, std::ios::app) << fmt::format("http: {{listen: \"{}\"}}\n", address);
  f.start();  // not stopped by the port
  INFO(f.log_text.str());
  CHECK(f.logged(fmt::format("cannot listen on {}: Address already in use", address)));
  CHECK(f.logged(
      fmt::format("degraded: the status endpoint is down (cannot listen on {}: Address already in use)", address)));
  // Posts go out all the same.
  f.pass_to(at(12h, 0min));
  CHECK(f.printed(post.key()) == 1);

  // Freed: the next try listens, and the daemon is healthy again.
  held.release();
  f.pass(30s);
  CHECK(f.logged(fmt::format("status endpoint listening on http://{}/", address)));
  CHECK(count_of(f.log_text.str(), "error: cannot listen on") == 1);  // once, not each try
  f.loop->stop();
}

namespace {

// The health file the loop published in `state_dir`, as `herald status` parses it; none when there is none.
std::optional<published_health> health_in(const fs::path& state_dir) {
  std::ifstream in(health_file_path(state_dir));
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_health_file(text.str());
}

}  // namespace

TEST_CASE("daemon_loop: the health file follows the reasons, written when they change and not on each tick",
          "[daemon_loop][web][health]") {
  post_spec post{"e1"};
  loop_fixture f({post});
  held_port held;
  auto address = fmt::format("127.0.0.1:{}", held.port());
  std::ofstream(f.config, std::ios::app) << fmt::format("http: {{listen: \"{}\"}}\n", address);
  auto state_dir = f.dir / "state";
  fs::create_directories(state_dir);
  // A crashed daemon's file: removed once the new daemon holds the lock.
  std::ofstream(health_file_path(state_dir)) << health_file_text({::getpid() + 1, at(0h, 0min), {"old"}});
  f.start();
  INFO(f.log_text.str());
  auto started = health_in(state_dir);
  REQUIRE(started);
  CHECK(started->pid == ::getpid());
  CHECK(started->since == f.env.now_seconds());
  CHECK(started->reasons ==
        std::vector<std::string>{fmt::format("the status endpoint is down (cannot listen on {}: Address already in "
                                             "use): herald keeps trying, and tries at once on a reload",
                                             address)});

  // A post goes out (ticks, sends, records) with the reasons unchanged: no write recreates the file.
  fs::remove(health_file_path(state_dir));
  f.pass_to(at(12h, 0min));
  REQUIRE(f.printed(post.key()) == 1);
  CHECK_FALSE(fs::exists(health_file_path(state_dir)));

  // Freed: the endpoint listens at its next try, and the file says healthy since then.
  held.release();
  REQUIRE(f.run_until([&] {
    f.pass(1s);
    return f.logged(fmt::format("status endpoint listening on http://{}/", address));
  }));
  auto healed = health_in(state_dir);
  REQUIRE(healed);
  CHECK_FALSE(healed->degraded());
  CHECK(healed->since > at(12h, 0min));
  f.loop->stop();
}

TEST_CASE("daemon_loop: a journal paused while recording an outcome shows in the health file at once, until it resumes",
          "[daemon_loop][health]") {
  // Given a post whose record_sent fails (outside a decision: the sender
  // records outcomes on its own), the journal pauses for 30 s: the health
  // file says so before the pause ends, and is healthy again after it.
  post_spec post{"e1"};
  loop_fixture f({post});
  f.start();
  auto state_dir = f.dir / "state";
  REQUIRE(health_in(state_dir));
  CHECK_FALSE(health_in(state_dir)->degraded());
  f.store->fail_next(call::record_sent);
  f.pass_to(at(12h, 0min));
  REQUIRE(f.printed(post.key()) == 1);
  f.pass(5s);
  INFO(f.log_text.str());
  auto paused = health_in(state_dir);
  REQUIRE(paused);
  REQUIRE(paused->reasons.size() == 1);
  CHECK(paused->reasons.front().starts_with(fmt::format("journal paused (recording that {} was sent: ", post.key())));
  f.pass(30s);
  REQUIRE(f.state_of(post.key()) == post_state::sent);
  CHECK_FALSE(health_in(state_dir)->degraded());
  f.loop->stop();
}

TEST_CASE("daemon_loop: a reload while the journal is paused names the next post without reading the journal",
          "[daemon_loop][health]") {
  // A database that is away could hold the loop for its connect timeout at
  // each read: STATUS= and the health file are made without one.
  post_spec sent{"e1"}, later{"e2"};
  later.time = "13:00";
  loop_fixture f({sent, later});
  f.start();
  f.store->fail_next(call::record_sent);
  f.pass_to(at(12h, 0min));
  REQUIRE(f.printed(sent.key()) == 1);
  f.pass(5s);
  REQUIRE(f.logged("trying again in"));  // paused
  auto finds = f.store->applied(call::find);
  auto failed = f.store->failures();
  f.log_text.str("");
  ::raise(SIGHUP);
  REQUIRE(f.run_until([&] { return f.logged("reloaded (SIGHUP)"); }));
  INFO(f.log_text.str());
  CHECK(f.store->applied(call::find) == finds);
  CHECK(f.store->failures() == failed);
  f.pass(30s);  // the pause ends: the journal is read again
  CHECK(f.state_of(sent.key()) == post_state::sent);
  CHECK(f.store->applied(call::find) > finds);
  f.loop->stop();
}

TEST_CASE("daemon_loop: a health file that cannot be written does not stop the daemon and is logged once",
          "[daemon_loop][web][health]") {
  post_spec post{"e1"};
  loop_fixture f({post});
  held_port held;
  auto address = fmt::format("127.0.0.1:{}", held.port());
  std::ofstream(f.config, std::ios::app) << fmt::format("http: {{listen: \"{}\"}}\n", address);
  auto temporary = health_file_path(f.dir / "state");
  temporary += ".tmp";
  fs::create_directories(temporary);  // its temporary name taken: every write fails, even for root
  f.start();
  INFO(f.log_text.str());
  CHECK(f.logged(
      fmt::format("cannot write {}: Is a directory; `herald status` shows the health as unknown", temporary.string())));
  held.release();
  REQUIRE(f.run_until([&] {
    f.pass(1s);
    return f.logged(fmt::format("status endpoint listening on http://{}/", address));
  }));
  f.pass_to(at(12h, 0min));
  CHECK(f.printed(post.key()) == 1);                                             // it runs on, and sends
  CHECK(count_of(f.log_text.str(), "cannot write " + temporary.string()) == 1);  // the second change failed too
  CHECK_FALSE(health_in(f.dir / "state"));
  f.loop->stop();
}

TEST_CASE("daemon_loop: a reload tries at once to listen on a status endpoint that could not", "[daemon_loop][web]") {
  post_spec post{"e1"};
  loop_fixture f({post});
  held_port held;
  auto address = fmt::format("127.0.0.1:{}", held.port());
  std::ofstream(f.config, std::ios::app) << fmt::format("http: {{listen: \"{}\"}}\n", address);
  f.start();
  INFO(f.log_text.str());
  REQUIRE(f.logged(fmt::format("cannot listen on {}", address)));
  held.release();
  // No time passes on the manual clock: only the reload can try again.
  ::raise(SIGHUP);
  CHECK(f.run_until([&] { return f.logged("reloaded (SIGHUP)"); }));
  CHECK(f.logged(fmt::format("status endpoint listening on http://{}/", address)));
  f.loop->stop();
}
