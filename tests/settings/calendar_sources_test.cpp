// The calendars a config names, loaded together (settings/calendar_sources.hpp):
// an event id is unique across all of them, as post keys start with it.

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "settings/calendar_sources.hpp"
#include "support/temp_dir.hpp"

using namespace herald;

namespace {

std::string calendar_with(const std::string& id) {
  return "version: 1\ntimezone: Europe/London\ndefaults: {time: \"09:30\", channels: [staff]}\nevents:\n  - id: " + id +
         "\n    title: Windrush Day\n    every: June 22\n    steps: [{at: 0, message: \"Today is {{title}}.\"}]\n";
}

void write_config(const test::temp_dir& dir, const std::string& calendars) {
  std::ofstream(dir / "herald.yaml") << "version: 1\ncalendar: " << calendars
                                     << "\nstate_dir: state\nchannels:\n  staff: {type: file, path: out.jsonl}\n";
}

}  // namespace

TEST_CASE("calendar sources: an event id given in two calendar files is an error", "[settings]") {
  test::temp_dir dir{"herald-calendar-sources"};
  std::ofstream(dir / "a.yaml") << calendar_with("windrush-day");
  std::ofstream(dir / "b.yaml") << calendar_with("windrush-day");
  std::ofstream(dir / "c.yaml") << calendar_with("windrush-day-again");

  write_config(dir, "[a.yaml, c.yaml]");
  auto apart = load_sources((dir / "herald.yaml").string(), "");
  CHECK(apart.ok());

  write_config(dir, "[a.yaml, b.yaml]");
  auto twice = load_sources((dir / "herald.yaml").string(), "");
  REQUIRE_FALSE(twice.ok());
  REQUIRE(twice.errors.size() == 1);
  CHECK(twice.errors[0].message == "event id 'windrush-day' is also used in " + (dir / "a.yaml").string() + ":5");
  CHECK(twice.errors[0].mark.line == 5);
}
