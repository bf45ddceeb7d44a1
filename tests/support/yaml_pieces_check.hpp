#pragma once
// The differential check of the parallel parse (calendar/yaml_parallel_parse.hpp):
// a text read by parse_yaml_in_pieces() on 2, 3 and 4 threads, in one or
// many pieces a thread, against one plain yaml-cpp parse of the whole text
// (YAML::Parser over a stringstream), event by event and to the exception. Shared by the libFuzzer target
// tests/fuzz/yaml_pieces_fuzz.cpp and tests/calendar/yaml_pieces_differential_test.cpp.

#include <cstddef>
#include <optional>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/parser.h>

#include "calendar/yaml_parallel_parse.hpp"
#include "support/yaml_event_log.hpp"

namespace herald::test {

// Where both reads stop: yaml-cpp 0.7 reads some texts (a line starting
// with ",") as empty documents without end, so each read stops
// ("stopped") past more events than a text of this size holds otherwise.
inline std::size_t event_cap(const std::string& text) { return 4 * text.size() + 64; }

// yaml-cpp alone, as a user of the library would call it: the reference.
inline outcome read_with_plain_yaml_cpp(const std::string& text) {
  return read_with(text, event_cap(text), [](const std::string& t, event_log& log) {
    std::stringstream stream(t);
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(log)) {
    }
  });
}

// How `text` read on `threads` threads, in pieces of about `piece_bytes`
// (each thread parsing its run of them one after another), differs from
// the whole parse `whole`: nothing, or the first difference, said for a
// person.
inline std::optional<std::string> pieces_differ(const std::string& text, const outcome& whole, std::size_t threads,
                                                std::size_t piece_bytes) {
  auto cut = read_with(text, event_cap(text), [&](const std::string& t, event_log& log) {
    parse_yaml_in_pieces(t, log, threads, piece_bytes);
  });
  auto header = fmt::format("{} threads, pieces of {} bytes", threads, piece_bytes);
  for (std::size_t i = 0; i < whole.events.size() || i < cut.events.size(); ++i) {
    auto expected = i < whole.events.size() ? whole.events[i] : std::string("(none)");
    auto got = i < cut.events.size() ? cut.events[i] : std::string("(none)");
    if (expected != got) return fmt::format("{}: event {}: whole [{}], pieces [{}]", header, i, expected, got);
  }
  if (cut.end != whole.end) return fmt::format("{}: end: whole [{}], pieces [{}]", header, whole.end, cut.end);
  return std::nullopt;
}

// The first difference on 2, 3 or 4 threads, with one piece a thread, a
// few items a piece, or one item a piece, if any.
inline std::optional<std::string> any_pieces_differ(const std::string& text) {
  auto whole = read_with_plain_yaml_cpp(text);
  for (std::size_t threads = 2; threads <= 4; ++threads)
    for (std::size_t piece_bytes : {text.size() + 1, std::size_t{64}, std::size_t{1}})
      if (auto difference = pieces_differ(text, whole, threads, piece_bytes)) return difference;
  return std::nullopt;
}

}  // namespace herald::test
