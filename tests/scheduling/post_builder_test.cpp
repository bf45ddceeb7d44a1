#include <catch2/catch.hpp>

#include "calendar/plan.hpp"
#include "scheduling/post_builder.hpp"
#include "test_support.hpp"
#include "text/post_key.hpp"

using namespace herald;
using herald::test::day;

TEST_CASE("post_builder: a planned post keeps its key and facts", "[post_builder]") {
  auto cal = herald::test::load_ok(herald::test::spec_example);
  auto p = plan_window(cal, day(2027, 5, 1), day(2027, 7, 29));
  REQUIRE_FALSE(p.posts.empty());
  auto content = make_post_content(p.posts[0]);
  CHECK(content.key == "inwed/2027-06-23/-28d/edi-team-email");
  CHECK(content.key == p.posts[0].key());
  CHECK(content.event == "inwed");
  CHECK(content.channel == "edi-team-email");
  CHECK(content.date == "2027-06-23");
  CHECK(content.due == "2027-05-26T08:30:00Z");
}

TEST_CASE("post_builder: the sample post has a key of today", "[post_builder]") {
  auto now = date::sys_days{date::year{2027} / 1 / 3} + std::chrono::hours{23};
  auto sample = sample_post("my.channel_2", now);
  CHECK(sample.key == "herald-test/2027-01-03/0d/my.channel_2");
  auto key = post_key::parse(sample.key);
  REQUIRE(key);
  CHECK(*key == post_key{"herald-test", day(2027, 1, 3), {}, "my.channel_2"});
  CHECK(sample.date == "2027-01-03");
  CHECK(sample.channel == "my.channel_2");
}
