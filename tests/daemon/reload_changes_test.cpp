// What a reload says it changed (daemon/reload_changes.hpp).
#include "daemon/reload_changes.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

using namespace herald;

namespace {

loaded_sources with_events(std::initializer_list<const char*> ids) {
  loaded_sources sources;
  sources.calendars.emplace_back();
  for (const char* id : ids) {
    sources.calendars.back().events.emplace_back();
    sources.calendars.back().events.back().id = id;
  }
  return sources;
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
  CHECK(event_changes(with_events({"a", "b"}), with_events({"b", "a"})).empty());
  CHECK(event_changes(with_events({"a", "b"}), with_events({"b", "c"})) == "; events added: c; removed: a");
  CHECK(event_changes(with_events({"a"}), with_events({})) == "; events removed: a");
  CHECK(event_changes(with_events({}), with_events({"a", "b", "c", "d", "e", "f", "g"})) ==
        "; events added: a, b, c, d, e and 2 more");
}
