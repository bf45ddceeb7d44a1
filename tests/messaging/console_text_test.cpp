// What the console channel prints: JSON lines for scripts, readable lines
// for a person at a terminal (docs/channels.md "By type").
#include <catch2/catch.hpp>

#include <date/tz.h>

#include "messaging/console_text.hpp"
#include "messaging/payloads.hpp"

using namespace herald;
using namespace std::chrono_literals;

namespace {

post_content sample_post() {
  post_content post;
  post.key = "inwed/2027-06-23/-28d/staff";
  post.event = "inwed";
  post.title = "International Women in Engineering Day";
  post.text = "INWED is on Wednesday 23 June 2027.\nBring a colleague.";
  post.subject = "INWED in four weeks";
  post.url = "https://www.inwed.org.uk/";
  post.date = "2027-06-23";
  post.end_date = "2027-06-23";
  post.due = "2027-05-26T08:30:00Z";
  post.channel = "staff";
  return post;
}

const date::sys_seconds sent_at = date::sys_days{date::year{2027} / 5 / 26} + 8h + 30min + 12s;

}  // namespace

TEST_CASE("console_text: not a terminal, the JSON line scripts read", "[console_text]") {
  auto post = sample_post();
  CHECK(console_text(post, sent_at, {}) == post_json(post) + "\n");
  CHECK(console_text(post, sent_at, {false, true, nullptr}) == post_json(post) + "\n");
}

TEST_CASE("console_text: on a terminal, time, channel and subject, then the text indented", "[console_text]") {
  auto post = sample_post();
  CHECK(console_text(post, sent_at, {true, false, nullptr}) ==
        "08:30 [staff] INWED in four weeks \u2014 INWED is on Wednesday 23 June 2027.\n"
        "      Bring a colleague.\n"
        "      https://www.inwed.org.uk/\n");
}

TEST_CASE("console_text: the time is shown in the zone given", "[console_text]") {
  auto post = sample_post();
  post.url.clear();
  post.text = "One line.";
  CHECK(console_text(post, sent_at, {true, false, date::locate_zone("Europe/London")}) ==
        "09:30 [staff] INWED in four weeks \u2014 One line.\n");
}

TEST_CASE("console_text: without a subject the title is shown", "[console_text]") {
  auto post = sample_post();
  post.subject.clear();
  post.url.clear();
  post.text = "One line.";
  CHECK(console_text(post, sent_at, {true, false, nullptr}) ==
        "08:30 [staff] International Women in Engineering Day \u2014 One line.\n");
}

TEST_CASE("console_text: colour only when asked, and escapes in the text never act", "[console_text]") {
  auto post = sample_post();
  post.url.clear();
  post.text = "Red \x1b[31malert\x1b[0m";
  auto plain = console_text(post, sent_at, {true, false, nullptr});
  CHECK(plain == "08:30 [staff] INWED in four weeks \u2014 Red \\x1b[31malert\\x1b[0m\n");
  auto coloured = console_text(post, sent_at, {true, true, nullptr});
  CHECK(coloured ==
        "\x1b[2m08:30\x1b[0m \x1b[36m[staff]\x1b[0m \x1b[1mINWED in four weeks\x1b[0m \u2014 Red "
        "\\x1b[31malert\\x1b[0m\n");
}
