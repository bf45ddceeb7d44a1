// The parallel parse (calendar/yaml_parallel_parse.hpp) against one plain
// yaml-cpp parse of the whole text, on generated calendar-shaped texts that
// mix what the cut scan of calendar/yaml_item_split.cpp must see past, and
// on what the fuzzer (tests/fuzz/yaml_pieces_fuzz.cpp) found. Why:
// docs/PERFORMANCE.md "2026-12-03, seventh session: the pieces checked against the whole".

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "calendar/yaml_item_split.hpp"
#include "support/yaml_pieces_check.hpp"

using herald::find_item_cuts;
using herald::test::any_pieces_differ;

namespace {

// A seeded maker of calendar-shaped YAML: a header, an `events:` list of
// items at indentation 0, 2 or 4 whose fields are drawn from the parts a
// scan can misread, sometimes keys after the list, and sometimes a byte
// change (tab, CR, BOM, a character dropped or doubled). Most texts are
// valid YAML and cut; the rest test the fallback.
class calendar_maker {
 public:
  explicit calendar_maker(std::uint32_t seed) : random_(seed) {}

  std::string make() {
    // One text in four has the parts that are doubts to the scan after
    // `events:` (anchors, aliases, tags, indentation indicators, document
    // markers, keys after the list, odd bytes): it is read whole, and must
    // be read the same.
    wild_ = chance(4);
    std::string text;
    if (chance(8)) text += "# a calendar\n";
    text += "version: 1\n";
    if (chance(4)) text += "timezone: Europe/Paris\n";
    if (chance(4)) text += "notes: |\n  - id: not-an-item\n  \"open\n";
    if (chance(6)) text += "defaults: &defaults\n  channel: mail\n";
    text += chance(5) ? "events:   # - id: comment\n" : "events:\n";
    item_pad_ = std::string(pick({0, 2, 2, 4}), ' ');
    pad_ = item_pad_ + "  ";
    auto items = 3 + pick(30);
    for (std::size_t i = 0; i < items; ++i) text += item(i);
    if (wild_ && chance(3)) text += "footer: after the list\n";
    if (wild_ && chance(3)) text += "...\n";
    if (chance(5)) text = with_crlf(text);
    if (wild_ && chance(2)) mutate(text);
    return text;
  }

 private:
  bool chance(std::uint32_t one_in) { return random_() % one_in == 0; }
  std::size_t pick(std::size_t n) { return random_() % n; }
  std::size_t pick(std::initializer_list<std::size_t> values) { return values.begin()[pick(values.size())]; }
  // Any indentation a line can have around the item's.
  std::string any_pad() { return std::string(pick(pad_.size() + 5), ' '); }

  std::string item(std::size_t i) {
    std::string text;
    if (chance(6)) text += any_pad() + "# - id: commented-" + std::to_string(i) + "\n";
    if (chance(12)) {
      text += item_pad_ + "-\n";  // an item whose fields start on the next line
      text += pad_ + fmt::format("id: item-{}\n", i);
    } else if (chance(12)) {
      text += item_pad_ + fmt::format("- \"item-{}\"\n", i);  // a bare scalar item
      return text;
    } else {
      text += item_pad_ + fmt::format("- id: item-{}\n", i);
    }
    auto fields = pick(5);
    for (std::size_t f = 0; f < fields; ++f) text += field(f);
    if (chance(8)) text += pad_ + "empty:\n";  // an empty value last
    return text;
  }

  std::string field(std::size_t f) {
    auto key = fmt::format("k{}", f);
    switch (pick(12)) {
      case 0:
        return block_scalar(key);
      case 1:
        return double_quoted(key);
      case 2:
        return single_quoted(key);
      case 3:
        return flow(key);
      case 4:
        return nested_list(key);
      case 5:
        if (!wild_) return fmt::format("{}\"{}\": 'quoted key' # \"\n", pad_, key);
        return fmt::format("{}{}: {}\n", pad_, key, chance(2) ? "&a anchored" : "*a");
      case 6:
        return fmt::format("{}{}: {}\n", pad_, key, std::string(200 + pick(1800), 'x'));
      case 7:
        return fmt::format("{}{}: plain # - id: comment\n{}# - id: x\n", pad_, key, any_pad());
      case 8:
        return fmt::format("{}{}: a plain\n{}  - {}its second line\n", pad_, key, pad_, wild_ ? "id: " : "");
      case 9:
        return fmt::format("{}{}:\n", pad_, key);
      case 10:
        return fmt::format("{}{}: {} \"#' - x\n", pad_, key, wild_ && chance(2) ? "!!str" : "plain'with");
      default:
        return fmt::format("{}{}: value\n", pad_, key);
    }
  }

