#include <algorithm>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "calendar/yaml_document.hpp"

using namespace herald;

namespace {

diagnostic read_error(const std::string& text) {
  auto result = yaml_document::read(text, "t.yaml");
  REQUIRE(std::holds_alternative<diagnostic>(result));
  return std::get<diagnostic>(result);
}

}  // namespace

TEST_CASE("yaml: nodes remember their line and column", "[yaml]") {
  std::string text = "a: 1\nb:\n  - x\n  - \"y z\"\n";
  auto result = yaml_document::read(text, "t.yaml");
  auto& doc = std::get<yaml_document>(result);
  auto b = doc.root().find("b");
  REQUIRE(b);
  REQUIRE(b->items().size() == 2);
  CHECK(b->items()[1].scalar() == "y z");
  CHECK(b->items()[1].mark().line == 4);
  CHECK(b->items()[1].mark().col == 5);
  CHECK(b->items()[1].mark_at(2).col == 8);  // past the quote: 'z'
}

TEST_CASE("yaml: duplicate keys are errors, unlike yaml-cpp's default", "[yaml]") {
  auto e = read_error("title: a\nid: x\ntitle: b\n");
  CHECK(e.mark.line == 3);
  CHECK(e.mark.col == 1);
  CHECK(e.message == "duplicate key 'title' (first given on line 1)");
}

TEST_CASE("yaml: bytes that are not UTF-8 are errors with their position", "[yaml]") {
  auto e = read_error("title: caf\xe9\n");
  CHECK(e.message == "invalid UTF-8 byte 0xE9");
  CHECK(e.mark.line == 1);
  CHECK(e.mark.col == 11);
  CHECK(read_error("a: \xc0\xaf\n").message == "invalid UTF-8 byte 0xC0");  // overlong '/'
  CHECK(read_error("a: b\x01\n").message == "control character 0x01 in the text");
  CHECK(read_error("a: \xed\xa0\x80\n").message == "invalid UTF-8 byte 0xED");      // a surrogate
  CHECK(read_error("a: \xf4\x90\x80\x80\n").message == "invalid UTF-8 byte 0xF4");  // past U+10FFFF
  auto cut = read_error("a: ok\nb: \xe2\x82\n");                                    // cut short
  CHECK(cut.message == "invalid UTF-8 byte 0xE2");
  CHECK(cut.mark.line == 2);
  CHECK(cut.mark.col == 4);
}

TEST_CASE("yaml: a bad byte is found at every place of a long line, eight-byte checks or not", "[yaml]") {
  // Given a 40-byte value with one bad byte at each place in turn (the
  // check looks at eight printable bytes at a time, then byte by byte),
  // then each is reported at its own column; tabs, DEL's neighbours and
  // valid UTF-8 around it are no error.
  using namespace std::literals;
  for (auto bad : {"\x00"sv, "\x01"sv, "\x1f"sv, "\x7f"sv, "\x80"sv, "\xff"sv, "\xc0\xaf"sv}) {
    for (std::size_t at = 0; at < 40; ++at) {
      std::string value(40, 'a');
      value.replace(at, 1, bad);
      auto e = read_error("title: \"" + value + "\"\n");
      INFO(fmt::format("byte 0x{:02X} at {}", static_cast<unsigned char>(bad[0]), at));
      CHECK(e.mark.line == 1);
      CHECK(e.mark.col == static_cast<int>(9 + at));
    }
  }
  auto ok = yaml_document::read("title: \"\t ~}{ caf\xc3\xa9 \xe2\x82\xac \x7e\x20 0123456789 \xf0\x9f\x8e\x89\"\n",
                                "t.yaml");
  CHECK(std::holds_alternative<yaml_document>(ok));
}

