#include "calendar/calendar_loader.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <iterator>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "calendar/calendar_source.hpp"
#include "calendar/calendar_warnings.hpp"
#include "calendar/holiday_sets.hpp"
#include "text/civil.hpp"
#include "text/file.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

constexpr std::array<std::string_view, 9> calendar_keys = {"version",  "timezone",  "workdays", "holidays", "vars",
                                                           "defaults", "campaigns", "events",   "digests"};
constexpr std::array<std::string_view, 17> event_keys = {"id",    "title",  "description", "url",      "tags",  "vars",
                                                         "every", "rrule",  "start",       "dates",    "lasts", "from",
                                                         "until", "except", "begins",      "campaign", "steps"};
constexpr std::array<std::string_view, 17> digest_keys = {
    "id",   "title",       "every",    "rrule",  "start", "dates",      "from",    "until",  "except",
    "time", "not_workday", "channels", "covers", "list",  "skip_empty", "subject", "message"};
constexpr std::array<std::string_view, 6> step_keys = {"at", "time", "channels", "not_workday", "message", "subject"};
constexpr std::array<std::string_view, 3> defaults_keys = {"time", "channels", "not_workday"};

constexpr std::array<required_key, 2> calendar_required = {
    {{"version", "start the file with 'version: 1'"},
     {"timezone", "add the zone its times are in, e.g. 'timezone: Europe/London'"}}};
constexpr std::array<required_key, 2> event_required = {
    {{"id", "add e.g. 'id: inwed' (lower-case letters, digits and '-')"},
     {"title", "add e.g. 'title: International Women in Engineering Day'"}}};
constexpr std::array<required_key, 2> digest_required = {
    {{"id", "add e.g. 'id: week-ahead' (lower-case letters, digits and '-')"},
     {"message", "add the digest's text with its list, e.g. message: \"Coming up:{{#items}} {{title}}{{/items}}\""}}};
constexpr std::array<required_key, 2> step_required = {
    {{"at", "add e.g. 'at: 0' (the day itself), 'at: -1w' or 'at: end+1d'"},
     {"message", "add the post's text, e.g. message: \"Today is {{title}}!\""}}};

// [a-z0-9][a-z0-9-]*: ids go into post keys and URLs as they are.
bool is_valid_id(std::string_view id) {
  auto allowed = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  return !id.empty() && id.front() != '-' && std::all_of(id.begin(), id.end(), allowed);
}

std::variant<not_workday_policy, parse_error> parse_policy(std::string_view text) {
  auto lower = ascii_lower(text);
  if (lower == "keep") return not_workday_policy::keep;
  if (lower == "previous") return not_workday_policy::previous;
  if (lower == "next") return not_workday_policy::next;
  if (lower == "skip") return not_workday_policy::skip;
  return parse_error{
      fmt::format("unknown not_workday '{}'{}", text, did_you_mean(lower, {"keep", "previous", "next", "skip"})), 0,
      "use keep, previous, next or skip"};
}

std::variant<date::weekday, parse_error> parse_workday(std::string_view text) {
  if (auto wd = parse_weekday_name(text)) return *wd;
  return parse_error{fmt::format("unknown weekday '{}'{}", text, did_you_mean(text, weekday_names())), 0,
                     "use Mon, Tue, Wed, Thu, Fri, Sat, Sun"};
}

// `2027-10-02 to 2027-10-03`: a range in words, as people write them.
std::optional<parse_error> range_in_words(std::string_view text) {
  for (std::string_view word : {" to ", " - ", " until ", " through "})
    if (auto at = text.find(word); at != std::string_view::npos) {
      auto start = trim(text.substr(0, at)), end = trim(text.substr(at + word.size()));
      if (parse_iso_date(start) && parse_iso_date(end))
        return parse_error{fmt::format("a range of dates is written with '..', not '{}'", trim(word)), at + 1,
                           fmt::format("write {}..{}", start, end)};
    }
  return std::nullopt;
}

