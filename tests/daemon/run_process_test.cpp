// `herald run`, the real binary, against real peers (docs/architecture.md "Testing and measuring";
// issue 4): a local HTTP sink for the webhook channel, a unix datagram socket
// as NOTIFY_SOCKET, the SQLite journal read back from the test. Restart
// safety under kill -9, catch-up, live reload, the notify protocol, graceful
// stop, the state_dir lock and --dry-run.
//
// Calendar times are minutes, so posts are dated relative to the real clock
// at test time (yesterday at 12:00 UTC is due 12–36 hours ago) with a
// catch_up of 3 days. Every wait is on a condition with a deadline.

// The listener below needs Catch's reporter interfaces.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <date/date.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/json.hpp>

#include "journal/sqlite_journal.hpp"
#include "scheduling/delivery_defaults.hpp"
#include "support/hang_limit.hpp"
#include "support/herald_process.hpp"
#include "support/http_test_server.hpp"
#include "support/notify_socket.hpp"
#include "support/shell_command.hpp"
#include "support/temp_dir.hpp"

using namespace herald;
using namespace std::chrono_literals;
using herald::test::replace_file;
namespace fs = std::filesystem;

namespace {

// --- dates from the real clock -------------------------------------------------

date::sys_days today() { return date::floor<date::days>(std::chrono::system_clock::now()); }
std::string iso(date::sys_days day) { return date::format("%F", day); }

// --- the calendar and config ---------------------------------------------------

/// One event with one post: `at: 0` on `day` at `time` (UTC) to channel `hook`.
struct post_spec {
  std::string id;
  date::sys_days day;
  std::string time = "12:00";

  /// The post key of docs/calendar.md "Post keys".
  std::string key() const { return id + "/" + iso(day) + "/0d/hook"; }
};

std::string calendar_yaml(const std::vector<post_spec>& posts) {
  std::string yaml = "version: 1\ntimezone: UTC\ndefaults: {channels: [hook]}\nevents:\n";
  for (const auto& p : posts) {
    yaml += fmt::format(
        "  - id: {}\n"
        "    title: Event {}\n"
        "    dates: [{}]\n"
        "    steps:\n"
        "      - at: 0\n"
        "        time: \"{}\"\n"
        "        message: \"{{{{title}}}} is on {{{{date}}}}.\"\n",
        p.id, p.id, iso(p.day), p.time);
  }
  return yaml;
}

/// `count` events `<prefix>01…` with a post on `day`.
std::vector<post_spec> burst(const std::string& prefix, int count, date::sys_days day) {
  std::vector<post_spec> posts;
  for (int i = 1; i <= count; ++i) posts.push_back({fmt::format("{}{:02}", prefix, i), day});
  return posts;
}

// --- reading what happened ------------------------------------------------------

/// Every row of the journal at `db`, by key.
std::map<std::string, journal_entry> journal_rows(const fs::path& db) {
  auto opened = sqlite_journal::open(db);
  INFO((opened.ok() ? "" : opened.error()));
  REQUIRE(opened.ok());
  std::map<std::string, journal_entry> rows;
  for (auto state :
       {post_state::pending, post_state::in_flight, post_state::sent, post_state::failed, post_state::missed}) {
    auto entries = opened.value()->entries_in(state);
    INFO((entries.ok() ? "" : entries.error()));
    REQUIRE(entries.ok());
    for (auto& e : entries.value()) rows.emplace(e.key, e);
  }
  return rows;
}

std::string describe(const std::map<std::string, journal_entry>& rows) {
  std::string text;
  for (const auto& [key, e] : rows)
    text += fmt::format("  {} {} attempts={} interrupted={}\n", key, to_string(e.state), e.attempts, e.interrupted);
  return text;
}

/// How many times each Idempotency-Key reached the sink. Checks on the way
/// that the body's "key" is the same key.
std::map<std::string, int> arrivals(const test::http_test_server& sink) {
  std::map<std::string, int> count;
  for (const auto& r : sink.requests()) {
    auto key = r.header("Idempotency-Key");
    auto body = boost::json::parse(r.body).as_object();
    CHECK(body.at("key").as_string() == key);
    ++count[key];
  }
  return count;
}

std::string describe(const std::map<std::string, int>& counts) {
  std::string text;
  for (const auto& [key, n] : counts) text += fmt::format("  {} x{}\n", key, n);
  return text;
}

bool all_arrived(const test::http_test_server& sink, const std::vector<post_spec>& posts) {
  std::set<std::string> keys;
  for (const auto& r : sink.requests()) keys.insert(r.header("Idempotency-Key"));
  return std::all_of(posts.begin(), posts.end(), [&](const post_spec& p) { return keys.contains(p.key()); });
}

/// The stderr lines holding `text`.
std::vector<std::string> lines_with(const std::string& err, std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);)
    if (line.find(text) != std::string::npos) lines.push_back(line);
  return lines;
}

// --- herald's logs on failure ------------------------------------------------------

// The logs folder of the running test's fixture, if any.
const fs::path* current_logs = nullptr;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// On a test's first failed check, prints what its herald processes had
// logged by then (Catch's INFO would take the text where it stands, before
// herald wrote it).
struct herald_logs_on_failure : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  bool printed = false;

  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    printed = false;
    TestEventListenerBase::testCaseStarting(info);
  }
  bool assertionEnded(Catch::AssertionStats const& stats) override {
    if (stats.assertionResult.isOk() || printed || current_logs == nullptr) return true;
    printed = true;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(*current_logs)) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      if (fs::file_size(file) == 0) continue;
      std::cerr << "---- " << file.filename().string() << " (at the first failed check) ----\n"
                << read_text(file) << "---- end of " << file.filename().string() << " ----\n";
    }
    return true;
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(herald_logs_on_failure)

