// Digests: a post that lists the observances, or the posts, of its window.
#include "calendar/digest_list.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "calendar/plan.hpp"
#include "test_support.hpp"

namespace herald {
namespace {

using test::day;

const std::string digest_calendar = R"(version: 1
timezone: Europe/London
digests:
  - id: week-ahead
    every: Monday
    time: "08:45"
    channels: [staff]
    covers: 7d
    skip_empty: true
    subject: "This week"
    message: "Coming up:{{#items}} {{title}} on {{date}} ({{relative}}){{#tags}} #{{.}}{{/tags}};{{/items}}"
  - id: review
    every: Friday
    channels: [team]
    covers: 7d
    list: posts
    message: "Next week:{{#items}} [{{key}} {{due}} {{channel}}: {{text}}]{{/items}}{{^items}} nothing{{/items}}"
events:
  - id: windrush
    title: Windrush Day
    every: June 22
    tags: [heritage]
  - id: inwed
    title: International Women in Engineering Day
    every: June 23
    steps:
      - at: 0
        channels: [staff]
        message: "Today is {{title}}!"
)";

std::vector<std::string> texts(const calendar& cal, const plan& p, std::string_view event) {
  std::vector<std::string> out;
  for (const auto& post : p.posts)
    if (cal.events[post.event].id == event) out.push_back(post.key() + " " + render_post(cal, post).text);
  return out;
}

}  // namespace

TEST_CASE("digest: a week ahead lists the observances of its seven days", "[digest]") {
  // Given a Monday digest of occurrences with skip_empty, then the week with
  // observances gets a post listing both, with `relative` from the Monday,
  // and the empty weeks get none.
  auto cal = test::load_ok(digest_calendar);
  auto p = plan_window(cal, day(2027, 6, 7), day(2027, 6, 27));
  CHECK(texts(cal, p, "week-ahead") ==
        std::vector<std::string>{"week-ahead/2027-06-21/0d/staff Coming up: Windrush Day on Tuesday 22 June 2027 "
                                 "(tomorrow) #heritage; International Women in Engineering Day on Wednesday 23 June "
                                 "2027 (in 2 days);"});
  // A digest is not an observance.
  for (const auto& o : p.occurrences) CHECK(cal.events[o.event].id != "week-ahead");
}

TEST_CASE("digest: a review of next week's posts, never of digests", "[digest]") {
  auto cal = test::load_ok(digest_calendar);
  auto p = plan_window(cal, day(2027, 6, 11), day(2027, 6, 18));
  CHECK(texts(cal, p, "review") ==
        std::vector<std::string>{
            "review/2027-06-11/0d/team Next week: nothing",
            "review/2027-06-18/0d/team Next week: [inwed/2027-06-23/0d/staff Wednesday 23 June 2027 at 09:00 staff: "
            "Today is International Women in Engineering Day!]"});
}

TEST_CASE("digest: item variables are known in a digest and nowhere else", "[digest]") {
  auto errors = test::load_errors(R"(version: 1
timezone: Europe/London
events:
  - id: inwed
    title: International Women in Engineering Day
    every: June 23
    steps:
      - at: 0
        channels: [staff]
        message: "{{#items}}{{title}}{{/items}}"
)");
  CHECK(errors.find("unknown variable 'items'") != std::string::npos);
  auto list = test::load_errors(R"(version: 1
timezone: Europe/London
digests:
  - id: week
    every: Monday
    channels: [staff]
    list: everything
    message: "{{#items}}{{title}}{{/items}}"
)");
  CHECK(list.find("unknown list 'everything'") != std::string::npos);
}

TEST_CASE("digest: a list past the size limit loads, and its post lists whole items and how many were left out",
          "[digest][template]") {
  // Given a week-ahead nesting each item's tags twice, over 30 observances
  // of 60 tags in its week: about 32 KiB an item, 1 MiB in all. The list's
  // length depends on the week, so the file loads (validate accepts it) and
  // the post is cut at a whole item with a line that says so.
  std::string yaml =
      "version: 1\ntimezone: Europe/London\ndigests:\n  - id: week\n    every: Monday\n    channels: [staff]\n"
      "    message: \"Coming up:{{#items}}\\n{{title}}:{{#tags}}{{#tags}} {{.}}{{/tags}}{{/tags}}{{/items}}\"\n"
      "events:\n";
  std::string tags;
  for (int t = 0; t < 60; ++t) tags += (t ? ", " : "") + fmt::format("tag-{:04}", t);
  for (int i = 0; i < 30; ++i)
    yaml += fmt::format("  - id: e{}\n    title: Event {}\n    every: June 22\n    tags: [{}]\n", i, i, tags);
  auto cal = test::load_ok(yaml);
  auto p = plan_window(cal, day(2027, 6, 21), day(2027, 6, 21));
  auto posts = texts(cal, p, "week");
  REQUIRE(posts.size() == 1);
  const auto& text = posts[0];
  CHECK(text.size() <= 256 * 1024 + 40);  // the key and a space before the text
  auto note = text.rfind("\n… and ");
  REQUIRE(note != std::string::npos);
  CHECK(text.ends_with(" more, not listed: a post holds at most 256 KiB"));
  // The last item before the note is whole: it ends with the last tag.
  CHECK(text.substr(0, note).ends_with(" tag-0059"));
}

}  // namespace herald
