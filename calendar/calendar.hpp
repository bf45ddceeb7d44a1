#pragma once
// A loaded, validated inclusion calendar (docs/calendar.md): everything the planner
// needs and nothing of the YAML it came from.
//
// Campaign steps are stored once and shared by the events that use them, and
// so are identical lists of events' own steps.
// Immutable after loading; safe to read from any thread.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <date/tz.h>

#include "calendar/calendar_text.hpp"
#include "calendar/occurrences.hpp"
#include "calendar/offset.hpp"
#include "calendar/template.hpp"
#include "calendar/workdays.hpp"

namespace herald {

using channel_index = std::uint16_t;
using string_pairs = std::vector<std::pair<std::string, std::string>>;

/// One post per occurrence and channel.
struct step {
  step_offset at;
  std::chrono::minutes time{9 * 60};  ///< the default when neither the step nor the defaults give one
  std::vector<channel_index> channels;
  not_workday_policy not_workday = not_workday_policy::keep;
  text_template message;
  std::optional<text_template> subject;  ///< default: {{title}}
};

struct campaign {
  std::string name;
  std::vector<step> steps;
};

/// What makes an event a digest (`digests:` in the calendar): a post that
/// lists what is coming (docs/calendar.md "Digests").
struct digest_spec {
  enum class list_kind { occurrences, posts };
  date::days covers{7};  ///< the digest's date and the days after it
  list_kind list = list_kind::occurrences;
  bool skip_empty = false;  ///< no post when the list is empty
};

/// An event's text is kept in its calendar's `text` (calendar_text): the
/// views point there, or at text that outlives the event.
struct event {
  using var = std::pair<std::string_view, std::string_view>;

  std::string_view id;
  source_mark id_mark;  ///< for errors that span files (a duplicate id)
  std::string_view title;
  std::string_view description;
  std::string_view url;
  std::span<const std::string_view> tags;
  std::span<const var> vars;  ///< the event's own; they win over the calendar's
  recurrence when;
  int campaign = -1;            ///< index into calendar::campaigns, or -1
  bool begins_evening = false;  ///< `begins: evening`: it begins at sunset the evening before its first day
  /// The event's own steps, after the campaign's, or null. Events whose
  /// lists say the same share one, as the users of a campaign share its
  /// steps (docs/PERFORMANCE.md "2026-12-03, afternoon: calendar and preview memory").
  std::shared_ptr<const std::vector<step>> steps;
  std::optional<digest_spec> digest;  ///< set for a digest: one step at 0; not an observance
};

struct calendar {
  std::string file;
  std::string timezone;
  const date::time_zone* zone = nullptr;
  workday_calendar workdays;
  string_pairs vars;
  std::vector<campaign> campaigns;
  std::deque<event> events;                   ///< a deque: loading appends 100k events without copying them
  std::vector<std::string> channels;          ///< names used by steps; steps refer to them by index
  std::shared_ptr<const calendar_text> text;  ///< the events' text; shared by copies

  /// Calls `f(const step&)` for the campaign's steps, then the event's own.
  template <class F>
  void for_each_step(const event& e, F&& f) const {
    if (e.campaign >= 0)
      for (const auto& s : campaigns[static_cast<std::size_t>(e.campaign)].steps) f(s);
    if (e.steps)
      for (const auto& s : *e.steps) f(s);
  }
};

}  // namespace herald
