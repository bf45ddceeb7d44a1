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

/// How many threads parse `text`: 1 (the whole) below a size where threads
/// pay, otherwise one per hardware thread, 2 to 4.
std::size_t yaml_pieces_for(std::string_view text);

/// The most text yaml-cpp parses at once in a cut file: each thread parses
/// its share in pieces of about this size, one after another, so only one
/// piece's scanner state is alive on it at a time (docs/PERFORMANCE.md
/// "2026-12-03, seventh session: reload peak").
inline constexpr std::size_t yaml_piece_bytes = std::size_t{256} << 10;

/// Calls `handler` with the events of yaml-cpp's parse of every document
/// of `text`, in order, on the calling thread; throws what yaml-cpp would
/// throw, once the events before it were handled, or what the handler
/// threw. The text is cut (calendar/yaml_item_split.hpp says where) into
/// pieces of about `piece_bytes`, at least `threads`, and each of `threads`
/// threads parses a run of them in turn, a parser a piece: the first
/// thread's events handed on as they come, the others' recorded until
/// their turn;
/// with one piece, a cut in doubt, or a piece that fails or is not what a
/// cut promised, it is parse_yaml_on_second_thread(), picking up after the
/// events already handled. No thread outlives the call. True when the
/// text was read in pieces to its end, false when read whole (or part of
/// it: after a fallback).
bool parse_yaml_in_pieces(std::string_view text, YAML::EventHandler& handler, std::size_t threads,
                          std::size_t piece_bytes = yaml_piece_bytes);

}  // namespace herald
