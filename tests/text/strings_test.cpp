#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "text/strings.hpp"

using namespace herald;

TEST_CASE("strings: trim removes spaces, tabs, CR and LF at both ends", "[text][strings]") {
  CHECK(trim("  a b \t\r\n") == "a b");
  CHECK(trim("\r\n\tx") == "x");
  CHECK(trim("   ").empty());
  CHECK(trim("").empty());
  CHECK(trim("\vx\f") == "\vx\f");  // only the four
}

TEST_CASE("strings: ASCII case", "[text][strings]") {
  CHECK(ascii_lower("RRULE:Freq=Ü") == "rrule:freq=Ü");
  CHECK(ascii_upper("byday=mo") == "BYDAY=MO");
  CHECK(iequals("Retry-After", "retry-after"));
  CHECK_FALSE(iequals("Retry-After", "Retry-Afte"));
  CHECK_FALSE(iequals("@", "`"));  // not letters: no case to ignore
  CHECK(istarts_with("RETRY-AFTER: 5", "retry-after:"));
  CHECK_FALSE(istarts_with("retry", "retry-after:"));
}

TEST_CASE("strings: digits and line breaks", "[text][strings]") {
  CHECK(all_digits("0123"));
  CHECK_FALSE(all_digits(""));
  CHECK_FALSE(all_digits("12a"));
  CHECK_FALSE(all_digits("+1"));
  CHECK(has_line_break("a\nb"));
  CHECK(has_line_break("a\rb"));
  CHECK_FALSE(has_line_break("a\tb"));
}

TEST_CASE("strings: parse_integer takes the whole text, in range", "[text][strings]") {
  CHECK(parse_integer<int>("42") == 42);
  CHECK(parse_integer<int>("007") == 7);
  CHECK(parse_integer<int>("-3") == -3);
  CHECK(parse_integer<int>("+3") == 3);
  CHECK(parse_integer<int>("") == std::nullopt);
  CHECK(parse_integer<int>("-") == std::nullopt);
  CHECK(parse_integer<int>("+-3") == std::nullopt);
  CHECK(parse_integer<int>(" 1") == std::nullopt);
  CHECK(parse_integer<int>("1 ") == std::nullopt);
  CHECK(parse_integer<int>("12abc") == std::nullopt);
  CHECK(parse_integer<int>("2147483647") == 2147483647);
  CHECK(parse_integer<int>("2147483648") == std::nullopt);
  CHECK(parse_integer<int>("-2147483648") == std::numeric_limits<int>::min());
  CHECK(parse_integer<int>("-2147483649") == std::nullopt);
  CHECK(parse_integer<long long>("-9223372036854775808") == std::numeric_limits<long long>::min());
  CHECK(parse_integer<std::uintmax_t>("18446744073709551615") == std::numeric_limits<std::uintmax_t>::max());
  CHECK(parse_integer<std::uintmax_t>("18446744073709551616") == std::nullopt);
  // A sign only where the range has negative numbers.
  CHECK(parse_integer<unsigned>("-1") == std::nullopt);
  CHECK(parse_integer<unsigned>("+1") == std::nullopt);
  CHECK(parse_integer<int>("+1", 0, 10) == std::nullopt);
  // The range.
  CHECK(parse_integer<int>("100", 1, 100) == 100);
  CHECK(parse_integer<int>("101", 1, 100) == std::nullopt);
  CHECK(parse_integer<int>("0", 1, 100) == std::nullopt);
  CHECK(parse_integer<int>("-5", -4, 4) == std::nullopt);
  CHECK(parse_integer<int>("-4", -4, 4) == -4);
  CHECK(parse_integer<int>("-1", -4, -2) == std::nullopt);
  CHECK(parse_integer<unsigned>("65535", 0, 65535) == 65535u);
  CHECK(parse_integer<unsigned>("65536", 0, 65535) == std::nullopt);
}
