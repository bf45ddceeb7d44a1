// yaml-cpp over a calendar's `events:` list in pieces
// (calendar/yaml_parallel_parse.hpp, calendar/yaml_item_split.hpp): the cuts
// fall on items only, and the events, marks and errors handed on are those
// of one parse of the whole text.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/exceptions.h>

#include "calendar/yaml_document.hpp"
#include "calendar/yaml_event_pipe.hpp"
#include "calendar/yaml_item_split.hpp"
#include "calendar/yaml_parallel_parse.hpp"
#include "support/yaml_event_log.hpp"

using namespace herald;
using herald::test::event_log;
using herald::test::outcome;
using herald::test::read_with;
using herald::test::stop_here;
namespace fs = std::filesystem;

namespace {

outcome read_whole(const std::string& text) {
  return read_with(text, SIZE_MAX, [](const std::string& t, event_log& log) { parse_yaml_here(t, log); });
}
outcome read_in_pieces(const std::string& text, std::size_t threads, std::size_t stop_at = SIZE_MAX,
                       std::size_t piece_bytes = yaml_piece_bytes) {
  return read_with(text, stop_at,
                   [&](const std::string& t, event_log& log) { parse_yaml_in_pieces(t, log, threads, piece_bytes); });
}
// Whether the pieces read `text` to its end, with no fallback to the whole.
bool reads_in_pieces(const std::string& text, std::size_t threads, std::size_t piece_bytes = yaml_piece_bytes) {
  event_log log;
  return parse_yaml_in_pieces(text, log, threads, piece_bytes);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

std::string with_crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// The 0-based lines at which `text` is cut into `parts`.
std::vector<std::size_t> cut_lines(const std::string& text, std::size_t parts) {
  std::vector<std::size_t> lines;
  for (const auto& cut : find_item_cuts(text, parts)) {
    // The line number must be the cut's own.
    CHECK(cut.line == static_cast<std::size_t>(std::count(text.begin(), text.begin() + cut.offset, '\n')));
    CHECK((cut.offset == 0 || text[cut.offset - 1] == '\n'));
    lines.push_back(cut.line);
  }
  return lines;
}

std::string line_at(const std::string& text, std::size_t line) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < line; ++i) at = text.find('\n', at) + 1;
  return text.substr(at, text.find('\n', at) - at);
}

// A calendar of `count` items at indentation `indent`, each with what a
// cut must see past: `body(i)` is the item's lines after its "- id:" line,
// written at the item's content indentation ("{pad}" stands for it).
template <typename Body>
std::string calendar_of(std::size_t count, std::size_t indent, Body body) {
  std::string text = "version: 1\ntimezone: Europe/Paris\nnotes: |\n  - not an item\n  \"open\nevents:\n";
  std::string item_pad(indent, ' '), pad(indent + 2, ' ');
  for (std::size_t i = 0; i < count; ++i) {
    text += fmt::format("{}- id: item-{}\n", item_pad, i);
    auto lines = body(i);
    for (std::size_t at = 0; (at = lines.find("{pad}", at)) != std::string::npos;) lines.replace(at, 5, pad);
    text += lines;
  }
  return text;
}

// Every cut of `text` is at an item's "- id:" line, and there are as many
// as asked for.
void require_cuts_at_items(const std::string& text, std::size_t indent) {
  for (std::size_t parts : {2, 3, 4}) {
    auto lines = cut_lines(text, parts);
    INFO(parts << " parts");
    REQUIRE(lines.size() == parts - 1);
    for (auto line : lines) {
      INFO("line " << line + 1 << ": " << line_at(text, line));
      CHECK(line_at(text, line).rfind(std::string(indent, ' ') + "- id: item-", 0) == 0);
    }
  }
}

void require_same_as_whole(const std::string& text, std::size_t pieces, std::size_t piece_bytes = yaml_piece_bytes) {
  auto whole = read_whole(text);
  auto cut = read_in_pieces(text, pieces, SIZE_MAX, piece_bytes);
  INFO(pieces << " threads, pieces of " << piece_bytes << " bytes, whole: " << whole.end << ", " << whole.events.size()
              << " events");
  REQUIRE(cut.end == whole.end);
  REQUIRE(cut.events.size() == whole.events.size());
  for (std::size_t i = 0; i < whole.events.size(); ++i) {
    INFO("event " << i);
    REQUIRE(cut.events[i] == whole.events[i]);
  }
}

