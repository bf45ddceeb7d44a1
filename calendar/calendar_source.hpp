#pragma once
// The calendar as read from YAML, before defaults, campaigns and channel
// names are resolved: the loader's output and the resolver's input. Keeps
// the marks that resolution errors point at. Internal to calendar/.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calendar/calendar.hpp"
#include "calendar/yaml_fields.hpp"

namespace herald {

struct marked_name {
  std::string name;
  source_mark mark;
};

/// A template with the position of each variable it names.
struct template_source {
  text_template tmpl;
  std::vector<source_mark> variable_marks;  ///< parallel to tmpl.variables()
  source_mark mark;                         ///< of the template's text
};

struct step_source {
  source_mark mark;
  step_offset at;
  std::optional<std::chrono::minutes> time;
  std::optional<std::vector<marked_name>> channels;
  std::optional<not_workday_policy> not_workday;
  std::optional<template_source> message;
  std::optional<template_source> subject;
};

/// What resolving an event needs beyond the event itself. One per event
/// until the calendar is resolved, so kept small: 56 bytes, where names
/// and a vector of its own made 104 (10 000 events: 1 MB at a reload's
/// peak; docs/PERFORMANCE.md "2026-12-03, last session: reload peak").
struct event_source {
  source_mark mark;
  source_mark id_mark;
  source_mark campaign_mark;   ///< of `campaign:`, when given
  std::uint32_t campaign = 0;  ///< 1 + the index of its name in calendar_source::campaign_names; 0: none
  /// Its vars' marks, parallel to value.vars: calendar_source::event_var_marks[from, from + count).
  std::uint32_t var_marks_from = 0, var_marks_count = 0;
  /// The event's own steps, or null. The loader hands one list to events
  /// whose steps say the same (all but their marks): see read_sources.
  std::shared_ptr<std::vector<step_source>> steps;
};
static_assert(sizeof(void*) != 8 || sizeof(event_source) == 56);

struct defaults_source {
  std::optional<std::chrono::minutes> time;
  std::optional<std::vector<marked_name>> channels;
  std::optional<not_workday_policy> not_workday;
};

struct calendar_source {
  std::string timezone;
  source_mark timezone_mark;
  std::vector<date::weekday> workdays{date::Monday, date::Tuesday, date::Wednesday, date::Thursday, date::Friday};
  std::vector<date::local_days> holidays;
  string_pairs vars;
  std::vector<source_mark> var_marks;
  defaults_source defaults;
  std::vector<std::pair<marked_name, std::vector<step_source>>> campaigns;
  std::shared_ptr<calendar_text> text = std::make_shared<calendar_text>();  ///< the events' text
  std::deque<event> events;         ///< all but campaign and steps, which resolution fills in
  std::deque<event_source> extras;  ///< parallel to events
  /// The names events give as `campaign:`, each once (a deque: the loader
  /// looks them up by views into it).
  std::deque<std::string> campaign_names;
  std::vector<source_mark> event_var_marks;  ///< the marks of every event's vars, in order

  std::string_view campaign_name(const event_source& e) const { return campaign_names[e.campaign - 1]; }
  std::span<const source_mark> var_marks_of(const event_source& e) const {
    return std::span<const source_mark>(event_var_marks).subspan(e.var_marks_from, e.var_marks_count);
  }
};

/// Turns sources into the calendar: applies defaults, resolves campaigns and
/// channels, checks template variables and post-key uniqueness.
std::optional<calendar> resolve_calendar(calendar_source&& source, const std::string& file,
                                         const std::optional<std::vector<std::string>>& known_channels,
                                         diagnostics_collector& out);

/// resolve_calendar one event at a time, for a loader that resolves each
/// event as it is read: made once `source` holds the calendar's vars,
/// defaults and campaigns (and no event), then `resolve` for each event in
/// file order, then `finish`. The same checks and results; only the order
/// in which errors are found may differ (which the loader's collector puts
/// in file order, but its cap of 50 may keep others).
class event_resolver {
 public:
  event_resolver(calendar_source& source, const std::optional<std::vector<std::string>>& known_channels,
                 diagnostics_collector& out);
  ~event_resolver();
  event_resolver(const event_resolver&) = delete;
  event_resolver& operator=(const event_resolver&) = delete;

  /// `source` may be dropped after.
  void resolve(event& e, event_source& source);
  /// The calendar: `resolved` events at the front of source.events were
  /// resolved already; those after (the digests) have their extras.
  std::optional<calendar> finish(const std::string& file, std::size_t resolved);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald
