#include <catch2/catch.hpp>

#include <string>

#include <boost/json.hpp>

#include "text/json_string.hpp"

using namespace herald;

namespace {

std::string ours(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// boost::json::serialize is the reference: preview's JSON was written by it
// before, and must stay byte for byte the same.
std::string boosts(std::string_view text) { return boost::json::serialize(boost::json::string(text)); }

}  // namespace

TEST_CASE("json_string: every single byte is escaped as boost::json::serialize escapes it", "[text][json]") {
  for (int b = 0; b < 256; ++b) {
    std::string one(1, static_cast<char>(b));
    INFO("byte " << b);
    CHECK(ours(one) == boosts(one));
    // Inside a run long enough for the eight-at-a-time scan, at each place in it.
    for (std::size_t at = 0; at < 17; ++at) {
      std::string longer = std::string(at, 'a') + one + std::string(17 - at, 'z');
      CHECK(ours(longer) == boosts(longer));
    }
  }
}

TEST_CASE("json_string: quotes, backslashes, controls, UTF-8 and invalid UTF-8 as boost writes them", "[text][json]") {
  const std::string tricky[] = {
      "",
      "plain text, long enough to take the fast path twice over",
      R"(say "hi" \ and \\ "")",
      std::string("nul\0in the middle", 17),
      "\b\f\n\r\t\x0b\x01\x1f\x7f",
      "naïve € 𝄞 ü",
      "\xff\xfe invalid \xc3 cut \xe2\x82 short \x80 lone \xed\xa0\x80 surrogate",
      "\x1f\"\\\x20\x21\x5b\x5d\x5c\x22\x19",
      std::string(40, '\\') + std::string(40, '"') + std::string(40, '\x01'),
  };
  for (const auto& text : tricky) {
    INFO(boosts(text));
    CHECK(ours(text) == boosts(text));
  }
  CHECK(ours("a\"b\\c\nd\x01") == R"("a\"b\\c\nd\u0001")");
}

TEST_CASE("json_string: appends, leaving what the buffer held", "[text][json]") {
  std::string out = "{\"k\":";
  append_json_string(out, "v\n");
  CHECK(out == "{\"k\":\"v\\n\"");
}
