#pragma once
// Small ASCII text helpers every folder needs: trimming, case-insensitive
// comparison and whole-string integer parsing. Bytes outside ASCII are
// left alone (never lower-cased, never whitespace, never digits).

#include <charconv>
#include <concepts>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace herald {

/// The whitespace trim() removes: space, tab, CR and LF.
inline constexpr std::string_view whitespace = " \t\r\n";

/// `text` without leading and trailing whitespace.
std::string_view trim(std::string_view text);

/// True when `text` holds a CR or an LF.
bool has_line_break(std::string_view text);

/// ASCII lower-casing, for case-insensitive keywords.
std::string ascii_lower(std::string_view text);
/// ASCII upper-casing (RRULE names and weekday codes).
std::string ascii_upper(std::string_view text);

/// Equal but for ASCII case.
bool iequals(std::string_view a, std::string_view b);
/// `text` begins with `prefix`, but for ASCII case.
bool istarts_with(std::string_view text, std::string_view prefix);

/// At least one character, each an ASCII digit.
bool all_digits(std::string_view text);

/// `text`, all of it, as a decimal integer in [min, max]: ASCII digits,
/// after one '+' or '-' only when `min` is negative. nullopt for anything
/// else: empty text, blanks, other characters, a value out of range.
template <std::integral T>
std::optional<T> parse_integer(std::string_view text, T min = std::numeric_limits<T>::min(),
                               T max = std::numeric_limits<T>::max()) {
  bool negative = false;
  if (std::cmp_less(min, 0) && !text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (!all_digits(text)) return std::nullopt;
  // Read as a magnitude so that the most negative value fits too.
  unsigned long long magnitude = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (negative) {
    if (magnitude > 0ull - static_cast<unsigned long long>(min)) return std::nullopt;  // past |min|
    auto value = static_cast<T>(0ull - magnitude);
    return std::cmp_less_equal(value, max) ? std::optional<T>(value) : std::nullopt;
  }
  if (std::cmp_greater(magnitude, max) || std::cmp_less(magnitude, min)) return std::nullopt;
  return static_cast<T>(magnitude);
}

}  // namespace herald
