// Writing RFC 5545. The choices that matter to subscribers: all-day dates
// (VALUE=DATE, DTEND exclusive), TRANSP:TRANSPARENT so observances never
// show a person as busy, and a UID per occurrence that survives edits of
// its wording, so a client updates an event instead of duplicating it.
#include "calendar/icalendar.hpp"

#include <cctype>

#include "text/civil.hpp"

namespace herald {
namespace {

constexpr std::size_t fold_at = 75;  // octets per line, CRLF excluded (RFC 5545 §3.1)

std::string basic_date(date::local_days day) {
  auto iso = format_iso_date(day);  // 2027-06-23
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
}

std::string basic_utc(date::sys_seconds instant) {
  auto days = date::floor<date::days>(instant);
  date::hh_mm_ss<std::chrono::seconds> time{instant - days};
  std::string out = basic_date(date::local_days{days.time_since_epoch()}) + 'T';
  append_digits(out, static_cast<unsigned>(time.hours().count()), 2);
  append_digits(out, static_cast<unsigned>(time.minutes().count()), 2);
  append_digits(out, static_cast<unsigned>(time.seconds().count()), 2);
  return out + 'Z';
}

// A calendar's name as the domain part of a UID: lower-case letters, digits
// and single dashes.
std::string uid_domain(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c)) {
      out += static_cast<char>(std::tolower(c));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "herald" : out;
}

std::string description_of(const ics_occurrence& o) {
  std::string out;
  if (o.begins_evening) out = "Begins at sunset on " + format_long_date(o.start - date::days{1}) + ".";
  for (const auto* part : {&o.description, &o.url}) {
    if (part->empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += *part;
  }
  return out;
}

void append_event(std::string& out, const ics_occurrence& o, const ics_calendar& cal) {
  ics_append_folded(out, "BEGIN:VEVENT");
  ics_append_folded(out, "UID:" + ics_uid(o, cal.name));
  ics_append_folded(out, "DTSTAMP:" + basic_utc(cal.stamp));
  ics_append_folded(out, "DTSTART;VALUE=DATE:" + basic_date(o.start));
  ics_append_folded(out, "DTEND;VALUE=DATE:" + basic_date(o.end + date::days{1}));
  ics_append_folded(out, "SUMMARY:" + ics_escape_text(o.title));
  auto description = description_of(o);
  if (!description.empty()) ics_append_folded(out, "DESCRIPTION:" + ics_escape_text(description));
  if (!o.url.empty()) ics_append_folded(out, "URL:" + o.url);
  if (!o.tags.empty()) {
    std::string categories = "CATEGORIES:";
    for (std::size_t i = 0; i < o.tags.size(); ++i) {
      if (i) categories += ',';
      categories += ics_escape_text(o.tags[i]);
    }
    ics_append_folded(out, categories);
  }
  ics_append_folded(out, "TRANSP:TRANSPARENT");
  ics_append_folded(out, "END:VEVENT");
}

}  // namespace

std::string ics_escape_text(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
      case ';':
      case ',':
        out += '\\';
        out += c;
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

void ics_append_folded(std::string& out, std::string_view line) {
  std::size_t limit = fold_at;  // the first line has 75 octets; the others a space and 74
  while (line.size() > limit) {
    std::size_t cut = limit;
    while (cut > 1 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = fold_at - 1;
  }
  out.append(line);
  out += "\r\n";
}

std::string ics_uid(const ics_occurrence& occurrence, std::string_view calendar_name) {
  return occurrence.event_id + '-' + format_iso_date(occurrence.start) + '@' + uid_domain(calendar_name);
}

std::string write_icalendar(const ics_calendar& calendar) {
  std::string out;
  ics_append_folded(out, "BEGIN:VCALENDAR");
  ics_append_folded(out, "VERSION:2.0");
  ics_append_folded(out, "PRODID:" + calendar.product);
  ics_append_folded(out, "CALSCALE:GREGORIAN");
  ics_append_folded(out, "METHOD:PUBLISH");
  ics_append_folded(out, "X-WR-CALNAME:" + ics_escape_text(calendar.name));
  // How often subscribers should fetch again (Outlook's and Apple's own keys).
  ics_append_folded(out, "REFRESH-INTERVAL;VALUE=DURATION:PT12H");
  ics_append_folded(out, "X-PUBLISHED-TTL:PT12H");
  for (const auto& o : calendar.occurrences) append_event(out, o, calendar);
  ics_append_folded(out, "END:VCALENDAR");
  return out;
}

}  // namespace herald