// `2026-11-16` or `2026-11-16..2026-11-22`.
std::variant<day_span, parse_error> parse_date_or_range(std::string_view text) {
  auto dots = text.find("..");
  auto first = parse_date_value(text.substr(0, dots));
  if (auto* e = std::get_if<parse_error>(&first)) {
    if (auto words = range_in_words(text)) return *words;
    return *e;
  }
  auto start = std::get<date::local_days>(first);
  if (dots == std::string_view::npos) return day_span{start, start};
  auto second = parse_date_value(text.substr(dots + 2));
  if (auto* e = std::get_if<parse_error>(&second)) {
    e->offset = dots + 2;
    return *e;
  }
  auto end = std::get<date::local_days>(second);
  if (end < start) return parse_error{"a range must not end before it starts", dots + 2, {}};
  return day_span{start, end};
}

// A `holidays:` entry: a date, a range, or a named set of holidays.
struct holiday_entry {
  std::optional<holiday_set> set;
  day_span span;
};

// The years a named set is expanded over: every plan and preview falls in them.
constexpr int first_holiday_year = 1900, last_holiday_year = 2200;

std::variant<holiday_entry, parse_error> parse_holiday(std::string_view text) {
  if (!text.empty() && std::isalpha(static_cast<unsigned char>(text[0]))) {
    auto lower = ascii_lower(text);
    if (auto set = find_holiday_set(lower)) return holiday_entry{set, {}};
    auto names = holiday_set_names();
    auto guess = did_you_mean(lower, names);
    for (auto name : names)  // "uk/england" is surely England and Wales
      if (guess.empty() && name.starts_with(lower)) guess = fmt::format(" (did you mean '{}'?)", name);
    return parse_error{fmt::format("unknown holiday set '{}'{}", text, guess), 0,
                       "herald computes uk/england-and-wales, uk/scotland and uk/northern-ireland; list other "
                       "holidays as dates (2027-12-24) or ranges (2027-12-24..2027-12-31)"};
  }
  auto span = parse_date_or_range(text);
  if (auto* error = std::get_if<parse_error>(&span)) return *error;
  return holiday_entry{std::nullopt, std::get<day_span>(span)};
}

void add_holidays(const holiday_entry& entry, std::vector<date::local_days>& out) {
  if (entry.set) {
    for (int year = first_holiday_year; year <= last_holiday_year; ++year)
      for (auto day : holidays_in_year(*entry.set, year)) out.push_back(day);
    return;
  }
  for (auto day = entry.span.start; day <= entry.span.end; day += date::days{1}) out.push_back(day);
}

// One parsed template per distinct text during one load: a calendar whose
// events each repeat the same steps would otherwise hold a parse per step
// (docs/PERFORMANCE.md "2026-12-03"). Copies of a text_template share
// their text, variables and nodes.
class template_cache {
 public:
  std::optional<text_template> parse(yaml_ref node, std::string_view what, diagnostics_collector& out) {
    auto text = node.is_scalar() ? std::optional<std::string_view>(node.scalar()) : std::nullopt;
    if (text)
      if (auto found = parsed_.find(*text); found != parsed_.end()) return found->second;
    auto tmpl = read_parsed(node, what, text_template::parse, out);
    if (tmpl && text) parsed_.emplace(std::string(*text), *tmpl);
    return tmpl;
  }

 private:
  std::map<std::string, text_template, std::less<>> parsed_;
};

std::optional<template_source> read_template(yaml_ref node, std::string_view what, template_cache& templates,
                                             diagnostics_collector& out) {
  auto tmpl = templates.parse(node, what, out);
  if (!tmpl) return std::nullopt;
  // `what` is the key in quotes: 'message'.
  auto key = what.size() > 2 && what.front() == '\'' ? what.substr(1, what.size() - 2) : what;
  warn_comment_in_plain_text(node, key, out);
  warn_curly_quotes(node, key, out);
  warn_single_braces(node, out);
  template_source source{std::move(*tmpl), {}, node.mark()};
  for (const auto& variable : source.tmpl.variables()) source.variable_marks.push_back(node.mark_at(variable.offset));
  return source;
}

std::optional<std::vector<marked_name>> read_channels(yaml_ref node, diagnostics_collector& out) {
  std::vector<marked_name> names;
  for (auto item : read_list(node, "'channels'", out))
    if (auto name = read_scalar(item, "a channel name", out)) names.push_back({std::string(*name), item.mark()});
  return names;
}