namespace {

// --- the fixture -----------------------------------------------------------------

/// A directory with herald.yaml, calendar.yaml and a state dir, a webhook
/// sink on 127.0.0.1, and (on request) a notify socket.
struct daemon_fixture {
  test::temp_dir dir{"herald-run"};
  test::http_test_server sink;
  fs::path config = dir / "herald.yaml";
  fs::path calendar = dir / "calendar.yaml";
  fs::path state = dir / "state";
  fs::path logs = dir / "logs";  // not beside the watched files, so log writes wake no watcher
  std::unique_ptr<test::notify_socket> notify;
  int started = 0;

  explicit daemon_fixture(const std::string& rate = "100/s") {
    fs::create_directories(logs);
    current_logs = &logs;
    std::ofstream(config) << fmt::format(
        "version: 1\n"
        "calendar: calendar.yaml\n"
        "state_dir: {}\n"
        "catch_up: 3d\n"
        "delivery: {{timeout: 10s, attempts: 3, rate: {}}}\n"
        "channels:\n"
        "  hook: {{type: webhook, url: \"{}\"}}\n",
        state.string(), rate, sink.url("/hook"));
  }

  void write_calendar(const std::vector<post_spec>& posts) { replace_file(calendar, calendar_yaml(posts)); }

  test::notify_socket& with_notify() {
    notify = std::make_unique<test::notify_socket>(dir / "notify");
    return *notify;
  }

  /// Starts `herald run --config herald.yaml EXTRA…`; its stderr is
  /// logs/herald-N.err.
  test::herald_process start(std::vector<std::string> extra = {}, test::herald_process::environment env = {}) {
    std::vector<std::string> args{"run", "--config", config.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    if (notify) env.emplace_back("NOTIFY_SOCKET", notify->path().string());
    ++started;
    return test::herald_process::start(args, env, logs / fmt::format("herald-{}.out", started),
                                       logs / fmt::format("herald-{}.err", started));
  }

  ~daemon_fixture() { current_logs = nullptr; }
  daemon_fixture(const daemon_fixture&) = delete;
  daemon_fixture& operator=(const daemon_fixture&) = delete;

  fs::path journal() const { return state / "journal.db"; }
};

/// What a process that did not exit is doing: its program, state and
/// signal masks (/proc/PID/status), for a stop that timed out.
std::string process_state(pid_t pid) {
  std::string text = fmt::format("process {}: exe {}\n", pid, read_text(fmt::format("/proc/{}/cmdline", pid)));
  std::istringstream status(read_text(fmt::format("/proc/{}/status", pid)));
  for (std::string line; std::getline(status, line);)
    for (std::string_view field : {"Name:", "State:", "SigPnd:", "ShdPnd:", "SigBlk:", "SigIgn:", "SigCgt:"})
      if (line.starts_with(field)) text += line + "\n";
  return text + "wchan: " + read_text(fmt::format("/proc/{}/wchan", pid)) + "\n";
}

/// SIGTERM, then the exit within `limit`; fails the test when it does not
/// come.
test::process_exit stop(test::herald_process& herald, std::chrono::milliseconds limit = test::hang_limit) {
  herald.signal(SIGTERM);
  auto exit = herald.wait(limit);
  INFO(herald.err());
  INFO((exit ? std::string() : process_state(herald.pid())));
  REQUIRE(exit);
  return *exit;
}

bool names(std::string_view status, std::string_view event) { return status.find(event) != std::string_view::npos; }

}  // namespace

// --- 1. restart safety ------------------------------------------------------------

TEST_CASE("run: kill -9 during a burst, restart: every post arrives, at most the in-flight ones twice",
          "[daemon_process]") {
  // Given 20 posts due at once to a sink answering each after 250 ms (so at
  // most the posts in flight per channel are), herald is killed when the
  // sink has seen k of them.
  // Then a second herald finishes the job: every post arrived, none more
  // than twice, and only those the journal had in flight at the kill twice.
  constexpr int n = 20;
  int kill_at = GENERATE(1, n / 3, 2 * n / 3, n - 1);
  CAPTURE(kill_at);
  daemon_fixture f;
  auto& notify = f.with_notify();
  f.sink.set_fallback({200, {}, "ok", 250ms});
  auto posts = burst("burst", n, today() - date::days{1});
  f.write_calendar(posts);

  auto first = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));
  REQUIRE(f.sink.wait_for_requests(kill_at, 15s));
  CHECK(first.kill9().killed_by(SIGKILL));

  auto at_kill = journal_rows(f.journal());
  INFO("journal at the kill:\n" << describe(at_kill));
  std::set<std::string> in_flight;
  for (const auto& [key, e] : at_kill)
    if (e.state == post_state::in_flight) in_flight.insert(key);
  CHECK(in_flight.size() <= static_cast<std::size_t>(delivery_defaults::in_flight_per_channel));
  // A post is marked in flight before it is sent: whatever reached the sink
  // has a row that is in flight or sent.
  for (const auto& [key, count] : arrivals(f.sink)) {
    CAPTURE(key);
    REQUIRE(at_kill.contains(key));
    CHECK((at_kill[key].state == post_state::in_flight || at_kill[key].state == post_state::sent));
  }

  // Every post may have reached the sink before the kill: the second
  // herald's job is done when the journal has them all sent (the ones in
  // flight at the kill sent once more), not when the sink has seen each.
  // A SIGTERM before that starts no new post; one before herald's handler
  // is in place (READY) ends it by the default action.
  notify.skip_received();
  auto second = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));
  auto all_sent = [&] {
    auto rows = journal_rows(f.journal());
    return std::all_of(posts.begin(), posts.end(), [&](const post_spec& p) {
      return rows.contains(p.key()) && rows[p.key()].state == post_state::sent;
    });
  };
  REQUIRE(test::eventually(all_sent, 15s));
  CHECK(all_arrived(f.sink, posts));
  CHECK(stop(second).exited_with(0));

  auto counts = arrivals(f.sink);
  INFO("arrivals:\n" << describe(counts));
  int twice = 0;
  for (const auto& p : posts) {
    CAPTURE(p.key());
    CHECK(counts[p.key()] >= 1);
    CHECK(counts[p.key()] <= 2);
    if (counts[p.key()] == 2) {
      ++twice;
      CHECK(in_flight.contains(p.key()));
    }
  }
  CHECK(twice <= static_cast<int>(in_flight.size()));
  CHECK(counts.size() == posts.size());  // nothing else was sent

  auto rows = journal_rows(f.journal());
  INFO("journal at the end:\n" << describe(rows));
  for (const auto& p : posts) {
    CAPTURE(p.key());
    REQUIRE(rows.contains(p.key()));
    CHECK(rows[p.key()].state == post_state::sent);
  }
}

