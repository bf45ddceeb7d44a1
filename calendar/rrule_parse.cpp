#include "calendar/rrule.hpp"

// The RRULE text to an `rrule` (its expansion is rrule_expand.cpp). Errors
// carry the offset of the part that is wrong, for FILE:LINE:COL.

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "text/strings.hpp"

namespace herald {
namespace {

using date::local_days;

constexpr std::array<std::string_view, 9> supported_parts = {"FREQ",       "INTERVAL", "COUNT",    "UNTIL", "BYMONTH",
                                                             "BYMONTHDAY", "BYDAY",    "BYSETPOS", "WKST"};

// RFC 5545 (and RFC 7529, and dateutil's BYEASTER) parts that herald knows
// but does not support: they get a clearer error than "unknown".
constexpr std::array<std::string_view, 8> unsupported_parts = {"BYSECOND", "BYMINUTE", "BYHOUR", "BYYEARDAY",
                                                               "BYWEEKNO", "BYEASTER", "RSCALE", "SKIP"};

constexpr std::array<std::string_view, 7> weekday_codes = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};

constexpr std::string_view supported_list = "FREQ, INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS, WKST";

// A piece of the rule text with its byte offset in the whole text.
struct token {
  std::string_view text;
  std::size_t offset = 0;
};

token trimmed(token t) {
  auto lead = std::min(t.text.find_first_not_of(whitespace), t.text.size());
  return {trim(t.text), t.offset + lead};
}

std::vector<token> split(token t, char separator) {
  std::vector<token> pieces;
  std::size_t begin = 0;
  while (true) {
    auto end = t.text.find(separator, begin);
    auto length = end == std::string_view::npos ? std::string_view::npos : end - begin;
    pieces.push_back(trimmed({t.text.substr(begin, length), t.offset + begin}));
    if (end == std::string_view::npos) return pieces;
    begin = end + 1;
  }
}

// A decimal integer, optionally signed when `signed_ok`; nullopt otherwise
// (also on overflow).
std::optional<int> to_int(std::string_view text, bool signed_ok) {
  return parse_integer<int>(text, signed_ok ? -std::numeric_limits<int>::max() : 0);
}

std::optional<date::weekday> weekday_code(std::string_view text) {
  auto code = ascii_upper(text);
  for (unsigned i = 0; i < weekday_codes.size(); ++i)
    if (code == weekday_codes[i]) return date::weekday{i};
  return std::nullopt;
}

parse_error error_at(token where, std::string message) { return parse_error{std::move(message), where.offset, {}}; }

// Two-digit field of `text` at `at`, or -1.
int two_digits(std::string_view text, std::size_t at) {
  auto field = text.substr(at, 2);
  return field.size() == 2 ? parse_integer<int>(field, 0, 99).value_or(-1) : -1;
}

// `HHMMSS` optionally followed by `Z`: the time of an UNTIL date-time, which
// only needs to be well-formed because occurrences are whole days.
bool valid_time(std::string_view text) {
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) text.remove_suffix(1);
  if (text.size() != 6) return false;
  auto h = two_digits(text, 0), m = two_digits(text, 2), s = two_digits(text, 4);
  return h >= 0 && h <= 23 && m >= 0 && m <= 59 && s >= 0 && s <= 60;
}

// UNTIL: `YYYYMMDD`, `YYYY-MM-DD`, or `YYYYMMDDTHHMMSS[Z]` (its date).
std::optional<local_days> parse_until(std::string_view text) {
  std::string digits;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    digits = fmt::format("{}{}{}", text.substr(0, 4), text.substr(5, 2), text.substr(8, 2));
  } else if (text.size() == 8) {
    digits = std::string(text);
  } else if (text.size() > 9 && (text[8] == 'T' || text[8] == 't') && valid_time(text.substr(9))) {
    digits = std::string(text.substr(0, 8));
  }
  if (digits.size() != 8 || !all_digits(digits)) return std::nullopt;
  auto y = *to_int(digits.substr(0, 4), false);
  auto ymd = date::year{y} / two_digits(digits, 4) / two_digits(digits, 6);
  if (y < 1 || !ymd.ok()) return std::nullopt;
  return local_days{ymd};
}

// Builds an `rrule` part by part; the checks that need the whole rule (a
// FREQ, COUNT with UNTIL, BYDAY ordinals under FREQ) wait for `finish`.
class rule_parser {
 public:
  std::optional<parse_error> add(token part);
  std::optional<parse_error> finish() const;
  const rrule& rule() const { return rule_; }

