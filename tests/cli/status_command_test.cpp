// herald status, run in-process at a fixed "now" on a config, a calendar and
// a journal written through sqlite_journal, as the daemon writes it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <date/date.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>
#include <boost/json.hpp>

#include "daemon/health_file.hpp"
#include "journal/sqlite_journal.hpp"
#include "support/temp_dir.hpp"
#include "test_support.hpp"

using namespace herald;
namespace fs = std::filesystem;
namespace json = boost::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

// Tuesday 22 June 2027, 12:00 UTC (13:00 BST): Windrush Day; INWED tomorrow.
const date::sys_seconds now = date::sys_days{date::year{2027} / 6 / 22} + hours{12};

date::sys_seconds utc(int y, unsigned m, unsigned d, int h, int min, int s = 0) {
  return date::sys_days{date::year{y} / m / d} + hours{h} + minutes{min} + seconds{s};
}

const char* calendar_yaml = R"(version: 1
timezone: Europe/London
defaults: {time: "09:30", channels: [staff]}
events:
  - id: inwed
    title: International Women in Engineering Day
    every: June 23
    steps:
      - {at: -1d, channels: [team], message: "Tomorrow is {{title}}."}
      - {at: 0, message: "Today is {{title}}!"}
      - {at: end+1d, message: "Thank you to everyone who joined {{title}}."}
  - id: windrush-day
    title: Windrush Day
    every: June 22
    steps: [{at: 0, message: "Today is {{title}}."}]
)";

// The Slack URL is a literal secret: status must never print it.
const char* channels_yaml = R"(channels:
  staff: { type: slack, url: "https://hooks.slack.com/services/T000/B000/SECRETxyz" }
  team: { type: console }
)";

struct fixture {
  test::temp_dir dir{"herald-status"};
  std::string state_directory;  ///< $STATE_DIRECTORY; "" for unset

  explicit fixture(const std::string& settings = "state_dir: state\n") {
    std::ofstream(dir / "calendar.yaml") << calendar_yaml;
    std::ofstream(dir / "herald.yaml") << "version: 1\ncalendar: calendar.yaml\n" << settings << channels_yaml;
  }

  fs::path journal_file() const { return dir / "state" / "journal.db"; }

  std::unique_ptr<sqlite_journal> open_journal() const {
    fs::create_directories(journal_file().parent_path());
    auto opened = sqlite_journal::open(journal_file());
    INFO((opened.ok() ? "" : opened.error()));
    REQUIRE(opened.ok());
    return std::move(opened.value());
  }

  test::cli_result status(std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"status", "--config", (dir / "herald.yaml").string()});
    return test::run_herald(std::move(args), std::chrono::system_clock::time_point{now},
                            [this](const char* name) -> const char* {
                              if (std::string_view(name) == "STATE_DIRECTORY" && !state_directory.empty())
                                return state_directory.c_str();
                              return nullptr;
                            });
  }
};

template <class T>
T ok(result<T> result) {
  INFO((result.ok() ? "" : result.error()));
  REQUIRE(result.ok());
  return std::move(result.value());
}

