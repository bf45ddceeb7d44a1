// Digests: a post that lists the observances, or the posts, of its window.
#include "calendar/digest_list.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "calendar/plan.hpp"
#include "support/allocation_count.hpp"
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
  std::string yaml = test::oversized_digest_calendar();
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

namespace herald {
namespace {

// A Monday digest of the posts of its week (skip_empty or not) over 40
// events with a post each on the Wednesday of 2027-06-23's week.
std::string posts_digest_calendar(bool skip_empty) {
  std::string yaml = fmt::format(
      "version: 1\ntimezone: Europe/London\ndigests:\n  - id: review\n    every: Monday\n    channels: [team]\n"
      "    list: posts\n    skip_empty: {}\n"
      "    message: \"Next week:{{{{#items}}}} [{{{{key}}}}: {{{{text}}}}]{{{{/items}}}}\"\nevents:\n",
      skip_empty ? "true" : "false");
  for (int i = 0; i < 40; ++i)
    yaml += fmt::format(
        "  - id: e{}\n    title: Event {}\n    every: June 23\n    steps:\n      - at: 0\n        channels: [staff]\n"
        "        message: \"Today is {{{{title}}}} on {{{{date}}}} ({{{{relative}}}})!\"\n",
        i, i);
  return yaml;
}

}  // namespace

TEST_CASE("digest: skip_empty decides on an empty list of posts without rendering the posts", "[digest]") {
  // Given the same calendar with and without skip_empty, when the Monday
  // (a week of 40 posts) is planned: skip_empty costs one planning of its
  // window at most, not a rendering of each of the 40 posts too (a dozen
  // allocations each), and the plan and the post are the same.
  auto skipping = test::load_ok(posts_digest_calendar(true));
  auto listing = test::load_ok(posts_digest_calendar(false));
  auto allocations_of = [](const calendar& cal) {
    auto before = test::allocations();
    auto p = plan_window(cal, day(2027, 6, 21), day(2027, 6, 21));
    auto spent = test::allocations() - before;
    REQUIRE(p.posts.size() == 1);
    return spent;
  };
  auto with_skip = allocations_of(skipping), without = allocations_of(listing);
  // What deciding may cost: one plan of the digest's week, digests left out.
  plan_filter no_digests;
  no_digests.digests = false;
  auto before = test::allocations();
  auto week = plan_window(listing, day(2027, 6, 21), day(2027, 6, 27), no_digests);
  auto week_plan = test::allocations() - before;
  REQUIRE(week.posts.size() == 40);
  INFO("plan_window allocations: skip_empty " << with_skip << ", without " << without << ", the week's plan "
                                              << week_plan);
  // Rendering took a dozen allocations a post: deciding takes fewer than one a post beyond the plan.
  CHECK(with_skip < without + week_plan + week.posts.size());
  CHECK(texts(skipping, plan_window(skipping, day(2027, 6, 21), day(2027, 6, 21)), "review") ==
        texts(listing, plan_window(listing, day(2027, 6, 21), day(2027, 6, 21)), "review"));

  // The empty week still has no post, and the other digest still has one.
  CHECK(plan_window(skipping, day(2027, 6, 14), day(2027, 6, 14)).posts.empty());
  CHECK(texts(listing, plan_window(listing, day(2027, 6, 14), day(2027, 6, 14)), "review") ==
        std::vector<std::string>{"review/2027-06-14/0d/team Next week:"});
}

}  // namespace herald
