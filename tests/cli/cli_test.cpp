#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <unistd.h>

#include <date/date.h>
#include <fmt/format.h>
#include <boost/json.hpp>

#include "cli/cli.hpp"
#include "test_support.hpp"

using namespace herald;
namespace fs = std::filesystem;

namespace {

// Runs the CLI in-process at a fixed "now": 2027-05-01 12:00 UTC.
test::cli_result run(std::vector<std::string> args, const char* herald_config = nullptr) {
  auto now = std::chrono::system_clock::time_point{date::sys_days{date::year{2027} / 5 / 1} + std::chrono::hours{12}};
  return test::run_herald(std::move(args), now, [herald_config](const char* name) -> const char* {
    return std::string_view(name) == "HERALD_CONFIG" ? herald_config : nullptr;
  });
}

std::string example(const char* name) { return std::string(HERALD_SOURCE_DIR) + "/config/" + name; }

// A scratch folder with the given files, removed at the end of the test.
struct scratch {
  fs::path dir =
      fs::temp_directory_path() / ("herald-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  using files_list = std::vector<std::pair<std::string, std::string>>;
  explicit scratch(files_list files) {
    fs::create_directories(dir);
    for (auto& [name, text] : files) std::ofstream(dir / name) << text;
  }
  ~scratch() { fs::remove_all(dir); }
  std::string path(const char* name) const { return (dir / name).string(); }
  static inline int counter = 0;
};

const char* small_calendar = R"(version: 1
timezone: Europe/London
defaults: {channels: [staff]}
events:
  - id: inwed
    title: International Women in Engineering Day
    every: June 23
    steps: [{at: 0, message: "Today is {{title}}!"}]
)";

}  // namespace

TEST_CASE("cli: --version and --help exit 0", "[cli]") {
  auto version = run({"--version"});
  CHECK(version.status == 0);
  CHECK(version.out == std::string("herald ") + HERALD_VERSION_FOR_TESTS + "\n");
  auto help = run({"--help"});
  CHECK(help.status == 0);
  CHECK(help.out.find("preview") != std::string::npos);
  CHECK(run({"preview", "--help"}).out.find("--days") != std::string::npos);
}

TEST_CASE("cli: bad arguments exit 2 with a message", "[cli]") {
  auto r = run({"frobnicate"});
  CHECK(r.status == 2);
  CHECK(r.err.starts_with("herald: error: "));
  CHECK(run({"preview", "--days", "0", "--calendar", "x"}).status == 2);
  CHECK(run({"preview", "--format", "xml", "--calendar", "x"}).status == 2);
  CHECK(run({"preview", "--config", "a", "--calendar", "b"}).status == 2);
}

TEST_CASE("cli: preview --format json is exactly one document as docs/cli.md says", "[cli]") {
  scratch files(scratch::files_list{{"calendar.yaml", small_calendar}});
  auto r = run({"preview", "--calendar", files.path("calendar.yaml"), "--format", "json", "--days", "60"});
  REQUIRE(r.status == 0);
  auto doc = boost::json::parse(r.out).as_object();
  CHECK(doc.at("timezone") == "Europe/London");
  CHECK(doc.at("from") == "2027-05-01");  // today in the calendar's zone
  CHECK(doc.at("until") == "2027-06-29");
  REQUIRE(doc.at("occurrences").as_array().size() == 1);
  CHECK(
      doc.at("occurrences").as_array()[0] ==
      boost::json::parse(
          R"({"event":"inwed","title":"International Women in Engineering Day","start":"2027-06-23","end":"2027-06-23"})"));
  auto posts = doc.at("posts").as_array();
  REQUIRE(posts.size() == 1);
  CHECK(posts[0] == boost::json::parse(R"({"key":"inwed/2027-06-23/0d/staff","event":"inwed","occurrence":"2027-06-23",
      "at":"0d","channel":"staff","due":"2027-06-23T09:00:00+01:00","due_utc":"2027-06-23T08:00:00Z",
      "text":"Today is International Women in Engineering Day!","subject":"International Women in Engineering Day"})"));
}