// The journal a running daemon would have at `now`, one row per state.
void fill(journal& j) {
  // Windrush Day's post failed twice with 503 and waits for its third try.
  const std::string windrush = "windrush-day/2027-06-22/0d/staff";
  (void)ok(j.begin_attempt(windrush, utc(2027, 6, 22, 8, 30), "staff", "windrush-day", utc(2027, 6, 22, 8, 30)));
  (void)ok(j.record_retry(windrush, utc(2027, 6, 22, 8, 31), utc(2027, 6, 22, 11, 0), "HTTP 503: busy"));
  (void)ok(j.begin_attempt(windrush, utc(2027, 6, 22, 8, 30), "staff", "windrush-day", utc(2027, 6, 22, 11, 0)));
  (void)ok(j.record_retry(windrush, utc(2027, 6, 22, 11, 1), utc(2027, 6, 22, 12, 5), "HTTP 503: busy"));
  // Last year's posts: one sent, one failed (the service's answer holds a
  // line break and a terminal escape), one missed.
  (void)ok(
      j.begin_attempt("inwed/2026-06-23/-1d/team", utc(2026, 6, 22, 8, 30), "team", "inwed", utc(2026, 6, 22, 8, 30)));
  (void)ok(j.record_sent("inwed/2026-06-23/-1d/team", utc(2026, 6, 22, 8, 30, 2)));
  (void)ok(
      j.begin_attempt("inwed/2026-06-23/0d/staff", utc(2026, 6, 23, 8, 30), "staff", "inwed", utc(2026, 6, 23, 8, 30)));
  (void)ok(j.record_failed("inwed/2026-06-23/0d/staff", utc(2026, 6, 23, 8, 30, 1),
                           "HTTP 404: channel_not_found\n\x1b[2Jgotcha"));
  (void)ok(j.record_missed("inwed/2026-06-23/end+1d/staff", utc(2026, 6, 24, 8, 30), "staff", "inwed",
                           utc(2026, 6, 25, 9, 0)));
  // Tomorrow's post is already final in the journal (sent), so it is not next.
  (void)ok(j.begin_attempt("inwed/2027-06-23/0d/staff", utc(2027, 6, 23, 8, 30), "staff", "inwed",
                           utc(2027, 6, 22, 11, 30)));
  (void)ok(j.record_sent("inwed/2027-06-23/0d/staff", utc(2027, 6, 22, 11, 30, 1)));
}

// The part of the text report under `heading` (up to the next blank line).
std::string section(const std::string& text, const std::string& heading) {
  auto start = text.find("\n" + heading + "\n");
  if (start == std::string::npos) return "(no section " + heading + ")";
  start += heading.size() + 2;
  return text.substr(start, text.find("\n\n", start) - start + 1);
}

std::vector<std::string> keys(const json::value& rows) {
  std::vector<std::string> found;
  for (const auto& row : rows.as_array()) found.emplace_back(row.at("key").as_string());
  return found;
}

}  // namespace

TEST_CASE("status: with a daemon's journal, the text report shows each list", "[status]") {
  // Given a journal held open by its writer (as while herald run runs), then
  // status reads it and reports next posts, overdue, pending, recent,
  // failed and missed posts, with local times, offsets and relative times.
  fixture f;
  auto daemon = f.open_journal();
  fill(*daemon);

  auto r = f.status();
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("  journal:  " + f.journal_file().string() + "\n") != std::string::npos);
  CHECK(r.out.find("  posts:    2 sent, 1 failed, 1 missed, 1 pending, 0 in flight\n") != std::string::npos);
  CHECK(r.out.find("  changed:  Tue 22 Jun 2027 12:30 BST +01:00, 29min ago\n") != std::string::npos);
  CHECK(r.out.find("  now:      Tue 22 Jun 2027 13:00 BST +01:00\n") != std::string::npos);

  auto next = section(r.out, "Next posts");
  CHECK(next.rfind("  Thu 24 Jun 2027 09:30 BST +01:00  in 1 day 20h      inwed/2027-06-23/end+1d/staff  International "
                   "Women in Engineering Day\n",
                   0) == 0);
  CHECK(next.find("inwed/2027-06-23/0d/staff") == std::string::npos);  // sent already
  CHECK(next.find("inwed/2028-06-23/-1d/team") != std::string::npos);  // a year ahead is in reach

  CHECK(section(r.out, "Overdue: due, not sent yet (herald run sends them within catch_up, 12h)") ==
        "  Tue 22 Jun 2027 09:30 BST +01:00  3h 30min ago      inwed/2027-06-23/-1d/team  International Women in "
        "Engineering Day\n");
  CHECK(section(r.out, "Pending") ==
        "  windrush-day/2027-06-22/0d/staff  pending  Windrush Day\n"
        "    due Tue 22 Jun 2027 09:30 BST +01:00, 3h 30min ago; 2 of 8 attempts used; next try in 5min\n"
        "    last error: HTTP 503: busy\n");
  CHECK(section(r.out, "Recent") ==
        "  Tue 22 Jun 2027 12:30 BST +01:00  29min ago         sent       inwed/2027-06-23/0d/staff  International "
        "Women in Engineering Day\n"
        "  Tue 22 Jun 2027 12:01 BST +01:00  59min ago         pending    windrush-day/2027-06-22/0d/staff  Windrush "
        "Day\n"
        "  Thu 25 Jun 2026 10:00 BST +01:00  362 days ago      missed     inwed/2026-06-23/end+1d/staff  International "
        "Women in Engineering Day\n"
        "  Tue 23 Jun 2026 09:30 BST +01:00  364 days ago      failed     inwed/2026-06-23/0d/staff  International "
        "Women in Engineering Day\n"
        "  Mon 22 Jun 2026 09:30 BST +01:00  365 days ago      sent       inwed/2026-06-23/-1d/team  International "
        "Women in Engineering Day\n");
  CHECK(section(r.out, "Failed") ==
        "  Tue 23 Jun 2026 09:30 BST +01:00  inwed/2026-06-23/0d/staff  International Women in Engineering Day\n"
        "    failed 364 days ago after 1 attempt: HTTP 404: channel_not_found \\x1b[2Jgotcha\n");
  CHECK(section(r.out, "Missed") ==
        "  Wed 24 Jun 2026 09:30 BST +01:00  inwed/2026-06-23/end+1d/staff  International Women in Engineering Day  "
        "(recorded 362 days ago)\n");
  CHECK(r.out.find('\x1b') == std::string::npos);  // no colour off a terminal, no escape from a service
  CHECK(r.out.find("SECRET") == std::string::npos);
}

