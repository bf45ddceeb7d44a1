#include <catch2/catch.hpp>

#include <deque>
#include <string>

#include <fmt/format.h>

#include "calendar/event_id_set.hpp"

using namespace herald;

TEST_CASE("event ids: each id is found again, past every growth of the table, and no other", "[loader]") {
  std::deque<std::string> texts;
  std::deque<event> events;
  auto add = [&](const std::string& id, int line) -> event& {
    auto& e = events.emplace_back();
    e.id = texts.emplace_back(id);
    e.id_mark = {line, 5};
    return e;
  };
  event_id_set ids;
  for (int i = 0; i < 3000; ++i) CHECK(ids.insert(add(fmt::format("e-{}", i), i + 1)) == nullptr);
  CHECK(ids.insert(add("e-", 0)) == nullptr);  // a prefix of every other
  for (int i = 0; i < 3000; i += 7) {
    const auto* first = ids.insert(add(fmt::format("e-{}", i), 10000 + i));
    REQUIRE(first != nullptr);
    CHECK(first->id_mark.line == i + 1);
  }
  CHECK(ids.insert(add("e-3000", 1)) == nullptr);
}