 private:
  std::optional<parse_error> add_value(std::size_t part, token value);
  std::optional<parse_error> add_freq(token value);
  std::optional<parse_error> add_count_like(int& target, std::string_view name, token value);
  std::optional<parse_error> add_until(token value);
  std::optional<parse_error> add_list(std::size_t part, token value);
  std::optional<parse_error> add_day(token item);
  std::optional<parse_error> add_week_start(token value);

  rrule rule_;
  std::array<std::optional<std::size_t>, supported_parts.size()> seen_at_;
  std::optional<token> first_ordinal_;
};

std::optional<parse_error> name_error(token name) {
  auto upper_name = ascii_upper(name.text);
  if (name.text.empty()) return error_at(name, "RRULE part without a name (write NAME=VALUE)");
  for (auto known : unsupported_parts)
    if (upper_name == known)
      return error_at(name, fmt::format("{} is not supported; supported parts: {}", known, supported_list));
  std::vector<std::string_view> candidates(supported_parts.begin(), supported_parts.end());
  return error_at(name, fmt::format("unknown RRULE part '{}'{}", name.text, did_you_mean(upper_name, candidates)));
}

std::optional<parse_error> rule_parser::add(token part) {
  auto equals = part.text.find('=');
  auto name = trimmed({part.text.substr(0, equals), part.offset});
  auto upper_name = ascii_upper(name.text);
  auto found = std::find(supported_parts.begin(), supported_parts.end(), upper_name);
  if (found == supported_parts.end()) return name_error(name);
  auto index = static_cast<std::size_t>(found - supported_parts.begin());
  if (seen_at_[index]) return error_at(name, fmt::format("duplicate RRULE part '{}'", *found));
  seen_at_[index] = name.offset;
  if (equals == std::string_view::npos)
    return error_at(name, fmt::format("RRULE part '{}' has no value (write {}=...)", name.text, *found));
  auto value = trimmed({part.text.substr(equals + 1), part.offset + equals + 1});
  if (value.text.empty()) return error_at(value, fmt::format("empty value for {}", *found));
  return add_value(index, value);
}

std::optional<parse_error> rule_parser::add_value(std::size_t part, token value) {
  switch (part) {
    case 0:
      return add_freq(value);
    case 1:
      return add_count_like(rule_.interval, "INTERVAL", value);
    case 2:
      return add_count_like(rule_.count.emplace(), "COUNT", value);
    case 3:
      return add_until(value);
    case 8:
      return add_week_start(value);
    default:
      return add_list(part, value);
  }
}

std::optional<parse_error> rule_parser::add_freq(token value) {
  constexpr std::array<std::string_view, 4> names = {"YEARLY", "MONTHLY", "WEEKLY", "DAILY"};
  auto name = ascii_upper(value.text);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (name == names[i]) {
      rule_.freq = static_cast<rrule::frequency>(i);
      return std::nullopt;
    }
  if (name == "HOURLY" || name == "MINUTELY" || name == "SECONDLY")
    return error_at(
        value, fmt::format("FREQ={} is not supported; supported frequencies: YEARLY, MONTHLY, WEEKLY, DAILY", name));
  std::vector<std::string_view> candidates(names.begin(), names.end());
  return error_at(value, fmt::format("unknown FREQ '{}'{}", value.text, did_you_mean(name, candidates)));
}

std::optional<parse_error> rule_parser::add_count_like(int& target, std::string_view name, token value) {
  auto number = to_int(value.text, false);
  if (!number || *number < 1)
    return error_at(value, fmt::format("{} must be a whole number of at least 1, not '{}'", name, value.text));
  target = *number;
  return std::nullopt;
}

std::optional<parse_error> rule_parser::add_until(token value) {
  auto day = parse_until(value.text);
  if (!day) return error_at(value, fmt::format("invalid UNTIL date '{}' (write YYYYMMDD)", value.text));
  rule_.until = *day;
  return std::nullopt;
}

std::optional<parse_error> rule_parser::add_week_start(token value) {
  auto day = weekday_code(value.text);
  if (!day) return error_at(value, fmt::format("invalid WKST '{}' (one of MO, TU, WE, TH, FR, SA, SU)", value.text));
  rule_.week_start = *day;
  return std::nullopt;
}

