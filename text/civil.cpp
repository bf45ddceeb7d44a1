#include "text/civil.hpp"

#include <array>
#include <charconv>

#include "text/strings.hpp"

namespace herald {
namespace {

constexpr std::array<std::string_view, 12> month_names = {"January",   "February", "March",    "April",
                                                          "May",       "June",     "July",     "August",
                                                          "September", "October",  "November", "December"};

// Indexed by date::weekday::c_encoding(): Sunday is 0.
constexpr std::array<std::string_view, 7> weekday_names_array = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                                 "Thursday", "Friday", "Saturday"};

// A full name, or its first three letters.
bool names(std::string_view word, std::string_view full) {
  return iequals(word, full) || iequals(word, full.substr(0, 3));
}

}  // namespace

std::optional<date::local_days> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto y = parse_integer<unsigned>(text.substr(0, 4));
  auto m = parse_integer<unsigned>(text.substr(5, 2));
  auto d = parse_integer<unsigned>(text.substr(8, 2));
  if (!y || !m || !d || *y == 0) return std::nullopt;
  date::year_month_day ymd{date::year{static_cast<int>(*y)}, date::month{*m}, date::day{*d}};
  if (!ymd.ok()) return std::nullopt;
  return date::local_days{ymd};
}

// Digits by hand: previews format hundreds of thousands of dates, and
// fmt / date::format cost a locale or a parse of the format each time.
void append_digits(std::string& out, unsigned value, int width) {
  char digits[10];
  for (int i = width - 1; i >= 0; --i, value /= 10) digits[i] = static_cast<char>('0' + value % 10);
  out.append(digits, static_cast<std::size_t>(width));
}

void append_iso_date(std::string& out, date::local_days day) {
  date::year_month_day ymd{day};
  append_digits(out, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  out += '-';
  append_digits(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  append_digits(out, static_cast<unsigned>(ymd.day()), 2);
}

std::string format_iso_date(date::local_days day) {
  std::string out;
  out.reserve(10);
  append_iso_date(out, day);
  return out;
}

std::string format_iso_date_time(date::local_seconds time) {
  auto day = date::floor<date::days>(time);
  date::hh_mm_ss<std::chrono::seconds> clock{time - day};
  auto out = format_iso_date(day);
  out += 'T';
  append_digits(out, static_cast<unsigned>(clock.hours().count()), 2);
  out += ':';
  append_digits(out, static_cast<unsigned>(clock.minutes().count()), 2);
  out += ':';
  append_digits(out, static_cast<unsigned>(clock.seconds().count()), 2);
  return out;
}

// By hand, as append_iso_date: a preview formats one or two for most of
// its posts (docs/PERFORMANCE.md "2026-12-03, last session: preview time").
std::string format_long_date(date::local_days day) {
  date::year_month_day ymd{day};
  auto weekday = weekday_name(date::weekday{day});
  auto month = month_name(ymd.month());
  char year[16];
  auto year_end = std::to_chars(year, year + sizeof year, static_cast<int>(ymd.year())).ptr;
  auto day_of_month = static_cast<unsigned>(ymd.day());
  std::string out;
  out.reserve(weekday.size() + month.size() + 5 + static_cast<std::size_t>(year_end - year));
  out.append(weekday) += ' ';
  if (day_of_month >= 10) out += static_cast<char>('0' + day_of_month / 10);
  out += static_cast<char>('0' + day_of_month % 10);
  (out += ' ').append(month) += ' ';
  out.append(year, year_end);
  return out;
}

unsigned parse_month_name(std::string_view word) {
  for (unsigned i = 0; i < month_names.size(); ++i)
    if (names(word, month_names[i])) return i + 1;
  return 0;
}

std::optional<date::weekday> parse_weekday_name(std::string_view word) {
  for (unsigned i = 0; i < weekday_names_array.size(); ++i)
    if (names(word, weekday_names_array[i])) return date::weekday{i};
  return std::nullopt;
}

std::vector<std::string_view> weekday_names() { return {weekday_names_array.begin(), weekday_names_array.end()}; }

std::string_view weekday_short_name(date::weekday wd) { return weekday_names_array[wd.c_encoding()].substr(0, 3); }
std::string_view weekday_name(date::weekday wd) { return weekday_names_array[wd.c_encoding()]; }
std::string_view month_name(date::month m) { return month_names[static_cast<unsigned>(m) - 1]; }

}  // namespace herald