TEST_CASE("run: a burst of posts due at once to a prompt sink all go out exactly once", "[daemon_process]") {
  // Given 30 posts due yesterday and a sink that answers at once (and a
  // notify socket read as systemd reads it): each arrives once, the journal
  // has them all sent, and SIGTERM afterwards exits 0.
  daemon_fixture f;
  auto& notify = f.with_notify();
  auto posts = burst("prompt", 30, today() - date::days{1});
  f.write_calendar(posts);

  auto herald = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));
  REQUIRE(test::eventually([&] { return all_arrived(f.sink, posts); }, 15s));
  auto rows_sent = [&] {
    auto rows = journal_rows(f.journal());
    return std::all_of(posts.begin(), posts.end(), [&](const post_spec& p) {
      return rows.contains(p.key()) && rows[p.key()].state == post_state::sent;
    });
  };
  CHECK(test::eventually(rows_sent, 10s));
  CHECK(stop(herald).exited_with(0));
  auto counts = arrivals(f.sink);
  INFO("arrivals:\n" << describe(counts));
  CHECK(counts.size() == posts.size());
  for (const auto& p : posts) {
    CAPTURE(p.key());
    CHECK(counts[p.key()] == 1);
  }
}

// --- 2. catch-up --------------------------------------------------------------------

TEST_CASE("run: on start, posts due within catch_up go out and older ones are recorded missed", "[daemon_process]") {
  // Given catch_up 3d, two posts due 5 days ago, two due yesterday and one
  // tomorrow: only yesterday's reach the sink; the old ones are missed.
  daemon_fixture f;
  auto old_posts = burst("old", 2, today() - date::days{5});
  auto recent = burst("recent", 2, today() - date::days{1});
  post_spec future{"future", today() + date::days{1}};
  auto all = old_posts;
  all.insert(all.end(), recent.begin(), recent.end());
  all.push_back(future);
  f.write_calendar(all);

  auto herald = f.start();
  REQUIRE(f.sink.wait_for_requests(2, 10s));
  // Had herald meant to send an old post, its row could never become missed.
  auto settled = [&] {
    auto rows = journal_rows(f.journal());
    auto is = [&](const post_spec& p, post_state s) { return rows.contains(p.key()) && rows[p.key()].state == s; };
    return std::all_of(old_posts.begin(), old_posts.end(), [&](auto& p) { return is(p, post_state::missed); }) &&
           std::all_of(recent.begin(), recent.end(), [&](auto& p) { return is(p, post_state::sent); });
  };
  CHECK(test::eventually(settled, 10s));
  CHECK(stop(herald).exited_with(0));

  auto counts = arrivals(f.sink);
  INFO("arrivals:\n" << describe(counts));
  CHECK(counts == std::map<std::string, int>{{recent[0].key(), 1}, {recent[1].key(), 1}});
  auto rows = journal_rows(f.journal());
  INFO("journal:\n" << describe(rows));
  for (const auto& p : old_posts) {
    CAPTURE(p.key());
    REQUIRE(rows.contains(p.key()));
    CHECK(rows[p.key()].state == post_state::missed);
    CHECK(rows[p.key()].attempts == 0);
  }
  for (const auto& p : recent) {
    CAPTURE(p.key());
    REQUIRE(rows.contains(p.key()));
    CHECK(rows[p.key()].state == post_state::sent);
    CHECK(rows[p.key()].attempts == 1);
  }
  CHECK((!rows.contains(future.key()) || rows[future.key()].state == post_state::pending));

  // One line per happening, for people at a terminal: "<time>Z <level>: <message>".
  std::regex line_format(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (error|warning|notice|info|debug): .+)");
  auto err = herald.err();
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    CAPTURE(line);
    CHECK(std::regex_match(line, line_format));
  }
  CHECK(!lines_with(err, recent[0].key()).empty());
  CHECK(!lines_with(err, old_posts[0].key()).empty());  // a missed post is reported
}

TEST_CASE("run: when JOURNAL_STREAM names stderr, log lines carry <N> priority prefixes", "[daemon_process]") {
  daemon_fixture f;
  auto posts = burst("journal", 1, today() - date::days{1});
  f.write_calendar(posts);
  // The child opens logs/herald-1.err without replacing it, so its device
  // and inode are known before the start.
  auto err_file = f.logs / "herald-1.err";
  std::ofstream(err_file).close();
  struct stat st {};
  REQUIRE(::stat(err_file.c_str(), &st) == 0);
  auto herald = f.start({}, {{"JOURNAL_STREAM", fmt::format("{}:{}", st.st_dev, st.st_ino)}});
  REQUIRE(f.sink.wait_for_requests(1, 10s));
  REQUIRE(herald.wait_for_err(posts[0].key()));
  CHECK(stop(herald).exited_with(0));

  std::regex line_format(R"(<[0-7]>[^<].*)");
  auto err = herald.err();
  std::istringstream in(err);
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    CAPTURE(line);
    CHECK(std::regex_match(line, line_format));
  }
  CHECK(lines >= 1);
}

