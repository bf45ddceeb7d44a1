// herald export (docs/cli.md "herald export"), in-process at a fixed "now"
// (2027-05-01 12:00 UTC), on calendars written to a scratch folder; the
// feed is read back with python3-icalendar (tests/data/icalendar_oracle.py).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <date/date.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <boost/json.hpp>

#include "support/shell_command.hpp"
#include "support/temp_dir.hpp"
#include "test_support.hpp"

using namespace herald;
namespace fs = std::filesystem;

namespace {

const auto now =
    std::chrono::system_clock::time_point{date::sys_days{date::year{2027} / 5 / 1} + std::chrono::hours{12}};

test::cli_result run(std::vector<std::string> args) {
  return test::run_herald(std::move(args), now, [](const char*) -> const char* { return nullptr; });
}

std::string calendar_yaml(const std::string& message) {
  return "version: 1\n"
         "timezone: Europe/London\n"
         "defaults: {channels: [staff]}\n"
         "events:\n"
         "  - id: inwed\n"
         "    title: International Women in Engineering Day\n"
         "    every: June 23\n"
         "    url: https://www.inwed.org.uk/\n"
         "    description: \"Celebrating women engineers; worldwide, every year.\"\n"
         "    tags: [gender, engineering]\n"
         "    steps:\n"
         "      - at: 0\n"
         "        message: \"" +
         message +
         "\"\n"
         "  - id: pride\n"
         "    title: Pride Month\n"
         "    every: June 1\n"
         "    lasts: 30 days\n"
         "    steps:\n"
         "      - at: 0\n"
         "        message: \"{{title}} starts today.\"\n";
}

// A calendar file whose modification time is 2027-01-02 03:04:05 UTC.
struct calendar_file {
  test::temp_dir dir{"herald-export"};
  fs::path path = dir / "inclusion.yaml";

  explicit calendar_file(const std::string& message = "Today is {{title}}!") { write(message); }
  void write(const std::string& message) {
    std::ofstream(path, std::ios::trunc) << calendar_yaml(message);
    auto stamp = date::sys_days{date::year{2027} / 1 / 2} + std::chrono::hours{3} + std::chrono::minutes{4} +
                 std::chrono::seconds{5};
    struct timespec times[2] = {{stamp.time_since_epoch().count(), 0}, {stamp.time_since_epoch().count(), 0}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
  }
};

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find("\r\n", at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, prefix.size(), prefix) == 0) out.push_back(text.substr(at, end - at));
    at = end + 2;
  }
  return out;
}

}  // namespace

