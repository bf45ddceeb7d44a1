#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "text/utf8.hpp"

using namespace herald;

namespace {

struct utf8_case {
  const char* name;
  std::string_view bytes;
  char32_t point;      // when valid
  std::size_t length;  // 0: invalid at the first byte
};

// One row per rule of RFC 3629 §4: the edges of each length, then every
// way a sequence can be wrong.
const utf8_case utf8_cases[] = {
    {"ASCII", "A", U'A', 1},
    {"NUL", std::string_view("\0", 1), 0, 1},
    {"U+007F, the last one-byte", "\x7f", 0x7f, 1},
    {"U+0080, the first two-byte", "\xc2\x80", 0x80, 2},
    {"é", "\xc3\xa9", 0xe9, 2},
    {"U+07FF, the last two-byte", "\xdf\xbf", 0x7ff, 2},
    {"U+0800, the first three-byte", "\xe0\xa0\x80", 0x800, 3},
    {"€", "\xe2\x82\xac", 0x20ac, 3},
    {"U+D7FF, just below the surrogates", "\xed\x9f\xbf", 0xd7ff, 3},
    {"U+E000, just above the surrogates", "\xee\x80\x80", 0xe000, 3},
    {"U+FFFF, the last three-byte", "\xef\xbf\xbf", 0xffff, 3},
    {"U+10000, the first four-byte", "\xf0\x90\x80\x80", 0x10000, 4},
    {"😀", "\xf0\x9f\x98\x80", 0x1f600, 4},
    {"U+10FFFF, the last code point", "\xf4\x8f\xbf\xbf", 0x10ffff, 4},
    {"a lone continuation byte", "\x80", 0, 0},
    {"overlong '/' in two bytes (C0)", "\xc0\xaf", 0, 0},
    {"overlong in two bytes (C1)", "\xc1\xbf", 0, 0},
    {"overlong in three bytes", "\xe0\x80\xaf", 0, 0},
    {"overlong U+07FF in three bytes", "\xe0\x9f\xbf", 0, 0},
    {"overlong in four bytes", "\xf0\x80\x80\xaf", 0, 0},
    {"overlong U+FFFF in four bytes", "\xf0\x8f\xbf\xbf", 0, 0},
    {"the first surrogate U+D800", "\xed\xa0\x80", 0, 0},
    {"the last surrogate U+DFFF", "\xed\xbf\xbf", 0, 0},
    {"past U+10FFFF (F4 90)", "\xf4\x90\x80\x80", 0, 0},
    {"past U+10FFFF (F5)", "\xf5\x80\x80\x80", 0, 0},
    {"FF never appears", "\xff", 0, 0},
    {"two-byte cut short", "\xc3", 0, 0},
    {"three-byte cut short", "\xe2\x82", 0, 0},
    {"four-byte cut short", "\xf0\x9f\x98", 0, 0},
    {"a continuation that is ASCII", "\xc3(", 0, 0},
    {"a third byte that is ASCII", "\xe2\x82(", 0, 0},
    {"a fourth byte that is a lead", "\xf0\x9f\x98\xc3", 0, 0},
};

}  // namespace

TEST_CASE("utf8: each sequence decodes or is invalid at its first byte", "[text][utf8]") {
  for (const auto& c : utf8_cases) {
    INFO(c.name);
    auto sequence = decode_utf8(c.bytes, 0);
    CHECK(sequence.length == c.length);
    CHECK(sequence.valid() == (c.length != 0));
    CHECK(sequence.point == (c.length ? c.point : U'\xfffd'));
    // After a valid prefix, the offset of the same sequence is found.
    auto text = std::string("ok ") + std::string(c.bytes) + " end";
    CHECK(find_invalid_utf8(text) == (c.length ? std::string_view::npos : 3));
    if (c.length) {
      std::string encoded;
      append_utf8(encoded, c.point);
      CHECK(encoded == c.bytes);
    }
  }
}

TEST_CASE("utf8: whole texts", "[text][utf8]") {
  CHECK(find_invalid_utf8("") == std::string_view::npos);
  CHECK(find_invalid_utf8("Ça coûte 5 €") == std::string_view::npos);
  CHECK(decode_utf8("aé€😀") == U"aé€😀");
  // Each byte of an invalid sequence is one U+FFFD.
  CHECK(decode_utf8("a\xed\xa0\x80z") == U"a\ufffd\ufffd\ufffdz");
  CHECK(utf8_count("aé€😀") == 4);
  CHECK(is_utf8_continuation('\x80'));
  CHECK_FALSE(is_utf8_continuation('\xc3'));
  CHECK_FALSE(is_utf8_continuation('a'));
}