// Items that hold, at the list's own indentation, lines starting with
// "- " that are not items: inside quoted texts over lines (which yaml-cpp
// reads), and inside flow collections (which it does not, but a cut must
// not fall there either).
std::string quoted_lines(std::size_t i) {
  switch (i % 3) {
    case 0:
      return fmt::format("{{pad}}title: \"first line\n- not item {} \\\" still quoted\n{{pad}}  end\"\n", i);
    case 1:
      return fmt::format("{{pad}}title: 'it''s\n- not item {}\n{{pad}}  end'\n", i);
    default:
      return fmt::format("{{pad}}title: plain {}\n", i);
  }
}
std::string flow_lines(std::size_t i) {
  switch (i % 3) {
    case 0:
      return fmt::format("{{pad}}tags: [a, \"b\",\n- not item {},\n{{pad}}  c]\n", i);
    case 1:
      return fmt::format("{{pad}}vars: {{k: v,\n- not item {}: x}}\n", i);
    default:
      return fmt::format("{{pad}}title: plain {}\n", i);
  }
}

std::string tricky_but_valid(std::size_t i) {
  switch (i % 8) {
    case 0:  // a block scalar holding "- " lines and an unclosed quote
      return "{pad}description: |\n{pad}  - a line\n{pad}  say \"hi\n\n{pad}  # not a comment\n{pad}campaign: c\n";
    case 1:  // comments holding "- " and quotes
      return "# - not an item, \"no quote\n{pad}title: x # it's \"fine\n{pad}campaign: c\n";
    case 2:  // a nested list at the item's own indentation
      return "{pad}tags:\n{pad}- a\n{pad}- \"b\"\n{pad}steps:\n{pad}  - at: -1d\n";
    case 3:  // an empty value last: yaml-cpp marks it at the next item
      return "{pad}title: x\n{pad}url:\n";
    case 4:  // quoted texts over lines, indented
      return "{pad}title: \"one\n{pad}  two\"\n{pad}description: 'a\n\n{pad}  b'\n";
    case 5:  // a folded block with chomping, then a flow map over lines
      return "{pad}description: >-\n{pad}    text: with colon\n{pad}vars: {a: 1,\n{pad}  b: [2, 3]}\n";
    case 6:  // quotes inside plain text, and a plain text over lines
      return "{pad}title: 5\" screen, it's\n{pad}  more words\n{pad}where: a'b\"c\n";
    default:
      return "{pad}title: \"Event\"\n{pad}dates: [2027-01-01, 2027-02-01]\n";
  }
}

}  // namespace

TEST_CASE("yaml_item_split: cuts fall only on items, past quotes, flows, block scalars and comments", "[yaml]") {
  for (std::size_t indent : {0, 2, 4}) {
    INFO("indent " << indent);
    require_cuts_at_items(calendar_of(200, indent, quoted_lines), indent);
    require_cuts_at_items(calendar_of(200, indent, flow_lines), indent);
    require_cuts_at_items(calendar_of(200, indent, tricky_but_valid), indent);
    require_cuts_at_items(with_crlf(calendar_of(200, indent, tricky_but_valid)), indent);
  }
}

TEST_CASE("yaml_item_split: a cut falls at the first item past each share of the text", "[yaml]") {
  auto text = calendar_of(100, 2, [](std::size_t) { return std::string("{pad}title: x\n"); });
  auto cuts = find_item_cuts(text, 2);
  REQUIRE(cuts.size() == 1);
  // The first item at or past the middle.
  CHECK(cuts[0].offset >= text.size() / 2);
  auto item_before = text.rfind("\n  - id:", cuts[0].offset - 2) + 1;
  CHECK(item_before < text.size() / 2);
  CHECK(text.compare(cuts[0].offset, 8, "  - id: ") == 0);
}

