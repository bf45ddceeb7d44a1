#include "calendar/every_rule.hpp"

#include <array>
#include <cctype>
#include <optional>
#include <string>

#include <date/islamic.h>
#include <fmt/format.h>

#include "calendar/chinese_date.hpp"
#include "calendar/hebrew_date.hpp"

#include "text/civil.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

using date::local_days;

constexpr std::string_view forms_hint =
    "write e.g. 'June 23', 'second Tuesday of October', 'Monday on or after September 20', "
    "'October', 'easter -2 days', 'orthodox easter', '1 Shawwal', '15 Nisan', 'lunar new year', "
    "'third Thursday of every month' or 'every Monday'";

// The Hebrew months and the spellings people use for them.
struct hebrew_name {
  std::string_view name;
  hebrew::month month;
};
constexpr std::array<hebrew_name, 23> hebrew_months = {{
    {"Tishrei", hebrew::month::tishrei},
    {"Tishri", hebrew::month::tishrei},
    {"Cheshvan", hebrew::month::cheshvan},
    {"Heshvan", hebrew::month::cheshvan},
    {"Marcheshvan", hebrew::month::cheshvan},
    {"Kislev", hebrew::month::kislev},
    {"Tevet", hebrew::month::tevet},
    {"Teves", hebrew::month::tevet},
    {"Shevat", hebrew::month::shevat},
    {"Shvat", hebrew::month::shevat},
    {"Adar", hebrew::month::adar},
    {"Adar I", hebrew::month::adar_i},
    {"Adar II", hebrew::month::adar},  // in a common year, Adar itself
    {"Nisan", hebrew::month::nisan},
    {"Iyar", hebrew::month::iyar},
    {"Iyyar", hebrew::month::iyar},
    {"Sivan", hebrew::month::sivan},
    {"Tammuz", hebrew::month::tammuz},
    {"Tamuz", hebrew::month::tammuz},
    {"Av", hebrew::month::av},
    {"Menachem Av", hebrew::month::av},
    {"Elul", hebrew::month::elul},
    {"Marheshvan", hebrew::month::cheshvan},
}};

// Observances people type as if herald knew them by name, and what to write.
struct named_observance {
  std::string_view name;  ///< letters only, lower case
  std::string_view hint;
};
constexpr std::array<named_observance, 13> named_observances = {{
    {"diwali", "herald has no Hindu calendar: write its dates with 'dates:'"},
    {"deepavali", "herald has no Hindu calendar: write its dates with 'dates:'"},
    {"holi", "herald has no Hindu calendar: write its dates with 'dates:'"},
    {"navratri", "herald has no Hindu calendar: write its dates with 'dates:'"},
    {"vaisakhi", "herald has no Sikh calendar: write its dates with 'dates:'"},
    {"eid", "Eid al-Fitr is '1 Shawwal' and Eid al-Adha '10 Dhu al-Hijjah'"},
    {"eidalfitr", "write '1 Shawwal'"},
    {"eidaladha", "write '10 Dhu al-Hijjah'"},
    {"passover", "write '15 Nisan' (with begins: evening)"},
    {"roshhashanah", "write '1 Tishrei' (with begins: evening)"},
    {"yomkippur", "write '10 Tishrei' (with begins: evening)"},
    {"hanukkah", "write '25 Kislev' (with begins: evening)"},
    {"chinesenewyear", "write 'lunar new year'"},
}};

constexpr std::array<std::string_view, 12> islamic_months = {
    "Muharram", "Safar",  "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Awwal", "Jumada al-Thani",
    "Rajab",    "Shaban", "Ramadan",       "Shawwal",       "Dhu al-Qadah",    "Dhu al-Hijjah"};

// One whitespace-separated word with its byte offset in the rule text.
struct word {
  std::string_view text;
  std::size_t offset;
};

std::vector<word> split_words(std::string_view text) {
  std::vector<word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    auto start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back({text.substr(start, i - start), start});
  }
  return words;
}