TEST_CASE("status: --format json is one document with the same rows", "[status]") {
  fixture f;
  auto daemon = f.open_journal();
  fill(*daemon);

  auto r = f.status({"--format", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  json::value doc = json::parse(r.out);  // throws unless it is exactly one JSON value
  CHECK(doc.at("now") == "2027-06-22T12:00:00Z");
  CHECK(doc.at("config") == json::value((f.dir / "herald.yaml").string()));
  const auto& journal = doc.at("journal");
  CHECK(journal.at("path") == json::value(f.journal_file().string()));
  CHECK(journal.at("exists") == true);
  CHECK(journal.at("counts") ==
        json::parse(R"({"pending":1,"in_flight":0,"sent":2,"failed":1,"missed":1,"skipped":0,"unconfirmed":0})"));
  CHECK(journal.at("last_change") == "2027-06-22T11:30:01Z");

  const auto& next = doc.at("next").as_array();
  REQUIRE(next.size() >= 2);
  CHECK(
      next[0] ==
      json::parse(
          R"({"key":"inwed/2027-06-23/end+1d/staff","event":"inwed","title":"International Women in Engineering Day","channel":"staff",
    "due":"2027-06-24T09:30:00+01:00","due_utc":"2027-06-24T08:30:00Z","state":"planned","attempts":0,
    "last_error":null,"next_try":null,"sent_at":null,"updated_at":null,"replica":""})"));
  CHECK(next[1].at("key") == "inwed/2028-06-23/-1d/team");
  CHECK(keys(doc.at("overdue")) == std::vector<std::string>{"inwed/2027-06-23/-1d/team"});

  CHECK(doc.at("pending") ==
        json::parse(R"([{"key":"windrush-day/2027-06-22/0d/staff","event":"windrush-day","title":"Windrush Day",
    "channel":"staff","due":"2027-06-22T09:30:00+01:00","due_utc":"2027-06-22T08:30:00Z","state":"pending",
    "attempts":2,"last_error":"HTTP 503: busy","next_try":"2027-06-22T12:05:00Z","sent_at":null,
    "updated_at":"2027-06-22T11:01:00Z","replica":""}])"));
  CHECK(keys(doc.at("recent")) == std::vector<std::string>{"inwed/2027-06-23/0d/staff",
                                                           "windrush-day/2027-06-22/0d/staff",
                                                           "inwed/2026-06-23/end+1d/staff", "inwed/2026-06-23/0d/staff",
                                                           "inwed/2026-06-23/-1d/team"});
  CHECK(doc.at("recent").at(0).at("sent_at") == "2027-06-22T11:30:01Z");
  CHECK(doc.at("recent").at(0).at("state") == "sent");

  const auto& failed = doc.at("failed").as_array();
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].at("key") == "inwed/2026-06-23/0d/staff");
  CHECK(failed[0].at("state") == "failed");
  CHECK(failed[0].at("attempts") == 1);
  CHECK(failed[0].at("last_error") == "HTTP 404: channel_not_found\n\x1b[2Jgotcha");  // JSON escapes it
  CHECK(r.out.find('\x1b') == std::string::npos);
  const auto& missed = doc.at("missed").as_array();
  REQUIRE(missed.size() == 1);
  CHECK(missed[0].at("due") == "2026-06-24T09:30:00+01:00");
  CHECK(missed[0].at("updated_at") == "2026-06-25T09:00:00Z");
  CHECK(r.out.find("SECRET") == std::string::npos);
}

