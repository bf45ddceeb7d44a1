#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "calendar/plan.hpp"
#include "test_support.hpp"
#include "text/instant_format.hpp"

using namespace herald;
using herald::test::day;
using herald::test::iso;
using herald::test::load_ok;

namespace {

std::vector<std::string> keys(const plan& p) {
  std::vector<std::string> out;
  for (const auto& post : p.posts) out.push_back(post.key());
  return out;
}

const std::string& inwed = herald::test::spec_example;

}  // namespace

TEST_CASE("plan: the preview example of docs/cli.md, post for post", "[plan]") {
  auto cal = load_ok(inwed);
  auto p = plan_window(cal, day(2027, 5, 1), day(2027, 7, 29));
  REQUIRE(p.occurrences.size() == 1);
  CHECK(iso(p.occurrences[0].span.start) == "2027-06-23");
  CHECK(keys(p) == std::vector<std::string>{"inwed/2027-06-23/-28d/edi-team-email", "inwed/2027-06-23/0d/staff-slack",
                                            "inwed/2027-06-23/end+1d/staff-slack"});
  const auto& first = p.posts[0];
  CHECK(format_local_instant(*cal.zone, first.due) == "2027-05-26T09:30:00+01:00");
  CHECK(format_utc_instant(first.due) == "2027-05-26T08:30:00Z");
  auto text = render_post(cal, first);
  CHECK(text.text ==
        "International Women in Engineering Day is on Wednesday 23 June 2027. Time to line up speakers and blogs.");
  CHECK(text.subject == "International Women in Engineering Day in four weeks");
  CHECK(render_post(cal, p.posts[1]).subject == "International Women in Engineering Day");  // default {{title}}
  CHECK(render_post(cal, p.posts[2]).text ==
        "Thank you to everyone who joined International Women in Engineering Day #INWED.");
}

TEST_CASE("plan: a step moved off a weekend lands in the window by its moved date", "[plan]") {
  // 2026-06-23 - 4w = Tue 26 May 2026: a workday, no move. In 2029 June 23
  // is a Saturday: -4w is Sat 26 May 2029 and moves to Fri 25 May.
  auto cal = load_ok(inwed);
  auto p = plan_window(cal, day(2029, 5, 25), day(2029, 5, 25));
  REQUIRE(p.posts.size() == 1);
  CHECK(p.posts[0].key() == "inwed/2029-06-23/-28d/edi-team-email");
  CHECK(iso(p.posts[0].date) == "2029-05-25");
  CHECK(p.occurrences.empty());  // the occurrence itself is not in the window
  CHECK(plan_window(cal, day(2029, 5, 26), day(2029, 5, 26)).posts.empty());
}

TEST_CASE("plan: days_until and relative count from the moved date", "[plan]") {
  auto yaml = std::string(inwed);
  yaml.replace(yaml.find("{{title}} is on {{date}}."), 25, "{{days_until}} / {{relative}}");
  auto cal = load_ok(yaml);
  auto p = plan_window(cal, day(2029, 5, 25), day(2029, 5, 25));
  REQUIRE(p.posts.size() == 1);
  CHECK(render_post(cal, p.posts[0]).text == "29 / in 29 days Time to line up speakers and blogs.");
}

TEST_CASE("plan: skipped steps are not listed, holidays are not workdays", "[plan]") {
  auto cal = load_ok(R"(version: 1
timezone: Europe/London
holidays: [2027-12-27..2027-12-28]
defaults: {channels: [c], not_workday: skip}
events:
  - id: xmas
    title: Christmas break
    every: December 25
    steps:
      - {at: 0, message: "skipped: a Saturday in 2027"}
      - {at: +2d, message: "skipped: a holiday"}
      - {at: +2d, not_workday: next, channels: [d], message: "moved to Wednesday"}
)");
  auto p = plan_window(cal, day(2027, 12, 1), day(2027, 12, 31));
  REQUIRE(p.posts.size() == 1);
  CHECK(p.posts[0].key() == "xmas/2027-12-25/+2d/d");
  CHECK(iso(p.posts[0].date) == "2027-12-29");
}