TEST_CASE("run: an invalid calendar at start is reported as FILE:LINE:COL with exit 2", "[daemon_process]") {
  daemon_fixture f;
  auto text = calendar_yaml(burst("typo", 1, today() - date::days{1}));
  auto at = text.find("message:");
  text.replace(at, 8, "mesage:");
  auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n') + 1;
  auto col = at - text.rfind('\n', at);
  replace_file(f.calendar, text);

  auto herald = f.start();
  auto exit = herald.wait(10s);
  REQUIRE(exit);
  CHECK(exit->exited_with(2));
  CHECK(!lines_with(herald.err(), fmt::format("calendar.yaml:{}:{}: error: unknown key 'mesage'", line, col)).empty());
  CHECK(f.sink.requests().empty());
}

// --- 3. reload ------------------------------------------------------------------------

TEST_CASE("run: calendar edits and SIGHUP reload the schedule, a broken edit keeps the old one", "[daemon_process]") {
  daemon_fixture f;
  auto& notify = f.with_notify();
  post_spec tomorrow{"future-talk", today() + date::days{1}};
  post_spec later{"later-talk", today() + date::days{2}};
  post_spec fresh{"fresh-news", today() - date::days{1}};
  post_spec fixed{"fixed-news", today() - date::days{1}, "13:00"};
  f.write_calendar({tomorrow, later});

  auto herald = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));
  CHECK(names(notify.status(), "future-talk"));

  // Given an editor's write-then-rename that drops tomorrow's event and adds
  // one due yesterday: the new post goes out without a restart, and the
  // status names the next post left (later-talk), not the removed one.
  f.write_calendar({fresh, later});
  REQUIRE(f.sink.wait_for_requests(1, 10s));
  CHECK(f.sink.requests().at(0).header("Idempotency-Key") == fresh.key());
  auto status = notify.wait_for([](std::string_view line) {
    return line.starts_with("STATUS=") && names(line, "later-talk") && !names(line, "future-talk");
  });
  CHECK(status);
  CHECK(!names(notify.status(), "future-talk"));

  // A broken edit: reported as FILE:LINE:COL, herald stays up.
  auto broken = calendar_yaml({fresh, later});
  auto at = broken.rfind("message:");
  broken.replace(at, 8, "mesage:");
  auto line = std::count(broken.begin(), broken.begin() + static_cast<std::ptrdiff_t>(at), '\n') + 1;
  auto col = at - broken.rfind('\n', at);
  auto error = fmt::format("calendar.yaml:{}:{}: error: unknown key 'mesage'", line, col);
  replace_file(f.calendar, broken);
  REQUIRE(herald.wait_for_err(error));
  CHECK(herald.running());

  // SIGHUP with the file still broken: RELOADING=1 with MONOTONIC_USEC
  // first, then READY=1; the error again; the old schedule still stands.
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  auto before_usec = static_cast<long long>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
  herald.signal(SIGHUP);
  // The edit itself may have caused a reload (with its own RELOADING=1):
  // the one for SIGHUP is the first stamped after the signal went.
  std::regex usec(R"((^|\n)MONOTONIC_USEC=(\d+)(\n|$))");
  auto reloading = notify.wait_for_datagram([&](std::string_view d) {
    std::cmatch m;
    if (d.find("RELOADING=1") == std::string_view::npos) return false;
    return !std::regex_search(d.begin(), d.end(), m, usec) || std::stoll(m[2]) >= before_usec;
  });
  REQUIRE(reloading);
  {
    // RELOADING=1 comes with MONOTONIC_USEC= (sd_notify(3)), stamped on the
    // monotonic clock between the signal and the datagram's arrival (a
    // bound of the test's own clock: a loaded machine may take any time).
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    auto arrived_usec = static_cast<long long>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
    std::smatch m;
    CAPTURE(*reloading);
    REQUIRE(std::regex_search(*reloading, m, usec));
    CHECK(std::stoll(m[2]) <= arrived_usec);
  }
  REQUIRE(notify.wait_for_line("READY=1"));
  CHECK(herald.wait_for_err_count(error, 2));
  CHECK(herald.running());
  CHECK(names(notify.status(), "later-talk"));

  // Fixed, with one more event due yesterday: it goes out; fresh-news is
  // not sent again.
  f.write_calendar({fresh, fixed, later});
  REQUIRE(f.sink.wait_for_requests(2, 10s));
  CHECK(stop(herald).exited_with(0));
  auto counts = arrivals(f.sink);
  INFO("arrivals:\n" << describe(counts));
  CHECK(counts == std::map<std::string, int>{{fresh.key(), 1}, {fixed.key(), 1}});
  auto rows = journal_rows(f.journal());
  INFO("journal:\n" << describe(rows));
  CHECK(rows[fresh.key()].state == post_state::sent);
  CHECK(rows[fixed.key()].state == post_state::sent);
  CHECK((!rows.contains(tomorrow.key()) || rows[tomorrow.key()].state != post_state::sent));
}

// --- 4. notify and graceful stop -----------------------------------------------------

TEST_CASE("run: READY=1 with a STATUS= after start, STOPPING=1 and exit 0 on SIGTERM", "[daemon_process]") {
  daemon_fixture f;
  auto& notify = f.with_notify();
  post_spec next{"next-event", today() + date::days{3}};
  f.write_calendar({next, {"after-event", today() + date::days{4}}});

  auto herald = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));
  CHECK(!notify.status().empty());
  CHECK(names(notify.status(), "next-event"));
  CHECK(herald.running());

  herald.signal(SIGTERM);
  CHECK(notify.wait_for_line("STOPPING=1"));
  auto exit = herald.wait(test::hang_limit);
  REQUIRE(exit);
  CHECK(exit->exited_with(0));
  CHECK(f.sink.requests().empty());
}