string_pairs read_vars(yaml_ref node, std::vector<source_mark>& marks, diagnostics_collector& out) {
  string_pairs vars;
  if (!node.is_mapping()) {
    out.error(node.mark(), fmt::format("'vars' must be a mapping of names to values, not {}", node.type_name()));
    return vars;
  }
  for (auto& [key, value] : node.entries()) {
    auto text = value.is_null() ? std::optional<std::string_view>("") : read_scalar(value, "a var's value", out);
    if (!text) continue;
    vars.emplace_back(key.scalar(), *text);
    marks.push_back(key.mark());
  }
  return vars;
}

// What a step and a digest share: when, where and what the post says.
void read_post_fields(yaml_ref node, step_source& step, template_cache& templates, diagnostics_collector& out) {
  if (auto time = node.find("time")) step.time = read_parsed(*time, "'time'", parse_time_of_day, out);
  if (auto channels = node.find("channels")) step.channels = read_channels(*channels, out);
  if (auto policy = node.find("not_workday"))
    step.not_workday = read_parsed(*policy, "'not_workday'", parse_policy, out);
  if (auto message = node.find("message")) step.message = read_template(*message, "'message'", templates, out);
  if (auto subject = node.find("subject")) step.subject = read_template(*subject, "'subject'", templates, out);
}

std::optional<step_source> read_step(yaml_ref node, template_cache& templates, diagnostics_collector& out) {
  if (!check_keys(node, "a step", step_keys, out)) return std::nullopt;
  require_keys(node, "a step", step_required, out);
  step_source step;
  step.mark = node.mark();
  bool ok = true;
  if (auto at = node.find("at")) {
    auto offset = read_parsed(*at, "'at'", parse_offset, out);
    ok = ok && offset;
    if (offset) step.at = *offset;
  }
  read_post_fields(node, step, templates, out);
  if (!ok || !step.message) return std::nullopt;
  return step;
}

std::vector<step_source> read_steps(yaml_ref node, std::string_view what, template_cache& templates,
                                    diagnostics_collector& out) {
  std::vector<step_source> steps;
  if (!node.is_sequence()) {
    out.error(node.mark(), fmt::format("{} must be a list of steps, not {}", what, node.type_name()));
    return steps;
  }
  for (auto item : node.items())
    if (auto step = read_step(item, templates, out)) steps.push_back(std::move(*step));
  return steps;
}

// Events whose own steps say the same get one list: a calendar that gives
// every event the same steps would otherwise hold them once per event
// (docs/PERFORMANCE.md "2026-12-03, afternoon: calendar and preview memory"). Lists that differ only in
// their marks are the same; the marks are then the first event's, which
// only errors show, so a calendar with errors is read again without
// sharing (load_calendar) and each error points at its own line.
class step_list_pool {
 public:
  void share(std::shared_ptr<std::vector<step_source>>& steps) {
    if (!steps || steps->empty()) return;
    auto [it, added] = lists_.try_emplace(signature(*steps), steps);
    if (!added) {
      steps = it->second;
      shared_any_ = true;
    }
  }
  bool shared_any() const { return shared_any_; }
  /// After the read: the events hold their lists, and resolution frees
  /// each with its last event.
  void forget_lists() { lists_.clear(); }

 private:
  // Templates of one text are one parse (template_cache), so a template is
  // known by the address of its text.
  static std::string signature(const std::vector<step_source>& steps) {
    std::string key;
    for (const auto& s : steps) {
      key += fmt::format("{}|{}|{}|", s.at.key(), s.time ? s.time->count() : -1,
                         s.not_workday ? static_cast<int>(*s.not_workday) : -1);
      if (s.channels)
        for (const auto& name : *s.channels) key += fmt::format("{}:{},", name.name.size(), name.name);
      else
        key += '-';
      key += fmt::format("|{}|{};", static_cast<const void*>(&s.message->tmpl.text()),
                         s.subject ? static_cast<const void*>(&s.subject->tmpl.text()) : nullptr);
    }
    return key;
  }

  std::unordered_map<std::string, std::shared_ptr<std::vector<step_source>>> lists_;
  bool shared_any_ = false;
};

