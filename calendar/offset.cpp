#include "calendar/offset.hpp"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "text/civil.hpp"
#include "text/post_key.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

constexpr int max_offset_days = 3660;      // ten years either way is plenty
constexpr int max_offset_workdays = 2600;  // about ten years of five-day weeks

struct amount {
  int value;
  std::size_t end;  // offset just past the digits
};

std::optional<amount> read_number(std::string_view text, std::size_t at) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data() + at, text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data() + at) return std::nullopt;
  return amount{value, static_cast<std::size_t>(end - text.data())};
}

// `-5wd`: the fifth working day before; zero working days means nothing.
std::variant<step_offset, parse_error> workday_offset(step_offset offset, int count, std::size_t at) {
  if (count == 0)
    return parse_error{"0wd is no working day", at, "write 0 (the day itself) and not_workday: next or previous"};
  if (count > max_offset_workdays || count < -max_offset_workdays)
    return parse_error{"the offset is too far; keep it within ten years", at, {}};
  offset.workdays = true;
  offset.days = count;
  return offset;
}

// "-5 working days", "+3 days", "-2 weeks": say how to write them.
parse_error unknown_unit(std::string_view text, const amount& number, int sign) {
  auto words = ascii_lower(trim(text.substr(number.end)));
  auto signed_number = fmt::format("{}{}", sign < 0 ? '-' : '+', number.value);
  auto prefix = ascii_lower(text).starts_with("end") ? std::string("end") : std::string();
  std::string hint = "use d (days), w (weeks) or wd (working days)";
  if (words == "working days" || words == "working day" || words == "workdays" || words == "workday" ||
      words == "business days" || words == "business day")
    hint = fmt::format("write '{}{}wd' for working days", prefix, signed_number);
  else if (words == "days" || words == "day")
    hint = fmt::format("write '{}{}d'", prefix, signed_number);
  else if (words == "weeks" || words == "week")
    hint = fmt::format("write '{}{}w'", prefix, signed_number);
  return parse_error{fmt::format("unknown unit '{}'", trim(text.substr(number.end))), number.end, hint};
}

}  // namespace

std::string step_offset::key() const { return format_key_offset(key_form()); }

key_offset step_offset::key_form() const { return {from == anchor::end, days, workdays}; }

std::variant<step_offset, parse_error> parse_offset(std::string_view text) {
  constexpr std::string_view hint = "write e.g. 0, -4w, -3d, +1d, -5wd (working days), end, end+1d or end+2wd";
  step_offset offset;
  std::size_t i = 0;
  auto lower = ascii_lower(text);
  if (lower.starts_with("end")) {
    offset.from = step_offset::anchor::end;
    i = 3;
    if (i == text.size()) return offset;
    if (text[i] != '+' && text[i] != '-') return parse_error{"expected + or - after 'end'", i, std::string(hint)};
  }
  if (lower == "0" || lower == "0d" || lower == "0w") return offset;  // zero needs no sign
  if (lower == "0wd") return workday_offset(offset, 0, 0);
  int sign = 1;
  if (i < text.size() && (text[i] == '+' || text[i] == '-'))
    sign = text[i++] == '-' ? -1 : 1;
  else if (offset.from == step_offset::anchor::start)
    return parse_error{"an offset needs a sign", 0, std::string(hint)};
  auto number = read_number(text, i);
  if (!number) return parse_error{"expected a number of days or weeks", i, std::string(hint)};
  if (number->end == text.size()) return parse_error{"missing unit (d or w)", number->end, std::string(hint)};
  auto unit = lower.substr(number->end);
  if (unit == "wd") return workday_offset(offset, sign * number->value, i);
  int per_unit = unit == "d" ? 1 : unit == "w" ? 7 : 0;
  if (per_unit == 0) return unknown_unit(text, *number, sign);
  if (number->value > max_offset_days / per_unit)
    return parse_error{"the offset is too far; keep it within ten years", i, {}};
  offset.days = sign * number->value * per_unit;
  return offset;
}

std::variant<std::chrono::minutes, parse_error> parse_time_of_day(std::string_view text) {
  constexpr std::string_view hint = "write times as HH:MM on a 24-hour clock, e.g. \"09:30\"";
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3)
    return parse_error{fmt::format("invalid time '{}'", text), 0, std::string(hint)};
  auto hours = read_number(text, 0);
  auto minutes = read_number(text, colon + 1);
  if (!hours || hours->end != colon || !minutes || minutes->end != text.size() || text[colon + 1] == '-' ||
      text[0] == '-')
    return parse_error{fmt::format("invalid time '{}'", text), 0, std::string(hint)};
  if (hours->value > 23) return parse_error{fmt::format("hour {} is past 23", hours->value), 0, std::string(hint)};
  if (minutes->value > 59)
    return parse_error{fmt::format("minute {} is past 59", minutes->value), colon + 1, std::string(hint)};
  return std::chrono::hours{hours->value} + std::chrono::minutes{minutes->value};
}

std::variant<date::days, parse_error> parse_length(std::string_view text) {
  constexpr std::string_view hint = "write e.g. '1 day', '7 days', '2 weeks', '7d' or '2w'";
  auto number = read_number(text, 0);
  if (!number || text[0] == '-' || text[0] == '+')
    return parse_error{fmt::format("invalid length '{}'", text), 0, std::string(hint)};
  auto rest = text.substr(number->end);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  auto unit = ascii_lower(rest);
  int per_unit = (unit == "d" || unit == "day" || unit == "days")     ? 1
                 : (unit == "w" || unit == "week" || unit == "weeks") ? 7
                                                                      : 0;
  if (per_unit == 0) return parse_error{fmt::format("unknown unit '{}'", rest), number->end, std::string(hint)};
  if (number->value < 1) return parse_error{"an occurrence lasts at least 1 day", 0, {}};
  if (number->value > 3660 / per_unit) return parse_error{"an occurrence may last ten years at most", 0, {}};
  return date::days{number->value * per_unit};
}

}  // namespace herald
