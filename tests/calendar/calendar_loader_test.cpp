#include <catch2/catch.hpp>

#include <fstream>

#include <fmt/format.h>

#include "calendar/plan.hpp"
#include "calendar/template.hpp"
#include "support/temp_dir.hpp"
#include "test_support.hpp"

using namespace herald;
using herald::test::day;
using herald::test::iso;
using herald::test::load_errors;
using herald::test::load_ok;

using herald::test::spec_example;

TEST_CASE("loader: the README's example loads with defaults applied", "[loader]") {
  auto cal = load_ok(spec_example);
  CHECK(cal.timezone == "Europe/London");
  REQUIRE(cal.events.size() == 1);
  const auto& e = cal.events[0];
  CHECK(e.id == "inwed");
  CHECK(std::vector<std::string>(e.tags.begin(), e.tags.end()) == std::vector<std::string>{"gender", "engineering"});
  REQUIRE(e.campaign == 0);
  const auto& steps = cal.campaigns[0].steps;
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].at.key() == "-28d");
  CHECK(steps[0].time == std::chrono::minutes{9 * 60 + 30});  // from defaults
  CHECK(steps[0].not_workday == not_workday_policy::previous);
  CHECK(cal.channels[steps[0].channels.at(0)] == "edi-team-email");
  CHECK(cal.channels[steps[1].channels.at(0)] == "staff-slack");  // from defaults
  CHECK(steps[1].not_workday == not_workday_policy::keep);
  REQUIRE(e.steps);
  REQUIRE(e.steps->size() == 1);
  CHECK((*e.steps)[0].at.key() == "end+1d");
}

TEST_CASE("loader: an unknown key is an error with a hint, a quoted line and a caret", "[loader]") {
  auto yaml = spec_example;
  yaml.replace(yaml.find("        message: \"Thank"), 16, "        mesage:");
  auto errors = load_errors(yaml);
  CHECK(
      errors.starts_with("test.yaml:30:9: error: unknown key 'mesage' in a step (did you mean 'message'?)\n"
                         " 30 |         mesage: \"Thank you to everyone who joined {{title}} {{hashtag}}.\"\n"
                         "    |         ^\n"));
  // The typo explains the missing 'message'; saying so again would be noise.
  CHECK(errors.find("has no 'message'") == std::string::npos);
}

TEST_CASE("loader: an unknown template variable points into the message", "[loader]") {
  auto yaml = spec_example;
  yaml.replace(yaml.find("{{hashtag}}."), 11, "{{hashtags}}");
  CHECK(load_errors(yaml) ==
        "test.yaml:30:64: error: unknown variable 'hashtags' for event 'inwed' (did you mean 'hashtag'?)\n"
        " 30 |         message: \"Thank you to everyone who joined {{title}} {{hashtags}}.\"\n"
        "    |                                                                ^\n"
        "  hint: use a built-in such as {{title}} or {{date}}, or define it under 'vars:'\n");
}

TEST_CASE("loader: channels must exist in the config when it is given", "[loader]") {
  calendar_options options;
  options.known_channels = std::vector<std::string>{"staff-slack", "edi-team-mail"};
  auto errors = load_errors(spec_example, options);
  CHECK(
      errors.starts_with("test.yaml:14:18: error: unknown channel 'edi-team-email' (did you mean 'edi-team-mail'?)\n"));
  options.known_channels = std::vector<std::string>{"staff-slack", "edi-team-email"};
  load_ok(spec_example, options);
}

TEST_CASE("loader: two steps of one event with the same 'at' and channel are an error", "[loader]") {
  auto yaml = spec_example;
  yaml.replace(yaml.find("      - at: end+1d"), 18, "      - at: -28d\n        channels: [edi-team-email]");
  auto errors = load_errors(yaml);
  CHECK(
      errors.starts_with("test.yaml:29:9: error: event 'inwed' has two steps at -28d for channel 'edi-team-email' (the "
                         "other is on line 12)\n"));
}