TEST_CASE("export: the same files and window give the same bytes, stamped with the file's time", "[web][export]") {
  calendar_file f;
  auto first = run({"export", "--calendar", f.path.string()});
  auto second = run({"export", "--calendar", f.path.string()});
  INFO(first.err);
  REQUIRE(first.status == 0);
  CHECK(first.out == second.out);
  CHECK(first.out.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  CHECK(first.out.find("\nX-WR-CALNAME:inclusion\r\n") != std::string::npos);
  auto stamps = lines_starting(first.out, "DTSTAMP:");
  REQUIRE(!stamps.empty());
  for (const auto& s : stamps) CHECK(s == "DTSTAMP:20270102T030405Z");
  // Every line ends in CRLF and none is longer than 75 octets.
  CHECK(first.out.find('\n') == first.out.find("\r\n") + 1);
  for (const auto& line : lines_starting(first.out, "")) CHECK(line.size() <= 75);
}

TEST_CASE("export: UIDs survive an edit of a message", "[web][export]") {
  calendar_file f;
  auto before = run({"export", "--calendar", f.path.string()});
  f.write("{{title}} is today: join us!");
  auto after = run({"export", "--calendar", f.path.string()});
  REQUIRE(before.status == 0);
  REQUIRE(after.status == 0);
  auto uids = lines_starting(before.out, "UID:");
  CHECK(uids.size() == 6);  // 2026, 2027, 2028 (and 2029 for neither: May to May)
  CHECK(uids == lines_starting(after.out, "UID:"));
  CHECK(std::find(uids.begin(), uids.end(), "UID:inwed-2027-06-23@inclusion") != uids.end());
}

TEST_CASE("export: the default window is a year back to two years ahead", "[web][export]") {
  calendar_file f;
  auto result = run({"export", "--calendar", f.path.string(), "--format", "json"});
  INFO(result.err);
  REQUIRE(result.status == 0);
  auto doc = boost::json::parse(result.out).as_object();
  CHECK(doc.at("from").as_string() == "2026-05-01");
  CHECK(doc.at("until").as_string() == "2029-05-01");
  std::vector<std::string> starts;
  for (const auto& o : doc.at("occurrences").as_array()) starts.emplace_back(o.at("start").as_string());
  CHECK(starts ==
        std::vector<std::string>{"2026-06-01", "2026-06-23", "2027-06-01", "2027-06-23", "2028-06-01", "2028-06-23"});
  // --from and --days make their own window.
  auto june = run({"export", "--calendar", f.path.string(), "--format", "json", "--from", "2027-06-10", "--days", "5"});
  auto june_doc = boost::json::parse(june.out).as_object();
  CHECK(june_doc.at("until").as_string() == "2027-06-14");
  REQUIRE(june_doc.at("occurrences").as_array().size() == 1);  // Pride Month reaches into it
  CHECK(june_doc.at("occurrences").as_array()[0].at("event").as_string() == "pride");
}

TEST_CASE("export: the JSON document lists each occurrence with its words", "[web][export]") {
  calendar_file f;
  auto result = run({"export", "--calendar", f.path.string(), "--format", "json", "--event", "inwed"});
  REQUIRE(result.status == 0);
  auto doc = boost::json::parse(result.out).as_object();
  CHECK(doc.at("calendar").as_string() == "inclusion");
  auto& occurrences = doc.at("occurrences").as_array();
  REQUIRE(occurrences.size() == 3);
  CHECK(boost::json::serialize(occurrences[1]) ==
        R"({"event":"inwed","title":"International Women in Engineering Day","start":"2027-06-23",)"
        R"("end":"2027-06-23","description":"Celebrating women engineers; worldwide, every year.",)"
        R"("url":"https://www.inwed.org.uk/","tags":["gender","engineering"]})");
}

TEST_CASE("export: --event keeps one event, and an unknown one is invalid input", "[web][export]") {
  calendar_file f;
  auto only = run({"export", "--calendar", f.path.string(), "--event", "pride"});
  REQUIRE(only.status == 0);
  auto uids = lines_starting(only.out, "UID:");
  CHECK(uids == std::vector<std::string>{"UID:pride-2026-06-01@inclusion", "UID:pride-2027-06-01@inclusion",
                                         "UID:pride-2028-06-01@inclusion"});
  auto typo = run({"export", "--calendar", f.path.string(), "--event", "prid"});
  CHECK(typo.status == 2);
  CHECK(typo.err.starts_with("herald: error: unknown event 'prid'"));
  CHECK(typo.out.empty());
}

TEST_CASE("export: a bad --from is invalid input", "[web][export]") {
  calendar_file f;
  auto result = run({"export", "--calendar", f.path.string(), "--from", "2027-02-30"});
  CHECK(result.status == 2);
  CHECK(result.err == "herald: error: invalid --from '2027-02-30'; write a date as YYYY-MM-DD\n");
  CHECK(result.out.empty());
  CHECK(run({"export", "--calendar", f.path.string(), "--format", "xml"}).status == 2);
}

TEST_CASE("export: python3-icalendar reads the feed back", "[web][export][oracle]") {
  calendar_file f;
  auto result = run({"export", "--calendar", f.path.string(), "--from", "2027-06-01", "--days", "30"});
  REQUIRE(result.status == 0);
  auto ics = f.dir / "feed.ics";
  std::ofstream(ics, std::ios::binary) << result.out;
  auto read = test::run_shell("/usr/bin/python3 '" HERALD_SOURCE_DIR "/tests/data/icalendar_oracle.py' '" +
                              ics.string() + "' 2>&1");
  INFO("tests/data/icalendar_oracle.py needs /usr/bin/python3 with python3-icalendar; it printed:\n" << read.out);
  REQUIRE(read.status == 0);
  CHECK(read.out ==
        "CALNAME|inclusion\n"
        "pride-2027-06-01@inclusion|2027-06-01|2027-07-01|Pride Month||||TRANSPARENT\n"
        "inwed-2027-06-23@inclusion|2027-06-23|2027-06-24|International Women in Engineering Day|Celebrating women "
        "engineers; worldwide, every year.\\n\\nhttps://www.inwed.org.uk/|https://www.inwed.org.uk/|gender,"
        "engineering|TRANSPARENT\n");
}
