// The file watcher on real files in a temporary directory. Waits for a call
// run the io_context with a deadline; "no call" is asserted after running
// the loop a while past the settle time, the one bounded wait for nothing.

#include "daemon/file_watcher.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

namespace herald {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::temp_dir;

constexpr auto settle = 50ms;
constexpr auto quiet = 300ms;  // well past `settle`: a call due would have come

void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }

// A watcher counting its calls, on its own loop.
struct watched {
  asio::io_context io;
  int calls = 0;
  file_watcher watcher{io, [this] { ++calls; }, settle};

  // Runs the loop until a call came or a generous deadline passed.
  bool called() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (calls == 0 && std::chrono::steady_clock::now() < deadline) io.run_one_for(5ms);
    return calls > 0;
  }
  // Runs the loop for `quiet`: long enough for a call that is due to come.
  int calls_after_quiet() {
    io.run_for(quiet);
    return calls;
  }
};

}  // namespace

TEST_CASE("file_watcher: given a watched file written in place, then one call", "[file_watcher]") {
  temp_dir dir("herald-watch");
  const fs::path calendar = dir / "calendar.yaml";
  write(calendar, "events: []\n");
  watched w;
  REQUIRE(w.watcher.watch({calendar}).empty());

  write(calendar, "events: [changed]\n");
  REQUIRE(w.called());
  CHECK(w.calls_after_quiet() == 1);
}

TEST_CASE("file_watcher: given a path that is not lexically normal, then it names the same file", "[file_watcher]") {
  temp_dir dir("herald-watch");
  fs::create_directories(dir / "sub");
  const fs::path calendar = dir / "calendar.yaml";
  write(calendar, "events: []\n");
  watched w;
  REQUIRE(w.watcher.watch({dir / "sub" / ".." / "." / "calendar.yaml"}).empty());

  write(calendar, "events: [changed]\n");
  CHECK(w.called());
}

TEST_CASE("file_watcher: given an editor's save, then one call for the burst", "[file_watcher]") {
  temp_dir dir("herald-watch");
  const fs::path calendar = dir / "calendar.yaml";
  write(calendar, "events: []\n");
  watched w;
  REQUIRE(w.watcher.watch({calendar}).empty());

  SECTION("write a new file, rename it over the old one") {
    write(dir / ".calendar.yaml.swp", "events: [new]\n");
    fs::rename(dir / ".calendar.yaml.swp", calendar);
  }
  SECTION("vim's way, each step read by the loop before the next") {
    // Four events on the watched name, read by the loop in three goes, each
    // restarting the settle time (the steps take microseconds, not 50 ms).
    fs::rename(calendar, dir / "calendar.yaml~");  // moved from
    w.io.poll();
    write(calendar, "events: [new]\n");  // create, close-write
    w.io.poll();
    fs::permissions(calendar, fs::perms::owner_read | fs::perms::owner_write);  // attrib
    w.io.poll();
    fs::remove(dir / "calendar.yaml~");
  }

  REQUIRE(w.called());
  CHECK(w.calls_after_quiet() == 1);
}

TEST_CASE("file_watcher: given other files in the directory change, then no call", "[file_watcher]") {
  temp_dir dir("herald-watch");
  const fs::path calendar = dir / "calendar.yaml";
  write(calendar, "events: []\n");
  watched w;
  REQUIRE(w.watcher.watch({calendar}).empty());

  write(dir / "outbox.jsonl", "{}\n");
  write(dir / ".calendar.yaml.swp", "x");
  fs::remove(dir / ".calendar.yaml.swp");
  fs::create_directories(dir / "calendar.yaml.d");
  CHECK(w.calls_after_quiet() == 0);

  // And the watch works: the named file still counts.
  write(calendar, "events: [changed]\n");
  CHECK(w.called());
}

TEST_CASE("file_watcher: given watch() names other files, then only those count", "[file_watcher]") {
  temp_dir first("herald-watch"), second("herald-watch");
  const fs::path old_file = first / "calendar.yaml";
  const fs::path new_file = second / "other.yaml";
  const fs::path sibling = first / "herald.yaml";  // same directory, newly named
  write(old_file, "a\n");
  write(new_file, "b\n");
  write(sibling, "c\n");
  watched w;
  REQUIRE(w.watcher.watch({old_file}).empty());
  REQUIRE(w.watcher.watch({new_file, sibling}).empty());

  write(old_file, "a2\n");
  CHECK(w.calls_after_quiet() == 0);

  SECTION("a file in a newly watched directory") { write(new_file, "b2\n"); }
  SECTION("a newly named file in a directory watched before") { write(sibling, "c2\n"); }
  CHECK(w.called());
}

TEST_CASE("file_watcher: given watch() drops every file, then nothing counts", "[file_watcher]") {
  temp_dir dir("herald-watch");
  const fs::path calendar = dir / "calendar.yaml";
  write(calendar, "a\n");
  watched w;
  REQUIRE(w.watcher.watch({calendar}).empty());
  REQUIRE(w.watcher.watch({}).empty());

  write(calendar, "b\n");
  CHECK(w.calls_after_quiet() == 0);
}

TEST_CASE("file_watcher: given a watched file removed, then a call", "[file_watcher]") {
  temp_dir dir("herald-watch");
  const fs::path calendar = dir / "calendar.yaml";
  write(calendar, "a\n");
  watched w;
  REQUIRE(w.watcher.watch({calendar}).empty());

  fs::remove(calendar);
  REQUIRE(w.called());
  CHECK(w.calls_after_quiet() == 1);
}

