// Bytes kept out of the process while a reload loads (daemon/spilled_block.hpp),
// and the reload's "events added / removed" read back from them.
#include "daemon/spilled_block.hpp"

#include <catch2/catch.hpp>

#include <deque>

#include <fmt/format.h>

#include "daemon/reload_changes.hpp"
#include "support/temp_dir.hpp"

using namespace herald;

namespace {

// An event's id is a view into its calendar's text: these views' texts live as long as the tests.
std::vector<calendar> numbered_events(int from, int to) {
  static std::deque<std::string> texts;
  std::vector<calendar> calendars(1);
  for (int i = from; i < to; ++i) {
    calendars.back().events.emplace_back();
    calendars.back().events.back().id = texts.emplace_back(fmt::format("event-{:05}", i));
  }
  return calendars;
}

// The block read back in pieces of `piece` bytes.
std::string read_back(const spilled_block& block, std::size_t piece) {
  std::string out, buffer(piece, '\0');
  for (std::size_t n; (n = block.read(out.size(), buffer)) > 0;) out.append(buffer, 0, n);
  return out;
}

std::string changes_from(const spilled_block& block, const std::vector<calendar>& loaded) {
  return event_changes([&](std::size_t offset, std::span<char> buffer) { return block.read(offset, buffer); }, loaded);
}

}  // namespace

TEST_CASE("spilled_block: the ids go to a file with no name in the directory and read back whole", "[daemon][reload]") {
  test::temp_dir dir;
  auto was = numbered_events(0, 3000);  // more than the reader's buffer holds
  auto ids = event_ids(was);
  auto now = numbered_events(2, 3005);
  auto expected = event_changes(ids, now);
  REQUIRE(expected ==
          "; events added: event-03000, event-03001, event-03002, event-03003, event-03004; "
          "removed: event-00000, event-00001");
  for (auto tries : {spill_files::unnamed_then_named, spill_files::named}) {
    auto block = spilled_block::spill(ids, dir.path(), tries);
    CHECK(block.in_file());
    CHECK(block.size() == ids.size());
    CHECK(std::filesystem::is_empty(dir.path()));  // nothing left behind, even while it is open
    CHECK(read_back(block, 7) == ids);
    CHECK(read_back(block, 1 << 16) == ids);
    CHECK(changes_from(block, now) == expected);
    CHECK(changes_from(block, was).empty());
    // Moved, it is still the same bytes.
    spilled_block moved = std::move(block);
    CHECK(changes_from(moved, now) == expected);
  }
}

TEST_CASE("spilled_block: without a file to write, the bytes stay in memory and the changes are the same",
          "[daemon][reload]") {
  test::temp_dir dir;
  auto ids = event_ids(numbered_events(0, 3000));
  auto now = numbered_events(1, 3001);
  auto block = spilled_block::spill(ids, dir / "missing", spill_files::unnamed_then_named);
  CHECK_FALSE(block.in_file());
  CHECK(read_back(block, 5) == ids);
  CHECK(changes_from(block, now) == "; events added: event-03000; removed: event-00000");
  CHECK(changes_from(block, now) == event_changes(ids, now));
  // An empty block needs no file.
  auto none = spilled_block::spill({}, dir.path());
  CHECK_FALSE(none.in_file());
  CHECK(changes_from(none, numbered_events(0, 1)) == "; events added: event-00000");
}