TEST_CASE("yaml_item_split: no cut when in doubt", "[yaml]") {
  auto items = [](std::string extra) {
    return calendar_of(60, 2, [extra](std::size_t i) { return i == 45 ? extra : std::string("{pad}title: x\n"); });
  };
  auto plain = items("{pad}title: y\n");
  REQUIRE(cut_lines(plain, 2).size() == 1);  // the base is cut, each variant below is not
  const std::pair<const char*, std::string> doubts[] = {
      {"an anchor", items("{pad}title: &a y\n")},
      {"an alias", items("{pad}title: *a\n")},
      {"a tag", items("{pad}title: !custom y\n")},
      {"a second document", items("---\na: 1\n")},
      {"a document end", items("...\n")},
      {"a directive", "%YAML 1.2\n---\n" + plain},
      {"a tab", items("{pad}title:\ty\n")},
      {"a lone CR", items("{pad}title: y\r{pad}url: z\n")},
      {"a NUL", items(std::string("{pad}title: y") + '\0' + "\n")},
      {"a byte-order mark", "\xEF\xBB\xBF" + plain},
      {"an indentation indicator", items("{pad}description: |2\n{pad}    y\n")},
      {"a key after the list", plain + "campaigns: {}\n"},
      {"odd indentation", items(" - id: odd\n")},
      {"an unclosed quote", items("{pad}title: \"y\n")},
      {"an unclosed flow", items("{pad}tags: [a,\n")},
      {"an indented root", "  " + plain},
      {"events in flow style", "version: 1\nevents: [\n" + std::string(1000, ' ') + "]\n"},
      {"no events", "version: 1\nnotes: |\n" + std::string(1000, 'x') + "\n"},
  };
  for (const auto& [what, text] : doubts) {
    INFO(what);
    CHECK(find_item_cuts(text, 2).empty());
  }
}

TEST_CASE("yaml_parallel_parse: the same events, marks and ends as one parse of the whole text", "[yaml]") {
  std::vector<std::string> texts;
  for (std::size_t indent : {0, 2}) {
    texts.push_back(calendar_of(300, indent, tricky_but_valid));
    texts.push_back(with_crlf(calendar_of(300, indent, tricky_but_valid)));
    texts.push_back(calendar_of(300, indent, quoted_lines));
    texts.push_back(calendar_of(3000, indent, [](std::size_t i) {
      return fmt::format("{{pad}}title: \"Événement {}\"\n{{pad}}dates: [2027-01-{:02}]\n{{pad}}campaign: c\n", i,
                         i % 28 + 1);
    }));
  }
  // Anchors and aliases before `events:` are the first piece's alone.
  texts.push_back("base: &b {k: v}\nuse: *b\n" + calendar_of(300, 2, tricky_but_valid));
  for (const auto& text : texts) {
    INFO(text.substr(0, 300));
    REQUIRE(read_whole(text).end == "done");
    REQUIRE(find_item_cuts(text, 4).size() == 3);
    for (std::size_t pieces : {2, 3, 4}) {
      require_same_as_whole(text, pieces);
      CHECK(reads_in_pieces(text, pieces));
    }
  }
}

TEST_CASE("yaml_parallel_parse: many pieces a thread, parsed in turn, give the events of the whole text", "[yaml]") {
  std::vector<std::string> texts;
  for (std::size_t indent : {0, 2}) {
    texts.push_back(calendar_of(300, indent, tricky_but_valid));
    texts.push_back(with_crlf(calendar_of(300, indent, quoted_lines)));
  }
  texts.push_back("base: &b {k: v}\nuse: *b\n" + calendar_of(300, 2, tricky_but_valid));
  for (const auto& text : texts) {
    INFO(text.substr(0, 300));
    // About 12 pieces, and a piece an item (as small as a piece can be).
    for (std::size_t piece_bytes : {text.size() / 12, std::size_t{1}}) {
      REQUIRE(find_item_cuts(text, text.size() / piece_bytes).size() >= 11);
      for (std::size_t threads : {2, 3}) {
        require_same_as_whole(text, threads, piece_bytes);
        CHECK(reads_in_pieces(text, threads, piece_bytes));
      }
    }
  }
}

TEST_CASE("yaml_parallel_parse: a cut inside a quote that the scan took for closed is not used", "[yaml]") {
  // A plain text over lines whose second line starts with a quote: the
  // scan takes it for an opening quote, then the next real opening quote
  // for its end, so it cuts inside that real quote at "- not an item".
  // yaml-cpp ends the first piece's quote at its end without an error:
  // the pieces must notice, and the whole text is read at once. (The ": "
  // after the real quote's opening is a key to the scan, which then cuts
  // after that line.)
  auto text = calendar_of(400, 2, [](std::size_t i) {
    return fmt::format(
        "{{pad}}title: plain\n{{pad}}  \"words\n{{pad}}description: \"open: x\n  - not an item {}\n{{pad}}  end\"\n",
        i);
  });
  REQUIRE(read_whole(text).end == "done");
  std::size_t fooled = 0;
  for (std::size_t pieces = 2; pieces <= 8; ++pieces) {
    auto lines = cut_lines(text, pieces);
    REQUIRE(lines.size() == pieces - 1);
    for (auto line : lines) fooled += line_at(text, line).rfind("  - not an item", 0) == 0;
    require_same_as_whole(text, pieces);
  }
  REQUIRE(fooled > 0);
  // Two threads, each parsing a run of pieces in turn: the first cut
  // inside a quote ends a piece of the first thread's run past its first
  // (handed on as it is parsed) or one of the second's (recorded). Only
  // every fifth item fools the scan here, so that cuts before it are good.
  text = calendar_of(400, 2, [](std::size_t i) {
    if (i % 5 != 4) return fmt::format("{{pad}}title: plain {}\n{{pad}}description: words\n", i);
    return fmt::format(
        "{{pad}}title: plain\n{{pad}}  \"words\n{{pad}}description: \"open: x\n  - not an item {}\n{{pad}}  end\"\n",
        i);
  });
  REQUIRE(read_whole(text).end == "done");
  std::size_t fooled_in_first_run = 0, fooled_in_second_run = 0;
  for (std::size_t pieces = 4; pieces <= 40; ++pieces) {
    auto lines = cut_lines(text, pieces);
    REQUIRE(lines.size() == pieces - 1);
    auto first_fooled = std::find_if(lines.begin(), lines.end(), [&](std::size_t line) {
      return line_at(text, line).rfind("  - not an item", 0) == 0;
    });
    auto cut = static_cast<std::size_t>(first_fooled - lines.begin());  // piece `cut` ends there
    if (cut >= 1 && cut < pieces / 2) ++fooled_in_first_run;
    if (cut >= pieces / 2 && cut < lines.size()) ++fooled_in_second_run;
    INFO(pieces << " pieces, the first cut inside a quote ends piece " << cut);
    require_same_as_whole(text, 2, text.size() / pieces + 1);  // `pieces` pieces of at most that
  }
  CHECK(fooled_in_first_run > 0);
  CHECK(fooled_in_second_run > 0);
}

TEST_CASE("yaml_parallel_parse: the bad-calendar corpus reads the same in pieces", "[yaml]") {
  std::size_t cut = 0, files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(HERALD_SOURCE_DIR) / "tests/data")) {
    if (entry.path().extension() != ".yaml") continue;
    auto text = read_file(entry.path());
    ++files;
    // Each file as it is, and with its list repeated so that pieces fall
    // inside it.
    std::string longer = text;
    if (auto events = text.find("\nevents:\n"); events != std::string::npos)
      for (int i = 0; i < 3; ++i) longer += text.substr(events + 9);
    for (const auto& variant : {text, longer}) {
      INFO(entry.path().string());
      if (!find_item_cuts(variant, 3).empty()) ++cut;
      for (std::size_t pieces : {2, 3}) require_same_as_whole(variant, pieces);
      require_same_as_whole(variant, 2, 1);  // a piece an item
    }
  }
  CHECK(files > 50);
  CHECK(cut > 20);  // the corpus does exercise the pieces
}

TEST_CASE("yaml_parallel_parse: an error in the first, a middle or the last piece is the whole parse's", "[yaml]") {
  auto body = [](std::size_t) { return std::string("{pad}title: x\n{pad}campaign: c\n"); };
  const std::size_t count = 400;
  // Errors the cut's scan does not see, met in a piece; and one it does
  // (a bracket left open), where nothing is cut.
  const std::pair<const char*, bool> errors[] = {
      {"{pad}title: a: b\n", true},             // yaml-cpp: mapping values are not allowed here
      {"{pad}title: x\n{pad} url: y\n", true},  // bad indentation of a key
      {"{pad}tags: [a, b\n{pad}campaign: c\n", false},
  };
  for (const auto& [error, cut] : errors) {
    for (std::size_t bad : {std::size_t{1}, count / 2, count - 2}) {
      auto text = calendar_of(count, 2, [&](std::size_t i) { return i == bad ? std::string(error) : body(i); });
      INFO("error " << error << " in item " << bad);
      auto whole = read_whole(text);
      REQUIRE(whole.end.rfind("yaml-cpp: ", 0) == 0);
      for (std::size_t pieces : {2, 3, 4}) {
        REQUIRE(find_item_cuts(text, pieces).size() == (cut ? pieces - 1 : 0));
        require_same_as_whole(text, pieces);
      }
    }
  }
}