  // "|" or ">", chomping, sometimes an indentation indicator; lines that
  // look like items, comments and document markers at every indentation.
  std::string block_scalar(const std::string& key) {
    std::string header(1, chance(2) ? '|' : '>');
    if (wild_ && chance(2)) header += std::to_string(1 + pick(4));
    if (chance(2)) header += chance(2) ? "-" : "+";
    std::string text = fmt::format("{}{}: {}{}\n", pad_, key, header, chance(6) ? " # - id" : "");
    // The first line sets the text's indentation; the others are as deep
    // or deeper (or, wild, anywhere: the block ends).
    auto lines = 1 + pick(5);
    for (std::size_t l = 0; l < lines; ++l) {
      auto pad = pad_ + std::string(2 + (l == 0 ? 0 : pick(4)), ' ');
      if (wild_ && chance(3)) pad = any_pad();
      switch (pick(6)) {
        case 0:
          text += pad + "- id: x\n";
          break;
        case 1:
          text += pad + "# - id: y\n";
          break;
        case 2:
          text += (wild_ ? any_pad() : pad) + (chance(2) ? "---" : "...") + "\n";
          break;
        case 3:
          text += "\n";
          break;
        case 4:
          text += pad + "\"open 'quote [ {\n";
          break;
        default:
          text += pad + "text\n";
          break;
      }
    }
    return text;
  }

  // Quoted texts over lines holding "\n- ", '#', markers and the other quote.
  std::string quoted_lines() {
    std::string text;
    auto lines = 1 + pick(3);
    for (std::size_t l = 0; l < lines; ++l) {
      switch (pick(5)) {
        case 0:
          text += fmt::format("\n{}- id: inside", item_pad_);
          break;
        case 1:
          text += fmt::format("\n{}# - id: not a comment", any_pad());
          break;
        case 2:
          text += fmt::format("\n{}{} x", wild_ ? "" : " ", chance(2) ? "---" : "...");
          break;
        case 3:
          text += fmt::format("\n\n{}  [ {{ more", pad_);
          break;
        default:
          text += fmt::format("\n{}  more", pad_);
          break;
      }
    }
    return text;
  }
  std::string double_quoted(const std::string& key) {
    return fmt::format("{}{}: \"it's{}{} \\\" end\"\n", pad_, key, quoted_lines(), chance(3) ? " \\\\" : "");
  }
  std::string single_quoted(const std::string& key) {
    return fmt::format("{}{}: 'it''s \"{}'\n", pad_, key, quoted_lines());
  }

  // Flow collections over lines, with "- " lines and '#' inside.
  std::string flow(const std::string& key) {
    switch (pick(4)) {
      case 0:
        return fmt::format("{}{}: [a, b,\n{}{}c, \"d\n- e\",\n{}  f]\n", pad_, key, item_pad_, wild_ ? "- " : "", pad_);
      case 1:
        return fmt::format("{}{}: {{a: 1, # - id: x\n{}b: [2, 3], c: '- x'}}\n", pad_, key, pad_ + "  ");
      case 2:
        return fmt::format("{}{}: [\n{}{}id: x\n{}]\n", pad_, key, item_pad_, wild_ ? "- " : "", pad_);
      default:
        return fmt::format("{}{}: [a, {{b: c}}, [d, e]]\n", pad_, key);
    }
  }

  // Sequences in an item: compact at the key's indentation, or deeper.
  std::string nested_list(const std::string& key) {
    auto inner = chance(2) ? pad_ : pad_ + "  ";
    std::string text = fmt::format("{}{}:\n", pad_, key);
    auto items = 1 + pick(3);
    for (std::size_t i = 0; i < items; ++i) {
      if (chance(3))
        text += fmt::format("{}- at: {}\n{}  note: x\n", inner, i, inner);
      else
        text += fmt::format("{}- {}\n", inner, chance(3) ? "- deeper" : "step");
    }
    return text;
  }

  static std::string with_crlf(const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c == '\n') out += '\r';
      out += c;
    }
    return out;
  }

  void mutate(std::string& text) {
    auto at = pick(text.size());
    switch (pick(6)) {
      case 0:
        text.insert(at, "\t");
        break;
      case 1:
        text.insert(at, "\r");
        break;
      case 2:
        text.insert(0, "\xEF\xBB\xBF");
        break;
      case 3:
        text.erase(at, 1);
        break;
      case 4:
        text.insert(at, 1, text[at]);
        break;
      default:
        text.insert(at, "\n---\n");
        break;
    }
  }

  std::mt19937 random_;
  bool wild_ = false;
  std::string item_pad_, pad_;
};

