// The health model (daemon/health.hpp): which states degrade the daemon,
// the reasons given, and the STATUS= line built from them.
#include "daemon/health.hpp"

#include <catch2/catch.hpp>

using namespace herald;

namespace {
const date::sys_seconds t0{date::sys_days{date::year{2027} / 6 / 23}};
}

TEST_CASE("health: a failed reload degrades until a good one", "[web][health]") {
  health h;
  h.reloaded(t0, {"hook"});
  CHECK(h.reasons(std::nullopt).empty());
  CHECK(h.last_reload_ok());
  h.reload_failed(t0 + std::chrono::seconds{5}, "calendar.yaml:12:5: error: unknown key 'tittle'");
  CHECK(h.reasons(std::nullopt) ==
        std::vector<std::string>{"reload failed (calendar.yaml:12:5: error: unknown key 'tittle'); the old schedule "
                                 "keeps running"});
  CHECK_FALSE(h.last_reload_ok());
  CHECK(h.last_reload() == t0 + std::chrono::seconds{5});
  h.reloaded(t0 + std::chrono::seconds{9}, {"hook"});
  CHECK(h.reasons(std::nullopt).empty());
}

TEST_CASE("health: a failed reload whose last good copy does not load either says there is no schedule",
          "[web][health][last_good]") {
  health h;
  h.reloaded(t0, {"hook"});
  h.schedule_lost("calendar.yaml:1:9: error: end of file inside a list");
  h.reload_failed(t0 + std::chrono::seconds{5}, "calendar.yaml:12:5: error: unknown key 'tittle'");
  CHECK(h.reasons(std::nullopt) ==
        std::vector<std::string>{"reload failed (calendar.yaml:12:5: error: unknown key 'tittle') and the last good "
                                 "copy does not load either (calendar.yaml:1:9: error: end of file inside a list): no "
                                 "post is planned until a reload succeeds"});
  // Another failed reload does not bring the old schedule back.
  h.reload_failed(t0 + std::chrono::seconds{7}, "calendar.yaml:12:5: error: unknown key 'tittle'");
  CHECK(h.reasons(std::nullopt).front().find("no post is planned") != std::string::npos);
  h.reloaded(t0 + std::chrono::seconds{9}, {"hook"});
  CHECK(h.reasons(std::nullopt).empty());
}

TEST_CASE("health: a paused journal degrades", "[web][health]") {
  health h;
  CHECK(h.reasons(std::string("recording an attempt: database is locked")) ==
        std::vector<std::string>{"journal paused (recording an attempt: database is locked)"});
}

TEST_CASE("health: a channel whose last 3 posts each failed every attempt degrades, one success clears it",
          "[web][health]") {
  health h;
  h.attempt_ended("hook", "a", false);
  h.attempt_ended("hook", "a", false);  // a retry of the same post
  h.attempt_ended("hook", "b", false);
  CHECK(h.reasons(std::nullopt).empty());  // two posts
  h.attempt_ended("other", "x", false);
  h.attempt_ended("hook", "c", false);
  CHECK(h.reasons(std::nullopt) == std::vector<std::string>{"channel 'hook' failed every attempt of its last 3 posts"});
  h.attempt_ended("hook", "c", true);  // c's retry got through
  CHECK(h.reasons(std::nullopt).empty());
  // A post that got through once is not failing, even if a later attempt failed.
  h.attempt_ended("hook", "d", false);
  h.attempt_ended("hook", "e", false);
  CHECK(h.reasons(std::nullopt).empty());
  h.attempt_ended("hook", "f", false);
  CHECK(h.reasons(std::nullopt).size() == 1);
  // A channel removed from the config is forgotten.
  h.reloaded(t0, {"other"});
  CHECK(h.reasons(std::nullopt).empty());
}

TEST_CASE("health: STATUS= puts the reasons first when degraded", "[web][health]") {
  CHECK(status_line({}, "next: a/2027-06-23/0d/hook at 2027-06-23T09:00:00+01:00") ==
        "next: a/2027-06-23/0d/hook at 2027-06-23T09:00:00+01:00");
  CHECK(status_line({"reload failed (x)", "journal paused (y)"}, "next: k") ==
        "degraded: reload failed (x); journal paused (y); next: k");
}

TEST_CASE("health: a journal file deleted or replaced degrades until a restart, reloads or not", "[web][health]") {
  health h;
  h.reloaded(t0, {"hook"});
  h.journal_file_lost("/var/lib/herald/journal.db");
  const std::vector<std::string> lost{
      "the journal file was deleted or replaced (/var/lib/herald/journal.db): nothing is sent until herald restarts"};
  CHECK(h.reasons(std::nullopt) == lost);
  h.reloaded(t0 + std::chrono::seconds{5}, {"hook"});
  CHECK(h.reasons(std::nullopt) == lost);
}

TEST_CASE("health: a status endpoint that cannot listen degrades until it listens", "[web][health]") {
  health h;
  h.reloaded(t0, {"hook"});
  h.status_endpoint("cannot listen on 127.0.0.1:8470: Address already in use");
  CHECK(h.reasons(std::nullopt) ==
        std::vector<std::string>{"the status endpoint is down (cannot listen on 127.0.0.1:8470: Address already in "
                                 "use): herald keeps trying, and tries at once on a reload"});
  h.reloaded(t0 + std::chrono::seconds{5}, {"hook"});  // a reload alone does not heal it
  CHECK(h.reasons(std::nullopt).size() == 1);
  h.status_endpoint(std::nullopt);
  CHECK(h.reasons(std::nullopt).empty());
}