TEST_CASE("plan: month-long occurrences overlap the window and end steps count from the end", "[plan]") {
  auto cal = load_ok(R"(version: 1
timezone: Europe/London
defaults: {channels: [c]}
events:
  - id: bhm
    title: Black History Month
    every: October
    steps:
      - {at: 0, message: "{{title}} starts: {{date}} to {{end_date}}"}
      - {at: end+1d, message: "Thanks! {{relative}}"}
)");
  auto p = plan_window(cal, day(2026, 10, 15), day(2026, 11, 15));
  REQUIRE(p.occurrences.size() == 1);
  CHECK(iso(p.occurrences[0].span.end) == "2026-10-31");
  REQUIRE(p.posts.size() == 1);
  CHECK(p.posts[0].key() == "bhm/2026-10-01/end+1d/c");
  CHECK(render_post(cal, p.posts[0]).text == "Thanks! 31 days ago");
  auto october = plan_window(cal, day(2026, 10, 1), day(2026, 10, 1));
  CHECK(render_post(cal, october.posts.at(0)).text ==
        "Black History Month starts: Thursday 1 October 2026 to Saturday 31 October 2026");
}

TEST_CASE("plan: posts sort by due instant, then key, filters keep what is asked", "[plan]") {
  auto cal = load_ok(R"(version: 1
timezone: America/New_York
defaults: {channels: [b, a]}
events:
  - {id: zed, title: Z, every: March 1, steps: [{at: 0, time: "08:00", message: z}]}
  - {id: amy, title: A, every: March 1, steps: [{at: 0, time: "09:00", message: a}]}
)");
  auto p = plan_window(cal, day(2027, 3, 1), day(2027, 3, 1));
  CHECK(keys(p) == std::vector<std::string>{"zed/2027-03-01/0d/a", "zed/2027-03-01/0d/b", "amy/2027-03-01/0d/a",
                                            "amy/2027-03-01/0d/b"});
  CHECK(p.occurrences[0].event == 1);  // same start: by event id, amy first
  auto only = plan_window(cal, day(2027, 3, 1), day(2027, 3, 1), plan_filter{{"amy"}, {"b"}});
  CHECK(keys(only) == std::vector<std::string>{"amy/2027-03-01/0d/b"});
}

TEST_CASE("plan: DST days keep posts at their local time", "[plan]") {
  auto cal = load_ok(R"(version: 1
timezone: Europe/London
defaults: {channels: [c]}
events:
  - {id: daily, title: D, rrule: "FREQ=DAILY", start: 2026-03-27, steps: [{at: 0, message: x}]}
)");
  auto p = plan_window(cal, day(2026, 3, 28), day(2026, 3, 30));
  REQUIRE(p.posts.size() == 3);
  CHECK(format_local_instant(*cal.zone, p.posts[0].due) == "2026-03-28T09:00:00+00:00");
  CHECK(format_local_instant(*cal.zone, p.posts[1].due) == "2026-03-29T09:00:00+01:00");
  CHECK(format_utc_instant(p.posts[1].due) == "2026-03-29T08:00:00Z");
}

TEST_CASE("plan: a post's key on another channel changes the channel only", "[plan]") {
  auto cal = load_ok(inwed);
  auto p = plan_window(cal, day(2027, 5, 1), day(2027, 7, 29));
  REQUIRE(p.posts.size() == 3);
  CHECK(p.posts[0].key_on("my-channel") == "inwed/2027-06-23/-28d/my-channel");
  CHECK(p.posts[2].key_on(cal.channels[p.posts[2].channel]) == p.posts[2].key());
}

TEST_CASE("plan: every built-in variable renders its own fact", "[plan]") {
  std::string message;
  for (auto name : builtin_variables)
    message += name == "tags" ? "tags={{#tags}}{{.}},{{/tags}}|" : fmt::format("{0}={{{{{0}}}}}|", name);
  auto yaml = std::string(inwed);
  yaml.replace(yaml.find("Thank you to everyone who joined {{title}} {{hashtag}}."), 55, message);
  auto cal = load_ok(yaml);
  auto p = plan_window(cal, day(2027, 6, 24), day(2027, 6, 24));
  REQUIRE(p.posts.size() == 1);
  CHECK(render_post(cal, p.posts[0]).text ==
        "id=inwed|title=International Women in Engineering Day|description=Celebrating women engineers worldwide.|"
        "url=https://www.inwed.org.uk/|tags=gender,engineering,|date=Wednesday 23 June 2027|"
        "end_date=Wednesday 23 June 2027|date_iso=2027-06-23|end_date_iso=2027-06-23|year=2027|days_until=-1|"
        "relative=yesterday|eve_date=|eve_date_iso=|eve_relative=|");
  // With `begins: evening` the eve's variables have their values.
  yaml.replace(yaml.find("    every: June 23"), 0, "    begins: evening\n");
  auto evening = load_ok(yaml);
  auto q = plan_window(evening, day(2027, 6, 24), day(2027, 6, 24));
  REQUIRE(q.posts.size() == 1);
  CHECK(render_post(evening, q.posts[0])
            .text.ends_with("eve_date=Tuesday 22 June 2027|eve_date_iso=2027-06-22|eve_relative=2 days ago|"));
}

TEST_CASE("plan: a template with only the facts it names renders as with all of them", "[plan]") {
  // Given each built-in variable named alone, as a section and as an
  // inverted section, on an event that begins the evening before (so the
  // eve's facts have values), then the facts made for that template's
  // names render it as all the facts do, and a template naming none gets none.
  auto yaml = std::string(inwed);
  yaml.replace(yaml.find("    every: June 23"), 0, "    begins: evening\n");
  auto cal = load_ok(yaml);
  const auto& e = cal.events.at(0);
  day_span occurrence{day(2027, 6, 23), day(2027, 6, 24)};
  auto from = day(2027, 6, 2);
  template_values all;
  event_facts every_fact(e, occurrence, from);
  every_fact.add_to(all);
  for (auto name : builtin_variables) {
    for (auto form : {"[{{{{{0}}}}}]", "{{{{#{0}}}}}<{{{{.}}}}>{{{{/{0}}}}}", "{{{{^{0}}}}}none{{{{/{0}}}}}"}) {
      auto text = fmt::format(fmt::runtime(form), name);
      auto parsed = text_template::parse(text);
      REQUIRE(std::holds_alternative<text_template>(parsed));
      const auto& t = std::get<text_template>(parsed);
      INFO(text);
      CHECK(t.builtins_named() == builtin_set().set(builtin_index(name)));
      template_values some;
      event_facts named_facts(e, occurrence, from, t.builtins_named());
      named_facts.add_to(some);
      CHECK(some.strings.size() + some.lists.size() == 1);
      CHECK(t.render(some) == t.render(all));
      bool list_as_text = name == "tags" && text.starts_with('[');              // renders empty, as any list would
      if (!list_as_text) CHECK(t.render(some) != t.render(template_values{}));  // every fact has a value here
    }
  }
  template_values none;
  event_facts no_facts(e, occurrence, from, builtin_set());
  no_facts.add_to(none);
  CHECK(none.strings.empty());
  CHECK(none.lists.empty());
}

TEST_CASE("plan: a subject's facts are made even when the message names none", "[plan]") {
  auto yaml = std::string(inwed);
  std::string_view subject = "\"{{title}} in four weeks\"";
  yaml.replace(yaml.find(subject), subject.size(), "\"On {{date}} ({{relative}})\"");
  yaml.replace(yaml.find("{{title}} is on {{date}}."), 25, "Soon.");
  auto cal = load_ok(yaml);
  auto p = plan_window(cal, day(2027, 5, 1), day(2027, 5, 31));
  REQUIRE(p.posts.size() == 1);
  auto rendered = render_post(cal, p.posts[0]);
  CHECK(rendered.subject == "On Wednesday 23 June 2027 (in 4 weeks)");
  CHECK(rendered.text == "Soon. Time to line up speakers and blogs.");
}

TEST_CASE("plan: posts order by key as text, without building the keys", "[plan]") {
  // Given ids, offsets and channels where one is the start of another
  // ('-' and '.' sort before the separator '/', digits and letters after),
  // then post_key_less agrees with comparing the keys' text for every pair,
  // and a plan's posts due at one instant come in key order.
  auto cal = load_ok(R"(version: 1
timezone: Europe/London
campaigns:
  c:
    - { at: 0, channels: [x, x-y, x.y, x_y, xy, x0], message: "m" }
    - { at: -1d, channels: [x, x-y], message: "m" }
    - { at: -10d, channels: [x, x-y], message: "m" }
    - { at: +1d, channels: [x], message: "m" }
    - { at: end, channels: [x, x-y], message: "m" }
    - { at: end+1d, channels: [x], message: "m" }
    - { at: end-2d, channels: [x], message: "m" }
    - { at: -5wd, channels: [x], message: "m" }
    - { at: -5d, channels: [x], message: "m" }
events:
  - { id: a, title: A, every: June 23, campaign: c }
  - { id: a-b, title: AB, every: June 23, campaign: c }
  - { id: a0, title: A0, every: June 13, campaign: c }
  - { id: ab, title: Ab, every: June, campaign: c }
  - { id: b, title: B, every: July 3, campaign: c }
)");
  auto p = plan_window(cal, day(2027, 5, 1), day(2027, 8, 31));
  REQUIRE(p.posts.size() > 80);
  std::size_t less = 0;
  for (const auto& a : p.posts)
    for (const auto& b : p.posts) {
      INFO(a.key() << " vs " << b.key());
      CHECK(post_key_less(a, b) == (a.key() < b.key()));
      less += post_key_less(a, b);
    }
  CHECK(less == p.posts.size() * (p.posts.size() - 1) / 2);  // a total order: the keys are unique
  for (std::size_t i = 1; i < p.posts.size(); ++i)
    if (p.posts[i - 1].due == p.posts[i].due) CHECK(p.posts[i - 1].key() < p.posts[i].key());
}

TEST_CASE("plan: working-day steps and bank holidays by set", "[plan]") {
  // Given England and Wales' bank holidays by name and a step five working
  // days before Christmas 2026 and two after, then the dates skip the
  // weekend and the substitute Boxing Day, and the keys keep `wd`.
  auto cal = load_ok(R"(version: 1
timezone: Europe/London
holidays: [uk/england-and-wales, 2026-12-24]
events:
  - id: christmas
    title: Christmas
    every: December 25
    steps:
      - at: -5wd
        channels: [team]
        message: "Christmas is {{relative}}."
      - at: end+2wd
        channels: [team]
        message: "Welcome back."
      - at: 0
        not_workday: next
        channels: [team]
        message: "Moved."
)");
  auto p = plan_window(cal, day(2026, 12, 1), day(2027, 1, 10));
  REQUIRE(p.posts.size() == 3);
  CHECK(p.posts[0].key() == "christmas/2026-12-25/-5wd/team");
  CHECK(iso(p.posts[0].date) == "2026-12-17");  // Thu 24th is a holiday here: 23, 22, 21, 18, 17
  CHECK(render_post(cal, p.posts[0]).text == "Christmas is in 8 days.");
  CHECK(p.posts[1].key() == "christmas/2026-12-25/0d/team");
  CHECK(iso(p.posts[1].date) == "2026-12-29");  // 25th Fri and 28th (Boxing Day, substituted) are holidays
  CHECK(p.posts[2].key() == "christmas/2026-12-25/end+2wd/team");
  CHECK(iso(p.posts[2].date) == "2026-12-30");
  // The set reaches any year: Spring bank holiday 2031 is Monday 26 May.
  CHECK_FALSE(cal.workdays.is_workday(day(2031, 5, 26)));
  CHECK(cal.workdays.is_workday(day(2031, 5, 27)));
}

TEST_CASE("plan: an unknown holiday set is an error with the names herald knows", "[plan]") {
  auto errors = test::load_errors(R"(version: 1
timezone: Europe/London
holidays: [uk/england]
events:
  - id: a
    title: A
    every: June 1
    steps: [{at: 0, channels: [x], message: "m"}]
)");
  CHECK(errors.find("unknown holiday set 'uk/england' (did you mean 'uk/england-and-wales'?)") != std::string::npos);
}

namespace {

// Calendars far apart in UTC offset, with posts at both ends of the day,
// month-long occurrences, steps before and after them, and digests.
std::vector<calendar> far_apart_calendars() {
  std::vector<calendar> calendars;
  calendars.push_back(load_ok(R"(version: 1
timezone: Europe/London
defaults: {channels: [staff]}
digests:
  - id: week-ahead
    every: Monday
    time: "08:45"
    channels: [staff]
    covers: 7d
    skip_empty: true
    message: "Coming up:{{#items}} {{title}} on {{date}};{{/items}}"
  - id: review
    every: Friday
    channels: [team]
    covers: 10d
    list: posts
    message: "Next:{{#items}} [{{key}} {{due}}]{{/items}}"
events:
  - {id: windrush, title: Windrush Day, every: June 22, steps: [{at: -2w, message: a}, {at: end+1d, channels: [team], message: b}]}
  - {id: pride, title: Pride Month, every: June, steps: [{at: -4w, not_workday: previous, message: c}, {at: end, message: d}]}
  - {id: late, title: Late, every: third Monday of every month, steps: [{at: 0, time: "23:59", message: e}]}
)"));
  calendars.push_back(load_ok(R"(version: 1
timezone: Pacific/Kiritimati
defaults: {channels: [staff, team]}
events:
  - {id: kiri-early, title: Early, every: every Tuesday, steps: [{at: 0, time: "00:00", message: f}]}
  - {id: kiri-late, title: Late, every: every Sunday, steps: [{at: -1d, time: "23:59", message: g}]}
)"));
  calendars.push_back(load_ok(R"(version: 1
timezone: Pacific/Pago_Pago
defaults: {channels: [staff]}
events:
  - {id: pago-late, title: Late, every: every Monday, steps: [{at: 0, time: "23:59", message: h}]}
  - {id: pago-early, title: Early, every: every Tuesday, steps: [{at: 0, time: "00:00", message: i}]}
)"));
  return calendars;
}

std::vector<std::string> described(const std::vector<planned_post>& posts) {
  std::vector<std::string> out;
  for (const auto& p : posts)
    out.push_back(fmt::format("{} {} {}", p.key(), format_utc_instant(p.due), render_post(*p.cal, p).text));
  return out;
}

}  // namespace

TEST_CASE("plan: posts planned a window at a time are the plan of the whole span, in its order", "[plan]") {
  auto calendars = far_apart_calendars();
  auto first = day(2027, 1, 1), last = day(2027, 12, 31);
  for (const auto& filter : {plan_filter{}, plan_filter{{"review", "late", "kiri-late"}, {}}, plan_filter{{}, {"team"}},
                             plan_filter{{}, {}, false}}) {
    std::vector<plan> plans;
    for (const auto& cal : calendars) plans.push_back(plan_window(cal, first, last, filter));
    auto whole = merge_plans(std::move(plans));
    REQUIRE(whole.posts.size() > 20);
    auto expected = described(whole.posts);
    for (int window : {1, 2, 5, 31, 400}) {
      std::vector<planned_post> posts;
      for_each_planned_post(
          calendars, first, last, filter, [&](const planned_post& p) { posts.push_back(p); }, date::days{window});
      CHECK(described(posts) == expected);
    }
    // One window_plan walked again and again (the text format walks it twice) gives the same posts.
    window_plan one(calendars, first, last, filter);
    for (int window : {400, 1, 31}) {
      std::vector<planned_post> posts;
      one.for_each_post([&](const planned_post& p) { posts.push_back(p); }, date::days{window});
      CHECK(described(posts) == expected);
    }
    CHECK(one.occurrences().size() == whole.occurrences.size());
    auto occurrences = plan_occurrences(calendars, first, last, filter);
    REQUIRE(occurrences.size() == whole.occurrences.size());
    for (std::size_t i = 0; i < occurrences.size(); ++i) {
      CHECK(occurrences[i].cal == whole.occurrences[i].cal);
      CHECK(occurrences[i].event == whole.occurrences[i].event);
      CHECK(occurrences[i].span == whole.occurrences[i].span);
    }
  }
}
