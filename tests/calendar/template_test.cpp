#include <algorithm>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "calendar/plan.hpp"
#include "calendar/template.hpp"

using namespace herald;

namespace {

text_template parse_ok(std::string_view text) {
  auto parsed = text_template::parse(text);
  if (auto* e = std::get_if<parse_error>(&parsed)) FAIL(e->message);
  return std::get<text_template>(parsed);
}

}  // namespace

TEST_CASE("template: renders plain text with no HTML escaping", "[template]") {
  auto t = parse_ok("{{title}} & <friends> on {{date}}");
  template_values v;
  v.strings = {{"title", "Women & Girls in <Science>"}, {"date", "Wednesday 11 February 2026"}};
  CHECK(t.render(v) == "Women & Girls in <Science> & <friends> on Wednesday 11 February 2026");
}

TEST_CASE("template: an empty value renders empty and is false in a section", "[template]") {
  auto t = parse_ok("Hi{{#url}} More: {{url}}{{/url}}{{^url}} (no link){{/url}}");
  template_values none;
  none.strings = {{"url", ""}};
  CHECK(t.render(none) == "Hi (no link)");
  template_values some;
  some.strings = {{"url", "https://x.example/"}};
  CHECK(t.render(some) == "Hi More: https://x.example/");
}

TEST_CASE("template: later values of a name win, even when empty", "[template]") {
  auto t = parse_ok("[{{hashtag}}]");
  template_values v;
  v.strings = {{"hashtag", "#EDI"}, {"hashtag", "#INWED"}};
  CHECK(t.render(v) == "[#INWED]");
  v.strings = {{"hashtag", "#EDI"}, {"hashtag", ""}};
  CHECK(t.render(v) == "[]");
}

TEST_CASE("template: tags render as a list section", "[template]") {
  auto t = parse_ok("{{#tags}}#{{.}} {{/tags}}");
  std::vector<std::string_view> tags{"gender", "engineering"};
  template_values v;
  v.lists = {{"tags", tags}};
  CHECK(t.render(v) == "#gender #engineering ");
}

TEST_CASE("template: lists the variables it names with their offsets", "[template]") {
  auto t = parse_ok("{{title}} {{! a comment }}{{#tags}}{{.}}{{/tags}} {{{ url }}}");
  REQUIRE(t.variables().size() == 4);
  CHECK(t.variables()[0].name == "title");
  CHECK(t.variables()[0].offset == 2);
  CHECK(t.variables()[1].name == "tags");
  CHECK(t.variables()[2].name == ".");
  CHECK(t.variables()[2].in_section);
  CHECK(t.variables()[3].name == "url");
}

TEST_CASE("template: knows the built-in variables it names, in sections and inverted sections too", "[template]") {
  // Given every way a template can name a variable, then each built-in
  // named is in the set, and a comment, `.`, an own variable and a
  // section's closing tag add nothing.
  auto t = parse_ok(
      "{{title}} {{! {{date}} }}{{#url}}{{.}}{{/url}}{{^tags}}none{{/tags}} {{{ date_iso }}} {{& relative}} "
      "{{hashtag}}{{#items}}{{#eve_date}}{{eve_date}}{{/eve_date}}{{/items}}");
  builtin_set expected;
  for (auto name : {"title", "url", "tags", "date_iso", "relative", "eve_date"}) expected.set(builtin_index(name));
  CHECK(t.builtins_named() == expected);
  CHECK_FALSE(t.builtins_named().test(builtin_index("date")));
  CHECK(parse_ok("Plain text, {{hashtag}} and {{! {{title}} }}").builtins_named().none());
}

TEST_CASE("template: syntax errors", "[template]") {
  auto error = [](std::string_view text) { return std::get<parse_error>(text_template::parse(text)); };
  CHECK(error("{{#tags}}x").message == "section 'tags' is never closed");
  CHECK(error("{{#tags}}x{{/url}}").message == "'{{/url}}' closes section 'tags'");
  CHECK(error("x {{/url}}").message == "'{{/url}}' closes no section");
  CHECK(error("{{> footer}}").message == "partials ({{> …}}) are not supported");
  CHECK(error("{{=<% %>=}}").message == "changing delimiters ({{= …=}}) is not supported");
  CHECK(error("hello {{title").message == "unclosed tag '{{'");
  CHECK(error("hello {{title").offset == 6);
  CHECK(error("{{}}").message == "empty tag");
}

TEST_CASE("template: relative days read naturally", "[template]") {
  CHECK(relative_days(0) == "today");
  CHECK(relative_days(1) == "tomorrow");
  CHECK(relative_days(-1) == "yesterday");
  CHECK(relative_days(7) == "in 1 week");
  CHECK(relative_days(28) == "in 4 weeks");
  CHECK(relative_days(2) == "in 2 days");
  CHECK(relative_days(10) == "in 10 days");
  CHECK(relative_days(-3) == "3 days ago");
  CHECK(relative_days(-7) == "7 days ago");
}

TEST_CASE("template: a digest's list past the limit keeps whole items and says how many were left out",
          "[template][digest]") {
  // Given 600 items of about 1 KiB each, nested over their tags (a digest's
  // list is as long as its window makes it, which the load cannot know):
  // the post stops at the last whole item under the limit, says how many
  // more there were, and keeps the text after the list.
  auto t = parse_ok("Coming up:{{#items}}\n{{id}}:{{#tags}} {{.}}{{/tags}}{{/items}}\nSee you there.");
  std::vector<std::string_view> tags(100, "tag-45678");
  std::string item_tags;
  for (const auto& tag : tags) item_tags += fmt::format(" {}", tag);
  std::vector<std::string> ids;
  for (int i = 0; i < 600; ++i) ids.push_back(std::to_string(i));
  std::vector<template_values> items(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    items[i].strings = {{"id", ids[i]}};
    items[i].lists = {{"tags", tags}};
  }
  template_values v;
  v.records = {{"items", &items}};
  auto out = t.render(v);
  CHECK(out.size() <= text_template::max_rendered_bytes);
  CHECK(out.size() > text_template::max_rendered_bytes - 3 * 1024);
  auto shown = static_cast<int>(std::count(out.begin(), out.end(), ':')) - 2;  // "Coming up:", "not listed:"
  CHECK(shown > 200);
  CHECK(shown < 600);
  CHECK(out.ends_with(fmt::format("\n{}:{}\n… and {} more, not listed: a post holds at most 256 KiB\nSee you there.",
                                  shown - 1, item_tags, 600 - shown)));

  // Under the limit: every item and no note.
  items.resize(10);
  auto short_list = t.render(v);
  CHECK(short_list.find("not listed") == std::string::npos);
  CHECK(short_list.ends_with("\n9:" + item_tags + "\nSee you there."));
}