TEST_CASE("yaml_parallel_parse: an error in any piece of a thread's run is the whole parse's", "[yaml]") {
  auto body = [](std::size_t) { return std::string("{pad}title: x\n{pad}campaign: c\n"); };
  const std::size_t count = 400;
  // With 16 pieces over 2 threads, items 1 and 100 are in the first
  // thread's run (its first piece and a middle one), 250 and 398 in the
  // second's (a middle piece and its last).
  for (const char* error : {"{pad}title: a: b\n", "{pad}title: x\n{pad} url: y\n"}) {
    for (std::size_t bad : {std::size_t{1}, std::size_t{100}, std::size_t{250}, count - 2}) {
      auto text = calendar_of(count, 2, [&](std::size_t i) { return i == bad ? std::string(error) : body(i); });
      INFO("error " << error << " in item " << bad);
      REQUIRE(read_whole(text).end.rfind("yaml-cpp: ", 0) == 0);
      REQUIRE(find_item_cuts(text, 16).size() == 15);
      for (std::size_t threads : {2, 3}) {
        require_same_as_whole(text, threads, text.size() / 16);
        require_same_as_whole(text, threads, 1);
      }
    }
  }
}

TEST_CASE("yaml_parallel_parse: an error in a piece gives the loader's message of the serial path", "[yaml]") {
  // Large enough to be read in pieces by yaml_document itself; the same
  // text with a tab in a last comment is never cut, so it is read whole.
  const std::size_t count = 6000;
  for (const char* error : {"{pad}title: a: b\n", "{pad}title: x\n{pad}title: y\n", "{pad}title: x\n{pad} url: y\n"}) {
    for (std::size_t bad : {std::size_t{3}, count / 2, count - 3}) {
      auto text = calendar_of(count, 2, [&](std::size_t i) {
        return i == bad ? std::string(error) : std::string("{pad}title: some title\n{pad}campaign: c\n");
      });
      auto uncut = text + "#\tnever cut\n";
      INFO(error << " in item " << bad << ", " << yaml_pieces_for(text) << " pieces");
      REQUIRE(yaml_pieces_for(text) == yaml_pieces_for(uncut));
      REQUIRE(find_item_cuts(text, 2).size() == 1);
      REQUIRE(find_item_cuts(uncut, 2).empty());
      auto cut = yaml_document::read_all(text, "cal.yaml");
      auto whole = yaml_document::read_all(uncut, "cal.yaml");
      REQUIRE(std::holds_alternative<std::vector<diagnostic>>(whole));
      REQUIRE(std::holds_alternative<std::vector<diagnostic>>(cut));
      const auto& expected = std::get<std::vector<diagnostic>>(whole);
      const auto& got = std::get<std::vector<diagnostic>>(cut);
      REQUIRE(got.size() == expected.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].message == expected[i].message);
        CHECK(got[i].hint == expected[i].hint);
        CHECK(got[i].mark.line == expected[i].mark.line);
        CHECK(got[i].mark.col == expected[i].mark.col);
      }
      CHECK(expected.back().mark.line >= static_cast<int>(7 + 3 * bad));  // at the bad item, not before
    }
  }
}

TEST_CASE("yaml_parallel_parse: the handler can stop in any piece, and every thread ends", "[yaml]") {
  auto text = calendar_of(2000, 2, tricky_but_valid);
  auto whole = read_whole(text);
  for (std::size_t stop_at : {std::size_t{0}, std::size_t{5}, whole.events.size() / 3, whole.events.size() / 2,
                              whole.events.size() * 3 / 4, whole.events.size() - 1}) {
    for (auto [threads, piece_bytes] :
         {std::pair{std::size_t{4}, yaml_piece_bytes}, std::pair{std::size_t{4}, text.size() / 20},
          std::pair{std::size_t{2}, text.size() / 20}}) {
      auto cut = read_in_pieces(text, threads, stop_at, piece_bytes);
      INFO("stop at " << stop_at << ", " << threads << " threads, pieces of " << piece_bytes << " bytes");
      CHECK(cut.end == "stopped");
      REQUIRE(cut.events.size() == stop_at);
      CHECK(std::equal(cut.events.begin(), cut.events.end(), whole.events.begin()));
    }
  }
}
