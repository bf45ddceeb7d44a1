#pragma once
// Planning: the occurrences and posts of a calendar within a window of local
// dates (docs/calendar.md "Post keys", docs/cli.md "herald preview"). Pure: the window is an argument, there is no
// clock.

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/builtin_variables.hpp"
#include "calendar/calendar.hpp"

namespace herald {

struct planned_occurrence {
  const calendar* cal;  ///< the calendar planned, which must outlive the plan
  std::uint32_t event;  ///< index into calendar::events
  day_span span;
};

struct planned_post {
  const calendar* cal;  ///< the calendar planned, which must outlive the plan
  std::uint32_t event;
  const step* source;  ///< points into that calendar
  channel_index channel;
  day_span occurrence;
  date::local_days date;  ///< the step's date after the workday move
  date::sys_seconds due;

  /// `<event id>/<occurrence start>/<at>/<channel>` (text/post_key.hpp);
  /// built on demand, since a large plan would otherwise hold one string per post.
  std::string key() const;
  /// The key the post would have on the channel named `channel` (send-test
  /// sends a post to a channel of its choosing).
  std::string key_on(std::string_view channel) const;
};

/// Restricts a plan to some events and channels; empty lists mean all.
struct plan_filter {
  std::vector<std::string> events;
  std::vector<std::string> channels;
  bool digests = true;  ///< false: leave digests' posts out (a digest's own list never holds digests)
};

struct plan {
  std::vector<planned_occurrence> occurrences;  ///< overlapping the window; by start, then event id
  std::vector<planned_post> posts;              ///< dated in the window; by due instant, then key
};

/// Occurrences overlapping [first, last] and posts whose (moved) date is in
/// it; skipped steps are left out. REQUIRES: cal.zone is set.
plan plan_window(const calendar& cal, date::local_days first, date::local_days last, const plan_filter& filter = {});

/// The occurrences of plan_window for each of `calendars`, in merge_plans' order.
std::vector<planned_occurrence> plan_occurrences(std::span<const calendar> calendars, date::local_days first,
                                                 date::local_days last, const plan_filter& filter = {});

/// The posts of plan_window for each of `calendars`, in merge_plans' order,
/// each handed to `take`; only `window` days of them are planned at a time,
/// so a year's plan is never all in memory (docs/PERFORMANCE.md
/// "2026-12-03, afternoon: calendar and preview memory"). The posts point
/// into the calendars.
void for_each_planned_post(std::span<const calendar> calendars, date::local_days first, date::local_days last,
                           const plan_filter& filter, const std::function<void(const planned_post&)>& take,
                           date::days window = date::days{31});

/// A window's occurrences and posts from one expansion of the calendars'
/// occurrences, which plan_occurrences and for_each_planned_post each make
/// for themselves; preview needs both (docs/PERFORMANCE.md "2026-12-03,
/// last session: preview time"). The calendars must outlive it.
class window_plan {
 public:
  window_plan(std::span<const calendar> calendars, date::local_days first, date::local_days last,
              plan_filter filter = {});
  ~window_plan();
  window_plan(const window_plan&) = delete;
  window_plan& operator=(const window_plan&) = delete;

  /// plan_occurrences' list.
  std::vector<planned_occurrence> occurrences() const;
  /// for_each_planned_post's posts, in its order.
  void for_each_post(const std::function<void(const planned_post&)>& take, date::days window = date::days{31}) const;

 private:
  struct seeds;  // per calendar, in plan.cpp
  std::span<const calendar> calendars_;
  date::local_days first_, last_;
  plan_filter filter_;
  std::vector<seeds> seeds_;
};

/// Sorts by due instant, then key (docs/cli.md "herald preview").
void sort_posts(std::vector<planned_post>& posts);

/// `a.key() < b.key()`, without building the keys: most posts share their
/// due instant with others, and the keys were a third of sorting a year's
/// plan (docs/PERFORMANCE.md "2026-12-03, last session: preview time").
bool post_key_less(const planned_post& a, const planned_post& b);

/// The plans of several calendars as one, in plan_window's order:
/// occurrences by start then event id, posts by due instant then key.
plan merge_plans(std::vector<plan> plans);

struct rendered_post {
  std::string text;
  std::string subject;
  /// A digest's items its text left out, cut at the post's bound
  /// (docs/calendar.md "Digests"); 0 when it lists them all.
  std::size_t unlisted = 0;
};

/// A digest's list is `items`; each item of a `list: posts` digest has these
/// (an item of `list: occurrences` has the built-in variables of its event).
inline constexpr std::string_view digest_items = "items";
inline constexpr std::array<std::string_view, 7> digest_post_fields = {"key", "event", "title",  "channel",
                                                                       "due", "text",  "subject"};

/// The built-in variables of an event's occurrence, seen from the day
/// `from` (a post's date: `days_until`, `relative` and `eve_relative` count
/// from it). Only the `wanted` ones are made: the long dates cost more than
/// the rest of a post's rendering, and most templates name one or two
/// (docs/PERFORMANCE.md "2026-12-03, last session: preview time").
class event_facts {
 public:
  event_facts(const event& e, const day_span& occurrence, date::local_days from,
              builtin_set wanted = builtin_set().set());
  /// Adds the wanted built-in variables to `values`, which must not outlive this.
  void add_to(template_values& values) const;

 private:
  const event* event_;
  builtin_set wanted_;
  std::array<std::string, builtin_variables.size()> texts_;  // the formatted ones; the event's own text is viewed
};

/// The post's message and subject with every built-in variable, and the
/// calendar's and event's `vars`; a digest's also with its `items`.
rendered_post render_post(const calendar& cal, const planned_post& post);

/// `today`, `tomorrow`, `in 3 days`, `in 2 weeks`, `yesterday`, `4 days ago`.
std::string relative_days(int days_until);

/// For the evening before an observance (`begins: evening`), from the
/// step's date: `this evening`, `tomorrow evening`, `yesterday evening`,
/// else as relative_days (`in 3 days`).
std::string relative_evening(int days_until_eve);

}  // namespace herald