void require_same_as_whole(const std::string& text) {
  INFO("text:\n" << text);
  REQUIRE(any_pieces_differ(text).value_or("no difference") == "no difference");
}

}  // namespace

TEST_CASE("yaml_pieces_differential: generated calendars read in pieces as one whole parse", "[yaml]") {
  std::size_t cut = 0, documents = 600;
  for (std::uint32_t seed = 1; seed <= documents; ++seed) {
    calendar_maker maker(seed);
    auto text = maker.make();
    INFO("seed " << seed);
    auto difference = any_pieces_differ(text);
    if (difference) {
      INFO("text:\n" << text);
      FAIL(*difference);
    }
    if (!find_item_cuts(text, 2).empty()) ++cut;
  }
  // Most texts must be cut, or the comparison tests the fallback alone.
  INFO(cut << " of " << documents << " cut");
  CHECK(cut * 3 > documents);
}

// A tag or an anchor before a quote in the header (before `events:`): the
// quoted text over lines holds the `events:` key and items.
TEST_CASE("yaml_pieces_differential: a quote after a tag or anchor in the header is followed", "[yaml]") {
  for (const char* properties : {"!t", "&a", "!t &a", "&a !t", "!!str"}) {
    INFO(properties);
    auto text = fmt::format("x:\n- {} \"q\nevents:\n- id: 1\n- id: 2\n- id: 3\n- id: 4\"\n", properties);
    CHECK(find_item_cuts(text, 2).empty());
    require_same_as_whole(text);
  }
}

// The scan takes a plain scalar's second line starting with a quote for a
// quote, closed at the next quote, which is a tagged scalar's opening: the
// cut falls inside it, and the first piece's last scalar runs to its end
// behind a mark that stands at its tag.
TEST_CASE("yaml_pieces_differential: a tagged quote the scan took for a closing one is not cut", "[yaml]") {
  for (const char* properties : {"!t", "&a", "!t &a", "&a\n  # a comment\n  !t"}) {
    INFO(properties);
    auto text = fmt::format("s:\n- a\n  \"b\n- {} \"c\nevents:\n- id: 1\n- id: 2\n- id: 3\n- id: 4\"\n", properties);
    CHECK_FALSE(find_item_cuts(text, 2).empty());  // the scan is fooled: the parse must see it
    require_same_as_whole(text);
  }
}
// Found by tests/fuzz/yaml_pieces_fuzz.cpp: a plain scalar alone at an
// item's mapping indentation is a key to yaml-cpp, which then fails on the
// next line's key ("illegal map value") in the whole file, but not in a
// piece that ends before that line.
// Found by the fuzzer: yaml-cpp reads a line starting with "," as empty
// documents without end; both reads stop at the same event.
TEST_CASE("yaml_pieces_differential: documents without end stop alike", "[yaml]") {
  std::string text = ",ersion: 1\ntimezone: Europe/London\ndefaults:\n  chCnnels: [staff]\nevents:\n";
  CHECK(herald::test::read_with_plain_yaml_cpp(text).end == "stopped");
  require_same_as_whole(text);
  require_same_as_whole(text + "- id: a\n- id: b\n- id: c\n");
}

TEST_CASE("yaml_pieces_differential: no cut after a line holding a scalar with no key", "[yaml]") {
  for (const char* text : {
           "events:\n- id: a\n  b\n- id: b\n  x: y\n",
           "events:\n- id: a\n  b\n\n  # a comment\n- id: b\n  x: y\n",
           "events:\n- id: a\n  \"b\n  c\"\n- id: b\n  x: y\n",
           "events:\n  - id: a\n    every: June 23\n    until8]\n  - id: b\n    x: y\n",
           "events:\n- id: a\n  b\n- c\n- id: d\n  x: y\n",
       }) {
    CHECK(find_item_cuts(text, 2).empty());
    require_same_as_whole(text);
  }
  // The fuzzer's own find, as it was.
  require_same_as_whole(
      "version: 1\ntimezone: CET\ndefaults:\n  channels: [staff]\nevents:\n  - id: inwed\n    title: 1-03-08]\n"
      "  - id: old-week\n    title: An old week\n    every: June 23\n    until8]\n  - id: old-week\n"
      "    title: An old we\n    every: June 23\n");
}
