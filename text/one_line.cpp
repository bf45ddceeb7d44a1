#include "text/one_line.hpp"

#include <fmt/format.h>

namespace herald {

std::string one_line(std::string_view text) {
  std::string line(text);
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line;
}

std::string terminal_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    auto u = static_cast<unsigned char>(c);
    auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (c == '\n' || c == '\r' || c == '\t')
      out += ' ';
    else if (u == 0xc2 && next >= 0x80 && next <= 0x9f) {  // a C1 control in UTF-8 (U+0080–U+009F)
      out += fmt::format("\\u{:04x}", next);
      ++i;
    } else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

}  // namespace herald