TEST_CASE("cli: preview text lists occurrences and posts", "[cli]") {
  scratch files(scratch::files_list{{"calendar.yaml", small_calendar}});
  auto r = run({"preview", "--calendar", files.path("calendar.yaml"), "--from", "2027-06-01", "--days", "30"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("2027-06-01 … 2027-06-30  Europe/London  1 occurrence, 1 post") == 0);
  CHECK(r.out.find("Wed 23 Jun 2027 09:00 BST  staff  inwed  0d  Today is International Women in Engineering Day!") !=
        std::string::npos);
  CHECK(r.out.find("\x1b[") == std::string::npos);  // no colour off a terminal
}

TEST_CASE("cli: preview shows escapes and controls in calendar text instead of obeying them", "[cli][terminal]") {
  // A title and a message holding an OSC (set the window title), a CSI and
  // a C1 control (U+009B, CSI in one character).
  std::string calendar = small_calendar;
  calendar.replace(calendar.find("International Women"), 0, "\\x1b]0;pwned\\x07 \\u009b31m ");
  calendar.replace(calendar.find("Today is"), 0, "\\x1b[2J");
  scratch files(scratch::files_list{{"calendar.yaml", calendar}});
  auto r = run({"preview", "--calendar", files.path("calendar.yaml"), "--from", "2027-06-01", "--days", "30"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find('\x07') == std::string::npos);
  CHECK(r.out.find("\xc2\x9b") == std::string::npos);
  CHECK(r.out.find("inwed  \\x1b]0;pwned\\x07 \\u009b31m International Women in Engineering Day\n") !=
        std::string::npos);
  CHECK(r.out.find("0d  \\x1b[2JToday is \\x1b]0;pwned\\x07") != std::string::npos);
}

TEST_CASE("cli: errors quote an invalid id or key without its escapes and line breaks", "[cli][terminal]") {
  std::string calendar = small_calendar;
  calendar.replace(calendar.find("id: inwed"), 9, "id: \"in\\x1b]0;pwned\\x07\\nwed\"");
  scratch files(scratch::files_list{{"calendar.yaml", calendar}});
  auto r = run({"validate", "--calendar", files.path("calendar.yaml")});
  CHECK(r.status == 2);
  CHECK(r.err.find('\x1b') == std::string::npos);
  CHECK(r.err.find("error: invalid id 'in\\x1b]0;pwned\\x07 wed'\n") != std::string::npos);
  scratch good(scratch::files_list{{"calendar.yaml", small_calendar}});
  auto unknown = run({"preview", "--calendar", good.path("calendar.yaml"), "--event", "a\x1b]0;x\x07\nb"});
  CHECK(unknown.status == 2);
  CHECK(unknown.err.find("unknown event 'a\\x1b]0;x\\x07 b'") != std::string::npos);
}

TEST_CASE("cli: a broken calendar exits 2 with FILE:LINE:COL", "[cli]") {
  std::string broken = small_calendar;
  broken.replace(broken.find("June 23"), 7, "June 31");
  scratch files(scratch::files_list{{"calendar.yaml", broken}});
  auto r = run({"validate", "--calendar", files.path("calendar.yaml")});
  CHECK(r.status == 2);
  CHECK(r.err == files.path("calendar.yaml") +
                     ":7:17: error: June has only 30 days\n"
                     " 7 |     every: June 31\n"
                     "   |                 ^\n");
  CHECK(run({"preview", "--calendar", files.path("calendar.yaml")}).status == 2);
}

TEST_CASE("cli: a missing file is not invalid input: exit 1", "[cli]") {
  auto r = run({"validate"}, "/nonexistent/herald.yaml");
  CHECK(r.status == 1);
  CHECK(r.err.starts_with("/nonexistent/herald.yaml: error: cannot read '/nonexistent/herald.yaml'"));
}

TEST_CASE("cli: with --config, steps must name channels the config has", "[cli]") {
  scratch files(scratch::files_list{
      {"calendar.yaml", small_calendar},
      {"herald.yaml", "version: 1\ncalendar: calendar.yaml\nchannels:\n  staf: {type: console}\n"}});
  auto r = run({"validate", "--config", files.path("herald.yaml")});
  CHECK(r.status == 2);
  CHECK(r.err.starts_with(files.path("calendar.yaml") +
                          ":3:23: error: unknown channel 'staff' (did you mean 'staf'?)\n"));
}

TEST_CASE("cli: --event and --channel names are checked", "[cli]") {
  scratch files(scratch::files_list{{"calendar.yaml", small_calendar}});
  auto r = run({"preview", "--calendar", files.path("calendar.yaml"), "--event", "inwd"});
  CHECK(r.status == 2);
  CHECK(r.err == "herald: error: unknown event 'inwd' (did you mean 'inwed'?)\n");
  CHECK(run({"preview", "--calendar", files.path("calendar.yaml"), "--channel", "nope"}).status == 2);
}

TEST_CASE("cli: the shipped example config validates and previews", "[cli]") {
  auto validate = run({"validate", "--config", example("herald.yaml")});
  INFO(validate.err);
  CHECK(validate.status == 0);
  auto preview = run({"preview", "--days", "365", "--format", "json"}, example("herald.yaml").c_str());
  REQUIRE(preview.status == 0);
  auto doc = boost::json::parse(preview.out).as_object();
  CHECK(doc.at("occurrences").as_array().size() >= 30);
  CHECK(doc.at("posts").as_array().size() >= 60);
}

TEST_CASE("cli: preview takes COLUMNS only when it is all a number", "[cli]") {
  auto preview = [](const char* columns) {
    auto now = std::chrono::system_clock::time_point{date::sys_days{date::year{2027} / 5 / 1}};
    return test::run_herald(
               {"preview", "--calendar", example("calendar.yaml"), "--from", "2027-01-01", "--days", "365"}, now,
               [columns](const char* name) -> const char* {
                 return std::string_view(name) == "COLUMNS" ? columns : nullptr;
               })
        .out;
  };
  auto uncut = preview(nullptr);
  CHECK(preview("40") != uncut);
  // text/strings.hpp's parse_integer: atoi read "40 columns" as 40 before.
  CHECK(preview("40 columns") == uncut);
}

TEST_CASE("cli: validate prints warnings and exits 0, or 2 with --strict", "[cli][warnings]") {
  // "now" is 2027-05-01: these dates run out within 90 days.
  std::string calendar = small_calendar;
  calendar += "  - id: coffee\n    title: Coffee\n    dates: [2027-06-01]\n";
  scratch files(scratch::files_list{{"calendar.yaml", calendar}});
  auto warning = files.path("calendar.yaml") + ":11:12: warning: the dates of event 'coffee' run out on 2027-06-01\n";
  auto lenient = run({"validate", "--calendar", files.path("calendar.yaml")});
  CHECK(lenient.status == 0);
  CHECK(lenient.err.starts_with(warning));
  CHECK(lenient.err.ends_with("herald: 1 warning\n"));
  CHECK(lenient.out == files.path("calendar.yaml") + ": ok, 2 events, 0 campaigns\n");
  auto strict = run({"validate", "--strict", "--calendar", files.path("calendar.yaml")});
  CHECK(strict.status == 2);
  CHECK(strict.err.starts_with(warning));
  CHECK(strict.err.ends_with("herald: 1 warning; --strict makes them fail\n"));
  scratch clean(scratch::files_list{{"calendar.yaml", small_calendar}});
  auto none = run({"validate", "--strict", "--calendar", clean.path("calendar.yaml")});
  CHECK(none.status == 0);
  CHECK(none.err.empty());
}

TEST_CASE("cli: a file given without --calendar or --config is pointed at the option", "[cli]") {
  auto calendar = run({"validate", "calendar.yaml"});
  CHECK(calendar.status == 2);
  CHECK(
      calendar.err.starts_with("herald: error: The following argument was not expected: calendar.yaml (did you "
                               "mean '--calendar calendar.yaml'?)\n"));
  auto config = run({"validate", "/srv/herald.yaml"});
  CHECK(config.err.find("(did you mean '--config /srv/herald.yaml'?)") != std::string::npos);
}

TEST_CASE("cli: preview with no config on the machine suggests --calendar", "[cli]") {
  if (fs::exists("/etc/herald/herald.yaml")) return;  // a machine with the service: the config is read
  auto r = run({"preview"});
  CHECK(r.status == 2);
  CHECK(r.err ==
        "herald: error: no config at /etc/herald/herald.yaml and no --calendar\n"
        "  hint: to try a calendar alone: herald preview --calendar calendar.yaml; or name a config with --config "
        "FILE\n");
  // A config named by $HERALD_CONFIG is read as given: its own error.
  CHECK(run({"preview"}, "/nonexistent/herald.yaml").status == 1);
}

TEST_CASE("cli: an unknown --channel lists the channels", "[cli]") {
  scratch files(scratch::files_list{{"calendar.yaml", small_calendar}});
  auto r = run({"preview", "--calendar", files.path("calendar.yaml"), "--channel", "nope"});
  CHECK(r.status == 2);
  CHECK(r.err == "herald: error: unknown channel 'nope'\n  hint: the channels: staff\n");
}

TEST_CASE("cli: validate counts digests apart from events", "[cli]") {
  std::string calendar = small_calendar;
  calendar +=
      "digests:\n  - id: week\n    every: Monday\n    channels: [staff]\n"
      "    message: \"{{#items}}{{title}} {{/items}}\"\n";
  scratch files(scratch::files_list{{"calendar.yaml", calendar}});
  auto r = run({"validate", "--calendar", files.path("calendar.yaml")});
  CHECK(r.status == 0);
  CHECK(r.out == files.path("calendar.yaml") + ": ok, 1 event, 0 campaigns, 1 digest\n");
}

TEST_CASE("cli: no command prints a literal secret of herald.yaml, whether it loads or not", "[cli][secrets]") {
  // Given a config with a literal Slack URL, a bearer token and a password
  // (each holding the word SECRET), then validate, preview, export and
  // status print none of them; and given the same config broken on the
  // URL's line (an unquoted ': '), each exits 2 and still prints none.
  std::string config =
      "version: 1\ncalendar: calendar.yaml\nstate_dir: state\nchannels:\n"
      "  staff: { type: slack, url: \"https://hooks.slack.com/services/T000/B000/SECRETurl\" }\n"
      "  hook:\n    type: webhook\n    url: https://hooks.example.org/SECRETpath\n"
      "    headers: { Authorization: Bearer SECRETtoken }\n"
      "  mail:\n    type: email\n    server: smtp://mail.example.org:587\n    from: herald@example.org\n"
      "    to: [members@example.org]\n    username: herald\n    password: SECRETpassword\n";
  std::string broken = config;
  broken.replace(broken.find("SECRETpath"), std::string_view("SECRETpath").size(), "SECRETpath: x");
  scratch files(
      scratch::files_list{{"calendar.yaml", small_calendar}, {"herald.yaml", config}, {"broken.yaml", broken}});
  std::vector<std::vector<std::string>> commands = {
      {"validate"}, {"preview", "--format", "json"}, {"preview"}, {"export"}, {"export", "--format", "json"},
      {"status"},   {"status", "--format", "json"}};
  for (const auto& command : commands) {
    for (const auto* file : {"herald.yaml", "broken.yaml"}) {
      auto args = command;
      args.insert(args.end(), {"--config", files.path(file)});
      CAPTURE(args, file);
      auto r = run(args);
      INFO(r.out << r.err);
      if (std::string_view(file) == "broken.yaml") CHECK(r.status == 2);
      CHECK(r.out.find("SECRET") == std::string::npos);
      CHECK(r.err.find("SECRET") == std::string::npos);
    }
  }
}

TEST_CASE("cli: plain preview says when a digest's post was cut at its bound, and how long the post is", "[cli]") {
  // Given a week-ahead of 30 items of about 32 KiB each: its post lists 7
  // and says how many more it left out. The first line alone looks like any
  // post's, so the text preview adds a line under it; JSON is as before.
  std::string yaml = test::oversized_digest_calendar();
  scratch files(scratch::files_list{{"calendar.yaml", yaml}});
  auto json = run({"preview", "--calendar", files.path("calendar.yaml"), "--from", "2027-06-21", "--days", "1",
                   "--format", "json"});
  REQUIRE(json.status == 0);
  auto doc = boost::json::parse(json.out).as_object();
  REQUIRE(doc["posts"].as_array().size() == 1);
  std::string text(doc["posts"].as_array()[0].as_object()["text"].as_string());
  std::smatch cut;
  REQUIRE(std::regex_search(text, cut, std::regex("\n… and ([0-9]+) more, not listed")));
  auto lines = std::count(text.begin(), text.end(), '\n') + 1;
  auto kib = (text.size() + 1023) / 1024;

  auto r = run({"preview", "--calendar", files.path("calendar.yaml"), "--from", "2027-06-21", "--days", "1"});
  REQUIRE(r.status == 0);
  INFO(r.out);
  auto row = r.out.find("  week  0d  Coming up:\n");
  REQUIRE(row != std::string::npos);
  auto column = row + 12 - (r.out.rfind('\n', row) + 1);  // where the post's text starts
  auto note = r.out.substr(r.out.find('\n', row) + 1);
  CHECK(
      note.starts_with(fmt::format("{}↳ cut: {} more items not listed (a post holds at most 256 KiB); this post: {} "
                                   "lines, {} KiB\n",
                                   std::string(column, ' '), cut[1].str(), lines, kib)));
}
