#include "calendar/plan.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "calendar/digest_list.hpp"
#include "calendar/due_instant.hpp"
#include "text/civil.hpp"
#include "text/post_key.hpp"

namespace herald {
namespace {

using date::days;
using date::local_days;

// The starts an event's occurrences need to have for any of its posts to be
// dated in [first, last], or for the occurrence to overlap it.
std::pair<local_days, local_days> start_range(const calendar& cal, const event& e, local_days first, local_days last) {
  auto longest = e.when.longest() - days{1};
  auto lo = first - longest, hi = last;
  cal.for_each_step(e, [&](const step& s) {
    auto move = s.not_workday == not_workday_policy::previous || s.not_workday == not_workday_policy::next
                    ? cal.workdays.max_move()
                    : days{0};
    if (s.at.workdays) move = cal.workdays.max_workday_reach(s.at.days);
    auto offset = s.at.workdays ? days{0} : days{s.at.days};
    auto end_slack = s.at.from == step_offset::anchor::end ? longest : days{0};
    lo = std::min(lo, first - move - offset - end_slack);
    hi = std::max(hi, last + move - offset);
  });
  return {lo, hi};
}

// The step's date for an occurrence, moved off a day that is not a workday
// as the step says; nullopt when it is skipped. A working-day offset
// (`-5wd`) always lands on a workday, so not_workday does not apply to it.
std::optional<local_days> step_date(const calendar& cal, const step& s, const day_span& span) {
  if (s.at.workdays) return cal.workdays.add_workdays(s.at.anchor_day(span.start, span.end), s.at.days);
  return cal.workdays.move(s.at.apply(span.start, span.end), s.not_workday);
}

bool wanted(const std::vector<std::string>& names, std::string_view name) {
  return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

namespace {

// By start, then event id (docs/cli.md "herald preview").
bool occurrence_before(const planned_occurrence& a, const planned_occurrence& b) {
  return a.span.start != b.span.start ? a.span.start < b.span.start
                                      : a.cal->events[a.event].id < b.cal->events[b.event].id;
}

}  // namespace

namespace {

// An occurrence of an event that shows in a window or has posts dated in it.
struct occurrence_seed {
  std::uint32_t event;
  day_span span;
};

// The occurrences of the wanted events whose start lies in their
// start_range for [first, last]: every occurrence and post of the window
// comes from one of them.
std::vector<occurrence_seed> occurrence_seeds(const calendar& cal, local_days first, local_days last,
                                              const plan_filter& filter) {
  std::vector<occurrence_seed> seeds;
  for (std::uint32_t index = 0; index < cal.events.size(); ++index) {
    const auto& e = cal.events[index];
    if (!wanted(filter.events, e.id) || (e.digest && !filter.digests)) continue;
    auto [lo, hi] = start_range(cal, e, first, last);
    for (const auto& span : occurrences_starting(e.when, lo, hi)) seeds.push_back({index, span});
  }
  return seeds;
}

void add_occurrences(const calendar& cal, const std::vector<occurrence_seed>& seeds, local_days first, local_days last,
                     std::vector<planned_occurrence>& out) {
  for (const auto& [index, span] : seeds)
    // A digest is not an observance: it has posts, not occurrences.
    if (span.start <= last && span.end >= first && !cal.events[index].digest) out.push_back({&cal, index, span});
}

// The posts of `seeds` dated in [first, last] (skipped steps left out),
// unsorted.
void add_posts(const calendar& cal, const std::vector<occurrence_seed>& seeds, local_days first, local_days last,
               const plan_filter& filter, std::vector<planned_post>& out) {
  std::vector<bool> channel_wanted(cal.channels.size());
  for (std::size_t c = 0; c < cal.channels.size(); ++c) channel_wanted[c] = wanted(filter.channels, cal.channels[c]);
  for (const auto& [index, span] : seeds) {
    const auto& e = cal.events[index];
    // Captured by name: clang 14 (scripts/fuzz) cannot capture a structured binding.
    cal.for_each_step(e, [&, index = index, &span = span](const step& s) {
      auto day = step_date(cal, s, span);
      if (!day || *day < first || *day > last) return;
      if (e.digest && e.digest->skip_empty && digest_list_empty(cal, *e.digest, *day)) return;
      auto due = due_instant(*cal.zone, *day, s.time);
      for (auto channel : s.channels)
        if (channel_wanted[channel]) out.push_back({&cal, index, &s, channel, span, *day, due});
    });
  }
}

// The first and last date of a seed's posts (first > last: it has none),
// so that a window plans only the seeds that reach it rather than every
// seed of the year (docs/PERFORMANCE.md "2026-12-03, last session: preview time").
struct post_dates {
  local_days first = local_days::max(), last = local_days::min();
};

post_dates seed_post_dates(const calendar& cal, const occurrence_seed& seed) {
  post_dates dates;
  cal.for_each_step(cal.events[seed.event], [&](const step& s) {
    if (auto day = step_date(cal, s, seed.span)) {
      dates.first = std::min(dates.first, *day);
      dates.last = std::max(dates.last, *day);
    }
  });
  return dates;
}

}  // namespace

plan plan_window(const calendar& cal, local_days first, local_days last, const plan_filter& filter) {
  auto seeds = occurrence_seeds(cal, first, last, filter);
  plan result;
  add_occurrences(cal, seeds, first, last, result.occurrences);
  add_posts(cal, seeds, first, last, filter, result.posts);
  std::sort(result.occurrences.begin(), result.occurrences.end(), occurrence_before);
  sort_posts(result.posts);
  return result;
}

// A calendar's seeds and the dates of their posts.
struct window_plan::seeds {
  std::vector<occurrence_seed> seeds;
  std::vector<post_dates> dates;
};

window_plan::window_plan(std::span<const calendar> calendars, local_days first, local_days last, plan_filter filter)
    : calendars_(calendars), first_(first), last_(last), filter_(std::move(filter)) {
  for (const auto& cal : calendars_) {
    auto& s = seeds_.emplace_back();
    s.seeds = occurrence_seeds(cal, first_, last_, filter_);
    s.dates.reserve(s.seeds.size());
    for (const auto& seed : s.seeds) s.dates.push_back(seed_post_dates(cal, seed));
  }
}

window_plan::~window_plan() = default;

std::vector<planned_occurrence> window_plan::occurrences() const {
  std::vector<planned_occurrence> occurrences;
  for (std::size_t c = 0; c < calendars_.size(); ++c)
    add_occurrences(calendars_[c], seeds_[c].seeds, first_, last_, occurrences);
  // Stable, as merge_plans: the order is total anyway (ids are unique across calendars).
  std::stable_sort(occurrences.begin(), occurrences.end(), occurrence_before);
  return occurrences;
}

void window_plan::for_each_post(const std::function<void(const planned_post&)>& take, days window) const {
  std::vector<occurrence_seed> reaching;  // the seeds with a post in the window
  std::vector<planned_post> pending;
  for (auto from = first_; from <= last_; from += window) {
    auto to = std::min(last_, from + window - days{1});
    for (std::size_t c = 0; c < calendars_.size(); ++c) {
      const auto& [seeds, dates] = seeds_[c];
      reaching.clear();
      for (std::size_t i = 0; i < seeds.size(); ++i)
        if (dates[i].first <= to && dates[i].last >= from) reaching.push_back(seeds[i]);
      add_posts(calendars_[c], reaching, from, to, filter_, pending);
    }
    sort_posts(pending);
    // A post dated after `to` is due after this instant in any zone (UTC
    // offsets stay within a day), so every post before it is final; the
    // rest wait for the next window's, which may come between them.
    auto final_before =
        to == last_ ? date::sys_seconds::max() : date::sys_seconds{date::sys_days{(to - days{1}).time_since_epoch()}};
    auto done = std::find_if(pending.begin(), pending.end(), [&](const auto& p) { return p.due >= final_before; });
    std::for_each(pending.begin(), done, take);
    pending.erase(pending.begin(), done);
  }
}

std::vector<planned_occurrence> plan_occurrences(std::span<const calendar> calendars, local_days first, local_days last,
                                                 const plan_filter& filter) {
  return window_plan(calendars, first, last, filter).occurrences();
}

void for_each_planned_post(std::span<const calendar> calendars, local_days first, local_days last,
                           const plan_filter& filter, const std::function<void(const planned_post&)>& take,
                           days window) {
  window_plan(calendars, first, last, filter).for_each_post(take, window);
}

plan merge_plans(std::vector<plan> plans) {
  if (plans.size() == 1) return std::move(plans.front());  // one calendar, the common case: as it is
  plan merged;
  for (auto& p : plans) {
    merged.occurrences.insert(merged.occurrences.end(), p.occurrences.begin(), p.occurrences.end());
    merged.posts.insert(merged.posts.end(), p.posts.begin(), p.posts.end());
  }
  std::stable_sort(merged.occurrences.begin(), merged.occurrences.end(), occurrence_before);
  sort_posts(merged.posts);
  return merged;
}

std::string planned_post::key() const { return key_on(cal->channels[channel]); }

std::string planned_post::key_on(std::string_view channel_name) const {
  return format_post_key(cal->events[event].id, occurrence.start, source->at.key_form(), channel_name);
}

namespace {

// `a` and `b` each followed by the key's separator, compared as text: a
// part holds no separator, so where one part ends the separator meets the
// other's next character.
int compare_part(std::string_view a, std::string_view b) {
  auto common = std::min(a.size(), b.size());
  if (int c = a.substr(0, common).compare(b.substr(0, common)); c != 0) return c;
  if (a.size() == b.size()) return 0;
  auto separator = static_cast<unsigned char>(post_key::separator);
  if (a.size() < b.size()) return separator < static_cast<unsigned char>(b[common]) ? -1 : 1;
  return static_cast<unsigned char>(a[common]) < separator ? -1 : 1;
}

}  // namespace

bool post_key_less(const planned_post& a, const planned_post& b) {
  if (int c = compare_part(a.cal->events[a.event].id, b.cal->events[b.event].id); c != 0) return c < 0;
  if (a.occurrence.start != b.occurrence.start)
    return format_iso_date(a.occurrence.start) < format_iso_date(b.occurrence.start);
  if (int c = compare_part(format_key_offset(a.source->at.key_form()), format_key_offset(b.source->at.key_form()));
      c != 0)
    return c < 0;
  return a.cal->channels[a.channel] < b.cal->channels[b.channel];
}

void sort_posts(std::vector<planned_post>& posts) {
  std::sort(posts.begin(), posts.end(), [](const auto& a, const auto& b) {
    // Posts due at the same instant (many, at 09:00) go by key.
    return a.due != b.due ? a.due < b.due : post_key_less(a, b);
  });
}

std::string relative_days(int d) {
  if (d == 0) return "today";
  if (d == 1) return "tomorrow";
  if (d == -1) return "yesterday";
  // Not fmt: a preview words one of these for most of its posts.
  auto words = [](std::string_view before, int n, std::string_view after) {
    std::string out(before);
    out += std::to_string(n);
    out += after;
    return out;
  };
  if (d == 7) return "in 1 week";
  if (d > 7 && d % 7 == 0) return words("in ", d / 7, " weeks");
  if (d > 1) return words("in ", d, " days");
  return words("", -d, " days ago");
}

std::string relative_evening(int d) {
  if (d == 0) return "this evening";
  if (d == 1) return "tomorrow evening";
  if (d == -1) return "yesterday evening";
  return relative_days(d);
}

event_facts::event_facts(const event& e, const day_span& occurrence, date::local_days from, builtin_set wanted)
    : event_(&e), wanted_(wanted) {
  int until = (occurrence.start - from).count();
  auto eve = occurrence.start - date::days{1};
  auto make = [&](std::string_view name, auto&& format) {
    if (auto i = builtin_index(name); wanted_.test(i)) texts_[i] = format();
  };
  // The eve's variables are known to every event and empty without `begins: evening`.
  make("date", [&] { return format_long_date(occurrence.start); });
  make("end_date", [&] { return format_long_date(occurrence.end); });
  make("date_iso", [&] { return format_iso_date(occurrence.start); });
  make("end_date_iso", [&] { return format_iso_date(occurrence.end); });
  make("year", [&] { return std::to_string(static_cast<int>(date::year_month_day{occurrence.start}.year())); });
  make("days_until", [&] { return std::to_string(until); });
  make("relative", [&] { return relative_days(until); });
  make("eve_date", [&] { return e.begins_evening ? format_long_date(eve) : std::string(); });
  make("eve_date_iso", [&] { return e.begins_evening ? format_iso_date(eve) : std::string(); });
  make("eve_relative", [&] { return e.begins_evening ? relative_evening(until - 1) : std::string(); });
}

void event_facts::add_to(template_values& values) const {
  for (std::size_t i = 0; i < builtin_variables.size(); ++i) {
    if (!wanted_.test(i)) continue;
    auto name = builtin_variables[i];
    switch (i) {
      case builtin_index("tags"):
        values.lists.emplace_back(name, event_->tags);
        break;
      case builtin_index("id"):
        values.strings.emplace_back(name, event_->id);
        break;
      case builtin_index("title"):
        values.strings.emplace_back(name, event_->title);
        break;
      case builtin_index("description"):
        values.strings.emplace_back(name, event_->description);
        break;
      case builtin_index("url"):
        values.strings.emplace_back(name, event_->url);
        break;
      default:
        values.strings.emplace_back(name, texts_[i]);
    }
  }
}

rendered_post render_post(const calendar& cal, const planned_post& post) {
  const auto& e = cal.events[post.event];
  // A digest's template names its items' variables too: the same set serves them.
  auto wanted = post.source->message.builtins_named();
  if (post.source->subject) wanted |= post.source->subject->builtins_named();
  event_facts facts(e, post.occurrence, post.date, wanted);
  template_values values;
  values.strings.reserve(wanted.count() + cal.vars.size() + e.vars.size());
  facts.add_to(values);
  // Later entries win: the event's vars over the calendar's.
  for (const auto& [name, value] : cal.vars) values.strings.emplace_back(name, value);
  for (const auto& [name, value] : e.vars) values.strings.emplace_back(name, value);
  std::optional<digest_list> items;  // not default-built: its deques allocate, and few posts are digests
  if (e.digest) values.records.emplace_back(digest_items, &items.emplace(cal, *e.digest, post.date, wanted).records());
  rendered_post out;
  out.text = post.source->message.render(values, &out.unlisted);
  out.subject = post.source->subject ? post.source->subject->render(values) : e.title;
  return out;
}

}  // namespace herald
