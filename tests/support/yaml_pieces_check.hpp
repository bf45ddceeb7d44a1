#pragma once
// The differential check of the parallel parse (calendar/yaml_parallel_parse.hpp):
// a text read by parse_yaml_in_pieces() at 2, 3 and 4 pieces against one
// plain yaml-cpp parse of the whole text (YAML::Parser over a stringstream),
// event by event and to the exception. Shared by the libFuzzer target
// tests/fuzz/yaml_pieces_fuzz.cpp and tests/calendar/yaml_pieces_differential_test.cpp.

#include <cstddef>
#include <optional>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/parser.h>

#include "calendar/yaml_item_split.hpp"
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

// How `text` read in `pieces` pieces differs from the whole parse `whole`:
// nothing, or the first difference, said for a person.
inline std::optional<std::string> pieces_differ(const std::string& text, const outcome& whole, std::size_t pieces) {
  auto cut = read_with(text, event_cap(text),
                       [&](const std::string& t, event_log& log) { parse_yaml_in_pieces(t, log, pieces); });
  auto cuts = find_item_cuts(text, pieces);
  std::string where;
  for (const auto& c : cuts) where += fmt::format(" {}", c.line + 1);
  auto header = fmt::format("{} pieces (cut before line{}{})", pieces, cuts.empty() ? "s:" : "s", where);
  for (std::size_t i = 0; i < whole.events.size() || i < cut.events.size(); ++i) {
    auto expected = i < whole.events.size() ? whole.events[i] : std::string("(none)");
    auto got = i < cut.events.size() ? cut.events[i] : std::string("(none)");
    if (expected != got) return fmt::format("{}: event {}: whole [{}], pieces [{}]", header, i, expected, got);
  }
  if (cut.end != whole.end) return fmt::format("{}: end: whole [{}], pieces [{}]", header, whole.end, cut.end);
  return std::nullopt;
}

// The first difference at 2, 3 or 4 pieces, if any.
inline std::optional<std::string> any_pieces_differ(const std::string& text) {
  auto whole = read_with_plain_yaml_cpp(text);
  for (std::size_t pieces = 2; pieces <= 4; ++pieces)
    if (auto difference = pieces_differ(text, whole, pieces)) return difference;
  return std::nullopt;
}

}  // namespace herald::test
