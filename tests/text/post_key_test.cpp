#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "test_support.hpp"
#include "text/post_key.hpp"

using namespace herald;
using herald::test::day;

namespace {

// The key parsed and written again, or "refused".
std::string round_trip(std::string_view text) {
  auto key = post_key::parse(text);
  return key ? key->str() : "refused";
}

}  // namespace

TEST_CASE("post_key: writes <event>/<start>/<at>/<channel>", "[post_key]") {
  post_key key{"inwed", day(2027, 6, 23), {false, -28}, "edi-team"};
  CHECK(key.str() == "inwed/2027-06-23/-28d/edi-team");
  CHECK(format_post_key("inwed", day(2027, 6, 23), {false, -28}, "edi-team") == key.str());
  CHECK(post_key{"a", day(999, 1, 2), {}, "c"}.str() == "a/0999-01-02/0d/c");  // the year in four digits
}

TEST_CASE("post_key: each form of 'at'", "[post_key]") {
  CHECK(format_key_offset({false, 0}) == "0d");
  CHECK(format_key_offset({false, -28}) == "-28d");
  CHECK(format_key_offset({false, 1}) == "+1d");
  CHECK(format_key_offset({true, 0}) == "end");
  CHECK(format_key_offset({true, 1}) == "end+1d");
  CHECK(format_key_offset({true, -2}) == "end-2d");
  for (auto [text, at] : {std::pair{"0d", key_offset{false, 0}}, std::pair{"-28d", key_offset{false, -28}},
                          std::pair{"+1d", key_offset{false, 1}}, std::pair{"end", key_offset{true, 0}},
                          std::pair{"end+1d", key_offset{true, 1}}, std::pair{"end-2d", key_offset{true, -2}},
                          std::pair{"-3660d", key_offset{false, -3660}}}) {
    auto key = post_key::parse(fmt::format("e/2027-06-23/{}/c", text));
    REQUIRE(key);
    CHECK(key->at == at);
    CHECK(key->str() == fmt::format("e/2027-06-23/{}/c", text));
  }
}

TEST_CASE("post_key: parsing gives the parts back", "[post_key]") {
  auto key = post_key::parse("pride-month-2027/2027-06-01/end+1d/staff.slack_2");
  REQUIRE(key);
  CHECK(*key == post_key{"pride-month-2027", day(2027, 6, 1), {true, 1}, "staff.slack_2"});
  CHECK(round_trip("herald-test/2027-01-03/0d/my-channel") == "herald-test/2027-01-03/0d/my-channel");
  CHECK(round_trip("inwed/2027-06-23/-28d/edi-team") == "inwed/2027-06-23/-28d/edi-team");
}

TEST_CASE("post_key: anything but a key as str() writes it is refused", "[post_key]") {
  for (auto text : {
           "",
           "inwed",
           "inwed/2027-06-23/-28d",            // three parts
           "inwed/2027-06-23/-28d/edi/more",   // five
           "/2027-06-23/-28d/edi",             // no event
           "inwed/2027-06-23/-28d/",           // no channel
           "inwed//-28d/edi",                  // no date
           "inwed/2027-6-23/-28d/edi",         // not YYYY-MM-DD
           "inwed/2027-02-30/-28d/edi",        // no such day
           "inwed/2027-06-23//edi",            // no at
           "inwed/2027-06-23/0/edi",           // at as written in a calendar, not in a key
           "inwed/2027-06-23/-4w/edi",         //
           "inwed/2027-06-23/+0d/edi",         // zero has no sign
           "inwed/2027-06-23/-0d/edi",         //
           "inwed/2027-06-23/28d/edi",         // others have one
           "inwed/2027-06-23/end+0d/edi",      //
           "inwed/2027-06-23/end28d/edi",      //
           "inwed/2027-06-23/+-1d/edi",        //
           "inwed/2027-06-23/-028d/edi",       // no leading zero
           "inwed/2027-06-23/END/edi",         // lower case only
           "inwed/2027-06-23/-99999999999d/e"  // out of range
       })
    CHECK(round_trip(text) == "refused");
}
