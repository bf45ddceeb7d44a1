// What a reload says it changed (daemon/reload_changes.hpp).
#include "daemon/reload_changes.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

using namespace herald;

namespace {

std::vector<calendar> with_events(std::initializer_list<const char*> ids) {
  std::vector<calendar> calendars(1);
  for (const char* id : ids) {
    calendars.back().events.emplace_back();
    calendars.back().events.back().id = id;
  }
  return calendars;
}

/// What a reload says when the running calendars had `was` and the files now have `now`.
std::string changes(std::initializer_list<const char*> was, std::initializer_list<const char*> now) {
  return event_changes(event_ids(with_events(was)), with_events(now));
}

}  // namespace

TEST_CASE("reload_changes: the settings that wait for a restart are named, with both values", "[daemon][reload]") {
  config running, loaded;
  running.state_dir = loaded.state_dir = "/var/lib/herald";
  CHECK(restart_only_changes(running, loaded).empty());
  loaded.delivery.timeout = std::chrono::seconds{30};
  loaded.http_listen = "127.0.0.1:8470";
  CHECK(restart_only_changes(running, loaded) ==
        fmt::format("delivery.timeout ({}s → 30s), http.listen (none → 127.0.0.1:8470)",
                    running.delivery.timeout.count()));
  // The journal: where its URL comes from, never the URL.
  config shared = running;
  shared.journal.postgresql = secret_ref{secret_ref::source::literal, "postgresql://u:pw@db/herald"};
  shared.journal.replica = "web-1";
  auto changes = restart_only_changes(running, shared);
  CHECK(changes == "journal (sqlite → postgresql a literal), journal.replica ( → web-1)");
  CHECK(changes.find("pw") == std::string::npos);
}

TEST_CASE("reload_changes: events added and removed are named, a few of them", "[daemon][reload]") {
  CHECK(changes({"a", "b"}, {"b", "a"}).empty());
  CHECK(changes({"a", "b"}, {"b", "c"}) == "; events added: c; removed: a");
  CHECK(changes({"a"}, {}) == "; events removed: a");
  CHECK(changes({}, {"a", "b", "c", "d", "e", "f", "g"}) == "; events added: a, b, c, d, e and 2 more");
  // Two calendars, an id in each (the load refuses an id used twice; the list is sorted across them).
  auto two = with_events({"m", "b"});
  two.push_back(std::move(with_events({"a"}).front()));
  CHECK(event_changes(event_ids(two), with_events({"a", "b", "m"})).empty());
}

TEST_CASE("reload_changes: the kept ids read back whole, whatever they share with the id before", "[daemon][reload]") {
  // An id that begins another, a prefix longer than one byte can count,
  // and ids that share nothing.
  std::string long_prefix(300, 'x');
  auto a = long_prefix + "a", b = long_prefix + "b", c = long_prefix + "bc";
  auto was = with_events({"pride", "pride-month", "zeta"});
  for (const auto* id : {&a, &b, &c}) {
    was.back().events.emplace_back();
    was.back().events.back().id = *id;
  }
  auto kept = event_ids(was);
  CHECK(kept.size() < long_prefix.size() * 2);  // the long prefix is kept once, not three times
  auto now = with_events({"pride", "zeta"});
  now.back().events.emplace_back();
  now.back().events.back().id = b;
  CHECK(event_changes(kept, now) == fmt::format("; events removed: pride-month, {}, {}", a, c));
  CHECK(event_changes(kept, with_events({"pride", "pride-month", "zeta"})) ==
        fmt::format("; events removed: {}, {}, {}", a, b, c));
}

TEST_CASE("reload_changes: the kept ids read back the same a few bytes at a time", "[daemon][reload]") {
  std::string long_prefix(300, 'x');
  auto was = with_events({"pride", "pride-month", "zeta"});
  std::vector<std::string> texts;  // what the ids view
  for (int i = 0; i < 50; ++i) texts.push_back(fmt::format("{}{}", long_prefix, i));
  for (const auto& text : texts) {
    was.back().events.emplace_back();
    was.back().events.back().id = text;
  }
  auto kept = event_ids(was);
  auto now = with_events({"pride", "new", "zeta"});
  auto whole = event_changes(kept, now);
  CHECK(whole ==
        fmt::format("; events added: new; removed: pride-month, {0}0, {0}1, {0}10, {0}11 and 46 more", long_prefix));
  for (std::size_t piece : {1, 3, 256}) {
    auto in_pieces = event_changes(
        [&](std::size_t offset, std::span<char> buffer) {
          return offset >= kept.size() ? 0 : kept.copy(buffer.data(), std::min(piece, buffer.size()), offset);
        },
        now);
    CHECK(in_pieces == whole);
  }
}
