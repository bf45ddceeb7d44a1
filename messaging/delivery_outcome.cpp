// Turning a service's answer into sent / transient / permanent (docs/daemon.md "Delivery rules"),
// and how long to wait before trying again.
//
// The detail ends up in logs and `herald status`, so text from the service
// is cut short and cleaned of control characters (an answer could hold
// terminal escapes or line breaks that fake a log line).

#include "messaging/delivery_outcome.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "text/civil.hpp"
#include "text/one_line.hpp"
#include "text/strings.hpp"
#include "text/utf8.hpp"

namespace herald {
namespace {

constexpr std::size_t max_detail = 200;  // characters of the service's answer
// A service asking for more than a day is mistaken or hostile; the post's
// catch-up window ends long before anyway.
constexpr std::chrono::seconds max_retry_after = std::chrono::hours{24};

// The first non-blank line of `text`, without control characters or broken
// UTF-8 (a tab is a space), at most max_detail characters (then "…").
std::string clean_first_line(std::string_view text) {
  auto start = text.find_first_not_of(whitespace);
  if (start == std::string_view::npos) return {};
  text = text.substr(start, text.find_first_of("\r\n", start) - start);
  std::string out;
  std::size_t characters = 0;
  for (std::size_t at = 0; at < text.size();) {
    auto decoded = decode_utf8(text, at);
    auto sequence = text.substr(at, std::max<std::size_t>(decoded.length, 1));
    at += sequence.size();
    if (sequence == "\t")
      sequence = " ";
    else if (!decoded.valid() || is_control(decoded.point))
      continue;
    if (characters++ == max_detail) return out + "\u2026";
    out += sequence;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  return out;
}

std::optional<int> number(std::string_view text) {
  return text.size() > 4 ? std::nullopt : parse_integer<int>(text, 0, 9999);
}

// The words of an HTTP-date, split at blanks, commas and the dashes of the
// RFC 850 form (so "06-Nov-94" is three words).
std::vector<std::string_view> date_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != ' ' && text[i] != ',' && text[i] != '-') continue;
    if (i > start) words.push_back(text.substr(start, i - start));
    start = i + 1;
  }
  return words;
}

// "08:49:37" as a duration since midnight.
std::optional<std::chrono::seconds> time_of_day(std::string_view text) {
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return std::nullopt;
  auto h = number(text.substr(0, 2)), m = number(text.substr(3, 2)), s = number(text.substr(6, 2));
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return std::chrono::hours{*h} + std::chrono::minutes{*m} + std::chrono::seconds{*s};
}

// RFC 9110 §5.6.7: a two-digit year more than 50 years ahead of now is
// in the past century.
int full_year(int two_digits, date::sys_seconds now) {
  int this_year = static_cast<int>(date::year_month_day{date::floor<date::days>(now)}.year());
  int year = this_year / 100 * 100 + two_digits;
  return year > this_year + 50 ? year - 100 : year;
}

std::optional<date::sys_seconds> instant(int year, std::string_view month, std::string_view day,
                                         std::string_view time) {
  auto m = parse_month_name(month);
  auto d = number(day);
  auto t = time_of_day(time);
  if (m == 0 || month.size() != 3 || !d || !t) return std::nullopt;
  date::year_month_day ymd{date::year{year}, date::month{m}, date::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return date::sys_days{ymd} + *t;
}

// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850
// "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
std::optional<date::sys_seconds> parse_http_date(std::string_view text, date::sys_seconds now) {
  auto w = date_words(text);
  if (w.size() < 5 || !parse_weekday_name(w[0])) return std::nullopt;
  if (w.size() == 6 && w[5] == "GMT") {
    auto year = number(w[3]);
    if (!year || (w[3].size() != 2 && w[3].size() != 4)) return std::nullopt;
    return instant(w[3].size() == 2 ? full_year(*year, now) : *year, w[2], w[1], w[4]);
  }
  if (w.size() == 5 && w[4].size() == 4) {
    auto year = number(w[4]);
    if (!year) return std::nullopt;
    return instant(*year, w[1], w[2], w[3]);
  }
  return std::nullopt;
}

// libcurl's text usually starts with the code ("550 5.1.1 …", or "550-…"
// on the first line of several); the detail says it once.
std::string without_code(std::string line, long code) {
  auto code_text = fmt::format("{}", code);
  if (!line.starts_with(code_text)) return line;
  std::string_view rest = std::string_view(line).substr(code_text.size());
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '-') return line;
  return std::string(trim(rest.substr(rest.empty() ? 0 : 1)));
}

delivery_outcome outcome(delivery_outcome::kind kind, std::string detail) {
  delivery_outcome out;
  out.result = kind;
  out.detail = std::move(detail);
  return out;
}

}  // namespace

delivery_outcome classify_http(long status, std::string_view retry_after, std::string_view body,
                               date::sys_seconds now) {
  using kind = delivery_outcome::kind;
  auto line = clean_first_line(body);
  auto detail = line.empty() ? fmt::format("HTTP {}", status) : fmt::format("HTTP {}: {}", status, line);
  if (status >= 200 && status <= 299) return outcome(kind::sent, std::move(detail));
  // No status at all means no answer reached us: like a dropped connection.
  bool transient = status < 100 || status == 408 || status == 429 || (status >= 500 && status <= 599);
  if (!transient) return outcome(kind::permanent, std::move(detail));
  auto out = outcome(kind::transient, std::move(detail));
  out.retry_after = parse_retry_after(retry_after, now);
  return out;
}

delivery_outcome classify_smtp(long code, std::string_view detail) {
  using kind = delivery_outcome::kind;
  auto line = without_code(clean_first_line(detail), code);
  auto text = line.empty() ? fmt::format("SMTP {}", code) : fmt::format("SMTP {} {}", code, line);
  if (code >= 200 && code <= 299) return outcome(kind::sent, std::move(text));
  // No reply code means no answer reached us; retry as for a lost connection.
  if (code < 100 || (code >= 400 && code <= 499)) return outcome(kind::transient, std::move(text));
  return outcome(kind::permanent, std::move(text));
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, date::sys_seconds now) {
  value = trim(value);
  if (all_digits(value)) {
    // Anything with more digits than a day has seconds is past the cap.
    if (value.size() > 6) return max_retry_after;
    auto seconds = parse_integer<long long>(value).value_or(0);
    return std::min(std::chrono::seconds{seconds}, max_retry_after);
  }
  auto when = parse_http_date(value, now);
  if (!when) return std::nullopt;
  return std::clamp(*when - now, std::chrono::seconds{0}, max_retry_after);
}

std::chrono::seconds backoff(int attempt, double random01, std::chrono::seconds base, std::chrono::seconds cap) {
  // Full jitter (wait uniform in [0, ceiling)) spreads retries of many posts
  // that failed together; at least a second so a retry is never immediate.
  auto ceiling = std::min(cap, base);
  for (int i = 1; i < attempt && ceiling < cap && ceiling.count() > 0; ++i)
    ceiling = ceiling > cap / 2 ? cap : ceiling * 2;
  if (!(random01 >= 0.0)) random01 = 0.0;  // also NaN
  random01 = std::min(random01, 1.0);
  auto wait = std::chrono::seconds{static_cast<long long>(std::floor(random01 * static_cast<double>(ceiling.count())))};
  return std::max(std::chrono::seconds{1}, std::min(wait, ceiling));
}

}  // namespace herald