TEST_CASE("loader: steps whose keys differ only in working days, or in the channel, are not the same", "[loader]") {
  // -1wd and -1d are two keys; end and end+1d too; the same `at` on two
  // channels is two posts. Only the repeated (end+2wd, y) is an error.
  auto errors = load_errors(R"(version: 1
timezone: Europe/London
events:
  - id: e
    title: E
    every: June 23
    steps:
      - { at: -1wd, channels: [x, y], message: "a" }
      - { at: -1d, channels: [x, y], message: "b" }
      - { at: end, channels: [x], message: "c" }
      - { at: end+1d, channels: [x], message: "d" }
      - { at: end+2wd, channels: [x, y], message: "e" }
      - { at: end+2wd, channels: [y], message: "f" }
)");
  CHECK(errors.starts_with(
      "test.yaml:13:9: error: event 'e' has two steps at end+2wd for channel 'y' (the other is on line 12)\n"));
  CHECK(errors.find("error:") == errors.rfind("error:"));  // the only one
}

TEST_CASE("loader: several errors are reported in one run", "[loader]") {
  auto errors = load_errors(R"(version: 1
timezone: Europe/Londn
events:
  - id: a
    title: A
    every: April 31
  - id: a
    title: B
    dates: [2026-02-30]
)");
  CHECK(errors.find("test.yaml:6:18: error: April has only 30 days") != std::string::npos);
  CHECK(errors.find("test.yaml:9:13: error: invalid date '2026-02-30'") != std::string::npos);
  CHECK(errors.find("test.yaml:2:11: error: unknown time zone 'Europe/Londn' (did you mean 'Europe/London'?)") !=
        std::string::npos);
  CHECK(errors.find("test.yaml:7:9: error: duplicate event id 'a' (first on line 4)") != std::string::npos);
}

TEST_CASE("loader: events may come before the campaigns and defaults they use", "[loader]") {
  auto cal = load_ok(R"(version: 1
events:
  - id: ada
    title: Ada Lovelace Day
    every: second Tuesday of October
    campaign: day
timezone: America/New_York
campaigns:
  day: [{at: 0, message: "{{title}} {{relative}}"}]
defaults: {channels: [general], time: "10:00"}
)");
  CHECK(cal.events[0].campaign == 0);
  CHECK(cal.campaigns[0].steps[0].time == std::chrono::hours{10});
}

TEST_CASE("loader: occurrences unite every, rrule and dates, from, until and except apply", "[loader]") {
  auto cal = load_ok(R"(version: 1
timezone: Europe/London
events:
  - id: ciiw
    title: Careers in Ideas Week
    dates: [2026-11-16..2026-11-22, 2027-11-15..2027-11-21]
  - id: mix
    title: Mixed
    every: [June 23, 23 Jun]
    rrule: "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=23"
    start: 2020-06-23
    dates: [2026-06-23..2026-06-30, 2026-07-01]
    lasts: 2 days
    from: 2026-01-01
    until: 2028-12-31
    except: [2027-06-23]
)");
  auto spans = occurrences_starting(cal.events[1].when, day(2000, 1, 1), day(2100, 1, 1));
  std::vector<std::string> got;
  for (auto& s : spans) got.push_back(iso(s.start) + ".." + iso(s.end));
  // Same starts merge with the later end; 2027 is excepted; nothing before from or after until.
  CHECK(got == std::vector<std::string>{"2026-06-23..2026-06-30", "2026-07-01..2026-07-01", "2028-06-23..2028-06-24"});
  auto ciiw = occurrences_starting(cal.events[0].when, day(2027, 1, 1), day(2027, 12, 31));
  REQUIRE(ciiw.size() == 1);
  CHECK(iso(ciiw[0].end) == "2027-11-21");
}

TEST_CASE("loader: event vars win over calendar vars, built-in names are reserved", "[loader]") {
  auto cal = load_ok(R"(version: 1
timezone: Europe/London
vars: {org: Network, hashtag: "#EDI"}
defaults: {channels: [c]}
events:
  - id: a
    title: A
    every: June 1
    vars: {hashtag: "#A"}
    steps: [{at: 0, message: "{{org}} {{hashtag}}"}]
)");
  auto plan = plan_window(cal, day(2026, 6, 1), day(2026, 6, 1));
  REQUIRE(plan.posts.size() == 1);
  CHECK(render_post(cal, plan.posts[0]).text == "Network #A");
  CHECK(load_errors("version: 1\ntimezone: UTC\nvars: {date: x}\n") ==
        "test.yaml:3:8: error: var 'date' would hide the built-in variable of that name\n"
        " 3 | vars: {date: x}\n"
        "   |        ^\n"
        "  hint: choose another name\n");
}

