#include <catch2/catch.hpp>

#include "settings/config.hpp"
#include "settings/config_quoting.hpp"

using namespace herald;

namespace {

std::vector<int> hidden(std::string_view text) { return config_lines_not_quoted(text); }

}  // namespace

TEST_CASE("config quoting: every line of channels is hidden, the plain keys are not", "[config_quoting]") {
  auto text =
      "version: 1\n"
      "calendar: calendar.yaml\n"
      "channels:\n"
      "  team:\n"
      "    type: email\n"
      "    password: hunter2\n"
      "\n"
      "  # a comment\n"
      "delivery:\n"
      "  timeout: 10s\n"
      "state_directory: /var/lib/herald\n";
  CHECK(hidden(text) == std::vector<int>{3, 4, 5, 6, 7, 8});
}

TEST_CASE("config quoting: a key herald does not know hides its block, a misspelt plain key does not",
          "[config_quoting]") {
  CHECK(hidden("version: 1\nX-Api-Key: abc\n  more: x\ncalendar: c.yaml\n") == std::vector<int>{2, 3});
  CHECK(hidden("chanels:\n  a: { type: slack }\ncalendar: c.yaml\n") == std::vector<int>{1, 2});
  CHECK(hidden("calender: c.yaml\n").empty());
  // Whatever cannot be placed is hidden: a root in flow style, a document marker.
  CHECK(hidden("{ version: 1, channels: {} }\n") == std::vector<int>{1});
}

TEST_CASE("config quoting: url, password and headers are hidden wherever they stand", "[config_quoting]") {
  CHECK(hidden("delivery:\n  url: x\n  headers:\n    X-Key: abc\n  timeout: 1s\n") == std::vector<int>{2, 3, 4});
  CHECK(hidden("http:\n  listen: 'https://user:pw@host'\n") == std::vector<int>{2});
}

TEST_CASE("config quoting: an open quote or bracket on a hidden line hides the lines it spans", "[config_quoting]") {
  auto text =
      "channels: { team: { type: slack,\n"
      "calendar: c.yaml,\n"
      "}}\n"
      "calendar: c.yaml\n";
  CHECK(hidden(text) == std::vector<int>{1, 2, 3});
  CHECK(hidden("version: 1\nchannels: \"abc\ndef\"\ncalendar: c.yaml\n") == std::vector<int>{2, 3});
}

TEST_CASE("config quoting: a URL of the file is cut in a message, another is kept", "[config_quoting]") {
  auto source = "url: https://hooks.slack.com/services/T000/B000/SECRET\n";
  CHECK(redact_source_urls("unknown key 'https://hooks.slack.com/services/T000/B000/SECRET' in channel 'a'", source) ==
        "unknown key 'https://hooks.slack.com/…' in channel 'a'");
  CHECK(redact_source_urls("write e.g. https://hooks.example.org/herald", source) ==
        "write e.g. https://hooks.example.org/herald");
}

TEST_CASE("config quoting: a syntax error on a secret's line neither quotes it nor repeats it in the hint",
          "[config_quoting]") {
  auto loaded = load_config(
      "version: 1\ncalendar: c.yaml\nchannels:\n  a:\n    type: slack\n"
      "    url: https://hooks.slack.com/services/T000/B000/SECRET: x\n",
      "herald.yaml");
  REQUIRE(loaded.errors.size() == 1);
  CHECK_FALSE(loaded.errors[0].quote_source);
  CHECK(loaded.errors[0].hint.find("SECRET") == std::string::npos);
  CHECK(format_diagnostic(loaded.errors[0], "").find("SECRET") == std::string::npos);
}