// BYMONTH, BYMONTHDAY, BYSETPOS (numbers in a range, the last two signed)
// and BYDAY: comma-separated lists; errors point at the offending item.
std::optional<parse_error> rule_parser::add_list(std::size_t part, token value) {
  auto name = supported_parts[part];
  for (auto item : split(value, ',')) {
    if (item.text.empty()) return error_at(item, fmt::format("empty item in {}", name));
    if (name == "BYDAY") {
      if (auto error = add_day(item)) return error;
      continue;
    }
    auto number = to_int(item.text, name != "BYMONTH");
    if (name == "BYMONTH") {
      if (!number || *number < 1 || *number > 12)
        return error_at(item, fmt::format("BYMONTH value '{}' is not a month 1..12", item.text));
      rule_.by_month.push_back(static_cast<unsigned>(*number));
    } else if (name == "BYMONTHDAY") {
      if (!number || *number == 0 || *number < -31 || *number > 31)
        return error_at(item, fmt::format("BYMONTHDAY value '{}' is not a day 1..31 or -31..-1", item.text));
      rule_.by_month_day.push_back(*number);
    } else {
      if (!number || *number == 0 || *number < -366 || *number > 366)
        return error_at(item, fmt::format("BYSETPOS value '{}' is not a position 1..366 or -366..-1", item.text));
      rule_.by_set_pos.push_back(*number);
    }
  }
  return std::nullopt;
}

// One BYDAY item: `MO`, `2TU`, `+2TU`, `-1FR`.
std::optional<parse_error> rule_parser::add_day(token item) {
  auto letters = item.text.find_first_not_of("+-0123456789");
  auto code = letters == std::string_view::npos ? std::string_view{} : item.text.substr(letters);
  auto day = weekday_code(code);
  if (!day)
    return error_at(
        item,
        fmt::format("invalid BYDAY value '{}' (write MO..SU, optionally with an ordinal like 2TU or -1FR)", item.text));
  rrule::weekday_ordinal entry{*day, 0};
  if (letters > 0) {
    auto n = to_int(item.text.substr(0, letters), true);
    if (!n || *n == 0 || *n < -53 || *n > 53)
      return error_at(item, fmt::format("BYDAY ordinal in '{}' must be 1..53 or -53..-1", item.text));
    entry.n = *n;
    if (!first_ordinal_) first_ordinal_ = item;
  }
  rule_.by_day.push_back(entry);
  return std::nullopt;
}

std::optional<parse_error> rule_parser::finish() const {
  if (!seen_at_[0]) return parse_error{"missing FREQ (one of YEARLY, MONTHLY, WEEKLY, DAILY)", 0, {}};
  if (seen_at_[2] && seen_at_[3])
    return parse_error{"COUNT and UNTIL cannot be used together", std::max(*seen_at_[2], *seen_at_[3]), {}};
  bool ordinals_ok = rule_.freq == rrule::frequency::yearly || rule_.freq == rrule::frequency::monthly;
  if (first_ordinal_ && !ordinals_ok)
    return error_at(*first_ordinal_,
                    fmt::format("BYDAY ordinal in '{}' needs FREQ=MONTHLY or FREQ=YEARLY", first_ordinal_->text));
  return std::nullopt;
}

// The text after an optional `RRULE:` prefix, or an error for another
// property name (`DTSTART:...`), which belongs in `start:` instead.
std::variant<token, parse_error> rule_body(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon > text.find('=')) return token{text, 0};
  auto name = trimmed({text.substr(0, colon), 0});
  if (ascii_upper(name.text) != "RRULE")
    return error_at(name,
                    fmt::format("unknown property '{}' (only an 'RRULE:' prefix may precede the rule)", name.text));
  return token{text.substr(colon + 1), colon + 1};
}

}  // namespace

std::variant<rrule, parse_error> parse_rrule(std::string_view text) {
  auto body = rule_body(text);
  if (auto* error = std::get_if<parse_error>(&body)) return *error;
  auto parts = split(std::get<token>(body), ';');
  // A trailing ';' is harmless; an empty part elsewhere is reported.
  if (parts.back().text.empty()) parts.pop_back();
  rule_parser parser;
  for (auto part : parts) {
    if (part.text.empty()) return error_at(part, "empty RRULE part");
    if (auto error = parser.add(part)) return *error;
  }
  if (auto error = parser.finish()) return *error;
  return parser.rule();
}

}  // namespace herald
