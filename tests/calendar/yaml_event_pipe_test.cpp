// yaml-cpp on a second thread (calendar/yaml_event_pipe.hpp): the events
// replayed on the calling thread are yaml-cpp's own, in its order, with its
// errors after them; and either side can stop at any point.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>

#include "calendar/yaml_document.hpp"
#include "calendar/yaml_event_pipe.hpp"
#include "support/yaml_event_log.hpp"

using namespace herald;
using herald::test::event_log;
using herald::test::outcome;
using herald::test::read_with;
using herald::test::stop_here;
namespace fs = std::filesystem;

namespace {

outcome read_here(const std::string& text, std::size_t stop_at = SIZE_MAX) {
  return read_with(text, stop_at, [](const std::string& t, event_log& log) { parse_yaml_here(t, log); });
}
outcome read_piped(const std::string& text, std::size_t stop_at = SIZE_MAX, std::size_t buffer_bytes = 64 << 10) {
  return read_with(text, stop_at,
                   [&](const std::string& t, event_log& log) { parse_yaml_on_second_thread(t, log, buffer_bytes); });
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

// A calendar-shaped file of `count` events.
std::string many_events(std::size_t count) {
  std::string text = "version: 1\nzone: Europe/Paris\nevents:\n";
  for (std::size_t i = 0; i < count; ++i)
    text += fmt::format("  - id: e{}\n    title: \"Event {}\"\n    dates: [2027-01-{:02}]\n    campaign: c\n", i, i,
                        i % 28 + 1);
  return text;
}

// Buffer sizes: one record per hand-over (all buffers full most of the
// time), a few records, and the real size.
const std::size_t buffer_sizes[] = {1, 200, 64 << 10};

}  // namespace

TEST_CASE("yaml_event_pipe: every event, mark, anchor, tag and style as yaml-cpp gives them", "[yaml]") {
  std::vector<std::string> texts = {
      "",
      "a: 1\n",
      "---\na: 1\n---\nb: [x, {y: z}]\n...\n",
      "base: &b {k: v}\nuse: *b\nlist: &l\n  - 1\n  - ~\n  -\nmore: *l\n",
      "tagged: !custom value\nset: !!set {a, b}\nflow: [\"q\", 'r', s]\nblock: |\n  line 1\n  line 2\n",
      "long: \"" + std::string(200000, 'x') + "\"\nafter: 1\n",  // larger than every buffer
      many_events(3000),
  };
  for (const auto& entry : fs::directory_iterator(fs::path(HERALD_SOURCE_DIR) / "tests/data/bad"))
    if (entry.path().extension() == ".yaml") texts.push_back(read_file(entry.path()));
  REQUIRE(texts.size() > 50);
  for (const auto& text : texts) {
    auto here = read_here(text);
    for (auto bytes : buffer_sizes) {
      INFO(text.substr(0, 200) << "\nbuffer bytes " << bytes);
      auto piped = read_piped(text, SIZE_MAX, bytes);
      CHECK(piped.end == here.end);
      CHECK(piped.events == here.events);
    }
  }
}

TEST_CASE("yaml_event_pipe: yaml-cpp's error comes after every event before it", "[yaml]") {
  auto events = many_events(2000);
  auto items = events.substr(events.find("  - id:"));
  // An unclosed flow sequence at the start, in the middle and at the end.
  std::vector<std::string> texts = {
      "events: [\n" + items, events.substr(0, events.size() / 2) + "  - id: [x\n" + events.substr(events.size() / 2),
      events + "  - id: [x\n", std::string(100000, '['),  // past yaml-cpp's own depth limit
  };
  for (const auto& text : texts) {
    auto here = read_here(text);
    REQUIRE(here.end.starts_with("yaml-cpp: "));
    for (auto bytes : buffer_sizes) {
      INFO("buffer bytes " << bytes << ", error " << here.end);
      auto piped = read_piped(text, SIZE_MAX, bytes);
      CHECK(piped.end == here.end);
      CHECK(piped.events == here.events);
    }
  }
}

TEST_CASE("yaml_event_pipe: the handler can stop at any event, the parser then stops too", "[yaml]") {
  auto small = std::string("a: &x [1, 2, {b: c}]\nd: *x\ne:\n  - f\n  - \"g\"\n");
  auto all_small = read_here(small).events;
  REQUIRE(all_small.size() > 15);
  for (std::size_t k = 0; k < all_small.size(); ++k)
    for (auto bytes : buffer_sizes) {
      INFO("stop at " << k << ", buffer bytes " << bytes);
      auto piped = read_piped(small, k, bytes);
      CHECK(piped.end == "stopped");
      CHECK(piped.events == std::vector<std::string>(all_small.begin(), all_small.begin() + k));
    }

  auto large = many_events(20000);
  auto all_large = read_here(large).events;
  auto n = all_large.size();
  for (std::size_t k : {std::size_t{0}, std::size_t{1}, n / 3, n / 2, n - 2, n - 1})
    for (auto bytes : buffer_sizes) {
      INFO("stop at " << k << " of " << n << ", buffer bytes " << bytes);
      auto piped = read_piped(large, k, bytes);
      CHECK(piped.end == "stopped");
      CHECK(piped.events.size() == k);
      CHECK(std::equal(piped.events.begin(), piped.events.end(), all_large.begin()));
    }
}

TEST_CASE("yaml_event_pipe: an item that throws stops the reading of a calendar at once", "[yaml]") {
  struct item_failed {};
  for (std::size_t count : {std::size_t{3}, std::size_t{20000}})
    for (std::size_t fail_at : {std::size_t{0}, count / 2, count - 1}) {
      INFO(count << " events, failing at " << fail_at);
      std::size_t seen = 0;
      auto on_item = [&](yaml_ref item) {
        CHECK(item.find("id")->scalar() == fmt::format("e{}", seen));
        if (seen++ == fail_at) throw item_failed{};
      };
      CHECK_THROWS_AS(yaml_document::read_all(many_events(count), "t.yaml", {}, "events", on_item), item_failed);
      CHECK(seen == fail_at + 1);
    }
}

TEST_CASE("yaml_event_pipe: a reading error at the first, middle or last event is the same error", "[yaml]") {
  // yaml-cpp's error (an alias of no anchor), and the builder's own (too
  // deep), which stops the producer from the calling thread.
  const std::pair<std::string, std::string> bad_titles[] = {
      {"*nowhere", "an alias (*name) refers to no anchor (&name)"},
      {std::string(40, '[') + std::string(40, ']'), "the YAML is nested too deeply"},
  };
  for (const auto& [title, message] : bad_titles)
    for (std::size_t count : {std::size_t{3}, std::size_t{20000}})
      for (std::size_t bad : {std::size_t{0}, count / 2, count - 1}) {
        auto text = many_events(count);
        auto line = 5 + 4 * bad;  // the `title:` line of event `bad`
        std::size_t at = 0;
        for (std::size_t i = 1; i < line; ++i) at = text.find('\n', at) + 1;
        text.replace(at, text.find('\n', at) - at, "    title: " + title);
        INFO(count << " events, the bad one " << bad << ": " << message);
        std::size_t seen = 0;
        auto result = yaml_document::read_all(text, "t.yaml", {}, "events", [&](yaml_ref) { ++seen; });
        REQUIRE(std::holds_alternative<std::vector<diagnostic>>(result));
        const auto& errors = std::get<std::vector<diagnostic>>(result);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].message == message);
        CHECK(errors[0].mark.line == static_cast<int>(line));
        CHECK(seen == bad);
      }
}
