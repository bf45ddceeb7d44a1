#include <catch2/catch.hpp>

#include "text/one_line.hpp"

using namespace herald;

TEST_CASE("one_line: line breaks become spaces, nothing else changes", "[text][one_line]") {
  CHECK(one_line("a\nb\r\nc") == "a b  c");
  CHECK(one_line("tab\there \x1b[2J") == "tab\there \x1b[2J");
}

TEST_CASE("one_line: terminal_line shows controls instead of obeying them", "[text][one_line]") {
  CHECK(terminal_line("HTTP 404: \x1b[2Jgotcha\r\nnext\tcol") == "HTTP 404: \\x1b[2Jgotcha  next col");
  CHECK(terminal_line("bell\x07 del\x7f") == "bell\\x07 del\\x7f");
  CHECK(terminal_line("naïve €") == "naïve €");
  CHECK(terminal_line("c1 \u009b31m nbsp\u00a0") == "c1 \\u009b31m nbsp\u00a0");
}

TEST_CASE("one_line: control characters are C0, DEL and C1", "[text][one_line]") {
  CHECK(is_control(0));
  CHECK(is_control(0x1f));
  CHECK_FALSE(is_control(' '));
  CHECK_FALSE(is_control('~'));
  CHECK(is_control(0x7f));
  CHECK(is_control(0x9f));
  CHECK_FALSE(is_control(0xa0));
}
