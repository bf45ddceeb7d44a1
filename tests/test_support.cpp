#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <sstream>

#include <fmt/format.h>

#include "cli/cli.hpp"

namespace herald::test {

const std::string spec_example = R"(version: 1
timezone: Europe/London
workdays: [Mon, Tue, Wed, Thu, Fri]
holidays: [2026-12-25, 2026-12-28]
vars: { org: "GSE Profession" }
defaults:
  time: "09:30"
  channels: [staff-slack]
  not_workday: keep
campaigns:
  standard:
    - at: -4w
      not_workday: previous
      channels: [edi-team-email]
      subject: "{{title}} in four weeks"
      message: "{{title}} is on {{date}}. Time to line up speakers and blogs."
    - at: 0
      message: "Today is {{title}}! {{url}}"
events:
  - id: inwed
    title: International Women in Engineering Day
    every: June 23
    url: https://www.inwed.org.uk/
    description: "Celebrating women engineers worldwide."
    tags: [gender, engineering]
    vars: { hashtag: "#INWED" }
    campaign: standard
    steps:
      - at: end+1d
        message: "Thank you to everyone who joined {{title}} {{hashtag}}."
)";
;

std::string oversized_digest_calendar() {
  std::string yaml =
      "version: 1\ntimezone: Europe/London\ndigests:\n  - id: week\n    every: Monday\n    channels: [staff]\n"
      "    message: \"Coming up:{{#items}}\\n{{title}}:{{#tags}}{{#tags}} {{.}}{{/tags}}{{/tags}}{{/items}}\"\n"
      "events:\n";
  std::string tags;
  for (int t = 0; t < 60; ++t) tags += (t ? ", " : "") + fmt::format("tag-{:04}", t);
  for (int i = 0; i < 30; ++i)
    yaml += fmt::format("  - id: e{}\n    title: Event {}\n    every: June 22\n    tags: [{}]\n", i, i, tags);
  return yaml;
}

calendar load_ok(const std::string& yaml, const calendar_options& options) {
  auto result = load_calendar(yaml, "test.yaml", options);
  std::string errors;
  for (const auto& d : result.errors) errors += format_diagnostic(d, yaml);
  INFO(errors);
  REQUIRE(result.value);
  return std::move(*result.value);
}

cli_result run_herald(std::vector<std::string> args, std::chrono::system_clock::time_point now,
                      std::function<const char*(const char*)> getenv) {
  std::ostringstream out, err;
  cli_context context{out, err};
  context.now = [now] { return now; };
  context.getenv = std::move(getenv);
  args.insert(args.begin(), "herald");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  int status = run_cli(static_cast<int>(argv.size()), argv.data(), context);
  return {status, out.str(), err.str()};
}

std::string load_errors(const std::string& yaml, const calendar_options& options) {
  auto result = load_calendar(yaml, "test.yaml", options);
  REQUIRE_FALSE(result.value);
  std::string errors;
  for (const auto& d : result.errors) errors += format_diagnostic(d, yaml);
  return errors;
}

}  // namespace herald::test
