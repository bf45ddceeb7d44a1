#pragma once
// yaml-cpp's parser on a second thread, as a pipeline: its events are
// recorded into a few reused buffers and replayed, in order, onto an event
// handler on the calling thread, so whatever the handler builds is built
// there exactly as if yaml-cpp had called it (docs/architecture.md "The rules of each room").
// Internal to the calendar library.

#include <cstddef>
#include <span>
#include <string_view>

namespace YAML {
class EventHandler;
}

namespace herald {

/// Runs yaml-cpp over every document of `text` and calls `handler` with its
/// events on the calling thread, in yaml-cpp's order. Throws what yaml-cpp
/// threw, once every event before it was handled; or what the handler
/// threw, having stopped the parser. No thread outlives the call.
/// `buffer_bytes` is the size of each of the few buffers between the two
/// threads (a tiny size exercises the hand-over in tests). 16 KiB, not more:
/// the buffers live through the parse beside the events built, where a
/// reload peaks (docs/PERFORMANCE.md "2026-12-03, night: reload peak").
void parse_yaml_on_second_thread(std::string_view text, YAML::EventHandler& handler,
                                 std::size_t buffer_bytes = std::size_t{16} << 10);

/// The same over several texts in turn, each parsed alone by a yaml-cpp
/// parser of its own, gone before the next one starts (so only one text's
/// scanner state is alive at a time): the handler sees each text's events,
/// from its own document start, one text after another; yaml-cpp's error in
/// a text ends the parse there. `texts` must outlive the call.
void parse_yaml_on_second_thread(std::span<const std::string_view> texts, YAML::EventHandler& handler,
                                 std::size_t buffer_bytes = std::size_t{16} << 10);

/// The same on the calling thread alone: yaml-cpp calls `handler` itself.
void parse_yaml_here(std::string_view text, YAML::EventHandler& handler);

}  // namespace herald
