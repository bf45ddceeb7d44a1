#pragma once
// The daemon's decisions (docs/architecture.md, "The flow"): from the planned
// posts, what the journal knows of them and the time now, which posts go out
// now, which are recorded as missed or failed, and when to look again.
// Pure: no clock, no I/O, no journal writes — the shell (daemon/daemon_tick.cpp
// decides with it, daemon/sender.cpp and journal_guard.cpp carry the actions
// out) feeds the results back.
//
// The rules (docs/daemon.md "Delivery rules"):
// - A post goes out only while due <= now <= due + catch_up. A post never
//   attempted whose window closed is missed; one that was attempted (it is
//   waiting for a retry) fails, with its last error — unless one of its
//   attempts may have reached the channel (interrupted > 0: unanswered, or
//   cut off by a stop), which makes it unconfirmed instead.
// - A journal row that is sent, failed or missed is never acted on again;
//   an in_flight row is being sent by this process and is left alone.
// - A pending row waits for its next_try; one that already used
//   `attempts` attempts fails.
// - A row that take_in_flight found in flight may have reached its channel.
//   It is sent once more (interrupted == 1); after a second interruption it
//   fails rather than risk a third copy.
// - The wake-up is the earliest instant at which one of these could change:
//   the next due instant or next_try of a post that is not final, or the
//   instant after the window of one due and not out yet (sent now or
//   waiting), when it would be missed or failed. Nothing is decided for a
//   post before its due instant.
// - Operators (docs/service.md "Operating herald"): a skipped row is final
//   like the others. A resent row's window opens at its resent_at instead
//   of its due instant. A post on a paused channel waits: no action and no
//   wake-up for it; when the channel is resumed the daemon decides again,
//   and the window rules above send it or record it missed.

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "calendar/plan.hpp"
#include "journal/journal.hpp"
#include "messaging/delivery_outcome.hpp"
#include "scheduling/delivery_defaults.hpp"

namespace herald {

struct schedule_policy {
  std::chrono::seconds catch_up{delivery_defaults::catch_up};  ///< config catch_up
  int attempts = delivery_defaults::attempts;  ///< delivery.attempts: attempts per post, the first included
  std::set<std::string, std::less<>> paused;   ///< channels an operator paused: their posts wait
};

struct scheduled_action {
  enum class kind {
    send,     ///< begin_attempt, then deliver
    miss,     ///< record_missed: its window closed before any attempt
    give_up,  ///< record_failed with `reason`
    /// record_unanswered without a next try, with `reason`: the window
    /// closed after an attempt that may have reached the channel
    unconfirm,
  };
  kind what = kind::send;
  const planned_post* post = nullptr;  ///< into the posts given to decide()
  std::string key;                     ///< post->key()
  std::string reason;                  ///< give_up: "window closed after 3 attempts: HTTP 503 …"
  /// When the post's window opened: its due instant, or when it was resent
  /// (the sender counts catch_up from here).
  date::sys_seconds window_from;

  friend bool operator==(const scheduled_action&, const scheduled_action&) = default;
};

struct schedule {
  std::vector<scheduled_action> actions;  ///< in the order of the posts given (due, then key)
  /// When to call decide() again; nullopt when no given post can change.
  std::optional<date::sys_seconds> wake;
};

/// What the journal knows of `key` (nullptr: never seen). The pointer need
/// only live until the next call.
using journal_lookup = std::function<const journal_entry*(std::string_view key)>;

/// REQUIRES: `posts` sorted by due instant, then key (sort_posts).
schedule decide(std::span<const planned_post> posts, const journal_lookup& lookup, date::sys_seconds now,
                const schedule_policy& policy);

/// What to do after an attempt that did not succeed.
struct failure_decision {
  /// When to try again; nullopt: the post fails now (record_failed with `reason`).
  std::optional<date::sys_seconds> next_try;
  std::string reason;  ///< for the journal and the log: "HTTP 503: busy", "gave up after 8 attempts: …"
};

/// After attempt number `attempts` (journal_entry::attempts) of a post due
/// at `due` ended with `outcome` (transient or permanent) at `now`:
/// permanent fails; transient retries after Retry-After when the service
/// gave one, else after backoff(attempts, random01); it fails instead when
/// `attempts` reached policy.attempts or the retry would fall after
/// due + catch_up. `random01` in [0, 1) is the jitter.
/// `now` is the precise instant the outcome came: the next try is rounded
/// up from it, so a Retry-After is never cut short by a truncated clock.
failure_decision after_failure(const delivery_outcome& outcome, int attempts, date::sys_seconds due,
                               std::chrono::system_clock::time_point now, const schedule_policy& policy,
                               double random01);

/// The local dates to plan at `now` in a calendar's zone: from far enough
/// back to cover catch_up, to `horizon` days ahead; and the instant at
/// which to plan again (before the window's end comes into reach).
struct planning_window {
  date::local_days first;
  date::local_days last;
  date::sys_seconds replan_at;
};
planning_window planning_window_at(const date::time_zone& zone, date::sys_seconds now, std::chrono::seconds catch_up,
                                   date::days horizon = date::days{35});

/// The posts of several calendars (each in its own zone) planned at `now`,
/// merged and sorted by due instant then key, and the earliest replan_at.
/// The posts point into `calendars`, which must outlive them.
struct daemon_plan {
  std::vector<planned_post> posts;
  date::sys_seconds replan_at;
  /// Every post due before this instant is in `posts` (the start of the
  /// earliest last planned day): a post due later may just not be planned yet.
  date::sys_seconds covers_until;
};
daemon_plan plan_calendars(const std::vector<calendar>& calendars, date::sys_seconds now, std::chrono::seconds catch_up,
                           date::days horizon = date::days{35});

/// The post `key` of event `event`, due at `due` (its journal row's),
/// planned on its own: a post an operator resent may be older than any plan
/// reaches. nullopt when the calendars no longer hold it. It points into
/// `calendars`.
std::optional<planned_post> plan_one(const std::vector<calendar>& calendars, std::string_view event,
                                     std::string_view key, date::sys_seconds due);

}  // namespace herald
