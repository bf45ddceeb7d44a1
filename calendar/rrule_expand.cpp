#include "calendar/rrule.hpp"

// The expansion of a parsed rule (rrule_parse.cpp reads the text). It mirrors
// python-dateutil's `rrule._iter` (docs/calendar.md "rrule" makes dateutil the oracle, and
// tests/data/rrule_oracle.py checks thousands of random rules against it).
//
// dateutil walks *periods* (a year, a month, a week or a day) stepping by
// INTERVAL from DTSTART's own period. For each it builds the period's days,
// drops those the BYxxx parts reject, applies BYSETPOS to what is left, and
// emits the survivors that are not before DTSTART, stopping at UNTIL or after
// COUNT. Everything below follows that shape so its quirks carry over.

#include <algorithm>
#include <array>
#include <bitset>
#include <numeric>

namespace herald {
namespace {

using date::local_days;

constexpr local_days first_supported_day = local_days{date::year{1} / 1 / 1};
constexpr local_days last_supported_day = local_days{date::year{9999} / 12 / 31};

// The rule as dateutil's `rrule.__init__` leaves it: lists turned into sets,
// BYDAY split into plain weekdays and ordinals, and the parts DTSTART
// supplies when the rule names no day.
struct expansion {
  rrule::frequency freq = rrule::frequency::yearly;
  long long interval = 1;
  std::optional<int> count;
  bool filter_months = false;
  std::bitset<13> months;  // 1..12
  bool filter_month_days = false;
  std::bitset<32> month_days;           // 1..31
  std::bitset<32> month_days_from_end;  // 1..31 for -1..-31
  bool filter_weekdays = false;
  std::bitset<7> weekdays;  // c_encoding()
  std::vector<rrule::weekday_ordinal> ordinals;
  std::vector<int> set_pos;
  date::weekday week_start = date::Monday;
};

bool ordinals_apply(rrule::frequency freq) {
  return freq == rrule::frequency::yearly || freq == rrule::frequency::monthly;
}

void add_month_day(expansion& x, int day) {
  x.filter_month_days = true;
  if (day >= 1 && day <= 31) x.month_days.set(static_cast<std::size_t>(day));
  if (day <= -1 && day >= -31) x.month_days_from_end.set(static_cast<std::size_t>(-day));
}

// dateutil: with no BYMONTHDAY and no BYDAY, YEARLY takes DTSTART's month
// (unless BYMONTH is given) and day, MONTHLY its day, WEEKLY its weekday.
void add_defaults(expansion& x, local_days start) {
  date::year_month_day ymd{start};
  if (x.freq == rrule::frequency::yearly && !x.filter_months) {
    x.filter_months = true;
    x.months.set(static_cast<unsigned>(ymd.month()));
  }
  if (x.freq == rrule::frequency::yearly || x.freq == rrule::frequency::monthly)
    add_month_day(x, static_cast<int>(static_cast<unsigned>(ymd.day())));
  if (x.freq == rrule::frequency::weekly) {
    x.filter_weekdays = true;
    x.weekdays.set(date::weekday{start}.c_encoding());
  }
}

expansion expand(const rrule& rule, local_days start) {
  expansion x;
  x.freq = rule.freq;
  x.interval = std::max(rule.interval, 1);  // 0 would make dateutil loop forever
  x.count = rule.count;
  x.set_pos = rule.by_set_pos;
  x.week_start = rule.week_start;
  x.filter_months = !rule.by_month.empty();
  for (auto m : rule.by_month)
    if (m >= 1 && m <= 12) x.months.set(m);
  for (auto d : rule.by_month_day) add_month_day(x, d);
  for (auto d : rule.by_day) {
    // Like dateutil, an ordinal under WEEKLY or DAILY means the plain weekday.
    if (d.n != 0 && ordinals_apply(x.freq)) {
      x.ordinals.push_back(d);
    } else {
      x.filter_weekdays = true;
      x.weekdays.set(d.day.c_encoding());
    }
  }
  if (rule.by_month_day.empty() && rule.by_day.empty()) add_defaults(x, start);
  return x;
}

// One period's days, both ends included: dateutil's `dayset`.
struct period {
  local_days first;
  local_days last;
};

local_days week_start_of(local_days day, date::weekday week_start) { return day - (date::weekday{day} - week_start); }

// Period `p` (0: DTSTART's own), or nullopt past year 9999. dateutil's first
// WEEKLY period runs from DTSTART (not from the week start) to the end of its
// week, which matters for BYSETPOS.
std::optional<period> period_at(const expansion& x, local_days start, long long p) {
  auto step = p * x.interval;
  if (x.freq == rrule::frequency::yearly || x.freq == rrule::frequency::monthly) {
    date::year_month_day ymd{start};
    long long months = x.freq == rrule::frequency::yearly ? 12 * step : step;
    long long index = int{ymd.year()} * 12LL + static_cast<unsigned>(ymd.month()) - 1 + months;
    if (index / 12 > 9999) return std::nullopt;
    auto year = date::year{static_cast<int>(index / 12)};
    if (x.freq == rrule::frequency::yearly) return period{local_days{year / 1 / 1}, local_days{year / 12 / 31}};
    auto ym = year / date::month{static_cast<unsigned>(index % 12 + 1)};
    return period{local_days{ym / 1}, local_days{ym / date::last}};
  }
  long long first = start.time_since_epoch().count();
  long long length = 1;
  if (x.freq == rrule::frequency::weekly) {
    first = week_start_of(start, x.week_start).time_since_epoch().count() + 7 * step;
    length = 7;
  } else {
    first += step;
  }
  if (first > last_supported_day.time_since_epoch().count()) return std::nullopt;
  auto begin = local_days{date::days{static_cast<int>(first)}};
  if (x.freq == rrule::frequency::weekly && p == 0) begin = start;
  return period{begin, local_days{date::days{static_cast<int>(first + length - 1)}}};
}

long long ceil_div_nonnegative(long long a, long long b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// The first period that can hold a day on or after `from`. Without COUNT the
// periods before it cannot change the result, so the walk may start there.
long long first_period_reaching(const expansion& x, local_days start, local_days from) {
  date::year_month_day s{start}, f{from};
  switch (x.freq) {
    case rrule::frequency::yearly:
      return ceil_div_nonnegative(int{f.year()} - int{s.year()}, x.interval);
    case rrule::frequency::monthly: {
      long long months =
          (int{f.year()} - int{s.year()}) * 12LL + static_cast<unsigned>(f.month()) - static_cast<unsigned>(s.month());
      return ceil_div_nonnegative(months, x.interval);
    }
    case rrule::frequency::weekly:
      return ceil_div_nonnegative((from - week_start_of(start, x.week_start)).count() - 6, 7 * x.interval);
    case rrule::frequency::daily:
      break;
  }
  return ceil_div_nonnegative((from - start).count(), x.interval);
}

// After this many periods in a row without an occurrence, none will ever
// come: the Gregorian calendar repeats every 400 years (= 4800 months =
// 20871 weeks = 146097 days), so periods stepping by INTERVAL revisit the
// same calendar positions after cycle / gcd(cycle, INTERVAL) steps. (+1 for
// dateutil's partial first week.)
long long empty_period_limit(const expansion& x) {
  constexpr std::array<long long, 4> cycle = {400, 4800, 20871, 146097};
  auto c = cycle[static_cast<std::size_t>(x.freq)];
  return c / std::gcd(c, x.interval) + 1;
}

// dateutil's `nwdaymask`: in `first..last`, the nth given weekday counted
// from the start (n > 0) or from the end (n < 0).
void add_ordinal_days(const expansion& x, local_days first, local_days last, std::vector<local_days>& out) {
  for (auto [day, n] : x.ordinals) {
    local_days hit;
    if (n > 0) {
      hit = first + date::days{7 * (n - 1)};
      hit += day - date::weekday{hit};
    } else {
      hit = last + date::days{7 * (n + 1)};
      hit -= date::weekday{hit} - day;
    }
    if (first <= hit && hit <= last) out.push_back(hit);
  }
}

// The ordinals count within each BYMONTH month under YEARLY with BYMONTH,
// within the year under plain YEARLY, and within the month under MONTHLY.
std::vector<local_days> ordinal_days(const expansion& x, period in) {
  std::vector<local_days> out;
  if (x.ordinals.empty()) return out;
  date::year_month_day ymd{in.first};
  if (x.freq == rrule::frequency::monthly || !x.filter_months) {
    add_ordinal_days(x, in.first, in.last, out);
    return out;
  }
  for (unsigned m = 1; m <= 12; ++m) {
    if (!x.months.test(m)) continue;
    auto ym = ymd.year() / date::month{m};
    add_ordinal_days(x, local_days{ym / 1}, local_days{ym / date::last}, out);
  }
  return out;
}

// BYMONTHDAY and BYDAY for one day of a month with `month_length` days (the
// month itself has passed BYMONTH). Plain and ordinal BYDAY entries must
// *both* match when a rule mixes them: dateutil's filter does so.
bool day_passes(const expansion& x, local_days day, unsigned month_day, unsigned month_length,
                const std::vector<local_days>& ordinal_hits) {
  if (x.filter_weekdays && !x.weekdays.test(date::weekday{day}.c_encoding())) return false;
  if (!x.ordinals.empty() && std::find(ordinal_hits.begin(), ordinal_hits.end(), day) == ordinal_hits.end())
    return false;
  return !x.filter_month_days || x.month_days.test(month_day) ||
         x.month_days_from_end.test(month_length - month_day + 1);
}

// The days of period `in` that pass the BYxxx parts, ascending, into `out`
// (a buffer reused across periods: a long COUNT walks many of them).
void matching_days(const expansion& x, period in, std::vector<local_days>& out) {
  out.clear();
  auto ordinal_hits = ordinal_days(x, in);
  for (auto day = in.first; day <= in.last;) {
    date::year_month_day ymd{day};
    auto length = static_cast<unsigned>((ymd.year() / ymd.month() / date::last).day());
    auto month_day = static_cast<unsigned>(ymd.day());
    auto stop = std::min(in.last, day + date::days{static_cast<int>(length - month_day)});
    if (!x.filter_months || x.months.test(static_cast<unsigned>(ymd.month()))) {
      for (; day <= stop; day += date::days{1}, ++month_day)
        if (day_passes(x, day, month_day, length, ordinal_hits)) out.push_back(day);
    }
    day = stop + date::days{1};
  }
}

// BYSETPOS picks by position among the period's matching days (negative:
// from the end); positions past either end pick nothing.
const std::vector<local_days>& select_positions(const std::vector<int>& set_pos, const std::vector<local_days>& days,
                                                std::vector<local_days>& picked) {
  if (set_pos.empty()) return days;
  picked.clear();
  auto size = static_cast<long long>(days.size());
  for (int pos : set_pos) {
    long long i = pos > 0 ? pos - 1 : size + pos;
    if (i >= 0 && i < size) picked.push_back(days[static_cast<std::size_t>(i)]);
  }
  std::sort(picked.begin(), picked.end());
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
  return picked;
}

}  // namespace

std::vector<local_days> rrule_dates(const rrule& rule, local_days start, local_days from, local_days to) {
  std::vector<local_days> out;
  if (start < first_supported_day || start > last_supported_day) return out;
  auto x = expand(rule, start);
  // Nothing before DTSTART is an occurrence; nothing after UNTIL is either.
  from = std::max(from, start);
  to = std::min({to, rule.until.value_or(last_supported_day), last_supported_day});
  if (from > to) return out;
  int remaining = x.count.value_or(0);
  long long empty_run = 0, empty_limit = empty_period_limit(x);
  std::vector<local_days> matched, picked;
  for (long long p = x.count ? 0 : first_period_reaching(x, start, from);; ++p) {
    auto span = period_at(x, start, p);
    if (!span || span->first > to) break;
    matching_days(x, *span, matched);
    const auto& days = select_positions(x.set_pos, matched, picked);
    empty_run = days.empty() ? empty_run + 1 : 0;
    if (empty_run > empty_limit) break;
    for (auto day : days) {
      if (day > to) return out;
      if (day < start) continue;
      if (x.count && --remaining < 0) return out;
      if (day >= from) out.push_back(day);
    }
  }
  return out;
}

}  // namespace herald
