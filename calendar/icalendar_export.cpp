// The window and the occurrences of an export. Occurrences only, no posts:
// a three-year window of a large calendar would otherwise plan tens of
// thousands of posts nobody reads.
#include "calendar/icalendar_export.hpp"

#include <algorithm>

namespace herald {
namespace {

// The same month and day `years` away; 29 February falls back to the 28th.
date::local_days years_away(date::local_days day, int years) {
  date::year_month_day ymd{day};
  auto moved = ymd.year() + date::years{years};
  auto target = moved / ymd.month() / ymd.day();
  if (!target.ok()) target = moved / ymd.month() / date::last;
  return date::local_days{target};
}

}  // namespace

export_window default_export_window(date::local_days today) { return {years_away(today, -1), years_away(today, 2)}; }

std::vector<planned_occurrence> export_occurrences(const std::vector<calendar>& calendars, const export_window& window,
                                                   const std::vector<std::string>& events) {
  std::vector<planned_occurrence> out;
  for (const auto& cal : calendars)
    for (std::uint32_t index = 0; index < cal.events.size(); ++index) {
      const auto& e = cal.events[index];
      if (e.digest || (!events.empty() && std::find(events.begin(), events.end(), e.id) == events.end())) continue;
      // An occurrence that starts before the window may still reach into it.
      auto earliest = window.first - (e.when.longest() - date::days{1});
      for (const auto& span : occurrences_starting(e.when, earliest, window.last))
        if (span.end >= window.first) out.push_back({&cal, index, span});
    }
  std::sort(out.begin(), out.end(), [](const planned_occurrence& a, const planned_occurrence& b) {
    if (a.span.start != b.span.start) return a.span.start < b.span.start;
    return a.cal->events[a.event].id < b.cal->events[b.event].id;
  });
  return out;
}

ics_calendar icalendar_export(const std::vector<planned_occurrence>& occurrences, const export_identity& identity) {
  ics_calendar out{identity.name, identity.product, identity.stamp, {}};
  out.occurrences.reserve(occurrences.size());
  for (const auto& o : occurrences) {
    const auto& e = o.cal->events[o.event];
    out.occurrences.push_back({std::string(e.id), o.span.start, o.span.end, std::string(e.title),
                               std::string(e.description), std::string(e.url),
                               std::vector<std::string>(e.tags.begin(), e.tags.end()), e.begins_evening});
  }
  return out;
}

}  // namespace herald
