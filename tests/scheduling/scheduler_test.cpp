#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "calendar/plan.hpp"
#include "scheduling/scheduler.hpp"
#include "test_support.hpp"
#include "text/instant_format.hpp"

using namespace herald;
using herald::test::day;
using herald::test::load_ok;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

date::sys_seconds utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}} + hours{h} + minutes{min};
}

// Instants are compared as text, so that a failure reads like the docs.
std::string text(std::optional<date::sys_seconds> instant) {
  return instant ? format_utc_instant(*instant) : "no wake-up";
}

// "send KEY", "miss KEY", "give_up KEY: reason", "unconfirm KEY: reason".
const char* kind_word(scheduled_action::kind what) {
  switch (what) {
    case scheduled_action::kind::send:
      return "send ";
    case scheduled_action::kind::miss:
      return "miss ";
    case scheduled_action::kind::give_up:
      return "give_up ";
    case scheduled_action::kind::unconfirm:
      return "unconfirm ";
  }
  return "? ";
}

std::vector<std::string> describe(const schedule& s) {
  std::vector<std::string> out;
  for (const auto& a : s.actions) {
    const char* what = kind_word(a.what);
    out.push_back(what + a.key + (a.reason.empty() ? "" : ": " + a.reason));
  }
  return out;
}

// The journal as decide() reads it: rows by key, in memory.
struct fake_journal {
  std::map<std::string, journal_entry, std::less<>> rows;

  journal_entry& put(const std::string& key, post_state state, int attempts = 0) {
    auto& row = rows[key];
    row.key = key;
    row.state = state;
    row.attempts = attempts;
    return row;
  }

  journal_lookup lookup() const {
    return [this](std::string_view key) -> const journal_entry* {
      auto found = rows.find(key);
      return found == rows.end() ? nullptr : &found->second;
    };
  }
};

// Two posts of one event, on the eve and on the day, at 09:00 in London
// (GMT in early March, so 09:00Z).
const std::string iwd_yaml = R"(version: 1
timezone: Europe/London
defaults: {channels: [slack]}
events:
  - id: iwd
    title: International Women's Day
    dates: [2027-03-08]
    steps:
      - {at: -1d, message: "Tomorrow is {{title}}."}
      - {at: 0, message: "Today is {{title}}."}
)";

const std::string eve = "iwd/2027-03-08/-1d/slack";
const std::string on_the_day = "iwd/2027-03-08/0d/slack";
const date::sys_seconds eve_due = utc(2027, 3, 7, 9);
const date::sys_seconds on_the_day_due = utc(2027, 3, 8, 9);

struct scheduler_fixture {
  calendar cal = load_ok(iwd_yaml);
  plan planned = plan_window(cal, day(2027, 3, 1), day(2027, 3, 31));
  fake_journal journal;
  schedule_policy policy{hours{12}, 8, {}};

  schedule at(date::sys_seconds now) const { return decide(planned.posts, journal.lookup(), now, policy); }
};

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE_METHOD(scheduler_fixture, "scheduler: the test calendar plans the posts the tests name", "[scheduler]") {
  REQUIRE(planned.posts.size() == 2);
  CHECK(planned.posts[0].key() == eve);
  CHECK(text(planned.posts[0].due) == text(eve_due));
  CHECK(planned.posts[1].key() == on_the_day);
  CHECK(text(planned.posts[1].due) == text(on_the_day_due));
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a post never seen goes out at its due instant, not a second before",
                 "[scheduler]") {
  // Given an empty journal, then the eve's post waits for 09:00 and goes at 09:00.
  auto before = at(eve_due - seconds{1});
  CHECK(before.actions.empty());
  CHECK(text(before.wake) == "2027-03-07T09:00:00Z");

  auto due = at(eve_due);
  CHECK(describe(due) == strings{"send " + eve});
  REQUIRE(due.actions.size() == 1);
  CHECK(due.actions[0].post == &planned.posts[0]);
  // Were the send never begun, the post would be missed when its window
  // closes, which comes before the next post is due.
  CHECK(text(due.wake) == "2027-03-07T21:00:01Z");
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a pending row with no next try, or one that has come, is sent",
                 "[scheduler]") {
  auto& row = journal.put(eve, post_state::pending, 1);
  CHECK(describe(at(eve_due + hours{1})) == strings{"send " + eve});
  row.next_try = eve_due + minutes{30};
  CHECK(describe(at(eve_due + minutes{30})) == strings{"send " + eve});
  CHECK(describe(at(eve_due + minutes{31})) == strings{"send " + eve});
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: sent, failed and missed rows are never acted on again", "[scheduler]") {
  for (auto state : {post_state::sent, post_state::failed, post_state::missed}) {
    INFO(to_string(state));
    journal.put(eve, state, 1);
    // Within the window and after it: nothing, and the next wake-up is the
    // next post, not this one's window end.
    for (auto now : {eve_due + hours{1}, eve_due + hours{13}}) {
      auto s = at(now);
      CHECK(s.actions.empty());
      CHECK(text(s.wake) == "2027-03-08T09:00:00Z");
    }
  }
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: an in_flight row is left to the attempt under way", "[scheduler]") {
  // Given the eve's post being sent by this process, then decide() neither
  // sends it again nor wakes for it: the attempt's end calls decide() again.
  journal.put(eve, post_state::in_flight, 1);
  auto s = at(eve_due + hours{1});
  CHECK(s.actions.empty());
  CHECK(text(s.wake) == "2027-03-08T09:00:00Z");
  CHECK(at(eve_due + hours{13}).actions.empty());  // not missed either
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a post whose window closed before any attempt is missed",
                 "[scheduler]") {
  // catch_up is 12 h: the eve's post may go out until 21:00:00 inclusive.
  CHECK(describe(at(eve_due + hours{12})) == strings{"send " + eve});
  CHECK(describe(at(eve_due + hours{12} + seconds{1})) == strings{"miss " + eve});
  journal.put(eve, post_state::pending, 0);
  CHECK(describe(at(eve_due + hours{12} + seconds{1})) == strings{"miss " + eve});
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a retry whose window closed fails with its last error", "[scheduler]") {
  auto& row = journal.put(eve, post_state::pending, 3);
  row.last_error = "HTTP 503: busy";
  row.next_try = eve_due + hours{11};
  CHECK(describe(at(eve_due + hours{14})) ==
        strings{"give_up " + eve + ": window closed after 3 attempts: HTTP 503: busy"});
}

TEST_CASE_METHOD(scheduler_fixture,
                 "scheduler: a post whose window closed while its once-more waited is unconfirmed, not failed",
                 "[scheduler][unanswered]") {
  // Given an attempt that went out whole and got no answer (or was cut off
  // by a stop): it may have arrived, so when the window closes before its
  // one more copy went out, the post is unconfirmed.
  auto& row = journal.put(eve, post_state::pending, 1);
  row.interrupted = 1;
  row.last_error = "no answer within 10 s after the whole request was sent: it may have arrived";
  row.next_try = eve_due + minutes{1};
  CHECK(describe(at(eve_due + hours{13})) ==
        strings{"unconfirm " + eve +
                ": window closed after 1 attempt: no answer within 10 s after the whole request was sent: it may "
                "have arrived"});
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a post interrupted once is sent once more, twice it fails",
                 "[scheduler]") {
  auto& row = journal.put(eve, post_state::pending, 1);
  row.interrupted = 1;
  row.last_error = "interrupted: herald stopped while sending";
  CHECK(describe(at(eve_due + hours{1})) == strings{"send " + eve});
  row.attempts = 2;
  row.interrupted = 2;
  CHECK(describe(at(eve_due + hours{1})) ==
        strings{"give_up " + eve +
                ": interrupted twice while sending; not sent again, as it may already have gone out twice"});
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a post that used every attempt fails", "[scheduler]") {
  auto& row = journal.put(eve, post_state::pending, 7);
  row.last_error = "HTTP 500";
  CHECK(describe(at(eve_due + hours{1})) == strings{"send " + eve});
  row.attempts = 8;  // policy.attempts: a config reload may have lowered it too
  CHECK(describe(at(eve_due + hours{1})) == strings{"give_up " + eve + ": gave up after 8 attempts: HTTP 500"});
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a pending row waits for its next try, which is the wake-up",
                 "[scheduler]") {
  auto& row = journal.put(eve, post_state::pending, 1);
  row.next_try = eve_due + minutes{2};
  auto waiting = at(eve_due + minutes{1});
  CHECK(waiting.actions.empty());
  CHECK(text(waiting.wake) == "2027-03-07T09:02:00Z");
  CHECK(describe(at(*waiting.wake)) == strings{"send " + eve});
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a next try after the window's end wakes at the end to fail the post",
                 "[scheduler]") {
  auto& row = journal.put(eve, post_state::pending, 1);
  row.next_try = eve_due + hours{13};
  row.last_error = "HTTP 503";
  auto waiting = at(eve_due + hours{1});
  CHECK(waiting.actions.empty());
  CHECK(text(waiting.wake) == "2027-03-07T21:00:01Z");
  CHECK(describe(at(*waiting.wake)) == strings{"give_up " + eve + ": window closed after 1 attempt: HTTP 503"});
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: with the clock set back, a post already done is not the wake-up",
                 "[scheduler]") {
  // Given the eve's post sent, and the clock then set back before its due
  // instant: it looks due in the future again, but only the next post is.
  journal.put(eve, post_state::sent, 1);
  auto s = at(eve_due - hours{1});
  CHECK(s.actions.empty());
  CHECK(text(s.wake) == "2027-03-08T09:00:00Z");

  journal.put(eve, post_state::in_flight, 1);
  CHECK(text(at(eve_due - hours{1}).wake) == "2027-03-08T09:00:00Z");

  journal.put(on_the_day, post_state::missed);
  CHECK(text(at(eve_due - hours{1}).wake) == "no wake-up");
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a retry held past the due instant of a post not yet due is the wake-up",
                 "[scheduler]") {
  // Given a retry recorded before the clock was set back (or before an edit
  // moved the step's time), then the post wakes for its next try, not its due.
  journal.put(eve, post_state::sent, 1);
  auto& row = journal.put(on_the_day, post_state::pending, 1);
  row.next_try = on_the_day_due + minutes{10};
  CHECK(text(at(eve_due + hours{1}).wake) == "2027-03-08T09:10:00Z");
  row.attempts = 8;  // it can only fail, and fails from its due instant
  CHECK(text(at(eve_due + hours{1}).wake) == "2027-03-08T09:00:00Z");
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: the wake-up is the first instant at which a decision changes",
                 "[scheduler]") {
  // Each section sets a journal and a time; then decide() gives the same
  // answer at every second up to the wake-up (sampled each minute, and the
  // second before), and a different one at it.
  date::sys_seconds now{};
  SECTION("nothing known, before the first post") { now = eve_due - hours{1}; }
  SECTION("the eve's post going out") { now = eve_due + minutes{1}; }
  SECTION("the eve's post sent") {
    journal.put(eve, post_state::sent, 1);
    now = eve_due + minutes{1};
  }
  SECTION("a retry within the window") {
    journal.put(eve, post_state::pending, 1).next_try = eve_due + minutes{45};
    now = eve_due + minutes{1};
  }
  SECTION("a retry after the window") {
    journal.put(eve, post_state::pending, 1).next_try = eve_due + hours{20};
    now = eve_due + minutes{1};
  }
  SECTION("a retry of the next post held past its due instant") {
    journal.put(eve, post_state::sent, 1);
    journal.put(on_the_day, post_state::pending, 1).next_try = on_the_day_due + hours{1};
    now = eve_due + minutes{1};
  }
  auto first = at(now);
  REQUIRE(first.wake);
  auto wake = *first.wake;
  INFO("now " << text(now) << ", wake " << text(wake));
  for (auto t = now; t < wake; t += minutes{1}) CHECK(describe(at(t)) == describe(first));
  CHECK(describe(at(wake - seconds{1})) == describe(first));
  CHECK(describe(at(wake)) != describe(first));
}

TEST_CASE("scheduler: actions follow the posts' order, by due instant then key", "[scheduler]") {
  auto cal = load_ok(R"(version: 1
timezone: Europe/London
defaults: {channels: [teams, slack]}
events:
  - {id: pride, title: Pride, dates: [2027-06-01], steps: [{at: 0, time: "10:00", message: p}]}
  - {id: early, title: Early, dates: [2027-06-01], steps: [{at: 0, time: "08:00", message: e}]}
)");
  auto planned = plan_window(cal, day(2027, 6, 1), day(2027, 6, 1));
  fake_journal journal;
  // 08:00 BST is 07:00Z; with a 2 h catch_up, at 09:30Z the early posts are
  // missed and the pride ones (09:00Z) go out.
  auto s = decide(planned.posts, journal.lookup(), utc(2027, 6, 1, 9, 30), schedule_policy{hours{2}, 8, {}});
  CHECK(describe(s) == strings{"miss early/2027-06-01/0d/slack", "miss early/2027-06-01/0d/teams",
                               "send pride/2027-06-01/0d/slack", "send pride/2027-06-01/0d/teams"});
}

TEST_CASE("scheduler: posts at 09:00 in London either side of both 2027 DST changes", "[scheduler]") {
  // BST began on Sunday 28 March 2027 and ended on Sunday 31 October 2027:
  // 09:00 is 08:00Z in summer time, 09:00Z in winter.
  auto cal = load_ok(R"(version: 1
timezone: Europe/London
defaults: {channels: [slack], time: "09:00"}
events:
  - id: clocks
    title: Clocks
    dates: [2027-03-27, 2027-03-28, 2027-03-29, 2027-10-30, 2027-10-31, 2027-11-01]
    steps: [{at: 0, message: "{{title}}"}]
)");
  auto planned = plan_window(cal, day(2027, 3, 1), day(2027, 11, 30));
  const strings expected_due = {"2027-03-27T09:00:00Z", "2027-03-28T08:00:00Z", "2027-03-29T08:00:00Z",
                                "2027-10-30T08:00:00Z", "2027-10-31T09:00:00Z", "2027-11-01T09:00:00Z"};
  REQUIRE(planned.posts.size() == expected_due.size());
  fake_journal journal;
  schedule_policy policy;
  for (std::size_t i = 0; i < planned.posts.size(); ++i) {
    const auto& post = planned.posts[i];
    INFO(post.key());
    CHECK(text(post.due) == expected_due[i]);
    auto before = decide(planned.posts, journal.lookup(), post.due - seconds{1}, policy);
    CHECK(before.actions.empty());
    CHECK(text(before.wake) == expected_due[i]);
    auto due = decide(planned.posts, journal.lookup(), post.due, policy);
    CHECK(describe(due) == strings{"send " + post.key()});
    journal.put(post.key(), post_state::sent, 1);
  }
}

namespace {

delivery_outcome transient(std::string detail, std::optional<seconds> retry_after = std::nullopt) {
  return {delivery_outcome::kind::transient, retry_after, std::move(detail)};
}

const date::sys_seconds due = utc(2027, 3, 8, 9);
const schedule_policy policy{hours{12}, 8, {}};

}  // namespace

TEST_CASE("scheduler: after a failure, a Retry-After is obeyed instead of the backoff", "[scheduler]") {
  auto now = due + minutes{1};
  auto d = after_failure(transient("HTTP 429: slow down", seconds{120}), 1, due, now, policy, 0.999);
  CHECK(text(d.next_try) == text(now + seconds{120}));
  CHECK(d.reason == "HTTP 429: slow down");
  // "Retry-After: 0" still waits a second, so the attempts are not spent at once.
  CHECK(text(after_failure(transient("HTTP 429", seconds{0}), 1, due, now, policy, 0.5).next_try) ==
        text(now + seconds{1}));
}

TEST_CASE("scheduler: a Retry-After counts from the precise instant of the answer, rounded up", "[scheduler]") {
  // The answer came at 09:01:00.640; "Retry-After: 3" is 09:01:03.640 at
  // the earliest, so the retry is at 09:01:04, not 09:01:03 (2.36 s later).
  std::chrono::system_clock::time_point answered = due + minutes{1} + std::chrono::milliseconds{640};
  auto d = after_failure(transient("HTTP 503", seconds{3}), 1, due, answered, policy, 0.5);
  REQUIRE(d.next_try);
  CHECK(*d.next_try - answered >= seconds{3});
  CHECK(text(d.next_try) == text(due + minutes{1} + seconds{4}));
}

TEST_CASE("scheduler: after a failure, the first retry is within 30 s, later ones up to 10 min", "[scheduler]") {
  auto now = due + minutes{1};
  for (double random01 : {0.0, 0.5, 0.999}) {
    INFO(random01);
    auto first = after_failure(transient("connection refused"), 1, due, now, policy, random01);
    REQUIRE(first.next_try);
    CHECK(*first.next_try - now >= seconds{1});
    CHECK(*first.next_try - now <= seconds{30});
    CHECK(*first.next_try - now == backoff(1, random01));
    CHECK(first.reason == "connection refused");
    auto seventh = after_failure(transient("connection refused"), 7, due, now, policy, random01);
    REQUIRE(seventh.next_try);
    CHECK(*seventh.next_try - now <= minutes{10});
  }
  auto late = after_failure(transient("timeout"), 7, due, now, policy, 0.999);
  CHECK(*late.next_try - now > minutes{5});  // it did double
}

TEST_CASE("scheduler: after a failure, a retry that would fall after the window fails the post", "[scheduler]") {
  auto now = due + hours{12} - seconds{30};
  auto d = after_failure(transient("HTTP 503", seconds{60}), 2, due, now, policy, 0.5);
  CHECK_FALSE(d.next_try);
  CHECK(d.reason == "window closes before the next try: HTTP 503");
  // A retry at the window's last second is still inside it.
  CHECK(text(after_failure(transient("HTTP 503", seconds{30}), 2, due, now, policy, 0.5).next_try) ==
        text(due + hours{12}));
}

TEST_CASE("scheduler: after a failure of the last attempt, the post fails", "[scheduler]") {
  auto now = due + minutes{30};
  CHECK(after_failure(transient("HTTP 500"), 7, due, now, policy, 0.5).next_try);
  auto d = after_failure(transient("HTTP 500", seconds{5}), 8, due, now, policy, 0.5);
  CHECK_FALSE(d.next_try);
  CHECK(d.reason == "gave up after 8 attempts: HTTP 500");
}

TEST_CASE("scheduler: a permanent failure fails the post at once, with the service's words", "[scheduler]") {
  delivery_outcome outcome{delivery_outcome::kind::permanent, std::nullopt, "HTTP 404: channel_not_found"};
  auto d = after_failure(outcome, 1, due, due + minutes{1}, policy, 0.5);
  CHECK_FALSE(d.next_try);
  CHECK(d.reason == "HTTP 404: channel_not_found");
}

TEST_CASE("scheduler: the planning window reaches catch_up back and 35 days ahead", "[scheduler]") {
  const auto* london = date::locate_zone("Europe/London");
  auto now = utc(2027, 3, 8, 12);
  auto window = planning_window_at(*london, now, hours{36});
  CHECK(window.first <= day(2027, 3, 7));  // the local date 36 h back
  CHECK(window.last == day(2027, 4, 12));
  CHECK(window.replan_at > now);
  CHECK(window.replan_at < london->to_sys(window.last, date::choose::earliest));

  // Given calendars in two zones with a post every day, then the merged plan
  // holds the post due just within catch_up and the one dated 35 days ahead,
  // sorted across zones, and replans at the earlier of their replan times.
  std::vector<calendar> calendars;
  for (const char* zone : {"America/New_York", "Europe/London"})
    calendars.push_back(load_ok(fmt::format(R"(version: 1
timezone: {}
defaults: {{channels: [c]}}
events:
  - {{id: daily, title: D, rrule: "FREQ=DAILY", start: 2027-01-01, steps: [{{at: 0, message: x}}]}}
)",
                                            zone)));
  auto merged = plan_calendars(calendars, now, hours{36});
  REQUIRE_FALSE(merged.posts.empty());
  auto is_sorted = std::is_sorted(merged.posts.begin(), merged.posts.end(),
                                  [](const auto& a, const auto& b) { return a.due < b.due; });
  CHECK(is_sorted);
  CHECK(merged.posts.front().due <= now - hours{36});
  CHECK(herald::test::iso(merged.posts.back().date) == "2027-04-12");
  CHECK(text(merged.replan_at) == text(std::min(planning_window_at(*calendars[0].zone, now, hours{36}).replan_at,
                                                planning_window_at(*calendars[1].zone, now, hours{36}).replan_at)));
  CHECK(merged.replan_at < london->to_sys(day(2027, 4, 12), date::choose::earliest));
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a skipped row is never acted on, and is no wake-up", "[scheduler]") {
  journal.put(eve, post_state::skipped);
  for (auto now : {eve_due, eve_due + hours{13}}) {
    auto s = at(now);
    CHECK(s.actions.empty());
    CHECK(text(s.wake) == "2027-03-08T09:00:00Z");
  }
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a paused channel's posts wait, then go or are missed by their window",
                 "[scheduler]") {
  policy.paused.insert("slack");
  auto paused = at(eve_due + hours{1});
  CHECK(paused.actions.empty());
  CHECK(paused.wake == std::nullopt);  // the resume wakes the daemon, not a timer
  CHECK(at(on_the_day_due + hours{1}).actions.empty());
  policy.paused.insert("teams");
  policy.paused.erase("slack");
  // Resumed the day after: the eve's post is past its window, the day's inside it.
  CHECK(describe(at(on_the_day_due + hours{1})) == strings{"miss " + eve, "send " + on_the_day});
}

TEST_CASE_METHOD(scheduler_fixture, "scheduler: a resent post's window counts from its resend", "[scheduler]") {
  auto resent = on_the_day_due + hours{48};
  journal.put(on_the_day, post_state::sent, 1);
  auto& row = journal.put(eve, post_state::pending);
  row.resent_at = resent;
  auto s = at(resent);
  CHECK(describe(s) == strings{"send " + eve});
  REQUIRE(s.actions.size() == 1);
  CHECK(text(s.actions[0].window_from) == text(resent));
  CHECK(text(s.wake) == text(resent + hours{12} + seconds{1}));
  CHECK(describe(at(resent + hours{12})) == strings{"send " + eve});
  CHECK(describe(at(resent + hours{12} + seconds{1})) == strings{"miss " + eve});
  // A post never resent keeps its own window.
  journal.rows.erase(eve);
  auto plain = at(eve_due);
  REQUIRE(plain.actions.size() == 1);
  CHECK(text(plain.actions[0].window_from) == text(eve_due));
}