// Letters only, lower-cased: "Dhu al-Hijjah" and "dhu al hijjah" compare equal.
std::string letters_of(std::string_view text) {
  std::string out;
  for (char c : text)
    if (std::isalpha(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "23", "23rd": a day of the month.
std::optional<unsigned> parse_day_number(std::string_view text) {
  for (std::string_view suffix : {"st", "nd", "rd", "th"})
    if (text.size() > 2 && ascii_lower(text.substr(text.size() - 2)) == suffix) text.remove_suffix(2);
  if (text.empty() || text.size() > 2 || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  auto value = parse_integer<int>(text);
  if (!value || *value < 1) return std::nullopt;
  return static_cast<unsigned>(*value);
}

std::optional<int> parse_nth(std::string_view text) {
  static constexpr std::array<std::string_view, 5> words = {"first", "second", "third", "fourth", "fifth"};
  static constexpr std::array<std::string_view, 5> numbers = {"1st", "2nd", "3rd", "4th", "5th"};
  auto lower = ascii_lower(text);
  if (lower == "last") return -1;
  for (int i = 0; i < 5; ++i)
    if (lower == words[i] || lower == numbers[i]) return i + 1;
  return std::nullopt;
}

parse_error unknown_month(const word& w) {
  std::vector<std::string_view> names;
  for (unsigned m = 1; m <= 12; ++m) names.push_back(month_name(date::month{m}));
  return {fmt::format("unknown month '{}'{}", w.text, did_you_mean(w.text, names)), w.offset, std::string(forms_hint)};
}

// Checks that `day` exists in `month` in some year (February 29 does).
std::optional<parse_error> check_day(unsigned month, unsigned day, std::size_t offset) {
  auto last = static_cast<unsigned>((date::year{2000} / date::month{month} / date::last).day());
  if (day >= 1 && day <= last) return std::nullopt;
  return parse_error{fmt::format("{} has only {} days", month_name(date::month{month}), last), offset, {}};
}

// `June 23`, `23 Jun`.
std::optional<std::variant<every_rule, parse_error>> parse_month_day(const std::vector<word>& w) {
  if (w.size() != 2) return std::nullopt;
  auto day_first = parse_day_number(w[0].text);
  auto day = day_first ? day_first : parse_day_number(w[1].text);
  if (!day) return std::nullopt;
  const auto& month_word = day_first ? w[1] : w[0];
  auto month = parse_month_name(month_word.text);
  if (month == 0) {
    if (day_first) return std::nullopt;  // maybe an Islamic date: "1 Shawwal"
    return unknown_month(month_word);
  }
  if (auto error = check_day(month, *day, w[day_first ? 0 : 1].offset)) return *error;
  every_rule rule;
  rule.kind = every_rule::form::month_day;
  rule.month = month;
  rule.day = *day;
  return rule;
}

// `second Tuesday of October`, `last Mon of May`.
std::optional<std::variant<every_rule, parse_error>> parse_nth_weekday(const std::vector<word>& w) {
  if (w.size() != 4 || ascii_lower(w[2].text) != "of") return std::nullopt;
  auto nth = parse_nth(w[0].text);
  if (!nth)
    return parse_error{fmt::format("unknown ordinal '{}'", w[0].text), w[0].offset,
                       "use first, second, third, fourth, fifth (or 1st … 5th) or last"};
  auto weekday = parse_weekday_name(w[1].text);
  if (!weekday)
    return parse_error{fmt::format("unknown weekday '{}'{}", w[1].text, did_you_mean(w[1].text, weekday_names())),
                       w[1].offset, "use Monday … Sunday or Mon … Sun"};
  auto month = parse_month_name(w[3].text);
  if (month == 0) return unknown_month(w[3]);
  every_rule rule;
  rule.kind = every_rule::form::nth_weekday;
  rule.nth = *nth;
  rule.weekday = *weekday;
  rule.month = month;
  return rule;
}

// `Monday on or after September 20`, `Fri on or before 1 May`.
std::optional<std::variant<every_rule, parse_error>> parse_weekday_near(const std::vector<word>& w) {
  if (w.size() != 6 || ascii_lower(w[1].text) != "on" || ascii_lower(w[2].text) != "or") return std::nullopt;
  auto direction = ascii_lower(w[3].text);
  if (direction != "after" && direction != "before")
    return parse_error{fmt::format("expected 'after' or 'before', not '{}'", w[3].text), w[3].offset, {}};
  auto weekday = parse_weekday_name(w[0].text);
  if (!weekday)
    return parse_error{fmt::format("unknown weekday '{}'{}", w[0].text, did_you_mean(w[0].text, weekday_names())),
                       w[0].offset, "use Monday … Sunday or Mon … Sun"};
  auto date_part = parse_month_day({w[4], w[5]});
  if (!date_part)
    return parse_error{"expected a date such as 'September 20' after 'on or " + direction + "'", w[4].offset, {}};
  if (auto* error = std::get_if<parse_error>(&*date_part)) return *error;
  auto rule = std::get<every_rule>(*date_part);
  rule.kind = every_rule::form::weekday_near;
  rule.weekday = *weekday;
  rule.on_or_after = direction == "after";
  return rule;
}

// `easter`, `easter -2 days`, `orthodox easter +1 week`.
std::optional<std::variant<every_rule, parse_error>> parse_easter(std::string_view text, const std::vector<word>& w) {
  std::size_t i = 0;
  every_rule rule;
  rule.kind = every_rule::form::easter;
  if (!w.empty() && ascii_lower(w[0].text) == "orthodox") {
    rule.kind = every_rule::form::orthodox_easter;
    i = 1;
  }
  if (i >= w.size() || ascii_lower(w[i].text) != "easter") {
    if (i == 1) return parse_error{"expected 'easter' after 'orthodox'", i < w.size() ? w[i].offset : text.size(), {}};
    return std::nullopt;
  }
  ++i;
  if (i == w.size()) return rule;
  // The offset: "-2 days", "- 2 days", "+1 week".
  std::string number;
  auto number_offset = w[i].offset;
  for (; i < w.size() && number.size() < 8; ++i) {
    auto lower = ascii_lower(w[i].text);
    if (!lower.empty() && std::isalpha(static_cast<unsigned char>(lower[0]))) break;
    number += lower;
  }
  auto amount = parse_integer<int>(number);
  if (number.empty() || (number[0] != '+' && number[0] != '-') || !amount || i + 1 != w.size())
    return parse_error{"expected an offset such as '-2 days' or '+1 week' after 'easter'", number_offset, {}};
  auto unit = ascii_lower(w[i].text);
  if (unit == "day" || unit == "days")
    rule.offset_days = *amount;
  else if (unit == "week" || unit == "weeks")
    rule.offset_days = *amount * 7;
  else
    return parse_error{fmt::format("unknown unit '{}'", w[i].text), w[i].offset, "use days or weeks"};
  if (rule.offset_days < -366 || rule.offset_days > 366)
    return parse_error{"an Easter offset must be within a year", number_offset, {}};
  return rule;
}

// `1 Shawwal`, `10 Dhu al-Hijjah`.
// `explain`: build the error's message (with its did-you-mean); false when
// only whether the text is a rule matters.
std::optional<std::variant<every_rule, parse_error>> parse_islamic(std::string_view text, const std::vector<word>& w,
                                                                   bool explain) {
  if (w.size() < 2) return std::nullopt;
  auto day = parse_day_number(w[0].text);
  if (!day) return std::nullopt;
  auto name_offset = w[1].offset;
  auto name = letters_of(text.substr(name_offset));
  std::vector<std::string_view> names;
  std::vector<std::string> normalised;
  for (auto m : islamic_months) normalised.push_back(letters_of(m));
  for (unsigned m = 0; m < islamic_months.size(); ++m) {
    if (name != normalised[m]) continue;
    if (*day > 30) return parse_error{fmt::format("{} has at most 30 days", islamic_months[m]), w[0].offset, {}};
    every_rule rule;
    rule.kind = every_rule::form::islamic;
    rule.month = m + 1;
    rule.day = *day;
    return rule;
  }
  if (!explain) return parse_error{};
  std::vector<std::string_view> candidates;
  for (auto& n : normalised) candidates.push_back(n);
  auto guess = closest_match(name, candidates);
  for (unsigned m = 0; m < islamic_months.size(); ++m)
    if (guess == normalised[m]) guess = islamic_months[m];
  auto hint = guess.empty() ? std::string(forms_hint) : std::string();
  return parse_error{fmt::format("unknown month '{}'{}", text.substr(name_offset),
                                 guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess)),
                     name_offset, hint};
}

// `15 Nisan`, `1 Tishrei`, `14 Adar II`.
std::optional<std::variant<every_rule, parse_error>> parse_hebrew(std::string_view text, const std::vector<word>& w) {
  if (w.size() < 2) return std::nullopt;
  auto day = parse_day_number(w[0].text);
  if (!day) return std::nullopt;
  auto name = letters_of(text.substr(w[1].offset));
  for (const auto& candidate : hebrew_months) {
    if (name != letters_of(candidate.name)) continue;
    auto longest = candidate.month == hebrew::month::cheshvan || candidate.month == hebrew::month::kislev
                       ? 30u
                       : std::max(hebrew::days_in_month(5784, candidate.month), 29u);  // 5784: a leap year
    if (*day > longest)
      return parse_error{fmt::format("{} has {} days", candidate.name, longest), w[0].offset,
                         longest == 29 ? "this month never has a day 30" : ""};
    every_rule rule;
    rule.kind = every_rule::form::hebrew;
    rule.month = static_cast<unsigned>(candidate.month);
    rule.day = *day;
    return rule;
  }
  return std::nullopt;
}

// `lunar new year`, `lunar 8/15`.
std::optional<std::variant<every_rule, parse_error>> parse_lunar(const std::vector<word>& w) {
  if (w.empty() || ascii_lower(w[0].text) != "lunar") return std::nullopt;
  every_rule rule;
  rule.kind = every_rule::form::lunar;
  if (w.size() == 3 && ascii_lower(w[1].text) == "new" && ascii_lower(w[2].text) == "year") {
    rule.month = rule.day = 1;
    return rule;
  }
  constexpr std::string_view hint = "write 'lunar new year' or 'lunar MONTH/DAY', e.g. 'lunar 8/15'";
  if (w.size() != 2)
    return parse_error{"expected 'new year' or a month/day after 'lunar'", w[0].offset, std::string(hint)};
  auto slash = w[1].text.find('/');
  auto month = parse_integer<int>(w[1].text.substr(0, slash), 1, 12);
  auto day = slash == std::string_view::npos ? std::nullopt : parse_integer<int>(w[1].text.substr(slash + 1), 1, 30);
  if (!month || !day)
    return parse_error{fmt::format("'{}' is not a lunar month/day", w[1].text), w[1].offset,
                       "months are 1-12 and days 1-30, e.g. 'lunar 8/15' for the Mid-Autumn Festival"};
  rule.month = static_cast<unsigned>(*month);
  rule.day = static_cast<unsigned>(*day);
  return rule;
}

// `third Thursday of every month`, `last Friday of every month`.
std::optional<std::variant<every_rule, parse_error>> parse_monthly_weekday(const std::vector<word>& w) {
  if (w.size() != 5 || ascii_lower(w[2].text) != "of" || ascii_lower(w[3].text) != "every" ||
      ascii_lower(w[4].text) != "month")
    return std::nullopt;
  auto yearly = parse_nth_weekday({w[0], w[1], w[2], {"January", 0}});
  if (auto* error = std::get_if<parse_error>(&*yearly)) return *error;
  auto rule = std::get<every_rule>(*yearly);
  rule.kind = every_rule::form::monthly_weekday;
  rule.month = 0;
  return rule;
}

// `every Monday`.
std::optional<std::variant<every_rule, parse_error>> parse_weekly(const std::vector<word>& w) {
  if (w.size() != 2 || ascii_lower(w[0].text) != "every") return std::nullopt;
  auto weekday = parse_weekday_name(w[1].text);
  auto unit = ascii_lower(w[1].text);
  if (unit == "day" || unit == "week" || unit == "month" || unit == "year") return std::nullopt;  // not a weekday
  if (!weekday)
    return parse_error{fmt::format("unknown weekday '{}'{}", w[1].text, did_you_mean(w[1].text, weekday_names())),
                       w[1].offset, "use Monday … Sunday or Mon … Sun"};
  every_rule rule;
  rule.kind = every_rule::form::weekly;
  rule.weekday = *weekday;
  return rule;
}

std::variant<every_rule, parse_error> parse_every_rule(std::string_view text, bool explain);

// What people write that is not a rule, and what to write instead.
std::optional<parse_error> explain_unknown(std::string_view text, const std::vector<word>& w) {
  if (parse_iso_date(w[0].text))
    return parse_error{fmt::format("'{}' is a date, not a rule", text), 0,
                       fmt::format("list dates under 'dates:', e.g. dates: [{}]", w[0].text)};
  auto letters = letters_of(text);
  for (const auto& o : named_observances)
    if (letters == o.name)
      return parse_error{fmt::format("herald does not know '{}' by name", text), 0, std::string(o.hint)};
  // "3rd Thu": a monthly rule without its month.
  if (w.size() == 2 && parse_nth(w[0].text) && parse_weekday_name(w[1].text)) {
    auto nth = ascii_lower(w[0].text);
    static constexpr std::array<std::string_view, 5> ordinals = {"first", "second", "third", "fourth", "fifth"};
    if (auto n = *parse_nth(w[0].text); n > 0) nth = ordinals[static_cast<std::size_t>(n - 1)];
    auto weekday = weekday_name(*parse_weekday_name(w[1].text));
    return parse_error{fmt::format("'{}' needs a month", text), 0,
                       fmt::format("write '{} {} of every month' (monthly) or '{} {} of October' (yearly)", nth,
                                   weekday, nth, weekday)};
  }
  // "Shawwal 1", "Nisan 15": an Islamic or Hebrew date with the day last.
  if (w.size() >= 2) {
    if (auto day = parse_day_number(w.back().text)) {
      auto month_text = trim(text.substr(0, w.back().offset));
      if (parse_month_name(month_text) != 0) return std::nullopt;  // "June 23" is right as it is
      auto swapped = fmt::format("{} {}", *day, month_text);
      // Only whether it is a rule: no did-you-mean is looked for (a valid
      // "Monday on or after May 25" came here with every load).
      auto parsed = parse_every_rule(swapped, false);
      if (std::holds_alternative<every_rule>(parsed))
        return parse_error{fmt::format("'{}' has the day after the month", text), 0,
                           fmt::format("write '{}'", swapped)};
    }
  }
  return std::nullopt;
}

local_days nth_weekday_of(int year, unsigned month, date::weekday wd, int nth, bool& exists) {
  auto ym = date::year{year} / date::month{month};
  if (nth < 0) {
    exists = true;
    return local_days{ym / date::weekday_last{wd}};
  }
  date::year_month_weekday ymw{ym / date::weekday_indexed{wd, static_cast<unsigned>(nth)}};
  exists = ymw.ok();
  return local_days{ymw};
}

// parse_every; `explain` as for parse_islamic.
std::variant<every_rule, parse_error> parse_every_rule(std::string_view text, bool explain) {
  auto w = split_words(text);
  if (w.empty()) return parse_error{"an empty rule", 0, std::string(forms_hint)};
  if (auto explained = explain_unknown(text, w)) return *explained;
  using parser = std::optional<std::variant<every_rule, parse_error>> (*)(const std::vector<word>&);
  for (parser p : {parser{parse_weekly}, parser{parse_lunar}, parser{parse_monthly_weekday}, parser{parse_nth_weekday},
                   parser{parse_weekday_near}, parser{parse_month_day}})
    if (auto result = p(w)) return *result;
  if (auto result = parse_easter(text, w)) return *result;
  if (auto result = parse_hebrew(text, w)) return *result;
  if (auto result = parse_islamic(text, w, explain)) return *result;
  if (w.size() == 1) {
    if (auto month = parse_month_name(w[0].text)) {
      every_rule rule;
      rule.kind = every_rule::form::whole_month;
      rule.month = month;
      return rule;
    }
    if (auto weekday = parse_weekday_name(w[0].text)) {  // `every: Monday` reads as `every Monday`
      every_rule rule;
      rule.kind = every_rule::form::weekly;
      rule.weekday = *weekday;
      return rule;
    }
    return unknown_month(w[0]);
  }
  return parse_error{fmt::format("'{}' is not a rule herald knows", text), 0, std::string(forms_hint)};
}

}  // namespace

std::variant<every_rule, parse_error> parse_every(std::string_view text) { return parse_every_rule(text, true); }

void every_rule_spans(const every_rule& rule, int year, date::days lasts, std::vector<day_span>& out) {
  auto add = [&](local_days start) { out.push_back({start, start + lasts - date::days{1}}); };
  switch (rule.kind) {
    case every_rule::form::month_day: {
      auto ymd = date::year{year} / date::month{rule.month} / date::day{rule.day};
      if (ymd.ok()) add(local_days{ymd});  // February 29 only in leap years
      break;
    }
    case every_rule::form::nth_weekday: {
      bool exists = false;
      auto day = nth_weekday_of(year, rule.month, rule.weekday, rule.nth, exists);
      if (exists) add(day);
      break;
    }
    case every_rule::form::weekday_near: {
      auto ymd = date::year{year} / date::month{rule.month} / date::day{rule.day};
      if (!ymd.ok()) break;
      local_days anchor{ymd};
      auto day = rule.on_or_after ? anchor + (rule.weekday - date::weekday{anchor})
                                  : anchor - (date::weekday{anchor} - rule.weekday);
      add(day);
      break;
    }
    case every_rule::form::whole_month: {
      auto ym = date::year{year} / date::month{rule.month};
      out.push_back({local_days{ym / 1}, local_days{ym / date::last}});
      break;
    }
    case every_rule::form::easter:
      add(western_easter(year) + date::days{rule.offset_days});
      break;
    case every_rule::form::orthodox_easter:
      add(orthodox_easter(year) + date::days{rule.offset_days});
      break;
    case every_rule::form::hebrew: {
      // Gregorian `year` meets the end of one Hebrew year and the start of the next.
      for (int h = year + 3760; h <= year + 3761; ++h) {
        auto month = hebrew::month{rule.month};
        if (month == hebrew::month::adar_i && !hebrew::is_leap_year(h)) continue;
        hebrew::year_month_day date{h, month, rule.day};
        if (!date.ok()) continue;  // day 30 of a 29-day Cheshvan or Kislev
        auto day = date.to_days();
        if (date::year_month_day{day}.year() == date::year{year}) add(day);
      }
      break;
    }
    case every_rule::form::lunar:
      for (int l = year - 1; l <= year; ++l)
        if (auto day = chinese::to_days(l, rule.month, rule.day);
            day && date::year_month_day{*day}.year() == date::year{year})
          add(*day);
      break;
    case every_rule::form::monthly_weekday:
      for (unsigned month = 1; month <= 12; ++month) {
        bool exists = false;
        auto day = nth_weekday_of(year, month, rule.weekday, rule.nth, exists);
        if (exists) add(day);
      }
      break;
    case every_rule::form::weekly: {
      local_days end{date::year{year + 1} / 1 / 1};
      for (local_days day{date::year{year} / 1 / date::weekday_indexed{rule.weekday, 1}}; day < end;
           day += date::weeks{1})
        add(day);
      break;
    }
    case every_rule::form::islamic: {
      // A Gregorian year meets two or three Islamic years; keep the dates in it.
      auto first = islamic::year_month_day{date::sys_days{date::year{year} / 1 / 1}}.year();
      for (int k = 0; k < 3; ++k) {
        islamic::year_month_day ymd{first + islamic::years{k}, islamic::month{rule.month}, islamic::day{rule.day}};
        if (!ymd.ok()) continue;  // day 30 of a 29-day month
        local_days day{date::sys_days{ymd}.time_since_epoch()};
        if (date::year_month_day{day}.year() == date::year{year}) add(day);
      }
      break;
    }
  }
  // Offsets (Easter) can carry a start into a neighbouring year; callers
  // filter by their window, so order is all that matters here.
}

date::local_days western_easter(int year) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return local_days{date::year{year} / date::month(static_cast<unsigned>(month)) /
                    date::day(static_cast<unsigned>(day))};
}

date::local_days orthodox_easter(int year) {
  // Meeus's Julian algorithm, then the Julian-to-Gregorian shift of that century.
  int a = year % 4, b = year % 7, c = year % 19;
  int d = (19 * c + 15) % 30, e = (2 * a + 4 * b - d + 34) % 7;
  int month = (d + e + 114) / 31, day = (d + e + 114) % 31 + 1;
  int shift = year / 100 - year / 400 - 2;
  return local_days{date::year{year} / date::month(static_cast<unsigned>(month)) /
                    date::day(static_cast<unsigned>(day))} +
         date::days{shift};
}

}  // namespace herald