TEST_CASE("file_watcher: given the directory of a watched file removed, then a call", "[file_watcher]") {
  temp_dir dir("herald-watch");
  const fs::path sub = dir / "conf";
  fs::create_directories(sub);
  write(sub / "calendar.yaml", "a\n");
  watched w;
  REQUIRE(w.watcher.watch({sub / "calendar.yaml"}).empty());

  fs::rename(sub, dir / "conf.old");
  CHECK(w.called());
}

TEST_CASE("file_watcher: given a directory that cannot be watched, then a message and the rest watched",
          "[file_watcher]") {
  temp_dir dir("herald-watch");
  const fs::path calendar = dir / "calendar.yaml";
  write(calendar, "a\n");
  const fs::path missing = dir / "missing";
  watched w;

  const auto errors = w.watcher.watch({missing / "herald.yaml", calendar});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "cannot watch " + missing.string() + ": No such file or directory");

  write(calendar, "b\n");
  CHECK(w.called());
}

TEST_CASE("file_watcher: given two files in a directory that cannot be watched, then one message", "[file_watcher]") {
  // The journal and its -wal in a state directory not made yet (a dry run).
  temp_dir dir("herald-watch");
  const fs::path missing = dir / "state";
  watched w;
  const auto errors = w.watcher.watch({missing / "journal.db", missing / "journal.db-wal"});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "cannot watch " + missing.string() + ": No such file or directory");
}

namespace {

// `ln -sfn target link`: a new link renamed over the old one.
void repoint(const fs::path& link, const fs::path& target) {
  const fs::path temporary = link.parent_path() / (".new-" + link.filename().string());
  fs::create_symlink(target, temporary);
  fs::rename(temporary, link);
}

}  // namespace

TEST_CASE("file_watcher: given a calendar that is a symlink, then its target's changes and a repointed link count",
          "[file_watcher][symlink]") {
  // Given etc/calendar.yaml -> ../releases/v1/calendar.yaml (relative, as
  // deployments make them) and a release v2 beside it.
  temp_dir dir("herald-watch");
  fs::create_directories(dir / "etc");
  fs::create_directories(dir / "releases" / "v1");
  fs::create_directories(dir / "releases" / "v2");
  write(dir / "releases" / "v1" / "calendar.yaml", "events: [v1]\n");
  write(dir / "releases" / "v2" / "calendar.yaml", "events: [v2]\n");
  const fs::path calendar = dir / "etc" / "calendar.yaml";
  fs::create_symlink("../releases/v1/calendar.yaml", calendar);
  watched w;
  REQUIRE(w.watcher.watch({calendar}).empty());

  SECTION("the target written in place") { write(dir / "releases" / "v1" / "calendar.yaml", "events: [edited]\n"); }
  SECTION("the target replaced by a rename") {
    write(dir / "releases" / "v1" / ".calendar.yaml.tmp", "events: [edited]\n");
    fs::rename(dir / "releases" / "v1" / ".calendar.yaml.tmp", dir / "releases" / "v1" / "calendar.yaml");
  }
  SECTION("the link repointed, then the new target edited, not the old one") {
    repoint(calendar, "../releases/v2/calendar.yaml");
    REQUIRE(w.called());
    CHECK(w.calls_after_quiet() == 1);
    REQUIRE(w.watcher.watch({calendar}).empty());  // what the reload does
    write(dir / "releases" / "v1" / "calendar.yaml", "events: [old release]\n");
    CHECK(w.calls_after_quiet() == 1);
    write(dir / "releases" / "v2" / "calendar.yaml", "events: [edited]\n");
    CHECK(w.calls_after_quiet() == 2);
    return;
  }
  CHECK(w.called());
}

TEST_CASE("file_watcher: given a calendar under a folder symlink, then repointing the folder link counts",
          "[file_watcher][symlink]") {
  // Given current -> releases/v1 and the calendar named current/calendar.yaml.
  temp_dir dir("herald-watch");
  fs::create_directories(dir / "releases" / "v1");
  fs::create_directories(dir / "releases" / "v2");
  write(dir / "releases" / "v1" / "calendar.yaml", "events: [v1]\n");
  write(dir / "releases" / "v2" / "calendar.yaml", "events: [v2]\n");
  fs::create_symlink("releases/v1", dir / "current");
  watched w;
  REQUIRE(w.watcher.watch({dir / "current" / "calendar.yaml"}).empty());

  repoint(dir / "current", "releases/v2");
  REQUIRE(w.called());
  REQUIRE(w.watcher.watch({dir / "current" / "calendar.yaml"}).empty());
  write(dir / "releases" / "v2" / "calendar.yaml", "events: [edited]\n");
  CHECK(w.calls_after_quiet() == 2);
}

TEST_CASE("file_watcher: given the watcher destroyed during a burst, then nothing is called", "[file_watcher]") {
  temp_dir dir("herald-watch");
  const fs::path calendar = dir / "calendar.yaml";
  write(calendar, "a\n");
  asio::io_context io;
  int calls = 0;
  {
    file_watcher watcher(
        io, [&] { ++calls; }, settle);
    REQUIRE(watcher.watch({calendar}).empty());
    write(calendar, "b\n");
    io.poll();  // reads the event, starts the settle timer
  }
  io.run_for(10s);  // the closed descriptor and timer leave no work
  CHECK(io.stopped());
  CHECK(calls == 0);
}

}  // namespace herald
