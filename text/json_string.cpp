#include "text/json_string.hpp"

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

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    char e = escape_of(c);
    if (e == '\0') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    out += '\\';
    out += e;
    if (e == 'u') {
      out += "00";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

}  // namespace herald