void read_recurrence(yaml_ref node, recurrence& when, calendar_text& texts, diagnostics_collector& out) {
  recurrence::rarely_set rare;
  if (auto every = node.find("every")) {
    std::vector<every_rule> rules;
    for (auto item : read_list(*every, "'every'", out))
      if (auto rule = read_parsed(item, "an 'every' rule", parse_every, out)) rules.push_back(*rule);
    when.every = texts.add(std::span<const every_rule>(rules));
  }
  auto rule = node.find("rrule");
  auto start = node.find("start");
  if (rule) {
    if (auto parsed = read_parsed(*rule, "'rrule'", parse_rrule, out)) rare.rule = std::move(*parsed);
    if (!start) out.error(rule->mark(), "an 'rrule' needs a 'start' date (its DTSTART)", "add e.g. start: 2027-01-01");
  }
  if (start) {
    if (!rule) out.error(start->mark(), "'start' belongs to an 'rrule'; this event has none");
    if (auto day = read_parsed(*start, "'start'", parse_date_value, out)) rare.rule_start = *day;
  }
  if (auto dates = node.find("dates"))
    for (auto item : read_list(*dates, "'dates'", out))
      if (auto span = read_parsed(item, "a date", parse_date_or_range, out)) rare.dates.push_back(*span);
  if (auto lasts = node.find("lasts"))
    if (auto length = read_parsed(*lasts, "'lasts'", parse_length, out)) when.lasts = *length;
  if (auto from = node.find("from")) rare.from = read_parsed(*from, "'from'", parse_date_value, out);
  if (auto until = node.find("until")) rare.until = read_parsed(*until, "'until'", parse_date_value, out);
  if (rare.from && rare.until && *rare.until < *rare.from)
    out.error(node.find("until")->mark(), "'until' is before 'from'");
  if (auto except = node.find("except"))
    for (auto item : read_list(*except, "'except'", out))
      if (auto day = read_parsed(item, "a date", parse_date_value, out)) rare.except.push_back(*day);
  std::sort(rare.except.begin(), rare.except.end());
  if (!rare.empty()) when.rare = std::make_shared<const recurrence::rarely_set>(std::move(rare));
  auto given = [&](std::string_view key) {
    auto value = node.find(key);
    return value && !(value->is_sequence() && value->size() == 0);
  };
  if (!given("every") && !rule && !given("dates"))
    out.error(node.mark(), "the event never occurs: give it 'every', 'rrule' or 'dates'",
              "e.g. every: June 23, or dates: [2027-11-15..2027-11-21]");
}

// An event's or a digest's id: they share one id space.
void read_id(yaml_ref node, event& e, event_source& source, calendar_text& texts, diagnostics_collector& out) {
  if (auto id = node.find("id"))
    if (auto text = read_scalar(*id, "'id'", out)) {
      e.id = texts.add(*text);
      source.id_mark = e.id_mark = id->mark();
      if (!is_valid_id(e.id))
        out.error(id->mark(), fmt::format("invalid id '{}'", e.id),
                  "ids are lower-case letters, digits and '-', starting with a letter or digit");
    }
}

// Event vars as views into the calendar's text.
std::span<const event::var> event_vars(yaml_ref node, std::vector<source_mark>& marks, calendar_text& texts,
                                       diagnostics_collector& out) {
  std::vector<event::var> vars;
  for (const auto& [name, value] : read_vars(node, marks, out)) vars.emplace_back(texts.add(name), texts.add(value));
  return texts.add(std::span<const event::var>(vars));
}

// The names events give as `campaign:`, numbered from 1 in
// calendar_source::campaign_names as they first appear.
class campaign_numbers {
 public:
  explicit campaign_numbers(std::deque<std::string>& names) : names_(names) {}
  std::uint32_t of(std::string_view name) {
    if (auto found = numbers_.find(name); found != numbers_.end()) return found->second;
    names_.emplace_back(name);
    auto number = static_cast<std::uint32_t>(names_.size());
    numbers_.emplace(names_.back(), number);
    return number;
  }

 private:
  std::deque<std::string>& names_;
  std::map<std::string_view, std::uint32_t, std::less<>> numbers_;  // views into names_
};

bool read_event(yaml_ref node, event& e, event_source& source, calendar_source& cal, campaign_numbers& campaigns,
                template_cache& templates, diagnostics_collector& out) {
  auto& texts = *cal.text;
  if (!check_keys(node, "an event", event_keys, out)) return false;
  require_keys(node, "an event", event_required, out);
  source.mark = node.mark();
  read_id(node, e, source, texts, out);
  auto text_field = [&](std::string_view key, std::string_view& into) {
    if (auto field = node.find(key))
      if (auto text = field->is_null() ? std::optional<std::string_view>("")
                                       : read_scalar(*field, fmt::format("'{}'", key), out))
        into = texts.add(*text);
  };
  text_field("title", e.title);
  if (auto title = node.find("title")) {
    warn_comment_in_plain_text(*title, "title", out);
    warn_curly_quotes(*title, "title", out);
  }
  if (auto title = node.find("title"); title && e.title.empty() && title->is_scalar())
    out.error(title->mark(), "'title' is empty", "posts and previews show it; give the observance's name");
  text_field("description", e.description);
  text_field("url", e.url);
  if (auto tags = node.find("tags")) {
    std::vector<std::string_view> list;
    for (auto item : read_list(*tags, "'tags'", out))
      if (auto tag = read_scalar(item, "a tag", out)) list.push_back(texts.add(*tag));
    e.tags = texts.add(std::span<const std::string_view>(list));
  }
  if (auto vars = node.find("vars")) {
    std::vector<source_mark> marks;
    e.vars = event_vars(*vars, marks, texts, out);
    source.var_marks_from = static_cast<std::uint32_t>(cal.event_var_marks.size());
    source.var_marks_count = static_cast<std::uint32_t>(marks.size());
    cal.event_var_marks.insert(cal.event_var_marks.end(), marks.begin(), marks.end());
  }
  if (auto begins = node.find("begins"))
    if (auto text = read_scalar(*begins, "'begins'", out)) {
      auto lower = ascii_lower(*text);
      if (lower == "evening")
        e.begins_evening = true;
      else if (lower != "day")
        out.error(begins->mark(), fmt::format("unknown begins '{}'{}", *text, did_you_mean(lower, {"evening", "day"})),
                  "write 'begins: evening' for an observance that starts at sunset the evening before (Jewish "
                  "festivals, Islamic days as observed)");
    }
  read_recurrence(node, e.when, texts, out);
  if (auto campaign = node.find("campaign"))
    if (auto name = read_scalar(*campaign, "'campaign'", out)) {
      source.campaign = campaigns.of(*name);
      source.campaign_mark = campaign->mark();
    }
  if (auto steps = node.find("steps"))
    source.steps = std::make_shared<std::vector<step_source>>(read_steps(*steps, "'steps'", templates, out));
  return true;
}

void read_defaults(yaml_ref node, defaults_source& defaults, diagnostics_collector& out) {
  if (!check_keys(node, "'defaults'", defaults_keys, out)) return;
  if (auto time = node.find("time")) defaults.time = read_parsed(*time, "'time'", parse_time_of_day, out);
  if (auto channels = node.find("channels")) defaults.channels = read_channels(*channels, out);
  if (auto policy = node.find("not_workday"))
    defaults.not_workday = read_parsed(*policy, "'not_workday'", parse_policy, out);
}

void read_campaigns(yaml_ref node, calendar_source& source, template_cache& templates, diagnostics_collector& out) {
  if (!node.is_mapping()) {
    out.error(node.mark(),
              fmt::format("'campaigns' must map campaign names to lists of steps, not {}", node.type_name()));
    return;
  }
  for (auto& [key, value] : node.entries())
    source.campaigns.emplace_back(marked_name{std::string(key.scalar()), key.mark()},
                                  read_steps(value, fmt::format("campaign '{}'", key.scalar()), templates, out));
}

void read_zone(yaml_ref node, calendar_source& source, diagnostics_collector& out) {
  // An abbreviation is reported here; the resolver skips an empty zone.
  if (auto name = read_scalar(node, "'timezone'", out); name && check_zone_name(*name, node.mark(), out)) {
    source.timezone = *name;
    source.timezone_mark = node.mark();
  }
}

void read_version(yaml_ref node, diagnostics_collector& out) {
  if (auto text = read_scalar(node, "'version'", out); text && *text != "1")
    out.error(node.mark(), fmt::format("unsupported version '{}'", *text), "this herald reads version: 1");
}

std::variant<digest_spec::list_kind, parse_error> parse_list_kind(std::string_view text) {
  auto lower = ascii_lower(text);
  if (lower == "occurrences") return digest_spec::list_kind::occurrences;
  if (lower == "posts") return digest_spec::list_kind::posts;
  return parse_error{fmt::format("unknown list '{}'{}", text, did_you_mean(lower, {"occurrences", "posts"})), 0,
                     "'occurrences' lists the observances in the window; 'posts' what herald will send in it"};
}