TEST_CASE("yaml: a bad byte between line feeds is found at its line and column", "[yaml]") {
  // Given a block of short lines (line feeds inside the eight-byte checks)
  // with one bad byte at each place in turn, then it is reported where it is.
  using namespace std::literals;
  std::string block = "text: |\n";
  for (int i = 0; i < 8; ++i) block += std::string("  ") + std::string(static_cast<std::size_t>(i % 4), 'x') + "\n";
  for (auto bad : {"\x01"sv, "\x1f"sv, "\x7f"sv, "\x80"sv, "\t\x0b"sv}) {
    for (std::size_t at = 9; at < block.size(); ++at) {
      if (block[at] == '\n' || block[at] == ' ') continue;
      auto text = block;
      text.replace(at, 1, bad);
      auto offset = at + (bad.size() - 1);  // a tab before the bad byte is fine
      auto line_start = text.rfind('\n', offset - 1) + 1;
      auto e = read_error(text);
      INFO(fmt::format("byte 0x{:02X} at {}", static_cast<unsigned char>(bad.back()), at));
      CHECK(e.mark.line ==
            static_cast<int>(1 + std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n')));
      CHECK(e.mark.col == static_cast<int>(1 + offset - line_start));
    }
  }
}

TEST_CASE("yaml: the quoted line shows each byte of an invalid sequence in hex", "[yaml]") {
  // The decoder is strict (text/utf8.hpp): an overlong form or a surrogate
  // is shown as bytes, never passed raw to the terminal (it was before).
  for (std::string_view bytes : {"\xe0\x80\xaf", "\xed\xa0\x80"}) {
    auto source = std::string("title: x") + std::string(bytes) + "y\n";
    auto e = read_error(source);
    auto shown = format_diagnostic(e, source);
    INFO(shown);
    auto escaped = fmt::format("\\x{:02X}\\x{:02X}\\x{:02X}", static_cast<unsigned char>(bytes[0]),
                               static_cast<unsigned char>(bytes[1]), static_cast<unsigned char>(bytes[2]));
    CHECK(shown.find(" 1 | title: x" + escaped + "y\n") != std::string::npos);
    CHECK(shown.find("   |         ^\n") != std::string::npos);  // under the first byte
  }
}

TEST_CASE("yaml: hostile shapes end quickly with an error", "[yaml]") {
  CHECK(read_error(std::string(100000, '[')).message == "the YAML is nested too deeply");
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  }
  CHECK(read_error(bomb).message == "aliases expand to too many nodes");
  CHECK(read_error("a: 1\n---\nb: 2\n").message == "a file holds one YAML document; remove the second '---'");
  auto unclosed = read_error("a: 1\nb: [1, 2\n");
  CHECK(unclosed.message == "a list opened with '[' is never closed");
  CHECK(unclosed.mark.line == 2);  // at the '[', not where the parser gave up
  CHECK(unclosed.mark.col == 4);
  CHECK(read_error("a: \"open\n").message == "a quoted text is never closed");
}

TEST_CASE("yaml: a streamed sequence hands over each item and keeps none", "[yaml]") {
  std::string text = "events:\n  - id: a\n  - id: b\n  - id: c\nafter: 1\n";
  std::vector<std::string> ids;
  std::vector<int> lines;
  auto result = yaml_document::read(text, "t.yaml", {}, "events", [&](yaml_ref item) {
    ids.emplace_back(item.find("id")->scalar());
    lines.push_back(item.mark().line);
  });
  auto& doc = std::get<yaml_document>(result);
  CHECK(ids == std::vector<std::string>{"a", "b", "c"});
  CHECK(lines == std::vector<int>{2, 3, 4});
  CHECK(doc.streamed_items() == 3);
  CHECK(doc.root().find("events")->size() == 0);
  CHECK(doc.root().find("after")->scalar() == "1");
}

TEST_CASE("yaml: while items stream, the root holds the keys before them", "[yaml]") {
  std::string text = "first: 1\nsecond: [a, b]\nevents:\n  - id: a\n  - id: b\nafter: 2\n";
  std::vector<std::string> seen;
  auto result = yaml_document::read(text, "t.yaml", {}, "events", [&](yaml_ref item) {
    auto root = item.document_root();
    seen.push_back(fmt::format("{} {} {} {}", root.find("first")->scalar(), root.find("second")->size(),
                               root.find("after").has_value(), item.source_to_end().substr(0, 6)));
  });
  REQUIRE(std::holds_alternative<yaml_document>(result));
  CHECK(seen == std::vector<std::string>{"1 2 false id: a\n", "1 2 false id: b\n"});
  CHECK(std::get<yaml_document>(result).root().find("after")->scalar() == "2");
}

TEST_CASE("yaml: aliases are followed without copying", "[yaml]") {
  std::string text = "base: &b {x: 1}\nuse: *b\n";
  auto result = yaml_document::read(text, "t.yaml");
  auto& doc = std::get<yaml_document>(result);
  CHECK(doc.root().find("use")->find("x")->scalar() == "1");
}
