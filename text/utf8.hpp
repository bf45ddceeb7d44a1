#pragma once
// UTF-8, strictly (RFC 3629): one decoder for every place that reads text
// byte by byte. A sequence is valid only in its shortest form, never a
// UTF-16 surrogate (U+D800–U+DFFF), never past U+10FFFF and never cut
// short; anything else is invalid at its first byte.

#include <cstddef>
#include <string>
#include <string_view>

namespace herald {

/// The code point at a byte offset and how many bytes it takes.
struct utf8_sequence {
  char32_t point = 0xfffd;  ///< U+FFFD when invalid
  std::size_t length = 0;   ///< 0 when the bytes at the offset are not a valid sequence
  bool valid() const { return length != 0; }
};

/// Decodes the sequence starting at `text[at]` (REQUIRES: at < text.size()).
utf8_sequence decode_utf8(std::string_view text, std::size_t at);

/// The offset of the first byte that does not begin a valid sequence, or
/// npos when all of `text` is valid UTF-8.
std::size_t find_invalid_utf8(std::string_view text);

/// The code points of `text`; each byte of an invalid sequence is U+FFFD.
std::u32string decode_utf8(std::string_view text);

/// Appends `point` (a Unicode scalar value) encoded as UTF-8.
void append_utf8(std::string& out, char32_t point);

/// True for the bytes 10xxxxxx, which continue a sequence and never begin one.
constexpr bool is_utf8_continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xc0) == 0x80; }

/// The characters of `text`: the bytes that are not continuation bytes.
std::size_t utf8_count(std::string_view text);

}  // namespace herald