TEST_CASE("run: SIGTERM while a post is in flight waits for its answer, records it sent, exits 0", "[daemon_process]") {
  daemon_fixture f;
  auto& notify = f.with_notify();
  f.sink.set_fallback({200, {}, "ok", 2s});
  auto posts = burst("slow", 1, today() - date::days{1});
  f.write_calendar(posts);

  auto herald = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));
  REQUIRE(f.sink.wait_for_requests(1, 10s));
  auto arrived = std::chrono::steady_clock::now();
  herald.signal(SIGTERM);
  CHECK(notify.wait_for_line("STOPPING=1"));
  auto exit = herald.wait(test::hang_limit);
  auto took = std::chrono::steady_clock::now() - arrived;
  REQUIRE(exit);
  CHECK(exit->exited_with(0));
  CHECK(took >= 1900ms);  // it waited for the answer, which comes 2 s after the request
  // and stopped on it, not when the 10 s drain limit passed (which says so)
  CHECK(herald.err().find("still in flight after") == std::string::npos);
  CHECK(f.sink.requests().size() == 1);

  auto rows = journal_rows(f.journal());
  INFO("journal:\n" << describe(rows));
  REQUIRE(rows.contains(posts[0].key()));
  CHECK(rows[posts[0].key()].state == post_state::sent);
  CHECK(rows[posts[0].key()].attempts == 1);
}

TEST_CASE("run: WATCHDOG=1 keeps coming when WATCHDOG_USEC is set", "[daemon_process]") {
  daemon_fixture f;
  auto& notify = f.with_notify();
  f.write_calendar({{"far-event", today() + date::days{5}}});

  auto herald = f.start({}, {{"WATCHDOG_USEC", "400000"}});
  REQUIRE(notify.wait_for_line("READY=1"));
  // 400 ms: a ping every 200 ms (half of it, service_notifier_test), so
  // three pings; 10 s each only bounds a hang (one ping at the start and no
  // more would fail).
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(notify.wait_for_line("WATCHDOG=1", 10s));
  }
  CHECK(stop(herald).exited_with(0));
}

// --- 5. the state_dir lock --------------------------------------------------------------

TEST_CASE("run: a second herald on the same state_dir exits 1 while the first runs", "[daemon_process]") {
  daemon_fixture f;
  auto& notify = f.with_notify();
  f.write_calendar({{"lock-event", today() + date::days{2}}});

  auto first = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));

  f.notify.reset();  // the second one gets no NOTIFY_SOCKET
  auto second = f.start();
  auto exit = second.wait(10s);
  REQUIRE(exit);
  CHECK(exit->exited_with(1));
  CHECK(second.err().find(f.state.string()) != std::string::npos);  // the message names the state dir
  CHECK(first.running());
  CHECK(stop(first).exited_with(0));
}

TEST_CASE("run: deleting herald.lock does not let a second herald share the journal", "[daemon_process]") {
  // herald used to lock state_dir/herald.lock: once that file was deleted,
  // a second herald locked a new one and ran on the same journal.
  daemon_fixture f;
  auto& notify = f.with_notify();
  f.write_calendar({{"lock-event", today() + date::days{2}}});
  auto first = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));
  std::error_code ignored;
  fs::remove(f.state / "herald.lock", ignored);

  f.notify.reset();
  auto second = f.start();
  auto exit = second.wait(10s);
  REQUIRE(exit);
  CHECK(exit->exited_with(1));
  CHECK(second.err().find("another herald is running") != std::string::npos);
  CHECK(stop(first).exited_with(0));
}

// --- 6. --dry-run -----------------------------------------------------------------------

TEST_CASE("run --dry-run: contacts no channel and leaves the journal as it was", "[daemon_process]") {
  // Given two posts due yesterday, and (or not) a journal from earlier runs
  // in which the second was sent: the dry run says it would send the first
  // (and the second only when no journal says it went), contacts nobody, and
  // the journal stays as it was (or absent).
  bool earlier_journal = GENERATE(true, false);
  CAPTURE(earlier_journal);
  daemon_fixture f;
  auto posts = burst("dry", 2, today() - date::days{1});
  f.write_calendar(posts);
  std::map<std::string, journal_entry> before;
  if (earlier_journal) {
    fs::create_directories(f.state);
    auto opened = sqlite_journal::open(f.journal());
    REQUIRE(opened.ok());
    auto& j = *opened.value();
    auto day = date::sys_days{today() - date::days{1}};
    auto due = day + std::chrono::hours{12};
    REQUIRE(j.begin_attempt(posts[1].key(), due, "hook", posts[1].id, due).ok());
    REQUIRE(j.record_sent(posts[1].key(), due + std::chrono::seconds{1}).ok());
    auto old_day = day - date::days{20};
    REQUIRE(j.record_missed("earlier/" + iso(old_day) + "/0d/hook", old_day + std::chrono::hours{12}, "hook", "earlier",
                            old_day + std::chrono::hours{13})
                .ok());
    opened.value().reset();
    before = journal_rows(f.journal());
    REQUIRE(before.size() == 2);
  }

  auto herald = f.start({"--dry-run"});
  // It says what it would have sent, one line per post.
  CHECK(herald.wait_for_err(posts[0].key()));
  if (!earlier_journal) CHECK(herald.wait_for_err(posts[1].key()));
  CHECK(stop(herald).exited_with(0));
  CHECK(f.sink.requests().empty());
  if (earlier_journal) {
    for (const auto& line : lines_with(herald.err(), posts[1].key())) {
      CAPTURE(line);
      CHECK(line.find("send") == std::string::npos);  // it knows the post went
    }
    CHECK(journal_rows(f.journal()) == before);
  } else {
    CHECK((!fs::exists(f.journal()) || journal_rows(f.journal()).empty()));
  }
}