std::variant<bool, parse_error> parse_flag(std::string_view text) {
  auto lower = ascii_lower(text);
  if (lower == "true" || lower == "yes") return true;
  if (lower == "false" || lower == "no") return false;
  return parse_error{fmt::format("expected true or false, not '{}'", text), 0, {}};
}

// A digest is read as an event with one step at 0 and the digest's facts:
// it shares the events' id space, rules and post keys (`<id>/<date>/0d/<channel>`).
void read_digest(yaml_ref node, calendar_source& source, template_cache& templates, diagnostics_collector& out) {
  if (!check_keys(node, "a digest", digest_keys, out)) return;
  require_keys(node, "a digest", digest_required, out);
  event e;
  event_source extra;
  extra.mark = node.mark();
  read_id(node, e, extra, *source.text, out);
  e.title = e.id;
  if (auto title = node.find("title"))
    if (auto text = read_scalar(*title, "'title'", out)) e.title = source.text->add(*text);
  read_recurrence(node, e.when, *source.text, out);
  digest_spec spec;
  if (auto covers = node.find("covers"))
    if (auto length = read_parsed(*covers, "'covers'", parse_length, out)) spec.covers = *length;
  if (auto list = node.find("list"))
    if (auto kind = read_parsed(*list, "'list'", parse_list_kind, out)) spec.list = *kind;
  if (auto skip = node.find("skip_empty"))
    if (auto flag = read_parsed(*skip, "'skip_empty'", parse_flag, out)) spec.skip_empty = *flag;
  e.digest = spec;
  step_source step;
  step.mark = node.mark();
  read_post_fields(node, step, templates, out);
  if (!step.message) return;
  extra.steps = std::make_shared<std::vector<step_source>>();
  extra.steps->push_back(std::move(step));
  source.events.push_back(std::move(e));
  source.extras.push_back(std::move(extra));
}

void read_digests(yaml_ref node, calendar_source& source, template_cache& templates, diagnostics_collector& out) {
  if (!node.is_sequence()) {
    out.error(node.mark(), fmt::format("'digests' must be a list, not {}", node.type_name()));
    return;
  }
  for (auto item : node.items()) read_digest(item, source, templates, out);
}

// The root's keys whose values resolving an event needs.
constexpr std::array<std::string_view, 3> resolution_keys = {"vars", "defaults", "campaigns"};

void read_resolution_keys(yaml_ref root, calendar_source& source, template_cache& templates,
                          diagnostics_collector& out) {
  if (auto vars = root.find("vars")) source.vars = read_vars(*vars, source.var_marks, out);
  if (auto defaults = root.find("defaults")) read_defaults(*defaults, source.defaults, out);
  if (auto campaigns = root.find("campaigns")) read_campaigns(*campaigns, source, templates, out);
}

// `read_early`: what reading the resolution keys before the events
// reported, added here where reading them would have (see read_sources).
void read_root(yaml_ref root, calendar_source& source, template_cache& templates, diagnostics_collector& out,
               diagnostics_collector* read_early) {
  if (!check_keys(root, "the calendar", calendar_keys, out)) return;
  require_keys(root, "the calendar", calendar_required, out);
  if (auto version = root.find("version")) read_version(*version, out);
  if (auto zone = root.find("timezone")) read_zone(*zone, source, out);
  if (auto workdays = root.find("workdays")) {
    source.workdays.clear();
    for (auto item : read_list(*workdays, "'workdays'", out))
      if (auto wd = read_parsed(item, "a weekday", parse_workday, out)) source.workdays.push_back(*wd);
    if (source.workdays.empty()) out.error(workdays->mark(), "'workdays' must name at least one day");
  }
  if (auto holidays = root.find("holidays"))
    for (auto item : read_list(*holidays, "'holidays'", out))
      if (auto entry = read_parsed(item, "a holiday", parse_holiday, out)) add_holidays(*entry, source.holidays);
  if (read_early)
    out.append(std::move(*read_early));
  else
    read_resolution_keys(root, source, templates, out);
  if (auto digests = root.find("digests")) read_digests(*digests, source, templates, out);
  if (auto events = root.find("events"); events && events->is_null())
    out.error(events->mark(), "'events' has no value", "list the events under it, or remove the key");
  else if (events && !events->is_sequence())
    out.error(events->mark(), fmt::format("'events' must be a list, not {}", events->type_name()));
}

}  // namespace

