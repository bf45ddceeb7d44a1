#include "text/utf8.hpp"

namespace herald {
namespace {

// Bytes in a sequence by its lead byte; 0 for a byte that never leads
// (a continuation byte, C0/C1 which only start overlong forms, F5–FF).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xc2) return 0;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  if (lead < 0xf5) return 4;
  return 0;
}

// The range the second byte must be in: it alone tells overlong forms
// (E0 80–9F, F0 80–8F), surrogates (ED A0–BF) and code points past
// U+10FFFF (F4 90–BF) from valid ones (RFC 3629 §4).
bool second_byte_fits(unsigned char lead, unsigned char second) {
  switch (lead) {
    case 0xe0:
      return second >= 0xa0 && second <= 0xbf;
    case 0xed:
      return second >= 0x80 && second <= 0x9f;
    case 0xf0:
      return second >= 0x90 && second <= 0xbf;
    case 0xf4:
      return second >= 0x80 && second <= 0x8f;
    default:
      return is_utf8_continuation(static_cast<char>(second));
  }
}

}  // namespace

utf8_sequence decode_utf8(std::string_view text, std::size_t at) {
  auto lead = static_cast<unsigned char>(text[at]);
  auto length = sequence_length(lead);
  if (length == 0 || at + length > text.size()) return {};
  if (length == 1) return {lead, 1};
  if (!second_byte_fits(lead, static_cast<unsigned char>(text[at + 1]))) return {};
  char32_t point = lead & (0x7f >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if (!is_utf8_continuation(text[at + k])) return {};
    point = (point << 6) | (static_cast<unsigned char>(text[at + k]) & 0x3f);
  }
  return {point, length};
}

std::size_t find_invalid_utf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    if (static_cast<unsigned char>(text[at]) < 0x80) {  // most text: ASCII, without a call
      ++at;
      continue;
    }
    auto sequence = decode_utf8(text, at);
    if (!sequence.valid()) return at;
    at += sequence.length;
  }
  return std::string_view::npos;
}

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  for (std::size_t at = 0; at < text.size();) {
    auto sequence = decode_utf8(text, at);
    out += sequence.point;
    at += sequence.valid() ? sequence.length : 1;
  }
  return out;
}

void append_utf8(std::string& out, char32_t p) {
  if (p < 0x80) {
    out += static_cast<char>(p);
  } else if (p < 0x800) {
    out += static_cast<char>(0xc0 | (p >> 6));
    out += static_cast<char>(0x80 | (p & 0x3f));
  } else if (p < 0x10000) {
    out += static_cast<char>(0xe0 | (p >> 12));
    out += static_cast<char>(0x80 | ((p >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (p & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (p >> 18));
    out += static_cast<char>(0x80 | ((p >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((p >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (p & 0x3f));
  }
}

std::size_t utf8_count(std::string_view text) {
  std::size_t count = 0;
  for (char c : text)
    if (!is_utf8_continuation(c)) ++count;
  return count;
}

}  // namespace herald