TEST_CASE("status: before herald run has run, it says so, shows the plan and creates nothing", "[status]") {
  // Given a config whose state directory does not exist yet, then status
  // exits 0, names the journal it looked for, still lists the next and
  // overdue posts, and leaves no state directory behind.
  fixture f;
  auto text = f.status();
  INFO(text.out << text.err);
  CHECK(text.status == 0);
  CHECK(text.err.empty());
  CHECK(text.out.find("  journal:  no journal yet at " + f.journal_file().string() + ": herald run has not run\n") !=
        std::string::npos);
  CHECK(section(text.out, "Next posts")
            .rfind("  Wed 23 Jun 2027 09:30 BST +01:00  in 20h 30min      "
                   "inwed/2027-06-23/0d/staff  International Women in Engineering Day\n",
                   0) == 0);
  auto overdue = section(text.out, "Overdue: due, not sent yet (herald run sends them within catch_up, 12h)");
  CHECK(overdue.find("inwed/2027-06-23/-1d/team") != std::string::npos);
  CHECK(overdue.find("windrush-day/2027-06-22/0d/staff") != std::string::npos);
  CHECK(text.out.find("\nPending\n") == std::string::npos);  // nothing to say without a journal

  auto doc = json::parse(f.status({"--format", "json"}).out);
  CHECK(doc.at("journal").at("exists") == false);
  CHECK(doc.at("journal").at("counts").at("sent") == 0);
  CHECK(doc.at("journal").at("last_change").is_null());
  CHECK(doc.at("next").at(0).at("key") == "inwed/2027-06-23/0d/staff");
  CHECK(doc.at("next").at(0).at("state") == "planned");
  CHECK(doc.at("pending").as_array().empty());
  CHECK(doc.at("recent").as_array().empty());

  CHECK_FALSE(fs::exists(f.dir / "state"));
}

TEST_CASE("status: without state_dir, the journal is looked for in $STATE_DIRECTORY", "[status]") {
  fixture f("");
  f.state_directory = (f.dir / "from-systemd").string();
  auto r = f.status();
  CHECK(r.status == 0);
  CHECK(r.out.find("  journal:  no journal yet at " + f.state_directory + "/journal.db: herald run has not run\n") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(f.state_directory));
}

