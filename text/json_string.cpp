#include "text/json_string.hpp"

#include <cstdint>
#include <cstring>

namespace herald {

namespace {

// What follows the backslash for each byte that needs one: a name, 'u' for
// \u00xx, 0 for none.
constexpr char escape_of(unsigned char c) {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '\b':
      return 'b';
    case '\f':
      return 'f';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\t':
      return 't';
    default:
      return c < 0x20 ? 'u' : '\0';
  }
}

// Where the run of bytes from `i` that need no escape ends, checked eight at
// a time (a SWAR test): most text has no escape, and a byte at a time was
// most of the cost of writing it.
std::size_t plain_run(std::string_view text, std::size_t i) {
  constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  // Non-zero when some byte of x is below n (n <= 0x80).
  auto has_less = [](std::uint64_t x, std::uint64_t n) { return (x - ones * n) & ~x & highs; };
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    if (has_less(w, 0x20) | has_less(w ^ (ones * '"'), 1) | has_less(w ^ (ones * '\\'), 1)) break;
  }
  while (i < text.size() && escape_of(static_cast<unsigned char>(text[i])) == '\0') ++i;
  return i;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (true) {
    auto end = plain_run(text, i);
    out.append(text.data() + i, end - i);
    if (end == text.size()) break;
    auto c = static_cast<unsigned char>(text[end]);
    char e = escape_of(c);
    out += '\\';
    out += e;
    if (e == 'u') {
      out += "00";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
    i = end + 1;
  }
  out += '"';
}

}  // namespace herald