TEST_CASE("run --dry-run: runs without the secrets it cannot read, naming each, and prints none",
          "[daemon_process][dry_run]") {
  // Given a config whose slack channel takes its url from an unset variable,
  // a teams channel from a credential with no $CREDENTIALS_DIRECTORY, and a
  // webhook whose header is a secret that is set; and no state directory.
  // Then the dry run starts, warns once per unread secret naming the channel
  // and where it was expected, does not warn that it cannot watch the state
  // directory it has no journal in, prints no secret value, and stops with 0.
  daemon_fixture f;
  const std::string secret_value = "header-secret-f00d";
  std::ofstream(f.config) << fmt::format(
      "version: 1\n"
      "calendar: calendar.yaml\n"
      "state_dir: {}\n"
      "catch_up: 3d\n"
      "channels:\n"
      "  hook: {{type: webhook, url: \"{}\", headers: {{X-Token: {{env: HERALD_TEST_TOKEN}}}}}}\n"
      "  slack: {{type: slack, url: {{env: HERALD_TEST_UNSET_SLACK_URL}}}}\n"
      "  teams: {{type: teams, url: {{credential: teams-url}}}}\n",
      f.state.string(), f.sink.url("/hook"));
  auto posts = burst("dry", 1, today() - date::days{1});
  f.write_calendar(posts);
  auto herald = f.start({"--dry-run"}, {{"HERALD_TEST_TOKEN", secret_value}});
  REQUIRE(herald.wait_for_err(posts[0].key()));
  CHECK(stop(herald).exited_with(0));
  auto err = herald.err();
  CHECK(f.sink.requests().empty());
  CHECK(lines_with(err, "warning").size() >= 2);
  auto slack = lines_with(err, "channel 'slack': url: environment variable HERALD_TEST_UNSET_SLACK_URL is not set");
  CHECK(slack.size() == 1);
  auto teams = lines_with(err, "channel 'teams': url: credential teams-url needs $CREDENTIALS_DIRECTORY");
  CHECK(teams.size() == 1);
  for (const auto& line : lines_with(err, "channel '")) CHECK(line.find("error") == std::string::npos);
  CHECK(lines_with(err, "cannot watch").empty());
  CHECK(err.find(secret_value) == std::string::npos);
  CHECK(herald.out().find(secret_value) == std::string::npos);
}

TEST_CASE("run --dry-run: an SMTP server with a password in it is refused, and not printed",
          "[daemon_process][dry_run][secrets]") {
  // Given an email channel whose server holds user:password and a post due
  // to it: the dry run, which would log "would send … (SERVER)", refuses the
  // config as validate does (exit 2) and prints no part of the password.
  daemon_fixture f;
  std::ofstream(f.config) << fmt::format(
      "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\nchannels:\n"
      "  hook: {{type: email, server: \"smtp://user:SECRET@127.0.0.1:1\", from: herald@example.org, "
      "to: [members@example.org]}}\n",
      f.state.string());
  f.write_calendar(burst("dry", 1, today() - date::days{1}));
  auto herald = f.start({"--dry-run"});
  auto exit = herald.wait(test::hang_limit);
  REQUIRE(exit);
  CHECK(exit->exited_with(2));
  INFO(herald.err());
  CHECK(herald.err().find("the SMTP server holds a user name or password") != std::string::npos);
  CHECK(herald.err().find("SECRET") == std::string::npos);
  CHECK(herald.out().find("SECRET") == std::string::npos);
}

TEST_CASE("run --dry-run: a reload does not repeat the warning of a secret it already named",
          "[daemon_process][dry_run]") {
  // Given a dry run warned that slack's url cannot be read, when SIGHUP
  // reloads, an edit adds a teams channel whose url cannot be read either,
  // and SIGHUP reloads again: slack's warning is said once, teams' once.
  daemon_fixture f;
  auto config = [&](bool with_teams) {
    return fmt::format(
        "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\n"
        "channels:\n  hook: {{type: webhook, url: \"{}\"}}\n"
        "  slack: {{type: slack, url: {{env: HERALD_TEST_UNSET_SLACK_URL}}}}\n{}",
        f.state.string(), f.sink.url("/hook"),
        with_teams ? "  teams: {type: teams, url: {credential: teams-url}}\n" : "");
  };
  std::ofstream(f.config) << config(false);
  f.write_calendar(burst("dry", 1, today() + date::days{1}));
  auto herald = f.start({"--dry-run"});
  const std::string slack = "channel 'slack': url: environment variable HERALD_TEST_UNSET_SLACK_URL is not set";
  const std::string teams = "channel 'teams': url: credential teams-url needs $CREDENTIALS_DIRECTORY";
  REQUIRE(herald.wait_for_err(slack));
  herald.signal(SIGHUP);
  REQUIRE(herald.wait_for_err("reloaded (SIGHUP)"));
  replace_file(f.config, config(true));
  REQUIRE(herald.wait_for_err(teams));
  herald.signal(SIGHUP);
  REQUIRE(herald.wait_for_err_count("reloaded (SIGHUP)", 2));
  CHECK(stop(herald).exited_with(0));
  auto err = herald.err();
  INFO(err);
  CHECK(lines_with(err, slack).size() == 1);
  CHECK(lines_with(err, teams).size() == 1);
  CHECK(f.sink.requests().empty());
}

TEST_CASE("run: without --dry-run, a secret that cannot be read stops the start with 1", "[daemon_process][dry_run]") {
  daemon_fixture f;
  std::ofstream(f.config) << fmt::format(
      "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\n"
      "channels:\n  hook: {{type: webhook, url: \"{}\"}}\n"
      "  slack: {{type: slack, url: {{env: HERALD_TEST_UNSET_SLACK_URL}}}}\n",
      f.state.string(), f.sink.url("/hook"));
  f.write_calendar(burst("real", 1, today() + date::days{1}));
  auto herald = f.start();
  auto exit = herald.wait(10s);
  REQUIRE(exit);
  CHECK(exit->exited_with(1));
  CHECK(herald.err().find("channel 'slack': url: environment variable HERALD_TEST_UNSET_SLACK_URL is not set") !=
        std::string::npos);
}

