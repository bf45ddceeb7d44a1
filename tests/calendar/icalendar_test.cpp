// The iCalendar writer: escaping and folding by RFC 5545, and whole
// calendars read back by two parsers independent of it — libical (C, the
// parser of Evolution and many servers) and python3-icalendar.
#include "calendar/icalendar.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <libical/ical.h>
#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"
#include "test_support.hpp"

namespace herald {
namespace {

using test::day;

std::vector<std::string> physical_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  for (auto end = text.find("\r\n"); end != std::string::npos; end = text.find("\r\n", at)) {
    lines.push_back(text.substr(at, end - at));
    at = end + 2;
  }
  CHECK(at == text.size());  // everything ends in CRLF
  return lines;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

ics_calendar sample() {
  ics_calendar cal;
  cal.name = "EDI Network: inclusion calendar";
  cal.product = "-//herald//herald test//EN";
  cal.stamp = date::sys_days{date::year{2026} / 11 / 30} + std::chrono::hours{14} + std::chrono::minutes{5};
  cal.occurrences.push_back({"inwed",
                             day(2027, 6, 23),
                             day(2027, 6, 23),
                             "International Women in Engineering Day",
                             "Celebrating women engineers; worldwide, every year.",
                             "https://www.inwed.org.uk/",
                             {"gender", "engineering"},
                             false});
  cal.occurrences.push_back({"rosh-hashanah",
                             day(2027, 10, 2),
                             day(2027, 10, 3),
                             "Rosh Hashanah",
                             "Jewish New Year. שנה טובה — a good year to all, with a long description that "
                             "certainly needs folding across several lines of seventy-five octets 🎉🎉🎉.",
                             "",
                             {"faith, belief"},
                             true});
  return cal;
}

std::string write_temp(const test::temp_dir& dir, const std::string& text) {
  auto path = (dir.path() / "calendar.ics").string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST_CASE("icalendar: TEXT escaping", "[icalendar]") {
  CHECK(ics_escape_text("a,b;c\\d\ne\r") == "a\\,b\\;c\\\\d\\ne");
  CHECK(ics_escape_text("plain") == "plain");
}

TEST_CASE("icalendar: folding at 75 octets never splits a character", "[icalendar]") {
  // Given lines of ASCII, two-byte and four-byte characters, then every
  // physical line is at most 75 octets of valid UTF-8 and unfolding gives
  // the line back.
  for (std::string unit : {"a", "é", "🎉", "ab€"}) {
    std::string line = "DESCRIPTION:";
    while (line.size() < 400) line += unit;
    std::string out;
    ics_append_folded(out, line);
    auto lines = physical_lines(out);
    REQUIRE(lines.size() > 5);
    std::string unfolded;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      INFO(unit << " line " << i);
      CHECK(lines[i].size() <= 75);
      if (i + 1 < lines.size()) CHECK(lines[i].size() >= 72);  // full lines, except the last
      if (i > 0) REQUIRE(lines[i][0] == ' ');
      auto content = i ? lines[i].substr(1) : lines[i];
      CHECK(valid_utf8(content));
      unfolded += content;
    }
    CHECK(unfolded == line);
  }
}

TEST_CASE("icalendar: one all-day transparent VEVENT per occurrence, the same bytes every time", "[icalendar]") {
  auto text = write_icalendar(sample());
  CHECK(text == write_icalendar(sample()));
  CHECK(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//herald//herald test//EN\r\n"));
  CHECK(text.find("UID:inwed-2027-06-23@edi-network-inclusion-calendar\r\n") != std::string::npos);
  CHECK(text.find("DTSTAMP:20261130T140500Z\r\n") != std::string::npos);
  CHECK(text.find("DTSTART;VALUE=DATE:20270623\r\nDTEND;VALUE=DATE:20270624\r\n") != std::string::npos);
  CHECK(text.find("DTEND;VALUE=DATE:20271004\r\n") != std::string::npos);
  CHECK(text.find("CATEGORIES:gender,engineering\r\n") != std::string::npos);
  CHECK(text.find("CATEGORIES:faith\\, belief\r\n") != std::string::npos);
  CHECK(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
}

TEST_CASE("icalendar: python3-icalendar reads back every field", "[icalendar][oracle]") {
  test::temp_dir dir("herald-ics");
  auto path = write_temp(dir, write_icalendar(sample()));
  std::string output;
  FILE* pipe = popen(
      ("/usr/bin/python3 '" HERALD_SOURCE_DIR "/tests/data/icalendar_oracle.py' '" + path + "' 2>&1").c_str(), "r");
  REQUIRE(pipe);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  INFO("tests/data/icalendar_oracle.py needs /usr/bin/python3 with python3-icalendar; it printed:\n" << output);
  REQUIRE(pclose(pipe) == 0);
  CHECK(output ==
        "CALNAME|EDI Network: inclusion calendar\n"
        "inwed-2027-06-23@edi-network-inclusion-calendar|2027-06-23|2027-06-24|International Women in Engineering "
        "Day|Celebrating women engineers; worldwide, every year.\\n\\nhttps://www.inwed.org.uk/|https://"
        "www.inwed.org.uk/|gender,engineering|TRANSPARENT\n"
        "rosh-hashanah-2027-10-02@edi-network-inclusion-calendar|2027-10-02|2027-10-04|Rosh Hashanah|Begins at sunset "
        "on Friday 1 October 2027.\\n\\nJewish New Year. שנה טובה — a good year to all, with a long description "
        "that certainly needs folding across several lines of seventy-five octets 🎉🎉🎉.||faith, "
        "belief|TRANSPARENT\n");
}

TEST_CASE("icalendar: libical parses it without errors and finds every event", "[icalendar][oracle]") {
  auto text = write_icalendar(sample());
  icalcomponent* root = icalparser_parse_string(text.c_str());
  REQUIRE(root != nullptr);
  CHECK(icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT);
  CHECK(icalcomponent_count_errors(root) == 0);
  std::vector<std::string> summaries, descriptions;
  for (auto* e = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); e != nullptr;
       e = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
    summaries.push_back(icalcomponent_get_summary(e));
    descriptions.push_back(icalcomponent_get_description(e));
    auto start = icalcomponent_get_dtstart(e);
    CHECK(start.is_date == 1);
  }
  icalcomponent_free(root);
  CHECK(summaries == std::vector<std::string>{"International Women in Engineering Day", "Rosh Hashanah"});
  REQUIRE(descriptions.size() == 2);
  CHECK(descriptions[1].starts_with("Begins at sunset on Friday 1 October 2027.\n\nJewish New Year. שנה טובה"));
  CHECK(descriptions[1].ends_with("🎉🎉🎉."));
}

}  // namespace herald
