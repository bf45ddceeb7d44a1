#include <catch2/catch.hpp>

#include "text/terminal.hpp"

using namespace herald;

TEST_CASE("terminal: colour on a terminal unless NO_COLOR is set and not empty", "[text][terminal]") {
  CHECK(colour_wanted(true, nullptr));
  CHECK(colour_wanted(true, ""));  // no-color.org: an empty value does not count
  CHECK_FALSE(colour_wanted(true, "1"));
  CHECK_FALSE(colour_wanted(true, "0"));  // any non-empty value
  CHECK_FALSE(colour_wanted(false, nullptr));
  CHECK_FALSE(colour_wanted(false, ""));
}

TEST_CASE("terminal: a file is not a terminal", "[text][terminal]") { CHECK_FALSE(is_terminal(-1)); }
