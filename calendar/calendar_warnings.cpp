// Warnings (docs/calendar.md "Warnings") and the zone-abbreviation error.
#include "calendar/calendar_warnings.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

#include "calendar/yaml_errors.hpp"
#include "text/civil.hpp"
#include "text/utf8.hpp"

namespace herald {
namespace {

// The column `bytes` bytes after `mark` on the same line.
source_mark mark_after(source_mark mark, std::string_view line, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes && i < line.size(); ++i)
    if (!is_utf8_continuation(line[i])) ++mark.col;
  return mark;
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; }

// Zones that never change their clocks: tzdata's UTC and GMT and their
// aliases. A team in the UK that writes GMT posts an hour off all summer.
bool without_daylight_saving(std::string_view name) {
  static constexpr std::array<std::string_view, 10> fixed = {"GMT",   "UTC",       "UCT",       "GMT0", "GMT+0",
                                                             "GMT-0", "Universal", "Greenwich", "Zulu", "UTC0"};
  return name.starts_with("Etc/") || std::find(fixed.begin(), fixed.end(), name) != fixed.end();
}

// BST, CEST, EST5EDT: upper-case letters (a POSIX rule's digit allowed),
// the way clocks are labelled rather than the way tzdata names places.
bool is_abbreviation(std::string_view name) {
  if (name.size() < 3 || name.size() > 7 || without_daylight_saving(name)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

// The zone most people who write an abbreviation mean.
std::string_view zone_for(std::string_view abbreviation) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 30> zones = {{
      {"BST", "Europe/London"},        {"IST", "Europe/Dublin or Asia/Kolkata"},
      {"CET", "Europe/Paris"},         {"CEST", "Europe/Paris"},
      {"MET", "Europe/Paris"},         {"MEST", "Europe/Paris"},
      {"EET", "Europe/Athens"},        {"EEST", "Europe/Athens"},
      {"WET", "Europe/Lisbon"},        {"WEST", "Europe/Lisbon"},
      {"EST", "America/New_York"},     {"EDT", "America/New_York"},
      {"EST5EDT", "America/New_York"}, {"CST", "America/Chicago"},
      {"CDT", "America/Chicago"},      {"CST6CDT", "America/Chicago"},
      {"MST", "America/Denver"},       {"MDT", "America/Denver"},
      {"MST7MDT", "America/Denver"},   {"PST", "America/Los_Angeles"},
      {"PDT", "America/Los_Angeles"},  {"PST8PDT", "America/Los_Angeles"},
      {"HST", "Pacific/Honolulu"},     {"AEST", "Australia/Sydney"},
      {"AEDT", "Australia/Sydney"},    {"NZST", "Pacific/Auckland"},
      {"NZDT", "Pacific/Auckland"},    {"JST", "Asia/Tokyo"},
      {"SAST", "Africa/Johannesburg"}, {"MSK", "Europe/Moscow"},
  }};
  for (auto [name, zone] : zones)
    if (name == abbreviation) return zone;
  return {};
}

// The last explicit date of an event known by `dates:` alone, else nullopt.
std::optional<date::local_days> last_listed_date(const recurrence& when) {
  if (!when.every.empty() || when.rule() || when.dates().empty()) return std::nullopt;
  auto last = when.dates().front().end;
  for (const auto& span : when.dates()) last = std::max(last, span.end);
  return last;
}

}  // namespace

void warn_comment_in_plain_text(yaml_ref node, std::string_view key, diagnostics_collector& out) {
  if (!node.is_scalar()) return;
  auto line = node.source_from_mark();
  // A quoted or block scalar keeps its '#'; a plain one ends at " #".
  if (line.empty() || std::string_view("\"'|>&!*").find(line.front()) != std::string_view::npos) return;
  auto hash = line.find(" #");
  if (auto tab = line.find("\t#"); tab < hash) hash = tab;
  if (hash == std::string_view::npos) return;
  std::string whole;
  for (char c : line) whole += c == '"' || c == '\\' ? std::string{'\\', c} : std::string{c};
  out.warning(mark_after(node.mark(), line, hash + 1),
              fmt::format("YAML read the text after ' #' as a comment: '{}' ends at '{}'", key, node.scalar()),
              fmt::format("quote the text: {}: \"{}\"", key, whole));
}

void warn_curly_quotes(yaml_ref node, std::string_view key, diagnostics_collector& out) {
  if (!node.is_scalar()) return;
  auto line = node.source_from_mark();
  // Inside straight quotes or a block, curly ones were surely meant.
  if (line.empty() || std::string_view("\"'|>&!*").find(line.front()) != std::string_view::npos) return;
  auto text = node.scalar();
  if (text.size() < 6 || !starts_with_curly_quote(text) || !ends_with_curly_quote(text)) return;
  out.warning(node.mark(),
              fmt::format("the text of '{}' is in curly quotes, which YAML keeps as part of the text", key),
              fmt::format("if they were meant as quotes, use straight ones: {}: {}; to print them, put them "
                          "inside straight ones: {}: {}",
                          key, double_quoted(without_curly_quotes(text)), key, double_quoted(text)));
}

void warn_single_braces(yaml_ref node, diagnostics_collector& out) {
  auto text = node.scalar();
  for (std::size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
    if ((open > 0 && text[open - 1] == '{') || open + 1 >= text.size() || !is_name_start(text[open + 1])) continue;
    auto close = open + 1;
    while (close < text.size() && is_name_char(text[close])) ++close;
    if (close >= text.size() || text[close] != '}' || (close + 1 < text.size() && text[close + 1] == '}')) continue;
    auto name = text.substr(open + 1, close - open - 1);
    out.warning(node.mark_at(open), fmt::format("'{{{}}}' is printed as it stands", name),
                fmt::format("to insert the variable, use two braces: {{{{{}}}}}", name));
  }
}

bool check_zone_name(std::string_view name, source_mark mark, diagnostics_collector& out) {
  if (is_abbreviation(name)) {
    auto zone = zone_for(name);
    out.error(
        mark, fmt::format("'{}' is an abbreviation, not a time zone", name),
        zone.empty() ? std::string("write the zone of a city, e.g. Europe/London or America/New_York: it "
                                   "changes between summer and winter time by itself")
        : name == "BST"
            ? std::string("for UK clocks write Europe/London: it changes between GMT and BST by itself")
            : fmt::format("write the zone of a city, e.g. {}: it changes between summer and winter time by itself",
                          zone));
    return false;
  }
  if (without_daylight_saving(name))
    out.warning(
        mark, fmt::format("time zone '{}' has no daylight saving time", name),
        fmt::format("for UK clocks write Europe/London; a post at 09:00 {} is at 10:00 on UK clocks in summer", name));
  return true;
}

void warn_dates_ahead(const calendar& cal, std::span<const source_mark> dates_marks, date::sys_seconds now,
                      diagnostics_collector& out) {
  auto today = date::floor<date::days>(cal.zone->to_local(now));
  for (std::size_t i = 0; i < cal.events.size() && i < dates_marks.size(); ++i) {
    const auto& e = cal.events[i];
    auto found = occurrences_starting(e.when, today, today + date::days{364});
    auto last_listed = last_listed_date(e.when);
    if (found.empty()) {
      auto hint = last_listed && *last_listed < today
                      ? fmt::format("its last date was {}: add next year's dates, or remove the event",
                                    format_iso_date(*last_listed))
                  : e.when.until() && *e.when.until() < today
                      ? fmt::format("its 'until' date, {}, is past: remove the event, or 'until'",
                                    format_iso_date(*e.when.until()))
                      : std::string("herald posts nothing for it: check its dates, 'from', 'until' and 'except'");
      out.warning(e.id_mark, fmt::format("event '{}' has no occurrence in the coming 365 days", e.id), hint);
    } else if (last_listed && *last_listed < today + date::days{90}) {
      out.warning(dates_marks[i],
                  fmt::format("the dates of event '{}' run out on {}", e.id, format_iso_date(*last_listed)),
                  "add next year's dates");
    }
  }
}

}  // namespace herald