namespace {

// Which of resolution_keys the root mapping has (a bit each).
unsigned resolution_keys_in(yaml_ref root) {
  unsigned found = 0;
  for (std::size_t i = 0; i < resolution_keys.size(); ++i)
    if (root.find(resolution_keys[i])) found |= 1u << i;
  return found;
}

// Whether a top-level resolution key may come in `rest`, the text after the
// first event: a line that begins with one, or with a quote, '?' or a
// bracket (a key written another way). Only a guess that saves reading a
// block-style file twice: the load checks the root's keys at the end.
bool may_name_resolution_key(std::string_view rest) {
  for (auto at = rest.find('\n'); at != std::string_view::npos; at = rest.find('\n', at + 1)) {
    auto line = rest.substr(at + 1, 32);
    if (line.empty()) continue;
    switch (line[0]) {  // most lines: an item, the lines in one, a comment, an empty line
      case '-':
      case ' ':
      case '#':
      case '\r':
      case '\n':
        continue;
      case '"':
      case '\'':
      case '?':
      case '{':
      case '[':
        return true;
      default:
        break;
    }
    for (auto key : resolution_keys)
      if (line.starts_with(key)) {
        auto colon = line.find_first_not_of(' ', key.size());
        if (colon == std::string_view::npos || line[colon] == ':') return true;
      }
  }
  return false;
}

// How one read of the text went.
struct read_state {
  calendar_source source;
  std::vector<source_mark> dates_marks;  ///< where each event's `dates:` is, for the warning that they run out
  /// Set when the events are resolved as they are read: the calling thread
  /// waits for yaml-cpp most of the parse (docs/PERFORMANCE.md "2026-12-03,
  /// evening: preview time"), and the events' marks and step sources need
  /// not live until the end. Only when vars, defaults and campaigns come
  /// before `events:`; errors are then looked for in another order, so a
  /// file with errors is read again the usual way (load_calendar).
  std::unique_ptr<event_resolver> resolver;
  std::size_t resolved = 0;  ///< events resolved as they were read
  /// A resolution key came after `events:`: the events resolved early
  /// missed it, and the file must be read again the usual way.
  bool keys_after_events = false;
};

// The first half of loading: the text into sources, every mark taken. After
// it the text and the YAML tree are no longer needed. False when the
// document could not be read (the errors are in `out`).
// `pool`, when given, shares identical step lists between events.
// `early`, when given, resolves each event as it is read, if it can.
bool read_sources(std::string_view text, const std::string& file, read_state& state, diagnostics_collector& out,
                  step_list_pool* pool, const calendar_options* early,
                  const yaml_document::forget_callback& forget = {}) {
  auto& source = state.source;
  template_cache templates;
  campaign_numbers campaigns(source.campaign_names);
  std::optional<diagnostics_collector> read_early;  // of the resolution keys, when read before the events
  unsigned keys_read_early = 0;
  auto resolve_as_read = [&](yaml_ref first) {
    auto root = first.document_root();
    if (may_name_resolution_key(first.source_to_end())) return;
    keys_read_early = resolution_keys_in(root);
    read_early.emplace(file);
    read_resolution_keys(root, source, templates, *read_early);
    state.resolver = std::make_unique<event_resolver>(source, early->known_channels, out);
  };
  bool first = true;
  auto on_event = [&](yaml_ref item) {
    if (std::exchange(first, false) && early) resolve_as_read(item);
    event e;
    event_source extra;
    if (!read_event(item, e, extra, source, campaigns, templates, out)) return;
    auto dates = item.find("dates");
    state.dates_marks.push_back(dates ? dates->mark() : e.id_mark);
    if (pool) pool->share(extra.steps);
    source.events.push_back(std::move(e));
    if (!state.resolver) {
      source.extras.push_back(std::move(extra));
      return;
    }
    state.resolver->resolve(source.events.back(), extra);
    source.event_var_marks.clear();  // the resolved event's
    ++state.resolved;
  };
  auto document = yaml_document::read_all(text, file, {}, "events", on_event, forget);
  if (auto* errors = std::get_if<std::vector<diagnostic>>(&document)) {
    for (auto& error : *errors) out.add(std::move(error));
    return false;
  }
  auto& doc = std::get<yaml_document>(document);
  if (doc.root().is_null()) {
    out.error({1, 1}, "the calendar is empty", "start with 'version: 1'");
    return false;
  }
  if (state.resolver && resolution_keys_in(doc.root()) != keys_read_early) state.keys_after_events = true;
  read_root(doc.root(), source, templates, out, read_early ? &*read_early : nullptr);
  if (pool) pool->forget_lists();
  return true;
}

// The second half. Resolve even after errors, so one run reports a bad
// zone, an unknown campaign and a bad date together.
calendar_load_result resolve_sources(read_state& state, bool read, const std::string& file,
                                     const calendar_options& options, diagnostics_collector& out) {
  std::optional<calendar> result;
  if (read && state.resolver)
    result = state.resolver->finish(file, state.resolved);
  else if (read)
    result = resolve_calendar(std::move(state.source), file, options.known_channels, out);
  state.resolver.reset();
  if (!out.ok()) return {std::nullopt, out.take(), {}};
  if (result && result->zone && options.now) warn_dates_ahead(*result, state.dates_marks, *options.now, out);
  return {std::move(result), {}, out.take_warnings()};
}

// How a load went, for load_calendar's decision to load again.
struct load_state {
  bool resolved_as_read = false;
  bool keys_after_events = false;
};

// A load that resolved events as they were read, where that gave another
// result or the errors' order may differ, is done again the usual way.
template <class Load>
calendar_load_result load_with_retries(Load&& load) {
  step_list_pool pool;
  load_state state;
  auto result = load(&pool, true, state);
  if (state.keys_after_events) {
    pool = step_list_pool();
    state = {};
    result = load(&pool, false, state);
  }
  // Each error at its own event, in the order the usual read finds them.
  if (!result.ok() && (pool.shared_any() || state.resolved_as_read)) return load(nullptr, false, state);
  return result;
}

}  // namespace

