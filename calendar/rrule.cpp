#include "calendar/rrule.hpp"

// Two halves: a parser for the RRULE text, and an expansion that mirrors
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
#include <cctype>
#include <charconv>
#include <numeric>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace herald {
namespace {

using date::local_days;

// ---------------------------------------------------------------- parsing

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
  while (!t.text.empty() && std::isspace(static_cast<unsigned char>(t.text.front()))) {
    t.text.remove_prefix(1);
    ++t.offset;
  }
  while (!t.text.empty() && std::isspace(static_cast<unsigned char>(t.text.back()))) t.text.remove_suffix(1);
  return t;
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

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal integer, optionally signed when `signed_ok`; nullopt otherwise
// (also on overflow).
std::optional<int> to_int(std::string_view text, bool signed_ok) {
  bool negative = false;
  if (signed_ok && !text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  int value = 0;
  if (!all_digits(text)) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return negative ? -value : value;
}

std::optional<date::weekday> weekday_code(std::string_view text) {
  auto code = upper(text);
  for (unsigned i = 0; i < weekday_codes.size(); ++i)
    if (code == weekday_codes[i]) return date::weekday{i};
  return std::nullopt;
}

parse_error error_at(token where, std::string message) { return parse_error{std::move(message), where.offset, {}}; }

// Two-digit field of `text` at `at`, or -1.
int two_digits(std::string_view text, std::size_t at) {
  auto field = text.substr(at, 2);
  return field.size() == 2 && all_digits(field) ? (field[0] - '0') * 10 + (field[1] - '0') : -1;
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
  auto upper_name = upper(name.text);
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
  auto upper_name = upper(name.text);
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
  auto name = upper(value.text);
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
  if (upper(name.text) != "RRULE")
    return error_at(name,
                    fmt::format("unknown property '{}' (only an 'RRULE:' prefix may precede the rule)", name.text));
  return token{text.substr(colon + 1), colon + 1};
}

// -------------------------------------------------------------- expansion

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
