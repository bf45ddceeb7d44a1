// The health file (daemon/health_file.hpp) on a real directory: its text
// read back, written only when the reasons change, a failed write said
// once and tried again at the next change, and read as current only for
// the pid that holds the state directory's lock.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <date/date.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "daemon/health_file.hpp"
#include "support/temp_dir.hpp"

using namespace herald;
namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

const date::sys_seconds start = date::sys_days{date::year{2027} / 6 / 22} + hours{12};

std::string read(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("health file: the text reads back, and anything else is not a health", "[health]") {
  published_health health{812, start, {"reload failed (calendar.yaml:3:1: error: \"bad\")", "journal paused (x)"}};
  auto text = health_file_text(health);
  CHECK(text ==
        "{\"pid\":812,\"since\":\"2027-06-22T12:00:00Z\",\"degraded\":true,\"reasons\":[\"reload failed "
        "(calendar.yaml:3:1: error: \\\"bad\\\")\",\"journal paused (x)\"]}\n");
  CHECK(parse_health_file(text) == health);
  published_health ok{812, start, {}};
  CHECK(parse_health_file(health_file_text(ok)) == ok);
  for (const auto* bad : {"", "{", "[]", "{\"pid\":1,\"since\":\"2027-06-22T12:00:00Z\"}",
                          "{\"pid\":1,\"since\":\"yesterday\",\"reasons\":[]}",
                          "{\"pid\":\"1\",\"since\":\"2027-06-22T12:00:00Z\",\"reasons\":[]}",
                          "{\"pid\":1,\"since\":\"2027-06-22T12:00:00Z\",\"reasons\":[1]}"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_health_file(bad));
  }
}

TEST_CASE("health file: written when the reasons change, not on every update", "[health]") {
  test::temp_dir dir{"herald-health-file"};
  auto file = health_file_path(dir.path());
  health_publisher publisher(dir.path(), 812);
  CHECK_FALSE(publisher.current());
  CHECK_FALSE(publisher.update({}, start));
  CHECK(parse_health_file(read(file)) == published_health{812, start, {}});

  // The same reasons later: no write (the removed file stays removed), `since` kept.
  fs::remove(file);
  CHECK_FALSE(publisher.update({}, start + minutes{5}));
  CHECK_FALSE(fs::exists(file));
  CHECK(publisher.current()->since == start);

  // A change: written, since then.
  CHECK_FALSE(publisher.update({"journal paused (x)"}, start + minutes{10}));
  CHECK(parse_health_file(read(file)) == published_health{812, start + minutes{10}, {"journal paused (x)"}});
  CHECK(publisher.current() == published_health{812, start + minutes{10}, {"journal paused (x)"}});
}

TEST_CASE("health file: a failed write is said once, removes the out-of-date file, and is tried at the next change",
          "[health]") {
  test::temp_dir dir{"herald-health-file"};
  auto file = health_file_path(dir.path());
  health_publisher publisher(dir.path(), 812);
  REQUIRE_FALSE(publisher.update({}, start));
  REQUIRE(fs::exists(file));
  // The temporary name taken by a directory: the write fails, even for root.
  auto temporary = file;
  temporary += ".tmp";
  fs::create_directory(temporary);
  auto problem = publisher.update({"journal paused (x)"}, start + minutes{1});
  REQUIRE(problem);
  CHECK(problem->starts_with("cannot write " + temporary.string() + ": Is a directory"));
  CHECK_FALSE(fs::exists(file));  // its "ok" is no longer the daemon's health
  CHECK_FALSE(publisher.update({"journal paused (y)"}, start + minutes{2}));  // failing still: not said again
  CHECK(publisher.current()->reasons == std::vector<std::string>{"journal paused (y)"});

  fs::remove(temporary);
  CHECK_FALSE(publisher.update({"journal paused (y)"}, start + minutes{3}));  // no change: not tried
  CHECK_FALSE(fs::exists(file));
  CHECK_FALSE(publisher.update({}, start + minutes{4}));  // the next change: written
  CHECK(parse_health_file(read(file)) == published_health{812, start + minutes{4}, {}});
}

TEST_CASE("health file: a dry run's publisher keeps the health and writes nothing", "[health]") {
  test::temp_dir dir{"herald-health-file"};
  health_publisher publisher({}, 812);
  publisher.remove_stale();
  CHECK_FALSE(publisher.update({"journal paused (x)"}, start));
  CHECK(publisher.current()->degraded());
  CHECK(fs::is_empty(dir.path()));
  CHECK_FALSE(fs::exists(health_file_path("")));
}

TEST_CASE("health file: current only for the pid holding the state directory's lock", "[health]") {
  test::temp_dir dir{"herald-health-file"};
  health_publisher publisher(dir.path(), ::getpid());
  REQUIRE_FALSE(publisher.update({"journal paused (x)"}, start));
  int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // as the daemon locks it
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  auto held = daemon_on(dir.path());
  auto while_held = current_health(dir.path(), held);
  auto another = current_health(dir.path(), {true, ::getpid() + 1});
  auto pid_unknown = current_health(dir.path(), {true, std::nullopt});
  ::close(fd);
  auto released = current_health(dir.path(), daemon_on(dir.path()));

  REQUIRE(held.pid == ::getpid());  // /proc/locks names the holder
  CHECK(while_held == publisher.current());
  CHECK_FALSE(another);      // a crashed daemon's file, another daemon running
  CHECK_FALSE(pid_unknown);  // nothing tells whose it is
  CHECK_FALSE(released);     // no daemon
  CHECK_FALSE(current_health(dir.path() / "missing", {true, ::getpid()}));

  // A new daemon removes what the last one left before it publishes.
  health_publisher next(dir.path(), ::getpid());
  next.remove_stale();
  CHECK_FALSE(fs::exists(health_file_path(dir.path())));
}