TEST_CASE("loader: a 10 000-event calendar is read without keeping its tree", "[loader]") {
  std::string yaml =
      "version: 1\ntimezone: Europe/London\ndefaults: {channels: [c]}\n"
      "campaigns:\n  c: [{at: 0, message: \"{{title}}\"}]\nevents:\n";
  for (int i = 0; i < 10000; ++i)
    yaml += "  - {id: e" + std::to_string(i) + ", title: Event " + std::to_string(i) + ", every: March " +
            std::to_string(i % 28 + 1) + ", campaign: c}\n";
  auto cal = load_ok(yaml);
  CHECK(cal.events.size() == 10000);
  CHECK(cal.events[9999].id == "e9999");
}

TEST_CASE("loader: a template whose sections multiply past the limit is refused at its line", "[loader][template]") {
  // {{#tags}} nested 4 deep over 250 tags: 250^4 copies from a 1.4 KB file.
  // Before the bound the loader accepted it and the daemon died of bad_alloc
  // at every start.
  std::string tags;
  for (int i = 0; i < 250; ++i) tags += fmt::format("{}t{}", i ? ", " : "", i);
  auto yaml = fmt::format(
      "version: 1\ntimezone: UTC\nevents:\n  - id: boom\n    title: Boom\n    dates: [2030-03-04]\n"
      "    tags: [{}]\n    steps:\n      - at: 0\n        time: \"12:00\"\n        channels: [out]\n"
      "        message: \"{{{{#tags}}}}{{{{#tags}}}}{{{{#tags}}}}{{{{#tags}}}}{{{{.}}}}"
      "{{{{/tags}}}}{{{{/tags}}}}{{{{/tags}}}}{{{{/tags}}}}\"\n",
      tags);
  auto errors = load_errors(yaml);
  CHECK(errors.starts_with("test.yaml:12:18: error: this template could render "));
  CHECK(errors.find("for event 'boom' (the limit is 256 KiB)") != std::string::npos);

  // Two deep is 62 500 copies of a short tag: under the limit, it loads.
  auto two = yaml;
  two.replace(two.find("{{#tags}}{{#tags}}"), 18, "");
  two.replace(two.find("{{/tags}}{{/tags}}"), 18, "");
  CHECK_NOTHROW(load_ok(two));
}

TEST_CASE("template: render stops at the limit", "[template]") {
  auto parsed = text_template::parse("{{#tags}}{{#tags}}{{#tags}}{{.}}{{/tags}}{{/tags}}{{/tags}}");
  REQUIRE(std::holds_alternative<text_template>(parsed));
  std::string tag(10, 'x');
  std::vector<std::string_view> tags(100, tag);
  template_values v;
  v.lists = {{"tags", tags}};
  auto out = std::get<text_template>(parsed).render(v);
  CHECK(out.size() <= text_template::max_rendered_bytes);
  CHECK(out.size() > text_template::max_rendered_bytes - 20);
}

namespace {

// A calendar of `events` events, with warnings and steps of their own among them.
std::string sample_calendar(const std::string& bad_event = {}, int events = 60) {
  std::string yaml =
      "version: 1\ntimezone: Europe/London\ndefaults: {channels: [staff], time: \"09:00\"}\n"
      "campaigns:\n  usual:\n    - {at: -1w, message: \"{{title}} next week\"}\n    - {at: 0, message: \"Today: "
      "{{title}}\"}\n"
      "events:\n";
  for (int i = 0; i < events; ++i) {
    yaml += fmt::format("  - id: e{}\n    title: Event {} # a comment\n    every: June {}\n", i, i, 1 + i % 28);
    if (i % 3 == 0)
      yaml +=
          fmt::format("    steps:\n      - at: +{}d\n        message: \"{{{{title}}}} {{was}} {}\"\n", 1 + i % 5, i);
    else
      yaml += "    campaign: usual\n";
    if (i == events - 10) yaml += bad_event;
  }
  return yaml;
}

}  // namespace

TEST_CASE("loader: a big file whose read text is given back loads as its text does", "[loader]") {
  // Given a calendar file of some MiB, load_calendar_file gives the pages of
  // the events it has read back to the kernel as it goes (docs/PERFORMANCE.md
  // "The remaining goals (2026-12-03)"); then the events and warnings are
  // those of the same text loaded from memory, and an error near the end
  // (which may look back) is reported as from memory: the file is read again.
  test::temp_dir dir;
  auto path = (dir.path() / "big.yaml").string();
  for (std::string bad : {"", "    colour: red\n", "    title: \"open\n"}) {
    auto text = sample_calendar(bad, 12000);
    REQUIRE(text.size() > (1u << 20));
    std::ofstream(path, std::ios::binary) << text;
    auto from_file = load_calendar_file(path);
    auto from_text = load_calendar(text, path);
    REQUIRE(from_file.ok() == bad.empty());
    REQUIRE(from_text.ok() == bad.empty());
    REQUIRE(from_file.errors.size() == from_text.errors.size());
    for (std::size_t i = 0; i < from_file.errors.size(); ++i)
      CHECK(format_diagnostic(from_file.errors[i], text) == format_diagnostic(from_text.errors[i], text));
    REQUIRE(from_file.warnings.size() == from_text.warnings.size());
    for (std::size_t i = 0; i < from_file.warnings.size(); ++i)
      CHECK(format_diagnostic(from_file.warnings[i], text) == format_diagnostic(from_text.warnings[i], text));
    if (!bad.empty()) continue;
    REQUIRE(from_file.value->events.size() == 12000);
    for (std::size_t i = 0; i < 12000; i += 997) {
      CHECK(from_file.value->events[i].title == from_text.value->events[i].title);
      const auto& a = from_file.value->events[i].steps;
      const auto& b = from_text.value->events[i].steps;
      CHECK((a ? a->size() : 0) == (b ? b->size() : 0));
    }
  }
}

namespace {

// Three events with the same own steps and one whose second step differs.
std::string repeated_steps(const std::string& channel = "staff") {
  std::string yaml = "version: 1\ntimezone: Europe/London\ndefaults: {channels: [staff]}\nevents:\n";
  for (int i = 0; i < 4; ++i)
    yaml += fmt::format(
        "  - id: e{}\n    title: Event {}\n    every: June {}\n    steps:\n"
        "      - {{at: -1w, channels: [{}], message: \"{{{{title}}}} next week\"}}\n"
        "      - {{at: 0, message: \"{}\"}}\n",
        i, i, 1 + i, channel, i == 3 ? "Today, {{title}}" : "Today: {{title}}");
  return yaml;
}

}  // namespace

TEST_CASE("loader: events whose own steps say the same share one list, and keep their own steps", "[loader]") {
  auto cal = load_ok(repeated_steps());
  REQUIRE(cal.events.size() == 4);
  for (const auto& e : cal.events) {
    REQUIRE(e.steps);
    REQUIRE(e.steps->size() == 2);
    CHECK((*e.steps)[0].at.key() == "-7d");
    CHECK((*e.steps)[1].at.key() == "0d");
  }
  CHECK(cal.events[0].steps == cal.events[1].steps);
  CHECK(cal.events[1].steps == cal.events[2].steps);
  CHECK(cal.events[3].steps != cal.events[0].steps);
  CHECK((*cal.events[3].steps)[1].message.text() == "Today, {{title}}");
  CHECK((*cal.events[0].steps)[1].message.text() == "Today: {{title}}");
  // Each event's posts are its own.
  auto p = plan_window(cal, day(2027, 6, 1), day(2027, 6, 4));
  std::vector<std::string> keys;
  for (const auto& post : p.posts) keys.push_back(post.key());
  CHECK(keys == std::vector<std::string>{"e0/2027-06-01/0d/staff", "e1/2027-06-02/0d/staff", "e2/2027-06-03/0d/staff",
                                         "e3/2027-06-04/0d/staff"});
}

TEST_CASE("loader: an error in steps that events share is reported at each event's line", "[loader]") {
  // Shared, the list's marks would be the first event's; a calendar with
  // errors is read again without sharing.
  auto errors = load_errors(repeated_steps("bad!"));
  for (int line : {9, 15, 21, 27}) CHECK(errors.find(fmt::format("test.yaml:{}:", line)) != std::string::npos);
  CHECK(errors.find("invalid channel name 'bad!'") != std::string::npos);
}

namespace {

// A calendar's events as resolved, and its posts of 2027, in words.
std::string resolved_summary(const calendar& cal) {
  std::string out;
  auto steps_of = [&](const std::vector<step>& steps) {
    for (const auto& s : steps) {
      out +=
          fmt::format(" [{} {} {} {}", s.at.key(), s.time.count(), static_cast<int>(s.not_workday), s.message.text());
      for (auto c : s.channels) out += fmt::format(" {}", cal.channels[c]);
      out += "]";
    }
  };
  for (const auto& c : cal.campaigns) {
    out += fmt::format("campaign {}:", c.name);
    steps_of(c.steps);
    out += "\n";
  }
  for (const auto& [name, value] : cal.vars) out += fmt::format("var {}={}\n", name, value);
  for (const auto& e : cal.events) {
    out += fmt::format("event {} campaign {}:", e.id, e.campaign);
    if (e.steps) steps_of(*e.steps);
    out += "\n";
  }
  auto p = plan_window(cal, day(2027, 1, 1), day(2027, 12, 31));
  for (const auto& post : p.posts)
    out += fmt::format("{} {} {}\n", post.key(), post.due.time_since_epoch().count(), render_post(cal, post).text);
  return out;
}

const std::string keys_events_need = R"(vars: { org: "EDI" }
defaults: { time: "10:15", channels: [staff], not_workday: next }
campaigns:
  standard:
    - at: -1w
      channels: [team]
      message: "{{title}} for {{org}} in a week"
    - at: 0
      message: "Today: {{title}}"
)";

std::string calendar_with(const std::string& before_events, const std::string& after_events) {
  std::string text = "version: 1\ntimezone: Europe/London\n" + before_events + "events:\n";
  for (int i = 0; i < 5; ++i)
    text += fmt::format("  - id: e{}\n    title: Event {}\n    every: June {}\n    campaign: standard\n", i, i, 5 + i);
  text += "  - id: own\n    title: Own\n    every: July 1\n    steps:\n      - at: 0\n        message: \"{{org}}\"\n";
  return text + after_events;
}

}  // namespace

TEST_CASE("loader: events resolved as they are read, or at the end, come out the same", "[loader]") {
  // vars, defaults and campaigns before `events:` let each event be resolved
  // as it is read; after it, the events are resolved at the end.
  auto first = load_ok(calendar_with(keys_events_need, ""));
  auto last = load_ok(calendar_with("", keys_events_need));
  CHECK(resolved_summary(first) == resolved_summary(last));
  // The defaults' time and policy, the campaign's steps and the calendar's var.
  CHECK(resolved_summary(first).find("campaign standard: [-7d 615 2 {{title}} for {{org}} in a week team] [0d 615 2 "
                                     "Today: {{title}} staff]") != std::string::npos);
  CHECK(resolved_summary(first).find("e0/2027-06-05/-7d/team 1811754900 Event 0 for EDI in a week") !=
        std::string::npos);
  CHECK(first.channels == std::vector<std::string>{"team", "staff"});
}

TEST_CASE("loader: a key events need, found after them though it did not look so, has the file read again",
          "[loader]") {
  // A root mapping indented one column: `defaults:` after the events does
  // not begin a line, so the events are resolved as they are read, without
  // its time; the load sees it at the end and reads the file again.
  auto indent = [](const std::string& text) {
    std::string out = " ";
    for (char c : text) out += c == '\n' ? std::string("\n ") : std::string(1, c);
    return out.substr(0, out.size() - 1);
  };
  std::string campaigns = "campaigns:\n  standard:\n    - at: 0\n      channels: [staff]\n      message: Today\n";
  std::string defaults = "defaults: { time: \"10:15\" }\n";
  std::string events = "events:\n  - id: e\n    title: E\n    every: June 1\n    campaign: standard\n";
  std::string head = "version: 1\ntimezone: Europe/London\n";
  auto expected = resolved_summary(load_ok(head + defaults + campaigns + events));
  REQUIRE(expected.find("[0d 615 ") != std::string::npos);
  auto text = indent(head + campaigns + events + defaults);
  CHECK(resolved_summary(load_ok(text)) == expected);
  test::temp_dir dir;
  auto path = (dir / "indented.yaml").string();
  std::ofstream(path) << text;
  auto from_file = load_calendar_file(path);
  REQUIRE(from_file.ok());
  CHECK(resolved_summary(*from_file.value) == expected);
}

namespace {

// Two texts that differ only in whether the line after the events looks as
// if a key events need could follow: the first is resolved as it is read,
// the second at the end.
std::pair<std::string, std::string> resolved_early_and_late(const std::string& before_events,
                                                            const std::string& event) {
  std::string events;
  for (int i = 0; i < 60; ++i) events += fmt::format(fmt::runtime(event), i);
  auto text = "version: 1\ntimezone: Europe/London\n" + before_events + "events:\n" + events;
  return {text + "digests: []\n", text + "\"digests\": []\n"};
}

std::vector<std::string> all_diagnostics(const calendar_load_result& result) {
  std::vector<std::string> out;
  for (const auto& d : result.errors) out.push_back(fmt::format("{}:{} {}", d.mark.line, d.mark.col, d.message));
  for (const auto& d : result.warnings) out.push_back(fmt::format("{}:{} {}", d.mark.line, d.mark.col, d.message));
  return out;
}

}  // namespace

TEST_CASE("loader: events resolved as they are read keep the warnings, and their cap, of a read at the end",
          "[loader]") {
  // 61 warnings, past the cap of 50: the campaign's is found after the
  // events' when the events are read first, whatever resolves when.
  auto [early, late] = resolved_early_and_late(
      "defaults: { channels: [staff] }\ncampaigns:\n  c:\n    - at: 0\n      message: Today # {{{{title}}}}\n",
      "  - id: e{0}\n    title: Event # {0}\n    every: June 1\n    campaign: c\n");
  auto a = load_calendar(early, "test.yaml");
  auto b = load_calendar(late, "test.yaml");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.warnings.size() == 50);
  CHECK(all_diagnostics(a) == all_diagnostics(b));
}

TEST_CASE("loader: events resolved as they are read give the errors, and their cap, of a read at the end", "[loader]") {
  auto [early, late] = resolved_early_and_late(
      "defaults: { channels: [staff] }\ncampaigns:\n  c:\n    - at: 0\n      message: \"{{{{nope}}}}\"\n",
      "  - id: e{0}\n    title: Event\n    every: June 1\n    campaign: d\n    vars: {{ title: x }}\n");
  auto a = load_calendar(early, "test.yaml");
  auto b = load_calendar(late, "test.yaml");
  REQUIRE_FALSE(a.ok());
  CHECK(a.errors.size() == 50);
  CHECK(all_diagnostics(a) == all_diagnostics(b));
  // The cap is reached at the 25th event: the campaign's unknown variable,
  // checked after the events when the events are resolved at the end, is left out.
  CHECK(all_diagnostics(a).front() == "12:15 unknown campaign 'd' (did you mean 'c'?)");
}

TEST_CASE("loader: events resolved as they are read still refuse a duplicate id, at the second, from text and file",
          "[loader]") {
  // Their ids are checked once the parse is over, not as they are read
  // (docs/PERFORMANCE.md "2026-12-03, night: reload peak"): the error is the
  // same, and so is a duplicate of an event's id by a digest, checked after.
  std::string head = "version: 1\ntimezone: Europe/London\ndefaults: { channels: [staff] }\nevents:\n";
  std::string events;
  for (int i = 0; i < 30; ++i)
    events += fmt::format("  - id: e{}\n    title: Event\n    every: June 1\n    steps: [{{at: 0, message: Hi}}]\n",
                          i == 20 ? 3 : i);
  std::string digest =
      "digests:\n  - id: e7\n    every: Monday\n    channels: [staff]\n    covers: 7d\n    message: Week\n";
  test::temp_dir dir;
  auto path = (dir / "dup.yaml").string();
  for (const auto& [text, expected] :
       {std::pair{head + events, std::vector<std::string>{"85:9 duplicate event id 'e3' (first on line 17)"}},
        std::pair{head + events + digest,
                  std::vector<std::string>{"85:9 duplicate event id 'e3' (first on line 17)",
                                           "126:9 duplicate event id 'e7' (first on line 33)"}}}) {
    CHECK(all_diagnostics(load_calendar(text, "test.yaml")) == expected);
    std::ofstream(path, std::ios::binary) << text;
    CHECK(all_diagnostics(load_calendar_file(path)) == expected);
  }
  auto unique =
      head + events.replace(events.find("id: e3\n    title: Event\n    every: June 1\n    steps", 200), 6, "id: e30");
  CHECK(load_calendar(unique, "test.yaml").ok());
}