calendar_load_result load_calendar(std::string_view text, std::string file, const calendar_options& options) {
  return load_with_retries([&](step_list_pool* pool, bool early, load_state& how) {
    diagnostics_collector out(file);
    read_state state;
    bool read = read_sources(text, file, state, out, pool, early ? &options : nullptr);
    how = {state.resolver != nullptr, state.keys_after_events};
    return resolve_sources(state, read, file, options, out);
  });
}

namespace {

calendar_load_result load_file(const std::string& path, const calendar_options& options, step_list_pool* pool,
                               bool early, load_state& how) {
  diagnostics_collector out(path);
  read_state state;
  bool read = false;
  {  // a large file's text need not live through resolution
    auto text = read_text_file(path);
    if (!text.ok()) return {std::nullopt, {diagnostic{path, {0, 0}, text.error(), {}}}, {}};
    // The text of the events read is given back as the reading goes on
    // (docs/PERFORMANCE.md "The remaining goals (2026-12-03)"); an error
    // may look back at it, so a file with errors is read again, whole.
    bool forgot = false;
    read = read_sources(text.value(), path, state, out, pool, early ? &options : nullptr,
                        [&](std::size_t from, std::size_t to) { forgot |= forget_pages(text.value(), from, to); });
    how = {state.resolver != nullptr, state.keys_after_events};
    if (how.resolved_as_read && (how.keys_after_events || !out.ok()))
      return {std::nullopt, out.take(), {}};  // load_with_retries reads it again
    if (forgot && !out.ok()) {
      out = diagnostics_collector(path);
      state = read_state();
      text = read_text_file(path);
      if (!text.ok()) return {std::nullopt, {diagnostic{path, {0, 0}, text.error(), {}}}, {}};
      read = read_sources(text.value(), path, state, out, pool, nullptr);
    }
  }
  return resolve_sources(state, read, path, options, out);
}

}  // namespace

calendar_load_result load_calendar_file(const std::string& path, const calendar_options& options) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > yaml_limits{}.max_bytes)
    return {std::nullopt,
            {diagnostic{path,
                        {1, 1},
                        fmt::format("the file is too large ({} MiB; the limit is {} MiB)", size >> 20,
                                    yaml_limits{}.max_bytes >> 20),
                        {}}},
            {}};
  return load_with_retries(
      [&](step_list_pool* pool, bool early, load_state& how) { return load_file(path, options, pool, early, how); });
}

}  // namespace herald
