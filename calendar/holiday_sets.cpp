// The UK's bank holidays. The pattern is the Banking and Financial Dealings
// Act 1971 as proclaimed each year; the one-off changes are GOV.UK's
// published lists. A holiday on a weekend is "substituted" by the next
// weekday that is not already a holiday, which gives GOV.UK's substitute
// days (Christmas on a Saturday: Monday 27th and Tuesday 28th).
#include "calendar/holiday_sets.hpp"

#include <algorithm>
#include <array>

#include "calendar/every_rule.hpp"

namespace herald {
namespace {

using date::local_days;

struct named_set {
  std::string_view name;
  holiday_set set;
};
constexpr std::array<named_set, 3> sets = {{{"uk/england-and-wales", holiday_set::england_and_wales},
                                            {"uk/scotland", holiday_set::scotland},
                                            {"uk/northern-ireland", holiday_set::northern_ireland}}};

local_days ymd(int y, unsigned m, unsigned d) { return local_days{date::year{y} / date::month{m} / date::day{d}}; }

local_days first_monday(int year, unsigned month) {
  return local_days{date::year{year} / date::month{month} / date::Monday[1]};
}

local_days last_monday(int year, unsigned month) {
  return local_days{date::year{year} / date::month{month} / date::Monday[date::last]};
}

bool weekend(local_days day) {
  auto wd = date::weekday{day};
  return wd == date::Saturday || wd == date::Sunday;
}

bool taken(const std::vector<local_days>& out, local_days day) {
  return std::find(out.begin(), out.end(), day) != out.end();
}

// Adds `day`, or when it is a weekend or already a holiday the next weekday
// that is not (1 January on a Sunday: New Year on Monday 2nd, so Scotland's
// 2nd January on Tuesday 3rd).
// REQUIRES: holidays that can be substituted are added in date order.
void add_substituted(std::vector<local_days>& out, local_days day) {
  while (weekend(day) || taken(out, day)) day += date::days{1};
  out.push_back(day);
}

// May and June: the early May and spring holidays, moved for VE Day
// anniversaries and jubilees, and the one-off days beside them.
void add_may_and_june(std::vector<local_days>& out, int year) {
  auto early_may = first_monday(year, 5);
  if (year == 1995 || year == 2020) early_may = ymd(year, 5, 8);  // VE Day's 50th and 75th
  out.push_back(early_may);
  if (year == 2023) out.push_back(ymd(2023, 5, 8));  // the coronation
  switch (year) {
    case 2002:  // the Golden Jubilee
      out.insert(out.end(), {ymd(2002, 6, 3), ymd(2002, 6, 4)});
      break;
    case 2012:  // the Diamond Jubilee
      out.insert(out.end(), {ymd(2012, 6, 4), ymd(2012, 6, 5)});
      break;
    case 2022:  // the Platinum Jubilee
      out.insert(out.end(), {ymd(2022, 6, 2), ymd(2022, 6, 3)});
      break;
    default:
      out.push_back(last_monday(year, 5));
  }
}

void add_christmas(std::vector<local_days>& out, int year) {
  add_substituted(out, ymd(year, 12, 25));
  add_substituted(out, ymd(year, 12, 26));
  if (year == 1999) out.push_back(ymd(1999, 12, 31));  // the millennium
}

}  // namespace

std::optional<holiday_set> find_holiday_set(std::string_view name) {
  for (const auto& s : sets)
    if (s.name == name) return s.set;
  return std::nullopt;
}

std::vector<std::string_view> holiday_set_names() {
  std::vector<std::string_view> names;
  for (const auto& s : sets) names.push_back(s.name);
  return names;
}

std::vector<local_days> holidays_in_year(holiday_set set, int year) {
  std::vector<local_days> out;
  add_substituted(out, ymd(year, 1, 1));
  if (set == holiday_set::scotland) add_substituted(out, ymd(year, 1, 2));
  if (set == holiday_set::northern_ireland) add_substituted(out, ymd(year, 3, 17));  // St Patrick's Day
  auto easter = western_easter(year);
  out.push_back(easter - date::days{2});
  if (set != holiday_set::scotland) out.push_back(easter + date::days{1});
  if (year == 2011) out.push_back(ymd(2011, 4, 29));  // the royal wedding
  add_may_and_june(out, year);
  if (set == holiday_set::northern_ireland) add_substituted(out, ymd(year, 7, 12));  // the Battle of the Boyne
  out.push_back(set == holiday_set::scotland ? first_monday(year, 8) : last_monday(year, 8));
  if (year == 2022) out.push_back(ymd(2022, 9, 19));  // the state funeral of Queen Elizabeth II
  if (set == holiday_set::scotland && year >= 2007) add_substituted(out, ymd(year, 11, 30));  // St Andrew's Day
  add_christmas(out, year);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace herald
