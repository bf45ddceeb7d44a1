#pragma once
// yaml-cpp over a large calendar's `events:` list in pieces, one thread a
// piece, the events handed on in file order: the handler sees exactly the
// events, marks and errors of one yaml-cpp parse of the whole text.
// Internal to the calendar library (yaml_builder.cpp uses it).

#include <cstddef>
#include <string_view>

namespace YAML {
class EventHandler;
}

namespace herald {

/// How many pieces `text` is parsed in: 1 (the whole) below a size where
/// threads pay, otherwise one per hardware thread, 2 to 4.
std::size_t yaml_pieces_for(std::string_view text);

/// Calls `handler` with the events of yaml-cpp's parse of every document
/// of `text`, in order, on the calling thread; throws what yaml-cpp would
/// throw, once the events before it were handled, or what the handler
/// threw. Each piece is parsed on a thread of its own, the first one's
/// events handed on as they come, the others' recorded until their turn
/// (calendar/yaml_item_split.hpp says where it cuts);
/// with one piece, a cut in doubt, or a piece that fails or is not what a
/// cut promised, it is parse_yaml_on_second_thread(), picking up after the
/// events already handled. No thread outlives the call.
void parse_yaml_in_pieces(std::string_view text, YAML::EventHandler& handler, std::size_t pieces);

}  // namespace herald