TEST_CASE("status: an invalid config exits 2, a journal it cannot read exits 1", "[status]") {
  fixture f;
  SECTION("invalid config") {
    std::ofstream(f.dir / "herald.yaml", std::ios::app) << "catch_upp: 1h\n";
    auto r = f.status();
    CHECK(r.status == 2);
    CHECK(r.err.find("herald.yaml:7:1: error: unknown key 'catch_upp'") != std::string::npos);
    CHECK(r.out.empty());
  }
  SECTION("not a database") {
    fs::create_directories(f.journal_file().parent_path());
    std::ofstream(f.journal_file(), std::ios::binary) << std::string(4096, 'x');
    auto r = f.status();
    CHECK(r.status == 1);
    CHECK(r.err == "herald: error: journal " + f.journal_file().string() + ": file is not a database\n");
    CHECK(r.out.empty());
  }
  SECTION("written by a newer herald") {
    { f.open_journal(); }
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(f.journal_file().c_str(), &raw) == SQLITE_OK);
    CHECK(sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    auto r = f.status({"--format", "json"});
    CHECK(r.status == 1);
    CHECK(r.err.find("schema version 99 is newer than this herald understands") != std::string::npos);
    CHECK(r.out.empty());
  }
}

TEST_CASE("status: long lists show the latest ten and say how many more", "[status]") {
  fixture f;
  {
    auto j = f.open_journal();
    for (int i = 0; i < 12; ++i) {
      auto key = fmt::format("gone-{:02}/2027-01-01/0d/staff", i);
      (void)ok(
          j->record_missed(key, utc(2027, 1, 1, 9, i), "staff", fmt::format("gone-{:02}", i), utc(2027, 1, 2, 9, 0)));
    }
  }
  auto r = f.status();
  auto missed = section(r.out, "Missed");
  // Events no longer in any calendar are shown in the first calendar's zone.
  CHECK(missed.rfind("  Fri  1 Jan 2027 09:11 GMT +00:00  gone-11/2027-01-01/0d/staff", 0) == 0);
  CHECK(missed.find("gone-02/") != std::string::npos);
  CHECK(missed.find("gone-01/") == std::string::npos);
  CHECK(missed.find("  … and 2 more\n") != std::string::npos);
  auto doc = json::parse(f.status({"--format", "json"}).out);
  CHECK(doc.at("missed").as_array().size() == 10);
  CHECK(doc.at("journal").at("counts").at("missed") == 12);
}

TEST_CASE("status: only posts still within catch_up are overdue", "[status]") {
  // Given catch_up 4h, at 13:00 BST: the 09:30 posts (3h 30min ago) are
  // overdue; with catch_up 3h their window has closed, and they are not.
  fixture within("state_dir: state\ncatch_up: 4h\n");
  auto r = within.status();
  CHECK(section(r.out, "Overdue: due, not sent yet (herald run sends them within catch_up, 4h)") ==
        "  Tue 22 Jun 2027 09:30 BST +01:00  3h 30min ago      inwed/2027-06-23/-1d/team  International Women in "
        "Engineering Day\n"
        "  Tue 22 Jun 2027 09:30 BST +01:00  3h 30min ago      windrush-day/2027-06-22/0d/staff  Windrush Day\n");

  fixture closed("state_dir: state\ncatch_up: 3h\n");
  r = closed.status();
  CHECK(r.status == 0);
  CHECK(r.out.find("Overdue") == std::string::npos);
  CHECK(json::parse(closed.status({"--format", "json"}).out).at("overdue").as_array().empty());
}

TEST_CASE("status: a broken calendar still shows the journal, says the calendar is invalid, and exits 2",
          "[status][operator]") {
  fixture f;
  {
    auto daemon = f.open_journal();
    fill(*daemon);
  }
  std::ofstream(f.dir / "calendar.yaml", std::ios::app) << "  - id: broken\n    title: [\n";
  auto r = f.status();
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("calendar.yaml:") != std::string::npos);  // the errors, as validate prints them
  CHECK(r.out.find("  calendar: invalid (1 error, printed above)") != std::string::npos);
  CHECK(r.out.find("  posts:    2 sent, 1 failed, 1 missed, 1 pending, 0 in flight\n") != std::string::npos);
  CHECK(section(r.out, "Next posts") == "  (unknown while the calendar is invalid)\n");
  CHECK(section(r.out, "Failed").find("inwed/2026-06-23/0d/staff") != std::string::npos);
  auto doc = json::parse(f.status({"--format", "json"}).out);
  CHECK(doc.at("calendar").at("valid") == false);
  CHECK(doc.at("calendar").at("errors").as_array().size() == 1);
  CHECK(doc.at("journal").at("counts").at("sent") == 2);
  CHECK(keys(doc.at("missed")) == std::vector<std::string>{"inwed/2026-06-23/end+1d/staff"});
}