namespace {

/// A pseudo-terminal: the test reads the master; the child's stdout opens
/// the slave by its path.
struct pseudo_terminal {
  int master = -1;
  fs::path slave;

  pseudo_terminal() {
    master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    slave = ::ptsname(master);
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  }
  ~pseudo_terminal() { ::close(master); }
  pseudo_terminal(const pseudo_terminal&) = delete;
  pseudo_terminal& operator=(const pseudo_terminal&) = delete;

  /// Reads what is there until `text` was seen; false after 10 s.
  bool wait_for(std::string_view text) {
    return test::eventually(
        [&] {
          char buffer[4096];
          for (ssize_t n; (n = ::read(master, buffer, sizeof buffer)) > 0;) seen.append(buffer, std::size_t(n));
          return seen.find(text) != std::string::npos;
        },
        10s);
  }
  std::string seen;
};

}  // namespace

TEST_CASE("run: the console channel prints lines for a person on a terminal, JSON lines otherwise",
          "[daemon_process][console]") {
  // Given a console channel and a post due yesterday (inside catch_up):
  // with stdout a terminal it prints "HH:MM [out] title — text"; with stdout
  // a file, the JSON line scripts read.
  daemon_fixture f;
  std::ofstream(f.config) << fmt::format(
      "version: 1\ncalendar: calendar.yaml\nstate_dir: {}\ncatch_up: 3d\n"
      "channels:\n  hook: {{type: console}}\n",
      f.state.string());
  auto posts = burst("tty", 1, today() - date::days{1});
  f.write_calendar(posts);
  SECTION("a terminal") {
    pseudo_terminal tty;
    ++f.started;
    auto herald = test::herald_process::start({"run", "--config", f.config.string()}, {{"NO_COLOR", "1"}}, tty.slave,
                                              f.logs / "herald-tty.err");
    CHECK(tty.wait_for(" [hook] Event tty01 \u2014 Event tty01 is on "));
    CHECK(stop(herald).exited_with(0));
    CHECK(tty.seen.find("{\"key\"") == std::string::npos);
    CHECK(tty.seen.find("\x1b[") == std::string::npos);  // NO_COLOR
  }
  SECTION("a file") {
    auto herald = f.start();
    CHECK(test::eventually([&] { return herald.out().find(posts[0].key()) != std::string::npos; }, 10s));
    CHECK(stop(herald).exited_with(0));
    CHECK(herald.out().rfind("{\"key\":\"" + posts[0].key() + "\"", 0) == 0);
  }
}

TEST_CASE("run: a calendar that is a symlink reloads when its target changes and when the link is repointed",
          "[daemon_process][symlink]") {
  // Given calendar.yaml -> releases/v1/calendar.yaml, as a deployment links
  // its current release: writing the target reloads; `ln -sfn` to v2
  // reloads; then writing v2 reloads, and each reload plans the new posts.
  daemon_fixture f;
  fs::create_directories(f.dir / "releases" / "v1");
  fs::create_directories(f.dir / "releases" / "v2");
  post_spec first{"first-release", today() + date::days{1}};
  post_spec second{"second-release", today() + date::days{1}};
  post_spec edited{"edited-release", today() + date::days{1}};
  replace_file(f.dir / "releases" / "v1" / "calendar.yaml", calendar_yaml({first}));
  replace_file(f.dir / "releases" / "v2" / "calendar.yaml", calendar_yaml({second}));
  fs::create_symlink("releases/v1/calendar.yaml", f.calendar);
  auto& notify = f.with_notify();
  auto herald = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));
  CHECK(names(notify.status(), "first-release"));

  replace_file(f.dir / "releases" / "v1" / "calendar.yaml", calendar_yaml({edited}));
  CHECK(herald.wait_for_err("reloaded (a watched file changed)"));
  CHECK(notify.wait_for(
      [](std::string_view line) { return line.starts_with("STATUS=") && names(line, "edited-release"); }));

  fs::create_symlink("releases/v2/calendar.yaml", f.dir / ".calendar.yaml.new");
  fs::rename(f.dir / ".calendar.yaml.new", f.calendar);
  CHECK(herald.wait_for_err_count("reloaded (a watched file changed)", 2));
  CHECK(notify.wait_for(
      [](std::string_view line) { return line.starts_with("STATUS=") && names(line, "second-release"); }));

  replace_file(f.dir / "releases" / "v2" / "calendar.yaml", calendar_yaml({first}));
  CHECK(herald.wait_for_err_count("reloaded (a watched file changed)", 3));
  CHECK(notify.wait_for(
      [](std::string_view line) { return line.starts_with("STATUS=") && names(line, "first-release"); }));
  CHECK(stop(herald).exited_with(0));
}

TEST_CASE("run: refuses every config validate refuses, with the same errors and exit 2", "[daemon_process][corpus]") {
  // Given each broken config of the corpus (tests/data/bad_configs: http.listen
  // without a host or a port, a bad rate, tls: none to a remote server…),
  // then `herald run` exits 2 and its log names each error validate prints,
  // at the same line and column.
  fs::path source(HERALD_SOURCE_DIR);
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(source / "tests" / "data" / "bad_configs")) {
    auto expected_file = fs::path(entry.path()).replace_extension(".expected");
    if (entry.path().extension() != ".yaml" || !fs::exists(expected_file)) continue;
    ++cases;
    auto relative = "tests/data/bad_configs/" + entry.path().filename().string();
    CAPTURE(relative);
    auto run = test::run_shell("cd '" + source.string() + "' && timeout 20 '" HERALD_BINARY "' run --config '" +
                               relative + "' 2>&1 >/dev/null");
    INFO(run.out);
    CHECK(run.status == 2);
    // No secret of the corpus (each holds the word SECRET) reaches the log.
    CHECK(run.out.find("SECRET") == std::string::npos);
    auto expected = read_text(expected_file);
    for (const auto& line : lines_with(expected, ": error: ")) {
      if (!line.starts_with(relative + ":")) continue;  // a quoted line of the file, not a diagnostic
      CAPTURE(line);
      CHECK(run.out.find(line) != std::string::npos);
    }
  }
  CHECK(cases >= 20);
}