TEST_CASE("status: skipped posts, paused channels and the operators' actions are shown, text and JSON",
          "[status][operator]") {
  fixture f;
  {
    auto j = f.open_journal();
    auto at = utc(2027, 6, 22, 11, 0);
    REQUIRE(ok(j->skip("inwed/2027-06-23/0d/staff", utc(2027, 6, 23, 8, 30), "staff", "inwed",
                       {0, at, "alice", "skip", "inwed/2027-06-23/0d/staff"})) == journal_change::applied);
    REQUIRE(ok(j->pause_channel({0, at + minutes{1}, "bob", "pause", "team"})) == journal_change::applied);
  }
  auto r = f.status();
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("  daemon:   not running") != std::string::npos);
  CHECK(r.out.find(", 1 skipped\n") != std::string::npos);
  CHECK(section(r.out, "Skipped (by an operator; `herald resend KEY` sends one after all)") ==
        "  Wed 23 Jun 2027 09:30 BST +01:00  inwed/2027-06-23/0d/staff  International Women in Engineering Day  "
        "(skipped 1h ago)\n");
  CHECK(section(r.out, "Paused channels (`herald resume --channel NAME`)") ==
        "  team  since Tue 22 Jun 2027 12:01 BST +01:00, 59min ago, by bob\n");
  CHECK(section(r.out, "Operator actions") ==
        "  Tue 22 Jun 2027 12:01 BST +01:00  59min ago         bob         pause   team\n"
        "  Tue 22 Jun 2027 12:00 BST +01:00  1h ago            alice       skip    inwed/2027-06-23/0d/staff\n");
  // The team channel's overdue post waits for the resume.
  CHECK(section(r.out, "Overdue: due, not sent yet (herald run sends them within catch_up, 12h)")
            .find("inwed/2027-06-23/-1d/team  International Women in Engineering Day  (paused)") != std::string::npos);

  auto doc = json::parse(f.status({"--format", "json"}).out);
  CHECK(doc.at("daemon") == json::parse(R"({"running":false,"pid":null})"));
  CHECK(doc.at("paused_channels") == json::parse(R"([{"channel":"team","since":"2027-06-22T11:01:00Z","by":"bob"}])"));
  CHECK(doc.at("actions").at(1) == json::parse(R"({"at":"2027-06-22T11:00:00Z","user":"alice","action":"skip",
    "target":"inwed/2027-06-23/0d/staff"})"));
  CHECK(keys(doc.at("skipped")) == std::vector<std::string>{"inwed/2027-06-23/0d/staff"});
  CHECK(doc.at("overdue").at(0).at("state") == "paused");
  CHECK(doc.at("journal").at("counts").at("skipped") == 1);
}

TEST_CASE("status: a daemon holding the state directory's lock is reported running, with its pid",
          "[status][operator]") {
  fixture f;
  fs::create_directories(f.dir / "state");
  int fd = ::open((f.dir / "state").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // as the daemon locks it
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  auto r = f.status();
  auto doc = json::parse(f.status({"--format", "json"}).out);
  ::close(fd);
  CHECK(r.out.find("  daemon:   running") != std::string::npos);
  CHECK(doc.at("daemon").at("running") == true);
  // A running daemon without its journal: it was deleted under it.
  CHECK(r.out.find("  journal:  missing at " + f.journal_file().string() +
                   " while herald run is running: it was deleted or replaced") != std::string::npos);
  // /proc/locks names the holder when the kernel lists the file's device as stat() sees it.
  if (!doc.at("daemon").at("pid").is_null()) CHECK(doc.at("daemon").at("pid") == ::getpid());
  CHECK(json::parse(f.status({"--format", "json"}).out).at("daemon").at("running") == false);  // released
}

TEST_CASE("status: the health a daemon published is shown only while its pid holds the lock", "[status][health]") {
  // Given the state directory locked by this process, as the daemon locks
  // it, and a health file: shown when the file's pid is the holder's,
  // "unknown" when it is another's (a crashed daemon's), absent with no
  // daemon running.
  fixture f;
  fs::create_directories(f.dir / "state");
  auto write_file = [&](int pid) {
    std::ofstream(health_file_path(f.dir / "state"))
        << health_file_text({pid,
                             utc(2027, 6, 22, 11, 50),
                             {"reload failed (calendar.yaml:3:1: error: bad)", "journal paused (x: \x1b[2J)"}});
  };
  int fd = ::open((f.dir / "state").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  write_file(::getpid());
  auto shown = f.status();
  auto shown_doc = json::parse(f.status({"--format", "json"}).out);
  write_file(::getpid() + 1);
  auto other = f.status();
  auto other_doc = json::parse(f.status({"--format", "json"}).out);
  ::close(fd);
  auto stopped = f.status();
  auto stopped_doc = json::parse(f.status({"--format", "json"}).out);

  INFO(shown.out);
  CHECK(shown.status == 0);  // degraded is data, not an error (docs/decisions.md)
  CHECK(shown.out.find(fmt::format("  daemon:   running (pid {})\n"
                                   "  health:   degraded since Tue 22 Jun 2027 12:50 BST +01:00, 10min ago\n"
                                   "            reload failed (calendar.yaml:3:1: error: bad)\n"
                                   "            journal paused (x: \\x1b[2J)\n  journal:",
                                   ::getpid())) != std::string::npos);
  CHECK(shown_doc.at("health") == json::parse(R"j({"degraded":true,"since":"2027-06-22T11:50:00Z",
    "reasons":["reload failed (calendar.yaml:3:1: error: bad)","journal paused (x: \u001b[2J)"]})j"));

  INFO(other.out);
  CHECK(other.out.find("  health:   unknown (the daemon has not published it") != std::string::npos);
  CHECK(other.out.find("degraded") == std::string::npos);
  CHECK(other_doc.at("health").is_null());

  INFO(stopped.out);
  CHECK(stopped.out.find("  daemon:   not running") != std::string::npos);
  CHECK(stopped.out.find("health:") == std::string::npos);
  CHECK(stopped_doc.at("health").is_null());
}

TEST_CASE("status: an unconfirmed post is counted and listed with the failed, as unconfirmed", "[status][unanswered]") {
  fixture f;
  auto daemon = f.open_journal();
  const std::string key = "inwed/2026-06-23/0d/staff";
  (void)ok(daemon->begin_attempt(key, utc(2026, 6, 23, 8, 30), "staff", "inwed", utc(2026, 6, 23, 8, 30)));
  (void)ok(daemon->record_unanswered(key, utc(2026, 6, 23, 8, 31), std::nullopt,
                                     "no answer within 10 s after the whole request was sent: it may have arrived"));
  auto r = f.status();
  INFO(r.out << r.err);
  CHECK(r.out.find("  posts:    0 sent, 0 failed, 0 missed, 0 pending, 0 in flight, 1 unconfirmed\n") !=
        std::string::npos);
  CHECK(section(r.out, "Failed") ==
        "  Tue 23 Jun 2026 09:30 BST +01:00  inwed/2026-06-23/0d/staff  International Women in Engineering Day\n"
        "    unconfirmed (may have arrived) 364 days ago after 1 attempt: no answer within 10 s after the whole "
        "request was sent: it may have arrived\n");
  auto doc = json::parse(f.status({"--format", "json"}).out);
  CHECK(doc.at("journal").at("counts").at("unconfirmed") == 1);
  CHECK(doc.at("failed").at(0).at("state") == "unconfirmed");
}