// --- after a crash, and a reload that failed (the review of the loop) ---------------

namespace {

/// Rewrites the fixture's config with another catch_up.
void set_catch_up(daemon_fixture& f, std::string_view catch_up) {
  auto text = read_text(f.config);
  text.replace(text.find("catch_up: 3d"), std::string_view("catch_up: 3d").size(),
               fmt::format("catch_up: {}", catch_up));
  replace_file(f.config, text);
}

/// A journal row left in flight at `when`, as a crash at that instant leaves it.
void crashed_in_flight(daemon_fixture& f, const post_spec& post, date::sys_seconds due, date::sys_seconds when) {
  fs::create_directories(f.state);
  auto opened = sqlite_journal::open(f.journal());
  REQUIRE(opened.ok());
  REQUIRE(opened.value()->begin_attempt(post.key(), due, "hook", post.id, when).ok());
}

date::sys_seconds noon(date::sys_days day) { return day + std::chrono::hours{12}; }

/// Starts herald, waits for READY=1 (its start-up decisions are made), stops
/// it cleanly, and returns the journal's rows.
std::map<std::string, journal_entry> start_until_ready_and_stop(daemon_fixture& f) {
  auto& notify = f.with_notify();
  auto herald = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));
  CHECK(stop(herald).exited_with(0));
  return journal_rows(f.journal());
}

}  // namespace

TEST_CASE("run: after a crash, posts that came due while herald was down are recorded missed", "[daemon_process]") {
  // Given a journal whose last change is a post left in flight 3 days ago
  // (herald died then) and a post due 2 days ago, with catch_up 1h: the
  // start looks back to that last change, so the post due meanwhile is
  // recorded missed (not silently skipped), and nothing is sent.
  daemon_fixture f;
  set_catch_up(f, "1h");
  post_spec crashed{"crashed", today() - date::days{3}};
  post_spec meanwhile{"meanwhile", today() - date::days{2}};
  f.write_calendar({crashed, meanwhile});
  crashed_in_flight(f, crashed, noon(crashed.day), noon(crashed.day));
  auto rows = start_until_ready_and_stop(f);
  INFO(describe(rows));
  REQUIRE(rows.contains(meanwhile.key()));
  CHECK(rows[meanwhile.key()].state == post_state::missed);
  CHECK(rows[meanwhile.key()].attempts == 0);
  CHECK(f.sink.requests().empty());
}

TEST_CASE("run: a post left in flight that is due beyond the plan's reach is kept, not given up", "[daemon_process]") {
  // Given a row left in flight for a post due in 40 days (a clock far behind
  // when it was begun), still in the calendar: the start reopens it as
  // pending and keeps it for when it is planned; it is not failed.
  daemon_fixture f;
  post_spec later{"later", today() + date::days{40}};
  f.write_calendar({later});
  crashed_in_flight(f, later, noon(later.day), noon(today() - date::days{1}));
  auto rows = start_until_ready_and_stop(f);
  INFO(describe(rows));
  REQUIRE(rows.contains(later.key()));
  CHECK(rows[later.key()].state == post_state::pending);
  CHECK(rows[later.key()].interrupted == 1);
  CHECK(f.sink.requests().empty());
}

TEST_CASE("run: a reload that failed on a newly named calendar reloads when that calendar is fixed",
          "[daemon_process]") {
  // Given a running herald, its config edited to name a second calendar
  // that is broken: the reload fails and the old schedule stays. Fixing
  // only that second file (an editor's write and rename) reloads, and its
  // post goes out.
  daemon_fixture f;
  f.write_calendar({{"first", today() + date::days{3}}});
  auto& notify = f.with_notify();
  auto herald = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));

  auto second = f.dir / "second.yaml";
  replace_file(second, "version: 1\ntimezone: UTC\nevents: [ {id: broken\n");
  auto config = read_text(f.config);
  config.replace(config.find("calendar: calendar.yaml"), std::string_view("calendar: calendar.yaml").size(),
                 "calendar: [calendar.yaml, second.yaml]");
  replace_file(f.config, config);
  REQUIRE(herald.wait_for_err("failed, the old schedule keeps running"));

  post_spec added{"added", today() - date::days{1}};
  replace_file(second, calendar_yaml({added}));
  REQUIRE(f.sink.wait_for_requests(1, 10s));
  CHECK(f.sink.requests().front().header("Idempotency-Key") == added.key());
  CHECK(stop(herald).exited_with(0));
}

TEST_CASE("run: a reload that failed on a line holding a secret does not log the secret", "[daemon_process]") {
  // Given a running herald whose config gains a channel with a literal
  // Slack URL that breaks the YAML (an unquoted ': ' in it), then the reload
  // fails and its log line shows neither the URL's path nor the line
  // (docs/cli.md "The config file").
  daemon_fixture f;
  f.write_calendar({{"first", today() + date::days{3}}});
  auto& notify = f.with_notify();
  auto herald = f.start();
  REQUIRE(notify.wait_for_line("READY=1"));

  auto config = read_text(f.config);
  config += "  leak:\n    type: slack\n    url: https://hooks.slack.com/services/T000/B000/SECRET: x\n";
  replace_file(f.config, config);
  REQUIRE(herald.wait_for_err("failed, the old schedule keeps running"));
  CHECK(herald.err().find("holds ': '") != std::string::npos);
  CHECK(herald.err().find("SECRET") == std::string::npos);
  CHECK(stop(herald).exited_with(0));
}
